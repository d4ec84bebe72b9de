//! `taskd`: serve the API, migrate, create an admin, back up.

use std::{
    io::{BufRead, IsTerminal},
    net::SocketAddr,
    path::{Path, PathBuf},
    process::ExitCode,
};

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use taskd::{
    auth,
    config::{self, Config},
    domain::admin::Actor,
    domain::credentials as accounts,
    store::{self, Database, NewUser, Purpose},
};
use tracing_subscriber::{util::SubscriberInitExt, EnvFilter};

mod allocator;

#[derive(Parser)]
#[command(
    name = "taskd",
    version,
    about = "The task manager daemon: a REST API over SQLite or PostgreSQL"
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Option<Command>,
}

/// Options every subcommand takes, before or after its name.
#[derive(Args)]
struct Global {
    /// Address to listen on: 127.0.0.1:8000, localhost:8000, [::1]:8000, or :8000 (every
    /// IPv4 interface).
    #[arg(
        long,
        global = true,
        env = "TASKD_BIND",
        default_value = "127.0.0.1:8000",
        value_parser = taskd::listen::parse_bind
    )]
    bind: SocketAddr,
    /// A SQLite file (a path or sqlite://PATH), or a PostgreSQL database
    /// (postgres://USER[:PASSWORD]@HOST[:PORT]/DB) [default: taskd.sqlite3 in the platform
    /// data dir].
    #[arg(long, global = true, env = "TASKD_DATABASE", value_name = "PATH|URL", value_parser = Database::parse)]
    database: Option<Database>,
    /// File holding the JWT signing secret [default: generated on first start, beside a SQLite
    /// database or inside a PostgreSQL one].
    #[arg(
        long,
        global = true,
        env = "TASKD_JWT_SECRET_FILE",
        value_name = "PATH"
    )]
    jwt_secret_file: Option<PathBuf>,
    /// Browser origin allowed to call the API (repeatable): https://app.example.com.
    #[arg(
        long = "cors-origin",
        global = true,
        env = "TASKD_CORS_ORIGINS",
        value_delimiter = ',',
        value_name = "ORIGIN",
        value_parser = taskd::listen::parse_origin
    )]
    cors_origins: Vec<String>,
    /// Let every browser origin call the API (the API's tokens travel in a
    /// header, never in a cookie, so no origin can use another's login).
    #[arg(long, global = true, env = "TASKD_CORS_ANY")]
    cors_any: bool,
    /// Threads hashing passwords [default: one per core, at most 8]. Fewer leave more CPU
    /// to other requests while logins pour in, and allow fewer logins per second.
    #[arg(
        long,
        global = true,
        env = "TASKD_HASH_THREADS",
        value_name = "N",
        value_parser = clap::value_parser!(u16).range(1..=256)
    )]
    hash_threads: Option<u16>,
    /// Seconds between keep-alive comments on an idle event stream (fractions allowed).
    #[arg(
        long,
        global = true,
        env = "TASKD_EVENT_KEEPALIVE",
        value_name = "SECONDS",
        default_value = "15",
        value_parser = config::parse_seconds
    )]
    event_keepalive: std::time::Duration,
    /// How error bodies are written: problem (RFC 9457 problem+json) or drf, as Django REST
    /// Framework writes them, for a frontend written for the Django backend.
    #[arg(
        long,
        global = true,
        env = "TASKD_ERROR_FORMAT",
        value_enum,
        default_value = "problem"
    )]
    error_format: config::ErrorFormat,
    /// How log lines are written on standard error: text, or json (one object per line).
    #[arg(
        long,
        global = true,
        env = "TASKD_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    log_format: LogFormat,
    /// A reverse proxy (an address or a network: 127.0.0.1, 10.0.0.0/8) whose X-Forwarded-For,
    /// -Proto and -Host are believed (repeatable); from anyone else they are ignored.
    #[arg(
        long = "trusted-proxy",
        global = true,
        env = "TASKD_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "CIDR",
        value_parser = taskd::forwarded::parse_trusted
    )]
    trusted_proxies: Vec<ipnet::IpNet>,
    /// The origin clients reach this daemon at (https://tasks.example.com): every link the API
    /// writes starts with it, whatever Host a request names.
    #[arg(
        long,
        global = true,
        env = "TASKD_PUBLIC_URL",
        value_name = "URL",
        value_parser = taskd::listen::parse_origin
    )]
    public_url: Option<String>,
    /// Whether anyone may create an account (open), or only admins add users (closed).
    #[arg(
        long,
        global = true,
        env = "TASKD_REGISTRATION",
        value_enum,
        default_value = "open"
    )]
    registration: config::Registration,
    /// Accounts one client address may register per hour (0: no cap).
    #[arg(
        long,
        global = true,
        env = "TASKD_REGISTRATIONS_PER_HOUR",
        value_name = "N",
        default_value_t = config::REGISTRATIONS_PER_HOUR
    )]
    registrations_per_hour: u32,
    /// Connections served at once; more wait in the listen queue. Lowered to what the open-file
    /// limit allows (raised as far as the system lets).
    #[arg(
        long,
        global = true,
        env = "TASKD_MAX_CONNECTIONS",
        value_name = "N",
        default_value = "10000",
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    max_connections: u32,
    /// Seconds a client has to send a request's headers, and that an idle connection is kept.
    #[arg(
        long,
        global = true,
        env = "TASKD_HEADER_TIMEOUT",
        value_name = "SECONDS",
        default_value = "10",
        value_parser = config::parse_seconds
    )]
    header_timeout: std::time::Duration,
    /// Seconds a client has to send a request's body.
    #[arg(
        long,
        global = true,
        env = "TASKD_BODY_TIMEOUT",
        value_name = "SECONDS",
        default_value = "30",
        value_parser = config::parse_seconds
    )]
    body_timeout: std::time::Duration,
    /// Seconds a response may wait on a client that does not read it before the connection ends.
    #[arg(
        long,
        global = true,
        env = "TASKD_WRITE_TIMEOUT",
        value_name = "SECONDS",
        default_value = "30",
        value_parser = config::parse_seconds
    )]
    write_timeout: std::time::Duration,
    /// Tasks one account may hold (0: no quota); past it, adding one is a 403 and nothing is written.
    #[arg(
        long,
        global = true,
        env = "TASKD_MAX_TASKS_PER_USER",
        value_name = "N",
        default_value_t = config::MAX_TASKS_PER_USER
    )]
    max_tasks_per_user: u64,
    /// Text one account may hold in its tasks and notes, in megabytes (millions of characters;
    /// 0: no quota); past it, a write that adds text is a 403 and nothing is written.
    #[arg(
        long,
        global = true,
        env = "TASKD_MAX_TEXT_PER_USER",
        value_name = "MB",
        default_value_t = config::MAX_TEXT_PER_USER_MB
    )]
    max_text_per_user: u64,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Create an account, or make an existing one an admin.
    Createsuperuser(CreateSuperuser),
    /// Create an account (the way to add users when registration is closed).
    Createuser(NewAccount),
    /// Set a user's password (a forgotten one, say); their logins end.
    Changepassword(ChangePassword),
    /// Bring over the accounts and tasks of the Django backend this replaces,
    /// from its database: a SQLite file or a postgres:// URL. Running it
    /// again adds only what is new.
    ImportDjango {
        /// The Django database (its db.sqlite3, or postgres://USER@HOST/DB).
        source: String,
    },
    /// Copy the live database to FILE (safe while taskd serves it).
    Backup {
        /// Where to write the copy.
        file: PathBuf,
    },
    /// Judge how guessable a new password is, for a daemon that asked
    /// (a question in JSON on standard input, the answer on standard output).
    #[command(name = auth::judge::SUBCOMMAND, hide = true)]
    JudgePassword,
}

#[derive(Args)]
struct NewAccount {
    /// The username [prompted if absent].
    #[arg(long)]
    username: Option<String>,
    /// The email.
    #[arg(long)]
    email: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Args)]
struct CreateSuperuser {
    #[command(flatten)]
    account: NewAccount,
    /// If the user exists, make them an admin without asking.
    #[arg(long, short = 'y')]
    yes: bool,
}

#[derive(Args)]
struct ChangePassword {
    /// Whose password.
    username: String,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
}

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

/// Creates an account: an admin when `promote_existing` is given, which
/// also says whether an existing account may be made one without asking.
async fn create_account(
    config: Config,
    args: NewAccount,
    promote_existing: Option<bool>,
) -> anyhow::Result<()> {
    let interactive = std::io::stdin().is_terminal() && !args.password_stdin;
    let username = match args.username {
        Some(username) => username,
        None if interactive => prompt("Username: ")?,
        None => bail!("--username is required when standard input is not a terminal"),
    };
    let username = username.trim().to_string();
    let store = store::open(&config.database, Purpose::Command).await?;
    if let Some(existing) = store.user_by_username(&username).await? {
        return match promote_existing {
            Some(yes) => promote(store.as_ref(), existing, yes, interactive).await,
            None => bail!("a user named {} already exists", existing.username),
        };
    }
    let password = new_password(args.password_stdin, interactive)?;
    let problems: Vec<String> = accounts::username_errors(&username)
        .into_iter()
        .map(|m| format!("username: {m}"))
        .chain(
            accounts::password_errors(&password, &username)
                .into_iter()
                .map(|m| format!("password: {m}")),
        )
        .collect();
    if !problems.is_empty() {
        // Each message is a sentence of its own.
        bail!("{}", problems.join(" "));
    }
    let password_hash = auth::hash_password(password)
        .await
        .map_err(|err| anyhow::anyhow!("{err}"))?;
    let user = store
        .create_user(NewUser {
            username: username.clone(),
            email: args.email.unwrap_or_default(),
            password_hash,
            is_admin: promote_existing.is_some(),
        })
        .await?;
    match user {
        Some(user) => {
            let command = match promote_existing {
                Some(_) => "taskd createsuperuser",
                None => "taskd createuser",
            };
            taskd::domain::admin::user_added(store.as_ref(), &Actor::command(command), &user)
                .await?;
            let what = if user.is_admin { "Superuser" } else { "User" };
            println!("{what} {} created (id {}).", user.username, user.id);
            Ok(())
        }
        None => bail!("a user named {username} already exists"),
    }
}

/// Makes an existing account an admin: asked first on a terminal, or with
/// `--yes`; its password stays.
async fn promote(
    store: &dyn store::Store,
    user: store::UserRecord,
    yes: bool,
    interactive: bool,
) -> anyhow::Result<()> {
    if user.is_admin {
        bail!(
            "a user named {} already exists and is an admin",
            user.username
        );
    }
    let agreed = match (yes, interactive) {
        (true, _) => true,
        (false, true) => prompt(&format!(
            "A user named {} already exists. Make them an admin? [y/N] ",
            user.username
        ))?
        .eq_ignore_ascii_case("y"),
        (false, false) => bail!(
            "a user named {} already exists: pass --yes to make them an admin",
            user.username
        ),
    };
    if !agreed {
        bail!("{} was left as they are", user.username);
    }
    let change = taskd::store::admin::UserChange {
        is_admin: Some(true),
        ..Default::default()
    };
    let actor = Actor::command("taskd createsuperuser");
    taskd::domain::admin::update_user(store, &actor, user.id, change).await?;
    settled(store).await;
    println!("{} (id {}) is now an admin.", user.username, user.id);
    Ok(())
}

/// A new password: the first line of standard input, or typed twice on a
/// terminal without echo.
fn new_password(from_stdin: bool, interactive: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    } else if interactive {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password (again): ")?;
        if first != again {
            bail!("the passwords do not match");
        }
        Ok(first)
    } else {
        bail!("pass --password-stdin to read the password from standard input");
    }
}

/// `taskd changepassword USER`: what an admin does for a user who forgot
/// their password. Every login of theirs ends, on every daemon.
async fn change_password(config: Config, args: ChangePassword) -> anyhow::Result<()> {
    let interactive = std::io::stdin().is_terminal() && !args.password_stdin;
    let username = args.username.trim().to_string();
    let password = new_password(args.password_stdin, interactive)?;
    let problems = accounts::password_errors(&password, &username);
    if !problems.is_empty() {
        bail!("password: {}", problems.join(" "));
    }
    let store = store::open(&config.database, Purpose::Command).await?;
    let Some(user) = store.user_by_username(&username).await? else {
        bail!("no user named {username}");
    };
    let password_hash = auth::hash_password(password)
        .await
        .map_err(|err| anyhow::anyhow!("{err}"))?;
    store.change_password(user.id, &password_hash).await?;
    settled(store.as_ref()).await;
    println!(
        "Password of {} changed; their logins have ended.",
        user.username
    );
    Ok(())
}

fn prompt(label: &str) -> anyhow::Result<String> {
    use std::io::Write;
    eprint!("{label}");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_string())
}
