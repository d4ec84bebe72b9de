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
use std::time::Duration;

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, IF_MATCH};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::api::Problem;
use crate::config::{resolve_server, ConfigDir, ConfigError, Credentials};

mod endpoints;
mod error;
mod journal;
mod session;

use crate::text::error_chain;
pub use error::{ClientError, Unreached};
pub use journal::Direction;

/// How many times a create is sent when its answer is lost on the way.
const CREATE_TRIES: u64 = 3;

/// The largest page the API serves; `list_all_tasks` asks for pages this big.
pub const MAX_PAGE: u32 = 1000;

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
}

fn task_path(id: i64) -> String {
    format!("/api/tasks/{id}/")
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
            "session ended (expired, logged out elsewhere, or its account removed): run `task login`"
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
