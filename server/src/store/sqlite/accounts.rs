//! Accounts, logins and login attempts in SQLite.

use std::time::Instant;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{instant, micros, SqliteStore, AUTH_CACHE_AGE, AUTH_CACHE_ENTRIES};
use crate::store::{
    changes::Wake, AccountStore, Adoption, AuthContext, LegacyUser, NewUser, RefreshTokenRecord,
    StoreResult, UserRecord,
};

pub(super) const USER_COLUMNS: &str =
    "u.id, u.username, u.email, u.password_hash, u.is_active, u.is_admin, \
     u.date_joined, u.token_version";

pub(super) fn user_from_row(row: &Row<'_>) -> rusqlite::Result<UserRecord> {
    Ok(UserRecord {
        id: row.get(0)?,
        username: row.get(1)?,
        email: row.get(2)?,
        password_hash: row.get(3)?,
        is_active: row.get(4)?,
        is_admin: row.get(5)?,
        date_joined: instant(row.get(6)?),
        token_version: row.get(7)?,
    })
}

#[async_trait]
impl AccountStore for SqliteStore {
    async fn create_user(&self, user: NewUser) -> StoreResult<Option<UserRecord>> {
        // Ids are never reused (AUTOINCREMENT): nothing remembered is about it.
        self.write_keeping_auth(move |conn| {
            let now = instant(micros(Utc::now()));
            let inserted = conn
                .prepare_cached(
                    "INSERT INTO users (username, username_key, email, password_hash, is_admin, date_joined) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (username_key) DO NOTHING",
                )?
                .execute(params![
                    user.username,
                    user.username.to_lowercase(),
                    user.email,
                    user.password_hash,
                    user.is_admin,
                    micros(now)
                ])?;
            if inserted == 0 {
                return Ok(None);
            }
            Ok(Some(UserRecord {
                id: conn.last_insert_rowid(),
                username: user.username,
                email: user.email,
                password_hash: user.password_hash,
                is_active: true,
                is_admin: user.is_admin,
                date_joined: now,
                token_version: 0,
            }))
        })
        .await
    }

    async fn adopt_user(&self, user: LegacyUser) -> StoreResult<Adoption> {
        self.write_keeping_auth(move |conn| {
            let existing: Option<(i64, Option<String>)> = conn
                .prepare_cached("SELECT id, legacy_id FROM users WHERE username_key = ?1")?
                .query_row([user.username.to_lowercase()], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })
                .optional()?;
            if let Some((id, legacy_id)) = existing {
                return Ok(if legacy_id.as_deref() == Some(user.legacy_id.as_str()) {
                    Adoption::Already(id)
                } else {
                    Adoption::Taken
                });
            }
            let inserted = conn
                .prepare_cached(
                    "INSERT INTO users (username, username_key, email, password_hash, is_active, \
                     is_admin, date_joined, legacy_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                     ON CONFLICT (legacy_id) DO NOTHING",
                )?
                .execute(params![
                    user.username,
                    user.username.to_lowercase(),
                    user.email,
                    user.password_hash,
                    user.is_active,
                    user.is_admin,
                    micros(user.date_joined),
                    user.legacy_id,
                ])?;
            // The same account under another name: brought over before.
            if inserted == 0 {
                return Ok(Adoption::Taken);
            }
            Ok(Adoption::Created(conn.last_insert_rowid()))
        })
        .await
    }

    async fn upgrade_password_hash(
        &self,
        user_id: i64,
        old_hash: &str,
        new_hash: &str,
    ) -> StoreResult<bool> {
        let (old_hash, new_hash) = (old_hash.to_string(), new_hash.to_string());
        self.write(move |conn| {
            let changed = conn
                .prepare_cached(
                    "UPDATE users SET password_hash = ?1 WHERE id = ?2 AND password_hash = ?3",
                )?
                .execute(params![new_hash, user_id, old_hash])?;
            Ok(changed > 0)
        })
        .await
    }

    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRecord>> {
        let key = username.to_lowercase();
        self.read(move |conn| {
            conn.prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM users u WHERE u.username_key = ?1"
            ))?
            .query_row([key], user_from_row)
            .optional()
        })
        .await
    }

    async fn auth_context(
        &self,
        user_id: i64,
        session_id: i64,
    ) -> StoreResult<Option<AuthContext>> {
        let key = (user_id, session_id);
        // Read before the tasks are, so it is never newer than they are.
        let tasks_changed = self.tasks_changed(user_id);
        let generation = {
            let cache = self.auth_cache.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((known, _)) = cache
                .entries
                .get(&key)
                .filter(|(_, at)| at.elapsed() < AUTH_CACHE_AGE)
            {
                return Ok(Some(AuthContext {
                    tasks_changed,
                    ..known.clone()
                }));
            }
            cache.generation
        };
        let found = self
            .read_key(move |conn| {
                // The user and the login in one query.
                conn.prepare_cached(&format!(
                    "SELECT {USER_COLUMNS}, s.revoked \
                     FROM users u LEFT JOIN sessions s ON s.id = ?2 AND s.user_id = u.id \
                     WHERE u.id = ?1"
                ))?
                .query_row([user_id, session_id], |row| {
                    Ok(AuthContext {
                        user: user_from_row(row)?,
                        session_live: row.get::<_, Option<bool>>(8)? == Some(false),
                        tasks_changed: None,
                    })
                })
                .optional()
            })
            .await?;
        if let Some(context) = &found {
            let mut cache = self.auth_cache.lock().unwrap_or_else(|e| e.into_inner());
            if cache.generation == generation {
                if cache.entries.len() >= AUTH_CACHE_ENTRIES {
                    cache.entries.clear();
                }
                cache.entries.insert(key, (context.clone(), Instant::now()));
            }
        }
        Ok(found.map(|context| AuthContext {
            tasks_changed,
            ..context
        }))
    }

    async fn create_session(
        &self,
        user_id: i64,
        refresh_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let refresh_hash = refresh_hash.to_string();
        self.write_keeping_auth(move |conn| {
            conn.prepare_cached("INSERT INTO sessions (user_id, created_at) VALUES (?1, ?2)")?
                .execute(params![user_id, micros(Utc::now())])?;
            let session_id = conn.last_insert_rowid();
            conn.prepare_cached(
                "INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![refresh_hash, session_id, micros(expires_at)])?;
            Ok(session_id)
        })
        .await
    }

    async fn refresh_token(&self, hash: &str) -> StoreResult<Option<RefreshTokenRecord>> {
        let hash = hash.to_string();
        self.read(move |conn| {
            conn.prepare_cached(&format!(
                "SELECT {USER_COLUMNS}, r.session_id, r.expires_at, r.used, s.revoked, r.used_at \
                 FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id \
                 JOIN users u ON u.id = s.user_id WHERE r.token_hash = ?1"
            ))?
            .query_row([hash], |row| {
                Ok(RefreshTokenRecord {
                    user: user_from_row(row)?,
                    session_id: row.get(8)?,
                    expires_at: instant(row.get(9)?),
                    used: row.get(10)?,
                    session_revoked: row.get(11)?,
                    used_at: row.get::<_, Option<i64>>(12)?.map(instant),
                })
            })
            .optional()
        })
        .await
    }

    async fn spend_refresh_token(
        &self,
        old_hash: &str,
        new_hash: &str,
        session_id: i64,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let old_hash = old_hash.to_string();
        let new_hash = new_hash.to_string();
        self.write_keeping_auth(move |conn| {
            let spent = conn
                .prepare_cached(
                    "UPDATE refresh_tokens SET used = 1, used_at = ?2 \
                     WHERE token_hash = ?1 AND used = 0",
                )?
                .execute(params![&old_hash, micros(now)])?;
            if spent == 0 {
                return Ok(false);
            }
            conn.prepare_cached(
                "INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![new_hash, session_id, micros(expires_at)])?;
            Ok(true)
        })
        .await
    }

    async fn revoke_session(&self, session_id: i64) -> StoreResult<()> {
        self.write(move |conn| {
            conn.prepare_cached("UPDATE sessions SET revoked = 1 WHERE id = ?1")?
                .execute([session_id])?;
            Ok(())
        })
        .await?;
        // Whose login it was is not at hand: every stream checks its own.
        self.wakeups.send(Wake::All);
        Ok(())
    }

    async fn revoke_session_by_refresh_token(
        &self,
        user_id: i64,
        refresh_hash: &str,
    ) -> StoreResult<bool> {
        let refresh_hash = refresh_hash.to_string();
        let changed = self
            .write(move |conn| {
                let changed = conn
                    .prepare_cached(
                        "UPDATE sessions SET revoked = 1 WHERE user_id = ?1 AND id = \
                     (SELECT session_id FROM refresh_tokens WHERE token_hash = ?2)",
                    )?
                    .execute(params![user_id, refresh_hash])?;
                Ok(changed > 0)
            })
            .await?;
        self.wakeups.send(Wake::Account(user_id));
        Ok(changed)
    }

    async fn change_password(&self, user_id: i64, password_hash: &str) -> StoreResult<()> {
        let password_hash = password_hash.to_string();
        self.write(move |conn| {
            conn.prepare_cached("UPDATE users SET password_hash = ?1 WHERE id = ?2")?
                .execute(params![password_hash, user_id])?;
            end_logins_of(conn, user_id)
        })
        .await?;
        self.wakeups.send(Wake::Account(user_id));
        Ok(())
    }

    async fn end_logins(&self, user_id: i64) -> StoreResult<()> {
        self.write(move |conn| end_logins_of(conn, user_id)).await?;
        self.wakeups.send(Wake::Account(user_id));
        Ok(())
    }

    async fn purge_expired_logins(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        self.write(move |conn| {
            conn.prepare_cached("DELETE FROM refresh_tokens WHERE expires_at < ?1")?
                .execute([micros(now)])?;
            conn.prepare_cached("DELETE FROM browser_sessions WHERE expires_at < ?1")?
                .execute([micros(now)])?;
            // A login's access tokens expire long before its last refresh
            // token, so a login with no refresh token (or browser session)
            // left is over.
            let logins = conn
                .prepare_cached(
                    "DELETE FROM sessions WHERE NOT EXISTS \
                     (SELECT 1 FROM refresh_tokens r WHERE r.session_id = sessions.id) \
                     AND NOT EXISTS (SELECT 1 FROM browser_sessions b WHERE b.session_id = sessions.id)",
                )?
                .execute([])?;
            Ok(logins as u64)
        })
        .await
    }
}

/// Ends every login of the user and every access token they hold (the
/// caller wakes the other daemons' checks).
pub(super) fn end_logins_of(conn: &Connection, user_id: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE users SET token_version = token_version + 1 WHERE id = ?1")?
        .execute([user_id])?;
    conn.prepare_cached("UPDATE sessions SET revoked = 1 WHERE user_id = ?1")?
        .execute([user_id])?;
    Ok(())
}
