//! Annotations, start/stop, dependencies and urgency over the API.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{body, error_fields, problem, TestApp, TestUser};

async fn get(app: &TestApp, user: &TestUser, id: &Value) -> Value {
    let response = app
        .get(&format!("/api/tasks/{id}/"), &user.access)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    body(response).await
}

async fn patch(app: &TestApp, user: &TestUser, id: &Value, body: Value) -> reqwest::Response {
    app.patch(&format!("/api/tasks/{id}/"), &user.access, &body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn annotations_are_appended_and_removed_with_the_version_and_if_match() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let task = app.task(&alice, json!({"title": "t"})).await;
    let id = task["id"].clone();
    let path = format!("/api/tasks/{id}/annotations/");

    let first = app
        .post(&path, &alice.access, &json!({"text": "first note"}))
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    assert_eq!(first.headers()["etag"], "\"2\"");
    let first = body(first).await;
    assert_eq!(first["text"], "first note");
    assert!(first["entry"].as_str().unwrap().ends_with('Z'));
    let stale = app
        .post(&path, &alice.access, &json!({"text": "late"}))
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    problem(stale, StatusCode::PRECONDITION_FAILED).await;
    let second = body(
        app.post(&path, &alice.access, &json!({"text": "ünï 🦀"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let task = get(&app, &alice, &id).await;
    assert_eq!(task["version"], 3);
    let texts: Vec<&str> = task["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["first note", "ünï 🦀"], "oldest first");

    // Bob sees none of it.
    let foreign = app
        .post(&path, &bob.access, &json!({"text": "x"}))
        .send()
        .await
        .unwrap();
    problem(foreign, StatusCode::NOT_FOUND).await;
    let foreign = app
        .delete(&format!("{path}{}/", first["id"]), &bob.access)
        .send()
        .await
        .unwrap();
    problem(foreign, StatusCode::NOT_FOUND).await;

    for bad in [
        json!({"text": ""}),
        json!({"text": "   "}),
        json!({"text": "x".repeat(10_001)}),
        json!({"text": 5}),
    ] {
        let response = app.post(&path, &alice.access, &bad).send().await.unwrap();
        let problem = problem(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&problem), ["text"], "{bad}");
    }

    let removed = app
        .delete(&format!("{path}{}/", first["id"]), &alice.access)
        .header("If-Match", "\"3\"")
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let task = get(&app, &alice, &id).await;
    assert_eq!(task["version"], 4);
    assert_eq!(task["annotations"], json!([second]));
    let again = app
        .delete(&format!("{path}{}/", first["id"]), &alice.access)
        .send()
        .await
        .unwrap();
    problem(again, StatusCode::NOT_FOUND).await;
    // A PATCH keeps the notes.
    assert_eq!(
        patch(&app, &alice, &id, json!({"title": "renamed"}))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(get(&app, &alice, &id).await["annotations"], json!([second]));
}

#[tokio::test]
async fn start_and_stop_are_idempotent_and_done_clears_start() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let id = app.task(&alice, json!({"title": "t"})).await["id"].clone();
    let post = |path: String, user: &TestUser| app.post(&path, &user.access, &json!({})).send();
    let started = body(
        post(format!("/api/tasks/{id}/start/"), &alice)
            .await
            .unwrap(),
    )
    .await;
    assert!(started["start"].is_string());
    assert_eq!(started["version"], 2);
    let again = body(
        post(format!("/api/tasks/{id}/start/"), &alice)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(again, started, "starting again changes nothing");
    let listed = body(
        app.get("/api/tasks/?active=true", &alice.access)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(listed["count"], 1);
    problem(
        post(format!("/api/tasks/{id}/start/"), &bob).await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    let stopped = body(
        post(format!("/api/tasks/{id}/stop/"), &alice)
            .await
            .unwrap(),
    )
    .await;
    assert!(stopped["start"].is_null());
    assert_eq!(stopped["version"], 3);
    let again = body(
        post(format!("/api/tasks/{id}/stop/"), &alice)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(again["version"], 3);
    post(format!("/api/tasks/{id}/start/"), &alice)
        .await
        .unwrap();
    let done = body(patch(&app, &alice, &id, json!({"status": "done"})).await).await;
    assert!(done["start"].is_null());
    let refused = post(format!("/api/tasks/{id}/start/"), &alice)
        .await
        .unwrap();
    problem(refused, StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn dependencies_block_until_done_and_refuse_cycles_and_foreign_ids() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let a = app.task(&alice, json!({"title": "a"})).await["id"].clone();
    let b = app
        .task(&alice, json!({"title": "b", "depends": [a]}))
        .await;
    assert_eq!(b["depends"], json!([a]));
    assert_eq!(b["blocked"], true);
    let b = b["id"].clone();
    let c = app
        .task(&alice, json!({"title": "c", "depends": [b]}))
        .await["id"]
        .clone();
    let a_task = get(&app, &alice, &a).await;
    assert_eq!(
        (a_task["blocking"].clone(), a_task["blocked"].clone()),
        (json!(true), json!(false))
    );
    // A list says the same of each task on its page: a blocks b, b waits
    // for a and blocks c, c waits for b.
    let page = crate::helpers::list_page(&app, &alice, "ordering=id").await;
    let flags: Vec<_> = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["id"].clone(), t["blocked"].clone(), t["blocking"].clone()))
        .collect();
    assert_eq!(
        flags,
        [
            (a.clone(), json!(false), json!(true)),
            (b.clone(), json!(true), json!(true)),
            (c.clone(), json!(true), json!(false)),
        ]
    );
    // What waits for a task, both ways: `depends_on` lists it, for its owner only.
    assert_eq!(
        crate::helpers::ids(&app, &alice, &format!("depends_on={a}")).await,
        [b.as_i64().unwrap()]
    );
    assert_eq!(
        crate::helpers::ids(&app, &alice, &format!("depends_on={b}")).await,
        [c.as_i64().unwrap()]
    );
    assert!(crate::helpers::ids(&app, &bob, &format!("depends_on={a}"))
        .await
        .is_empty());

    // a → c would close a → c → b → a.
    let cycle = patch(&app, &alice, &a, json!({"depends": [c]})).await;
    let problem_body = problem(cycle, StatusCode::BAD_REQUEST).await;
    assert_eq!(error_fields(&problem_body), ["depends"]);
    let itself = patch(&app, &alice, &a, json!({"depends": [a]})).await;
    assert_eq!(
        error_fields(&problem(itself, StatusCode::BAD_REQUEST).await),
        ["depends"]
    );
    // Bob's task and a task that does not exist get the same answer.
    let bobs = app.task(&bob, json!({"title": "bob's"})).await["id"].clone();
    let foreign = problem(
        patch(&app, &alice, &a, json!({"depends": [bobs]})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    let missing = problem(
        patch(&app, &alice, &a, json!({"depends": [999_999]})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(error_fields(&foreign), ["depends"]);
    let say = |p: &Value| {
        p["errors"]["depends"][0]
            .as_str()
            .unwrap()
            .replace(&bobs.to_string(), "N")
            .replace("999999", "N")
    };
    assert_eq!(say(&foreign), say(&missing));
    for bad in [
        json!({"depends": "1"}),
        json!({"depends": [0]}),
        json!({"depends": ["x"]}),
    ] {
        let response = patch(&app, &alice, &a, bad.clone()).await;
        assert_eq!(
            error_fields(&problem(response, StatusCode::BAD_REQUEST).await),
            ["depends"],
            "{bad}"
        );
    }

    let blocked = |query: &'static str| {
        let app = &app;
        let alice = &alice;
        async move {
            body(
                app.get(&format!("/api/tasks/?{query}"), &alice.access)
                    .send()
                    .await
                    .unwrap(),
            )
            .await["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].clone())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(blocked("blocked=true").await, [b.clone(), c.clone()]);
    assert_eq!(blocked("blocked=false").await, vec![a.clone()]);
    assert_eq!(blocked("ready=true").await, vec![a.clone()]);
    assert_eq!(blocked("blocking=true").await, [a.clone(), b.clone()]);

    // Done: b is no longer blocked, and the dependency stays; a done task
    // holds nothing up, as its own answer says.
    let done = patch(&app, &alice, &a, json!({"status": "done"})).await;
    assert_eq!(done.status(), StatusCode::OK);
    assert_eq!(body(done).await["blocking"], false);
    let b_task = get(&app, &alice, &b).await;
    assert_eq!(
        (b_task["blocked"].clone(), b_task["depends"].clone()),
        (json!(false), json!([a]))
    );
    assert_eq!(get(&app, &alice, &a).await["blocking"], false);
    assert_eq!(blocked("ready=true").await, vec![b.clone()]);
    // Reopened: blocking, and b blocked, again.
    let reopened = patch(&app, &alice, &a, json!({"status": "pending"})).await;
    assert_eq!(reopened.status(), StatusCode::OK);
    assert_eq!(body(reopened).await["blocking"], true);
    assert_eq!(get(&app, &alice, &b).await["blocked"], true);
    // Deleted: a leaves b's list.
    let deleted = app
        .delete(&format!("/api/tasks/{a}/"), &alice.access)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let b_task = get(&app, &alice, &b).await;
    assert_eq!(
        (b_task["blocked"].clone(), b_task["depends"].clone()),
        (json!(false), json!([]))
    );
}

#[tokio::test]
async fn urgency_is_taskwarriors_and_orders_the_list() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let plain = app.task(&alice, json!({"title": "plain"})).await;
    assert_eq!(plain["urgency"], 0.0);
    // 6 (H) + 1 (project) + 0.8 (one tag) = 7.8; made just now, so no age.
    let high = app
        .task(
            &alice,
            json!({"title": "high", "priority": "high", "project": "p", "tags": ["x"]}),
        )
        .await;
    assert!(
        (high["urgency"].as_f64().unwrap() - 7.8).abs() < 0.001,
        "{high}"
    );
    // 15 (next) + 0.8 (one tag) + 4 (active)
    let next = app
        .task(
            &alice,
            json!({"title": "next", "tags": ["next"], "start": "2026-01-01T00:00:00Z"}),
        )
        .await;
    assert!(
        (next["urgency"].as_f64().unwrap() - 19.8).abs() < 0.001,
        "{next}"
    );
    // −3 waiting
    let waiting = app
        .task(
            &alice,
            json!({"title": "waiting", "wait": "2999-01-01T00:00:00Z"}),
        )
        .await;
    assert!(
        (waiting["urgency"].as_f64().unwrap() + 3.0).abs() < 0.001,
        "{waiting}"
    );
    let done = app
        .task(
            &alice,
            json!({"title": "done", "status": "done", "priority": "high"}),
        )
        .await;
    assert_eq!(done["urgency"], 0.0);

    let order = |query: &'static str| {
        let (app, alice) = (&app, &alice);
        async move {
            let page = body(
                app.get(&format!("/api/tasks/?{query}"), &alice.access)
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            let titles: Vec<String> = page["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["title"].as_str().unwrap().to_string())
                .collect();
            (page["count"].as_u64().unwrap(), titles)
        }
    };
    assert_eq!(
        order("ordering=-urgency").await.1,
        ["next", "high", "plain", "done", "waiting"]
    );
    assert_eq!(
        order("ordering=urgency&status=pending").await.1,
        ["waiting", "plain", "high", "next"]
    );
    assert_eq!(
        order("ordering=-urgency&limit=2&offset=1").await,
        (5, vec!["high".into(), "plain".into()])
    );
}
