//! What a create, a replace, a patch or a delete makes of a task: defaults,
//! `completed_at`, the version, and a change that changes nothing.

use chrono::{DateTime, Utc};
use common::api::{Priority, Status, Task};

use super::MAX_WRITE_ATTEMPTS;
use crate::store::{Store, StoreError, StoreResult};

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

impl TaskFields {
    /// A pending task with nothing but a title.
    pub fn titled(title: impl Into<String>) -> TaskFields {
        TaskFields {
            title: title.into(),
            description: String::new(),
            status: Status::Pending,
            priority: None,
            due: None,
            project: None,
            tags: Vec::new(),
        }
    }

    fn of(task: &Task) -> TaskFields {
        TaskFields {
            title: task.title.clone(),
            description: task.description.clone(),
            status: task.status,
            priority: task.priority,
            due: task.due,
            project: task.project.clone(),
            tags: task.tags.clone(),
        }
    }
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

/// PUT replaces every writable field; PATCH changes some.
#[derive(Debug, Clone)]
pub enum TaskChange {
    Replace(TaskFields),
    Patch(TaskFieldsPatch),
}

/// What an update or delete of a task came to.
#[derive(Debug)]
pub enum Written<T> {
    Done(T),
    NotFound,
    /// `If-Match` named another version.
    VersionMismatch,
}

/// Instants are kept to the microsecond on every backend: a value is
/// compared and returned as it will be read back.
pub fn stored(instant: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(instant.timestamp_micros()).unwrap_or(instant)
}

/// A new task as it is stored; its `id` is the store's to assign.
pub fn new_task(fields: TaskFields, now: DateTime<Utc>) -> Task {
    let now = stored(now);
    Task {
        id: 0,
        completed_at: (fields.status == Status::Done).then_some(now),
        title: fields.title,
        description: fields.description,
        status: fields.status,
        priority: fields.priority,
        due: fields.due.map(stored),
        project: fields.project,
        tags: fields.tags,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

/// `current` after `change`, one version on; `None` when nothing would
/// change, so that the version (and another client's `If-Match`) stays.
pub fn changed(current: &Task, change: TaskChange, now: DateTime<Utc>) -> Option<Task> {
    let before = TaskFields::of(current);
    let mut fields = match change {
        TaskChange::Replace(fields) => fields,
        TaskChange::Patch(patch) => {
            let mut fields = before.clone();
            patch.apply(&mut fields);
            fields
        }
    };
    fields.due = fields.due.map(stored);
    if fields == before {
        return None;
    }
    let now = stored(now);
    let completed_at = match (current.status, fields.status) {
        (_, Status::Pending) => None,
        (Status::Done, Status::Done) => current.completed_at,
        (Status::Pending, Status::Done) => Some(now),
    };
    Some(Task {
        id: current.id,
        title: fields.title,
        description: fields.description,
        status: fields.status,
        priority: fields.priority,
        due: fields.due,
        project: fields.project,
        tags: fields.tags,
        created_at: current.created_at,
        updated_at: now,
        completed_at,
        version: current.version + 1,
    })
}

/// `If-Match`: `None` for no precondition, else the versions one of which
/// must be current (an empty list matches none).
fn precondition_holds(if_version: Option<&[i64]>, version: i64) -> bool {
    if_version.is_none_or(|versions| versions.contains(&version))
}

pub async fn create(store: &dyn Store, user_id: i64, fields: TaskFields) -> StoreResult<Task> {
    store
        .insert_task(user_id, new_task(fields, Utc::now()))
        .await
}

/// Applies `change` to the user's task. A missing task is `NotFound`
/// whatever `if_version` says. The write is a compare-and-set on the version
/// read: when another writer (another request, another daemon) got in
/// between, the change is made again on what that writer left, or, under
/// `If-Match`, refused since the version named is no longer current.
pub async fn update(
    store: &dyn Store,
    user_id: i64,
    task_id: i64,
    if_version: Option<Vec<i64>>,
    change: TaskChange,
) -> StoreResult<Written<Task>> {
    for _ in 0..MAX_WRITE_ATTEMPTS {
        let Some(current) = store.get_task(user_id, task_id).await? else {
            return Ok(Written::NotFound);
        };
        if !precondition_holds(if_version.as_deref(), current.version) {
            return Ok(Written::VersionMismatch);
        }
        let Some(next) = changed(&current, change.clone(), Utc::now()) else {
            return Ok(Written::Done(current));
        };
        if store
            .replace_task(user_id, next.clone(), current.version)
            .await?
        {
            return Ok(Written::Done(next));
        }
    }
    Err(contended())
}

/// Deletes the user's task, under the same precondition as [`update`].
pub async fn delete(
    store: &dyn Store,
    user_id: i64,
    task_id: i64,
    if_version: Option<Vec<i64>>,
) -> StoreResult<Written<()>> {
    for _ in 0..MAX_WRITE_ATTEMPTS {
        let Some(current) = store.get_task(user_id, task_id).await? else {
            return Ok(Written::NotFound);
        };
        if !precondition_holds(if_version.as_deref(), current.version) {
            return Ok(Written::VersionMismatch);
        }
        if store.delete_task(user_id, task_id, current.version).await? {
            return Ok(Written::Done(()));
        }
    }
    Err(contended())
}

fn contended() -> StoreError {
    StoreError::Unavailable(anyhow::anyhow!(
        "the task kept changing under this write; try again"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task() -> Task {
        new_task(TaskFields::titled("Buy milk"), Utc::now())
    }

    #[test]
    fn a_change_that_changes_nothing_keeps_the_version() {
        let current = task();
        let same = TaskChange::Patch(TaskFieldsPatch {
            title: Some("Buy milk".into()),
            ..TaskFieldsPatch::default()
        });
        assert!(changed(&current, same, Utc::now()).is_none());
        assert!(changed(
            &current,
            TaskChange::Replace(TaskFields::titled("Buy milk")),
            Utc::now()
        )
        .is_none());
    }

    #[test]
    fn done_sets_completed_at_once_and_pending_clears_it() {
        let current = task();
        let done = |task: &Task| {
            changed(
                task,
                TaskChange::Patch(TaskFieldsPatch {
                    status: Some(Status::Done),
                    ..TaskFieldsPatch::default()
                }),
                Utc::now(),
            )
        };
        let finished = done(&current).unwrap();
        assert_eq!(finished.version, 2);
        assert!(finished.completed_at.is_some());
        assert!(done(&finished).is_none(), "done again changes nothing");
        let retitled = changed(
            &finished,
            TaskChange::Patch(TaskFieldsPatch {
                title: Some("Buy oat milk".into()),
                ..TaskFieldsPatch::default()
            }),
            Utc::now(),
        )
        .unwrap();
        assert_eq!(retitled.completed_at, finished.completed_at);
        let reopened = changed(
            &retitled,
            TaskChange::Patch(TaskFieldsPatch {
                status: Some(Status::Pending),
                ..TaskFieldsPatch::default()
            }),
            Utc::now(),
        )
        .unwrap();
        assert_eq!(reopened.completed_at, None);
        assert_eq!(reopened.version, 4);
    }

    #[test]
    fn if_match_lists_the_versions_that_pass() {
        assert!(precondition_holds(None, 3));
        assert!(precondition_holds(Some(&[2, 3]), 3));
        assert!(!precondition_holds(Some(&[2]), 3));
        assert!(!precondition_holds(Some(&[]), 3));
    }
}
