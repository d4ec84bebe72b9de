//! A task's own page: every field, notes, dependencies.

use reqwest::{header, StatusCode};
use serde_json::{json, Value};

use super::{csrf, Browser};
use crate::helpers::{body, TestApp, TestUser};

/// The form of a task page, as a browser would send it back unchanged.
fn fields(page: &str) -> Vec<(String, String)> {
    let form = page
        .split("class=\"task-form\"")
        .nth(1)
        .unwrap()
        .split("</form>")
        .next()
        .unwrap();
    let mut fields = Vec::new();
    for input in form.split("<input").skip(1) {
        let attr = |name: &str| {
            input
                .split(&format!("{name}=\""))
                .nth(1)
                .map(|rest| rest.split('"').next().unwrap().to_string())
        };
        if let Some(name) = attr("name") {
            fields.push((name, html_decode(&attr("value").unwrap_or_default())));
        }
    }
    for area in form.split("<textarea").skip(1) {
        let name = area
            .split("name=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let text = area
            .split_once('>')
            .unwrap()
            .1
            .split("</textarea>")
            .next()
            .unwrap();
        // As a browser sends it: one newline after the tag dropped, and
        // line breaks as CR LF.
        let text = text.strip_prefix('\n').unwrap_or(text);
        let text = html_decode(text).replace("\r\n", "\n").replace('\r', "\n");
        fields.push((name.to_string(), text.replace('\n', "\r\n")));
    }
    for select in form.split("<select").skip(1) {
        let name = select
            .split("name=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let chosen = select
            .split("<option")
            .find(|option| option.contains(" selected"))
            .and_then(|option| option.split("value=\"").nth(1))
            .map(|rest| rest.split('"').next().unwrap().to_string())
            .unwrap_or_default();
        fields.push((name.to_string(), chosen));
    }
    fields
}

/// `GET /api/tasks/{id}/` as `user` sees it.
async fn task_of(app: &TestApp, user: &TestUser, id: impl std::fmt::Display) -> Value {
    body(
        app.get(&format!("/api/tasks/{id}/"), &user.access)
            .send()
            .await
            .unwrap(),
    )
    .await
}

fn html_decode(text: &str) -> String {
    text.replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#38;", "&")
}

fn with(mut fields: Vec<(String, String)>, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    for (name, value) in changes {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value.to_string(),
            None => fields.push((name.to_string(), value.to_string())),
        }
    }
    fields
}

async fn post_fields(
    browser: &mut Browser<'_>,
    path: &str,
    fields: &[(String, String)],
) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    browser.post(path, &pairs).await
}

#[tokio::test]
async fn every_field_is_edited_on_the_tasks_page() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    browser.quick_add("Blocker").await;
    browser.quick_add("Pay rent project:home").await;
    let alice = app.logged_in(1, "alice").await;
    let list = body(
        app.get("/api/tasks/?ordering=id", &alice.access)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let (blocker, rent) = (
        list["results"][0]["id"].as_i64().unwrap(),
        list["results"][1]["id"].as_i64().unwrap(),
    );

    let page = browser
        .page(&format!("/tasks/{rent}?back=%2F%3Fproject%3Dhome"))
        .await;
    assert!(page.contains("value=\"Pay rent\""));
    let sent = with(
        fields(&page),
        &[
            ("title", "Pay the rent <now>"),
            ("description", "Line one\r\nLine two"),
            ("priority", "high"),
            ("project", "home.bills"),
            ("tags", "+money monthly"),
            ("due", "2026-12-24 17:00"),
            ("scheduled", "2026-12-20"),
            ("depends", "1"),
            ("udas", "estimate: 3\nowner: me"),
        ],
    );
    let saved = post_fields(&mut browser, &format!("/tasks/{rent}"), &sent).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(saved.headers()[header::LOCATION], "/?project=home");
    let task = task_of(&app, &alice, rent).await;
    assert_eq!(task["title"], "Pay the rent <now>");
    assert_eq!(task["description"], "Line one\nLine two");
    assert_eq!(task["priority"], "high");
    assert_eq!(task["project"], "home.bills");
    assert_eq!(task["tags"], json!(["money", "monthly"]));
    assert!(task["due"].as_str().unwrap().starts_with("2026-12-2"));
    assert!(task["scheduled"].is_string());
    assert_eq!(task["depends"], json!([blocker]));
    assert_eq!(task["udas"], json!({"estimate": 3, "owner": "me"}));
    assert_eq!(task["blocked"], true);

    // The page shows it all back, and saving it unchanged changes nothing.
    let page = browser.page(&format!("/tasks/{rent}")).await;
    assert!(page.contains("&#60;now&#62;"));
    let again = post_fields(&mut browser, &format!("/tasks/{rent}"), &fields(&page)).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert!(
        !browser
            .set_cookies
            .iter()
            .any(|c| c.starts_with("taskd_notice=undo")),
        "no undo offered for a save that changed nothing"
    );
    let same = task_of(&app, &alice, rent).await;
    assert_eq!(same["version"], task["version"], "{same}");

    // Empty boxes clear their fields.
    let page = browser.page(&format!("/tasks/{rent}")).await;
    let cleared = with(
        fields(&page),
        &[
            ("due", ""),
            ("depends", ""),
            ("udas", "estimate:\nowner: "),
            ("priority", ""),
        ],
    );
    assert_eq!(
        post_fields(&mut browser, &format!("/tasks/{rent}"), &cleared)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let task = task_of(&app, &alice, rent).await;
    assert!(task["due"].is_null() && task["priority"].is_null());
    assert_eq!(task["depends"], json!([]));
    assert_eq!(task["udas"], json!({}));
    // The list it goes back to offers to undo the save.
    let list = browser.page("/").await;
    let notice = list.split("class=\"notice\"").nth(1).expect("a notice");
    let number = task["number"].as_i64().unwrap();
    assert!(
        notice.contains(&format!("Changed task {number} &#34;Pay the rent")),
        "{notice}"
    );
    assert!(notice.contains(">Undo</button>"), "{notice}");
}

#[tokio::test]
async fn bad_values_are_named_and_what_was_typed_stays() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    browser.quick_add("Pay rent").await;
    let page = browser.page("/tasks/1").await;
    let sent = with(
        fields(&page),
        &[
            ("title", "Renamed"),
            ("due", "the day after never"),
            ("depends", "99"),
            ("udas", "no colon here"),
        ],
    );
    let refused = post_fields(&mut browser, "/tasks/1", &sent).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let page = refused.text().await.unwrap();
    assert!(page.contains("Due: invalid date"), "{page}");
    assert!(page.contains("task 99: no such task"), "{page}");
    assert!(page.contains("is not `name: value`"), "{page}");
    assert!(page.contains("value=\"Renamed\""));
    assert!(page.contains("value=\"the day after never\""));
    // The form's mistakes and the fields' together, each named as the form
    // names it.
    let sent = with(
        fields(&page),
        &[
            ("due", "blah"),
            ("wait", "blah"),
            ("depends", "1, 99"),
            ("udas", "Bad Name: x"),
        ],
    );
    let refused = post_fields(&mut browser, "/tasks/1", &sent).await;
    let page = refused.text().await.unwrap();
    for named in ["Due: ", "Wait until: ", "Waits for: ", "Other attributes: "] {
        assert!(page.contains(named), "no {named:?} in {page}");
    }
    assert!(!page.contains("udas:"), "{page}");
    // Each refused with its reason under the form's own names: `-tag`, the
    // CLI's removal; a virtual tag's name; the task's own rules; a name
    // Taskwarrior keeps for its own attribute.
    for (field, value, said) in [
        ("tags", "+ok -home", "leave it out of the list"),
        ("tags", "ACTIVE", "virtual tags"),
        ("depends", "1", "Waits for: "),
        ("udas", "priority: H", "Taskwarrior&#39;s own"),
        ("udas", "size: 3\nsize: 4", "size is given twice"),
    ] {
        let page = browser.page("/tasks/1").await;
        let sent = with(fields(&page), &[(field, value)]);
        let refused = post_fields(&mut browser, "/tasks/1", &sent).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{field}");
        let page = refused.text().await.unwrap();
        assert!(page.contains(said), "{field}: {page}");
        assert!(!page.contains("depends:"), "{page}");
    }
    // Nothing changed.
    let alice = app.logged_in(1, "alice").await;
    let task = task_of(&app, &alice, 1).await;
    assert_eq!(task["title"], "Pay rent");
    assert_eq!(task["version"], 1);

    // Changed elsewhere meanwhile: said so, the values kept, and a second
    // save keeps them.
    let page = browser.page("/tasks/1").await;
    app.patch(
        "/api/tasks/1/",
        &alice.access,
        &json!({"title": "Elsewhere"}),
    )
    .send()
    .await
    .unwrap();
    let mine = with(fields(&page), &[("title", "Mine")]);
    let conflict = post_fields(&mut browser, "/tasks/1", &mine).await;
    assert_eq!(conflict.status(), StatusCode::CONFLICT);
    let page = conflict.text().await.unwrap();
    assert!(page.contains("changed elsewhere"), "{page}");
    assert!(page.contains("value=\"Mine\""));
    let again = post_fields(&mut browser, "/tasks/1", &fields(&page)).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    let task = task_of(&app, &alice, 1).await;
    assert_eq!(task["title"], "Mine");

    // Changed elsewhere in a field left alone here: both changes kept, and
    // nothing to ask.
    let page = browser.page("/tasks/1").await;
    app.patch(
        "/api/tasks/1/",
        &alice.access,
        &json!({"priority": "high", "tags": ["cli"]}),
    )
    .send()
    .await
    .unwrap();
    let mine = with(
        fields(&page),
        &[("title", "Mine again"), ("due", "2026-12-24")],
    );
    let saved = post_fields(&mut browser, "/tasks/1", &mine).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let task = task_of(&app, &alice, 1).await;
    assert_eq!(task["title"], "Mine again");
    assert!(task["due"].is_string(), "{task}");
    assert_eq!(task["priority"], "high", "{task}");
    assert_eq!(task["tags"], json!(["cli"]), "{task}");

    // Deleted elsewhere: said so, and where it went.
    let page = browser.page("/tasks/1").await;
    app.delete("/api/tasks/1/", &alice.access)
        .send()
        .await
        .unwrap();
    let typed = with(
        fields(&page),
        &[
            ("title", "Mine, kept"),
            ("project", "kept.here"),
            ("back", "javascript:alert(1)"),
        ],
    );
    let gone = post_fields(&mut browser, "/tasks/1", &typed).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    let gone = gone.text().await.unwrap();
    assert!(gone.contains("It stays in the trash for 30 days"), "{gone}");
    assert!(
        gone.contains("<form method=\"post\" action=\"/tasks/1/restore\">"),
        "{gone}"
    );
    assert!(
        !gone.contains("javascript:"),
        "only this site's paths: {gone}"
    );
    // What was typed is kept, and saved as a new task with one click.
    assert!(gone.contains("Save as a new task"), "{gone}");
    let kept = fields_of_form(&gone);
    assert!(
        kept.contains(&("title".to_string(), "Mine, kept".to_string())),
        "{kept:?}"
    );
    let created = post_fields(&mut browser, "/tasks/new", &kept).await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let list = body(app.get("/api/tasks/", &alice.access).send().await.unwrap()).await;
    let new = &list["results"][0];
    assert_eq!(new["title"], "Mine, kept", "{list}");
    assert_eq!(new["project"], "kept.here", "{list}");
    assert_eq!(
        new["priority"], "high",
        "the fields left as shown too: {list}"
    );
    assert!(new["due"].is_string(), "{list}");
    // Or the deleted task comes back from the trash, on its own page, with
    // the restore's Undo.
    let csrf = kept
        .iter()
        .find(|(name, _)| name == "csrf")
        .map(|(_, value)| value.clone())
        .expect("the page's form carries its token");
    // Not without the page's token.
    let forged = browser
        .post("/tasks/1/restore", &[("csrf", "forged"), ("back", "/")])
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let restored = browser
        .post(
            "/tasks/1/restore",
            &[("csrf", csrf.as_str()), ("back", "/?tag=home")],
        )
        .await;
    assert_eq!(restored.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        restored.headers()["location"],
        "/tasks/1?back=%2F%3Ftag%3Dhome"
    );
    let page = browser.page("/tasks/1?back=%2F%3Ftag%3Dhome").await;
    assert!(page.contains("Mine again"), "{page}");
    assert!(
        // Under the next free number: the new task took its old one.
        page.contains("Restored task 2 &#34;Mine again&#34;."),
        "the notice says so: {page}"
    );
    assert!(page.contains("action=\"/undo\""), "with its undo: {page}");
    assert_eq!(task_of(&app, &alice, 1).await["title"], "Mine again");
    // Restored twice (a second click, another tab): its page again.
    let again = browser
        .post(
            "/tasks/1/restore",
            &[("csrf", csrf.as_str()), ("back", "/")],
        )
        .await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    // Never in the trash: no such task, and no restore offered for it.
    let never = browser
        .post(
            "/tasks/999/restore",
            &[("csrf", csrf.as_str()), ("back", "/")],
        )
        .await;
    assert_eq!(never.status(), StatusCode::NOT_FOUND);
    let gone = post_fields(&mut browser, "/tasks/999", &kept).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    let gone = gone.text().await.unwrap();
    assert!(!gone.contains("/restore"), "{gone}");
}

/// The hidden and visible inputs of a page's one form after its heading,
/// as a browser would send them.
fn fields_of_form(page: &str) -> Vec<(String, String)> {
    let form = page
        .split("<form method=\"post\" action=\"/tasks/new\">")
        .nth(1)
        .unwrap_or_default()
        .split("</form>")
        .next()
        .unwrap_or_default();
    form.split("<input")
        .skip(1)
        .filter_map(|input| {
            let attr = |name: &str| {
                input
                    .split(&format!("{name}=\""))
                    .nth(1)
                    .map(|rest| rest.split('"').next().unwrap_or_default().to_string())
            };
            Some((
                attr("name")?,
                html_decode(&attr("value").unwrap_or_default()),
            ))
        })
        .collect()
}

#[tokio::test]
async fn a_save_rewrites_no_field_left_as_shown() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    let alice = app.logged_in(1, "alice").await;
    // Values the page's text cannot carry exactly: a number written 2.0,
    // text that looks like a number, a tag with a comma, a description
    // that starts with a line break and has CR LF in it.
    let task = app
        .task(
            &alice,
            json!({"title": "Odd", "udas": {"n": 2.0, "t": "3", "memo": "a\nb", "q": "\"as is\""}, "tags": ["a,b"],
                   "description": "\nfirst\r\nsecond"}),
        )
        .await;
    let path = format!("/tasks/{}", task["id"]);
    let page = browser.page(&path).await;
    let saved = post_fields(
        &mut browser,
        &path,
        &with(fields(&page), &[("title", "Even")]),
    )
    .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let now = task_of(&app, &alice, &task["id"]).await;
    assert_eq!(now["title"], "Even");
    assert_eq!(now["udas"], task["udas"], "{now}");
    assert!(
        now["udas"]["n"].is_f64() && now["udas"]["t"].is_string(),
        "{now}"
    );
    assert_eq!(now["tags"], json!(["a,b"]));
    assert_eq!(now["description"], task["description"]);
    // Its description edited here (the browser sends CR LF): saved as
    // typed, no conflict with itself.
    let page = browser.page(&path).await;
    let edited = with(fields(&page), &[("description", "\r\nfirst\r\nthird")]);
    let saved = post_fields(&mut browser, &path, &edited).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        task_of(&app, &alice, &task["id"]).await["description"],
        "\nfirst\nthird"
    );
    // One attribute changed: the others keep their kind and digits, a
    // line break (shown as `\n` on its line) is kept, and so are quotes
    // of a value's own; quotes around a value typed afresh group it.
    let page = browser.page(&path).await;
    let shown = fields(&page)
        .into_iter()
        .find(|(name, _)| name == "udas")
        .map(|(_, value)| value)
        .unwrap_or_default();
    assert!(shown.contains("memo: a\\nb"), "{shown}");
    let udas = format!("{}\nfresh: \"two words\"", shown.replace("t: 3", "t: 4"));
    let edited = with(fields(&page), &[("udas", &udas)]);
    let saved = post_fields(&mut browser, &path, &edited).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let now = task_of(&app, &alice, &task["id"]).await;
    assert_eq!(
        now["udas"],
        json!({"n": 2.0, "t": 4, "memo": "a\nb", "q": "\"as is\"", "fresh": "two words"}),
        "{now}"
    );
    assert!(now["udas"]["n"].is_f64(), "{now}");
}

#[tokio::test]
async fn notes_are_added_and_removed_and_quick_add_takes_dependencies() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    browser.quick_add("Buy paint").await;
    assert_eq!(
        browser
            .quick_add("Paint the fence depends:1")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let refused = browser.quick_add("Dry depends:42").await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("task 42: no such task"));
    let alice = app.logged_in(1, "alice").await;
    let fence = task_of(&app, &alice, 2).await;
    assert_eq!(fence["depends"], json!([1]));
    // The list says which tasks wait for another.
    let list = browser.page("/").await;
    let fence_row = list
        .split("data-task=\"2\"")
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .unwrap_or_default();
    assert!(fence_row.contains("waits for another task"), "{list}");
    let both = browser.quick_add("Sand and paint depends:1,2").await;
    assert_eq!(both.status(), StatusCode::SEE_OTHER);
    let list = browser.page("/").await;
    let both_row = list
        .split("data-task=\"3\"")
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .unwrap_or_default();
    assert!(both_row.contains("waits for other tasks"), "{list}");
    // One of the two done, it waits for one.
    let page = browser.page("/").await;
    let done = browser
        .post("/tasks/1/done", &[("csrf", &csrf(&page)), ("back", "/")])
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let after = browser.page("/").await;
    let both_row = after
        .split("data-task=\"3\"")
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .unwrap_or_default();
    assert!(both_row.contains("waits for another task"), "{after}");
    assert!(!list
        .split("data-task=\"1\"")
        .nth(1)
        .unwrap_or_default()
        .split("</tr>")
        .next()
        .unwrap_or_default()
        .contains("waits for another"));

    let page = browser.page("/tasks/2").await;
    let token = csrf(&page);
    let added = browser
        .post(
            "/tasks/2/notes",
            &[("csrf", &token), ("text", "white, <two> coats")],
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let page = browser.page("/tasks/2").await;
    assert!(page.contains("white, &#60;two&#62; coats"));
    // Said, with its undo, once.
    assert!(page.contains("Added a note to task 2"), "{page}");
    assert!(page.contains("action=\"/undo\""), "{page}");
    assert!(!browser.page("/tasks/2").await.contains("class=\"notice\""));
    let note = task_of(&app, &alice, 2).await["annotations"][0]["id"]
        .as_i64()
        .unwrap();
    let blank = browser
        .post("/tasks/2/notes", &[("csrf", &token), ("text", "   ")])
        .await;
    assert_eq!(blank.status(), StatusCode::BAD_REQUEST);
    // A note for a task nobody has: a page saying so.
    let nowhere = browser
        .post(
            "/tasks/999999/notes",
            &[("csrf", &token), ("text", "hello")],
        )
        .await;
    assert_eq!(nowhere.status(), StatusCode::NOT_FOUND);
    assert!(nowhere.text().await.unwrap().contains("No such task."));
    // Named as the page names the box, not as the API names the field.
    let blank = blank.text().await.unwrap();
    assert!(
        blank.contains("Note: This field may not be blank."),
        "{blank}"
    );
    assert!(!blank.contains("text: "), "{blank}");
    let long = "n".repeat(10_001);
    let refused = browser
        .post("/tasks/2/notes", &[("csrf", &token), ("text", &long)])
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let page = refused.text().await.unwrap();
    assert!(page.contains("no more than 10000 characters"), "the reason");
    assert!(page.contains(&format!("value=\"{long}\"")), "the note kept");
    let removed = browser
        .post(
            &format!("/tasks/2/notes/{note}/delete"),
            &[("csrf", &token)],
        )
        .await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    let task = task_of(&app, &alice, 2).await;
    assert_eq!(task["annotations"], json!([]));
    // Taken away at once, and its notice's Undo brings it back, to this page.
    let page = browser.page("/tasks/2").await;
    assert!(page.contains("Removed a note from task 2"), "{page}");
    let step = page
        .split("name=\"step\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the notice names its step")
        .to_string();
    let undone = browser
        .post(
            "/undo",
            &[("csrf", &token), ("back", "/tasks/2"), ("step", &step)],
        )
        .await;
    assert_eq!(undone.status(), StatusCode::SEE_OTHER);
    assert_eq!(undone.headers()[header::LOCATION], "/tasks/2");
    let task = task_of(&app, &alice, 2).await;
    assert_eq!(task["annotations"][0]["text"], "white, <two> coats");
    let page = browser.page("/tasks/2").await;
    assert!(
        page.contains("Undone: removed a note from task 2"),
        "{page}"
    );
    // Another user's task: no page.
    let mut bob = Browser::new(&app);
    bob.register("bob").await;
    for path in ["/tasks/2", "/tasks/abc"] {
        let missing = bob.get(path).await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        let page = missing.text().await.unwrap();
        assert!(page.contains("No such task."), "{path}: {page}");
    }
}

/// A number the "Waits for" box showed still means the task it named when
/// the page was opened: that task done meanwhile (and so named by its
/// uuid now), and its number given to a new task, is neither a conflict
/// nor a link to the new task.
#[tokio::test]
async fn waits_for_keeps_the_tasks_it_showed_when_they_are_renumbered_meanwhile() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    let alice = app.logged_in(1, "alice").await;
    let plans = app.task(&alice, json!({"title": "Draw plans"})).await;
    let permit = app.task(&alice, json!({"title": "Get permit"})).await;
    let build = app
        .task(
            &alice,
            json!({"title": "Build shed", "depends": [plans["id"]]}),
        )
        .await;
    let path = format!("/tasks/{}", build["id"]);
    let page = browser.page(&path).await;
    let shown = fields(&page);
    assert!(
        shown.contains(&("depends".to_string(), "1".to_string())),
        "{shown:?}"
    );
    // Meanwhile: the plans are done (number 1 freed), and a new task
    // takes number 1.
    let done = app
        .patch(
            &format!("/api/tasks/{}/", plans["id"]),
            &alice.access,
            &json!({"status": "done"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    let newcomer = app.task(&alice, json!({"title": "Buy paint"})).await;
    assert_eq!(newcomer["number"], 1, "{newcomer}");
    // Here: the permit added beside the 1 shown.
    let number = permit["number"].to_string();
    let edited = with(shown, &[("depends", &format!("1, {number}"))]);
    let saved = post_fields(&mut browser, &path, &edited).await;
    assert_eq!(
        saved.status(),
        StatusCode::SEE_OTHER,
        "{}",
        saved.text().await.unwrap()
    );
    let now = task_of(&app, &alice, &build["id"]).await;
    assert_eq!(now["depends"], json!([plans["id"], permit["id"]]), "{now}");

    // Refused first (a bad date), then saved again from the page drawn
    // with the refusal: the names still mean what the first page showed.
    let shed = app
        .task(
            &alice,
            json!({"title": "Paint shed", "depends": [newcomer["id"]]}),
        )
        .await;
    let path = format!("/tasks/{}", shed["id"]);
    let page = browser.page(&path).await;
    let done = app
        .patch(
            &format!("/api/tasks/{}/", newcomer["id"]),
            &alice.access,
            &json!({"status": "done"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    let another = app.task(&alice, json!({"title": "Sand boards"})).await;
    assert_eq!(another["number"], 1, "{another}");
    let typed = with(
        fields(&page),
        &[("depends", &format!("1, {number}")), ("due", "blorp")],
    );
    let refused = post_fields(&mut browser, &path, &typed).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let again = with(fields(&refused.text().await.unwrap()), &[("due", "")]);
    let saved = post_fields(&mut browser, &path, &again).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let now = task_of(&app, &alice, &shed["id"]).await;
    assert_eq!(
        now["depends"],
        json!([permit["id"], newcomer["id"]]),
        "{now}"
    );
}

/// Tags and attributes changed elsewhere meanwhile are merged one by one:
/// a tag added or an attribute set here keeps what changed only there, and
/// only an attribute changed both ways, differently, is asked about.
#[tokio::test]
async fn tags_and_attributes_are_merged_one_by_one() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    let alice = app.logged_in(1, "alice").await;
    let task = app
        .task(
            &alice,
            json!({"title": "Report", "tags": ["base", "one"], "udas": {"estimate": 3, "owner": "sam"}}),
        )
        .await;
    let path = format!("/tasks/{}", task["id"]);
    let api = format!("/api/tasks/{}/", task["id"]);
    let page = browser.page(&path).await;
    // Elsewhere: a tag added, the estimate changed.
    let elsewhere = app
        .patch(
            &api,
            &alice.access,
            &json!({"tags": ["base", "one", "two"], "udas": {"estimate": 5, "owner": "sam"}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), StatusCode::OK);
    // Here: a tag taken away and one added, an attribute added.
    let shown = fields(&page);
    let udas = shown
        .iter()
        .find(|(name, _)| name == "udas")
        .map(|(_, value)| value.clone())
        .unwrap_or_default();
    let mine = with(
        shown,
        &[
            ("tags", "one three"),
            ("udas", &format!("{udas}\r\nclient: ACME")),
        ],
    );
    let saved = post_fields(&mut browser, &path, &mine).await;
    assert_eq!(
        saved.status(),
        StatusCode::SEE_OTHER,
        "{}",
        saved.text().await.unwrap()
    );
    let now = task_of(&app, &alice, &task["id"]).await;
    assert_eq!(now["tags"], json!(["one", "two", "three"]), "{now}");
    assert_eq!(
        now["udas"],
        json!({"estimate": 5, "owner": "sam", "client": "ACME"}),
        "{now}"
    );

    // The same attribute changed both ways: named, with the value there.
    let page = browser.page(&path).await;
    app.patch(
        &api,
        &alice.access,
        &json!({"udas": {"estimate": 8, "owner": "sam", "client": "ACME"}}),
    )
    .send()
    .await
    .unwrap();
    let shown = fields(&page);
    let udas = shown
        .iter()
        .find(|(name, _)| name == "udas")
        .map(|(_, value)| value.replace("estimate: 5", "estimate: 13"))
        .unwrap_or_default();
    let conflict = post_fields(&mut browser, &path, &with(shown, &[("udas", &udas)])).await;
    assert_eq!(conflict.status(), StatusCode::CONFLICT);
    let page = conflict.text().await.unwrap();
    assert!(
        page.contains("Other attributes: estimate changed elsewhere to “8”"),
        "{page}"
    );
    let again = post_fields(&mut browser, &path, &fields(&page)).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    let now = task_of(&app, &alice, &task["id"]).await;
    assert_eq!(now["udas"]["estimate"], 13, "{now}");
}

/// A save that changed nothing says so, and offers nothing to undo.
#[tokio::test]
async fn a_save_that_changed_nothing_says_so() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    browser.quick_add("Pay rent").await;
    let page = browser.page("/tasks/1").await;
    let saved = post_fields(&mut browser, "/tasks/1", &fields(&page)).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let page = browser.page("/").await;
    let notice = page.split("class=\"notice\"").nth(1).unwrap_or_default();
    let notice = notice.split("</div>").next().unwrap_or_default();
    assert!(notice.contains("Nothing changed."), "{page}");
    assert!(!notice.contains("<form"), "nothing to undo: {notice}");
}

/// The task's page starts, stops and deletes it, as the list's rows do:
/// Start and Stop come back to the page, with the list's way back kept;
/// Delete goes back to the list, whose notice offers the undo.
#[tokio::test]
async fn the_tasks_page_starts_stops_and_deletes_it() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    browser.quick_add("Paint the fence").await;
    let alice = app.logged_in(1, "alice").await;
    let page = browser.page("/tasks/1?back=%2F%3Fproject%3Dhome").await;
    assert!(page.contains("action=\"/tasks/1/start\""), "{page}");
    assert!(!page.contains("action=\"/tasks/1/stop\""), "{page}");
    let token = csrf(&page);
    let here = "/tasks/1?back=%2F%3Fproject%3Dhome";
    assert!(page.contains(&here.replace('&', "&amp;")), "{page}");
    let started = browser
        .post("/tasks/1/start", &[("csrf", &token), ("back", here)])
        .await;
    assert_eq!(started.status(), StatusCode::SEE_OTHER);
    assert_eq!(started.headers()[header::LOCATION], here);
    assert!(task_of(&app, &alice, 1).await["start"].is_string());
    let page = browser.page(here).await;
    assert!(page.contains("action=\"/tasks/1/stop\""), "{page}");
    // The notice's Undo comes back to this page with its way back too.
    let undo_back = page
        .split("class=\"notice\"")
        .nth(1)
        .and_then(|notice| notice.split("name=\"back\" value=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default();
    assert_eq!(
        undo_back.replace("&#38;", "&").replace("&amp;", "&"),
        here,
        "{page}"
    );
    let deleted = browser
        .post(
            "/tasks/1/delete",
            &[("csrf", &token), ("back", "/?project=home")],
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    assert_eq!(deleted.headers()[header::LOCATION], "/?project=home");
    let list = browser.page("/?project=home").await;
    assert!(list.contains("Undo"), "{list}");
}

/// A link kept to a task deleted since says where the task went; one that
/// never was is no such task.
#[tokio::test]
async fn a_deleted_tasks_page_points_to_the_trash() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    browser.quick_add("Pay <b>rent</b>").await;
    let page = browser.page("/tasks/1").await;
    let deleted = browser
        .post(
            "/tasks/1/delete",
            &[("csrf", csrf(&page).as_str()), ("back", "/")],
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    let gone = browser.get("/tasks/1").await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    let gone = gone.text().await.unwrap();
    assert!(
        gone.contains("&#34;Pay &#60;b&#62;rent&#60;/b&#62;&#34; was deleted: it is in the Trash"),
        "{gone}"
    );
    let never = browser.get("/tasks/99").await;
    assert_eq!(never.status(), StatusCode::NOT_FOUND);
    let never = never.text().await.unwrap();
    assert!(never.contains("No such task."), "{never}");
}
