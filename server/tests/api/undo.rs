//! Undo, redo, the trash and each task's history.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{body, problem, TestApp, TestUser};

/// Every task of the user (pending and done), by id, without what moves
/// on its own (version, updated_at, urgency): two snapshots are equal when
/// the tasks are as they were.
async fn snapshot(app: &TestApp, user: &TestUser) -> Value {
    let response = app
        .get(
            "/api/tasks/?status=all&ordering=id&limit=1000",
            &user.access,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut tasks = body(response).await["results"].clone();
    for task in tasks.as_array_mut().unwrap() {
        let task = task.as_object_mut().unwrap();
        for moving in ["version", "updated_at", "urgency"] {
            task.remove(moving);
        }
    }
    tasks
}

async fn post(app: &TestApp, user: &TestUser, path: &str, body: Value) -> reqwest::Response {
    app.post(path, &user.access, &body).send().await.unwrap()
}

async fn undo(app: &TestApp, user: &TestUser) -> Value {
    let response = post(app, user, "/api/undo/", json!({})).await;
    assert_eq!(response.status(), StatusCode::OK, "undo");
    body(response).await
}

async fn redo(app: &TestApp, user: &TestUser) -> Value {
    let response = post(app, user, "/api/redo/", json!({})).await;
    assert_eq!(response.status(), StatusCode::OK, "redo");
    body(response).await
}

async fn id_of(app: &TestApp, user: &TestUser, title: &str) -> i64 {
    let tasks = snapshot(app, user).await;
    tasks
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"] == title)
        .unwrap_or_else(|| panic!("no task {title:?} in {tasks}"))["id"]
        .as_i64()
        .unwrap()
}

/// A request to make, again each time it is called.
type Step<'a> = Box<dyn Fn() -> reqwest::RequestBuilder + 'a>;

#[tokio::test]
async fn every_kind_of_change_is_undone_exactly_and_redone_exactly() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let rent = app
        .task(
            &alice,
            json!({"title": "Pay rent", "project": "home", "tags": ["money"],
                "priority": "high", "due": "2027-01-01T09:00:00Z", "udas": {"estimate": 2}}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let bank = app.task(&alice, json!({"title": "Call the bank"})).await["id"]
        .as_i64()
        .unwrap();
    let rent_path = format!("/api/tasks/{rent}/");
    let bank_path = format!("/api/tasks/{bank}/");

    // Each step: a request that changes tasks. Undo must give back the
    // snapshot before it, redo the snapshot after it.
    let steps: Vec<(&str, Step<'_>)> = vec![
        (
            "create",
            Box::new(|| app.post("/api/tasks/", &alice.access, &json!({"title": "New"}))),
        ),
        (
            "put",
            Box::new(|| {
                app.put(
                    &rent_path,
                    &alice.access,
                    &json!({"title": "Rent, all of it", "depends": [bank]}),
                )
            }),
        ),
        (
            "patch",
            Box::new(|| {
                app.patch(
                    &bank_path,
                    &alice.access,
                    &json!({"priority": "low", "tags": ["call"], "wait": null}),
                )
            }),
        ),
        (
            "annotate",
            Box::new(|| {
                app.post(
                    &format!("{bank_path}annotations/"),
                    &alice.access,
                    &json!({"text": "ask for Sam"}),
                )
            }),
        ),
        (
            "start",
            Box::new(|| app.post(&format!("{bank_path}start/"), &alice.access, &json!({}))),
        ),
        (
            "stop",
            Box::new(|| app.post(&format!("{bank_path}stop/"), &alice.access, &json!({}))),
        ),
        (
            "done",
            Box::new(|| app.patch(&rent_path, &alice.access, &json!({"status": "done"}))),
        ),
        ("delete", Box::new(|| app.delete(&bank_path, &alice.access))),
        (
            "import",
            Box::new(|| {
                app.post("/api/import/", &alice.access, &json!([
            {"uuid": "0b3c7a52-2f0e-4d8e-9a4b-6e1d2c3b4a51", "description": "From a file", "status": "pending", "entry": "20260101T090000Z"}
        ]))
            }),
        ),
        (
            "bulk",
            Box::new(|| {
                app.post("/api/tasks/bulk/", &alice.access, &json!({"ids": [rent, bank], "action": "modify", "patch": {"project": "errands"}}))
            }),
        ),
    ];
    for (name, request) in &steps {
        let before = snapshot(&app, &alice).await;
        let response = request().send().await.unwrap();
        assert!(
            response.status().is_success(),
            "{name}: {}",
            response.status()
        );
        let after = snapshot(&app, &alice).await;
        assert_ne!(before, after, "{name} changed nothing");

        let undone = undo(&app, &alice).await;
        assert!(undone["summary"].is_string(), "{undone}");
        assert_eq!(snapshot(&app, &alice).await, before, "undo of {name}");
        redo(&app, &alice).await;
        assert_eq!(snapshot(&app, &alice).await, after, "redo of {name}");
        // Undo of what redo did, then redo again: the same states.
        undo(&app, &alice).await;
        assert_eq!(
            snapshot(&app, &alice).await,
            before,
            "undo of the redo of {name}"
        );
        redo(&app, &alice).await;
        assert_eq!(snapshot(&app, &alice).await, after, "second redo of {name}");
    }
}

#[tokio::test]
async fn a_hundred_steps_go_back_in_order() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    for n in 0..100 {
        app.task(&alice, json!({"title": format!("step {n}")}))
            .await;
    }
    for n in (0..100).rev() {
        let preview = body(app.get("/api/undo/", &alice.access).send().await.unwrap()).await;
        let undone = undo(&app, &alice).await;
        assert_eq!(preview["change_set"], undone["change_set"]);
        let summary = undone["summary"].as_str().unwrap();
        assert!(summary.ends_with(&format!("\"step {n}\"")), "{summary}");
    }
    assert_eq!(snapshot(&app, &alice).await, json!([]));
    problem(
        post(&app, &alice, "/api/undo/", json!({})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // And forward again, in order.
    for n in 0..3 {
        redo(&app, &alice).await;
        let titles: Vec<Value> = snapshot(&app, &alice)
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["title"].clone())
            .collect();
        assert_eq!(titles.last().unwrap(), &json!(format!("step {n}")));
    }
    // A new change ends what can be redone.
    app.task(&alice, json!({"title": "something new"})).await;
    problem(
        post(&app, &alice, "/api/redo/", json!({})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn a_task_purged_since_is_a_conflict_that_force_overrides() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    // Another's tasks first, so that alice's ids are not her numbers.
    let bob = app.user("bob").await;
    for title in ["bob's", "bob's too", "bob's third"] {
        app.task(&bob, json!({ "title": title })).await;
    }
    let kept = app.task(&alice, json!({"title": "kept"})).await["id"]
        .as_i64()
        .unwrap();
    let purged_task = app.task(&alice, json!({"title": "purged"})).await;
    let purged = purged_task["id"].as_i64().unwrap();
    assert_ne!(purged_task["number"], purged_task["id"]);
    let deleted = post(
        &app,
        &alice,
        "/api/tasks/bulk/",
        json!({"ids": [kept, purged], "action": "delete"}),
    )
    .await;
    assert_eq!(deleted.status(), StatusCode::OK);
    let gone = app
        .delete(&format!("/api/trash/{purged}/"), &alice.access)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);

    let refused = problem(
        post(&app, &alice, "/api/undo/", json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    let conflicts = refused["errors"].as_object().unwrap();
    assert_eq!(conflicts.len(), 1, "{refused}");
    // Named as its user knows it: by its uuid and title (its number went
    // with it, and may be another task's now), never by the store's id.
    // Eight characters, nine when those are all digits.
    let uuid = purged_task["uuid"].as_str().unwrap();
    assert!(
        conflicts.contains_key(&format!(
            "task {} (\"purged\")",
            common::display::uuid_name(uuid)
        )),
        "{refused}"
    );
    // Nothing changed: the other task is still in the trash.
    assert_eq!(snapshot(&app, &alice).await, json!([]));
    let trash = body(app.get("/api/trash/", &alice.access).send().await.unwrap()).await;
    assert_eq!(trash.as_array().unwrap().len(), 1);

    let forced = app
        .post("/api/undo/?force=true", &alice.access, &json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(forced.status(), StatusCode::OK);
    let titles: Vec<Value> = snapshot(&app, &alice)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].clone())
        .collect();
    assert_eq!(titles, [json!("kept"), json!("purged")]);
    assert_eq!(id_of(&app, &alice, "purged").await, purged, "the same id");
}

#[tokio::test]
async fn another_users_change_sets_trash_and_history_are_out_of_reach() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let task = app.task(&alice, json!({"title": "Alice's"})).await["id"]
        .as_i64()
        .unwrap();
    app.delete(&format!("/api/tasks/{task}/"), &alice.access)
        .send()
        .await
        .unwrap();
    for (method, path) in [
        (reqwest::Method::GET, "/api/undo/".to_string()),
        (reqwest::Method::POST, "/api/undo/".to_string()),
        (reqwest::Method::GET, "/api/redo/".to_string()),
        (reqwest::Method::GET, format!("/api/tasks/{task}/history/")),
        (reqwest::Method::POST, format!("/api/trash/{task}/restore/")),
        (reqwest::Method::DELETE, format!("/api/trash/{task}/")),
    ] {
        let response = app
            .request(method.clone(), &path)
            .bearer_auth(&bob.access)
            .send()
            .await
            .unwrap();
        problem(response, StatusCode::NOT_FOUND).await;
    }
    let trash = body(app.get("/api/trash/", &bob.access).send().await.unwrap()).await;
    assert_eq!(trash, json!([]));
    // Alice's own undo still works.
    undo(&app, &alice).await;
    assert_eq!(id_of(&app, &alice, "Alice's").await, task);
}

#[tokio::test]
async fn the_trash_lists_restores_with_dependencies_purges_and_empties_after_30_days() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let first = app.task(&alice, json!({"title": "first"})).await["id"]
        .as_i64()
        .unwrap();
    let second = app
        .task(&alice, json!({"title": "second", "depends": [first]}))
        .await["id"]
        .as_i64()
        .unwrap();
    let third = app
        .task(&alice, json!({"title": "third", "depends": [second]}))
        .await["id"]
        .as_i64()
        .unwrap();
    let noted = app
        .post(
            &format!("/api/tasks/{second}/annotations/"),
            &alice.access,
            &json!({"text": "a note"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(noted.status(), StatusCode::CREATED);
    let before = snapshot(&app, &alice).await;

    let deleted = app
        .delete(&format!("/api/tasks/{second}/"), &alice.access)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    problem(
        app.get(&format!("/api/tasks/{second}/"), &alice.access)
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    let third_now = body(
        app.get(&format!("/api/tasks/{third}/"), &alice.access)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(third_now["depends"], json!([]), "it left the dependencies");
    let trash = body(app.get("/api/trash/", &alice.access).send().await.unwrap()).await;
    assert_eq!(trash[0]["task"]["id"], second);
    assert!(trash[0]["deleted_at"].is_string());

    let restored = app
        .post(
            &format!("/api/trash/{second}/restore/"),
            &alice.access,
            &json!({}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(restored.status(), StatusCode::OK);
    assert_eq!(
        snapshot(&app, &alice).await,
        before,
        "back with notes and links"
    );
    assert_eq!(
        body(app.get("/api/trash/", &alice.access).send().await.unwrap()).await,
        json!([])
    );

    // Purged: gone for good.
    app.delete(&format!("/api/tasks/{third}/"), &alice.access)
        .send()
        .await
        .unwrap();
    let purged = app
        .delete(&format!("/api/trash/{third}/"), &alice.access)
        .send()
        .await
        .unwrap();
    assert_eq!(purged.status(), StatusCode::NO_CONTENT);
    problem(
        app.post(
            &format!("/api/trash/{third}/restore/"),
            &alice.access,
            &json!({}),
        )
        .send()
        .await
        .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;

    // Emptied after 30 days, the clock pushed forward rather than waited for.
    app.delete(&format!("/api/tasks/{first}/"), &alice.access)
        .send()
        .await
        .unwrap();
    let store = app.server.state.store.as_ref();
    taskd::jobs::empty_trash_once(store, chrono::Utc::now() + chrono::Duration::days(29)).await;
    assert_eq!(
        body(app.get("/api/trash/", &alice.access).send().await.unwrap())
            .await
            .as_array()
            .unwrap()
            .len(),
        1,
        "kept for 29 days"
    );
    taskd::jobs::empty_trash_once(store, chrono::Utc::now() + chrono::Duration::days(31)).await;
    assert_eq!(
        body(app.get("/api/trash/", &alice.access).send().await.unwrap()).await,
        json!([])
    );
}

#[tokio::test]
async fn a_deleted_pending_task_comes_back_with_its_number() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let first = app.task(&alice, json!({"title": "first"})).await;
    app.task(&alice, json!({"title": "second"})).await;
    assert_eq!(first["number"], 1);
    app.delete(&format!("/api/tasks/{}/", first["id"]), &alice.access)
        .send()
        .await
        .unwrap();
    undo(&app, &alice).await;
    let back = body(
        app.get(&format!("/api/tasks/{}/", first["id"]), &alice.access)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(back["number"], 1);
    assert!(back["version"].as_i64().unwrap() > first["version"].as_i64().unwrap());
}

#[tokio::test]
async fn an_undo_gives_a_number_back_once_the_task_that_took_it_is_gone() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let mut tasks = Vec::new();
    for n in 1..=3 {
        tasks.push(app.task(&alice, json!({"title": format!("t{n}")})).await);
    }
    // One import completes t2 and adds a task, which takes t2's number.
    let imported = post(
        &app,
        &alice,
        "/api/import/",
        json!([
            {"uuid": tasks[1]["uuid"], "description": "t2", "status": "completed",
             "entry": "20261201T090000Z", "end": "20261202T090000Z"},
            {"uuid": "00000000-0000-4000-8000-000000000042", "description": "newer",
             "status": "pending", "entry": "20261202T090000Z"},
        ]),
    )
    .await;
    assert_eq!(imported.status(), StatusCode::OK);
    let numbers = |listed: Value| -> Vec<(String, i64)> {
        let mut numbers: Vec<(String, i64)> = listed["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|task| {
                (
                    task["title"].as_str().unwrap().to_string(),
                    task["number"].as_i64().unwrap(),
                )
            })
            .collect();
        numbers.sort();
        numbers
    };
    let pending = || async {
        body(
            app.get("/api/tasks/?status=pending&limit=100", &alice.access)
                .send()
                .await
                .unwrap(),
        )
        .await
    };
    assert_eq!(
        numbers(pending().await),
        [("newer".into(), 2), ("t1".into(), 1), ("t3".into(), 3)]
    );
    // The undo takes the new task away first, then reopens t2 with its
    // number.
    undo(&app, &alice).await;
    assert_eq!(
        numbers(pending().await),
        [("t1".into(), 1), ("t2".into(), 2), ("t3".into(), 3)]
    );
}

#[tokio::test]
async fn the_history_shows_each_fields_old_and_new_value() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let id = app.task(&alice, json!({"title": "Pay rent"})).await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/tasks/{id}/");
    app.patch(
        &path,
        &alice.access,
        &json!({"title": "Pay the rent", "priority": "high"}),
    )
    .send()
    .await
    .unwrap();
    app.patch(&path, &alice.access, &json!({"status": "done"}))
        .send()
        .await
        .unwrap();
    let history = body(
        app.get(&format!("{path}history/"), &alice.access)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let rows = history.as_array().unwrap();
    let row = |field: &str, new: Value| {
        rows.iter()
            .find(|r| r["field"] == field && r["new"] == new)
            .unwrap_or_else(|| panic!("no {field} → {new} in {history}"))
            .clone()
    };
    assert_eq!(row("title", json!("Pay rent"))["op"], "created");
    let renamed = row("title", json!("Pay the rent"));
    assert_eq!(renamed["old"], "Pay rent");
    assert_eq!(renamed["op"], "updated");
    assert_eq!(row("priority", json!("high"))["old"], Value::Null);
    assert_eq!(row("status", json!("done"))["old"], "pending");
    assert!(rows
        .iter()
        .all(|r| r["at"].is_string() && r["change_set"].is_i64()));
    // Oldest first.
    assert_eq!(rows[0]["op"], "created");
}

#[tokio::test]
async fn a_bulk_request_is_one_step_and_says_what_it_could_not_change() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let mut ids = Vec::new();
    for n in 0..6 {
        ids.push(
            app.task(&alice, json!({"title": format!("t{n}")})).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let bobs = app.task(&bob, json!({"title": "Bob's"})).await["id"]
        .as_i64()
        .unwrap();
    let before = snapshot(&app, &alice).await;
    let mut asked = ids.clone();
    asked.push(bobs);
    asked.push(999_999);
    let response = post(
        &app,
        &alice,
        "/api/tasks/bulk/",
        json!({"ids": asked, "action": "done"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let result = body(response).await;
    assert_eq!(result["changed"].as_array().unwrap().len(), 6);
    assert!(result["changed"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["status"] == "done"));
    let failed: Vec<i64> = result["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        failed,
        [bobs, 999_999],
        "another user's task is as unknown as none"
    );
    // One undo step for all six.
    let undone = undo(&app, &alice).await;
    assert_eq!(undone["summary"], "completed 6 tasks");
    assert_eq!(snapshot(&app, &alice).await, before);

    // Answered in the order asked, each once, however the store reads them.
    let asked = [ids[4], ids[1], ids[4], ids[5], ids[0]];
    let response = post(
        &app,
        &alice,
        "/api/tasks/bulk/",
        json!({"ids": asked, "action": "start"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let started: Vec<i64> = body(response).await["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|task| task["id"].as_i64().unwrap())
        .collect();
    assert_eq!(started, [ids[4], ids[1], ids[5], ids[0]]);
    assert_eq!(undo(&app, &alice).await["summary"], "started 4 tasks");
    assert_eq!(snapshot(&app, &alice).await, before);

    // Each task's own patch: the tags it has, plus one.
    let own = post(
        &app,
        &alice,
        "/api/tasks/bulk/",
        json!({"ids": [ids[0], ids[1]], "action": "modify", "patch": {"priority": "low"},
            "patches": {ids[1].to_string(): {"tags": ["mine"]}}}),
    )
    .await;
    assert_eq!(own.status(), StatusCode::OK);
    let own = body(own).await;
    assert_eq!(own["changed"][0]["priority"], "low");
    assert_eq!(own["changed"][1]["tags"], json!(["mine"]));
    assert_eq!(
        own["changed"][1]["priority"],
        Value::Null,
        "its own patch only"
    );

    for (request, field) in [
        (
            json!({"ids": [1], "action": "modify", "patches": {"77": {"title": "x"}}}),
            "patches.77",
        ),
        (json!({"ids": [], "action": "done"}), "ids"),
        (json!({"ids": ["x"], "action": "done"}), "ids"),
        (json!({"ids": [1], "action": "explode"}), "action"),
        (json!({"ids": [1], "action": "modify"}), "patch"),
        (
            json!({"ids": [1], "action": "modify", "patch": {"priority": "urgent"}}),
            "patch.priority",
        ),
        (json!({"ids": [1], "action": "done", "extra": 1}), "extra"),
        (
            json!({"ids": [1], "action": "done", "versions": {"2": 1}}),
            "versions.2",
        ),
        (
            json!({"ids": [1], "action": "done", "versions": {"1": "one"}}),
            "versions.1",
        ),
        (
            json!({"ids": [1], "action": "done", "versions": [1]}),
            "versions",
        ),
    ] {
        let refused = problem(
            post(&app, &alice, "/api/tasks/bulk/", request.clone()).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(refused["errors"][field].is_array(), "{request}: {refused}");
        if field != "patch" {
            // What was given is wrong: it is not also said to be missing.
            assert!(refused["errors"]["patch"].is_null(), "{request}: {refused}");
        }
    }
}

/// The most tasks a request may name, done and undone, each in one
/// request: on PostgreSQL the set's writes go one after another and take
/// longer than one statement may, and were cut off as an outage (503).
#[tokio::test]
async fn a_bulk_change_of_the_most_tasks_and_its_undo_are_not_cut_off() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let file: Vec<Value> = (0..10_000)
        .map(|n| {
            json!({"uuid": format!("0d9e8a3c-5f4b-4c1e-9a2b-{n:012}"), "description": format!("t{n}"),
                "status": "pending", "entry": "20261101T090000Z"})
        })
        .collect();
    let imported = app
        .request(reqwest::Method::POST, "/api/import/")
        .bearer_auth(&alice.access)
        .header("content-type", "application/json")
        .body(Value::from(file).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), StatusCode::OK);
    assert_eq!(body(imported).await["added"], 10_000);
    let mut ids = Vec::new();
    for offset in (0..10_000).step_by(1000) {
        ids.extend(
            crate::helpers::ids(
                &app,
                &alice,
                &format!("ordering=id&limit=1000&offset={offset}"),
            )
            .await,
        );
    }
    assert_eq!(ids.len(), 10_000);

    let response = post(
        &app,
        &alice,
        "/api/tasks/bulk/",
        json!({"ids": ids, "action": "done"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let done = body(response).await;
    assert_eq!(done["changed"].as_array().unwrap().len(), 10_000);
    assert_eq!(done["failed"], json!([]));
    assert_eq!(undo(&app, &alice).await["summary"], "completed 10000 tasks");
    let pending = crate::helpers::list_page(&app, &alice, "status=pending&limit=1").await;
    assert_eq!(pending["count"], 10_000);
}

#[tokio::test]
async fn undo_and_restore_are_announced_on_the_event_stream() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let id = app.task(&alice, json!({"title": "watched"})).await["id"]
        .as_i64()
        .unwrap();
    let mut events =
        crate::sse::Sse::open(&app.client, &app.url("/api/events/"), &alice.access, None).await;
    events.opening().await;
    app.delete(&format!("/api/tasks/{id}/"), &alice.access)
        .send()
        .await
        .unwrap();
    assert_eq!(events.expect("task").await.json()["op"], "deleted");
    undo(&app, &alice).await;
    let back = events.expect("task").await.json();
    assert_eq!(back["op"], "created");
    assert_eq!(back["task"]["title"], "watched");
    redo(&app, &alice).await;
    assert_eq!(events.expect("task").await.json()["op"], "deleted");
    app.post(
        &format!("/api/trash/{id}/restore/"),
        &alice.access,
        &json!({}),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(events.expect("task").await.json()["op"], "created");
}

#[tokio::test]
async fn several_changes_to_one_task_are_undone_one_by_one_and_redone() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let id = app.task(&alice, json!({"title": "a"})).await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/tasks/{id}/");
    let mut states = vec![snapshot(&app, &alice).await];
    for title in ["b", "c", "d"] {
        app.patch(&path, &alice.access, &json!({"title": title}))
            .send()
            .await
            .unwrap();
        states.push(snapshot(&app, &alice).await);
    }
    for back in (0..3).rev() {
        undo(&app, &alice).await;
        assert_eq!(snapshot(&app, &alice).await, states[back]);
    }
    for state in &states[1..] {
        redo(&app, &alice).await;
        assert_eq!(&snapshot(&app, &alice).await, state);
    }
    for back in (0..3).rev() {
        undo(&app, &alice).await;
        assert_eq!(snapshot(&app, &alice).await, states[back]);
    }
}

#[tokio::test]
async fn a_restore_that_would_close_a_dependency_cycle_is_refused() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let x = app.task(&alice, json!({"title": "x"})).await["id"]
        .as_i64()
        .unwrap();
    let t = app
        .task(&alice, json!({"title": "t", "depends": [x]}))
        .await["id"]
        .as_i64()
        .unwrap();
    let d = app
        .task(&alice, json!({"title": "d", "depends": [t]}))
        .await["id"]
        .as_i64()
        .unwrap();
    app.delete(&format!("/api/tasks/{t}/"), &alice.access)
        .send()
        .await
        .unwrap();
    // With t gone, x may wait for d: no cycle without t.
    let linked = app
        .patch(
            &format!("/api/tasks/{x}/"),
            &alice.access,
            &json!({"depends": [d]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(linked.status(), StatusCode::OK);
    let refused = problem(
        app.post(
            &format!("/api/trash/{t}/restore/"),
            &alice.access,
            &json!({}),
        )
        .send()
        .await
        .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        refused["errors"]["depends"][0]
            .as_str()
            .unwrap()
            .contains("cycle"),
        "{refused}"
    );
    // Undo goes back in order: first x's new link, then the delete.
    undo(&app, &alice).await;
    undo(&app, &alice).await;
    assert_eq!(id_of(&app, &alice, "t").await, t);
}

#[tokio::test]
async fn an_undo_step_names_what_the_change_did() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let task = app.task(&alice, json!({"title": "Pay rent"})).await;
    let path = format!("/api/tasks/{}/", task["id"]);
    let steps: [(&str, reqwest::RequestBuilder); 5] = [
        (
            "started",
            app.post(&format!("{path}start/"), &alice.access, &json!({})),
        ),
        (
            "stopped",
            app.post(&format!("{path}stop/"), &alice.access, &json!({})),
        ),
        (
            "completed",
            app.patch(&path, &alice.access, &json!({"status": "done"})),
        ),
        (
            "reopened",
            app.patch(&path, &alice.access, &json!({"status": "pending"})),
        ),
        // Done and retitled at once: more than a completion.
        (
            "changed",
            app.patch(
                &path,
                &alice.access,
                &json!({"status": "done", "title": "Paid rent"}),
            ),
        ),
    ];
    for (verb, request) in steps {
        assert_eq!(request.send().await.unwrap().status(), StatusCode::OK);
        let step = app.get("/api/undo/", &alice.access).send().await.unwrap();
        let step = body(step).await;
        assert!(
            step["summary"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{verb} task ")),
            "{verb}: {step}"
        );
    }
    assert!(undo(&app, &alice).await["summary"]
        .as_str()
        .unwrap()
        .starts_with("changed task"));
    assert!(undo(&app, &alice).await["summary"]
        .as_str()
        .unwrap()
        .starts_with("reopened task 1 \"Pay rent\""));

    // A note added, then removed: each named as such.
    let added = app
        .post(
            &format!("{path}annotations/"),
            &alice.access,
            &json!({"text": "landlord prefers a transfer"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), StatusCode::CREATED);
    let note = body(added).await;
    let step = body(app.get("/api/undo/", &alice.access).send().await.unwrap()).await;
    // The task is done again by now, so it is named by its uuid.
    let summary = step["summary"].as_str().unwrap_or_default();
    assert!(summary.starts_with("annotated task "), "{step}");
    assert!(summary.ends_with(" \"Pay rent\""), "{step}");
    let note_id = note["id"]
        .as_i64()
        .or_else(|| note["annotations"][0]["id"].as_i64())
        .unwrap_or_else(|| panic!("no note id in {note}"));
    let removed = app
        .delete(&format!("{path}annotations/{note_id}/"), &alice.access)
        .send()
        .await
        .unwrap();
    assert!(removed.status().is_success(), "{}", removed.status());
    let undone = undo(&app, &alice).await;
    let summary = undone["summary"].as_str().unwrap_or_default();
    assert!(summary.starts_with("denotated task "), "{undone}");
}

/// A PATCH that changes fields and adds and removes notes is one version
/// and one undo step; what it cannot do is refused whole.
#[tokio::test]
async fn a_patch_with_notes_is_one_change_and_one_undo_step() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let task = app.task(&alice, json!({"title": "Pay rent"})).await;
    let path = format!("/api/tasks/{}/", task["id"]);
    let noted = app
        .post(
            &format!("{path}annotations/"),
            &alice.access,
            &json!({"text": "ask the bank"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(noted.status(), StatusCode::CREATED);
    let old_note = body(noted).await["id"].as_i64().unwrap();
    let before = body(app.get(&path, &alice.access).send().await.unwrap()).await;

    // Refused whole: blank notes, a note the task has not, notes in a PUT.
    for (bad, field) in [
        (json!({"title": "x", "annotate": ["  "]}), "annotate"),
        (json!({"title": "x", "denotate": [999_999]}), "denotate"),
        (json!({"annotate": "one"}), "annotate"),
        (json!({"denotate": [0]}), "denotate"),
    ] {
        let refused = app.patch(&path, &alice.access, &bad).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{bad}");
        let problem = body(refused).await;
        assert!(problem["errors"][field].is_array(), "{bad}: {problem}");
    }
    let put = app
        .put(
            &path,
            &alice.access,
            &json!({"title": "x", "annotate": ["no"]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::BAD_REQUEST);
    let unchanged = body(app.get(&path, &alice.access).send().await.unwrap()).await;
    assert_eq!(unchanged["version"], before["version"], "{unchanged}");

    let patched = app
        .patch(
            &path,
            &alice.access,
            &json!({"title": "Paid rent", "annotate": ["by transfer", "receipt filed"], "denotate": [old_note]}),
        )
        .header("If-Match", format!("\"{}\"", before["version"]))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);
    let patched = body(patched).await;
    assert_eq!(patched["title"], "Paid rent");
    assert_eq!(patched["version"], before["version"].as_i64().unwrap() + 1);
    let notes: Vec<&str> = patched["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|note| note["text"].as_str().unwrap())
        .collect();
    assert_eq!(notes, ["by transfer", "receipt filed"]);
    // Notes alone are a change too, named as one.
    let only_notes = app
        .patch(&path, &alice.access, &json!({"annotate": ["called"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(only_notes.status(), StatusCode::OK);
    let undone = undo(&app, &alice).await;
    assert!(
        undone["summary"]
            .as_str()
            .unwrap()
            .starts_with("annotated task 1"),
        "{undone}"
    );

    // One undo takes the title and all three notes back.
    let undone = undo(&app, &alice).await;
    assert!(
        undone["summary"]
            .as_str()
            .unwrap()
            .starts_with("changed task 1"),
        "{undone}"
    );
    let now = body(app.get(&path, &alice.access).send().await.unwrap()).await;
    assert_eq!(now["title"], "Pay rent");
    let notes: Vec<&str> = now["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|note| note["text"].as_str().unwrap())
        .collect();
    assert_eq!(notes, ["ask the bank"]);

    // In bulk too: each task's own notes, one step for all.
    let other = app.task(&alice, json!({"title": "Fix fence"})).await;
    let bulk = post(
        &app,
        &alice,
        "/api/tasks/bulk/",
        json!({"ids": [task["id"], other["id"]], "action": "modify",
               "patches": {task["id"].to_string(): {"annotate": ["one"], "denotate": [old_note]},
                           other["id"].to_string(): {"annotate": ["two"]}}}),
    )
    .await;
    assert_eq!(bulk.status(), StatusCode::OK);
    let bulk = body(bulk).await;
    assert_eq!(bulk["failed"], json!([]), "{bulk}");
    assert_eq!(
        bulk["changed"][0]["annotations"][0]["text"], "one",
        "{bulk}"
    );
    assert_eq!(
        bulk["changed"][1]["annotations"][0]["text"], "two",
        "{bulk}"
    );
    let refused = post(
        &app,
        &alice,
        "/api/tasks/bulk/",
        json!({"ids": [other["id"]], "action": "modify", "patch": {"denotate": [old_note]}}),
    )
    .await;
    let refused = body(refused).await;
    assert_eq!(refused["failed"][0]["id"], other["id"], "{refused}");
    // One patch copied to every task may not add more than a request's
    // worth of notes in all.
    let long = "n".repeat(10_000);
    let notes: Vec<&str> = vec![long.as_str(); 60];
    let too_much = post(
        &app,
        &alice,
        "/api/tasks/bulk/",
        json!({"ids": [task["id"], other["id"]], "action": "modify", "patch": {"annotate": notes}}),
    )
    .await;
    assert_eq!(too_much.status(), StatusCode::BAD_REQUEST);
    let too_much = body(too_much).await;
    assert!(too_much["errors"]["patch"].is_array(), "{too_much}");
    let undone = undo(&app, &alice).await;
    assert!(
        undone["summary"]
            .as_str()
            .unwrap()
            .starts_with("changed 2 tasks"),
        "{undone}"
    );
    let now = body(app.get(&path, &alice.access).send().await.unwrap()).await;
    assert_eq!(now["annotations"][0]["text"], "ask the bank", "{now}");
}

#[tokio::test]
async fn tasks_deleted_together_come_back_linked_whichever_went_first() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    // The bulk delete takes `first` (which depends on `second`) before
    // `second`, so that `second` leaves no dependent in the trash: the link
    // lives only in `first`'s own record.
    let first = app.task(&alice, json!({"title": "first"})).await["id"]
        .as_i64()
        .unwrap();
    let second = app.task(&alice, json!({"title": "second"})).await["id"]
        .as_i64()
        .unwrap();
    let third = app
        .task(&alice, json!({"title": "third", "depends": [first]}))
        .await["id"]
        .as_i64()
        .unwrap();
    let linked = app
        .patch(
            &format!("/api/tasks/{first}/"),
            &alice.access,
            &json!({"depends": [second]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(linked.status(), StatusCode::OK);
    let before = snapshot(&app, &alice).await;
    let deleted = post(
        &app,
        &alice,
        "/api/tasks/bulk/",
        json!({"ids": [first, second], "action": "delete"}),
    )
    .await;
    assert_eq!(deleted.status(), StatusCode::OK);
    let left = snapshot(&app, &alice).await;
    assert_eq!(left.as_array().unwrap().len(), 1, "{left}");
    assert_eq!(left[0]["depends"], json!([]), "{left}");
    assert_eq!(undo(&app, &alice).await["summary"], "deleted 2 tasks");
    assert_eq!(snapshot(&app, &alice).await, before);
    let third = body(
        app.get(&format!("/api/tasks/{third}/"), &alice.access)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(third["depends"], json!([first]), "{third}");
}

/// Two tasks deleted together and restored one by one come back linked in
/// every order: the first restored keeps its link on the other's trash
/// record, whichever of the two held it.
#[tokio::test]
async fn tasks_deleted_together_and_restored_one_by_one_come_back_linked() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    for (deleted_first, restored_first) in [
        ("blocker", "blocker"),
        ("blocker", "blocked"),
        ("blocked", "blocker"),
        ("blocked", "blocked"),
    ] {
        let case = format!("deleted {deleted_first} first, restored {restored_first} first");
        let blocker = app
            .task(&alice, json!({"title": format!("blocker, {case}")}))
            .await["id"]
            .as_i64()
            .unwrap();
        let blocked = app
            .task(
                &alice,
                json!({"title": format!("blocked, {case}"), "depends": [blocker]}),
            )
            .await["id"]
            .as_i64()
            .unwrap();
        let id = |name: &str| if name == "blocker" { blocker } else { blocked };
        let other = |name: &str| if name == "blocker" { blocked } else { blocker };
        let deleted = post(
            &app,
            &alice,
            "/api/tasks/bulk/",
            json!({"ids": [id(deleted_first), other(deleted_first)], "action": "delete"}),
        )
        .await;
        assert_eq!(deleted.status(), StatusCode::OK, "{case}");
        for task in [id(restored_first), other(restored_first)] {
            let restored = post(
                &app,
                &alice,
                &format!("/api/trash/{task}/restore/"),
                json!({}),
            )
            .await;
            assert_eq!(restored.status(), StatusCode::OK, "{case}");
        }
        let read = |task: i64| {
            let app = &app;
            let alice = &alice;
            async move {
                body(
                    app.get(&format!("/api/tasks/{task}/"), &alice.access)
                        .send()
                        .await
                        .unwrap(),
                )
                .await
            }
        };
        let blocked_now = read(blocked).await;
        assert_eq!(
            blocked_now["depends"],
            json!([blocker]),
            "{case}: {blocked_now}"
        );
        assert_eq!(blocked_now["blocked"], json!(true), "{case}");
        assert_eq!(read(blocker).await["blocking"], json!(true), "{case}");
    }
    assert_eq!(
        body(app.get("/api/trash/", &alice.access).send().await.unwrap()).await,
        json!([])
    );
}

/// A task's own patch built from what a client read (a title appended to)
/// carries the version read: a task changed since is left as it is and
/// said so, the others changed, as a PATCH with `If-Match` would.
#[tokio::test]
async fn a_bulk_change_leaves_a_task_changed_since_it_was_read() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let first = app.task(&alice, json!({"title": "Call mom"})).await;
    let second = app.task(&alice, json!({"title": "Pay rent"})).await;
    let (a, b) = (
        first["id"].as_i64().unwrap(),
        second["id"].as_i64().unwrap(),
    );
    // Another client retitles the first after it was read.
    let retitled = app
        .patch(
            &format!("/api/tasks/{a}/"),
            &alice.access,
            &json!({"title": "Call mom and dad"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(retitled.status(), StatusCode::OK);
    let response = post(
        &app,
        &alice,
        "/api/tasks/bulk/",
        json!({"ids": [a, b], "action": "modify",
            "patches": {a.to_string(): {"title": "Call mom today"},
                        b.to_string(): {"title": "Pay rent today"}},
            "versions": {a.to_string(): first["version"], b.to_string(): second["version"]}}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let result = body(response).await;
    assert_eq!(result["failed"][0]["id"], a, "{result}");
    assert!(
        result["failed"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("Changed since it was read at version"),
        "{result}"
    );
    assert_eq!(result["changed"].as_array().unwrap().len(), 1, "{result}");
    assert_eq!(result["changed"][0]["title"], "Pay rent today");
    let now = body(
        app.get(&format!("/api/tasks/{a}/"), &alice.access)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(now["title"], "Call mom and dad", "not written over");
}
