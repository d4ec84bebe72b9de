//! Answers to reads of tasks, kept and given again while no task has
//! changed: a page of tasks costs queries, the conversion of every row and
//! the JSON; a kept answer costs a lookup.
//!
//! An answer is kept under the epoch its read began in, which the login
//! check gives (`AuthContext::tasks_changed`), and given again only while
//! that epoch is current, so once a client has heard of its write, no
//! answer read before it is given again, to it or anyone:
//! - On SQLite the daemon, the database's one writer, moves epochs on
//!   after each commit that changed tasks, before the commit's writers hear
//!   of it: the epoch of the account whose tasks a write changed (accounts
//!   share one by stripes of 256), or everyone's for a write no one account
//!   owns (`store::sqlite::task_writes`).
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
    sync::{Arc, Mutex},
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

/// The largest answer kept: a page near the page budget (about a megabyte)
/// is read again rather than holding a quarter of the room.
const MAX_ANSWER_BYTES: usize = MAX_BYTES / 8;

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

/// A read whose answer is kept: the two never share a key.
#[derive(Clone, Hash, PartialEq, Eq)]
pub enum Read {
    /// `GET /api/tasks/{id}/`.
    Task(i64),
    /// `GET /api/tasks/`: its query as sent, and the origin its page links
    /// start with.
    List { origin: String, query: String },
}

impl Read {
    fn bytes(&self) -> usize {
        match self {
            Read::Task(_) => std::mem::size_of::<Read>(),
            Read::List { origin, query } => {
                std::mem::size_of::<Read>() + origin.len() + query.len()
            }
        }
    }
}

/// Which read: whose, and what it asked.
#[derive(Clone, Hash, PartialEq, Eq)]
struct Key {
    user_id: i64,
    read: Read,
}

struct Slot {
    epoch: i64,
    born: Instant,
    /// `None` once its read failed: whoever waited for it reads for itself.
    answer: OnceCell<Option<Answer>>,
}

impl Slot {
    fn young(&self) -> bool {
        self.born.elapsed() < MAX_AGE
    }

    fn failed(&self) -> bool {
        matches!(self.answer.get(), Some(None))
    }
}

struct Kept {
    slot: Arc<Slot>,
    /// The answer's bytes and its key's, once it is read.
    bytes: usize,
}

#[derive(Default)]
struct Slots {
    by_key: HashMap<Key, Kept>,
    bytes: usize,
}

impl Slots {
    fn remove_unless(&mut self, keep: impl Fn(&Slot) -> bool) {
        let mut freed = 0;
        self.by_key.retain(|_, kept| {
            let keeps = keep(&kept.slot);
            if !keeps {
                freed += kept.bytes;
            }
            keeps
        });
        self.bytes -= freed;
    }

    /// Within the bounds again: the answers past their age go, then, if
    /// that is not enough, all of them.
    fn make_room(&mut self) {
        let full = |slots: &Slots| slots.bytes > MAX_BYTES || slots.by_key.len() >= MAX_SLOTS;
        if full(self) {
            self.remove_unless(Slot::young);
            if full(self) {
                self.remove_unless(|_| false);
            }
        }
    }

    /// Removes `slot` if it is still the one kept for `key`.
    fn forget(&mut self, key: &Key, slot: &Arc<Slot>) {
        if self
            .by_key
            .get(key)
            .is_some_and(|kept| Arc::ptr_eq(&kept.slot, slot))
        {
            if let Some(kept) = self.by_key.remove(key) {
                self.bytes -= kept.bytes;
            }
        }
    }
}

#[derive(Default)]
pub struct ReadCache {
    slots: Mutex<Slots>,
}

impl ReadCache {
    /// The answer to `user`'s read `asked`: a kept one still current, or
    /// the one `read` gives, then kept. Reads of the same
    /// answer wait for the one under way; if it fails, each reads for
    /// itself, and nothing is kept. `fresh` (the client sent
    /// `Cache-Control: no-cache`) reads whatever is kept, and what it reads
    /// is kept in its place.
    pub async fn answer<F, Fut>(
        &self,
        user: &AuthUser,
        asked: Read,
        fresh: bool,
        read: F,
    ) -> ApiResult<Answer>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = ApiResult<Answer>>,
    {
        let Some(epoch) = user.tasks_changed else {
            return read().await;
        };
        let key = Key {
            user_id: user.user.id,
            read: asked,
        };
        let Some(slot) = self.slot(&key, epoch, fresh) else {
            return read().await;
        };
        let mut read = Some(read);
        let mut failure = None;
        let mut filled = false;
        let (reading, failing, filling) = (&mut read, &mut failure, &mut filled);
        let kept = slot
            .answer
            .get_or_init(move || async move {
                *filling = true;
                let read = reading.take()?;
                read().await.map_err(|err| *failing = Some(err)).ok()
            })
            .await
            .clone();
        match (kept, failure) {
            (Some(answer), _) => {
                if filled {
                    self.count(&key, &slot, answer.body.len());
                }
                Ok(answer)
            }
            (None, Some(err)) => {
                self.lock().forget(&key, &slot);
                Err(err)
            }
            (None, None) => match read.take() {
                Some(read) => read().await,
                None => Err(ApiError::Internal(anyhow::anyhow!(
                    "a kept read was neither read nor failed"
                ))),
            },
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Slots> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The slot of `key` for a read beginning in `epoch`: the one kept if
    /// it is current (and the read not `fresh`), else a new one in its
    /// place; `None` when the one kept was read in a later epoch (epochs
    /// only grow), so this read, begun before it, is not kept.
    fn slot(&self, key: &Key, epoch: i64, fresh: bool) -> Option<Arc<Slot>> {
        let mut slots = self.lock();
        if let Some(kept) = slots
            .by_key
            .get(key)
            .filter(|kept| kept.slot.young() && !kept.slot.failed())
        {
            match kept.slot.epoch.cmp(&epoch) {
                std::cmp::Ordering::Equal if !fresh => return Some(Arc::clone(&kept.slot)),
                std::cmp::Ordering::Equal => {}
                std::cmp::Ordering::Greater => return None,
                std::cmp::Ordering::Less => {}
            }
        }
        slots.make_room();
        // Born before its read begins: an answer replaced by a fresh read
        // that finished first is still gone within a second of any write
        // made beside the daemon.
        let slot = Arc::new(Slot {
            epoch,
            born: Instant::now(),
            answer: OnceCell::new(),
        });
        let kept = Kept {
            slot: Arc::clone(&slot),
            bytes: 0,
        };
        if let Some(old) = slots.by_key.insert(key.clone(), kept) {
            slots.bytes -= old.bytes;
        }
        Some(slot)
    }

    /// Counts a slot just read, if it is still the one kept; an answer too
    /// large to keep goes.
    fn count(&self, key: &Key, slot: &Arc<Slot>, body: usize) {
        let bytes = body + key.read.bytes();
        let mut slots = self.lock();
        if bytes > MAX_ANSWER_BYTES {
            slots.forget(key, slot);
            return;
        }
        if let Some(kept) = slots
            .by_key
            .get_mut(key)
            .filter(|kept| Arc::ptr_eq(&kept.slot, slot))
        {
            kept.bytes = bytes;
            slots.bytes += bytes;
            slots.make_room();
        }
    }
}
