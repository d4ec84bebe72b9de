//! Accepting connections within bounds, so that clients that send slowly,
//! never finish, never read or never leave cannot take the daemon offline:
//! at most so many connections at once (the file descriptor limit raised
//! to fit them), request headers within a deadline (which also ends idle
//! keep-alive connections), request bodies within another, and writes that
//! must make progress.

mod problems;

use std::{convert::Infallible, future::Future, sync::Arc, time::Duration};

use axum::extract::ConnectInfo;
use hyper::{body::Incoming, server::conn::http1, service::service_fn, Request};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::{net::TcpListener, sync::Semaphore};
use tokio_io_timeout::TimeoutStream;
use tower::{ServiceBuilder, ServiceExt};
use tower_http::normalize_path::NormalizePathLayer;

use crate::routes::App;

/// The bounds on connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Connections served at once; past it, new ones wait in the listen
    /// queue until one ends.
    pub max_connections: usize,
    /// A request's headers must arrive within this, counted from when the
    /// connection is ready for them: a new connection, or an idle
    /// keep-alive one, is closed after it.
    pub header_timeout: Duration,
    /// A request's body must arrive within this.
    pub body_timeout: Duration,
    /// A write to a client that has stopped reading fails after this.
    pub write_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> ConnectionLimits {
        ConnectionLimits {
            max_connections: 10_000,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(30),
        }
    }
}

/// File descriptors kept for what is not a connection: the database, its
/// readers, log files, the hashing threads' channels.
const RESERVED_FDS: u64 = 256;

/// Raises the process's open-file limit as far as allowed, and returns how
/// many connections fit in it, at most `wanted`.
pub fn fit_connections(wanted: usize) -> usize {
    let limit = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(err) => {
            tracing::warn!(error = %err, "cannot raise the open-file limit");
            rlimit::getrlimit(rlimit::Resource::NOFILE)
                .map(|(soft, _)| soft)
                .unwrap_or(1024)
        }
    };
    let fits = usize::try_from(limit.saturating_sub(RESERVED_FDS).max(16)).unwrap_or(usize::MAX);
    if fits < wanted {
        tracing::warn!(
            open_file_limit = limit,
            connections = fits,
            "the open-file limit allows fewer connections than --max-connections"
        );
    }
    fits.min(wanted).max(1)
}

/// Serves `app` on `listener` within `limits` until `shutdown` resolves,
/// then lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    app: impl App,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Routing ignores a trailing slash: `/api/tasks/` and `/api/tasks` are one
    // route. The layer must wrap the router, not sit inside it, to run before
    // routing.
    let app = ServiceBuilder::new()
        .layer(NormalizePathLayer::trim_trailing_slash())
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            limits.body_timeout,
        ))
        .map_request(|request: Request<_>| request.map(axum::body::Body::new))
        .service(app);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    // Not `half_close(true)`: it would spare each request a fresh read
    // buffer (hyper reads while a request is in flight, to notice a client
    // gone), but a closed event stream would then keep its place until its
    // next keep-alive write.
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, addr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors, or a connection reset before
                    // it was taken: wait a moment rather than spin.
                    tracing::warn!(error = %err, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let mut stream = TimeoutStream::new(stream);
        stream.set_write_timeout(Some(limits.write_timeout));
        let io = TokioIo::new(problems::ProblemWriter::new(Box::pin(stream)));
        let app = app.clone();
        let service = service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(addr));
            let app = app.clone();
            async move {
                let response = app
                    .oneshot(request.map(axum::body::Body::new))
                    .await
                    .unwrap_or_else(|never: Infallible| match never {});
                Ok::<_, Infallible>(response)
            }
        });
        let connection = graceful.watch(builder.serve_connection(io, service));
        tokio::spawn(async move {
            // A client gone, a deadline passed: the connection ends either way.
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
