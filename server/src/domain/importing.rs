//! An import: the tasks of a Taskwarrior file matched by uuid with the
//! user's own (another user's uuids are never looked at), added, updated or
//! left alone, and written in one transaction.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use common::api::{ImportSkip, ImportSummary, Task};

use super::{
    task_ops::{TaskError, TaskResult},
    tasks::{imported, ImportedDates},
    taskwarrior::import::{ImportFile, Incoming},
};
use crate::store::{ImportWrite, Store, StoreError};

/// Tries, when another write changed one of the file's tasks between the
/// read and the write; each retry means that write succeeded.
const MAX_ATTEMPTS: usize = 5;

pub async fn import(
    store: &dyn Store,
    user_id: i64,
    file: ImportFile,
) -> TaskResult<ImportSummary> {
    for _ in 0..MAX_ATTEMPTS {
        let (summary, writes) = plan(store, user_id, &file, Utc::now()).await?;
        if writes.is_empty() || store.import_tasks(user_id, writes).await? {
            return Ok(summary);
        }
    }
    Err(TaskError::Store(StoreError::Unavailable(anyhow::anyhow!(
        "the tasks of this import kept changing under it; try again"
    ))))
}

/// A task of the dependency graph: one the user has, or one the file adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Node<'a> {
    Stored(i64),
    New(&'a str),
}

fn node_of<'a>(existing: &HashMap<String, Task>, uuid: &'a str) -> Node<'a> {
    match existing.get(uuid) {
        Some(task) => Node::Stored(task.id),
        None => Node::New(uuid),
    }
}

/// What the import would do, read from the store as it is now.
async fn plan(
    store: &dyn Store,
    user_id: i64,
    file: &ImportFile,
    now: DateTime<Utc>,
) -> TaskResult<(ImportSummary, Vec<ImportWrite>)> {
    let in_file: HashSet<&str> = file.tasks.iter().map(|t| t.uuid.as_str()).collect();
    let mut wanted: Vec<String> = in_file.iter().map(|u| u.to_string()).collect();
    let outside: HashSet<&str> = file
        .tasks
        .iter()
        .flat_map(|t| t.depends.iter().map(String::as_str))
        .filter(|uuid| !in_file.contains(uuid))
        .collect();
    wanted.extend(outside.iter().map(|u| u.to_string()));
    let existing: HashMap<String, Task> = store
        .tasks_by_uuid(user_id, wanted)
        .await?
        .into_iter()
        .map(|task| (task.uuid.clone(), task))
        .collect();
    // A task of the file that is in the trash stays there: brought in
    // beside it, it would take the uuid the trashed one needs to come back.
    let trashed: HashSet<String> = store
        .trashed_uuids(
            user_id,
            in_file
                .iter()
                .filter(|uuid| !existing.contains_key(**uuid))
                .map(|uuid| uuid.to_string())
                .collect(),
        )
        .await?
        .into_iter()
        .collect();
    let in_file: HashSet<&str> = in_file
        .into_iter()
        .filter(|uuid| !trashed.contains(*uuid))
        .collect();
    let node = |uuid| node_of(&existing, uuid);

    let mut summary = ImportSummary {
        skipped: file.skipped.clone(),
        ..ImportSummary::default()
    };
    for task in file.tasks.iter().filter(|t| trashed.contains(&t.uuid)) {
        summary.skipped.push(ImportSkip {
            uuid: task.uuid.clone(),
            title: task.fields.title.clone(),
            reason: format!(
                "in the trash: `task restore {}` brings it back, and importing again then updates it",
                task.uuid
            ),
        });
    }
    let mut note = |task: &Incoming, reason: String| {
        summary.notes.push(ImportSkip {
            uuid: task.uuid.clone(),
            title: task.fields.title.clone(),
            reason,
        })
    };

    // Each task's dependencies that can be kept: on a task of the file or
    // of the user, not on itself.
    let tasks: Vec<&Incoming> = file
        .tasks
        .iter()
        .filter(|t| !trashed.contains(&t.uuid))
        .collect();
    let mut depends: Vec<Vec<&str>> = Vec::with_capacity(tasks.len());
    for &task in &tasks {
        for text in &task.notes {
            note(task, text.clone());
        }
        let mut kept = Vec::with_capacity(task.depends.len());
        for on in &task.depends {
            if *on == task.uuid {
                note(task, "dependency on itself left out".to_string());
            } else if in_file.contains(on.as_str()) || existing.contains_key(on) {
                kept.push(on.as_str());
            } else if trashed.contains(on) {
                note(
                    task,
                    format!("dependency on {on} left out: that task is in the trash"),
                );
            } else {
                note(
                    task,
                    format!("dependency on {on} left out: no such task in the file or among yours"),
                );
            }
        }
        depends.push(kept);
    }

    // The graph once the file's dependencies replace those its tasks had:
    // no cycle may come of it. An edge that would close one is left out.
    let from_file: HashSet<Node> = tasks.iter().copied().map(|t| node(&t.uuid)).collect();
    let stored_edges = store.dependency_edges(user_id).await?;
    let mut graph: HashMap<Node, Vec<Node>> = HashMap::new();
    for (task, on) in stored_edges {
        if !from_file.contains(&Node::Stored(task)) {
            graph
                .entry(Node::Stored(task))
                .or_default()
                .push(Node::Stored(on));
        }
    }
    for (task, kept) in tasks.iter().copied().zip(&depends) {
        graph
            .entry(node(&task.uuid))
            .or_default()
            .extend(kept.iter().map(|on| node(on)));
    }
    if has_cycle(&graph) {
        for (task, kept) in tasks.iter().copied().zip(depends.iter_mut()) {
            let from = node(&task.uuid);
            graph.insert(from, Vec::new());
            let mut acyclic = Vec::with_capacity(kept.len());
            for on in kept.iter() {
                if reaches(&graph, node(on), from) {
                    note(
                        task,
                        format!("dependency on {on} left out: it would make a cycle"),
                    );
                } else {
                    graph.entry(from).or_default().push(node(on));
                    acyclic.push(*on);
                }
            }
            *kept = acyclic;
        }
    }

    let mut writes = Vec::new();
    let mut unchanged = HashSet::new();
    for (n, (task, kept)) in tasks.iter().copied().zip(&depends).enumerate() {
        let current = existing.get(&task.uuid);
        let Some(next) = next_version(task, kept, current, &existing, n, now) else {
            summary.unchanged += 1;
            unchanged.insert(task.uuid.as_str());
            continue;
        };
        match current {
            Some(_) => summary.updated += 1,
            None => summary.added += 1,
        }
        writes.push(ImportWrite {
            task: next,
            current: current.cloned(),
            depends: kept.iter().map(|uuid| uuid.to_string()).collect(),
        });
    }
    // How a task was brought in is news only when it was: a file imported
    // again says nothing of the tasks it leaves as they are.
    summary
        .notes
        .retain(|note| !unchanged.contains(note.uuid.as_str()));
    Ok((summary, writes))
}

/// The task `incoming` makes, `None` if `current` already is it. Tasks not
/// stored yet stand as negative ids among the dependencies: never equal to
/// a stored one, so a task gaining one is written.
fn next_version(
    incoming: &Incoming,
    depends: &[&str],
    current: Option<&Task>,
    existing: &HashMap<String, Task>,
    n: usize,
    now: DateTime<Utc>,
) -> Option<Task> {
    let mut fields = incoming.fields.clone();
    fields.depends = depends
        .iter()
        .enumerate()
        .map(|(k, uuid)| match existing.get(*uuid) {
            Some(task) => task.id,
            None => -1 - (n as i64) * 1_000_000 - k as i64,
        })
        .collect();
    let dates = ImportedDates {
        entry: incoming.entry,
        modified: incoming.modified,
        end: incoming.end,
    };
    imported(
        current,
        &incoming.uuid,
        fields,
        dates,
        &incoming.annotations,
        now,
    )
}

/// Whether `graph` has a cycle (Kahn's algorithm: what cannot be ordered
/// lies on one).
fn has_cycle(graph: &HashMap<Node, Vec<Node>>) -> bool {
    let mut waiting: HashMap<Node, usize> = HashMap::new();
    for (from, targets) in graph {
        waiting.entry(*from).or_default();
        for to in targets {
            *waiting.entry(*to).or_default() += 1;
        }
    }
    let total = waiting.len();
    let mut ready: Vec<Node> = waiting
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(node, _)| *node)
        .collect();
    let mut ordered = 0;
    while let Some(node) = ready.pop() {
        ordered += 1;
        for to in graph.get(&node).into_iter().flatten() {
            if let Some(n) = waiting.get_mut(to) {
                *n -= 1;
                if *n == 0 {
                    ready.push(*to);
                }
            }
        }
    }
    ordered < total
}

/// Whether `target` can be reached from `from` along `graph`.
fn reaches(graph: &HashMap<Node, Vec<Node>>, from: Node, target: Node) -> bool {
    let mut seen = HashSet::new();
    let mut stack = vec![from];
    while let Some(node) = stack.pop() {
        if node == target {
            return true;
        }
        if seen.insert(node) {
            stack.extend(graph.get(&node).into_iter().flatten().copied());
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_are_found() {
        let a = Node::New("a");
        let b = Node::Stored(2);
        let c = Node::Stored(3);
        let mut graph = HashMap::from([(a, vec![b]), (b, vec![c])]);
        assert!(!has_cycle(&graph));
        assert!(reaches(&graph, a, c));
        graph.insert(c, vec![a]);
        assert!(has_cycle(&graph));
    }
}
