//! Limits on attempts (password checks, registrations) per username and per
//! client address, counted in the database so that every daemon serving it
//! enforces the same limits.

use std::{net::IpAddr, sync::Arc, time::Duration};

use chrono::Utc;
use rand::RngCore;
use tokio::sync::Notify;

use crate::{
    error::ApiError,
    store::{
        attempts::{Limit, Verdict},
        Store,
    },
};

/// How long an attempt waits for places held by attempts still being judged
/// (32 right passwords at once from one address) before it gives up.
const BUSY_WAIT: Duration = Duration::from_secs(10);
/// How often a waiting attempt looks again when no settlement on this
/// daemon wakes it (another daemon's attempt settled).
const BUSY_POLL: Duration = Duration::from_millis(100);

/// Failed logins for one username from one address, within [`FAILURE_WINDOW`].
pub const PAIR_FAILURES: u32 = 5;
/// Failed logins from one address, whatever the usernames.
pub const ADDRESS_FAILURES: u32 = 30;
/// Failed logins for one username from anywhere: past them, only the
/// addresses its owner has logged in from before are still let through.
pub const USERNAME_FAILURES: u32 = 30;
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);
/// The window of the registrations cap.
pub const REGISTRATION_WINDOW: Duration = Duration::from_secs(3600);
/// The longest window: older attempts count for nothing.
pub const ATTEMPTS_KEPT: Duration = REGISTRATION_WINDOW;
/// How long a login address stays known to the username limit.
pub const ADDRESSES_KEPT: chrono::Duration = chrono::Duration::days(180);

/// The rules a password check for `username` from `address` counts
/// against: the pair's first. `known_address`: the username's owner has
/// logged in from this address before, so a username under attack from
/// elsewhere does not lock them out.
pub fn login_rules(username: &str, address: Option<IpAddr>, known_address: bool) -> Vec<Rule> {
    let username = login_key(username);
    let address = address.map(|address| address.to_string());
    let rule = |key: String, max: u32| Rule {
        key,
        max,
        window: FAILURE_WINDOW,
    };
    let mut rules = vec![rule(
        format!("pair:{username}|{}", address.as_deref().unwrap_or("")),
        PAIR_FAILURES,
    )];
    if let Some(address) = address {
        rules.push(rule(format!("addr:{address}"), ADDRESS_FAILURES));
    }
    if !known_address {
        rules.push(rule(format!("user:{username}"), USERNAME_FAILURES));
    }
    rules
}

/// The rule registrations from `address` count against; none without a cap
/// or an address.
pub fn registration_rules(address: Option<IpAddr>, per_hour: u32) -> Vec<Rule> {
    match address {
        Some(address) if per_hour > 0 => vec![Rule {
            key: format!("register:{address}"),
            max: per_hour,
            window: REGISTRATION_WINDOW,
        }],
        _ => Vec::new(),
    }
}

/// A username as the limits count it: one key however it is spelt.
fn login_key(username: &str) -> String {
    // No username holds a NUL, and the database may not keep one.
    username.trim().to_lowercase().replace('\0', "\u{fffd}")
}

pub struct Limiter {
    store: Arc<dyn Store>,
    /// Woken whenever an attempt made through this daemon settles.
    settled: Arc<Notify>,
}

/// A limit on one key: at most `max` counted attempts within `window`.
#[derive(Debug, Clone)]
pub struct Rule {
    pub key: String,
    pub max: u32,
    pub window: Duration,
}

impl Limiter {
    pub fn new(store: Arc<dyn Store>) -> Limiter {
        Limiter {
            store,
            settled: Arc::new(Notify::new()),
        }
    }

    /// Begins an attempt against every rule: 429 with the seconds to wait
    /// when one of them is used up. The attempt counts at once, so that
    /// attempts sent in parallel (to any daemon) cannot all pass before the
    /// first is judged; when the only places left are held by attempts still
    /// being judged, this waits for them rather than refusing, since those
    /// may yet be taken back. Then it counts for good only if
    /// [`Attempt::counts`] is called; [`Attempt::taken_back`], or a request
    /// given up before its answer (which tells the client nothing), takes
    /// it back.
    pub async fn begin(&self, rules: &[Rule], what: &str) -> Result<Attempt, ApiError> {
        let id = (rand::rngs::OsRng.next_u64() >> 1) as i64;
        if rules.is_empty() {
            return Ok(Attempt {
                store: None,
                settled: Arc::clone(&self.settled),
                id,
            });
        }
        let deadline = tokio::time::Instant::now() + BUSY_WAIT;
        loop {
            // Registered before the check, so a settlement in between wakes it.
            let settled = self.settled.notified();
            let now = Utc::now();
            let limits = rules
                .iter()
                .map(|rule| Limit {
                    key: rule.key.clone(),
                    max: rule.max,
                    since: now - chrono::Duration::from_std(rule.window).unwrap_or_default(),
                })
                .collect();
            match self.store.begin_attempt(id, limits, now).await? {
                Verdict::Admitted => {
                    return Ok(Attempt {
                        store: Some(Arc::clone(&self.store)),
                        settled: Arc::clone(&self.settled),
                        id,
                    })
                }
                Verdict::Refused { frees_at } => {
                    let wait = (frees_at - now).num_milliseconds().max(0) as u64;
                    return Err(too_many(what, wait.div_ceil(1000).max(1)));
                }
                Verdict::Busy if tokio::time::Instant::now() >= deadline => {
                    return Err(too_many(what, 1));
                }
                Verdict::Busy => {
                    let _ = tokio::time::timeout(BUSY_POLL, settled).await;
                }
            }
        }
    }

    /// Forgets the attempts counted against `key`.
    pub async fn clear(&self, key: &str) -> Result<(), ApiError> {
        Ok(self.store.clear_attempts(key).await?)
    }
}

fn too_many(what: &str, retry_after_secs: u64) -> ApiError {
    ApiError::TooManyRequests {
        detail: format!("Too many {what}; try again in {retry_after_secs} s."),
        retry_after_secs,
    }
}

/// An attempt under way (see [`Limiter::begin`]).
pub struct Attempt {
    /// `None` once the attempt is settled.
    store: Option<Arc<dyn Store>>,
    settled: Arc<Notify>,
    id: i64,
}

impl Attempt {
    /// The attempt counts against its limits (a wrong password, an account
    /// made).
    pub async fn counts(mut self) -> Result<(), ApiError> {
        self.settle(true).await
    }

    /// The attempt does not count (a right password).
    pub async fn taken_back(mut self) -> Result<(), ApiError> {
        self.settle(false).await
    }

    async fn settle(&mut self, counts: bool) -> Result<(), ApiError> {
        if let Some(store) = self.store.take() {
            store.settle_attempt(self.id, counts).await?;
            self.settled.notify_waiters();
        }
        Ok(())
    }
}

impl Drop for Attempt {
    /// Given up before its answer: the client learnt nothing, so it does
    /// not count.
    fn drop(&mut self) {
        if let Some(store) = self.store.take() {
            let (id, settled) = (self.id, Arc::clone(&self.settled));
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    match store.settle_attempt(id, false).await {
                        Ok(()) => settled.notify_waiters(),
                        Err(err) => tracing::warn!(error = %err, "could not take back an attempt"),
                    }
                });
            }
        }
    }
}
