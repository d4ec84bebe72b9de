//! Account rules: what a refresh token may still do, and what ends a login.

use chrono::{DateTime, Utc};
use common::api::AdminUser;

use crate::store::{Store, StoreResult, UserRecord};

/// What presenting a refresh token came to.
#[derive(Debug)]
pub enum Refreshed {
    /// The token was live: it is now spent, and `session_id` goes on.
    Rotated { user: UserRecord, session_id: i64 },
    /// The token had been spent already: the whole login is now revoked.
    Reused,
    /// Unknown, expired, revoked, or its user is inactive.
    Invalid,
}

/// Spends the refresh token `old_hash`, issuing `new_hash` in its place. A
/// spent token coming back means a copy of it is in other hands, so the whole
/// login ends; that includes losing a race to spend it.
pub async fn rotate_refresh_token(
    store: &dyn Store,
    old_hash: &str,
    new_hash: &str,
    expires_at: DateTime<Utc>,
) -> StoreResult<Refreshed> {
    let Some(token) = store.refresh_token(old_hash).await? else {
        return Ok(Refreshed::Invalid);
    };
    if token.used {
        store.revoke_session(token.session_id).await?;
        return Ok(Refreshed::Reused);
    }
    if token.session_revoked || token.expires_at <= Utc::now() || !token.user.is_active {
        return Ok(Refreshed::Invalid);
    }
    if store
        .spend_refresh_token(old_hash, new_hash, token.session_id, expires_at)
        .await?
    {
        Ok(Refreshed::Rotated {
            user: token.user,
            session_id: token.session_id,
        })
    } else {
        store.revoke_session(token.session_id).await?;
        Ok(Refreshed::Reused)
    }
}

/// Activates, deactivates, promotes or demotes. Deactivation ends every
/// login for good: reactivating the account later must not bring old
/// tokens back to life.
pub async fn update_user_flags(
    store: &dyn Store,
    user_id: i64,
    is_active: Option<bool>,
    is_admin: Option<bool>,
) -> StoreResult<Option<AdminUser>> {
    let end_logins = is_active == Some(false);
    store
        .update_user_flags(user_id, is_active, is_admin, end_logins)
        .await
}
