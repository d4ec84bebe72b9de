//! Tasks in PostgreSQL.

use std::sync::LazyLock;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use common::api::{Annotation, Status, Task, UdaValue};
use tokio_postgres::{error::SqlState, types::ToSql, Row};

use super::{cached::Cached, changes::Recorder, trash, PostgresStore};
use crate::{
    store::{
        changes::Wake,
        sql::{
            self, flag_conditions, priority_from_number, priority_number, BLOCKED, BLOCKING,
            LOWEST_FREE_NUMBER, TASK_COLUMNS,
        },
        Facet, ImportWrite, StoreError, StoreResult, TaskPage, TaskStore,
    },
    task_query::{OrderField, TaskFilter},
};

/// After [`TASK_COLUMNS`]: the task's dependencies and its annotations (ids,
/// entries, texts) as arrays: a task comes back in one round trip.
const COLUMNS: &str = "ARRAY(SELECT d.depends_on FROM task_depends d WHERE d.task_id = t.id \
       ORDER BY d.depends_on), \
     ARRAY(SELECT a.id FROM annotations a WHERE a.task_id = t.id ORDER BY a.id), \
     ARRAY(SELECT a.entry FROM annotations a WHERE a.task_id = t.id ORDER BY a.id), \
     ARRAY(SELECT a.text FROM annotations a WHERE a.task_id = t.id ORDER BY a.id)";

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
        .query_one_cached(LOWEST_FREE_NUMBER, &[&user_id])
        .await?
        .get(0))
}

/// An import is one transaction, which may be long.
const IMPORT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

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

/// The user's task as it reads now, inside `tx`.
pub(super) async fn select_task(
    client: &impl deadpool_postgres::GenericClient,
    user_id: i64,
    task_id: i64,
) -> Result<Option<Task>, tokio_postgres::Error> {
    client
        .query_opt_cached(
            &format!(
                "SELECT {TASK_COLUMNS}, {COLUMNS} FROM tasks t WHERE t.id = $1 AND t.user_id = $2"
            ),
            &[&task_id, &user_id],
        )
        .await?
        .as_ref()
        .map(task_from_row)
        .transpose()
}

fn task_from_row(row: &Row) -> Result<Task, tokio_postgres::Error> {
    Ok(Task {
        id: row.get(0),
        title: row.get(1),
        description: row.get(2),
        status: Status::parse(row.get(3)).unwrap_or(Status::Pending),
        priority: priority_from_number(row.get::<_, Option<i16>>(4).map(i64::from)),
        due: row.get(5),
        project: row.get(6),
        tags: row.get(7),
        created_at: row.get(8),
        updated_at: row.get(9),
        completed_at: row.get(10),
        version: row.get(11),
        uuid: row.get(12),
        number: row.get(13),
        start: row.get(14),
        wait: row.get(15),
        scheduled: row.get(16),
        until: row.get(17),
        udas: serde_json::from_str(row.get(18)).unwrap_or_default(),
        blocked: row.get(19),
        blocking: row.get(20),
        depends: row.get(21),
        annotations: {
            let ids: Vec<i64> = row.get(22);
            let entries: Vec<DateTime<Utc>> = row.get(23);
            let texts: Vec<String> = row.get(24);
            ids.into_iter()
                .zip(entries)
                .zip(texts)
                .map(|((id, entry), text)| Annotation { id, entry, text })
                .collect()
        },
        ..Task::default()
    })
}

type Param = Box<dyn ToSql + Sync + Send>;

/// The WHERE clause of a filter that keeps every task of the account.
const OWN_TASKS: &str = "t.user_id = $1";

/// The WHERE clause and its bound values for `filter`; user input is only
/// ever bound, never formatted into the SQL.
fn where_clause(user_id: i64, filter: &TaskFilter) -> (String, Vec<Param>) {
    let mut values: Vec<Param> = vec![Box::new(user_id)];
    let mut sql = String::from(OWN_TASKS);
    let mut bind = |sql: &mut String, fragment: &str, value: Param| {
        values.push(value);
        sql.push_str(&fragment.replace('?', &format!("${}", values.len())));
    };
    if let Some(status) = filter.query.only_status() {
        bind(&mut sql, " AND t.status = ?", Box::new(status.as_str()));
    }
    if let Some(priority) = filter.query.priority {
        bind(
            &mut sql,
            " AND t.priority = ?",
            Box::new(priority_number(priority)),
        );
    }
    if let Some(project) = &filter.query.project {
        bind(&mut sql, " AND (t.project = ?", Box::new(project.clone()));
        bind(
            &mut sql,
            " OR starts_with(t.project, ?))",
            Box::new(format!("{project}.")),
        );
    }
    if !filter.query.tags.is_empty() {
        bind(
            &mut sql,
            " AND t.tags @> ?",
            Box::new(filter.query.tags.clone()),
        );
    }
    if !filter.query.exclude_tags.is_empty() {
        bind(
            &mut sql,
            " AND NOT (t.tags && ?)",
            Box::new(filter.query.exclude_tags.clone()),
        );
    }
    if let Some(search) = &filter.query.search {
        // A literal substring: strpos knows no wildcards.
        bind(
            &mut sql,
            " AND (strpos(lower(t.title), ?) > 0",
            Box::new(search.to_lowercase()),
        );
        bind(
            &mut sql,
            " OR strpos(lower(t.description), ?) > 0)",
            Box::new(search.to_lowercase()),
        );
    }
    for (column, bound, before) in [
        ("t.due", filter.query.due_before, true),
        ("t.due", filter.query.due_after, false),
        ("t.scheduled", filter.query.scheduled_before, true),
        ("t.scheduled", filter.query.scheduled_after, false),
    ] {
        if let Some(bound) = bound {
            let fragment = format!(" AND {column} {} ?", if before { "<" } else { ">" });
            bind(&mut sql, &fragment, Box::new(bound));
        }
    }
    match filter.query.waiting {
        Some(true) => bind(&mut sql, " AND t.wait > ?", Box::new(filter.now)),
        Some(false) => bind(
            &mut sql,
            " AND (t.wait IS NULL OR t.wait <= ?)",
            Box::new(filter.now),
        ),
        None => {}
    }
    sql.push_str(&flag_conditions(filter));
    if let Some(ready) = filter.query.ready {
        let not = if ready { "" } else { "NOT " };
        bind(
            &mut sql,
            &format!(" AND {not}(t.status = 'pending' AND (t.wait IS NULL OR t.wait <= ?)"),
            Box::new(filter.now),
        );
        bind(
            &mut sql,
            &format!(" AND (t.scheduled IS NULL OR t.scheduled <= ?) AND NOT {BLOCKED})"),
            Box::new(filter.now),
        );
    }
    if let Some(uuid) = &filter.query.uuid {
        // A prefix of hex digits and dashes only (checked when parsed), so
        // it holds no LIKE wildcard.
        bind(&mut sql, " AND t.uuid LIKE ?", Box::new(format!("{uuid}%")));
    }
    if let Some(number) = filter.query.number {
        bind(&mut sql, " AND t.number = ?", Box::new(number));
    }
    if let Some(id) = filter.query.depends_on {
        bind(
            &mut sql,
            " AND EXISTS (SELECT 1 FROM task_depends d WHERE d.task_id = t.id AND d.depends_on = ?)",
            Box::new(id),
        );
    }
    for (name, value) in &filter.query.udas {
        bind(
            &mut sql,
            " AND ((t.udas::json ->> ?",
            Box::new(name.clone()),
        );
        bind(&mut sql, ") = ?", Box::new(value.clone()));
        // A number matches the numbers equal to it, however written; the
        // CASE keeps a text value from ever being cast.
        let number = match UdaValue::number_in(value) {
            Some(UdaValue::Integer(n)) => Some(n.to_string()),
            Some(UdaValue::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        if let Some(number) = number {
            bind(
                &mut sql,
                " OR CASE WHEN json_typeof(t.udas::json -> ?) = 'number'",
                Box::new(name.clone()),
            );
            bind(
                &mut sql,
                " THEN (t.udas::json ->> ?)::numeric",
                Box::new(name.clone()),
            );
            bind(
                &mut sql,
                " = ?::text::numeric ELSE false END",
                Box::new(number),
            );
        }
        sql.push(')');
    }
    (sql, values)
}

fn order_clause(filter: &TaskFilter) -> String {
    let mut parts = Vec::new();
    let mut has_id = false;
    for key in &filter.query.ordering {
        let direction = if key.descending { "DESC" } else { "ASC" };
        // Compared by code point, as SQLite compares: a locale's collation
        // would skip spaces and punctuation.
        let column = match key.field {
            OrderField::Id => {
                has_id = true;
                "t.id"
            }
            OrderField::Title => "lower(t.title) COLLATE \"C\"",
            OrderField::Status => "t.status COLLATE \"C\"",
            OrderField::CreatedAt => "t.created_at",
            OrderField::UpdatedAt => "t.updated_at",
            OrderField::CompletedAt => "t.completed_at",
            OrderField::Priority => "t.priority",
            OrderField::Due => "t.due",
            OrderField::Start => "t.start",
            OrderField::Wait => "t.wait",
            OrderField::Scheduled => "t.scheduled",
            OrderField::Until => "t.until",
            // Known once read: ordered by the caller.
            OrderField::Urgency => continue,
        };
        // Tasks without a value come last in both directions.
        parts.push(format!("{column} {direction} NULLS LAST"));
    }
    // A total order, so that pages neither repeat nor skip tasks.
    if !has_id {
        parts.push("t.id ASC".into());
    }
    parts.join(", ")
}

fn refs(values: &[Param]) -> Vec<&(dyn ToSql + Sync)> {
    values
        .iter()
        .map(|value| value.as_ref() as &(dyn ToSql + Sync))
        .collect()
}

#[async_trait]
impl TaskStore for PostgresStore {
    async fn list_tasks(&self, user_id: i64, filter: TaskFilter) -> StoreResult<TaskPage> {
        let (condition, mut values) = where_clause(user_id, &filter);
        let count_sql = format!("SELECT COUNT(*) FROM tasks t WHERE {condition}");
        let filters = values.len();
        values.push(Box::new(i64::from(filter.page.limit)));
        values.push(Box::new(filter.page.offset.min(i64::MAX as u64) as i64));
        let columns = if filter.light {
            // The notes' texts left out, as the description is.
            COLUMNS.replace("ARRAY(SELECT a.text ", "ARRAY(SELECT ''::text ")
        } else {
            COLUMNS.to_string()
        };
        let page_sql = format!(
            "SELECT {}, {columns} FROM tasks t WHERE {condition} ORDER BY {} LIMIT ${} OFFSET ${}",
            sql::light_columns(TASK_COLUMNS, filter.light),
            order_clause(&filter),
            filters + 1,
            filters + 2
        );
        let mut client = self.client().await?;
        self.timed(async {
            let params = refs(&values);
            // One snapshot for the page and the count, so they agree.
            let tx = client
                .build_transaction()
                .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await?;
            let page_statement = tx.prepare_cached(&page_sql).await?;
            // Row by row, so that a page ends at its budget without the
            // rest of it ever being held.
            let mut tasks = Vec::new();
            let mut cut = false;
            {
                let rows = tx
                    .query_raw(&page_statement, params.iter().copied())
                    .await?;
                futures_util::pin_mut!(rows);
                let mut weight = 0;
                while let Some(row) = futures_util::TryStreamExt::try_next(&mut rows).await? {
                    let task = task_from_row(&row)?;
                    weight += sql::weight(&task);
                    tasks.push(task);
                    if sql::full(weight, filter.budget) {
                        cut = true;
                        break;
                    }
                }
                // The stream goes before the commit: the rows it was not
                // asked for are discarded as they arrive only once it is
                // dropped, and the commit's answer comes after them.
            }
            let count = match sql::count_from_page(filter.page, tasks.len(), cut) {
                Some(count) => count,
                None => {
                    // Every task of the account: the tally its writes keep.
                    let (sql, params) = if condition == OWN_TASKS {
                        ("SELECT task_count FROM users WHERE id = $1", &params[..1])
                    } else {
                        (count_sql.as_str(), &params[..filters])
                    };
                    let count: i64 = tx.query_one_cached(sql, params).await?.get(0);
                    count.max(0) as u64
                }
            };
            tx.commit().await?;
            Ok(TaskPage { count, tasks })
        })
        .await
    }

    async fn insert_task(&self, user_id: i64, mut task: Task) -> StoreResult<Task> {
        let (_turn, mut client) = self.writing(user_id).await?;
        let task = self
            .timed(async {
                let tx = client.transaction().await?;
                let id_picked = task.id == 0;
                insert_row(&tx, user_id, &mut task).await?;
                write_links(&tx, &mut task, None).await?;
                let task = Recorder::new(&tx, user_id)
                    .inserted(task, id_picked)
                    .await?;
                tx.commit().await?;
                Ok(task)
            })
            .await?;
        self.wakeups.send(Wake::Tasks(user_id));
        Ok(task)
    }

    async fn get_task(&self, user_id: i64, task_id: i64) -> StoreResult<Option<Task>> {
        let client = self.client().await?;
        self.timed(select_task(&client, user_id, task_id)).await
    }

    async fn replace_task(
        &self,
        user_id: i64,
        mut task: Task,
        current: Task,
    ) -> StoreResult<Option<Task>> {
        let (_turn, mut client) = self.writing(user_id).await?;
        let written = self
            .timed(async {
                let tx = client.transaction().await?;
                let Some(found) = update_row(&tx, user_id, &mut task, &current).await? else {
                    return Ok(None);
                };
                write_links(&tx, &mut task, Some(&current)).await?;
                let task = Recorder::new(&tx, user_id)
                    .replaced(task, &current, found)
                    .await?;
                tx.commit().await?;
                Ok(Some(task))
            })
            .await?;
        if written.is_some() {
            self.wakeups.send(Wake::Tasks(user_id));
        }
        Ok(written)
    }

    async fn tasks_by_uuid(&self, user_id: i64, uuids: Vec<String>) -> StoreResult<Vec<Task>> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {TASK_COLUMNS}, {COLUMNS} FROM tasks t WHERE t.user_id = $1 AND t.uuid = ANY($2)"
        );
        self.timed(async {
            client
                .query_cached(&sql, &[&user_id, &uuids])
                .await?
                .iter()
                .map(task_from_row)
                .collect()
        })
        .await
    }

    async fn import_tasks(&self, user_id: i64, writes: Vec<ImportWrite>) -> StoreResult<bool> {
        let (_turn, mut client) = self.writing(user_id).await?;
        let outcome = tokio::time::timeout(IMPORT_TIMEOUT, async {
            let tx = client.transaction().await?;
            // Rows read for update stay as read until this transaction ends.
            let ids: Vec<i64> = writes
                .iter()
                .filter_map(|w| w.current.as_ref().map(|c| c.id))
                .collect();
            let versions: std::collections::HashMap<i64, i64> = tx
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
            if stale {
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
                        update_row(&tx, user_id, &mut task, current).await?;
                    }
                    None => insert_row(&tx, user_id, &mut task).await?,
                }
                written.push((task, current, depends));
            }
            let wanted: Vec<&String> = written.iter().flat_map(|(_, _, d)| d.iter()).collect();
            let ids: std::collections::HashMap<String, i64> = tx
                .query_cached(
                    "SELECT uuid, id FROM tasks WHERE user_id = $1 AND uuid = ANY($2)",
                    &[&user_id, &wanted],
                )
                .await?
                .iter()
                .map(|row| (row.get(0), row.get(1)))
                .collect();
            let mut recorded = Vec::with_capacity(written.len());
            for (mut task, current, depends) in written {
                task.depends = depends
                    .iter()
                    .filter_map(|uuid| ids.get(uuid).copied())
                    .collect();
                task.depends.sort_unstable();
                write_links(&tx, &mut task, current.as_ref()).await?;
                recorded.push((task.id, current));
            }
            // Last, under the change lock (see `changes`).
            let mut recorder = Recorder::new(&tx, user_id);
            for (task_id, current) in recorded {
                recorder.written(task_id, current.as_ref()).await?;
            }
            tx.commit().await?;
            Ok::<bool, tokio_postgres::Error>(true)
        })
        .await;
        match outcome {
            Ok(Ok(done)) => {
                if done {
                    self.wakeups.send(Wake::Tasks(user_id));
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

    async fn delete_task(
        &self,
        user_id: i64,
        task_id: i64,
        expected_version: i64,
    ) -> StoreResult<bool> {
        let (_turn, mut client) = self.writing(user_id).await?;
        let deleted = self
            .timed(async {
                let tx = client.transaction().await?;
                let locked = tx
    .query_opt_cached(
        "SELECT 1 FROM tasks WHERE id = $1 AND user_id = $2 AND version = $3 FOR UPDATE",
        &[&task_id, &user_id, &expected_version],
    )
    .await?;
                let current = match locked {
                    Some(_) => select_task(&tx, user_id, task_id).await?,
                    None => None,
                };
                let Some(current) = current else {
                    return Ok(false);
                };
                trash::put(&tx, user_id, &current).await?;
                Recorder::new(&tx, user_id).deleted(&current).await?;
                tx.commit().await?;
                Ok(true)
            })
            .await?;
        if deleted {
            self.wakeups.send(Wake::Tasks(user_id));
        }
        Ok(deleted)
    }

    async fn task_statuses(&self, user_id: i64, ids: Vec<i64>) -> StoreResult<Vec<(i64, Status)>> {
        let client = self.client().await?;
        let rows = self
            .timed(client.query_cached(
                "SELECT id, status FROM tasks WHERE user_id = $1 AND id = ANY($2)",
                &[&user_id, &ids],
            ))
            .await?;
        Ok(rows
            .iter()
            .map(|row| {
                (
                    row.get(0),
                    Status::parse(row.get(1)).unwrap_or(Status::Pending),
                )
            })
            .collect())
    }

    async fn task_uuids(&self, user_id: i64, ids: Vec<i64>) -> StoreResult<Vec<(i64, String)>> {
        let client = self.client().await?;
        let rows = self
            .timed(client.query_cached(
                "SELECT id, uuid FROM tasks WHERE user_id = $1 AND id = ANY($2)",
                &[&user_id, &ids],
            ))
            .await?;
        Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
    }

    async fn dependency_edges(&self, user_id: i64) -> StoreResult<Vec<(i64, i64)>> {
        let client = self.client().await?;
        let rows = self
            .timed(client.query_cached(
                "SELECT d.task_id, d.depends_on FROM task_depends d \
                 JOIN tasks t ON t.id = d.task_id WHERE t.user_id = $1",
                &[&user_id],
            ))
            .await?;
        Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
    }

    async fn delete_expired_tasks(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let mut client = self.client().await?;
        let deleted = self
            .timed(async {
                let tx = client.transaction().await?;
                // Users' change locks taken in one order: no two sweeps wait on
                // each other.
                let expired: Vec<(i64, i64)> = tx
                    .query_cached(
                        "SELECT user_id, id FROM tasks WHERE until IS NOT NULL AND until < $1 \
         AND status = 'pending' ORDER BY user_id, id FOR UPDATE",
                        &[&now],
                    )
                    .await?
                    .iter()
                    .map(|row| (row.get(0), row.get(1)))
                    .collect();
                // One change set per user: each can undo their own.
                let mut recorder: Option<Recorder<'_, '_>> = None;
                let mut deleted = Vec::with_capacity(expired.len());
                for (user_id, task_id) in expired {
                    let Some(current) = select_task(&tx, user_id, task_id).await? else {
                        continue;
                    };
                    trash::put(&tx, user_id, &current).await?;
                    if recorder.as_ref().is_none_or(|r| r.user_id() != user_id) {
                        recorder = Some(Recorder::new(&tx, user_id));
                    }
                    if let Some(recorder) = &mut recorder {
                        recorder.deleted(&current).await?;
                    }
                    deleted.push((user_id, task_id));
                }
                tx.commit().await?;
                Ok(deleted)
            })
            .await?;
        let users: std::collections::BTreeSet<i64> =
            deleted.iter().map(|&(user, _)| user).collect();
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
        let (condition, values) = where_clause(user_id, &filter);
        // Ordered by code point, as SQLite orders them.
        let sql = match facet {
            Facet::Project => format!(
                "SELECT t.project, COUNT(*) FROM tasks t WHERE {condition} \
                 AND t.project IS NOT NULL GROUP BY t.project ORDER BY t.project COLLATE \"C\""
            ),
            Facet::Tag => format!(
                "SELECT tag, COUNT(*) FROM tasks t, unnest(t.tags) AS tag \
                 WHERE {condition} GROUP BY tag ORDER BY tag COLLATE \"C\""
            ),
        };
        let client = self.client().await?;
        self.timed(async {
            let rows = client.query(&sql, &refs(&values)).await?;
            Ok(rows
                .iter()
                .map(|row| {
                    let count: i64 = row.get(1);
                    (row.get(0), u64::try_from(count).unwrap_or(0))
                })
                .collect())
        })
        .await
    }
}
