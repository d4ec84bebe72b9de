//! Deleted tasks in SQLite: moved whole to the trash, brought back whole.

use chrono::Utc;
use common::api::{Status, Task};
use rusqlite::{params, Connection, OptionalExtension};

use super::{
    conversion_error, instant, micros,
    task_rows::{insert_row, write_links},
};
use crate::store::{changes::task_json, journal::Trashed};

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

/// Whether a task the user has holds `uuid`: a trashed task cannot come
/// back beside another of its uuid (one imported again meanwhile).
pub(super) fn uuid_taken(conn: &Connection, user_id: i64, uuid: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM tasks WHERE user_id = ?1 AND uuid = ?2")?
        .exists(params![user_id, uuid])
}

/// Makes `task` a task again with its own id: its notes keep their ids,
/// its number comes back if no pending task took it meanwhile, and it
/// depends on (and `dependents` depend on it) those that are still tasks.
pub(super) fn bring_back(
    conn: &Connection,
    user_id: i64,
    mut task: Task,
    dependents: &[i64],
) -> rusqlite::Result<Task> {
    conn.prepare_cached("DELETE FROM trash WHERE task_id = ?1 AND user_id = ?2")?
        .execute(params![task.id, user_id])?;
    if let Some(number) = task.number {
        let taken = conn
            .prepare_cached("SELECT 1 FROM tasks WHERE user_id = ?1 AND number = ?2")?
            .exists(params![user_id, number])?;
        if taken || task.status != Status::Pending {
            task.number = None;
        }
    }
    let mut exists = conn.prepare_cached("SELECT 1 FROM tasks WHERE id = ?1 AND user_id = ?2")?;
    let mut depends = Vec::with_capacity(task.depends.len());
    for id in &task.depends {
        if exists.exists(params![id, user_id])? {
            depends.push(*id);
        }
    }
    task.depends = depends;
    insert_row(conn, user_id, &mut task)?;
    write_links(conn, &mut task, None)?;
    let mut link = conn.prepare_cached(
        "INSERT OR IGNORE INTO task_depends (task_id, depends_on) VALUES (?1, ?2)",
    )?;
    for dependent in dependents {
        if exists.exists(params![dependent, user_id])? {
            link.execute(params![dependent, task.id])?;
        }
    }
    Ok(task)
}
