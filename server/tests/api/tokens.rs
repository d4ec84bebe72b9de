//! Forged, tampered and expired access tokens are all 401.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

use taskd::store::Database;

use crate::helpers::{problem, TestApp};

pub fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

pub fn sign(claims: &Value, algorithm: Algorithm, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

/// The generated signing secret: in a file beside a SQLite database, in the
/// database itself on PostgreSQL.
pub async fn secret(app: &TestApp) -> Vec<u8> {
    let text = match &app.database.database {
        Database::Sqlite(_) => {
            std::fs::read_to_string(app.dir.path().join("taskd.sqlite3.jwt-secret")).unwrap()
        }
        Database::Postgres(_) => app
            .database
            .connect()
            .await
            .query_one("SELECT value FROM settings WHERE name = 'jwt_secret'", &[])
            .await
            .unwrap()
            .get(0),
    };
    text.trim().as_bytes().to_vec()
}

async fn assert_rejected(app: &TestApp, token: &str) {
    let response = app.get("/api/me/", token).send().await.unwrap();
    assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
    problem(response, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn a_token_signed_with_our_key_is_accepted_as_a_control() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let token = sign(
        &claims_of(&alice.access),
        Algorithm::HS256,
        &secret(&app).await,
    );
    assert_eq!(
        app.get("/api/me/", &token).send().await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn alg_none_is_rejected() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = alice.access.split('.').nth(1).unwrap();
    assert_rejected(&app, &format!("{header}.{payload}.")).await;
    assert_rejected(&app, &format!("{header}.{payload}")).await;
}

#[tokio::test]
async fn another_algorithm_with_our_key_is_rejected() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    assert_rejected(
        &app,
        &sign(
            &claims_of(&alice.access),
            Algorithm::HS512,
            &secret(&app).await,
        ),
    )
    .await;
}

#[tokio::test]
async fn a_wrong_key_is_rejected() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let forged = sign(&claims_of(&alice.access), Algorithm::HS256, &[7u8; 48]);
    assert_rejected(&app, &forged).await;
}

#[tokio::test]
async fn a_tampered_payload_is_rejected() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let mut claims = claims_of(&alice.access);
    claims["sub"] = json!(bob.id.to_string());
    let parts: Vec<&str> = alice.access.split('.').collect();
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
    assert_rejected(&app, &format!("{}.{payload}.{}", parts[0], parts[2])).await;
}

#[tokio::test]
async fn an_expired_token_is_rejected() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let mut claims = claims_of(&alice.access);
    let now = chrono::Utc::now().timestamp();
    claims["iat"] = json!(now - 3600);
    claims["exp"] = json!(now - 60);
    assert_rejected(&app, &sign(&claims, Algorithm::HS256, &secret(&app).await)).await;
}

#[tokio::test]
async fn a_token_already_accepted_is_rejected_once_it_expires() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let mut claims = claims_of(&alice.access);
    // Past its expiry, but within the 10 s of leeway for another 2 s.
    let now = chrono::Utc::now().timestamp();
    claims["exp"] = json!(now - 8);
    let token = sign(&claims, Algorithm::HS256, &secret(&app).await);
    let response = app.get("/api/me/", &token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // The daemon remembers the token it checked; not past its expiry.
    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
    assert_rejected(&app, &token).await;
}

#[tokio::test]
async fn claims_of_the_wrong_type_are_rejected() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let key = secret(&app).await;
    let far = chrono::Utc::now().timestamp() + 3600;
    for (claim, value) in [
        ("exp", json!(far.to_string())),
        ("nbf", json!("0")),
        ("exp", Value::Null),
    ] {
        let mut claims = claims_of(&alice.access);
        claims[claim] = value;
        assert_rejected(&app, &sign(&claims, Algorithm::HS256, &key)).await;
    }
    let mut claims = claims_of(&alice.access);
    claims.as_object_mut().unwrap().remove("exp");
    assert_rejected(&app, &sign(&claims, Algorithm::HS256, &key)).await;
}

#[tokio::test]
async fn malformed_headers_and_query_tokens_are_rejected() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    for value in [
        "".to_string(),
        "Bearer".to_string(),
        "Bearer ".to_string(),
        format!("Basic {}", alice.access),
        "Bearer not.a.jwt".to_string(),
    ] {
        let response = app
            .request(reqwest::Method::GET, "/api/me/")
            .header(header::AUTHORIZATION, value)
            .send()
            .await
            .unwrap();
        problem(response, StatusCode::UNAUTHORIZED).await;
    }
    for query in ["token", "access", "access_token", "jwt"] {
        let path = format!("/api/me/?{query}={}", alice.access);
        let response = app
            .request(reqwest::Method::GET, &path)
            .send()
            .await
            .unwrap();
        problem(response, StatusCode::UNAUTHORIZED).await;
    }
}
