//! Undo and redo, over the change sets the store keeps: undo writes back
//! what a set found, redo reverts that undo, and each is a change set of
//! its own (versions go up, events go out). Tasks the set deleted come back
//! from the trash (see `trash`); each task's history is `history`'s.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use common::api::{ChangeOp, Status, Task};

use super::{
    history::fields,
    task_ops::{check_depends, contended, finished, TaskError, TaskResult},
    tasks::stored,
    trash::{Edges, Twins, CYCLE},
    FieldErrors, MAX_WRITE_ATTEMPTS,
};
use crate::store::{
    changes::SetKind,
    journal::{Applied, Direction, JournalEntry, SetWrite, Trashed},
    Store,
};

/// Why an undo or a redo did not happen.
#[derive(Debug, thiserror::Error)]
pub enum RevertError {
    #[error(transparent)]
    Task(#[from] TaskError),
    /// There is nothing to undo (or redo).
    #[error("nothing to revert")]
    Nothing,
    /// Tasks of the set changed since: what changed, per task.
    #[error("changed since")]
    Conflicts(FieldErrors),
    /// The step to revert is no longer the one expected: another change
    /// came since it was offered.
    #[error("another step came since")]
    Moved,
}

impl From<crate::store::StoreError> for RevertError {
    fn from(err: crate::store::StoreError) -> RevertError {
        RevertError::Task(err.into())
    }
}

/// A set undo or redo would revert, or did.
#[derive(Debug, Clone)]
pub struct Step {
    /// The set reverted.
    pub change_set: i64,
    pub at: DateTime<Utc>,
    /// What the set did, in words: `deleted "Pay rent"`, `changed 6 tasks`.
    pub summary: String,
    /// The tasks it touched.
    pub task_ids: Vec<i64>,
}

/// What an undo or a redo did.
#[derive(Debug, Clone)]
pub struct Reverted {
    pub step: Step,
    /// The tasks as they are now.
    pub tasks: Vec<Task>,
    /// The tasks it moved to the trash.
    pub trashed: Vec<i64>,
}

fn title_of(entry: &JournalEntry) -> String {
    let task = entry.after.as_ref().or(entry.before.as_ref());
    task.map(|task| task.title.clone()).unwrap_or_default()
}

/// What a change of a task from `before` to `after` did, in a word: its
/// completion, reopening, start or stop, or a note added or removed, when
/// that is all it did.
fn change_verb(before: Option<&Task>, after: Option<&Task>) -> &'static str {
    let (Some(before), Some(after)) = (before, after) else {
        return "changed";
    };
    let verb = match (before.status, after.status, before.start, after.start) {
        (Status::Pending, Status::Done, ..) => "completed",
        (Status::Done, Status::Pending, ..) => "reopened",
        (_, _, None, Some(_)) => "started",
        (_, _, Some(_), None) => "stopped",
        _ if after.annotations.len() > before.annotations.len() => "annotated",
        _ if after.annotations.len() < before.annotations.len() => "denotated",
        _ => return "changed",
    };
    // Nothing the user wrote changed beside it; what follows from it
    // (its number, version, times and standing) may have.
    let mut rest = after.clone();
    rest.status = before.status;
    rest.completed_at = before.completed_at;
    rest.start = before.start;
    rest.number = before.number;
    rest.version = before.version;
    rest.updated_at = before.updated_at;
    rest.urgency = before.urgency;
    rest.blocked = before.blocked;
    rest.blocking = before.blocking;
    if matches!(verb, "annotated" | "denotated") {
        rest.annotations.clone_from(&before.annotations);
    }
    if rest == *before {
        verb
    } else {
        "changed"
    }
}

/// The set's changes in words.
fn summary(entries: &[JournalEntry]) -> String {
    let mut tasks: Vec<i64> = entries.iter().map(|e| e.task_id).collect();
    tasks.sort_unstable();
    tasks.dedup();
    match (entries.first(), tasks.len()) {
        (Some(first), 1) => {
            let last = entries.last().unwrap_or(first);
            let verb = match (first.op, last.op) {
                // Back from the trash: written again at a later version
                // than a new task's first.
                (ChangeOp::Created, _) if first.after.as_ref().is_some_and(|t| t.version > 1) => {
                    "restored"
                }
                (ChangeOp::Created, _) => "created",
                (_, ChangeOp::Deleted) => "deleted",
                _ => change_verb(first.before.as_ref(), last.after.as_ref()),
            };
            // Named as lists showed it: by its number while it had one.
            let numbered = [&first.after, &first.before]
                .into_iter()
                .flatten()
                .find(|task| task.number.is_some());
            let name = numbered
                .or(first.after.as_ref())
                .or(first.before.as_ref())
                .map(common::display::name)
                .unwrap_or_else(|| first.task_id.to_string());
            format!("{verb} task {name} \"{}\"", title_of(first))
        }
        (_, count) => {
            let ops: Vec<ChangeOp> = entries.iter().map(|e| e.op).collect();
            let changes: Vec<&str> = entries
                .iter()
                .map(|e| change_verb(e.before.as_ref(), e.after.as_ref()))
                .collect();
            let verb = if ops.iter().all(|op| *op == ChangeOp::Created) {
                "created"
            } else if ops.iter().all(|op| *op == ChangeOp::Deleted) {
                "deleted"
            } else if ops.iter().all(|op| *op == ChangeOp::Updated)
                && changes.iter().all(|verb| *verb == changes[0])
            {
                changes[0]
            } else {
                return mixed(entries, &tasks);
            };
            format!("{verb} {count} tasks")
        }
    }
}

/// A set that made, changed and deleted tasks (an import adding some and
/// updating others), each counted by what the set did to it as a whole:
/// "created 1 and changed 4 tasks".
fn mixed(entries: &[JournalEntry], tasks: &[i64]) -> String {
    // Each task's first and last change, in one pass: an import's set
    // holds thousands.
    let mut ends: HashMap<i64, (ChangeOp, ChangeOp)> = HashMap::with_capacity(tasks.len());
    for entry in entries {
        ends.entry(entry.task_id)
            .and_modify(|(_, last)| *last = entry.op)
            .or_insert((entry.op, entry.op));
    }
    let (mut created, mut changed, mut deleted) = (0, 0, 0);
    for task in tasks {
        let (first, last) = match ends.get(task) {
            Some(&(first, last)) => (Some(first), Some(last)),
            None => (None, None),
        };
        match (first, last) {
            (_, Some(ChangeOp::Deleted)) => deleted += 1,
            (Some(ChangeOp::Created), _) => created += 1,
            _ => changed += 1,
        }
    }
    let parts: Vec<String> = [
        ("created", created),
        ("changed", changed),
        ("deleted", deleted),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(verb, n)| format!("{verb} {n}"))
    .collect();
    let said = match parts.as_slice() {
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => "changed 0".to_string(),
    };
    format!("{said} tasks")
}

/// The set `direction` would revert now, if any.
pub async fn next_step(
    store: &dyn Store,
    user_id: i64,
    direction: Direction,
) -> Result<Step, RevertError> {
    let set = store
        .revertible_set(user_id, direction)
        .await?
        .ok_or(RevertError::Nothing)?;
    let entries = store.set_changes(user_id, set).await?;
    Ok(step_of(set, &entries, direction))
}

/// What redo makes again, said as what the undo it reverts had undone: an
/// undo that brought tasks back is redone by deleting them.
fn as_redone(entries: &[JournalEntry]) -> Vec<JournalEntry> {
    entries
        .iter()
        .map(|entry| JournalEntry {
            op: match entry.op {
                ChangeOp::Created => ChangeOp::Deleted,
                ChangeOp::Deleted => ChangeOp::Created,
                ChangeOp::Updated => ChangeOp::Updated,
            },
            before: entry.after.clone(),
            after: entry.before.clone(),
            ..entry.clone()
        })
        .collect()
}

fn step_of(set: i64, entries: &[JournalEntry], direction: Direction) -> Step {
    let summary = match direction {
        Direction::Undo => summary(entries),
        Direction::Redo => summary(&as_redone(entries)),
    };
    let mut task_ids: Vec<i64> = Vec::new();
    for entry in entries {
        if !task_ids.contains(&entry.task_id) {
            task_ids.push(entry.task_id);
        }
    }
    Step {
        change_set: set,
        at: entries.first().map_or_else(Utc::now, |e| e.at),
        summary,
        task_ids,
    }
}

/// Undoes the latest change set not undone yet, or redoes the latest undo.
/// A task of the set that changed since is a conflict, and nothing is
/// written, unless `force`: then each task is put back as the set found it
/// whatever happened since.
/// Reverts the set `direction` reverts now; only if it is `expected`, when
/// one is (the step a page offered).
pub async fn revert(
    store: &dyn Store,
    user_id: i64,
    direction: Direction,
    force: bool,
    expected: Option<i64>,
) -> Result<Reverted, RevertError> {
    for _ in 0..MAX_WRITE_ATTEMPTS {
        let set = store
            .revertible_set(user_id, direction)
            .await?
            .ok_or(RevertError::Nothing)?;
        if expected.is_some_and(|expected| expected != set) {
            return Err(RevertError::Moved);
        }
        let entries = store.set_changes(user_id, set).await?;
        let now = Utc::now();
        let (writes, conflicts) = plan(store, user_id, &entries, force, now).await?;
        if !conflicts.is_empty() {
            return Err(RevertError::Conflicts(conflicts));
        }
        let kind = match direction {
            Direction::Undo => SetKind::Undo(set),
            Direction::Redo => SetKind::Redo(set),
        };
        let Some(applied) = store.apply_set(user_id, kind, writes).await? else {
            continue;
        };
        let mut tasks = Vec::new();
        let mut trashed = Vec::new();
        for applied in applied {
            match applied {
                Applied::Written(task) => tasks.push(finished(*task, now)),
                Applied::Trashed(id) => trashed.push(id),
            }
        }
        return Ok(Reverted {
            step: step_of(set, &entries, direction),
            tasks,
            trashed,
        });
    }
    Err(contended().into())
}

/// The writes that put each task of `entries` back as the set found it,
/// and the conflicts that stand in the way.
async fn plan(
    store: &dyn Store,
    user_id: i64,
    entries: &[JournalEntry],
    force: bool,
    now: DateTime<Utc>,
) -> TaskResult<(Vec<SetWrite>, FieldErrors)> {
    // Per task: as the set found it (its first change's `before`), and as
    // the set left it (its last change).
    let mut tasks: Vec<(i64, Option<Task>, &JournalEntry)> = Vec::new();
    let mut places: HashMap<i64, usize> = HashMap::with_capacity(entries.len());
    for entry in entries {
        match places.get(&entry.task_id) {
            Some(&place) => tasks[place].2 = entry,
            None => {
                places.insert(entry.task_id, tasks.len());
                tasks.push((entry.task_id, entry.before.clone(), entry));
            }
        }
    }
    // The live ones in one read: a set of ten thousand changes read one
    // by one took longer than its undo's write.
    let mut live: HashMap<i64, Task> = store
        .tasks_by_id(user_id, tasks.iter().map(|(id, _, _)| *id).collect())
        .await?
        .into_iter()
        .map(|task| (task.id, task))
        .collect();
    // What a task no longer live needs to come back, likewise: itself in
    // the trash, and any task now holding its uuid.
    let gone: Vec<i64> = tasks
        .iter()
        .map(|(id, _, _)| *id)
        .filter(|id| !live.contains_key(id))
        .collect();
    let mut in_trash: HashMap<i64, Trashed> = HashMap::new();
    let mut twins = Twins::default();
    if !gone.is_empty() {
        in_trash = store
            .trashed_tasks(user_id, gone)
            .await?
            .into_iter()
            .map(|trashed| (trashed.task.id, trashed))
            .collect();
        let uuids = tasks
            .iter()
            .filter(|(id, _, _)| !live.contains_key(id))
            .filter_map(|(_, found, _)| found.as_ref().map(|task| task.uuid.clone()))
            .collect();
        twins = Twins::of(store, user_id, uuids).await?;
    }
    let mut edges = Edges::default();
    let mut writes = Vec::new();
    let mut conflicts = FieldErrors::new();
    let mut conflict = |name: &str, message: String| {
        conflicts.entry(name.to_string()).or_default().push(message);
    };
    for (id, found, last) in tasks {
        let current = live.remove(&id);
        let trashed = match current {
            Some(_) => None,
            None => in_trash.remove(&id),
        };
        // As its user knows it: by its number, else by its uuid and title.
        // A number only as the task has it now: one kept from before may
        // have gone to another task since.
        let known = [
            trashed.as_ref().map(|trashed| &trashed.task),
            found.as_ref(),
            last.after.as_ref(),
            last.before.as_ref(),
        ];
        let name = match &current {
            Some(task) => name_of(task),
            None => known.into_iter().flatten().next().map_or_else(
                || format!("task {id}"),
                |task| {
                    name_of(&Task {
                        number: None,
                        ..task.clone()
                    })
                },
            ),
        };
        let left_deleted = last.op == ChangeOp::Deleted;
        // As the set left it: a task still so is not "changed since", even
        // if later sets changed it and were undone (its version moved on).
        let as_left =
            |task: &Task| !left_deleted && last.after.as_ref().is_some_and(|left| same(left, task));
        match (found, current, trashed) {
            // Made by the set: it goes to the trash.
            (None, Some(current), _) => {
                if !force && !as_left(&current) {
                    conflict(
                        &name,
                        format!("changed since (now version {})", current.version),
                    );
                    continue;
                }
                writes.push(SetWrite::Trash { current });
            }
            (None, None, _) => {}
            (Some(found), Some(current), _) => {
                if !force && !as_left(&current) {
                    let why = if left_deleted {
                        "restored since"
                    } else {
                        "changed since"
                    };
                    conflict(&name, format!("{why} (now version {})", current.version));
                    continue;
                }
                let mut task = back(found, current.version, now);
                task.id = id;
                if task.depends != current.depends {
                    if let Err(TaskError::Invalid(errors)) =
                        check_depends(store, user_id, Some(id), &task.depends).await
                    {
                        for (_, messages) in errors {
                            for message in messages {
                                conflict(&name, message);
                            }
                        }
                        continue;
                    }
                }
                writes.push(SetWrite::Update {
                    task: Box::new(task),
                    current: Box::new(current),
                });
            }
            (Some(found), None, Some(trashed)) => {
                let deleted_by_set = left_deleted
                    && last
                        .before
                        .as_ref()
                        .is_some_and(|left| same(left, &trashed.task));
                if !force && !deleted_by_set {
                    conflict(&name, "deleted since".to_string());
                    continue;
                }
                if edges
                    .close_a_cycle(store, user_id, id, &found.depends, &trashed.dependents)
                    .await?
                {
                    conflict(&name, CYCLE.to_string());
                    continue;
                }
                if let Some(twin) = twins.holding(&found.uuid) {
                    conflict(&name, twin);
                    continue;
                }
                edges.accept(id, &found.depends, &trashed.dependents);
                let version = trashed.task.version;
                writes.push(SetWrite::Restore {
                    task: back(found, version, now),
                    version,
                });
            }
            (Some(found), None, None) => {
                if !force {
                    conflict(&name, "purged from the trash since".to_string());
                    continue;
                }
                if edges
                    .close_a_cycle(store, user_id, id, &found.depends, &[])
                    .await?
                {
                    conflict(&name, CYCLE.to_string());
                    continue;
                }
                if let Some(twin) = twins.holding(&found.uuid) {
                    conflict(&name, twin);
                    continue;
                }
                edges.accept(id, &found.depends, &[]);
                writes.push(SetWrite::Recreate {
                    task: back(found, 0, now),
                });
            }
        }
    }
    // What gives numbers up goes first (a task the set made, to the trash;
    // one put back without a number), so that a task given its number back
    // finds it free when the set itself had handed it on. The tasks brought
    // back go last, together, so that they come back linked to each other.
    writes.sort_by_key(|write| match write {
        SetWrite::Trash { .. } => 0,
        SetWrite::Update { task, .. } if task.number.is_none() => 0,
        SetWrite::Update { .. } => 1,
        SetWrite::Restore { .. } | SetWrite::Recreate { .. } => 2,
    });
    Ok((writes, conflicts))
}

/// A task as a conflict names it: `task 4`, or for a task without a number
/// `task 1a2b3c4d ("its title")`.
pub(super) fn name_of(task: &Task) -> String {
    let name = format!("task {}", common::display::name(task));
    match task.number {
        Some(_) => name,
        None => format!("{name} (\"{}\")", common::text::truncate(&task.title, 41)),
    }
}

/// Whether two states of a task say the same, what moves on its own aside.
fn same(a: &Task, b: &Task) -> bool {
    fields(Some(a)) == fields(Some(b))
}

/// `found` as it is written back over a task now at `version`.
pub(super) fn back(found: Task, version: i64, now: DateTime<Utc>) -> Task {
    Task {
        version: version + 1,
        updated_at: stored(now),
        ..found
    }
}
