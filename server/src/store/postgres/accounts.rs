//! Accounts, logins and login attempts in PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio_postgres::Row;

use super::{cached::Cached, PostgresStore};
use crate::store::{
    changes::Wake, AccountStore, Adoption, AuthContext, LegacyUser, NewUser, RefreshTokenRecord,
    StoreResult, UserRecord,
};

pub(super) const USER_COLUMNS: &str =
    "u.id, u.username, u.email, u.password_hash, u.is_active, u.is_admin, \
     u.date_joined, u.token_version";

pub(super) fn user_from_row(row: &Row) -> UserRecord {
    UserRecord {
        id: row.get(0),
        username: row.get(1),
        email: row.get(2),
        password_hash: row.get(3),
        is_active: row.get(4),
        is_admin: row.get(5),
        date_joined: row.get(6),
        token_version: row.get(7),
    }
}

#[async_trait]
impl AccountStore for PostgresStore {
    async fn create_user(&self, user: NewUser) -> StoreResult<Option<UserRecord>> {
        let client = self.client().await?;
        // Kept to the microsecond, as PostgreSQL keeps it.
        let now = Utc::now();
        let now = DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now);
        let row = self
            .timed(client.query_opt_cached(
                "INSERT INTO users (username, username_key, email, password_hash, is_admin, date_joined) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (username_key) DO NOTHING RETURNING id",
                &[
                    &user.username,
                    &user.username.to_lowercase(),
                    &user.email,
                    &user.password_hash,
                    &user.is_admin,
                    &now,
                ],
            ))
            .await?;
        Ok(row.map(|row| UserRecord {
            id: row.get(0),
            username: user.username,
            email: user.email,
            password_hash: user.password_hash,
            is_active: true,
            is_admin: user.is_admin,
            date_joined: now,
            token_version: 0,
        }))
    }

    async fn adopt_user(&self, user: LegacyUser) -> StoreResult<Adoption> {
        let client = self.client().await?;
        self.timed(async {
            let created = client
                .query_opt_cached(
                    "INSERT INTO users (username, username_key, email, password_hash, is_active, \
                     is_admin, date_joined, legacy_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT DO NOTHING RETURNING id",
                    &[
                        &user.username,
                        &user.username.to_lowercase(),
                        &user.email,
                        &user.password_hash,
                        &user.is_active,
                        &user.is_admin,
                        &user.date_joined,
                        &user.legacy_id,
                    ],
                )
                .await?;
            if let Some(row) = created {
                return Ok(Adoption::Created(row.get(0)));
            }
            let existing = client
                .query_opt_cached(
                    "SELECT id FROM users WHERE username_key = $1 AND legacy_id = $2",
                    &[&user.username.to_lowercase(), &user.legacy_id],
                )
                .await?;
            Ok(existing.map_or(Adoption::Taken, |row| Adoption::Already(row.get(0))))
        })
        .await
    }

    async fn upgrade_password_hash(
        &self,
        user_id: i64,
        old_hash: &str,
        new_hash: &str,
    ) -> StoreResult<bool> {
        let client = self.client().await?;
        let changed = self
            .timed(client.execute_cached(
                "UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3",
                &[&new_hash, &user_id, &old_hash],
            ))
            .await?;
        Ok(changed > 0)
    }

    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRecord>> {
        // No stored name holds a NUL (PostgreSQL's text cannot), and sending
        // one would be an error rather than "no such user".
        if username.contains('\0') {
            return Ok(None);
        }
        let client = self.client().await?;
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.username_key = $1");
        let row = self
            .timed(client.query_opt_cached(&sql, &[&username.to_lowercase()]))
            .await?;
        Ok(row.as_ref().map(user_from_row))
    }

    /// From memory while no change to the account can have gone unheard
    /// (`login_cache`); else asked of the database, with the other checks
    /// under way.
    async fn auth_context(
        &self,
        user_id: i64,
        session_id: i64,
    ) -> StoreResult<Option<AuthContext>> {
        self.listen();
        if let Some(context) = self.logins.lookup(user_id, session_id) {
            return Ok(Some(context));
        }
        let generation = self.logins.generation(user_id);
        let context = self.login_checks.check(user_id, session_id).await?;
        if let Some(context) = &context {
            self.logins.keep(generation, session_id, context);
        }
        Ok(context)
    }

    async fn create_session(
        &self,
        user_id: i64,
        refresh_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let client = self.client().await?;
        let row = self
            .timed(client.query_one_cached(
                "WITH login AS (INSERT INTO sessions (user_id, created_at) VALUES ($1, $2) RETURNING id), \
                 token AS (INSERT INTO refresh_tokens (token_hash, session_id, expires_at) \
                   SELECT $3, id, $4 FROM login) \
                 SELECT id FROM login",
                &[&user_id, &Utc::now(), &refresh_hash, &expires_at],
            ))
            .await?;
        Ok(row.get(0))
    }

    async fn refresh_token(&self, hash: &str) -> StoreResult<Option<RefreshTokenRecord>> {
        let client = self.client().await?;
        let row = self
            .timed(client.query_opt_cached(
                &format!(
"SELECT {USER_COLUMNS}, r.session_id, r.expires_at, r.used, s.revoked, r.used_at \
                     FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id \
                     JOIN users u ON u.id = s.user_id WHERE r.token_hash = $1"
                ),
                &[&hash],
            ))
            .await?;
        Ok(row.map(|row| RefreshTokenRecord {
            user: user_from_row(&row),
            session_id: row.get(8),
            expires_at: row.get(9),
            used: row.get(10),
            session_revoked: row.get(11),
            used_at: row.get(12),
        }))
    }

    async fn spend_refresh_token(
        &self,
        old_hash: &str,
        new_hash: &str,
        session_id: i64,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let client = self.client().await?;
        // One statement: the successor exists only if this spent the token.
        let row = self
            .timed(client.query_opt_cached(
                "WITH spent AS (UPDATE refresh_tokens SET used = TRUE, used_at = $5 \
                   WHERE token_hash = $1 AND NOT used RETURNING session_id), \
                 successor AS (INSERT INTO refresh_tokens (token_hash, session_id, expires_at) \
                   SELECT $2, $3, $4 FROM spent) \
                 SELECT session_id FROM spent",
                &[&old_hash, &new_hash, &session_id, &expires_at, &now],
            ))
            .await?;
        Ok(row.is_some())
    }

    async fn revoke_session(&self, session_id: i64) -> StoreResult<()> {
        let client = self.client().await?;
        let revoked = self
            .timed(client.query_opt_cached(
                "UPDATE sessions SET revoked = TRUE WHERE id = $1 RETURNING user_id",
                &[&session_id],
            ))
            .await?;
        if let Some(row) = revoked {
            self.announce(Wake::Account(row.get(0))).await;
        }
        Ok(())
    }

    async fn revoke_session_by_refresh_token(
        &self,
        user_id: i64,
        refresh_hash: &str,
    ) -> StoreResult<bool> {
        let client = self.client().await?;
        let changed = self
            .timed(client.execute_cached(
                "UPDATE sessions SET revoked = TRUE WHERE user_id = $1 AND id = \
                 (SELECT session_id FROM refresh_tokens WHERE token_hash = $2)",
                &[&user_id, &refresh_hash],
            ))
            .await?;
        self.announce(Wake::Account(user_id)).await;
        Ok(changed > 0)
    }

    async fn change_password(&self, user_id: i64, password_hash: &str) -> StoreResult<()> {
        let mut client = self.client().await?;
        self.timed(async {
            let tx = client.transaction().await?;
            tx.execute_cached(
                "UPDATE users SET password_hash = $1 WHERE id = $2",
                &[&password_hash, &user_id],
            )
            .await?;
            end_logins_of(&tx, user_id).await?;
            tx.commit().await
        })
        .await?;
        self.announce(Wake::Account(user_id)).await;
        Ok(())
    }

    async fn end_logins(&self, user_id: i64) -> StoreResult<()> {
        let mut client = self.client().await?;
        self.timed(async {
            let tx = client.transaction().await?;
            end_logins_of(&tx, user_id).await?;
            tx.commit().await
        })
        .await?;
        self.announce(Wake::Account(user_id)).await;
        Ok(())
    }

    async fn purge_expired_logins(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let mut client = self.client().await?;
        self.timed(async {
            let tx = client.transaction().await?;
            tx.execute_cached("DELETE FROM refresh_tokens WHERE expires_at < $1", &[&now])
                .await?;
            tx.execute_cached("DELETE FROM browser_sessions WHERE expires_at < $1", &[&now])
                .await?;
            // A login's access tokens expire long before its last refresh
            // token, so a login with no refresh token (or browser session)
            // left is over.
            let logins = tx
                .execute_cached(
                    "DELETE FROM sessions WHERE NOT EXISTS \
                     (SELECT 1 FROM refresh_tokens r WHERE r.session_id = sessions.id) \
                     AND NOT EXISTS (SELECT 1 FROM browser_sessions b WHERE b.session_id = sessions.id)",
                    &[],
                )
                .await?;
            tx.commit().await?;
            Ok(logins)
        })
        .await
    }
}

/// Ends every login of the user and every access token they hold (the
/// caller announces it to the other daemons).
async fn end_logins_of(
    tx: &deadpool_postgres::Transaction<'_>,
    user_id: i64,
) -> Result<(), tokio_postgres::Error> {
    tx.execute_cached(
        "UPDATE users SET token_version = token_version + 1 WHERE id = $1",
        &[&user_id],
    )
    .await?;
    tx.execute_cached(
        "UPDATE sessions SET revoked = TRUE WHERE user_id = $1",
        &[&user_id],
    )
    .await?;
    Ok(())
}
