//! What the CLI and the TUI do to a task, done one way so that they cannot
//! drift: each change is made from the task as the user last saw it and is
//! sent with `If-Match` of that version, so a change made elsewhere in
//! between is never overwritten (the server answers 412 instead).

use std::collections::{BTreeMap, HashMap, HashSet};

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
    /// The modification was sent and left the task as it was (it asked
    /// for what the task already had): no step to undo was made.
    Unchanged(Task),
    /// Nothing could be done, for the reason given: a failure.
    Refused(String),
}

/// Whether a trashed task's uuid starts as `name` does (asked only once a
/// name found nothing; a failure to ask is taken as no).
async fn in_trash(client: &ApiClient, name: &TaskRef) -> bool {
    let prefix = name.to_string().to_ascii_lowercase();
    client.trash().await.is_ok_and(|trash| {
        trash
            .iter()
            .any(|trashed| trashed.task.uuid.to_ascii_lowercase().starts_with(&prefix))
    })
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
    let by_uuid = named.uuid.is_some();
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
        // A uuid that names nothing may name a deleted task: said so.
        (None, _) if by_uuid && in_trash(client, name).await => {
            Err(ClientError::InTrash(name.clone()))
        }
        (None, _) => Err(ClientError::NoSuchTask(name.clone())),
        (Some(_), Some(_)) => Err(ClientError::AmbiguousTask {
            name: name.clone(),
            count: page.count,
        }),
    }
}

/// Every task `filter` finds: in the server's order, or, when it names
/// tasks (`task 3,5 list`), the named ones in the order named, each once.
/// One name is asked of the server; several are picked out of one answer
/// to the rest of the filter, however many they are (`task 1-5000 list`).
pub async fn list_all(client: &ApiClient, filter: &TaskFilter) -> Result<Vec<Task>, ClientError> {
    if let Some(query) = filter.single_query() {
        return client.list_all_tasks(&query).await;
    }
    let tasks = client.list_all_tasks(&filter.query).await?;
    Ok(in_named_order(&filter.names, tasks))
}

/// Every task `filter` finds, in the server's order even when it names
/// several (`1,3` on the TUI's filter line keeps the view's sort): the
/// named ones are picked out of one answer to the rest of the filter.
pub async fn list_all_sorted(
    client: &ApiClient,
    filter: &TaskFilter,
) -> Result<Vec<Task>, ClientError> {
    if let Some(query) = filter.single_query() {
        return client.list_all_tasks(&query).await;
    }
    let mut tasks = client.list_all_tasks(&filter.query).await?;
    tasks.retain(|task| filter.names_task(task));
    Ok(tasks)
}

/// [`list_all`] in Taskwarrior's export format. That format has no
/// number, so several names are looked up in the list first, and the
/// export's tasks taken by uuid in that order.
pub async fn export(
    client: &ApiClient,
    filter: &TaskFilter,
) -> Result<Vec<serde_json::Value>, ClientError> {
    if let Some(query) = filter.single_query() {
        return client.export(&query).await;
    }
    let named = list_all(client, filter).await?;
    let mut by_uuid: HashMap<String, serde_json::Value> = client
        .export(&filter.query)
        .await?
        .into_iter()
        .filter_map(|task| {
            let uuid = task.get("uuid")?.as_str()?.to_string();
            Some((uuid, task))
        })
        .collect();
    Ok(named
        .iter()
        .filter_map(|task| by_uuid.remove(&task.uuid))
        .collect())
}

/// How many of the tasks `filter` finds have each project or tag: the
/// server's count, or, when it names several tasks, counted here among
/// those, each task once.
pub async fn count_by(
    client: &ApiClient,
    summary: Summary,
    filter: &TaskFilter,
) -> Result<Vec<NameCount>, ClientError> {
    if let Some(query) = filter.single_query() {
        return client.count_by(summary, &query).await;
    }
    Ok(counted(summary, list_all(client, filter).await?))
}

/// Taskwarrior matches `project:wor` against a project's start; here it
/// names one project and its sub-projects. When it finds nothing, the
/// projects that start so among the tasks the rest of the filter selects
/// are named. A failure to ask only leaves the hint out.
pub async fn project_hint(client: &ApiClient, query: &TaskQuery) -> Option<String> {
    let typed = query.project.as_deref()?;
    let mut rest = query.clone();
    rest.project = None;
    rest.limit = None;
    rest.offset = None;
    rest.ordering.clear();
    let projects = client.count_by(Summary::Projects, &rest).await.ok()?;
    let prefix = typed.to_lowercase();
    // Each named by its shortest part that starts so: `work` for
    // `work.q4`, which takes its sub-projects in.
    let mut named: Vec<String> = Vec::new();
    for project in projects {
        let shortest = project
            .name
            .match_indices('.')
            .map(|(at, _)| &project.name[..at])
            .chain([project.name.as_str()])
            .find(|part| part.to_lowercase().starts_with(&prefix));
        let Some(part) = shortest else { continue };
        let word = format!("project:{part}");
        if !named.contains(&word) {
            named.push(word);
        }
    }
    named.truncate(5);
    if named.is_empty() {
        return None;
    }
    Some(format!(
        "project:{typed} names that project and its sub-projects; did you mean {}?",
        named.join(" or ")
    ))
}

/// [`count_by`] with how many tasks the filter finds in all: two requests
/// at once to the server, or the one list of the tasks a filter names.
pub async fn count_by_with_total(
    client: &ApiClient,
    summary: Summary,
    filter: &TaskFilter,
) -> Result<(Vec<NameCount>, u64), ClientError> {
    let Some(query) = filter.single_query() else {
        let tasks = list_all(client, filter).await?;
        let total = tasks.len() as u64;
        return Ok((counted(summary, tasks), total));
    };
    let mut first = query.clone();
    first.limit = Some(1);
    first.offset = None;
    let (counts, page) =
        tokio::try_join!(client.count_by(summary, &query), client.list_tasks(&first))?;
    Ok((counts, page.count))
}

/// How many of `tasks` have each project or tag, by name.
fn counted(summary: Summary, tasks: Vec<Task>) -> Vec<NameCount> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for task in tasks {
        let names = match summary {
            Summary::Projects => task.project.into_iter().collect(),
            Summary::Tags => task.tags,
        };
        for name in names {
            *counts.entry(name).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .map(|(name, count)| NameCount { name, count })
        .collect()
}

/// The tasks `names` names, in the order named, each once.
fn in_named_order(names: &[TaskRef], tasks: Vec<Task>) -> Vec<Task> {
    let by_number: HashMap<i64, usize> = tasks
        .iter()
        .enumerate()
        .filter_map(|(at, task)| task.number.map(|number| (number, at)))
        .collect();
    let mut picked: Vec<usize> = Vec::new();
    let mut seen = HashSet::new();
    for name in names {
        let found: Vec<usize> = match name {
            TaskRef::Number(n) => by_number.get(n).copied().into_iter().collect(),
            TaskRef::Uuid(_) => (0..tasks.len())
                .filter(|at| name.names(tasks[*at].number, &tasks[*at].uuid))
                .collect(),
        };
        picked.extend(found.into_iter().filter(|at| seen.insert(*at)));
    }
    let mut tasks: Vec<Option<Task>> = tasks.into_iter().map(Some).collect();
    picked
        .into_iter()
        .filter_map(|at| tasks.get_mut(at).and_then(Option::take))
        .collect()
}

/// The note of `task` that `denotate TEXT` takes away: the one that says
/// exactly that, else the first that contains it (as Taskwarrior's); why
/// none, if none.
pub fn note_saying<'a>(task: &'a Task, text: &str) -> Result<&'a Annotation, String> {
    task.annotations
        .iter()
        .find(|a| a.text == text)
        .or_else(|| task.annotations.iter().find(|a| a.text.contains(text)))
        .ok_or_else(|| format!("no note says {text:?}"))
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

/// The state `task` is already in, if starting (`active`) or stopping it
/// would change nothing.
pub fn already_active(task: &Task, active: bool) -> Option<&'static str> {
    match (task.start.is_some(), active) {
        (true, true) => Some("active"),
        (false, false) => Some("stopped"),
        _ => None,
    }
}

/// Whether a write that answered `now` left the task seen at
/// `seen_version` as it was: the server moves the version on with every
/// change it makes, and keeps it when the change asked for what the task
/// already had.
pub fn left_as_it_was(seen_version: i64, now: &Task) -> bool {
    now.version == seen_version
}

/// Started (`active`) or stopped, by the server's clock; a done task is not
/// started.
pub async fn set_active(
    client: &ApiClient,
    seen: &Task,
    active: bool,
) -> Result<Outcome, ClientError> {
    if let Some(state) = already_active(seen, active) {
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
) -> Result<Outcome, ClientError> {
    let patch = mods.to_patch(seen, resolved);
    let task = client
        .update_task(seen.id, &patch, Some(seen.version))
        .await?;
    Ok(if left_as_it_was(seen.version, &task) {
        Outcome::Unchanged(task)
    } else {
        Outcome::Changed(task)
    })
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
    let note = match note_saying(seen, text) {
        Ok(note) => note,
        Err(refused) => return Ok(Outcome::Refused(refused)),
    };
    client
        .denotate_task(seen.id, note.id, Some(seen.version))
        .await?;
    client.get_task(seen.id).await.map(Outcome::Changed)
}
