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

/// The account's tallies as kept (tasks, numbered tasks, characters of
/// text), the same counted afresh from its rows, and how many times its
/// row's count of task changes has moved.
async fn tallies(client: &tokio_postgres::Client, username: &str) -> ([i64; 3], [i64; 3], i64) {
    let row = client
        .query_one(
            "SELECT u.task_count, u.numbered, u.task_chars, \
             (SELECT COUNT(*) FROM tasks t WHERE t.user_id = u.id), \
             (SELECT COUNT(*) FROM tasks t WHERE t.user_id = u.id AND t.number IS NOT NULL), \
             (SELECT COALESCE(SUM(taskd_task_chars(t)), 0)::BIGINT FROM tasks t \
              WHERE t.user_id = u.id) \
               + (SELECT COALESCE(SUM(length(a.text)), 0)::BIGINT FROM annotations a \
                  JOIN tasks t ON t.id = a.task_id WHERE t.user_id = u.id), \
             u.tasks_changed \
             FROM users u WHERE u.username = $1",
            &[&username],
        )
        .await
        .unwrap();
    (
        [row.get(0), row.get(1), row.get(2)],
        [row.get(3), row.get(4), row.get(5)],
        row.get(6),
    )
}

#[tokio::test]
async fn a_set_of_writes_moves_the_accounts_tallies_once_and_by_what_it_wrote() {
    let Some(database) = database().await else {
        return;
    };
    let daemon = daemons(&database, 1).remove(0);
    let (access, _) = account(&daemon, "alice").await;
    let client = database.connect().await;
    let (_, _, mut moved) = tallies(&client, "alice").await;
    // Each step one set (or one write): the tallies agree with the rows, and
    // the account's row moved once for all of the set's tasks.
    let mut step = async |what: &str, response: reqwest::Response| {
        assert!(
            response.status().is_success(),
            "{what}: {}",
            response.text().await.unwrap()
        );
        let (kept, counted, changed) = tallies(&client, "alice").await;
        assert_eq!(kept, counted, "{what}: the tallies against the rows");
        assert_eq!(changed, moved + 1, "{what}: the account's row moved once");
        moved = changed;
    };

    let tasks: Vec<serde_json::Value> = (0..30)
        .map(|n| {
            let mut task = json!({
                "uuid": format!("00000000-0000-4000-8000-{n:012}"),
                "description": format!("imported task {n}"),
                "status": if n < 25 { "pending" } else { "completed" },
                "entry": "20261201T090000Z",
                "project": "garden",
                "tags": ["outside", "spring"],
            });
            if n % 3 == 0 {
                task["annotations"] = json!([
                    {"entry": "20261201T100000Z", "description": format!("a note on {n}")},
                    {"entry": "20261201T110000Z", "description": "and a second, longer one"},
                ]);
            }
            if n >= 25 {
                task["end"] = json!("20261202T090000Z");
            }
            task
        })
        .collect();
    step(
        "import",
        daemon
            .post("/api/import/", Some(&access), json!(tasks))
            .await,
    )
    .await;

    let listed = |query: &'static str| {
        let daemon = &daemon;
        let access = &access;
        async move {
            let page = daemon
                .client
                .get(format!("{}/api/tasks/?{query}", daemon.url))
                .bearer_auth(access)
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap();
            page["results"]
                .as_array()
                .unwrap_or_else(|| panic!("{query}: {page}"))
                .clone()
        }
    };
    let pending = listed("status=pending&limit=100&ordering=number").await;
    let second = pending[1]["id"].as_i64().unwrap();
    let deleted = daemon
        .client
        .delete(format!("{}/api/tasks/{second}/", daemon.url))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    step("a task deleted, leaving number 2 free", deleted).await;

    let more: Vec<serde_json::Value> = (30..33)
        .map(|n| {
            json!({
                "uuid": format!("00000000-0000-4000-8000-{n:012}"),
                "description": format!("imported later {n}"),
                "status": "pending",
                "entry": "20261203T090000Z",
            })
        })
        .collect();
    step(
        "a second import",
        daemon
            .post("/api/import/", Some(&access), json!(more))
            .await,
    )
    .await;
    let mut numbers: Vec<i64> = listed("status=pending&limit=100")
        .await
        .iter()
        .map(|task| task["number"].as_i64().unwrap())
        .collect();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (1..=27).collect::<Vec<i64>>(),
        "the new tasks took the free number, then the next ones"
    );

    let ids: Vec<i64> = listed("status=pending&limit=100&ordering=number")
        .await
        .iter()
        .map(|task| task["id"].as_i64().unwrap())
        .collect();
    step(
        "a bulk done",
        daemon
            .post(
                "/api/tasks/bulk/",
                Some(&access),
                json!({"ids": ids[..10], "action": "done"}),
            )
            .await,
    )
    .await;
    step(
        "a bulk change of project",
        daemon
            .post(
                "/api/tasks/bulk/",
                Some(&access),
                json!({"ids": ids[8..16], "action": "modify",
                       "patch": {"project": "a much longer project name"}}),
            )
            .await,
    )
    .await;
    step(
        "a bulk delete",
        daemon
            .post(
                "/api/tasks/bulk/",
                Some(&access),
                json!({"ids": ids[12..20], "action": "delete"}),
            )
            .await,
    )
    .await;
    for n in 1..=3 {
        step(
            &format!("undo {n}"),
            daemon.post("/api/undo", Some(&access), json!(null)).await,
        )
        .await;
    }
    step(
        "redo",
        daemon.post("/api/redo", Some(&access), json!(null)).await,
    )
    .await;
    assert_eq!(listed("status=done&limit=100").await.len(), 15);
}
