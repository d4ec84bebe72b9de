//! What frontends written for the Django backend rely on: simplejwt's
//! `token_not_valid` code and claims, and DRF's error bodies on request.

use reqwest::{header, StatusCode};
use serde_json::{json, Value};
use taskd::config::ErrorFormat;

use crate::{
    helpers::{body, problem, TestApp},
    tokens::{claims_of, secret, sign},
};

#[tokio::test]
async fn refused_tokens_carry_simplejwts_code_and_access_tokens_its_claims() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let claims = claims_of(&alice.access);
    assert_eq!(claims["user_id"], alice.id);
    assert_eq!(claims["token_type"], "access");

    let refused = problem(
        app.get("/api/tasks/", "not.a.token").send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(refused["code"], "token_not_valid");
    let refreshed = problem(
        app.refresh("no such refresh token").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(refreshed["code"], "token_not_valid");
    // Not a token at all: no code, as in DRF.
    let missing = problem(
        app.request(reqwest::Method::GET, "/api/tasks/")
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(missing.get("code"), None);

    // A token of another type, signed with our key, is refused.
    let mut other = claims.clone();
    other["token_type"] = json!("refresh");
    let forged = sign(&other, jsonwebtoken::Algorithm::HS256, &secret(&app).await);
    let refused = problem(
        app.get("/api/tasks/", &forged).send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(refused["code"], "token_not_valid");
}

async fn drf(
    response: reqwest::Response,
    status: StatusCode,
) -> (Value, reqwest::header::HeaderMap) {
    assert_eq!(response.status(), status);
    let headers = response.headers().clone();
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    (body(response).await, headers)
}

#[tokio::test]
async fn error_format_drf_writes_errors_as_django_rest_framework_does() {
    let app = TestApp::spawn_with(|config| config.error_format = ErrorFormat::Drf).await;
    let alice = app.user("alice").await;

    let (invalid, _) = drf(
        app.request(reqwest::Method::POST, "/api/register/")
            .json(&json!({}))
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(invalid["username"], json!(["This field is required."]));
    assert_eq!(invalid.get("detail"), None);

    let (refused, headers) = drf(
        app.get("/api/tasks/", "not.a.token").send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(refused["code"], "token_not_valid");
    assert!(refused["detail"].is_string());
    assert_eq!(headers[header::WWW_AUTHENTICATE], "Bearer");

    let (missing, _) = drf(
        app.get("/api/tasks/999999/", &alice.access)
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        missing.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["detail"]
    );

    let (forbidden, _) = drf(
        app.get("/api/admin/users/", &alice.access)
            .send()
            .await
            .unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(forbidden["detail"].is_string());

    let mut limited = None;
    for _ in 0..8 {
        let response = app.login("alice", "wrong password!").await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(response);
            break;
        }
    }
    let (slow, headers) = drf(limited.expect("a 429"), StatusCode::TOO_MANY_REQUESTS).await;
    assert!(slow["detail"].is_string());
    assert!(headers.contains_key(header::RETRY_AFTER));
    // Success bodies are untouched.
    let me = app.get("/api/me/", &alice.access).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(body(me).await["username"], "alice");
}
