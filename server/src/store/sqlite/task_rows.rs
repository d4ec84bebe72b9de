//! A task's rows as the writer writes them: the task itself with the
//! account's tallies, its tags, dependencies and notes.

use chrono::{DateTime, Utc};
use common::api::{Status, Task};
use rusqlite::{params, params_from_iter, types::Value, Connection, OptionalExtension};

use super::{
    conversion_error, micros,
    tally::{self, Added},
};
use crate::store::sql::{priority_number, LOWEST_FREE_NUMBER};

/// The number `task` is stored with: a pending task without one gets the
/// lowest free. Run on the writer, so no other write comes between.
pub(super) fn number_for(
    conn: &Connection,
    user_id: i64,
    task: &Task,
) -> rusqlite::Result<Option<i64>> {
    if task.status != Status::Pending || task.number.is_some() {
        return Ok(task.number);
    }
    conn.prepare_cached(LOWEST_FREE_NUMBER)?
        .query_row([user_id], |row| row.get(0))
}

/// Stores `task`'s dependencies and annotations where they differ from
/// `previous`'s (`None` for a new task): new annotations (id 0) get their
/// ids, ones brought back (an id `previous` lacks) keep theirs, removed ones
/// go, and unchanged links are not touched.
pub(super) fn write_links(
    conn: &Connection,
    task: &mut Task,
    previous: Option<&Task>,
) -> rusqlite::Result<()> {
    let old_depends = previous.map_or(&[][..], |p| &p.depends);
    if task.depends != old_depends {
        if !old_depends.is_empty() {
            conn.prepare_cached("DELETE FROM task_depends WHERE task_id = ?1")?
                .execute([task.id])?;
        }
        let mut insert = conn.prepare_cached(
            "INSERT OR IGNORE INTO task_depends (task_id, depends_on) VALUES (?1, ?2)",
        )?;
        for on in &task.depends {
            insert.execute([task.id, *on])?;
        }
    }
    let old_notes = previous.map_or(&[][..], |p| &p.annotations);
    for gone in old_notes
        .iter()
        .filter(|old| !task.annotations.iter().any(|a| a.id == old.id))
    {
        conn.prepare_cached("DELETE FROM annotations WHERE id = ?1 AND task_id = ?2")?
            .execute([gone.id, task.id])?;
    }
    let mut insert = conn.prepare_cached(
        "INSERT INTO annotations (id, task_id, entry, text) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for annotation in task
        .annotations
        .iter_mut()
        .filter(|a| a.id == 0 || !old_notes.iter().any(|old| old.id == a.id))
    {
        // NULL: the next id.
        let id = (annotation.id != 0).then_some(annotation.id);
        insert.execute(params![
            id,
            task.id,
            micros(annotation.entry),
            annotation.text
        ])?;
        annotation.id = conn.last_insert_rowid();
    }
    Ok(())
}

/// Inserts `task`'s row and its tags, giving it its id unless it has one
/// (a task brought back from the trash), and a number if it is pending
/// without one; its links are [`write_links`]'s.
pub(super) fn insert_row(conn: &Connection, user_id: i64, task: &mut Task) -> rusqlite::Result<()> {
    task.number = number_for(conn, user_id, task)?;
    let tags = serde_json::to_string(&task.tags).map_err(conversion_error)?;
    let udas = serde_json::to_string(&task.udas).map_err(conversion_error)?;
    conn.prepare_cached(
"INSERT INTO tasks (user_id, title, description, status, priority, due, project, \
         tags, created_at, updated_at, completed_at, version, uuid, number, start, wait, \
         scheduled, until, udas, id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
    )?
    .execute(params![
        user_id,
        task.title,
        task.description,
        task.status.as_str(),
        task.priority.map(priority_number),
        task.due.map(micros),
        task.project,
        tags,
        micros(task.created_at),
        micros(task.updated_at),
        task.completed_at.map(micros),
        task.version,
        task.uuid,
        task.number,
        task.start.map(micros),
        task.wait.map(micros),
        task.scheduled.map(micros),
        task.until.map(micros),
        udas,
        (task.id != 0).then_some(task.id),
    ])?;
    task.id = conn.last_insert_rowid();
    // Counted from the values just bound, not read back from the row.
    let chars = tally::length(&task.title)
        + tally::length(&task.description)
        + task.project.as_deref().map_or(0, tally::length)
        + tally::length(&tags)
        + tally::length(&udas);
    tally::add(
        conn,
        user_id,
        Added {
            tasks: 1,
            numbered: i64::from(task.number.is_some()),
            chars,
        },
    )?;
    // A new row has no tags to remove.
    insert_tags(conn, user_id, task.id, &task.tags)
}

/// Writes `task`'s row (and its tags, if they changed) in place of
/// `current`'s, only if the stored version is still `current.version`.
pub(super) fn update_row(
    conn: &Connection,
    user_id: i64,
    task: &mut Task,
    current: &Task,
) -> rusqlite::Result<bool> {
    task.number = number_for(conn, user_id, task)?;
    // Only the columns that change are set: SQLite rewrites the entries of
    // every index on a column that an UPDATE sets, changed or not, and a
    // patch of a title would otherwise rewrite four index entries, each
    // on a page of its own, with every page written to the WAL.
    let mut update = ChangedColumns::new(task, user_id, current.version);
    let micros_of = |instant: Option<DateTime<Utc>>| instant.map(micros);
    if task.title != current.title {
        update.set("title", task.title.clone());
    }
    if task.description != current.description {
        update.set("description", task.description.clone());
    }
    if task.status != current.status {
        update.set("status", task.status.as_str().to_string());
    }
    if task.priority != current.priority {
        update.set("priority", task.priority.map(priority_number));
    }
    if task.project != current.project {
        update.set("project", task.project.clone());
    }
    if task.tags != current.tags {
        let tags = serde_json::to_string(&task.tags).map_err(conversion_error)?;
        update.set("tags", tags);
    }
    if task.udas != current.udas {
        let udas = serde_json::to_string(&task.udas).map_err(conversion_error)?;
        update.set("udas", udas);
    }
    if task.number != current.number {
        update.set("number", task.number);
    }
    for (column, new, old) in [
        ("due", task.due, current.due),
        ("completed_at", task.completed_at, current.completed_at),
        ("start", task.start, current.start),
        ("wait", task.wait, current.wait),
        ("scheduled", task.scheduled, current.scheduled),
        ("until", task.until, current.until),
    ] {
        if micros_of(new) != micros_of(old) {
            update.set(column, micros_of(new));
        }
    }
    if micros(task.created_at) != micros(current.created_at) {
        update.set("created_at", micros(task.created_at));
    }
    let text_changed = task.title != current.title
        || task.description != current.description
        || task.project != current.project
        || task.tags != current.tags
        || task.udas != current.udas;
    let text_before = if text_changed {
        tally::text_of(conn, task.id)?
    } else {
        0
    };
    let Some(text_after) = update.run(conn, text_changed)? else {
        return Ok(false);
    };
    tally::add(
        conn,
        user_id,
        Added {
            tasks: 0,
            numbered: i64::from(task.number.is_some()) - i64::from(current.number.is_some()),
            chars: text_after - text_before,
        },
    )?;
    if task.tags != current.tags {
        replace_tags(conn, user_id, task.id, &task.tags)?;
    }
    Ok(true)
}

/// An UPDATE of one task row that sets its new version and time and the
/// columns named; the column names are ours, the values bound.
struct ChangedColumns {
    sql: String,
    values: Vec<Value>,
}

impl ChangedColumns {
    /// Updates `task`'s row if its stored version is still `version`.
    fn new(task: &Task, user_id: i64, version: i64) -> ChangedColumns {
        ChangedColumns {
            sql: "UPDATE tasks SET updated_at = ?5, version = ?4".into(),
            values: vec![
                task.id.into(),
                user_id.into(),
                version.into(),
                task.version.into(),
                micros(task.updated_at).into(),
            ],
        }
    }

    fn set(&mut self, column: &'static str, value: impl Into<Value>) {
        self.values.push(value.into());
        self.sql
            .push_str(&format!(", {column} = ?{}", self.values.len()));
    }

    /// `None` when the version moved on meanwhile; otherwise the row's
    /// characters of text as the tallies count them if `text`, else 0
    /// (from the statement itself, which spares reading the row again).
    fn run(mut self, conn: &Connection, text: bool) -> rusqlite::Result<Option<i64>> {
        self.sql
            .push_str(" WHERE id = ?1 AND user_id = ?2 AND version = ?3 RETURNING ");
        self.sql.push_str(if text { tally::TEXT } else { "0" });
        conn.prepare_cached(&self.sql)?
            .query_row(params_from_iter(self.values), |row| row.get(0))
            .optional()
    }
}

fn replace_tags(
    conn: &Connection,
    user_id: i64,
    task_id: i64,
    tags: &[String],
) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM task_tags WHERE task_id = ?1")?
        .execute([task_id])?;
    insert_tags(conn, user_id, task_id, tags)
}

fn insert_tags(
    conn: &Connection,
    user_id: i64,
    task_id: i64,
    tags: &[String],
) -> rusqlite::Result<()> {
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO task_tags (user_id, tag, task_id) VALUES (?1, ?2, ?3)",
    )?;
    for tag in tags {
        insert.execute(params![user_id, tag, task_id])?;
    }
    Ok(())
}
