//! Storage behind one interface of domain operations. Each backend
//! implements [`Store`] with its own SQL and its own migrations (the same
//! version numbers on both); the rules the operations obey live in
//! [`crate::domain`], so no backend can drift from another. The backend is
//! chosen once, at start-up, from the database URL ([`open`]).

pub mod admin;
pub mod attempts;
pub mod browser;
pub mod changes;
pub mod idempotency;
pub mod journal;
pub mod postgres;
mod sql;

pub use sql::weight;
pub mod sqlite;

use std::{fmt, path::PathBuf, sync::Arc, time::Duration};

use anyhow::bail;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use common::api::{Status, Task, User};

use crate::task_query::TaskFilter;
use admin::AdminStore;
use attempts::AttemptStore;
use browser::BrowserSessionStore;
use changes::ChangeFeed;
use idempotency::IdempotencyStore;
use journal::JournalStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached, or is locked beyond patience.
    #[error("database unavailable: {0:#}")]
    Unavailable(anyhow::Error),
    /// The write would take the account past a quota; nothing was written.
    #[error("over the {0} quota")]
    Quota(Quota),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// What an account may hold at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quota {
    /// Tasks (the trash aside).
    Tasks,
    /// Characters of text in its tasks and their notes.
    Text,
}

impl std::fmt::Display for Quota {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Quota::Tasks => "tasks",
            Quota::Text => "text",
        })
    }
}

impl Quota {
    /// The quota a database error raised by a quota check names (a
    /// trigger's, or the SQLite store's own: `sqlite::tally`).
    fn raised(message: &str) -> Option<Quota> {
        match message.split("taskd quota: ").nth(1)?.trim() {
            text if text.starts_with("tasks") => Some(Quota::Tasks),
            text if text.starts_with("text") => Some(Quota::Text),
            _ => None,
        }
    }
}

/// The quotas every account is held to; 0 is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Quotas {
    pub max_tasks: u64,
    /// Characters of text in an account's tasks and notes.
    pub max_chars: u64,
}

/// Which database `--database` names.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// A file path, or `sqlite://PATH`.
    Sqlite(PathBuf),
    /// A `postgres://` or `postgresql://` URL.
    Postgres(String),
}

/// Instants are kept to the microsecond on every backend: a value is
/// compared and returned as it will be read back.
pub fn stored(instant: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(instant.timestamp_micros()).unwrap_or(instant)
}

impl Database {
    pub fn parse(text: &str) -> anyhow::Result<Database> {
        let text = text.trim();
        if text.is_empty() {
            bail!("the database is empty: give a file path or a postgres:// URL");
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Database::Postgres(text.to_string()));
        }
        if let Some(path) = text.strip_prefix("sqlite://") {
            if path.is_empty() {
                bail!("sqlite:// needs a path, e.g. sqlite:///var/lib/taskd/taskd.sqlite3");
            }
            return Ok(Database::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = text.split_once("://") {
            bail!(
                "unsupported database {scheme}://: give a file path (SQLite), \
                 sqlite://PATH, or postgres://USER@HOST/DB"
            );
        }
        Ok(Database::Sqlite(PathBuf::from(text)))
    }
}

/// The database as it may be shown: a URL's password is left out.
impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres(url) => f.write_str(&postgres::redacted(url)),
        }
    }
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// What a process opens a database for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `taskd serve`: migrates, and on SQLite takes the one-daemon lock.
    Serve,
    /// `taskd migrate`.
    Migrate,
    /// Commands beside a serving daemon (`createsuperuser`, `import-django`):
    /// they make a new database, but leave migrating an existing one to
    /// `taskd migrate`.
    Command,
}

/// Opens (creating if need be) the database `database` names, migrating it
/// unless `purpose` is a command's.
pub async fn open(database: &Database, purpose: Purpose) -> anyhow::Result<Arc<dyn Store>> {
    Ok(match database {
        Database::Sqlite(path) => Arc::new(match purpose {
            Purpose::Serve => sqlite::SqliteStore::open_to_serve(path).await?,
            Purpose::Migrate => sqlite::SqliteStore::open(path).await?,
            Purpose::Command => sqlite::SqliteStore::open_current(path).await?,
        }),
        Database::Postgres(url) => {
            Arc::new(postgres::PostgresStore::open_for(url, purpose != Purpose::Command).await?)
        }
    })
}

/// A database whose schema is newer than this binary: it was migrated by a
/// later taskd, whose data this one could misread or damage.
pub fn newer_schema(found: usize, known: usize) -> anyhow::Error {
    anyhow::anyhow!(
        "the database's schema is version {found}, newer than this taskd knows \
         (version {known}): run a taskd at least as new as the one that migrated it"
    )
}

/// A job that last ran at or before this instant is due again.
fn job_due_before(now: DateTime<Utc>, every: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(every)
        .ok()
        .and_then(|every| now.checked_sub_signed(every))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// An account with what only the server may see.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub is_active: bool,
    pub is_admin: bool,
    pub date_joined: DateTime<Utc>,
    /// Bumped by a password change: access tokens carry the value they were
    /// issued under, and older ones stop working.
    pub token_version: i64,
}

impl UserRecord {
    pub fn to_api(&self) -> User {
        User {
            id: self.id,
            username: self.username.clone(),
            email: self.email.clone(),
            date_joined: self.date_joined,
            is_admin: self.is_admin,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub is_admin: bool,
}

/// An account of another system, brought over with its password hash.
#[derive(Debug, Clone)]
pub struct LegacyUser {
    /// Where it comes from, unique across imports: `django:42`.
    pub legacy_id: String,
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub is_active: bool,
    pub is_admin: bool,
    pub date_joined: DateTime<Utc>,
}

/// What became of a [`LegacyUser`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adoption {
    /// A new account, with this id.
    Created(i64),
    /// Brought over before: this account.
    Already(i64),
    /// The username belongs to another account.
    Taken,
}

/// What the authentication of one request needs to know.
#[derive(Debug, Clone)]
pub struct AuthContext {
    pub user: UserRecord,
    pub session_live: bool,
    /// The epoch a read of the account's tasks begins in: a count moved on
    /// by every change to them, before the change's writer hears of it
    /// (PostgreSQL counts per account, in the same transaction as each
    /// write; a daemon serving SQLite counts the commits it makes). Answers
    /// read under another epoch are not given again; `None`: none is kept.
    pub tasks_changed: Option<i64>,
}

/// A refresh token as stored, with its login and its user.
#[derive(Debug, Clone)]
pub struct RefreshTokenRecord {
    pub session_id: i64,
    pub expires_at: DateTime<Utc>,
    /// Spent: it was exchanged for a successor already.
    pub used: bool,
    /// When it was spent.
    pub used_at: Option<DateTime<Utc>>,
    pub session_revoked: bool,
    pub user: UserRecord,
}

/// What a write makes of a task as it stands when the write runs: the task
/// to store in its place, or `None` to write nothing and hand it back
/// ([`TaskStore::edit_task`]). It may run on the store's own thread, and run
/// again if the write has to be made again.
pub type TaskEdit = Arc<dyn Fn(&Task) -> Option<Task> + Send + Sync>;

/// What became of a [`TaskStore::edit_task`].
#[derive(Debug)]
pub enum Edited {
    /// Written; the task as it reads back.
    Written(Task),
    /// The edit wrote nothing; the task as it stood.
    Declined(Task),
    /// No such task of the user's.
    Missing,
    /// Another write changed the task between its read and this write;
    /// nothing was written.
    Raced,
}

/// A page of tasks and the count of all that match the filter.
#[derive(Debug, Clone)]
pub struct TaskPage {
    pub count: u64,
    pub tasks: Vec<Task>,
}

/// Everything a backend is: accounts, tasks and the daemon's own state.
#[async_trait]
pub trait Store:
    AccountStore
    + AdminStore
    + AttemptStore
    + BrowserSessionStore
    + TaskStore
    + ChangeFeed
    + JournalStore
    + IdempotencyStore
{
    /// Answers when the database does.
    async fn health(&self) -> StoreResult<()>;

    /// Commits a one-row write, to learn whether the database can still be
    /// written (a full disk, a read-only file or server fail it).
    async fn probe_write(&self, now: DateTime<Utc>) -> StoreResult<()>;

    /// Claims the periodic job `name` for this run when it last ran `every`
    /// ago or longer (or never): of several daemons, one gets it.
    async fn claim_job(&self, name: &str, now: DateTime<Utc>, every: Duration)
        -> StoreResult<bool>;

    /// Sets the quotas every account is held to, in every write's own
    /// transaction.
    async fn set_quotas(&self, quotas: Quotas) -> StoreResult<()>;

    /// How long the answer to a request that may have written waits after
    /// the request is done, so that every daemon that answers login checks
    /// from memory has heard of the change by the time the client can act on
    /// the answer. `None`: no wait (no daemon answers from memory what
    /// another could change).
    fn write_settling(&self) -> Option<Duration> {
        None
    }

    /// The JWT signing secret kept in the database, made from `candidate`
    /// if there is none yet; `None` where the backend keeps no secret (SQLite,
    /// whose secret lives in a file beside the database).
    async fn shared_secret(&self, candidate: &str) -> StoreResult<Option<String>>;
}

/// Users, their logins and refresh tokens.
#[async_trait]
pub trait AccountStore: Send + Sync + 'static {
    /// `Ok(None)` when the username is taken (case-insensitively).
    async fn create_user(&self, user: NewUser) -> StoreResult<Option<UserRecord>>;
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRecord>>;
    /// The user and whether the login is live. Asked on every authenticated
    /// request, so a backend may answer from memory, as long as no change to
    /// the user or the login is missed once acknowledged, by this daemon or
    /// any other serving the same database.
    async fn auth_context(&self, user_id: i64, session_id: i64)
        -> StoreResult<Option<AuthContext>>;
    /// Opens a login whose first refresh token has hash `refresh_hash`.
    async fn create_session(
        &self,
        user_id: i64,
        refresh_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<i64>;
    async fn refresh_token(&self, hash: &str) -> StoreResult<Option<RefreshTokenRecord>>;
    /// Marks `old_hash` spent at `now` and stores `new_hash` for the same
    /// login, in one transaction, only if `old_hash` was not spent yet:
    /// false if it was.
    async fn spend_refresh_token(
        &self,
        old_hash: &str,
        new_hash: &str,
        session_id: i64,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    async fn revoke_session(&self, session_id: i64) -> StoreResult<()>;
    /// Revokes the login of `user_id` that `refresh_hash` belongs to; false if
    /// there is none.
    async fn revoke_session_by_refresh_token(
        &self,
        user_id: i64,
        refresh_hash: &str,
    ) -> StoreResult<bool>;
    /// Creates the account `user` describes, unless it was created before
    /// (its `legacy_id` is known) or its username is taken.
    async fn adopt_user(&self, user: LegacyUser) -> StoreResult<Adoption>;
    /// Puts `new_hash` in place of `old_hash` (a stronger hash of the same
    /// password), if the password has not changed meanwhile; logins stay.
    async fn upgrade_password_hash(
        &self,
        user_id: i64,
        old_hash: &str,
        new_hash: &str,
    ) -> StoreResult<bool>;
    /// Sets the password and ends every login and every access token.
    async fn change_password(&self, user_id: i64, password_hash: &str) -> StoreResult<()>;
    /// Ends every login and every access token, the password kept.
    async fn end_logins(&self, user_id: i64) -> StoreResult<()>;
    /// Deletes the refresh tokens that expired before `now`, then the logins
    /// left with none; returns how many logins went.
    async fn purge_expired_logins(&self, now: DateTime<Utc>) -> StoreResult<u64>;
}

/// A user's tasks.
#[async_trait]
pub trait TaskStore: Send + Sync + 'static {
    /// The page `filter` selects and the count of all matching tasks.
    async fn list_tasks(&self, user_id: i64, filter: TaskFilter) -> StoreResult<TaskPage>;
    /// Stores a new task (its `id` ignored) and returns it as it reads back
    /// in the same transaction, with its id. A pending task without a
    /// `number` gets the lowest number free among the user's pending tasks;
    /// annotations whose id is 0 get one. `blocked` and `blocking` are
    /// computed when read, not stored.
    ///
    /// Every write of tasks also records its changes in the change feed
    /// ([`changes::ChangeFeed`]), in the same transaction.
    async fn insert_task(&self, user_id: i64, task: Task) -> StoreResult<Task>;
    async fn get_task(&self, user_id: i64, task_id: i64) -> StoreResult<Option<Task>>;
    /// The user's tasks with these ids (those there are), in no set order,
    /// read from one snapshot: a bulk change reads ten thousand tasks in
    /// one statement where one read each took a round trip each.
    async fn tasks_by_id(&self, user_id: i64, ids: Vec<i64>) -> StoreResult<Vec<Task>>;
    /// Writes `task` in place of `current` (the task as it was read) only if
    /// the stored version is still `current.version`, and returns it as
    /// read back (numbered as [`TaskStore::insert_task`] numbers); `None` when
    /// the version changed or the task is gone. Only the tags, dependencies
    /// and annotations that differ from `current`'s are written.
    async fn replace_task(
        &self,
        user_id: i64,
        task: Task,
        current: Task,
    ) -> StoreResult<Option<Task>>;
    /// Reads the task and writes in its place what `edit` makes of it, with
    /// no other write of it coming between.
    ///
    /// A backend whose writes run on one thread reads the task there, in the
    /// write's own transaction, which spares a request the hand-off to a
    /// reader and back. The default reads first and writes under
    /// [`TaskStore::replace_task`]'s compare-and-set, answering
    /// [`Edited::Raced`] when another write came between.
    async fn edit_task(&self, user_id: i64, task_id: i64, edit: TaskEdit) -> StoreResult<Edited> {
        let Some(current) = self.get_task(user_id, task_id).await? else {
            return Ok(Edited::Missing);
        };
        let Some(task) = edit(&current) else {
            return Ok(Edited::Declined(current));
        };
        Ok(match self.replace_task(user_id, task, current).await? {
            Some(written) => Edited::Written(written),
            None => Edited::Raced,
        })
    }
    /// The user's tasks with these uuids (those there are).
    async fn tasks_by_uuid(&self, user_id: i64, uuids: Vec<String>) -> StoreResult<Vec<Task>>;
    /// Writes an import, all of it or nothing: each task inserted, or
    /// written in place of the `current` it was read as; then each one's
    /// dependencies set to the user's tasks with the uuids given. `false`,
    /// with nothing written, when a task changed since it was read or a new
    /// task's uuid was taken meanwhile.
    async fn import_tasks(&self, user_id: i64, writes: Vec<ImportWrite>) -> StoreResult<bool>;
    /// Deletes the task only if its version is still `expected_version`.
    async fn delete_task(
        &self,
        user_id: i64,
        task_id: i64,
        expected_version: i64,
    ) -> StoreResult<bool>;
    /// Deletes every pending task whose `until` is before `now`; returns how
    /// many went.
    async fn delete_expired_tasks(&self, now: DateTime<Utc>) -> StoreResult<u64>;
    /// The status of each of `ids` that is one of the user's tasks.
    async fn task_statuses(&self, user_id: i64, ids: Vec<i64>) -> StoreResult<Vec<(i64, Status)>>;
    /// The uuid of each of `ids` that is one of the user's tasks.
    async fn task_uuids(&self, user_id: i64, ids: Vec<i64>) -> StoreResult<Vec<(i64, String)>>;
    /// Every dependency among the user's tasks: (task, the task it waits for).
    async fn dependency_edges(&self, user_id: i64) -> StoreResult<Vec<(i64, i64)>>;
    /// How many of the tasks `filter` selects have each project (or tag),
    /// by name in code-point order; tasks with none are not counted.
    async fn count_by(
        &self,
        user_id: i64,
        filter: TaskFilter,
        facet: Facet,
    ) -> StoreResult<Vec<(String, u64)>>;
}

/// One task of an import, as [`TaskStore::import_tasks`] writes it.
#[derive(Debug, Clone)]
pub struct ImportWrite {
    /// The task as it is to be stored; its `depends` are ignored.
    pub task: Task,
    /// The task as it was read; `None` for a new one.
    pub current: Option<Task>,
    /// The uuids of the tasks it depends on.
    pub depends: Vec<String>,
}

/// What a summary counts tasks by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facet {
    Project,
    Tag,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_chooses_the_backend() {
        assert_eq!(
            Database::parse("/var/lib/taskd/db.sqlite3").unwrap(),
            Database::Sqlite("/var/lib/taskd/db.sqlite3".into())
        );
        assert_eq!(
            Database::parse("sqlite://db.sqlite3").unwrap(),
            Database::Sqlite("db.sqlite3".into())
        );
        for url in ["postgres://taskd@localhost/taskd", "postgresql://h/db"] {
            assert!(matches!(
                Database::parse(url).unwrap(),
                Database::Postgres(_)
            ));
        }
        for bad in ["mysql://localhost/db", "", "sqlite://"] {
            assert!(Database::parse(bad).is_err(), "{bad}");
        }
        let shown = Database::parse("postgres://taskd:s3cret@localhost/taskd")
            .unwrap()
            .to_string();
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}
