//! The change feed in PostgreSQL, shared by every daemon of the database.
//!
//! Sequence numbers are drawn when a change is recorded, but transactions
//! commit in their own order: were two writes of one user to draw 10 and 11
//! and commit 11 first, a stream reading in between would move its cursor
//! past 10 for good. So a writer records its changes last, under the user's
//! change lock, held until it commits: of one user's changes, a higher
//! number is never visible before a lower one. Streams read per user, so
//! other users' writes never wait on that lock.
//!
//! Each recording transaction also sends a notification, delivered when it
//! commits, on which every daemon's listener wakes its streams; a lost
//! notification only delays them, since the listener, once back, wakes them
//! all to read the table again.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use common::api::Task;
use tokio::sync::broadcast;

use super::{cached::Cached, task_rows::Found, tasks::select_task, PostgresStore};
use crate::store::{
    changes::{
        as_read_back, task_from_json, task_json, Change, ChangeFeed, ChangeOp, FeedBounds, SetKind,
        Wake,
    },
    StoreResult,
};

/// The channel every daemon listens on.
pub(super) const CHANNEL: &str = "taskd_changes";

/// The advisory locks, one per user, under which changes are recorded.
const CHANGE_LOCKS: i32 = 0x7461_736d;

/// Records one write's changes in the feed, as the transaction's last steps,
/// as one change set (begun with its first change, so that a write that
/// changes nothing leaves no set).
pub(super) struct Recorder<'t, 'c> {
    tx: &'t deadpool_postgres::Transaction<'c>,
    user_id: i64,
    kind: SetKind,
    set: Option<i64>,
}

impl<'t, 'c> Recorder<'t, 'c> {
    /// For a change a request makes.
    pub fn new(tx: &'t deadpool_postgres::Transaction<'c>, user_id: i64) -> Recorder<'t, 'c> {
        Recorder::of_kind(tx, user_id, SetKind::Change)
    }

    pub fn of_kind(
        tx: &'t deadpool_postgres::Transaction<'c>,
        user_id: i64,
        kind: SetKind,
    ) -> Recorder<'t, 'c> {
        Recorder {
            tx,
            user_id,
            kind,
            set: None,
        }
    }

    pub fn user_id(&self) -> i64 {
        self.user_id
    }

    /// Records that task `task_id` was created (`before` is `None`) or
    /// changed from `before`; answers the task as it reads back now (its
    /// computed fields, such as `blocked`, included).
    pub async fn written(
        &mut self,
        task_id: i64,
        before: Option<&Task>,
    ) -> Result<Task, tokio_postgres::Error> {
        // The task was written by this very transaction, so it reads back; a
        // default in its place would only show up as an empty event.
        let task = select_task(self.tx, self.user_id, task_id)
            .await?
            .unwrap_or_default();
        let op = match before {
            Some(_) => ChangeOp::Updated,
            None => ChangeOp::Created,
        };
        self.insert(op, task_id, task.version, before, Some(&task))
            .await?;
        Ok(task)
    }

    /// Records that `task` was created, just now written by `insert_row`
    /// and `write_links` (`id_picked`: its id was the store's to pick, from
    /// the table's sequence); answers it as it reads back, without a read
    /// where [`as_read_back`] knows it.
    pub async fn inserted(
        &mut self,
        task: Task,
        id_picked: bool,
    ) -> Result<Task, tokio_postgres::Error> {
        if !id_picked || !task.depends.is_empty() || cut_toward_2000(&task) {
            return self.written(task.id, None).await;
        }
        let task = as_read_back(task, false, false);
        self.insert(ChangeOp::Created, task.id, task.version, None, Some(&task))
            .await?;
        Ok(task)
    }

    /// Records that `current` was replaced by `task`, just now written by
    /// `update_row` (which `found` it so, before its links were written)
    /// and `write_links`; answers it as it reads back, without a read where
    /// [`as_read_back`] knows it: the flags stand while its dependencies
    /// are the ones stored before and after this write.
    pub async fn replaced(
        &mut self,
        task: Task,
        current: &Task,
        found: Found,
    ) -> Result<Task, tokio_postgres::Error> {
        if task.depends != current.depends
            || found.depends != current.depends
            || cut_toward_2000(&task)
        {
            return self.written(task.id, Some(current)).await;
        }
        let task = as_read_back(task, found.blocked, found.blocking);
        self.insert(
            ChangeOp::Updated,
            task.id,
            task.version,
            Some(current),
            Some(&task),
        )
        .await?;
        Ok(task)
    }

    /// Records that `before` was deleted (moved to the trash).
    pub async fn deleted(&mut self, before: &Task) -> Result<(), tokio_postgres::Error> {
        self.insert(
            ChangeOp::Deleted,
            before.id,
            before.version,
            Some(before),
            None,
        )
        .await
    }

    /// Records a set's changes, in order, in one statement where each
    /// took a round trip: `(task_id, before, after)` per task, `after` none
    /// for a task moved to the trash, `before` none for one created.
    pub async fn record_all(
        &mut self,
        changes: &[(i64, Option<&Task>, Option<&Task>)],
    ) -> Result<(), tokio_postgres::Error> {
        // Each change's op and version (the deleted task's as it was); a
        // pair with neither side records nothing.
        let changes: Vec<Recorded> = changes
            .iter()
            .filter_map(|&(task_id, before, after)| {
                let (op, task) = match (before, after) {
                    (_, None) => (ChangeOp::Deleted, before?),
                    (None, Some(after)) => (ChangeOp::Created, after),
                    (Some(_), Some(after)) => (ChangeOp::Updated, after),
                };
                Some(Recorded {
                    task_id,
                    op,
                    version: task.version,
                    before,
                    after,
                })
            })
            .collect();
        match changes.as_slice() {
            [] => return Ok(()),
            // One change: the single write's one round trip.
            [one] => {
                return self
                    .insert(one.op, one.task_id, one.version, one.before, one.after)
                    .await;
            }
            _ => {}
        }
        let task_ids: Vec<i64> = changes.iter().map(|c| c.task_id).collect();
        let ops: Vec<&str> = changes.iter().map(|c| c.op.as_str()).collect();
        let versions: Vec<i64> = changes.iter().map(|c| c.version).collect();
        let afters: Vec<Option<String>> = changes.iter().map(|c| c.after.map(task_json)).collect();
        let befores: Vec<Option<String>> =
            changes.iter().map(|c| c.before.map(task_json)).collect();
        // The lock first, on its own: no change of the set may draw its
        // number before it is held (a lock joined to the rows could be
        // taken after the first is numbered).
        self.tx
            .execute_cached(
                "SELECT pg_advisory_xact_lock($1, hashtext($2::bigint::text))",
                &[&CHANGE_LOCKS, &self.user_id],
            )
            .await?;
        let (kind, reverts) = self.kind.parts();
        let set: i64 = self
            .tx
            .query_one_cached(
                "WITH new_set AS ( \
                     INSERT INTO change_sets (user_id, at, kind, reverts) \
                     SELECT $1::bigint, now(), $9::text, $10::bigint WHERE $8::bigint IS NULL \
                     RETURNING id), \
                 recorded AS ( \
                     INSERT INTO task_changes \
                         (user_id, task_id, op, version, at, task, change_set, before) \
                     SELECT $1::bigint, c.task_id, c.op, c.version, now(), c.task, \
                         coalesce($8::bigint, (SELECT id FROM new_set)), c.before \
                     FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::text[]) \
                         WITH ORDINALITY AS c(task_id, op, version, task, before, n) \
                     ORDER BY c.n \
                     RETURNING change_set) \
                 SELECT change_set, pg_notify($7, $11) FROM recorded LIMIT 1",
                &[
                    &self.user_id,
                    &task_ids,
                    &ops,
                    &versions,
                    &afters,
                    &befores,
                    &CHANNEL,
                    &self.set,
                    &kind,
                    &reverts,
                    &Wake::Tasks(self.user_id).encode(),
                ],
            )
            .await?
            .get(0);
        self.set = Some(set);
        Ok(())
    }

    async fn insert(
        &mut self,
        op: ChangeOp,
        task_id: i64,
        version: i64,
        before: Option<&Task>,
        after: Option<&Task>,
    ) -> Result<(), tokio_postgres::Error> {
        let (kind, reverts) = self.kind.parts();
        // One round trip: the write's change set, made with its first
        // change, then the change under the lock, taken before the row (and
        // its number) exists; the notification goes out with the commit.
        let set: i64 = self
            .tx
            .query_one_cached(
                "WITH new_set AS ( \
                     INSERT INTO change_sets (user_id, at, kind, reverts) \
                     SELECT $2::bigint, now(), $11::text, $12::bigint WHERE $9::bigint IS NULL \
                     RETURNING id), \
                 recorded AS ( \
                     INSERT INTO task_changes \
                         (user_id, task_id, op, version, at, task, change_set, before) \
                     SELECT $2::bigint, $3::bigint, $4::text, $5::bigint, now(), $6::text, \
                         coalesce($9::bigint, (SELECT id FROM new_set)), $10::text \
                     FROM (SELECT pg_advisory_xact_lock($1, hashtext($2::bigint::text))) AS locked \
                     RETURNING change_set) \
                 SELECT change_set, pg_notify($7, $8) FROM recorded",
                &[
                    &CHANGE_LOCKS,
                    &self.user_id,
                    &task_id,
                    &op.as_str(),
                    &version,
                    &after.map(task_json),
                    &CHANNEL,
                    &Wake::Tasks(self.user_id).encode(),
                    &self.set,
                    &before.map(task_json),
                    &kind,
                    &reverts,
                ],
            )
            .await?
            .get(0);
        self.set = Some(set);
        Ok(())
    }
}

/// One change of a set, as [`Recorder::record_all`] records it.
struct Recorded<'a> {
    task_id: i64,
    op: ChangeOp,
    version: i64,
    before: Option<&'a Task>,
    after: Option<&'a Task>,
}

/// Whether one of `task`'s instants is stored other than as
/// [`as_read_back`] has it: the driver cuts an instant to the microsecond
/// toward PostgreSQL's epoch (2000-01-01), so one before it with a
/// fraction of a microsecond is stored a microsecond later than the floor.
fn cut_toward_2000(task: &Task) -> bool {
    let epoch = DateTime::from_timestamp(946_684_800, 0).unwrap_or_default();
    let notes = task.annotations.iter().map(|annotation| annotation.entry);
    [
        task.due,
        task.completed_at,
        task.start,
        task.wait,
        task.scheduled,
        task.until,
        Some(task.created_at),
        Some(task.updated_at),
    ]
    .into_iter()
    .flatten()
    .chain(notes)
    .any(|at| at < epoch && at.timestamp_subsec_nanos() % 1000 != 0)
}

impl PostgresStore {
    /// Tells every daemon's streams (this one's first) of a committed change.
    pub(super) async fn announce(&self, wake: Wake) {
        // Forgotten before the streams hear of it: a stream woken by it
        // checks its login again, which must not be answered from memory.
        self.logins.heard(wake);
        super::listener::wake_streams_settled(std::sync::Arc::clone(&self.wakeups), wake);
        let notified = async {
            let client = self.client().await?;
            self.timed(
                client.execute_cached("SELECT pg_notify($1, $2)", &[&CHANNEL, &wake.encode()]),
            )
            .await
        };
        if let Err(err) = notified.await {
            // The change is committed; other daemons' streams see it when
            // they next read.
            crate::request_event!(warn, error = %err, "could not notify other daemons of a change");
        }
    }
}

#[async_trait]
impl ChangeFeed for PostgresStore {
    async fn changes_after(
        &self,
        user_id: i64,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<Change>> {
        let client = self.client().await?;
        let limit = i64::from(limit);
        let rows = self
            .timed(client.query_cached(
                "SELECT seq, task_id, op, version, task FROM task_changes \
                 WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                &[&user_id, &after, &limit],
            ))
            .await?;
        Ok(rows
            .iter()
            .map(|row| Change {
                seq: row.get(0),
                task_id: row.get(1),
                op: ChangeOp::parse(row.get(2)).unwrap_or(ChangeOp::Updated),
                version: row.get(3),
                task: row.get::<_, Option<&str>>(4).and_then(task_from_json),
            })
            .collect())
    }

    async fn feed_bounds(&self, user_id: i64) -> StoreResult<FeedBounds> {
        let client = self.client().await?;
        let row = self
            .timed(client.query_one_cached(
                "SELECT purged_through, \
                 coalesce((SELECT max(seq) FROM task_changes), 0), \
                 coalesce((SELECT max(seq) FROM task_changes WHERE user_id = $1), 0) \
                 FROM change_feed",
                &[&user_id],
            ))
            .await?;
        let purged_through: i64 = row.get(0);
        Ok(FeedBounds {
            purged_through,
            latest: row.get::<_, i64>(1).max(purged_through),
            start: row.get::<_, i64>(2).max(purged_through),
        })
    }

    async fn purge_changes(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let mut client = self.client().await?;
        self.timed(async {
            let tx = client.transaction().await?;
            let through: Option<i64> = tx
                .query_one_cached(
                    "SELECT max(seq) FROM task_changes WHERE at < $1",
                    &[&before],
                )
                .await?
                .get(0);
            let Some(through) = through else {
                return Ok(0);
            };
            let purged = tx
                .execute_cached("DELETE FROM task_changes WHERE seq <= $1", &[&through])
                .await?;
            tx.execute_cached(
                "UPDATE change_feed SET purged_through = greatest(purged_through, $1)",
                &[&through],
            )
            .await?;
            tx.commit().await?;
            Ok(purged)
        })
        .await
    }

    fn wakeups(&self) -> broadcast::Receiver<Wake> {
        self.listen();
        self.wakeups.subscribe()
    }
}
