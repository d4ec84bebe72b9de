//! Each account's tallies (its tasks, its numbered tasks, the characters of
//! text in them) and the quotas held against them, kept in the same
//! transaction as every write to its tasks.
//!
//! Triggers keep them for deletes and for notes. A task row's insert and
//! update keep them here instead, with statements run right after: a
//! statement that fires a trigger writes to more than one table, and SQLite
//! then copies every page it touches into a statement journal so as to undo
//! it alone, which the writer never needs (a failed write is undone whole,
//! by its savepoint or its batch's rollback).

use rusqlite::{ffi, params, Connection};

use crate::store::Quota;

/// A task row's characters of text, as the tallies count them.
pub(super) const TEXT: &str = "length(title) + length(description) + COALESCE(length(project), 0) \
     + length(tags) + length(udas)";

/// The characters of text in task `task_id`'s row.
pub(super) fn text_of(conn: &Connection, task_id: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached(&format!("SELECT {TEXT} FROM tasks WHERE id = ?1"))?
        .query_row([task_id], |row| row.get(0))
}

/// A text's characters as SQLite's `length()` counts them: those before
/// its first NUL.
pub(super) fn length(text: &str) -> i64 {
    let counted = text
        .split('\0')
        .next()
        .map_or(0, |text| text.chars().count());
    i64::try_from(counted).unwrap_or(i64::MAX)
}

/// What a write adds to an account's tallies.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Added {
    pub tasks: i64,
    pub numbered: i64,
    pub chars: i64,
}

/// Adds `added` to `user_id`'s tallies, then refuses the write if it took
/// the account past a quota it grew toward: more tasks past the tasks
/// quota, more text past the text quota. An account over a lowered quota
/// can still finish, shorten and delete its tasks.
pub(super) fn add(conn: &Connection, user_id: i64, added: Added) -> rusqlite::Result<()> {
    if added == Added::default() {
        return Ok(());
    }
    conn.prepare_cached(
        "UPDATE users SET task_count = task_count + ?2, numbered = numbered + ?3, \
         task_chars = task_chars + ?4 WHERE id = ?1",
    )?
    .execute(params![user_id, added.tasks, added.numbered, added.chars])?;
    if added.tasks <= 0 && added.chars <= 0 {
        return Ok(());
    }
    let (tasks, chars, max_tasks, max_chars): (i64, i64, i64, i64) = conn
        .prepare_cached(
            "SELECT u.task_count, u.task_chars, q.max_tasks, q.max_chars \
             FROM users u, quotas q WHERE u.id = ?1 AND q.id = 1",
        )?
        .query_row([user_id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?;
    if added.tasks > 0 && max_tasks > 0 && tasks > max_tasks {
        return Err(passed(Quota::Tasks));
    }
    if added.chars > 0 && max_chars > 0 && chars > max_chars {
        return Err(passed(Quota::Text));
    }
    Ok(())
}

/// The error the quota triggers raise, so that both read the same to the
/// caller (`Quota::raised`).
fn passed(quota: Quota) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        ffi::Error::new(ffi::SQLITE_CONSTRAINT_TRIGGER),
        Some(format!("taskd quota: {quota}")),
    )
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use common::api::{Status, Task, UdaValue};

    use super::super::SqliteStore;
    use crate::{
        domain::tasks::{new_task, TaskFields},
        store::TaskStore,
    };

    /// The tallies kept, and the same counted afresh from the rows.
    async fn tallies(store: &SqliteStore, user_id: i64) -> ([i64; 3], [i64; 3]) {
        store
            .read(move |conn| {
                conn.query_row(
                    &format!(
                        "SELECT task_count, numbered, task_chars, \
                         (SELECT COUNT(*) FROM tasks WHERE user_id = ?1), \
                         (SELECT COUNT(*) FROM tasks WHERE user_id = ?1 AND number IS NOT NULL), \
                         (SELECT COALESCE(SUM({}), 0) FROM tasks WHERE user_id = ?1) \
                           + (SELECT COALESCE(SUM(length(a.text)), 0) FROM annotations a \
                              JOIN tasks t ON t.id = a.task_id WHERE t.user_id = ?1) \
                         FROM users WHERE id = ?1",
                        super::TEXT
                    ),
                    [user_id],
                    |row| {
                        Ok((
                            [row.get(0)?, row.get(1)?, row.get(2)?],
                            [row.get(3)?, row.get(4)?, row.get(5)?],
                        ))
                    },
                )
            })
            .await
            .unwrap()
    }

    #[test]
    fn a_length_counts_as_sqlite_does() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for text in [
            "",
            "plain",
            "ünïcödé ✓",
            "emoji 🦀🦀",
            "before\0after",
            "\0",
            "[\"x\"]",
        ] {
            let counted: i64 = conn
                .query_row("SELECT length(?1)", [text], |row| row.get(0))
                .unwrap();
            assert_eq!(super::length(text), counted, "{text:?}");
        }
    }

    #[tokio::test]
    async fn the_tallies_follow_every_insert_update_and_delete_of_a_task() {
        let (_dir, store, user) = super::super::tests::store_with_alice().await;
        let mut tasks = Vec::new();
        for n in 0..12 {
            let mut task = new_task(TaskFields::titled(format!("task ✓ {n}")), Utc::now());
            task.description = "d".repeat(n);
            if n == 1 {
                // SQLite counts a text's characters up to a NUL.
                task.description = "cut\0here".into();
            }
            if n % 3 == 0 {
                task.project = Some("home".into());
                task.tags = vec!["x".into(), "ünï".into()];
            }
            tasks.push(store.insert_task(user.id, task).await.unwrap());
            let (kept, counted) = tallies(&store, user.id).await;
            assert_eq!(kept, counted, "after creating task {n}");
        }

        let changes: [fn(&mut Task); 7] = [
            |task| task.title = "a longer title, with more to count".into(),
            |task| task.title = "short".into(),
            |task| task.project = None,
            |task| task.tags = vec!["one".into(), "two".into(), "three".into()],
            |task| {
                task.udas
                    .insert("estimate".into(), UdaValue::Text("three days".into()));
            },
            |task| {
                task.status = Status::Done;
                task.completed_at = Some(Utc::now());
                task.number = None;
            },
            |task| task.due = Some(Utc::now()),
        ];
        for (n, change) in changes.iter().enumerate() {
            let current = tasks[n].clone();
            let mut next = current.clone();
            change(&mut next);
            next.version += 1;
            tasks[n] = store
                .replace_task(user.id, next, current)
                .await
                .unwrap()
                .unwrap();
            let (kept, counted) = tallies(&store, user.id).await;
            assert_eq!(kept, counted, "after change {n}");
        }

        // Reopened: the task takes a number again.
        let current = tasks[5].clone();
        let mut reopened = current.clone();
        reopened.status = Status::Pending;
        reopened.completed_at = None;
        reopened.version += 1;
        let reopened = store
            .replace_task(user.id, reopened, current)
            .await
            .unwrap()
            .unwrap();
        assert!(reopened.number.is_some());
        let (kept, counted) = tallies(&store, user.id).await;
        assert_eq!(kept, counted, "after reopening");

        for task in &tasks[8..] {
            assert!(store
                .delete_task(user.id, task.id, task.version)
                .await
                .unwrap());
        }
        let (kept, counted) = tallies(&store, user.id).await;
        assert_eq!(kept, counted, "after deleting");
        assert_eq!(kept[0], 8);
    }
}
