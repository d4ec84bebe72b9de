//! What each write costs PostgreSQL. The measure of a task's text, which
//! the tallies' trigger takes of each row written, is part of the trigger's
//! own plan rather than a function run (and parsed) per row; one account's
//! writes wait for their turn in the daemon, not on the account's locks
//! inside PostgreSQL, while the lock on its numbers still keeps two
//! daemons from giving out the same one.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use reqwest::StatusCode;
use serde_json::json;

use crate::{
    daemon::taskd,
    several_daemons::{account, daemons, database},
};

#[tokio::test]
async fn the_measure_of_a_tasks_text_is_inlined_into_the_tallies_plan() {
    let Some(database) = database().await else {
        return;
    };
    let migrated = taskd(&["migrate", "--database", &database.arg()], "", &[]);
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    let client = database.connect().await;
    let plan: Vec<String> = client
        .query(
            "EXPLAIN (VERBOSE, COSTS OFF) SELECT taskd_task_chars(t) FROM tasks t",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    let plan = plan.join("\n");
    assert!(
        !plan.contains("taskd_task_chars") && plan.contains("array_to_string"),
        "the function is not inlined:\n{plan}"
    );
}

#[tokio::test]
async fn an_accounts_writes_wait_their_turn_in_the_daemon_not_on_its_locks() {
    let Some(database) = database().await else {
        return;
    };
    let daemon = daemons(&database, 1).remove(0);
    let (access, _) = account(&daemon, "alice").await;
    let watcher = database.connect().await;
    let writing = Arc::new(AtomicBool::new(true));
    // How many of the database's sessions wait on the account's locks (its
    // numbers' lock, its row) at once, at the most, while the writes go on.
    // Read from the lock table, which the releasing session updates as it
    // hands a lock on, and which one query sees whole: a woken session's
    // `wait_event` still says it waits until it gets a CPU again, so on a
    // busy machine it could show a lock already handed on. Commits that
    // notify also take turns, on a lock of the whole cluster, which other
    // tests' databases share: not counted.
    let watch = {
        let writing = Arc::clone(&writing);
        tokio::spawn(async move {
            let mut most = (0, String::new());
            while writing.load(Ordering::Relaxed) {
                let waits: Vec<String> = watcher
                    .query(
                        "SELECT l.locktype || ': ' || left(a.query, 60) \
                         FROM pg_locks l JOIN pg_stat_activity a USING (pid) \
                         WHERE NOT l.granted AND a.datname = current_database() \
                         AND l.locktype IN ('advisory', 'transactionid', 'tuple')",
                        &[],
                    )
                    .await
                    .unwrap()
                    .iter()
                    .map(|row| row.get(0))
                    .collect();
                if waits.len() > most.0 {
                    most = (waits.len(), waits.join("\n"));
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            most
        })
    };
    for round in 0..5 {
        let writes = (0..40).map(|n| {
            daemon.post(
                "/api/tasks/",
                Some(&access),
                json!({"title": format!("write {round}.{n}")}),
            )
        });
        for written in futures::future::join_all(writes).await {
            assert_eq!(written.status(), StatusCode::CREATED);
        }
    }
    writing.store(false, Ordering::Relaxed);
    let (most, waits) = watch.await.unwrap();
    // One write holds the account's locks and the next waits on them; the
    // other 38 wait in the daemon.
    assert!(
        most <= 1,
        "{most} sessions waited on a lock at once:\n{waits}"
    );
    let listed = daemon
        .client
        .get(format!("{}/api/tasks/?limit=1", daemon.url))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    let count = listed.json::<serde_json::Value>().await.unwrap()["count"].clone();
    assert_eq!(count, 200);
}

#[tokio::test]
async fn two_daemons_creating_at_once_never_give_out_the_same_number() {
    let Some(database) = database().await else {
        return;
    };
    let both = daemons(&database, 2);
    let (access, _) = account(&both[0], "alice").await;
    let creates = (0..60).map(|n| {
        both[n % 2].post(
            "/api/tasks/",
            Some(&access),
            json!({"title": format!("task {n}")}),
        )
    });
    let mut numbers = Vec::new();
    for created in futures::future::join_all(creates).await {
        assert_eq!(created.status(), StatusCode::CREATED);
        let task = created.json::<serde_json::Value>().await.unwrap();
        numbers.push(task["number"].as_i64().unwrap());
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=60).collect::<Vec<i64>>());
}
