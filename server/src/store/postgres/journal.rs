//! Change sets, undo's writes and the trash in PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use common::api::{Status, Task};
use tokio_postgres::Row;

use super::{
    cached::Cached,
    changes::Recorder,
    set_runs::{Joined, Run},
    task_rows::{defer_tallies, settle_tallies, update_row, write_links},
    tasks::{select_task, select_tasks_by_id},
    trash, PostgresStore,
};
use crate::store::{
    changes::{task_from_json, ChangeOp, SetKind, Wake},
    journal::{Applied, Back, Direction, JournalEntry, JournalStore, SetWrite, Trashed},
    StoreResult,
};

const ENTRY_COLUMNS: &str = "seq, change_set, at, op, task_id, before, task";

fn entry_from_row(row: &Row) -> JournalEntry {
    JournalEntry {
        seq: row.get(0),
        change_set: row.get(1),
        at: row.get(2),
        op: ChangeOp::parse(row.get(3)).unwrap_or(ChangeOp::Updated),
        task_id: row.get(4),
        before: row.get::<_, Option<&str>>(5).and_then(task_from_json),
        after: row.get::<_, Option<&str>>(6).and_then(task_from_json),
    }
}

type Tx<'a> = deadpool_postgres::Transaction<'a>;

/// Carries out `writes` as one set in `tx`; `None` when a task is not as
/// expected (the caller then rolls back).
async fn apply(
    tx: &Tx<'_>,
    user_id: i64,
    kind: SetKind,
    writes: Vec<SetWrite>,
) -> Result<Option<Vec<Applied>>, tokio_postgres::Error> {
    // Rows read for update stay as read until the transaction ends.
    let ids: Vec<i64> = writes
        .iter()
        .map(|write| match write {
            SetWrite::Update { current, .. } => current.id,
            SetWrite::Trash { current } => current.id,
            SetWrite::Restore { task, .. } | SetWrite::Recreate { task } => task.id,
        })
        .collect();
    tx.execute_cached(
        "SELECT 1 FROM tasks WHERE user_id = $1 AND id = ANY($2) ORDER BY id FOR UPDATE",
        &[&user_id, &ids],
    )
    .await?;
    defer_tallies(tx, user_id).await?;
    let numbers = Numbers::of(tx, user_id, &writes).await?;
    // Written first, recorded last, under the change lock (see `changes`).
    let mut done = Vec::with_capacity(writes.len());
    let mut run = Run::Updates(Vec::new());
    for write in writes {
        // Runs of one kind, each sent whole before a write of another.
        let in_turn = match write {
            SetWrite::Update { task, current } if numbers.decided(&task, &current) => {
                run.join(tx, user_id, Run::Updates(vec![(task, current)]), &mut done)
                    .await?
            }
            SetWrite::Trash { current } => {
                run.join(tx, user_id, Run::Trashes(vec![current]), &mut done)
                    .await?
            }
            SetWrite::Restore { task, version } => {
                let back = Back {
                    task,
                    trashed: Some(version),
                };
                run.join(tx, user_id, Run::Backs(vec![back]), &mut done)
                    .await?
            }
            SetWrite::Recreate { task } => {
                let back = Back {
                    task,
                    trashed: None,
                };
                run.join(tx, user_id, Run::Backs(vec![back]), &mut done)
                    .await?
            }
            SetWrite::Update { task, current } => {
                if !run.send(tx, user_id, &mut done).await? {
                    return Ok(None);
                }
                Joined::InTurn(task, current)
            }
        };
        let (mut task, current) = match in_turn {
            Joined::Yes => continue,
            Joined::Refused => return Ok(None),
            Joined::InTurn(task, current) => (task, current),
        };
        // A number given back that another task took meanwhile: the lowest
        // free one instead.
        if let Some(number) = task.number.filter(|n| Some(*n) != current.number) {
            let taken = tx
                .query_opt_cached(
                    "SELECT 1 FROM tasks WHERE user_id = $1 AND number = $2",
                    &[&user_id, &number],
                )
                .await?
                .is_some();
            if taken {
                task.number = None;
            }
        }
        if update_row(tx, user_id, &mut task, &current)
            .await?
            .is_none()
        {
            return Ok(None);
        }
        write_links(tx, &mut task, Some(&current)).await?;
        done.push((task.id, Some(*current), false));
    }
    if !run.send(tx, user_id, &mut done).await? {
        return Ok(None);
    }
    // Every task written, as it reads back now that all are written (one
    // task's flags follow from others' of the set), in one statement.
    let written: Vec<i64> = done
        .iter()
        .filter(|(_, _, trashed)| !trashed)
        .map(|(task_id, _, _)| *task_id)
        .collect();
    let mut read_back = select_tasks_by_id(tx, user_id, &written).await?;
    let mut applied = Vec::with_capacity(done.len());
    for (task_id, _, trashed) in &done {
        if *trashed {
            applied.push(Applied::Trashed(*task_id));
            continue;
        }
        // Read back above unless the set wrote it twice.
        let task = match read_back.remove(task_id) {
            Some(task) => task,
            None => select_task(tx, user_id, *task_id)
                .await?
                .unwrap_or_default(),
        };
        applied.push(Applied::Written(Box::new(task)));
    }
    settle_tallies(tx, user_id).await?;
    // Recorded last, in the set's order, under the change lock.
    let changes: Vec<(i64, Option<&Task>, Option<&Task>)> = done
        .iter()
        .zip(&applied)
        .map(|((task_id, before, _), applied)| match applied {
            Applied::Written(task) => (*task_id, before.as_ref(), Some(task.as_ref())),
            Applied::Trashed(_) => (*task_id, before.as_ref(), None),
        })
        .collect();
    Recorder::of_kind(tx, user_id, kind)
        .record_all(&changes)
        .await?;
    if let SetKind::Undo(reverted) | SetKind::Redo(reverted) = kind {
        tx.execute_cached(
            "UPDATE change_sets SET undone = TRUE WHERE id = $1 AND user_id = $2",
            &[&reverted, &user_id],
        )
        .await?;
    }
    Ok(Some(applied))
}

/// What a set's updates need to know to give their tasks numbers: whether
/// any write of the set may look for a free number, or find the number it
/// is given back taken.
struct Numbers {
    looked_for: bool,
}

impl Numbers {
    async fn of(
        tx: &Tx<'_>,
        user_id: i64,
        writes: &[SetWrite],
    ) -> Result<Self, tokio_postgres::Error> {
        let mut given_back = Vec::new();
        let mut looked_for = false;
        for write in writes {
            match write {
                SetWrite::Update { task, current } => {
                    looked_for |= task.status == Status::Pending && task.number.is_none();
                    given_back.extend(task.number.filter(|n| Some(*n) != current.number));
                }
                SetWrite::Trash { .. } => {}
                // A task brought back may be given a number.
                SetWrite::Restore { .. } | SetWrite::Recreate { .. } => looked_for = true,
            }
        }
        if !looked_for && !given_back.is_empty() {
            // A number given back that a task holds is looked at again in
            // its turn (the task may be one of the set's, giving it up
            // first), and looked for anew if taken.
            looked_for = tx
                .query_opt_cached(
                    "SELECT 1 FROM tasks WHERE user_id = $1 AND number = ANY($2) LIMIT 1",
                    &[&user_id, &given_back],
                )
                .await?
                .is_some();
        }
        Ok(Numbers { looked_for })
    }

    /// Whether writing `task` over `current` decides no number, so that it
    /// can go in a run: it keeps its own, or has none to be given, or is
    /// given back one that no task held when the set began while no write
    /// of the set can take one first.
    fn decided(&self, task: &Task, current: &Task) -> bool {
        if task.status == Status::Pending && task.number.is_none() {
            return false;
        }
        task.number.filter(|n| Some(*n) != current.number).is_none() || !self.looked_for
    }
}

#[async_trait]
impl JournalStore for PostgresStore {
    async fn revertible_set(&self, user_id: i64, direction: Direction) -> StoreResult<Option<i64>> {
        let sql = match direction {
            Direction::Undo => {
                "SELECT id FROM change_sets WHERE user_id = $1 AND kind != 'undo' \
                 AND NOT undone ORDER BY id DESC LIMIT 1"
            }
            Direction::Redo => {
                "SELECT id FROM change_sets WHERE user_id = $1 AND kind = 'undo' \
                 AND NOT undone AND id > coalesce((SELECT max(id) FROM change_sets \
                 WHERE user_id = $1 AND kind = 'change'), 0) ORDER BY id DESC LIMIT 1"
            }
        };
        let client = self.client().await?;
        let row = self
            .timed(client.query_opt_cached(sql, &[&user_id]))
            .await?;
        Ok(row.map(|row| row.get(0)))
    }

    async fn set_changes(&self, user_id: i64, set_id: i64) -> StoreResult<Vec<JournalEntry>> {
        let client = self.client().await?;
        let rows = self
            .timed(client.query_cached(
                &format!(
                    "SELECT {ENTRY_COLUMNS} FROM task_changes \
                     WHERE user_id = $1 AND change_set = $2 ORDER BY seq"
                ),
                &[&user_id, &set_id],
            ))
            .await?;
        Ok(rows.iter().map(entry_from_row).collect())
    }

    async fn task_history(&self, user_id: i64, task_id: i64) -> StoreResult<Vec<JournalEntry>> {
        let client = self.client().await?;
        let rows = self
            .timed(client.query_cached(
                &format!(
                    "SELECT {ENTRY_COLUMNS} FROM task_changes WHERE user_id = $1 \
                     AND task_id = $2 AND change_set IS NOT NULL ORDER BY seq"
                ),
                &[&user_id, &task_id],
            ))
            .await?;
        Ok(rows.iter().map(entry_from_row).collect())
    }

    async fn apply_set(
        &self,
        user_id: i64,
        kind: SetKind,
        writes: Vec<SetWrite>,
    ) -> StoreResult<Option<Vec<Applied>>> {
        let (_turn, mut client) = self.writing(user_id).await?;
        let applied = self
            .timed_set(writes.len(), async {
                let tx = client.transaction().await?;
                let applied = apply(&tx, user_id, kind, writes).await?;
                if applied.is_some() {
                    tx.commit().await?;
                }
                Ok(applied)
            })
            .await?;
        if applied.is_some() {
            self.wakeups.send(Wake::Tasks(user_id));
        }
        Ok(applied)
    }

    async fn trash(&self, user_id: i64) -> StoreResult<Vec<Trashed>> {
        let client = self.client().await?;
        let rows = self
            .timed(client.query_cached(
                &format!(
                    "SELECT {} FROM trash WHERE user_id = $1 ORDER BY deleted_at DESC, task_id DESC",
                    trash::TRASHED_COLUMNS
                ),
                &[&user_id],
            ))
            .await?;
        Ok(rows.iter().filter_map(trash::trashed_from_row).collect())
    }

    async fn trashed_tasks(&self, user_id: i64, task_ids: Vec<i64>) -> StoreResult<Vec<Trashed>> {
        let client = self.client().await?;
        let rows = self
            .timed(client.query_cached(
                &format!(
                    "SELECT {} FROM trash WHERE user_id = $1 AND task_id = ANY($2)",
                    trash::TRASHED_COLUMNS
                ),
                &[&user_id, &task_ids],
            ))
            .await?;
        Ok(rows.iter().filter_map(trash::trashed_from_row).collect())
    }

    async fn trashed_uuids(&self, user_id: i64, uuids: Vec<String>) -> StoreResult<Vec<String>> {
        let client = self.client().await?;
        let rows = self
            .timed(client.query_cached(trash::TRASHED_UUIDS, &[&user_id, &uuids]))
            .await?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    async fn purge(&self, user_id: i64, task_id: i64) -> StoreResult<bool> {
        let client = self.client().await?;
        let purged = self
            .timed(client.execute_cached(
                "DELETE FROM trash WHERE task_id = $1 AND user_id = $2",
                &[&task_id, &user_id],
            ))
            .await?;
        Ok(purged > 0)
    }

    async fn empty_trash(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let mut client = self.client().await?;
        self.timed(async {
            let tx = client.transaction().await?;
            let emptied = tx
                .execute_cached("DELETE FROM trash WHERE deleted_at < $1", &[&before])
                .await?;
            tx.execute_cached("DELETE FROM change_sets WHERE at < $1", &[&before])
                .await?;
            tx.commit().await?;
            Ok(emptied)
        })
        .await
    }
}
