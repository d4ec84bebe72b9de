//! `GET /api/export/`: the tasks in Taskwarrior's export format.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{body, error_fields, problem, TestApp};

#[tokio::test]
async fn tasks_come_out_as_taskwarrior_writes_them() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let first = app
        .task(
            &alice,
            json!({"title": "Walk", "project": "home", "tags": ["out"],
            "priority": "high", "due": "2026-12-01T15:30:00Z", "udas": {"size": "L", "points": 3}}),
        )
        .await;
    let second = app
        .task(
            &alice,
            json!({"title": "Rest", "depends": [first["id"]], "wait": "2099-01-01T00:00:00Z"}),
        )
        .await;
    let note = app
        .post(
            &format!("/api/tasks/{}/annotations/", second["id"]),
            &alice.access,
            &json!({"text": "after lunch"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(note.status(), StatusCode::CREATED);
    let done = app
        .task(&alice, json!({"title": "Done one", "status": "done"}))
        .await;
    app.task(&bob, json!({"title": "bob's"})).await;

    let response = app.get("/api/export/", &alice.access).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let export: Value = body(response).await;
    let tasks = export.as_array().unwrap();
    assert_eq!(
        tasks.len(),
        3,
        "all of alice's tasks, done ones too: {export}"
    );
    let walk = &tasks[0];
    assert_eq!(walk["uuid"], first["uuid"]);
    assert_eq!(walk["description"], "Walk");
    assert_eq!(walk["status"], "pending");
    assert_eq!(walk["priority"], "H");
    assert_eq!(walk["project"], "home");
    assert_eq!(walk["tags"], json!(["out"]));
    assert_eq!(walk["due"], "20261201T153000Z");
    assert_eq!(walk["size"], "L");
    assert_eq!(walk["points"], 3);

    let entry = walk["entry"].as_str().unwrap();
    assert!(
        entry.len() == 16 && entry.ends_with('Z') && &entry[8..9] == "T",
        "{entry}"
    );
    assert!(walk["urgency"].is_number());
    assert!(walk.get("end").is_none() && walk.get("depends").is_none());
    let rest = &tasks[1];
    assert_eq!(rest["depends"], json!([first["uuid"]]));
    assert_eq!(rest["wait"], "20990101T000000Z");
    assert_eq!(rest["annotations"][0]["description"], "after lunch");
    assert!(rest["annotations"][0]["entry"].is_string());
    let finished = &tasks[2];
    assert_eq!(finished["uuid"], done["uuid"]);
    assert_eq!(finished["status"], "completed");
    assert!(finished["end"].is_string());

    // The list's filters apply; a dependency outside them is still named.
    let response = app
        .get("/api/export/?tag=out&status=pending", &alice.access)
        .send()
        .await
        .unwrap();
    let only: Value = body(response).await;
    assert_eq!(only.as_array().map(Vec::len), Some(1));
    let response = app
        .get(
            &format!(
                "/api/export/?uuid={}",
                &second["uuid"].as_str().unwrap()[..8]
            ),
            &alice.access,
        )
        .send()
        .await
        .unwrap();
    let rest_only: Value = body(response).await;
    assert_eq!(rest_only[0]["depends"], json!([first["uuid"]]));

    let response = app
        .get("/api/export/?ordering=nope", &alice.access)
        .send()
        .await
        .unwrap();
    let problem = problem(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(error_fields(&problem), ["ordering"]);
    let response = app
        .request(reqwest::Method::GET, "/api/export/")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_large_export_comes_whole_a_page_at_a_time() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    // 1,200 tasks, 300 of them long: several pages of the export, some
    // cut short by the page budget.
    for batch in 0..3 {
        let tasks: Vec<serde_json::Value> = (0..400)
            .map(|n| {
                serde_json::json!({
                    "description": format!("task {batch}-{n}"),
                    "taskd_description": if n % 4 == 0 { "x".repeat(10_000) } else { String::new() },
                    "status": "pending",
                    "entry": "20261201T000000Z",
                })
            })
            .collect();
        let imported = app
            .post("/api/import/", &alice.access, &serde_json::json!(tasks))
            .send()
            .await
            .unwrap();
        assert!(imported.status().is_success());
    }
    let response = app.get("/api/export/", &alice.access).send().await.unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    let text = response.text().await.unwrap();
    assert!(
        text.starts_with("[\n{") && text.ends_with("}\n]\n"),
        "one task a line"
    );
    let tasks: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(tasks.len(), 1200);
    let uuids: std::collections::BTreeSet<&str> =
        tasks.iter().map(|t| t["uuid"].as_str().unwrap()).collect();
    assert_eq!(uuids.len(), 1200, "no task twice");

    // The list's pages, cut by the same budget, follow one another through
    // `next` and hold every task once.
    let mut seen = std::collections::BTreeSet::new();
    let mut url = app.url("/api/tasks/?limit=1000&ordering=id");
    let mut pages = 0;
    loop {
        let page = body(
            app.client
                .get(&url)
                .bearer_auth(&alice.access)
                .send()
                .await
                .unwrap(),
        )
        .await;
        pages += 1;
        for task in page["results"].as_array().unwrap() {
            assert!(seen.insert(task["id"].as_i64().unwrap()), "a task twice");
        }
        match page["next"].as_str() {
            Some(next) => url = next.to_string(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 1200);
    assert!(pages > 2, "{pages} pages of at most 1,000");

    let bob = app.user("bob").await;
    let empty = app.get("/api/export/", &bob.access).send().await.unwrap();
    let empty: Vec<serde_json::Value> = serde_json::from_str(&empty.text().await.unwrap()).unwrap();
    assert!(empty.is_empty());
}
