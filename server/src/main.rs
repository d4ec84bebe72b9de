//! `taskd`: serve the API, migrate, create an admin, back up.

use std::{io::IsTerminal, path::Path, process::ExitCode};

use anyhow::{bail, Context};
use clap::Parser;
use taskd::{
    auth,
    config::{self, Config},
    store::{self, Database, Purpose},
};
use tracing_subscriber::{util::SubscriberInitExt, EnvFilter};

mod account_commands;
mod allocator;
mod arguments;

use account_commands::{change_password, create_account};
use arguments::{Cli, Command, LogFormat};

/// The daemon's log: `format`, filtered by `RUST_LOG` (`info` by default),
/// written to `writer`.
fn log_dispatch<W>(format: LogFormat, writer: W) -> tracing::Dispatch
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(writer);
    match format {
        LogFormat::Text => logs
            .with_ansi(std::io::stderr().is_terminal())
            .finish()
            .into(),
        LogFormat::Json => logs.json().with_current_span(true).finish().into(),
    }
}

fn main() -> ExitCode {
    allocator::tune();
    let cli = Cli::parse();
    if let Some(Command::JudgePassword) = cli.command {
        // No log, runtime or database: a judgement and out.
        return match auth::judge::answer(std::io::stdin().lock(), std::io::stdout().lock()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("taskd: {err:#}");
                ExitCode::FAILURE
            }
        };
    }
    // Lines are written by a thread of their own: a write to stderr on an
    // async worker held up every request behind it. Never lossy: when the
    // queue is full, the request that logs waits, as it did before. The
    // queue's slots are allocated up front, 32 bytes a line: the default of
    // 128,000 lines held 4 MiB for good. The log thread empties it every
    // couple of milliseconds, some hundred lines at the busiest.
    let (log_writer, log_guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .buffered_lines_limit(taskd::log_lines::QUEUED_LINES)
        .thread_name("taskd-log")
        .finish(taskd::log_lines::Batches::new(std::io::stderr()));
    // The access log's thread keeps its lines and hands them to the same
    // writer a batch at a time (`access_log`).
    log_dispatch(
        cli.global.log_format,
        taskd::access_log::Lines::new(log_writer.clone()),
    )
    .init();
    let access: Box<dyn std::io::Write + Send> = Box::new(log_writer);
    // The database and password hashing have threads of their own; what is
    // left for the blocking pool is file work, and a small cap keeps idle
    // threads from piling up memory.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(16)
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("taskd: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(run(cli, access));
    // Every line logged goes out before the last words below.
    drop(log_guard);
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("taskd: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli, access: Box<dyn std::io::Write + Send>) -> anyhow::Result<()> {
    if let Some(threads) = cli.global.hash_threads {
        auth::set_hashing_threads(threads.into());
    }
    let config = Config {
        bind: cli.global.bind,
        database: match cli.global.database {
            Some(path) => path,
            None => config::default_database()?,
        },
        jwt_secret_file: cli.global.jwt_secret_file,
        jwt_secret: std::env::var("TASKD_JWT_SECRET").ok(),
        cors_origins: cli.global.cors_origins,
        cors_any: cli.global.cors_any,
        sweep_every: taskd::jobs::SWEEP_EVERY,
        event_keepalive: cli.global.event_keepalive,
        error_format: cli.global.error_format,
        refresh_grace: config::REFRESH_GRACE,
        forwarding: taskd::forwarded::Forwarding {
            trusted: cli.global.trusted_proxies,
            public_url: cli.global.public_url,
        },
        registration: cli.global.registration,
        registrations_per_hour: cli.global.registrations_per_hour,
        connections: taskd::connections::ConnectionLimits {
            max_connections: cli.global.max_connections as usize,
            header_timeout: cli.global.header_timeout,
            body_timeout: cli.global.body_timeout,
            write_timeout: cli.global.write_timeout,
        },
        quotas: config::quotas(cli.global.max_tasks_per_user, cli.global.max_text_per_user),
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config, access).await,
        Command::Migrate => {
            store::open(&config.database, Purpose::Migrate).await?;
            println!("Database {} is up to date.", config.database);
            Ok(())
        }
        Command::Createsuperuser(args) => {
            create_account(config, args.account, Some(args.yes)).await
        }
        Command::Createuser(args) => create_account(config, args, None).await,
        Command::Changepassword(args) => change_password(config, args).await,
        Command::ImportDjango { source } => import_django(config, &source).await,
        Command::Backup { file } => backup(&config.database, &file).await,
        Command::JudgePassword => bail!("judge-password is answered before anything starts"),
    }
}

async fn import_django(config: Config, source: &str) -> anyhow::Result<()> {
    let source = Database::parse(source)?;
    let (users, tasks) = taskd::django::read(&source).await?;
    let store = store::open(&config.database, Purpose::Command).await?;
    // Settled even when it failed part way: what it committed stays.
    let report = taskd::django::import(store.as_ref(), users, tasks).await;
    settled(store.as_ref()).await;
    let report = report?;
    print!("From {source} into {}:\n{report}", config.database);
    Ok(())
}

/// Returns once every daemon that answers login checks from memory has
/// heard of what a command changed (`Store::write_settling`), so that the
/// change holds everywhere by the time the command says it is done.
async fn settled(store: &dyn store::Store) {
    if let Some(wait) = store.write_settling() {
        tokio::time::sleep(wait).await;
    }
}

async fn backup(database: &Database, file: &Path) -> anyhow::Result<()> {
    let path = match database {
        Database::Sqlite(path) => path,
        Database::Postgres(_) => bail!(
            "taskd backup copies SQLite databases; back up PostgreSQL with pg_dump \
             (e.g. pg_dump --format=custom --file=taskd.dump DBNAME)"
        ),
    };
    let (source, dest) = (path.clone(), file.to_path_buf());
    tokio::task::spawn_blocking(move || taskd::store::sqlite::backup(&source, &dest)).await??;
    println!("Backed up {} to {}.", path.display(), file.display());
    Ok(())
}

async fn serve(config: Config, access: Box<dyn std::io::Write + Send>) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let state = taskd::AppState::open(&config).await?;
    let streams = std::sync::Arc::clone(&state.streams);
    let app = taskd::app(state, &config)?;
    if let Err(err) = auth::judge::judge_in_child() {
        tracing::warn!(error = %err, "cannot name taskd's own binary to judge passwords");
    }
    // The first unknown-user login must cost what the others do.
    auth::warm_up()
        .await
        .map_err(|err| anyhow::anyhow!("{err}"))?;
    let addr = listener.local_addr()?;
    // Dropped on the way out, however serving ends: what is queued is
    // written before the log's own last lines.
    let access_lines = taskd::access_log::write_on_a_thread_of_its_own(access)
        .context("cannot start the access log's thread")?;
    tracing::info!(database = %config.database, "taskd listening on http://{addr}");
    let mut limits = config.connections;
    limits.max_connections = taskd::connections::fit_connections(limits.max_connections);
    taskd::serve(listener, app, limits, async move {
        shutdown_signal().await;
        // Open streams would hold the shutdown up until their clients left.
        streams.close_all();
    })
    .await?;
    drop(access_lines);
    tracing::info!("taskd stopped");
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    tracing::info!("shutting down: finishing in-flight requests");
}
