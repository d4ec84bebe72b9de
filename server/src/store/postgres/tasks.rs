//! Tasks in PostgreSQL.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use common::api::{Annotation, Status, Task};
use tokio_postgres::Row;

use super::{
    cached::Cached,
    changes::Recorder,
    filter_sql::{order_clause, refs, where_clause, OWN_TASKS},
    task_rows::{insert_row, update_row, write_links},
    trash, PostgresStore,
};
use crate::{
    store::{
        changes::Wake,
        sql::{self, priority_from_number, TASK_COLUMNS},
        Facet, ImportWrite, StoreResult, TaskPage, TaskStore,
    },
    task_query::TaskFilter,
};

/// After [`TASK_COLUMNS`]: the task's dependencies and its annotations (ids,
/// entries, texts) as arrays: a task comes back in one round trip.
const COLUMNS: &str = "ARRAY(SELECT d.depends_on FROM task_depends d WHERE d.task_id = t.id \
       ORDER BY d.depends_on), \
     ARRAY(SELECT a.id FROM annotations a WHERE a.task_id = t.id ORDER BY a.id), \
     ARRAY(SELECT a.entry FROM annotations a WHERE a.task_id = t.id ORDER BY a.id), \
     ARRAY(SELECT a.text FROM annotations a WHERE a.task_id = t.id ORDER BY a.id)";

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

/// The user's tasks with these ids (those there are), in one statement.
pub(super) async fn select_tasks(
    client: &impl deadpool_postgres::GenericClient,
    user_id: i64,
    ids: &[i64],
) -> Result<Vec<Task>, tokio_postgres::Error> {
    client
        .query_cached(
            &format!(
                "SELECT {TASK_COLUMNS}, {COLUMNS} FROM tasks t WHERE t.user_id = $1 AND t.id = ANY($2)"
            ),
            &[&user_id, &ids],
        )
        .await?
        .iter()
        .map(task_from_row)
        .collect()
}

/// [`select_tasks`] by id, for a set that looks each of its tasks up.
pub(super) async fn select_tasks_by_id(
    client: &impl deadpool_postgres::GenericClient,
    user_id: i64,
    ids: &[i64],
) -> Result<HashMap<i64, Task>, tokio_postgres::Error> {
    Ok(select_tasks(client, user_id, ids)
        .await?
        .into_iter()
        .map(|task| (task.id, task))
        .collect())
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

    async fn tasks_by_id(&self, user_id: i64, ids: Vec<i64>) -> StoreResult<Vec<Task>> {
        let client = self.client().await?;
        self.timed(select_tasks(&client, user_id, &ids)).await
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
        super::import::import_tasks(self, user_id, writes).await
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
