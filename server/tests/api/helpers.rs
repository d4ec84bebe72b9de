use std::sync::Once;

use reqwest::{header, Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};
use taskd::{Config, Spawned};
use tempfile::TempDir;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub server: Spawned,
    pub client: reqwest::Client,
    pub dir: TempDir,
}

/// A logged-in user.
pub struct TestUser {
    pub id: i64,
    pub access: String,
    pub refresh: String,
}

fn init_tracing() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            tracing_subscriber_init();
        }
    });
}

/// Logs go to a sink unless `TEST_LOG` is set.
fn tracing_subscriber_init() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter("info")
        .with_test_writer()
        .try_init();
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        init_tracing();
        let dir = tempfile::tempdir().unwrap();
        let server = taskd::spawn(Config::for_tests(dir.path())).await.unwrap();
        TestApp {
            server,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.url(), path)
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub fn get(&self, path: &str, token: &str) -> RequestBuilder {
        self.request(Method::GET, path).bearer_auth(token)
    }

    pub fn post(&self, path: &str, token: &str, body: &Value) -> RequestBuilder {
        self.request(Method::POST, path)
            .bearer_auth(token)
            .json(body)
    }

    pub fn patch(&self, path: &str, token: &str, body: &Value) -> RequestBuilder {
        self.request(Method::PATCH, path)
            .bearer_auth(token)
            .json(body)
    }

    pub fn put(&self, path: &str, token: &str, body: &Value) -> RequestBuilder {
        self.request(Method::PUT, path)
            .bearer_auth(token)
            .json(body)
    }

    pub fn delete(&self, path: &str, token: &str) -> RequestBuilder {
        self.request(Method::DELETE, path).bearer_auth(token)
    }

    pub async fn register(&self, username: &str, password: &str) -> Response {
        self.request(Method::POST, "/api/register/")
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap()
    }

    /// `POST /api/token/refresh/` with `refresh`.
    pub async fn refresh(&self, refresh: &str) -> Response {
        self.request(Method::POST, "/api/token/refresh/")
            .json(&json!({"refresh": refresh}))
            .send()
            .await
            .unwrap()
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.request(Method::POST, "/api/login/")
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap()
    }

    /// Registers and logs in `username`.
    pub async fn user(&self, username: &str) -> TestUser {
        let registered = self.register(username, PASSWORD).await;
        assert_eq!(registered.status(), StatusCode::CREATED);
        let id = body(registered).await["id"].as_i64().unwrap();
        self.logged_in(id, username).await
    }

    pub async fn logged_in(&self, id: i64, username: &str) -> TestUser {
        let tokens = body(self.login(username, PASSWORD).await).await;
        TestUser {
            id,
            access: tokens["access"].as_str().unwrap().to_string(),
            refresh: tokens["refresh"].as_str().unwrap().to_string(),
        }
    }

    /// An admin, made as `taskd createsuperuser` makes one.
    pub async fn admin(&self, username: &str) -> TestUser {
        let user = self.user(username).await;
        self.server
            .state
            .store
            .update_user_flags(user.id, None, Some(true))
            .await
            .unwrap();
        user
    }

    /// Creates a task and returns its JSON.
    pub async fn task(&self, user: &TestUser, body: Value) -> Value {
        let response = self
            .post("/api/tasks/", &user.access, &body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "creating {body}");
        self::body(response).await
    }
}

pub async fn body(response: Response) -> Value {
    let text = response.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text:?}"))
}

/// Asserts a problem+json response with `status` and returns its body.
pub async fn problem(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status, "status of {}", response.url());
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string());
    assert_eq!(content_type.as_deref(), Some("application/problem+json"));
    let body = body(response).await;
    assert_eq!(body["status"], status.as_u16());
    assert!(body["type"].is_string() && body["title"].is_string());
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    body
}

/// The field names a validation problem lists.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_object()
        .map(|errors| errors.keys().cloned().collect())
        .unwrap_or_default()
}
