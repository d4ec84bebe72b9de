//! Which commits change what a read of tasks answers: the epoch the
//! daemon's kept answers are checked against (see `crate::read_cache`).

use std::sync::{
    atomic::{AtomicBool, AtomicI64, Ordering},
    Arc,
};

use rusqlite::{hooks::Action, Connection};

/// Tables whose rows no read of tasks shows: logins and their limits,
/// replayed answers. A change to any other table moves the epoch on, so
/// that a table added later is safe before it is listed here.
const NOT_READ_WITH_TASKS: &[&str] = &["sessions", "login_attempts", "idempotency_keys"];

/// The tables without rowid, whose changes the update hook never sees:
/// each holds only rows that change beside a row of a table it sees (a
/// task's tags and dependencies beside the task's row), or rows no read of
/// tasks shows. A test holds the schema to this list.
pub const UNSEEN: &[&str] = &[
    "browser_sessions",
    "jobs",
    "login_addresses",
    "refresh_tokens",
    "task_depends",
    "task_tags",
];

/// Watches the writer's connection for changes to what tasks read.
pub(super) struct TaskWrites {
    touched: Arc<AtomicBool>,
    epoch: Arc<AtomicI64>,
}

impl TaskWrites {
    pub(super) fn watch(conn: &Connection) -> TaskWrites {
        let touched = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&touched);
        // Called for every row a statement (or a trigger) changes in a
        // rowid table (see `UNSEEN` for the others).
        conn.update_hook(Some(move |_: Action, _: &str, table: &str, _: i64| {
            if !NOT_READ_WITH_TASKS.contains(&table) {
                flag.store(true, Ordering::Relaxed);
            }
        }));
        TaskWrites {
            touched,
            epoch: Arc::default(),
        }
    }

    /// The epoch, moved on by every commit that changed tasks.
    pub(super) fn epoch(&self) -> Arc<AtomicI64> {
        Arc::clone(&self.epoch)
    }

    /// A transaction ended, committed or not (a commit that reported a
    /// failure may still have landed; an epoch moved needlessly costs a
    /// read). Called before its writes are answered, so that no client
    /// hears of a write while the epoch it ended is still current.
    pub(super) fn ended(&self) {
        if self.touched.swap(false, Ordering::Relaxed) {
            self.epoch.fetch_add(1, Ordering::Release);
        }
    }
}
