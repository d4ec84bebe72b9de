//! Conditional reads: a client that holds a task or a page asks whether it
//! changed, and gets an empty 304 when it did not.

use reqwest::{header, StatusCode};
use serde_json::json;

use crate::helpers::{body, TestApp};

#[tokio::test]
async fn a_task_unchanged_since_is_a_304_and_a_changed_one_a_200() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let id = app.task(&alice, json!({"title": "Pay rent"})).await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/tasks/{id}/");
    let first = app.get(&path, &alice.access).send().await.unwrap();
    let tag = first.headers()[header::ETAG].clone();
    assert_eq!(tag, "\"1\"");

    for held in ["\"1\"", "W/\"1\"", "\"7\", \"1\"", "*"] {
        let again = app
            .get(&path, &alice.access)
            .header(header::IF_NONE_MATCH, held)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{held}");
        assert_eq!(again.headers()[header::ETAG], tag);
        assert!(again.bytes().await.unwrap().is_empty());
    }
    app.patch(&path, &alice.access, &json!({"title": "Pay the rent"}))
        .send()
        .await
        .unwrap();
    let changed = app
        .get(&path, &alice.access)
        .header(header::IF_NONE_MATCH, "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(changed.headers()[header::ETAG], "\"2\"");
    assert_eq!(body(changed).await["title"], "Pay the rent");
}

#[tokio::test]
async fn a_list_page_carries_an_etag_and_an_unchanged_page_is_a_304() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    app.task(&alice, json!({"title": "one"})).await;
    let path = "/api/tasks/?ordering=id";
    let first = app.get(path, &alice.access).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()[header::CONTENT_TYPE], "application/json");
    let tag = first.headers()[header::ETAG].to_str().unwrap().to_string();
    assert_eq!(body(first).await["count"], 1);

    let same = app
        .get(path, &alice.access)
        .header(header::IF_NONE_MATCH, &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), StatusCode::NOT_MODIFIED);
    assert!(same.bytes().await.unwrap().is_empty());

    // Another user's change is not this page's.
    app.task(&bob, json!({"title": "Bob's"})).await;
    let still = app
        .get(path, &alice.access)
        .header(header::IF_NONE_MATCH, &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(still.status(), StatusCode::NOT_MODIFIED);

    app.task(&alice, json!({"title": "two"})).await;
    let changed = app
        .get(path, &alice.access)
        .header(header::IF_NONE_MATCH, &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(changed.headers()[header::ETAG].to_str().unwrap(), tag);
    assert_eq!(body(changed).await["count"], 2);
}
