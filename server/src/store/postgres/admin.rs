//! The admin's reads and writes in PostgreSQL.

use async_trait::async_trait;
use common::api::{AdminUser, Status};
use tokio_postgres::Row;

use super::{cached::Cached, PostgresStore};
use crate::store::{
    admin::{
        AdminAction, AdminStore, AdminTask, AdminTaskQuery, ObjectKind, UserChange, UserQuery,
        Verb, Via,
    },
    changes::Wake,
    StoreResult,
};

const ADMIN_USER_SELECT: &str =
    "SELECT u.id, u.username, u.email, u.is_active, u.is_admin, u.date_joined, \
     (SELECT COUNT(*) FROM tasks t WHERE t.user_id = u.id) AS task_count FROM users u";

fn admin_user_from_row(row: &Row) -> AdminUser {
    AdminUser {
        id: row.get(0),
        username: row.get(1),
        email: row.get(2),
        is_active: row.get(3),
        is_admin: row.get(4),
        date_joined: row.get(5),
        task_count: row.get::<_, i64>(6).max(0) as u64,
    }
}

const ADMIN_TASK_SELECT: &str =
    "SELECT t.id, t.user_id, u.username, t.title, t.status, t.project, t.updated_at \
     FROM tasks t JOIN users u ON u.id = t.user_id";

fn admin_task_from_row(row: &Row) -> AdminTask {
    let status: String = row.get(4);
    AdminTask {
        id: row.get(0),
        user_id: row.get(1),
        username: row.get(2),
        title: row.get(3),
        status: Status::parse(&status).unwrap_or(Status::Pending),
        project: row.get(5),
        updated_at: row.get(6),
    }
}

#[async_trait]
impl AdminStore for PostgresStore {
    async fn list_users(&self, query: UserQuery) -> StoreResult<(u64, Vec<AdminUser>)> {
        let direction = if query.descending { "DESC" } else { "ASC" };
        let condition = "($1::text IS NULL OR strpos(lower(u.username), $1) > 0 \
             OR strpos(lower(u.email), $1) > 0) \
             AND ($2::boolean IS NULL OR u.is_active = $2) \
             AND ($3::boolean IS NULL OR u.is_admin = $3)";
        // Only the sort's fixed column and direction are formatted in.
        let collation = if query.sort.is_text() {
            " COLLATE \"C\""
        } else {
            ""
        };
        let page_sql = format!(
            "{ADMIN_USER_SELECT} WHERE {condition} ORDER BY {}{collation} {direction}, \
             u.id {direction} LIMIT $4 OFFSET $5",
            query.sort.column()
        );
        let count_sql = format!("SELECT COUNT(*) FROM users u WHERE {condition}");
        let search = query.search.map(|s| s.to_lowercase());
        let limit = i64::from(query.window.limit);
        let offset = query.window.offset.min(i64::MAX as u64) as i64;
        let mut client = self.client().await?;
        self.timed(async {
            // One snapshot for the count and the page, so they agree.
            let tx = client
                .build_transaction()
                .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await?;
            let count: i64 = tx
                .query_one(&count_sql, &[&search, &query.is_active, &query.is_admin])
                .await?
                .get(0);
            let rows = tx
                .query(
                    &page_sql,
                    &[&search, &query.is_active, &query.is_admin, &limit, &offset],
                )
                .await?;
            tx.commit().await?;
            Ok((
                count.max(0) as u64,
                rows.iter().map(admin_user_from_row).collect(),
            ))
        })
        .await
    }

    async fn admin_users(&self, ids: Vec<i64>) -> StoreResult<Vec<AdminUser>> {
        let client = self.client().await?;
        let rows = self
            .timed(client.query_cached(
                &format!("{ADMIN_USER_SELECT} WHERE u.id = ANY($1) ORDER BY u.id"),
                &[&ids],
            ))
            .await?;
        Ok(rows.iter().map(admin_user_from_row).collect())
    }

    async fn update_user(
        &self,
        user_id: i64,
        change: UserChange,
        end_logins: bool,
    ) -> StoreResult<Option<AdminUser>> {
        let mut client = self.client().await?;
        let user = self
            .timed(async {
                let tx = client.transaction().await?;
                tx.execute_cached(
                    "UPDATE users SET email = coalesce($1, email), \
                     is_active = coalesce($2, is_active), is_admin = coalesce($3, is_admin), \
                     token_version = token_version + CASE WHEN $4 THEN 1 ELSE 0 END \
                     WHERE id = $5",
                    &[
                        &change.email,
                        &change.is_active,
                        &change.is_admin,
                        &end_logins,
                        &user_id,
                    ],
                )
                .await?;
                if end_logins {
                    tx.execute_cached(
                        "UPDATE sessions SET revoked = TRUE WHERE user_id = $1",
                        &[&user_id],
                    )
                    .await?;
                }
                let row = tx
                    .query_opt_cached(&format!("{ADMIN_USER_SELECT} WHERE u.id = $1"), &[&user_id])
                    .await?;
                tx.commit().await?;
                Ok(row.as_ref().map(admin_user_from_row))
            })
            .await;
        self.announce(Wake::Account(user_id)).await;
        user
    }

    async fn delete_user(&self, user_id: i64) -> StoreResult<bool> {
        let client = self.client().await?;
        // Foreign keys cascade to tasks, sessions and refresh tokens.
        let deleted = self
            .timed(client.execute_cached("DELETE FROM users WHERE id = $1", &[&user_id]))
            .await?;
        self.announce(Wake::Account(user_id)).await;
        Ok(deleted > 0)
    }

    async fn trash_counts(&self, user_ids: Vec<i64>) -> StoreResult<Vec<(i64, u64)>> {
        let client = self.client().await?;
        let rows = self
            .timed(client.query_cached(
                "SELECT user_id, COUNT(*) FROM trash WHERE user_id = ANY($1) GROUP BY user_id",
                &[&user_ids],
            ))
            .await?;
        Ok(rows
            .iter()
            .map(|row| (row.get(0), row.get::<_, i64>(1).max(0) as u64))
            .collect())
    }

    async fn admin_tasks(&self, query: AdminTaskQuery) -> StoreResult<(u64, Vec<AdminTask>)> {
        let condition = "($1::text IS NULL OR strpos(lower(t.title), $1) > 0 \
             OR strpos(lower(t.description), $1) > 0) \
             AND ($2::text IS NULL OR u.username_key = $2) \
             AND ($3::text IS NULL OR t.status = $3)";
        let page_sql = format!(
            "{ADMIN_TASK_SELECT} WHERE {condition} ORDER BY t.updated_at DESC, t.id DESC \
             LIMIT $4 OFFSET $5"
        );
        let count_sql = format!(
            "SELECT COUNT(*) FROM tasks t JOIN users u ON u.id = t.user_id WHERE {condition}"
        );
        let search = query.search.map(|s| s.to_lowercase());
        let username = query.username.map(|s| s.to_lowercase());
        let status = query.status.map(Status::as_str);
        let limit = i64::from(query.window.limit);
        let offset = query.window.offset.min(i64::MAX as u64) as i64;
        let mut client = self.client().await?;
        self.timed(async {
            let tx = client
                .build_transaction()
                .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await?;
            let count: i64 = tx
                .query_one(&count_sql, &[&search, &username, &status])
                .await?
                .get(0);
            let rows = tx
                .query(&page_sql, &[&search, &username, &status, &limit, &offset])
                .await?;
            tx.commit().await?;
            Ok((
                count.max(0) as u64,
                rows.iter().map(admin_task_from_row).collect(),
            ))
        })
        .await
    }

    async fn admin_tasks_by_id(&self, ids: Vec<i64>) -> StoreResult<Vec<AdminTask>> {
        let client = self.client().await?;
        let rows = self
            .timed(client.query_cached(
                &format!("{ADMIN_TASK_SELECT} WHERE t.id = ANY($1) ORDER BY t.id"),
                &[&ids],
            ))
            .await?;
        Ok(rows.iter().map(admin_task_from_row).collect())
    }

    async fn log_admin_actions(&self, actions: Vec<AdminAction>) -> StoreResult<()> {
        let mut client = self.client().await?;
        self.timed(async {
            let tx = client.transaction().await?;
            let insert = tx
                .prepare_cached(
                    "INSERT INTO admin_log (at, admin_id, admin_username, via, verb, object_kind, \
                     object_id, object_name, user_id, detail) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .await?;
            for action in &actions {
                tx.execute(
                    &insert,
                    &[
                        &action.at,
                        &action.admin_id,
                        &action.admin_username,
                        &action.via.as_str(),
                        &action.verb.as_str(),
                        &action.kind.as_str(),
                        &action.object_id,
                        &action.object_name,
                        &action.user_id,
                        &action.detail,
                    ],
                )
                .await?;
            }
            tx.commit().await
        })
        .await
    }

    async fn admin_actions(
        &self,
        user_id: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<AdminAction>> {
        let client = self.client().await?;
        let rows = self
            .timed(client.query_cached(
                "SELECT at, admin_id, admin_username, via, verb, object_kind, object_id, \
                 object_name, user_id, detail FROM admin_log \
                 WHERE $1::bigint IS NULL OR user_id = $1 ORDER BY id DESC LIMIT $2",
                &[&user_id, &i64::from(limit)],
            ))
            .await?;
        Ok(rows
            .iter()
            .map(|row| AdminAction {
                at: row.get(0),
                admin_id: row.get(1),
                admin_username: row.get(2),
                via: Via::parse(row.get(3)),
                verb: Verb::parse(row.get(4)),
                kind: ObjectKind::parse(row.get(5)),
                object_id: row.get(6),
                object_name: row.get(7),
                user_id: row.get(8),
                detail: row.get(9),
            })
            .collect())
    }
}
