//! Account rules: what a refresh token may still do, and what ends a login.

use chrono::{DateTime, Utc};

use crate::store::{Store, StoreResult, UserRecord};

/// What presenting a refresh token came to.
#[derive(Debug)]
pub enum Refreshed {
    /// The token was live, or was spent within the grace window: it is
    /// spent, its login goes on, and its successor is the one given at
    /// `rotated_at` (the same pair, however many times it is asked for).
    Rotated {
        user: UserRecord,
        session_id: i64,
        rotated_at: DateTime<Utc>,
    },
    /// The token had been spent before the grace window: the whole login is
    /// now revoked.
    Reused,
    /// The token is one of ours, but an admin has deactivated its user.
    Inactive,
    /// Unknown, expired or revoked.
    Invalid,
}

/// Spends the refresh token `old_hash`, issuing `new_hash` (which the
/// caller derives from the token, so that every spend of it names the same
/// successor) in its place. The same token presented again within `grace`
/// of its spending (two tabs refreshing at once) gets that successor again;
/// later, a spent token coming back means a copy of it is in other hands,
/// and the whole login ends.
pub async fn rotate_refresh_token(
    store: &dyn Store,
    old_hash: &str,
    new_hash: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
    grace: chrono::Duration,
) -> StoreResult<Refreshed> {
    let Some(token) = store.refresh_token(old_hash).await? else {
        return Ok(Refreshed::Invalid);
    };
    if !token.user.is_active {
        // Told only to a token that would otherwise still be good: deactivation
        // revokes the sessions, so their revocation is not asked here.
        let live = !token.used && token.expires_at > now;
        return Ok(if live {
            Refreshed::Inactive
        } else {
            Refreshed::Invalid
        });
    }
    if token.session_revoked {
        return Ok(Refreshed::Invalid);
    }
    if token.used {
        return again_or_reused(store, token, now, grace).await;
    }
    if token.expires_at <= now {
        return Ok(Refreshed::Invalid);
    }
    if store
        .spend_refresh_token(old_hash, new_hash, token.session_id, expires_at, now)
        .await?
    {
        return Ok(Refreshed::Rotated {
            user: token.user,
            session_id: token.session_id,
            rotated_at: now,
        });
    }
    // Spent by a request racing this one: within the window, its pair.
    match store.refresh_token(old_hash).await? {
        Some(token) if token.used => again_or_reused(store, token, now, grace).await,
        _ => Ok(Refreshed::Invalid),
    }
}

async fn again_or_reused(
    store: &dyn Store,
    token: crate::store::RefreshTokenRecord,
    now: DateTime<Utc>,
    grace: chrono::Duration,
) -> StoreResult<Refreshed> {
    match token.used_at {
        Some(at) if !token.session_revoked && now - at <= grace => Ok(Refreshed::Rotated {
            user: token.user,
            session_id: token.session_id,
            rotated_at: at,
        }),
        _ => {
            store.revoke_session(token.session_id).await?;
            Ok(Refreshed::Reused)
        }
    }
}
