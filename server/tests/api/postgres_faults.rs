//! PostgreSQL going away under load: requests meanwhile get 503 problems in
//! bounded time, service resumes by itself, and nothing acknowledged is
//! lost. The test runs its own PostgreSQL cluster, so that stopping it
//! disturbs no other test. Needs `TASKD_TEST_POSTGRES` like the other
//! PostgreSQL tests.

use std::{
    process::Command,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{daemon::Daemon, helpers::postgres_server, private_cluster::PrivateCluster};

/// When a request started, its status, the task it created, how long it took.
type Outcome = (Instant, StatusCode, Option<i64>, Duration);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_under_load_gives_503s_then_service_resumes_losing_nothing() {
    if postgres_server().is_none() {
        eprintln!("TASKD_TEST_POSTGRES is not set: this PostgreSQL test did not run");
        return;
    }
    let cluster = PrivateCluster::start();
    let daemon = Arc::new(Daemon::start(&["--database", &cluster.url()], &[]));
    let access = daemon.signup("alice").await;

    // Writers go on the whole time: before, during and after the outage.
    let outcomes: Arc<Mutex<Vec<Outcome>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let (daemon, access, outcomes, stop) = (
                Arc::clone(&daemon),
                access.clone(),
                Arc::clone(&outcomes),
                Arc::clone(&stop),
            );
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    n += 1;
                    let started = Instant::now();
                    let response = daemon
                        .client
                        .post(format!("{}/api/tasks/", daemon.url))
                        .bearer_auth(&access)
                        .json(&json!({"title": format!("writer {writer} task {n}")}))
                        .send()
                        .await
                        .unwrap();
                    let status = response.status();
                    let content_type = response
                        .headers()
                        .get("content-type")
                        .map(|v| v.to_str().unwrap().to_string());
                    let body: Value = response.json().await.unwrap();
                    if status != StatusCode::CREATED {
                        assert_eq!(content_type.as_deref(), Some("application/problem+json"));
                    }
                    let id = body["id"]
                        .as_i64()
                        .filter(|_| status == StatusCode::CREATED);
                    outcomes
                        .lock()
                        .unwrap()
                        .push((started, status, id, started.elapsed()));
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_millis(500)).await;
    let down_at = Instant::now();
    tokio::task::block_in_place(|| cluster.down());
    tokio::time::sleep(Duration::from_secs(2)).await;
    tokio::task::block_in_place(|| cluster.up());
    let up_at = Instant::now();
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }

    let outcomes = outcomes.lock().unwrap().clone();
    let unexpected: Vec<_> = outcomes
        .iter()
        .filter(|(_, status, _, _)| {
            *status != StatusCode::CREATED && *status != StatusCode::SERVICE_UNAVAILABLE
        })
        .collect();
    assert!(unexpected.is_empty(), "neither 201 nor 503: {unexpected:?}");
    let unavailable = outcomes
        .iter()
        .filter(|(_, status, _, _)| *status == StatusCode::SERVICE_UNAVAILABLE)
        .count();
    eprintln!("{} requests, {unavailable} answered 503", outcomes.len());
    assert!(unavailable > 0, "no request met the outage");
    let slowest = outcomes.iter().map(|(_, _, _, took)| *took).max().unwrap();
    assert!(
        slowest < Duration::from_secs(12),
        "a request took {slowest:?}"
    );
    let resumed = outcomes
        .iter()
        .filter(|(at, status, _, _)| *at > up_at && *status == StatusCode::CREATED)
        .count();
    assert!(resumed > 0, "service did not resume after the restart");
    assert!(
        outcomes
            .iter()
            .any(|(at, status, _, _)| *at < down_at && *status == StatusCode::CREATED),
        "nothing was written before the outage"
    );

    let acknowledged: std::collections::BTreeSet<i64> =
        outcomes.iter().filter_map(|(_, _, id, _)| *id).collect();
    let stored = daemon.task_ids(&access).await;
    assert!(
        acknowledged.is_subset(&stored),
        "lost {:?}",
        acknowledged.difference(&stored).collect::<Vec<_>>()
    );
}

/// A database that cannot be reached at start is named with PostgreSQL's
/// own reason, not the pool's "db error".
#[test]
fn a_database_that_cannot_be_reached_at_start_is_named_with_its_reason() {
    let Some(server) = postgres_server() else {
        eprintln!("TASKD_TEST_POSTGRES is not set: this PostgreSQL test did not run");
        return;
    };
    let (base, _) = server.rsplit_once('/').unwrap();
    let missing = format!("{base}/taskd_no_such_database");
    let output = Command::new(env!("CARGO_BIN_EXE_taskd"))
        .args(["--database", &missing, "migrate"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("database \"taskd_no_such_database\" does not exist"),
        "{said}"
    );
}
