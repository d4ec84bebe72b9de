//! The access log: one line per request, with its method, path, status,
//! how long it took, its client and (once authenticated) its user.
//!
//! The line is a single event, written when the answer is ready. A tracing
//! span per request, with the client and user recorded into it as they
//! became known, cost the daemon more than the rest of a kept read
//! (bench/README.md): every span was formatted, stored, entered on every
//! poll and looked up again to write the line. What is learnt of a request
//! while it is served is noted in a task-local [`Note`] instead, which the
//! line reads at the end, and so can events logged meanwhile, through
//! [`request_event!`](crate::request_event).

use std::{
    cell::Cell,
    future::Future,
    net::IpAddr,
    pin::Pin,
    task::{Context, Poll},
    time::Instant,
};

use axum::http::{Method, Request, Response, Uri};
use tokio::task::futures::TaskLocalFuture;

tokio::task_local! {
    static REQUEST: Note;
}

/// What is known of the request being served.
pub struct Note {
    method: Method,
    uri: Uri,
    client: Cell<Option<IpAddr>>,
    user: Cell<Option<i64>>,
}

/// Names the request's client, as the forwarding rules resolve it.
pub fn note_client(client: IpAddr) {
    let _ = REQUEST.try_with(|note| note.client.set(Some(client)));
}

/// Names the request's user, once its login is checked.
pub fn note_user(user: i64) {
    let _ = REQUEST.try_with(|note| note.user.set(Some(user)));
}

/// The request being served, for an event logged while serving it; outside
/// a request, every part is absent.
pub fn current() -> Current {
    REQUEST
        .try_with(|note| Current {
            method: Some(note.method.clone()),
            path: Some(note.uri.clone()),
            client: note.client.get(),
            user: note.user.get(),
        })
        .unwrap_or(Current {
            method: None,
            path: None,
            client: None,
            user: None,
        })
}

/// A copy of a [`Note`], to log fields from.
pub struct Current {
    pub method: Option<Method>,
    pub path: Option<Uri>,
    pub client: Option<IpAddr>,
    pub user: Option<i64>,
}

/// Logs an event at the given level with the request it happened in
/// (method, path, client, user), the fields the access line names.
#[macro_export]
macro_rules! request_event {
    ($level:ident, $($rest:tt)+) => {{
        let request = $crate::access_log::current();
        tracing::$level!(
            method = request.method.as_ref().map(tracing::field::display),
            path = request.path.as_ref().map(|uri| tracing::field::display(uri.path())),
            client = request.client.map(tracing::field::display),
            user = request.user,
            $($rest)+
        )
    }};
}

/// The layer that writes the access log: outermost, so that its line
/// tells how long the whole answer took.
#[derive(Clone, Copy, Default)]
pub struct AccessLogLayer;

impl<S> tower::Layer<S> for AccessLogLayer {
    type Service = AccessLog<S>;

    fn layer(&self, inner: S) -> AccessLog<S> {
        AccessLog { inner }
    }
}

#[derive(Clone)]
pub struct AccessLog<S> {
    inner: S,
}

impl<S, B, ResBody> tower::Service<Request<B>> for AccessLog<S>
where
    S: tower::Service<Request<B>, Response = Response<ResBody>>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = TaskLocalFuture<Note, Logged<S::Future>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let note = Note {
            method: request.method().clone(),
            uri: request.uri().clone(),
            client: Cell::new(None),
            user: Cell::new(None),
        };
        let started = Instant::now();
        REQUEST.scope(
            note,
            Logged {
                inner: self.inner.call(request),
                started,
            },
        )
    }
}

pin_project_lite::pin_project! {
    /// A request's answer, logged when it is ready.
    pub struct Logged<F> {
        #[pin]
        inner: F,
        started: Instant,
    }
}

impl<F, ResBody, E> Future for Logged<F>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let outcome = std::task::ready!(this.inner.poll(cx));
        if let Ok(response) = &outcome {
            let micros = this.started.elapsed().as_micros();
            let status = response.status().as_u16();
            // Polled inside the note's scope: `try_with` finds it.
            let _ = REQUEST.try_with(|note| {
                tracing::info!(
                    method = %note.method,
                    // The path only: never headers (tokens), bodies
                    // (passwords) or the query.
                    path = %note.uri.path(),
                    status,
                    latency_us = u64::try_from(micros).unwrap_or(u64::MAX),
                    client = note.client.get().map(tracing::field::display),
                    user = note.user.get(),
                    "finished processing request"
                )
            });
        }
        Poll::Ready(outcome)
    }
}
