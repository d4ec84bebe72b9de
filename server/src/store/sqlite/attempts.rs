//! Counted attempts and known login addresses in SQLite: checked and
//! counted on the one writer, so the check and the count are one step.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{instant, micros, SqliteStore};
use crate::store::{
    attempts::{judge, strictest, AttemptStore, Limit, Verdict, UNSETTLED_LASTS},
    StoreResult,
};

#[async_trait]
impl AttemptStore for SqliteStore {
    async fn begin_attempt(
        &self,
        attempt: i64,
        limits: Vec<Limit>,
        now: DateTime<Utc>,
    ) -> StoreResult<Verdict> {
        self.write_keeping_auth(move |conn| {
            let abandoned_before = micros(now - UNSETTLED_LASTS);
            let mut verdicts = Vec::with_capacity(limits.len());
            for limit in &limits {
                let (counted, total, oldest): (u32, u32, Option<i64>) = conn
                    .prepare_cached(
                        "SELECT COALESCE(SUM(settled = 1 OR at <= ?3), 0), COUNT(*), MIN(at) \
                         FROM login_attempts WHERE key = ?1 AND at > ?2",
                    )?
                    .query_row(
                        params![limit.key, micros(limit.since), abandoned_before],
                        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                    )?;
                verdicts.push(judge(limit, counted, total, oldest.map(instant), now));
            }
            let verdict = strictest(verdicts);
            if verdict == Verdict::Admitted {
                let mut insert = conn.prepare_cached(
                    "INSERT INTO login_attempts (attempt, key, at, settled) VALUES (?1, ?2, ?3, 0)",
                )?;
                for limit in &limits {
                    insert.execute(params![attempt, limit.key, micros(now)])?;
                }
            }
            Ok(verdict)
        })
        .await
    }

    async fn settle_attempt(&self, attempt: i64, counts: bool) -> StoreResult<()> {
        self.write_keeping_auth(move |conn| {
            let sql = if counts {
                "UPDATE login_attempts SET settled = 1 WHERE attempt = ?1"
            } else {
                "DELETE FROM login_attempts WHERE attempt = ?1"
            };
            conn.prepare_cached(sql)?.execute([attempt])?;
            Ok(())
        })
        .await
    }

    async fn clear_attempts(&self, key: &str) -> StoreResult<()> {
        let key = key.to_string();
        self.write_keeping_auth(move |conn| {
            conn.prepare_cached("DELETE FROM login_attempts WHERE key = ?1")?
                .execute([key])?;
            Ok(())
        })
        .await
    }

    async fn forget_attempts_before(&self, before: DateTime<Utc>) -> StoreResult<()> {
        self.write_keeping_auth(move |conn| {
            conn.prepare_cached("DELETE FROM login_attempts WHERE at < ?1")?
                .execute([micros(before)])?;
            Ok(())
        })
        .await
    }

    async fn address_known(&self, user_id: i64, address: &str) -> StoreResult<bool> {
        let address = address.to_string();
        self.read(move |conn| {
            conn.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM login_addresses WHERE user_id = ?1 AND address = ?2)",
            )?
            .query_row(params![user_id, address], |row| row.get(0))
        })
        .await
    }

    async fn remember_address(
        &self,
        user_id: i64,
        address: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let address = address.to_string();
        self.write_keeping_auth(move |conn| {
            conn.prepare_cached(
                "INSERT INTO login_addresses (user_id, address, last_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (user_id, address) DO UPDATE SET last_at = excluded.last_at",
            )?
            .execute(params![user_id, address, micros(now)])?;
            Ok(())
        })
        .await
    }

    async fn forget_addresses_before(&self, before: DateTime<Utc>) -> StoreResult<()> {
        self.write_keeping_auth(move |conn| {
            conn.prepare_cached("DELETE FROM login_addresses WHERE last_at < ?1")?
                .execute([micros(before)])?;
            Ok(())
        })
        .await
    }
}
