//! Bounded resources: clients that send slowly, never finish or never read
//! cannot take the daemon from the others.

use std::{
    process::Command,
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use tokio::{io::AsyncWriteExt, net::TcpStream};

use crate::daemon::{Daemon, TASKD};

/// The daemon, started with the open-file limit most systems give a
/// service by default (1024): the daemon must raise it itself.
fn daemon_with_few_files(db: &str, extra: &[&str]) -> Daemon {
    let mut command = Command::new("sh");
    command.args(["-c", "ulimit -Sn 1024 && exec \"$@\"", "sh", TASKD]);
    let mut args = vec!["--database", db];
    args.extend_from_slice(extra);
    Daemon::start_as(command, &args, &[])
}

/// The test's own connections need file descriptors too.
fn raise_own_file_limit() {
    let limit = rlimit::increase_nofile_limit(u64::MAX).unwrap();
    assert!(
        limit >= 8192,
        "the open-file limit is {limit}: raise the hard limit to run this test"
    );
}

/// The latencies of `n` requests to `/healthz`, each on a new connection.
async fn latencies(url: &str, n: usize) -> Vec<Duration> {
    let mut took = Vec::with_capacity(n);
    for _ in 0..n {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        let started = Instant::now();
        let response = client.get(format!("{url}/healthz")).send().await;
        let elapsed = started.elapsed();
        let status = response.map(|r| r.status());
        assert_eq!(
            status.ok(),
            Some(StatusCode::OK),
            "a normal client was not served"
        );
        took.push(elapsed);
    }
    took.sort();
    took
}

#[tokio::test]
async fn half_sent_requests_and_idle_connections_do_not_starve_a_normal_client() {
    raise_own_file_limit();
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("db.sqlite3");
    let daemon = daemon_with_few_files(database.to_str().unwrap(), &[]);
    let addr = daemon.url.trim_start_matches("http://").to_string();

    let mut held = Vec::new();
    for n in 0..3200 {
        let mut stream = TcpStream::connect(&addr).await.unwrap();
        if n < 1200 {
            // Headers begun, never finished.
            stream
                .write_all(b"POST /api/tasks/ HTTP/1.1\r\nHost: taskd\r\nContent-Le")
                .await
                .unwrap();
        }
        held.push(stream);
    }
    let took = latencies(&daemon.url, 100).await;
    let p99 = took[98];
    assert!(
        p99 < Duration::from_millis(100),
        "p99 {p99:?}, all {took:?}"
    );

    // The header deadline ends them: the daemon closes each one.
    let mut closed = 0;
    let deadline = Instant::now() + Duration::from_secs(20);
    for stream in &mut held {
        let mut byte = [0u8; 1];
        let left = deadline.saturating_duration_since(Instant::now());
        if let Ok(Ok(0)) =
            tokio::time::timeout(left, tokio::io::AsyncReadExt::read(stream, &mut byte)).await
        {
            closed += 1;
        }
    }
    assert_eq!(
        closed,
        held.len(),
        "connections left open past the header deadline"
    );
}

#[tokio::test]
async fn a_registration_flood_does_not_delay_a_login_and_a_huge_password_is_never_hashed() {
    raise_own_file_limit();
    // A daemon of its own: the hashing threads are the process's, and the
    // flood must not reach the other tests' daemons.
    let dir = tempfile::tempdir().unwrap();
    let database = crate::helpers::TestDatabase::new(dir.path()).await;
    let daemon = Daemon::start(&["--database", &database.arg()], &[]);
    daemon.signup("alice").await;
    // 800 registrations at once, sent from a thread and a client of their
    // own so that the logins measured wait only on the daemon. Most are
    // refused at once; the logins come once those answers are out (the
    // burst itself costs the daemon CPU time, which is not what this
    // measures), while the rest wait to be hashed.
    let url = format!("{}/api/register/", daemon.url);
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = std::sync::Arc::clone(&answered);
    let flood = std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let client = reqwest::Client::new();
            let sent: Vec<_> = (0..800)
                .map(|n| {
                    let (client, url) = (client.clone(), url.clone());
                    let counted = std::sync::Arc::clone(&counted);
                    tokio::spawn(async move {
                        let status = client
                            .post(url)
                            .json(&serde_json::json!({
                                "username": format!("flood{n}"),
                                "password": format!("a long enough passphrase {n}"),
                            }))
                            .send()
                            .await
                            .unwrap()
                            .status();
                        counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        status
                    })
                })
                .collect();
            let mut statuses = Vec::new();
            for registration in sent {
                statuses.push(registration.await.unwrap());
            }
            statuses
        })
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(Instant::now() < deadline, "the flood was not answered");
        tokio::time::sleep(Duration::from_millis(20)).await;
        if answered.load(std::sync::atomic::Ordering::SeqCst) < 600 {
            continue;
        }
        let started = Instant::now();
        let health = daemon
            .client
            .get(format!("{}/healthz", daemon.url))
            .send()
            .await;
        if health.is_ok() && started.elapsed() < Duration::from_millis(50) {
            break;
        }
    }
    let mut took = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        daemon.login("alice", crate::helpers::PASSWORD).await;
        took.push(started.elapsed());
    }
    let queued = 800 - answered.load(std::sync::atomic::Ordering::SeqCst);
    // A megabyte of password is refused for its length, never hashed, even
    // while the queue of new passwords is full.
    let huge = "x".repeat(1_000_000);
    let started = Instant::now();
    let refused = daemon
        .post(
            "/api/register/",
            None,
            serde_json::json!({"username": "bob", "password": huge}),
        )
        .await;
    let problem = crate::helpers::problem(refused, StatusCode::BAD_REQUEST).await;
    assert!(
        problem["errors"]["password"][0]
            .as_str()
            .unwrap()
            .contains("too long"),
        "{problem}"
    );
    let login = daemon
        .post(
            "/api/login/",
            None,
            serde_json::json!({"username": "alice", "password": huge}),
        )
        .await;
    assert_eq!(login.status(), StatusCode::BAD_REQUEST);
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(
        queued > 0,
        "the logins were measured after the flood had drained"
    );
    // Behind the flood's queue of registrations, a login would take seconds.
    assert!(
        took.iter().all(|login| *login < Duration::from_secs(1)),
        "logins took {took:?} during the flood"
    );
    let mut created = 0;
    let mut busy = 0;
    for status in flood.join().unwrap() {
        match status {
            StatusCode::CREATED => created += 1,
            StatusCode::TOO_MANY_REQUESTS => busy += 1,
            other => panic!("a registration got {other}"),
        }
    }
    eprintln!(
        "logins took {took:?} while {queued} registrations waited; {created} made, {busy} refused"
    );
    assert_eq!(created + busy, 800);
    assert!(busy > 0, "the queue of new passwords is bounded");
}

/// Sends `request` as it is and reads the answer until the daemon closes.
async fn raw(addr: std::net::SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut answer);
    // A bound so that a connection left open fails rather than hangs; under
    // the whole suite on two cores (a registration flood hashing beside it)
    // the close once took longer than 10 s.
    tokio::time::timeout(Duration::from_secs(30), read)
        .await
        .expect("the daemon did not close the connection")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn errors_hyper_answers_itself_are_problems_too() {
    let app = crate::helpers::TestApp::spawn().await;
    let addr = app.server.addr;
    let long_uri = format!(
        "GET /{} HTTP/1.1\r\nHost: taskd\r\n\r\n",
        "a".repeat(70_000)
    );
    let big_header = format!(
        "GET / HTTP/1.1\r\nHost: taskd\r\nX-Big: {}\r\n\r\n",
        "a".repeat(500_000)
    );
    let many_headers = format!(
        "GET / HTTP/1.1\r\nHost: taskd\r\n{}\r\n",
        (0..200)
            .map(|n| format!("X-H{n}: v\r\n"))
            .collect::<String>()
    );
    for (request, status) in [
        (long_uri.as_str(), 414),
        (big_header.as_str(), 431),
        (many_headers.as_str(), 431),
        ("GARBAGE\r\n\r\n", 400),
    ] {
        let answer = raw(addr, request.as_bytes()).await;
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with(&format!("HTTP/1.1 {status} ")), "{head}");
        assert!(
            head.contains("content-type: application/problem+json"),
            "{head}"
        );
        let problem: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["status"], status, "{body}");
        assert!(problem["detail"].is_string());
    }

    // A thousand of a repeated parameter: a 400 naming it.
    let alice = app.user("alice").await;
    for name in ["tag", "exclude_tag"] {
        let query: Vec<String> = (0..1000).map(|n| format!("{name}=t{n}")).collect();
        let response = app
            .get(&format!("/api/tasks/?{}", query.join("&")), &alice.access)
            .send()
            .await
            .unwrap();
        let problem = crate::helpers::problem(response, StatusCode::BAD_REQUEST).await;
        assert!(problem["errors"][name].is_array(), "{problem}");
    }
    let ordering = vec!["due"; 1000].join(",");
    let response = app
        .get(&format!("/api/tasks/?ordering={ordering}"), &alice.access)
        .send()
        .await
        .unwrap();
    let problem = crate::helpers::problem(response, StatusCode::BAD_REQUEST).await;
    assert!(problem["errors"]["ordering"].is_array(), "{problem}");
}

#[tokio::test]
async fn an_error_about_a_large_request_stays_small() {
    let app = crate::helpers::TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bad_tag = "a bad tag with spaces ".repeat(3);
    let requests = [
        (
            "/api/tasks/",
            serde_json::json!({"title": "t", "tags": vec![bad_tag.as_str(); 3000]}),
        ),
        (
            "/api/tasks/",
            serde_json::json!({"title": "t", "depends": (0..3000).map(|n| -n).collect::<Vec<i64>>()}),
        ),
        (
            "/api/import/",
            serde_json::json!((0..3000)
                .map(|n| serde_json::json!({"status": n}))
                .collect::<Vec<_>>()),
        ),
        (
            "/api/tasks/bulk/",
            serde_json::json!({"action": "done", "ids": (0..3000).map(|n| -n).collect::<Vec<i64>>()}),
        ),
    ];
    for (path, body) in requests {
        let sent = body.to_string().len();
        let response = app
            .post(path, &alice.access, &body)
            .send()
            .await
            .unwrap_or_else(|err| panic!("{path}: {err:?}"));
        let status = response.status();
        let answer = response.text().await.unwrap();
        assert!(status.is_client_error(), "{path}: {status}");
        assert!(
            answer.len() < 8 * 1024,
            "{path}: a {}-byte error for a {sent}-byte request",
            answer.len()
        );
    }
}

/// The daemon's resident memory at its peak so far, in bytes.
fn peak_memory(pid: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

/// The daemon's resident memory now, in bytes.
fn memory(pid: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

#[tokio::test]
async fn password_hashing_memory_is_kept_through_a_burst_of_logins_and_handed_back_after() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("db.sqlite3");
    // One hashing thread, so each login below runs on the thread before.
    let daemon = Daemon::start(
        &[
            "--database",
            database.to_str().unwrap(),
            "--hash-threads",
            "1",
        ],
        &[],
    );
    daemon.signup("alice").await;
    let mut during = Vec::new();
    for _ in 0..4 {
        daemon.login("alice", crate::helpers::PASSWORD).await;
        during.push(memory(&daemon.pid()));
    }
    // argon2's 19 MiB stays with the thread between hashes of a burst...
    let held = *during.iter().min().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let after = loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = memory(&daemon.pid());
        if held.saturating_sub(now) > 16 * 1024 * 1024 || std::time::Instant::now() > deadline {
            break now;
        }
    };
    // ...and goes back to the system once the thread has been idle.
    assert!(
        held.saturating_sub(after) > 16 * 1024 * 1024,
        "{} MiB during the logins, {} MiB after",
        held / (1024 * 1024),
        after / (1024 * 1024)
    );
    // The next login hashes as before.
    daemon.login("alice", crate::helpers::PASSWORD).await;
}

#[tokio::test]
async fn clients_that_never_read_the_largest_page_cannot_make_the_daemon_hold_it() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("db.sqlite3");
    let daemon = Daemon::start(&["--database", database.to_str().unwrap()], &[]);
    let token = daemon.signup("alice").await;
    // A thousand tasks of long texts that JSON escapes six times longer.
    let long = "\u{1}".repeat(10_000);
    for batch in 0..4 {
        let tasks: Vec<serde_json::Value> = (0..250)
            .map(|n| {
                serde_json::json!({
                    "description": format!("task {batch}-{n} {}", "\u{2}".repeat(400)),
                    "taskd_description": long,
                    "status": "pending",
                    "entry": "20261201T000000Z",
                })
            })
            .collect();
        let response = daemon
            .post("/api/import/", Some(&token), serde_json::json!(tasks))
            .await;
        assert!(
            response.status().is_success(),
            "{}",
            response.text().await.unwrap()
        );
    }
    // A fresh daemon on that database: its memory is the pages' alone.
    drop(daemon);
    let daemon = Daemon::start(&["--database", database.to_str().unwrap()], &[]);
    let token = daemon.login("alice", crate::helpers::PASSWORD).await;
    let before = peak_memory(&daemon.pid());
    let addr = daemon.url.trim_start_matches("http://").to_string();
    let mut stuck = Vec::new();
    for n in 0..12 {
        let mut stream = TcpStream::connect(&addr).await.unwrap();
        let ordering = if n % 2 == 0 { "-urgency" } else { "id" };
        let request = format!(
            "GET /api/tasks/?limit=1000&ordering={ordering} HTTP/1.1\r\nHost: taskd\r\n\
             Authorization: Bearer {token}\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        stuck.push(stream);
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    // Others are served meanwhile, and a page goes on where the last ended.
    let page: serde_json::Value = daemon
        .client
        .get(format!("{}/api/tasks/?limit=1000", daemon.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let shown = page["results"].as_array().unwrap().len();
    assert!(shown > 0 && shown < 1000, "a page of {shown} tasks");
    assert_eq!(page["count"], 1000);
    let next = page["next"].as_str().unwrap();
    assert!(next.contains(&format!("offset={shown}")), "{next}");
    let peak = peak_memory(&daemon.pid());
    assert!(
        peak < 100 * 1024 * 1024,
        "the daemon reached {} MB (from {} MB)",
        peak / (1024 * 1024),
        before / (1024 * 1024)
    );
    drop(stuck);
}
