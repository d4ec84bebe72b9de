//! The one connection each daemon keeps listening on. It hears other
//! daemons' changes, for the event streams, and every change to an account
//! or a login, with the beats this daemon sends itself, for the login
//! checks it answers from memory (see `login_cache`).

use std::sync::{Arc, Weak};
use std::time::Duration;

use futures_util::StreamExt;
use rand::RngCore;
use tokio_postgres::{AsyncMessage, Client};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::{
    changes::CHANNEL,
    login_cache::{LoginCache, BEAT_EVERY, SETTLE},
    PostgresStore, OPERATION_TIMEOUT,
};
use crate::store::changes::{Wake, Wakeups};

/// The channel migration 0019's triggers send an account's id on.
const LOGINS: &str = "taskd_logins";

/// How long the listener waits before connecting again after losing its
/// connection, and how often, while it has none, streams are told to read
/// the table anyway.
const RELISTEN_EVERY: Duration = Duration::from_millis(500);

impl PostgresStore {
    /// Starts listening, once: with the first stream or login check, so
    /// that commands never do.
    pub(super) fn listen(&self) {
        self.listening.call_once(|| {
            tokio::spawn(listen(
                self.config.clone(),
                self.tls.clone(),
                Arc::downgrade(&self.wakeups),
                Arc::downgrade(&self.logins),
            ));
        });
    }
}

/// Wakes the event streams [`SETTLE`] after a change was heard. A stream
/// tells its client of a change no sooner than the change's writer is
/// answered: a client acting on an event then finds the change heard on
/// every daemon, as one acting on a write's answer does.
pub(super) fn wake_streams_settled(hub: Arc<Wakeups>, wake: Wake) {
    tokio::spawn(async move {
        tokio::time::sleep(SETTLE).await;
        hub.send(wake);
    });
}

/// Listens for as long as the store lives, connecting again whenever the
/// connection is lost.
async fn listen(
    mut config: tokio_postgres::Config,
    tls: MakeRustlsConnect,
    wakeups: Weak<Wakeups>,
    logins: Weak<LoginCache>,
) {
    config.application_name("taskd-listen");
    // This daemon's own channel for its beats. A channel name cannot be a
    // bound parameter of LISTEN; this one is made here, of hex digits only.
    let beats = format!("taskd_beat_{:016x}", rand::thread_rng().next_u64());
    // What the last attempt to connect met, said once until it changes.
    let mut last_failure: Option<String> = None;
    // Whether a connection was made before: the next one listens again,
    // which is said whether an outage came between or not.
    let mut connected_before = false;
    loop {
        match config.connect(tls.clone()).await {
            Ok((client, mut connection)) => {
                if last_failure.take().is_some() || connected_before {
                    tracing::info!("listening for other daemons' changes again");
                }
                connected_before = true;
                let messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                let mut relay = tokio::spawn(relay(
                    messages,
                    beats.clone(),
                    wakeups.clone(),
                    logins.clone(),
                ));
                // A beat has nothing to keep: its commit need not wait for
                // a flush to disk.
                let listening = format!(
                    "SET synchronous_commit = off; \
                     LISTEN {CHANNEL}; LISTEN {LOGINS}; LISTEN {beats}"
                );
                match client.batch_execute(&listening).await {
                    Ok(()) => {
                        // What was committed while nobody listened.
                        if !missed(&wakeups, &logins) {
                            return;
                        }
                        tokio::select! {
                            _ = &mut relay => {}
                            () = beat(&client, &beats, &logins) => {}
                        }
                        relay.abort();
                        tracing::warn!("lost the connection listening for other daemons' changes");
                    }
                    Err(err) => {
                        relay.abort();
                        tracing::warn!(error = %err, "cannot listen for other daemons' changes");
                    }
                }
            }
            Err(err) => {
                // Once an outage, not every half second of it.
                let said = common::text::error_chain(&err);
                if last_failure.as_deref() != Some(said.as_str()) {
                    tracing::warn!(error = %said, "cannot connect to listen for other daemons' changes");
                    last_failure = Some(said);
                }
            }
        }
        if !missed(&wakeups, &logins) {
            return;
        }
        tokio::time::sleep(RELISTEN_EVERY).await;
    }
}

/// Notices may have gone unheard: every kept check is forgotten and every
/// stream reads again. False once the store is gone.
fn missed(wakeups: &Weak<Wakeups>, logins: &Weak<LoginCache>) -> bool {
    let (Some(hub), Some(cache)) = (wakeups.upgrade(), logins.upgrade()) else {
        return false;
    };
    cache.forget_all();
    hub.send(Wake::All);
    true
}

/// Hands each notification on, in the order they come, which is the order
/// their transactions committed: a beat is taken only after every notice
/// before it.
async fn relay(
    mut messages: impl futures_util::Stream<Item = Result<AsyncMessage, tokio_postgres::Error>> + Unpin,
    beats: String,
    wakeups: Weak<Wakeups>,
    logins: Weak<LoginCache>,
) {
    while let Some(Ok(message)) = messages.next().await {
        let AsyncMessage::Notification(note) = message else {
            continue;
        };
        let (Some(hub), Some(cache)) = (wakeups.upgrade(), logins.upgrade()) else {
            return;
        };
        let channel = note.channel();
        if channel == CHANNEL {
            let wake = Wake::decode(note.payload());
            cache.heard(wake);
            wake_streams_settled(hub, wake);
        } else if channel == LOGINS {
            match note.payload().parse() {
                Ok(user_id) => cache.forget(user_id),
                Err(_) => cache.forget_all(),
            }
        } else if channel == beats {
            if let Ok(stamp) = note.payload().parse() {
                cache.heard_beat(stamp);
            }
        }
    }
}

/// Sends a beat every [`BEAT_EVERY`] while login checks are being asked;
/// returns once one fails, which drops the connection.
async fn beat(client: &Client, channel: &str, logins: &Weak<LoginCache>) {
    let Ok(Ok(statement)) = tokio::time::timeout(
        OPERATION_TIMEOUT,
        client.prepare("SELECT pg_notify($1, $2)"),
    )
    .await
    else {
        return;
    };
    // Beats start BEAT_EVERY apart, however long each takes to come back.
    let mut every = tokio::time::interval(BEAT_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let Some(cache) = logins.upgrade() else {
            return;
        };
        if !cache.beats_wanted() {
            cache.wait_for_checks(RELISTEN_EVERY).await;
            every.reset_immediately();
            continue;
        }
        every.tick().await;
        let stamp = cache.stamp().to_string();
        drop(cache);
        let sent = tokio::time::timeout(
            OPERATION_TIMEOUT,
            client.execute(&statement, &[&channel, &stamp]),
        )
        .await;
        if !matches!(sent, Ok(Ok(_))) {
            tracing::warn!("a beat of the login checks failed");
            return;
        }
    }
}
