//! Deleted tasks in PostgreSQL: moved whole to the trash, brought back whole.

use std::collections::{HashMap, HashSet};

use common::api::{Status, Task};
use futures_util::future::try_join_all;
use tokio_postgres::{types::ToSql, Row};

use super::{
    cached::Cached,
    task_rows::{insert_locked, lock_numbers, needs_number, prepare_writes, write_links},
};
use crate::store::{
    changes::task_json,
    journal::{Back, Trashed, TrashedEnds},
};

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

/// Which of `uuids` are those of the user's trashed tasks. The trash keeps
/// each task whole, as JSON: a user's trash is read through, bounded as it
/// is by its thirty days.
pub(super) const TRASHED_UUIDS: &str = "SELECT task::jsonb ->> 'uuid' FROM trash \
     WHERE user_id = $1 AND task::jsonb ->> 'uuid' = ANY($2)";

/// Makes each of `run` a task again with its own id, as one by one in the
/// run's order: its notes keep their ids, its number comes back if no
/// pending task holds it, and it depends on (and the tasks that depended
/// on it when it was trashed depend on it) those that are tasks once the
/// whole run is back, so that two tasks trashed together come back linked
/// whichever went first. `None`, having sent nothing that the caller's
/// rollback would not undo, when a task is not where its write expects or
/// another task holds its uuid. Each step is one statement for the whole
/// run, or statements sent without waiting.
pub(super) async fn bring_back_all(
    tx: &Tx<'_>,
    user_id: i64,
    run: Vec<Back>,
) -> Result<Option<Vec<Task>>, tokio_postgres::Error> {
    let ids: Vec<i64> = run.iter().map(|back| back.task.id).collect();
    // The user's lock on numbers first, before any trash row: a run also
    // locks the rows of tasks still in the trash that it leaves linked to
    // it, so two runs of one user (on two daemons) must not each hold a
    // row the other wants.
    lock_numbers(tx, user_id).await?;
    let mut found: HashMap<i64, Trashed> = tx
        .query_cached(
            &format!(
                "SELECT {TRASHED_COLUMNS} FROM trash \
                 WHERE user_id = $1 AND task_id = ANY($2) FOR UPDATE"
            ),
            &[&user_id, &ids],
        )
        .await?
        .iter()
        .filter_map(trashed_from_row)
        .map(|trashed| (trashed.task.id, trashed))
        .collect();
    let mut dependents = Vec::with_capacity(run.len());
    for back in &run {
        let in_trash = found.remove(&back.task.id);
        match (back.trashed, in_trash) {
            (Some(version), Some(trashed)) if trashed.task.version == version => {
                dependents.push(trashed.dependents);
            }
            (None, None) => dependents.push(Vec::new()),
            _ => return Ok(None),
        }
    }
    // Nor may one come back beside a task holding its id or its uuid.
    let uuids: Vec<&str> = run.iter().map(|back| back.task.uuid.as_str()).collect();
    let distinct: HashSet<&str> = uuids.iter().copied().collect();
    if distinct.len() != uuids.len()
        || tx
            .query_opt_cached(
                "SELECT 1 FROM tasks WHERE (user_id = $1 AND uuid = ANY($2)) OR id = ANY($3) \
                 LIMIT 1",
                &[&user_id, &uuids, &ids],
            )
            .await?
            .is_some()
    {
        return Ok(None);
    }
    tx.execute_cached(
        "DELETE FROM trash WHERE user_id = $1 AND task_id = ANY($2)",
        &[&user_id, &ids],
    )
    .await?;
    let mut tasks: Vec<Task> = run.into_iter().map(|back| back.task).collect();
    let wanted: Vec<i64> = tasks.iter().filter_map(|task| task.number).collect();
    let mut taken: HashSet<i64> = tx
        .query_cached(
            "SELECT number FROM tasks WHERE user_id = $1 AND number = ANY($2)",
            &[&user_id, &wanted],
        )
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    for task in &mut tasks {
        if let Some(number) = task.number {
            if task.status != Status::Pending || !taken.insert(number) {
                task.number = None;
            }
        }
    }
    // The rows without their dependencies, those keeping a number first:
    // a task given the lowest free one must not take another's own.
    let mut depends: Vec<Vec<i64>> = tasks
        .iter_mut()
        .map(|task| std::mem::take(&mut task.depends))
        .collect();
    prepare_writes(tx).await?;
    let (keeping, given): (Vec<&mut Task>, Vec<&mut Task>) =
        tasks.iter_mut().partition(|task| !needs_number(task));
    try_join_all(keeping.into_iter().chain(given).map(|task| async move {
        insert_locked(tx, user_id, task).await?;
        write_links(tx, task, None).await
    }))
    .await?;
    // Then the dependencies between tasks that are tasks now.
    let named: Vec<i64> = depends
        .iter()
        .chain(&dependents)
        .flatten()
        .copied()
        .collect();
    let live: HashSet<i64> = tx
        .query_cached(
            "SELECT id FROM tasks WHERE user_id = $1 AND id = ANY($2)",
            &[&user_id, &named],
        )
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let mut from = Vec::new();
    let mut on = Vec::new();
    let mut kept = TrashedEnds::default();
    for ((task, depends), dependents) in tasks.iter_mut().zip(&mut depends).zip(&dependents) {
        for trashed in depends.iter().filter(|id| !live.contains(id)) {
            kept.waited_for(*trashed, task.id);
        }
        depends.retain(|id| live.contains(id));
        task.depends = std::mem::take(depends);
        for depends_on in &task.depends {
            from.push(task.id);
            on.push(*depends_on);
        }
        for dependent in dependents {
            if live.contains(dependent) {
                from.push(*dependent);
                on.push(task.id);
            } else {
                kept.waiting(*dependent, task.id);
            }
        }
    }
    keep_links(tx, user_id, &kept).await?;
    if !from.is_empty() {
        tx.execute_cached(
            "INSERT INTO task_depends (task_id, depends_on) \
             SELECT unnest($1::bigint[]), unnest($2::bigint[]) ON CONFLICT DO NOTHING",
            &[&from, &on],
        )
        .await?;
    }
    Ok(Some(tasks))
}

/// Writes the links `kept` into the trash rows of their other ends (those
/// purged meanwhile keep nothing), each row locked as it is read.
async fn keep_links(
    tx: &Tx<'_>,
    user_id: i64,
    kept: &TrashedEnds,
) -> Result<(), tokio_postgres::Error> {
    if kept.is_empty() {
        return Ok(());
    }
    let rows = tx
        .query_cached(
            &format!(
                "SELECT {TRASHED_COLUMNS} FROM trash \
                 WHERE user_id = $1 AND task_id = ANY($2) FOR UPDATE"
            ),
            &[&user_id, &kept.ids()],
        )
        .await?;
    let mut changed: Vec<Trashed> = rows.iter().filter_map(trashed_from_row).collect();
    changed.retain_mut(|trashed| kept.keep_in(trashed));
    let json: Vec<String> = changed
        .iter()
        .map(|trashed| task_json(&trashed.task))
        .collect();
    let update = tx
        .prepare_cached(
            "UPDATE trash SET task = $3, dependents = $4 WHERE task_id = $1 AND user_id = $2",
        )
        .await?;
    let rows: Vec<[&(dyn ToSql + Sync); 4]> = changed
        .iter()
        .zip(&json)
        .map(|(trashed, json)| {
            [
                &trashed.task.id as &(dyn ToSql + Sync),
                &user_id,
                json,
                &trashed.dependents,
            ]
        })
        .collect();
    try_join_all(rows.iter().map(|row| tx.execute(&update, row))).await?;
    Ok(())
}
