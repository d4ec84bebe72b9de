//! The real `taskd` binary: data dir, secret file, restart, admin commands,
//! backup while serving, graceful shutdown, and a crash after a burst.

use std::{
    collections::BTreeSet,
    io::{BufRead, BufReader, Write},
    path::Path,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::PASSWORD;

pub(crate) const TASKD: &str = env!("CARGO_BIN_EXE_taskd");

pub(crate) struct Daemon {
    pub child: Child,
    pub url: String,
    pub client: reqwest::Client,
    /// Every line it has written on standard error so far.
    pub logs: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Daemon {
    /// Starts `taskd` on a random port and waits until it listens.
    pub fn start(args: &[&str], env: &[(&str, &Path)]) -> Daemon {
        Daemon::start_as(Command::new(TASKD), args, env)
    }

    /// [`Daemon::start`] through `command`, which runs `taskd` with the
    /// arguments added to it (a shell that sets limits first, say).
    pub fn start_as(mut command: Command, args: &[&str], env: &[(&str, &Path)]) -> Daemon {
        if !args.contains(&"--bind") {
            command.args(["--bind", "127.0.0.1:0"]);
        }
        // Tests register many users from one address.
        if !args.contains(&"--registrations-per-hour") {
            command.args(["--registrations-per-hour", "0"]);
        }
        command
            .args(args)
            .env_remove("TASKD_DATABASE")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let logs = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = std::sync::Arc::clone(&logs);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("listening on http://") {
                    // Up to a space, or the quote that ends a JSON string.
                    let url: String = line[at + "listening on ".len()..]
                        .chars()
                        .take_while(|c| !c.is_whitespace() && *c != '"')
                        .collect();
                    let _ = tx.send(url);
                }
                kept.lock().unwrap().push(line);
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("taskd did not start");
        Daemon {
            child,
            url,
            client: reqwest::Client::new(),
            logs,
        }
    }

    pub fn pid(&self) -> String {
        self.child.id().to_string()
    }

    /// SIGTERM, then the exit status within `limit`.
    fn terminate(mut self, limit: Duration) -> std::process::ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.pid()])
            .status()
            .unwrap();
        assert!(sent.success());
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                start.elapsed() < limit,
                "taskd did not stop within {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> reqwest::Response {
        let mut request = self.client.post(format!("{}{path}", self.url)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    pub async fn login(&self, username: &str, password: &str) -> String {
        let response = self
            .post(
                "/api/login/",
                None,
                json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json::<Value>().await.unwrap()["access"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn register(&self, username: &str, password: &str) -> reqwest::Response {
        self.post(
            "/api/register/",
            None,
            json!({"username": username, "password": password}),
        )
        .await
    }

    pub async fn signup(&self, username: &str) -> String {
        let response = self.register(username, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        self.login(username, PASSWORD).await
    }

    pub async fn task_ids(&self, token: &str) -> BTreeSet<i64> {
        let mut ids = BTreeSet::new();
        let mut next = Some(format!("{}/api/tasks/?limit=1000", self.url));
        while let Some(url) = next {
            let page: Value = self
                .client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            ids.extend(
                page["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t["id"].as_i64().unwrap()),
            );
            next = page["next"].as_str().map(String::from);
        }
        ids
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn taskd(args: &[&str], stdin: &str, env: &[(&str, &Path)]) -> std::process::Output {
    let mut command = Command::new(TASKD);
    command
        .args(args)
        .env_remove("TASKD_DATABASE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn a_fresh_start_makes_the_data_dir_and_a_restart_keeps_everything() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let env = [("HOME", home.path()), ("XDG_DATA_HOME", data.as_path())];
    let daemon = Daemon::start(&[], &env);
    let database = data.join("taskd").join("taskd.sqlite3");
    assert!(database.exists(), "{database:?}");
    let secret = data.join("taskd").join("taskd.sqlite3.jwt-secret");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The tasks, the logins and the secret are the owner's alone.
        for file in [
            "taskd.sqlite3",
            "taskd.sqlite3-wal",
            "taskd.sqlite3.jwt-secret",
        ] {
            let path = data.join("taskd").join(file);
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{file}");
        }
    }
    let secret_before = std::fs::read(&secret).unwrap();
    assert!(
        secret_before.len() >= 43,
        "at least 32 random bytes, base64"
    );

    let token = daemon.signup("alice").await;
    let created = daemon
        .post(
            "/api/tasks/",
            Some(&token),
            json!({"title": "survive a restart"}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert!(daemon.terminate(Duration::from_secs(5)).success());

    let again = Daemon::start(&[], &env);
    assert_eq!(std::fs::read(&secret).unwrap(), secret_before);
    // The old token still verifies: the same secret was kept.
    assert_eq!(again.task_ids(&token).await.len(), 1);
    again.login("alice", PASSWORD).await;
}

#[tokio::test]
async fn migrate_creates_and_upgrades_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("nested").join("db.sqlite3");
    let db = database.to_str().unwrap();
    for _ in 0..2 {
        let output = taskd(&["migrate", "--database", db], "", &[]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(String::from_utf8_lossy(&output.stdout).contains("up to date"));
    }
    assert!(database.exists());
}

#[tokio::test]
async fn createsuperuser_takes_options_anywhere_and_the_env() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("db.sqlite3");
    let db = database.to_str().unwrap();
    let before = taskd(
        &[
            "--database",
            db,
            "createsuperuser",
            "--username",
            "root",
            "--password-stdin",
        ],
        "root password 1\n",
        &[],
    );
    assert!(
        before.status.success(),
        "{}",
        String::from_utf8_lossy(&before.stderr)
    );
    let after = taskd(
        &[
            "createsuperuser",
            "--database",
            db,
            "--username",
            "admin2",
            "--password-stdin",
        ],
        "admin password 2\n",
        &[],
    );
    assert!(
        after.status.success(),
        "{}",
        String::from_utf8_lossy(&after.stderr)
    );
    let from_env = taskd(
        &[
            "createsuperuser",
            "--username",
            "admin3",
            "--password-stdin",
        ],
        "admin password 3\n",
        &[("TASKD_DATABASE", database.as_path())],
    );
    assert!(
        from_env.status.success(),
        "{}",
        String::from_utf8_lossy(&from_env.stderr)
    );

    let taken = taskd(
        &[
            "createsuperuser",
            "--database",
            db,
            "--username",
            "ROOT",
            "--password-stdin",
        ],
        "root password 1\n",
        &[],
    );
    assert_eq!(taken.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&taken.stderr).contains("already exists"));
    let weak = taskd(
        &[
            "createsuperuser",
            "--database",
            db,
            "--username",
            "weak",
            "--password-stdin",
        ],
        "123\n",
        &[],
    );
    assert_eq!(weak.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password"));

    let daemon = Daemon::start(&["--database", db], &[]);
    // An account that exists is made an admin, beside the serving daemon,
    // only when asked to (--yes, or "y" on a terminal); its password stays.
    daemon.signup("plain").await;
    let unasked = taskd(
        &["createsuperuser", "--database", db, "--username", "plain"],
        "",
        &[],
    );
    assert_eq!(unasked.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unasked.stderr).contains("pass --yes"));
    let promoted = taskd(
        &[
            "createsuperuser",
            "--database",
            db,
            "--username",
            "plain",
            "--yes",
        ],
        "",
        &[],
    );
    assert!(
        promoted.status.success(),
        "{}",
        String::from_utf8_lossy(&promoted.stderr)
    );
    assert!(String::from_utf8_lossy(&promoted.stdout).contains("plain (id"));
    for (username, password) in [
        ("root", "root password 1"),
        ("admin2", "admin password 2"),
        ("admin3", "admin password 3"),
        ("plain", PASSWORD),
    ] {
        let token = daemon.login(username, password).await;
        let users = daemon
            .client
            .get(format!("{}/api/admin/users/", daemon.url))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(users.status(), StatusCode::OK, "{username}");
        assert_eq!(users.json::<Value>().await.unwrap()["count"], 4);
    }
    // The admin log says who the commands added and promoted.
    let log: Vec<(String, String, String, String)> = rusqlite::Connection::open(db)
        .unwrap()
        .prepare("SELECT admin_username, via, object_name, detail FROM admin_log ORDER BY id")
        .unwrap()
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        log.contains(&(
            "taskd createsuperuser".into(),
            "command".into(),
            "plain".into(),
            "Made an admin.".into()
        )),
        "{log:?}"
    );
    assert!(
        log.iter()
            .any(|(by, _, who, what)| by == "taskd createsuperuser"
                && who == "root"
                && what == "Added, as an admin."),
        "{log:?}"
    );
}

#[tokio::test]
async fn backup_copies_a_live_database() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("db.sqlite3");
    let db = database.to_str().unwrap();
    let daemon = Daemon::start(&["--database", db], &[]);
    let token = daemon.signup("alice").await;
    for n in 0..20 {
        daemon
            .post(
                "/api/tasks/",
                Some(&token),
                json!({"title": format!("t{n}")}),
            )
            .await;
    }
    let copy = dir.path().join("copy.sqlite3");
    let writes = async {
        for n in 0..20 {
            daemon
                .post(
                    "/api/tasks/",
                    Some(&token),
                    json!({"title": format!("during {n}")}),
                )
                .await;
        }
    };
    let copy_path = copy.clone();
    let db_owned = db.to_string();
    let backup = tokio::task::spawn_blocking(move || {
        taskd(
            &[
                "backup",
                copy_path.to_str().unwrap(),
                "--database",
                &db_owned,
            ],
            "",
            &[],
        )
    });
    let (output, ()) = tokio::join!(backup, writes);
    let output = output.unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let refused = taskd(
        &["backup", copy.to_str().unwrap(), "--database", db],
        "",
        &[],
    );
    assert_eq!(refused.status.code(), Some(1), "never overwrites");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&copy).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the copy is as private as the database"
        );
    }

    let restored = Daemon::start(&["--database", copy.to_str().unwrap()], &[]);
    let token = restored.login("alice", PASSWORD).await;
    assert!(restored.task_ids(&token).await.len() >= 20);
}

#[tokio::test]
async fn sigterm_lets_in_flight_requests_finish() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("db.sqlite3");
    let db = database.to_str().unwrap();
    let daemon = Daemon::start(&["--database", db], &[]);
    let token = daemon.signup("alice").await;
    // Registrations hash a password: slow enough to be in flight.
    let requests: Vec<_> = (0..8)
        .map(|n| {
            let client = daemon.client.clone();
            let url = format!("{}/api/register/", daemon.url);
            tokio::spawn(async move {
                client
                    .post(url)
                    .json(&json!({"username": format!("user{n}"), "password": PASSWORD}))
                    .send()
                    .await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(30)).await;
    let pid = daemon.pid();
    let status = tokio::task::spawn_blocking(move || daemon.terminate(Duration::from_secs(10)))
        .await
        .unwrap();
    assert!(status.success(), "exit status {status:?}");
    let mut finished = Vec::new();
    for request in requests {
        if let Ok(response) = request.await.unwrap() {
            assert_eq!(
                response.status(),
                StatusCode::CREATED,
                "an accepted request was cut off"
            );
            finished.push(());
        }
    }
    assert!(!finished.is_empty(), "no request was in flight (pid {pid})");
    let again = Daemon::start(&["--database", db], &[]);
    assert!(again.task_ids(&token).await.is_empty());
}

#[tokio::test]
async fn sigterm_with_event_streams_open_still_stops_within_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("db.sqlite3");
    let daemon = Daemon::start(&["--database", database.to_str().unwrap()], &[]);
    let token = daemon.signup("alice").await;
    let url = format!("{}/api/events/", daemon.url);
    let mut streams = Vec::new();
    for _ in 0..4 {
        let mut events = crate::sse::Sse::open(&daemon.client, &url, &token, None).await;
        events.opening().await;
        streams.push(events);
    }
    let started = Instant::now();
    let status = tokio::task::spawn_blocking(move || daemon.terminate(Duration::from_secs(5)))
        .await
        .unwrap();
    assert!(status.success(), "exit status {status:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    for events in &mut streams {
        assert!(matches!(
            events.next(Duration::from_secs(1)).await,
            crate::sse::Next::Ended
        ));
    }
}

/// A daemon on a fresh database in `dir` that logs JSON lines.
fn logging_json(dir: &std::path::Path) -> Daemon {
    let database = dir.join("db.sqlite3");
    Daemon::start(
        &[
            "--database",
            database.to_str().unwrap(),
            "--log-format",
            "json",
        ],
        &[],
    )
}

#[tokio::test]
async fn json_logs_name_the_client_and_the_user_and_failed_logins_the_username() {
    let dir = tempfile::tempdir().unwrap();
    let daemon = logging_json(dir.path());
    let token = daemon.signup("alice").await;
    let me = daemon
        .client
        .get(format!("{}/api/me/", daemon.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let wrong = daemon
        .post(
            "/api/login/",
            None,
            json!({"username": "alice", "password": "not her password"}),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    // Lines are read as they come: give the last ones a moment.
    std::thread::sleep(Duration::from_millis(200));
    let lines = daemon.logs.lock().unwrap().clone();
    let records: Vec<Value> = lines
        .iter()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    // One line per request, its fields the event's own.
    let fields = |record: &Value| record["fields"].clone();
    let me_logged = records
        .iter()
        .find(|r| {
            fields(r)["path"] == "/api/me" && fields(r)["message"] == "finished processing request"
        })
        .unwrap_or_else(|| panic!("no line for /api/me in {lines:?}"));
    assert_eq!(fields(me_logged)["client"], "127.0.0.1");
    assert_eq!(fields(me_logged)["method"], "GET");
    assert!(fields(me_logged)["user"].is_number(), "{me_logged}");
    assert!(fields(me_logged)["latency_us"].is_number(), "{me_logged}");
    assert_eq!(fields(me_logged)["status"], 200);
    let failed = records
        .iter()
        .find(|r| fields(r)["message"] == "failed login")
        .unwrap_or_else(|| panic!("no failed login in {lines:?}"));
    assert_eq!(fields(failed)["username"], "alice");
    assert_eq!(fields(failed)["client"], "127.0.0.1");
    assert_eq!(fields(failed)["path"], "/api/login");
    // No secret ever reaches the log.
    let all = lines.join("\n");
    assert!(!all.contains(&token) && !all.contains("not her password"));
    daemon.terminate(Duration::from_secs(5));
}

#[tokio::test]
async fn a_burst_of_requests_logs_one_whole_line_each() {
    let dir = tempfile::tempdir().unwrap();
    let daemon = logging_json(dir.path());
    // More lines than the access log's thread holds before handing them
    // over (64 KiB), so that batches are cut within a burst.
    const REQUESTS: usize = 600;
    let requests = (0..REQUESTS).map(|n| {
        daemon
            .client
            .get(format!("{}/api/tasks/{n}/", daemon.url))
            .send()
    });
    for answer in futures::future::join_all(requests).await {
        assert_eq!(answer.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let logged = || {
        let lines = daemon.logs.lock().unwrap().clone();
        let mut paths = BTreeSet::new();
        for line in &lines {
            let record: Value =
                serde_json::from_str(line).unwrap_or_else(|_| panic!("not a whole line: {line}"));
            if record["fields"]["message"] == "finished processing request" {
                assert_eq!(record["fields"]["status"], 401, "{line}");
                paths.insert(record["fields"]["path"].as_str().unwrap().to_string());
            }
        }
        paths
    };
    while logged().len() < REQUESTS && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let paths = logged();
    assert_eq!(paths.len(), REQUESTS);
    assert!((0..REQUESTS).all(|n| paths.contains(&format!("/api/tasks/{n}"))));
    daemon.terminate(Duration::from_secs(5));
}

#[tokio::test]
async fn the_last_answers_line_is_written_before_the_daemon_exits() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("db.sqlite3");
    let daemon = Daemon::start(&["--database", database.to_str().unwrap()], &[]);
    let logs = std::sync::Arc::clone(&daemon.logs);
    let answer = daemon
        .client
        .get(format!("{}/api/tasks/424242/", daemon.url))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    // At once: the line may still wait in the access log's queue.
    assert!(daemon.terminate(Duration::from_secs(10)).success());
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    let written = || {
        logs.lock().unwrap().iter().any(|line| {
            line.contains("finished processing request")
                && line.contains("path=/api/tasks/424242")
                && line.contains("status=401")
        })
    };
    while !written() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(written(), "{:?}", logs.lock().unwrap());
}

#[tokio::test]
async fn kill_9_after_a_burst_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("db.sqlite3");
    let db = database.to_str().unwrap();
    let mut daemon = Daemon::start(&["--database", db], &[]);
    let token = daemon.signup("alice").await;
    let requests = (0..200).map(|n| {
        daemon.post(
            "/api/tasks/",
            Some(&token),
            json!({"title": format!("burst {n}")}),
        )
    });
    let mut acknowledged = BTreeSet::new();
    for response in futures::future::join_all(requests).await {
        assert_eq!(response.status(), StatusCode::CREATED);
        acknowledged.insert(
            response.json::<Value>().await.unwrap()["id"]
                .as_i64()
                .unwrap(),
        );
    }
    daemon.child.kill().unwrap();
    daemon.child.wait().unwrap();
    drop(daemon);

    let again = Daemon::start(&["--database", db], &[]);
    let stored = again.task_ids(&token).await;
    assert!(
        acknowledged.is_subset(&stored),
        "lost {:?}",
        acknowledged.difference(&stored).collect::<Vec<_>>()
    );
}

/// How many of the daemon's threads have a name starting with `prefix`.
#[cfg(target_os = "linux")]
fn threads_named(daemon: &Daemon, prefix: &str) -> usize {
    std::fs::read_dir(format!("/proc/{}/task", daemon.pid()))
        .unwrap()
        .filter_map(|thread| std::fs::read_to_string(thread.ok()?.path().join("comm")).ok())
        .filter(|name| name.starts_with(prefix))
        .count()
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn hash_threads_sets_how_many_threads_hash_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("db.sqlite3");
    let db = database.to_str().unwrap();

    let daemon = Daemon::start(&["--database", db, "--hash-threads", "3"], &[]);
    daemon.signup("alice").await;
    assert_eq!(threads_named(&daemon, "argon2-"), 3);
    assert!(daemon.terminate(Duration::from_secs(10)).success());

    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let daemon = Daemon::start(&["--database", db], &[]);
    daemon.login("alice", PASSWORD).await;
    assert_eq!(threads_named(&daemon, "argon2-"), cores.min(8));
    assert!(daemon.terminate(Duration::from_secs(10)).success());

    let output = taskd(
        &["--hash-threads", "0", "--database", db, "migrate"],
        "",
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--hash-threads"));
}

/// Reads run on a few threads of their own, however many arrive at once:
/// the runtime's blocking pool, where they once ran, grew a thread (and
/// the allocator an arena) whenever a read started as another ended.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn concurrent_reads_start_no_threads() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("db.sqlite3");
    let daemon = Daemon::start(&["--database", database.to_str().unwrap()], &[]);
    let token = daemon.signup("alice").await;
    for n in 0..20 {
        let created = daemon
            .post(
                "/api/tasks/",
                Some(&token),
                json!({"title": format!("task {n}")}),
            )
            .await;
        assert_eq!(created.status(), StatusCode::CREATED);
    }
    let runtime_threads = threads_named(&daemon, "tokio-");

    for _ in 0..5 {
        let reads = (0..64).map(|n| {
            let url = if n % 2 == 0 {
                format!("{}/api/tasks/?limit=1000", daemon.url)
            } else {
                format!("{}/api/tasks/{}/", daemon.url, 1 + n % 20)
            };
            let request = daemon.client.get(url).bearer_auth(&token);
            async move { request.send().await.unwrap().status() }
        });
        for status in futures_util::future::join_all(reads).await {
            assert_eq!(status, StatusCode::OK);
        }
    }
    assert_eq!(threads_named(&daemon, "sqlite-reader-"), 4);
    assert!(threads_named(&daemon, "tokio-") <= runtime_threads);
}

#[tokio::test]
async fn a_second_daemon_on_the_same_database_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("db.sqlite3");
    let db = database.to_str().unwrap();
    let first = Daemon::start(&["--database", db], &[]);
    let token = first.signup("alice").await;

    let mut second = Command::new(TASKD)
        .args(["--bind", "127.0.0.1:0", "--database", db])
        .env_remove("TASKD_DATABASE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            second.kill().unwrap();
            panic!("a second taskd is serving the same database");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut second.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("another taskd is already serving"),
        "{stderr}"
    );

    // The first one goes on; once it has stopped, another may serve.
    assert!(first.task_ids(&token).await.is_empty());
    assert!(first.terminate(Duration::from_secs(10)).success());
    let next = Daemon::start(&["--database", db], &[]);
    next.login("alice", PASSWORD).await;
    // Tools that only read or add users still work beside a serving daemon.
    let backup = dir.path().join("copy.sqlite3");
    let output = taskd(
        &["--database", db, "backup", backup.to_str().unwrap()],
        "",
        &[],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn backup_of_a_database_that_does_not_exist_fails() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("typo").join("db.sqlite3");
    let copy = dir.path().join("copy.sqlite3");
    let output = taskd(
        &[
            "--database",
            missing.to_str().unwrap(),
            "backup",
            copy.to_str().unwrap(),
        ],
        "",
        &[],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("there is no taskd database at"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!dir.path().join("typo").exists());
    assert!(!copy.exists());
}

/// `--bind` takes a host name or only a port; `--cors-origin` takes only
/// origins, said at start-up in one line; `--cors-any` allows every origin.
#[tokio::test]
async fn bind_and_cors_forms() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("bind.sqlite3");
    let db = database.display().to_string();

    // A name resolves (localhost, IPv4 first).
    let daemon = Daemon::start(&["--database", &db, "--bind", "localhost:0"], &[]);
    assert!(
        daemon.url.starts_with("http://127.0.0.1:"),
        "{}",
        daemon.url
    );
    let health = daemon
        .client
        .get(format!("{}/healthz", daemon.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), reqwest::StatusCode::OK);
    drop(daemon);

    for (args, needle) in [
        (&["--cors-origin", "*"][..], "--cors-any"),
        (&["--cors-origin", "app.example.com"], "scheme"),
        (
            &["--cors-origin", "https://a b.example.com"],
            "not an origin",
        ),
        (&["--bind", "localhost"], "HOST:PORT"),
        (&["--bind", ":99999"], "port"),
    ] {
        let mut all = vec!["--database", db.as_str()];
        all.extend_from_slice(args);
        let out = taskd(&all, "", &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }

    let daemon = Daemon::start(&["--database", &db, "--cors-any"], &[]);
    let preflight = daemon
        .client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/tasks/", daemon.url),
        )
        .header("Origin", "https://anywhere.example.net")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
}

/// `taskd changepassword USER`: the new password works, the old one does
/// not, and every login of theirs has ended, even one the serving daemon
/// had just checked and remembered (within the second it remembers one).
#[tokio::test]
async fn changepassword_sets_a_forgotten_password_and_ends_logins() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("change.sqlite3");
    let db = database.display().to_string();
    let daemon = Daemon::start(&["--database", &db], &[]);
    let old_token = daemon.signup("carol").await;
    let me = || {
        daemon
            .client
            .get(format!("{}/api/me/", daemon.url))
            .bearer_auth(&old_token)
            .send()
    };
    assert_eq!(me().await.unwrap().status(), StatusCode::OK);

    let out = taskd(
        &[
            "--database",
            &db,
            "changepassword",
            "carol",
            "--password-stdin",
        ],
        "a brand new secret 7\n",
        &[],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Password of carol changed"), "{stdout}");

    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while me().await.unwrap().status() != StatusCode::UNAUTHORIZED {
        assert!(
            std::time::Instant::now() < deadline,
            "the old login still works"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let old = daemon
        .post(
            "/api/login/",
            None,
            json!({"username": "carol", "password": PASSWORD}),
        )
        .await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    daemon.login("carol", "a brand new secret 7").await;

    // An unknown user, or a weak password, changes nothing; the unknown
    // user is named before any password is read.
    for given in ["a brand new secret 7\n", ""] {
        let out = taskd(
            &[
                "--database",
                &db,
                "changepassword",
                "nobody",
                "--password-stdin",
            ],
            given,
            &[],
        );
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("no user named nobody"));
    }
    let out = taskd(
        &[
            "--database",
            &db,
            "changepassword",
            "carol",
            "--password-stdin",
        ],
        "short\n",
        &[],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("password"));
    daemon.login("carol", "a brand new secret 7").await;
}

#[tokio::test]
async fn closed_registration_leaves_adding_users_to_createuser() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite3").display().to_string();
    let daemon = Daemon::start(&["--database", &db, "--registration", "closed"], &[]);
    let refused = daemon.register("dave", PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let made = taskd(
        &[
            "--database",
            &db,
            "createuser",
            "--username",
            "dave",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
        &[],
    );
    let stdout = String::from_utf8_lossy(&made.stdout);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    assert!(stdout.contains("User dave created"), "{stdout}");
    let token = daemon.login("dave", PASSWORD).await;
    let me = daemon
        .client
        .get(format!("{}/api/me/", daemon.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.json::<Value>().await.unwrap()["is_admin"], false);

    // A taken name, or a guessable password, makes no one.
    let again = taskd(
        &[
            "--database",
            &db,
            "createuser",
            "--username",
            "Dave",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
        &[],
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let weak = taskd(
        &[
            "--database",
            &db,
            "createuser",
            "--username",
            "erin",
            "--password-stdin",
        ],
        "password1\n",
        &[],
    );
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("too easy to guess"));
}
