//! `Idempotency-Key`: a retried create is answered as the first time and
//! makes nothing new.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{body, problem, TestApp, TestUser};

async fn create(app: &TestApp, user: &TestUser, key: &str, task: Value) -> reqwest::Response {
    app.post("/api/tasks/", &user.access, &task)
        .header("idempotency-key", key)
        .send()
        .await
        .unwrap()
}

async fn count(app: &TestApp, user: &TestUser) -> u64 {
    body(
        app.get("/api/tasks/?status=all", &user.access)
            .send()
            .await
            .unwrap(),
    )
    .await["count"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn a_retried_create_replays_the_first_answer_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let task = json!({"title": "Pay rent", "tags": ["home"]});
    let first = create(&app, &alice, "7c1e0b7e-key", task.clone()).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let location = first.headers()["location"].clone();
    let etag = first.headers()["etag"].clone();
    let first_body = first.text().await.unwrap();

    // The same fields, laid out otherwise, are the same request.
    let again = create(
        &app,
        &alice,
        "7c1e0b7e-key",
        json!({"tags": ["home"], "title": "Pay rent"}),
    )
    .await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["location"], location);
    assert_eq!(again.headers()["etag"], etag);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.text().await.unwrap(), first_body);
    assert_eq!(count(&app, &alice).await, 1);

    // Another request with that key is refused, and makes nothing.
    let other = create(
        &app,
        &alice,
        "7c1e0b7e-key",
        json!({"title": "Something else"}),
    )
    .await;
    problem(other, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(count(&app, &alice).await, 1);

    // Keys are each user's own.
    let bobs = create(&app, &bob, "7c1e0b7e-key", task).await;
    assert_eq!(bobs.status(), StatusCode::CREATED);
    assert_eq!(count(&app, &bob).await, 1);

    // Without a key, every POST creates.
    for _ in 0..2 {
        app.task(&alice, json!({"title": "Pay rent"})).await;
    }
    assert_eq!(count(&app, &alice).await, 3);
}

#[tokio::test]
async fn a_refused_create_is_replayed_as_refused_and_bad_keys_are_400s() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    for _ in 0..2 {
        let refused = create(&app, &alice, "bad-body", json!({"title": ""})).await;
        let refused = problem(refused, StatusCode::BAD_REQUEST).await;
        assert!(refused["errors"]["title"].is_array());
    }
    for key in ["", &"k".repeat(256), "spaces are not allowed", "clé"] {
        let response = app
            .post("/api/tasks/", &alice.access, &json!({"title": "x"}))
            .header("idempotency-key", key)
            .send()
            .await
            .unwrap();
        let refused = problem(response, StatusCode::BAD_REQUEST).await;
        assert!(
            refused["errors"]["Idempotency-Key"].is_array(),
            "{key:?}: {refused}"
        );
    }
    assert_eq!(count(&app, &alice).await, 0);
}

#[tokio::test]
async fn a_retried_import_imports_nothing_again() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let file = json!([{"uuid": "3f0a9a9e-1c2b-4d5e-8f70-112233445566", "description": "From a file",
        "status": "pending", "entry": "20260101T090000Z"}]);
    let mut answers = Vec::new();
    for _ in 0..2 {
        let response = app
            .post("/api/import/", &alice.access, &file)
            .header("idempotency-key", "import-1")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        answers.push(body(response).await);
    }
    assert_eq!(answers[0]["added"], 1);
    assert_eq!(answers[1], answers[0], "the first summary, replayed");
    assert_eq!(count(&app, &alice).await, 1);
    // A change set of its own only once: one undo takes the import back.
    let undone = app
        .post("/api/undo/", &alice.access, &json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(undone.status(), StatusCode::OK);
    assert_eq!(count(&app, &alice).await, 0);
}
