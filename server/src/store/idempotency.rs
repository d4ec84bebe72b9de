//! Idempotency keys: a request retried with the same key is answered with
//! the first answer instead of being carried out again.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;

/// How long a key is kept.
pub const KEYS_KEPT: chrono::Duration = chrono::Duration::hours(24);

/// How long a claimed key waits for its answer before a retry may take it
/// over (the daemon that claimed it stopped half-way).
pub const CLAIM_LASTS: chrono::Duration = chrono::Duration::seconds(60);

/// An answer kept for a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedAnswer {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
    pub etag: Option<String>,
}

/// What claiming a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// New (or abandoned): the request is this caller's to carry out.
    Fresh,
    /// Carried out before: its answer.
    Replay(SavedAnswer),
    /// Used before for another request.
    Mismatch,
    /// Being carried out right now.
    InFlight,
}

#[async_trait]
pub trait IdempotencyStore: Send + Sync + 'static {
    /// Claims `key` of the user for the request hashed `request_hash`.
    async fn claim_key(
        &self,
        user_id: i64,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Claim>;
    /// Keeps the answer to a claimed key.
    async fn save_answer(&self, user_id: i64, key: &str, answer: SavedAnswer) -> StoreResult<()>;
    /// Lets a claimed key go, unanswered: a retry carries the request out.
    async fn release_key(&self, user_id: i64, key: &str) -> StoreResult<()>;
    /// Forgets the keys claimed before `before`.
    async fn forget_keys_before(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}
