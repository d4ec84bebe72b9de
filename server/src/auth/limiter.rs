//! The login rate limit: failed password checks per username and per client
//! address over the last minute, counted in the database so that every
//! daemon serving it enforces the same limit.

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use rand::RngCore;

use crate::{error::ApiError, store::Store};

pub const MAX_FAILURES: u32 = 5;
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);

pub struct LoginLimiter {
    store: Arc<dyn Store>,
}

impl LoginLimiter {
    pub fn new(store: Arc<dyn Store>) -> LoginLimiter {
        LoginLimiter { store }
    }

    /// Starts a password check for `keys`: 429 with the seconds to wait
    /// when any of them has used up its attempts. Otherwise the attempt
    /// counts as a failure at once, so that guesses sent in parallel (to any
    /// daemon) cannot all pass before the first is judged; it stays one only
    /// if [`Attempt::failed`] is called. A right password
    /// ([`Attempt::succeeded`]), or a request given up before its answer
    /// (which tells the client nothing), takes it back.
    pub async fn begin(&self, keys: Vec<String>) -> Result<Attempt, ApiError> {
        let id = (rand::rngs::OsRng.next_u64() >> 1) as i64;
        let now = Utc::now();
        let window = chrono::Duration::from_std(FAILURE_WINDOW).unwrap_or_default();
        let refused = self
            .store
            .begin_login_attempt(id, keys, now, now - window, MAX_FAILURES)
            .await?;
        if let Some(oldest) = refused {
            let wait = (oldest + window - now).num_seconds();
            let retry_after_secs = wait.clamp(1, window.num_seconds()) as u64;
            return Err(ApiError::TooManyRequests {
                detail: format!(
                    "Too many failed login attempts; try again in {retry_after_secs} s."
                ),
                retry_after_secs,
            });
        }
        Ok(Attempt {
            store: Some(Arc::clone(&self.store)),
            id,
        })
    }

    /// Forgets the failures counted against `key` (a right password for it).
    pub async fn clear(&self, key: &str) -> Result<(), ApiError> {
        Ok(self.store.clear_login_attempts(key).await?)
    }
}

/// A password check under way (see [`LoginLimiter::begin`]).
pub struct Attempt {
    /// `None` once the attempt is settled.
    store: Option<Arc<dyn Store>>,
    id: i64,
}

impl Attempt {
    /// The password was wrong: the attempt keeps counting.
    pub fn failed(mut self) {
        self.store = None;
    }

    /// The password was right: the attempt is taken back before the answer.
    pub async fn succeeded(mut self) -> Result<(), ApiError> {
        match self.store.take() {
            Some(store) => Ok(store.forget_login_attempt(self.id).await?),
            None => Ok(()),
        }
    }
}

impl Drop for Attempt {
    /// Given up before its answer: the client learnt nothing, so it does
    /// not count.
    fn drop(&mut self) {
        if let Some(store) = self.store.take() {
            let id = self.id;
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    if let Err(err) = store.forget_login_attempt(id).await {
                        tracing::warn!(error = %err, "could not take back a login attempt");
                    }
                });
            }
        }
    }
}
