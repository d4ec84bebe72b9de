//! Change sets, the trash, and what undo needs of a backend: each request's
//! changes as one set, each set's changes with the task before and after,
//! and one write of many tasks that is all or nothing.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use common::api::Task;

use super::{
    changes::{ChangeOp, SetKind},
    StoreResult,
};

/// How long deleted tasks stay in the trash, and change sets stay undoable.
pub const KEPT_FOR_UNDO: chrono::Duration = chrono::Duration::days(30);

/// One change as the journal keeps it.
#[derive(Debug, Clone)]
pub struct JournalEntry {
    pub seq: i64,
    pub change_set: i64,
    pub at: DateTime<Utc>,
    pub op: ChangeOp,
    pub task_id: i64,
    /// The task before the change; `None` when it was created.
    pub before: Option<Task>,
    /// The task after it; `None` when it was deleted.
    pub after: Option<Task>,
}

/// A task in the trash.
#[derive(Debug, Clone)]
pub struct Trashed {
    pub task: Task,
    pub deleted_at: DateTime<Utc>,
    /// The tasks that depended on it when it was deleted.
    pub dependents: Vec<i64>,
}

/// Which set undo or redo would revert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The latest set not yet undone (an undo itself is never undone: redo
    /// reverts it).
    Undo,
    /// The latest undo not yet redone, if no change was made since.
    Redo,
}

/// One task's part in [`JournalStore::apply_set`].
#[derive(Debug, Clone)]
pub enum SetWrite {
    /// `task` in place of `current`, if it is still that version.
    Update { task: Box<Task>, current: Box<Task> },
    /// `current` to the trash, if it is still that version.
    Trash { current: Task },
    /// The trashed task brought back as `task` (its id and notes' ids
    /// kept), with the tasks that depended on it; if it is still in the
    /// trash at `version`.
    Restore { task: Task, version: i64 },
    /// `task` made again with its own id: it is neither a task nor in the
    /// trash any more (purged, or emptied), and the user forced the undo.
    Recreate { task: Task },
}

/// A task a set brings back, from the trash or made again: what each
/// store's run of such writes takes.
pub struct Back {
    /// As it comes back, with its own id.
    pub task: Task,
    /// The version it was trashed at; `None` for a task made again, which
    /// must be neither in the trash nor a task.
    pub trashed: Option<i64>,
}

/// The links of tasks brought back whose other end is still in the trash,
/// to be kept on that end's trash row: two tasks deleted together and
/// restored one by one then come back linked in either order. A task
/// deleted after the one it depended on lost that link from its own row
/// on the way in; only the other's row, gone with its restore, held it.
#[derive(Debug, Default)]
pub struct TrashedEnds(BTreeMap<i64, Links>);

#[derive(Debug, Default)]
struct Links {
    /// Tasks the trashed one comes back depending on.
    depends: Vec<i64>,
    /// Tasks that come to depend on it when it is back.
    dependents: Vec<i64>,
}

impl TrashedEnds {
    /// `task`, brought back, depends on `trashed`.
    pub fn waited_for(&mut self, trashed: i64, task: i64) {
        self.0.entry(trashed).or_default().dependents.push(task);
    }

    /// `trashed` depended on `task`, brought back.
    pub fn waiting(&mut self, trashed: i64, task: i64) {
        self.0.entry(trashed).or_default().depends.push(task);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The trashed tasks that keep a link.
    pub fn ids(&self) -> Vec<i64> {
        self.0.keys().copied().collect()
    }

    /// Adds its kept links to `trashed`'s record; whether it changed.
    pub fn keep_in(&self, trashed: &mut Trashed) -> bool {
        let Some(links) = self.0.get(&trashed.task.id) else {
            return false;
        };
        let before = (trashed.task.depends.len(), trashed.dependents.len());
        for (kept, list) in [
            (&links.depends, &mut trashed.task.depends),
            (&links.dependents, &mut trashed.dependents),
        ] {
            for id in kept {
                if !list.contains(id) {
                    list.push(*id);
                }
            }
        }
        before != (trashed.task.depends.len(), trashed.dependents.len())
    }
}

/// What [`JournalStore::apply_set`] did to one task.
#[derive(Debug, Clone)]
pub enum Applied {
    Written(Box<Task>),
    Trashed(i64),
}

#[async_trait]
pub trait JournalStore: Send + Sync + 'static {
    /// The set undo or redo would revert, if any.
    async fn revertible_set(&self, user_id: i64, direction: Direction) -> StoreResult<Option<i64>>;
    /// The changes of one of the user's sets, in order.
    async fn set_changes(&self, user_id: i64, set_id: i64) -> StoreResult<Vec<JournalEntry>>;
    /// Every change of one task, oldest first.
    async fn task_history(&self, user_id: i64, task_id: i64) -> StoreResult<Vec<JournalEntry>>;
    /// Writes every one of `writes`, as one change set of `kind`, or
    /// nothing (`None`) if a task is no longer as `writes` expect. An undo
    /// or redo marks the set it reverts undone.
    async fn apply_set(
        &self,
        user_id: i64,
        kind: SetKind,
        writes: Vec<SetWrite>,
    ) -> StoreResult<Option<Vec<Applied>>>;
    /// The user's trash, most recently deleted first.
    async fn trash(&self, user_id: i64) -> StoreResult<Vec<Trashed>>;
    /// These tasks of the user's trash, those that are there, in no order.
    async fn trashed_tasks(&self, user_id: i64, task_ids: Vec<i64>) -> StoreResult<Vec<Trashed>>;
    /// One task of the user's trash.
    async fn trashed(&self, user_id: i64, task_id: i64) -> StoreResult<Option<Trashed>> {
        Ok(self.trashed_tasks(user_id, vec![task_id]).await?.pop())
    }
    /// Which of these uuids are those of tasks in the user's trash.
    async fn trashed_uuids(&self, user_id: i64, uuids: Vec<String>) -> StoreResult<Vec<String>>;
    /// Deletes a task of the user's trash for good.
    async fn purge(&self, user_id: i64, task_id: i64) -> StoreResult<bool>;
    /// Deletes for good what was trashed before `before`, and forgets the
    /// change sets made before it; how many tasks went.
    async fn empty_trash(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}
