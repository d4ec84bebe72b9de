//! One command on several tasks as one change set, and so one undo step:
//! every task that can take the change gets it in one write, all or none.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::Utc;
use common::api::{Status, Task};

use super::{
    task_ops::{activated, check_depends, contended, finished, invalid, TaskError, TaskResult},
    tasks::{changed, reserved_names, TaskChange, TaskFieldsPatch},
    MAX_WRITE_ATTEMPTS,
};
use crate::store::{
    changes::SetKind,
    journal::{Applied, SetWrite},
    Store,
};

/// Tasks one bulk request may name at most: a command on all of a large
/// imported account's tasks (`task +imported done`) is still one request,
/// so one undo step; a write of ten thousand rows is well under a second.
pub const MAX_BULK: usize = 10_000;

/// Characters of notes one bulk request may add in all: a patch for every
/// task is copied to each, so that a small body could otherwise write
/// a thousand times itself.
pub const MAX_BULK_NOTE_TEXT: usize = 1_000_000;

/// What a bulk request does to each task.
#[derive(Debug, Clone)]
pub enum BulkAction {
    Done,
    Reopen,
    Delete,
    Start,
    Stop,
    /// The same patch for all (if any), or a task's own.
    Modify {
        all: Option<Box<TaskFieldsPatch>>,
        each: BTreeMap<i64, TaskFieldsPatch>,
    },
}

/// What a bulk request did.
#[derive(Debug, Clone, Default)]
pub struct BulkOutcome {
    /// The tasks as they are now (or were, when deleted), in the order
    /// asked; a task already so is among them, unwritten.
    pub changed: Vec<Task>,
    /// The tasks that could not take the change, and why.
    pub failed: Vec<(i64, String)>,
}

/// Makes `action` to each of `ids` (the user's own tasks only); a task
/// whose version is not the one `read_at` names for it is left as it is.
pub async fn bulk(
    store: &dyn Store,
    user_id: i64,
    ids: Vec<i64>,
    action: BulkAction,
    read_at: &BTreeMap<i64, i64>,
) -> TaskResult<BulkOutcome> {
    // Each once, in the order given.
    let mut seen = HashSet::with_capacity(ids.len());
    let unique: Vec<i64> = ids.into_iter().filter(|id| seen.insert(*id)).collect();
    if let BulkAction::Modify { all, each } = &action {
        let text = |patch: &TaskFieldsPatch| -> usize {
            patch
                .notes
                .add
                .iter()
                .map(|note| note.chars().count())
                .sum()
        };
        let shared = all.as_deref().map_or(0, text);
        let added = unique
            .iter()
            .map(|id| each.get(id).map_or(shared, text))
            .fold(0usize, usize::saturating_add);
        if added > MAX_BULK_NOTE_TEXT {
            return Err(invalid(
                "patch",
                format!(
                    "A request adds at most {MAX_BULK_NOTE_TEXT} characters of notes in all; \
                     this one would add {added}."
                ),
            ));
        }
    }
    for _ in 0..MAX_WRITE_ATTEMPTS {
        let now = Utc::now();
        let mut outcome = BulkOutcome::default();
        let mut writes = Vec::new();
        // Where each task's answer goes: written, or already so.
        let mut order: Vec<(i64, Option<Task>)> = Vec::new();
        // One read of them all, not one each: ten thousand reads in turn
        // took longer than the write.
        let mut found: HashMap<i64, Task> = store
            .tasks_by_id(user_id, unique.clone())
            .await?
            .into_iter()
            .map(|task| (task.id, task))
            .collect();
        for &id in &unique {
            let Some(current) = found.remove(&id) else {
                outcome.failed.push((id, "No such task.".into()));
                continue;
            };
            if let Some(version) = read_at.get(&id).filter(|v| **v != current.version) {
                outcome.failed.push((
                    id,
                    format!(
                        "Changed since it was read at version {version} (now version {}).",
                        current.version
                    ),
                ));
                continue;
            }
            let next = match &action {
                BulkAction::Delete => {
                    order.push((id, Some(current.clone())));
                    writes.push(SetWrite::Trash { current });
                    continue;
                }
                BulkAction::Done | BulkAction::Reopen => {
                    let status = match action {
                        BulkAction::Done => Status::Done,
                        _ => Status::Pending,
                    };
                    let patch = TaskFieldsPatch {
                        status: Some(status),
                        ..TaskFieldsPatch::default()
                    };
                    Ok(changed(&current, TaskChange::Patch(patch), now))
                }
                BulkAction::Start => activated(&current, true, now),
                BulkAction::Stop => activated(&current, false, now),
                BulkAction::Modify { all, each } => match each.get(&id).or(all.as_deref()) {
                    Some(patch) => match patch.notes.unknown_in(&current) {
                        Some(note) => {
                            outcome
                                .failed
                                .push((id, format!("The task has no note with the id {note}.")));
                            continue;
                        }
                        None => Ok(changed(&current, TaskChange::Patch(patch.clone()), now)),
                    },
                    None => Ok(None),
                },
            };
            match next {
                Ok(None) => order.push((id, Some(finished(current, now)))),
                Ok(Some(mut next)) => {
                    let refused = reserved_names(&next.tags, &next.udas, Some(&current));
                    if !refused.is_empty() {
                        outcome.failed.push((id, first_message(&refused)));
                        continue;
                    }
                    if next.depends != current.depends {
                        match check_depends(store, user_id, Some(id), &next.depends).await {
                            Ok(blocked) => next.blocked = blocked,
                            Err(TaskError::Invalid(errors)) => {
                                outcome.failed.push((id, first_message(&errors)));
                                continue;
                            }
                            Err(other) => return Err(other),
                        }
                    }
                    order.push((id, None));
                    writes.push(SetWrite::Update {
                        task: Box::new(next),
                        current: Box::new(current),
                    });
                }
                Err(TaskError::Invalid(errors)) => {
                    outcome.failed.push((id, first_message(&errors)))
                }
                Err(other) => return Err(other),
            }
        }
        let applied = match writes.is_empty() {
            true => Vec::new(),
            false => match store.apply_set(user_id, SetKind::Change, writes).await? {
                Some(applied) => applied,
                // A task changed between the read and the write: again.
                None => continue,
            },
        };
        let mut written = applied.into_iter().filter_map(|applied| match applied {
            Applied::Written(task) => Some(finished(*task, now)),
            Applied::Trashed(_) => None,
        });
        for (_, known) in order {
            match known {
                Some(task) => outcome.changed.push(task),
                None => outcome.changed.extend(written.next()),
            }
        }
        return Ok(outcome);
    }
    Err(contended())
}

fn first_message(errors: &super::FieldErrors) -> String {
    errors
        .iter()
        .next()
        .map(|(field, messages)| format!("{field}: {}", messages.join(" ")))
        .unwrap_or_else(|| "invalid".into())
}
