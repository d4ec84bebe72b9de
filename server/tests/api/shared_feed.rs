//! Live updates with several daemons on one PostgreSQL database: a change
//! made through any daemon reaches streams on every other, a lost
//! notification delays events without losing any, and no event overtakes
//! one committed before it. Needs `TASKD_TEST_POSTGRES`.

use std::{
    collections::BTreeSet,
    time::{Duration, Instant},
};

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    daemon::Daemon,
    several_daemons::{daemons, database},
    sse::{Next, Sse},
};

async fn stream(daemon: &Daemon, token: &str, last: Option<&str>) -> Sse {
    let mut events = Sse::open(
        &daemon.client,
        &format!("{}/api/events/", daemon.url),
        token,
        last,
    )
    .await;
    let opening = events.opening().await;
    assert_eq!(opening.event.as_deref(), Some("ready"));
    events
}

async fn create(daemon: &Daemon, token: &str, title: &str) -> Value {
    let response = daemon
        .post("/api/tasks/", Some(token), json!({"title": title}))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn rename(daemon: &Daemon, token: &str, id: i64, title: &str) -> reqwest::Response {
    daemon
        .client
        .patch(format!("{}/api/tasks/{id}/", daemon.url))
        .bearer_auth(token)
        .json(&json!({"title": title}))
        .send()
        .await
        .unwrap()
}

/// The next `task` event, within `within`: (cursor, its data).
async fn task_event(events: &mut Sse, within: Duration) -> (i64, Value) {
    match events.event(within).await {
        Next::Frame(frame) if frame.event.as_deref() == Some("task") => {
            (frame.id.as_deref().unwrap().parse().unwrap(), frame.json())
        }
        other => panic!("expected a task event within {within:?}, got {other:?}"),
    }
}

#[tokio::test]
async fn a_change_through_one_daemon_reaches_streams_on_the_others_within_two_seconds() {
    let Some(database) = database().await else {
        return;
    };
    let [a, b, c] = <[Daemon; 3]>::try_from(daemons(&database, 3)).ok().unwrap();
    let token = a.signup("alice").await;
    let mut on_b = stream(&b, &token, None).await;
    let mut on_c = stream(&c, &token, None).await;
    for round in 0..3 {
        let started = Instant::now();
        let task = create(&a, &token, &format!("made on A, round {round}")).await;
        for events in [&mut on_b, &mut on_c] {
            let (_, event) = task_event(events, Duration::from_secs(2)).await;
            assert_eq!(event["id"], task["id"]);
        }
        let took = started.elapsed();
        assert!(took < Duration::from_secs(2), "{took:?}");
    }
}

/// Ends every daemon's listening connection, as a network fault or a
/// database restart would.
async fn kill_listeners(database: &crate::helpers::TestDatabase) -> u64 {
    let client = database.connect().await;
    let rows = client
        .query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = 'taskd-listen' AND datname = current_database()",
            &[],
        )
        .await
        .unwrap();
    rows.len() as u64
}

#[tokio::test]
async fn with_the_listening_connection_killed_changes_arrive_late_and_none_is_lost() {
    let Some(database) = database().await else {
        return;
    };
    let [a, b] = <[Daemon; 2]>::try_from(daemons(&database, 2)).ok().unwrap();
    let token = a.signup("alice").await;
    let mut on_b = stream(&b, &token, None).await;
    assert!(kill_listeners(&database).await >= 1);
    let mut made = Vec::new();
    for n in 0..5 {
        made.push(create(&a, &token, &format!("while deaf {n}")).await["id"].clone());
        if n == 2 {
            kill_listeners(&database).await;
        }
    }
    let mut seen = Vec::new();
    for _ in 0..5 {
        seen.push(task_event(&mut on_b, Duration::from_secs(10)).await.1["id"].clone());
    }
    assert_eq!(seen, made);
    on_b.assert_quiet(Duration::from_millis(300)).await;
    // And once listening again, changes are prompt again.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let started = Instant::now();
    create(&a, &token, "heard").await;
    task_event(&mut on_b, Duration::from_secs(2)).await;
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn an_open_transaction_delays_events_but_no_later_change_skips_an_earlier_one() {
    let Some(database) = database().await else {
        return;
    };
    let [a, b, c] = <[Daemon; 3]>::try_from(daemons(&database, 3)).ok().unwrap();
    let token = a.signup("alice").await;
    let first = create(&a, &token, "first").await["id"].as_i64().unwrap();
    let second = create(&a, &token, "second").await["id"].as_i64().unwrap();
    let mut on_b = stream(&b, &token, None).await;

    // Elsewhere, a transaction holds the first task.
    let mut outside = database.connect().await;
    let held = outside.transaction().await.unwrap();
    held.execute("SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE", &[&first])
        .await
        .unwrap();
    let blocked = {
        let (url, client, token) = (a.url.clone(), a.client.clone(), token.clone());
        tokio::spawn(async move {
            client
                .patch(format!("{url}/api/tasks/{first}/"))
                .bearer_auth(token)
                .json(&json!({"title": "first, renamed"}))
                .send()
                .await
                .unwrap()
                .status()
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        rename(&c, &token, second, "second, renamed").await.status(),
        StatusCode::OK
    );
    let (before, event) = task_event(&mut on_b, Duration::from_secs(2)).await;
    assert_eq!(event["id"], second);
    on_b.assert_quiet(Duration::from_millis(300)).await;
    held.commit().await.unwrap();
    assert_eq!(blocked.await.unwrap(), StatusCode::OK);
    let (after, event) = task_event(&mut on_b, Duration::from_secs(2)).await;
    assert_eq!(event["id"], first);
    assert!(after > before);
}

#[tokio::test]
async fn writes_racing_through_three_daemons_reach_a_stream_each_once_in_commit_order() {
    let Some(database) = database().await else {
        return;
    };
    let all = daemons(&database, 3);
    let token = all[0].signup("alice").await;
    let mut ids = Vec::new();
    for n in 0..6 {
        ids.push(
            create(&all[0], &token, &format!("task {n}")).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let mut watching = Sse::open(
        &all[1].client,
        &format!("{}/api/events/", all[1].url),
        &token,
        None,
    )
    .await;
    let start = watching.opening().await.id.unwrap();

    // 60 renames, 20 through each daemon, all at once.
    let writes = (0..60).map(|n| {
        let daemon = &all[n % 3];
        let id = ids[n % ids.len()];
        let token = token.clone();
        async move {
            rename(daemon, &token, id, &format!("rename {n}"))
                .await
                .status()
        }
    });
    let statuses = join_all(writes).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );

    let mut live = Vec::new();
    for _ in 0..60 {
        live.push(task_event(&mut watching, Duration::from_secs(5)).await);
    }
    watching.assert_quiet(Duration::from_millis(500)).await;
    let cursors: Vec<i64> = live.iter().map(|(cursor, _)| *cursor).collect();
    assert!(cursors.windows(2).all(|w| w[0] < w[1]), "{cursors:?}");
    let versions: BTreeSet<(i64, i64)> = live
        .iter()
        .map(|(_, e)| (e["id"].as_i64().unwrap(), e["version"].as_i64().unwrap()))
        .collect();
    assert_eq!(versions.len(), 60, "each write once");
    // Per task, versions 2..=11: nothing skipped.
    for id in &ids {
        let mine: Vec<i64> = versions
            .iter()
            .filter(|(task, _)| task == id)
            .map(|(_, v)| *v)
            .collect();
        assert_eq!(mine, (2..=11).collect::<Vec<_>>(), "task {id}");
    }
    // A client resuming from the same cursor on another daemon reads the
    // very same sequence.
    let mut replay = stream(&all[2], &token, Some(&start)).await;
    for (cursor, event) in &live {
        let (again, same) = task_event(&mut replay, Duration::from_secs(5)).await;
        assert_eq!(again, *cursor);
        for field in ["op", "id", "version"] {
            assert_eq!(same[field], event[field]);
        }
        assert_eq!(same["task"]["title"], event["task"]["title"]);
    }
}
