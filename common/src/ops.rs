//! What the CLI and the TUI do to a task, done one way so that they cannot
//! drift: each change is made from the task as the user last saw it and is
//! sent with `If-Match` of that version, so a change made elsewhere in
//! between is never overwritten (the server answers 412 instead).

use std::collections::{BTreeMap, HashSet};

use crate::api::{Annotation, NameCount, Status, Summary, Task, TaskPatch, TaskQuery};
use crate::client::{ApiClient, ClientError};
use crate::filter::{Modifications, Resolved, TaskFilter};
use crate::task_ref::TaskRef;

/// What a change of one task came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Changed(Task),
    /// The task already was as asked (the state named): nothing was sent.
    AlreadySo(Task, &'static str),
    /// Nothing could be done, for the reason given: a failure.
    Refused(String),
}

/// The task `name` names: a pending task by number, any task by uuid
/// prefix. None is [`ClientError::NoSuchTask`]; a prefix of several tasks
/// is [`ClientError::AmbiguousTask`].
pub async fn find(client: &ApiClient, name: &TaskRef) -> Result<Task, ClientError> {
    find_in(client, &TaskQuery::default(), name).await
}

/// [`find`] among the tasks `filter` selects: after a change elsewhere, a
/// task a filter chose is acted on again only if the filter still matches.
pub async fn find_in(
    client: &ApiClient,
    filter: &TaskQuery,
    name: &TaskRef,
) -> Result<Task, ClientError> {
    let named = name.query();
    let query = TaskQuery {
        limit: named.limit,
        offset: None,
        number: named.number,
        uuid: named.uuid,
        status: filter.status.or(named.status),
        ordering: Vec::new(),
        ..filter.clone()
    };
    let page = client.list_tasks(&query).await?;
    let mut tasks = page.results.into_iter();
    match (tasks.next(), tasks.next()) {
        (Some(task), None) => Ok(task),
        (None, _) => Err(ClientError::NoSuchTask(name.clone())),
        (Some(_), Some(_)) => Err(ClientError::AmbiguousTask {
            name: name.clone(),
            count: page.count,
        }),
    }
}

/// Every task `filter` finds: in the server's order, or, when it names
/// tasks (`task 3,5 list`), the named ones in the order named, each once.
pub async fn list_all(client: &ApiClient, filter: &TaskFilter) -> Result<Vec<Task>, ClientError> {
    let mut seen = HashSet::new();
    let mut tasks = Vec::new();
    for query in filter.queries() {
        for task in client.list_all_tasks(&query).await? {
            if seen.insert(task.id) {
                tasks.push(task);
            }
        }
    }
    Ok(tasks)
}

/// [`list_all`] in Taskwarrior's export format.
pub async fn export(
    client: &ApiClient,
    filter: &TaskFilter,
) -> Result<Vec<serde_json::Value>, ClientError> {
    let mut seen = HashSet::new();
    let mut tasks = Vec::new();
    for query in filter.queries() {
        for task in client.export(&query).await? {
            if seen.insert(task.get("uuid").and_then(|u| u.as_str()).map(str::to_owned)) {
                tasks.push(task);
            }
        }
    }
    Ok(tasks)
}

/// How many of the tasks `filter` finds have each project or tag: the
/// server's count, summed over the tasks named, if any, by name.
pub async fn count_by(
    client: &ApiClient,
    summary: Summary,
    filter: &TaskFilter,
) -> Result<Vec<NameCount>, ClientError> {
    let queries = filter.queries();
    if let [query] = queries.as_slice() {
        return client.count_by(summary, query).await;
    }
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for query in &queries {
        for count in client.count_by(summary, query).await? {
            *counts.entry(count.name).or_default() += count.count;
        }
    }
    Ok(counts
        .into_iter()
        .map(|(name, count)| NameCount { name, count })
        .collect())
}

/// Looks up the ids of the tasks `mods` names (`depends:3,a1b2c3d4`).
pub async fn resolve(client: &ApiClient, mods: &Modifications) -> Result<Resolved, ClientError> {
    let mut resolved = Resolved::new();
    for name in mods.named_tasks() {
        if !resolved.contains_key(name) {
            let task = find(client, name).await?;
            resolved.insert(name.clone(), task.id);
        }
    }
    Ok(resolved)
}

/// Done or pending again; a task already so is said to be, and not sent.
pub async fn set_status(
    client: &ApiClient,
    seen: &Task,
    status: Status,
) -> Result<Outcome, ClientError> {
    if seen.status == status {
        return Ok(Outcome::AlreadySo(seen.clone(), status.as_str()));
    }
    let patch = TaskPatch {
        status: Some(status),
        ..TaskPatch::default()
    };
    client
        .update_task(seen.id, &patch, Some(seen.version))
        .await
        .map(Outcome::Changed)
}

/// Started (`active`) or stopped, by the server's clock; a done task is not
/// started.
pub async fn set_active(
    client: &ApiClient,
    seen: &Task,
    active: bool,
) -> Result<Outcome, ClientError> {
    if seen.start.is_some() == active {
        let state = if active { "active" } else { "not active" };
        return Ok(Outcome::AlreadySo(seen.clone(), state));
    }
    if active && seen.status == Status::Done {
        return Ok(Outcome::Refused(
            "a done task cannot be started: reopen it first".to_string(),
        ));
    }
    client
        .set_active(seen.id, active, Some(seen.version))
        .await
        .map(Outcome::Changed)
}

/// Deleted, only if it is still the version seen.
pub async fn delete(client: &ApiClient, seen: &Task) -> Result<(), ClientError> {
    client.delete_task(seen.id, Some(seen.version)).await
}

/// `mods` applied to the task seen (tags added and removed, dependencies,
/// attributes); `resolved` from [`resolve`].
pub async fn modify(
    client: &ApiClient,
    seen: &Task,
    mods: &Modifications,
    resolved: &Resolved,
) -> Result<Task, ClientError> {
    let patch = mods.to_patch(seen, resolved);
    client
        .update_task(seen.id, &patch, Some(seen.version))
        .await
}

/// A note added to the task seen; the task as it now is.
pub async fn annotate(client: &ApiClient, seen: &Task, text: &str) -> Result<Task, ClientError> {
    let note: Annotation = client
        .annotate_task(seen.id, text, Some(seen.version))
        .await?;
    let mut task = client.get_task(seen.id).await?;
    if !task.annotations.iter().any(|a| a.id == note.id) {
        task.annotations.push(note);
    }
    Ok(task)
}

/// The note of `seen` that `text` names: the one that says exactly that,
/// else the first that contains it (as Taskwarrior's `denotate`), taken
/// away; the task as it now is.
pub async fn denotate(client: &ApiClient, seen: &Task, text: &str) -> Result<Outcome, ClientError> {
    let note = seen
        .annotations
        .iter()
        .find(|a| a.text == text)
        .or_else(|| seen.annotations.iter().find(|a| a.text.contains(text)));
    let Some(note) = note else {
        return Ok(Outcome::Refused(format!("no note says {text:?}")));
    };
    client
        .denotate_task(seen.id, note.id, Some(seen.version))
        .await?;
    client.get_task(seen.id).await.map(Outcome::Changed)
}
