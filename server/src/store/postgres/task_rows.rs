//! A task's rows as a write leaves them: the task itself, its tags,
//! dependencies and notes, and the number it is given.

use std::sync::LazyLock;

use common::api::{Status, Task};

use super::cached::Cached;
use crate::store::sql::{lowest_free_number, priority_number, BLOCKED, BLOCKING};

const INSERT_NOTE: &str = "INSERT INTO annotations (id, task_id, entry, text) \
     VALUES (coalesce($1, nextval(pg_get_serial_sequence('annotations', 'id'))), $2, $3, $4) \
     RETURNING id";

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
                INSERT_NOTE,
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

/// Whether `task` is given the lowest free number as it is written: it is
/// pending without one.
pub(super) fn needs_number(task: &Task) -> bool {
    task.status == Status::Pending && task.number.is_none()
}

/// Takes the user's lock on numbers, held until the transaction ends, so
/// that two daemons never give out the same one. A statement of its own,
/// before the writes that give numbers: each statement reads the tasks as
/// they stand when it begins.
pub(super) async fn lock_numbers(
    tx: &deadpool_postgres::Transaction<'_>,
    user_id: i64,
) -> Result<(), tokio_postgres::Error> {
    tx.execute_cached(
        "SELECT pg_advisory_xact_lock($1, hashtext($2::bigint::text))",
        &[&NUMBER_LOCKS, &user_id],
    )
    .await
    .map(drop)
}

/// The number a written row is stored with, in the statement that writes
/// it (`$user`, `$status` and `$number` its parameters): its own, or, for
/// a pending task without one, the lowest free, counting what a set has
/// put aside (`taskd_deferred`). Found in the write itself, a write waits
/// for no answer before it is sent, so a set's writes can go out one after
/// another without waiting.
macro_rules! number_given {
    ($user:literal, $status:literal, $number:literal) => {
        concat!(
            "COALESCE(",
            $number,
            ", CASE WHEN ",
            $status,
            " = 'pending' THEN (",
            lowest_free_number!($user, "(u.numbered + taskd_deferred('numbered_added'))"),
            ") END)"
        )
    };
}

const INSERT_ROW: &str = concat!(
    "INSERT INTO tasks (user_id, title, description, status, priority, due, \
     project, tags, created_at, updated_at, completed_at, version, uuid, \
     number, start, wait, scheduled, until, udas, id) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, ",
    number_given!("$1", "$4::text", "$14::bigint"),
    ", $15, $16, $17, $18, $19, \
     coalesce($20, nextval(pg_get_serial_sequence('tasks', 'id')))) RETURNING id, number"
);

/// Prepares the statements that write task rows on `tx`'s connection, if
/// they are not yet, before a run of writes sent without waiting: a write
/// whose statement had first to be prepared would wait for that while the
/// writes after it, whose statements were, went ahead, and numbers are
/// given in the order rows are written.
pub(super) async fn prepare_writes(
    tx: &deadpool_postgres::Transaction<'_>,
) -> Result<(), tokio_postgres::Error> {
    tx.prepare_cached(INSERT_ROW).await?;
    tx.prepare_cached(&UPDATE_ROW).await?;
    tx.prepare_cached(&UPDATE_ROW_NUMBERED).await?;
    // Not for their order (a note keeps its id, or draws one in any order)
    // but so that each note of a run does not prepare it again.
    tx.prepare_cached(INSERT_NOTE).await?;
    Ok(())
}

/// Inserts `task`'s row, giving it its id (and a number if it is pending
/// without one); its links are [`write_links`]'s.
pub(super) async fn insert_row(
    tx: &deadpool_postgres::Transaction<'_>,
    user_id: i64,
    task: &mut Task,
) -> Result<(), tokio_postgres::Error> {
    if needs_number(task) {
        lock_numbers(tx, user_id).await?;
    }
    insert_locked(tx, user_id, task).await
}

/// [`insert_row`], the caller holding the lock on numbers if `task`
/// [`needs_number`].
pub(super) async fn insert_locked(
    tx: &deadpool_postgres::Transaction<'_>,
    user_id: i64,
    task: &mut Task,
) -> Result<(), tokio_postgres::Error> {
    let priority = task.priority.map(priority_number);
    let udas = serde_json::to_string(&task.udas).unwrap_or_else(|_| "{}".into());
    let row = tx
        .query_one_cached(
            INSERT_ROW,
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
                &task.number,
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
    task.number = row.get(1);
    Ok(())
}

/// The `UPDATE` of a task row, its number given by `number`.
fn update_sql(number: &str) -> String {
    format!(
        "UPDATE tasks t SET title = $1, description = $2, status = $3, priority = $4, \
         due = $5, project = $6, tags = $7, updated_at = $8, completed_at = $9, \
         version = $10, number = {number}, start = $12, wait = $13, scheduled = $14, \
         until = $15, udas = $16, created_at = $17 \
         WHERE id = $18 AND user_id = $19 AND version = $20 \
         RETURNING {BLOCKED}, {BLOCKING}, \
             ARRAY(SELECT d.depends_on FROM task_depends d WHERE d.task_id = t.id \
                   ORDER BY d.depends_on), t.number"
    )
}

/// A row keeping the number it is given (or none). Apart from the one below,
/// whose bigger plan cost a bulk done of 10,000 tasks a tenth more.
static UPDATE_ROW: LazyLock<String> = LazyLock::new(|| update_sql("$11"));

/// A row that [`needs_number`].
static UPDATE_ROW_NUMBERED: LazyLock<String> =
    LazyLock::new(|| update_sql(number_given!("$19", "$3::text", "$11::bigint")));

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
    if needs_number(task) {
        lock_numbers(tx, user_id).await?;
    }
    update_locked(tx, user_id, task, current).await
}

/// [`update_row`], the caller holding the lock on numbers if `task`
/// [`needs_number`].
pub(super) async fn update_locked(
    tx: &deadpool_postgres::Transaction<'_>,
    user_id: i64,
    task: &mut Task,
    current: &Task,
) -> Result<Option<Found>, tokio_postgres::Error> {
    let priority = task.priority.map(priority_number);
    let udas = serde_json::to_string(&task.udas).unwrap_or_else(|_| "{}".into());
    let changed = tx
        .query_opt_cached(
            if needs_number(task) {
                &UPDATE_ROW_NUMBERED
            } else {
                &UPDATE_ROW
            },
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
                &task.number,
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
    Ok(changed.map(|row| {
        task.number = row.get(3);
        Found {
            blocked: row.get(0),
            blocking: row.get(1),
            depends: row.get(2),
        }
    }))
}
