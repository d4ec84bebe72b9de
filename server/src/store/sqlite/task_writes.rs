//! Which commits change what a read of tasks answers, and whose: the
//! epochs the daemon's kept answers are checked against (see
//! `crate::read_cache`).

use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc, Mutex,
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

/// Accounts share epochs by stripe, so that the epochs take a fixed room
/// however many accounts there are: a write moves the epoch of every
/// account in its stripe, which costs those accounts a read, never a stale
/// answer.
const STRIPES: usize = 256;

fn stripe(account: i64) -> usize {
    // Account ids are small and consecutive: neighbours land apart.
    usize::try_from(account.rem_euclid(STRIPES as i64)).unwrap_or(0)
}

/// The epochs reads of tasks begin in: one per stripe of accounts, and one
/// for changes no single account is known to own (accounts deleted, the
/// sweeps, quotas), which counts for every account.
pub(super) struct Epochs {
    /// Counts every move: an epoch moved takes the count's next value, so
    /// each epoch only grows.
    moves: AtomicI64,
    everyone: AtomicI64,
    stripes: [AtomicI64; STRIPES],
}

impl Default for Epochs {
    fn default() -> Epochs {
        Epochs {
            moves: AtomicI64::new(0),
            everyone: AtomicI64::new(0),
            stripes: std::array::from_fn(|_| AtomicI64::new(0)),
        }
    }
}

impl Epochs {
    /// The epoch `account`'s reads of tasks begin in now.
    pub(super) fn of(&self, account: i64) -> i64 {
        let everyone = self.everyone.load(Ordering::Acquire);
        everyone.max(self.stripes[stripe(account)].load(Ordering::Acquire))
    }

    fn move_on(&self, epoch: &AtomicI64) {
        let next = self.moves.fetch_add(1, Ordering::AcqRel) + 1;
        epoch.fetch_max(next, Ordering::Release);
    }
}

/// What the transaction under way changed, as the update hook saw it.
#[derive(Default)]
struct Touched {
    /// The account whose tasks the write running now changes, if it is a
    /// write to one account's tasks only.
    account: Option<i64>,
    everyone: bool,
    /// One bit a stripe.
    stripes: [u64; STRIPES / 64],
}

/// Watches the writer's connection for changes to what tasks read.
pub(super) struct TaskWrites {
    touched: Arc<Mutex<Touched>>,
    epochs: Arc<Epochs>,
}

impl TaskWrites {
    pub(super) fn watch(conn: &Connection) -> TaskWrites {
        let touched = Arc::new(Mutex::new(Touched::default()));
        let seen = Arc::clone(&touched);
        // Called for every row a statement (or a trigger) changes in a
        // rowid table (see `UNSEEN` for the others), on the writer thread.
        conn.update_hook(Some(move |_: Action, _: &str, table: &str, _: i64| {
            if !NOT_READ_WITH_TASKS.contains(&table) {
                let mut touched = seen.lock().unwrap_or_else(|e| e.into_inner());
                match touched.account {
                    Some(account) => {
                        let stripe = stripe(account);
                        touched.stripes[stripe / 64] |= 1 << (stripe % 64);
                    }
                    None => touched.everyone = true,
                }
            }
        }));
        TaskWrites {
            touched,
            epochs: Arc::default(),
        }
    }

    pub(super) fn epochs(&self) -> Arc<Epochs> {
        Arc::clone(&self.epochs)
    }

    /// The write about to run changes the tasks of `account` only (its
    /// caller says so: every row it writes is that account's), or, with
    /// `None`, anyone's.
    pub(super) fn running(&self, account: Option<i64>) {
        self.lock().account = account;
    }

    /// A transaction ended, committed or not (a commit that reported a
    /// failure may still have landed; an epoch moved needlessly costs a
    /// read). Called before its writes are answered, so that no client
    /// hears of a write while the epoch it ended is still current.
    pub(super) fn ended(&self) {
        let touched = std::mem::take(&mut *self.lock());
        if touched.everyone {
            self.epochs.move_on(&self.epochs.everyone);
        }
        for stripe in (0..STRIPES).filter(|s| touched.stripes[s / 64] & (1 << (s % 64)) != 0) {
            self.epochs.move_on(&self.epochs.stripes[stripe]);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Touched> {
        self.touched.lock().unwrap_or_else(|e| e.into_inner())
    }
}
