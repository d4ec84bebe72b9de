//! Live updates: each open event stream follows its user's change feed.
//!
//! A stream reads the feed after its cursor whenever it is woken, and sends
//! what it read as the client takes it: a client that does not read holds
//! one batch in memory, and catches up from the table when it reads again.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::response::sse::Event;
use chrono::{DateTime, Utc};
use common::api::{LogoutEvent, StreamEnd, TaskEvent};
use tokio::sync::{broadcast, watch};

use crate::{
    domain::task_ops::finished,
    store::{
        changes::{Change, FeedBounds, Wake},
        Store, StoreResult,
    },
};

/// Streams one user may have open on one daemon.
pub const MAX_STREAMS_PER_USER: usize = 16;

/// Changes read from the feed at a time.
const BATCH: u32 = 100;

/// How often an idle stream gets a comment, so that proxies and clients
/// know it is alive.
pub const KEEPALIVE: Duration = Duration::from_secs(15);

/// What clients are told to wait before reconnecting.
pub const RETRY: Duration = Duration::from_secs(2);

/// The daemon's open streams: how many each user has, and the signal that
/// ends them all when the daemon shuts down.
pub struct Streams {
    keepalive: Duration,
    open: Arc<Mutex<HashMap<i64, usize>>>,
    closing: watch::Sender<bool>,
}

impl Streams {
    pub fn new(keepalive: Duration) -> Streams {
        Streams {
            keepalive,
            open: Arc::default(),
            closing: watch::channel(false).0,
        }
    }

    /// How often a comment goes out on a stream with nothing else to send.
    pub fn keepalive(&self) -> Duration {
        self.keepalive
    }

    /// A place for one more stream of `user_id`, unless they have
    /// [`MAX_STREAMS_PER_USER`] already.
    pub fn admit(&self, user_id: i64) -> Option<Slot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(user_id).or_default();
        if *count >= MAX_STREAMS_PER_USER {
            return None;
        }
        *count += 1;
        Some(Slot {
            open: Arc::clone(&self.open),
            user_id,
        })
    }

    /// Ends every stream: a graceful shutdown would otherwise wait for them.
    pub fn close_all(&self) {
        self.closing.send_replace(true);
    }

    fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }
}

/// One open stream's place, given back when the stream ends.
pub struct Slot {
    open: Arc<Mutex<HashMap<i64, usize>>>,
    user_id: i64,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.user_id) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.user_id);
            }
        }
    }
}

/// Who a stream is for: the login and the token it was opened with.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user_id: i64,
    pub session_id: i64,
    pub token_version: i64,
    /// When the access token expires, and the stream with it.
    pub expires_at: DateTime<Utc>,
}

/// Where a stream starts: the first events it sends and the cursor after them.
pub fn opening(bounds: FeedBounds, asked: Option<&str>) -> (Event, i64) {
    let Some(asked) = asked else {
        return (ready(bounds.start), bounds.start);
    };
    match asked.trim().parse::<i64>() {
        Ok(cursor) if cursor >= bounds.purged_through && cursor <= bounds.latest => {
            (ready(cursor), cursor)
        }
        Ok(cursor) if cursor >= 0 && cursor < bounds.purged_through => (
            reset(
                bounds.start,
                "the changes after this cursor are no longer kept",
            ),
            bounds.start,
        ),
        _ => (reset(bounds.start, "unknown cursor"), bounds.start),
    }
}

/// Sent first on a stream that resumes or starts cleanly, with its cursor.
fn ready(cursor: i64) -> Event {
    Event::default()
        .event("ready")
        .id(cursor.to_string())
        .data("{}")
}

/// Sent first when the cursor cannot be resumed: the client reloads, and the
/// stream goes on from now.
fn reset(cursor: i64, reason: &str) -> Event {
    Event::default()
        .event("reset")
        .id(cursor.to_string())
        .json_data(serde_json::json!({ "reason": reason }))
        .unwrap_or_else(|_| Event::default().event("reset").data("{}"))
}

fn logout(reason: StreamEnd) -> Event {
    Event::default()
        .event("logout")
        .json_data(LogoutEvent { reason })
        .unwrap_or_else(|_| Event::default().event("logout").data("{}"))
}

fn task_event(change: Change, now: DateTime<Utc>) -> Event {
    let event = TaskEvent {
        op: change.op,
        id: change.task_id,
        version: change.version,
        task: change.task.map(|task| finished(task, now)),
    };
    Event::default()
        .event("task")
        .id(change.seq.to_string())
        .json_data(event)
        .unwrap_or_else(|_| Event::default().event("task").data("{}"))
}

/// Why a waiting stream woke up.
enum Woken {
    By(Wake),
    Expired,
    /// The daemon is shutting down.
    Closing,
}

/// One stream's state between the events it sends.
pub struct Follower {
    /// The request that opened the stream, named in what the stream logs.
    request: crate::access_log::Current,
    store: Arc<dyn Store>,
    viewer: Viewer,
    cursor: i64,
    wakeups: broadcast::Receiver<Wake>,
    closing: watch::Receiver<bool>,
    ready: VecDeque<Event>,
    /// Read the feed before waiting again.
    due: bool,
    ended: bool,
    _slot: Slot,
}

impl Follower {
    /// A stream for `viewer` that sends `first`, then the changes after
    /// `cursor`. Subscribed to wake-ups before its first read, so no change
    /// committed after that read goes unnoticed.
    pub fn new(
        store: Arc<dyn Store>,
        streams: &Streams,
        viewer: Viewer,
        wakeups: broadcast::Receiver<Wake>,
        first: Event,
        cursor: i64,
        slot: Slot,
    ) -> Follower {
        Follower {
            // Made by the stream's handler, inside the request's scope.
            request: crate::access_log::current(),
            store,
            viewer,
            cursor,
            wakeups,
            closing: streams.closing(),
            ready: VecDeque::from([Event::default().retry(RETRY), first]),
            due: true,
            ended: false,
            _slot: slot,
        }
    }

    /// The next event to send; `None` ends the stream.
    pub async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Some(event);
            }
            if self.ended {
                return None;
            }
            if self.due {
                match self.read().await {
                    Ok(true) => continue,
                    Ok(false) => self.due = false,
                    Err(err) => {
                        // The client reconnects from its cursor and loses nothing.
                        crate::request_event!(in self.request, warn, error = %err, "an event stream could not read the change feed");
                        return None;
                    }
                }
            }
            self.wait().await;
        }
    }

    /// Reads a batch after the cursor; whether there was anything.
    async fn read(&mut self) -> StoreResult<bool> {
        let changes = self
            .store
            .changes_after(self.viewer.user_id, self.cursor, BATCH)
            .await?;
        let now = Utc::now();
        let any = !changes.is_empty();
        for change in changes {
            self.cursor = change.seq;
            self.ready.push_back(task_event(change, now));
        }
        Ok(any)
    }

    /// Waits for a reason to read, or to end.
    async fn wait(&mut self) {
        let expires_in = (self.viewer.expires_at - Utc::now())
            .to_std()
            .unwrap_or(Duration::ZERO);
        let expiry = tokio::time::sleep(expires_in);
        tokio::pin!(expiry);
        let woken = loop {
            tokio::select! {
                wake = self.wakeups.recv() => match wake {
                    Ok(wake) if !wake.concerns(self.viewer.user_id) => continue,
                    Ok(wake) => break Woken::By(wake),
                    Err(broadcast::error::RecvError::Lagged(_)) => break Woken::By(Wake::All),
                    Err(broadcast::error::RecvError::Closed) => break Woken::Closing,
                },
                () = &mut expiry => break Woken::Expired,
                _ = self.closing.wait_for(|closing| *closing) => break Woken::Closing,
            }
        };
        match woken {
            Woken::By(Wake::Tasks(_)) => self.due = true,
            Woken::By(Wake::Account(_)) => self.check_login().await,
            Woken::By(Wake::All) => {
                self.due = true;
                self.check_login().await;
            }
            Woken::Expired => self.end(StreamEnd::Expired),
            Woken::Closing => self.ended = true,
        }
    }

    /// Ends the stream if its login no longer allows it.
    async fn check_login(&mut self) {
        let viewer = &self.viewer;
        match self
            .store
            .auth_context(viewer.user_id, viewer.session_id)
            .await
        {
            Ok(Some(context))
                if context.user.is_active
                    && context.session_live
                    && context.user.token_version == viewer.token_version => {}
            Ok(_) => self.end(StreamEnd::Revoked),
            Err(err) => {
                crate::request_event!(in self.request, warn, error = %err, "an event stream could not check its login");
                self.ended = true;
            }
        }
    }

    fn end(&mut self, reason: StreamEnd) {
        self.ready.clear();
        self.ready.push_back(logout(reason));
        self.ended = true;
    }
}
