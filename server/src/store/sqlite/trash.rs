//! Deleted tasks in SQLite: moved whole to the trash, brought back whole.

use std::collections::HashSet;

use chrono::Utc;
use common::api::{Status, Task};
use rusqlite::{params, Connection, OptionalExtension};

use super::{
    conversion_error, instant, micros,
    task_rows::{insert_row, write_links},
};
use crate::store::{
    changes::task_json,
    journal::{Back, Trashed, TrashedEnds},
};

/// Moves `task` (as just read) to the trash, with the tasks that depend on
/// it; its row, notes, tags and links go.
pub(super) fn put(conn: &Connection, user_id: i64, task: &Task) -> rusqlite::Result<()> {
    let dependents: Vec<i64> = conn
        .prepare_cached("SELECT task_id FROM task_depends WHERE depends_on = ?1 ORDER BY task_id")?
        .query_map([task.id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let dependents = serde_json::to_string(&dependents).map_err(conversion_error)?;
    conn.prepare_cached(
        "INSERT OR REPLACE INTO trash (task_id, user_id, deleted_at, task, dependents) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        task.id,
        user_id,
        micros(Utc::now()),
        task_json(task),
        dependents
    ])?;
    conn.prepare_cached("DELETE FROM tasks WHERE id = ?1 AND user_id = ?2")?
        .execute(params![task.id, user_id])?;
    Ok(())
}

pub(super) fn trashed_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Trashed> {
    let task: String = row.get(0)?;
    let dependents: String = row.get(2)?;
    Ok(Trashed {
        task: serde_json::from_str(&task).map_err(conversion_error)?,
        deleted_at: instant(row.get(1)?),
        dependents: serde_json::from_str(&dependents).map_err(conversion_error)?,
    })
}

/// The user's trashed task `task_id`.
pub(super) fn get(
    conn: &Connection,
    user_id: i64,
    task_id: i64,
) -> rusqlite::Result<Option<Trashed>> {
    conn.prepare_cached(
        "SELECT task, deleted_at, dependents FROM trash WHERE task_id = ?1 AND user_id = ?2",
    )?
    .query_row(params![task_id, user_id], trashed_from_row)
    .optional()
}

/// The user's trashed tasks whose ids are in `task_ids` (a JSON list).
pub(super) fn get_all(
    conn: &Connection,
    user_id: i64,
    task_ids: &str,
) -> rusqlite::Result<Vec<Trashed>> {
    conn.prepare_cached(
        "SELECT task, deleted_at, dependents FROM trash WHERE user_id = ?1 \
         AND task_id IN (SELECT value FROM json_each(?2))",
    )?
    .query_map(params![user_id, task_ids], trashed_from_row)?
    .collect()
}

/// Which of the uuids in `uuids` (a JSON list) are those of the user's
/// trashed tasks. The trash keeps each task whole, as JSON: a user's trash
/// is read through, bounded as it is by its thirty days.
pub(super) fn uuids_among(
    conn: &Connection,
    user_id: i64,
    uuids: &str,
) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached(
        "SELECT json_extract(task, '$.uuid') AS uuid FROM trash WHERE user_id = ?1 \
         AND uuid IN (SELECT value FROM json_each(?2))",
    )?
    .query_map(params![user_id, uuids], |row| row.get(0))?
    .collect()
}

/// Makes each of `run` a task again with its own id, as one by one in the
/// run's order: its notes keep their ids, its number comes back if no
/// pending task holds it (those keeping theirs are written first, so that
/// a task given the lowest free one takes no other's own), and it depends
/// on (and the tasks that depended on it when it was trashed depend on it)
/// those that are tasks once the whole run is back, so that two tasks
/// trashed together come back linked whichever went first. `None` when a
/// task is not where its write expects or another task holds its id or
/// uuid (the caller rolls back what was written).
pub(super) fn bring_back_all(
    conn: &Connection,
    user_id: i64,
    run: Vec<Back>,
) -> rusqlite::Result<Option<Vec<Task>>> {
    let mut tasks = Vec::with_capacity(run.len());
    let mut dependents = Vec::with_capacity(run.len());
    let mut uuid_taken =
        conn.prepare_cached("SELECT 1 FROM tasks WHERE (user_id = ?1 AND uuid = ?2) OR id = ?3")?;
    let mut delete =
        conn.prepare_cached("DELETE FROM trash WHERE task_id = ?1 AND user_id = ?2")?;
    let mut number_taken =
        conn.prepare_cached("SELECT 1 FROM tasks WHERE user_id = ?1 AND number = ?2")?;
    let mut numbers = HashSet::new();
    let mut uuids = HashSet::new();
    for Back { mut task, trashed } in run {
        match (trashed, get(conn, user_id, task.id)?) {
            (Some(version), Some(found)) if found.task.version == version => {
                dependents.push(found.dependents);
            }
            (None, None) => dependents.push(Vec::new()),
            _ => return Ok(None),
        }
        if !uuids.insert(task.uuid.clone())
            || uuid_taken.exists(params![user_id, task.uuid, task.id])?
        {
            return Ok(None);
        }
        delete.execute(params![task.id, user_id])?;
        if let Some(number) = task.number {
            if task.status != Status::Pending
                || !numbers.insert(number)
                || number_taken.exists(params![user_id, number])?
            {
                task.number = None;
            }
        }
        tasks.push(task);
    }
    let mut depends: Vec<Vec<i64>> = tasks
        .iter_mut()
        .map(|task| std::mem::take(&mut task.depends))
        .collect();
    for keeping in [true, false] {
        for task in tasks
            .iter_mut()
            .filter(|task| task.number.is_some() == keeping)
        {
            insert_row(conn, user_id, task)?;
            write_links(conn, task, None)?;
        }
    }
    let mut exists = conn.prepare_cached("SELECT 1 FROM tasks WHERE id = ?1 AND user_id = ?2")?;
    let mut link = conn.prepare_cached(
        "INSERT OR IGNORE INTO task_depends (task_id, depends_on) VALUES (?1, ?2)",
    )?;
    let mut kept = TrashedEnds::default();
    for ((task, depends), dependents) in tasks.iter_mut().zip(&mut depends).zip(&dependents) {
        let mut live = Vec::with_capacity(depends.len());
        for id in depends.drain(..) {
            if exists.exists(params![id, user_id])? {
                link.execute(params![task.id, id])?;
                live.push(id);
            } else {
                kept.waited_for(id, task.id);
            }
        }
        task.depends = live;
        for dependent in dependents {
            if exists.exists(params![dependent, user_id])? {
                link.execute(params![dependent, task.id])?;
            } else {
                kept.waiting(*dependent, task.id);
            }
        }
    }
    keep_links(conn, user_id, &kept)?;
    Ok(Some(tasks))
}

/// Writes the links `kept` into the trash rows of their other ends (those
/// purged meanwhile keep nothing).
fn keep_links(conn: &Connection, user_id: i64, kept: &TrashedEnds) -> rusqlite::Result<()> {
    if kept.is_empty() {
        return Ok(());
    }
    let ids = serde_json::to_string(&kept.ids()).map_err(conversion_error)?;
    let mut update = conn.prepare_cached(
        "UPDATE trash SET task = ?3, dependents = ?4 WHERE task_id = ?1 AND user_id = ?2",
    )?;
    for mut trashed in get_all(conn, user_id, &ids)? {
        if kept.keep_in(&mut trashed) {
            let dependents =
                serde_json::to_string(&trashed.dependents).map_err(conversion_error)?;
            update.execute(params![
                trashed.task.id,
                user_id,
                task_json(&trashed.task),
                dependents
            ])?;
        }
    }
    Ok(())
}
