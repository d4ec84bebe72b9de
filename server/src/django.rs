//! `taskd import-django`: the accounts and tasks of the Django backend this
//! daemon replaces, read from its database (a SQLite file, or a
//! `postgres://` URL) and brought over. Accounts keep their Django password
//! hashes, which the first login replaces with argon2id; each account and
//! task is remembered by its Django id, so running it again adds nothing.

use std::fmt;

use anyhow::{bail, Context};
use chrono::{DateTime, NaiveDateTime, Utc};
use common::api::Status;
use sha2::{Digest, Sha256};

use crate::{
    domain::tasks::{arrived, ImportedDates, TaskFields},
    store::{Adoption, Database, ImportWrite, LegacyUser, Store},
};

/// A row of Django's `auth_user`.
#[derive(Debug, Clone)]
pub struct DjangoUser {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub password: String,
    pub is_active: bool,
    pub is_superuser: bool,
    pub date_joined: DateTime<Utc>,
}

/// A row of the backend's `tasks_task`.
#[derive(Debug, Clone)]
pub struct DjangoTask {
    pub id: i64,
    pub user_id: i64,
    pub title: String,
    pub description: String,
    pub completed: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const USERS: &str = "SELECT id, username, email, password, is_active, is_superuser, date_joined \
     FROM auth_user ORDER BY id";
const TASKS: &str = "SELECT id, user_id, title, description, completed, created_at, updated_at \
     FROM tasks_task ORDER BY id";

/// Every account and task of the Django database `source` names.
pub async fn read(source: &Database) -> anyhow::Result<(Vec<DjangoUser>, Vec<DjangoTask>)> {
    match source {
        Database::Sqlite(path) => {
            let path = path.clone();
            tokio::task::spawn_blocking(move || read_sqlite(&path)).await?
        }
        Database::Postgres(url) => read_postgres(url).await,
    }
}

fn read_sqlite(path: &std::path::Path) -> anyhow::Result<(Vec<DjangoUser>, Vec<DjangoTask>)> {
    use rusqlite::{Connection, OpenFlags};
    if !path.is_file() {
        bail!("there is no Django database at {}", path.display());
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("opening {}", path.display()))?;
    let not_django = || {
        format!(
            "{} is not the Django backend's database (no auth_user and tasks_task tables)",
            path.display()
        )
    };
    let users = conn
        .prepare(USERS)
        .with_context(not_django)?
        .query_map([], |row| {
            Ok(DjangoUser {
                id: row.get(0)?,
                username: row.get(1)?,
                email: row.get(2)?,
                password: row.get(3)?,
                is_active: row.get(4)?,
                is_superuser: row.get(5)?,
                date_joined: sqlite_instant(&row.get::<_, String>(6)?)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let tasks = conn
        .prepare(TASKS)
        .with_context(not_django)?
        .query_map([], |row| {
            Ok(DjangoTask {
                id: row.get(0)?,
                user_id: row.get(1)?,
                title: row.get(2)?,
                description: row.get(3)?,
                completed: row.get(4)?,
                created_at: sqlite_instant(&row.get::<_, String>(5)?)?,
                updated_at: sqlite_instant(&row.get::<_, String>(6)?)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((users, tasks))
}

/// Django keeps SQLite datetimes as UTC text: `2026-12-01 15:30:00.123456`.
fn sqlite_instant(text: &str) -> rusqlite::Result<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
        .map(|naive| naive.and_utc())
        .or_else(|_| DateTime::parse_from_rfc3339(text).map(|at| at.with_timezone(&Utc)))
        .map_err(|err| {
            rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                format!("{text:?} is not a Django datetime: {err}").into(),
            )
        })
}

async fn read_postgres(url: &str) -> anyhow::Result<(Vec<DjangoUser>, Vec<DjangoTask>)> {
    let shown = crate::store::postgres::redacted(url);
    let target = crate::store::postgres::tls::target(url)
        .with_context(|| format!("invalid PostgreSQL URL {shown}"))?;
    let (client, connection) = target
        .config
        .connect(target.tls)
        .await
        .with_context(|| format!("cannot connect to {shown}"))?;
    let driver = tokio::spawn(connection);
    let not_django = || {
        format!("{shown} is not the Django backend's database (no auth_user and tasks_task tables)")
    };
    // Django's ids are int4 or int8 depending on the version that made them.
    let users = client
        .query(
            "SELECT id::bigint, username, email, password, is_active, is_superuser, date_joined \
             FROM auth_user ORDER BY id",
            &[],
        )
        .await
        .with_context(not_django)?
        .iter()
        .map(|row| DjangoUser {
            id: row.get(0),
            username: row.get(1),
            email: row.get(2),
            password: row.get(3),
            is_active: row.get(4),
            is_superuser: row.get(5),
            date_joined: row.get(6),
        })
        .collect();
    let tasks = client
        .query(
            "SELECT id::bigint, user_id::bigint, title, description, completed, created_at, \
             updated_at FROM tasks_task ORDER BY id",
            &[],
        )
        .await
        .with_context(not_django)?
        .iter()
        .map(|row| DjangoTask {
            id: row.get(0),
            user_id: row.get(1),
            title: row.get(2),
            description: row.get(3),
            completed: row.get(4),
            created_at: row.get(5),
            updated_at: row.get(6),
        })
        .collect();
    drop(client);
    let _ = driver.await;
    Ok((users, tasks))
}

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub accounts_added: usize,
    pub accounts_there: usize,
    pub tasks_added: usize,
    pub tasks_there: usize,
    /// Accounts left out, each with its tasks: the username is another
    /// account's.
    pub taken: Vec<(String, usize)>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Accounts: {} added, {} already here. Tasks: {} added, {} already here.",
            self.accounts_added, self.accounts_there, self.tasks_added, self.tasks_there
        )?;
        for (username, tasks) in &self.taken {
            writeln!(
                f,
                "Left out {:?} and their {tasks} tasks: taskd has another account of that name.",
                common::text::escape_control(username)
            )?;
        }
        if self.accounts_added > 0 {
            writeln!(
                f,
                "Each account keeps its Django password; its first login here replaces the \
                 stored hash with argon2id."
            )?;
        }
        Ok(())
    }
}

/// Brings `users` and their `tasks` into `store`.
pub async fn import(
    store: &dyn Store,
    users: Vec<DjangoUser>,
    tasks: Vec<DjangoTask>,
) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let mut by_owner: std::collections::HashMap<i64, Vec<DjangoTask>> =
        std::collections::HashMap::new();
    for task in tasks {
        by_owner.entry(task.user_id).or_default().push(task);
    }
    for user in users {
        let theirs = by_owner.remove(&user.id).unwrap_or_default();
        let adopted = store
            .adopt_user(LegacyUser {
                legacy_id: format!("django:{}", user.id),
                username: user.username.clone(),
                email: user.email,
                password_hash: user.password,
                is_active: user.is_active,
                is_admin: user.is_superuser,
                date_joined: user.date_joined,
            })
            .await?;
        let owner = match adopted {
            Adoption::Created(id) => {
                report.accounts_added += 1;
                id
            }
            Adoption::Already(id) => {
                report.accounts_there += 1;
                id
            }
            Adoption::Taken => {
                report.taken.push((user.username, theirs.len()));
                continue;
            }
        };
        let uuids: Vec<String> = theirs.iter().map(task_uuid).collect();
        let there: std::collections::HashSet<String> = store
            .tasks_by_uuid(owner, uuids.clone())
            .await?
            .into_iter()
            .map(|t| t.uuid)
            .collect();
        let now = Utc::now();
        let mut writes = Vec::new();
        for (task, uuid) in theirs.iter().zip(uuids) {
            if there.contains(&uuid) {
                report.tasks_there += 1;
                continue;
            }
            let fields = TaskFields {
                description: task.description.clone(),
                status: if task.completed {
                    Status::Done
                } else {
                    Status::Pending
                },
                ..TaskFields::titled(task.title.clone())
            };
            let dates = ImportedDates {
                entry: Some(task.created_at),
                modified: Some(task.updated_at),
                // Django keeps no completion time: the last change is the best known.
                end: task.completed.then_some(task.updated_at),
            };
            writes.push(ImportWrite {
                task: arrived(&uuid, fields, dates, &[], now),
                current: None,
                depends: Vec::new(),
            });
        }
        let added = writes.len();
        if added > 0 && !store.import_tasks(owner, writes).await? {
            bail!(
                "the tasks of {} changed during the import; run it again",
                user.username
            );
        }
        report.tasks_added += added;
    }
    Ok(report)
}

/// The uuid a Django task is known by here, the same on every run: made
/// from its id (and its owner's, as ids name tasks across users there).
fn task_uuid(task: &DjangoTask) -> String {
    let digest = Sha256::digest(format!("django-task:{}:{}", task.user_id, task.id));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn django_datetimes_read_as_utc() {
        assert_eq!(
            sqlite_instant("2026-12-01 15:30:00.123456").unwrap(),
            DateTime::parse_from_rfc3339("2026-12-01T15:30:00.123456Z").unwrap()
        );
        assert!(sqlite_instant("2026-12-01 15:30:00").is_ok());
        assert!(sqlite_instant("yesterday").is_err());
    }

    #[test]
    fn a_task_keeps_its_uuid_from_run_to_run() {
        let task = DjangoTask {
            id: 7,
            user_id: 2,
            title: "t".into(),
            description: String::new(),
            completed: false,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let uuid = task_uuid(&task);
        assert_eq!(uuid, task_uuid(&task.clone()));
        assert_ne!(uuid, task_uuid(&DjangoTask { id: 8, ..task }));
        assert!(uuid::Uuid::parse_str(&uuid).is_ok());
    }
}
