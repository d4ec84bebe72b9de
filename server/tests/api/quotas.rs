//! Per-account quotas: past one, a write is a 403 problem and nothing of it
//! is written; other accounts go on.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{body, problem, TestApp, TestUser};

async fn count(app: &TestApp, user: &TestUser) -> u64 {
    body(
        app.get("/api/tasks/?status=all&limit=1", &user.access)
            .send()
            .await
            .unwrap(),
    )
    .await["count"]
        .as_u64()
        .unwrap()
}

fn import_of(n: usize, description_chars: usize) -> Value {
    json!((0..n)
        .map(|i| json!({
            "description": format!("task {i}"),
            "taskd_description": "d".repeat(description_chars),
            "status": "pending",
            "entry": "20261201T000000Z",
        }))
        .collect::<Vec<_>>())
}

#[tokio::test]
async fn past_a_quota_nothing_is_written_and_others_go_on() {
    let app = TestApp::spawn_with(|config| {
        config.quotas = taskd::config::quotas(20, 1);
    })
    .await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;

    // Tasks: 20 fit; an import that would pass the quota writes none.
    let imported = app
        .post("/api/import/", &alice.access, &import_of(18, 10))
        .send()
        .await
        .unwrap();
    assert!(imported.status().is_success());
    let over = app
        .post("/api/import/", &alice.access, &import_of(3, 10))
        .send()
        .await
        .unwrap();
    let refused = problem(over, StatusCode::FORBIDDEN).await;
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("as many tasks"),
        "{refused}"
    );
    assert_eq!(
        count(&app, &alice).await,
        18,
        "nothing of the import was written"
    );
    for n in 0..2 {
        let made = app
            .post(
                "/api/tasks/",
                &alice.access,
                &json!({"title": format!("fits {n}")}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(made.status(), StatusCode::CREATED);
    }
    let one_more = app
        .post(
            "/api/tasks/",
            &alice.access,
            &json!({"title": "one too many"}),
        )
        .send()
        .await
        .unwrap();
    problem(one_more, StatusCode::FORBIDDEN).await;
    // Bob is not held to Alice's tasks.
    let bobs = app
        .post("/api/tasks/", &bob.access, &json!({"title": "mine"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bobs.status(), StatusCode::CREATED);
    // Deleting makes room again.
    let first = body(
        app.get("/api/tasks/?limit=1", &alice.access)
            .send()
            .await
            .unwrap(),
    )
    .await["results"][0]["id"]
        .as_i64()
        .unwrap();
    let deleted = app
        .delete(&format!("/api/tasks/{first}/"), &alice.access)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let again = app
        .post(
            "/api/tasks/",
            &alice.access,
            &json!({"title": "room again"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn text_past_the_quota_is_refused_but_finishing_and_deleting_go_on() {
    let app = TestApp::spawn_with(|config| {
        config.quotas = taskd::config::quotas(1000, 1);
    })
    .await;
    let carol = app.user("carol").await;
    // 99 tasks of 10,000 characters: 990,000 of the 1,000,000 allowed.
    let imported = app
        .post("/api/import/", &carol.access, &import_of(99, 10_000))
        .send()
        .await
        .unwrap();
    assert!(
        imported.status().is_success(),
        "{}",
        imported.text().await.unwrap()
    );
    let long = "x".repeat(10_000);
    let over = app
        .post(
            "/api/tasks/",
            &carol.access,
            &json!({"title": "long", "description": long}),
        )
        .send()
        .await
        .unwrap();
    let refused = problem(over, StatusCode::FORBIDDEN).await;
    assert!(
        refused["detail"].as_str().unwrap().contains("as much text"),
        "{refused}"
    );
    assert_eq!(count(&app, &carol).await, 99);

    let task = body(
        app.get("/api/tasks/?limit=1", &carol.access)
            .send()
            .await
            .unwrap(),
    )
    .await["results"][0]
        .clone();
    let id = task["id"].as_i64().unwrap();
    // A note that adds text past the quota, refused; the task unchanged.
    let note = app
        .post(
            &format!("/api/tasks/{id}/annotations/"),
            &carol.access,
            &json!({"text": "n".repeat(9_500)}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        note.status(),
        StatusCode::FORBIDDEN,
        "{}",
        note.text().await.unwrap()
    );
    // Rewriting a text at the same length goes on; growing one past the
    // quota does not.
    let same = app
        .patch(
            &format!("/api/tasks/{id}/"),
            &carol.access,
            &json!({"description": "y".repeat(10_000)}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), StatusCode::OK);
    let short = body(
        app.post(
            "/api/tasks/",
            &carol.access,
            &json!({"title": "short", "description": "s".repeat(8_000)}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    let grown = app
        .patch(
            &format!("/api/tasks/{}/", short["id"]),
            &carol.access,
            &json!({"description": "s".repeat(10_000)}),
        )
        .send()
        .await
        .unwrap();
    problem(grown, StatusCode::FORBIDDEN).await;
    let kept = body(
        app.get(&format!("/api/tasks/{}/", short["id"]), &carol.access)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(kept["description"].as_str().unwrap().len(), 8_000);
    // Finishing changes no text: it goes on.
    let done = app
        .patch(
            &format!("/api/tasks/{id}/"),
            &carol.access,
            &json!({"status": "done"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    // Deleting frees text for a new task.
    for _ in 0..3 {
        let victim = body(
            app.get("/api/tasks/?limit=1", &carol.access)
                .send()
                .await
                .unwrap(),
        )
        .await["results"][0]["id"]
            .as_i64()
            .unwrap();
        app.delete(&format!("/api/tasks/{victim}/"), &carol.access)
            .send()
            .await
            .unwrap();
    }
    let fits = app
        .post(
            "/api/tasks/",
            &carol.access,
            &json!({"title": "long", "description": "x".repeat(10_000)}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        fits.status(),
        StatusCode::CREATED,
        "{}",
        fits.text().await.unwrap()
    );
}
