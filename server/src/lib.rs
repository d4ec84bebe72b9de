//! `taskd`: the task manager's daemon, a REST API over an embedded database.
//!
//! `main.rs` is a thin shell over this library; tests start the very same
//! application with [`spawn`] on `127.0.0.1:0`.
#![forbid(unsafe_code)]

pub mod access_log;
pub mod auth;
pub mod config;
pub mod connections;
pub mod django;
pub mod domain;
pub mod error;
pub mod events;
pub mod extract;
pub mod forwarded;
pub mod jobs;
pub mod listen;
pub mod log_lines;
pub mod openapi;
pub mod read_cache;
pub mod routes;
pub mod store;
pub mod task_input;
pub mod task_query;
pub mod web;

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context;
use tokio::net::TcpListener;

pub use config::Config;

use auth::{Limiter, Tokens};
use store::{Purpose, Store};

/// What every handler can reach. One shared allocation: axum clones the
/// state for each request, and a clone of a handful of `Arc`s was as many
/// atomic counts moved, and moved back, on lines the workers share.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The daemon's state, behind [`AppState`].
pub struct Shared {
    pub store: Arc<dyn Store>,
    pub tokens: Arc<Tokens>,
    /// Limits on failed logins and on registrations.
    pub limiter: Arc<Limiter>,
    pub registration: config::Registration,
    pub registrations_per_hour: u32,
    /// What `/healthz` last learnt of writing to the database.
    pub write_probe: Arc<routes::ops::WriteProbe>,
    /// The open event streams.
    pub streams: Arc<events::Streams>,
    /// How long a spent refresh token still gets its successor again.
    pub refresh_grace: chrono::Duration,
    /// Answers to reads of tasks, given again while no task has changed.
    pub reads: Arc<read_cache::ReadCache>,
}

impl AppState {
    /// Opens (creating and migrating) the database and loads the signing secret.
    pub async fn open(config: &Config) -> anyhow::Result<AppState> {
        let store = store::open(&config.database, Purpose::Serve)
            .await
            .with_context(|| format!("opening database {}", config.database))?;
        let secret = config.jwt_secret(store.as_ref()).await?;
        store
            .set_quotas(config.quotas)
            .await
            .context("setting the quotas")?;
        tokio::spawn(jobs::purge_expired_logins(Arc::downgrade(&store)));
        tokio::spawn(jobs::delete_expired_tasks(
            Arc::downgrade(&store),
            config.sweep_every,
        ));
        tokio::spawn(jobs::purge_old_changes(Arc::downgrade(&store)));
        tokio::spawn(jobs::empty_trash(Arc::downgrade(&store)));
        Ok(AppState(Arc::new(Shared {
            streams: Arc::new(events::Streams::new(config.event_keepalive)),
            refresh_grace: chrono::Duration::from_std(config.refresh_grace)
                .unwrap_or(chrono::Duration::zero()),
            limiter: Arc::new(Limiter::new(Arc::clone(&store))),
            registration: config.registration,
            registrations_per_hour: config.registrations_per_hour,
            write_probe: Default::default(),
            reads: Arc::default(),
            store,
            tokens: Arc::new(Tokens::new(&secret)),
        })))
    }
}

/// The whole HTTP application: every route and every layer.
pub fn app(state: AppState, config: &Config) -> anyhow::Result<impl routes::App> {
    routes::router(state, config)
}

/// Serves `app` on `listener` within `limits` until `shutdown` resolves,
/// then lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    app: impl routes::App,
    limits: connections::ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    connections::serve(listener, app, limits, shutdown).await
}

/// A daemon running inside this process, for tests of the daemon and of its
/// clients. Dropping it stops the server.
pub struct Spawned {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Spawned {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, waits for in-flight requests (at most a few seconds).
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Starts the daemon described by `config` on the current tokio runtime.
pub async fn spawn(config: Config) -> anyhow::Result<Spawned> {
    let listener = TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("binding {}", config.bind))?;
    let addr = listener.local_addr()?;
    let state = AppState::open(&config).await?;
    let router = app(state.clone(), &config)?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let streams = Arc::clone(&state.streams);
    let task = tokio::spawn(serve(listener, router, config.connections, async move {
        let _ = rx.await;
        streams.close_all();
    }));
    Ok(Spawned {
        addr,
        state,
        shutdown: Some(tx),
        task: Some(task),
    })
}
