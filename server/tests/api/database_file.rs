//! The SQLite file under load, faults and mistakes: a backup made while
//! writes go on, a file of another program or of a newer taskd left as it
//! is, commands that leave migrating to `taskd migrate`, a file deleted
//! under the daemon, a second daemon through another path, and a file
//! others could read.

use std::{
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    daemon::{taskd, Daemon, TASKD},
    health::SmallDisk,
    helpers::PASSWORD,
};

/// Starts `taskd` on `db`, which must refuse: its standard error.
fn refused_to_serve(db: &str) -> String {
    let mut child = Command::new(TASKD)
        .args(["--bind", "127.0.0.1:0", "--database", db])
        .env_remove("TASKD_DATABASE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("taskd served {db}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    stderr
}

/// Every file of `dir`, with its bytes.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            (
                entry.file_name().to_string_lossy().into_owned(),
                std::fs::read(entry.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A database of `MB` megabytes of tasks, served.
async fn big_database(db: &str, megabytes: usize) -> (Daemon, String) {
    let daemon = Daemon::start(&["--database", db], &[]);
    let token = daemon.signup("alice").await;
    let description = "lorem ipsum ".repeat(800);
    let per_batch = 250;
    let batches = megabytes * 1024 * 1024 / (description.len() * per_batch) + 1;
    for batch in 0..batches {
        let tasks: Vec<Value> = (0..per_batch)
            .map(|n| {
                json!({
                    "description": format!("task {batch}-{n}"),
                    "taskd_description": description,
                    "status": "pending",
                    "entry": "20261201T000000Z",
                })
            })
            .collect();
        let response = daemon
            .post("/api/import/", Some(&token), json!(tasks))
            .await;
        assert!(
            response.status().is_success(),
            "{}",
            response.text().await.unwrap()
        );
    }
    (daemon, token)
}

#[tokio::test]
async fn a_backup_finishes_in_seconds_while_30_writes_a_second_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("db.sqlite3");
    let db = database.to_str().unwrap().to_string();
    let (daemon, token) = big_database(&db, 13).await;
    let size = std::fs::metadata(&database).unwrap().len()
        + std::fs::metadata(dir.path().join("db.sqlite3-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    assert!(size > 12 * 1024 * 1024, "{size} bytes");

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writing = {
        let stop = std::sync::Arc::clone(&stop);
        let (client, url, token) = (daemon.client.clone(), daemon.url.clone(), token.clone());
        tokio::spawn(async move {
            let mut written = 0;
            let mut tick = tokio::time::interval(Duration::from_millis(33));
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                tick.tick().await;
                let response = client
                    .post(format!("{url}/api/tasks/"))
                    .bearer_auth(&token)
                    .json(&json!({"title": format!("during {written}")}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::CREATED);
                written += 1;
            }
            written
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let copy = dir.path().join("copy.sqlite3");
    let started = Instant::now();
    let output = {
        let (db, copy) = (db.clone(), copy.clone());
        tokio::task::spawn_blocking(move || {
            taskd(
                &["--database", &db, "backup", copy.to_str().unwrap()],
                "",
                &[],
            )
        })
        .await
        .unwrap()
    };
    let took = started.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writing.await.unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(took < Duration::from_secs(20), "the backup took {took:?}");
    assert!(written > 5, "only {written} writes went on");

    let conn = rusqlite::Connection::open(&copy).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let tasks: i64 = conn
        .query_row("SELECT COUNT(*) FROM tasks", [], |row| row.get(0))
        .unwrap();
    assert!(tasks >= 1000, "{tasks} tasks in the copy");
    assert_eq!(mode(&copy), 0o600);
    let leftovers: Vec<String> = snapshot(dir.path())
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| name.contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A backup that fails half-way (its disk fills up) leaves nothing.
    let disk = SmallDisk::mount("1m");
    let target = disk.path("copy.sqlite3");
    let failed = taskd(
        &["--database", &db, "backup", target.to_str().unwrap()],
        "",
        &[],
    );
    assert_eq!(failed.status.code(), Some(1));
    let entries: Vec<_> = std::fs::read_dir(disk.path("")).unwrap().collect();
    assert!(entries.is_empty(), "{entries:?}");
    drop(daemon);
}

#[tokio::test]
async fn a_database_of_another_program_or_a_newer_taskd_is_refused_and_left_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    // Another program's SQLite file, in rollback-journal mode.
    let foreign = dir.path().join("photos.db");
    {
        let conn = rusqlite::Connection::open(&foreign).unwrap();
        conn.execute_batch("CREATE TABLE albums (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO albums (name) VALUES ('summer');")
            .unwrap();
    }
    // A text file.
    let notes = dir.path().join("notes.txt");
    std::fs::write(
        &notes,
        "not a database at all, but long enough to have a header ".repeat(4),
    )
    .unwrap();
    // A taskd database migrated by a newer taskd.
    let newer = dir.path().join("newer.sqlite3");
    {
        let daemon = Daemon::start(&["--database", newer.to_str().unwrap()], &[]);
        daemon.signup("alice").await;
        drop(daemon);
        let conn = rusqlite::Connection::open(&newer).unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA user_version = 999;")
            .unwrap();
    }
    std::fs::remove_file(dir.path().join("newer.sqlite3-wal")).ok();
    std::fs::remove_file(dir.path().join("newer.sqlite3-shm")).ok();
    let before = snapshot(dir.path());

    for (path, says) in [
        (&foreign, "another program"),
        (&notes, "not an SQLite database"),
        (&newer, "newer than this taskd"),
    ] {
        let db = path.to_str().unwrap();
        let stderr = refused_to_serve(db);
        assert!(stderr.contains(says), "{db}: {stderr}");
        for args in [
            vec!["--database", db, "migrate"],
            vec![
                "--database",
                db,
                "createuser",
                "--username",
                "bob",
                "--password-stdin",
            ],
            vec!["--database", db, "backup", "/nonexistent/copy.sqlite3"],
        ] {
            let output = taskd(&args, &format!("{PASSWORD}\n"), &[]);
            assert_eq!(output.status.code(), Some(1), "{args:?}");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(stderr.contains(says), "{args:?}: {stderr}");
        }
    }
    let after: Vec<(String, Vec<u8>)> = snapshot(dir.path())
        .into_iter()
        .filter(|(name, _)| !name.ends_with("-shm") && !name.ends_with("-wal"))
        .collect();
    let before: Vec<(String, Vec<u8>)> = before
        .into_iter()
        .filter(|(name, _)| !name.ends_with("-shm") && !name.ends_with("-wal"))
        .collect();
    assert!(after == before, "a refused file was changed");
}

#[tokio::test]
async fn commands_leave_migrating_an_older_database_to_taskd_migrate() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("db.sqlite3");
    let db = database.to_str().unwrap();
    let daemon = Daemon::start(&["--database", db], &[]);
    daemon.signup("alice").await;
    drop(daemon);
    // Marked as a taskd one schema older left it (what that schema lacks
    // does not matter: nothing may touch it).
    let current: i64 = {
        let conn = rusqlite::Connection::open(&database).unwrap();
        let current = conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        conn.execute_batch(&format!("PRAGMA user_version = {};", current - 1))
            .unwrap();
        current
    };
    for args in [
        vec![
            "--database",
            db,
            "createsuperuser",
            "--username",
            "alice",
            "--yes",
        ],
        vec![
            "--database",
            db,
            "createuser",
            "--username",
            "bob",
            "--password-stdin",
        ],
        vec![
            "--database",
            db,
            "backup",
            dir.path().join("copy").to_str().unwrap(),
        ],
    ] {
        let output = taskd(&args, &format!("{PASSWORD}\n"), &[]);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("run `taskd migrate` first"),
            "{args:?}: {stderr}"
        );
    }
    let version = |path: &Path| -> i64 {
        rusqlite::Connection::open(path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap()
    };
    assert_eq!(version(&database), current - 1, "nothing migrated it");
    assert!(!dir.path().join("copy").exists());
    // Once it is current again, the commands work.
    rusqlite::Connection::open(&database)
        .unwrap()
        .execute_batch(&format!("PRAGMA user_version = {current};"))
        .unwrap();
    let added = taskd(
        &[
            "--database",
            db,
            "createuser",
            "--username",
            "bob",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
        &[],
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
}

#[tokio::test]
async fn a_database_file_deleted_under_the_daemon_acknowledges_no_write() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("db.sqlite3");
    let db = database.to_str().unwrap();
    let daemon = Daemon::start(&["--database", db], &[]);
    let token = daemon.signup("alice").await;
    let made = daemon
        .post("/api/tasks/", Some(&token), json!({"title": "before"}))
        .await;
    assert_eq!(made.status(), StatusCode::CREATED);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{db}{suffix}"));
    }
    for n in 0..5 {
        let response = daemon
            .post(
                "/api/tasks/",
                Some(&token),
                json!({"title": format!("lost {n}")}),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "write {n}"
        );
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let health = daemon
        .client
        .get(format!("{}/healthz", daemon.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::SERVICE_UNAVAILABLE);
    let said = health.text().await.unwrap();
    assert!(said.contains("deleted"), "{said}");
}

#[tokio::test]
async fn a_second_daemon_is_refused_through_a_symlink_or_a_hard_link() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("db.sqlite3");
    let db = database.to_str().unwrap();
    let first = Daemon::start(&["--database", db], &[]);
    first.signup("alice").await;
    let symlink = dir.path().join("link.sqlite3");
    std::os::unix::fs::symlink(&database, &symlink).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let hard = elsewhere.path().join("hard.sqlite3");
    std::fs::hard_link(&database, &hard).unwrap();
    for path in [&symlink, &hard] {
        let stderr = refused_to_serve(path.to_str().unwrap());
        assert!(
            stderr.contains("another taskd is already serving"),
            "{stderr}"
        );
    }
    first.login("alice", PASSWORD).await;
}

#[tokio::test]
async fn a_database_others_could_read_is_made_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("db.sqlite3");
    let db = database.to_str().unwrap();
    let daemon = Daemon::start(&["--database", db], &[]);
    daemon.signup("alice").await;
    drop(daemon);
    for suffix in ["", "-wal", "-shm", ".jwt-secret"] {
        let path = format!("{db}{suffix}");
        if Path::new(&path).exists() {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
    let daemon = Daemon::start(&["--database", db], &[]);
    daemon.login("alice", PASSWORD).await;
    for suffix in ["", "-wal", "-shm", ".jwt-secret"] {
        let path = format!("{db}{suffix}");
        if Path::new(&path).exists() {
            assert_eq!(mode(Path::new(&path)), 0o600, "{path}");
        }
    }
    let logs = daemon.logs.lock().unwrap().join("\n");
    assert!(logs.contains("readable by its owner only"), "{logs}");
}
