//! `/api/projects/` and `/api/tags/`: counts of a user's tasks by project
//! and by tag, under the task list's filter.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{body, error_fields, problem, TestApp, TestUser};

async fn counts(app: &TestApp, user: &TestUser, path: &str) -> Value {
    let response = app.get(path, &user.access).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    body(response).await
}

#[tokio::test]
async fn projects_and_tags_are_counted_under_the_list_filter() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    for (title, project, tags) in [
        ("a", Some("home"), vec!["x", "y"]),
        ("b", Some("home.garden"), vec!["y"]),
        ("c", Some("Work"), vec!["Y", "z"]),
        ("d", None, vec![]),
    ] {
        app.task(
            &alice,
            json!({"title": title, "project": project, "tags": tags}),
        )
        .await;
    }
    let done = app
        .task(
            &alice,
            json!({"title": "e", "project": "home", "tags": ["x"], "status": "done"}),
        )
        .await;
    assert_eq!(done["status"], "done");
    app.task(
        &bob,
        json!({"title": "bob's", "project": "secret", "tags": ["hidden"]}),
    )
    .await;

    // Every task by default, as the list; code-point order (upper case first).
    assert_eq!(
        counts(&app, &alice, "/api/projects/").await,
        json!([
            {"name": "Work", "count": 1},
            {"name": "home", "count": 2},
            {"name": "home.garden", "count": 1},
        ])
    );
    assert_eq!(
        counts(&app, &alice, "/api/tags/").await,
        json!([
            {"name": "Y", "count": 1},
            {"name": "x", "count": 2},
            {"name": "y", "count": 2},
            {"name": "z", "count": 1},
        ])
    );
    // The list's filter narrows them.
    assert_eq!(
        counts(&app, &alice, "/api/projects/?status=pending&project=home").await,
        json!([
            {"name": "home", "count": 1},
            {"name": "home.garden", "count": 1},
        ])
    );
    assert_eq!(
        counts(&app, &alice, "/api/tags/?status=done").await,
        json!([{"name": "x", "count": 1}])
    );
    // Another user's are never counted.
    assert_eq!(
        counts(&app, &bob, "/api/projects/").await,
        json!([{"name": "secret", "count": 1}])
    );
    let nobody = app.user("carol").await;
    assert_eq!(counts(&app, &nobody, "/api/tags/").await, json!([]));

    // Bad filters are 400s naming the parameter; no token is a 401.
    let response = app
        .get("/api/tags/?status=later", &alice.access)
        .send()
        .await
        .unwrap();
    let problem = problem(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(error_fields(&problem), ["status"]);
    let response = app
        .request(reqwest::Method::GET, "/api/projects/")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}
