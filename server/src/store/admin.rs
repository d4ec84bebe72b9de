//! What only admins read and write: every account, filtered and sorted; the
//! admin log; and tasks across users.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use common::api::{AdminUser, Status};

use super::StoreResult;
pub use crate::task_query::{AdminTaskQuery, UserQuery, UserSort};

/// A task as the admin's tasks list shows it: with its owner.
#[derive(Debug, Clone, PartialEq)]
pub struct AdminTask {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub title: String,
    pub status: Status,
    pub project: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// Where an admin action was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Web,
    Api,
    /// A command on the server (`taskd createsuperuser`, `taskd createuser`).
    Command,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Web => "web",
            Via::Api => "api",
            Via::Command => "command",
        }
    }

    pub fn parse(text: &str) -> Via {
        match text {
            "api" => Via::Api,
            "command" => Via::Command,
            _ => Via::Web,
        }
    }
}

/// What an admin did to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Added,
    Changed,
    Deleted,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Added => "added",
            Verb::Changed => "changed",
            Verb::Deleted => "deleted",
        }
    }

    pub fn parse(text: &str) -> Verb {
        match text {
            "added" => Verb::Added,
            "deleted" => Verb::Deleted,
            _ => Verb::Changed,
        }
    }
}

/// What kind of object an admin action was made on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    User,
    Task,
}

impl ObjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::User => "user",
            ObjectKind::Task => "task",
        }
    }

    pub fn parse(text: &str) -> ObjectKind {
        if text == "task" {
            ObjectKind::Task
        } else {
            ObjectKind::User
        }
    }
}

/// One entry of the admin log. The log outlives the accounts it names, so
/// it keeps their names as they were.
#[derive(Debug, Clone, PartialEq)]
pub struct AdminAction {
    pub at: DateTime<Utc>,
    pub admin_id: i64,
    pub admin_username: String,
    pub via: Via,
    pub verb: Verb,
    pub kind: ObjectKind,
    pub object_id: i64,
    /// The object's name when the action was made: a username, a title.
    pub object_name: String,
    /// The account the action concerns: the user, or the task's owner.
    pub user_id: i64,
    /// What changed, in words ("Deactivated.", "Changed email.").
    pub detail: String,
}

#[async_trait]
pub trait AdminStore: Send + Sync + 'static {
    /// The page of accounts `query` selects, each with its number of tasks,
    /// and how many it selects in all.
    async fn list_users(&self, query: UserQuery) -> StoreResult<(u64, Vec<AdminUser>)>;
    /// These accounts (those there are), by id.
    async fn admin_users(&self, ids: Vec<i64>) -> StoreResult<Vec<AdminUser>>;
    /// Sets what is given; with `end_logins`, also ends every login and
    /// access token of the user, in the same transaction.
    async fn update_user(
        &self,
        user_id: i64,
        change: UserChange,
        end_logins: bool,
    ) -> StoreResult<Option<AdminUser>>;
    /// Deletes the user, their tasks (the trash too) and their logins.
    async fn delete_user(&self, user_id: i64) -> StoreResult<bool>;
    /// How many tasks each of these accounts has in the trash (those with
    /// none are left out).
    async fn trash_counts(&self, user_ids: Vec<i64>) -> StoreResult<Vec<(i64, u64)>>;
    /// The page of tasks across users `query` selects, newest change first,
    /// and how many it selects in all.
    async fn admin_tasks(&self, query: AdminTaskQuery) -> StoreResult<(u64, Vec<AdminTask>)>;
    /// These tasks (those there are), with their owners.
    async fn admin_tasks_by_id(&self, ids: Vec<i64>) -> StoreResult<Vec<AdminTask>>;
    /// Appends to the admin log.
    async fn log_admin_actions(&self, actions: Vec<AdminAction>) -> StoreResult<()>;
    /// The latest `limit` entries of the admin log, newest first; only
    /// those concerning `user_id` when given.
    async fn admin_actions(
        &self,
        user_id: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<AdminAction>>;
}

/// What an admin may change of an account besides its password.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChange {
    pub email: Option<String>,
    pub is_active: Option<bool>,
    pub is_admin: Option<bool>,
}
