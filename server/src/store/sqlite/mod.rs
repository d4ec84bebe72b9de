//! The SQLite backend: one writer connection (writes are serialised here, so
//! clients never see SQLITE_BUSY) and a few readers, all in WAL mode, each
//! kind on threads of its own; only short reads by key run on async workers.

mod accounts;
mod admin;
mod attempts;
mod backup;
mod browser;
mod changes;
mod checkpoint;
mod file;
mod filter_sql;

pub use backup::backup;
mod idempotency;
mod journal;
mod readers;
mod tally;
mod task_rows;
pub mod task_writes;
mod tasks;
mod trash;
mod writer;

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{mpsc, Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::Context;
use chrono::{DateTime, Utc};
use file::Found;
use readers::Readers;
use rusqlite::{functions::FunctionFlags, Connection, ErrorCode, TransactionBehavior};
use task_writes::TaskWrites;
use writer::{WriteJob, Writer};

use async_trait::async_trait;

use super::{changes::Wakeups, AuthContext, Store, StoreError, StoreResult};

/// Versioned schema changes, applied in order; `PRAGMA user_version` records
/// how many have run. PostgreSQL's list has the same numbers.
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/sqlite/0001_init.sql"),
    include_str!("../../../migrations/sqlite/0002_refresh_token_expiry.sql"),
    include_str!("../../../migrations/sqlite/0003_shared_state.sql"),
    include_str!("../../../migrations/sqlite/0004_richer_task.sql"),
    include_str!("../../../migrations/sqlite/0005_annotations_and_dependencies.sql"),
    include_str!("../../../migrations/sqlite/0006_numbered_count.sql"),
    include_str!("../../../migrations/sqlite/0007_legacy_accounts.sql"),
    include_str!("../../../migrations/sqlite/0008_change_feed.sql"),
    include_str!("../../../migrations/sqlite/0009_change_sets_and_trash.sql"),
    include_str!("../../../migrations/sqlite/0010_idempotency_keys.sql"),
    include_str!("../../../migrations/sqlite/0011_refresh_rotation_time.sql"),
    include_str!("../../../migrations/sqlite/0012_attempts_and_addresses.sql"),
    include_str!("../../../migrations/sqlite/0013_browser_sessions.sql"),
    include_str!("../../../migrations/sqlite/0014_admin_log.sql"),
    include_str!("../../../migrations/sqlite/0015_quotas.sql"),
    include_str!("../../../migrations/sqlite/0016_tasks_changed.sql"),
    include_str!("../../../migrations/sqlite/0017_dependencies_within_an_account.sql"),
    include_str!("../../../migrations/sqlite/0018_tallies_beside_task_writes.sql"),
    include_str!("../../../migrations/sqlite/0019_login_change_notices.sql"),
    include_str!("../../../migrations/sqlite/0020_priority_check_without_a_list.sql"),
    include_str!("../../../migrations/sqlite/0021_numbered_with_the_other_tallies.sql"),
    include_str!("../../../migrations/sqlite/0022_task_chars_inlined.sql"),
    include_str!("../../../migrations/sqlite/0023_tallies_once_a_set.sql"),
];

/// What a process opens the database for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opening {
    /// The daemon: migrates, and takes the serving lock.
    Serve,
    /// `taskd migrate`, and tests.
    Migrate,
    /// A command beside the daemon: a database of an older schema is left
    /// to `taskd migrate`.
    Current,
}

/// Refuses a schema this binary must not touch: a newer one always, an
/// older one unless migrating.
fn check_version(path: &Path, version: usize, opening: Opening) -> anyhow::Result<()> {
    if version > MIGRATIONS.len() {
        return Err(super::newer_schema(version, MIGRATIONS.len()));
    }
    if version < MIGRATIONS.len() && opening == Opening::Current {
        anyhow::bail!(
            "{}'s schema is version {version}, older than this taskd's ({}): run `taskd migrate` \
             first",
            path.display(),
            MIGRATIONS.len()
        );
    }
    Ok(())
}

/// How long a connection waits for a lock another process holds for a
/// moment (`taskd backup`, `taskd createsuperuser`).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The writer's page cache, in KiB (SQLite's default is 2 MiB). A batch of
/// writes touches a few dozen pages, the ends of the tables and indexes
/// that rows are added to and the pages of the tasks changed; the pages
/// the writer drops are still in the operating system's cache, a read away.
/// Measured side by side: writes as fast as with the default, and the
/// daemon's peak memory 1.5 MiB lower.
const WRITER_CACHE_KIB: i64 = 512;

/// Logins whose authentication is remembered at most; past this the memory
/// starts over rather than growing.
const AUTH_CACHE_ENTRIES: usize = 4096;

/// How long an answer of `auth_context` is remembered at most.
const AUTH_CACHE_AGE: Duration = Duration::from_secs(1);

pub struct SqliteStore {
    /// The one writer connection lives on its own thread; writes queue here.
    writer: mpsc::Sender<WriteJob>,
    readers: Readers,
    auth_cache: Arc<Mutex<AuthCache>>,
    /// Told of every committed change to tasks or accounts.
    wakeups: Wakeups,
    /// Moved on by every commit that changes tasks; `None` unless this
    /// store serves the database (and so makes every write to tasks).
    task_epochs: Option<Arc<task_writes::Epochs>>,
    /// Held while this store serves the database; released when dropped.
    _serving: Option<std::fs::File>,
}

/// What `auth_context` last answered for each login, so that most
/// authenticated requests cost no trip to a reader thread.
///
/// A serving daemon holds its database's serving lock (see
/// [`SqliteStore::open_to_serve`]), so it makes every write of its requests
/// and sees every change that could make an answer stale: every such write
/// forgets them all, after its commit and before its caller hears of it. A
/// token revoked through the daemon is therefore refused by the first
/// request that starts after the revocation is acknowledged. Commands
/// beside the daemon (`taskd changepassword`, `createsuperuser`) write
/// unseen: an answer is remembered for [`AUTH_CACHE_AGE`] at most, so what
/// they revoke is refused within that.
#[derive(Default)]
struct AuthCache {
    /// Bumped whenever the cache is emptied: an answer read from the
    /// database is kept only if no write ended while it was being read.
    generation: u64,
    entries: HashMap<(i64, i64), (AuthContext, Instant)>,
}

impl AuthCache {
    fn forget_all(&mut self) {
        self.generation += 1;
        self.entries.clear();
    }
}

impl SqliteStore {
    /// Opens the database at `path`, creating it and its directory if need
    /// be, and brings its schema up to date.
    pub async fn open(path: &Path) -> anyhow::Result<SqliteStore> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || SqliteStore::open_blocking(path, Opening::Migrate))
            .await?
    }

    /// [`Self::open`] for a command beside the daemon (`createsuperuser`,
    /// `import-django`): it creates a new database, but refuses to migrate
    /// an existing one, which is `taskd migrate`'s to do.
    pub async fn open_current(path: &Path) -> anyhow::Result<SqliteStore> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || SqliteStore::open_blocking(path, Opening::Current))
            .await?
    }

    /// [`Self::open`] for the daemon that serves the database: it also takes
    /// the serving lock (on the database file itself) for as long as the
    /// store lives, so a second daemon on the same database refuses to start,
    /// whatever path it names the file by. One
    /// writer is what keeps writes free of SQLITE_BUSY and what lets
    /// authentications be remembered.
    pub async fn open_to_serve(path: &Path) -> anyhow::Result<SqliteStore> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || SqliteStore::open_blocking(path, Opening::Serve))
            .await?
    }

    fn open_blocking(path: PathBuf, opening: Opening) -> anyhow::Result<SqliteStore> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        // Whatever is there is looked at before a byte of it is written.
        if let Found::Taskd(version) = file::inspect(&path)? {
            check_version(&path, version, opening)?;
        }
        create_private(&path)?;
        let serving = match opening {
            Opening::Serve => Some(file::take_serving_lock(&path)?),
            Opening::Migrate | Opening::Current => None,
        };
        file::make_private(&path)?;
        let identity = file::Identity::of(&path);
        let mut writer = open_connection(&path)?;
        migrate(&mut writer)?;
        // Each write runs in a savepoint, whose journal of the pages it
        // changes would otherwise be a temporary file written to on every
        // write (a quarter of the daemon's time under steady creates). In
        // memory it holds one write's pages at most: it is emptied as each
        // savepoint is released.
        writer.pragma_update(None, "temp_store", "MEMORY")?;
        writer.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)?;
        writer.pragma_update(None, "wal_autocheckpoint", checkpoint::WRITER_THRESHOLD)?;
        let commits = checkpoint::start(&path)?;
        let task_writes = TaskWrites::watch(&writer);
        let task_epochs = serving.is_some().then(|| task_writes.epochs());
        let (tx, rx) = mpsc::channel::<WriteJob>();
        let watched = path.clone();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                Writer {
                    conn: writer,
                    path: watched,
                    identity,
                    commits,
                    task_writes,
                }
                .run(rx)
            })
            .context("starting the database writer thread")?;
        let readers = Readers::start(&path)?;
        Ok(SqliteStore {
            writer: tx,
            readers,
            auth_cache: Arc::default(),
            wakeups: Wakeups::default(),
            task_epochs,
            _serving: serving,
        })
    }

    /// Runs `f` on the writer thread, inside the transaction of its batch,
    /// and answers once that transaction has committed: an acknowledged write
    /// is on disk (in the WAL) before its client hears of it. Remembered
    /// authentications are forgotten first, since `f` may change accounts or
    /// logins.
    async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        self.write_with(f, Some(Arc::clone(&self.auth_cache)), None)
            .await
    }

    /// [`Self::write`] for a write that cannot make a remembered
    /// authentication wrong (tasks, a new user, a new login), so they stay.
    async fn write_keeping_auth<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        self.write_with(f, None, None).await
    }

    /// [`Self::write_keeping_auth`] for a write to the tasks of `user_id`
    /// and no one else's: it moves that account's epoch on, not everyone's.
    /// Nothing checks the claim: every statement `f` runs must be bounded
    /// to `user_id`'s rows, and the rows its triggers and tallies change
    /// (the account's own row, its tasks' tags and dependencies, which link
    /// one account's tasks only) must be that account's too.
    async fn write_tasks_of<T, F>(&self, user_id: i64, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        self.write_with(f, None, Some(user_id)).await
    }

    async fn write_with<T, F>(
        &self,
        f: F,
        invalidates: Option<Arc<Mutex<AuthCache>>>,
        account: Option<i64>,
    ) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let (job, answered) = WriteJob::once(account, invalidates, f);
        self.send(job, answered).await
    }

    /// [`Self::write_tasks_of`] for a write that can run again from its
    /// start, which spares it a savepoint (see [`writer`]): `f` takes what
    /// it writes by reference, cloning what it changes.
    async fn write_tasks_of_repeatable<T, F>(&self, user_id: i64, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: Fn(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let (job, answered) = WriteJob::repeatable(Some(user_id), f);
        self.send(job, answered).await
    }

    /// [`Self::write_tasks_of`] for a write of many tasks at once, which
    /// runs alone, in a transaction of its own (see [`writer`]), kept only
    /// if it succeeds with an outcome that `keeps` says is to be kept.
    async fn write_tasks_alone<T, F>(
        &self,
        user_id: i64,
        keeps: fn(&T) -> bool,
        f: F,
    ) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let (job, answered) = WriteJob::alone(Some(user_id), keeps, f);
        self.send(job, answered).await
    }

    async fn send<T>(
        &self,
        job: WriteJob,
        answered: tokio::sync::oneshot::Receiver<StoreResult<T>>,
    ) -> StoreResult<T> {
        self.writer
            .send(job)
            .map_err(|_| StoreError::Unavailable(anyhow::anyhow!("the writer thread stopped")))?;
        // Dropped unanswered: the batch could not begin, or the write panicked.
        answered.await.map_err(|_| {
            StoreError::Unavailable(anyhow::anyhow!("the database did not carry out this write"))
        })?
    }

    /// Runs `f` on a reader connection, on a reader thread.
    async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        self.readers.read(f).await
    }

    /// Runs `f`, a read of a few rows by their key, on the calling async
    /// worker when a reader connection is free (see [`Readers::read_key`]).
    async fn read_key<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Clone + Send + 'static,
    {
        self.readers.read_key(f).await
    }

    /// The epoch `user_id`'s reads of tasks begin in now (see
    /// [`AuthContext::tasks_changed`](crate::store::AuthContext)).
    fn tasks_changed(&self, user_id: i64) -> Option<i64> {
        self.task_epochs.as_ref().map(|epochs| epochs.of(user_id))
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn health(&self) -> StoreResult<()> {
        self.read_key(|conn| conn.query_row("SELECT 1", [], |_| Ok(())))
            .await
    }

    async fn set_quotas(&self, quotas: super::Quotas) -> StoreResult<()> {
        let limit = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        self.write_keeping_auth(move |conn| {
            conn.execute(
                "UPDATE quotas SET max_tasks = ?1, max_chars = ?2 WHERE id = 1",
                [limit(quotas.max_tasks), limit(quotas.max_chars)],
            )?;
            Ok(())
        })
        .await
    }

    async fn probe_write(&self, now: DateTime<Utc>) -> StoreResult<()> {
        self.write_keeping_auth(move |conn| {
            conn.prepare_cached(WRITE_PROBE)?.execute([micros(now)])?;
            Ok(())
        })
        .await
    }

    async fn claim_job(
        &self,
        name: &str,
        now: DateTime<Utc>,
        every: Duration,
    ) -> StoreResult<bool> {
        let name = name.to_string();
        let due_before = super::job_due_before(now, every);
        self.write_keeping_auth(move |conn| {
            let claimed = conn
                .prepare_cached(
                    "INSERT INTO jobs (name, last_run, runs) VALUES (?1, ?2, 1) \
                     ON CONFLICT (name) DO UPDATE SET last_run = excluded.last_run, runs = runs + 1 \
                     WHERE last_run <= ?3",
                )?
                .execute(rusqlite::params![name, micros(now), micros(due_before)])?;
            Ok(claimed > 0)
        })
        .await
    }

    async fn shared_secret(&self, _candidate: &str) -> StoreResult<Option<String>> {
        Ok(None)
    }
}

/// The write a health check commits: a row of its own in the jobs table.
const WRITE_PROBE: &str = "INSERT INTO jobs (name, last_run, runs) VALUES ('write-probe', ?1, 0) \
     ON CONFLICT (name) DO UPDATE SET last_run = excluded.last_run";

/// Creates the database file, if there is none, readable by its owner only:
/// SQLite gives its WAL and shared-memory files the same mode.
fn create_private(database: &Path) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(database) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(err) => Err(err).with_context(|| format!("creating {}", database.display())),
    }
}

fn open_connection(path: &Path) -> anyhow::Result<Connection> {
    let conn =
        Connection::open(path).with_context(|| format!("opening database {}", path.display()))?;
    // WAL lets readers run beside the writer; synchronous=NORMAL in WAL keeps
    // every committed transaction across a process crash (only an OS crash
    // or power loss can lose the last commits).
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(64);
    // A literal, Unicode-aware, case-insensitive substring test: LIKE would
    // treat % and _ as wildcards and fold only ASCII.
    conn.create_scalar_function(
        "contains_ci",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let haystack = ctx.get_raw(0).as_str().unwrap_or("");
            let needle = ctx.get_raw(1).as_str().unwrap_or("");
            Ok(haystack.to_lowercase().contains(needle))
        },
    )?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> anyhow::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let applied: usize = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if applied > MIGRATIONS.len() {
        return Err(super::newer_schema(applied, MIGRATIONS.len()));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        tx.execute_batch(sql)
            .with_context(|| format!("applying migration {}", index + 1))?;
    }
    if applied < MIGRATIONS.len() {
        // A migration may change the schema's text in place (with
        // `writable_schema`), which SQLite does not count as a change of
        // the schema: the count moved on has every connection read it again.
        let schema: i64 = tx.query_row("PRAGMA schema_version", [], |row| row.get(0))?;
        tx.pragma_update(None, "schema_version", schema + 1)?;
    }
    tx.pragma_update(None, "user_version", MIGRATIONS.len())?;
    tx.pragma_update(None, "application_id", file::APPLICATION_ID)?;
    tx.commit()?;
    Ok(())
}

fn store_error(err: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(_, Some(message)) = &err {
        if let Some(quota) = super::Quota::raised(message) {
            return StoreError::Quota(quota);
        }
    }
    match err.sqlite_error_code() {
        Some(
            ErrorCode::DatabaseBusy
            | ErrorCode::DatabaseLocked
            | ErrorCode::CannotOpen
            | ErrorCode::DiskFull
            | ErrorCode::ReadOnly,
        ) => StoreError::Unavailable(err.into()),
        _ => StoreError::Internal(err.into()),
    }
}

fn conversion_error(err: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(err))
}

/// Instants are stored as Unix microseconds.
fn micros(instant: DateTime<Utc>) -> i64 {
    instant.timestamp_micros()
}

fn instant(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{AccountStore, NewUser, TaskStore, UserRecord};

    #[tokio::test]
    async fn a_database_of_an_older_schema_is_brought_up_to_date() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
        }
        drop(SqliteStore::open(&path).await.unwrap());
        let conn = Connection::open(&path).unwrap();
        let version: usize = conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len());
        let plan: String = conn
            .query_row(
                "EXPLAIN QUERY PLAN DELETE FROM refresh_tokens WHERE expires_at < 1",
                [],
                |row| row.get(3),
            )
            .unwrap();
        assert!(plan.contains("refresh_tokens_expiry"), "{plan}");

        // The priority is checked as before, without a temporary table.
        let check: String = conn
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'tasks'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert!(
            check.contains("CHECK (priority = 1 OR priority = 2 OR priority = 3)"),
            "{check}"
        );
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .unwrap();
        assert_eq!(integrity, "ok");
        let insert =
            "INSERT INTO tasks (user_id, title, status, priority, created_at, updated_at, uuid) \
                      VALUES (?1, 't', 'pending', ?2, 0, 0, ?3)";
        let opcodes: Vec<String> = conn
            .prepare(&format!("EXPLAIN {insert}"))
            .unwrap()
            .query_map(rusqlite::params![0, 0, ""], |row| row.get(1))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            !opcodes.iter().any(|op| op == "OpenEphemeral"),
            "{opcodes:?}"
        );
        conn.execute(
            "INSERT INTO users (username, username_key, password_hash, date_joined) \
             VALUES ('alice', 'alice', 'x', 0)",
            [],
        )
        .unwrap();
        let user = conn.last_insert_rowid();
        for (priority, accepted) in [
            (Some(1), true),
            (Some(3), true),
            (None, true),
            (Some(0), false),
            (Some(4), false),
        ] {
            let inserted = conn.execute(
                insert,
                rusqlite::params![user, priority, format!("uuid-{priority:?}")],
            );
            assert_eq!(inserted.is_ok(), accepted, "{priority:?}: {inserted:?}");
        }
    }

    #[tokio::test]
    async fn a_database_of_a_newer_schema_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.sqlite3");
        drop(SqliteStore::open(&path).await.unwrap());
        let newer = MIGRATIONS.len() + 1;
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", newer)
            .unwrap();
        let err = SqliteStore::open(&path).await.err().unwrap();
        assert!(
            format!("{err:#}").contains("newer than this taskd"),
            "{err:#}"
        );
        let version: usize = Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(version, newer);
    }

    fn remembered(store: &SqliteStore) -> usize {
        store.auth_cache.lock().unwrap().entries.len()
    }

    /// A new database in a temporary directory (kept while the directory
    /// lives), with one account, alice's.
    pub(super) async fn store_with_alice() -> (tempfile::TempDir, SqliteStore, UserRecord) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("db.sqlite3"))
            .await
            .unwrap();
        let user = store
            .create_user(NewUser {
                username: "alice".into(),
                email: String::new(),
                password_hash: "not a real hash".into(),
                is_admin: false,
            })
            .await
            .unwrap()
            .unwrap();
        (dir, store, user)
    }

    #[tokio::test]
    async fn task_writes_keep_remembered_logins_and_account_writes_forget_them() {
        let (_dir, store, user) = store_with_alice().await;
        let session = store
            .create_session(user.id, "refresh", Utc::now())
            .await
            .unwrap();
        let live = store.auth_context(user.id, session).await.unwrap().unwrap();
        assert!(live.session_live);
        assert_eq!(remembered(&store), 1);

        let task = crate::domain::tasks::new_task(
            crate::domain::tasks::TaskFields::titled("Buy milk"),
            Utc::now(),
        );
        let task = store.insert_task(user.id, task).await.unwrap();
        let mut retitled = task.clone();
        retitled.title = "Buy oat milk".into();
        retitled.version += 1;
        assert!(store
            .replace_task(user.id, retitled, task.clone())
            .await
            .unwrap()
            .is_some());
        assert!(store
            .delete_task(user.id, task.id, task.version + 1)
            .await
            .unwrap());
        assert_eq!(remembered(&store), 1, "task writes keep what is known");

        assert!(store
            .revoke_session_by_refresh_token(user.id, "refresh")
            .await
            .unwrap());
        assert_eq!(remembered(&store), 0, "an account write forgets it all");
        let revoked = store.auth_context(user.id, session).await.unwrap().unwrap();
        assert!(!revoked.session_live);
    }
}
