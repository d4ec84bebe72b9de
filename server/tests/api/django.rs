//! `taskd import-django` against a real Django backend: the rebuild of the
//! backend taskd replaces, kept beside this repository in
//! `../shared/django_seed`, run for real (its `start.sh` installs Django
//! from PyPI into a virtualenv under `target/`), filled through its own API
//! and `manage.py`, then brought over.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{body, TestApp};

const TASKD: &str = env!("CARGO_BIN_EXE_taskd");

fn django_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/django_seed")
}

/// Where the Django backend's virtualenv lives between runs: pip installs
/// it once.
fn venv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/django-venv")
}

/// The Django backend's gunicorn on a free port, with its SQLite database at `db`.
struct DjangoBackend {
    child: Child,
    url: String,
    db: PathBuf,
}

impl DjangoBackend {
    fn start(db: &Path) -> DjangoBackend {
        // The first start creates the virtualenv; two at once would both
        // create it and one would fail, so starts take turns until the
        // backend answers.
        static STARTING: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _turn = STARTING
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(django_dir().join("start.sh"))
            .env("BIND", format!("127.0.0.1:{port}"))
            .env("DJANGO_DB_PATH", db)
            .env("RESET_DB", "1")
            .env("VENV", venv())
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the Django backend's start.sh runs (python3 and python3-venv installed)");
        let mut django = DjangoBackend {
            child,
            url: format!("http://127.0.0.1:{port}"),
            db: db.to_path_buf(),
        };
        // The first run installs Django from PyPI.
        let deadline = Instant::now() + Duration::from_secs(300);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = django.child.try_wait() {
                panic!("the Django backend exited: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "the Django backend did not start"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        django
    }

    /// `manage.py` with the Django backend's settings and this database.
    fn manage(&self, args: &[&str], env: &[(&str, &str)]) {
        let status = Command::new(venv().join("bin/python"))
            .arg(django_dir().join("manage.py"))
            .args(args)
            .current_dir(django_dir())
            .env("DJANGO_DB_PATH", &self.db)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .status()
            .expect("manage.py runs");
        assert!(status.success(), "manage.py {args:?}");
    }
}

impl Drop for DjangoBackend {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

async fn django_user(
    http: &reqwest::Client,
    django: &DjangoBackend,
    name: &str,
    tasks: &[(&str, &str, bool)],
) {
    let password = format!("{name} django pass");
    let registered = http
        .post(format!("{}/api/register/", django.url))
        .json(&json!({"username": name, "password": password, "email": format!("{name}@example.com")}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), StatusCode::CREATED);
    let tokens = body(
        http.post(format!("{}/api/login/", django.url))
            .json(&json!({"username": name, "password": password}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let access = tokens["access"].as_str().unwrap();
    for (title, description, completed) in tasks {
        let created = http
            .post(format!("{}/api/tasks/", django.url))
            .bearer_auth(access)
            .json(&json!({"title": title, "description": description, "completed": completed}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), StatusCode::CREATED);
    }
}

fn import_django(db: &Path, app: &TestApp) -> String {
    let out = Command::new(TASKD)
        .args(["import-django", &db.display().to_string()])
        .args(["--database", &app.database.arg()])
        .output()
        .expect("taskd runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

async fn tasks_of(app: &TestApp, name: &str) -> Vec<Value> {
    let tokens = body(app.login(name, &format!("{name} django pass")).await).await;
    let access = tokens["access"].as_str().expect("logged in");
    let listed = body(
        app.get("/api/tasks/?status=all&ordering=id", access)
            .send()
            .await
            .unwrap(),
    )
    .await;
    listed["results"].as_array().unwrap().clone()
}

#[tokio::test]
async fn django_accounts_and_tasks_come_over_with_their_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("django.sqlite3");
    let django = DjangoBackend::start(&db);
    let http = reqwest::Client::new();
    django_user(
        &http,
        &django,
        "alice",
        &[
            ("Buy milk", "", false),
            ("Café ✓ \"quoted\"", "Two lines\nof notes", false),
            ("Filed taxes", "", true),
        ],
    )
    .await;
    django_user(&http, &django, "bob", &[("Bob's only task", "", false)]).await;
    django_user(&http, &django, "carol", &[("Left behind", "", true)]).await;
    django.manage(
        &[
            "createsuperuser",
            "--noinput",
            "--username",
            "root",
            "--email",
            "root@example.com",
        ],
        &[("DJANGO_SUPERUSER_PASSWORD", "root django pass")],
    );
    django.manage(
        &[
            "shell",
            "-c",
            "from django.contrib.auth.models import User; \
             User.objects.filter(username='carol').update(is_active=False)",
        ],
        &[],
    );
    drop(django);

    let app = TestApp::spawn().await;
    let report = import_django(&db, &app);
    assert!(
        report.contains("Accounts: 4 added, 0 already here. Tasks: 5 added, 0 already here."),
        "{report}"
    );

    let alice = tasks_of(&app, "alice").await;
    let titles: Vec<&str> = alice.iter().map(|t| t["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Buy milk", "Café ✓ \"quoted\"", "Filed taxes"]);
    assert_eq!(alice[1]["description"], "Two lines\nof notes");
    assert_eq!(alice[2]["status"], "done");
    assert!(alice[2]["completed_at"].is_string());
    assert_eq!(alice[0]["number"], 1);
    let stored = app
        .server
        .state
        .store
        .user_by_username("alice")
        .await
        .unwrap()
        .unwrap();
    assert!(
        stored.password_hash.starts_with("$argon2id$"),
        "the Django hash is replaced at the first login"
    );
    assert_eq!(stored.email, "alice@example.com");
    let bob = tasks_of(&app, "bob").await;
    assert_eq!(bob.len(), 1, "each sees exactly their own tasks");
    assert_eq!(bob[0]["title"], "Bob's only task");

    let root = body(app.login("root", "root django pass").await).await;
    let me = body(
        app.get("/api/me/", root["access"].as_str().unwrap())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(me["is_admin"], true, "{me}");
    let carol = app.login("carol", "carol django pass").await;
    assert_eq!(carol.status(), StatusCode::FORBIDDEN, "inactive");
    let wrong = app.login("bob", "not bob's password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let again = import_django(&db, &app);
    assert!(
        again.contains("Accounts: 0 added, 4 already here. Tasks: 0 added, 5 already here."),
        "{again}"
    );
    assert_eq!(tasks_of(&app, "alice").await.len(), 3);
}

/// The tables Django's migrations make on PostgreSQL, as far as the import
/// reads them.
const DJANGO_POSTGRES_SCHEMA: &str = "
    CREATE TABLE auth_user (
        id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        password varchar(128) NOT NULL, last_login timestamptz NULL,
        is_superuser boolean NOT NULL, username varchar(150) NOT NULL UNIQUE,
        first_name varchar(150) NOT NULL, last_name varchar(150) NOT NULL,
        email varchar(254) NOT NULL, is_staff boolean NOT NULL,
        is_active boolean NOT NULL, date_joined timestamptz NOT NULL);
    CREATE TABLE tasks_task (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        title varchar(255) NOT NULL, description text NOT NULL,
        completed boolean NOT NULL, created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        user_id integer NOT NULL REFERENCES auth_user (id));";

#[tokio::test]
async fn a_django_database_on_postgresql_comes_over_too() {
    let Some(server) = crate::helpers::postgres_server() else {
        eprintln!(
            "TASKD_TEST_POSTGRES is not set: the PostgreSQL source is tested in the PostgreSQL run"
        );
        return;
    };
    let django = crate::helpers::TestDatabase::postgres(&server).await;
    let client = django.connect().await;
    client.batch_execute(DJANGO_POSTGRES_SCHEMA).await.unwrap();
    // Django's hash of "correct horse" (1,000 iterations, for speed).
    let hash = "pbkdf2_sha256$1000$Xq9zSalt1234$rNCwQPkmDcj0nzbHjFeeicG4QLxhj0blKh5TB6chRI4=";
    client
        .execute(
            "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, \
             email, is_staff, is_active, date_joined) \
             VALUES ($1, false, 'dana', '', '', 'dana@example.com', false, true, now())",
            &[&hash],
        )
        .await
        .unwrap();
    client
        .batch_execute(
            "INSERT INTO tasks_task (title, description, completed, created_at, updated_at, user_id) \
             SELECT 'Water plants', '', true, now() - interval '1 day', now(), id FROM auth_user;",
        )
        .await
        .unwrap();

    let app = TestApp::spawn().await;
    let out = Command::new(TASKD)
        .args([
            "import-django",
            &django.arg(),
            "--database",
            &app.database.arg(),
        ])
        .output()
        .expect("taskd runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(report.contains("Accounts: 1 added"), "{report}");
    let tokens = body(app.login("dana", "correct horse").await).await;
    let listed = body(
        app.get(
            "/api/tasks/?status=done",
            tokens["access"].as_str().expect("logged in"),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(listed["results"][0]["title"], "Water plants");
}

/// The keys of a JSON object body.
fn keys(value: &Value) -> Vec<String> {
    value
        .as_object()
        .map(|object| object.keys().cloned().collect())
        .unwrap_or_default()
}

/// A request sent to both backends: its name, method, path, token and body.
type Case = (
    &'static str,
    reqwest::Method,
    &'static str,
    Option<&'static str>,
    Option<Value>,
);

#[tokio::test]
async fn with_error_format_drf_errors_read_as_the_django_backends_do() {
    let dir = tempfile::tempdir().unwrap();
    let django = DjangoBackend::start(&dir.path().join("django.sqlite3"));
    let app = TestApp::spawn_with(|config| {
        config.error_format = taskd::config::ErrorFormat::Drf;
    })
    .await;
    let http = reqwest::Client::new();
    django_user(&http, &django, "alice", &[]).await;
    let ours = app.user("alice").await;
    let theirs = body(
        http.post(format!("{}/api/login/", django.url))
            .json(&json!({"username": "alice", "password": "alice django pass"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    // The claims a frontend reads from the access token.
    let their_claims = crate::tokens::claims_of(theirs["access"].as_str().unwrap());
    let our_claims = crate::tokens::claims_of(&ours.access);
    for claim in ["user_id", "token_type", "exp", "iat", "jti"] {
        assert!(their_claims.get(claim).is_some(), "Django has no {claim}");
        assert!(our_claims.get(claim).is_some(), "taskd has no {claim}");
    }
    assert_eq!(our_claims["token_type"], their_claims["token_type"]);

    // Side by side: the same requests to both.
    let cases: [Case; 3] = [
        (
            "bad token",
            reqwest::Method::GET,
            "/api/tasks/",
            Some("not.a.token"),
            None,
        ),
        (
            "bad refresh",
            reqwest::Method::POST,
            "/api/token/refresh/",
            None,
            Some(json!({"refresh": "nope"})),
        ),
        (
            "no username",
            reqwest::Method::POST,
            "/api/register/",
            None,
            Some(json!({"password": "long enough pass 1"})),
        ),
    ];
    for (case, method, path, token, payload) in cases {
        let send = |base: &str| {
            let mut request = http.request(method.clone(), format!("{base}{path}"));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            if let Some(payload) = &payload {
                request = request.json(payload);
            }
            request.send()
        };
        let (theirs, ours) = (
            send(&django.url).await.unwrap(),
            send(&app.server.url()).await.unwrap(),
        );
        assert_eq!(ours.status(), theirs.status(), "{case}");
        let (theirs, ours) = (body(theirs).await, body(ours).await);
        assert_eq!(
            ours.get("code"),
            theirs.get("code"),
            "{case}: {ours} vs {theirs}"
        );
        for key in keys(&ours) {
            assert!(
                theirs.get(&key).is_some(),
                "{case}: {key} is not in Django's {theirs}"
            );
        }
        assert!(!keys(&ours).is_empty(), "{case}");
    }
}
