use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{body, problem, TestApp};

#[tokio::test]
async fn another_users_tasks_are_invisible_and_untouchable() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let task = app
        .task(
            &alice,
            json!({"title": "secret", "project": "home", "tags": ["mine"], "priority": "high"}),
        )
        .await;
    let path = format!("/api/tasks/{}/", task["id"]);

    let attempts = [
        app.get(&path, &bob.access),
        app.put(&path, &bob.access, &json!({"title": "mine now"})),
        app.patch(&path, &bob.access, &json!({"title": "mine now"})),
        app.delete(&path, &bob.access),
    ];
    let mut bodies = Vec::new();
    for attempt in attempts {
        bodies.push(problem(attempt.send().await.unwrap(), StatusCode::NOT_FOUND).await);
    }
    // The same 404 as for an id that does not exist: existence is not revealed.
    let missing = problem(
        app.get("/api/tasks/999999/", &bob.access)
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    assert!(bodies.iter().all(|b| *b == missing));

    let unchanged = body(app.get(&path, &alice.access).send().await.unwrap()).await;
    assert_eq!(unchanged, task);

    app.task(
        &bob,
        json!({"title": "bob's", "project": "home", "tags": ["mine"]}),
    )
    .await;
    for query in [
        "",
        "status=all",
        "project=home",
        "tag=mine",
        "search=secret",
        "priority=high",
        "limit=1000",
    ] {
        let page = body(
            app.get(&format!("/api/tasks/?{query}"), &bob.access)
                .send()
                .await
                .unwrap(),
        )
        .await;
        let titles: Vec<&str> = page["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["title"].as_str().unwrap())
            .collect();
        assert!(!titles.contains(&"secret"), "{query}: {titles:?}");
        assert!(page["count"].as_u64().unwrap() <= 1);
    }
}
