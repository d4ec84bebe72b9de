//! The storage interface itself, the same cases on whichever backend the
//! run uses (SQLite, or PostgreSQL with `TASKD_TEST_POSTGRES`): what the
//! domain rules rely on, each backend must do alike.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, TimeZone, Utc};
use common::api::{Annotation, Priority, Status, Task, UdaValue};
use taskd::{
    domain::tasks::{new_task, TaskFields},
    store::{self, Database, Edited, NewUser, Purpose, Store, TaskEdit},
    task_query::TaskFilter,
};

use crate::helpers::TestDatabase;

struct Fixture {
    store: Arc<dyn Store>,
    database: TestDatabase,
    /// Holds a SQLite database: the fixture keeps it to the test's end.
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::new(dir.path()).await;
    let store = store::open(&database.database, Purpose::Command)
        .await
        .unwrap();
    Fixture {
        store,
        database,
        _dir: dir,
    }
}

async fn user(store: &dyn Store, name: &str) -> i64 {
    store
        .create_user(NewUser {
            username: name.into(),
            email: String::new(),
            password_hash: "not a real hash".into(),
            is_admin: false,
        })
        .await
        .unwrap()
        .unwrap()
        .id
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

async fn add(store: &dyn Store, user_id: i64, edit: impl FnOnce(&mut TaskFields)) -> Task {
    let mut fields = TaskFields::titled("task");
    edit(&mut fields);
    store
        .insert_task(user_id, new_task(fields, Utc::now()))
        .await
        .unwrap()
}

#[tokio::test]
async fn tasks_round_trip_exactly_and_writes_compare_and_set_on_the_version() {
    let fixture = fixture().await;
    let store = fixture.store.as_ref();
    let alice = user(store, "alice").await;
    let bob = user(store, "bob").await;
    let task = add(store, alice, |f| {
        f.title = "Ünïcødé \"quotes\" \\ and 🦀".into();
        f.description = "line one\nline two".into();
        f.priority = Some(Priority::High);
        f.due = Some(at("2026-12-01T09:30:00.123456Z"));
        f.project = Some("home.garden".into());
        f.tags = vec!["b".into(), "a".into()];
    })
    .await;
    assert_eq!(
        store.get_task(alice, task.id).await.unwrap(),
        Some(task.clone())
    );
    assert_eq!(
        store.get_task(bob, task.id).await.unwrap(),
        None,
        "another user's"
    );

    let mut next = task.clone();
    next.title = "Retitled".into();
    next.status = Status::Done;
    next.completed_at = Some(next.updated_at);
    next.tags = vec!["c".into()];
    next.version = 2;
    next.number = None;
    let replace = |user, version| {
        let read = Task {
            version,
            ..task.clone()
        };
        store.replace_task(user, next.clone(), read)
    };
    assert_eq!(replace(bob, 1).await.unwrap(), None, "not bob's");
    assert_eq!(replace(alice, 7).await.unwrap(), None, "stale");
    assert_eq!(
        store.get_task(alice, task.id).await.unwrap(),
        Some(task.clone())
    );
    assert_eq!(replace(alice, 1).await.unwrap(), Some(next.clone()));
    assert_eq!(replace(alice, 1).await.unwrap(), None, "spent");
    assert_eq!(
        store.get_task(alice, task.id).await.unwrap(),
        Some(next.clone())
    );
    let tagged = store
        .list_tasks(alice, filter(&[("tag", "c")]))
        .await
        .unwrap();
    assert_eq!(tagged.count, 1, "the new tags are the ones filtered on");
    assert_eq!(
        store
            .list_tasks(alice, filter(&[("tag", "a")]))
            .await
            .unwrap()
            .count,
        0
    );

    assert!(
        !store.delete_task(alice, task.id, 1).await.unwrap(),
        "stale"
    );
    assert!(
        !store.delete_task(bob, task.id, 2).await.unwrap(),
        "not bob's"
    );
    assert!(store.delete_task(alice, task.id, 2).await.unwrap());
    assert_eq!(store.get_task(alice, task.id).await.unwrap(), None);
}

fn filter(pairs: &[(&str, &str)]) -> TaskFilter {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    TaskFilter::from_pairs(&pairs).unwrap()
}

/// A create answers its task without reading it back where it can: the
/// answer must be what a read gives, field for field.
#[tokio::test]
async fn a_created_task_is_answered_as_it_reads_back() {
    let fixture = fixture().await;
    let store = fixture.store.as_ref();
    let alice = user(store, "alice").await;
    // Nanoseconds, which the stores keep to the microsecond.
    let at = Utc.timestamp_opt(1_790_000_000, 123_456_789).unwrap();
    let mut fields = TaskFields::titled("Plan the move ✓");
    // PostgreSQL's text holds no NUL; SQLite's does, and counts the
    // characters before it.
    fields.description = match fixture.database.database {
        Database::Sqlite(_) => "with\0a NUL".into(),
        Database::Postgres(_) => "with\ttabs and \"quotes\"".into(),
    };
    fields.priority = Some(Priority::High);
    fields.due = Some(at);
    fields.project = Some("home.move".into());
    fields.tags = vec!["zeta".into(), "ünï".into(), "alpha".into()];
    fields.start = Some(at);
    fields.wait = Some(at);
    fields.scheduled = Some(at);
    fields.until = Some(at);
    fields.udas = [
        ("estimate".to_string(), UdaValue::Number(2.5)),
        ("size".to_string(), UdaValue::Integer(-3)),
        ("big".to_string(), UdaValue::Number(1e20)),
        // Floats whose shortest text parses back to a neighbour unless
        // parsing is exact.
        ("tiny".to_string(), UdaValue::Number(1e-30)),
        ("odd".to_string(), UdaValue::Number(7.943794815224912e-10)),
        ("note".to_string(), UdaValue::Text("\"quoted\"".into())),
    ]
    .into();
    let mut full = new_task(fields, Utc::now());
    full.annotations = ["first", "second"]
        .into_iter()
        .map(|text| Annotation {
            id: 0,
            entry: at,
            text: text.into(),
        })
        .collect();
    let mut done = new_task(TaskFields::titled("Done at once"), Utc::now());
    done.status = Status::Done;
    done.completed_at = Some(at);
    // Fractions of a microsecond before 2000 and before 1970, which
    // PostgreSQL's driver and SQLite's store cut in different directions.
    let mut old = new_task(TaskFields::titled("Long overdue"), Utc::now());
    old.due = Some(Utc.timestamp_opt(946_684_799, 999_999_999).unwrap());
    old.wait = Some(Utc.timestamp_opt(-1, 500).unwrap());

    let mut answered = Vec::new();
    for task in [full, done, old] {
        let task = store.insert_task(alice, task).await.unwrap();
        let read = store.get_task(alice, task.id).await.unwrap().unwrap();
        assert_eq!(read, task);
        answered.push(task);
    }
    let [full, done, _] = <[_; 3]>::try_from(answered).unwrap();
    // One that depends on others is read back.
    let mut blocked = new_task(TaskFields::titled("After the plan"), Utc::now());
    blocked.depends = vec![done.id, full.id];
    let blocked = store.insert_task(alice, blocked).await.unwrap();
    assert!(blocked.blocked);
    assert_eq!(blocked.depends, [full.id, done.id]);
    let read = store.get_task(alice, blocked.id).await.unwrap().unwrap();
    assert_eq!(read, blocked);
    assert_eq!(full.annotations.len(), 2);
    assert!(full.annotations[0].id < full.annotations[1].id);
    assert_eq!(full.due.unwrap().timestamp_subsec_nanos(), 123_456_000);
    // The change feed holds the same.
    let changes = store.changes_after(alice, 0, 10).await.unwrap();
    assert_eq!(changes[0].task.as_ref(), Some(&full));
}

/// A replace answers its task without reading it back where it can: the
/// answer must be what a read gives, field for field, its flags too.
#[tokio::test]
async fn a_replaced_task_is_answered_as_it_reads_back() {
    let fixture = fixture().await;
    let store = fixture.store.as_ref();
    let alice = user(store, "alice").await;
    let first = add(store, alice, |f| f.title = "first".into()).await;
    let second = add(store, alice, |f| f.title = "second".into()).await;
    let mut waiting = new_task(TaskFields::titled("waits"), Utc::now());
    waiting.depends = vec![first.id];
    let waiting = store.insert_task(alice, waiting).await.unwrap();
    // `second` blocks a task that waits on it.
    let mut after = new_task(TaskFields::titled("after second"), Utc::now());
    after.depends = vec![second.id];
    store.insert_task(alice, after).await.unwrap();
    let second = store.get_task(alice, second.id).await.unwrap().unwrap();
    assert!(second.blocking);

    let at = Utc.timestamp_opt(1_790_000_000, 987_654_321).unwrap();
    let replace = |current: Task, edit: &dyn Fn(&mut Task)| {
        let mut next = current.clone();
        next.version += 1;
        next.updated_at = Utc::now();
        edit(&mut next);
        async move {
            let answered = store
                .replace_task(alice, next, current)
                .await
                .unwrap()
                .unwrap();
            let read = store.get_task(alice, answered.id).await.unwrap().unwrap();
            assert_eq!(answered, read);
            answered
        }
    };
    // Blocked, and stays so through an edit of its own fields.
    let waiting = replace(waiting, &|task| {
        task.title = "still waits".into();
        task.due = Some(at);
        task.udas = [("tiny".to_string(), UdaValue::Number(1e-30))].into();
        task.annotations.push(Annotation {
            id: 0,
            entry: at,
            text: "a note".into(),
        });
    })
    .await;
    assert!(waiting.blocked && !waiting.blocking);
    assert_eq!(waiting.annotations.len(), 1);
    // Blocking while pending, and not once done.
    let second = replace(second, &|task| task.priority = Some(Priority::Low)).await;
    assert!(second.blocking);
    let second = replace(second, &|task| {
        task.status = Status::Done;
        task.completed_at = Some(at);
        task.number = None;
    })
    .await;
    assert!(!second.blocking);
    // Its dependencies changed: read back.
    let waiting = replace(waiting, &|task| task.depends = vec![]).await;
    assert!(!waiting.blocked);
    let waiting = replace(waiting, &|task| task.depends = vec![first.id]).await;
    assert!(waiting.blocked);
    // A note removed, another added.
    let waiting = replace(waiting, &|task| {
        task.annotations = vec![Annotation {
            id: 0,
            entry: at,
            text: "another".into(),
        }];
    })
    .await;
    assert_eq!(waiting.annotations.len(), 1);
    let waiting = replace(waiting, &|task| {
        task.annotations.push(Annotation {
            id: 0,
            entry: Utc.timestamp_opt(946_684_799, 999_999_999).unwrap(),
            text: "before 2000".into(),
        });
    })
    .await;
    assert_eq!(waiting.annotations.len(), 2);
    // Its dependency deleted by another write after it was read: the link
    // goes without its version moving.
    let first = store.get_task(alice, first.id).await.unwrap().unwrap();
    assert!(store
        .delete_task(alice, first.id, first.version)
        .await
        .unwrap());
    let waiting = replace(waiting, &|task| task.title = "its dependency gone".into()).await;
    assert!(waiting.depends.is_empty() && !waiting.blocked);
}

/// An edit (what a PATCH makes) answers its task without reading it back
/// where it can: the answer must be what a read gives, field for field,
/// its flags too, through every change of status.
#[tokio::test]
async fn an_edited_task_is_answered_as_it_reads_back() {
    let fixture = fixture().await;
    let store = fixture.store.as_ref();
    let alice = user(store, "alice").await;
    let first = add(store, alice, |f| f.title = "first".into()).await;
    let mut waiting = new_task(TaskFields::titled("waits"), Utc::now());
    waiting.depends = vec![first.id];
    let waiting = store.insert_task(alice, waiting).await.unwrap();
    assert!(
        store
            .get_task(alice, first.id)
            .await
            .unwrap()
            .unwrap()
            .blocking
    );

    let edit = |id: i64, change: fn(&mut Task)| async move {
        let edit: TaskEdit = Arc::new(move |current: &Task| {
            let mut next = current.clone();
            next.version += 1;
            next.updated_at = Utc::now();
            change(&mut next);
            Some(next)
        });
        let Edited::Written(answered) = store.edit_task(alice, id, edit).await.unwrap() else {
            panic!("task {id} was not written");
        };
        let read = store.get_task(alice, id).await.unwrap().unwrap();
        assert_eq!(answered, read);
        answered
    };
    // Blocked, and stays so through an edit of its own fields and notes.
    let waiting = edit(waiting.id, |task| {
        task.title = "still waits ✓".into();
        task.project = Some("home".into());
        task.tags = vec!["b".into(), "a".into()];
        task.due = Some(Utc.timestamp_opt(1_790_000_000, 987_654_321).unwrap());
        task.udas = [
            ("tiny".to_string(), UdaValue::Number(1e-30)),
            ("size".to_string(), UdaValue::Integer(-3)),
        ]
        .into();
        task.annotations.push(Annotation {
            id: 0,
            entry: Utc.timestamp_opt(946_684_799, 999_999_999).unwrap(),
            text: "a note".into(),
        });
    })
    .await;
    assert!(waiting.blocked && !waiting.blocking);
    assert_eq!(waiting.annotations.len(), 1);
    assert_eq!(waiting.due.unwrap().timestamp_subsec_nanos(), 987_654_000);
    let waiting = edit(waiting.id, |task| task.annotations.clear()).await;
    assert!(waiting.annotations.is_empty());
    // Blocking while pending, through an edit of its own.
    let first = edit(first.id, |task| task.priority = Some(Priority::Low)).await;
    assert!(first.blocking);
    // Not once done, and the task waiting on it no longer blocked.
    let first = edit(first.id, |task| {
        task.status = Status::Done;
        task.completed_at = Some(Utc::now());
        task.number = None;
    })
    .await;
    assert!(!first.blocking);
    let waiting = edit(waiting.id, |task| task.title = "free".into()).await;
    assert!(!waiting.blocked);
    // Pending again: blocking again, which only a read can tell.
    let first = edit(first.id, |task| {
        task.status = Status::Pending;
        task.completed_at = None;
    })
    .await;
    assert!(first.blocking);
    let waiting = edit(waiting.id, |task| task.title = "waits again".into()).await;
    assert!(waiting.blocked);
}

#[tokio::test]
async fn the_list_query_filters_and_orders_alike() {
    let fixture = fixture().await;
    let store = fixture.store.as_ref();
    let alice = user(store, "alice").await;
    let bob = user(store, "bob").await;
    add(store, bob, |f| f.title = "bob's".into()).await;
    let a = add(store, alice, |f| {
        f.title = "apple 50% off".into();
        f.priority = Some(Priority::Low);
        f.project = Some("home".into());
        f.tags = vec!["x".into(), "y".into()];
        f.due = Some(at("2026-12-01T00:00:00Z"));
    })
    .await;
    let b = add(store, alice, |f| {
        f.title = "Banana".into();
        f.description = "ÉCLAIR inside".into();
        f.priority = Some(Priority::High);
        f.project = Some("home.garden".into());
        f.tags = vec!["x".into()];
        f.status = Status::Done;
    })
    .await;
    let c = add(store, alice, |f| {
        f.title = "cherry".into();
        f.project = Some("homework".into());
        f.due = Some(at("2026-12-03T00:00:00Z"));
    })
    .await;
    let ids = |pairs: &[(&str, &str)]| {
        let filter = filter(pairs);
        async move {
            let page = store.list_tasks(alice, filter).await.unwrap();
            assert!(page.count as usize >= page.tasks.len());
            page.tasks.iter().map(|t| t.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(ids(&[]).await, [a.id, b.id, c.id]);
    assert_eq!(ids(&[("status", "done")]).await, [b.id]);
    assert_eq!(ids(&[("priority", "low")]).await, [a.id]);
    assert_eq!(
        ids(&[("project", "home")]).await,
        [a.id, b.id],
        "sub-projects, not homework"
    );
    assert_eq!(ids(&[("tag", "x"), ("tag", "y")]).await, [a.id]);
    assert_eq!(ids(&[("search", "50%")]).await, [a.id], "% is literal");
    assert_eq!(
        ids(&[("search", "_")]).await,
        Vec::<i64>::new(),
        "_ is literal"
    );
    assert_eq!(
        ids(&[("search", "éclair")]).await,
        [b.id],
        "case folds beyond ASCII"
    );
    assert_eq!(ids(&[("due_before", "2026-12-02")]).await, [a.id]);
    assert_eq!(ids(&[("due_after", "2026-12-02")]).await, [c.id]);
    assert_eq!(
        ids(&[("ordering", "-priority")]).await,
        [b.id, a.id, c.id],
        "nulls last"
    );
    assert_eq!(
        ids(&[("ordering", "priority")]).await,
        [a.id, b.id, c.id],
        "nulls last"
    );
    assert_eq!(ids(&[("ordering", "-due")]).await, [c.id, a.id, b.id]);
    assert_eq!(
        ids(&[("ordering", "-title")]).await,
        [c.id, b.id, a.id],
        "case-insensitive"
    );
    assert_eq!(ids(&[("ordering", "-status,id")]).await, [a.id, c.id, b.id]);
    let page = store
        .list_tasks(alice, filter(&[("limit", "1"), ("offset", "1")]))
        .await
        .unwrap();
    assert_eq!(
        (page.count, page.tasks.len(), page.tasks[0].id),
        (3, 1, b.id)
    );
    // By project, without regard to case, those without one last both ways.
    let d = add(store, alice, |f| f.title = "no project".into()).await;
    let e = add(store, alice, |f| {
        f.title = "upper".into();
        f.project = Some("Home.Attic".into());
    })
    .await;
    assert_eq!(
        ids(&[("ordering", "project")]).await,
        [a.id, e.id, b.id, c.id, d.id]
    );
    assert_eq!(
        ids(&[("ordering", "-project")]).await,
        [c.id, b.id, e.id, a.id, d.id]
    );
}

#[tokio::test]
async fn a_refresh_token_is_spent_once() {
    let fixture = fixture().await;
    let store = fixture.store.as_ref();
    let alice = user(store, "alice").await;
    let expires = Utc::now() + chrono::Duration::days(14);
    let session = store.create_session(alice, "first", expires).await.unwrap();
    let token = store.refresh_token("first").await.unwrap().unwrap();
    assert_eq!(
        (token.session_id, token.used, token.session_revoked),
        (session, false, false)
    );
    assert_eq!(token.user.id, alice);
    assert!(store
        .spend_refresh_token("first", "second", session, expires, Utc::now())
        .await
        .unwrap());
    assert!(!store
        .spend_refresh_token("first", "third", session, expires, Utc::now())
        .await
        .unwrap());
    assert!(store.refresh_token("first").await.unwrap().unwrap().used);
    assert!(store.refresh_token("third").await.unwrap().is_none());
    let context = store.auth_context(alice, session).await.unwrap().unwrap();
    assert!(context.session_live);
    store.revoke_session(session).await.unwrap();
    assert!(
        !store
            .auth_context(alice, session)
            .await
            .unwrap()
            .unwrap()
            .session_live
    );
    assert!(
        store
            .refresh_token("second")
            .await
            .unwrap()
            .unwrap()
            .session_revoked
    );
}

#[tokio::test]
async fn attempts_count_until_the_limit_wait_while_unsettled_and_can_be_taken_back() {
    use taskd::store::attempts::{Limit, Verdict};
    let fixture = fixture().await;
    let store = fixture.store.as_ref();
    let now = Utc::now();
    let since = now - chrono::Duration::minutes(1);
    let limits = |address: &str, max: u32| {
        vec![
            Limit {
                key: "user:alice".into(),
                max,
                since,
            },
            Limit {
                key: format!("addr:{address}"),
                max: 10,
                since,
            },
        ]
    };
    let begin = |attempt: i64, address: &'static str, max: u32| {
        store.begin_attempt(attempt, limits(address, max), now)
    };
    assert_eq!(begin(1, "127.0.0.1", 2).await.unwrap(), Verdict::Admitted);
    assert_eq!(begin(2, "127.0.0.1", 2).await.unwrap(), Verdict::Admitted);
    // Both places are held by attempts not yet judged: wait.
    assert_eq!(begin(3, "127.0.0.1", 2).await.unwrap(), Verdict::Busy);
    store.settle_attempt(1, true).await.unwrap();
    assert_eq!(begin(3, "127.0.0.1", 2).await.unwrap(), Verdict::Busy);
    // A right password gives its place back.
    store.settle_attempt(2, false).await.unwrap();
    assert_eq!(begin(4, "127.0.0.1", 2).await.unwrap(), Verdict::Admitted);
    store.settle_attempt(4, true).await.unwrap();
    // Both places counted: refused until the oldest leaves the window.
    let refused = begin(5, "10.0.0.1", 2).await.unwrap();
    let Verdict::Refused { frees_at } = refused else {
        panic!("{refused:?}");
    };
    assert_eq!(
        frees_at.timestamp_micros(),
        (now + chrono::Duration::minutes(1)).timestamp_micros()
    );
    // An attempt left unsettled (its daemon stopped) counts once it is old.
    let long_ago = now - chrono::Duration::seconds(45);
    let old = vec![Limit {
        key: "user:bob".into(),
        max: 1,
        since,
    }];
    store.begin_attempt(6, old.clone(), long_ago).await.unwrap();
    assert!(matches!(
        store.begin_attempt(7, old, now).await.unwrap(),
        Verdict::Refused { .. }
    ));
    store.clear_attempts("user:alice").await.unwrap();
    assert_eq!(begin(8, "127.0.0.1", 2).await.unwrap(), Verdict::Admitted);
    store
        .forget_attempts_before(now + chrono::Duration::minutes(2))
        .await
        .unwrap();
    assert_eq!(begin(9, "127.0.0.1", 1).await.unwrap(), Verdict::Admitted);
}

#[tokio::test]
async fn login_addresses_are_remembered_per_user() {
    let fixture = fixture().await;
    let store = fixture.store.as_ref();
    let alice = store
        .create_user(taskd::store::NewUser {
            username: "alice".into(),
            email: String::new(),
            password_hash: "x".into(),
            is_admin: false,
        })
        .await
        .unwrap()
        .unwrap();
    let now = Utc::now();
    assert!(!store.address_known(alice.id, "192.0.2.1").await.unwrap());
    store
        .remember_address(alice.id, "192.0.2.1", now)
        .await
        .unwrap();
    store
        .remember_address(alice.id, "192.0.2.1", now)
        .await
        .unwrap();
    assert!(store.address_known(alice.id, "192.0.2.1").await.unwrap());
    assert!(!store.address_known(alice.id, "192.0.2.2").await.unwrap());
    store
        .forget_addresses_before(now + chrono::Duration::seconds(1))
        .await
        .unwrap();
    assert!(!store.address_known(alice.id, "192.0.2.1").await.unwrap());
}

#[tokio::test]
async fn a_periodic_job_is_claimed_once_per_period() {
    let fixture = fixture().await;
    let store = &fixture.store;
    let hour = Duration::from_secs(3600);
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    assert!(store.claim_job("purge", now, hour).await.unwrap());
    assert!(!store.claim_job("purge", now, hour).await.unwrap());
    assert!(!store
        .claim_job("purge", now + chrono::Duration::minutes(59), hour)
        .await
        .unwrap());
    assert!(
        store.claim_job("other", now, hour).await.unwrap(),
        "jobs are apart"
    );
    assert!(store
        .claim_job("purge", now + chrono::Duration::hours(1), hour)
        .await
        .unwrap());
}

#[tokio::test]
async fn the_signing_secret_is_kept_in_postgres_and_not_in_sqlite() {
    let fixture = fixture().await;
    let store = &fixture.store;
    let first = store.shared_secret("first candidate").await.unwrap();
    let second = store.shared_secret("second candidate").await.unwrap();
    match fixture.database.database {
        Database::Sqlite(_) => assert_eq!((first, second), (None, None)),
        Database::Postgres(_) => {
            assert_eq!(first.as_deref(), Some("first candidate"));
            assert_eq!(
                second.as_deref(),
                Some("first candidate"),
                "the first one stays"
            );
        }
    }
}

#[tokio::test]
async fn the_lowest_free_number_survives_every_way_a_number_goes() {
    use taskd::domain::{
        task_ops,
        tasks::{TaskChange, TaskFieldsPatch},
    };
    let fixture = fixture().await;
    let store = fixture.store.as_ref();
    let alice = user(store, "alice").await;
    let mut ids = Vec::new();
    for n in 1..=6 {
        let task = task_ops::create(store, alice, TaskFields::titled(format!("t{n}")))
            .await
            .unwrap();
        assert_eq!(task.number, Some(n));
        ids.push(task.id);
    }
    let status = |status| {
        TaskChange::Patch(TaskFieldsPatch {
            status: Some(status),
            ..TaskFieldsPatch::default()
        })
    };
    // 2 done, 4 deleted, 6 past its until: three gaps, the highest among them.
    task_ops::update(store, alice, ids[1], None, status(Status::Done))
        .await
        .unwrap();
    task_ops::delete(store, alice, ids[3], None).await.unwrap();
    let past = TaskChange::Patch(TaskFieldsPatch {
        until: Some(Some(at("2001-01-01T00:00:00Z"))),
        ..TaskFieldsPatch::default()
    });
    task_ops::update(store, alice, ids[5], None, past)
        .await
        .unwrap();
    assert_eq!(store.delete_expired_tasks(Utc::now()).await.unwrap(), 1);
    let mut given = Vec::new();
    for n in 0..4 {
        let task = task_ops::create(store, alice, TaskFields::titled(format!("new {n}")))
            .await
            .unwrap();
        given.push(task.number.unwrap());
    }
    assert_eq!(given, [2, 4, 6, 7]);
    // Reopened: the next free number, past the end again.
    let reopened = task_ops::update(store, alice, ids[1], None, status(Status::Pending))
        .await
        .unwrap();
    assert_eq!(reopened.number, Some(8));
    // The count the next number is found by agrees with the tasks.
    let counted = "SELECT numbered, (SELECT COUNT(*) FROM tasks t \
                   WHERE t.user_id = u.id AND t.number IS NOT NULL) FROM users u WHERE id = ";
    let (kept, numbered): (i64, i64) = match &fixture.database.database {
        Database::Postgres(_) => {
            let row = fixture
                .database
                .connect()
                .await
                .query_one(&format!("{counted}$1"), &[&alice])
                .await
                .unwrap();
            (row.get(0), row.get(1))
        }
        Database::Sqlite(path) => rusqlite::Connection::open(path)
            .unwrap()
            .query_row(&format!("{counted}?1"), [alice], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .unwrap(),
    };
    assert_eq!((kept, numbered), (8, 8));
}
