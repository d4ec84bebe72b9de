//! Several real `taskd` processes on one PostgreSQL database, as behind a
//! load balancer with no sticky sessions: whatever one daemon does, the
//! others know at once. Needs `TASKD_TEST_POSTGRES`; without it each test
//! says so and passes without running.

use std::time::Duration;

use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    daemon::{taskd, Daemon},
    helpers::{postgres_server, TestDatabase, PASSWORD},
};

/// A fresh PostgreSQL database, or `None` (and a note) when the run has none.
pub(crate) async fn database() -> Option<TestDatabase> {
    match postgres_server() {
        Some(server) => Some(TestDatabase::postgres(&server).await),
        None => {
            eprintln!("TASKD_TEST_POSTGRES is not set: this PostgreSQL test did not run");
            None
        }
    }
}

/// `count` daemons on `database`, started one after another.
pub(crate) fn daemons(database: &TestDatabase, count: usize) -> Vec<Daemon> {
    (0..count)
        .map(|_| Daemon::start(&["--database", &database.arg()], &[]))
        .collect()
}

async fn send(
    daemon: &Daemon,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = daemon
        .client
        .request(method, format!("{}{path}", daemon.url));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

/// Registers `username` through `daemon` and logs in: (access, refresh).
pub(crate) async fn account(daemon: &Daemon, username: &str) -> (String, String) {
    let registered = daemon
        .post(
            "/api/register/",
            None,
            json!({"username": username, "password": PASSWORD}),
        )
        .await;
    assert_eq!(registered.status(), StatusCode::CREATED);
    login(daemon, username, PASSWORD).await
}

async fn login(daemon: &Daemon, username: &str, password: &str) -> (String, String) {
    let response = daemon
        .post(
            "/api/login/",
            None,
            json!({"username": username, "password": password}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let tokens: Value = response.json().await.unwrap();
    (
        tokens["access"].as_str().unwrap().to_string(),
        tokens["refresh"].as_str().unwrap().to_string(),
    )
}

async fn get(daemon: &Daemon, access: &str, path: &str) -> Value {
    let response = send(daemon, Method::GET, path, Some(access), None).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.unwrap()
}

/// A few checks of `access` through `daemon`, a moment apart: by the last,
/// the daemon keeps the check and its beats are running, so what follows
/// is answered from memory unless the daemon heard of a change.
async fn warm(daemon: &Daemon, access: &str) {
    for _ in 0..5 {
        assert_eq!(me(daemon, access).await, StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
}

async fn me(daemon: &Daemon, access: &str) -> StatusCode {
    send(daemon, Method::GET, "/api/me/", Some(access), None)
        .await
        .status()
}

#[tokio::test]
async fn a_login_on_one_daemon_works_on_all_and_its_end_reaches_all_at_once() {
    let Some(database) = database().await else {
        return;
    };
    let all = daemons(&database, 3);
    let (a, others) = all.split_first().unwrap();

    // Logout through A: B and C refuse the very next request.
    let (access, refresh) = account(a, "alice").await;
    for daemon in &all {
        warm(daemon, &access).await;
    }
    let out = send(
        a,
        Method::POST,
        "/api/logout/",
        Some(&access),
        Some(json!({"refresh": refresh})),
    )
    .await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    for daemon in others {
        assert_eq!(me(daemon, &access).await, StatusCode::UNAUTHORIZED);
    }

    // A password change through A.
    let (access, _) = login(&others[0], "alice", PASSWORD).await;
    for daemon in others {
        warm(daemon, &access).await;
    }
    let changed = send(
        a,
        Method::POST,
        "/api/me/password/",
        Some(&access),
        Some(json!({"current_password": PASSWORD, "new_password": "another horse staple"})),
    )
    .await;
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    for daemon in others {
        assert_eq!(me(daemon, &access).await, StatusCode::UNAUTHORIZED);
    }

    // Deactivation and deletion by an admin through A.
    let admin = taskd(
        &[
            "createsuperuser",
            "--database",
            &database.arg(),
            "--username",
            "root",
            "--password-stdin",
        ],
        "root password 1\n",
        &[],
    );
    assert!(
        admin.status.success(),
        "{}",
        String::from_utf8_lossy(&admin.stderr)
    );
    let (root, _) = login(&others[1], "root", "root password 1").await;
    let (bob, _) = account(&others[0], "bob").await;
    let bob_id = send(a, Method::GET, "/api/me/", Some(&bob), None)
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .clone();
    let path = format!("/api/admin/users/{bob_id}/");
    for daemon in others {
        warm(daemon, &bob).await;
    }
    let deactivated = send(
        a,
        Method::PATCH,
        &path,
        Some(&root),
        Some(json!({"is_active": false})),
    )
    .await;
    assert_eq!(deactivated.status(), StatusCode::OK);
    for daemon in others {
        assert_eq!(me(daemon, &bob).await, StatusCode::UNAUTHORIZED);
    }
    let reactivated = send(
        &others[1],
        Method::PATCH,
        &path,
        Some(&root),
        Some(json!({"is_active": true})),
    )
    .await;
    assert_eq!(reactivated.status(), StatusCode::OK);
    let (bob, _) = login(&others[0], "bob", PASSWORD).await;
    for daemon in others {
        warm(daemon, &bob).await;
    }
    let deleted = send(a, Method::DELETE, &path, Some(&root), None).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    for daemon in others {
        assert_eq!(me(daemon, &bob).await, StatusCode::UNAUTHORIZED);
    }

    // No secret was given: one was generated, once, in the database.
    let secrets: i64 = database
        .connect()
        .await
        .query_one(
            "SELECT COUNT(*) FROM settings WHERE name = 'jwt_secret'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(secrets, 1);
}

/// No daemon gives again an answer it read before another daemon's write.
#[tokio::test]
async fn a_read_through_one_daemon_shows_a_write_through_another_at_once() {
    let Some(database) = database().await else {
        return;
    };
    let all = daemons(&database, 2);
    let (access, _) = account(&all[0], "alice").await;
    warm(&all[1], &access).await;
    let created = send(
        &all[0],
        Method::POST,
        "/api/tasks/",
        Some(&access),
        Some(json!({"title": "0"})),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let path = format!(
        "/api/tasks/{}/",
        created.json::<Value>().await.unwrap()["id"]
    );
    for n in 1..=5 {
        // Read twice through the second daemon, write through the first.
        for _ in 0..2 {
            get(&all[1], &access, &path).await;
            get(&all[1], &access, "/api/tasks/").await;
        }
        let patched = send(
            &all[0],
            Method::PATCH,
            &path,
            Some(&access),
            Some(json!({"title": n.to_string()})),
        )
        .await;
        assert_eq!(patched.status(), StatusCode::OK);
        // The write's answer is what a read through the other daemon gives
        // (urgency, which moves with the clock, aside).
        let mut patched: Value = patched.json().await.unwrap();
        let mut read = get(&all[1], &access, &path).await;
        for task in [&mut patched, &mut read] {
            task.as_object_mut().unwrap().remove("urgency");
        }
        assert_eq!(patched, read);
        assert_eq!(read["title"], n.to_string());
        assert_eq!(
            get(&all[1], &access, "/api/tasks/").await["results"][0]["title"],
            n.to_string()
        );
    }
    // A delete, and its undo, are heard as at once.
    let deleted = send(&all[0], Method::DELETE, &path, Some(&access), None).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(get(&all[1], &access, "/api/tasks/").await["count"], 0);
    warm(&all[1], &access).await;
    get(&all[1], &access, "/api/tasks/").await;
    let undone = send(
        &all[0],
        Method::POST,
        "/api/undo/",
        Some(&access),
        Some(json!({})),
    )
    .await;
    assert_eq!(undone.status(), StatusCode::OK);
    assert_eq!(get(&all[1], &access, "/api/tasks/").await["count"], 1);
    assert_eq!(get(&all[1], &access, &path).await["title"], "5");
}

/// Polls each daemon with `access` until it refuses it, for at most two
/// seconds each.
async fn refused_by_all_within_two_seconds(all: &[Daemon], access: &str) {
    for daemon in all {
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        while me(daemon, access).await != StatusCode::UNAUTHORIZED {
            assert!(std::time::Instant::now() < deadline, "{}", daemon.url);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// The daemons answer login checks from memory between changes; a change
/// made in the database by hand, past every daemon, still reaches them.
#[tokio::test]
async fn a_change_made_by_hand_in_the_database_reaches_every_daemon_within_a_moment() {
    let Some(database) = database().await else {
        return;
    };
    let all = daemons(&database, 2);
    let (access, _) = account(&all[0], "alice").await;
    let created = all[0]
        .post("/api/tasks/", Some(&access), json!({"title": "as typed"}))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let path = format!(
        "/api/tasks/{}/",
        created.json::<Value>().await.unwrap()["id"]
    );
    for daemon in &all {
        for _ in 0..3 {
            assert_eq!(get(daemon, &access, &path).await["title"], "as typed");
        }
    }
    let hand = database.connect().await;

    hand.execute("UPDATE tasks SET title = 'by hand'", &[])
        .await
        .unwrap();
    for daemon in &all {
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        while get(daemon, &access, &path).await["title"] != "by hand" {
            assert!(std::time::Instant::now() < deadline, "{}", daemon.url);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    hand.execute(
        "UPDATE sessions SET revoked = TRUE WHERE user_id = \
         (SELECT id FROM users WHERE username = 'alice')",
        &[],
    )
    .await
    .unwrap();
    refused_by_all_within_two_seconds(&all, &access).await;

    let (access, _) = login(&all[1], "alice", PASSWORD).await;
    for daemon in &all {
        warm(daemon, &access).await;
    }
    hand.execute(
        "UPDATE users SET is_active = FALSE WHERE username = 'alice'",
        &[],
    )
    .await
    .unwrap();
    refused_by_all_within_two_seconds(&all, &access).await;
}

/// What makes "at once" hold while daemons answer login checks from
/// memory: a write's answer is held until every daemon can have heard of
/// it (10 ms, the daemons' settling time).
#[tokio::test]
async fn a_writes_answer_waits_for_the_other_daemons_to_hear_of_it() {
    let Some(database) = database().await else {
        return;
    };
    let all = daemons(&database, 1);
    let (access, _) = account(&all[0], "alice").await;
    for _ in 0..5 {
        let started = std::time::Instant::now();
        let created = all[0]
            .post("/api/tasks/", Some(&access), json!({"title": "held"}))
            .await;
        assert_eq!(created.status(), StatusCode::CREATED);
        assert!(started.elapsed() >= Duration::from_millis(10));
    }
}

#[tokio::test]
async fn fifty_patches_with_one_if_match_over_three_daemons_give_one_success() {
    let Some(database) = database().await else {
        return;
    };
    let all = daemons(&database, 3);
    let (access, _) = account(&all[0], "alice").await;
    let created = all[1]
        .post("/api/tasks/", Some(&access), json!({"title": "Contended"}))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let id = created.json::<Value>().await.unwrap()["id"].clone();
    let path = format!("/api/tasks/{id}/");
    let patches = (0..50).map(|n| {
        let daemon = &all[n % all.len()];
        daemon
            .client
            .patch(format!("{}{path}", daemon.url))
            .bearer_auth(&access)
            .header("If-Match", "\"1\"")
            .json(&json!({"title": format!("Writer {n}")}))
            .send()
    });
    let statuses: Vec<StatusCode> = join_all(patches)
        .await
        .into_iter()
        .map(|response| response.unwrap().status())
        .collect();
    let won = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let lost = statuses
        .iter()
        .filter(|s| **s == StatusCode::PRECONDITION_FAILED)
        .count();
    assert_eq!((won, lost), (1, 49), "{statuses:?}");
    let task: Value = send(&all[2], Method::GET, &path, Some(&access), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(task["version"], 2);

    // Without If-Match, concurrent patches of different fields all land.
    let fields = ["description", "project"];
    let patches = fields.iter().enumerate().map(|(n, field)| {
        let daemon = &all[n % all.len()];
        daemon
            .client
            .patch(format!("{}{path}", daemon.url))
            .bearer_auth(&access)
            .json(&json!({ *field: "set" }))
            .send()
    });
    for response in join_all(patches).await {
        assert_eq!(response.unwrap().status(), StatusCode::OK);
    }
    let task: Value = send(&all[0], Method::GET, &path, Some(&access), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (task["description"].as_str(), task["project"].as_str()),
        (Some("set"), Some("set"))
    );
    assert_eq!(task["version"], 4);
}

#[tokio::test]
async fn login_limits_hold_across_daemons() {
    let Some(database) = database().await else {
        return;
    };
    let all = daemons(&database, 3);
    account(&all[0], "alice").await;
    fn guess(
        daemon: &Daemon,
        n: usize,
    ) -> impl std::future::Future<Output = reqwest::Response> + '_ {
        daemon.post(
            "/api/login/",
            None,
            json!({"username": "alice", "password": format!("wrong guess {n}")}),
        )
    }
    // Twenty wrong guesses at once, spread over the daemons, get no more
    // checks than the limit allows.
    let statuses: Vec<StatusCode> = join_all((0..20).map(|n| guess(&all[n % 3], n)))
        .await
        .into_iter()
        .map(|response| response.status())
        .collect();
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, refused), (5, 15), "{statuses:?}");
    // Every daemon now refuses, the right password too, with Retry-After.
    for daemon in &all {
        let response = daemon
            .post(
                "/api/login/",
                None,
                json!({"username": "alice", "password": PASSWORD}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        let wait: u64 = response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
    }
}

#[tokio::test]
async fn four_daemons_starting_at_once_migrate_an_empty_database_once_and_run_each_job_once() {
    let Some(database) = database().await else {
        return;
    };
    let arg = database.arg();
    let starting: Vec<_> = (0..4)
        .map(|_| {
            let arg = arg.clone();
            std::thread::spawn(move || Daemon::start(&["--database", &arg], &[]))
        })
        .collect();
    let all: Vec<Daemon> = starting.into_iter().map(|t| t.join().unwrap()).collect();
    for daemon in &all {
        let health = send(daemon, Method::GET, "/healthz", None, None).await;
        assert_eq!(health.status(), StatusCode::OK);
    }
    let client = database.connect().await;
    let versions: Vec<i32> = client
        .query("SELECT version FROM taskd_schema", &[])
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(versions, [taskd::store::postgres::SCHEMA_VERSION as i32]);
    // Each daemon offers to run the hourly purge and the sweep of tasks past
    // their `until` when it starts; one runs each, the others find it done.
    for job in ["purge_expired_logins", "delete_expired_tasks"] {
        let runs: i64 = client
            .query_one("SELECT runs FROM jobs WHERE name = $1", &[&job])
            .await
            .unwrap()
            .get(0);
        assert_eq!(runs, 1, "{job}");
    }
}

#[tokio::test]
async fn migrate_backup_and_a_newer_schema_on_postgres() {
    let Some(database) = database().await else {
        return;
    };
    let arg = database.arg();
    for _ in 0..2 {
        let output = taskd(&["migrate", "--database", &arg], "", &[]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let said = String::from_utf8_lossy(&output.stdout);
        assert!(said.contains("up to date"), "{said}");
        // The password of the URL never shows.
        if let Some(password) = arg
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split('@').next()?.split(':').nth(1))
        {
            assert!(!said.contains(&format!(":{password}@")), "{said}");
        }
    }

    let backup = taskd(&["backup", "--database", &arg, "copy.sqlite3"], "", &[]);
    assert_eq!(backup.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&backup.stderr).contains("pg_dump"));

    let client = database.connect().await;
    client
        .execute("UPDATE taskd_schema SET version = 99", &[])
        .await
        .unwrap();
    for args in [vec!["migrate"], vec!["serve", "--bind", "127.0.0.1:0"]] {
        let mut args: Vec<&str> = args;
        args.extend(["--database", &arg]);
        let refused = taskd(&args, "", &[]);
        assert_eq!(refused.status.code(), Some(1), "{args:?}");
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(said.contains("newer than this taskd"), "{said}");
    }
    let version: i32 = client
        .query_one("SELECT version FROM taskd_schema", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(version, 99, "a newer schema is left alone");
}

#[tokio::test]
async fn a_daemon_killed_mid_burst_loses_nothing_it_acknowledged() {
    let Some(database) = database().await else {
        return;
    };
    let mut all = daemons(&database, 2);
    let (access, _) = account(&all[0], "alice").await;
    let burst = {
        let victim = &all[0];
        (0..300).map(|n| {
            victim
                .client
                .post(format!("{}/api/tasks/", victim.url))
                .bearer_auth(&access)
                .json(&json!({"title": format!("burst {n}")}))
                .send()
        })
    };
    // Killed once the first write is acknowledged (however loaded the
    // machine), while the rest are in flight.
    let pid = all[0].pid();
    let first_ack = std::sync::Arc::new(tokio::sync::Notify::new());
    let killer = {
        let first_ack = std::sync::Arc::clone(&first_ack);
        tokio::spawn(async move {
            first_ack.notified().await;
            tokio::time::sleep(Duration::from_millis(20)).await;
            std::process::Command::new("kill")
                .args(["-KILL", &pid])
                .status()
                .unwrap();
        })
    };
    let mut acknowledged = std::collections::BTreeSet::new();
    let mut responses: futures::stream::FuturesUnordered<_> = burst.collect();
    while let Some(response) = futures::StreamExt::next(&mut responses).await {
        let Ok(response) = response else { continue };
        if response.status() == StatusCode::CREATED {
            if let Ok(task) = response.json::<Value>().await {
                acknowledged.insert(task["id"].as_i64().unwrap());
                first_ack.notify_one();
            }
        }
    }
    first_ack.notify_one();
    killer.await.unwrap();
    let _ = all[0].child.wait();
    let stored = all[1].task_ids(&access).await;
    assert!(
        acknowledged.is_subset(&stored),
        "lost {:?}",
        acknowledged.difference(&stored).collect::<Vec<_>>()
    );
    assert!(
        !acknowledged.is_empty(),
        "nothing was acknowledged before the kill"
    );
    all.remove(0);
}

/// A daemon's listening connection ended while PostgreSQL stays up (an
/// administrator's `pg_terminate_backend`, a proxy's idle timeout): it
/// connects again, says so in its log, and hears the others again.
#[tokio::test]
async fn a_listener_cut_off_listens_again_and_says_so() {
    let Some(database) = database().await else {
        return;
    };
    let all = daemons(&database, 2);
    let (access, refresh) = account(&all[0], "alice").await;
    for daemon in &all {
        warm(daemon, &access).await;
    }
    let hand = database.connect().await;
    let ended = hand
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND application_name = 'taskd-listen'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(ended, 2, "one listener a daemon");
    for daemon in &all {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let said = daemon.logs.lock().unwrap().join("\n");
            let lost = said.find("lost the connection listening for other daemons' changes");
            let again = said.rfind("listening for other daemons' changes again");
            if lost.zip(again).is_some_and(|(lost, again)| again > lost) {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{said}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    // Heard again: a logout through one reaches the other.
    let out = send(
        &all[0],
        Method::POST,
        "/api/logout/",
        Some(&access),
        Some(json!({"refresh": refresh})),
    )
    .await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    refused_by_all_within_two_seconds(&all, &access).await;
}
