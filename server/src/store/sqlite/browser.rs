//! Browser sessions in SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::{
    accounts::{user_from_row, USER_COLUMNS},
    micros, SqliteStore,
};
use crate::store::{
    browser::{BrowserSession, BrowserSessionStore},
    StoreResult,
};

#[async_trait]
impl BrowserSessionStore for SqliteStore {
    async fn open_browser_session(
        &self,
        user_id: i64,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let token_hash = token_hash.to_string();
        self.write_keeping_auth(move |conn| {
            conn.prepare_cached("INSERT INTO sessions (user_id, created_at) VALUES (?1, ?2)")?
                .execute(params![user_id, micros(Utc::now())])?;
            let session_id = conn.last_insert_rowid();
            conn.prepare_cached(
                "INSERT INTO browser_sessions (token_hash, session_id, expires_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![token_hash, session_id, micros(expires_at)])?;
            Ok(session_id)
        })
        .await
    }

    async fn browser_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<BrowserSession>> {
        let token_hash = token_hash.to_string();
        self.read(move |conn| {
            conn.prepare_cached(&format!(
                "SELECT {USER_COLUMNS}, b.session_id FROM browser_sessions b \
                 JOIN sessions s ON s.id = b.session_id JOIN users u ON u.id = s.user_id \
                 WHERE b.token_hash = ?1 AND b.expires_at > ?2 AND s.revoked = 0 AND u.is_active = 1"
            ))?
            .query_row(params![token_hash, micros(now)], |row| {
                Ok(BrowserSession {
                    user: user_from_row(row)?,
                    session_id: row.get(8)?,
                })
            })
            .optional()
        })
        .await
    }
}
