//! The login's tokens: the access token refreshed before it runs out or
//! once the server refuses it, one refresh at a time across requests and
//! processes, and the pair kept in the credentials file.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::Method;

use super::{ApiClient, Call, ClientError};
use crate::api::{RefreshRequest, TokenPair};
use crate::config::{Credentials, StoredTokens};

/// Refresh this long before the access token's stated expiry, so that a token
/// does not run out between the check and the server reading it.
const EXPIRY_MARGIN_SECS: i64 = 30;

/// How long to wait for another process's refresh before refreshing anyway:
/// longer than one refresh can take (connect timeout plus request timeout).
const REFRESH_LOCK_PATIENCE: Duration = Duration::from_secs(70);

impl ApiClient {
    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, Credentials> {
        // A panic elsewhere while holding the lock leaves plain data behind.
        self.credentials.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn current_tokens(&self) -> Option<StoredTokens> {
        self.lock().tokens.clone()
    }

    pub(super) fn not_logged_in(&self) -> ClientError {
        match &*self.damaged.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(path) => ClientError::DamagedCredentials { path: path.clone() },
            None => ClientError::NotLoggedIn {
                url: self.base.clone(),
            },
        }
    }

    /// The access token to send: the current one, or a refreshed one when it
    /// has expired.
    pub(super) async fn fresh_access_token(&self) -> Result<StoredTokens, ClientError> {
        let tokens = self.current_tokens().ok_or_else(|| self.not_logged_in())?;
        if unix_now() < tokens.access_expires_at - EXPIRY_MARGIN_SECS {
            return Ok(tokens);
        }
        self.refresh_from(&tokens.refresh).await
    }

    /// Exchanges `stale_refresh` for a new pair, unless someone (another
    /// request of this client, or another process sharing the credentials
    /// file) already did: then their pair is used.
    pub(super) async fn refresh_from(
        &self,
        stale_refresh: &str,
    ) -> Result<StoredTokens, ClientError> {
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
    pub(super) fn account_inactive(&self, refused: &ClientError) -> Option<ClientError> {
        match refused {
            ClientError::Api(problem) if problem.code.as_deref() == Some("user_inactive") => {
                Some(ClientError::AccountInactive {
                    url: self.base.clone(),
                })
            }
            _ => None,
        }
    }

    pub(super) fn store_tokens(
        &self,
        pair: &TokenPair,
        username: Option<&str>,
    ) -> Result<(), ClientError> {
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

    pub(super) fn clear_tokens(&self) -> Result<(), ClientError> {
        let snapshot = {
            let mut creds = self.lock();
            creds.tokens = None;
            creds.clone()
        };
        self.persist(&snapshot)
    }

    /// Takes up a login another process saved meanwhile (`task login` while
    /// the TUI waits at its login form): the account's name when this
    /// client holds no tokens and the credentials file holds some for this
    /// server. Reads the file: call it off the async workers.
    pub fn adopt_saved_login(&self) -> Option<String> {
        let on_disk = self.config.as_ref()?.load().ok()?;
        let tokens = on_disk.tokens_for(&self.base)?.clone();
        let mut creds = self.lock();
        // Only into a client logged out: a login of its own made meanwhile
        // stands.
        if creds.tokens.is_some() {
            return None;
        }
        creds.server = on_disk.server.clone();
        creds.username = on_disk.username.clone();
        creds.tokens = Some(tokens);
        *self.damaged.lock().unwrap_or_else(|e| e.into_inner()) = None;
        Some(on_disk.username.unwrap_or_default())
    }

    pub(super) fn persist(&self, credentials: &Credentials) -> Result<(), ClientError> {
        match &self.config {
            Some(config) => Ok(config.save(credentials)?),
            None => Ok(()),
        }
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
