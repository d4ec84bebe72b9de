//! The SQLite backend: one writer connection (writes are serialised here, so
//! clients never see SQLITE_BUSY) and a pool of readers, all in WAL mode and
//! all used from the blocking thread pool, never from async workers.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};

use anyhow::Context;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use common::api::{AdminUser, Priority, Status, Task};
use rusqlite::{
    functions::FunctionFlags, params, params_from_iter, types::Value, Connection, ErrorCode,
    OptionalExtension, Row, TransactionBehavior,
};
use std::sync::mpsc;
use tokio::sync::Semaphore;

use super::{
    AuthContext, NewUser, Refreshed, Store, StoreError, StoreResult, TaskChange, TaskFields,
    TaskPage, UserRecord, Written,
};
use crate::task_query::{OrderField, PageWindow, TaskFilter};

/// Versioned schema changes, applied in order; `PRAGMA user_version` records
/// how many have run.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/sqlite/0001_init.sql"),
    include_str!("../../migrations/sqlite/0002_refresh_token_expiry.sql"),
];

/// Reader connections: enough to keep both cores busy while some wait on
/// the disk, few enough that memory stays small.
const READERS: usize = 4;

/// Writes committed together at most.
const MAX_BATCH: usize = 128;

/// Logins whose authentication is remembered at most; past this the memory
/// starts over rather than growing.
const AUTH_CACHE_ENTRIES: usize = 4096;

/// Hands a write's outcome to its caller once the batch it ran in has
/// committed (or failed to).
type Deliver = Box<dyn FnOnce(Option<StoreError>) + Send>;
/// A write: runs, says whether it succeeded, and how to answer its caller.
type WriteJob = Box<dyn FnOnce(&Connection) -> (bool, Deliver) + Send>;

pub struct SqliteStore {
    path: PathBuf,
    /// The one writer connection lives on its own thread; writes queue here.
    writer: mpsc::Sender<WriteJob>,
    readers: Arc<Mutex<Vec<Connection>>>,
    /// One permit per reader connection: holding one guarantees a connection.
    reader_permits: Arc<Semaphore>,
    auth_cache: Arc<Mutex<AuthCache>>,
    /// Held while this store serves the database; released when dropped.
    _serving: Option<std::fs::File>,
}

/// What [`Store::auth_context`] last answered for each login, so that most
/// authenticated requests cost no trip to the blocking pool.
///
/// A serving daemon holds its database's serving lock (see
/// [`SqliteStore::open_to_serve`]), so it is the only writer of accounts and
/// logins (`taskd createsuperuser` in another process only adds users) and
/// sees every change that could make an answer stale: every such write
/// forgets them all, after its commit and before its caller hears of it. A
/// revoked token is therefore refused by the first request that starts after
/// the revocation is acknowledged.
#[derive(Default)]
struct AuthCache {
    /// Bumped whenever the cache is emptied: an answer read from the
    /// database is kept only if no write ended while it was being read.
    generation: u64,
    entries: HashMap<(i64, i64), AuthContext>,
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
        tokio::task::spawn_blocking(move || SqliteStore::open_blocking(path, false)).await?
    }

    /// [`Self::open`] for the daemon that serves the database: it also takes
    /// the serving lock (the file `<database>.lock`) for as long as the store
    /// lives, so a second daemon on the same database refuses to start. One
    /// writer is what keeps writes free of SQLITE_BUSY and what lets
    /// authentications be remembered.
    pub async fn open_to_serve(path: &Path) -> anyhow::Result<SqliteStore> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || SqliteStore::open_blocking(path, true)).await?
    }

    fn open_blocking(path: PathBuf, serve: bool) -> anyhow::Result<SqliteStore> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let serving = match serve {
            true => Some(take_serving_lock(&path)?),
            false => None,
        };
        create_private(&path)?;
        let mut writer = open_connection(&path)?;
        migrate(&mut writer)?;
        let (tx, rx) = mpsc::channel::<WriteJob>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run_writer(writer, rx))
            .context("starting the database writer thread")?;
        Ok(SqliteStore {
            path,
            writer: tx,
            readers: Arc::new(Mutex::new(Vec::with_capacity(READERS))),
            reader_permits: Arc::new(Semaphore::new(READERS)),
            auth_cache: Arc::default(),
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
        self.write_with(f, Some(Arc::clone(&self.auth_cache))).await
    }

    /// [`Self::write`] for a write that cannot make a remembered
    /// authentication wrong (tasks, a new user, a new login), so they stay.
    async fn write_keeping_auth<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        self.write_with(f, None).await
    }

    async fn write_with<T, F>(
        &self,
        f: F,
        invalidates: Option<Arc<Mutex<AuthCache>>>,
    ) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: WriteJob = Box::new(move |conn| {
            let result = f(conn).map_err(store_error);
            let succeeded = result.is_ok();
            let deliver: Deliver = Box::new(move |commit_error| {
                if let Some(cache) = invalidates {
                    cache.lock().unwrap_or_else(|e| e.into_inner()).forget_all();
                }
                let _ = tx.send(match commit_error {
                    Some(err) => Err(err),
                    None => result,
                });
            });
            (succeeded, deliver)
        });
        self.writer
            .send(job)
            .map_err(|_| StoreError::Unavailable(anyhow::anyhow!("the writer thread stopped")))?;
        // Dropped unanswered: the batch could not begin, or the write panicked.
        rx.await.map_err(|_| {
            StoreError::Unavailable(anyhow::anyhow!("the database did not carry out this write"))
        })?
    }

    /// Runs `f` on a reader connection, on the blocking pool.
    async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let permit = Arc::clone(&self.reader_permits)
            .acquire_owned()
            .await
            .map_err(|err| StoreError::Internal(err.into()))?;
        let readers = Arc::clone(&self.readers);
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let idle = readers.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let mut conn = match idle {
                Some(conn) => conn,
                None => open_connection(&path).map_err(StoreError::Unavailable)?,
            };
            let result = f(&mut conn).map_err(store_error);
            readers.lock().unwrap_or_else(|e| e.into_inner()).push(conn);
            drop(permit);
            result
        })
        .await
        .map_err(|err| StoreError::Internal(err.into()))?
    }
}

/// The writer thread: takes every write waiting, runs each in a savepoint
/// of one transaction (a failed write rolls back alone), commits once, then
/// answers them all. Under load this turns many commits into one.
fn run_writer(conn: Connection, jobs: mpsc::Receiver<WriteJob>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        if let Err(err) = conn.execute_batch("BEGIN IMMEDIATE") {
            let err = store_error(err);
            tracing::error!(error = %err, "cannot begin a write transaction");
            drop(batch);
            continue;
        }
        let mut delivers = Vec::with_capacity(batch.len());
        for job in batch {
            if let Some(deliver) = run_in_savepoint(&conn, job) {
                delivers.push(deliver);
            }
        }
        let committed = conn.execute_batch("COMMIT");
        let failure = committed.err().map(|err| {
            let _ = conn.execute_batch("ROLLBACK");
            tracing::error!(error = %err, "a write transaction failed to commit");
            err.to_string()
        });
        for deliver in delivers {
            deliver(failure.as_ref().map(|message| {
                StoreError::Unavailable(anyhow::anyhow!("commit failed: {message}"))
            }));
        }
    }
}

fn run_in_savepoint(conn: &Connection, job: WriteJob) -> Option<Deliver> {
    if conn.execute_batch("SAVEPOINT job").is_err() {
        return None;
    }
    // A panicking write must not take the writer thread (and every later
    // write) with it; its caller hears of it through the dropped channel.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(conn)));
    // A failed write leaves nothing behind, whatever it did before failing.
    let end = if matches!(outcome, Ok((true, _))) {
        "RELEASE job"
    } else {
        "ROLLBACK TO job; RELEASE job"
    };
    if let Err(err) = conn.execute_batch(end) {
        tracing::error!(error = %err, "cannot close a write's savepoint");
    }
    outcome.ok().map(|(_, deliver)| deliver)
}

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

fn take_serving_lock(database: &Path) -> anyhow::Result<std::fs::File> {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    let path = PathBuf::from(name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another taskd is already serving {} (it holds {})",
            database.display(),
            path.display()
        ),
        Err(std::fs::TryLockError::Error(err)) => {
            Err(err).with_context(|| format!("locking {}", path.display()))
        }
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
    // Other processes (`taskd backup`, `taskd createsuperuser`) may hold a
    // lock for a moment.
    conn.busy_timeout(Duration::from_secs(10))?;
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
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        tx.execute_batch(sql)
            .with_context(|| format!("applying migration {}", index + 1))?;
    }
    tx.pragma_update(None, "user_version", MIGRATIONS.len())?;
    tx.commit()?;
    Ok(())
}

fn store_error(err: rusqlite::Error) -> StoreError {
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

// ---- conversions ----

fn micros(instant: DateTime<Utc>) -> i64 {
    instant.timestamp_micros()
}

fn instant(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

fn priority_number(priority: Option<Priority>) -> Option<i64> {
    priority.map(|p| match p {
        Priority::Low => 1,
        Priority::Medium => 2,
        Priority::High => 3,
    })
}

fn priority_from_number(n: Option<i64>) -> Option<Priority> {
    match n? {
        1 => Some(Priority::Low),
        2 => Some(Priority::Medium),
        3 => Some(Priority::High),
        _ => None,
    }
}

fn conversion_error(err: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(err))
}

const USER_COLUMNS: &str =
    "id, username, email, password_hash, is_active, is_admin, date_joined, token_version";

fn user_from_row(row: &Row<'_>) -> rusqlite::Result<UserRecord> {
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

fn admin_user_from_row(row: &Row<'_>) -> rusqlite::Result<AdminUser> {
    Ok(AdminUser {
        id: row.get(0)?,
        username: row.get(1)?,
        email: row.get(2)?,
        is_active: row.get(3)?,
        is_admin: row.get(4)?,
        date_joined: instant(row.get(5)?),
        task_count: row.get(6)?,
    })
}

const ADMIN_USER_SELECT: &str =
    "SELECT u.id, u.username, u.email, u.is_active, u.is_admin, u.date_joined, \
     (SELECT COUNT(*) FROM tasks t WHERE t.user_id = u.id) FROM users u";

const TASK_COLUMNS: &str = "t.id, t.title, t.description, t.status, t.priority, t.due, t.project, \
     t.tags, t.created_at, t.updated_at, t.completed_at, t.version";

fn task_from_row(row: &Row<'_>) -> rusqlite::Result<Task> {
    let status: String = row.get(3)?;
    let tags: String = row.get(7)?;
    Ok(Task {
        id: row.get(0)?,
        title: row.get(1)?,
        description: row.get(2)?,
        status: Status::parse(&status).unwrap_or(Status::Pending),
        priority: priority_from_number(row.get(4)?),
        due: row.get::<_, Option<i64>>(5)?.map(instant),
        project: row.get(6)?,
        tags: serde_json::from_str(&tags).map_err(conversion_error)?,
        created_at: instant(row.get(8)?),
        updated_at: instant(row.get(9)?),
        completed_at: row.get::<_, Option<i64>>(10)?.map(instant),
        version: row.get(11)?,
    })
}

/// A task row as the API's JSON, borrowing the row's text: the same keys, in
/// the same order, with the same formats as `common::api::Task`.
#[derive(serde::Serialize)]
struct TaskJson<'a> {
    id: i64,
    title: &'a str,
    description: &'a str,
    status: &'a str,
    priority: Option<Priority>,
    due: Option<Rfc3339>,
    project: Option<&'a str>,
    tags: Vec<std::borrow::Cow<'a, str>>,
    created_at: Rfc3339,
    updated_at: Rfc3339,
    completed_at: Option<Rfc3339>,
    version: i64,
}

/// A stored instant (Unix microseconds) as `DateTime<Utc>` serialises it
/// (RFC 3339, `Z`, 0, 3 or 6 fraction digits), written without going through
/// `fmt`: three of these per row made up a tenth of a large page's cost.
struct Rfc3339(i64);

/// A few ASCII bytes on the stack.
struct Ascii {
    buf: [u8; 32],
    len: usize,
}

impl Ascii {
    fn byte(&mut self, b: u8) {
        self.buf[self.len] = b;
        self.len += 1;
    }

    fn number(&mut self, value: u32, digits: u32) {
        for d in (0..digits).rev() {
            self.byte(b'0' + (value / 10u32.pow(d) % 10) as u8);
        }
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits and separators are ever written.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

impl Rfc3339 {
    fn render(&self) -> Ascii {
        use chrono::{Datelike, Timelike};
        let instant = instant(self.0);
        let mut out = Ascii {
            buf: [0; 32],
            len: 0,
        };
        out.number(instant.year().clamp(0, 9999) as u32, 4);
        for (separator, value) in [
            (b'-', instant.month()),
            (b'-', instant.day()),
            (b'T', instant.hour()),
            (b':', instant.minute()),
            (b':', instant.second()),
        ] {
            out.byte(separator);
            out.number(value, 2);
        }
        let micros = instant.timestamp_subsec_micros();
        if micros != 0 {
            out.byte(b'.');
            if micros.is_multiple_of(1000) {
                out.number(micros / 1000, 3);
            } else {
                out.number(micros, 6);
            }
        }
        out.byte(b'Z');
        out
    }
}

impl serde::Serialize for Rfc3339 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.render().as_str())
    }
}

fn write_task_json(out: &mut Vec<u8>, row: &Row<'_>) -> rusqlite::Result<()> {
    let text = |i: usize| -> rusqlite::Result<&str> { Ok(row.get_ref(i)?.as_str()?) };
    let optional_text =
        |i: usize| -> rusqlite::Result<Option<&str>> { Ok(row.get_ref(i)?.as_str_or_null()?) };
    let task = TaskJson {
        id: row.get(0)?,
        title: text(1)?,
        description: text(2)?,
        status: text(3)?,
        priority: priority_from_number(row.get(4)?),
        due: row.get::<_, Option<i64>>(5)?.map(Rfc3339),
        project: optional_text(6)?,
        tags: serde_json::from_str(text(7)?).map_err(conversion_error)?,
        created_at: Rfc3339(row.get(8)?),
        updated_at: Rfc3339(row.get(9)?),
        completed_at: row.get::<_, Option<i64>>(10)?.map(Rfc3339),
        version: row.get(11)?,
    };
    serde_json::to_writer(out, &task).map_err(conversion_error)
}

fn fields_of(task: &Task) -> TaskFields {
    TaskFields {
        title: task.title.clone(),
        description: task.description.clone(),
        status: task.status,
        priority: task.priority,
        due: task.due,
        project: task.project.clone(),
        tags: task.tags.clone(),
    }
}

fn replace_tags(
    conn: &Connection,
    user_id: i64,
    task_id: i64,
    tags: &[String],
) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM task_tags WHERE task_id = ?1")?
        .execute([task_id])?;
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO task_tags (user_id, tag, task_id) VALUES (?1, ?2, ?3)",
    )?;
    for tag in tags {
        insert.execute(params![user_id, tag, task_id])?;
    }
    Ok(())
}

fn select_task(conn: &Connection, user_id: i64, task_id: i64) -> rusqlite::Result<Option<Task>> {
    conn.prepare_cached(&format!(
        "SELECT {TASK_COLUMNS} FROM tasks t WHERE t.id = ?1 AND t.user_id = ?2"
    ))?
    .query_row(params![task_id, user_id], task_from_row)
    .optional()
}

/// The WHERE clause and its bound values for `filter`; user input is only
/// ever bound, never formatted into the SQL.
fn where_clause(user_id: i64, filter: &TaskFilter) -> (String, Vec<Value>) {
    let mut sql = String::from("t.user_id = ?");
    let mut values = vec![Value::Integer(user_id)];
    if let Some(status) = filter.status {
        sql.push_str(" AND t.status = ?");
        values.push(Value::Text(status.as_str().into()));
    }
    if let Some(priority) = filter.priority {
        sql.push_str(" AND t.priority = ?");
        values.push(Value::Integer(priority_number(Some(priority)).unwrap_or(0)));
    }
    if let Some(project) = &filter.project {
        let prefix = format!("{project}.");
        sql.push_str(" AND (t.project = ? OR substr(t.project, 1, ?) = ?)");
        values.push(Value::Text(project.clone()));
        values.push(Value::Integer(prefix.chars().count() as i64));
        values.push(Value::Text(prefix));
    }
    for tag in &filter.tags {
        // A set built once from the (user_id, tag) index: cheaper than a
        // correlated lookup per task.
        sql.push_str(
            " AND t.id IN (SELECT g.task_id FROM task_tags g WHERE g.user_id = ? AND g.tag = ?)",
        );
        values.push(Value::Integer(user_id));
        values.push(Value::Text(tag.clone()));
    }
    if let Some(search) = &filter.search {
        sql.push_str(" AND (contains_ci(t.title, ?) OR contains_ci(t.description, ?))");
        let needle = search.to_lowercase();
        values.push(Value::Text(needle.clone()));
        values.push(Value::Text(needle));
    }
    if let Some(before) = filter.due_before {
        sql.push_str(" AND t.due < ?");
        values.push(Value::Integer(micros(before)));
    }
    if let Some(after) = filter.due_after {
        sql.push_str(" AND t.due > ?");
        values.push(Value::Integer(micros(after)));
    }
    (sql, values)
}

fn order_clause(filter: &TaskFilter) -> String {
    let mut parts = Vec::new();
    let mut has_id = false;
    for key in &filter.ordering {
        let direction = if key.descending { "DESC" } else { "ASC" };
        let column = match key.field {
            OrderField::Id => {
                has_id = true;
                "t.id"
            }
            OrderField::Title => "t.title COLLATE NOCASE",
            OrderField::Status => "t.status",
            OrderField::CreatedAt => "t.created_at",
            OrderField::UpdatedAt => "t.updated_at",
            // Tasks without a value come last in both directions.
            OrderField::Priority => {
                parts.push("t.priority IS NULL".to_string());
                "t.priority"
            }
            OrderField::Due => {
                parts.push("t.due IS NULL".to_string());
                "t.due"
            }
        };
        parts.push(format!("{column} {direction}"));
    }
    // A total order, so that pages neither repeat nor skip tasks.
    if !has_id {
        parts.push("t.id ASC".into());
    }
    parts.join(", ")
}

#[async_trait]
impl Store for SqliteStore {
    async fn health(&self) -> StoreResult<()> {
        self.read(|conn| conn.query_row("SELECT 1", [], |_| Ok(())))
            .await
    }

    async fn create_user(&self, user: NewUser) -> StoreResult<Option<UserRecord>> {
        // Ids are never reused (AUTOINCREMENT): nothing remembered is about it.
        self.write_keeping_auth(move |conn| {
            let now = Utc::now();
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
                date_joined: instant(micros(now)),
                token_version: 0,
            }))
        })
        .await
    }

    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRecord>> {
        let key = username.to_lowercase();
        self.read(move |conn| {
            conn.prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM users WHERE username_key = ?1"
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
        let generation = {
            let cache = self.auth_cache.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(known) = cache.entries.get(&key) {
                return Ok(Some(known.clone()));
            }
            cache.generation
        };
        let found = self
            .read(move |conn| {
                // The user and the login in one query.
                conn.prepare_cached(
                    "SELECT u.id, u.username, u.email, u.password_hash, u.is_active, u.is_admin, \
                 u.date_joined, u.token_version, s.revoked \
                 FROM users u LEFT JOIN sessions s ON s.id = ?2 AND s.user_id = u.id \
                 WHERE u.id = ?1",
                )?
                .query_row([user_id, session_id], |row| {
                    Ok(AuthContext {
                        user: user_from_row(row)?,
                        session_live: row.get::<_, Option<bool>>(8)? == Some(false),
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
                cache.entries.insert(key, context.clone());
            }
        }
        Ok(found)
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

    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        new_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<Refreshed> {
        let old_hash = old_hash.to_string();
        let new_hash = new_hash.to_string();
        self.write(move |conn| {
            let found: Option<(i64, i64, bool, bool, i64)> = conn
                .prepare_cached(
                    "SELECT r.session_id, r.expires_at, r.used, s.revoked, s.user_id \
                     FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id \
                     WHERE r.token_hash = ?1",
                )?
                .query_row([&old_hash], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
                })
                .optional()?;
            let Some((session_id, expires, used, revoked, user_id)) = found else {
                return Ok(Refreshed::Invalid);
            };
            if used {
                // A spent token came back: whoever holds it, the login is
                // compromised.
                conn.prepare_cached("UPDATE sessions SET revoked = 1 WHERE id = ?1")?
                    .execute([session_id])?;
                return Ok(Refreshed::Reused);
            }
            if revoked || expires <= micros(Utc::now()) {
                return Ok(Refreshed::Invalid);
            }
            let user = conn
                .prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"))?
                .query_row([user_id], user_from_row)
                .optional()?;
            let Some(user) = user.filter(|u| u.is_active) else {
                return Ok(Refreshed::Invalid);
            };
            conn.prepare_cached("UPDATE refresh_tokens SET used = 1 WHERE token_hash = ?1")?
                .execute([&old_hash])?;
            conn.prepare_cached(
                "INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![new_hash, session_id, micros(expires_at)])?;
            Ok(Refreshed::Rotated { user, session_id })
        })
        .await
    }

    async fn revoke_session(&self, user_id: i64, refresh_hash: &str) -> StoreResult<bool> {
        let refresh_hash = refresh_hash.to_string();
        self.write(move |conn| {
            let changed = conn
                .prepare_cached(
                    "UPDATE sessions SET revoked = 1 WHERE user_id = ?1 AND id = \
                     (SELECT session_id FROM refresh_tokens WHERE token_hash = ?2)",
                )?
                .execute(params![user_id, refresh_hash])?;
            Ok(changed > 0)
        })
        .await
    }

    async fn change_password(&self, user_id: i64, password_hash: &str) -> StoreResult<()> {
        let password_hash = password_hash.to_string();
        self.write(move |conn| {
            conn.prepare_cached(
                "UPDATE users SET password_hash = ?1, token_version = token_version + 1 WHERE id = ?2",
            )?
            .execute(params![password_hash, user_id])?;
            conn.prepare_cached("UPDATE sessions SET revoked = 1 WHERE user_id = ?1")?
                .execute([user_id])?;
            Ok(())
        })
        .await
    }

    async fn purge_expired_logins(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        self.write(move |conn| {
            conn.prepare_cached("DELETE FROM refresh_tokens WHERE expires_at < ?1")?
                .execute([micros(now)])?;
            // A login's access tokens expire long before its last refresh
            // token, so a login with no refresh token left is over.
            let logins = conn
                .prepare_cached(
                    "DELETE FROM sessions WHERE NOT EXISTS \
                     (SELECT 1 FROM refresh_tokens r WHERE r.session_id = sessions.id)",
                )?
                .execute([])?;
            Ok(logins as u64)
        })
        .await
    }

    async fn list_users(&self, window: PageWindow) -> StoreResult<(u64, Vec<AdminUser>)> {
        self.read(move |conn| {
            // One snapshot for the count and the page, so they agree.
            let tx = conn.transaction()?;
            let count: u64 = tx
                .prepare_cached("SELECT COUNT(*) FROM users")?
                .query_row([], |row| row.get(0))?;
            let offset = window.offset.min(i64::MAX as u64) as i64;
            let users = tx
                .prepare_cached(&format!(
                    "{ADMIN_USER_SELECT} ORDER BY u.id LIMIT ?1 OFFSET ?2"
                ))?
                .query_map(params![window.limit, offset], admin_user_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            tx.finish()?;
            Ok((count, users))
        })
        .await
    }

    async fn update_user_flags(
        &self,
        user_id: i64,
        is_active: Option<bool>,
        is_admin: Option<bool>,
    ) -> StoreResult<Option<AdminUser>> {
        self.write(move |conn| {
            conn.prepare_cached(
                "UPDATE users SET is_active = coalesce(?1, is_active), \
                 is_admin = coalesce(?2, is_admin) WHERE id = ?3",
            )?
            .execute(params![is_active, is_admin, user_id])?;
            if is_active == Some(false) {
                // Deactivation ends every login for good: reactivating the
                // account later must not bring old tokens back to life.
                conn.prepare_cached(
                    "UPDATE users SET token_version = token_version + 1 WHERE id = ?1",
                )?
                .execute([user_id])?;
                conn.prepare_cached("UPDATE sessions SET revoked = 1 WHERE user_id = ?1")?
                    .execute([user_id])?;
            }
            let user = conn
                .prepare_cached(&format!("{ADMIN_USER_SELECT} WHERE u.id = ?1"))?
                .query_row([user_id], admin_user_from_row)
                .optional()?;
            Ok(user)
        })
        .await
    }

    async fn delete_user(&self, user_id: i64) -> StoreResult<bool> {
        self.write(move |conn| {
            // Foreign keys cascade to tasks, tags, sessions and refresh tokens.
            let deleted = conn
                .prepare_cached("DELETE FROM users WHERE id = ?1")?
                .execute([user_id])?;
            Ok(deleted > 0)
        })
        .await
    }

    async fn list_tasks(&self, user_id: i64, filter: TaskFilter) -> StoreResult<TaskPage> {
        self.read(move |conn| {
            let (condition, values) = where_clause(user_id, &filter);
            // One snapshot for the count and the page, so they agree.
            let tx = conn.transaction()?;
            let count: u64 = tx
                .prepare_cached(&format!("SELECT COUNT(*) FROM tasks t WHERE {condition}"))?
                .query_row(params_from_iter(values.iter()), |row| row.get(0))?;
            let mut page_values = values;
            page_values.push(Value::Integer(i64::from(filter.page.limit)));
            page_values.push(Value::Integer(filter.page.offset.min(i64::MAX as u64) as i64));
            let mut results_json = Vec::with_capacity(64 + 320 * filter.page.limit.min(1000) as usize);
            results_json.push(b'[');
            {
                let mut stmt = tx.prepare_cached(&format!(
                    "SELECT {TASK_COLUMNS} FROM tasks t WHERE {condition} ORDER BY {} LIMIT ? OFFSET ?",
                    order_clause(&filter)
                ))?;
                let mut rows = stmt.query(params_from_iter(page_values.iter()))?;
                let mut first = true;
                while let Some(row) = rows.next()? {
                    if !first {
                        results_json.push(b',');
                    }
                    first = false;
                    write_task_json(&mut results_json, row)?;
                }
            }
            results_json.push(b']');
            tx.finish()?;
            Ok(TaskPage {
                count,
                results_json,
            })
        })
        .await
    }

    async fn create_task(&self, user_id: i64, fields: TaskFields) -> StoreResult<Task> {
        self.write_keeping_auth(move |conn| {
            let now = instant(micros(Utc::now()));
            let completed_at = (fields.status == Status::Done).then_some(now);
            let tags = serde_json::to_string(&fields.tags).map_err(conversion_error)?;
            conn.prepare_cached(
                "INSERT INTO tasks (user_id, title, description, status, priority, due, project, \
                 tags, created_at, updated_at, completed_at, version) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, 1)",
            )?
            .execute(params![
                user_id,
                fields.title,
                fields.description,
                fields.status.as_str(),
                priority_number(fields.priority),
                fields.due.map(micros),
                fields.project,
                tags,
                micros(now),
                completed_at.map(micros),
            ])?;
            let id = conn.last_insert_rowid();
            replace_tags(conn, user_id, id, &fields.tags)?;
            Ok(Task {
                id,
                title: fields.title,
                description: fields.description,
                status: fields.status,
                priority: fields.priority,
                due: fields.due.map(|d| instant(micros(d))),
                project: fields.project,
                tags: fields.tags,
                created_at: now,
                updated_at: now,
                completed_at,
                version: 1,
            })
        })
        .await
    }

    async fn get_task(&self, user_id: i64, task_id: i64) -> StoreResult<Option<Task>> {
        self.read(move |conn| select_task(conn, user_id, task_id))
            .await
    }

    async fn update_task(
        &self,
        user_id: i64,
        task_id: i64,
        if_version: Option<Vec<i64>>,
        change: TaskChange,
    ) -> StoreResult<Written<Task>> {
        self.write_keeping_auth(move |conn| {
            let Some(current) = select_task(conn, user_id, task_id)? else {
                return Ok(Written::NotFound);
            };
            if if_version.is_some_and(|versions| !versions.contains(&current.version)) {
                return Ok(Written::VersionMismatch);
            }
            let mut fields = match change {
                TaskChange::Replace(fields) => fields,
                TaskChange::Patch(patch) => {
                    let mut fields = fields_of(&current);
                    patch.apply(&mut fields);
                    fields
                }
            };
            // Stored to the microsecond: compared as it would be stored.
            fields.due = fields.due.map(|d| instant(micros(d)));
            // Nothing changes, so neither does the version: another client's
            // If-Match stays good.
            if fields == fields_of(&current) {
                return Ok(Written::Done(current));
            }
            let now = instant(micros(Utc::now()));
            let completed_at = match (current.status, fields.status) {
                (_, Status::Pending) => None,
                (Status::Done, Status::Done) => current.completed_at,
                (Status::Pending, Status::Done) => Some(now),
            };
            let tags = serde_json::to_string(&fields.tags).map_err(conversion_error)?;
            conn.prepare_cached(
                "UPDATE tasks SET title = ?1, description = ?2, status = ?3, priority = ?4, due = ?5, \
                 project = ?6, tags = ?7, updated_at = ?8, completed_at = ?9, version = version + 1 \
                 WHERE id = ?10",
            )?
            .execute(params![
                fields.title,
                fields.description,
                fields.status.as_str(),
                priority_number(fields.priority),
                fields.due.map(micros),
                fields.project,
                tags,
                micros(now),
                completed_at.map(micros),
                task_id,
            ])?;
            if fields.tags != current.tags {
                replace_tags(conn, user_id, task_id, &fields.tags)?;
            }
            Ok(Written::Done(Task {
                id: task_id,
                title: fields.title,
                description: fields.description,
                status: fields.status,
                priority: fields.priority,
                due: fields.due.map(|d| instant(micros(d))),
                project: fields.project,
                tags: fields.tags,
                created_at: current.created_at,
                updated_at: now,
                completed_at,
                version: current.version + 1,
            }))
        })
        .await
    }

    async fn delete_task(
        &self,
        user_id: i64,
        task_id: i64,
        if_version: Option<Vec<i64>>,
    ) -> StoreResult<Written<()>> {
        self.write_keeping_auth(move |conn| {
            let version: Option<i64> = conn
                .prepare_cached("SELECT version FROM tasks WHERE id = ?1 AND user_id = ?2")?
                .query_row([task_id, user_id], |row| row.get(0))
                .optional()?;
            let Some(version) = version else {
                return Ok(Written::NotFound);
            };
            if if_version.is_some_and(|versions| !versions.contains(&version)) {
                return Ok(Written::VersionMismatch);
            }
            conn.prepare_cached("DELETE FROM tasks WHERE id = ?1")?
                .execute([task_id])?;
            Ok(Written::Done(()))
        })
        .await
    }

    async fn backup(&self, dest: &Path) -> StoreResult<()> {
        let dest = dest.to_path_buf();
        self.read(move |conn| {
            // The copy holds what the database does: the owner's alone.
            create_private(&dest)
                .map_err(|err| conversion_error(std::io::Error::other(format!("{err:#}"))))?;
            let mut target = Connection::open(&dest)?;
            let backup = rusqlite::backup::Backup::new(conn, &mut target)?;
            backup.run_to_completion(256, Duration::from_millis(5), None)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    fn remembered(store: &SqliteStore) -> usize {
        store.auth_cache.lock().unwrap().entries.len()
    }

    #[tokio::test]
    async fn task_writes_keep_remembered_logins_and_account_writes_forget_them() {
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
        let session = store
            .create_session(user.id, "refresh", Utc::now())
            .await
            .unwrap();
        let live = store.auth_context(user.id, session).await.unwrap().unwrap();
        assert!(live.session_live);
        assert_eq!(remembered(&store), 1);

        let fields = TaskFields {
            title: "Buy milk".into(),
            description: String::new(),
            status: Status::Pending,
            priority: None,
            due: None,
            project: None,
            tags: vec!["errands".into()],
        };
        let task = store.create_task(user.id, fields.clone()).await.unwrap();
        store
            .update_task(user.id, task.id, None, TaskChange::Replace(fields))
            .await
            .unwrap();
        store.delete_task(user.id, task.id, None).await.unwrap();
        assert_eq!(remembered(&store), 1, "task writes keep what is known");

        assert!(store.revoke_session(user.id, "refresh").await.unwrap());
        assert_eq!(remembered(&store), 0, "an account write forgets it all");
        let revoked = store.auth_context(user.id, session).await.unwrap().unwrap();
        assert!(!revoked.session_live);
    }

    #[test]
    fn instants_render_as_chrono_renders_them() {
        for text in [
            "2026-11-24T18:38:29Z",
            "2026-11-24T18:38:29.003092Z",
            "2026-11-24T18:38:29.120Z",
            "2026-01-01T00:00:00.000001Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999Z",
            "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59.5Z",
        ] {
            let value = DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc);
            let ours = serde_json::to_string(&Rfc3339(micros(value))).unwrap();
            let chrono = serde_json::to_string(&value).unwrap();
            assert_eq!(ours, chrono, "{text}");
        }
    }
}
