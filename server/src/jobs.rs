//! Periodic work: every daemon offers to do it, and the database hands each
//! run to one of them (see `Store::claim_job`).

use std::{sync::Weak, time::Duration};

use chrono::Utc;

use crate::{
    auth::limiter::{ADDRESSES_KEPT, ATTEMPTS_KEPT},
    store::{changes::CHANGES_KEPT, idempotency::KEYS_KEPT, journal::KEPT_FOR_UNDO, Store},
};

/// How often expired logins and login attempts past every limit's window
/// are deleted.
pub const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// How often pending tasks past their `until` are deleted: twice a minute,
/// so that each goes within a minute.
pub const SWEEP_EVERY: Duration = Duration::from_secs(30);

/// Runs `job` at start-up and every `every` for as long as the store is in
/// use, whenever this daemon is the one to claim the run.
async fn every<F, Fut>(store: Weak<dyn Store>, name: &'static str, every: Duration, job: F)
where
    F: Fn(std::sync::Arc<dyn Store>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(store) = store.upgrade() else { return };
        match store.claim_job(name, Utc::now(), every).await {
            Ok(true) => job(store).await,
            Ok(false) => {}
            Err(err) => tracing::warn!(error = %err, job = name, "could not claim a periodic job"),
        }
    }
}

/// Deletes expired logins and old login attempts: without it every login
/// ever made would stay in the database.
pub async fn purge_expired_logins(store: Weak<dyn Store>) {
    every(
        store,
        "purge_expired_logins",
        PURGE_EVERY,
        |store| async move {
            let now = Utc::now();
            match store.purge_expired_logins(now).await {
                Ok(0) => {}
                Ok(logins) => tracing::info!(logins, "deleted expired logins"),
                Err(err) => tracing::warn!(error = %err, "could not delete expired logins"),
            }
            let attempts_kept = chrono::Duration::from_std(ATTEMPTS_KEPT).unwrap_or_default();
            if let Err(err) = store.forget_attempts_before(now - attempts_kept).await {
                tracing::warn!(error = %err, "could not delete old login attempts");
            }
            if let Err(err) = store.forget_addresses_before(now - ADDRESSES_KEPT).await {
                tracing::warn!(error = %err, "could not delete old login addresses");
            }
            if let Err(err) = store.forget_keys_before(now - KEYS_KEPT).await {
                tracing::warn!(error = %err, "could not delete old idempotency keys");
            }
        },
    )
    .await
}

/// Deletes pending tasks whose `until` has passed.
pub async fn delete_expired_tasks(store: Weak<dyn Store>, sweep_every: Duration) {
    every(
        store,
        "delete_expired_tasks",
        sweep_every,
        |store| async move {
            match store.delete_expired_tasks(Utc::now()).await {
                Ok(0) => {}
                Ok(tasks) => tracing::info!(tasks, "deleted tasks past their until"),
                Err(err) => tracing::warn!(error = %err, "could not delete tasks past their until"),
            }
        },
    )
    .await
}

/// Deletes changes older than the feed keeps them: a client away longer
/// reloads instead of resuming.
pub async fn purge_old_changes(store: Weak<dyn Store>) {
    every(
        store,
        "purge_old_changes",
        PURGE_EVERY,
        |store| async move {
            match store.purge_changes(Utc::now() - CHANGES_KEPT).await {
                Ok(0) => {}
                Ok(changes) => tracing::info!(changes, "deleted old changes from the change feed"),
                Err(err) => tracing::warn!(error = %err, "could not delete old changes"),
            }
        },
    )
    .await
}

/// Empties the trash of what was deleted 30 days before `now`, and forgets
/// the change sets made before then.
pub async fn empty_trash_once(store: &dyn Store, now: chrono::DateTime<Utc>) {
    match store.empty_trash(now - KEPT_FOR_UNDO).await {
        Ok(0) => {}
        Ok(tasks) => tracing::info!(tasks, "emptied the trash of tasks deleted 30 days ago"),
        Err(err) => tracing::warn!(error = %err, "could not empty the trash"),
    }
}

/// [`empty_trash_once`], hourly.
pub async fn empty_trash(store: Weak<dyn Store>) {
    every(store, "empty_trash", PURGE_EVERY, |store| async move {
        empty_trash_once(store.as_ref(), Utc::now()).await
    })
    .await
}
