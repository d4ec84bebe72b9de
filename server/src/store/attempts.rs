//! Counted attempts (login failures, registrations) and the addresses each
//! user has logged in from, kept in the database so that every daemon
//! serving it enforces the same limits.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;

/// An attempt still unsettled this long after it began (its daemon stopped
/// half-way) counts as made.
pub const UNSETTLED_LASTS: chrono::Duration = chrono::Duration::seconds(30);

/// At most `max` attempts counted against `key` since `since`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    pub key: String,
    pub max: u32,
    pub since: DateTime<Utc>,
}

/// What beginning an attempt found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Counted against every key, unsettled until judged.
    Admitted,
    /// Some key's places are all taken, some by attempts still being
    /// judged: one of those may yet be taken back, so try again once they
    /// settle. Nothing was counted.
    Busy,
    /// Some key has used up its places; the first frees up at `frees_at`.
    /// Nothing was counted.
    Refused { frees_at: DateTime<Utc> },
}

#[async_trait]
pub trait AttemptStore: Send + Sync + 'static {
    /// Counts the attempt `attempt` against every limit's key, atomically
    /// with the check, so that attempts in parallel (on any daemon) never
    /// get more places than the limits allow.
    async fn begin_attempt(
        &self,
        attempt: i64,
        limits: Vec<Limit>,
        now: DateTime<Utc>,
    ) -> StoreResult<Verdict>;
    /// Judges an attempt: `counts` keeps it (a failure, a registration made);
    /// otherwise it is taken back.
    async fn settle_attempt(&self, attempt: i64, counts: bool) -> StoreResult<()>;
    /// Forgets every attempt counted against `key`.
    async fn clear_attempts(&self, key: &str) -> StoreResult<()>;
    /// Forgets every attempt begun before `before`.
    async fn forget_attempts_before(&self, before: DateTime<Utc>) -> StoreResult<()>;

    /// Whether the user has logged in from `address` before.
    async fn address_known(&self, user_id: i64, address: &str) -> StoreResult<bool>;
    /// Notes a successful login of the user from `address`.
    async fn remember_address(
        &self,
        user_id: i64,
        address: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Forgets the addresses last used before `before`.
    async fn forget_addresses_before(&self, before: DateTime<Utc>) -> StoreResult<()>;
}

/// The verdict on one key, from its attempts since the limit's start:
/// `counted` of them made (or abandoned), `total` including those still
/// being judged, the oldest begun at `oldest`.
pub fn judge(
    limit: &Limit,
    counted: u32,
    total: u32,
    oldest: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Verdict {
    if counted >= limit.max {
        let oldest = oldest.unwrap_or(now);
        Verdict::Refused {
            frees_at: oldest + (now - limit.since),
        }
    } else if total >= limit.max {
        Verdict::Busy
    } else {
        Verdict::Admitted
    }
}

/// The strictest of several keys' verdicts: a refusal (the latest to free
/// up) over busy over admitted.
pub fn strictest(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
    verdicts
        .into_iter()
        .fold(Verdict::Admitted, |worst, verdict| match (worst, verdict) {
            (Verdict::Refused { frees_at: a }, Verdict::Refused { frees_at: b }) => {
                Verdict::Refused { frees_at: a.max(b) }
            }
            (refused @ Verdict::Refused { .. }, _) | (_, refused @ Verdict::Refused { .. }) => {
                refused
            }
            (Verdict::Busy, _) | (_, Verdict::Busy) => Verdict::Busy,
            _ => Verdict::Admitted,
        })
}
