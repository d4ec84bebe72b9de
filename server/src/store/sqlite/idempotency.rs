//! Idempotency keys in SQLite: claimed on the one writer, so two claims of
//! one key never both succeed.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::{micros, SqliteStore};
use crate::store::{
    idempotency::{Claim, IdempotencyStore, SavedAnswer, CLAIM_LASTS},
    StoreResult,
};

#[async_trait]
impl IdempotencyStore for SqliteStore {
    async fn claim_key(
        &self,
        user_id: i64,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Claim> {
        let (key, request_hash) = (key.to_string(), request_hash.to_string());
        self.write_keeping_auth(move |conn| {
            type Row = (String, i64, Option<u16>, Option<String>, Option<String>, Option<String>);
            let found: Option<Row> = conn
                .prepare_cached(
                    "SELECT request_hash, claimed_at, status, body, location, etag \
                     FROM idempotency_keys WHERE user_id = ?1 AND key = ?2",
                )?
                .query_row(params![user_id, key], |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                        row.get(5)?,
                    ))
                })
                .optional()?;
            let claim = match found {
                None => {
                    conn.prepare_cached(
                        "INSERT INTO idempotency_keys (user_id, key, request_hash, claimed_at) \
                         VALUES (?1, ?2, ?3, ?4)",
                    )?
                    .execute(params![user_id, key, request_hash, micros(now)])?;
                    Claim::Fresh
                }
                Some((hash, _, _, _, _, _)) if hash != request_hash => Claim::Mismatch,
                Some((_, _, Some(status), body, location, etag)) => Claim::Replay(SavedAnswer {
                    status,
                    body: body.unwrap_or_default(),
                    location,
                    etag,
                }),
                Some((_, claimed_at, None, ..)) if claimed_at > micros(now - CLAIM_LASTS) => {
                    Claim::InFlight
                }
                Some(_) => {
                    conn.prepare_cached(
                        "UPDATE idempotency_keys SET claimed_at = ?3 WHERE user_id = ?1 AND key = ?2",
                    )?
                    .execute(params![user_id, key, micros(now)])?;
                    Claim::Fresh
                }
            };
            Ok(claim)
        })
        .await
    }

    async fn save_answer(&self, user_id: i64, key: &str, answer: SavedAnswer) -> StoreResult<()> {
        let key = key.to_string();
        self.write_keeping_auth(move |conn| {
            conn.prepare_cached(
                "UPDATE idempotency_keys SET status = ?3, body = ?4, location = ?5, etag = ?6 \
                 WHERE user_id = ?1 AND key = ?2",
            )?
            .execute(params![
                user_id,
                key,
                answer.status,
                answer.body,
                answer.location,
                answer.etag
            ])?;
            Ok(())
        })
        .await
    }

    async fn release_key(&self, user_id: i64, key: &str) -> StoreResult<()> {
        let key = key.to_string();
        self.write_keeping_auth(move |conn| {
            conn.prepare_cached(
                "DELETE FROM idempotency_keys WHERE user_id = ?1 AND key = ?2 AND status IS NULL",
            )?
            .execute(params![user_id, key])?;
            Ok(())
        })
        .await
    }

    async fn forget_keys_before(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        self.write_keeping_auth(move |conn| {
            let forgotten = conn
                .prepare_cached("DELETE FROM idempotency_keys WHERE claimed_at < ?1")?
                .execute([micros(before)])?;
            Ok(forgotten as u64)
        })
        .await
    }
}
