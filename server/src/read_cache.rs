//! Answers to reads of tasks, kept and given again while no task has
//! changed: a page of tasks costs queries, the conversion of every row and
//! the JSON; a kept answer costs a lookup.
//!
//! An answer is kept under the epoch its read began in, and given again
//! only while that epoch is current, so once a client has heard of its
//! write, no answer read before it is given again, to it or anyone:
//! - On SQLite the daemon, the database's one writer, moves its epoch on
//!   after each commit that changed tasks, before the commit's writers hear
//!   of it.
//! - On PostgreSQL, which other daemons write too, the epoch is the
//!   account's count of task changes, moved on by triggers in the same
//!   transaction as each write and read with the login check every request
//!   makes anyway. A kept answer saves the task query, not that check.
//!
//! Answers also age out after [`MAX_AGE`]: urgency and whether a task still
//! waits move with the clock, and on SQLite a command beside the daemon
//! (`taskd import-django`) adds tasks the daemon does not see written.
//!
//! Reads of one key wait for the one being read rather than each reading
//! again, so a burst of the same large page builds it once.

use std::{
    collections::HashMap,
    future::Future,
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use axum::{
    body::Bytes,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use tokio::sync::OnceCell;

use crate::{
    auth::AuthUser,
    error::{ApiError, ApiResult},
    extract::IfNoneMatch,
};

/// How long an answer is given again at most.
const MAX_AGE: Duration = Duration::from_secs(1);

/// Bytes of answers kept, and answers (or reads under way), at most: past
/// either, the stale ones go, then all of them.
const MAX_BYTES: usize = 4 << 20;
const MAX_SLOTS: usize = 4096;

/// A JSON answer and its tag.
#[derive(Clone)]
pub struct Answer {
    /// The tag's value, without quotes, as `If-None-Match` is compared.
    tag: String,
    etag: HeaderValue,
    body: Bytes,
}

impl Answer {
    pub fn json(tag: String, body: Vec<u8>) -> ApiResult<Answer> {
        let etag = HeaderValue::from_str(&format!("\"{tag}\""))
            .map_err(|err| ApiError::Internal(err.into()))?;
        Ok(Answer {
            tag,
            etag,
            body: Bytes::from(body),
        })
    }

    /// 200 with the body, or 304 when the client holds it already.
    pub fn respond(self, if_none_match: &IfNoneMatch) -> Response {
        if if_none_match.holds(&self.tag) {
            return (StatusCode::NOT_MODIFIED, [(header::ETAG, self.etag)]).into_response();
        }
        (
            StatusCode::OK,
            [
                (header::ETAG, self.etag),
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                ),
            ],
            self.body,
        )
            .into_response()
    }
}

/// Which read: whose, and what it asked.
#[derive(Clone, Hash, PartialEq, Eq)]
struct Key {
    user_id: i64,
    what: String,
}

struct Slot {
    epoch: u64,
    born: Instant,
    answer: OnceCell<Answer>,
    /// The answer's bytes once counted in [`Slots::bytes`]; changed only
    /// under the slots' lock.
    counted: AtomicUsize,
}

impl Slot {
    fn current(&self, epoch: u64) -> bool {
        self.epoch == epoch && self.born.elapsed() < MAX_AGE
    }
}

#[derive(Default)]
struct Slots {
    by_key: HashMap<Key, Arc<Slot>>,
    bytes: usize,
}

impl Slots {
    fn remove_unless(&mut self, keep: impl Fn(&Slot) -> bool) {
        let mut freed = 0;
        self.by_key.retain(|_, slot| {
            let kept = keep(slot);
            if !kept {
                freed += slot.counted.load(Ordering::Relaxed);
            }
            kept
        });
        self.bytes -= freed;
    }
}

pub struct ReadCache {
    /// The daemon's own epoch, where it makes every write (SQLite).
    daemon_epoch: Option<Arc<AtomicU64>>,
    slots: Mutex<Slots>,
}

impl ReadCache {
    /// `daemon_epoch`: the store's, if it has one.
    pub fn new(daemon_epoch: Option<Arc<AtomicU64>>) -> ReadCache {
        ReadCache {
            daemon_epoch,
            slots: Mutex::default(),
        }
    }

    /// The epoch a read of `user`'s tasks begins in; `None`: nothing is
    /// kept.
    fn epoch(&self, user: &AuthUser) -> Option<u64> {
        match (user.tasks_changed, &self.daemon_epoch) {
            (Some(count), _) => u64::try_from(count).ok(),
            (None, Some(epoch)) => Some(epoch.load(Ordering::Acquire)),
            (None, None) => None,
        }
    }

    /// The answer to `user`'s read `what` (the path and query, and where an
    /// answer holds links, the origin they start with): a kept one still
    /// current, or the one `read` gives, then kept. A read that fails is
    /// not kept; the next waiting for the same answer reads in its turn.
    /// `fresh` (the client sent `Cache-Control: no-cache`) reads whatever
    /// is kept.
    pub async fn answer<F, Fut>(
        &self,
        user: &AuthUser,
        what: String,
        fresh: bool,
        read: F,
    ) -> ApiResult<Answer>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = ApiResult<Answer>>,
    {
        let Some(epoch) = self.epoch(user).filter(|_| !fresh) else {
            return read().await;
        };
        let key = Key {
            user_id: user.user.id,
            what,
        };
        let slot = self.slot(&key, epoch);
        let mut filled = false;
        let answer = slot
            .answer
            .get_or_try_init(|| {
                filled = true;
                read()
            })
            .await?
            .clone();
        if filled {
            self.count(&key, &slot, answer.body.len() + key.what.len());
        }
        Ok(answer)
    }

    /// The slot of `key` for reads beginning in `epoch`: the one there if
    /// it is current, else a new one in its place.
    fn slot(&self, key: &Key, epoch: u64) -> Arc<Slot> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = slots.by_key.get(key).filter(|slot| slot.current(epoch)) {
            return Arc::clone(slot);
        }
        if slots.bytes > MAX_BYTES || slots.by_key.len() >= MAX_SLOTS {
            slots.remove_unless(|slot| slot.current(epoch));
            if slots.bytes > MAX_BYTES || slots.by_key.len() >= MAX_SLOTS {
                slots.remove_unless(|_| false);
            }
        }
        let slot = Arc::new(Slot {
            epoch,
            born: Instant::now(),
            answer: OnceCell::new(),
            counted: AtomicUsize::new(0),
        });
        if let Some(old) = slots.by_key.insert(key.clone(), Arc::clone(&slot)) {
            slots.bytes -= old.counted.load(Ordering::Relaxed);
        }
        slot
    }

    /// Counts a filled slot's bytes, if it is still the one kept.
    fn count(&self, key: &Key, slot: &Arc<Slot>, bytes: usize) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if slots
            .by_key
            .get(key)
            .is_some_and(|kept| Arc::ptr_eq(kept, slot))
        {
            slot.counted.store(bytes, Ordering::Relaxed);
            slots.bytes += bytes;
        }
    }
}
