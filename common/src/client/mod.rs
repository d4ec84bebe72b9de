//! The HTTP client of `task` and `task-tui`: one async method per endpoint of
//! the API, each returning `Result<T, ClientError>`.
//!
//! The client keeps the login's tokens. An access token that has expired (or
//! that the server rejects with 401) is refreshed silently through
//! `POST /api/token/refresh/`, the new pair saved to the credentials file, and
//! the request sent again once. When the refresh fails too the error is
//! [`ClientError::SessionExpired`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), common::client::ClientError> {
//! use common::client::ApiClient;
//! let client = ApiClient::open(None)?; // --server / TASK_SERVER / config file
//! let tasks = client.list_all_tasks(&Default::default()).await?;
//! # Ok(()) }
//! ```
//!
//! An `ApiClient` is `Send + Sync`; share it between tasks with an `Arc`.
//! Refreshes are serialised, so parallel requests never present the same
//! refresh token twice (which the server treats as theft and answers by
//! revoking the login).

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, IF_MATCH};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::api::{
    AdminUser, AdminUserPatch, Annotation, Health, ImportSummary, LoginRequest, NameCount,
    NewAnnotation, NewTask, Page, PasswordChange, Problem, RefreshRequest, RegisterRequest,
    Summary, Task, TaskPatch, TaskQuery, TokenPair, User,
};
use crate::config::{resolve_server, ConfigDir, ConfigError, Credentials, StoredTokens};
use crate::task_ref::TaskRef;

mod journal;

pub use journal::Direction;

/// How many times a create is sent when its answer is lost on the way.
const CREATE_TRIES: u64 = 3;

/// The largest page the API serves; `list_all_tasks` asks for pages this big.
pub const MAX_PAGE: u32 = 1000;

/// Refresh this long before the access token's stated expiry, so that a token
/// does not run out between the check and the server reading it.
const EXPIRY_MARGIN_SECS: i64 = 30;

/// How long to wait for another process's refresh before refreshing anyway:
/// longer than one refresh can take (connect timeout plus request timeout).
const REFRESH_LOCK_PATIENCE: Duration = Duration::from_secs(70);

/// What can go wrong talking to `taskd`. `Display` is one line meant for a
/// terminal; it never contains a token.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Nothing answered at the server URL (refused, unresolvable, timed out
    /// connecting), or not in the protocol the URL names.
    #[error("cannot reach taskd at {url}: {why}")]
    Unreachable { url: String, why: Unreached },
    /// The refresh token was rejected: the user has to log in again.
    #[error("session expired: run `task login`")]
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
    #[error("task {0}: no such task")]
    NoSuchTask(TaskRef),
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
    fn of(error: &(dyn std::error::Error + 'static)) -> Unreached {
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

/// A client of one `taskd`.
pub struct ApiClient {
    http: reqwest::Client,
    /// The server's base URL, without a trailing slash.
    base: String,
    /// Where the credentials are saved; `None` keeps them in memory only.
    config: Option<ConfigDir>,
    credentials: Mutex<Credentials>,
    /// Held while refreshing, so only one refresh is in flight.
    refreshing: tokio::sync::Mutex<()>,
    /// The credentials file that could not be read, until a login replaces it.
    damaged: Mutex<Option<std::path::PathBuf>>,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("base", &self.base)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// One request, kept so that it can be sent again after a token refresh.
#[derive(Clone)]
struct Call<'a> {
    method: Method,
    path: &'a str,
    query: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    auth: bool,
    if_match: Option<i64>,
    /// Told how many bytes of the body have gone out.
    progress: Option<Progress>,
    /// In place of the client's own limit, for long work on the server.
    timeout: Option<Duration>,
    /// `Last-Event-ID`, for an event stream resumed.
    last_event_id: Option<&'a str>,
    /// `Idempotency-Key`: the same for each try of one request.
    idempotency_key: Option<String>,
}

type Progress = std::sync::Arc<dyn Fn(u64) + Send + Sync>;

impl<'a> Call<'a> {
    fn new(method: Method, path: &'a str) -> Call<'a> {
        Call {
            method,
            path,
            query: Vec::new(),
            body: None,
            auth: true,
            if_match: None,
            progress: None,
            timeout: None,
            last_event_id: None,
            idempotency_key: None,
        }
    }

    fn anonymous(mut self) -> Self {
        self.auth = false;
        self
    }

    fn json(mut self, body: &impl Serialize) -> Self {
        // Serialising the API's own types cannot fail (no maps with non-string keys).
        self.body = Some(serde_json::to_vec(body).unwrap_or_default());
        self
    }

    fn query(mut self, pairs: Vec<(String, String)>) -> Self {
        self.query = pairs;
        self
    }

    fn if_match(mut self, version: Option<i64>) -> Self {
        self.if_match = version;
        self
    }
}

impl ApiClient {
    /// The client the CLI and TUI use: the config dir from [`ConfigDir::locate`],
    /// the server from `server` (the `--server` flag or `TASK_SERVER`), else the
    /// config file, else the default.
    pub fn open(server: Option<&str>) -> Result<ApiClient, ClientError> {
        ApiClient::with_config(server, ConfigDir::locate()?)
    }

    /// Like [`ApiClient::open`] with an explicit config dir.
    /// A damaged credentials file does not stop the client: it starts logged
    /// out, says so when a login is needed, and the next login replaces it.
    pub fn with_config(server: Option<&str>, config: ConfigDir) -> Result<ApiClient, ClientError> {
        let (credentials, damaged) = match config.load() {
            Ok(credentials) => (credentials, None),
            Err(ConfigError::Parse { path, .. }) => (Credentials::default(), Some(path)),
            Err(other) => return Err(other.into()),
        };
        let base = resolve_server(server, &credentials);
        let client = ApiClient::build(&base, Some(config), credentials)?;
        *client.damaged.lock().unwrap_or_else(|e| e.into_inner()) = damaged;
        Ok(client)
    }

    /// A client that keeps its tokens in memory only.
    pub fn new(server: &str) -> Result<ApiClient, ClientError> {
        ApiClient::build(server.trim_end_matches('/'), None, Credentials::default())
    }

    fn build(
        base: &str,
        config: Option<ConfigDir>,
        credentials: Credentials,
    ) -> Result<ApiClient, ClientError> {
        let invalid = |reason: &str| ClientError::InvalidServer {
            url: base.to_string(),
            reason: reason.to_string(),
        };
        let url = reqwest::Url::parse(base).map_err(|e| invalid(&e.to_string()))?;
        let tls = match url.scheme() {
            "http" => false,
            "https" => true,
            _ => return Err(invalid("the scheme must be http or https")),
        };
        if url.host_str().is_none() {
            return Err(invalid("no host"));
        }
        let loopback = url.host_str().is_some_and(|host| {
            host.eq_ignore_ascii_case("localhost")
                || host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        });

        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("taskmgr/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(60))
            // Tokens go to the server only, never along a redirect.
            .redirect(reqwest::redirect::Policy::none());
        if !tls {
            // Parsing the built-in root certificates costs start-up time that a
            // plain-HTTP server never needs.
            builder = builder.tls_built_in_root_certs(false);
        }
        if loopback {
            // A proxy cannot reach this machine's loopback anyway.
            builder = builder.no_proxy();
        }
        let http = builder.build().map_err(|e| invalid(&error_chain(&e)))?;

        // Tokens issued by another server are never sent to this one.
        let mut credentials = credentials;
        if credentials.tokens_for(base).is_none() {
            credentials.tokens = None;
        }
        Ok(ApiClient {
            http,
            base: base.to_string(),
            config,
            credentials: Mutex::new(credentials),
            refreshing: tokio::sync::Mutex::new(()),
            damaged: Mutex::new(None),
        })
    }

    /// The server's base URL, e.g. `http://127.0.0.1:8000`.
    pub fn server(&self) -> &str {
        &self.base
    }

    /// The config dir the credentials are saved in, if any.
    pub fn config_dir(&self) -> Option<&ConfigDir> {
        self.config.as_ref()
    }

    /// Whether there are tokens for this server (they may still have expired).
    pub fn is_logged_in(&self) -> bool {
        self.lock().tokens.is_some()
    }

    /// The account last logged in to this server.
    pub fn username(&self) -> Option<String> {
        let creds = self.lock();
        if creds
            .server
            .as_deref()
            .is_some_and(|s| crate::config::same_server(s, &self.base))
        {
            creds.username.clone()
        } else {
            None
        }
    }

    // ---- accounts --------------------------------------------------------

    /// `POST /api/register/`. Does not log in.
    pub async fn register(&self, request: &RegisterRequest) -> Result<User, ClientError> {
        self.call(
            Call::new(Method::POST, "/api/register/")
                .anonymous()
                .json(request),
        )
        .await
    }

    /// `POST /api/login/`: keeps the tokens and saves them with the username.
    pub async fn login(&self, username: &str, password: &str) -> Result<(), ClientError> {
        let request = LoginRequest {
            username: username.to_string(),
            password: password.to_string(),
        };
        let pair: TokenPair = self
            .call(
                Call::new(Method::POST, "/api/login/")
                    .anonymous()
                    .json(&request),
            )
            .await?;
        self.store_tokens(&pair, Some(username))
    }

    /// `POST /api/logout/`: revokes the login on the server and forgets the
    /// tokens here. The tokens are forgotten even when the server cannot be
    /// told (the error is returned then); a session that had already expired
    /// is not an error.
    pub async fn logout(&self) -> Result<(), ClientError> {
        let refresh = match self.current_tokens() {
            Some(tokens) => tokens.refresh,
            None => return Ok(()),
        };
        let result = self
            .call_empty(Call::new(Method::POST, "/api/logout/").json(&RefreshRequest { refresh }))
            .await;
        self.clear_tokens()?;
        match result {
            Err(
                ClientError::SessionExpired
                | ClientError::AccountInactive { .. }
                | ClientError::NotLoggedIn { .. },
            ) => Ok(()),
            other => other,
        }
    }

    /// `POST /api/token/refresh/`, explicitly. Requests refresh on their own
    /// when needed; this is for callers that want to check the session.
    pub async fn refresh(&self) -> Result<(), ClientError> {
        let tokens = self.current_tokens().ok_or_else(|| self.not_logged_in())?;
        self.refresh_from(&tokens.refresh).await.map(|_| ())
    }

    /// `GET /api/me/`.
    pub async fn me(&self) -> Result<User, ClientError> {
        self.call(Call::new(Method::GET, "/api/me/")).await
    }

    /// `POST /api/me/password/`, then a fresh login with the new password
    /// (the change ends every session, this one included).
    pub async fn change_password(&self, current: &str, new: &str) -> Result<(), ClientError> {
        let username = self.username().ok_or_else(|| self.not_logged_in())?;
        let body = PasswordChange {
            current_password: current.to_string(),
            new_password: new.to_string(),
        };
        self.call_empty(Call::new(Method::POST, "/api/me/password/").json(&body))
            .await?;
        self.login(&username, new).await
    }

    // ---- tasks -----------------------------------------------------------

    /// `GET /api/tasks/`: one page.
    pub async fn list_tasks(&self, query: &TaskQuery) -> Result<Page<Task>, ClientError> {
        self.call(Call::new(Method::GET, "/api/tasks/").query(query.to_pairs()))
            .await
    }

    /// Every task matching `query`, fetching page after page (`limit` and
    /// `offset` of `query` are ignored).
    pub async fn list_all_tasks(&self, query: &TaskQuery) -> Result<Vec<Task>, ClientError> {
        let mut query = query.clone();
        query.limit = Some(MAX_PAGE);
        query.offset = None;
        let mut tasks = Vec::new();
        loop {
            let page = self.list_tasks(&query).await?;
            let got = page.results.len() as u64;
            if tasks.is_empty() {
                tasks.reserve_exact(usize::try_from(page.count).unwrap_or(0).min(1 << 20));
            }
            tasks.extend(page.results);
            // The offsets are ours, not the `next` URL's host: the token goes
            // to the configured server only.
            if page.next.is_none() || got == 0 {
                break;
            }
            query.offset = Some(query.offset.unwrap_or(0) + got);
        }
        Ok(tasks)
    }

    /// `GET /api/export/`: every task `query` selects, in Taskwarrior's
    /// export format, as the server wrote it.
    pub async fn export(&self, query: &TaskQuery) -> Result<Vec<serde_json::Value>, ClientError> {
        self.call(Call::new(Method::GET, "/api/export/").query(query.to_pairs()))
            .await
    }

    /// `POST /api/import/`: `file` in Taskwarrior's export format (an
    /// array, one object, or one object per line). `sent` is told how many
    /// of its bytes have gone out; the server then works on them at once.
    pub async fn import(
        &self,
        file: Vec<u8>,
        sent: impl Fn(u64) + Send + Sync + 'static,
    ) -> Result<ImportSummary, ClientError> {
        let mut call = Call::new(Method::POST, "/api/import/");
        call.body = Some(file);
        call.progress = Some(std::sync::Arc::new(sent));
        // Up to 64 MiB of tasks, written in one transaction.
        call.timeout = Some(Duration::from_secs(600));
        self.call(call).await
    }

    /// `GET /api/projects/` or `/api/tags/`: how many of the tasks `query`
    /// selects have each project, or each tag.
    pub async fn count_by(
        &self,
        summary: Summary,
        query: &TaskQuery,
    ) -> Result<Vec<NameCount>, ClientError> {
        self.call(Call::new(Method::GET, summary.path()).query(query.to_pairs()))
            .await
    }

    /// `GET /api/tasks/{id}/`.
    pub async fn get_task(&self, id: i64) -> Result<Task, ClientError> {
        let path = task_path(id);
        self.call(Call::new(Method::GET, &path)).await
    }

    /// `POST /api/tasks/`.
    pub async fn create_task(&self, task: &NewTask) -> Result<Task, ClientError> {
        // One key for every try: a try whose answer was lost (the
        // connection dropped after the server had it) is answered again
        // rather than made twice.
        let mut call = Call::new(Method::POST, "/api/tasks/").json(task);
        call.idempotency_key = Some(uuid::Uuid::new_v4().to_string());
        let mut tries = 0;
        loop {
            tries += 1;
            match self.call(call.clone()).await {
                Err(ClientError::Transport { .. }) if tries < CREATE_TRIES => {
                    tokio::time::sleep(Duration::from_millis(200 * tries)).await;
                }
                other => return other,
            }
        }
    }

    /// `PATCH /api/tasks/{id}/`; with `if_match`, only if the task is still at
    /// that version (else a 412 problem).
    pub async fn update_task(
        &self,
        id: i64,
        patch: &TaskPatch,
        if_match: Option<i64>,
    ) -> Result<Task, ClientError> {
        let path = task_path(id);
        self.call(
            Call::new(Method::PATCH, &path)
                .json(patch)
                .if_match(if_match),
        )
        .await
    }

    /// `PUT /api/tasks/{id}/`: every writable field replaced.
    pub async fn replace_task(
        &self,
        id: i64,
        task: &NewTask,
        if_match: Option<i64>,
    ) -> Result<Task, ClientError> {
        let path = task_path(id);
        self.call(Call::new(Method::PUT, &path).json(task).if_match(if_match))
            .await
    }

    /// `DELETE /api/tasks/{id}/`.
    pub async fn delete_task(&self, id: i64, if_match: Option<i64>) -> Result<(), ClientError> {
        let path = task_path(id);
        self.call_empty(Call::new(Method::DELETE, &path).if_match(if_match))
            .await
    }

    /// `POST /api/tasks/{id}/start/` (`true`) or `…/stop/`: the task as it
    /// now is; doing it again changes nothing.
    pub async fn set_active(
        &self,
        id: i64,
        active: bool,
        if_match: Option<i64>,
    ) -> Result<Task, ClientError> {
        let path = format!("/api/tasks/{id}/{}/", if active { "start" } else { "stop" });
        self.call(Call::new(Method::POST, &path).if_match(if_match))
            .await
    }

    /// `POST /api/tasks/{id}/annotations/`: the new note.
    pub async fn annotate_task(
        &self,
        id: i64,
        text: &str,
        if_match: Option<i64>,
    ) -> Result<Annotation, ClientError> {
        let path = format!("/api/tasks/{id}/annotations/");
        self.call(
            Call::new(Method::POST, &path)
                .json(&NewAnnotation {
                    text: text.to_string(),
                })
                .if_match(if_match),
        )
        .await
    }

    /// `DELETE /api/tasks/{id}/annotations/{annotation_id}/`, only if the
    /// task is still at `if_match`.
    pub async fn denotate_task(
        &self,
        id: i64,
        annotation_id: i64,
        if_match: Option<i64>,
    ) -> Result<(), ClientError> {
        let path = format!("/api/tasks/{id}/annotations/{annotation_id}/");
        self.call_empty(Call::new(Method::DELETE, &path).if_match(if_match))
            .await
    }

    // ---- admin and operations ----------------------------------------------

    /// `GET /api/admin/users/` (admins only). One page, as the server sends it.
    pub async fn admin_users(&self) -> Result<Page<AdminUser>, ClientError> {
        self.call(Call::new(Method::GET, "/api/admin/users/")).await
    }

    /// `PATCH /api/admin/users/{id}/`.
    pub async fn admin_update_user(
        &self,
        id: i64,
        patch: &AdminUserPatch,
    ) -> Result<AdminUser, ClientError> {
        let path = format!("/api/admin/users/{id}/");
        self.call(Call::new(Method::PATCH, &path).json(patch)).await
    }

    /// `DELETE /api/admin/users/{id}/` (their tasks too).
    pub async fn admin_delete_user(&self, id: i64) -> Result<(), ClientError> {
        let path = format!("/api/admin/users/{id}/");
        self.call_empty(Call::new(Method::DELETE, &path)).await
    }

    /// `GET /healthz`.
    pub async fn health(&self) -> Result<Health, ClientError> {
        self.call(Call::new(Method::GET, "/healthz").anonymous())
            .await
    }

    // ---- plumbing ----------------------------------------------------------

    async fn call<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T, ClientError> {
        let url = self.url(call.path);
        let body = self.execute(&call).await?;
        serde_json::from_slice(&body).map_err(|e| ClientError::Protocol {
            url,
            detail: format!("the body is not the expected JSON ({e})"),
        })
    }

    async fn call_empty(&self, call: Call<'_>) -> Result<(), ClientError> {
        self.execute(&call).await.map(|_| ())
    }

    /// Sends `call`, refreshing the access token first when it has expired
    /// and once more after a 401; returns the body of a 2xx answer.
    async fn execute(&self, call: &Call<'_>) -> Result<Vec<u8>, ClientError> {
        let response = self.respond(call).await?;
        self.read(call.path, response).await
    }

    /// `GET /api/events/`, resumed after `cursor`: the response, its body
    /// still to be read as it comes.
    pub(crate) async fn open_events(
        &self,
        cursor: Option<&str>,
    ) -> Result<reqwest::Response, ClientError> {
        let mut call = Call::new(Method::GET, "/api/events/");
        call.last_event_id = cursor;
        // The stream lasts as long as the login's access token; silence is
        // watched for by the reader instead.
        call.timeout = Some(Duration::from_secs(24 * 3600));
        let response = self.respond(&call).await?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        // Reading an error answer gives its problem.
        Err(match self.read(call.path, response).await {
            Err(err) => err,
            Ok(_) => ClientError::Protocol {
                url: self.url(call.path),
                detail: format!("HTTP {status} for an event stream"),
            },
        })
    }

    /// [`Self::execute`] up to the answer's head: its body is not read.
    async fn respond(&self, call: &Call<'_>) -> Result<reqwest::Response, ClientError> {
        let mut token = match call.auth {
            true => Some(self.fresh_access_token().await?),
            false => None,
        };
        let mut retried = false;
        loop {
            let response = self
                .send(call, token.as_ref().map(|t| t.access.as_str()))
                .await?;
            let Some(used) = token
                .as_ref()
                .filter(|_| response.status() == StatusCode::UNAUTHORIZED)
            else {
                return Ok(response);
            };
            // Refused: the body says whether a refresh could help.
            if let Err(refused) = self.read(call.path, response).await {
                if let Some(inactive) = self.account_inactive(&refused) {
                    self.clear_tokens()?;
                    return Err(inactive);
                }
            }
            if retried {
                return Err(ClientError::SessionExpired);
            }
            retried = true;
            token = Some(self.refresh_from(&used.refresh).await?);
        }
    }

    async fn send(
        &self,
        call: &Call<'_>,
        access: Option<&str>,
    ) -> Result<reqwest::Response, ClientError> {
        let url = self.url(call.path);
        let mut request = self
            .http
            .request(call.method.clone(), &url)
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        if let Some(body) = &call.body {
            request = request.header(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            request = match &call.progress {
                Some(progress) => request
                    .header(CONTENT_LENGTH, body.len())
                    .body(reqwest::Body::wrap_stream(chunks(body, progress.clone()))),
                None => request.body(body.clone()),
            };
        }
        if let Some(timeout) = call.timeout {
            request = request.timeout(timeout);
        }
        if let Some(access) = access {
            let mut value = HeaderValue::from_str(&format!("Bearer {access}"))
                .map_err(|_| ClientError::SessionExpired)?;
            value.set_sensitive(true);
            request = request.header(AUTHORIZATION, value);
        }
        if let Some(cursor) = call.last_event_id {
            request = request.header("last-event-id", cursor);
        }
        if let Some(key) = &call.idempotency_key {
            request = request.header("idempotency-key", key.as_str());
        }
        if let Some(version) = call.if_match {
            request = request.header(IF_MATCH, format!("\"{version}\""));
        }
        request.send().await.map_err(|e| self.transport_error(e))
    }

    async fn read(&self, path: &str, response: reqwest::Response) -> Result<Vec<u8>, ClientError> {
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(e))?;
        if status.is_success() {
            return Ok(body.to_vec());
        }
        match serde_json::from_slice::<Problem>(&body) {
            Ok(problem) => Err(ClientError::Api(Box::new(problem))),
            Err(_) => Err(ClientError::Protocol {
                url: self.url(path),
                detail: format!("HTTP {status} without a problem body"),
            }),
        }
    }

    fn transport_error(&self, error: reqwest::Error) -> ClientError {
        let url = self.base.clone();
        if error.is_connect() {
            ClientError::Unreachable {
                url,
                why: Unreached::of(&error),
            }
        } else if error.is_timeout() {
            ClientError::Transport {
                url,
                detail: "no answer in time".to_string(),
            }
        } else {
            ClientError::Transport {
                url,
                detail: error_chain(&error.without_url()),
            }
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Credentials> {
        // A panic elsewhere while holding the lock leaves plain data behind.
        self.credentials.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn current_tokens(&self) -> Option<StoredTokens> {
        self.lock().tokens.clone()
    }

    fn not_logged_in(&self) -> ClientError {
        match &*self.damaged.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(path) => ClientError::DamagedCredentials { path: path.clone() },
            None => ClientError::NotLoggedIn {
                url: self.base.clone(),
            },
        }
    }

    /// The access token to send: the current one, or a refreshed one when it
    /// has expired.
    async fn fresh_access_token(&self) -> Result<StoredTokens, ClientError> {
        let tokens = self.current_tokens().ok_or_else(|| self.not_logged_in())?;
        if unix_now() < tokens.access_expires_at - EXPIRY_MARGIN_SECS {
            return Ok(tokens);
        }
        self.refresh_from(&tokens.refresh).await
    }

    /// Exchanges `stale_refresh` for a new pair, unless someone (another
    /// request of this client, or another process sharing the credentials
    /// file) already did: then their pair is used.
    async fn refresh_from(&self, stale_refresh: &str) -> Result<StoredTokens, ClientError> {
        let _guard = self.refreshing.lock().await;
        if let Some(tokens) = self.current_tokens() {
            if tokens.refresh != stale_refresh {
                return Ok(tokens);
            }
        }
        // Held until the new pair is saved, so another process waits and then
        // finds it on disk.
        let _other_processes = match &self.config {
            Some(config) => config.lock_refresh(REFRESH_LOCK_PATIENCE).await,
            None => None,
        };
        if let Some(config) = &self.config {
            if let Ok(on_disk) = config.load() {
                if let Some(tokens) = on_disk.tokens_for(&self.base) {
                    if tokens.refresh != stale_refresh {
                        let tokens = tokens.clone();
                        self.lock().tokens = Some(tokens.clone());
                        return Ok(tokens);
                    }
                }
            }
        }

        let body = RefreshRequest {
            refresh: stale_refresh.to_string(),
        };
        let call = Call::new(Method::POST, "/api/token/refresh/")
            .anonymous()
            .json(&body);
        let response = self.send(&call, None).await?;
        let status = response.status();
        match self.read(call.path, response).await {
            Ok(bytes) => {
                let pair: TokenPair =
                    serde_json::from_slice(&bytes).map_err(|e| ClientError::Protocol {
                        url: self.url(call.path),
                        detail: format!("the token answer is not the expected JSON ({e})"),
                    })?;
                self.store_tokens(&pair, None)?;
                self.current_tokens().ok_or(ClientError::SessionExpired)
            }
            Err(refused @ ClientError::Api(_)) if status.is_client_error() => {
                self.clear_tokens()?;
                Err(self
                    .account_inactive(&refused)
                    .unwrap_or(ClientError::SessionExpired))
            }
            Err(other) => Err(other),
        }
    }

    /// [`ClientError::AccountInactive`] when `refused` is the server saying
    /// the account has been deactivated (`user_inactive`), which no refresh
    /// or login can get past.
    fn account_inactive(&self, refused: &ClientError) -> Option<ClientError> {
        match refused {
            ClientError::Api(problem) if problem.code.as_deref() == Some("user_inactive") => {
                Some(ClientError::AccountInactive {
                    url: self.base.clone(),
                })
            }
            _ => None,
        }
    }

    fn store_tokens(&self, pair: &TokenPair, username: Option<&str>) -> Result<(), ClientError> {
        let expires_in = i64::try_from(pair.expires_in).unwrap_or(i64::MAX / 2);
        let snapshot = {
            let mut creds = self.lock();
            creds.server = Some(self.base.clone());
            if let Some(username) = username {
                creds.username = Some(username.to_string());
            }
            creds.tokens = Some(StoredTokens {
                access: pair.access.clone(),
                refresh: pair.refresh.clone(),
                access_expires_at: unix_now().saturating_add(expires_in),
            });
            creds.clone()
        };
        self.persist(&snapshot)?;
        // The file is whole again.
        *self.damaged.lock().unwrap_or_else(|e| e.into_inner()) = None;
        Ok(())
    }

    fn clear_tokens(&self) -> Result<(), ClientError> {
        let snapshot = {
            let mut creds = self.lock();
            creds.tokens = None;
            creds.clone()
        };
        self.persist(&snapshot)
    }

    fn persist(&self, credentials: &Credentials) -> Result<(), ClientError> {
        match &self.config {
            Some(config) => Ok(config.save(credentials)?),
            None => Ok(()),
        }
    }
}

fn task_path(id: i64) -> String {
    format!("/api/tasks/{id}/")
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// An error and its sources on one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        let text = inner.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        source = inner.source();
    }
    line
}

/// `body` as a stream of pieces, telling `progress` the bytes sent so far
/// as each piece is taken.
fn chunks(
    body: &[u8],
    progress: Progress,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    const PIECE: usize = 256 * 1024;
    let pieces: Vec<Vec<u8>> = body.chunks(PIECE).map(<[u8]>::to_vec).collect();
    let mut sent = 0u64;
    futures_util::stream::iter(pieces.into_iter().map(move |piece| {
        sent += piece.len() as u64;
        progress(sent);
        Ok(piece)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_server_urls() {
        for bad in ["", "localhost:8000", "ftp://host", "http://"] {
            let err = ApiClient::new(bad).unwrap_err();
            assert!(
                matches!(err, ClientError::InvalidServer { .. }),
                "{bad}: {err}"
            );
        }
        assert_eq!(
            ApiClient::new("http://127.0.0.1:8000/").unwrap().server(),
            "http://127.0.0.1:8000"
        );
    }

    #[test]
    fn messages_are_the_documented_ones() {
        let down = ClientError::Unreachable {
            url: "http://127.0.0.1:9".into(),
            why: Unreached::Down,
        };
        assert_eq!(
            down.to_string(),
            "cannot reach taskd at http://127.0.0.1:9: is it running? (start it with taskd)"
        );
        assert_eq!(
            ClientError::SessionExpired.to_string(),
            "session expired: run `task login`"
        );
    }

    #[tokio::test(flavor = "current_thread")]
    async fn server_down_is_unreachable() {
        // Bind and drop a listener: nothing listens on that port afterwards.
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let client = ApiClient::new(&format!("http://127.0.0.1:{port}")).unwrap();
        let err = client.health().await.unwrap_err();
        assert!(err.is_unreachable(), "{err}");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn an_unknown_host_and_https_to_plain_http_say_so() {
        let unknown = ApiClient::new("http://nosuchhost.invalid").unwrap();
        let err = unknown.health().await.unwrap_err();
        assert!(err.is_unreachable(), "{err}");
        assert!(err.to_string().contains("cannot resolve its host"), "{err}");
        // A plain HTTP server asked over https.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            use std::io::{Read, Write};
            for stream in listener.incoming().take(4) {
                let Ok(mut stream) = stream else { continue };
                let mut request = [0u8; 1024];
                let _ = stream.read(&mut request);
                let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
            }
        });
        let tls = ApiClient::new(&format!("https://127.0.0.1:{port}")).unwrap();
        let err = tls.health().await.unwrap_err();
        assert!(err.is_unreachable(), "{err}");
        assert!(err.to_string().contains("does it serve https?"), "{err}");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn not_logged_in_without_tokens() {
        let client = ApiClient::new("http://127.0.0.1:9").unwrap();
        let err = client.me().await.unwrap_err();
        assert!(matches!(err, ClientError::NotLoggedIn { .. }), "{err}");
    }
}
