//! Tasks brought back from the trash, by a restore or an undo: what must
//! hold first (no other task holds the uuid, no dependency cycle closes),
//! and the restore itself.

use std::collections::HashMap;

use chrono::Utc;
use common::api::Task;

use super::{
    task_ops::{contended, finished, invalid, reaches, TaskError, TaskResult},
    undo::{back, name_of},
    MAX_WRITE_ATTEMPTS,
};
use crate::store::{
    changes::SetKind,
    journal::{Applied, SetWrite},
    Store,
};

/// The user's tasks holding the uuids of tasks to bring back: one
/// imported again after the task it shares a uuid with was deleted.
#[derive(Default)]
pub(super) struct Twins(HashMap<String, Task>);

impl Twins {
    pub(super) async fn of(
        store: &dyn Store,
        user_id: i64,
        uuids: Vec<String>,
    ) -> TaskResult<Twins> {
        let tasks = store.tasks_by_uuid(user_id, uuids).await?;
        Ok(Twins(
            tasks
                .into_iter()
                .map(|task| (task.uuid.clone(), task))
                .collect(),
        ))
    }

    /// What to say when a task holds `uuid`, which a task brought back
    /// would share: `None` when none does.
    pub(super) fn holding(&self, uuid: &str) -> Option<String> {
        self.0.get(uuid).map(|twin| {
            format!(
                "{} has this task's uuid (it came in again after this one was deleted): purge \
                 one of the two to keep the other",
                name_of(twin)
            )
        })
    }
}

pub(super) const CYCLE: &str = "bringing it back would make a dependency cycle";

/// The user's dependencies as the tasks brought back so far would leave
/// them: those stored (read once a task brought back first needs them),
/// and those of the tasks accepted to come back, which come back linked.
#[derive(Default)]
pub(super) struct Edges {
    graph: Option<Vec<(i64, i64)>>,
    /// Accepted before the stored ones were read.
    pending: Vec<(i64, i64)>,
}

impl Edges {
    /// Whether task `id`, brought back depending on `depends` with
    /// `dependents` depending on it, would wait for itself: whether what it
    /// waits for leads back to it, through the stored dependencies, those of
    /// the tasks accepted before it, or its own dependents.
    pub(super) async fn close_a_cycle(
        &mut self,
        store: &dyn Store,
        user_id: i64,
        id: i64,
        depends: &[i64],
        dependents: &[i64],
    ) -> TaskResult<bool> {
        if !self.may_close(id, depends, dependents) {
            return Ok(false);
        }
        if self.graph.is_none() {
            self.load(store.dependency_edges(user_id).await?);
        }
        Ok(self.closes(id, depends, dependents))
    }

    /// Whether a cycle through `id` is possible at all: it must wait for a
    /// task and be waited for. No stored dependency leads to a task that is
    /// not a task.
    fn may_close(&self, id: i64, depends: &[i64], dependents: &[i64]) -> bool {
        let waited_for = !dependents.is_empty()
            || self
                .graph
                .as_deref()
                .unwrap_or(&self.pending)
                .iter()
                .any(|(_, on)| *on == id);
        !depends.is_empty() && waited_for
    }

    fn load(&mut self, mut stored: Vec<(i64, i64)>) {
        stored.append(&mut self.pending);
        self.graph = Some(stored);
    }

    /// [`Edges::close_a_cycle`], the stored dependencies loaded.
    fn closes(&mut self, id: i64, depends: &[i64], dependents: &[i64]) -> bool {
        let graph = self.graph.get_or_insert_with(Vec::new);
        let kept = graph.len();
        graph.extend(dependents.iter().map(|dependent| (*dependent, id)));
        let closes = reaches(graph, depends, id);
        graph.truncate(kept);
        closes
    }

    /// Counts the links of task `id`, accepted to come back, in the checks
    /// of those after it.
    pub(super) fn accept(&mut self, id: i64, depends: &[i64], dependents: &[i64]) {
        let edges = self.graph.as_mut().unwrap_or(&mut self.pending);
        edges.extend(depends.iter().map(|on| (id, *on)));
        edges.extend(dependents.iter().map(|dependent| (*dependent, id)));
    }
}

/// Brings a task back from the trash: its notes, its dependencies and the
/// tasks that depended on it too. A change set like any other.
pub async fn restore(store: &dyn Store, user_id: i64, task_id: i64) -> TaskResult<Task> {
    for _ in 0..MAX_WRITE_ATTEMPTS {
        let trashed = store
            .trashed(user_id, task_id)
            .await?
            .ok_or(TaskError::NotFound)?;
        if Edges::default()
            .close_a_cycle(
                store,
                user_id,
                task_id,
                &trashed.task.depends,
                &trashed.dependents,
            )
            .await?
        {
            return Err(invalid("depends", CYCLE));
        }
        let twins = Twins::of(store, user_id, vec![trashed.task.uuid.clone()]).await?;
        if let Some(twin) = twins.holding(&trashed.task.uuid) {
            return Err(TaskError::Refused(twin));
        }
        let now = Utc::now();
        let version = trashed.task.version;
        let write = SetWrite::Restore {
            task: back(trashed.task, version, now),
            version,
        };
        if let Some(applied) = store
            .apply_set(user_id, SetKind::Change, vec![write])
            .await?
        {
            if let Some(Applied::Written(task)) = applied.into_iter().next() {
                return Ok(finished(*task, now));
            }
        }
    }
    Err(contended())
}

#[cfg(test)]
mod tests {
    use super::Edges;

    /// A depends on B, B on L1, L2 on A; a bulk delete took A then B (so
    /// B's trash row has no dependents), and L1 was made to wait for L2
    /// meanwhile. A comes back first, linked to B and L2; B coming back too
    /// would close L2 → A → B → L1 → L2.
    #[test]
    fn a_task_brought_back_counts_the_links_of_those_before_it() {
        let (a, b, l1, l2) = (1, 2, 3, 4);
        let mut edges = Edges::default();
        assert!(edges.may_close(a, &[b], &[l2]));
        edges.load(vec![(l1, l2)]);
        assert!(!edges.closes(a, &[b], &[l2]));
        edges.accept(a, &[b], &[l2]);
        assert!(edges.may_close(b, &[l1], &[]), "A waits for B");
        assert!(edges.closes(b, &[l1], &[]));
        // Without A's links, B alone closes nothing.
        let mut alone = Edges::default();
        assert!(!alone.may_close(b, &[l1], &[]));
        alone.load(vec![(l1, l2)]);
        assert!(!alone.closes(b, &[l1], &[]));
        // Accepted before the stored links were read, A's still count.
        let mut early = Edges::default();
        early.accept(a, &[b], &[l2]);
        early.load(vec![(l1, l2)]);
        assert!(early.closes(b, &[l1], &[]));
    }
}
