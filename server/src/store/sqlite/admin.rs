//! The admin's reads and writes in SQLite.

use async_trait::async_trait;
use common::api::{AdminUser, Status};
use rusqlite::{params, OptionalExtension, Row};

use super::{instant, micros, SqliteStore};
use crate::store::{
    admin::{
        AdminAction, AdminStore, AdminTask, AdminTaskQuery, ObjectKind, UserChange, UserQuery,
        Verb, Via,
    },
    changes::Wake,
    StoreError, StoreResult,
};

const ADMIN_USER_SELECT: &str =
    "SELECT u.id, u.username, u.email, u.is_active, u.is_admin, u.date_joined, \
     (SELECT COUNT(*) FROM tasks t WHERE t.user_id = u.id) AS task_count FROM users u";

fn admin_user_from_row(row: &Row<'_>) -> rusqlite::Result<AdminUser> {
    Ok(AdminUser {
        id: row.get(0)?,
        username: row.get(1)?,
        email: row.get(2)?,
        is_active: row.get(3)?,
        is_admin: row.get(4)?,
        date_joined: instant(row.get(5)?),
        task_count: row.get(6)?,
    })
}

const ADMIN_TASK_SELECT: &str =
    "SELECT t.id, t.user_id, u.username, t.title, t.status, t.project, t.updated_at \
     FROM tasks t JOIN users u ON u.id = t.user_id";

fn admin_task_from_row(row: &Row<'_>) -> rusqlite::Result<AdminTask> {
    let status: String = row.get(4)?;
    Ok(AdminTask {
        id: row.get(0)?,
        user_id: row.get(1)?,
        username: row.get(2)?,
        title: row.get(3)?,
        status: Status::parse(&status).unwrap_or(Status::Pending),
        project: row.get(5)?,
        updated_at: instant(row.get(6)?),
    })
}

fn ids_json(ids: &[i64]) -> StoreResult<String> {
    serde_json::to_string(ids).map_err(|err| StoreError::Internal(err.into()))
}

#[async_trait]
impl AdminStore for SqliteStore {
    async fn list_users(&self, query: UserQuery) -> StoreResult<(u64, Vec<AdminUser>)> {
        let direction = if query.descending { "DESC" } else { "ASC" };
        let condition = "(?1 IS NULL OR contains_ci(u.username, ?1) OR contains_ci(u.email, ?1)) \
             AND (?2 IS NULL OR u.is_active = ?2) AND (?3 IS NULL OR u.is_admin = ?3)";
        // Only the sort's fixed column and direction are formatted in.
        let page_sql = format!(
            "{ADMIN_USER_SELECT} WHERE {condition} ORDER BY {} {direction}, u.id {direction} \
             LIMIT ?4 OFFSET ?5",
            query.sort.column()
        );
        let count_sql = format!("SELECT COUNT(*) FROM users u WHERE {condition}");
        self.read(move |conn| {
            let search = query.search.map(|s| s.to_lowercase());
            let filters = params![search, query.is_active, query.is_admin];
            // One snapshot for the count and the page, so they agree.
            let tx = conn.transaction()?;
            let count: u64 = tx
                .prepare_cached(&count_sql)?
                .query_row(filters, |row| row.get(0))?;
            let offset = query.window.offset.min(i64::MAX as u64) as i64;
            let users = tx
                .prepare_cached(&page_sql)?
                .query_map(
                    params![
                        search,
                        query.is_active,
                        query.is_admin,
                        query.window.limit,
                        offset
                    ],
                    admin_user_from_row,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            tx.finish()?;
            Ok((count, users))
        })
        .await
    }

    async fn admin_users(&self, ids: Vec<i64>) -> StoreResult<Vec<AdminUser>> {
        let ids = ids_json(&ids)?;
        self.read(move |conn| {
            conn.prepare_cached(&format!(
                "{ADMIN_USER_SELECT} WHERE u.id IN (SELECT value FROM json_each(?1)) ORDER BY u.id"
            ))?
            .query_map([ids], admin_user_from_row)?
            .collect()
        })
        .await
    }

    async fn update_user(
        &self,
        user_id: i64,
        change: UserChange,
        end_logins: bool,
    ) -> StoreResult<Option<AdminUser>> {
        let user = self
            .write(move |conn| {
                conn.prepare_cached(
                    "UPDATE users SET email = coalesce(?1, email), \
                     is_active = coalesce(?2, is_active), is_admin = coalesce(?3, is_admin) \
                     WHERE id = ?4",
                )?
                .execute(params![
                    change.email,
                    change.is_active,
                    change.is_admin,
                    user_id
                ])?;
                if end_logins {
                    super::accounts::end_logins_of(conn, user_id)?;
                }
                conn.prepare_cached(&format!("{ADMIN_USER_SELECT} WHERE u.id = ?1"))?
                    .query_row([user_id], admin_user_from_row)
                    .optional()
            })
            .await?;
        self.wakeups.send(Wake::Account(user_id));
        Ok(user)
    }

    async fn delete_user(&self, user_id: i64) -> StoreResult<bool> {
        let deleted = self
            .write(move |conn| {
                // Foreign keys cascade to tasks, tags, sessions and refresh tokens.
                let deleted = conn
                    .prepare_cached("DELETE FROM users WHERE id = ?1")?
                    .execute([user_id])?;
                Ok(deleted > 0)
            })
            .await?;
        self.wakeups.send(Wake::Account(user_id));
        Ok(deleted)
    }

    async fn trash_counts(&self, user_ids: Vec<i64>) -> StoreResult<Vec<(i64, u64)>> {
        let ids = ids_json(&user_ids)?;
        self.read(move |conn| {
            conn.prepare_cached(
                "SELECT user_id, COUNT(*) FROM trash \
                 WHERE user_id IN (SELECT value FROM json_each(?1)) GROUP BY user_id",
            )?
            .query_map([ids], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect()
        })
        .await
    }

    async fn admin_tasks(&self, query: AdminTaskQuery) -> StoreResult<(u64, Vec<AdminTask>)> {
        let condition =
            "(?1 IS NULL OR contains_ci(t.title, ?1) OR contains_ci(t.description, ?1)) \
             AND (?2 IS NULL OR u.username_key = ?2) AND (?3 IS NULL OR t.status = ?3)";
        let page_sql = format!(
            "{ADMIN_TASK_SELECT} WHERE {condition} ORDER BY t.updated_at DESC, t.id DESC \
             LIMIT ?4 OFFSET ?5"
        );
        let count_sql = format!(
            "SELECT COUNT(*) FROM tasks t JOIN users u ON u.id = t.user_id WHERE {condition}"
        );
        self.read(move |conn| {
            let search = query.search.map(|s| s.to_lowercase());
            let username = query.username.map(|s| s.to_lowercase());
            let status = query.status.map(Status::as_str);
            let tx = conn.transaction()?;
            let count: u64 = tx
                .prepare_cached(&count_sql)?
                .query_row(params![search, username, status], |row| row.get(0))?;
            let offset = query.window.offset.min(i64::MAX as u64) as i64;
            let tasks = tx
                .prepare_cached(&page_sql)?
                .query_map(
                    params![search, username, status, query.window.limit, offset],
                    admin_task_from_row,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            tx.finish()?;
            Ok((count, tasks))
        })
        .await
    }

    async fn admin_tasks_by_id(&self, ids: Vec<i64>) -> StoreResult<Vec<AdminTask>> {
        let ids = ids_json(&ids)?;
        self.read(move |conn| {
            conn.prepare_cached(&format!(
                "{ADMIN_TASK_SELECT} WHERE t.id IN (SELECT value FROM json_each(?1)) ORDER BY t.id"
            ))?
            .query_map([ids], admin_task_from_row)?
            .collect()
        })
        .await
    }

    async fn log_admin_actions(&self, actions: Vec<AdminAction>) -> StoreResult<()> {
        self.write_keeping_auth(move |conn| {
            let mut insert = conn.prepare_cached(
                "INSERT INTO admin_log (at, admin_id, admin_username, via, verb, object_kind, \
                 object_id, object_name, user_id, detail) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for action in actions {
                insert.execute(params![
                    micros(action.at),
                    action.admin_id,
                    action.admin_username,
                    action.via.as_str(),
                    action.verb.as_str(),
                    action.kind.as_str(),
                    action.object_id,
                    action.object_name,
                    action.user_id,
                    action.detail
                ])?;
            }
            Ok(())
        })
        .await
    }

    async fn admin_actions(
        &self,
        user_id: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<AdminAction>> {
        self.read(move |conn| {
            conn.prepare_cached(
                "SELECT at, admin_id, admin_username, via, verb, object_kind, object_id, \
                 object_name, user_id, detail FROM admin_log \
                 WHERE ?1 IS NULL OR user_id = ?1 ORDER BY id DESC LIMIT ?2",
            )?
            .query_map(params![user_id, limit], |row| {
                let via: String = row.get(3)?;
                let verb: String = row.get(4)?;
                let kind: String = row.get(5)?;
                Ok(AdminAction {
                    at: instant(row.get(0)?),
                    admin_id: row.get(1)?,
                    admin_username: row.get(2)?,
                    via: Via::parse(&via),
                    verb: Verb::parse(&verb),
                    kind: ObjectKind::parse(&kind),
                    object_id: row.get(6)?,
                    object_name: row.get(7)?,
                    user_id: row.get(8)?,
                    detail: row.get(9)?,
                })
            })?
            .collect()
        })
        .await
    }
}
