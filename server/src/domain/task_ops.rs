//! The task operations the handlers call. Each reads what it needs, applies
//! the rules of [`super::tasks`], and writes only over the version it read
//! (a store may read and write in one step): when another writer (another request, another daemon)
//! got in between, the operation is made again on what that writer left,
//! or, under `If-Match`, refused, since the version named is no longer
//! current.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
};

use chrono::{DateTime, Utc};
use common::{
    api::{Annotation, NameCount, Status, Task},
    urgency,
};

use super::{
    tasks::{
        changed, new_task, precondition_holds, reserved_names, stored, TaskChange, TaskFields,
    },
    FieldErrors, MAX_WRITE_ATTEMPTS,
};
use crate::{
    store::{Edited, Facet, Store, StoreError, TaskEdit, TaskPage},
    task_query::{OrderField, TaskFilter},
};

/// Why a task operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// No such task, or another user's.
    #[error("no such task")]
    NotFound,
    /// `If-Match` named another version.
    #[error("the version does not match")]
    VersionMismatch,
    /// Not allowed, for the reason given (no one field is at fault).
    #[error("{0}")]
    Refused(String),
}

pub type TaskResult<T> = Result<T, TaskError>;

pub(super) fn invalid(field: &str, message: impl Into<String>) -> TaskError {
    TaskError::Invalid(BTreeMap::from([(field.to_string(), vec![message.into()])]))
}

/// The read-time fields: urgency, at `now`.
pub fn finished(mut task: Task, now: DateTime<Utc>) -> Task {
    task.urgency = urgency::urgency(&task, now);
    task
}

pub async fn get(store: &dyn Store, user_id: i64, task_id: i64) -> TaskResult<Task> {
    let task = store.get_task(user_id, task_id).await?;
    task.map(|task| finished(task, Utc::now()))
        .ok_or(TaskError::NotFound)
}

/// Tasks fetched at most to order a list by urgency, which is known only
/// once each task is read.
const MAX_URGENCY_SORT: u32 = 100_000;

/// Tasks of an urgency-ordered page read whole at a time, so that a page
/// that reaches its budget early reads little more than it shows.
const URGENCY_PAGE_CHUNK: usize = 50;

/// Every task `filter` selects (its page window aside), in Taskwarrior's
/// export format and `filter`'s order, as JSON text a page at a time: `[`,
/// then one task a line, then `]`, as `task export` writes it. Each page
/// is within the page budget, so exporting a large account holds one page
/// at a time, never the whole export.
pub fn export_json(
    store: std::sync::Arc<dyn Store>,
    user_id: i64,
    filter: TaskFilter,
) -> impl futures_util::Stream<Item = TaskResult<Vec<u8>>> + Send {
    const PAGE: u32 = 1000;
    // (the next offset, whether a task was written yet); `None`: finished.
    futures_util::stream::unfold(Some((0u64, false)), move |state| {
        let store = std::sync::Arc::clone(&store);
        let mut filter = filter.clone();
        async move {
            let (offset, wrote_any) = state?;
            filter.page = crate::task_query::PageWindow {
                limit: PAGE,
                offset,
            };
            filter.budget = Some(crate::task_query::PAGE_BYTES);
            let (tasks, count) = match export_page(store.as_ref(), user_id, filter).await {
                Ok(page) => page,
                Err(err) => return Some((Err(err), None)),
            };
            let mut out = Vec::new();
            if offset == 0 {
                out.extend_from_slice(b"[\n");
            }
            let mut wrote = wrote_any;
            for task in &tasks {
                if wrote {
                    out.extend_from_slice(b",\n");
                }
                if let Err(err) = serde_json::to_writer(&mut out, task) {
                    return Some((
                        Err(TaskError::Store(StoreError::Internal(err.into()))),
                        None,
                    ));
                }
                wrote = true;
            }
            let next = offset + tasks.len() as u64;
            let done = tasks.is_empty() || next >= count;
            if done {
                out.extend_from_slice(if wrote { b"\n]\n" } else { b"]\n" });
            }
            Some((Ok(out), (!done).then_some((next, wrote))))
        }
    })
}

/// One page of an export, and how many tasks the filter selects in all.
async fn export_page(
    store: &dyn Store,
    user_id: i64,
    filter: TaskFilter,
) -> TaskResult<(Vec<serde_json::Value>, u64)> {
    let page = list(store, user_id, filter).await?;
    let wanted: Vec<i64> = page
        .tasks
        .iter()
        .flat_map(|t| t.depends.iter().copied())
        .collect::<BTreeSet<i64>>()
        .into_iter()
        .collect();
    let uuids: std::collections::HashMap<i64, String> = if wanted.is_empty() {
        Default::default()
    } else {
        store
            .task_uuids(user_id, wanted)
            .await?
            .into_iter()
            .collect()
    };
    let tasks = page
        .tasks
        .iter()
        .map(|task| super::taskwarrior::export(task, &uuids))
        .collect();
    Ok((tasks, page.count))
}

/// How many of the tasks `filter` selects have each project (or tag).
pub async fn count_by(
    store: &dyn Store,
    user_id: i64,
    filter: TaskFilter,
    facet: Facet,
) -> TaskResult<Vec<NameCount>> {
    let counts = store.count_by(user_id, filter, facet).await?;
    Ok(counts
        .into_iter()
        .map(|(name, count)| NameCount { name, count })
        .collect())
}

/// The page `filter` selects. Ordered by urgency, every matching task is
/// read, ordered here and cut to the page.
pub async fn list(store: &dyn Store, user_id: i64, filter: TaskFilter) -> TaskResult<TaskPage> {
    let now = filter.now;
    if !filter
        .query
        .ordering
        .iter()
        .any(|key| key.field == OrderField::Urgency)
    {
        let mut page = store.list_tasks(user_id, filter).await?;
        page.tasks = page.tasks.into_iter().map(|t| finished(t, now)).collect();
        return Ok(page);
    }
    // Every matching task is read light (no descriptions, no notes' texts)
    // to be ordered; then the page's tasks are read whole, up to the budget.
    let window = filter.page;
    let mut everything = filter.clone();
    everything.page = crate::task_query::PageWindow {
        limit: MAX_URGENCY_SORT,
        offset: 0,
    };
    everything.query.ordering = Vec::new();
    everything.budget = None;
    everything.light = true;
    let all = store.list_tasks(user_id, everything).await?;
    let mut light: Vec<Task> = all.tasks.into_iter().map(|t| finished(t, now)).collect();
    light.sort_by(|a, b| crate::task_query::compare(a, b, &filter.query.ordering));
    let wanted: Vec<String> = light
        .into_iter()
        .skip(usize::try_from(window.offset).unwrap_or(usize::MAX))
        .take(window.limit as usize)
        .map(|task| task.uuid)
        .collect();
    let mut tasks = Vec::with_capacity(wanted.len());
    let mut weight = 0;
    'chunks: for chunk in wanted.chunks(URGENCY_PAGE_CHUNK) {
        let mut whole: std::collections::HashMap<String, Task> = store
            .tasks_by_uuid(user_id, chunk.to_vec())
            .await?
            .into_iter()
            .map(|task| (task.uuid.clone(), task))
            .collect();
        for uuid in chunk {
            // Gone since the light read: the page is one shorter.
            let Some(task) = whole.remove(uuid) else {
                continue;
            };
            weight += crate::store::weight(&task);
            tasks.push(finished(task, now));
            if filter.budget.is_some_and(|budget| weight >= budget) {
                break 'chunks;
            }
        }
    }
    Ok(TaskPage {
        count: all.count,
        tasks,
    })
}

/// Checks `depends` of task `task_id` (`None` for a new task): the user's
/// own tasks, not itself, no cycle. Says nothing of which unknown ids exist
/// for someone else. Returns whether one of them is pending (the task is
/// then blocked).
pub(super) async fn check_depends(
    store: &dyn Store,
    user_id: i64,
    task_id: Option<i64>,
    depends: &[i64],
) -> TaskResult<bool> {
    if depends.is_empty() {
        return Ok(false);
    }
    if task_id.is_some_and(|id| depends.contains(&id)) {
        return Err(invalid("depends", "A task cannot depend on itself."));
    }
    let statuses = store.task_statuses(user_id, depends.to_vec()).await?;
    let unknown: Vec<String> = depends
        .iter()
        .filter(|id| !statuses.iter().any(|(known, _)| known == *id))
        .map(i64::to_string)
        .collect();
    if !unknown.is_empty() {
        return Err(invalid(
            "depends",
            format!("No task of yours has the id {}.", unknown.join(", ")),
        ));
    }
    if let Some(task_id) = task_id {
        let edges = store.dependency_edges(user_id).await?;
        if reaches(&edges, depends, task_id) {
            return Err(invalid(
                "depends",
                "These dependencies would make a cycle: the task would wait for itself.",
            ));
        }
    }
    Ok(statuses
        .iter()
        .any(|(_, status)| *status == Status::Pending))
}

/// Whether `target` can be reached from any of `from` along `edges`
/// (task → what it depends on).
pub(super) fn reaches(edges: &[(i64, i64)], from: &[i64], target: i64) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<i64> = from.to_vec();
    while let Some(id) = stack.pop() {
        if id == target {
            return true;
        }
        if seen.insert(id) {
            stack.extend(
                edges
                    .iter()
                    .filter(|(task, _)| *task == id)
                    .map(|(_, on)| *on),
            );
        }
    }
    false
}

pub async fn create(store: &dyn Store, user_id: i64, fields: TaskFields) -> TaskResult<Task> {
    let now = Utc::now();
    let refused = reserved_names(&fields.tags, &fields.udas, None);
    if !refused.is_empty() {
        return Err(TaskError::Invalid(refused));
    }
    let mut task = new_task(fields, now);
    task.blocked = check_depends(store, user_id, None, &task.depends).await?;
    let task = store.insert_task(user_id, task).await?;
    Ok(finished(task, now))
}

/// The task as it is now, if `if_version` lets a write go on from it. A
/// missing task is `NotFound` whatever `if_version` says.
async fn current(
    store: &dyn Store,
    user_id: i64,
    task_id: i64,
    if_version: Option<&[i64]>,
) -> TaskResult<Task> {
    let current = store
        .get_task(user_id, task_id)
        .await?
        .ok_or(TaskError::NotFound)?;
    if !precondition_holds(if_version, current.version) {
        return Err(TaskError::VersionMismatch);
    }
    Ok(current)
}

/// Writes what `make` makes of the current task, under `if_version`.
/// `make` answering `Ok(None)` means nothing changes.
///
/// The store runs `make` on the task as it stands when the write runs
/// ([`edit_task`](crate::store::TaskStore::edit_task)). What it cannot finish there is handed back
/// and finished here: a refusal, which is told, and a change of
/// dependencies, which is checked against the user's other tasks first and
/// then written under a compare-and-set.
async fn write(
    store: &dyn Store,
    user_id: i64,
    task_id: i64,
    if_version: Option<Vec<i64>>,
    make: impl Fn(&Task, DateTime<Utc>) -> TaskResult<Option<Task>> + Send + Sync + 'static,
) -> TaskResult<Task> {
    let make = Arc::new(make);
    let if_version: Option<Arc<[i64]>> = if_version.map(Arc::from);
    for _ in 0..MAX_WRITE_ATTEMPTS {
        let now = Utc::now();
        let edit: TaskEdit = {
            let (make, if_version) = (make.clone(), if_version.clone());
            Arc::new(move |current: &Task| {
                if !precondition_holds(if_version.as_deref(), current.version) {
                    return None;
                }
                match make(current, now) {
                    Ok(Some(next)) if next.depends == current.depends => Some(next),
                    _ => None,
                }
            })
        };
        let current = match store.edit_task(user_id, task_id, edit).await? {
            Edited::Written(written) => return Ok(finished(written, now)),
            Edited::Missing => return Err(TaskError::NotFound),
            Edited::Raced => continue,
            Edited::Declined(current) => current,
        };
        if !precondition_holds(if_version.as_deref(), current.version) {
            return Err(TaskError::VersionMismatch);
        }
        let Some(mut next) = make(&current, now)? else {
            return Ok(finished(current, now));
        };
        next.blocked = check_depends(store, user_id, Some(task_id), &next.depends).await?;
        // The store answers the task as it reads back, `blocking` included.
        if let Some(written) = store.replace_task(user_id, next, current).await? {
            return Ok(finished(written, now));
        }
    }
    Err(contended())
}

pub async fn update(
    store: &dyn Store,
    user_id: i64,
    task_id: i64,
    if_version: Option<Vec<i64>>,
    change: TaskChange,
) -> TaskResult<Task> {
    write(store, user_id, task_id, if_version, move |current, now| {
        if let TaskChange::Patch(patch) = &change {
            if let Some(id) = patch.notes.unknown_in(current) {
                return Err(invalid(
                    "denotate",
                    format!("The task has no note with the id {id}."),
                ));
            }
        }
        let next = changed(current, change.clone(), now);
        if let Some(next) = &next {
            let refused = reserved_names(&next.tags, &next.udas, Some(current));
            if !refused.is_empty() {
                return Err(TaskError::Invalid(refused));
            }
        }
        Ok(next)
    })
    .await
}

/// One version on, at `now`.
pub(super) fn bumped(current: &Task, now: DateTime<Utc>) -> Task {
    Task {
        version: current.version + 1,
        updated_at: stored(now),
        ..current.clone()
    }
}

pub const MAX_ANNOTATION: usize = 10_000;

/// Appends a note; returns it with the task.
pub async fn annotate(
    store: &dyn Store,
    user_id: i64,
    task_id: i64,
    if_version: Option<Vec<i64>>,
    text: String,
) -> TaskResult<(Annotation, Task)> {
    if text.trim().is_empty() {
        return Err(invalid("text", "This field may not be blank."));
    }
    if text.chars().count() > MAX_ANNOTATION {
        return Err(invalid(
            "text",
            format!("Ensure this field has no more than {MAX_ANNOTATION} characters."),
        ));
    }
    if text.contains('\0') {
        return Err(invalid("text", crate::task_input::NUL_MESSAGE));
    }
    let task = write(store, user_id, task_id, if_version, move |current, now| {
        let mut next = bumped(current, now);
        next.annotations.push(Annotation {
            id: 0,
            entry: stored(now),
            text: text.clone(),
        });
        Ok(Some(next))
    })
    .await?;
    let annotation = task.annotations.last().cloned().unwrap_or_default();
    Ok((annotation, task))
}

/// Removes a note.
pub async fn denotate(
    store: &dyn Store,
    user_id: i64,
    task_id: i64,
    annotation_id: i64,
    if_version: Option<Vec<i64>>,
) -> TaskResult<Task> {
    write(store, user_id, task_id, if_version, move |current, now| {
        if !current.annotations.iter().any(|a| a.id == annotation_id) {
            return Err(TaskError::NotFound);
        }
        let mut next = bumped(current, now);
        next.annotations.retain(|a| a.id != annotation_id);
        Ok(Some(next))
    })
    .await
}

/// Starts (`true`) or stops the task; doing so again changes nothing.
pub async fn set_active(
    store: &dyn Store,
    user_id: i64,
    task_id: i64,
    if_version: Option<Vec<i64>>,
    active: bool,
) -> TaskResult<Task> {
    write(store, user_id, task_id, if_version, move |current, now| {
        activated(current, active, now)
    })
    .await
}

/// `current` started (`active`) or stopped at `now`; `None` if it already is.
pub(super) fn activated(
    current: &Task,
    active: bool,
    now: DateTime<Utc>,
) -> TaskResult<Option<Task>> {
    if current.start.is_some() == active {
        return Ok(None);
    }
    if active && current.status == Status::Done {
        return Err(invalid(
            "status",
            "A done task cannot be started: reopen it first.",
        ));
    }
    let mut next = bumped(current, now);
    next.start = active.then(|| stored(now));
    Ok(Some(next))
}

/// How many of what each blocked task of `tasks` waits for are still
/// pending, for those waiting for several (one waiting for one waits for
/// that one): one lookup of their statuses, whichever page they are on.
pub async fn pending_dependencies(
    store: &dyn Store,
    user_id: i64,
    tasks: &[Task],
) -> TaskResult<BTreeMap<i64, usize>> {
    let several = || {
        tasks
            .iter()
            .filter(|task| task.blocked && task.depends.len() > 1)
    };
    let mut ids: Vec<i64> = several().flat_map(|task| task.depends.clone()).collect();
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    ids.sort_unstable();
    ids.dedup();
    let pending: BTreeSet<i64> = store
        .task_statuses(user_id, ids)
        .await?
        .into_iter()
        .filter(|(_, status)| *status == Status::Pending)
        .map(|(id, _)| id)
        .collect();
    Ok(several()
        .map(|task| {
            let count = task
                .depends
                .iter()
                .filter(|id| pending.contains(id))
                .count();
            (task.id, count)
        })
        .collect())
}

/// Deletes the user's task, under the same precondition as [`update`].
pub async fn delete(
    store: &dyn Store,
    user_id: i64,
    task_id: i64,
    if_version: Option<Vec<i64>>,
) -> TaskResult<()> {
    for _ in 0..MAX_WRITE_ATTEMPTS {
        let current = current(store, user_id, task_id, if_version.as_deref()).await?;
        if store.delete_task(user_id, task_id, current.version).await? {
            return Ok(());
        }
    }
    Err(contended())
}

pub(super) fn contended() -> TaskError {
    TaskError::Store(StoreError::Unavailable(anyhow::anyhow!(
        "the task kept changing under this write; try again"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cycle_is_found_however_long() {
        // 1 → 2 → 3; making 3 depend on 1 closes the loop.
        let edges = [(1, 2), (2, 3)];
        assert!(reaches(&edges, &[1], 3));
        assert!(!reaches(&edges, &[3], 1));
        assert!(!reaches(&edges, &[4], 1));
    }
}
