//! What changes tell: the change feed's events, undo's steps, a task's
//! history, the trash, and one action on many tasks.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use super::{Task, TaskPatch};

/// What a change did to its task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ChangeOp {
    Created,
    Updated,
    Deleted,
}

impl ChangeOp {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeOp::Created => "created",
            ChangeOp::Updated => "updated",
            ChangeOp::Deleted => "deleted",
        }
    }

    pub fn parse(text: &str) -> Option<ChangeOp> {
        match text {
            "created" => Some(ChangeOp::Created),
            "updated" => Some(ChangeOp::Updated),
            "deleted" => Some(ChangeOp::Deleted),
            _ => None,
        }
    }
}

/// The data of a `task` event on `GET /api/events/`: one committed change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TaskEvent {
    pub op: ChangeOp,
    /// The task's id.
    pub id: i64,
    /// Its version after the change (the last it had, when deleted).
    pub version: i64,
    /// The task as `GET /api/tasks/{id}/` returned it after this change;
    /// null when deleted.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub task: Option<Task>,
}

/// The data of a `logout` event: why the stream ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum StreamEnd {
    /// The access token expired: reconnect with a fresh one and the last
    /// cursor, losing nothing.
    Expired,
    /// The login ended (logout, password change, deactivation): log in again.
    Revoked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LogoutEvent {
    pub reason: StreamEnd,
}

/// What `POST /api/tasks/bulk/` does to each task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum BulkAction {
    Done,
    Reopen,
    Delete,
    Start,
    Stop,
    Modify,
}

/// `POST /api/tasks/bulk/`: one action on several tasks, as one change set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BulkRequest {
    pub ids: Vec<i64>,
    pub action: BulkAction,
    /// For `modify`: the fields to change, as in a PATCH.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch: Option<TaskPatch>,
    /// For `modify`: a task's own patch, by its id, in place of `patch`
    /// (for changes that depend on the task, as adding a tag to its own).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub patches: BTreeMap<String, TaskPatch>,
    /// The version a task was read at, by its id: a task at another is
    /// left as it is and listed as failed, as a PATCH's `If-Match` would
    /// (for a patch built from what was read, as a title appended to).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub versions: BTreeMap<String, i64>,
}

/// What a bulk request did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BulkResult {
    /// The tasks as they are now (as they were, when deleted), those
    /// already so included.
    pub changed: Vec<Task>,
    /// The tasks that could not take the change.
    pub failed: Vec<BulkFailure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BulkFailure {
    pub id: i64,
    pub reason: String,
}

/// A change set undo or redo would revert (`GET`), or did (`POST`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UndoStep {
    pub change_set: i64,
    #[serde(serialize_with = "crate::rfc3339::serialize")]
    pub at: DateTime<Utc>,
    /// What that set did, in words: `deleted task 4 "Pay rent"`.
    pub summary: String,
    pub task_ids: Vec<i64>,
    /// After a `POST`: the tasks as they are now.
    #[serde(default)]
    pub tasks: Vec<Task>,
    /// After a `POST`: the tasks it moved to the trash.
    #[serde(default)]
    pub trashed: Vec<i64>,
}

/// One field's change in a task's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct HistoryEntry {
    #[serde(serialize_with = "crate::rfc3339::serialize")]
    pub at: DateTime<Utc>,
    pub change_set: i64,
    pub op: ChangeOp,
    /// Null for a deletion, which changes the task as a whole.
    pub field: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub old: serde_json::Value,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub new: serde_json::Value,
}

/// A task in the trash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TrashedTask {
    #[serde(serialize_with = "crate::rfc3339::serialize")]
    pub deleted_at: DateTime<Utc>,
    pub task: Task,
}
