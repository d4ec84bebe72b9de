//! The `taskd` binary's command line: its options and subcommands.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};
use taskd::{auth, config, store::Database};

#[derive(Parser)]
#[command(
    name = "taskd",
    version,
    about = "The task manager daemon: a REST API over SQLite or PostgreSQL"
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

/// Options every subcommand takes, before or after its name.
#[derive(Args)]
pub(crate) struct Global {
    /// Address to listen on: 127.0.0.1:8000, localhost:8000, [::1]:8000, or :8000 (every
    /// IPv4 interface).
    #[arg(
        long,
        global = true,
        env = "TASKD_BIND",
        default_value = "127.0.0.1:8000",
        value_parser = taskd::listen::parse_bind
    )]
    pub(crate) bind: SocketAddr,
    /// A SQLite file (a path or sqlite://PATH), or a PostgreSQL database
    /// (postgres://USER[:PASSWORD]@HOST[:PORT]/DB) [default: taskd.sqlite3 in the platform
    /// data dir].
    #[arg(long, global = true, env = "TASKD_DATABASE", value_name = "PATH|URL", value_parser = Database::parse)]
    pub(crate) database: Option<Database>,
    /// File holding the JWT signing secret [default: generated on first start, beside a SQLite
    /// database or inside a PostgreSQL one].
    #[arg(
        long,
        global = true,
        env = "TASKD_JWT_SECRET_FILE",
        value_name = "PATH"
    )]
    pub(crate) jwt_secret_file: Option<PathBuf>,
    /// Browser origin allowed to call the API (repeatable): https://app.example.com.
    #[arg(
        long = "cors-origin",
        global = true,
        env = "TASKD_CORS_ORIGINS",
        value_delimiter = ',',
        value_name = "ORIGIN",
        value_parser = taskd::listen::parse_origin
    )]
    pub(crate) cors_origins: Vec<String>,
    /// Let every browser origin call the API (the API's tokens travel in a
    /// header, never in a cookie, so no origin can use another's login).
    #[arg(long, global = true, env = "TASKD_CORS_ANY")]
    pub(crate) cors_any: bool,
    /// Threads hashing passwords [default: one per core, at most 8]. Fewer leave more CPU
    /// to other requests while logins pour in, and allow fewer logins per second.
    #[arg(
        long,
        global = true,
        env = "TASKD_HASH_THREADS",
        value_name = "N",
        value_parser = clap::value_parser!(u16).range(1..=256)
    )]
    pub(crate) hash_threads: Option<u16>,
    /// Seconds between keep-alive comments on an idle event stream (fractions allowed).
    #[arg(
        long,
        global = true,
        env = "TASKD_EVENT_KEEPALIVE",
        value_name = "SECONDS",
        default_value = "15",
        value_parser = config::parse_seconds
    )]
    pub(crate) event_keepalive: std::time::Duration,
    /// How error bodies are written: problem (RFC 9457 problem+json) or drf, as Django REST
    /// Framework writes them, for a frontend written for the Django backend.
    #[arg(
        long,
        global = true,
        env = "TASKD_ERROR_FORMAT",
        value_enum,
        default_value = "problem"
    )]
    pub(crate) error_format: config::ErrorFormat,
    /// How log lines are written on standard error: text, or json (one object per line).
    #[arg(
        long,
        global = true,
        env = "TASKD_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    pub(crate) log_format: LogFormat,
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
    pub(crate) trusted_proxies: Vec<ipnet::IpNet>,
    /// The origin clients reach this daemon at (https://tasks.example.com): every link the API
    /// writes starts with it, whatever Host a request names.
    #[arg(
        long,
        global = true,
        env = "TASKD_PUBLIC_URL",
        value_name = "URL",
        value_parser = taskd::listen::parse_origin
    )]
    pub(crate) public_url: Option<String>,
    /// Whether anyone may create an account (open), or only admins add users (closed).
    #[arg(
        long,
        global = true,
        env = "TASKD_REGISTRATION",
        value_enum,
        default_value = "open"
    )]
    pub(crate) registration: config::Registration,
    /// Accounts one client address may register per hour (0: no cap).
    #[arg(
        long,
        global = true,
        env = "TASKD_REGISTRATIONS_PER_HOUR",
        value_name = "N",
        default_value_t = config::REGISTRATIONS_PER_HOUR
    )]
    pub(crate) registrations_per_hour: u32,
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
    pub(crate) max_connections: u32,
    /// Seconds a client has to send a request's headers, and that an idle connection is kept.
    #[arg(
        long,
        global = true,
        env = "TASKD_HEADER_TIMEOUT",
        value_name = "SECONDS",
        default_value = "10",
        value_parser = config::parse_seconds
    )]
    pub(crate) header_timeout: std::time::Duration,
    /// Seconds a client has to send a request's body.
    #[arg(
        long,
        global = true,
        env = "TASKD_BODY_TIMEOUT",
        value_name = "SECONDS",
        default_value = "30",
        value_parser = config::parse_seconds
    )]
    pub(crate) body_timeout: std::time::Duration,
    /// Seconds a response may wait on a client that does not read it before the connection ends.
    #[arg(
        long,
        global = true,
        env = "TASKD_WRITE_TIMEOUT",
        value_name = "SECONDS",
        default_value = "30",
        value_parser = config::parse_seconds
    )]
    pub(crate) write_timeout: std::time::Duration,
    /// Tasks one account may hold (0: no quota); past it, adding one is a 403 and nothing is written.
    #[arg(
        long,
        global = true,
        env = "TASKD_MAX_TASKS_PER_USER",
        value_name = "N",
        default_value_t = config::MAX_TASKS_PER_USER
    )]
    pub(crate) max_tasks_per_user: u64,
    /// Text one account may hold in its tasks and notes, in megabytes (millions of characters;
    /// 0: no quota); past it, a write that adds text is a 403 and nothing is written.
    #[arg(
        long,
        global = true,
        env = "TASKD_MAX_TEXT_PER_USER",
        value_name = "MB",
        default_value_t = config::MAX_TEXT_PER_USER_MB
    )]
    pub(crate) max_text_per_user: u64,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
pub(crate) struct NewAccount {
    /// The username [prompted if absent].
    #[arg(long)]
    pub(crate) username: Option<String>,
    /// The email.
    #[arg(long)]
    pub(crate) email: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub(crate) password_stdin: bool,
}

#[derive(Args)]
pub(crate) struct CreateSuperuser {
    #[command(flatten)]
    pub(crate) account: NewAccount,
    /// If the user exists, make them an admin without asking.
    #[arg(long, short = 'y')]
    pub(crate) yes: bool,
}

#[derive(Args)]
pub(crate) struct ChangePassword {
    /// Whose password.
    pub(crate) username: String,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub(crate) password_stdin: bool,
}
