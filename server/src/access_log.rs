//! The access log: one line per request, with its method, path, status,
//! how long it took, its client and (once authenticated) its user.
//!
//! The line is a single event, made when the answer is ready. A tracing
//! span per request, with the client and user recorded into it as they
//! became known, cost the daemon more than the rest of a kept read
//! (bench/README.md): every span was formatted, stored, entered on every
//! poll and looked up again to write the line. What is learnt of a request
//! while it is served is noted in a task-local [`Note`] instead, which the
//! line reads at the end, and so can events logged meanwhile, through
//! [`request_event!`](crate::request_event).
//!
//! The daemon has the lines formatted by a thread of their own, in
//! batches ([`write_on_a_thread_of_its_own`]); a worker only queues the
//! request's few fields. A line's time is therefore when that thread wrote
//! it, a few milliseconds after the answer at most; `latency_us` is
//! measured on the worker. Without that thread (the library's tests),
//! lines are written where the answer is made.
//!
//! That thread formats its lines into a buffer of its own ([`Lines`]) and
//! hands the log's writer a whole batch at once. Handed over a line at a time, each
//! line was copied into an allocation of its own, queued, written and
//! freed by the log's thread: at one line a request, that and the
//! allocator's locks it contended for cost more than formatting the line.

use std::{
    cell::{Cell, RefCell},
    future::Future,
    io::{self, Write},
    net::IpAddr,
    pin::Pin,
    sync::{mpsc, OnceLock},
    task::{Context, Poll},
    time::{Duration, Instant},
};

use axum::http::{Method, Request, Response, Uri};
use tokio::task::futures::TaskLocalFuture;
use tracing_subscriber::fmt::{writer::EitherWriter, MakeWriter};

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
            // A copy: the request's URI shares the buffer hyper read it
            // into, which a queued access line would keep alive (8 KiB a
            // line). The path only: never the query.
            path: Some(note.uri.path().into()),
            client: note.client.get(),
            user: note.user.get(),
        })
        .unwrap_or_default()
}

/// A copy of a [`Note`], to log fields from.
#[derive(Clone, Debug, Default)]
pub struct Current {
    pub method: Option<Method>,
    pub path: Option<Box<str>>,
    pub client: Option<IpAddr>,
    pub user: Option<i64>,
}

/// Logs an event at the given level with the request it happened in
/// (method, path, client, user), the fields the access line names. A
/// response body is read outside the request's scope: what its stream logs
/// names the request through a [`Current`] taken while the handler ran,
/// `request_event!(in taken, warn, ...)`.
#[macro_export]
macro_rules! request_event {
    (in $request:expr, $level:ident, $($rest:tt)+) => {{
        let request: &$crate::access_log::Current = &$request;
        ::tracing::$level!(
            method = request.method.as_ref().map(::tracing::field::display),
            path = request.path.as_deref().map(::tracing::field::display),
            client = request.client.map(::tracing::field::display),
            user = request.user,
            $($rest)+
        )
    }};
    ($level:ident, $($rest:tt)+) => {
        $crate::request_event!(in $crate::access_log::current(), $level, $($rest)+)
    };
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
        // `call` itself runs outside the scope: the services inside only
        // build their futures there, and what they note happens when polled.
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
        // With the access line filtered out (`RUST_LOG=warn`), nothing is
        // queued at all.
        if !tracing::enabled!(tracing::Level::INFO) {
            return Poll::Ready(outcome);
        }
        if let Ok(response) = &outcome {
            // Polled inside the note's scope: `current` finds it.
            let line = Line {
                request: current(),
                status: response.status().as_u16(),
                latency_us: u64::try_from(this.started.elapsed().as_micros()).unwrap_or(u64::MAX),
            };
            match LINES.get() {
                // Never lossy: when the queue is full, the worker waits;
                // should the thread be gone, the line is written here.
                Some(lines) => {
                    if let Err(mpsc::SendError(Message::Line(line))) =
                        lines.send(Message::Line(line))
                    {
                        line.write();
                    }
                }
                None => line.write(),
            }
        }
        Poll::Ready(outcome)
    }
}

/// A request's line, written by the access log's thread when there is one.
struct Line {
    request: Current,
    status: u16,
    latency_us: u64,
}

impl Line {
    fn write(&self) {
        crate::request_event!(
            in self.request,
            info,
            status = self.status,
            latency_us = self.latency_us,
            "finished processing request"
        )
    }
}

enum Message {
    Line(Line),
    Flush(mpsc::SyncSender<()>),
}

static LINES: OnceLock<mpsc::SyncSender<Message>> = OnceLock::new();

/// How long the access log's thread rests after a batch, so that lines
/// queue meanwhile without waking it.
const REST: Duration = Duration::from_millis(2);

/// Lines that may wait for the thread before a worker that logs waits too.
const QUEUED_LINES: usize = 4096;

/// Formatted lines the thread holds before handing them over, even within
/// a batch.
const HANDED_OVER_FROM: usize = 64 * 1024;

/// Has a thread of its own format the access lines, in batches, off the
/// runtime's workers, and hand each batch to `out`, the log's own writer.
/// The daemon's log must write through [`Lines`], which keeps what is
/// formatted on that thread for it. Until the returned guard is dropped;
/// dropping it writes what is queued.
pub fn write_on_a_thread_of_its_own(mut out: Box<dyn Write + Send>) -> io::Result<Flusher> {
    let (lines, queue) = mpsc::sync_channel(QUEUED_LINES);
    std::thread::Builder::new()
        .name("taskd-access".into())
        .spawn(move || {
            ON_ACCESS_THREAD.set(true);
            while let Ok(first) = queue.recv() {
                for message in std::iter::once(first).chain(queue.try_iter()) {
                    match message {
                        Message::Line(line) => {
                            line.write();
                            if BATCH.with_borrow(Vec::len) >= HANDED_OVER_FROM {
                                hand_over(&mut out);
                            }
                        }
                        Message::Flush(done) => {
                            hand_over(&mut out);
                            let _ = done.send(());
                        }
                    }
                }
                hand_over(&mut out);
                std::thread::sleep(REST);
            }
        })?;
    let _ = LINES.set(lines);
    Ok(Flusher)
}

thread_local! {
    /// Whether this is the access log's thread.
    static ON_ACCESS_THREAD: Cell<bool> = const { Cell::new(false) };
    /// The lines the access log's thread has formatted and not yet handed
    /// over.
    static BATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Hands what the thread has formatted to `out` in one write. A log that
/// cannot take it has nowhere to say so; the line is dropped, as tracing
/// drops a line its writer refuses.
fn hand_over(out: &mut Box<dyn Write + Send>) {
    BATCH.with_borrow_mut(|batch| {
        if !batch.is_empty() {
            let _ = out.write_all(batch);
            batch.clear();
        }
    });
}

/// The daemon's log writer: a line formatted on the access log's thread is
/// kept for that thread to hand over with its batch; any other goes to
/// `W`. One subscriber for every line: a second one, scoped to the access
/// thread, would put every thread's events on tracing's slower path.
pub struct Lines<W> {
    others: W,
}

impl<W> Lines<W> {
    pub fn new(others: W) -> Lines<W> {
        Lines { others }
    }
}

impl<'a, W: MakeWriter<'a>> MakeWriter<'a> for Lines<W> {
    type Writer = EitherWriter<Batched, W::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        if ON_ACCESS_THREAD.get() {
            EitherWriter::A(Batched)
        } else {
            EitherWriter::B(self.others.make_writer())
        }
    }
}

/// Keeps what it is given for the access log's thread's next batch.
pub struct Batched;

impl Write for Batched {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        BATCH.with_borrow_mut(|batch| batch.extend_from_slice(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes the queued access lines when dropped.
pub struct Flusher;

impl Drop for Flusher {
    fn drop(&mut self) {
        flush();
    }
}

/// Waits, a second at most, until every access line queued so far is
/// written: a stalled log must not keep the daemon from exiting.
fn flush() {
    let Some(lines) = LINES.get() else {
        return;
    };
    let deadline = Instant::now() + Duration::from_secs(1);
    let (done, written) = mpsc::sync_channel(1);
    let mut flush = Message::Flush(done);
    loop {
        match lines.try_send(flush) {
            Ok(()) => break,
            Err(mpsc::TrySendError::Full(again)) if Instant::now() < deadline => {
                flush = again;
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(_) => return,
        }
    }
    let _ = written.recv_timeout(deadline.saturating_duration_since(Instant::now()));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer whose bytes the test reads back.
    #[derive(Clone, Default)]
    struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_of_the_access_thread_wait_for_its_batch_and_others_go_at_once() {
        let others = Shared::default();
        let handed = Shared::default();
        let lines = std::sync::Arc::new(Lines::new({
            let others = others.clone();
            move || others.clone()
        }));
        let access = {
            let (lines, handed) = (lines.clone(), handed.clone());
            std::thread::spawn(move || {
                ON_ACCESS_THREAD.set(true);
                for n in 0..3 {
                    let line = format!("access {n}\n");
                    lines.make_writer().write_all(line.as_bytes()).unwrap();
                }
                let kept = handed.0.lock().unwrap().len();
                let mut out: Box<dyn Write + Send> = Box::new(handed);
                hand_over(&mut out);
                kept
            })
        };
        lines.make_writer().write_all(b"other\n").unwrap();
        assert_eq!(access.join().unwrap(), 0, "kept until handed over");
        assert_eq!(
            String::from_utf8(handed.0.lock().unwrap().clone()).unwrap(),
            "access 0\naccess 1\naccess 2\n"
        );
        assert_eq!(
            String::from_utf8(others.0.lock().unwrap().clone()).unwrap(),
            "other\n"
        );
    }

    #[tokio::test]
    async fn what_is_noted_of_a_request_is_current_within_it_and_absent_outside() {
        let note = Note {
            method: Method::POST,
            uri: Uri::from_static("/api/login/?next=x"),
            client: Cell::new(None),
            user: Cell::new(None),
        };
        let within = REQUEST
            .scope(note, async {
                note_client(IpAddr::from([192, 0, 2, 7]));
                note_user(42);
                current()
            })
            .await;
        assert_eq!(within.method, Some(Method::POST));
        assert_eq!(within.path.as_deref(), Some("/api/login/"));
        assert_eq!(within.client, Some(IpAddr::from([192, 0, 2, 7])));
        assert_eq!(within.user, Some(42));
        // Outside a request nothing is noted, and nothing panics.
        note_user(7);
        let outside = current();
        assert!(outside.method.is_none() && outside.path.is_none());
        assert_eq!((outside.client, outside.user), (None, None));
    }
}
