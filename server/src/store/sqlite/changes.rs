//! The change feed in SQLite. The one writer commits changes in the order
//! it numbers them, so a reader never sees a later number before an earlier.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use common::api::{Status, Task};
use rusqlite::{params, Connection};
use tokio::sync::broadcast;

use super::{micros, tasks::select_task, SqliteStore};
use crate::store::{
    changes::{
        as_read_back, task_from_json, task_json, Change, ChangeFeed, ChangeOp, FeedBounds, SetKind,
        Wake,
    },
    StoreResult,
};

/// Records one write's changes in the feed, in the write's own transaction,
/// as one change set (begun with its first change, so that a write that
/// changes nothing leaves no set).
pub(super) struct Recorder<'c> {
    conn: &'c Connection,
    user_id: i64,
    kind: SetKind,
    set: Option<i64>,
}

impl<'c> Recorder<'c> {
    /// For a change a request makes.
    pub fn new(conn: &'c Connection, user_id: i64) -> Recorder<'c> {
        Recorder::of_kind(conn, user_id, SetKind::Change)
    }

    pub fn of_kind(conn: &'c Connection, user_id: i64, kind: SetKind) -> Recorder<'c> {
        Recorder {
            conn,
            user_id,
            kind,
            set: None,
        }
    }

    pub fn user_id(&self) -> i64 {
        self.user_id
    }

    /// The set's id, begun if need be.
    pub fn set_id(&mut self) -> rusqlite::Result<i64> {
        if let Some(id) = self.set {
            return Ok(id);
        }
        let (kind, reverts) = self.kind.parts();
        self.conn
            .prepare_cached(
                "INSERT INTO change_sets (user_id, at, kind, reverts) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![self.user_id, micros(Utc::now()), kind, reverts])?;
        let id = self.conn.last_insert_rowid();
        self.set = Some(id);
        Ok(id)
    }

    /// Records that task `task_id` was created (`before` is `None`) or
    /// changed from `before`; answers the task as it reads back now (its
    /// computed fields, such as `blocked`, included).
    pub fn written(&mut self, task_id: i64, before: Option<&Task>) -> rusqlite::Result<Task> {
        let task = select_task(self.conn, self.user_id, task_id)?
            .ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let op = match before {
            Some(_) => ChangeOp::Updated,
            None => ChangeOp::Created,
        };
        self.insert(op, task_id, task.version, before, Some(&task))?;
        Ok(task)
    }

    /// Records that `task` was created, just now written by `insert_row`
    /// and `write_links` (`id_picked`: its id was the store's to pick, by
    /// `AUTOINCREMENT`); answers it as it reads back, without a read where
    /// [`as_read_back`] knows it.
    pub fn inserted(&mut self, task: Task, id_picked: bool) -> rusqlite::Result<Task> {
        if !id_picked || !task.depends.is_empty() {
            return self.written(task.id, None);
        }
        let task = as_read_back(task, false, false);
        self.insert(ChangeOp::Created, task.id, task.version, None, Some(&task))?;
        Ok(task)
    }

    /// Records that `current`, read in this transaction, was replaced by
    /// `task`, just now written by `update_row` and `write_links`; answers
    /// it as it reads back, without a read where [`as_read_back`] knows it.
    /// The flags `current` was read with stand while its dependencies are
    /// the same (the writer runs one write at a time, so no other task
    /// changed since), and `blocking` is known unless the task just became
    /// pending.
    pub fn replaced(&mut self, task: Task, current: &Task) -> rusqlite::Result<Task> {
        let blocking = match (task.status, current.status) {
            (Status::Pending, Status::Pending) => Some(current.blocking),
            (Status::Pending, _) => None,
            _ => Some(false),
        }
        .filter(|_| task.depends == current.depends);
        let Some(blocking) = blocking else {
            return self.written(task.id, Some(current));
        };
        let task = as_read_back(task, current.blocked, blocking);
        self.insert(
            ChangeOp::Updated,
            task.id,
            task.version,
            Some(current),
            Some(&task),
        )?;
        Ok(task)
    }

    /// Records that `before` was deleted (moved to the trash).
    pub fn deleted(&mut self, before: &Task) -> rusqlite::Result<()> {
        self.insert(
            ChangeOp::Deleted,
            before.id,
            before.version,
            Some(before),
            None,
        )
    }

    fn insert(
        &mut self,
        op: ChangeOp,
        task_id: i64,
        version: i64,
        before: Option<&Task>,
        after: Option<&Task>,
    ) -> rusqlite::Result<()> {
        let set = self.set_id()?;
        self.conn
            .prepare_cached(
                "INSERT INTO task_changes (user_id, task_id, op, version, at, task, change_set, before) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                self.user_id,
                task_id,
                op.as_str(),
                version,
                micros(Utc::now()),
                after.map(task_json),
                set,
                before.map(task_json),
            ])?;
        Ok(())
    }
}

#[async_trait]
impl ChangeFeed for SqliteStore {
    async fn changes_after(
        &self,
        user_id: i64,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<Change>> {
        self.read(move |conn| {
            conn.prepare_cached(
                "SELECT seq, task_id, op, version, task FROM task_changes \
                 WHERE user_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            )?
            .query_map(params![user_id, after, limit], |row| {
                let op: String = row.get(2)?;
                Ok(Change {
                    seq: row.get(0)?,
                    task_id: row.get(1)?,
                    op: ChangeOp::parse(&op).unwrap_or(ChangeOp::Updated),
                    version: row.get(3)?,
                    task: row
                        .get::<_, Option<String>>(4)?
                        .as_deref()
                        .and_then(task_from_json),
                })
            })?
            .collect()
        })
        .await
    }

    async fn feed_bounds(&self, user_id: i64) -> StoreResult<FeedBounds> {
        self.read(move |conn| {
            let (purged_through, latest, own): (i64, i64, i64) = conn.query_row(
                // `sqlite_sequence` has the highest number ever given out,
                // even if purged since.
                "SELECT purged_through, \
                 coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'task_changes'), 0), \
                 coalesce((SELECT max(seq) FROM task_changes WHERE user_id = ?1), 0) \
                 FROM change_feed",
                [user_id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )?;
            Ok(FeedBounds {
                purged_through,
                latest: latest.max(purged_through),
                start: own.max(purged_through),
            })
        })
        .await
    }

    async fn purge_changes(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        self.write_keeping_auth(move |conn| {
            let through: Option<i64> = conn.query_row(
                "SELECT MAX(seq) FROM task_changes WHERE at < ?1",
                [micros(before)],
                |row| row.get(0),
            )?;
            let Some(through) = through else {
                return Ok(0);
            };
            let purged = conn.execute("DELETE FROM task_changes WHERE seq <= ?1", [through])?;
            conn.execute(
                "UPDATE change_feed SET purged_through = MAX(purged_through, ?1)",
                [through],
            )?;
            Ok(purged as u64)
        })
        .await
    }

    fn wakeups(&self) -> broadcast::Receiver<Wake> {
        self.wakeups.subscribe()
    }
}
