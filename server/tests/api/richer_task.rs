//! Taskwarrior's task over the API: uuid, short numbers, start, wait,
//! scheduled, until and user-defined attributes.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{body, error_fields, ids, problem, TestApp, TestUser};

async fn patch(app: &TestApp, user: &TestUser, id: &Value, body: Value) -> Value {
    let response = app
        .patch(&format!("/api/tasks/{id}/"), &user.access, &body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "patching with {body}");
    self::body(response).await
}

#[tokio::test]
async fn a_new_task_has_a_uuid_a_number_and_empty_new_fields() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let task = app
        .task(
            &alice,
            json!({"title": "t", "uuid": "ignored", "number": 99, "urgency": 5, "blocked": true}),
        )
        .await;
    let uuid = task["uuid"].as_str().unwrap();
    let groups: Vec<usize> = uuid.split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12], "{uuid}");
    assert!(uuid
        .chars()
        .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c)));
    assert_eq!(task["number"], 1);
    for field in ["start", "wait", "scheduled", "until"] {
        assert!(task[field].is_null(), "{field}: {task}");
    }
    assert_eq!(task["udas"], json!({}));
    let again = app.task(&alice, json!({"title": "u"})).await;
    assert_ne!(again["uuid"], task["uuid"]);
}

#[tokio::test]
async fn numbers_are_the_lowest_free_among_a_users_pending_tasks() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let mut ids = Vec::new();
    for n in 1..=3 {
        let task = app
            .task(&alice, json!({"title": format!("task {n}")}))
            .await;
        assert_eq!(task["number"], n);
        ids.push(task["id"].clone());
    }
    assert_eq!(
        app.task(&bob, json!({"title": "bob's"})).await["number"],
        1,
        "per user"
    );
    // Done: no number; the next new task takes the lowest free one.
    let done = patch(&app, &alice, &ids[0], json!({"status": "done"})).await;
    assert!(done["number"].is_null());
    assert_eq!(
        app.task(&alice, json!({"title": "fourth"})).await["number"],
        1
    );
    // The others keep theirs, through any change.
    let kept = patch(
        &app,
        &alice,
        &ids[2],
        json!({"title": "renamed", "priority": "high"}),
    )
    .await;
    assert_eq!(kept["number"], 3);
    // Reopened: the lowest number free then.
    let reopened = patch(&app, &alice, &ids[0], json!({"status": "pending"})).await;
    assert_eq!(reopened["number"], 4);
    // Created done: no number.
    let done = app
        .task(&alice, json!({"title": "old", "status": "done"}))
        .await;
    assert!(done["number"].is_null());
    // A deleted task's number is free again.
    let deleted = app
        .delete(&format!("/api/tasks/{}/", ids[1]), &alice.access)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.task(&alice, json!({"title": "fifth"})).await["number"],
        2
    );
}

#[tokio::test]
async fn dates_are_set_and_cleared_and_done_clears_start() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let task = app
        .task(
            &alice,
            json!({"title": "t", "wait": "2030-01-01T10:00:00+02:00", "scheduled": "2026-12-05T09:00:00Z"}),
        )
        .await;
    assert_eq!(task["wait"], "2030-01-01T08:00:00Z");
    assert_eq!(task["scheduled"], "2026-12-05T09:00:00Z");
    let id = task["id"].clone();
    let started = patch(
        &app,
        &alice,
        &id,
        json!({"start": "2026-12-01T08:00:00Z", "until": "2031-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(started["start"], "2026-12-01T08:00:00Z");
    assert_eq!(started["version"], 2);
    let cleared = patch(&app, &alice, &id, json!({"wait": null})).await;
    assert!(cleared["wait"].is_null());
    let done = patch(&app, &alice, &id, json!({"status": "done"})).await;
    assert!(done["start"].is_null(), "done clears start: {done}");
    assert_eq!(done["until"], "2031-01-01T00:00:00Z");
    for bad in [
        json!({"start": "tomorrow"}),
        json!({"wait": 5}),
        // Year 10000 in UTC: not RFC 3339 when given back.
        json!({"until": "9999-12-31T23:00:00-02:00"}),
    ] {
        let response = app
            .patch(&format!("/api/tasks/{id}/"), &alice.access, &bad)
            .send()
            .await
            .unwrap();
        let problem = problem(response, StatusCode::BAD_REQUEST).await;
        let field = bad.as_object().unwrap().keys().next().unwrap().clone();
        assert_eq!(error_fields(&problem), [field]);
    }
}

#[tokio::test]
async fn user_defined_attributes_are_kept_verbatim_and_checked() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let udas = json!({
        "estimate": 3,
        "ratio": 1.5,
        "whole": 2.0,
        "negative": -7,
        "tiny": 1e-30,
        "odd": 7.943794815224912e-10,
        "note": "ünï \"quoted\" \\ 🦀",
        "empty": "",
        "a_1": "x",
    });
    let task = app.task(&alice, json!({"title": "t", "udas": udas})).await;
    assert_eq!(task["udas"], udas);
    let text = app
        .get(&format!("/api/tasks/{}/", task["id"]), &alice.access)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("\"whole\":2.0")
            && text.contains("\"estimate\":3")
            && text.contains("\"tiny\":1e-30")
            && text.contains("\"odd\":7.943794815224912e-10"),
        "{text}"
    );

    let too_many: serde_json::Map<String, Value> =
        (0..65).map(|n| (format!("k{n}"), json!(n))).collect();
    for bad in [
        json!({"Bad": 1}),
        json!({"1st": 1}),
        json!({"a-b": 1}),
        json!({"x".repeat(65): 1}),
        json!({"nested": {"a": 1}}),
        json!({"list": [1]}),
        json!({"flag": true}),
        json!({"long": "x".repeat(1001)}),
        // Taskwarrior's own names: an export could not carry both.
        json!({"priority": "H"}),
        json!({"due": "tomorrow"}),
        json!({"entry": 1}),
        json!({"taskd_description": "x"}),
        Value::Object(too_many),
        json!(["not", "an", "object"]),
    ] {
        let response = app
            .post(
                "/api/tasks/",
                &alice.access,
                &json!({"title": "t", "udas": bad}),
            )
            .send()
            .await
            .unwrap();
        let problem = problem(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&problem), ["udas"], "{bad}");
    }
    // PATCH replaces the whole object.
    let replaced = patch(&app, &alice, &task["id"], json!({"udas": {"estimate": 4}})).await;
    assert_eq!(replaced["udas"], json!({"estimate": 4}));
}

#[tokio::test]
async fn a_list_orders_by_the_number_tasks_are_shown_by() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let id = |task: Value| task["id"].as_i64().unwrap();
    let first = id(app.task(&alice, json!({"title": "first"})).await);
    let second = id(app.task(&alice, json!({"title": "second"})).await);
    let third = id(app.task(&alice, json!({"title": "third"})).await);
    patch(&app, &alice, &json!(first), json!({"status": "done"})).await;
    // The lowest free number goes to the next task: 1, by a later id.
    let fourth = app.task(&alice, json!({"title": "fourth"})).await;
    assert_eq!(fourth["number"], 1);
    let fourth = id(fourth);
    assert_eq!(
        ids(&app, &alice, "status=all&ordering=number").await,
        [fourth, second, third, first]
    );
    assert_eq!(
        ids(&app, &alice, "status=all&ordering=-number").await,
        [third, second, fourth, first]
    );
}

#[tokio::test]
async fn only_a_pending_task_waits() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let id = |task: Value| task["id"].as_i64().unwrap();
    let later = "2999-01-01T00:00:00Z";
    let pending = id(app
        .task(&alice, json!({"title": "pending", "wait": later}))
        .await);
    let done = id(app
        .task(
            &alice,
            json!({"title": "done", "wait": later, "status": "done"}),
        )
        .await);
    assert_eq!(ids(&app, &alice, "waiting=true").await, [pending]);
    assert_eq!(ids(&app, &alice, "waiting=false").await, [done]);
    assert_eq!(ids(&app, &alice, "status=done&waiting=false").await, [done]);
}

#[tokio::test]
async fn the_list_filters_and_orders_by_the_new_fields() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let id = |task: Value| task["id"].as_i64().unwrap();
    let waiting = id(app
        .task(&alice, json!({"title": "waiting", "wait": "2999-01-01T00:00:00Z", "udas": {"size": "L", "points": 3}}))
        .await);
    let waited = id(app
        .task(&alice, json!({"title": "waited", "wait": "2001-01-01T00:00:00Z", "scheduled": "2026-12-10T00:00:00Z"}))
        .await);
    let active = app
        .task(&alice, json!({"title": "active", "start": "2026-12-01T00:00:00Z", "scheduled": "2026-12-01T00:00:00Z", "udas": {"size": "S"}}))
        .await;
    let (active_uuid, active) = (active["uuid"].as_str().unwrap().to_string(), id(active));
    let plain = id(app
        .task(
            &alice,
            json!({"title": "plain", "until": "2999-01-01T00:00:00Z"}),
        )
        .await);

    assert_eq!(ids(&app, &alice, "waiting=true").await, [waiting]);
    assert_eq!(
        ids(&app, &alice, "waiting=false").await,
        [waited, active, plain]
    );
    assert_eq!(ids(&app, &alice, "active=true").await, [active]);
    assert_eq!(
        ids(&app, &alice, "active=false").await,
        [waiting, waited, plain]
    );
    assert_eq!(
        ids(
            &app,
            &alice,
            &format!("uuid={}", active_uuid.to_uppercase())
        )
        .await,
        [active]
    );
    // A prefix of 8 or more characters, as Taskwarrior shows uuids.
    assert_eq!(
        ids(&app, &alice, &format!("uuid={}", &active_uuid[..8])).await,
        [active]
    );
    assert_eq!(
        ids(&app, &alice, &format!("uuid={}", &active_uuid[..13])).await,
        [active]
    );
    assert_eq!(ids(&app, &alice, "number=2").await, [waited]);
    assert_eq!(
        ids(&app, &alice, "scheduled_before=2026-12-05").await,
        [active]
    );
    assert_eq!(
        ids(&app, &alice, "scheduled_after=2026-12-05").await,
        [waited]
    );
    assert_eq!(ids(&app, &alice, "uda.size=L").await, [waiting]);
    assert_eq!(ids(&app, &alice, "uda.points=3").await, [waiting]);
    assert_eq!(ids(&app, &alice, "uda.size=S&active=true").await, [active]);
    assert_eq!(
        ids(&app, &alice, "ordering=-wait").await,
        [waiting, waited, active, plain]
    );
    assert_eq!(
        ids(&app, &alice, "ordering=scheduled").await,
        [active, waited, waiting, plain]
    );
    assert_eq!(
        ids(&app, &alice, "ordering=start,-id").await,
        [active, plain, waited, waiting]
    );
    assert_eq!(
        ids(&app, &alice, "ordering=until").await,
        [plain, waiting, waited, active]
    );

    assert_eq!(
        ids(&app, &alice, "has_scheduled=true").await,
        [waited, active]
    );
    assert_eq!(
        ids(&app, &alice, "has_scheduled=false").await,
        [waiting, plain]
    );

    // Completed ones by when: the done task first, the pending ones after.
    let finished = app
        .task(&alice, json!({"title": "finished", "status": "done"}))
        .await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        ids(&app, &alice, "ordering=-completed_at&limit=1").await,
        [finished]
    );

    for (query, parameter) in [
        ("has_due=maybe", "has_due"),
        ("waiting=yes", "waiting"),
        ("active=1", "active"),
        ("number=0", "number"),
        ("number=x", "number"),
        ("depends_on=0", "depends_on"),
        ("depends_on=x", "depends_on"),
        ("uuid=abcdef0", "uuid"),
        ("uuid=abcdef0%25", "uuid"),
        ("uuid=abcdef0_", "uuid"),
        ("scheduled_before=soon", "scheduled_before"),
        ("uda.Bad=1", "uda.Bad"),
        ("ordering=urgent", "ordering"),
    ] {
        let response = app
            .get(&format!("/api/tasks/?{query}"), &alice.access)
            .send()
            .await
            .unwrap();
        let problem = problem(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&problem), [parameter], "{query}");
    }
}

#[tokio::test]
async fn a_number_in_a_uda_filter_matches_the_numbers_equal_to_it() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let mut made = Vec::new();
    for points in [
        json!(3),
        json!(3.0),
        json!("3"),
        json!("3.0"),
        json!(30),
        json!("three"),
        json!(9_007_199_254_740_993_i64),
        json!(9_007_199_254_740_992_i64),
    ] {
        let task = app
            .task(&alice, json!({"title": "t", "udas": {"points": points}}))
            .await;
        made.push(task["id"].as_i64().unwrap());
    }
    let with = |points: &'static str| {
        let (app, alice) = (&app, &alice);
        async move { ids(app, alice, &format!("uda.points={points}&ordering=id")).await }
    };
    // A number matches stored numbers equal to it, and text written
    // exactly as typed; text matches text only.
    assert_eq!(with("3").await, [made[0], made[1], made[2]]);
    assert_eq!(with("3.0").await, [made[0], made[1], made[3]]);
    assert_eq!(with("03").await, [made[0], made[1]]);
    assert_eq!(with("three").await, [made[5]]);
    assert_eq!(with("9007199254740993").await, [made[6]]);
    assert!(with("4").await.is_empty());
}

#[tokio::test]
async fn a_pending_task_past_its_until_is_deleted_by_the_server() {
    let app = TestApp::spawn_with(|config| config.sweep_every = Duration::from_millis(100)).await;
    let alice = app.user("alice").await;
    let past = "2001-01-01T00:00:00Z";
    let expiring = app
        .task(&alice, json!({"title": "expiring", "until": past}))
        .await;
    let done = app
        .task(
            &alice,
            json!({"title": "done", "status": "done", "until": past}),
        )
        .await;
    let later = app
        .task(
            &alice,
            json!({"title": "later", "until": "2999-01-01T00:00:00Z"}),
        )
        .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let left = ids(&app, &alice, "").await;
        if !left.contains(&expiring["id"].as_i64().unwrap()) {
            assert_eq!(
                left,
                [done["id"].as_i64().unwrap(), later["id"].as_i64().unwrap()]
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still there: {left:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_list_leaves_out_tags_and_empty_fields() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let id = |task: Value| task["id"].as_i64().unwrap();
    let home = id(app
        .task(
            &alice,
            json!({"title": "home", "tags": ["home"], "project": "p", "priority": "high"}),
        )
        .await);
    let both = id(app
        .task(
            &alice,
            json!({"title": "both", "tags": ["home", "work"], "due": "2026-12-01T00:00:00Z"}),
        )
        .await);
    let bare = id(app.task(&alice, json!({"title": "bare"})).await);
    assert_eq!(ids(&app, &alice, "exclude_tag=work").await, [home, bare]);
    assert_eq!(ids(&app, &alice, "tag=home&exclude_tag=work").await, [home]);
    assert_eq!(
        ids(&app, &alice, "exclude_tag=work&exclude_tag=home").await,
        [bare]
    );
    assert_eq!(ids(&app, &alice, "has_project=false").await, [both, bare]);
    assert_eq!(ids(&app, &alice, "has_project=true").await, [home]);
    assert_eq!(ids(&app, &alice, "has_priority=false").await, [both, bare]);
    assert_eq!(ids(&app, &alice, "has_due=true").await, [both]);
}
