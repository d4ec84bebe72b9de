//! A change set's writes sent in runs: writes of one kind sent together,
//! each without waiting for the answer to the one before. One connection
//! runs what it is sent in order, as it would one by one; a set of 10,000
//! tasks waited on 10,000 round trips otherwise.

use common::api::Task;
use futures_util::future::try_join_all;

use super::{
    task_rows::{prepare_writes, update_row, write_links},
    tasks::select_tasks_by_id,
    trash,
};
use crate::store::journal::Back;

type Tx<'a> = deadpool_postgres::Transaction<'a>;

/// What a set's task ends as, for its recording: its id, the task as the
/// set found it (`None` for one it brought back), whether it went to the
/// trash.
pub(super) type Done = Vec<(i64, Option<Task>, bool)>;

/// Writes of one kind, sent together without waiting for each other's
/// answers: the connection runs them in the order sent, as it would one by
/// one.
pub(super) enum Run {
    /// Updates that decide no number (see `journal::Numbers::decided`).
    Updates(Vec<(Box<Task>, Box<Task>)>),
    /// Tasks to the trash.
    Trashes(Vec<Task>),
    /// Tasks brought back.
    Backs(Vec<Back>),
}

/// What became of a write offered to a [`Run`].
pub(super) enum Joined {
    Yes,
    /// A run sent first found a task not as expected.
    Refused,
    /// An update that must wait its turn, the run before it sent.
    InTurn(Box<Task>, Box<Task>),
}

impl Run {
    /// Adds `next`, a run of one write, to this one if it is of its kind;
    /// else sends this one and starts anew with `next`.
    pub(super) async fn join(
        &mut self,
        tx: &Tx<'_>,
        user_id: i64,
        next: Run,
        done: &mut Done,
    ) -> Result<Joined, tokio_postgres::Error> {
        let next = match (&mut *self, next) {
            (Run::Updates(run), Run::Updates(next)) => {
                run.extend(next);
                return Ok(Joined::Yes);
            }
            (Run::Trashes(run), Run::Trashes(next)) => {
                run.extend(next);
                return Ok(Joined::Yes);
            }
            (Run::Backs(run), Run::Backs(next)) => {
                run.extend(next);
                return Ok(Joined::Yes);
            }
            (_, next) => next,
        };
        if !self.send(tx, user_id, done).await? {
            return Ok(Joined::Refused);
        }
        *self = next;
        Ok(Joined::Yes)
    }

    /// Sends the run, leaving it empty: `false` if a task was not as
    /// expected.
    pub(super) async fn send(
        &mut self,
        tx: &Tx<'_>,
        user_id: i64,
        done: &mut Done,
    ) -> Result<bool, tokio_postgres::Error> {
        match self {
            Run::Updates(run) => send_updates(tx, user_id, run, done).await,
            Run::Trashes(run) => send_trashes(tx, user_id, run, done).await,
            Run::Backs(run) => {
                if run.is_empty() {
                    return Ok(true);
                }
                let Some(back) = trash::bring_back_all(tx, user_id, std::mem::take(run)).await?
                else {
                    return Ok(false);
                };
                done.extend(back.into_iter().map(|task| (task.id, None, false)));
                Ok(true)
            }
        }
    }
}

/// Sends a run of updates that decide no number, each without waiting for
/// the answer to the one before. `false` if a task was not as expected.
/// Their links follow once all are written; a task's links do not depend
/// on another's row.
async fn send_updates(
    tx: &Tx<'_>,
    user_id: i64,
    run: &mut Vec<(Box<Task>, Box<Task>)>,
    done: &mut Done,
) -> Result<bool, tokio_postgres::Error> {
    if run.is_empty() {
        return Ok(true);
    }
    prepare_writes(tx).await?;
    let found = try_join_all(
        run.iter_mut()
            .map(|(task, current)| update_row(tx, user_id, task, current)),
    )
    .await?;
    if found.iter().any(Option::is_none) {
        return Ok(false);
    }
    try_join_all(
        run.iter_mut()
            .map(|(task, current)| write_links(tx, task, Some(current))),
    )
    .await?;
    done.extend(
        run.drain(..)
            .map(|(task, current)| (task.id, Some(*current), false)),
    );
    Ok(true)
}

/// Sends a run of tasks to the trash: read in one statement (each still
/// the version the set expects, or `false`), then each task's two
/// statements sent without waiting, in the run's order (see
/// [`trash::put_all`]).
async fn send_trashes(
    tx: &Tx<'_>,
    user_id: i64,
    trashes: &mut Vec<Task>,
    done: &mut Done,
) -> Result<bool, tokio_postgres::Error> {
    if trashes.is_empty() {
        return Ok(true);
    }
    let ids: Vec<i64> = trashes.iter().map(|task| task.id).collect();
    let mut now = select_tasks_by_id(tx, user_id, &ids).await?;
    let mut tasks = Vec::with_capacity(trashes.len());
    for current in trashes.drain(..) {
        match now.remove(&current.id) {
            Some(task) if task.version == current.version => tasks.push(task),
            _ => return Ok(false),
        }
    }
    trash::put_all(tx, user_id, &tasks).await?;
    done.extend(tasks.into_iter().map(|task| (task.id, Some(task), true)));
    Ok(true)
}
