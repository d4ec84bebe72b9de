use std::sync::Once;

use reqwest::{header, Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};
use taskd::{store::Database, Config, Spawned};
use tempfile::TempDir;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub server: Spawned,
    pub client: reqwest::Client,
    pub dir: TempDir,
    pub database: TestDatabase,
}

/// The PostgreSQL server the tests may create databases on, as a URL
/// (`postgres://USER:PASSWORD@HOST/postgres`), from `TASKD_TEST_POSTGRES`.
/// Without it every test runs on SQLite, and those that need PostgreSQL
/// say so and pass without running.
pub fn postgres_server() -> Option<String> {
    std::env::var("TASKD_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// A fresh database for one test: a SQLite file in a temporary directory,
/// or, when `TASKD_TEST_POSTGRES` names a server, a new database there
/// (dropped by the next run).
pub struct TestDatabase {
    pub database: Database,
}

impl TestDatabase {
    /// A database of the backend the run tests (see [`postgres_server`]).
    pub async fn new(dir: &std::path::Path) -> TestDatabase {
        match postgres_server() {
            Some(server) => TestDatabase::postgres(&server).await,
            None => TestDatabase {
                database: Database::Sqlite(dir.join("taskd.sqlite3")),
            },
        }
    }

    /// A new, empty PostgreSQL database on `server`.
    pub async fn postgres(server: &str) -> TestDatabase {
        drop_earlier_test_databases(server);
        let name = format!("taskd_test_{}", uuid_like());
        let (client, connection) = tokio_postgres::connect(server, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|err| {
                panic!("TASKD_TEST_POSTGRES is set but PostgreSQL does not answer: {err}")
            });
        tokio::spawn(connection);
        client
            .batch_execute(&format!(
                "CREATE DATABASE {name} ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0"
            ))
            .await
            .unwrap();
        TestDatabase {
            database: Database::Postgres(with_database(server, &name)),
        }
    }

    /// `--database`'s value for a real taskd.
    pub fn arg(&self) -> String {
        match &self.database {
            Database::Sqlite(path) => path.display().to_string(),
            Database::Postgres(url) => url.clone(),
        }
    }

    /// A connection to this PostgreSQL database, to look inside it.
    pub async fn connect(&self) -> tokio_postgres::Client {
        let Database::Postgres(url) = &self.database else {
            panic!("not a PostgreSQL database");
        };
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
    }
}

/// Drops the test databases an earlier run left, once per run, before this
/// run creates any. They are not dropped as each test ends: PostgreSQL's
/// DROP DATABASE waits until every other session has taken note of it, and
/// with tests running side by side that wait ran into minutes.
fn drop_earlier_test_databases(server: &str) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let server = server.to_string();
        let cleaned = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let (client, connection) = tokio_postgres::connect(&server, tokio_postgres::NoTls)
                    .await
                    .unwrap_or_else(|err| {
                        panic!("TASKD_TEST_POSTGRES is set but PostgreSQL does not answer: {err}")
                    });
                tokio::spawn(connection);
                let rows = client
                    .query(
                        "SELECT datname FROM pg_database WHERE datname LIKE 'taskd\\_test\\_%'",
                        &[],
                    )
                    .await
                    .unwrap();
                for row in rows {
                    let name: String = row.get(0);
                    let _ = client
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            })
        });
        cleaned.join().unwrap();
    });
}

/// `server`'s URL naming database `name` instead.
pub fn with_database(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (server, String::new()),
    };
    let (scheme, rest) = base.split_once("://").unwrap();
    let authority = rest.split('/').next().unwrap();
    format!("{scheme}://{authority}/{name}{query}")
}

/// 64 random bits in hex: names that cannot collide between tests.
fn uuid_like() -> String {
    use rand::RngCore;
    format!("{:016x}", rand::rngs::OsRng.next_u64())
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
        TestApp::spawn_with(|_| {}).await
    }

    /// A daemon whose configuration `adjust` changes first.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        init_tracing();
        let dir = tempfile::tempdir().unwrap();
        let database = TestDatabase::new(dir.path()).await;
        let mut config = Config::for_tests(dir.path());
        config.database = database.database.clone();
        adjust(&mut config);
        let server = taskd::spawn(config).await.unwrap();
        TestApp {
            database,
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

    /// `POST /api/logout/` of `user`'s login, with its own refresh token.
    pub async fn logout(&self, user: &TestUser) -> Response {
        self.post(
            "/api/logout/",
            &user.access,
            &json!({"refresh": user.refresh}),
        )
        .send()
        .await
        .unwrap()
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
            .update_user(
                user.id,
                taskd::store::admin::UserChange {
                    is_admin: Some(true),
                    ..Default::default()
                },
                false,
            )
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

/// The page of `user`'s tasks that `query` asks for, which must be a 200.
pub async fn list_page(app: &TestApp, user: &TestUser, query: &str) -> Value {
    let response = app
        .get(&format!("/api/tasks/?{query}"), &user.access)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    body(response).await
}

/// The ids of the first page `GET /api/tasks/?{query}` lists for `user`.
pub async fn ids(app: &TestApp, user: &TestUser, query: &str) -> Vec<i64> {
    list_page(app, user, query).await["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect()
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
