//! Tasks in SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use common::api::{Annotation, Status, Task};
use rusqlite::{params, params_from_iter, types::Value, Connection, OptionalExtension, Row};

use super::{
    changes::Recorder,
    conversion_error,
    filter_sql::{order_clause, where_clause, OWN_TASKS},
    instant, micros,
    task_rows::{insert_row, update_row, write_links},
    trash, SqliteStore,
};
use crate::{
    store::{
        changes::Wake,
        sql::{self, priority_from_number, TASK_ROW},
        Edited, Facet, ImportWrite, StoreError, StoreResult, TaskEdit, TaskPage, TaskStore,
    },
    task_query::TaskFilter,
};

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

/// The user's tasks whose `column` (`id` or `uuid`) is among `values`, a
/// JSON array: the rows and what is attached to them from one snapshot.
fn select_tasks_in(
    conn: &mut Connection,
    user_id: i64,
    column: &'static str,
    values: &str,
) -> rusqlite::Result<Vec<Task>> {
    let tx = conn.transaction()?;
    let mut tasks = tx
        .prepare_cached(&format!(
            "SELECT {TASK_ROW} FROM tasks t WHERE t.user_id = ?1 \
             AND t.{column} IN (SELECT value FROM json_each(?2))"
        ))?
        .query_map(params![user_id, values], task_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    attach(&tx, &mut tasks)?;
    tx.finish()?;
    Ok(tasks)
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

    async fn tasks_by_id(&self, user_id: i64, ids: Vec<i64>) -> StoreResult<Vec<Task>> {
        let ids = serde_json::to_string(&ids).map_err(|err| StoreError::Internal(err.into()))?;
        self.read(move |conn| select_tasks_in(conn, user_id, "id", &ids))
            .await
    }

    async fn tasks_by_uuid(&self, user_id: i64, uuids: Vec<String>) -> StoreResult<Vec<Task>> {
        let uuids =
            serde_json::to_string(&uuids).map_err(|err| StoreError::Internal(err.into()))?;
        self.read(move |conn| select_tasks_in(conn, user_id, "uuid", &uuids))
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
                // Nor may a new task take a trashed task's uuid: that one
                // could then never come back.
                let new: Vec<&str> = writes
                    .iter()
                    .filter(|write| write.current.is_none())
                    .map(|write| write.task.uuid.as_str())
                    .collect();
                let new = serde_json::to_string(&new).map_err(super::conversion_error)?;
                if !super::trash::uuids_among(conn, user_id, &new)?.is_empty() {
                    return Ok(false);
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
