//! Where the daemon listens, which database it serves, and its signing secret.

use std::{
    fs,
    io::Write,
    net::SocketAddr,
    path::{Path, PathBuf},
};

use anyhow::{bail, Context};

use crate::store::{Database, Store};
use base64::Engine as _;
use rand::RngCore;

/// Shortest signing secret accepted: HS256 wants at least 256 bits.
const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub database: Database,
    /// A file holding the JWT signing secret. Without it (and without
    /// `jwt_secret`) a secret is generated beside the database.
    pub jwt_secret_file: Option<PathBuf>,
    /// The secret itself (`TASKD_JWT_SECRET`); wins over the file.
    pub jwt_secret: Option<String>,
    /// Origins allowed to call the API from a browser. Empty: no CORS.
    pub cors_origins: Vec<String>,
    /// Every origin may call the API (`--cors-any`).
    pub cors_any: bool,
    /// How often pending tasks past their `until` are looked for.
    pub sweep_every: std::time::Duration,
    /// How often an idle event stream gets a keep-alive comment.
    pub event_keepalive: std::time::Duration,
    /// How error bodies are written.
    pub error_format: ErrorFormat,
    /// How long a spent refresh token presented again (two tabs refreshing
    /// at once) gets the same successor instead of ending the login.
    pub refresh_grace: std::time::Duration,
    /// The reverse proxies whose `X-Forwarded-*` headers count, and the
    /// public origin of links.
    pub forwarding: crate::forwarded::Forwarding,
    /// Whether anyone may create an account through the API.
    pub registration: Registration,
    /// Accounts one client address may create per hour; 0: no cap.
    pub registrations_per_hour: u32,
    /// How many connections, and how long a client may take.
    pub connections: crate::connections::ConnectionLimits,
    /// What one account may hold at most.
    pub quotas: crate::store::Quotas,
}

/// The default quotas: far beyond a person's tasks (a heavy Taskwarrior user
/// has some thousands), well short of what would slow everyone else.
pub const MAX_TASKS_PER_USER: u64 = 100_000;
/// Megabytes (millions of characters) of text per account.
pub const MAX_TEXT_PER_USER_MB: u64 = 200;

/// The quotas of `max_tasks` tasks and `max_text_mb` million characters.
pub fn quotas(max_tasks: u64, max_text_mb: u64) -> crate::store::Quotas {
    crate::store::Quotas {
        max_tasks,
        max_chars: max_text_mb.saturating_mul(1_000_000),
    }
}

/// Whether `POST /api/register/` creates accounts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Registration {
    /// Anyone may register, as with the Django backend.
    #[default]
    Open,
    /// Only admins add users (the admin panel, `taskd createuser`).
    Closed,
}

/// The default [`Config::registrations_per_hour`].
pub const REGISTRATIONS_PER_HOUR: u32 = 10;

/// The default [`Config::refresh_grace`].
pub const REFRESH_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// How error bodies are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ErrorFormat {
    /// RFC 9457 `application/problem+json`, with `errors` per field.
    #[default]
    Problem,
    /// As Django REST Framework writes them, for a frontend written for the
    /// Django backend: `{"field": ["message"]}` for a validation failure,
    /// else `{"detail": …}` (and simplejwt's `code`).
    Drf,
}

impl Config {
    /// A daemon on a random loopback port over a fresh database in `dir`.
    pub fn for_tests(dir: &Path) -> Config {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            database: Database::Sqlite(dir.join("taskd.sqlite3")),
            jwt_secret_file: None,
            jwt_secret: None,
            cors_origins: Vec::new(),
            cors_any: false,
            sweep_every: crate::jobs::SWEEP_EVERY,
            event_keepalive: crate::events::KEEPALIVE,
            error_format: ErrorFormat::Problem,
            refresh_grace: REFRESH_GRACE,
            forwarding: Default::default(),
            registration: Registration::Open,
            // Tests register many users from one address.
            registrations_per_hour: 0,
            connections: Default::default(),
            quotas: quotas(MAX_TASKS_PER_USER, MAX_TEXT_PER_USER_MB),
        }
    }

    /// Where SQLite's generated secret lives: beside the database it signs
    /// for, so two databases never share one.
    pub fn generated_secret_path(&self) -> Option<PathBuf> {
        let Database::Sqlite(path) = &self.database else {
            return None;
        };
        let mut name = path.as_os_str().to_owned();
        name.push(".jwt-secret");
        Some(PathBuf::from(name))
    }

    /// The signing secret: given, read from the named file, or generated on
    /// first start: into a 0600 file beside a SQLite database, or into a
    /// PostgreSQL database itself, so that every daemon serving it shares it.
    pub async fn jwt_secret(&self, store: &dyn Store) -> anyhow::Result<Vec<u8>> {
        let secret = if let Some(secret) = &self.jwt_secret {
            secret.trim().as_bytes().to_vec()
        } else if let Some(path) = &self.jwt_secret_file {
            read_secret(path)?
        } else if let Some(path) = self.generated_secret_path() {
            if path.exists() {
                read_secret(&path)?
            } else {
                generate_secret_file(&path)?
            }
        } else {
            store
                .shared_secret(&new_secret())
                .await
                .context("reading the signing secret kept in the database")?
                .context("this database keeps no signing secret; give one with --jwt-secret-file")?
                .into_bytes()
        };
        if secret.len() < MIN_SECRET_BYTES {
            bail!("the JWT secret must be at least {MIN_SECRET_BYTES} bytes");
        }
        Ok(secret)
    }
}

/// A positive number of seconds, fractions allowed: `15`, `0.2`.
pub fn parse_seconds(text: &str) -> Result<std::time::Duration, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if !(seconds > 0.0 && seconds <= 86_400.0) {
        return Err(format!(
            "{text} s is out of range: give more than 0 and at most 86400"
        ));
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

/// The platform data dir (`~/.local/share/taskd` on Linux).
pub fn default_data_dir() -> anyhow::Result<PathBuf> {
    directories::ProjectDirs::from("", "", "taskd")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .context("cannot find a home directory for the data dir; pass --database")
}

pub fn default_database() -> anyhow::Result<Database> {
    Ok(Database::Sqlite(default_data_dir()?.join("taskd.sqlite3")))
}

fn read_secret(path: &Path) -> anyhow::Result<Vec<u8>> {
    let text = fs::read_to_string(path)
        .with_context(|| format!("reading JWT secret file {}", path.display()))?;
    Ok(text.trim().as_bytes().to_vec())
}

/// 48 random bytes, base64url: 384 bits, past HS256's 256.
fn new_secret() -> String {
    let mut bytes = [0u8; 48];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn generate_secret_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    let encoded = new_secret();
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating JWT secret file {}", path.display()))?;
    file.write_all(encoded.as_bytes())?;
    file.sync_all()?;
    Ok(encoded.into_bytes())
}
