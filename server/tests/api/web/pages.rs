//! The pages and their forms.

use reqwest::{header, StatusCode};
use serde_json::{json, Value};
use taskd::config::Registration;

use super::{csrf, titles, Browser};
use crate::helpers::{body, list_page, TestApp};

#[tokio::test]
async fn pages_carry_the_security_headers_and_assets_are_hashed_and_immutable() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    // Not logged in: the login page, then back.
    let list = browser.get("/?project=home").await;
    assert_eq!(list.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        list.headers()[header::LOCATION],
        "/login?next=%2F%3Fproject%3Dhome"
    );
    for path in ["/login", "/register"] {
        let response = browser.get(path).await;
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers();
        assert!(headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("unsafe"), "{csp}");
        assert_eq!(headers[header::REFERRER_POLICY], "same-origin");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    }
    let page = browser.page("/login").await;
    let css = page
        .split("href=\"")
        .find_map(|rest| rest.split('"').next().filter(|href| href.ends_with(".css")))
        .unwrap()
        .to_string();
    assert!(
        css.starts_with("/static/app.") && css.len() > "/static/app..css".len() + 8,
        "{css}"
    );
    let asset = browser.get(&css).await;
    assert_eq!(asset.status(), StatusCode::OK);
    assert_eq!(
        asset.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert!(asset.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    assert!(asset
        .text()
        .await
        .unwrap()
        .contains("prefers-color-scheme: dark"));
    // A name that is not a current asset's: nothing.
    assert_eq!(
        browser.get("/static/app.css").await.status(),
        StatusCode::NOT_FOUND
    );
    // An unknown page is a page too, and so is a form's address visited.
    let missing = browser.get("/no/such/page").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .is_ok());
    let missing = missing.text().await.unwrap();
    assert!(missing.contains("There is no page at this address."));
    // A visitor not logged in has no bar to be shown.
    assert!(!missing.contains("Log out"), "{missing}");
    let visited = browser.get("/undo").await;
    assert_eq!(visited.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(visited.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(visited.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .is_ok());
    // Logged in, both keep the visitor's bar, as every page of theirs.
    browser.register("alice").await;
    for (path, status) in [
        ("/no/such/page", StatusCode::NOT_FOUND),
        ("/undo", StatusCode::METHOD_NOT_ALLOWED),
        ("/tasks/x", StatusCode::NOT_FOUND),
    ] {
        let page = browser.get(path).await;
        assert_eq!(page.status(), status, "{path}");
        let page = page.text().await.unwrap();
        assert!(
            page.contains("alice") && page.contains("Log out"),
            "{path}: {page}"
        );
    }
    // The address a refused quick add is shown at leads back to the list.
    let back = browser.get("/tasks").await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    assert_eq!(back.headers()[header::LOCATION], "/");
}

#[tokio::test]
async fn register_add_complete_start_reopen_and_delete() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    let page = browser.page("/").await;
    assert!(page.contains("alice"));
    assert!(page.contains("0 tasks"));

    let added = browser
        .quick_add("Buy milk +errands due:tomorrow pri:H project:home")
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    assert_eq!(added.headers()[header::LOCATION], "/");
    // The task as the API gives it: the CLI's grammar, understood.
    let api_user = app.logged_in(1, "alice").await;
    let tasks = body(
        app.get("/api/tasks/", &api_user.access)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let task = &tasks["results"][0];
    assert_eq!(task["title"], "Buy milk");
    assert_eq!(task["tags"], json!(["errands"]));
    assert_eq!(task["priority"], "high");
    assert_eq!(task["project"], "home");
    assert!(task["due"].is_string());
    let id = task["id"].as_i64().unwrap();

    let page = browser.page("/").await;
    assert_eq!(titles(&page), ["Buy milk"]);
    let token = csrf(&page);
    for (action, status) in [
        ("start", None),
        ("stop", None),
        ("done", Some("done")),
        ("reopen", Some("pending")),
    ] {
        let response = browser
            .post(
                &format!("/tasks/{id}/{action}"),
                &[("csrf", &token), ("back", "/?status=all")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{action}");
        assert_eq!(response.headers()[header::LOCATION], "/?status=all");
        let task = body(
            app.get(&format!("/api/tasks/{id}/"), &api_user.access)
                .send()
                .await
                .unwrap(),
        )
        .await;
        if let Some(status) = status {
            assert_eq!(task["status"], status, "{action}");
        }
        assert_eq!(task["start"].is_string(), action == "start", "{action}");
    }
    let deleted = browser
        .post(
            &format!("/tasks/{id}/delete"),
            &[("csrf", &token), ("back", "/")],
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    let gone = app
        .get(&format!("/api/tasks/{id}/"), &api_user.access)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    // Another user's task, or none: a 404 page, nothing changed.
    let missing = browser
        .post("/tasks/999/done", &[("csrf", &token), ("back", "/")])
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    // A `back` to another site goes to the list instead.
    browser.quick_add("Second").await;
    let page = browser.page("/").await;
    let second = page
        .split("/tasks/")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>();
    let away = browser
        .post(
            &format!("/tasks/{second}/done"),
            &[("csrf", &csrf(&page)), ("back", "//evil.example/")],
        )
        .await;
    assert_eq!(away.headers()[header::LOCATION], "/");
}

#[tokio::test]
async fn the_list_is_filtered_sorted_and_searched_from_the_query_string() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    for line in [
        "Water plants project:home +garden",
        "Pay rent project:home pri:H",
        "Write report project:work",
        "Old thing",
    ] {
        assert_eq!(
            browser.quick_add(line).await.status(),
            StatusCode::SEE_OTHER
        );
    }
    let page = browser.page("/?status=all&ordering=title").await;
    assert_eq!(
        titles(&page),
        ["Old thing", "Pay rent", "Water plants", "Write report"]
    );
    let page = browser.page("/?project=home&ordering=title").await;
    assert_eq!(titles(&page), ["Pay rent", "Water plants"]);
    // The form shows the view it is.
    assert!(page.contains("name=\"project\" value=\"home\""));
    let page = browser.page("/?tag=garden").await;
    assert_eq!(titles(&page), ["Water plants"]);
    // A tag as the list shows it, and a view that matches nothing, said so.
    let page = browser.page("/?tag=%2Bgarden").await;
    assert_eq!(titles(&page), ["Water plants"]);
    let page = browser.page("/?tag=nowhere").await;
    assert!(page.contains("No task matches this view."), "{page}");
    let bad = browser.get("/?status=finished").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad
        .text()
        .await
        .unwrap()
        .contains("pending, waiting, done or all"));
    // A sort the list does not know is named in the page's own terms.
    let bad = browser.get("/?ordering=bogus").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let text = bad.text().await.unwrap();
    assert!(
        text.contains("Sort “bogus” is not one this list knows"),
        "{text}"
    );
    assert!(!text.contains("created_at"), "no API names: {text}");
    // One the menu lacks but the list takes is shown in the menu, chosen.
    let page = browser.page("/?ordering=-due").await;
    assert!(
        page.contains("<option value=\"-due\" selected>As in the address: -due</option>"),
        "{page}"
    );
    let page = browser.page("/?ordering=-urgency").await;
    assert!(
        page.contains("<option value=\"\" selected>Urgency</option>"),
        "{page}"
    );
    // A long one is not echoed whole.
    let long = "due,".repeat(100);
    let bad = browser.get(&format!("/?ordering={long}x")).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let text = bad.text().await.unwrap();
    assert!(
        text.contains("due,due,due,due,due,due,due,due,due,due,…”"),
        "{text}"
    );
    // An error page keeps the logged-in visitor's bar: their links and
    // log out, as on their other pages.
    assert!(
        text.contains("<a href=\"/import\">Import</a>") && text.contains("Log out"),
        "{text}"
    );
    // Taskwarrior's `completed`, and a tag typed as the list shows it.
    let page = browser.page("/?status=completed").await;
    assert!(
        page.contains("<option value=\"done\" selected>"),
        "the menu shows it as Done: {page}"
    );
    let page = browser.page("/?tag=+garden").await;
    assert_eq!(titles(&page), ["Water plants"]);
    // `-garden`, as on a command line, leaves those tasks out; the box
    // shows it as typed.
    let page = browser.page("/?tag=-garden&ordering=title").await;
    assert_eq!(titles(&page), ["Old thing", "Pay rent", "Write report"]);
    assert!(page.contains("name=\"tag\" value=\"-garden\""), "{page}");
    // Refused, it is named as the box the page shows, not as the API's
    // `exclude_tag`.
    let many: Vec<String> = (0..200).map(|n| format!("tag=-t{n}")).collect();
    let refused = browser.get(&format!("/?{}", many.join("&"))).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("Tag: at most"), "{refused}");
    assert!(!refused.contains("exclude_tag"), "{refused}");
    let page = browser.page("/?search=REPORT").await;
    assert_eq!(titles(&page), ["Write report"]);
    // The box's words each on their own, a phrase in quotes as one.
    let page = browser.page("/?search=report+write").await;
    assert_eq!(titles(&page), ["Write report"]);
    let page = browser.page("/?search=%22report+write%22").await;
    assert!(titles(&page).is_empty(), "{page}");
    // The default view: pending tasks, most urgent first.
    let page = browser.page("/").await;
    assert_eq!(titles(&page)[0], "Pay rent");
    // A bad filter value: a page saying which, nothing else.
    let bad = browser.get("/?due_before=someday").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("due_before"));
}

#[tokio::test]
async fn tasks_waiting_until_later_are_left_out_of_the_default_view_and_marked() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    for line in ["Read book wait:3d", "Pay rent", "Past wait wait:2020-01-01"] {
        assert_eq!(
            browser.quick_add(line).await.status(),
            StatusCode::SEE_OTHER
        );
    }
    // As the CLI's and the TUI's lists: a wait still to come hides it.
    let page = browser.page("/?ordering=title").await;
    assert_eq!(titles(&page), ["Past wait", "Pay rent"]);
    assert!(!page.contains("waits until"), "{page}");
    let page = browser.page("/?status=pending&ordering=title").await;
    assert_eq!(titles(&page), ["Past wait", "Pay rent"]);
    // Their own view, and every task's, show them marked.
    let page = browser.page("/?status=waiting").await;
    assert_eq!(titles(&page), ["Read book"]);
    assert!(page.contains("class=\"waiting\""), "{page}");
    assert!(page.contains("waits until"), "{page}");
    assert!(
        page.contains("<option value=\"waiting\" selected"),
        "{page}"
    );
    let page = browser.page("/?status=all&ordering=title").await;
    assert_eq!(titles(&page), ["Past wait", "Pay rent", "Read book"]);
    assert_eq!(page.matches("waits until").count(), 1, "{page}");
}

#[tokio::test]
async fn a_bad_quick_add_keeps_what_was_typed_and_says_why() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    let refused = browser.quick_add("Call mum due:someday-ish").await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("value=\"Call mum due:someday-ish\""),
        "{page}"
    );
    assert!(page.contains("invalid date"), "{page}");
    assert!(page.contains("0 tasks"));
    let long = browser.quick_add(&"w".repeat(600)).await;
    assert_eq!(long.status(), StatusCode::BAD_REQUEST);
    let page = long.text().await.unwrap();
    assert!(
        page.contains("Title: Ensure this field has no more than 500 characters."),
        "{page}"
    );
    // Told in the box's own terms, not the CLI's.
    for (line, told) in [
        ("Water plants recur:weekly", "put quotes around"),
        ("Tidy status:done", "mark the task done"),
        (r#"Trip pro:"my trip"#, "quote is not closed"),
        ("rc.foo:bar hello", "rc. settings are not read here"),
        ("Test start:now", "start it once it is added"),
    ] {
        let refused = browser.quick_add(line).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let page = refused.text().await.unwrap();
        assert!(page.contains(told), "{line}: {page}");
        assert!(
            !page.contains("`--`") && !page.contains("task done`"),
            "{page}"
        );
    }
}

#[tokio::test]
async fn quick_add_keeps_apostrophes_and_takes_quoted_words_as_title() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    let added = browser
        .quick_add(r#"Don't forget Bob's "project:x" +home 'due:someday' pri:H"#)
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let alice = app.logged_in(1, "alice").await;
    let page = list_page(&app, &alice, "").await;
    let task = &page["results"][0];
    assert_eq!(
        task["title"], "Don't forget Bob's project:x due:someday",
        "{page}"
    );
    assert_eq!(task["project"], Value::Null);
    assert_eq!(task["tags"], json!(["home"]));
    assert_eq!(task["priority"], "high");
}

#[tokio::test]
async fn a_task_saved_past_its_until_date_is_said_to_expire() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    let added = browser.quick_add("Old offer until:yesterday").await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let page = browser.page("/").await;
    assert!(page.contains("until date has passed"), "{page}");
    assert!(page.contains(">Undo<"), "{page}");
    // Only that once; a task with a later until is just created.
    browser.quick_add("New offer until:2099-01-01").await;
    let page = browser.page("/").await;
    assert!(page.contains("Created"), "{page}");
    assert!(!page.contains("until date has passed"), "{page}");
}

#[tokio::test]
async fn a_page_past_the_end_says_so_and_leads_back_to_the_last() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    for title in ["One", "Two", "Three"] {
        browser.quick_add(title).await;
    }
    let beyond = browser.page("/?limit=2&offset=10").await;
    assert!(titles(&beyond).is_empty());
    assert!(beyond.contains("3 tasks"), "{beyond}");
    assert!(beyond.contains("No tasks this far down"), "{beyond}");
    assert!(
        beyond.contains("href=\"/?limit=2&#38;offset=2\" rel=\"prev\""),
        "{beyond}"
    );
    assert!(!beyond.contains("rel=\"next\""), "{beyond}");
    // A page of a longer list says where it is in it.
    let second = browser.page("/?limit=2&offset=2").await;
    assert!(second.contains("3–3 of 3 tasks"), "{second}");
    let first = browser.page("/?limit=2").await;
    assert!(first.contains("1–2 of 3 tasks"), "{first}");
    let whole = browser.page("/").await;
    assert!(whole.contains(">3 tasks<"), "{whole}");
}

#[tokio::test]
async fn user_text_is_escaped_everywhere() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    let alice = app.logged_in(1, "alice").await;
    app.task(
        &alice,
        json!({"title": "<script>alert(1)</script> \u{7}bell", "project": "a\"b<i>", "tags": ["<b>"]}),
    )
    .await;
    let page = browser.page("/").await;
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(!page.contains("<i>") && !page.contains("<b>"));
    assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    // A control character is shown as an escape, not sent raw.
    assert!(!page.contains('\u{7}'));
    assert!(page.contains("\\x07bell"));
}

#[tokio::test]
async fn closed_registration_has_no_register_page() {
    let app = TestApp::spawn_with(|config| config.registration = Registration::Closed).await;
    let mut browser = Browser::new(&app);
    let login = browser.page("/login").await;
    assert!(!login.contains("href=\"/register\""));
    let register = browser.get("/register").await;
    assert_eq!(register.status(), StatusCode::FORBIDDEN);
    assert!(register
        .text()
        .await
        .unwrap()
        .contains("Registration is closed"));
    // Nor does posting the form make anyone.
    let page = browser.page("/login").await;
    let posted = browser
        .post(
            "/register",
            &[
                ("csrf", &csrf(&page)),
                ("username", "mallory"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(posted.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.login("mallory", "correct horse battery").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn register_errors_are_shown_with_what_was_typed() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    let page = browser.page("/register").await;
    let refused = browser
        .post(
            "/register",
            &[
                ("csrf", &csrf(&page)),
                ("username", "al"),
                ("email", "al@example.com"),
                ("password", "password"),
                ("password2", "password"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("Username: Must be 3 to 150 characters."),
        "{page}"
    );
    assert!(page.contains("too easy to guess"), "{page}");
    assert!(page.contains("value=\"al@example.com\""));
    // Typed twice: two that differ make no account, and say so.
    let page = browser.page("/register").await;
    let differ = browser
        .post(
            "/register",
            &[
                ("csrf", &csrf(&page)),
                ("username", "alice"),
                ("password", "correct horse battery"),
                ("password2", "correct horse batery"),
            ],
        )
        .await;
    assert_eq!(differ.status(), StatusCode::BAD_REQUEST);
    let page = differ.text().await.unwrap();
    assert!(page.contains("The two passwords differ"), "{page}");
    assert!(page.contains("value=\"alice\""), "{page}");
    assert_eq!(
        app.login("alice", "correct horse battery").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_change_offers_its_undo_once_and_the_undo_its_redo() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    browser.quick_add("Pay rent").await;
    let page = browser.page("/").await;
    assert!(page.contains("class=\"notice\""), "after quick add");
    let token = csrf(&page);
    let done = browser
        .post("/tasks/1/done", &[("csrf", &token), ("back", "/")])
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let page = browser.page("/").await;
    let notice = page
        .split("class=\"notice\"")
        .nth(1)
        .expect("a notice")
        .split("</div>")
        .next()
        .unwrap()
        .to_string();
    assert!(notice.contains("Completed task 1"), "{notice}");
    assert!(notice.contains("Pay rent"), "{notice}");
    assert!(notice.contains("action=\"/undo\""), "{notice}");
    // Once: the next page has none.
    assert!(!browser.page("/").await.contains("class=\"notice\""));
    // Done again (a second click): nothing changed, nothing to undo offered.
    browser
        .post("/tasks/1/done", &[("csrf", &token), ("back", "/")])
        .await;
    assert!(!browser.page("/").await.contains("class=\"notice\""));

    let undone = browser
        .post("/undo", &[("csrf", &token), ("back", "/")])
        .await;
    assert_eq!(undone.status(), StatusCode::SEE_OTHER);
    let page = browser.page("/").await;
    assert_eq!(titles(&page), ["Pay rent"], "pending again");
    let notice = page
        .split("class=\"notice\"")
        .nth(1)
        .expect("a notice")
        .split("</div>")
        .next()
        .unwrap()
        .to_string();
    assert!(notice.contains("Undone: "), "{notice}");
    assert!(notice.contains("action=\"/redo\""), "{notice}");
    let redone = browser
        .post("/redo", &[("csrf", &token), ("back", "/")])
        .await;
    assert_eq!(redone.status(), StatusCode::SEE_OTHER);
    assert!(titles(&browser.page("/").await).is_empty(), "done again");
    // Without the token, nothing is undone.
    let refused = browser
        .post("/undo", &[("csrf", "nope"), ("back", "/")])
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(titles(&browser.page("/").await).is_empty());
}

/// The notice's Undo reverts the change it names: one made since (another
/// tab, the CLI) is not undone in its place, and the page says what the
/// last change is now.
#[tokio::test]
async fn the_notices_undo_reverts_only_the_change_it_names() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    browser.quick_add("Pay rent").await;
    browser.quick_add("Call mom").await;
    let page = browser.page("/").await;
    let token = csrf(&page);
    browser
        .post("/tasks/1/done", &[("csrf", &token), ("back", "/")])
        .await;
    let page = browser.page("/").await;
    let step = page
        .split("name=\"step\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the notice names its step")
        .to_string();
    // Meanwhile, elsewhere: a note on task 2.
    let alice = app.logged_in(1, "alice").await;
    let noted = app
        .post(
            "/api/tasks/2/annotations/",
            &alice.access,
            &json!({"text": "her number changed"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(noted.status(), StatusCode::CREATED);
    let undone = browser
        .post("/undo", &[("csrf", &token), ("back", "/"), ("step", &step)])
        .await;
    assert_eq!(undone.status(), StatusCode::SEE_OTHER);
    let page = browser.page("/").await;
    assert_eq!(titles(&page), ["Call mom"], "task 1 stays done");
    assert!(
        page.contains(
            "Nothing was undone: another change came meanwhile. The last is now: added a note to task 2"
        ),
        "{page}"
    );
    let note = body(
        app.get("/api/tasks/2/", &alice.access)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(note["annotations"][0]["text"], "her number changed");
    // The notice now offers that step, and its Undo takes it.
    let step = page
        .split("name=\"step\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the notice names its step")
        .to_string();
    browser
        .post("/undo", &[("csrf", &token), ("back", "/"), ("step", &step)])
        .await;
    let note = body(
        app.get("/api/tasks/2/", &alice.access)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(note["annotations"], json!([]), "{note}");
    // A step that is no number is refused, and nothing moves.
    let bad = browser
        .post(
            "/undo",
            &[("csrf", &token), ("back", "/"), ("step", "soon")],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("names no step"));
}

/// A task added to wait is said to, since the list hides it.
#[tokio::test]
async fn a_task_added_to_wait_is_said_to() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    browser.quick_add("Plan the trip wait:tomorrow").await;
    let page = browser.page("/").await;
    assert!(
        page.contains("Created task 1 &#34;Plan the trip&#34;. It waits until "),
        "{page}"
    );
    assert!(page.contains(": the Waiting view lists it."), "{page}");
    assert!(page.contains("action=\"/undo\""), "{page}");
    assert!(titles(&page).is_empty(), "hidden while it waits");
}

/// The trash lists what was deleted, and brings each back with a button:
/// to its page, the way back leading to the trash again.
#[tokio::test]
async fn the_trash_lists_deleted_tasks_and_restores_them() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    let empty = browser.page("/trash").await;
    assert!(empty.contains("The trash is empty."), "{empty}");
    assert!(
        empty.contains("href=\"/trash\""),
        "the bar links it: {empty}"
    );
    browser.quick_add("Paint the <fence>").await;
    let list = browser.page("/").await;
    let token = csrf(&list);
    let deleted = browser
        .post("/tasks/1/delete", &[("csrf", &token), ("back", "/")])
        .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    let trash = browser.page("/trash").await;
    assert!(trash.contains("Paint the &#60;fence&#62;"), "{trash}");
    assert!(trash.contains("action=\"/tasks/1/restore\""), "{trash}");
    let restored = browser
        .post("/tasks/1/restore", &[("csrf", &token), ("back", "/trash")])
        .await;
    assert_eq!(restored.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        restored.headers()[reqwest::header::LOCATION],
        "/tasks/1?back=%2Ftrash"
    );
    let page = browser.page("/tasks/1?back=%2Ftrash").await;
    assert!(page.contains("Restored task 1"), "{page}");
    assert!(browser.page("/trash").await.contains("The trash is empty."));
}
