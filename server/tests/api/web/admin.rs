//! The admin panel: who may see it, the users list, the bulk actions and
//! their confirmation, adding and changing users, the admin log, and
//! everyone's tasks.

use reqwest::{header, StatusCode};
use serde_json::json;
use taskd::store::NewUser;

use super::{csrf, Browser};
use crate::helpers::{body, TestApp, PASSWORD};

/// An admin's browser, logged in.
async fn admin_browser<'a>(app: &'a TestApp, username: &str) -> Browser<'a> {
    app.admin(username).await;
    let mut browser = Browser::new(app);
    let response = browser.log_in(username, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    browser
}

/// The usernames in a users list page, in order.
fn usernames(page: &str) -> Vec<String> {
    page.split("<td><a href=\"/admin/users/")
        .skip(1)
        .map(|rest| {
            let text = rest.split_once('>').unwrap().1;
            text.split("</a>").next().unwrap().to_string()
        })
        .collect()
}

/// The account `username`'s id, through the API's admin list.
async fn user_id(app: &TestApp, admin: &str, username: &str) -> i64 {
    let token = body(app.login(admin, PASSWORD).await).await["access"]
        .as_str()
        .unwrap()
        .to_string();
    let page = body(
        app.get(&format!("/api/admin/users/?search={username}"), &token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    page["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|user| user["username"] == username)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn the_panel_is_for_admins_only() {
    let app = TestApp::spawn().await;
    let mut visitor = Browser::new(&app);
    let response = visitor.get("/admin/users?is_active=false").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()[header::LOCATION],
        "/login?next=%2Fadmin%2Fusers%3Fis_active%3Dfalse"
    );

    let bob = app.user("bob").await;
    let mut browser = Browser::new(&app);
    browser.register("mallory").await;
    let list = browser.page("/").await;
    assert!(!list.contains("href=\"/admin/\""), "no admin link");
    for path in [
        "/admin/",
        "/admin/users",
        "/admin/tasks",
        "/admin/users/add",
        &format!("/admin/users/{}", bob.id),
    ] {
        let response = browser.get(path).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        let page = response.text().await.unwrap();
        assert!(page.contains("for admins only"), "{path}: {page}");
        // Still logged in, and shown so: their links and the log out.
        assert!(page.contains("mallory"), "{path}: {page}");
        assert!(page.contains("href=\"/import\""), "{path}: {page}");
        assert!(!page.contains("href=\"/admin/\""), "{path}: {page}");
    }
    // A form posted by a non-admin changes nothing.
    let token = csrf(&list);
    let bulk = browser
        .post(
            "/admin/users/bulk",
            &[
                ("csrf", &token),
                ("action", "delete"),
                ("confirm", "yes"),
                ("ids", &bob.id.to_string()),
            ],
        )
        .await;
    assert_eq!(bulk.status(), StatusCode::FORBIDDEN);
    let me = app.get("/api/me/", &bob.access).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);

    let mut admin = admin_browser(&app, "root").await;
    let index = admin.page("/admin/").await;
    assert!(index.contains("Recent actions"), "{index}");
    assert!(admin.page("/").await.contains("href=\"/admin/\""));
    // What the panel cannot find leads back to the panel.
    for path in ["/admin/users/999999", "/admin/users/x"] {
        let response = admin.get(path).await;
        assert!(response.status().is_client_error(), "{path}");
        let page = response.text().await.unwrap();
        assert!(
            page.contains("<a href=\"/admin/\">Back to the admin panel</a>"),
            "{path}: {page}"
        );
        assert!(page.contains("No such user."), "{path}: {page}");
    }
    // An address under the panel that names nothing is no sign of an
    // admin: it leads to one's tasks.
    let response = browser.get("/admin/nonexistent").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("<a href=\"/\">Back to your tasks</a>"),
        "{page}"
    );
}

#[tokio::test]
async fn the_users_list_searches_filters_sorts_and_pages_with_a_total() {
    let app = TestApp::spawn().await;
    let mut admin = admin_browser(&app, "root").await;
    let store = &app.server.state.store;
    for n in 0..104 {
        store
            .create_user(NewUser {
                username: format!("user{n:03}"),
                email: format!("u{n}@example.com"),
                password_hash: "not a hash".into(),
                is_admin: false,
            })
            .await
            .unwrap()
            .unwrap();
    }
    let bob = app.user("bob").await;
    app.task(&bob, json!({"title": "one"})).await;
    app.task(&bob, json!({"title": "two"})).await;

    let first = admin.page("/admin/users").await;
    assert!(first.contains("106 users"), "the total");
    assert_eq!(usernames(&first).len(), 100, "100 a page");
    assert_eq!(usernames(&first)[0], "root");
    let next = first
        .split("rel=\"next\"")
        .next()
        .unwrap()
        .rsplit("href=\"")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    assert_eq!(next, "/admin/users?offset=100");
    // Past the end, the way back is to the last page with users on it.
    let beyond = admin.page("/admin/users?offset=500").await;
    assert!(beyond.contains("No users this far down"), "{beyond}");
    assert!(
        beyond.contains("href=\"/admin/users?offset=100\" rel=\"prev\""),
        "{beyond}"
    );
    let second = admin.page(&next).await;
    assert_eq!(
        usernames(&second),
        ["user099", "user100", "user101", "user102", "user103", "bob"]
    );

    let found = admin.page("/admin/users?search=USER10").await;
    assert_eq!(
        usernames(&found),
        ["user100", "user101", "user102", "user103"]
    );
    assert!(found.contains("4 users"));
    let by_email = admin.page("/admin/users?search=u7%40example").await;
    assert_eq!(usernames(&by_email), ["user007"]);

    let by_tasks = admin.page("/admin/users?ordering=-task_count").await;
    assert_eq!(usernames(&by_tasks)[0], "bob");
    assert!(by_tasks.contains("aria-sort=\"descending\""));
    let by_name = admin.page("/admin/users?ordering=-username").await;
    assert_eq!(usernames(&by_name)[0], "user103");

    let admins = admin.page("/admin/users?is_admin=true").await;
    assert_eq!(usernames(&admins), ["root"]);
    let inactive = admin.page("/admin/users?is_active=false").await;
    assert!(usernames(&inactive).is_empty());
    assert!(inactive.contains("No user matches."));

    let bad = admin.get("/admin/users?ordering=password").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("ordering"));
}

#[tokio::test]
async fn bulk_actions_say_what_will_go_before_doing_it() {
    let app = TestApp::spawn().await;
    let mut admin = admin_browser(&app, "root").await;
    let root = user_id(&app, "root", "root").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    for title in ["a", "b", "c"] {
        app.task(&carol, json!({"title": title})).await;
    }
    // One more, deleted: it waits in her trash.
    let binned = app.task(&carol, json!({"title": "binned"})).await;
    let deleted = app
        .delete(&format!("/api/tasks/{}/", binned["id"]), &carol.access)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let page = admin.page("/admin/users").await;
    let token = csrf(&page);
    let (bob_id, carol_id) = (bob.id.to_string(), carol.id.to_string());

    // Deactivate: first the confirmation, with nothing changed yet.
    let fields = [
        ("csrf", token.as_str()),
        ("action", "deactivate"),
        ("ids", &bob_id),
        ("ids", &carol_id),
    ];
    let confirm = admin.post("/admin/users/bulk", &fields).await;
    assert_eq!(confirm.status(), StatusCode::OK);
    let confirm = confirm.text().await.unwrap();
    assert!(confirm.contains("Deactivate 2 users?"), "{confirm}");
    assert!(confirm.contains("bob (no email), 0 tasks"), "{confirm}");
    assert!(confirm.contains("carol (no email), 3 tasks"), "{confirm}");
    let me = app.get("/api/me/", &bob.access).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK, "not yet");
    let mut confirmed = fields.to_vec();
    confirmed.push(("confirm", "yes"));
    let done = admin.post("/admin/users/bulk", &confirmed).await;
    assert_eq!(done.status(), StatusCode::OK);
    assert!(done.text().await.unwrap().contains("Deactivated 2 users."));
    let me = app.get("/api/me/", &bob.access).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED, "logged out at once");

    // Deleting oneself is refused, with the others, and nothing goes.
    let root_id = root.to_string();
    let with_self = [
        ("csrf", token.as_str()),
        ("action", "delete"),
        ("ids", &carol_id),
        ("ids", &root_id),
    ];
    let refused = admin.post("/admin/users/bulk", &with_self).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("your own account"), "{refused}");
    assert!(!refused.contains("Yes, delete"));
    assert!(
        !refused.contains("This cannot be undone"),
        "refused, not asked: {refused}"
    );
    // Nothing ticked: said, with the way back to the list.
    let none = admin
        .post(
            "/admin/users/bulk",
            &[("csrf", token.as_str()), ("action", "delete")],
        )
        .await;
    assert_eq!(none.status(), StatusCode::BAD_REQUEST);
    let none = none.text().await.unwrap();
    assert!(none.contains("No users were selected"), "{none}");
    assert!(none.contains("href=\"/admin/users\""), "{none}");
    let mut forced = with_self.to_vec();
    forced.push(("confirm", "yes"));
    let forced = admin.post("/admin/users/bulk", &forced).await;
    assert_eq!(forced.status(), StatusCode::BAD_REQUEST);
    assert_eq!(usernames(&admin.page("/admin/users").await).len(), 3);

    // Delete: the users and their task counts, then the deletion.
    let fields = [
        ("csrf", token.as_str()),
        ("action", "delete"),
        ("ids", &carol_id),
    ];
    let confirm = admin
        .post("/admin/users/bulk", &fields)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        confirm.contains(
            "Delete 1 user and their 3 tasks, and 1 in their trash? This cannot be undone."
        ),
        "{confirm}"
    );
    assert!(
        confirm.contains("carol (no email), 3 tasks and 1 in the trash"),
        "{confirm}"
    );
    let mut confirmed = fields.to_vec();
    confirmed.push(("confirm", "yes"));
    let done = admin
        .post("/admin/users/bulk", &confirmed)
        .await
        .text()
        .await
        .unwrap();
    assert!(done.contains("Deleted 1 user."), "{done}");
    assert!(done.contains("carol, with 3 tasks"), "{done}");
    // Sent again (a reload), it does nothing and says so.
    let again = admin.post("/admin/users/bulk", &confirmed).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert!(again.text().await.unwrap().contains("gone already"));
    assert_eq!(
        usernames(&admin.page("/admin/users").await),
        ["root", "bob"]
    );
    assert_eq!(
        app.login("carol", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // Without the form's token, nothing happens.
    let forged = admin
        .post(
            "/admin/users/bulk",
            &[("action", "delete"), ("confirm", "yes"), ("ids", &bob_id)],
        )
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        usernames(&admin.page("/admin/users").await),
        ["root", "bob"]
    );

    // Reactivating brings bob back, and the log says all of it.
    let fields = [
        ("csrf", token.as_str()),
        ("action", "activate"),
        ("ids", &bob_id),
        ("confirm", "yes"),
    ];
    admin.post("/admin/users/bulk", &fields).await;
    assert_eq!(app.login("bob", PASSWORD).await.status(), StatusCode::OK);
    let index = admin.page("/admin/").await;
    for line in [
        "Changed user bob",
        "Activated.",
        "Deactivated.",
        "Deleted user carol",
        "Deleted, with 3 tasks.",
    ] {
        assert!(index.contains(line), "{line}: {index}");
    }
}

#[tokio::test]
async fn admins_add_and_change_users_and_each_change_is_in_their_history() {
    let app = TestApp::spawn().await;
    let mut admin = admin_browser(&app, "root").await;
    let page = admin.page("/admin/users/add").await;
    let token = csrf(&page);

    let weak = admin
        .post(
            "/admin/users/add",
            &[
                ("csrf", &token),
                ("username", "dave"),
                ("email", "dave@example.com"),
                ("password", "password"),
                ("password2", "password"),
            ],
        )
        .await;
    assert_eq!(weak.status(), StatusCode::BAD_REQUEST);
    let weak = weak.text().await.unwrap();
    assert!(
        weak.contains("value=\"dave\""),
        "the form keeps what was typed"
    );
    // Named as the form's own label names the box.
    assert!(weak.contains("Password: "), "{weak}");
    assert!(!weak.contains("password: "), "{weak}");
    assert_eq!(
        app.login("dave", "password").await.status(),
        StatusCode::UNAUTHORIZED
    );

    let added = admin
        .post(
            "/admin/users/add",
            &[
                ("csrf", &token),
                ("username", "dave"),
                ("email", "dave@example.com"),
                ("password", PASSWORD),
                ("password2", PASSWORD),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let location = added.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    let dave_page = admin.page(&location).await;
    assert!(dave_page.contains("Added."), "{dave_page}");
    let path = location.split('?').next().unwrap().to_string();
    let dave_token = body(app.login("dave", PASSWORD).await).await["access"]
        .as_str()
        .unwrap()
        .to_string();

    // Change the email and make dave an admin.
    let saved = admin
        .post(
            &path,
            &[
                ("csrf", &token),
                ("email", "dave@work.example"),
                ("flags", "shown"),
                ("is_active", "on"),
                ("is_admin", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let me = body(app.get("/api/me/", &dave_token).send().await.unwrap()).await;
    assert_eq!(me["email"], "dave@work.example");
    assert_eq!(me["is_admin"], true);
    // A form missing its fields changes nothing (an unticked box counts
    // only beside the form's marker).
    let bare = admin.post(&path, &[("csrf", &token)]).await;
    assert_eq!(bare.status(), StatusCode::SEE_OTHER);
    let me = body(app.get("/api/me/", &dave_token).send().await.unwrap()).await;
    assert_eq!(me["email"], "dave@work.example");
    assert_eq!(me["is_admin"], true);
    let bad_email = admin
        .post(
            &path,
            &[
                ("csrf", &token),
                ("email", "not an email"),
                ("is_active", "on"),
            ],
        )
        .await;
    assert_eq!(bad_email.status(), StatusCode::BAD_REQUEST);
    assert!(bad_email.text().await.unwrap().contains("valid email"));

    // A new password ends dave's logins.
    let differ = admin
        .post(
            &format!("{path}/password"),
            &[
                ("csrf", &token),
                ("password", "a new secret 4u"),
                ("password2", "another"),
            ],
        )
        .await;
    assert_eq!(differ.status(), StatusCode::BAD_REQUEST);
    // Too easy to guess: named as the form's box, "Password".
    let weak = admin
        .post(
            &format!("{path}/password"),
            &[
                ("csrf", &token),
                ("password", "password"),
                ("password2", "password"),
            ],
        )
        .await;
    assert_eq!(weak.status(), StatusCode::BAD_REQUEST);
    let weak = weak.text().await.unwrap();
    assert!(
        weak.contains("Password: ") && !weak.contains("password: "),
        "{weak}"
    );
    let set = admin
        .post(
            &format!("{path}/password"),
            &[
                ("csrf", &token),
                ("password", "sailing boats at dawn"),
                ("password2", "sailing boats at dawn"),
            ],
        )
        .await;
    assert_eq!(set.status(), StatusCode::SEE_OTHER);
    let me = app.get("/api/me/", &dave_token).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.login("dave", "sailing boats at dawn").await.status(),
        StatusCode::OK
    );

    // Ending dave's logins keeps the password: the token is refused, and
    // the same password logs in again. Without the form's token, nothing.
    let dave_login = body(app.login("dave", "sailing boats at dawn").await).await;
    let dave_again = dave_login["access"].as_str().unwrap().to_string();
    let dave_refresh = dave_login["refresh"].as_str().unwrap().to_string();
    let forged = admin.post(&format!("{path}/logins"), &[]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let me = app.get("/api/me/", &dave_again).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let ended = admin
        .post(&format!("{path}/logins"), &[("csrf", &token)])
        .await;
    assert_eq!(ended.status(), StatusCode::SEE_OTHER);
    let me = app.get("/api/me/", &dave_again).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.refresh(&dave_refresh).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("dave", "sailing boats at dawn").await.status(),
        StatusCode::OK
    );
    let page = admin.page(&format!("{path}?saved=logins")).await;
    assert!(
        page.contains("Every login of this user has ended"),
        "{page}"
    );
    assert!(page.contains("Ended every login."), "{page}");

    // An admin cannot demote or deactivate themselves.
    let root = user_id(&app, "root", "root").await;
    let demoted = admin
        .post(
            &format!("/admin/users/{root}"),
            &[
                ("csrf", &token),
                ("email", ""),
                ("flags", "shown"),
                ("is_active", "on"),
            ],
        )
        .await;
    assert_eq!(demoted.status(), StatusCode::BAD_REQUEST);
    assert!(demoted.text().await.unwrap().contains("your own account"));
    // So one's own page shows the boxes that cannot change as such, and its
    // form saves the rest.
    let own = admin.page(&format!("/admin/users/{root}")).await;
    assert_eq!(own.matches(" disabled>").count(), 2, "{own}");
    assert!(!own.contains("name=\"flags\""), "{own}");
    let saved = admin
        .post(
            &format!("/admin/users/{root}"),
            &[("csrf", &token), ("email", "root@example.org")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert!(admin
        .page(&format!("/admin/users/{root}"))
        .await
        .contains("value=\"root@example.org\""));
    assert!(admin.page("/admin/").await.contains("Recent actions"));

    // The API's admin actions are in the same log, said to be the API's.
    let root_token = body(app.login("root", PASSWORD).await).await["access"]
        .as_str()
        .unwrap()
        .to_string();
    let dave_id = path.rsplit('/').next().unwrap();
    let patched = app
        .patch(
            &format!("/api/admin/users/{dave_id}/"),
            &root_token,
            &json!({"is_admin": false}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);
    let history = admin.page(&path).await;
    let entries: Vec<&str> = [
        "No longer an admin.",
        "Set a new password.",
        "Changed the email, made an admin.",
        "Added.",
    ]
    .into_iter()
    .filter(|entry| history.contains(entry))
    .collect();
    assert_eq!(entries.len(), 4, "{history}");
    let newest = history.find("No longer an admin.").unwrap();
    let oldest = history.find("Added.</td>").unwrap();
    assert!(newest < oldest, "newest first");
    assert!(history.contains("root <span class=\"muted\">(API)</span>"));
    assert!(history.contains("root <span class=\"muted\">(web)</span>"));
}

#[tokio::test]
async fn admins_search_filter_and_delete_everyones_tasks() {
    let app = TestApp::spawn().await;
    let mut admin = admin_browser(&app, "root").await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let spam = app
        .task(
            &alice,
            json!({"title": "<script>alert(1)</script> cheap pills"}),
        )
        .await;
    let water = app
        .task(
            &alice,
            json!({"title": "Water the plants", "status": "done"}),
        )
        .await;
    let pharmacy = app
        .task(&bob, json!({"title": "Buy pills at the pharmacy"}))
        .await;

    let all = admin.page("/admin/tasks").await;
    assert!(all.contains("3 tasks"));
    assert!(!all.contains("<script>alert"), "escaped");
    assert!(all.contains("&#60;script&#62;") || all.contains("&lt;script&gt;"));
    let pills = admin.page("/admin/tasks?search=PILLS").await;
    assert!(pills.contains("2 tasks"), "{pills}");
    let alices = admin.page("/admin/tasks?search=pills&user=alice").await;
    assert!(alices.contains("1 task<"), "{alices}");
    let done = admin.page("/admin/tasks?status=done").await;
    assert!(done.contains("Water the plants") && done.contains("1 task<"));
    let bad = admin.get("/admin/tasks?status=lost").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    let token = csrf(&all);
    let id = spam["id"].as_i64().unwrap().to_string();
    let confirm = admin
        .post("/admin/tasks/delete", &[("csrf", &token), ("ids", &id)])
        .await
        .text()
        .await
        .unwrap();
    assert!(confirm.contains("cheap pills” of alice"), "{confirm}");
    let still = app
        .get(&format!("/api/tasks/{id}/"), &alice.access)
        .send()
        .await
        .unwrap();
    assert_eq!(still.status(), StatusCode::OK, "not yet");
    let done = admin
        .post(
            "/admin/tasks/delete",
            &[("csrf", &token), ("ids", &id), ("confirm", "yes")],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(done.contains("Deleted 1 task."), "{done}");
    let gone = app
        .get(&format!("/api/tasks/{id}/"), &alice.access)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    assert!(admin
        .page("/admin/")
        .await
        .contains("Deleted a task of alice."));

    // Its owner can take it back.
    let undone = app
        .post("/api/undo/", &alice.access, &json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(undone.status(), StatusCode::OK);
    let back = app
        .get(&format!("/api/tasks/{id}/"), &alice.access)
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), StatusCode::OK);

    // Several owners' tasks at once: each owner's in one step of theirs.
    let ids = [&spam, &water, &pharmacy].map(|task| task["id"].as_i64().unwrap().to_string());
    let mut fields = vec![("csrf", token.as_str()), ("confirm", "yes")];
    fields.extend(ids.iter().map(|id| ("ids", id.as_str())));
    let done = admin.post("/admin/tasks/delete", &fields).await;
    assert!(done.text().await.unwrap().contains("Deleted 3 tasks."));
    for (owner, tasks) in [(&alice, vec![&spam, &water]), (&bob, vec![&pharmacy])] {
        let undone = app
            .post("/api/undo/", &owner.access, &json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(undone.status(), StatusCode::OK);
        for task in tasks {
            let back = app
                .get(&format!("/api/tasks/{}/", task["id"]), &owner.access)
                .send()
                .await
                .unwrap();
            assert_eq!(back.status(), StatusCode::OK, "one undo brings {task} back");
        }
    }
}
