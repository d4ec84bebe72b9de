//! Tasks in SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use common::api::{Annotation, Status, Task, UdaValue};
use rusqlite::{params, params_from_iter, types::Value, Connection, OptionalExtension, Row};

use super::{
    changes::Recorder,
    conversion_error, instant, micros,
    tally::{self, Added},
    trash, SqliteStore,
};
use crate::{
    store::{
        changes::Wake,
        sql::{
            self, flag_conditions, priority_from_number, priority_number, BLOCKED,
            LOWEST_FREE_NUMBER, TASK_ROW,
        },
        Edited, Facet, ImportWrite, StoreError, StoreResult, TaskEdit, TaskPage, TaskStore,
    },
    task_query::{OrderField, TaskFilter},
};

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

/// A column of JSON text: most tasks' tags and attributes are `empty`,
/// told apart without a parse.
fn json_column<T>(row: &Row<'_>, index: usize, empty: &str) -> rusqlite::Result<T>
where
    T: Default + serde::de::DeserializeOwned,
{
    match row.get_ref(index)?.as_str()? {
        text if text == empty => Ok(T::default()),
        text => serde_json::from_str(text).map_err(conversion_error),
    }
}

fn task_from_row(row: &Row<'_>) -> rusqlite::Result<Task> {
    let status = Status::parse(row.get_ref(3)?.as_str()?).unwrap_or(Status::Pending);
    Ok(Task {
        id: row.get(0)?,
        title: row.get(1)?,
        description: row.get(2)?,
        status,
        priority: priority_from_number(row.get(4)?),
        due: row.get::<_, Option<i64>>(5)?.map(instant),
        project: row.get(6)?,
        tags: json_column(row, 7, "[]")?,
        created_at: instant(row.get(8)?),
        updated_at: instant(row.get(9)?),
        completed_at: row.get::<_, Option<i64>>(10)?.map(instant),
        version: row.get(11)?,
        uuid: row.get(12)?,
        number: row.get(13)?,
        start: row.get::<_, Option<i64>>(14)?.map(instant),
        wait: row.get::<_, Option<i64>>(15)?.map(instant),
        scheduled: row.get::<_, Option<i64>>(16)?.map(instant),
        until: row.get::<_, Option<i64>>(17)?.map(instant),
        udas: json_column(row, 18, "{}")?,
        // Found for the lot by `attach`.
        ..Task::default()
    })
}

/// Fills in the annotations and dependencies of `tasks`, kept in tables of
/// their own, and whether each is blocked or blocking, with one query each
/// for the lot.
fn attach(conn: &Connection, tasks: &mut [Task]) -> rusqlite::Result<()> {
    attach_texts(conn, tasks, true)
}

/// [`attach`], with the notes' texts left empty unless `texts`.
fn attach_texts(conn: &Connection, tasks: &mut [Task], texts: bool) -> rusqlite::Result<()> {
    // One task's links are found by its key; more tasks', by a JSON list of
    // their ids, one statement for the lot.
    let (key, which, position) = match &*tasks {
        [] => return Ok(()),
        [one] => (
            Value::Integer(one.id),
            "= ?1",
            std::collections::HashMap::from([(one.id, 0)]),
        ),
        many => (
            Value::Text(
                serde_json::to_string(&many.iter().map(|t| t.id).collect::<Vec<_>>())
                    .map_err(conversion_error)?,
            ),
            "IN (SELECT value FROM json_each(?1))",
            many.iter().enumerate().map(|(n, t)| (t.id, n)).collect(),
        ),
    };
    let text = if texts { "text" } else { "''" };
    let mut annotations = conn.prepare_cached(&format!(
        "SELECT task_id, id, entry, {text} FROM annotations \
         WHERE task_id {which} ORDER BY task_id, id"
    ))?;
    let mut rows = annotations.query([&key])?;
    while let Some(row) = rows.next()? {
        if let Some(&n) = position.get(&row.get::<_, i64>(0)?) {
            tasks[n].annotations.push(Annotation {
                id: row.get(1)?,
                entry: instant(row.get(2)?),
                text: row.get(3)?,
            });
        }
    }
    // Blocked: some task it depends on is pending.
    let mut depends = conn.prepare_cached(&format!(
        "SELECT d.task_id, d.depends_on, p.status = 'pending' FROM task_depends d \
         JOIN tasks p ON p.id = d.depends_on \
         WHERE d.task_id {which} ORDER BY d.task_id, d.depends_on"
    ))?;
    let mut rows = depends.query([&key])?;
    while let Some(row) = rows.next()? {
        if let Some(&n) = position.get(&row.get::<_, i64>(0)?) {
            tasks[n].depends.push(row.get(1)?);
            tasks[n].blocked |= row.get::<_, bool>(2)?;
        }
    }
    // Blocking: pending, and some pending task depends on it.
    let mut blocking = conn.prepare_cached(&format!(
        "SELECT DISTINCT d.depends_on FROM task_depends d JOIN tasks c ON c.id = d.task_id \
         WHERE d.depends_on {which} AND c.status = 'pending'"
    ))?;
    let mut rows = blocking.query([&key])?;
    while let Some(row) = rows.next()? {
        if let Some(&n) = position.get(&row.get::<_, i64>(0)?) {
            tasks[n].blocking = tasks[n].status == Status::Pending;
        }
    }
    Ok(())
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

pub(super) fn select_task(
    conn: &Connection,
    user_id: i64,
    task_id: i64,
) -> rusqlite::Result<Option<Task>> {
    let task = conn
        .prepare_cached(&format!(
            "SELECT {TASK_ROW} FROM tasks t WHERE t.id = ?1 AND t.user_id = ?2"
        ))?
        .query_row(params![task_id, user_id], task_from_row)
        .optional()?;
    let mut tasks: Vec<Task> = task.into_iter().collect();
    attach(conn, &mut tasks)?;
    Ok(tasks.pop())
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

/// The WHERE clause of a filter that keeps every task of the account.
const OWN_TASKS: &str = "t.user_id = ?";

/// The WHERE clause and its bound values for `filter`; user input is only
/// ever bound, never formatted into the SQL.
fn where_clause(user_id: i64, filter: &TaskFilter) -> (String, Vec<Value>) {
    let mut sql = String::from(OWN_TASKS);
    let mut values = vec![Value::Integer(user_id)];
    if let Some(status) = filter.query.only_status() {
        sql.push_str(" AND t.status = ?");
        values.push(Value::Text(status.as_str().into()));
    }
    if let Some(priority) = filter.query.priority {
        sql.push_str(" AND t.priority = ?");
        values.push(Value::Integer(priority_number(priority).into()));
    }
    if let Some(project) = &filter.query.project {
        let prefix = format!("{project}.");
        sql.push_str(" AND (t.project = ? OR substr(t.project, 1, ?) = ?)");
        values.push(Value::Text(project.clone()));
        values.push(Value::Integer(prefix.chars().count() as i64));
        values.push(Value::Text(prefix));
    }
    for tag in &filter.query.tags {
        // A set built once from the (user_id, tag) index: cheaper than a
        // correlated lookup per task.
        sql.push_str(
            " AND t.id IN (SELECT g.task_id FROM task_tags g WHERE g.user_id = ? AND g.tag = ?)",
        );
        values.push(Value::Integer(user_id));
        values.push(Value::Text(tag.clone()));
    }
    for tag in &filter.query.exclude_tags {
        sql.push_str(
            " AND t.id NOT IN (SELECT g.task_id FROM task_tags g WHERE g.user_id = ? AND g.tag = ?)",
        );
        values.push(Value::Integer(user_id));
        values.push(Value::Text(tag.clone()));
    }
    if let Some(search) = &filter.query.search {
        sql.push_str(" AND (contains_ci(t.title, ?) OR contains_ci(t.description, ?))");
        let needle = search.to_lowercase();
        values.push(Value::Text(needle.clone()));
        values.push(Value::Text(needle));
    }
    for (column, bound, before) in [
        ("t.due", filter.query.due_before, true),
        ("t.due", filter.query.due_after, false),
        ("t.scheduled", filter.query.scheduled_before, true),
        ("t.scheduled", filter.query.scheduled_after, false),
    ] {
        if let Some(bound) = bound {
            sql.push_str(&format!(
                " AND {column} {} ?",
                if before { "<" } else { ">" }
            ));
            values.push(Value::Integer(micros(bound)));
        }
    }
    match filter.query.waiting {
        Some(true) => {
            sql.push_str(" AND t.wait > ?");
            values.push(Value::Integer(micros(filter.now)));
        }
        Some(false) => {
            sql.push_str(" AND (t.wait IS NULL OR t.wait <= ?)");
            values.push(Value::Integer(micros(filter.now)));
        }
        None => {}
    }
    sql.push_str(&flag_conditions(filter));
    if let Some(ready) = filter.query.ready {
        sql.push_str(&format!(
            " AND {}(t.status = 'pending' AND (t.wait IS NULL OR t.wait <= ?) \
             AND (t.scheduled IS NULL OR t.scheduled <= ?) AND NOT {BLOCKED})",
            if ready { "" } else { "NOT " }
        ));
        values.push(Value::Integer(micros(filter.now)));
        values.push(Value::Integer(micros(filter.now)));
    }
    if let Some(uuid) = &filter.query.uuid {
        // A prefix of hex digits and dashes only (checked when parsed), so
        // it holds no LIKE wildcard.
        sql.push_str(" AND t.uuid LIKE ?");
        values.push(Value::Text(format!("{uuid}%")));
    }
    if let Some(number) = filter.query.number {
        sql.push_str(" AND t.number = ?");
        values.push(Value::Integer(number));
    }
    if let Some(id) = filter.query.depends_on {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM task_depends d WHERE d.task_id = t.id AND d.depends_on = ?)",
        );
        values.push(Value::Integer(id));
    }
    for (name, value) in &filter.query.udas {
        let path = Value::Text(format!("$.\"{name}\""));
        sql.push_str(" AND (CAST(json_extract(t.udas, ?) AS TEXT) = ?");
        values.push(path.clone());
        values.push(Value::Text(value.clone()));
        // A number matches the numbers equal to it, however written.
        let number = match UdaValue::number_in(value) {
            Some(UdaValue::Integer(n)) => Some(Value::Integer(n)),
            Some(UdaValue::Number(n)) => Some(Value::Real(n)),
            _ => None,
        };
        if let Some(number) = number {
            sql.push_str(
                " OR (json_type(t.udas, ?) IN ('integer', 'real') AND json_extract(t.udas, ?) = ?)",
            );
            values.extend([path.clone(), path, number]);
        }
        sql.push(')');
    }
    (sql, values)
}

/// Tasks without a value come last in both directions.
fn nulls_last(parts: &mut Vec<String>, column: &'static str) -> &'static str {
    parts.push(format!("{column} IS NULL"));
    column
}

fn order_clause(filter: &TaskFilter) -> String {
    let mut parts = Vec::new();
    let mut has_id = false;
    for key in &filter.query.ordering {
        let direction = if key.descending { "DESC" } else { "ASC" };
        let column = match key.field {
            OrderField::Id => {
                has_id = true;
                "t.id"
            }
            OrderField::Title => "t.title COLLATE NOCASE",
            OrderField::Status => "t.status",
            OrderField::CreatedAt => "t.created_at",
            OrderField::UpdatedAt => "t.updated_at",
            OrderField::CompletedAt => nulls_last(&mut parts, "t.completed_at"),
            OrderField::Priority => nulls_last(&mut parts, "t.priority"),
            OrderField::Due => nulls_last(&mut parts, "t.due"),
            OrderField::Start => nulls_last(&mut parts, "t.start"),
            OrderField::Wait => nulls_last(&mut parts, "t.wait"),
            OrderField::Scheduled => nulls_last(&mut parts, "t.scheduled"),
            OrderField::Until => nulls_last(&mut parts, "t.until"),
            // Known once read: ordered by the caller.
            OrderField::Urgency => continue,
        };
        parts.push(format!("{column} {direction}"));
    }
    // A total order, so that pages neither repeat nor skip tasks.
    if !has_id {
        parts.push("t.id ASC".into());
    }
    parts.join(", ")
}

#[async_trait]
impl TaskStore for SqliteStore {
    async fn list_tasks(&self, user_id: i64, filter: TaskFilter) -> StoreResult<TaskPage> {
        self.read(move |conn| {
            let (condition, values) = where_clause(user_id, &filter);
            // One snapshot for the page and the count, so they agree.
            let tx = conn.transaction()?;
            let window = [
                Value::Integer(i64::from(filter.page.limit)),
                Value::Integer(filter.page.offset.min(i64::MAX as u64) as i64),
            ];
            let mut statement = tx.prepare_cached(&format!(
                "SELECT {} FROM tasks t WHERE {condition} ORDER BY {} LIMIT ? OFFSET ?",
                sql::light_columns(TASK_ROW, filter.light),
                order_clause(&filter)
            ))?;
            let mut rows = statement.query(params_from_iter(values.iter().chain(&window)))?;
            let mut tasks = Vec::new();
            let mut weight = 0;
            let mut cut = false;
            while let Some(row) = rows.next()? {
                let task = task_from_row(row)?;
                weight += sql::weight(&task);
                tasks.push(task);
                if sql::full(weight, filter.budget) {
                    cut = true;
                    break;
                }
            }
            drop(rows);
            drop(statement);
            let count = match sql::count_from_page(filter.page, tasks.len(), cut) {
                Some(count) => count,
                // Every task of the account: the tally its writes keep.
                None if condition == OWN_TASKS => tx
                    .prepare_cached("SELECT task_count FROM users WHERE id = ?1")?
                    .query_row([user_id], |row| row.get(0))?,
                None => tx
                    .prepare_cached(&format!("SELECT COUNT(*) FROM tasks t WHERE {condition}"))?
                    .query_row(params_from_iter(values.iter()), |row| row.get(0))?,
            };
            attach_texts(&tx, &mut tasks, !filter.light)?;
            tx.finish()?;
            Ok(TaskPage { count, tasks })
        })
        .await
    }

    async fn insert_task(&self, user_id: i64, task: Task) -> StoreResult<Task> {
        let task = self
            .write_tasks_of_repeatable(user_id, move |conn| {
                let mut task = task.clone();
                let id_picked = task.id == 0;
                insert_row(conn, user_id, &mut task)?;
                write_links(conn, &mut task, None)?;
                Recorder::new(conn, user_id).inserted(task, id_picked)
            })
            .await?;
        self.wakeups.send(Wake::Tasks(user_id));
        Ok(task)
    }

    async fn get_task(&self, user_id: i64, task_id: i64) -> StoreResult<Option<Task>> {
        // Not `read_key`: measured there, on the async worker, it served
        // fewer reads with a longer tail (bench/README.md).
        self.read(move |conn| {
            // One snapshot for the row, its notes and its dependencies; it
            // also takes the WAL's read lock once rather than per statement.
            let tx = conn.transaction()?;
            let task = select_task(&tx, user_id, task_id)?;
            tx.finish()?;
            Ok(task)
        })
        .await
    }

    async fn replace_task(
        &self,
        user_id: i64,
        task: Task,
        current: Task,
    ) -> StoreResult<Option<Task>> {
        let written = self
            .write_tasks_of_repeatable(user_id, move |conn| {
                let mut task = task.clone();
                if !update_row(conn, user_id, &mut task, &current)? {
                    return Ok(None);
                }
                write_links(conn, &mut task, Some(&current))?;
                Recorder::new(conn, user_id)
                    .written(task.id, Some(&current))
                    .map(Some)
            })
            .await?;
        if written.is_some() {
            self.wakeups.send(Wake::Tasks(user_id));
        }
        Ok(written)
    }

    async fn edit_task(&self, user_id: i64, task_id: i64, edit: TaskEdit) -> StoreResult<Edited> {
        // Read on the writer, in the write's transaction: no other write
        // can come between, and the request waits on one thread, not two.
        let edited = self
            .write_tasks_of_repeatable(user_id, move |conn| {
                let Some(current) = select_task(conn, user_id, task_id)? else {
                    return Ok(Edited::Missing);
                };
                let Some(mut task) = edit(&current) else {
                    return Ok(Edited::Declined(current));
                };
                if !update_row(conn, user_id, &mut task, &current)? {
                    return Ok(Edited::Raced);
                }
                write_links(conn, &mut task, Some(&current))?;
                Recorder::new(conn, user_id)
                    .replaced(task, &current)
                    .map(Edited::Written)
            })
            .await?;
        if matches!(edited, Edited::Written(_)) {
            self.wakeups.send(Wake::Tasks(user_id));
        }
        Ok(edited)
    }

    async fn tasks_by_uuid(&self, user_id: i64, uuids: Vec<String>) -> StoreResult<Vec<Task>> {
        let uuids =
            serde_json::to_string(&uuids).map_err(|err| StoreError::Internal(err.into()))?;
        self.read(move |conn| {
            // The rows and what is attached to them from one snapshot.
            let tx = conn.transaction()?;
            let mut tasks = tx
                .prepare_cached(&format!(
                    "SELECT {TASK_ROW} FROM tasks t WHERE t.user_id = ?1 \
                     AND t.uuid IN (SELECT value FROM json_each(?2))"
                ))?
                .query_map(params![user_id, uuids], task_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            attach(&tx, &mut tasks)?;
            tx.finish()?;
            Ok(tasks)
        })
        .await
    }

    async fn import_tasks(&self, user_id: i64, writes: Vec<ImportWrite>) -> StoreResult<bool> {
        let written = self
            .write_tasks_of(user_id, move |conn| {
                // The writer runs one write at a time: what is checked here still
                // holds when the rows are written below.
                for write in &writes {
                    let taken = match &write.current {
                        Some(current) => conn
                            .prepare_cached(
                                "SELECT version FROM tasks WHERE id = ?1 AND user_id = ?2",
                            )?
                            .query_row(params![current.id, user_id], |row| row.get::<_, i64>(0))
                            .optional()?
                            .is_none_or(|version| version != current.version),
                        None => conn
                            .prepare_cached("SELECT 1 FROM tasks WHERE user_id = ?1 AND uuid = ?2")?
                            .exists(params![user_id, write.task.uuid])?,
                    };
                    if taken {
                        return Ok(false);
                    }
                }
                let mut written = Vec::with_capacity(writes.len());
                for ImportWrite {
                    mut task,
                    current,
                    depends,
                } in writes
                {
                    match &current {
                        Some(current) => {
                            update_row(conn, user_id, &mut task, current)?;
                        }
                        None => insert_row(conn, user_id, &mut task)?,
                    }
                    written.push((task, current, depends));
                }
                let mut ids =
                    conn.prepare_cached("SELECT id FROM tasks WHERE user_id = ?1 AND uuid = ?2")?;
                let mut recorder = Recorder::new(conn, user_id);
                for (mut task, current, depends) in written {
                    task.depends = Vec::with_capacity(depends.len());
                    for uuid in &depends {
                        if let Some(id) = ids
                            .query_row(params![user_id, uuid], |row| row.get(0))
                            .optional()?
                        {
                            task.depends.push(id);
                        }
                    }
                    task.depends.sort_unstable();
                    write_links(conn, &mut task, current.as_ref())?;
                    recorder.written(task.id, current.as_ref())?;
                }
                Ok(true)
            })
            .await?;
        if written {
            self.wakeups.send(Wake::Tasks(user_id));
        }
        Ok(written)
    }

    async fn delete_task(
        &self,
        user_id: i64,
        task_id: i64,
        expected_version: i64,
    ) -> StoreResult<bool> {
        let deleted = self
            .write_tasks_of_repeatable(user_id, move |conn| {
                let Some(current) = select_task(conn, user_id, task_id)?
                    .filter(|current| current.version == expected_version)
                else {
                    return Ok(false);
                };
                trash::put(conn, user_id, &current)?;
                Recorder::new(conn, user_id).deleted(&current)?;
                Ok(true)
            })
            .await?;
        if deleted {
            self.wakeups.send(Wake::Tasks(user_id));
        }
        Ok(deleted)
    }

    async fn task_statuses(&self, user_id: i64, ids: Vec<i64>) -> StoreResult<Vec<(i64, Status)>> {
        let ids = serde_json::to_string(&ids).map_err(|err| StoreError::Internal(err.into()))?;
        self.read(move |conn| {
            conn.prepare_cached(
                "SELECT id, status FROM tasks WHERE user_id = ?1 \
                 AND id IN (SELECT value FROM json_each(?2))",
            )?
            .query_map(params![user_id, ids], |row| {
                let status: String = row.get(1)?;
                Ok((
                    row.get(0)?,
                    Status::parse(&status).unwrap_or(Status::Pending),
                ))
            })?
            .collect()
        })
        .await
    }

    async fn task_uuids(&self, user_id: i64, ids: Vec<i64>) -> StoreResult<Vec<(i64, String)>> {
        let ids = serde_json::to_string(&ids).map_err(|err| StoreError::Internal(err.into()))?;
        self.read(move |conn| {
            conn.prepare_cached(
                "SELECT id, uuid FROM tasks WHERE user_id = ?1 \
                 AND id IN (SELECT value FROM json_each(?2))",
            )?
            .query_map(params![user_id, ids], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect()
        })
        .await
    }

    async fn dependency_edges(&self, user_id: i64) -> StoreResult<Vec<(i64, i64)>> {
        self.read(move |conn| {
            conn.prepare_cached(
                "SELECT d.task_id, d.depends_on FROM task_depends d \
                 JOIN tasks t ON t.id = d.task_id WHERE t.user_id = ?1",
            )?
            .query_map([user_id], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect()
        })
        .await
    }

    async fn delete_expired_tasks(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let deleted = self
            .write_keeping_auth(move |conn| {
                let expired = conn
                    .prepare_cached(
                        "SELECT user_id, id FROM tasks WHERE until IS NOT NULL AND until < ?1 \
         AND status = 'pending' ORDER BY user_id, id",
                    )?
                    .query_map([micros(now)], |row| {
                        Ok((row.get::<_, i64>(0)?, row.get(1)?))
                    })?
                    .collect::<rusqlite::Result<Vec<(i64, i64)>>>()?;
                // One change set per user: each can undo their own.
                let mut recorder: Option<Recorder<'_>> = None;
                let mut deleted = Vec::with_capacity(expired.len());
                for (user_id, task_id) in expired {
                    let Some(current) = select_task(conn, user_id, task_id)? else {
                        continue;
                    };
                    trash::put(conn, user_id, &current)?;
                    if recorder.as_ref().is_none_or(|r| r.user_id() != user_id) {
                        recorder = Some(Recorder::new(conn, user_id));
                    }
                    if let Some(recorder) = &mut recorder {
                        recorder.deleted(&current)?;
                    }
                    deleted.push((task_id, user_id));
                }
                Ok(deleted)
            })
            .await?;
        let users: std::collections::BTreeSet<i64> =
            deleted.iter().map(|&(_, user)| user).collect();
        for user in users {
            self.wakeups.send(Wake::Tasks(user));
        }
        Ok(deleted.len() as u64)
    }

    async fn count_by(
        &self,
        user_id: i64,
        filter: TaskFilter,
        facet: Facet,
    ) -> StoreResult<Vec<(String, u64)>> {
        self.read(move |conn| {
            let (condition, values) = where_clause(user_id, &filter);
            let sql = match facet {
                Facet::Project => format!(
                    "SELECT t.project, COUNT(*) FROM tasks t WHERE {condition} \
                     AND t.project IS NOT NULL GROUP BY t.project ORDER BY t.project"
                ),
                Facet::Tag => format!(
                    "SELECT g.tag, COUNT(*) FROM tasks t JOIN task_tags g ON g.task_id = t.id \
                     WHERE {condition} GROUP BY g.tag ORDER BY g.tag"
                ),
            };
            conn.prepare(&sql)?
                .query_map(params_from_iter(values.iter()), |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })?
                .collect()
        })
        .await
    }
}
