//! A Taskwarrior import in PostgreSQL: one transaction, its writes sent
//! without waiting for each other.

use std::collections::HashMap;

use common::api::Task;
use futures_util::future::try_join_all;
use tokio_postgres::error::SqlState;

use super::{
    cached::Cached,
    changes::Recorder,
    task_rows::{
        defer_tallies, insert_locked, lock_numbers, needs_number, prepare_writes, settle_tallies,
        update_locked, write_links,
    },
    tasks::select_tasks_by_id,
    PostgresStore,
};
use crate::store::{changes::Wake, ImportWrite, StoreError, StoreResult};

/// An import is one transaction, which may be long.
const IMPORT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

/// Writes an import's tasks in one transaction: `false`, having written
/// nothing, when a task changed since the import read it, or a new task
/// would take a trashed task's uuid.
pub(super) async fn import_tasks(
    store: &PostgresStore,
    user_id: i64,
    writes: Vec<ImportWrite>,
) -> StoreResult<bool> {
    let (_turn, mut client) = store.writing(user_id).await?;
    let outcome = tokio::time::timeout(IMPORT_TIMEOUT, async {
        let tx = client.transaction().await?;
        // Rows read for update stay as read until this transaction ends.
        let ids: Vec<i64> = writes
            .iter()
            .filter_map(|w| w.current.as_ref().map(|c| c.id))
            .collect();
        let versions: HashMap<i64, i64> = tx
            .query_cached(
                "SELECT id, version FROM tasks WHERE user_id = $1 AND id = ANY($2) FOR UPDATE",
                &[&user_id, &ids],
            )
            .await?
            .iter()
            .map(|row| (row.get(0), row.get(1)))
            .collect();
        let stale = writes
            .iter()
            .filter_map(|w| w.current.as_ref())
            .any(|current| versions.get(&current.id) != Some(&current.version));
        // Nor may a new task take a trashed task's uuid: that one could
        // then never come back.
        let new: Vec<&str> = writes
            .iter()
            .filter(|write| write.current.is_none())
            .map(|write| write.task.uuid.as_str())
            .collect();
        if stale
            || !tx
                .query_cached(super::trash::TRASHED_UUIDS, &[&user_id, &new])
                .await?
                .is_empty()
        {
            return Ok(false);
        }
        defer_tallies(&tx, user_id).await?;
        if writes.iter().any(|write| needs_number(&write.task)) {
            lock_numbers(&tx, user_id).await?;
        }
        let mut written: Vec<(Task, Option<Task>, Vec<String>)> = writes
            .into_iter()
            .map(|write| (write.task, write.current, write.depends))
            .collect();
        // The new tasks' ids drawn at once, so that no write waits for
        // the one before: each is sent as the last is, and answered in
        // turn (numbers are given in the file's order).
        let new = written.iter().filter(|(_, current, _)| current.is_none());
        let drawn = tx
            .query_cached(
                "SELECT nextval(pg_get_serial_sequence('tasks', 'id')) \
                 FROM generate_series(1, $1::bigint)",
                &[&i64::try_from(new.count()).unwrap_or(i64::MAX)],
            )
            .await?;
        for ((task, _, _), row) in written
            .iter_mut()
            .filter(|(_, current, _)| current.is_none())
            .zip(&drawn)
        {
            task.id = row.get(0);
        }
        prepare_writes(&tx).await?;
        let writes_to = &tx;
        try_join_all(written.iter_mut().map(|(task, current, _)| async move {
            match current {
                Some(current) => update_locked(writes_to, user_id, task, current)
                    .await
                    .map(drop),
                None => insert_locked(writes_to, user_id, task).await,
            }
        }))
        .await?;
        let wanted: Vec<&String> = written.iter().flat_map(|(_, _, d)| d.iter()).collect();
        let ids: HashMap<String, i64> = tx
            .query_cached(
                "SELECT uuid, id FROM tasks WHERE user_id = $1 AND uuid = ANY($2)",
                &[&user_id, &wanted],
            )
            .await?
            .iter()
            .map(|row| (row.get(0), row.get(1)))
            .collect();
        for (task, _, depends) in &mut written {
            task.depends = depends
                .iter()
                .filter_map(|uuid| ids.get(uuid).copied())
                .collect();
            task.depends.sort_unstable();
        }
        try_join_all(
            written
                .iter_mut()
                .map(|(task, current, _)| write_links(&tx, task, current.as_ref())),
        )
        .await?;
        let recorded: Vec<(i64, Option<Task>)> = written
            .into_iter()
            .map(|(task, current, _)| (task.id, current))
            .collect();
        settle_tallies(&tx, user_id).await?;
        // Every task as it reads back now that all are written, in one
        // statement, and recorded in one, last, under the change lock
        // (see `changes`).
        let ids: Vec<i64> = recorded.iter().map(|(task_id, _)| *task_id).collect();
        let mut read_back = select_tasks_by_id(&tx, user_id, &ids).await?;
        // Each uuid is imported once, so each task reads back once.
        let after: Vec<Task> = ids
            .iter()
            .map(|task_id| read_back.remove(task_id).unwrap_or_default())
            .collect();
        let changes: Vec<(i64, Option<&Task>, Option<&Task>)> = recorded
            .iter()
            .zip(&after)
            .map(|((task_id, current), task)| (*task_id, current.as_ref(), Some(task)))
            .collect();
        Recorder::new(&tx, user_id).record_all(&changes).await?;
        tx.commit().await?;
        Ok::<bool, tokio_postgres::Error>(true)
    })
    .await;
    match outcome {
        Ok(Ok(done)) => {
            if done {
                store.wakeups.send(Wake::Tasks(user_id));
            }
            Ok(done)
        }
        // Another import gave one of these uuids first.
        Ok(Err(err)) if err.code() == Some(&SqlState::UNIQUE_VIOLATION) => Ok(false),
        Ok(Err(err)) => Err(super::db_error(err)),
        Err(_) => Err(StoreError::Unavailable(anyhow::anyhow!(
            "PostgreSQL did not finish the import within {} s",
            IMPORT_TIMEOUT.as_secs()
        ))),
    }
}
