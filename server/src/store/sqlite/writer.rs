//! The writer thread: the one connection that writes, and the batches it
//! commits.
//!
//! The writes waiting when a batch begins (up to [`MAX_BATCH`]) run in the
//! batch's one transaction, which commits once; then each write's caller hears of its
//! outcome. Under load this turns many commits into one. A write that fails
//! must leave nothing behind while the others of its batch still commit:
//! - A write that can only run once runs in a savepoint of its own, rolled
//!   back alone if it fails.
//! - A repeatable write (one that can run again from its start, its captured
//!   input untouched) runs without one. A savepoint copies every page a
//!   write touches into SQLite's statement journal, and under steady creates
//!   that copying and its statements cost about a fifth of the writer's
//!   work. Repeatable writes run first, together; if one of them fails, the
//!   whole transaction is rolled back and each runs again in a savepoint of
//!   its own, as a write that can only run once would.
//! - A write of many tasks at once (a bulk change, an undo) runs alone, in
//!   a transaction of its own after the batch, rolled back whole if it
//!   fails or finds a task not as expected. In a savepoint, every page it
//!   changed stayed in the statement journal, which SQLite keeps in memory
//!   in pieces of 1 KiB and walks from the first at the end of each
//!   statement: a bulk delete of 10,000 tasks took 22 s.

use std::sync::{mpsc, Arc, Mutex};

use rusqlite::Connection;
use tokio::sync::oneshot;

use super::{
    checkpoint, file, store_error, task_writes::TaskWrites, AuthCache, StoreError, StoreResult,
};

/// Writes committed together at most.
const MAX_BATCH: usize = 128;

/// A write queued for the writer thread, and the account whose tasks alone
/// it writes, if its caller says so.
pub(super) struct WriteJob {
    account: Option<i64>,
    write: Box<dyn Write>,
}

/// A write and its caller, type-erased so that one queue carries writes
/// answering different types.
trait Write: Send {
    /// Whether the write can run again from its start after the transaction
    /// it ran in was rolled back.
    fn repeatable(&self) -> bool;

    /// Whether the write runs in a transaction of its own.
    fn alone(&self) -> bool;

    /// Runs the write, keeping its outcome (a later run replaces it); says
    /// whether it succeeded.
    fn run(&mut self, conn: &Connection) -> bool;

    /// Drops the outcome of a run that was rolled back.
    fn forget(&mut self);

    /// Answers the caller once the transaction has committed (or failed to,
    /// with `commit_error`). A write that never reached an outcome (it
    /// panicked, or its savepoint could not begin) is dropped unanswered,
    /// which its caller hears of.
    fn deliver(self: Box<Self>, commit_error: Option<StoreError>);
}

/// Runs a write: `None` when it cannot run (again).
type Run<T> = Box<dyn FnMut(&Connection) -> Option<rusqlite::Result<T>> + Send>;

/// A write, its outcome once run, and what its caller waits for.
struct Job<T> {
    run: Run<T>,
    repeatable: bool,
    /// For a write run alone: whether an outcome is to be kept (committed);
    /// an error never is.
    keeps: Option<fn(&T) -> bool>,
    outcome: Option<StoreResult<T>>,
    answer: oneshot::Sender<StoreResult<T>>,
    /// The remembered logins its commit makes stale.
    invalidates: Option<Arc<Mutex<AuthCache>>>,
}

impl<T: Send> Write for Job<T> {
    fn repeatable(&self) -> bool {
        self.repeatable
    }

    fn alone(&self) -> bool {
        self.keeps.is_some()
    }

    fn run(&mut self, conn: &Connection) -> bool {
        self.outcome = None;
        let Some(outcome) = (self.run)(conn) else {
            return false;
        };
        let succeeded = match (&outcome, self.keeps) {
            (Ok(value), Some(keeps)) => keeps(value),
            (outcome, _) => outcome.is_ok(),
        };
        self.outcome = Some(outcome.map_err(store_error));
        succeeded
    }

    fn forget(&mut self) {
        self.outcome = None;
    }

    fn deliver(self: Box<Self>, commit_error: Option<StoreError>) {
        if let Some(cache) = self.invalidates {
            cache.lock().unwrap_or_else(|e| e.into_inner()).forget_all();
        }
        let Some(outcome) = self.outcome else {
            return;
        };
        let _ = self.answer.send(match commit_error {
            Some(err) => Err(err),
            None => outcome,
        });
    }
}

impl WriteJob {
    /// A write that runs once, in a savepoint of its own.
    pub(super) fn once<F, T>(
        account: Option<i64>,
        invalidates: Option<Arc<Mutex<AuthCache>>>,
        f: F,
    ) -> (WriteJob, oneshot::Receiver<StoreResult<T>>)
    where
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let mut f = Some(f);
        let run: Run<T> = Box::new(move |conn| f.take().map(|f| f(conn)));
        WriteJob::new(account, invalidates, run, false, None)
    }

    /// A write that runs once, in a transaction of its own, committed if
    /// `f` succeeds with an outcome that `keeps` says is to be kept, rolled
    /// back otherwise (its caller then hears of that outcome all the same).
    pub(super) fn alone<F, T>(
        account: Option<i64>,
        keeps: fn(&T) -> bool,
        f: F,
    ) -> (WriteJob, oneshot::Receiver<StoreResult<T>>)
    where
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let mut f = Some(f);
        let run: Run<T> = Box::new(move |conn| f.take().map(|f| f(conn)));
        WriteJob::new(account, None, run, false, Some(keeps))
    }

    /// A write that can run again from its start: `f` takes its input by
    /// reference, so a run that was rolled back leaves it as it was.
    pub(super) fn repeatable<F, T>(
        account: Option<i64>,
        f: F,
    ) -> (WriteJob, oneshot::Receiver<StoreResult<T>>)
    where
        F: Fn(&Connection) -> rusqlite::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let run: Run<T> = Box::new(move |conn| Some(f(conn)));
        WriteJob::new(account, None, run, true, None)
    }

    fn new<T: Send + 'static>(
        account: Option<i64>,
        invalidates: Option<Arc<Mutex<AuthCache>>>,
        run: Run<T>,
        repeatable: bool,
        keeps: Option<fn(&T) -> bool>,
    ) -> (WriteJob, oneshot::Receiver<StoreResult<T>>) {
        let (answer, answered) = oneshot::channel();
        let write = Box::new(Job {
            run,
            repeatable,
            keeps,
            outcome: None,
            answer,
            invalidates,
        });
        (WriteJob { account, write }, answered)
    }
}

/// Where the writer thread keeps the database, and what it tells of its
/// commits.
pub(super) struct Writer {
    pub conn: Connection,
    pub path: std::path::PathBuf,
    pub identity: Option<file::Identity>,
    pub commits: checkpoint::Commits,
    pub task_writes: TaskWrites,
}

impl Writer {
    /// Takes every write waiting, runs them in one transaction, commits
    /// once, then answers them all; until the queue's senders are gone.
    pub(super) fn run(self, jobs: mpsc::Receiver<WriteJob>) {
        while let Ok(first) = jobs.recv() {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            // The writes of a batch were all waiting at once, so any order
            // is one their callers could have seen: the repeatable go first,
            // those that run alone after the batch has committed.
            let (alone, batch): (Vec<WriteJob>, Vec<WriteJob>) =
                batch.into_iter().partition(|job| job.write.alone());
            if !batch.is_empty() {
                self.run_batch(batch);
            }
            for job in alone {
                self.run_alone(job);
            }
        }
    }

    /// Runs `batch` in one transaction (see the module's comment), commits
    /// once, then answers each write.
    fn run_batch(&self, mut batch: Vec<WriteJob>) {
        batch.sort_by_key(|job| !job.write.repeatable());
        let repeatable = batch.iter().filter(|job| job.write.repeatable()).count();
        if !self.begin() {
            return;
        }
        if !self.run_together(&mut batch[..repeatable]) {
            // One of them failed: none of their work stays.
            let _ = self.conn.execute_batch("ROLLBACK");
            self.task_writes.ended();
            for job in &mut batch[..repeatable] {
                job.write.forget();
            }
            if !self.begin() {
                return;
            }
            for job in &mut batch[..repeatable] {
                self.run_in_savepoint(job);
            }
        }
        for job in &mut batch[repeatable..] {
            self.run_in_savepoint(job);
        }
        self.task_writes.running(None);
        let failure = self.commit_or_roll_back();
        self.task_writes.ended();
        for job in batch {
            deliver(job, failure.as_deref());
        }
    }

    /// Runs `job` in a transaction of its own, committed if it succeeds
    /// with an outcome to keep and rolled back otherwise, then answers it.
    fn run_alone(&self, mut job: WriteJob) {
        if !self.begin() {
            return;
        }
        self.task_writes.running(job.account);
        let kept = run_caught(&self.conn, job.write.as_mut());
        self.task_writes.running(None);
        let failure = if kept {
            self.commit_or_roll_back()
        } else {
            let _ = self.conn.execute_batch("ROLLBACK");
            None
        };
        self.task_writes.ended();
        deliver(job, failure.as_deref());
    }

    /// Commits; if that fails, rolls back and says why.
    fn commit_or_roll_back(&self) -> Option<String> {
        self.commit().err().inspect(|err| {
            let _ = self.conn.execute_batch("ROLLBACK");
            tracing::error!(error = %err, "a write transaction failed to commit");
        })
    }

    /// Begins the batch's transaction; a batch that cannot begin is dropped,
    /// which its writes' callers hear of.
    fn begin(&self) -> bool {
        // A transaction left open (a ROLLBACK that failed) would make every
        // later BEGIN fail: it is ended first.
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        match self.conn.execute_batch("BEGIN IMMEDIATE") {
            Ok(()) => true,
            Err(err) => {
                let err = store_error(err);
                tracing::error!(error = %err, "cannot begin a write transaction");
                false
            }
        }
    }

    /// Runs `jobs` one after another with no savepoint between them; says
    /// whether every one succeeded (the first failure ends the run).
    fn run_together(&self, jobs: &mut [WriteJob]) -> bool {
        jobs.iter_mut().all(|job| {
            self.task_writes.running(job.account);
            run_caught(&self.conn, job.write.as_mut())
        })
    }

    /// Runs `job` in a savepoint, rolled back if the write fails.
    fn run_in_savepoint(&self, job: &mut WriteJob) {
        self.task_writes.running(job.account);
        if self.conn.execute_batch("SAVEPOINT job").is_err() {
            return;
        }
        // A failed write leaves nothing behind, whatever it did before failing.
        let end = if run_caught(&self.conn, job.write.as_mut()) {
            "RELEASE job"
        } else {
            "ROLLBACK TO job; RELEASE job"
        };
        if let Err(err) = self.conn.execute_batch(end) {
            tracing::error!(error = %err, "cannot close a write's savepoint");
        }
    }

    /// Commits, unless the database file is gone or its disk is full.
    fn commit(&self) -> Result<(), String> {
        // Writes to a file deleted (or replaced) under the daemon would be
        // acknowledged and then lost: they are refused instead.
        if self.identity.is_some() && file::Identity::of(&self.path) != self.identity {
            return Err(format!(
                "the database file {} was deleted or replaced while taskd served it; \
                 restore it, then restart taskd",
                self.path.display()
            ));
        }
        if let Some(left) = file::space_left(&self.path).filter(|left| *left < file::MIN_FREE_BYTES)
        {
            return Err(format!(
                "the disk holding {} is full ({left} bytes left); free some space",
                self.path.display()
            ));
        }
        self.conn
            .execute_batch("COMMIT")
            .map_err(|err| err.to_string())?;
        self.commits.committed();
        Ok(())
    }
}

/// Answers `job`'s caller, with the commit's failure if there was one.
fn deliver(job: WriteJob, commit_failure: Option<&str>) {
    job.write.deliver(
        commit_failure
            .map(|message| StoreError::Unavailable(anyhow::anyhow!("commit failed: {message}"))),
    );
}

/// Runs `write`; a panicking write must not take the writer thread (and
/// every later write) with it: it counts as failed, and its caller hears
/// of it through the dropped channel.
fn run_caught(conn: &Connection, write: &mut dyn Write) -> bool {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| write.run(conn))).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::Utc;
    use common::api::{Annotation, Task};

    use crate::{
        domain::tasks::{new_task, TaskFields},
        store::{Quota, Quotas, Store, StoreError, TaskStore},
    };

    fn titled(title: &str) -> Task {
        new_task(TaskFields::titled(title), Utc::now())
    }

    /// A slow write on the writer, so that the writes queued after it share
    /// one batch; awaited, it has ended.
    async fn hold_the_writer(
        store: &std::sync::Arc<super::super::SqliteStore>,
    ) -> tokio::task::JoinHandle<crate::store::StoreResult<()>> {
        let slow = tokio::spawn({
            let store = std::sync::Arc::clone(store);
            async move {
                store
                    .write_keeping_auth(|_| {
                        std::thread::sleep(Duration::from_millis(300));
                        Ok(())
                    })
                    .await
            }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        slow
    }

    /// Repeatable writes queued behind a slow write, so that they share one
    /// batch; one of them fails after its task row is written.
    #[tokio::test]
    async fn a_repeatable_write_that_fails_in_a_batch_leaves_nothing_and_the_others_commit() {
        let (_dir, store, user) = super::super::tests::store_with_alice().await;
        let store = std::sync::Arc::new(store);
        store
            .set_quotas(Quotas {
                max_tasks: 0,
                max_chars: 1000,
            })
            .await
            .unwrap();

        let slow = hold_the_writer(&store).await;
        let mut writes = Vec::new();
        for n in 0..21 {
            let mut task = titled(&format!("task {n}"));
            if n == 10 {
                // The row fits the quota; its note does not.
                task.annotations.push(Annotation {
                    id: 0,
                    entry: Utc::now(),
                    text: "x".repeat(2000),
                });
            }
            let store = std::sync::Arc::clone(&store);
            writes.push(tokio::spawn(async move {
                store.insert_task(user.id, task).await
            }));
        }
        slow.await.unwrap().unwrap();
        let mut written = Vec::new();
        for (n, write) in writes.into_iter().enumerate() {
            match write.await.unwrap() {
                Ok(task) => written.push(task),
                Err(StoreError::Quota(Quota::Text)) if n == 10 => {}
                Err(err) => panic!("write {n}: {err:#}"),
            }
        }
        assert_eq!(written.len(), 20);
        let mut numbers: Vec<i64> = written.iter().filter_map(|task| task.number).collect();
        numbers.sort_unstable();
        assert_eq!(numbers, (1..=20).collect::<Vec<_>>());

        let counts = store
            .read(move |conn| {
                conn.query_row(
                    "SELECT (SELECT COUNT(*) FROM tasks), (SELECT COUNT(*) FROM annotations), \
                     (SELECT COUNT(*) FROM task_changes), (SELECT COUNT(*) FROM change_sets), \
                     task_count, numbered FROM users WHERE id = ?1",
                    [user.id],
                    |row| {
                        Ok([
                            row.get::<_, i64>(0)?,
                            row.get(1)?,
                            row.get(2)?,
                            row.get(3)?,
                            row.get(4)?,
                            row.get(5)?,
                        ])
                    },
                )
            })
            .await
            .unwrap();
        assert_eq!(counts, [20, 0, 20, 20, 20, 20]);
        for task in &written {
            let read = store.get_task(user.id, task.id).await.unwrap().unwrap();
            assert_eq!(&read, task);
        }
    }

    /// Writes alone queued in one batch with others: each is committed, or
    /// rolled back whole while its caller still hears its outcome, and the
    /// batch's writes commit either way.
    #[tokio::test]
    async fn a_write_run_alone_is_kept_or_rolled_back_whole_beside_a_batch() {
        let (_dir, store, user) = super::super::tests::store_with_alice().await;
        let store = std::sync::Arc::new(store);
        let slow = hold_the_writer(&store).await;
        // Each writes two rows, and keeps them only if told to.
        let alone = |keep: bool| {
            let store = std::sync::Arc::clone(&store);
            tokio::spawn(async move {
                store
                    .write_tasks_alone(
                        user.id,
                        |kept: &bool| *kept,
                        move |conn| {
                            for title in ["one", "two"] {
                                super::super::task_rows::insert_row(
                                    conn,
                                    user.id,
                                    &mut titled(&format!("{title} {keep}")),
                                )?;
                            }
                            Ok(keep)
                        },
                    )
                    .await
            })
        };
        let dropped = alone(false);
        let kept = alone(true);
        let beside = tokio::spawn({
            let store = std::sync::Arc::clone(&store);
            async move { store.insert_task(user.id, titled("beside")).await }
        });
        slow.await.unwrap().unwrap();
        assert!(!dropped.await.unwrap().unwrap(), "its outcome is heard");
        assert!(kept.await.unwrap().unwrap());
        beside.await.unwrap().unwrap();
        let titles = store
            .read(move |conn| {
                conn.prepare("SELECT title FROM tasks WHERE user_id = ?1 ORDER BY title")?
                    .query_map([user.id], |row| row.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .await
            .unwrap();
        assert_eq!(titles, ["beside", "one true", "two true"]);
    }
}
