//! Login checks answered from memory, behind a fence of notices.
//!
//! Every change to an account or one of its logins sends a notice, on
//! commit, that every daemon's listener hears (migration 0019). The
//! listener also sends itself a beat every [`BEAT_EVERY`], stamped with the
//! moment it was sent. PostgreSQL delivers notices to a listener in the
//! order their transactions committed, so once a beat stamped `s` is heard,
//! every notice committed before `s` has been heard, and its account
//! forgotten, before it: the fence stands at `s`.
//!
//! The answer to a request that may write is held back [`SETTLE`] after
//! its handler is done, which is after its commit (the daemon's router does
//! it, see `Store::write_settling`); event streams hear of a change
//! `SETTLE` after it is heard. A request that arrives after a write's
//! answer, or after an event telling of it, therefore arrives more than
//! `SETTLE` after the commit; if the fence stands less than `SETTLE` before
//! the request, it stands after the commit, and the kept check no longer
//! holds anything the write changed. Otherwise (beats late, the listener
//! gone, a cold start) the check goes to the database, as it always did.
//!
//! Nothing here needs the daemons' clocks to agree: each measures only
//! spans on its own, on the monotonic clock. That clock stops while the
//! machine is suspended: in the first `SETTLE` after its machine wakes, a
//! daemon could give a kept check from before it slept.
//!
//! What it does not promise: a read through one daemon within `SETTLE` of
//! a commit, before the write is answered, may show the change while a
//! read through another does not yet.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
    time::{Duration, Instant},
};

use tokio::sync::Notify;

use crate::store::{changes::Wake, AuthContext};

/// How long a write's answer waits after its commit.
pub(super) const SETTLE: Duration = Duration::from_millis(10);

/// How often the listener stamps a beat while requests come in, leaving
/// the rest of [`SETTLE`] for the beat's round trip. Every beat wakes every
/// daemon's listening connection in PostgreSQL, so not more often.
pub(super) const BEAT_EVERY: Duration = Duration::from_millis(4);

/// How long beats go on after the last request asked for a login check.
const BEAT_FOR: Duration = Duration::from_secs(1);

/// Accounts kept at most; past it the memory starts over.
const MAX_ACCOUNTS: usize = 4096;

/// Logins kept per account at most; past it the oldest kept goes.
const MAX_LOGINS: usize = 16;

pub(super) struct LoginCache {
    /// How old the fence may be for a kept check to be given ([`SETTLE`]).
    settle: Duration,
    /// What the spans below are measured from.
    origin: Instant,
    /// The latest fence, in nanoseconds from `origin` (0: none yet).
    fence: AtomicU64,
    /// When a login check last asked, in nanoseconds from `origin`.
    asked: AtomicU64,
    /// Wakes the beats after a pause.
    wanted: Notify,
    kept: Mutex<Kept>,
}

/// Stripes of accounts, each with its own generation.
const STRIPES: usize = 64;

struct Kept {
    /// Per stripe of accounts, moved on by every notice heard for one of
    /// them, and all of them when the listener (re)connects: a check read
    /// from the database is kept only if nothing was heard for its stripe
    /// while it was asked. Stripes, so that other accounts' writes seldom
    /// stop a check from being kept.
    generations: [u64; STRIPES],
    /// Per account, its logins' checks.
    accounts: HashMap<i64, Vec<(i64, AuthContext)>>,
}

impl Default for Kept {
    fn default() -> Kept {
        Kept {
            generations: [0; STRIPES],
            accounts: HashMap::new(),
        }
    }
}

impl LoginCache {
    pub(super) fn new(settle: Duration) -> LoginCache {
        LoginCache {
            settle,
            origin: Instant::now(),
            fence: AtomicU64::new(0),
            asked: AtomicU64::new(0),
            wanted: Notify::new(),
            kept: Mutex::default(),
        }
    }

    fn since_origin(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.origin).as_nanos())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The kept check of `session_id` of `user_id`, if the fence stands
    /// within the settling time of now.
    pub(super) fn lookup(&self, user_id: i64, session_id: i64) -> Option<AuthContext> {
        let now = self.since_origin(Instant::now());
        let fence = self.fence.load(Ordering::Acquire);
        let kept = self.lock();
        // Beats are wanted only while they can let kept checks be given:
        // an account written to all the time keeps none.
        let logins = kept.accounts.get(&user_id)?;
        let asked = self.asked.swap(now, Ordering::Relaxed);
        if asked == 0 || now.saturating_sub(asked) > duration_nanos(BEAT_FOR) / 2 {
            self.wanted.notify_one();
        }
        if fence == 0 || now.saturating_sub(fence) > duration_nanos(self.settle) {
            return None;
        }
        logins
            .iter()
            .find(|(session, _)| *session == session_id)
            .map(|(_, context)| context.clone())
    }

    /// To be read before a check of `user_id` is asked of the database, and
    /// given back to [`LoginCache::keep`] with its answer.
    pub(super) fn generation(&self, user_id: i64) -> u64 {
        self.lock().generations[stripe(user_id)]
    }

    /// Keeps a check read from the database, unless a notice for its stripe
    /// was heard (or the listener reconnected) since `generation` was read;
    /// then what is kept of the account goes too, being older than what the
    /// database just answered.
    pub(super) fn keep(&self, generation: u64, session_id: i64, context: &AuthContext) {
        let mut kept = self.lock();
        if kept.generations[stripe(context.user.id)] != generation {
            kept.accounts.remove(&context.user.id);
            return;
        }
        if kept.accounts.len() >= MAX_ACCOUNTS && !kept.accounts.contains_key(&context.user.id) {
            kept.accounts.clear();
        }
        let logins = kept.accounts.entry(context.user.id).or_default();
        logins.retain(|(session, _)| *session != session_id);
        if logins.len() >= MAX_LOGINS {
            logins.remove(0);
        }
        logins.push((session_id, context.clone()));
    }

    /// A notice: the account changed.
    pub(super) fn forget(&self, user_id: i64) {
        let mut kept = self.lock();
        kept.generations[stripe(user_id)] += 1;
        kept.accounts.remove(&user_id);
    }

    /// A wake-up for the event streams, heard before they are: a stream
    /// woken for its account checks its login again, from the database.
    pub(super) fn heard(&self, wake: Wake) {
        match wake {
            Wake::Account(user_id) => self.forget(user_id),
            Wake::All => self.forget_all(),
            Wake::Tasks(_) => {}
        }
    }

    /// The listener (re)connected, or lost its connection: notices may have
    /// gone unheard.
    pub(super) fn forget_all(&self) {
        let mut kept = self.lock();
        for generation in &mut kept.generations {
            *generation += 1;
        }
        kept.accounts.clear();
    }

    /// The stamp to send in a beat: now.
    pub(super) fn stamp(&self) -> u64 {
        self.since_origin(Instant::now())
    }

    /// A beat was heard, `stamp` as sent (a stamp from the future, which
    /// only a forged notice could carry, counts as now).
    pub(super) fn heard_beat(&self, stamp: u64) {
        let stamp = stamp.min(self.since_origin(Instant::now()));
        self.fence.fetch_max(stamp, Ordering::AcqRel);
    }

    /// Whether a login check of an account with kept checks asked within
    /// [`BEAT_FOR`].
    pub(super) fn beats_wanted(&self) -> bool {
        let asked = self.asked.load(Ordering::Relaxed);
        asked != 0
            && self.since_origin(Instant::now()).saturating_sub(asked) <= duration_nanos(BEAT_FOR)
    }

    /// Waits until a login check asks again, or `at_most`.
    pub(super) async fn wait_for_checks(&self, at_most: Duration) {
        let _ = tokio::time::timeout(at_most, self.wanted.notified()).await;
    }
}

fn stripe(user_id: i64) -> usize {
    usize::try_from(user_id.rem_euclid(STRIPES as i64)).unwrap_or(0)
}

fn duration_nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::UserRecord;

    /// A settling time no pause of a busy test machine reaches, and one
    /// any sleep below passes.
    const LONG: Duration = Duration::from_secs(600);
    const SHORT: Duration = Duration::from_millis(1);

    fn context(user_id: i64, tasks_changed: i64) -> AuthContext {
        AuthContext {
            user: UserRecord {
                id: user_id,
                username: format!("user{user_id}"),
                email: String::new(),
                password_hash: String::new(),
                is_active: true,
                is_admin: false,
                date_joined: chrono::Utc::now(),
                token_version: 0,
            },
            session_live: true,
            tasks_changed: Some(tasks_changed),
        }
    }

    fn kept(cache: &LoginCache, user_id: i64, session_id: i64) -> Option<i64> {
        cache
            .lookup(user_id, session_id)
            .and_then(|context| context.tasks_changed)
    }

    #[test]
    fn a_kept_check_is_given_only_behind_a_fresh_fence() {
        let cache = LoginCache::new(LONG);
        cache.keep(cache.generation(1), 10, &context(1, 5));
        assert_eq!(kept(&cache, 1, 10), None, "no beat heard yet");

        cache.heard_beat(cache.stamp());
        assert_eq!(kept(&cache, 1, 10), Some(5));
        assert_eq!(kept(&cache, 1, 11), None, "another login of the account");
        assert_eq!(kept(&cache, 2, 10), None, "another account");

        let cache = LoginCache::new(SHORT);
        cache.keep(cache.generation(1), 10, &context(1, 5));
        cache.heard_beat(cache.stamp());
        std::thread::sleep(SHORT * 5);
        assert_eq!(kept(&cache, 1, 10), None, "the last beat is too old");
    }

    #[test]
    fn a_notice_forgets_the_account_and_refuses_checks_asked_before_it() {
        let cache = LoginCache::new(LONG);
        cache.heard_beat(cache.stamp());
        cache.keep(cache.generation(1), 10, &context(1, 5));
        cache.keep(cache.generation(2), 20, &context(2, 7));

        // A check asked of the database before a notice was heard may have
        // read the account as it was before the change: not kept.
        let asked = cache.generation(1);
        cache.forget(1);
        cache.keep(asked, 10, &context(1, 5));
        assert_eq!(kept(&cache, 1, 10), None);
        assert_eq!(kept(&cache, 2, 20), Some(7), "other accounts stay");

        cache.keep(cache.generation(1), 10, &context(1, 6));
        assert_eq!(kept(&cache, 1, 10), Some(6));

        cache.heard(Wake::Tasks(1));
        assert_eq!(kept(&cache, 1, 10), Some(6), "a stream's wake-up for tasks");
        cache.heard(Wake::Account(1));
        assert_eq!(kept(&cache, 1, 10), None);
        cache.heard(Wake::All);
        assert_eq!(kept(&cache, 2, 20), None);

        let asked = cache.generation(2);
        cache.forget_all();
        cache.keep(asked, 20, &context(2, 8));
        assert_eq!(kept(&cache, 2, 20), None);
    }

    #[test]
    fn a_check_read_across_a_notice_drops_what_was_kept_of_the_account() {
        let cache = LoginCache::new(LONG);
        cache.heard_beat(cache.stamp());
        cache.keep(cache.generation(1), 10, &context(1, 5));
        cache.keep(cache.generation(2), 20, &context(2, 7));
        // A notice for account 65 (account 1's stripe) while account 1's
        // check was asked: the database answered newer than what is kept,
        // which must not be given again.
        let asked = cache.generation(1);
        cache.forget(1 + STRIPES as i64);
        cache.keep(asked, 10, &context(1, 6));
        assert_eq!(kept(&cache, 1, 10), None);
        // Another stripe's check is kept all the same.
        let asked = cache.generation(2);
        cache.forget(1);
        cache.keep(asked, 20, &context(2, 8));
        assert_eq!(kept(&cache, 2, 20), Some(8));
    }

    #[test]
    fn an_account_keeps_its_latest_logins_only() {
        let cache = LoginCache::new(LONG);
        cache.heard_beat(cache.stamp());
        for session in 0..=MAX_LOGINS as i64 {
            cache.keep(cache.generation(1), session, &context(1, session));
        }
        assert_eq!(kept(&cache, 1, 0), None, "the oldest went");
        for session in 1..=MAX_LOGINS as i64 {
            assert_eq!(kept(&cache, 1, session), Some(session));
        }
    }

    #[test]
    fn a_beat_stamped_in_the_future_counts_as_now() {
        let cache = LoginCache::new(SHORT);
        cache.keep(cache.generation(1), 10, &context(1, 5));
        cache.heard_beat(u64::MAX);
        std::thread::sleep(SHORT * 5);
        assert_eq!(kept(&cache, 1, 10), None);
    }

    #[test]
    fn beats_are_wanted_while_kept_checks_are_asked_for() {
        let cache = LoginCache::new(LONG);
        assert!(!cache.beats_wanted());
        let _ = cache.lookup(1, 10);
        assert!(!cache.beats_wanted(), "nothing kept of that account");
        cache.keep(cache.generation(1), 10, &context(1, 5));
        let _ = cache.lookup(1, 10);
        assert!(cache.beats_wanted());
    }

    #[tokio::test]
    async fn the_first_kept_check_asked_for_wakes_the_beats_at_once() {
        let cache = LoginCache::new(LONG);
        cache.keep(cache.generation(1), 10, &context(1, 5));
        let _ = cache.lookup(1, 10);
        let woken = tokio::time::timeout(
            Duration::from_secs(5),
            cache.wait_for_checks(Duration::from_secs(600)),
        );
        assert!(woken.await.is_ok());
    }
}
