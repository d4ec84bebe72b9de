//! The change feed in SQLite. The one writer commits changes in the order
//! it numbers them, so a reader never sees a later number before an earlier.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use common::api::Task;
use rusqlite::{params, Connection};
use tokio::sync::broadcast;

use super::{micros, tasks::select_task, SqliteStore};
use crate::store::{
    changes::{task_from_json, task_json, Change, ChangeFeed, ChangeOp, FeedBounds, Wake},
    StoreResult,
};

/// Records that the user's task `task_id` was created or updated, with the
/// task as it reads back now, in the write's own transaction; answers that
/// task (its computed fields, such as `blocked`, included).
pub(super) fn record_written(
    conn: &Connection,
    user_id: i64,
    op: ChangeOp,
    task_id: i64,
) -> rusqlite::Result<Task> {
    let task = select_task(conn, user_id, task_id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    insert(
        conn,
        user_id,
        op,
        task_id,
        task.version,
        Some(&task_json(&task)),
    )?;
    Ok(task)
}

/// Records that the user's task `task_id`, at `version`, was deleted.
pub(super) fn record_deleted(
    conn: &Connection,
    user_id: i64,
    task_id: i64,
    version: i64,
) -> rusqlite::Result<()> {
    insert(conn, user_id, ChangeOp::Deleted, task_id, version, None)
}

fn insert(
    conn: &Connection,
    user_id: i64,
    op: ChangeOp,
    task_id: i64,
    version: i64,
    task: Option<&str>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO task_changes (user_id, task_id, op, version, at, task) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        user_id,
        task_id,
        op.as_str(),
        version,
        micros(Utc::now()),
        task
    ])?;
    Ok(())
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
