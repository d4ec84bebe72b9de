//! `GET /api/events/`: each committed change once, in order, resumable,
//! for its user only, and ended when the login is.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    helpers::{body, problem, TestApp, TestUser, PASSWORD},
    sse::{Next, Sse},
    tokens::{claims_of, secret, sign},
};

async fn stream(app: &TestApp, user: &TestUser, last: Option<&str>) -> Sse {
    Sse::open(&app.client, &app.url("/api/events/"), &user.access, last).await
}

/// `count` streams of `user`, each past its opening event.
async fn open_streams(app: &TestApp, user: &TestUser, count: usize) -> Vec<Sse> {
    let mut open = Vec::new();
    for _ in 0..count {
        let mut events = stream(app, user, None).await;
        events.opening().await;
        open.push(events);
    }
    open
}

/// Asks for a stream of `user` until one is given, within 5 s; `nudge`
/// writes a task before each ask, so that the daemon writes to its streams.
async fn a_place_comes_free(app: &TestApp, user: &TestUser, nudge: bool) {
    let url = app.url("/api/events/");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if nudge {
            app.task(user, json!({"title": "nudge"})).await;
        }
        let response = Sse::request(&app.client, &url, &user.access, None).await;
        if response.status() == StatusCode::OK {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the closed stream's place was not given back within 5 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A task as GET returns it now, without its urgency (computed when read,
/// so it moves with the clock).
async fn read_back(app: &TestApp, user: &TestUser, id: i64) -> Value {
    let response = app
        .get(&format!("/api/tasks/{id}/"), &user.access)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    without_urgency(body(response).await)
}

fn without_urgency(mut task: Value) -> Value {
    if let Some(task) = task.as_object_mut() {
        task.remove("urgency");
    }
    task
}

/// The `task` events' cursors, each higher than the one before.
fn assert_rising(ids: &[i64]) {
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
}

#[tokio::test]
async fn a_stream_gets_each_of_its_users_changes_once_in_order_after_commit() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let mut events = stream(&app, &alice, None).await;
    let ready = events.opening().await;
    assert_eq!(ready.event.as_deref(), Some("ready"));
    assert!(ready.id.is_some());

    let created = app.task(&alice, json!({"title": "Pay rent"})).await;
    let id = created["id"].as_i64().unwrap();
    let created = without_urgency(created);
    // Another user's change never shows on Alice's stream.
    app.task(&bob, json!({"title": "Bob's own"})).await;
    let path = format!("/api/tasks/{id}/");
    let patched = app
        .patch(&path, &alice.access, &json!({"priority": "high"}))
        .send()
        .await
        .unwrap();
    let patched = without_urgency(body(patched).await);
    let annotated = app
        .post(
            &format!("{path}annotations/"),
            &alice.access,
            &json!({"text": "landlord prefers a transfer"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(annotated.status(), StatusCode::CREATED);
    let annotated = read_back(&app, &alice, id).await;
    let done = app
        .patch(&path, &alice.access, &json!({"status": "done"}))
        .send()
        .await
        .unwrap();
    let done = without_urgency(body(done).await);
    let deleted = app.delete(&path, &alice.access).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);

    let mut cursors = Vec::new();
    for (op, version, task) in [
        ("created", 1, Some(created)),
        ("updated", 2, Some(patched)),
        ("updated", 3, Some(annotated)),
        ("updated", 4, Some(done)),
        ("deleted", 4, None),
    ] {
        let frame = events.expect("task").await;
        cursors.push(frame.id.as_deref().unwrap().parse::<i64>().unwrap());
        let event = frame.json();
        assert_eq!(event["op"], op, "{event}");
        assert_eq!(event["id"], id);
        assert_eq!(event["version"], version, "{event}");
        match task {
            Some(task) => {
                assert_eq!(
                    without_urgency(event["task"].clone()),
                    task,
                    "{op} {version}"
                );
                assert!(event["task"]["urgency"].is_number());
            }
            None => assert_eq!(event["task"], Value::Null),
        }
    }
    assert_rising(&cursors);
    events.assert_quiet(Duration::from_millis(300)).await;

    // And Bob's stream, opened now, starts after everything already done.
    let mut theirs = stream(&app, &bob, None).await;
    theirs.opening().await;
    theirs.assert_quiet(Duration::from_millis(200)).await;
}

#[tokio::test]
async fn a_client_resumes_after_its_last_event_with_no_gap_and_no_repeat() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let mut events = stream(&app, &alice, None).await;
    events.opening().await;
    let first = app.task(&alice, json!({"title": "one"})).await;
    app.task(&alice, json!({"title": "two"})).await;
    events.expect("task").await;
    let second = events.expect("task").await;
    let cursor = second.id.clone().unwrap();
    drop(events);

    let path = format!("/api/tasks/{}/", first["id"]);
    app.task(&alice, json!({"title": "three"})).await;
    app.patch(&path, &alice.access, &json!({"title": "one, renamed"}))
        .send()
        .await
        .unwrap();
    app.delete(&path, &alice.access).send().await.unwrap();

    for resumed in [
        stream(&app, &alice, Some(&cursor)).await,
        Sse::open(
            &app.client,
            &app.url(&format!("/api/events/?since={cursor}")),
            &alice.access,
            None,
        )
        .await,
    ] {
        let mut resumed = resumed;
        let ready = resumed.opening().await;
        assert_eq!(ready.event.as_deref(), Some("ready"));
        assert_eq!(ready.id.as_deref(), Some(cursor.as_str()));
        let missed: Vec<Value> = [
            resumed.expect("task").await,
            resumed.expect("task").await,
            resumed.expect("task").await,
        ]
        .iter()
        .map(|frame| frame.json())
        .collect();
        assert_eq!(missed[0]["task"]["title"], "three");
        assert_eq!(missed[1]["task"]["title"], "one, renamed");
        assert_eq!(missed[2]["op"], "deleted");
        resumed.assert_quiet(Duration::from_millis(300)).await;
    }
}

#[tokio::test]
async fn an_unknown_or_expired_cursor_gets_a_reset_and_the_stream_goes_on_from_now() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    app.task(&alice, json!({"title": "old"})).await;
    for cursor in ["not-a-cursor", "99999999", "-5"] {
        let mut events = stream(&app, &alice, Some(cursor)).await;
        let reset = events.opening().await;
        assert_eq!(reset.event.as_deref(), Some("reset"), "{cursor}");
        assert!(reset.json()["reason"].is_string());
        events.assert_quiet(Duration::from_millis(200)).await;
        drop(events);
    }

    // The feed keeps a week; purging what came before a moment from now
    // stands in for a week passing.
    let mut events = stream(&app, &alice, None).await;
    let old_cursor = events.opening().await.id.unwrap();
    app.task(&alice, json!({"title": "seen"})).await;
    events.expect("task").await;
    let purged = app
        .server
        .state
        .store
        .purge_changes(chrono::Utc::now() + chrono::Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(purged, 2);
    let mut late = stream(&app, &alice, Some("0")).await;
    let reset = late.opening().await;
    assert_eq!(reset.event.as_deref(), Some("reset"));
    let mut again = stream(&app, &alice, Some(&old_cursor)).await;
    assert_eq!(again.opening().await.event.as_deref(), Some("reset"));
    // After the reset the stream follows from now.
    app.task(&alice, json!({"title": "new"})).await;
    assert_eq!(late.expect("task").await.json()["task"]["title"], "new");
    assert_eq!(events.expect("task").await.json()["task"]["title"], "new");
}

#[tokio::test]
async fn keep_alive_comments_come_at_the_interval_set() {
    let app = TestApp::spawn_with(|config| {
        config.event_keepalive = Duration::from_millis(200);
    })
    .await;
    let alice = app.user("alice").await;
    let mut events = stream(&app, &alice, None).await;
    events.opening().await;
    let started = Instant::now();
    let mut comments = 0;
    while started.elapsed() < Duration::from_millis(1500) {
        match events.next(Duration::from_millis(400)).await {
            Next::Frame(frame) if frame.is_comment() => comments += 1,
            other => panic!("expected only comments, got {other:?}"),
        }
    }
    assert!(comments >= 5, "{comments} comments in 1.5 s");
}

/// Reads until `event: logout`, which must come within a second, and then
/// the end of the stream; answers its reason.
async fn logged_out(events: &mut Sse) -> String {
    let frame = match events.event(Duration::from_secs(1)).await {
        Next::Frame(frame) if frame.event.as_deref() == Some("logout") => frame,
        other => panic!("expected `event: logout` within a second, got {other:?}"),
    };
    assert!(matches!(
        events.next(Duration::from_secs(1)).await,
        Next::Ended
    ));
    frame.json()["reason"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn logout_password_change_and_deactivation_end_the_users_streams() {
    let app = TestApp::spawn().await;
    let admin = app.admin("root").await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;

    let mut alices = stream(&app, &alice, None).await;
    alices.opening().await;
    let mut bobs = stream(&app, &bob, None).await;
    bobs.opening().await;
    let out = app.logout(&alice).await;
    assert!(out.status().is_success());
    assert_eq!(logged_out(&mut alices).await, "revoked");
    // Another user's stream goes on.
    app.task(&bob, json!({"title": "still here"})).await;
    bobs.expect("task").await;

    let mut streams = vec![stream(&app, &bob, None).await, bobs];
    for events in &mut streams[..1] {
        events.opening().await;
    }
    let changed = app
        .post(
            "/api/me/password/",
            &bob.access,
            &json!({"current_password": PASSWORD, "new_password": "another long passphrase"}),
        )
        .send()
        .await
        .unwrap();
    assert!(changed.status().is_success());
    for events in &mut streams {
        assert_eq!(logged_out(events).await, "revoked");
    }

    let alice = app.logged_in(alice.id, "alice").await;
    let mut alices = stream(&app, &alice, None).await;
    alices.opening().await;
    let deactivated = app
        .patch(
            &format!("/api/admin/users/{}/", alice.id),
            &admin.access,
            &json!({"is_active": false}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deactivated.status(), StatusCode::OK);
    assert_eq!(logged_out(&mut alices).await, "revoked");
}

#[tokio::test]
async fn a_stream_ends_when_its_access_token_expires() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let mut claims = claims_of(&alice.access);
    claims["exp"] = json!(chrono::Utc::now().timestamp() + 2);
    let short = sign(&claims, jsonwebtoken::Algorithm::HS256, &secret(&app).await);
    let mut events = Sse::open(&app.client, &app.url("/api/events/"), &short, None).await;
    events.opening().await;
    let started = Instant::now();
    let frame = events.expect("logout").await;
    assert_eq!(frame.json()["reason"], "expired");
    assert!(started.elapsed() < Duration::from_secs(4));
    assert!(matches!(
        events.next(Duration::from_secs(1)).await,
        Next::Ended
    ));
}

#[tokio::test]
async fn the_seventeenth_stream_of_a_user_is_refused_until_one_closes() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let mut open = Vec::new();
    for _ in 0..16 {
        open.push(stream(&app, &alice, None).await);
    }
    let url = app.url("/api/events/");
    let refused = Sse::request(&app.client, &url, &alice.access, None).await;
    let problem = problem(refused, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("16"),
        "{problem}"
    );
    // Others are not counted against her.
    stream(&app, &bob, None).await.opening().await;
    drop(open.pop());
    a_place_comes_free(&app, &alice, true).await;
}

/// A browser opens a stream on every page of the list: one closed as the
/// page is left must give its place back when the client goes, not at the
/// next keep-alive 15 s later, or quick clicks would use up the sixteen.
#[tokio::test]
async fn a_closed_streams_place_is_given_back_without_waiting_for_a_write() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let mut open = open_streams(&app, &alice, 16).await;
    drop(open.pop());
    a_place_comes_free(&app, &alice, false).await;
}

#[tokio::test]
async fn shutdown_ends_open_streams_at_once() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let mut streams = open_streams(&app, &alice, 3).await;
    let TestApp { server, .. } = app;
    let started = Instant::now();
    server.stop().await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "shutdown took {:?}",
        started.elapsed()
    );
    for events in &mut streams {
        assert!(matches!(
            events.next(Duration::from_secs(1)).await,
            Next::Ended
        ));
    }
}

#[tokio::test]
async fn imports_and_swept_tasks_are_announced_too() {
    let app = TestApp::spawn_with(|config| config.sweep_every = Duration::from_millis(200)).await;
    let alice = app.user("alice").await;
    let mut events = stream(&app, &alice, None).await;
    events.opening().await;
    let imported = app
        .post(
            "/api/import/",
            &alice.access,
            &json!([{"uuid": "6f0c1c58-8c5e-4a8e-9d55-0f6f3f2a9b11", "description": "from a file",
                "status": "pending", "entry": "20260101T090000Z"}]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), StatusCode::OK);
    let event = events.expect("task").await.json();
    assert_eq!(event["op"], "created");
    assert_eq!(event["task"]["title"], "from a file");

    let until = (chrono::Utc::now() + chrono::Duration::milliseconds(300)).to_rfc3339();
    let short = app
        .task(&alice, json!({"title": "soon gone", "until": until}))
        .await;
    assert_eq!(events.expect("task").await.json()["op"], "created");
    let gone = events.expect("task").await.json();
    assert_eq!(gone["op"], "deleted");
    assert_eq!(gone["id"], short["id"]);
}

#[tokio::test]
async fn a_stream_not_read_meanwhile_catches_up_from_the_feed_in_order() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let mut events = stream(&app, &alice, None).await;
    events.opening().await;
    // More changes than wake-ups are queued per stream (256), made while the
    // client reads nothing: the stream holds no backlog of its own and reads
    // them from the feed once the client reads again.
    let mut made = Vec::new();
    for n in 0..300 {
        made.push(
            app.task(&alice, json!({"title": format!("task {n}")}))
                .await["id"]
                .clone(),
        );
    }
    let mut seen = Vec::new();
    for _ in 0..300 {
        seen.push(events.expect("task").await.json()["id"].clone());
    }
    assert_eq!(seen, made);
    events.assert_quiet(Duration::from_millis(200)).await;
}
