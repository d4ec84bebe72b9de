//! The PostgreSQL backend, for several daemons on one database: a pool of
//! connections, every write a single statement or one short transaction
//! whose outcome does not depend on what this daemon remembers, and nothing
//! kept in memory that another daemon could change, save the login checks,
//! kept only while every change to them is sure to have been heard
//! (`login_cache`).

mod account_gates;
mod accounts;
mod admin;
mod attempts;
mod browser;
mod cached;
mod changes;
mod filter_sql;
mod idempotency;
mod import;
mod journal;
mod listener;
mod login_cache;
mod login_checks;
mod set_runs;
mod task_rows;
mod tasks;
pub mod tls;
mod trash;

use std::{future::Future, time::Duration};

use anyhow::{bail, Context};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use common::text::error_chain;
use deadpool_postgres::{
    Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod, Runtime,
};
use tokio_postgres::error::SqlState;

use self::cached::Cached;
use super::{changes::Wakeups, Store, StoreError, StoreResult};

/// Versioned schema changes, applied in order; the table `taskd_schema`
/// records how many have run. SQLite's list has the same numbers.
/// The schema version this binary migrates a database to.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/postgres/0001_init.sql"),
    include_str!("../../../migrations/postgres/0002_refresh_token_expiry.sql"),
    include_str!("../../../migrations/postgres/0003_shared_state.sql"),
    include_str!("../../../migrations/postgres/0004_richer_task.sql"),
    include_str!("../../../migrations/postgres/0005_annotations_and_dependencies.sql"),
    include_str!("../../../migrations/postgres/0006_numbered_count.sql"),
    include_str!("../../../migrations/postgres/0007_legacy_accounts.sql"),
    include_str!("../../../migrations/postgres/0008_change_feed.sql"),
    include_str!("../../../migrations/postgres/0009_change_sets_and_trash.sql"),
    include_str!("../../../migrations/postgres/0010_idempotency_keys.sql"),
    include_str!("../../../migrations/postgres/0011_refresh_rotation_time.sql"),
    include_str!("../../../migrations/postgres/0012_attempts_and_addresses.sql"),
    include_str!("../../../migrations/postgres/0013_browser_sessions.sql"),
    include_str!("../../../migrations/postgres/0014_admin_log.sql"),
    include_str!("../../../migrations/postgres/0015_quotas.sql"),
    include_str!("../../../migrations/postgres/0016_tasks_changed.sql"),
    include_str!("../../../migrations/postgres/0017_dependencies_within_an_account.sql"),
    include_str!("../../../migrations/postgres/0018_tallies_beside_task_writes.sql"),
    include_str!("../../../migrations/postgres/0019_login_change_notices.sql"),
    include_str!("../../../migrations/postgres/0020_priority_check_without_a_list.sql"),
    include_str!("../../../migrations/postgres/0021_numbered_with_the_other_tallies.sql"),
    include_str!("../../../migrations/postgres/0022_task_chars_inlined.sql"),
    include_str!("../../../migrations/postgres/0023_tallies_once_a_set.sql"),
];

/// The advisory lock held while migrating, so that daemons starting at once
/// on an empty database migrate it once.
const MIGRATION_LOCK: i64 = 0x7461_736b_6400_0001;

/// The namespace of the advisory locks taken per login-limit key.
const LOGIN_LOCKS: i32 = 0x7461_736b;

/// Connections per daemon.
const POOL_SIZE: usize = 16;

/// Longest wait for a connection, or for one statement or transaction: past
/// it the database counts as unavailable (503) rather than leaving the
/// request hanging.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(10);
/// What each task of a change set adds to [`OPERATION_TIMEOUT`]: a bulk
/// change of ten thousand tasks writes them one after another in one
/// transaction (about 1 ms each in a release build here, `bench/bulk`),
/// and must not be cut off as if the database had stopped answering.
const SET_TIMEOUT_PER_TASK: Duration = Duration::from_millis(20);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

pub struct PostgresStore {
    pool: Pool,
    /// Where the pool connects, and how, for the listening connection.
    config: tokio_postgres::Config,
    tls: tokio_postgres_rustls::MakeRustlsConnect,
    /// Told of every change committed through any daemon of the database.
    wakeups: std::sync::Arc<Wakeups>,
    /// Listening starts with the first stream or login check, so that
    /// commands never do.
    listening: std::sync::Once,
    login_checks: login_checks::LoginChecks,
    /// Turns of each account's writes.
    gates: account_gates::AccountGates,
    /// Login checks answered from memory while no change can have been
    /// missed.
    logins: std::sync::Arc<login_cache::LoginCache>,
}

impl PostgresStore {
    /// Connects to the database `url` names and brings its schema up to date.
    pub async fn open(url: &str) -> anyhow::Result<PostgresStore> {
        PostgresStore::open_for(url, true).await
    }

    /// Connects; migrates the schema when `migrating`, else refuses an
    /// older one (a new database is made either way).
    pub async fn open_for(url: &str, migrating: bool) -> anyhow::Result<PostgresStore> {
        let tls::Target {
            mut config,
            tls,
            encrypted,
        } = tls::target(url)
            .with_context(|| format!("invalid PostgreSQL URL {}", redacted(url)))?;
        config
            .connect_timeout(CONNECT_TIMEOUT)
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(30))
            .application_name("taskd");
        let manager = Manager::from_config(
            config.clone(),
            tls.clone(),
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(OPERATION_TIMEOUT))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .recycle_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .context("creating the PostgreSQL connection pool")?;
        let store = PostgresStore {
            login_checks: login_checks::LoginChecks::start(pool.clone()),
            pool,
            config,
            tls,
            wakeups: std::sync::Arc::default(),
            listening: std::sync::Once::new(),
            gates: account_gates::AccountGates::default(),
            logins: std::sync::Arc::new(login_cache::LoginCache::new(login_cache::SETTLE)),
        };
        let mut client = store.pool.get().await.map_err(|err| {
            // The pool's own words ("error occurred while creating a new
            // object") add nothing to the driver's.
            let said = match &err {
                PoolError::Backend(err) => error_chain(err),
                other => error_chain(other),
            };
            let hint = tls::hint(encrypted, &said);
            anyhow::anyhow!("cannot connect to {}: {said}{hint}", redacted(url))
        })?;
        check_server(&client).await?;
        migrate(&mut client, migrating).await?;
        Ok(store)
    }

    async fn client(&self) -> StoreResult<Object> {
        self.pool.get().await.map_err(pool_error)
    }

    /// A connection to write `user_id`'s data on, once the account's turn
    /// comes; the turn lasts as long as it is held. Waiting for the turn and
    /// then for the connection share one limit, as long as waiting for a
    /// connection alone may take.
    async fn writing(&self, user_id: i64) -> StoreResult<(account_gates::Turn<'_>, Object)> {
        bounded(async {
            let turn = self.gates.enter(user_id).await?;
            Ok((turn, self.client().await?))
        })
        .await
    }

    /// Runs one database operation, bounded in time.
    async fn timed<T>(
        &self,
        operation: impl Future<Output = Result<T, tokio_postgres::Error>>,
    ) -> StoreResult<T> {
        bounded(async { operation.await.map_err(db_error) }).await
    }

    /// [`Self::timed`] for a transaction writing `tasks` tasks.
    async fn timed_set<T>(
        &self,
        tasks: usize,
        operation: impl Future<Output = Result<T, tokio_postgres::Error>>,
    ) -> StoreResult<T> {
        let per_task = u32::try_from(tasks).unwrap_or(u32::MAX);
        let limit = OPERATION_TIMEOUT.saturating_add(SET_TIMEOUT_PER_TASK.saturating_mul(per_task));
        within(limit, async { operation.await.map_err(db_error) }).await
    }
}

/// `operation`, or an error once it has run for [`OPERATION_TIMEOUT`].
async fn bounded<T>(operation: impl Future<Output = StoreResult<T>>) -> StoreResult<T> {
    within(OPERATION_TIMEOUT, operation).await
}

async fn within<T>(
    limit: Duration,
    operation: impl Future<Output = StoreResult<T>>,
) -> StoreResult<T> {
    tokio::time::timeout(limit, operation)
        .await
        .unwrap_or_else(|_| {
            Err(StoreError::Unavailable(anyhow::anyhow!(
                "PostgreSQL did not answer within {} s",
                limit.as_secs()
            )))
        })
}

async fn check_server(client: &Object) -> anyhow::Result<()> {
    let version: i32 = client
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .await?
        .get(0);
    if version < 130000 {
        bail!("PostgreSQL {version} is too old: taskd needs version 13 or newer");
    }
    let encoding: String = client
        .query_one("SELECT current_setting('server_encoding')", &[])
        .await?
        .get(0);
    if encoding != "UTF8" {
        bail!(
            "the database's encoding is {encoding}: taskd needs UTF8 \
             (CREATE DATABASE … ENCODING 'UTF8' TEMPLATE template0)"
        );
    }
    Ok(())
}

async fn migrate(client: &mut Object, migrating: bool) -> anyhow::Result<()> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    // Asked first rather than `CREATE TABLE IF NOT EXISTS`, whose notice
    // would be logged at every start.
    let known: bool = tx
        .query_one("SELECT to_regclass('taskd_schema') IS NOT NULL", &[])
        .await?
        .get(0);
    if !known {
        tx.batch_execute("CREATE TABLE taskd_schema (version INTEGER NOT NULL)")
            .await?;
    }
    let applied = tx
        .query_opt("SELECT version FROM taskd_schema", &[])
        .await?
        .map_or(0, |row| row.get::<_, i32>(0)) as usize;
    if applied > MIGRATIONS.len() {
        return Err(super::newer_schema(applied, MIGRATIONS.len()));
    }
    if !migrating && applied > 0 && applied < MIGRATIONS.len() {
        anyhow::bail!(
            "the database's schema is version {applied}, older than this taskd's ({}): \
             run `taskd migrate` first",
            MIGRATIONS.len()
        );
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        tx.batch_execute(sql)
            .await
            .with_context(|| format!("applying migration {}", index + 1))?;
    }
    let version = MIGRATIONS.len() as i32;
    if applied == 0 {
        tx.execute(
            "INSERT INTO taskd_schema (version) VALUES ($1)",
            &[&version],
        )
        .await?;
    } else {
        tx.execute("UPDATE taskd_schema SET version = $1", &[&version])
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

fn pool_error(err: PoolError) -> StoreError {
    match err {
        PoolError::Backend(err) => db_error(err),
        other => StoreError::Unavailable(anyhow::anyhow!("no PostgreSQL connection: {other}")),
    }
}

/// A lost or refused connection, a server shutting down or out of
/// resources, or a transaction it rolled back to break a deadlock or keep
/// writes serialisable (worth trying again), is the database being
/// unavailable (503); anything else is a fault of ours.
fn db_error(err: tokio_postgres::Error) -> StoreError {
    if let Some(quota) = err
        .as_db_error()
        .and_then(|db| super::Quota::raised(db.message()))
    {
        return StoreError::Quota(quota);
    }
    let unavailable = match err.code() {
        Some(code) => {
            let class = &code.code()[..2];
            matches!(class, "08" | "40" | "53" | "57" | "58")
                || *code == SqlState::READ_ONLY_SQL_TRANSACTION
        }
        None => {
            err.is_closed()
                || std::error::Error::source(&err).is_some_and(|s| s.is::<std::io::Error>())
        }
    };
    if unavailable {
        StoreError::Unavailable(err.into())
    } else {
        StoreError::Internal(err.into())
    }
}

/// `url` with its password left out, for messages and logs.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(at) => rest.split_at(at),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => authority.to_string(),
        },
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some(("password", _)) => "password=***".to_string(),
                    _ => pair.to_string(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

#[async_trait]
impl Store for PostgresStore {
    fn write_settling(&self) -> Option<Duration> {
        Some(login_cache::SETTLE)
    }

    async fn health(&self) -> StoreResult<()> {
        let client = self.client().await?;
        self.timed(client.simple_query("SELECT 1")).await?;
        Ok(())
    }

    async fn set_quotas(&self, quotas: super::Quotas) -> StoreResult<()> {
        let limit = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let client = self.client().await?;
        self.timed(client.execute_cached(
            "UPDATE quotas SET max_tasks = $1, max_chars = $2 WHERE id = 1",
            &[&limit(quotas.max_tasks), &limit(quotas.max_chars)],
        ))
        .await?;
        Ok(())
    }

    async fn probe_write(&self, now: DateTime<Utc>) -> StoreResult<()> {
        let client = self.client().await?;
        self.timed(client.execute_cached(
            "INSERT INTO jobs (name, last_run, runs) VALUES ('write-probe', $1, 0) \
             ON CONFLICT (name) DO UPDATE SET last_run = EXCLUDED.last_run",
            &[&now],
        ))
        .await?;
        Ok(())
    }

    async fn claim_job(
        &self,
        name: &str,
        now: DateTime<Utc>,
        every: Duration,
    ) -> StoreResult<bool> {
        let due_before = super::job_due_before(now, every);
        let client = self.client().await?;
        let claimed = self
            .timed(client.execute_cached(
                "INSERT INTO jobs (name, last_run, runs) VALUES ($1, $2, 1) \
                 ON CONFLICT (name) DO UPDATE SET last_run = EXCLUDED.last_run, runs = jobs.runs + 1 \
                 WHERE jobs.last_run <= $3",
                &[&name, &now, &due_before],
            ))
            .await?;
        Ok(claimed > 0)
    }

    async fn shared_secret(&self, candidate: &str) -> StoreResult<Option<String>> {
        let client = self.client().await?;
        self.timed(client.execute_cached(
            "INSERT INTO settings (name, value) VALUES ('jwt_secret', $1) ON CONFLICT (name) DO NOTHING",
            &[&candidate],
        ))
        .await?;
        let row = self
            .timed(
                client
                    .query_one_cached("SELECT value FROM settings WHERE name = 'jwt_secret'", &[]),
            )
            .await?;
        Ok(Some(row.get(0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_left_out_of_shown_urls() {
        assert_eq!(
            redacted("postgres://taskd:s3cret@db.example:5432/taskd?sslmode=disable"),
            "postgres://taskd:***@db.example:5432/taskd?sslmode=disable"
        );
        assert_eq!(
            redacted("postgresql://taskd@localhost/taskd?password=s3cret&x=1"),
            "postgresql://taskd@localhost/taskd?password=***&x=1"
        );
        assert_eq!(redacted("postgres://localhost"), "postgres://localhost");
    }
}
