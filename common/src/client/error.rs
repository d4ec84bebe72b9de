//! What can go wrong talking to `taskd`, each said on one line.

use crate::api::Problem;
use crate::config::ConfigError;
use crate::task_ref::TaskRef;

/// What can go wrong talking to `taskd`. `Display` is one line meant for a
/// terminal; it never contains a token.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Nothing answered at the server URL (refused, unresolvable, timed out
    /// connecting), or not in the protocol the URL names.
    #[error("cannot reach taskd at {url}: {why}")]
    Unreachable { url: String, why: Unreached },
    /// The refresh token was rejected: the user has to log in again.
    #[error(
        "session ended (expired, logged out elsewhere, or its account removed): run `task login`"
    )]
    SessionExpired,
    /// An admin has deactivated the account logged in: its tokens are
    /// forgotten, and logging in again is refused until it is reactivated.
    #[error("the account logged in to {url} has been deactivated: an admin of the server can reactivate it")]
    AccountInactive { url: String },
    /// No tokens for this server.
    #[error("not logged in to {url}: run `task login`")]
    NotLoggedIn { url: String },
    /// The credentials file could not be read as credentials: it is ignored
    /// until the next login replaces it.
    #[error("{} is damaged and was ignored: run `task login` to replace it", path.display())]
    DamagedCredentials { path: std::path::PathBuf },
    /// The server answered with an RFC 9457 problem.
    #[error("{}", .0.summary())]
    Api(Box<Problem>),
    /// The server's answer was not what the API promises.
    #[error("unexpected answer from {url}: {detail}")]
    Protocol { url: String, detail: String },
    /// The request failed after connecting (timeout, connection reset, …).
    #[error("request to {url} failed: {detail}")]
    Transport { url: String, detail: String },
    #[error("invalid server URL {url:?}: {reason}")]
    InvalidServer { url: String, reason: String },
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// No task is named so (a number names only pending tasks).
    #[error("task {0}: no such task{hint}", hint = TaskRef::missing_hint(std::slice::from_ref(.0)))]
    NoSuchTask(TaskRef),
    /// A uuid prefix that names only a deleted task, in the trash.
    #[error("task {0}: deleted, and in the trash (restore it from there: task restore {0})")]
    InTrash(TaskRef),
    /// A uuid prefix shared by several tasks.
    #[error("task {name}: {count} tasks start so: give more of the uuid")]
    AmbiguousTask { name: TaskRef, count: u64 },
}

/// Why nothing answered at the server URL, as far as the connection tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreached {
    /// Refused, or no answer to the connection.
    Down,
    /// The URL's host name could not be resolved.
    NoSuchHost,
    /// A connection was made, but no TLS handshake: most often an
    /// `https://` URL for a daemon that serves plain HTTP.
    NotTls(String),
    /// The server's certificate is not one to trust (expired, for another
    /// name, or of an unknown issuer).
    Certificate(String),
}

impl std::fmt::Display for Unreached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreached::Down => f.write_str("is it running? (start it with taskd)"),
            Unreached::NoSuchHost => f.write_str(
                "cannot resolve its host (an unknown name, or no network): check the server URL",
            ),
            Unreached::NotTls(detail) => write!(
                f,
                "no TLS handshake ({detail}): does it serve https? (taskd itself serves \
                 http://, https:// is a proxy's)"
            ),
            Unreached::Certificate(detail) => {
                write!(f, "its TLS certificate is not trusted ({detail})")
            }
        }
    }
}

impl Unreached {
    /// What the chain of a failed connection's errors says.
    pub(super) fn of(error: &(dyn std::error::Error + 'static)) -> Unreached {
        let mut source = Some(error);
        while let Some(inner) = source {
            // hyper-util's name for a failed lookup; the resolver's own
            // error beneath it varies with the system.
            if inner.to_string().starts_with("dns error") {
                return Unreached::NoSuchHost;
            }
            if let Some(tls) = tls_error(inner) {
                return match tls {
                    rustls::Error::InvalidCertificate(_) => Unreached::Certificate(tls.to_string()),
                    _ => Unreached::NotTls(tls.to_string()),
                };
            }
            source = inner.source();
        }
        Unreached::Down
    }
}

/// The TLS library's error within `error`, through the I/O errors that
/// carry it (the connectors wrap it in one or two).
fn tls_error<'e>(error: &'e (dyn std::error::Error + 'static)) -> Option<&'e rustls::Error> {
    let mut inner: &(dyn std::error::Error + 'static) = error;
    loop {
        if let Some(tls) = inner.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        let io = inner.downcast_ref::<std::io::Error>()?;
        inner = io.get_ref()?;
    }
}

impl ClientError {
    /// The HTTP status of an API problem.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api(problem) => Some(problem.status),
            _ => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404) || matches!(self, ClientError::NoSuchTask(_))
    }

    /// The request could not be made at all (server down): retrying later may help.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, ClientError::Unreachable { .. })
    }

    /// The user has to log in (again).
    pub fn needs_login(&self) -> bool {
        matches!(
            self,
            ClientError::SessionExpired
                | ClientError::AccountInactive { .. }
                | ClientError::NotLoggedIn { .. }
                | ClientError::DamagedCredentials { .. }
        )
    }
}
