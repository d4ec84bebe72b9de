//! The change feed: every committed change to a task, kept in the database
//! in commit order, and the wake-ups that tell event streams to read it.
//!
//! The table is the truth and the wake-ups are only hints: a stream that
//! misses one (it lagged, or another daemon's notification was lost) reads
//! late but never loses a change, since it always reads everything after
//! its cursor.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
pub use common::api::ChangeOp;
use common::api::Task;
use tokio::sync::broadcast;

use super::{stored, StoreResult};

/// How long changes are kept: for clients to resume from (a week at
/// least), and for undo and the tasks' history.
pub const CHANGES_KEPT: chrono::Duration = super::journal::KEPT_FOR_UNDO;

/// Why a change set was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetKind {
    /// A change a request made.
    Change,
    /// The revert of change set `0`.
    Undo(i64),
    /// The revert of undo set `0`: what it undid, made again.
    Redo(i64),
}

impl SetKind {
    /// As stored: the kind's name and the set it reverts.
    pub fn parts(self) -> (&'static str, Option<i64>) {
        match self {
            SetKind::Change => ("change", None),
            SetKind::Undo(set) => ("undo", Some(set)),
            SetKind::Redo(set) => ("redo", Some(set)),
        }
    }
}

/// One committed change, as the feed keeps it.
#[derive(Debug, Clone)]
pub struct Change {
    /// Its place in commit order: the cursor a client resumes after.
    pub seq: i64,
    pub task_id: i64,
    pub op: ChangeOp,
    /// The task's version after the change (before it, for a deletion).
    pub version: i64,
    /// The task as read back in the writing transaction; `None` once deleted.
    pub task: Option<Task>,
}

/// Where a user's stream may start and resume.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedBounds {
    /// Changes up to this one may have been purged: an older cursor may
    /// have missed some.
    pub purged_through: i64,
    /// The last change committed, of any user: a higher cursor was never
    /// given out.
    pub latest: i64,
    /// Where a new stream of the user starts: after the user's last change.
    /// Not `latest`: on a shared database another user's later change may
    /// be committed while one of this user's, numbered before it, is not.
    pub start: i64,
}

/// Why a stream should look at the feed or at its login again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// This user's tasks changed.
    Tasks(i64),
    /// This user's account or logins changed: a stream checks it is still
    /// allowed to run.
    Account(i64),
    /// Anything may have changed (a notification may have been lost).
    All,
}

impl Wake {
    /// Whether a stream of `user_id` should act on it.
    pub fn concerns(self, user_id: i64) -> bool {
        match self {
            Wake::Tasks(user) | Wake::Account(user) => user == user_id,
            Wake::All => true,
        }
    }

    /// The payload of a PostgreSQL notification: `t42`, `a42`, `*`.
    pub fn encode(self) -> String {
        match self {
            Wake::Tasks(user) => format!("t{user}"),
            Wake::Account(user) => format!("a{user}"),
            Wake::All => "*".to_string(),
        }
    }

    /// Anything unreadable wakes every stream: a wasted read beats a missed
    /// change.
    pub fn decode(payload: &str) -> Wake {
        let user = |rest: &str| rest.parse::<i64>().ok();
        match payload.split_at_checked(1) {
            Some(("t", rest)) => user(rest).map_or(Wake::All, Wake::Tasks),
            Some(("a", rest)) => user(rest).map_or(Wake::All, Wake::Account),
            _ => Wake::All,
        }
    }
}

/// Wake-ups queued per listener at most: a listener further behind is told
/// it lagged and reads once, so a slow stream holds no more than this.
const WAKEUPS_QUEUED: usize = 256;

/// The daemon's wake-up hub, fed after each commit.
pub struct Wakeups {
    sender: broadcast::Sender<Wake>,
}

impl Default for Wakeups {
    fn default() -> Wakeups {
        Wakeups {
            sender: broadcast::channel(WAKEUPS_QUEUED).0,
        }
    }
}

impl Wakeups {
    pub fn send(&self, wake: Wake) {
        // Nobody listening is fine: no stream is open.
        let _ = self.sender.send(wake);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Wake> {
        self.sender.subscribe()
    }
}

/// The change feed of a backend.
#[async_trait]
pub trait ChangeFeed: Send + Sync + 'static {
    /// The user's changes after `after`, oldest first, at most `limit`.
    async fn changes_after(&self, user_id: i64, after: i64, limit: u32)
        -> StoreResult<Vec<Change>>;
    async fn feed_bounds(&self, user_id: i64) -> StoreResult<FeedBounds>;
    /// Deletes the changes committed before `before`; how many went.
    async fn purge_changes(&self, before: DateTime<Utc>) -> StoreResult<u64>;
    /// Wake-ups for event streams, from this daemon's writes and (on a
    /// shared database) from every other daemon's.
    fn wakeups(&self) -> broadcast::Receiver<Wake>;
}

/// The task as the feed keeps it: JSON of the API's own type.
pub fn task_json(task: &Task) -> String {
    // The API's task serialises without fail (string keys only).
    serde_json::to_string(task).unwrap_or_default()
}

/// A kept task read back; a row that does not read is a change whose task
/// is unknown, which a client treats as "reload".
pub fn task_from_json(text: &str) -> Option<Task> {
    serde_json::from_str(text).ok()
}

/// A task just written, as a read of it gives it back, where that is known
/// without the read: instants are stored to the microsecond and notes read
/// in the order of their ids, and what is computed on read (`urgency`) is
/// left at zero. Whether it is `blocked` and `blocking` is the caller's to
/// know (a new task with no dependencies, whose id the store picked, is
/// neither: that id was never any task's, so no task depends on it).
pub fn as_read_back(mut task: Task, blocked: bool, blocking: bool) -> Task {
    for at in [
        &mut task.due,
        &mut task.completed_at,
        &mut task.start,
        &mut task.wait,
        &mut task.scheduled,
        &mut task.until,
    ] {
        *at = at.map(stored);
    }
    task.created_at = stored(task.created_at);
    task.updated_at = stored(task.updated_at);
    for annotation in &mut task.annotations {
        annotation.entry = stored(annotation.entry);
    }
    task.annotations
        .sort_unstable_by_key(|annotation| annotation.id);
    task.blocked = blocked;
    task.blocking = blocking;
    task.urgency = 0.0;
    task
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wakeups_travel_as_short_payloads() {
        for wake in [Wake::Tasks(42), Wake::Account(7), Wake::All] {
            assert_eq!(Wake::decode(&wake.encode()), wake);
        }
        for junk in ["", "t", "tx", "q42", "a-"] {
            assert_eq!(Wake::decode(junk), Wake::All, "{junk}");
        }
        assert!(Wake::Tasks(1).concerns(1));
        assert!(!Wake::Account(2).concerns(1));
        assert!(Wake::All.concerns(9));
    }
}
