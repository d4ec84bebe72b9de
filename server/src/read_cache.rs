//! Answers to reads of tasks, kept and given again while no task has
//! changed: a page of tasks costs queries, the conversion of every row and
//! the JSON; a kept answer costs a lookup.
//!
//! Kept only where the store sees every write to tasks before it is
//! acknowledged (SQLite, whose serving lock makes this daemon its one
//! writer): its epoch moves on after each commit that changed tasks and
//! before the commit's writers hear of it, and an answer is kept under the
//! epoch current when it began to be read. So once a client has heard of
//! its write, no answer read before it is given again, to it or anyone.
//! Answers also age out after [`MAX_AGE`]: urgency and whether a task still
//! waits move with the clock, and a command beside the daemon
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

/// Which read: whose, and what it asked (the path and query, and where an
/// answer holds links, the origin they start with).
#[derive(Clone, Hash, PartialEq, Eq)]
pub struct Key {
    user_id: i64,
    what: String,
}

impl Key {
    pub fn new(user_id: i64, what: String) -> Key {
        Key { user_id, what }
    }
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
    /// `None`: nothing is kept.
    epoch: Option<Arc<AtomicU64>>,
    slots: Mutex<Slots>,
}

impl ReadCache {
    /// Keeps answers under the store's task epoch, if it has one.
    pub fn new(epoch: Option<Arc<AtomicU64>>) -> ReadCache {
        ReadCache {
            epoch,
            slots: Mutex::default(),
        }
    }

    /// The answer to `key`: a kept one still current, or the one `read`
    /// gives, then kept. A read that fails is not kept; the next waiting
    /// for the same key reads in its turn. `fresh` (the client sent
    /// `Cache-Control: no-cache`) reads whatever is kept.
    pub async fn answer<F, Fut>(&self, key: Key, fresh: bool, read: F) -> ApiResult<Answer>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = ApiResult<Answer>>,
    {
        let Some(epoch) = self.epoch.as_ref().filter(|_| !fresh) else {
            return read().await;
        };
        let slot = self.slot(&key, epoch.load(Ordering::Acquire));
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
