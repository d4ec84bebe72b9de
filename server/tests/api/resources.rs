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
