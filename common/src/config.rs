//! Where the clients keep their state: the server URL and the login's tokens,
//! in one JSON file in the platform config dir, shared by `task` and
//! `task-tui`.
//!
//! The file is `credentials.json` in
//! - `$TASK_CONFIG_DIR` when that is set (tests, several accounts side by side),
//! - else the `directories` config dir (`$XDG_CONFIG_HOME/taskmgr` on Linux,
//!   `~/Library/Application Support/taskmgr` on macOS, `%APPDATA%\taskmgr` on
//!   Windows).
//!
//! On Unix it is written with mode 0600 (and the directory created 0700),
//! atomically: a temporary file in the same directory, then a rename, so a
//! reader never sees half a file. Beside it, `credentials.lock` is held while
//! a process exchanges the refresh token (see [`ConfigDir::lock_refresh`]).

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The server used when neither `--server`, `TASK_SERVER` nor the config file
/// names one.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:8000";

/// Environment variable naming the server URL.
pub const SERVER_ENV: &str = "TASK_SERVER";

/// Environment variable overriding the config directory.
pub const CONFIG_DIR_ENV: &str = "TASK_CONFIG_DIR";

const CREDENTIALS_FILE: &str = "credentials.json";
const REFRESH_LOCK_FILE: &str = "credentials.lock";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot find a config directory (no home directory?): set {CONFIG_DIR_ENV}")]
    NoConfigDir,
    // The causes are part of the one-line message, not error sources, so
    // that a caller printing the chain does not say them twice.
    #[error("cannot read {}: {cause}", path.display())]
    Read {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("{} is not a valid credentials file ({cause})", path.display())]
    Parse {
        path: PathBuf,
        cause: serde_json::Error,
    },
    #[error("cannot write {}: {cause}", path.display())]
    Write {
        path: PathBuf,
        cause: std::io::Error,
    },
}

/// What the config file holds: the server last logged in to and, while
/// logged in, that login's tokens.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Credentials {
    /// The server these tokens belong to; also the default server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// The account last logged in (the default for `task login`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<StoredTokens>,
}

/// A login's tokens, as kept on disk.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredTokens {
    pub access: String,
    pub refresh: String,
    /// When the access token expires, in Unix seconds (from `expires_in`).
    pub access_expires_at: i64,
}

/// Tokens never reach a log or an error message through `{:?}`.
impl fmt::Debug for StoredTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredTokens")
            .field("access_expires_at", &self.access_expires_at)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("server", &self.server)
            .field("username", &self.username)
            .field("tokens", &self.tokens)
            .finish()
    }
}

impl Credentials {
    /// The tokens, if they were issued by `server`: tokens are never sent to
    /// a server other than the one that issued them.
    pub fn tokens_for(&self, server: &str) -> Option<&StoredTokens> {
        match &self.server {
            Some(own) if same_server(own, server) => self.tokens.as_ref(),
            _ => None,
        }
    }
}

/// Two server URLs name the same server (ignoring a trailing slash).
pub fn same_server(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// The server to talk to: the `--server` flag (or `TASK_SERVER`, which clap
/// folds into the flag), else the config file's, else [`DEFAULT_SERVER`].
pub fn resolve_server(flag: Option<&str>, stored: &Credentials) -> String {
    let chosen = flag
        .filter(|s| !s.is_empty())
        .or(stored.server.as_deref())
        .unwrap_or(DEFAULT_SERVER);
    chosen.trim_end_matches('/').to_string()
}

/// The config directory and the files in it.
#[derive(Debug, Clone)]
pub struct ConfigDir {
    dir: PathBuf,
}

impl ConfigDir {
    /// `$TASK_CONFIG_DIR`, else the platform config dir.
    pub fn locate() -> Result<ConfigDir, ConfigError> {
        if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV).filter(|d| !d.is_empty()) {
            return Ok(ConfigDir::at(dir));
        }
        let dirs =
            directories::ProjectDirs::from("", "", "taskmgr").ok_or(ConfigError::NoConfigDir)?;
        Ok(ConfigDir::at(dirs.config_dir()))
    }

    /// A config directory at an explicit path.
    pub fn at(dir: impl Into<PathBuf>) -> ConfigDir {
        ConfigDir { dir: dir.into() }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    pub fn credentials_path(&self) -> PathBuf {
        self.dir.join(CREDENTIALS_FILE)
    }

    /// The stored credentials; empty ones when there is no file yet.
    pub fn load(&self) -> Result<Credentials, ConfigError> {
        let path = self.credentials_path();
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Credentials::default()),
            Err(cause) => return Err(ConfigError::Read { path, cause }),
        };
        serde_json::from_slice(&bytes).map_err(|cause| ConfigError::Parse { path, cause })
    }

    /// Takes the lock on refreshing these credentials, waiting at most
    /// `patience` for another process to finish its refresh; `None` when the
    /// lock cannot be had (the caller then goes on without it).
    ///
    /// The server treats a refresh token presented twice as stolen and ends
    /// the login, so `task` and `task-tui` sharing this file must not both
    /// spend the same one: whoever holds the lock re-reads the file first.
    pub async fn lock_refresh(&self, patience: std::time::Duration) -> Option<RefreshLock> {
        create_private_dir(&self.dir).ok()?;
        // Not truncated: another process may hold it locked.
        let file = open_private(&self.dir.join(REFRESH_LOCK_FILE), false).ok()?;
        let deadline = std::time::Instant::now() + patience;
        loop {
            match file.try_lock() {
                Ok(()) => return Some(RefreshLock { _file: file }),
                Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
                Err(_) => return None,
            }
        }
    }

    /// Writes the credentials atomically with mode 0600.
    pub fn save(&self, credentials: &Credentials) -> Result<(), ConfigError> {
        let path = self.credentials_path();
        let write_err = |cause| ConfigError::Write {
            path: path.clone(),
            cause,
        };
        create_private_dir(&self.dir).map_err(write_err)?;
        let mut body = serde_json::to_vec_pretty(credentials).map_err(|e| write_err(e.into()))?;
        body.push(b'\n');

        let tmp = self
            .dir
            .join(format!(".{CREDENTIALS_FILE}.{}.tmp", std::process::id()));
        let result = (|| {
            let mut file = open_private(&tmp, true)?;
            file.write_all(&body)?;
            file.sync_all()?;
            drop(file);
            std::fs::rename(&tmp, &path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result.map_err(write_err)
    }
}

/// Held while one process refreshes; released when dropped (or when the
/// process ends, however it ends).
#[derive(Debug)]
pub struct RefreshLock {
    _file: std::fs::File,
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn open_private(path: &Path, truncate: bool) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(truncate)
        .mode(0o600)
        .open(path)?;
    // A leftover file of the same name keeps its old mode: set it again.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    Ok(file)
}

#[cfg(not(unix))]
fn open_private(path: &Path, truncate: bool) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(truncate)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_process_at_a_time_holds_the_refresh_lock() {
        use std::time::Duration;
        let config = ConfigDir::at(temp_dir("lock"));
        let held = config.lock_refresh(Duration::ZERO).await;
        assert!(held.is_some());
        // Another holder waits, and gives up once its patience runs out.
        assert!(config
            .lock_refresh(Duration::from_millis(50))
            .await
            .is_none());
        drop(held);
        assert!(config.lock_refresh(Duration::ZERO).await.is_some());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(config.path().join(REFRESH_LOCK_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(config.path());
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("taskmgr-config-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn sample() -> Credentials {
        Credentials {
            server: Some("http://127.0.0.1:8000".into()),
            username: Some("alice".into()),
            tokens: Some(StoredTokens {
                access: "a.b.c".into(),
                refresh: "r".into(),
                access_expires_at: 10,
            }),
        }
    }

    #[test]
    fn missing_file_is_empty_credentials() {
        let dir = ConfigDir::at(temp_dir("missing"));
        assert_eq!(dir.load().unwrap(), Credentials::default());
    }

    #[test]
    fn save_then_load_round_trips_with_mode_0600() {
        let root = temp_dir("roundtrip");
        let dir = ConfigDir::at(root.join("nested"));
        dir.save(&sample()).unwrap();
        assert_eq!(dir.load().unwrap(), sample());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.credentials_path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
            let mode = std::fs::metadata(dir.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        let _ = std::fs::remove_dir_all(root);
    }

    #[tokio::test]
    async fn corrupt_file_is_a_clear_error() {
        let root = temp_dir("corrupt");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join(CREDENTIALS_FILE), "{not json").unwrap();
        let err = ConfigDir::at(&root).load().unwrap_err();
        assert!(matches!(err, ConfigError::Parse { .. }), "{err}");
        assert!(
            err.to_string().contains("not a valid credentials file"),
            "{err}"
        );
        // The client starts logged out and says why when a login is needed.
        let client = crate::client::ApiClient::with_config(None, ConfigDir::at(&root)).unwrap();
        assert!(!client.is_logged_in());
        let err = client.me().await.unwrap_err();
        assert!(
            matches!(err, crate::client::ClientError::DamagedCredentials { .. }),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn tokens_only_go_to_their_own_server() {
        let creds = sample();
        assert!(creds.tokens_for("http://127.0.0.1:8000/").is_some());
        assert!(creds.tokens_for("http://evil.example").is_none());
    }

    #[test]
    fn server_precedence() {
        let creds = sample();
        assert_eq!(resolve_server(Some("http://x:1/"), &creds), "http://x:1");
        assert_eq!(resolve_server(None, &creds), "http://127.0.0.1:8000");
        assert_eq!(
            resolve_server(None, &Credentials::default()),
            DEFAULT_SERVER
        );
    }

    #[test]
    fn debug_never_shows_tokens() {
        let shown = format!("{:?}", sample());
        assert!(
            !shown.contains("a.b.c") && !shown.contains("\"r\""),
            "{shown}"
        );
    }
}
