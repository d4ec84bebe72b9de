//! Browser sessions: the cookie, CSRF, the ways a session ends, and the
//! API's refusal of the cookie.

use reqwest::{header, Method, StatusCode};
use serde_json::json;
use taskd::forwarded::{parse_trusted, Forwarding};

use super::{csrf, titles, Browser};
use crate::helpers::{body, problem, TestApp, PASSWORD};

#[tokio::test]
async fn the_session_cookie_is_http_only_lax_and_secure_only_over_https() {
    let app = TestApp::spawn_with(|config| {
        config.forwarding = Forwarding {
            trusted: vec![parse_trusted("127.0.0.1/32").unwrap()],
            public_url: None,
        };
    })
    .await;
    app.register("alice", PASSWORD).await;
    let mut browser = Browser::new(&app);
    let logged_in = browser.log_in("alice", PASSWORD).await;
    assert_eq!(logged_in.status(), StatusCode::SEE_OTHER);
    let cookie = browser
        .set_cookies
        .iter()
        .find(|line| line.starts_with("taskd_session="))
        .unwrap()
        .clone();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");

    // Behind a trusted proxy speaking HTTPS, the cookies are Secure, and
    // the forms' origin is the HTTPS one.
    let mut secure = Browser::new(&app);
    secure.origin = "https://tasks.example.com".into();
    let page = app
        .request(Method::GET, "/login")
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "tasks.example.com")
        .send()
        .await
        .unwrap();
    let visitor = page.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(visitor.contains("Secure"), "{visitor}");
    let value = visitor
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();
    secure.cookies.insert("taskd_visitor".into(), value);
    let token = csrf(&page.text().await.unwrap());
    let body = serde_urlencoded::to_string([
        ("csrf", token.as_str()),
        ("username", "alice"),
        ("password", PASSWORD),
    ])
    .unwrap();
    let response = app
        .request(Method::POST, "/login")
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "tasks.example.com")
        .header(header::ORIGIN, "https://tasks.example.com")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(
            header::COOKIE,
            format!("taskd_visitor={}", secure.cookies["taskd_visitor"]),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let session = response.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(
        session.starts_with("taskd_session=") && session.contains("Secure"),
        "{session}"
    );
}

#[tokio::test]
async fn forms_without_the_token_or_from_another_site_change_nothing() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    let page = browser.page("/").await;
    let token = csrf(&page);
    let add = |token: &str| {
        serde_urlencoded::to_string([("csrf", token), ("back", "/"), ("q", "Sneaky")]).unwrap()
    };
    let origin = browser.origin.clone();
    // No token, a wrong one, another user's: refused.
    for sent in ["", "not-the-token", "x"] {
        let refused = browser.post_raw("/tasks", add(sent), Some(&origin)).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{sent:?}");
    }
    // A form without the field at all: the same answer.
    let bare = serde_urlencoded::to_string([("back", "/"), ("q", "Sneaky")]).unwrap();
    let refused = browser.post_raw("/tasks", bare, Some(&origin)).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    // The right token from another site's page: refused.
    let refused = browser
        .post_raw("/tasks", add(&token), Some("https://evil.example"))
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.text().await.unwrap().contains("another site"));
    // Logging in from another site's page is refused as well.
    let mut other = Browser::new(&app);
    let login = other.page("/login").await;
    let refused = other
        .post_raw(
            "/login",
            serde_urlencoded::to_string([
                ("csrf", csrf(&login).as_str()),
                ("username", "alice"),
                ("password", PASSWORD),
            ])
            .unwrap(),
            Some("https://evil.example"),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(!other.cookies.contains_key("taskd_session"));
    // Nothing was added; the right token from here still works.
    assert!(titles(&browser.page("/").await).is_empty());
    let added = browser.post_raw("/tasks", add(&token), Some(&origin)).await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    assert_eq!(titles(&browser.page("/").await), ["Sneaky"]);
}

#[tokio::test]
async fn the_session_ends_on_logout_password_change_and_deactivation() {
    let app = TestApp::spawn().await;
    let root = app.admin("root").await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    let alice_id = body(
        app.get("/api/admin/users/", &root.access)
            .send()
            .await
            .unwrap(),
    )
    .await["results"][1]["id"]
        .as_i64()
        .unwrap();

    // Logout: the old cookie is dead, even sent again.
    let saved = browser.cookies.clone();
    let token = csrf(&browser.page("/").await);
    let out = browser.post("/logout", &[("csrf", &token)]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(out.headers()[header::LOCATION], "/login");
    // The browser is told to forget the cookie.
    let cleared = out.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(cleared.starts_with("taskd_session=;"), "{cleared}");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    browser.cookies = saved;
    assert_eq!(browser.get("/").await.status(), StatusCode::SEE_OTHER);

    // A password change through the API ends the browser's login.
    assert_eq!(
        browser.log_in("alice", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(browser.get("/").await.status(), StatusCode::OK);
    let alice = app.logged_in(alice_id, "alice").await;
    let changed = app
        .post(
            "/api/me/password/",
            &alice.access,
            &json!({"current_password": PASSWORD, "new_password": "a brand new secret 7"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    assert_eq!(browser.get("/").await.status(), StatusCode::SEE_OTHER);

    // Deactivation by an admin ends it too.
    assert_eq!(
        browser
            .log_in("alice", "a brand new secret 7")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(browser.get("/").await.status(), StatusCode::OK);
    let deactivated = app
        .patch(
            &format!("/api/admin/users/{alice_id}/"),
            &root.access,
            &json!({"is_active": false}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deactivated.status(), StatusCode::OK);
    let sent_away = browser.get("/").await;
    assert_eq!(sent_away.status(), StatusCode::SEE_OTHER);
    // The login page it leads to says the session ended, and why it may
    // have; one asked for without a session says nothing of the kind.
    let location = sent_away.headers()[header::LOCATION].to_str().unwrap();
    assert_eq!(location, "/login?next=%2F&ended=1");
    // The dead cookie is taken away with it, so the notice is said once.
    let cleared = sent_away.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(cleared.starts_with("taskd_session=;"), "{cleared}");
    let ended = browser.page(location).await;
    assert!(ended.contains("Your session has ended"), "{ended}");
    assert!(ended.contains("deactivated"), "{ended}");
    assert!(!Browser::new(&app)
        .page("/login?next=%2F")
        .await
        .contains("Your session has ended"));
    // And the login page says why a login is refused now.
    let refused = browser.log_in("alice", "a brand new secret 7").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.text().await.unwrap().contains("inactive"));
}

#[tokio::test]
async fn the_api_refuses_the_cookie_and_a_wrong_password_is_a_page() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    let session = browser.cookies["taskd_session"].clone();
    let api = app
        .request(Method::GET, "/api/tasks/")
        .header(header::COOKIE, format!("taskd_session={session}"))
        .send()
        .await
        .unwrap();
    problem(api, StatusCode::UNAUTHORIZED).await;

    let mut stranger = Browser::new(&app);
    let refused = stranger.log_in("alice", "not her password").await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let page = refused.text().await.unwrap();
    assert!(page.contains("No active account found with the given credentials."));
    // The username stays in its box.
    assert!(page.contains("value=\"alice\""));
    assert!(!stranger.cookies.contains_key("taskd_session"));
}

#[tokio::test]
async fn the_event_stream_takes_the_session_cookie_and_ends_with_its_login() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    let session = format!("taskd_session={}", browser.cookies["taskd_session"]);
    let mut stream = app
        .request(Method::GET, "/api/events/")
        .header(header::COOKIE, &session)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let mut seen = String::new();
    while !seen.contains("event: ready") {
        seen.push_str(&String::from_utf8_lossy(
            &stream.chunk().await.unwrap().unwrap(),
        ));
    }
    // A bad token is not made good by a cookie; no cookie, no stream.
    let bad = app
        .request(Method::GET, "/api/events/")
        .header(header::COOKIE, &session)
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    problem(bad, StatusCode::UNAUTHORIZED).await;
    let none = app
        .request(Method::GET, "/api/events/")
        .send()
        .await
        .unwrap();
    problem(none, StatusCode::UNAUTHORIZED).await;
    // Logging out ends the stream.
    let token = csrf(&browser.page("/").await);
    browser.post("/logout", &[("csrf", &token)]).await;
    let ended = tokio::time::timeout(std::time::Duration::from_secs(2), async {
        while let Ok(Some(chunk)) = stream.chunk().await {
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream went on: {seen}");
    assert!(seen.contains("event: logout"), "{seen}");
}

/// A form opened before a new login (another tab logged out and in) holds
/// a token that no longer does: nothing is saved, and the form comes back
/// with what was typed and a token that holds, to send once more.
#[tokio::test]
async fn a_form_opened_before_a_new_login_comes_back_with_what_was_typed() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    browser.quick_add("Paint the fence").await;
    let old = csrf(&browser.page("/").await);
    browser.post("/logout", &[("csrf", &old)]).await;
    browser.log_in("alice", PASSWORD).await;

    let typed = [
        ("csrf", old.as_str()),
        ("back", "/"),
        ("q", "Buy milk +errands"),
    ];
    let again = browser.post("/tasks", &typed).await;
    assert_eq!(again.status(), StatusCode::FORBIDDEN);
    let page = again.text().await.unwrap();
    assert!(page.contains("nothing was saved"), "{page}");
    assert!(page.contains("value=\"Buy milk +errands\""), "{page}");
    let fresh = csrf(&page);
    assert_ne!(fresh, old);
    assert_eq!(titles(&browser.page("/").await), ["Paint the fence"]);
    let sent = [
        ("csrf", fresh.as_str()),
        ("back", "/"),
        ("q", "Buy milk +errands"),
    ];
    assert_eq!(
        browser.post("/tasks", &sent).await.status(),
        StatusCode::SEE_OTHER
    );

    // A task's page likewise.
    let edit = [
        ("csrf", old.as_str()),
        ("version", "1"),
        ("back", "/"),
        ("title", "Paint the gate"),
        ("status", "pending"),
    ];
    let again = browser.post("/tasks/1", &edit).await;
    assert_eq!(again.status(), StatusCode::FORBIDDEN);
    let page = again.text().await.unwrap();
    assert!(page.contains("value=\"Paint the gate\""), "{page}");
    assert_ne!(csrf(&page), old);
    let titles_now = titles(&browser.page("/").await);
    assert!(
        titles_now.contains(&"Paint the fence".to_string()),
        "{titles_now:?}"
    );
}
