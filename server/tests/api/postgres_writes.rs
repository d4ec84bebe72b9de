//! What each write costs PostgreSQL. The measure of a task's text, which
//! the tallies' trigger takes of each row written, is part of the trigger's
//! own plan rather than a function run (and parsed) per row; and one
//! account's writes wait for their turn in the daemon, not on the
//! account's locks inside PostgreSQL.

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
    // How many of the database's sessions wait on a lock, at its most,
    // while the writes go on.
    let watch = {
        let writing = Arc::clone(&writing);
        tokio::spawn(async move {
            let mut most = 0;
            while writing.load(Ordering::Relaxed) {
                let waiting: i64 = watcher
                    .query_one(
                        "SELECT count(*) FROM pg_stat_activity \
                         WHERE datname = current_database() AND wait_event_type = 'Lock'",
                        &[],
                    )
                    .await
                    .unwrap()
                    .get(0);
                most = most.max(waiting);
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
    let most = watch.await.unwrap();
    // One write holds the account's locks and the next waits on them; the
    // other 38 wait in the daemon.
    assert!(most <= 1, "{most} sessions waited on a lock at once");
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
