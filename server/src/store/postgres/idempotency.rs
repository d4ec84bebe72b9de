//! Idempotency keys in PostgreSQL: a claim is one transaction holding the
//! key's row, so two daemons never both carry out one request.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{cached::Cached, PostgresStore};
use crate::store::{
    idempotency::{Claim, IdempotencyStore, SavedAnswer, CLAIM_LASTS},
    StoreResult,
};

#[async_trait]
impl IdempotencyStore for PostgresStore {
    async fn claim_key(
        &self,
        user_id: i64,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Claim> {
        let mut client = self.client().await?;
        self.timed(async {
            let tx = client.transaction().await?;
            let inserted = tx
                .execute_cached(
                    "INSERT INTO idempotency_keys (user_id, key, request_hash, claimed_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    &[&user_id, &key, &request_hash, &now],
                )
                .await?;
            if inserted > 0 {
                tx.commit().await?;
                return Ok(Claim::Fresh);
            }
            let row = tx
                .query_one_cached(
                    "SELECT request_hash, claimed_at, status, body, location, etag \
                     FROM idempotency_keys WHERE user_id = $1 AND key = $2 FOR UPDATE",
                    &[&user_id, &key],
                )
                .await?;
            let hash: String = row.get(0);
            let claimed_at: DateTime<Utc> = row.get(1);
            let status: Option<i32> = row.get(2);
            let claim = if hash != request_hash {
                Claim::Mismatch
            } else if let Some(status) = status {
                Claim::Replay(SavedAnswer {
                    status: u16::try_from(status).unwrap_or(500),
                    body: row.get::<_, Option<String>>(3).unwrap_or_default(),
                    location: row.get(4),
                    etag: row.get(5),
                })
            } else if claimed_at > now - CLAIM_LASTS {
                Claim::InFlight
            } else {
                tx.execute_cached(
                    "UPDATE idempotency_keys SET claimed_at = $3 WHERE user_id = $1 AND key = $2",
                    &[&user_id, &key, &now],
                )
                .await?;
                Claim::Fresh
            };
            tx.commit().await?;
            Ok(claim)
        })
        .await
    }

    async fn save_answer(&self, user_id: i64, key: &str, answer: SavedAnswer) -> StoreResult<()> {
        let client = self.client().await?;
        self.timed(client.execute_cached(
            "UPDATE idempotency_keys SET status = $3, body = $4, location = $5, etag = $6 \
             WHERE user_id = $1 AND key = $2",
            &[
                &user_id,
                &key,
                &i32::from(answer.status),
                &answer.body,
                &answer.location,
                &answer.etag,
            ],
        ))
        .await?;
        Ok(())
    }

    async fn release_key(&self, user_id: i64, key: &str) -> StoreResult<()> {
        let client = self.client().await?;
        self.timed(client.execute_cached(
            "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status IS NULL",
            &[&user_id, &key],
        ))
        .await?;
        Ok(())
    }

    async fn forget_keys_before(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let client = self.client().await?;
        self.timed(client.execute_cached(
            "DELETE FROM idempotency_keys WHERE claimed_at < $1",
            &[&before],
        ))
        .await
    }
}
