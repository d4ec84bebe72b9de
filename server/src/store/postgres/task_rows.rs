//! A task's rows as a write leaves them: the task itself, its tags,
//! dependencies and notes, and the number it is given.

use std::sync::LazyLock;

use common::api::{Status, Task};

use super::cached::Cached;
use crate::store::sql::{priority_number, BLOCKED, BLOCKING, LOWEST_FREE_NUMBER_DEFERRED};

/// Stores `task`'s dependencies and annotations where they differ from
/// `previous`'s (`None` for a new task): new annotations (id 0) get their
/// ids, removed ones go, and unchanged links are not touched.
pub(super) async fn write_links(
    tx: &deadpool_postgres::Transaction<'_>,
    task: &mut Task,
    previous: Option<&Task>,
) -> Result<(), tokio_postgres::Error> {
    let old_depends = previous.map_or(&[][..], |p| &p.depends);
    if task.depends != old_depends {
        if !old_depends.is_empty() {
            tx.execute_cached("DELETE FROM task_depends WHERE task_id = $1", &[&task.id])
                .await?;
        }
        if !task.depends.is_empty() {
            tx.execute_cached(
                "INSERT INTO task_depends (task_id, depends_on) SELECT $1, unnest($2::bigint[]) \
                 ON CONFLICT DO NOTHING",
                &[&task.id, &task.depends],
            )
            .await?;
        }
    }
    let gone: Vec<i64> = previous
        .map_or(&[][..], |p| &p.annotations)
        .iter()
        .filter(|old| !task.annotations.iter().any(|a| a.id == old.id))
        .map(|old| old.id)
        .collect();
    if !gone.is_empty() {
        tx.execute_cached(
            "DELETE FROM annotations WHERE task_id = $1 AND id = ANY($2)",
            &[&task.id, &gone],
        )
        .await?;
    }
    let old_notes = previous.map_or(&[][..], |p| &p.annotations);
    for annotation in task
        .annotations
        .iter_mut()
        .filter(|a| a.id == 0 || !old_notes.iter().any(|old| old.id == a.id))
    {
        // Null: the next id; a note brought back keeps its own.
        let id = (annotation.id != 0).then_some(annotation.id);
        annotation.id = tx
            .query_one_cached(
                "INSERT INTO annotations (id, task_id, entry, text) \
                 VALUES (coalesce($1, nextval(pg_get_serial_sequence('annotations', 'id'))), $2, $3, $4) \
                 RETURNING id",
                &[&id, &task.id, &annotation.entry, &annotation.text],
            )
            .await?
            .get(0);
    }
    Ok(())
}

/// Has `tx`'s writes to `user_id`'s tasks and notes put their changes to
/// the account's tallies aside, for [`settle_tallies`] to make in one
/// update: a set of thousands of writes moved them thousands of times, and
/// each further move of a row moved that often in one transaction walks
/// every version before it.
pub(super) async fn defer_tallies(
    tx: &deadpool_postgres::Transaction<'_>,
    user_id: i64,
) -> Result<(), tokio_postgres::Error> {
    tx.execute_cached(
        "SELECT set_config('taskd.tallies', $1::bigint::text, true)",
        &[&user_id],
    )
    .await
    .map(drop)
}

/// Moves the tallies by what [`defer_tallies`] put aside, checking the
/// account's quotas, and counts the rest of `tx`'s writes row by row again.
pub(super) async fn settle_tallies(
    tx: &deadpool_postgres::Transaction<'_>,
    user_id: i64,
) -> Result<(), tokio_postgres::Error> {
    tx.execute_cached("SELECT taskd_settle($1)", &[&user_id])
        .await
        .map(drop)
}

/// The advisory locks, one per user, under which numbers are given out.
const NUMBER_LOCKS: i32 = 0x7461_736c;

/// The number `task` is stored with: a pending task without one gets the
/// lowest free, under the user's lock, so that two daemons never give out
/// the same one.
async fn number_for(
    tx: &deadpool_postgres::Transaction<'_>,
    user_id: i64,
    task: &Task,
) -> Result<Option<i64>, tokio_postgres::Error> {
    if task.status != Status::Pending || task.number.is_some() {
        return Ok(task.number);
    }
    tx.execute_cached(
        "SELECT pg_advisory_xact_lock($1, hashtext($2::bigint::text))",
        &[&NUMBER_LOCKS, &user_id],
    )
    .await?;
    Ok(tx
        .query_one_cached(LOWEST_FREE_NUMBER_DEFERRED, &[&user_id])
        .await?
        .get(0))
}

/// Inserts `task`'s row, giving it its id (and a number if it is pending
/// without one); its links are [`write_links`]'s.
pub(super) async fn insert_row(
    tx: &deadpool_postgres::Transaction<'_>,
    user_id: i64,
    task: &mut Task,
) -> Result<(), tokio_postgres::Error> {
    let number = number_for(tx, user_id, task).await?;
    let priority = task.priority.map(priority_number);
    let udas = serde_json::to_string(&task.udas).unwrap_or_else(|_| "{}".into());
    let row = tx
        .query_one_cached(
            "INSERT INTO tasks (user_id, title, description, status, priority, due, \
     project, tags, created_at, updated_at, completed_at, version, uuid, \
     number, start, wait, scheduled, until, udas, id) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
     $15, $16, $17, $18, $19, \
     coalesce($20, nextval(pg_get_serial_sequence('tasks', 'id')))) RETURNING id",
            &[
                &user_id,
                &task.title,
                &task.description,
                &task.status.as_str(),
                &priority,
                &task.due,
                &task.project,
                &task.tags,
                &task.created_at,
                &task.updated_at,
                &task.completed_at,
                &task.version,
                &task.uuid,
                &number,
                &task.start,
                &task.wait,
                &task.scheduled,
                &task.until,
                &udas,
                &(task.id != 0).then_some(task.id),
            ],
        )
        .await?;
    task.id = row.get(0);
    task.number = number;
    Ok(())
}

static UPDATE_ROW: LazyLock<String> = LazyLock::new(|| {
    format!(
        "UPDATE tasks t SET title = $1, description = $2, status = $3, priority = $4, \
         due = $5, project = $6, tags = $7, updated_at = $8, completed_at = $9, \
         version = $10, number = $11, start = $12, wait = $13, scheduled = $14, \
         until = $15, udas = $16, created_at = $17 \
         WHERE id = $18 AND user_id = $19 AND version = $20 \
         RETURNING {BLOCKED}, {BLOCKING}, \
             ARRAY(SELECT d.depends_on FROM task_depends d WHERE d.task_id = t.id \
                   ORDER BY d.depends_on)"
    )
});

/// What `update_row` found of a task it wrote, before its links were
/// written: whether it is blocked and whether it blocks others, and the
/// dependencies stored for it (which a task deleted, or brought back, by
/// another write changes without moving this task's version).
pub(super) struct Found {
    pub blocked: bool,
    pub blocking: bool,
    pub depends: Vec<i64>,
}

/// Writes `task`'s row in place of `current`'s, only if the stored version
/// is still `current.version`; if it did, what it [`Found`].
pub(super) async fn update_row(
    tx: &deadpool_postgres::Transaction<'_>,
    user_id: i64,
    task: &mut Task,
    current: &Task,
) -> Result<Option<Found>, tokio_postgres::Error> {
    let number = number_for(tx, user_id, task).await?;
    let priority = task.priority.map(priority_number);
    let udas = serde_json::to_string(&task.udas).unwrap_or_else(|_| "{}".into());
    let changed = tx
        .query_opt_cached(
            &UPDATE_ROW,
            &[
                &task.title,
                &task.description,
                &task.status.as_str(),
                &priority,
                &task.due,
                &task.project,
                &task.tags,
                &task.updated_at,
                &task.completed_at,
                &task.version,
                &number,
                &task.start,
                &task.wait,
                &task.scheduled,
                &task.until,
                &udas,
                &task.created_at,
                &task.id,
                &user_id,
                &current.version,
            ],
        )
        .await?;
    task.number = number;
    Ok(changed.map(|row| Found {
        blocked: row.get(0),
        blocking: row.get(1),
        depends: row.get(2),
    }))
}
