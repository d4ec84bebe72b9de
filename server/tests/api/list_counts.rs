//! A list's `count` is the number of tasks its filter matches, however the
//! daemon comes by it: counted, from the account's tally, or told by a page
//! that holds the last of them.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{list_page, TestApp, TestUser};

/// Checks `count` against the tasks themselves, for pages of every shape:
/// full, short, empty, and past the end.
async fn counts_agree(app: &TestApp, user: &TestUser, filter: &str, expected: u64) {
    let all = list_page(app, user, &format!("{filter}&limit=1000")).await;
    assert_eq!(
        all["results"].as_array().unwrap().len() as u64,
        expected,
        "{filter}"
    );
    for (limit, offset) in [(1, 0), (2, 1), (3, 3), (50, 0), (1, 4), (2, 6), (5, 100)] {
        let query = format!("{filter}&limit={limit}&offset={offset}");
        let got = list_page(app, user, &query).await;
        assert_eq!(got["count"], json!(expected), "{query}");
        let held = got["results"].as_array().unwrap().len() as u64;
        assert_eq!(held, expected.saturating_sub(offset).min(limit), "{query}");
    }
}

#[tokio::test]
async fn the_count_stays_exact_through_every_kind_of_write() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    app.task(&bob, json!({"title": "Bob's own"})).await;
    counts_agree(&app, &alice, "status=all", 0).await;

    let mut ids = Vec::new();
    for n in 0..6 {
        ids.push(
            app.task(&alice, json!({"title": format!("task {n}")}))
                .await["id"]
                .clone(),
        );
    }
    counts_agree(&app, &alice, "status=all", 6).await;

    // Deleted (to the trash), one restored, one completed.
    for id in &ids[..2] {
        let response = app
            .delete(&format!("/api/tasks/{id}/"), &alice.access)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }
    let restored = app
        .post(
            &format!("/api/trash/{}/restore/", ids[0]),
            &alice.access,
            &json!({}),
        )
        .send()
        .await
        .unwrap();
    assert!(restored.status().is_success(), "{}", restored.status());
    let done = app
        .patch(
            &format!("/api/tasks/{}/", ids[2]),
            &alice.access,
            &json!({"status": "done"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    counts_agree(&app, &alice, "status=all", 5).await;
    counts_agree(&app, &alice, "status=pending", 4).await;

    let imported = app
        .post(
            "/api/import/",
            &alice.access,
            &json!([
                {"uuid": "0b3c7a52-2f0e-4d8e-9a4b-6e1d2c3b4a51", "description": "From a file", "status": "pending", "entry": "20260101T090000Z"},
                {"uuid": "1b3c7a52-2f0e-4d8e-9a4b-6e1d2c3b4a51", "description": "Done in a file", "status": "completed", "entry": "20260101T090000Z", "end": "20260102T090000Z"}
            ]),
        )
        .send()
        .await
        .unwrap();
    assert!(imported.status().is_success(), "{}", imported.status());
    counts_agree(&app, &alice, "status=all", 7).await;
    counts_agree(&app, &alice, "status=pending", 5).await;

    // Undo takes the import back; the other account was never counted.
    let undone = app
        .post("/api/undo/", &alice.access, &json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(undone.status(), StatusCode::OK);
    counts_agree(&app, &alice, "status=all", 5).await;
    counts_agree(&app, &bob, "status=all", 1).await;
}
