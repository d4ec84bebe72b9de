//! Which commits change what a read of tasks answers: the epoch the
//! daemon's kept answers are checked against (see `crate::read_cache`).

use std::sync::{
    atomic::{AtomicBool, AtomicU64, Ordering},
    Arc,
};

use rusqlite::{hooks::Action, Connection};

/// Tables whose rows no read of tasks shows: logins and their limits,
/// periodic jobs, replayed answers. A change to any other table moves the
/// epoch on, so that a table added later is safe before it is listed here.
const NOT_READ_WITH_TASKS: &[&str] = &[
    "sessions",
    "refresh_tokens",
    "login_attempts",
    "login_addresses",
    "browser_sessions",
    "jobs",
    "idempotency_keys",
];

/// Watches the writer's connection for changes to what tasks read.
pub(super) struct TaskWrites {
    touched: Arc<AtomicBool>,
    epoch: Arc<AtomicU64>,
}

impl TaskWrites {
    pub(super) fn watch(conn: &Connection) -> TaskWrites {
        let touched = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&touched);
        // Called for every row a statement (or a trigger) changes in a
        // rowid table. The tables without rowid (tags, dependencies) only
        // change beside a task row or a change-feed row, which are seen.
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
    pub(super) fn epoch(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.epoch)
    }

    /// A transaction begins: what the last one touched is behind us.
    pub(super) fn begin(&self) {
        self.touched.store(false, Ordering::Relaxed);
    }

    /// The transaction committed. Called before its writes are answered,
    /// so that no client hears of a write while the epoch it ended is
    /// still current.
    pub(super) fn committed(&self) {
        if self.touched.swap(false, Ordering::Relaxed) {
            self.epoch.fetch_add(1, Ordering::Release);
        }
    }
}
