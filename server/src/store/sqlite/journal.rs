//! Change sets, undo's writes and the trash in SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use common::api::Task;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{
    changes::Recorder,
    instant, micros,
    task_rows::{update_row, write_links},
    tasks::select_task,
    trash, SqliteStore,
};
use crate::store::{
    changes::{task_from_json, ChangeOp, SetKind, Wake},
    journal::{Applied, Back, Direction, JournalEntry, JournalStore, SetWrite, Trashed},
    StoreResult,
};

const ENTRY_COLUMNS: &str = "seq, change_set, at, op, task_id, before, task";

fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<JournalEntry> {
    let op: String = row.get(3)?;
    Ok(JournalEntry {
        seq: row.get(0)?,
        change_set: row.get(1)?,
        at: instant(row.get(2)?),
        op: ChangeOp::parse(&op).unwrap_or(ChangeOp::Updated),
        task_id: row.get(4)?,
        before: row
            .get::<_, Option<String>>(5)?
            .as_deref()
            .and_then(task_from_json),
        after: row
            .get::<_, Option<String>>(6)?
            .as_deref()
            .and_then(task_from_json),
    })
}

/// Carries out `writes` as one set; `None`, having written nothing the
/// caller keeps (its transaction is rolled back), when a task is not as
/// expected.
fn apply(
    conn: &Connection,
    user_id: i64,
    kind: SetKind,
    writes: Vec<SetWrite>,
) -> rusqlite::Result<Option<Vec<Applied>>> {
    let mut recorder = Recorder::of_kind(conn, user_id, kind);
    let mut applied = Vec::with_capacity(writes.len());
    // Tasks brought back go in runs (see `trash::bring_back_all`).
    let mut backs = Vec::new();
    for write in writes {
        // What comes next is written once the run before it is back.
        let write = match write {
            SetWrite::Restore { task, version } => {
                backs.push(Back {
                    task,
                    trashed: Some(version),
                });
                continue;
            }
            SetWrite::Recreate { task } => {
                backs.push(Back {
                    task,
                    trashed: None,
                });
                continue;
            }
            SetWrite::Update { task, current } => InTurn::Update(task, current),
            SetWrite::Trash { current } => InTurn::Trash(Box::new(current)),
        };
        if !bring_back(conn, user_id, &mut backs, &mut recorder, &mut applied)? {
            return Ok(None);
        }
        match write {
            InTurn::Update(mut task, current) => {
                // A number given back that another task took meanwhile: the
                // lowest free one instead.
                if let Some(number) = task.number.filter(|n| Some(*n) != current.number) {
                    let taken = conn
                        .prepare_cached("SELECT 1 FROM tasks WHERE user_id = ?1 AND number = ?2")?
                        .exists(params![user_id, number])?;
                    if taken {
                        task.number = None;
                    }
                }
                if !update_row(conn, user_id, &mut task, &current)? {
                    return Ok(None);
                }
                write_links(conn, &mut task, Some(&current))?;
                applied.push(Applied::Written(Box::new(
                    recorder.written(task.id, Some(&current))?,
                )));
            }
            InTurn::Trash(current) => {
                let Some(now) = select_task(conn, user_id, current.id)? else {
                    return Ok(None);
                };
                if now.version != current.version {
                    return Ok(None);
                }
                trash::put(conn, user_id, &now)?;
                recorder.deleted(&now)?;
                applied.push(Applied::Trashed(now.id));
            }
        }
    }
    if !bring_back(conn, user_id, &mut backs, &mut recorder, &mut applied)? {
        return Ok(None);
    }
    if let SetKind::Undo(reverted) | SetKind::Redo(reverted) = kind {
        conn.prepare_cached("UPDATE change_sets SET undone = 1 WHERE id = ?1 AND user_id = ?2")?
            .execute(params![reverted, user_id])?;
    }
    Ok(Some(applied))
}

/// A write of a set made on its own, in the set's order.
enum InTurn {
    Update(Box<Task>, Box<Task>),
    Trash(Box<Task>),
}

/// Brings back a run of tasks and records each, leaving the run empty:
/// `false` if one was not where its write expected.
fn bring_back(
    conn: &Connection,
    user_id: i64,
    run: &mut Vec<Back>,
    recorder: &mut Recorder<'_>,
    applied: &mut Vec<Applied>,
) -> rusqlite::Result<bool> {
    if run.is_empty() {
        return Ok(true);
    }
    let Some(back) = trash::bring_back_all(conn, user_id, std::mem::take(run))? else {
        return Ok(false);
    };
    for task in back {
        applied.push(Applied::Written(Box::new(recorder.written(task.id, None)?)));
    }
    Ok(true)
}

#[async_trait]
impl JournalStore for SqliteStore {
    async fn revertible_set(&self, user_id: i64, direction: Direction) -> StoreResult<Option<i64>> {
        self.read(move |conn| {
            let sql = match direction {
                Direction::Undo => {
                    "SELECT id FROM change_sets WHERE user_id = ?1 AND kind != 'undo' \
                     AND undone = 0 ORDER BY id DESC LIMIT 1"
                }
                Direction::Redo => {
                    "SELECT id FROM change_sets WHERE user_id = ?1 AND kind = 'undo' \
                     AND undone = 0 AND id > coalesce((SELECT max(id) FROM change_sets \
                     WHERE user_id = ?1 AND kind = 'change'), 0) ORDER BY id DESC LIMIT 1"
                }
            };
            conn.prepare_cached(sql)?
                .query_row([user_id], |row| row.get(0))
                .optional()
        })
        .await
    }

    async fn set_changes(&self, user_id: i64, set_id: i64) -> StoreResult<Vec<JournalEntry>> {
        self.read(move |conn| {
            conn.prepare_cached(&format!(
                "SELECT {ENTRY_COLUMNS} FROM task_changes \
                 WHERE user_id = ?1 AND change_set = ?2 ORDER BY seq"
            ))?
            .query_map(params![user_id, set_id], entry_from_row)?
            .collect()
        })
        .await
    }

    async fn task_history(&self, user_id: i64, task_id: i64) -> StoreResult<Vec<JournalEntry>> {
        self.read(move |conn| {
            conn.prepare_cached(&format!(
                "SELECT {ENTRY_COLUMNS} FROM task_changes \
                 WHERE user_id = ?1 AND task_id = ?2 AND change_set IS NOT NULL ORDER BY seq"
            ))?
            .query_map(params![user_id, task_id], entry_from_row)?
            .collect()
        })
        .await
    }

    async fn apply_set(
        &self,
        user_id: i64,
        kind: SetKind,
        writes: Vec<SetWrite>,
    ) -> StoreResult<Option<Vec<Applied>>> {
        // Checked and written in a transaction of its own: a task found
        // changed half-way undoes the writes before it.
        let applied = self
            .write_tasks_alone(user_id, Option::is_some, move |conn| {
                apply(conn, user_id, kind, writes)
            })
            .await?;
        if applied.is_some() {
            self.wakeups.send(Wake::Tasks(user_id));
        }
        Ok(applied)
    }

    async fn trash(&self, user_id: i64) -> StoreResult<Vec<Trashed>> {
        self.read(move |conn| {
            conn.prepare_cached(
                "SELECT task, deleted_at, dependents FROM trash WHERE user_id = ?1 \
                 ORDER BY deleted_at DESC, task_id DESC",
            )?
            .query_map([user_id], trash::trashed_from_row)?
            .collect()
        })
        .await
    }

    async fn trashed_tasks(&self, user_id: i64, task_ids: Vec<i64>) -> StoreResult<Vec<Trashed>> {
        let task_ids = serde_json::to_string(&task_ids)
            .map_err(|err| crate::store::StoreError::Internal(err.into()))?;
        self.read(move |conn| trash::get_all(conn, user_id, &task_ids))
            .await
    }

    async fn trashed_uuids(&self, user_id: i64, uuids: Vec<String>) -> StoreResult<Vec<String>> {
        let uuids = serde_json::to_string(&uuids)
            .map_err(|err| crate::store::StoreError::Internal(err.into()))?;
        self.read(move |conn| trash::uuids_among(conn, user_id, &uuids))
            .await
    }

    async fn purge(&self, user_id: i64, task_id: i64) -> StoreResult<bool> {
        self.write_tasks_of(user_id, move |conn| {
            let purged = conn
                .prepare_cached("DELETE FROM trash WHERE task_id = ?1 AND user_id = ?2")?
                .execute(params![task_id, user_id])?;
            Ok(purged > 0)
        })
        .await
    }

    async fn empty_trash(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        self.write_keeping_auth(move |conn| {
            let emptied = conn
                .prepare_cached("DELETE FROM trash WHERE deleted_at < ?1")?
                .execute([micros(before)])?;
            conn.prepare_cached("DELETE FROM change_sets WHERE at < ?1")?
                .execute([micros(before)])?;
            Ok(emptied as u64)
        })
        .await
    }
}
