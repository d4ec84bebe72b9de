//! Storage behind one interface: handlers see only [`Store`], so another
//! backend (PostgreSQL, for several daemons behind a load balancer) plugs in
//! without touching them.

pub mod sqlite;

use std::path::Path;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use common::api::{AdminUser, Priority, Status, Task, User};

use crate::task_query::{PageWindow, TaskFilter};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or is locked beyond patience.
    #[error("database unavailable: {0:#}")]
    Unavailable(anyhow::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// An account with what only the server may see.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub is_active: bool,
    pub is_admin: bool,
    pub date_joined: DateTime<Utc>,
    /// Bumped by a password change: access tokens carry the value they were
    /// issued under, and older ones stop working.
    pub token_version: i64,
}

impl UserRecord {
    pub fn to_api(&self) -> User {
        User {
            id: self.id,
            username: self.username.clone(),
            email: self.email.clone(),
            date_joined: self.date_joined,
            is_admin: self.is_admin,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub is_admin: bool,
}

/// Every writable field of a task, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskFields {
    pub title: String,
    pub description: String,
    pub status: Status,
    pub priority: Option<Priority>,
    pub due: Option<DateTime<Utc>>,
    pub project: Option<String>,
    pub tags: Vec<String>,
}

/// The fields a PATCH changes, validated; `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskFieldsPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub status: Option<Status>,
    pub priority: Option<Option<Priority>>,
    pub due: Option<Option<DateTime<Utc>>>,
    pub project: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
}

impl TaskFieldsPatch {
    pub fn apply(self, task: &mut TaskFields) {
        if let Some(v) = self.title {
            task.title = v;
        }
        if let Some(v) = self.description {
            task.description = v;
        }
        if let Some(v) = self.status {
            task.status = v;
        }
        if let Some(v) = self.priority {
            task.priority = v;
        }
        if let Some(v) = self.due {
            task.due = v;
        }
        if let Some(v) = self.project {
            task.project = v;
        }
        if let Some(v) = self.tags {
            task.tags = v;
        }
    }
}

/// What an update or delete of a task came to.
#[derive(Debug)]
pub enum Written<T> {
    Done(T),
    NotFound,
    /// `If-Match` named another version.
    VersionMismatch,
}

/// What presenting a refresh token came to.
#[derive(Debug)]
pub enum Refreshed {
    /// The token was live: it is now spent, and `session_id` goes on.
    Rotated { user: UserRecord, session_id: i64 },
    /// The token had been rotated already: the whole login is now revoked.
    Reused,
    /// Unknown, expired, revoked, or its user is inactive.
    Invalid,
}

/// What the authentication of one request needs to know.
#[derive(Debug, Clone)]
pub struct AuthContext {
    pub user: UserRecord,
    pub session_live: bool,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Answers when the database does.
    async fn health(&self) -> StoreResult<()>;

    /// `Ok(None)` when the username is taken (case-insensitively).
    async fn create_user(&self, user: NewUser) -> StoreResult<Option<UserRecord>>;
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRecord>>;
    /// The user and whether the login is live. Asked on every authenticated
    /// request, so a backend may answer from memory, as long as no change to
    /// the user or the login is missed once acknowledged: the SQLite backend
    /// can, since one daemon alone serves its database; a backend shared by
    /// several daemons must hear of the others' changes or ask every time.
    async fn auth_context(&self, user_id: i64, session_id: i64)
        -> StoreResult<Option<AuthContext>>;
    /// Opens a login whose first refresh token has hash `refresh_hash`.
    async fn create_session(
        &self,
        user_id: i64,
        refresh_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<i64>;
    /// Spends the refresh token `old_hash`, issuing `new_hash` in its place.
    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        new_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<Refreshed>;
    /// Revokes the login of `user_id` that `refresh_hash` belongs to; false if
    /// there is none.
    async fn revoke_session(&self, user_id: i64, refresh_hash: &str) -> StoreResult<bool>;
    /// Sets the password and ends every login and every access token.
    async fn change_password(&self, user_id: i64, password_hash: &str) -> StoreResult<()>;
    /// Deletes the refresh tokens that expired before `now`, then the logins
    /// left with none; returns how many logins went.
    async fn purge_expired_logins(&self, now: DateTime<Utc>) -> StoreResult<u64>;

    /// One page of every account, oldest first, and how many there are.
    async fn list_users(&self, window: PageWindow) -> StoreResult<(u64, Vec<AdminUser>)>;
    async fn update_user_flags(
        &self,
        user_id: i64,
        is_active: Option<bool>,
        is_admin: Option<bool>,
    ) -> StoreResult<Option<AdminUser>>;
    /// Deletes the user, their tasks and their logins.
    async fn delete_user(&self, user_id: i64) -> StoreResult<bool>;

    /// The page `filter` selects and the count of all matching tasks.
    async fn list_tasks(&self, user_id: i64, filter: TaskFilter) -> StoreResult<TaskPage>;
    async fn create_task(&self, user_id: i64, fields: TaskFields) -> StoreResult<Task>;
    async fn get_task(&self, user_id: i64, task_id: i64) -> StoreResult<Option<Task>>;
    /// `if_version` (from `If-Match`): `None` for no precondition, else the
    /// versions one of which must be current; an empty list matches none.
    /// A missing task is `NotFound` whatever it says.
    async fn update_task(
        &self,
        user_id: i64,
        task_id: i64,
        if_version: Option<Vec<i64>>,
        change: TaskChange,
    ) -> StoreResult<Written<Task>>;
    async fn delete_task(
        &self,
        user_id: i64,
        task_id: i64,
        if_version: Option<Vec<i64>>,
    ) -> StoreResult<Written<()>>;

    /// Copies the live database to `dest`.
    async fn backup(&self, dest: &Path) -> StoreResult<()>;
}

/// A page of tasks, already rendered as the JSON array of the API's task
/// objects: a large page goes from rows to bytes with no `Task` in between.
#[derive(Debug, Clone)]
pub struct TaskPage {
    /// How many tasks match the filter, on every page.
    pub count: u64,
    /// `[{task}, …]`, each exactly as `common::api::Task` serialises.
    pub results_json: Vec<u8>,
}

/// PUT replaces every writable field; PATCH changes some.
#[derive(Debug, Clone)]
pub enum TaskChange {
    Replace(TaskFields),
    Patch(TaskFieldsPatch),
}
