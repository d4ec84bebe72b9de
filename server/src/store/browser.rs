//! Browser sessions: the web app's logins, kept server-side and named by an
//! opaque cookie. Each is a login like the API's (a `sessions` row), so
//! logout, a password change and a deactivation end it the same way.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{StoreResult, UserRecord};

/// A live browser session and whose it is.
#[derive(Debug, Clone)]
pub struct BrowserSession {
    pub session_id: i64,
    pub user: UserRecord,
}

#[async_trait]
pub trait BrowserSessionStore: Send + Sync + 'static {
    /// Opens a login for the user, named by the cookie token hashed
    /// `token_hash`, until `expires_at`.
    async fn open_browser_session(
        &self,
        user_id: i64,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<i64>;
    /// The session named by `token_hash`: `None` once expired or ended, or
    /// when its user is inactive.
    async fn browser_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<BrowserSession>>;
}
