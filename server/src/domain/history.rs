//! Each task's history: every field each change set changed, with its old
//! and new value, read from the changes the store keeps.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use common::api::{ChangeOp, Task};
use serde_json::Value;

use super::task_ops::{TaskError, TaskResult};
use crate::store::Store;

/// One field's change, as the history shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub at: DateTime<Utc>,
    pub change_set: i64,
    pub op: ChangeOp,
    /// `None` for a deletion, which changes the task as a whole.
    pub field: Option<String>,
    pub old: Value,
    pub new: Value,
}

/// Fields that follow from others or from the clock, left out of history.
const DERIVED: &[&str] = &[
    "version",
    "updated_at",
    "urgency",
    "blocked",
    "blocking",
    "id",
];

/// A task's fields by name, those that move on their own left out.
pub(super) fn fields(task: Option<&Task>) -> BTreeMap<String, Value> {
    match task.map(serde_json::to_value) {
        Some(Ok(Value::Object(map))) => map
            .into_iter()
            .filter(|(name, _)| !DERIVED.contains(&name.as_str()))
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// Fields every new task is given, left out of its first history entry.
const CREATED_ANYWAY: &[&str] = &["created_at", "uuid", "status", "number"];

/// Whether a value says nothing: how a new task's unset fields look.
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => false,
    }
}

/// The task's history, oldest first: each field each change changed, with
/// its old and new value. Known also for a task in the trash.
pub async fn history(
    store: &dyn Store,
    user_id: i64,
    task_id: i64,
) -> TaskResult<Vec<FieldChange>> {
    let entries = store.task_history(user_id, task_id).await?;
    if entries.is_empty() {
        let known = store.get_task(user_id, task_id).await?.is_some()
            || store.trashed(user_id, task_id).await?.is_some();
        if !known {
            return Err(TaskError::NotFound);
        }
    }
    let mut rows = Vec::new();
    for entry in entries {
        if entry.op == ChangeOp::Deleted {
            rows.push(FieldChange {
                at: entry.at,
                change_set: entry.change_set,
                op: entry.op,
                field: None,
                old: Value::Null,
                new: Value::Null,
            });
            continue;
        }
        let old = fields(entry.before.as_ref());
        let new = fields(entry.after.as_ref());
        // The title first, then the other fields by name.
        let mut names: Vec<&String> = new.keys().collect();
        names.sort_by_key(|name| (name.as_str() != "title", name.as_str()));
        for name in names {
            let value = &new[name];
            let previous = old.get(name).cloned().unwrap_or(Value::Null);
            let shown = match entry.op {
                // What every task has from the start says nothing new.
                ChangeOp::Created => !is_empty(value) && !CREATED_ANYWAY.contains(&name.as_str()),
                _ => previous != *value,
            };
            if shown {
                rows.push(FieldChange {
                    at: entry.at,
                    change_set: entry.change_set,
                    op: entry.op,
                    field: Some(name.clone()),
                    old: previous,
                    new: value.clone(),
                });
            }
        }
    }
    Ok(rows)
}
