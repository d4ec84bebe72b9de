//! `POST /api/import/`: Taskwarrior's export format in, matched by uuid.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{body, problem, TestApp, TestUser};

const A: &str = "0d9e8a3c-5f4b-4c1e-9a2b-000000000001";
const B: &str = "0d9e8a3c-5f4b-4c1e-9a2b-000000000002";
const C: &str = "0d9e8a3c-5f4b-4c1e-9a2b-000000000003";
const D: &str = "0d9e8a3c-5f4b-4c1e-9a2b-000000000004";
const GONE: &str = "0d9e8a3c-5f4b-4c1e-9a2b-0000000000ff";

/// A file as Taskwarrior 2.6 writes one: every kind of task it has.
fn file() -> Value {
    json!([
        {"id": 1, "uuid": A, "description": "Pay \"rent\" \\ ünïcødé ✓", "status": "pending",
         "entry": "20261101T090000Z", "modified": "20261102T100000Z", "due": "20261201T170000Z",
         "scheduled": "20261125T080000Z", "until": "20991231T000000Z", "priority": "H",
         "project": "home.bills", "tags": ["money", "monthly"], "estimate": 3, "size": "L",
         "annotations": [
             {"entry": "20261101T090500Z", "description": "called the bank"},
             {"entry": "20261101T090500Z", "description": "same second"}
         ],
         "urgency": 12.3},
        {"id": 2, "uuid": B, "description": "Wait for it", "status": "waiting",
         "entry": "20261101T090000Z", "wait": "20991201T000000Z", "depends": A},
        {"uuid": C, "description": "Done long ago", "status": "completed",
         "entry": "20261001T090000Z", "end": "20261002T090000Z", "modified": "20261002T090000Z",
         "start": "20261001T100000Z", "depends": [A, B]},
        {"uuid": D, "description": "Instance", "status": "pending", "entry": "20261101T090000Z",
         "recur": "weekly", "parent": GONE, "imask": 1, "rtype": "periodic", "start": "20261101T093000Z"},
        {"uuid": GONE, "description": "Template", "status": "recurring", "entry": "20261101T090000Z",
         "recur": "weekly", "due": "20261101T090000Z"},
        {"uuid": "0d9e8a3c-5f4b-4c1e-9a2b-0000000000de", "description": "Deleted", "status": "deleted",
         "entry": "20261101T090000Z", "end": "20261101T100000Z"}
    ])
}

async fn import(
    app: &TestApp,
    user: &TestUser,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    app.request(reqwest::Method::POST, "/api/import/")
        .bearer_auth(&user.access)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn imported(app: &TestApp, user: &TestUser, file: &Value) -> Value {
    let response = import(app, user, file.to_string()).await;
    assert_eq!(response.status(), StatusCode::OK);
    body(response).await
}

async fn all_tasks(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let response = app
        .get("/api/tasks/?status=all&ordering=id", &user.access)
        .send()
        .await
        .unwrap();
    body(response).await["results"].as_array().unwrap().clone()
}

fn by_uuid<'a>(tasks: &'a [Value], uuid: &str) -> &'a Value {
    tasks
        .iter()
        .find(|t| t["uuid"] == uuid)
        .unwrap_or_else(|| panic!("no task {uuid}"))
}

#[tokio::test]
async fn every_field_comes_in_and_what_is_left_out_is_reported() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let summary = imported(&app, &alice, &file()).await;
    assert_eq!(summary["added"], 4, "{summary}");
    assert_eq!(summary["updated"], 0);
    assert_eq!(summary["unchanged"], 0);
    let reasons = |list: &str, uuid: &str| -> Vec<String> {
        summary[list]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["uuid"] == uuid)
            .map(|s| s["reason"].as_str().unwrap().to_string())
            .collect()
    };
    // Skipped: the tasks left out, each once; the notes: what was left out
    // of tasks that came in.
    assert_eq!(summary["skipped"].as_array().unwrap().len(), 2, "{summary}");
    assert_eq!(
        reasons("skipped", GONE),
        ["recurrence is not supported yet"]
    );
    assert_eq!(
        reasons("skipped", "0d9e8a3c-5f4b-4c1e-9a2b-0000000000de"),
        ["deleted"]
    );
    assert!(reasons("skipped", D).is_empty(), "{summary}");
    assert!(reasons("notes", D)[0].contains("plain task"), "{summary}");
    // Each named by its title too, as the file gives it.
    let titles: Vec<&str> = summary["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Template", "Deleted"], "{summary}");
    assert!(summary["notes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|note| !note["title"].as_str().unwrap().is_empty()));

    let tasks = all_tasks(&app, &alice).await;
    assert_eq!(tasks.len(), 4);
    let rent = by_uuid(&tasks, A);
    assert_eq!(rent["title"], "Pay \"rent\" \\ ünïcødé ✓");
    assert_eq!(rent["status"], "pending");
    assert_eq!(rent["number"], 1);
    assert_eq!(rent["created_at"], "2026-11-01T09:00:00Z");
    assert_eq!(rent["updated_at"], "2026-11-02T10:00:00Z");
    assert_eq!(rent["due"], "2026-12-01T17:00:00Z");
    assert_eq!(rent["scheduled"], "2026-11-25T08:00:00Z");
    assert_eq!(rent["until"], "2099-12-31T00:00:00Z");
    assert_eq!(rent["priority"], "high");
    assert_eq!(rent["project"], "home.bills");
    assert_eq!(rent["tags"], json!(["money", "monthly"]));
    assert_eq!(rent["udas"], json!({"estimate": 3, "size": "L"}));
    let notes = rent["annotations"].as_array().unwrap();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0]["text"], "called the bank");
    assert_eq!(notes[1]["entry"], "2026-11-01T09:05:00Z");
    let wait = by_uuid(&tasks, B);
    assert_eq!(wait["status"], "pending");
    assert_eq!(wait["wait"], "2099-12-01T00:00:00Z");
    assert_eq!(wait["depends"], json!([rent["id"]]));
    assert_eq!(wait["blocked"], true);
    let done = by_uuid(&tasks, C);
    assert_eq!(done["status"], "done");
    assert_eq!(done["number"], Value::Null);
    assert_eq!(done["completed_at"], "2026-10-02T09:00:00Z");
    assert_eq!(done["start"], Value::Null, "a done task is not active");
    let mut on: Vec<i64> = done["depends"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    on.sort_unstable();
    let mut want = vec![rent["id"].as_i64().unwrap(), wait["id"].as_i64().unwrap()];
    want.sort_unstable();
    assert_eq!(on, want);
    let instance = by_uuid(&tasks, D);
    assert_eq!(
        instance["udas"],
        json!({}),
        "recurrence is not kept as a UDA"
    );
    assert_eq!(instance["start"], "2026-11-01T09:30:00Z");
}

#[tokio::test]
async fn importing_again_changes_nothing_and_an_edit_changes_only_its_task() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    imported(&app, &alice, &file()).await;
    let before = all_tasks(&app, &alice).await;

    let again = imported(&app, &alice, &file()).await;
    assert_eq!(
        (&again["added"], &again["updated"], &again["unchanged"]),
        (&json!(0), &json!(0), &json!(4)),
        "{again}"
    );
    assert_eq!(all_tasks(&app, &alice).await, before, "versions untouched");
    // Nothing came in, so nothing is said of how it came in; the tasks
    // the file holds and the import leaves out are still named.
    assert_eq!(again["notes"], json!([]), "{again}");
    assert_eq!(
        again["skipped"].as_array().map(Vec::len),
        Some(2),
        "{again}"
    );

    let mut edited = file();
    edited[1]["description"] = json!("Wait for it, edited");
    edited[2]["annotations"] = json!([{"entry": "20261002T090000Z", "description": "new note"}]);
    let summary = imported(&app, &alice, &edited).await;
    assert_eq!(
        (
            &summary["added"],
            &summary["updated"],
            &summary["unchanged"]
        ),
        (&json!(0), &json!(2), &json!(2)),
        "{summary}"
    );
    let after = all_tasks(&app, &alice).await;
    for (old, new) in before.iter().zip(&after) {
        let changed = old["uuid"] == B || old["uuid"] == C;
        let bump = if changed { 1 } else { 0 };
        assert_eq!(
            new["version"].as_i64().unwrap(),
            old["version"].as_i64().unwrap() + bump,
            "{}",
            old["uuid"]
        );
    }
    assert_eq!(by_uuid(&after, B)["title"], "Wait for it, edited");
    assert_eq!(by_uuid(&after, C)["annotations"][0]["text"], "new note");

    // A number as Taskwarrior writes one it has no type for, as text: the
    // same number is no change, another stays a number.
    let mut retyped = edited.clone();
    retyped[0]["estimate"] = json!("3.000000");
    let summary = imported(&app, &alice, &retyped).await;
    assert_eq!(summary["unchanged"], 4, "{summary}");
    assert_eq!(
        by_uuid(&all_tasks(&app, &alice).await, A)["udas"]["estimate"],
        3
    );
    retyped[0]["estimate"] = json!("4.5");
    retyped[0]["size"] = json!("7");
    let summary = imported(&app, &alice, &retyped).await;
    assert_eq!(summary["updated"], 1, "{summary}");
    let tasks = all_tasks(&app, &alice).await;
    let udas = &by_uuid(&tasks, A)["udas"];
    assert_eq!(udas["estimate"], 4.5, "{udas}");
    assert_eq!(udas["size"], "7", "text over text stays text: {udas}");
}

#[tokio::test]
async fn our_own_export_comes_back_unchanged() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let first = app
        .task(
            &alice,
            json!({"title": "Walk", "due": "2026-12-01T15:30:00.123456Z", "tags": ["out"]}),
        )
        .await;
    app.task(
        &alice,
        json!({"title": "Rest", "depends": [first["id"]], "udas": {"points": 2.5},
            "description": "Feet up.\nTea, <no> sugar."}),
    )
    .await;
    let export: Value = body(app.get("/api/export/", &alice.access).send().await.unwrap()).await;
    // The longer text goes where Taskwarrior keeps what it does not know.
    assert_eq!(export[1]["taskd_description"], "Feet up.\nTea, <no> sugar.");
    let before = all_tasks(&app, &alice).await;
    let summary = imported(&app, &alice, &export).await;
    assert_eq!(summary["unchanged"], 2, "{summary}");
    assert_eq!(all_tasks(&app, &alice).await, before);
    // Into another account: every task as it was, the description too.
    let bob = app.user("bob").await;
    let summary = imported(&app, &bob, &export).await;
    assert_eq!(summary["added"], 2, "{summary}");
    let theirs = all_tasks(&app, &bob).await;
    let rest = theirs.iter().find(|t| t["title"] == "Rest").unwrap();
    assert_eq!(rest["description"], "Feet up.\nTea, <no> sugar.");
}

#[tokio::test]
async fn lines_and_a_single_object_are_read_too() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let lines: String = file()
        .as_array()
        .unwrap()
        .iter()
        .map(|task| format!("{task}\n"))
        .collect();
    let response = app
        .request(reqwest::Method::POST, "/api/import/")
        .bearer_auth(&alice.access)
        .header("content-type", "application/x-ndjson")
        .body(lines)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body(response).await["added"], 4);
    let one = json!({"uuid": "0d9e8a3c-5f4b-4c1e-9a2b-0000000000aa", "description": "Alone"});
    let summary = imported(&app, &alice, &one).await;
    assert_eq!(summary["added"], 1);
}

/// A task without a uuid is given one, and said to be: the file imported
/// again has nothing to match it by, and adds it again.
#[tokio::test]
async fn a_task_without_a_uuid_is_said_to_come_in_again_with_the_file() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let file = json!({"description": "No uuid here", "status": "pending"});
    for round in 1..=2 {
        let summary = imported(&app, &alice, &file).await;
        assert_eq!(summary["added"], 1, "{summary}");
        let notes = summary["notes"].as_array().unwrap();
        assert_eq!(notes.len(), 1, "{summary}");
        assert_eq!(notes[0]["title"], "No uuid here");
        assert!(
            notes[0]["reason"]
                .as_str()
                .unwrap()
                .contains("importing the file again adds it again"),
            "{summary}"
        );
        assert_eq!(all_tasks(&app, &alice).await.len(), round);
    }
}

#[tokio::test]
async fn a_malformed_file_is_refused_whole_naming_where() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bad_json =
        "{\"description\": \"one\"}\n{\"description\": \"two\"}\n{\"description\": three}\n";
    let refused = problem(
        import(&app, &alice, bad_json).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    let detail = refused["detail"].as_str().unwrap();
    assert!(detail.starts_with("line 3, column"), "{detail}");

    let no_title = "[\n{\"description\": \"one\"},\n{\"status\": \"pending\"}\n]";
    let refused = problem(
        import(&app, &alice, no_title).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        refused["errors"]["task 2 (line 3)"][0]
            .as_str()
            .unwrap()
            .starts_with("description:"),
        "{refused}"
    );

    let bad_date = json!([{"description": "one"}, {"description": "two", "due": "soon"}]);
    let refused = problem(
        import(&app, &alice, bad_date.to_string()).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        refused["detail"].as_str().unwrap().contains("due"),
        "{refused}"
    );

    // 70 MiB: refused before it is read whole.
    let huge = format!(
        "[{{\"description\": \"{}\"}}]",
        "x".repeat(70 * 1024 * 1024)
    );
    let refused = problem(
        import(&app, &alice, huge).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert!(refused["detail"].as_str().unwrap().contains("64 MiB"));

    let response = app
        .request(reqwest::Method::POST, "/api/import/")
        .bearer_auth(&alice.access)
        .header("content-type", "text/csv")
        .body("a,b")
        .send()
        .await
        .unwrap();
    problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;

    assert!(all_tasks(&app, &alice).await.is_empty(), "nothing imported");
}

#[tokio::test]
async fn another_users_task_is_never_touched_even_with_the_same_uuid() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let bobs = app.task(&bob, json!({"title": "bob's own"})).await;
    let collide = json!([{"uuid": bobs["uuid"], "description": "alice's", "depends": [A]},
                         {"uuid": A, "description": "alice's other", "depends": bobs["uuid"]}]);
    let summary = imported(&app, &alice, &collide).await;
    assert_eq!(summary["added"], 2, "{summary}");
    let bob_after = all_tasks(&app, &bob).await;
    assert_eq!(bob_after.len(), 1);
    assert_eq!(bob_after[0]["title"], "bob's own");
    assert_eq!(bob_after[0]["version"], bobs["version"]);
    let alices = all_tasks(&app, &alice).await;
    assert_eq!(
        by_uuid(&alices, bobs["uuid"].as_str().unwrap())["title"],
        "alice's"
    );
    // The two depend on each other: one dependency is left out, and said so.
    assert_eq!(summary["skipped"], json!([]), "{summary}");
    let cycle = summary["notes"].as_array().unwrap();
    assert_eq!(cycle.len(), 1, "{summary}");
    assert!(cycle[0]["reason"].as_str().unwrap().contains("cycle"));
}

#[tokio::test]
async fn an_unknown_dependency_is_reported_and_the_task_kept() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let mine = app.task(&alice, json!({"title": "already here"})).await;
    let file = json!([{"uuid": A, "description": "waits", "depends": [GONE, mine["uuid"]]}]);
    let summary = imported(&app, &alice, &file).await;
    assert_eq!(summary["added"], 1);
    assert_eq!(summary["skipped"], json!([]));
    assert_eq!(summary["notes"][0]["uuid"], A);
    assert!(summary["notes"][0]["reason"]
        .as_str()
        .unwrap()
        .contains(GONE));
    let tasks = all_tasks(&app, &alice).await;
    assert_eq!(by_uuid(&tasks, A)["depends"], json!([mine["id"]]));
}

#[tokio::test]
async fn a_task_in_the_trash_stays_there_and_is_said_to_be() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let first = imported(
        &app,
        &alice,
        &json!([{"uuid": A, "description": "deleted since"}]),
    )
    .await;
    assert_eq!(first["added"], 1, "{first}");
    let id = all_tasks(&app, &alice).await[0]["id"].clone();
    let deleted = app
        .delete(&format!("/api/tasks/{id}/"), &alice.access)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);

    // The same file again, with a task that waits for the trashed one.
    let again = json!([{"uuid": A, "description": "deleted since, edited"},
                       {"uuid": B, "description": "waits", "depends": A}]);
    let summary = imported(&app, &alice, &again).await;
    assert_eq!(summary["added"], 1, "{summary}");
    assert_eq!(summary["skipped"][0]["uuid"], A, "{summary}");
    let reason = summary["skipped"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("in the trash") && reason.contains(&format!("task restore {A}")));
    assert_eq!(summary["notes"][0]["uuid"], B, "{summary}");
    assert!(summary["notes"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("in the trash"));
    let tasks = all_tasks(&app, &alice).await;
    assert_eq!(tasks.len(), 1);
    assert_eq!(by_uuid(&tasks, B)["depends"], json!([]));

    // It comes back, and then the file updates it.
    let restored = app
        .post(
            &format!("/api/trash/{id}/restore/"),
            &alice.access,
            &json!({}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(restored.status(), StatusCode::OK);
    let summary = imported(&app, &alice, &again).await;
    assert_eq!(summary["updated"], 2, "{summary}");
    assert_eq!(summary["skipped"], json!([]), "{summary}");
    let tasks = all_tasks(&app, &alice).await;
    assert_eq!(by_uuid(&tasks, A)["title"], "deleted since, edited");
    assert_eq!(by_uuid(&tasks, B)["depends"], json!([id]));
}

/// A database where a task came in beside a trashed one of its uuid (as
/// imports could once make): the trashed one is refused back, saying why,
/// rather than failing.
#[tokio::test]
async fn a_trashed_task_whose_uuid_came_back_meanwhile_is_refused_back() {
    use taskd::store::Database;
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let kept = app.task(&alice, json!({"title": "kept"})).await;
    let trashed = app.task(&alice, json!({"title": "trashed"})).await;
    let id = &trashed["id"];
    let deleted = app
        .delete(&format!("/api/tasks/{id}/"), &alice.access)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let twin = "UPDATE tasks SET uuid = ";
    match &app.database.database {
        Database::Postgres(_) => {
            app.database
                .connect()
                .await
                .execute(
                    &format!("{twin}$1 WHERE id = $2"),
                    &[
                        &trashed["uuid"].as_str().unwrap(),
                        &kept["id"].as_i64().unwrap(),
                    ],
                )
                .await
                .unwrap();
        }
        Database::Sqlite(path) => {
            rusqlite::Connection::open(path)
                .unwrap()
                .execute(
                    &format!("{twin}?1 WHERE id = ?2"),
                    rusqlite::params![
                        trashed["uuid"].as_str().unwrap(),
                        kept["id"].as_i64().unwrap()
                    ],
                )
                .unwrap();
        }
    }
    let refused = app
        .post(
            &format!("/api/trash/{id}/restore/"),
            &alice.access,
            &json!({}),
        )
        .send()
        .await
        .unwrap();
    let problem = problem(refused, StatusCode::BAD_REQUEST).await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!("task {} has this task's uuid", kept["number"])),
        "{problem}"
    );
    let trash = body(app.get("/api/trash/", &alice.access).send().await.unwrap()).await;
    assert_eq!(trash.as_array().unwrap().len(), 1, "{trash}");
    // Undoing the deletion meets the same: a conflict saying so, at once.
    let undo = app
        .post("/api/undo/", &alice.access, &json!({}))
        .send()
        .await
        .unwrap();
    let conflict = crate::helpers::problem(undo, StatusCode::CONFLICT).await;
    assert!(
        conflict.to_string().contains("has this task's uuid"),
        "{conflict}"
    );
}

/// Taskwarrior takes descriptions and annotations longer than a task here
/// holds in one field: the import keeps them whole, rather than refusing
/// the whole file for one task.
#[tokio::test]
async fn long_text_comes_in_whole() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let long = "a pasted paragraph ".repeat(40);
    let note = "x".repeat(20_000);
    let file = json!([{"uuid": A, "description": long,
                       "annotations": [{"entry": "20261101T090000Z", "description": note}]}]);
    let summary = imported(&app, &alice, &file).await;
    assert_eq!(summary["added"], 1, "{summary}");
    assert_eq!(summary["notes"].as_array().unwrap().len(), 2, "{summary}");
    let task = by_uuid(&all_tasks(&app, &alice).await, A).clone();
    assert!(task["title"].as_str().unwrap().ends_with('…'), "{task}");
    assert_eq!(task["description"], long.as_str());
    let notes: Vec<&str> = task["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|note| note["text"].as_str().unwrap())
        .collect();
    assert_eq!(notes.concat(), note);
}

/// A project or tags Taskwarrior allows that a task here cannot hold (too
/// long, a space, a virtual tag's name, too many) come in all the same, in
/// the task's description, each said; the tags that fit stay tags.
#[tokio::test]
async fn a_project_and_tags_a_task_cannot_hold_come_in_its_description() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let project = "a very long project name ".repeat(5);
    let long_tag = "t".repeat(70);
    let mut tags: Vec<String> = (1..=34).map(|n| format!("tag{n}")).collect();
    tags.insert(0, long_tag.clone());
    let file = json!([{"uuid": A, "description": "Plan the move", "project": project,
                       "tags": tags, "taskd_description": "Boxes first."}]);
    let summary = imported(&app, &alice, &file).await;
    assert_eq!(summary["added"], 1, "{summary}");
    assert_eq!(summary["notes"].as_array().unwrap().len(), 3, "{summary}");
    let task = by_uuid(&all_tasks(&app, &alice).await, A).clone();
    assert_eq!(task["project"], Value::Null, "{task}");
    let kept = task["tags"].as_array().unwrap();
    assert_eq!(kept.len(), 32, "{task}");
    assert_eq!(kept[0], "tag1");
    assert_eq!(
        task["description"],
        format!("Boxes first.\n\nProject: {project}\nTags: {long_tag}, tag33, tag34")
    );
    // The same file again changes nothing.
    let again = imported(&app, &alice, &file).await;
    assert_eq!(again["unchanged"], 1, "{again}");
    // A tag with a sign, which only this server's own export writes (of a
    // task that had it from before such tags were refused), stays a tag.
    let signed = json!({"uuid": B, "description": "Old row", "tags": ["+legacy"]});
    assert_eq!(imported(&app, &alice, &signed).await["added"], 1);
    let task = by_uuid(&all_tasks(&app, &alice).await, B).clone();
    assert_eq!(task["tags"], json!(["+legacy"]), "{task}");
}

/// Undoing an import that added some tasks and updated others says both.
#[tokio::test]
async fn an_imports_undo_says_what_it_added_and_updated() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    imported(&app, &alice, &json!([{"uuid": A, "description": "first"}])).await;
    let file = json!([{"uuid": A, "description": "first, edited"},
                      {"uuid": B, "description": "second"},
                      {"uuid": C, "description": "third"}]);
    let summary = imported(&app, &alice, &file).await;
    assert_eq!(
        (summary["added"].as_u64(), summary["updated"].as_u64()),
        (Some(2), Some(1))
    );
    let undone = app
        .post("/api/undo/", &alice.access, &json!({}))
        .send()
        .await
        .unwrap();
    let undone = body(undone).await;
    assert_eq!(
        undone["summary"], "created 2 and changed 1 tasks",
        "{undone}"
    );
}
