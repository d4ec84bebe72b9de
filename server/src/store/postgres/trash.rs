//! Deleted tasks in PostgreSQL: moved whole to the trash, brought back whole.

use common::api::{Status, Task};
use futures_util::future::try_join_all;
use tokio_postgres::{types::ToSql, Row};

use super::{
    cached::Cached,
    task_rows::{insert_row, write_links},
};
use crate::store::{changes::task_json, journal::Trashed};

type Tx<'a> = deadpool_postgres::Transaction<'a>;

const PUT: &str = "INSERT INTO trash (task_id, user_id, deleted_at, task, dependents) \
     VALUES ($1, $2, now(), $3, ARRAY(SELECT task_id FROM task_depends \
         WHERE depends_on = $1 ORDER BY task_id)) \
     ON CONFLICT (task_id) DO UPDATE SET deleted_at = EXCLUDED.deleted_at, \
         task = EXCLUDED.task, dependents = EXCLUDED.dependents";

const DELETE: &str = "DELETE FROM tasks WHERE id = $1 AND user_id = $2";

/// Moves `task` (as just read, its row locked) to the trash, with the tasks
/// that depend on it; its row, notes and links go.
pub(super) async fn put(
    tx: &Tx<'_>,
    user_id: i64,
    task: &Task,
) -> Result<(), tokio_postgres::Error> {
    put_all(tx, user_id, std::slice::from_ref(task)).await
}

/// [`put`] for each of `tasks` in turn, every statement sent without
/// waiting for the one before: the connection runs them in the order
/// sent, so each task's dependents are read once those before it are
/// gone, as one by one. Both statements are prepared first, so that none
/// waits for its preparation while a later one goes ahead.
pub(super) async fn put_all(
    tx: &Tx<'_>,
    user_id: i64,
    tasks: &[Task],
) -> Result<(), tokio_postgres::Error> {
    tx.prepare_cached(PUT).await?;
    tx.prepare_cached(DELETE).await?;
    let json: Vec<String> = tasks.iter().map(task_json).collect();
    let put: Vec<[&(dyn ToSql + Sync); 3]> = tasks
        .iter()
        .zip(&json)
        .map(|(task, json)| [&task.id as &(dyn ToSql + Sync), &user_id, json])
        .collect();
    let delete: Vec<[&(dyn ToSql + Sync); 2]> = tasks
        .iter()
        .map(|task| [&task.id as &(dyn ToSql + Sync), &user_id])
        .collect();
    let mut statements = Vec::with_capacity(tasks.len() * 2);
    for (put, delete) in put.iter().zip(&delete) {
        statements.push(tx.execute_cached(PUT, put));
        statements.push(tx.execute_cached(DELETE, delete));
    }
    try_join_all(statements).await?;
    Ok(())
}

pub(super) const TRASHED_COLUMNS: &str = "task, deleted_at, dependents";

pub(super) fn trashed_from_row(row: &Row) -> Option<Trashed> {
    Some(Trashed {
        task: serde_json::from_str(row.get(0)).ok()?,
        deleted_at: row.get(1),
        dependents: row.get(2),
    })
}

/// The user's trashed task `task_id`, locked until the transaction ends.
pub(super) async fn get(
    tx: &Tx<'_>,
    user_id: i64,
    task_id: i64,
) -> Result<Option<Trashed>, tokio_postgres::Error> {
    Ok(tx
        .query_opt_cached(
            &format!(
                "SELECT {TRASHED_COLUMNS} FROM trash WHERE task_id = $1 AND user_id = $2 FOR UPDATE"
            ),
            &[&task_id, &user_id],
        )
        .await?
        .as_ref()
        .and_then(trashed_from_row))
}

/// Whether a task the user has holds `uuid`: a trashed task cannot come
/// back beside another of its uuid (one imported again meanwhile).
pub(super) async fn uuid_taken(
    tx: &Tx<'_>,
    user_id: i64,
    uuid: &str,
) -> Result<bool, tokio_postgres::Error> {
    Ok(tx
        .query_opt_cached(
            "SELECT 1 FROM tasks WHERE user_id = $1 AND uuid = $2",
            &[&user_id, &uuid],
        )
        .await?
        .is_some())
}

/// Which of `uuids` are those of the user's trashed tasks. The trash keeps
/// each task whole, as JSON: a user's trash is read through, bounded as it
/// is by its thirty days.
pub(super) const TRASHED_UUIDS: &str = "SELECT task::jsonb ->> 'uuid' FROM trash \
     WHERE user_id = $1 AND task::jsonb ->> 'uuid' = ANY($2)";

/// Makes `task` a task again with its own id: its notes keep their ids,
/// its number comes back if no pending task took it meanwhile, and it
/// depends on (and `dependents` depend on it) those that are still tasks.
pub(super) async fn bring_back(
    tx: &Tx<'_>,
    user_id: i64,
    mut task: Task,
    dependents: &[i64],
) -> Result<Task, tokio_postgres::Error> {
    tx.execute_cached(
        "DELETE FROM trash WHERE task_id = $1 AND user_id = $2",
        &[&task.id, &user_id],
    )
    .await?;
    if let Some(number) = task.number {
        let taken = tx
            .query_opt_cached(
                "SELECT 1 FROM tasks WHERE user_id = $1 AND number = $2",
                &[&user_id, &number],
            )
            .await?
            .is_some();
        if taken || task.status != Status::Pending {
            task.number = None;
        }
    }
    task.depends = tx
        .query_cached(
            "SELECT id FROM tasks WHERE user_id = $1 AND id = ANY($2) ORDER BY id",
            &[&user_id, &task.depends],
        )
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    insert_row(tx, user_id, &mut task).await?;
    write_links(tx, &mut task, None).await?;
    tx.execute_cached(
        "INSERT INTO task_depends (task_id, depends_on) \
         SELECT id, $3 FROM tasks WHERE user_id = $1 AND id = ANY($2) ON CONFLICT DO NOTHING",
        &[&user_id, &dependents, &task.id],
    )
    .await?;
    Ok(task)
}
