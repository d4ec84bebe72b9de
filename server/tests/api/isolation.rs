use reqwest::StatusCode;
use serde_json::json;

use taskd::store::Database;

use crate::helpers::{body, problem, TestApp};

#[tokio::test]
async fn another_users_tasks_are_invisible_and_untouchable() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let task = app
        .task(
            &alice,
            json!({"title": "secret", "project": "home", "tags": ["mine"], "priority": "high"}),
        )
        .await;
    let path = format!("/api/tasks/{}/", task["id"]);

    let attempts = [
        app.get(&path, &bob.access),
        app.put(&path, &bob.access, &json!({"title": "mine now"})),
        app.patch(&path, &bob.access, &json!({"title": "mine now"})),
        app.delete(&path, &bob.access),
    ];
    let mut bodies = Vec::new();
    for attempt in attempts {
        bodies.push(problem(attempt.send().await.unwrap(), StatusCode::NOT_FOUND).await);
    }
    // The same 404 as for an id that does not exist: existence is not revealed.
    let missing = problem(
        app.get("/api/tasks/999999/", &bob.access)
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    assert!(bodies.iter().all(|b| *b == missing));

    let unchanged = body(app.get(&path, &alice.access).send().await.unwrap()).await;
    assert_eq!(unchanged, task);

    app.task(
        &bob,
        json!({"title": "bob's", "project": "home", "tags": ["mine"]}),
    )
    .await;
    for query in [
        "",
        "status=all",
        "project=home",
        "tag=mine",
        "search=secret",
        "priority=high",
        "limit=1000",
    ] {
        let page = body(
            app.get(&format!("/api/tasks/?{query}"), &bob.access)
                .send()
                .await
                .unwrap(),
        )
        .await;
        let titles: Vec<&str> = page["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["title"].as_str().unwrap())
            .collect();
        assert!(!titles.contains(&"secret"), "{query}: {titles:?}");
        assert!(page["count"].as_u64().unwrap() <= 1);
    }
}

/// Requests at once from several accounts, one of whose logins has ended:
/// each hears of its own account and login only (on PostgreSQL the login
/// checks of requests in flight together are answered by one query).
#[tokio::test]
async fn requests_at_once_each_have_their_own_login_checked() {
    let app = TestApp::spawn().await;
    let mut users = Vec::new();
    for name in ["alice", "bob", "carol", "dave"] {
        let user = app.user(name).await;
        app.task(&user, json!({"title": format!("{name}'s")})).await;
        users.push((name, user));
    }
    let carol = &users[2].1;
    let logout = app.logout(carol).await;
    assert!(logout.status().is_success(), "{}", logout.status());

    let requests = (0..120).map(|n| {
        let (name, user) = &users[n % users.len()];
        let request = app.get("/api/tasks/", &user.access);
        async move { (*name, request.send().await.unwrap()) }
    });
    for (name, response) in futures::future::join_all(requests).await {
        if name == "carol" {
            problem(response, StatusCode::UNAUTHORIZED).await;
        } else {
            assert_eq!(response.status(), StatusCode::OK, "{name}");
            let titles = body(response).await["results"].clone();
            assert_eq!(titles.as_array().map(Vec::len), Some(1), "{name}: {titles}");
            assert_eq!(titles[0]["title"], format!("{name}'s"));
        }
    }
}

/// The schema itself refuses a dependency between two accounts' tasks (the
/// daemon refuses one before writing; this holds it for any writer), and
/// takes one within an account.
#[tokio::test]
async fn the_database_refuses_a_dependency_between_accounts() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let id = |task: serde_json::Value| task["id"].as_i64().unwrap();
    let alices = id(app.task(&alice, json!({"title": "alice's"})).await);
    let alices_other = id(app.task(&alice, json!({"title": "alice's other"})).await);
    let bobs = id(app.task(&bob, json!({"title": "bob's"})).await);
    let insert = "INSERT INTO task_depends (task_id, depends_on) VALUES ($1, $2)";
    let outcomes: Vec<Result<(), String>> = match &app.database.database {
        Database::Sqlite(path) => {
            let conn = rusqlite::Connection::open(path).unwrap();
            [(alices, bobs), (bobs, alices), (alices, alices_other)]
                .iter()
                .map(|(task, on)| {
                    conn.execute(&insert.replace('$', "?"), [task, on])
                        .map(drop)
                        .map_err(|err| err.to_string())
                })
                .collect()
        }
        Database::Postgres(url) => {
            let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(connection);
            let mut outcomes = Vec::new();
            for (task, on) in [(alices, bobs), (bobs, alices), (alices, alices_other)] {
                outcomes.push(
                    client
                        .execute(insert, &[&task, &on])
                        .await
                        .map(drop)
                        .map_err(|err| format!("{err:?}")),
                );
            }
            outcomes
        }
    };
    for refused in &outcomes[..2] {
        let err = refused.as_ref().unwrap_err();
        assert!(err.contains("its own account"), "{err}");
    }
    assert_eq!(outcomes[2], Ok(()));
}
