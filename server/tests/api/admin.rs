use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{body, problem, TestApp, PASSWORD};

#[tokio::test]
async fn admins_list_users_with_task_counts() {
    let app = TestApp::spawn().await;
    let admin = app.admin("root").await;
    let alice = app.user("alice").await;
    app.task(&alice, json!({"title": "one"})).await;
    app.task(&alice, json!({"title": "two"})).await;
    let response = app
        .get("/api/admin/users/", &admin.access)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // DRF's envelope, exactly the type the clients read it into.
    let page: common::api::Page<common::api::AdminUser> =
        serde_json::from_value(body(response).await).unwrap();
    assert_eq!((page.count, page.next, page.previous), (2, None, None));
    let alice_row = page.results.iter().find(|u| u.username == "alice").unwrap();
    assert_eq!(alice_row.task_count, 2);
    assert!(alice_row.is_active);
    assert!(!alice_row.is_admin);
}

#[tokio::test]
async fn the_user_list_comes_a_page_at_a_time() {
    let app = TestApp::spawn().await;
    let admin = app.admin("root").await;
    for name in ["alice", "bob", "carol", "dave"] {
        app.user(name).await;
    }
    let first = body(
        app.get("/api/admin/users/?limit=2", &admin.access)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(first["count"], 5);
    let names = |page: &serde_json::Value| -> Vec<String> {
        page["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&first), ["root", "alice"]);
    assert_eq!(first["previous"], serde_json::Value::Null);
    let next = first["next"].as_str().unwrap();
    assert!(
        next.ends_with("/api/admin/users/?limit=2&offset=2"),
        "{next}"
    );
    let second = body(
        app.client
            .get(next)
            .bearer_auth(&admin.access)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(names(&second), ["bob", "carol"]);
    let bad = app
        .get("/api/admin/users/?limit=0&offset=-1", &admin.access)
        .send()
        .await
        .unwrap();
    let bad = problem(bad, StatusCode::BAD_REQUEST).await;
    assert!(bad["errors"]["limit"].is_array() && bad["errors"]["offset"].is_array());
}

#[tokio::test]
async fn admins_promote_deactivate_and_delete() {
    let app = TestApp::spawn().await;
    let admin = app.admin("root").await;
    let alice = app.user("alice").await;
    let task = app.task(&alice, json!({"title": "one"})).await;
    let path = format!("/api/admin/users/{}/", alice.id);

    let promoted = body(
        app.patch(&path, &admin.access, &json!({"is_admin": true}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(promoted["is_admin"], true);
    let listed = app
        .get("/api/admin/users", &alice.access)
        .send()
        .await
        .unwrap();
    assert_eq!(
        listed.status(),
        StatusCode::OK,
        "a promoted user's token works at once"
    );

    let deactivated = body(
        app.patch(&path, &admin.access, &json!({"is_active": false}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(deactivated["is_active"], false);
    let reactivated = body(
        app.patch(&path, &admin.access, &json!({"is_active": true}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reactivated["is_active"], true);
    assert_eq!(app.login("alice", PASSWORD).await.status(), StatusCode::OK);

    let unknown = app
        .patch(&path, &admin.access, &json!({"colour": "red"}))
        .send()
        .await
        .unwrap();
    problem(unknown, StatusCode::BAD_REQUEST).await;
    let deleted = app.delete(&path, &admin.access).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    problem(
        app.delete(&path, &admin.access).send().await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    let missing = app
        .patch(
            "/api/admin/users/9999/",
            &admin.access,
            &json!({"is_admin": true}),
        )
        .send()
        .await
        .unwrap();
    problem(missing, StatusCode::NOT_FOUND).await;
    let orphan = app
        .server
        .state
        .store
        .get_task(alice.id, task["id"].as_i64().unwrap())
        .await
        .unwrap();
    assert!(orphan.is_none(), "their tasks went with them");
    problem(app.login("alice", PASSWORD).await, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn admins_cannot_lock_themselves_out() {
    let app = TestApp::spawn().await;
    let admin = app.admin("root").await;
    let path = format!("/api/admin/users/{}/", admin.id);
    for change in [json!({"is_active": false}), json!({"is_admin": false})] {
        problem(
            app.patch(&path, &admin.access, &change)
                .send()
                .await
                .unwrap(),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    problem(
        app.delete(&path, &admin.access).send().await.unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
}

#[tokio::test]
async fn everyone_else_gets_403_or_401() {
    let app = TestApp::spawn().await;
    app.admin("root").await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let target = format!("/api/admin/users/{}/", bob.id);
    for request in [
        app.get("/api/admin/users/", &alice.access),
        app.patch(&target, &alice.access, &json!({"is_admin": true})),
        app.delete(&target, &alice.access),
    ] {
        problem(request.send().await.unwrap(), StatusCode::FORBIDDEN).await;
    }
    let anonymous = app
        .request(reqwest::Method::GET, "/api/admin/users/")
        .send()
        .await
        .unwrap();
    problem(anonymous, StatusCode::UNAUTHORIZED).await;
    let me = body(app.get("/api/me/", &bob.access).send().await.unwrap()).await;
    assert_eq!(me["is_admin"], false);
}

#[tokio::test]
async fn the_api_user_list_takes_the_panels_filters_and_refuses_self_lockout() {
    let app = TestApp::spawn().await;
    let admin = app.admin("root").await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    app.task(&bob, json!({"title": "one"})).await;
    let names = |page: &serde_json::Value| -> Vec<String> {
        page["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap().to_string())
            .collect()
    };
    let get = |query: &str| {
        app.get(&format!("/api/admin/users/{query}"), &admin.access)
            .send()
    };
    assert_eq!(
        names(&body(get("?ordering=-task_count").await.unwrap()).await)[0],
        "bob"
    );
    assert_eq!(
        names(&body(get("?search=ALI").await.unwrap()).await),
        ["alice"]
    );
    assert_eq!(
        names(&body(get("?is_admin=true").await.unwrap()).await),
        ["root"]
    );
    let bad = problem(
        get("?ordering=password&is_active=yes").await.unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        bad["errors"]["ordering"].is_array() && bad["errors"]["is_active"].is_array(),
        "{bad}"
    );

    for patch in [json!({"is_active": false}), json!({"is_admin": false})] {
        let response = app
            .patch(
                &format!("/api/admin/users/{}/", admin.id),
                &admin.access,
                &patch,
            )
            .send()
            .await
            .unwrap();
        let refused = problem(response, StatusCode::BAD_REQUEST).await;
        assert!(
            refused.to_string().contains("your own account"),
            "{refused}"
        );
    }
    let response = app
        .delete(&format!("/api/admin/users/{}/", admin.id), &admin.access)
        .send()
        .await
        .unwrap();
    problem(response, StatusCode::BAD_REQUEST).await;
    let inactive = body(get("?is_active=false").await.unwrap()).await;
    assert_eq!(inactive["count"], 0);
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
    assert_eq!(
        names(&body(get("?is_active=false").await.unwrap()).await),
        ["alice"]
    );
}
