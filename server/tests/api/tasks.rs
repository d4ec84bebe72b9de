use std::collections::BTreeSet;

use reqwest::{header, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{body, error_fields, ids, problem, TestApp};

fn id(task: &Value) -> i64 {
    task["id"].as_i64().unwrap()
}

#[tokio::test]
async fn create_fills_defaults_and_names_the_task() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let response = app
        .post(
            "/api/tasks/",
            &alice.access,
            &json!({"title": "  Buy milk  "}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(response.headers()[header::ETAG], "\"1\"");
    let task = body(response).await;
    assert_eq!(location, format!("/api/tasks/{}/", id(&task)));
    assert_eq!(task["title"], "Buy milk");
    assert_eq!(task["description"], "");
    assert_eq!(task["status"], "pending");
    assert_eq!(task["priority"], Value::Null);
    assert_eq!(task["due"], Value::Null);
    assert_eq!(task["project"], Value::Null);
    assert_eq!(task["tags"], json!([]));
    assert_eq!(task["completed_at"], Value::Null);
    assert_eq!(task["version"], 1);
    assert!(task["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(task["created_at"], task["updated_at"]);

    let fetched = app.get(&location, &alice.access).send().await.unwrap();
    assert_eq!(fetched.headers()[header::ETAG], "\"1\"");
    assert_eq!(body(fetched).await, task);
}

#[tokio::test]
async fn every_field_is_stored_and_normalised() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let task = app
        .task(
            &alice,
            json!({
                "title": "Plant roses", "description": "Red ones", "status": "done",
                "priority": "high", "due": "2026-12-01T10:30:00+01:00",
                "project": "home.garden", "tags": ["garden", "spring", "garden"],
                "id": 999, "version": 42, "created_at": "2000-01-01T00:00:00Z", "completed_at": null
            }),
        )
        .await;
    assert_ne!(id(&task), 999);
    assert_eq!(task["version"], 1);
    assert_eq!(task["due"], "2026-12-01T09:30:00Z");
    assert_eq!(task["tags"], json!(["garden", "spring"]));
    assert_eq!(task["project"], "home.garden");
    assert_eq!(task["priority"], "high");
    assert_eq!(task["status"], "done");
    assert!(task["completed_at"].is_string());
    assert_ne!(task["created_at"], "2000-01-01T00:00:00Z");

    // The list renders rows its own way: it must say exactly the same.
    let listed = body(app.get("/api/tasks/", &alice.access).send().await.unwrap()).await;
    assert_eq!(listed["results"][0], task);
    let escaped = app
        .task(&alice, json!({"title": "quote \" back\\slash \u{1b}[2J", "tags": ["é\"x"], "description": "line\nbreak"}))
        .await;
    let listed = body(
        app.get("/api/tasks/?ordering=-id", &alice.access)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(listed["results"][0], escaped);
}

#[tokio::test]
async fn every_field_rule_is_checked() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let many_tags: Vec<String> = (0..33).map(|n| format!("t{n}")).collect();
    for (body, field) in [
        (json!({}), "title"),
        (json!({"title": "   "}), "title"),
        (json!({"title": null}), "title"),
        (json!({"title": 5}), "title"),
        (json!({"title": "x".repeat(501)}), "title"),
        (
            json!({"title": "t", "description": "x".repeat(10_001)}),
            "description",
        ),
        (json!({"title": "t", "description": null}), "description"),
        (json!({"title": "t", "status": "later"}), "status"),
        (json!({"title": "t", "priority": "urgent"}), "priority"),
        (json!({"title": "t", "priority": "H"}), "priority"),
        (json!({"title": "t", "due": "tomorrow"}), "due"),
        (json!({"title": "t", "due": "2026-12-01T10:00:00"}), "due"),
        // Beyond what RFC 3339 can give back, once in UTC.
        (
            json!({"title": "t", "due": "9999-12-31T23:59:59-12:00"}),
            "due",
        ),
        (
            json!({"title": "t", "due": "0000-01-01T00:00:00+01:00"}),
            "due",
        ),
        (json!({"title": "t", "project": "x".repeat(101)}), "project"),
        (json!({"title": "t", "project": "home..garden"}), "project"),
        (json!({"title": "t", "tags": "garden"}), "tags"),
        (json!({"title": "t", "tags": ["two words"]}), "tags"),
        (json!({"title": "t", "tags": [""]}), "tags"),
        (json!({"title": "t", "tags": ["x".repeat(65)]}), "tags"),
        (json!({"title": "t", "tags": ["ACTIVE"]}), "tags"),
        (json!({"title": "t", "tags": ["+x"]}), "tags"),
        (json!({"title": "t", "tags": ["-x"]}), "tags"),
        (json!({"title": "t", "tags": [1]}), "tags"),
        (json!({"title": "t", "tags": many_tags}), "tags"),
        (json!({"title": "t", "colour": "red"}), "colour"),
    ] {
        let response = app
            .post("/api/tasks/", &alice.access, &body)
            .send()
            .await
            .unwrap();
        let problem = problem(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&problem), [field], "{body}");
    }
    let edge = app
        .task(
            &alice,
            json!({"title": "x".repeat(500), "tags": ["x".repeat(64)], "project": "p".repeat(100)}),
        )
        .await;
    assert_eq!(edge["title"].as_str().unwrap().len(), 500);
    let listed = body(app.get("/api/tasks/", &alice.access).send().await.unwrap()).await;
    assert_eq!(listed["count"], 1, "nothing invalid was stored");
}

#[tokio::test]
async fn patch_changes_only_the_fields_given_and_put_resets_the_rest() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let task = app
        .task(&alice, json!({"title": "t", "description": "d", "priority": "low", "tags": ["a"], "project": "p", "due": "2026-12-01T00:00:00Z"}))
        .await;
    let path = format!("/api/tasks/{}/", id(&task));

    let patched = app
        .patch(&path, &alice.access, &json!({"title": "new"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);
    assert_eq!(patched.headers()[header::ETAG], "\"2\"");
    let patched = body(patched).await;
    assert_eq!(patched["title"], "new");
    assert_eq!(patched["description"], "d");
    assert_eq!(patched["priority"], "low");
    assert_eq!(patched["tags"], json!(["a"]));
    assert_eq!(patched["version"], 2);

    let cleared = body(
        app.patch(
            &path,
            &alice.access,
            &json!({"due": null, "priority": null, "project": null}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(cleared["due"], Value::Null);
    assert_eq!(cleared["priority"], Value::Null);
    assert_eq!(cleared["project"], Value::Null);
    assert_eq!(cleared["tags"], json!(["a"]));

    let replaced = app
        .put(&path, &alice.access, &json!({"title": "only"}))
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.status(), StatusCode::OK);
    let replaced = body(replaced).await;
    assert_eq!(replaced["title"], "only");
    assert_eq!(replaced["description"], "");
    assert_eq!(replaced["tags"], json!([]));
    assert_eq!(replaced["version"], 4);
    assert_eq!(replaced["created_at"], task["created_at"]);

    let no_title = app
        .put(&path, &alice.access, &json!({"description": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_fields(&problem(no_title, StatusCode::BAD_REQUEST).await),
        ["title"]
    );
    let bad_patch = app
        .patch(&path, &alice.access, &json!({"title": ""}))
        .send()
        .await
        .unwrap();
    problem(bad_patch, StatusCode::BAD_REQUEST).await;
    let fetched = body(app.get(&path, &alice.access).send().await.unwrap()).await;
    assert_eq!(fetched, replaced, "a rejected change changes nothing");
}

#[tokio::test]
async fn the_first_and_last_instants_come_back_the_same_everywhere() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    for due in ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z"] {
        let task = app.task(&alice, json!({"title": due, "due": due})).await;
        assert_eq!(task["due"], due);
        let path = format!("/api/tasks/{}/", id(&task));
        let one = body(app.get(&path, &alice.access).send().await.unwrap()).await;
        assert_eq!(one["due"], due);
    }
    let page = body(app.get("/api/tasks/", &alice.access).send().await.unwrap()).await;
    let dues: Vec<&str> = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["due"].as_str().unwrap())
        .collect();
    assert_eq!(
        dues,
        ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z"]
    );
}

#[tokio::test]
async fn a_change_that_changes_nothing_keeps_the_version() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let task = app
        .task(
            &alice,
            json!({"title": "t", "tags": ["a"], "due": "2026-12-01T00:00:00Z"}),
        )
        .await;
    let path = format!("/api/tasks/{}/", id(&task));
    for unchanged in [
        json!({}),
        json!({"version": 7, "id": 99}),
        json!({"title": "t", "tags": ["a"], "due": "2026-12-01T00:00:00Z"}),
    ] {
        let response = app
            .patch(&path, &alice.access, &unchanged)
            .header(header::IF_MATCH, "\"1\"")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{unchanged}");
        assert_eq!(response.headers()[header::ETAG], "\"1\"", "{unchanged}");
        let same = body(response).await;
        assert_eq!(same, task, "{unchanged}");
    }
    // A stale If-Match is still refused, change or not.
    let stale = app
        .patch(&path, &alice.access, &json!({}))
        .header(header::IF_MATCH, "\"0\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    // A real change moves it on.
    let changed = app
        .patch(&path, &alice.access, &json!({"title": "u"}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.headers()[header::ETAG], "\"2\"");
}

/// Writes to one task at once are made one after another on what the last
/// left: none is lost, and of those under the same `If-Match` one wins.
#[tokio::test]
async fn writes_to_one_task_at_once_all_land_in_turn() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let task = app.task(&alice, json!({"title": "Busy"})).await;
    let path = format!("/api/tasks/{}/", id(&task));

    let notes = (0..30).map(|n| {
        app.post(
            &format!("{path}annotations"),
            &alice.access,
            &json!({ "text": format!("note {n}") }),
        )
        .send()
    });
    for response in futures::future::join_all(notes).await {
        assert_eq!(response.unwrap().status(), StatusCode::CREATED);
    }
    let noted = body(app.get(&path, &alice.access).send().await.unwrap()).await;
    assert_eq!(noted["version"], 31);
    let texts: BTreeSet<String> = noted["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|note| note["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(texts.len(), 30, "{noted}");

    let patches = (0..20).map(|n| {
        app.patch(
            &path,
            &alice.access,
            &json!({ "title": format!("Writer {n}") }),
        )
        .header(header::IF_MATCH, "\"31\"")
        .send()
    });
    let statuses: Vec<StatusCode> = futures::future::join_all(patches)
        .await
        .into_iter()
        .map(|response| response.unwrap().status())
        .collect();
    let won = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let lost = statuses
        .iter()
        .filter(|s| **s == StatusCode::PRECONDITION_FAILED)
        .count();
    assert_eq!((won, lost), (1, 19), "{statuses:?}");

    // Without If-Match, patches of different fields all land.
    let fields = ["description", "project", "priority"];
    let values = ["set", "home", "high"];
    let patches = fields.iter().zip(values).map(|(field, value)| {
        app.patch(&path, &alice.access, &json!({ *field: value }))
            .send()
    });
    for response in futures::future::join_all(patches).await {
        assert_eq!(response.unwrap().status(), StatusCode::OK);
    }
    let last = body(app.get(&path, &alice.access).send().await.unwrap()).await;
    assert_eq!(last["version"], 35, "{last}");
    assert_eq!(
        (&last["description"], &last["project"], &last["priority"]),
        (&json!("set"), &json!("home"), &json!("high"))
    );
    assert_eq!(last["annotations"].as_array().unwrap().len(), 30);
}

#[tokio::test]
async fn done_sets_completed_at_and_pending_clears_it() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let task = app.task(&alice, json!({"title": "t"})).await;
    let path = format!("/api/tasks/{}/", id(&task));
    let done = body(
        app.patch(&path, &alice.access, &json!({"status": "done"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let completed_at = done["completed_at"].as_str().unwrap().to_string();
    let still_done = body(
        app.patch(&path, &alice.access, &json!({"title": "renamed"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(still_done["completed_at"], completed_at.as_str());
    let reopened = body(
        app.patch(&path, &alice.access, &json!({"status": "pending"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reopened["completed_at"], Value::Null);
}

#[tokio::test]
async fn if_match_guards_put_patch_and_delete() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let task = app.task(&alice, json!({"title": "t"})).await;
    let path = format!("/api/tasks/{}/", id(&task));
    let ok = app
        .patch(&path, &alice.access, &json!({"title": "v2"}))
        .header(header::IF_MATCH, "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    for request in [
        app.patch(&path, &alice.access, &json!({"title": "stale"})),
        app.put(&path, &alice.access, &json!({"title": "stale"})),
        app.delete(&path, &alice.access),
    ] {
        let stale = request
            .header(header::IF_MATCH, "\"1\"")
            .send()
            .await
            .unwrap();
        problem(stale, StatusCode::PRECONDITION_FAILED).await;
    }
    let current = body(app.get(&path, &alice.access).send().await.unwrap()).await;
    assert_eq!(current["title"], "v2");
    assert_eq!(current["version"], 2);
    let weak = app
        .patch(&path, &alice.access, &json!({"title": "v3"}))
        .header(header::IF_MATCH, "W/\"2\"")
        .send()
        .await
        .unwrap();
    assert_eq!(weak.status(), StatusCode::OK);
    // A list passes when any of its tags is current, across headers too.
    for (headers, status) in [
        (vec!["\"1\", \"3\""], StatusCode::OK),
        (vec!["\"3\",\"1\""], StatusCode::OK),
        (vec!["\"1\"", "\"3\""], StatusCode::OK),
        (vec!["\"9\", *"], StatusCode::OK),
        (vec!["\"1\", \"2\""], StatusCode::PRECONDITION_FAILED),
        (vec!["not-a-tag"], StatusCode::PRECONDITION_FAILED),
    ] {
        let mut request = app.patch(&path, &alice.access, &json!({"title": "v3"}));
        for value in &headers {
            request = request.header(header::IF_MATCH, *value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), status, "{headers:?}");
    }
    // A task that is not there is 404, whatever If-Match says.
    let missing = app
        .patch("/api/tasks/999999/", &alice.access, &json!({"title": "x"}))
        .header(header::IF_MATCH, "not-a-tag")
        .send()
        .await
        .unwrap();
    problem(missing, StatusCode::NOT_FOUND).await;
    let deleted = app
        .delete(&path, &alice.access)
        .header(header::IF_MATCH, "\"3\"")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    problem(
        app.get(&path, &alice.access).send().await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.delete(&path, &alice.access).send().await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn every_filter_selects_what_it_says() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let a = id(&app.task(&alice, json!({"title": "Water the garden", "project": "home.garden", "tags": ["x", "y"], "priority": "low", "due": "2026-12-01T00:00:00Z"})).await);
    let b = id(&app.task(&alice, json!({"title": "Pay rent", "project": "home", "tags": ["x"], "priority": "high", "status": "done", "due": "2026-12-03T00:00:00Z"})).await);
    let c = id(&app.task(&alice, json!({"title": "Homework", "project": "homework", "description": "50% done_now", "tags": ["y"]})).await);
    let d = id(&app
        .task(
            &alice,
            json!({"title": "ÉCOLE", "project": "homes.x", "due": "2026-12-02T00:00:00Z"}),
        )
        .await);

    assert_eq!(ids(&app, &alice, "").await, [a, b, c, d]);
    assert_eq!(ids(&app, &alice, "status=all").await, [a, b, c, d]);
    assert_eq!(ids(&app, &alice, "status=pending").await, [a, c, d]);
    assert_eq!(ids(&app, &alice, "status=done").await, [b]);
    assert_eq!(ids(&app, &alice, "priority=high").await, [b]);
    assert_eq!(ids(&app, &alice, "project=home").await, [a, b]);
    assert_eq!(ids(&app, &alice, "project=home.garden").await, [a]);
    assert_eq!(ids(&app, &alice, "tag=x").await, [a, b]);
    assert_eq!(ids(&app, &alice, "tag=x&tag=y").await, [a]);
    assert_eq!(ids(&app, &alice, "tag=nope").await, Vec::<i64>::new());
    assert_eq!(ids(&app, &alice, "search=GARDEN").await, [a]);
    assert_eq!(ids(&app, &alice, "search=école").await, [d]);
    assert_eq!(ids(&app, &alice, "search=50%25").await, [c]);
    assert_eq!(ids(&app, &alice, "search=%25").await, [c]);
    assert_eq!(ids(&app, &alice, "search=e_n").await, [c]);
    assert_eq!(ids(&app, &alice, "search=r_n").await, Vec::<i64>::new());
    // Repeated, each is looked for on its own; one is a literal phrase.
    assert_eq!(ids(&app, &alice, "search=the&search=water").await, [a]);
    assert_eq!(
        ids(&app, &alice, "search=garden&search=50").await,
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(&app, &alice, "search=water%20garden").await,
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(&app, &alice, "due_before=2026-12-02T00:00:00Z").await,
        [a]
    );
    assert_eq!(
        ids(&app, &alice, "due_after=2026-12-02T00:00:00Z").await,
        [b]
    );
    assert_eq!(
        ids(&app, &alice, "due_after=2026-11-01&due_before=2026-12-31").await,
        [a, b, d]
    );
    assert_eq!(
        ids(&app, &alice, "due_before=2026-12-02T01:00:00%2B01:00").await,
        [a]
    );
    assert_eq!(
        ids(&app, &alice, "status=pending&tag=y&search=home").await,
        [c]
    );
}

#[tokio::test]
async fn every_ordering_puts_nulls_last() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let a = id(&app
        .task(
            &alice,
            json!({"title": "banana", "priority": "medium", "due": "2026-12-02T00:00:00Z"}),
        )
        .await);
    let b = id(&app
        .task(&alice, json!({"title": "Apple", "priority": "high"}))
        .await);
    let c = id(&app
        .task(
            &alice,
            json!({"title": "cherry", "due": "2026-12-01T00:00:00Z", "status": "done"}),
        )
        .await);
    let d = id(&app
        .task(
            &alice,
            json!({"title": "date", "priority": "low", "due": "2026-12-03T00:00:00Z"}),
        )
        .await);

    assert_eq!(ids(&app, &alice, "ordering=priority").await, [d, a, b, c]);
    assert_eq!(ids(&app, &alice, "ordering=-priority").await, [b, a, d, c]);
    assert_eq!(ids(&app, &alice, "ordering=due").await, [c, a, d, b]);
    assert_eq!(ids(&app, &alice, "ordering=-due").await, [d, a, c, b]);
    assert_eq!(ids(&app, &alice, "ordering=title").await, [b, a, c, d]);
    assert_eq!(ids(&app, &alice, "ordering=-id").await, [d, c, b, a]);
    assert_eq!(
        ids(&app, &alice, "ordering=status,-title").await,
        [c, d, a, b]
    );
    assert_eq!(ids(&app, &alice, "ordering=created_at").await, [a, b, c, d]);
    assert_eq!(
        ids(&app, &alice, "ordering=-created_at").await,
        [d, c, b, a]
    );
    app.patch(
        &format!("/api/tasks/{a}/"),
        &alice.access,
        &json!({"title": "banana!"}),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(ids(&app, &alice, "ordering=-updated_at").await[0], a);
}

#[tokio::test]
async fn pages_link_to_each_other_with_absolute_urls() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let mut created = Vec::new();
    for n in 0..7 {
        created.push(id(&app
            .task(&alice, json!({"title": format!("t{n}"), "tags": ["p"]}))
            .await));
    }
    let first = body(
        app.get("/api/tasks/?limit=3&tag=p", &alice.access)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(first["count"], 7);
    assert_eq!(first["previous"], Value::Null);
    let mut seen = Vec::new();
    let mut page = first;
    loop {
        seen.extend(page["results"].as_array().unwrap().iter().map(id));
        let Some(next) = page["next"].as_str() else {
            break;
        };
        assert!(
            next.starts_with(&format!("{}/api/tasks/?", app.server.url())),
            "{next}"
        );
        assert!(next.contains("tag=p") && next.contains("limit=3"), "{next}");
        let response = app
            .client
            .get(next)
            .bearer_auth(&alice.access)
            .send()
            .await
            .unwrap();
        page = body(response).await;
        assert!(page["previous"].is_string());
    }
    assert_eq!(seen, created);

    let last = body(
        app.get("/api/tasks/?limit=3&offset=6", &alice.access)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let previous = last["previous"].as_str().unwrap();
    assert!(previous.contains("offset=3"));
    let second = body(
        app.client
            .get(previous)
            .bearer_auth(&alice.access)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let second_previous = second["previous"].as_str().unwrap();
    assert!(
        !second_previous.contains("offset"),
        "offset 0 is dropped: {second_previous}"
    );
    let beyond = body(
        app.get("/api/tasks/?offset=100", &alice.access)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(beyond["results"], json!([]));
    assert_eq!(beyond["count"], 7);

    // A Host header that is no host does not make it into the links.
    let odd_host = body(
        app.get("/api/tasks/?limit=3", &alice.access)
            .header(header::HOST, "evil\"><script>")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let next = odd_host["next"].as_str().unwrap();
    assert!(next.starts_with("http://localhost/api/tasks/?"), "{next}");
}

#[tokio::test]
async fn the_default_page_is_50_and_the_largest_1000() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let requests = (0..60).map(|n| {
        app.post(
            "/api/tasks/",
            &alice.access,
            &json!({"title": format!("t{n}")}),
        )
        .send()
    });
    for response in futures::future::join_all(requests).await {
        assert_eq!(response.unwrap().status(), StatusCode::CREATED);
    }
    assert_eq!(ids(&app, &alice, "").await.len(), 50);
    assert_eq!(ids(&app, &alice, "limit=1000").await.len(), 60);
}

#[tokio::test]
async fn every_bad_query_value_is_a_400_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    for (query, parameter) in [
        ("limit=abc", "limit"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=-5", "limit"),
        ("offset=-1", "offset"),
        ("offset=x", "offset"),
        ("status=later", "status"),
        ("priority=urgent", "priority"),
        ("due_before=tomorrow", "due_before"),
        ("due_after=2026-13-45", "due_after"),
        ("ordering=colour", "ordering"),
        ("ordering=due,,title", "ordering"),
        ("ordering=--due", "ordering"),
    ] {
        let response = app
            .get(&format!("/api/tasks/?{query}"), &alice.access)
            .send()
            .await
            .unwrap();
        let problem = problem(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&problem), [parameter], "{query}");
        assert!(problem["detail"].as_str().unwrap().contains(parameter));
    }
}

#[tokio::test]
async fn paths_work_with_and_without_the_trailing_slash() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let task = app.task(&alice, json!({"title": "t"})).await;
    for path in ["/api/tasks", "/api/tasks/", "/api/me", "/api/me/"] {
        assert_eq!(
            app.get(path, &alice.access).send().await.unwrap().status(),
            StatusCode::OK,
            "{path}"
        );
    }
    for path in [
        format!("/api/tasks/{}", id(&task)),
        format!("/api/tasks/{}/", id(&task)),
    ] {
        assert_eq!(
            app.get(&path, &alice.access).send().await.unwrap().status(),
            StatusCode::OK
        );
    }
    let created = app
        .post("/api/tasks", &alice.access, &json!({"title": "no slash"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn fifty_concurrent_creates_all_succeed_and_all_exist() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let requests = (0..50).map(|n| {
        app.post(
            "/api/tasks/",
            &alice.access,
            &json!({"title": format!("task {n}"), "tags": ["burst"]}),
        )
        .send()
    });
    let mut created = BTreeSet::new();
    for response in futures::future::join_all(requests).await {
        let response = response.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        created.insert(id(&body(response).await));
    }
    assert_eq!(created.len(), 50);
    let listed: BTreeSet<i64> = ids(&app, &alice, "limit=1000&tag=burst")
        .await
        .into_iter()
        .collect();
    assert_eq!(listed, created);
}
