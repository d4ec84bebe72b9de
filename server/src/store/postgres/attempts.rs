//! Counted attempts and known login addresses in PostgreSQL: attempts on
//! one key, from any daemon, take turns under an advisory lock, so the
//! check and the count are one step.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{cached::Cached, PostgresStore, LOGIN_LOCKS};
use crate::store::{
    attempts::{judge, strictest, AttemptStore, Limit, Verdict, UNSETTLED_LASTS},
    StoreResult,
};

#[async_trait]
impl AttemptStore for PostgresStore {
    async fn begin_attempt(
        &self,
        attempt: i64,
        mut limits: Vec<Limit>,
        now: DateTime<Utc>,
    ) -> StoreResult<Verdict> {
        let mut client = self.client().await?;
        // Locked in one order, so that two attempts never wait on each other.
        limits.sort_by(|a, b| a.key.cmp(&b.key));
        limits.dedup_by(|a, b| a.key == b.key);
        let abandoned_before = now - UNSETTLED_LASTS;
        self.timed(async {
            let tx = client.transaction().await?;
            let mut verdicts = Vec::with_capacity(limits.len());
            for limit in &limits {
                tx.execute_cached(
                    "SELECT pg_advisory_xact_lock($1, hashtext($2))",
                    &[&LOGIN_LOCKS, &limit.key],
                )
                .await?;
                let row = tx
                    .query_one_cached(
                        "SELECT COUNT(*) FILTER (WHERE settled OR at <= $3), COUNT(*), MIN(at) \
                         FROM login_attempts WHERE key = $1 AND at > $2",
                        &[&limit.key, &limit.since, &abandoned_before],
                    )
                    .await?;
                let counted = u32::try_from(row.get::<_, i64>(0)).unwrap_or(u32::MAX);
                let total = u32::try_from(row.get::<_, i64>(1)).unwrap_or(u32::MAX);
                verdicts.push(judge(limit, counted, total, row.get(2), now));
            }
            let verdict = strictest(verdicts);
            if verdict == Verdict::Admitted {
                let keys: Vec<&str> = limits.iter().map(|limit| limit.key.as_str()).collect();
                tx.execute_cached(
                    "INSERT INTO login_attempts (attempt, key, at, settled) \
                     SELECT $1, key, $3, false FROM unnest($2::text[]) AS key",
                    &[&attempt, &keys, &now],
                )
                .await?;
            }
            tx.commit().await?;
            Ok(verdict)
        })
        .await
    }

    async fn settle_attempt(&self, attempt: i64, counts: bool) -> StoreResult<()> {
        let client = self.client().await?;
        let sql = if counts {
            "UPDATE login_attempts SET settled = true WHERE attempt = $1"
        } else {
            "DELETE FROM login_attempts WHERE attempt = $1"
        };
        self.timed(client.execute_cached(sql, &[&attempt])).await?;
        Ok(())
    }

    async fn clear_attempts(&self, key: &str) -> StoreResult<()> {
        let client = self.client().await?;
        self.timed(client.execute_cached("DELETE FROM login_attempts WHERE key = $1", &[&key]))
            .await?;
        Ok(())
    }

    async fn forget_attempts_before(&self, before: DateTime<Utc>) -> StoreResult<()> {
        let client = self.client().await?;
        self.timed(client.execute_cached("DELETE FROM login_attempts WHERE at < $1", &[&before]))
            .await?;
        Ok(())
    }

    async fn address_known(&self, user_id: i64, address: &str) -> StoreResult<bool> {
        let client = self.client().await?;
        let row = self
            .timed(client.query_one_cached(
                "SELECT EXISTS (SELECT 1 FROM login_addresses WHERE user_id = $1 AND address = $2)",
                &[&user_id, &address],
            ))
            .await?;
        Ok(row.get(0))
    }

    async fn remember_address(
        &self,
        user_id: i64,
        address: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let client = self.client().await?;
        self.timed(client.execute_cached(
            "INSERT INTO login_addresses (user_id, address, last_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, address) DO UPDATE SET last_at = EXCLUDED.last_at",
            &[&user_id, &address, &now],
        ))
        .await?;
        Ok(())
    }

    async fn forget_addresses_before(&self, before: DateTime<Utc>) -> StoreResult<()> {
        let client = self.client().await?;
        self.timed(
            client.execute_cached("DELETE FROM login_addresses WHERE last_at < $1", &[&before]),
        )
        .await?;
        Ok(())
    }
}
