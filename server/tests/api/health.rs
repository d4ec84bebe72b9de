//! `/healthz` says whether the database can be written, not only read.

use std::{io::Write, path::PathBuf, process::Command, time::Duration};

use reqwest::StatusCode;
use serde_json::json;
use taskd::store::Database;

use crate::helpers::{body, problem, TestApp};

/// A small tmpfs, unmounted when dropped. Mounting needs root, as `.ci/run`
/// has; a test that cannot mount fails rather than passing unseen.
pub(crate) struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    pub(crate) fn mount(size: &str) -> SmallDisk {
        let dir = tempfile::tempdir().unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("running mount");
        assert!(
            mounted.success(),
            "this test mounts a small tmpfs to fill it: run it as root"
        );
        SmallDisk { dir }
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file until the disk is full.
    fn fill(&self) {
        let mut filler = std::fs::File::create(self.path("filler")).unwrap();
        let block = vec![0u8; 16 * 1024];
        while filler.write_all(&block).is_ok() {}
        // The last partial block may have been taken: nothing is left.
        let _ = filler.write_all(&[0u8; 512]);
        let _ = filler.write_all(&[0u8; 1]);
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

async fn healthz(app: &TestApp) -> reqwest::Response {
    app.request(reqwest::Method::GET, "/healthz")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn healthz_is_503_while_the_disk_is_full_and_200_once_space_returns() {
    let disk = SmallDisk::mount("2m");
    let database = disk.path("taskd.sqlite3");
    let app = TestApp::spawn_with(|config| config.database = Database::Sqlite(database)).await;
    let alice = app.user("alice").await;
    app.task(&alice, json!({"title": "before"})).await;
    assert_eq!(healthz(&app).await.status(), StatusCode::OK);

    disk.fill();
    // The outcome of the last write probe stands for a second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let full = problem(healthz(&app).await, StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(
        full["detail"]
            .as_str()
            .unwrap()
            .contains("cannot be written"),
        "{full}"
    );
    // Writes are refused, not acknowledged and lost; reads go on.
    let refused = app
        .post(
            "/api/tasks/",
            &alice.access,
            &json!({"title": "while full"}),
        )
        .send()
        .await
        .unwrap();
    problem(refused, StatusCode::SERVICE_UNAVAILABLE).await;
    let listed = app.get("/api/tasks/", &alice.access).send().await.unwrap();
    assert_eq!(listed.status(), StatusCode::OK);
    let titles: Vec<String> = body(listed).await["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|task| task["title"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(titles, ["before"]);

    std::fs::remove_file(disk.path("filler")).unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(healthz(&app).await.status(), StatusCode::OK);
    app.task(&alice, json!({"title": "after"})).await;
}

#[tokio::test]
async fn commits_reach_the_database_file_itself_soon_after() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("taskd.sqlite3");
    let app =
        TestApp::spawn_with(|config| config.database = Database::Sqlite(database.clone())).await;
    let alice = app.user("alice").await;
    // Far fewer pages than the writer's own checkpoint threshold: only
    // checkpoints beside the writer copy them out of the WAL.
    for n in 0..30 {
        app.task(&alice, json!({"title": format!("task {n}")}))
            .await;
    }
    let copy = dir.path().join("without-wal.sqlite3");
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let tasks = loop {
        // The file alone, as a copy of it without its WAL would read. A
        // copy taken mid-checkpoint may be torn: that counts as not yet.
        let tasks = std::fs::copy(&database, &copy)
            .ok()
            .and_then(|_| rusqlite::Connection::open(&copy).ok())
            .and_then(|conn| {
                conn.query_row("SELECT COUNT(*) FROM tasks", [], |row| row.get::<_, i64>(0))
                    .ok()
            });
        if tasks == Some(30) || std::time::Instant::now() > deadline {
            break tasks;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        tasks,
        Some(30),
        "the database file holds {tasks:?} of 30 tasks"
    );
}
