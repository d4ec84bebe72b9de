//! Tasks in PostgreSQL.

use async_trait::async_trait;
use common::api::{Priority, Status, Task};
use tokio_postgres::{types::ToSql, Row};

use super::PostgresStore;
use crate::{
    store::{StoreResult, TaskPage, TaskStore},
    task_query::{OrderField, TaskFilter},
};

const TASK_COLUMNS: &str = "t.id, t.title, t.description, t.status, t.priority, t.due, t.project, \
     t.tags, t.created_at, t.updated_at, t.completed_at, t.version";

/// 1 low, 2 medium, 3 high: sorts in priority order.
fn priority_number(priority: Priority) -> i16 {
    match priority {
        Priority::Low => 1,
        Priority::Medium => 2,
        Priority::High => 3,
    }
}

fn priority_from_number(n: Option<i16>) -> Option<Priority> {
    match n? {
        1 => Some(Priority::Low),
        2 => Some(Priority::Medium),
        3 => Some(Priority::High),
        _ => None,
    }
}

fn task_from_row(row: &Row) -> Task {
    Task {
        id: row.get(0),
        title: row.get(1),
        description: row.get(2),
        status: Status::parse(row.get(3)).unwrap_or(Status::Pending),
        priority: priority_from_number(row.get(4)),
        due: row.get(5),
        project: row.get(6),
        tags: row.get(7),
        created_at: row.get(8),
        updated_at: row.get(9),
        completed_at: row.get(10),
        version: row.get(11),
    }
}

type Param = Box<dyn ToSql + Sync + Send>;

/// The WHERE clause and its bound values for `filter`; user input is only
/// ever bound, never formatted into the SQL.
fn where_clause(user_id: i64, filter: &TaskFilter) -> (String, Vec<Param>) {
    let mut values: Vec<Param> = vec![Box::new(user_id)];
    let mut sql = String::from("t.user_id = $1");
    let mut bind = |sql: &mut String, fragment: &str, value: Param| {
        values.push(value);
        sql.push_str(&fragment.replace('?', &format!("${}", values.len())));
    };
    if let Some(status) = filter.status {
        bind(&mut sql, " AND t.status = ?", Box::new(status.as_str()));
    }
    if let Some(priority) = filter.priority {
        bind(
            &mut sql,
            " AND t.priority = ?",
            Box::new(priority_number(priority)),
        );
    }
    if let Some(project) = &filter.project {
        bind(&mut sql, " AND (t.project = ?", Box::new(project.clone()));
        bind(
            &mut sql,
            " OR starts_with(t.project, ?))",
            Box::new(format!("{project}.")),
        );
    }
    if !filter.tags.is_empty() {
        bind(&mut sql, " AND t.tags @> ?", Box::new(filter.tags.clone()));
    }
    if let Some(search) = &filter.search {
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
    if let Some(before) = filter.due_before {
        bind(&mut sql, " AND t.due < ?", Box::new(before));
    }
    if let Some(after) = filter.due_after {
        bind(&mut sql, " AND t.due > ?", Box::new(after));
    }
    (sql, values)
}

fn order_clause(filter: &TaskFilter) -> String {
    let mut parts = Vec::new();
    let mut has_id = false;
    for key in &filter.ordering {
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
            OrderField::Priority => "t.priority",
            OrderField::Due => "t.due",
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
        let page_sql = format!(
            "SELECT {TASK_COLUMNS} FROM tasks t WHERE {condition} ORDER BY {} LIMIT ${} OFFSET ${}",
            order_clause(&filter),
            filters + 1,
            filters + 2
        );
        let mut client = self.client().await?;
        self.timed(async {
            let params = refs(&values);
            // One snapshot for the count and the page, so they agree.
            let tx = client
                .build_transaction()
                .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await?;
            let count_statement = tx.prepare_cached(&count_sql).await?;
            let count: i64 = tx
                .query_one(&count_statement, &params[..filters])
                .await?
                .get(0);
            let page_statement = tx.prepare_cached(&page_sql).await?;
            let rows = tx.query(&page_statement, &params).await?;
            tx.commit().await?;
            Ok(TaskPage {
                count: count.max(0) as u64,
                tasks: rows.iter().map(task_from_row).collect(),
            })
        })
        .await
    }

    async fn insert_task(&self, user_id: i64, mut task: Task) -> StoreResult<Task> {
        let client = self.client().await?;
        let priority = task.priority.map(priority_number);
        let row = self
            .timed(async {
                let statement = client
                    .prepare_cached(
                        "INSERT INTO tasks (user_id, title, description, status, priority, due, \
                         project, tags, created_at, updated_at, completed_at, version) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                    )
                    .await?;
                client
                    .query_one(
                        &statement,
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
                        ],
                    )
                    .await
            })
            .await?;
        task.id = row.get(0);
        Ok(task)
    }

    async fn get_task(&self, user_id: i64, task_id: i64) -> StoreResult<Option<Task>> {
        let client = self.client().await?;
        let sql = format!("SELECT {TASK_COLUMNS} FROM tasks t WHERE t.id = $1 AND t.user_id = $2");
        let row = self
            .timed(async {
                let statement = client.prepare_cached(&sql).await?;
                client.query_opt(&statement, &[&task_id, &user_id]).await
            })
            .await?;
        Ok(row.as_ref().map(task_from_row))
    }

    async fn replace_task(
        &self,
        user_id: i64,
        task: Task,
        expected_version: i64,
    ) -> StoreResult<bool> {
        let client = self.client().await?;
        let priority = task.priority.map(priority_number);
        let changed = self
            .timed(async {
                let statement = client
                    .prepare_cached(
                        "UPDATE tasks SET title = $1, description = $2, status = $3, priority = $4, \
                         due = $5, project = $6, tags = $7, updated_at = $8, completed_at = $9, \
                         version = $10 WHERE id = $11 AND user_id = $12 AND version = $13",
                    )
                    .await?;
                client
                    .execute(
                        &statement,
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
                            &task.id,
                            &user_id,
                            &expected_version,
                        ],
                    )
                    .await
            })
            .await?;
        Ok(changed > 0)
    }

    async fn delete_task(
        &self,
        user_id: i64,
        task_id: i64,
        expected_version: i64,
    ) -> StoreResult<bool> {
        let client = self.client().await?;
        let deleted = self
            .timed(client.execute(
                "DELETE FROM tasks WHERE id = $1 AND user_id = $2 AND version = $3",
                &[&task_id, &user_id, &expected_version],
            ))
            .await?;
        Ok(deleted > 0)
    }
}
