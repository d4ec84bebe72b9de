//! Browser sessions in PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{
    accounts::{user_from_row, USER_COLUMNS},
    cached::Cached,
    PostgresStore,
};
use crate::store::{
    browser::{BrowserSession, BrowserSessionStore},
    StoreResult,
};

#[async_trait]
impl BrowserSessionStore for PostgresStore {
    async fn open_browser_session(
        &self,
        user_id: i64,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let client = self.client().await?;
        let row = self
            .timed(client.query_one_cached(
                "WITH login AS (INSERT INTO sessions (user_id, created_at) VALUES ($1, now()) RETURNING id) \
                 INSERT INTO browser_sessions (token_hash, session_id, expires_at) \
                 SELECT $2, id, $3 FROM login RETURNING session_id",
                &[&user_id, &token_hash, &expires_at],
            ))
            .await?;
        Ok(row.get(0))
    }

    async fn browser_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<BrowserSession>> {
        let client = self.client().await?;
        let row = self
            .timed(client.query_opt_cached(
                &format!(
                    "SELECT {USER_COLUMNS}, b.session_id FROM browser_sessions b \
                     JOIN sessions s ON s.id = b.session_id JOIN users u ON u.id = s.user_id \
                     WHERE b.token_hash = $1 AND b.expires_at > $2 AND NOT s.revoked AND u.is_active"
                ),
                &[&token_hash, &now],
            ))
            .await?;
        Ok(row.map(|row| BrowserSession {
            user: user_from_row(&row),
            session_id: row.get(8),
        }))
    }
}
