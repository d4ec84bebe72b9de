//! Behind a reverse proxy: `X-Forwarded-*` decide the client and the links
//! only when the proxy is trusted; `--public-url` fixes the links.

use reqwest::{Method, StatusCode};
use serde_json::json;
use taskd::forwarded::{parse_trusted, Forwarding};

use crate::helpers::{body, TestApp, PASSWORD};

async fn login_via(app: &TestApp, client: &str, username: &str, password: &str) -> StatusCode {
    app.request(Method::POST, "/api/login/")
        .header("x-forwarded-for", client)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_the_client() {
    let app = TestApp::spawn_with(|config| {
        config.forwarding = Forwarding {
            trusted: vec![parse_trusted("127.0.0.1/32").unwrap()],
            public_url: None,
        };
    })
    .await;
    app.user("alice").await;
    // Five wrong guesses for alice from one client: that client is slowed
    // down...
    for _ in 0..5 {
        let status = login_via(&app, "203.0.113.7", "alice", "wrong password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        login_via(&app, "203.0.113.7", "alice", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // ...and nobody else is, though every request comes through the proxy.
    assert_eq!(
        login_via(&app, "198.51.100.2", "alice", PASSWORD).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn without_a_trusted_proxy_forged_headers_change_nothing() {
    let app = TestApp::spawn().await;
    app.user("alice").await;
    for n in 0..5 {
        let status = login_via(&app, &format!("203.0.113.{n}"), "alice", "wrong").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // A new X-Forwarded-For does not make a new client.
    assert_eq!(
        login_via(&app, "198.51.100.2", "alice", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

async fn next_link(app: &TestApp, headers: &[(&str, &str)]) -> String {
    let alice = app.user("alice").await;
    for n in 0..2 {
        app.task(&alice, json!({"title": format!("t{n}")})).await;
    }
    let mut request = app.get("/api/tasks/?limit=1", &alice.access);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let page = body(request.send().await.unwrap()).await;
    page["next"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn page_links_follow_a_trusted_proxy_or_the_public_url() {
    let forwarded = [
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "tasks.example.com"),
    ];
    let proxied = TestApp::spawn_with(|config| {
        config.forwarding.trusted = vec![parse_trusted("127.0.0.1").unwrap()];
    })
    .await;
    assert_eq!(
        next_link(&proxied, &forwarded).await,
        "https://tasks.example.com/api/tasks/?limit=1&offset=1"
    );

    let direct = TestApp::spawn().await;
    let link = next_link(&direct, &forwarded).await;
    assert_eq!(
        link,
        format!("http://{}/api/tasks/?limit=1&offset=1", direct.server.addr),
        "forged headers are ignored"
    );

    let public = TestApp::spawn_with(|config| {
        config.forwarding.public_url = Some("https://tasks.example.org".into());
    })
    .await;
    assert_eq!(
        next_link(&public, &[("host", "evil.example")]).await,
        "https://tasks.example.org/api/tasks/?limit=1&offset=1"
    );
}
