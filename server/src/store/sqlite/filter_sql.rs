//! The WHERE and ORDER BY of a list of tasks, from its filter.

use common::api::UdaValue;
use rusqlite::types::Value;

use super::micros;
use crate::{
    store::sql::{flag_conditions, priority_number, BLOCKED},
    task_query::{OrderField, TaskFilter},
};

/// The WHERE clause of a filter that keeps every task of the account.
pub(super) const OWN_TASKS: &str = "t.user_id = ?";

/// The WHERE clause and its bound values for `filter`; user input is only
/// ever bound, never formatted into the SQL.
pub(super) fn where_clause(user_id: i64, filter: &TaskFilter) -> (String, Vec<Value>) {
    let mut sql = String::from(OWN_TASKS);
    let mut values = vec![Value::Integer(user_id)];
    if let Some(status) = filter.query.only_status() {
        sql.push_str(" AND t.status = ?");
        values.push(Value::Text(status.as_str().into()));
    }
    if let Some(priority) = filter.query.priority {
        sql.push_str(" AND t.priority = ?");
        values.push(Value::Integer(priority_number(priority).into()));
    }
    if let Some(project) = &filter.query.project {
        let prefix = format!("{project}.");
        sql.push_str(" AND (t.project = ? OR substr(t.project, 1, ?) = ?)");
        values.push(Value::Text(project.clone()));
        values.push(Value::Integer(prefix.chars().count() as i64));
        values.push(Value::Text(prefix));
    }
    for tag in &filter.query.tags {
        // A set built once from the (user_id, tag) index: cheaper than a
        // correlated lookup per task.
        sql.push_str(
            " AND t.id IN (SELECT g.task_id FROM task_tags g WHERE g.user_id = ? AND g.tag = ?)",
        );
        values.push(Value::Integer(user_id));
        values.push(Value::Text(tag.clone()));
    }
    for tag in &filter.query.exclude_tags {
        sql.push_str(
            " AND t.id NOT IN (SELECT g.task_id FROM task_tags g WHERE g.user_id = ? AND g.tag = ?)",
        );
        values.push(Value::Integer(user_id));
        values.push(Value::Text(tag.clone()));
    }
    for search in &filter.query.search {
        sql.push_str(" AND (contains_ci(t.title, ?) OR contains_ci(t.description, ?))");
        let needle = search.to_lowercase();
        values.push(Value::Text(needle.clone()));
        values.push(Value::Text(needle));
    }
    for (column, bound, before) in [
        ("t.due", filter.query.due_before, true),
        ("t.due", filter.query.due_after, false),
        ("t.scheduled", filter.query.scheduled_before, true),
        ("t.scheduled", filter.query.scheduled_after, false),
    ] {
        if let Some(bound) = bound {
            sql.push_str(&format!(
                " AND {column} {} ?",
                if before { "<" } else { ">" }
            ));
            values.push(Value::Integer(micros(bound)));
        }
    }
    // Only a pending task waits: a done one keeps its wait date idle.
    match filter.query.waiting {
        Some(true) => {
            sql.push_str(" AND t.status = 'pending' AND t.wait > ?");
            values.push(Value::Integer(micros(filter.now)));
        }
        Some(false) => {
            sql.push_str(" AND (t.status <> 'pending' OR t.wait IS NULL OR t.wait <= ?)");
            values.push(Value::Integer(micros(filter.now)));
        }
        None => {}
    }
    sql.push_str(&flag_conditions(filter));
    if let Some(ready) = filter.query.ready {
        sql.push_str(&format!(
            " AND {}(t.status = 'pending' AND (t.wait IS NULL OR t.wait <= ?) \
             AND (t.scheduled IS NULL OR t.scheduled <= ?) AND NOT {BLOCKED})",
            if ready { "" } else { "NOT " }
        ));
        values.push(Value::Integer(micros(filter.now)));
        values.push(Value::Integer(micros(filter.now)));
    }
    if let Some(uuid) = &filter.query.uuid {
        // A prefix of hex digits and dashes only (checked when parsed), so
        // it holds no LIKE wildcard.
        sql.push_str(" AND t.uuid LIKE ?");
        values.push(Value::Text(format!("{uuid}%")));
    }
    if let Some(number) = filter.query.number {
        sql.push_str(" AND t.number = ?");
        values.push(Value::Integer(number));
    }
    if let Some(id) = filter.query.depends_on {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM task_depends d WHERE d.task_id = t.id AND d.depends_on = ?)",
        );
        values.push(Value::Integer(id));
    }
    for (name, value) in &filter.query.udas {
        let path = Value::Text(format!("$.\"{name}\""));
        sql.push_str(" AND (CAST(json_extract(t.udas, ?) AS TEXT) = ?");
        values.push(path.clone());
        values.push(Value::Text(value.clone()));
        // A number matches the numbers equal to it, however written.
        let number = match UdaValue::number_in(value) {
            Some(UdaValue::Integer(n)) => Some(Value::Integer(n)),
            Some(UdaValue::Number(n)) => Some(Value::Real(n)),
            _ => None,
        };
        if let Some(number) = number {
            sql.push_str(
                " OR (json_type(t.udas, ?) IN ('integer', 'real') AND json_extract(t.udas, ?) = ?)",
            );
            values.extend([path.clone(), path, number]);
        }
        sql.push(')');
    }
    (sql, values)
}

/// Tasks without a value come last in both directions.
fn nulls_last(parts: &mut Vec<String>, column: &'static str) -> &'static str {
    parts.push(format!("{column} IS NULL"));
    column
}

pub(super) fn order_clause(filter: &TaskFilter) -> String {
    let mut parts = Vec::new();
    let mut has_id = false;
    for key in &filter.query.ordering {
        let direction = if key.descending { "DESC" } else { "ASC" };
        let column = match key.field {
            OrderField::Id => {
                has_id = true;
                "t.id"
            }
            OrderField::Title => "t.title COLLATE NOCASE",
            OrderField::Project => nulls_last(&mut parts, "t.project COLLATE NOCASE"),
            OrderField::Status => "t.status",
            OrderField::CreatedAt => "t.created_at",
            OrderField::UpdatedAt => "t.updated_at",
            OrderField::CompletedAt => nulls_last(&mut parts, "t.completed_at"),
            OrderField::Priority => nulls_last(&mut parts, "t.priority"),
            OrderField::Due => nulls_last(&mut parts, "t.due"),
            OrderField::Start => nulls_last(&mut parts, "t.start"),
            OrderField::Wait => nulls_last(&mut parts, "t.wait"),
            OrderField::Scheduled => nulls_last(&mut parts, "t.scheduled"),
            OrderField::Until => nulls_last(&mut parts, "t.until"),
            OrderField::Number => nulls_last(&mut parts, "t.number"),
            // Known once read: ordered by the caller.
            OrderField::Urgency => continue,
        };
        parts.push(format!("{column} {direction}"));
    }
    // A total order, so that pages neither repeat nor skip tasks.
    if !has_id {
        parts.push("t.id ASC".into());
    }
    parts.join(", ")
}
