//! Answers to reads the daemon keeps and gives again: never after a write
//! its client has heard of, never to another user or to a login revoked.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use serde_json::{json, Value};
use taskd::store::Database;

use crate::helpers::{body, problem, TestApp, TestUser};

const LIST: &str = "/api/tasks/?status=all&ordering=id";

async fn read(app: &TestApp, user: &TestUser, path: &str) -> Value {
    let response = app.get(path, &user.access).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    body(response).await
}

/// The list's titles and the task's JSON, each read twice so that an
/// answer is kept to be (wrongly) given after the next write.
async fn reads(app: &TestApp, user: &TestUser, task: &str) -> (Vec<String>, Value) {
    read(app, user, LIST).await;
    read(app, user, task).await;
    let list = read(app, user, LIST).await["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|task| task["title"].as_str().unwrap().to_string())
        .collect();
    (list, read(app, user, task).await)
}

/// A daemon on SQLite whatever backend the run tests, with its database file.
async fn sqlite_app() -> (tempfile::TempDir, std::path::PathBuf, TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("taskd.sqlite3");
    let sqlite = database.clone();
    let app = TestApp::spawn_with(|config| config.database = Database::Sqlite(sqlite)).await;
    (dir, database, app)
}

/// A task of `user`'s titled "before", read (so its answer is kept), then
/// retitled "beside" through `beside`, a connection the daemon does not
/// see writing: its path, and when its answer was kept.
async fn kept_then_changed_beside(
    app: &TestApp,
    user: &TestUser,
    beside: &rusqlite::Connection,
) -> (String, Instant) {
    let id = app.task(user, json!({"title": "before"})).await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/tasks/{id}/");
    let kept_at = Instant::now();
    read(app, user, &path).await;
    beside
        .execute("UPDATE tasks SET title = 'beside' WHERE id = ?1", [id])
        .unwrap();
    (path, kept_at)
}

async fn ok(response: reqwest::RequestBuilder) -> Value {
    let response = response.send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    if response.status() == StatusCode::NO_CONTENT {
        return Value::Null;
    }
    body(response).await
}

#[tokio::test]
async fn every_kind_of_write_shows_in_the_next_read() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let a = app.task(&alice, json!({"title": "a"})).await["id"]
        .as_i64()
        .unwrap();
    let b = app
        .task(&alice, json!({"title": "b", "depends": [a]}))
        .await["id"]
        .as_i64()
        .unwrap();
    let task_b = format!("/api/tasks/{b}/");
    let (list, task) = reads(&app, &alice, &task_b).await;
    assert_eq!(
        (list, &task["blocked"]),
        (vec!["a".into(), "b".into()], &json!(true))
    );

    ok(app.patch(
        &format!("/api/tasks/{a}/"),
        &alice.access,
        &json!({"title": "a2"}),
    ))
    .await;
    let (list, _) = reads(&app, &alice, &task_b).await;
    assert_eq!(list, ["a2", "b"]);

    let note = json!({"text": "a note"});
    ok(app.post(&format!("{task_b}annotations/"), &alice.access, &note)).await;
    let (_, task) = reads(&app, &alice, &task_b).await;
    assert_eq!(task["annotations"][0]["text"], "a note");

    // What another task's change does to this one: b waits for a no more.
    let done = json!({"status": "done"});
    ok(app.patch(&format!("/api/tasks/{a}/"), &alice.access, &done)).await;
    let (_, task) = reads(&app, &alice, &task_b).await;
    assert_eq!(task["blocked"], false);

    let reopen = json!({"ids": [a], "action": "reopen"});
    ok(app.post("/api/tasks/bulk/", &alice.access, &reopen)).await;
    let (_, task) = reads(&app, &alice, &task_b).await;
    assert_eq!(task["blocked"], true);

    ok(app.post(&format!("{task_b}start/"), &alice.access, &json!({}))).await;
    let (_, task) = reads(&app, &alice, &task_b).await;
    assert!(task["start"].is_string(), "{task}");

    ok(app.delete(&format!("/api/tasks/{a}/"), &alice.access)).await;
    let (list, task) = reads(&app, &alice, &task_b).await;
    assert_eq!((list, &task["depends"]), (vec!["b".into()], &json!([])));

    ok(app.post("/api/undo/", &alice.access, &json!({}))).await;
    let (list, task) = reads(&app, &alice, &task_b).await;
    assert_eq!(
        (list, &task["depends"]),
        (vec!["a2".into(), "b".into()], &json!([a]))
    );

    ok(app.post("/api/redo/", &alice.access, &json!({}))).await;
    let (list, _) = reads(&app, &alice, &task_b).await;
    assert_eq!(list, ["b"]);

    let restore = format!("/api/trash/{a}/restore/");
    ok(app.post(&restore, &alice.access, &json!({}))).await;
    let (list, _) = reads(&app, &alice, &task_b).await;
    assert_eq!(list, ["a2", "b"]);

    let note = task["annotations"][0]["id"].as_i64().unwrap();
    ok(app.delete(&format!("{task_b}annotations/{note}/"), &alice.access)).await;
    let (_, task) = reads(&app, &alice, &task_b).await;
    assert_eq!(task["annotations"], json!([]));

    let imported = json!([{"uuid": "0d9e8a3c-5f4b-4c1e-9a2b-0000000000c1",
        "description": "imported", "status": "pending", "entry": "20261101T090000Z"}]);
    ok(app.post("/api/import/", &alice.access, &imported)).await;
    let (list, _) = reads(&app, &alice, &task_b).await;
    assert_eq!(list, ["a2", "b", "imported"]);
}

/// Readers keep the answers warm while a writer changes the task: once a
/// write is acknowledged, no read shows what it replaced.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_read_after_an_acknowledged_write_sees_what_it_replaced() {
    let app = Arc::new(TestApp::spawn().await);
    let alice = Arc::new(app.user("alice").await);
    let id = app.task(&alice, json!({"title": "0"})).await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/tasks/{id}/");
    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..6)
        .map(|n| {
            let (app, alice, stop) = (Arc::clone(&app), Arc::clone(&alice), Arc::clone(&stop));
            let path = if n % 2 == 0 {
                path.clone()
            } else {
                LIST.to_string()
            };
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    read(&app, &alice, &path).await;
                }
            })
        })
        .collect();
    for n in 1..=40 {
        let title = n.to_string();
        ok(app.patch(&path, &alice.access, &json!({"title": title}))).await;
        assert_eq!(read(&app, &alice, &path).await["title"], title);
        assert_eq!(read(&app, &alice, LIST).await["results"][0]["title"], title);
    }
    stop.store(true, Ordering::Relaxed);
    for reader in readers {
        reader.await.unwrap();
    }
}

#[tokio::test]
async fn kept_answers_are_each_users_own_and_need_a_live_login() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let id = app.task(&alice, json!({"title": "alice's"})).await["id"]
        .as_i64()
        .unwrap();
    app.task(&bob, json!({"title": "bob's"})).await;
    let path = format!("/api/tasks/{id}/");
    read(&app, &alice, &path).await;
    assert_eq!(
        read(&app, &alice, LIST).await["results"][0]["title"],
        "alice's"
    );
    assert_eq!(read(&app, &bob, LIST).await["results"][0]["title"], "bob's");
    let response = app.get(&path, &bob.access).send().await.unwrap();
    problem(response, StatusCode::NOT_FOUND).await;

    let logout = json!({"refresh": alice.refresh});
    ok(app.post("/api/logout/", &alice.access, &logout)).await;
    for path in [path.as_str(), LIST] {
        let response = app.get(path, &alice.access).send().await.unwrap();
        problem(response, StatusCode::UNAUTHORIZED).await;
    }
}

/// The daemon's own sweep deletes a task past its `until` with no client
/// writing: the next read after it must not list the task. Each round reads
/// the task afresh, then the list (whose answer each round keeps young);
/// once the task is gone, the list read after must not show it.
#[tokio::test]
async fn a_task_the_sweep_deletes_leaves_the_next_read() {
    let app = TestApp::spawn_with(|config| config.sweep_every = Duration::from_millis(50)).await;
    let alice = app.user("alice").await;
    let until = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    let id = app
        .task(&alice, json!({"title": "expiring", "until": until}))
        .await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/tasks/{id}/");
    let listed = |list: &Value| {
        list["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|task| task["id"] == id)
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let fresh = app
            .get(&path, &alice.access)
            .header("cache-control", "no-cache")
            .send()
            .await
            .unwrap()
            .status();
        let list = read(&app, &alice, LIST).await;
        if fresh == StatusCode::NOT_FOUND {
            assert!(!listed(&list), "the sweep's delete was not seen: {list}");
            break;
        }
        assert_eq!(fresh, StatusCode::OK);
        // Gone between the two reads: nothing kept was tested this time.
        if !listed(&list) {
            break;
        }
        assert!(Instant::now() < deadline, "the sweep never deleted it");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A command beside the daemon (`taskd import-django`) writes without the
/// daemon's knowing: its change shows within a second, and at once to a
/// client asking for a fresh answer. The SQLite backend only: on
/// PostgreSQL every write moves the account's count, which each request
/// reads.
#[tokio::test]
async fn a_write_beside_the_daemon_shows_within_a_second_or_at_once_when_asked() {
    let (_dir, database, app) = sqlite_app().await;
    let alice = app.user("alice").await;
    let beside = rusqlite::Connection::open(&database).unwrap();
    let (path, kept_at) = kept_then_changed_beside(&app, &alice, &beside).await;
    let title = read(&app, &alice, &path).await["title"].clone();
    // Within the second an answer is kept, the one kept is given.
    if kept_at.elapsed() < Duration::from_millis(900) {
        assert_eq!(title, "before");
    }
    let fresh = app
        .get(&path, &alice.access)
        .header("cache-control", "no-cache")
        .send()
        .await
        .unwrap();
    assert_eq!(body(fresh).await["title"], "beside");
    // What the fresh read found is kept in place of the older answer.
    assert_eq!(read(&app, &alice, &path).await["title"], "beside");

    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(read(&app, &alice, &path).await["title"], "beside");
}

/// On SQLite a write to one account's tasks moves that account's epoch
/// only: another account's kept answers stay. A change made beside the
/// daemon, which the daemon does not see, shows whether alice's answer was
/// kept through bob's write; her own write then moves her epoch on.
#[tokio::test]
async fn a_write_to_one_account_keeps_the_others_answers() {
    let (_dir, database, app) = sqlite_app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let bobs = app.task(&bob, json!({"title": "bob's"})).await["id"]
        .as_i64()
        .unwrap();
    let beside = rusqlite::Connection::open(&database).unwrap();
    // Within a second of keeping it, or the answer has aged out anyway:
    // tried again on a machine too slow for that.
    let mut timely = false;
    for attempt in 0..5 {
        let (path, kept_at) = kept_then_changed_beside(&app, &alice, &beside).await;
        let patch = json!({"title": format!("bob's {attempt}")});
        ok(app.patch(&format!("/api/tasks/{bobs}/"), &bob.access, &patch)).await;
        let title = read(&app, &alice, &path).await["title"].clone();
        if kept_at.elapsed() < Duration::from_millis(900) {
            assert_eq!(title, "before", "bob's write dropped alice's answer");
            timely = true;
        }
        app.task(&alice, json!({"title": "another"})).await;
        assert_eq!(read(&app, &alice, &path).await["title"], "beside");
        if timely {
            break;
        }
    }
    assert!(timely, "no try read twice within a second");
}

/// The SQLite writer learns which commits change tasks from SQLite's update
/// hook, which never fires for tables without rowid: each of those must be
/// one reviewed as changing only beside a table the hook sees.
#[tokio::test]
async fn every_sqlite_table_without_rowid_is_one_reviewed() {
    let (_dir, database, app) = sqlite_app().await;
    app.user("alice").await;
    let schema = rusqlite::Connection::open(&database).unwrap();
    let unseen: Vec<String> = schema
        .prepare(
            "SELECT name FROM sqlite_schema \
             WHERE type = 'table' AND sql LIKE '%WITHOUT ROWID%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(unseen, taskd::store::sqlite::task_writes::UNSEEN);
}
