use reqwest::{header, Method, StatusCode};
use serde_json::json;

use crate::helpers::{body, error_fields, problem, TestApp, PASSWORD};

#[tokio::test]
async fn register_returns_the_account_and_stores_an_argon2id_hash() {
    let app = TestApp::spawn().await;
    let response = app
        .request(Method::POST, "/api/register/")
        .json(&json!({"username": "alice", "password": PASSWORD, "email": "a@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    let user = body(response).await;
    assert_eq!(user["username"], "alice");
    assert_eq!(user["email"], "a@example.com");
    assert_eq!(user["is_admin"], false);
    assert!(user["id"].is_i64() && user["date_joined"].as_str().unwrap().ends_with('Z'));
    assert!(user.get("password").is_none());

    let record = app
        .server
        .state
        .store
        .user_by_username("alice")
        .await
        .unwrap()
        .unwrap();
    assert!(
        record
            .password_hash
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{}",
        record.password_hash
    );
}

#[tokio::test]
async fn usernames_are_unique_case_insensitively() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.register("Alice", PASSWORD).await.status(),
        StatusCode::CREATED
    );
    let taken = problem(app.register("aLiCe", PASSWORD).await, StatusCode::CONFLICT).await;
    assert_eq!(error_fields(&taken), ["username"]);
    // Beside another field's error it is told too, so that one answer
    // says everything to change.
    let both = problem(
        app.register("alice", "short").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(error_fields(&both), ["password", "username"]);
    assert_eq!(
        both["errors"]["username"][0],
        "A user with that username already exists."
    );
}

#[tokio::test]
async fn register_validates_every_field() {
    let app = TestApp::spawn().await;
    for (body, field) in [
        (json!({"username": "ab", "password": PASSWORD}), "username"),
        (
            json!({"username": "a".repeat(151), "password": PASSWORD}),
            "username",
        ),
        (
            json!({"username": "with space", "password": PASSWORD}),
            "username",
        ),
        (json!({"username": "bob", "password": "short"}), "password"),
        (
            json!({"username": "bob", "password": "1234567890"}),
            "password",
        ),
        (
            json!({"username": "bobbybobby", "password": "bobbybobby"}),
            "password",
        ),
        (
            json!({"username": "bob", "password": PASSWORD, "email": "nope"}),
            "email",
        ),
    ] {
        let response = app
            .request(Method::POST, "/api/register/")
            .json(&body)
            .send()
            .await
            .unwrap();
        let problem = problem(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&problem), [field], "{body}");
    }
    let missing = app
        .request(Method::POST, "/api/register/")
        .json(&json!({"username": "bob"}))
        .send()
        .await
        .unwrap();
    problem(missing, StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn login_returns_simplejwt_shaped_tokens() {
    let app = TestApp::spawn().await;
    app.register("alice", PASSWORD).await;
    let response = app.login("ALICE", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let tokens = body(response).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    let access = tokens["access"].as_str().unwrap();
    let me = app.get("/api/me/", access).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(body(me).await["username"], "alice");
}

#[tokio::test]
async fn unknown_user_and_wrong_password_look_the_same() {
    let app = TestApp::spawn().await;
    app.register("alice", PASSWORD).await;
    let wrong = app.login("alice", "not the password").await;
    assert_eq!(wrong.headers()[header::WWW_AUTHENTICATE], "Bearer");
    let wrong = problem(wrong, StatusCode::UNAUTHORIZED).await;
    let unknown = problem(
        app.login("nobody", "not the password").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(wrong, unknown);
}

#[tokio::test]
async fn refresh_rotates_and_the_old_token_stops_working() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let refreshed = app.refresh(&alice.refresh).await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let pair = body(refreshed).await;
    assert_ne!(pair["refresh"], alice.refresh.as_str());
    let access = pair["access"].as_str().unwrap();
    assert_eq!(
        app.get("/api/me/", access).send().await.unwrap().status(),
        StatusCode::OK
    );

    let again = app
        .request(Method::POST, "/api/token/refresh")
        .json(&json!({"refresh": pair["refresh"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_revokes_the_whole_login() {
    // A short grace window, passed before the spent token comes back.
    let app = TestApp::spawn_with(|config| {
        config.refresh_grace = std::time::Duration::from_millis(300);
    })
    .await;
    let alice = app.user("alice").await;
    let pair = body(app.refresh(&alice.refresh).await).await;
    let new_refresh = pair["refresh"].as_str().unwrap().to_string();
    let new_access = pair["access"].as_str().unwrap().to_string();
    let before = app.get("/api/me/", &new_access).send().await.unwrap();
    assert_eq!(before.status(), StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    // The stolen, spent token comes back...
    problem(app.refresh(&alice.refresh).await, StatusCode::UNAUTHORIZED).await;
    // ...and the whole login is gone: the newest refresh and access tokens too.
    problem(app.refresh(&new_refresh).await, StatusCode::UNAUTHORIZED).await;
    problem(
        app.get("/api/me/", &new_access).send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    // Another login of the same user is untouched.
    let other = app.logged_in(alice.id, "alice").await;
    assert_eq!(
        app.get("/api/me/", &other.access)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn two_refreshes_at_once_both_get_the_same_pair_and_the_login_goes_on() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    // Two tabs that both got a 401 refresh with the same token at once.
    let (first, second) = tokio::join!(app.refresh(&alice.refresh), app.refresh(&alice.refresh));
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(second.status(), StatusCode::OK);
    let (first, second) = (body(first).await, body(second).await);
    assert_eq!(first["refresh"], second["refresh"]);
    assert_eq!(first["access"], second["access"]);
    // A third, a little later but within the window: the same pair again.
    let third = body(app.refresh(&alice.refresh).await).await;
    assert_eq!(third, first);
    let access = first["access"].as_str().unwrap();
    assert_eq!(
        app.get("/api/me/", access).send().await.unwrap().status(),
        StatusCode::OK
    );
    // And the successor rotates as any refresh token does.
    let next = app.refresh(first["refresh"].as_str().unwrap()).await;
    assert_eq!(next.status(), StatusCode::OK);
    assert_ne!(body(next).await["refresh"], first["refresh"]);
}

#[tokio::test]
async fn logout_revokes_that_login() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let other = app.logged_in(alice.id, "alice").await;
    let response = app.logout(&alice).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let refresh = app.refresh(&alice.refresh).await;
    problem(refresh, StatusCode::UNAUTHORIZED).await;
    problem(
        app.get("/api/me/", &alice.access).send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(
        app.get("/api/me/", &other.access)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn logout_needs_the_access_token_and_a_refresh_token_of_ones_own() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let without = app
        .request(Method::POST, "/api/logout/")
        .json(&json!({"refresh": alice.refresh}))
        .send()
        .await
        .unwrap();
    problem(without, StatusCode::UNAUTHORIZED).await;
    let foreign = app
        .post(
            "/api/logout/",
            &bob.access,
            &json!({"refresh": alice.refresh}),
        )
        .send()
        .await
        .unwrap();
    problem(foreign, StatusCode::UNAUTHORIZED).await;
    assert_eq!(
        app.get("/api/me/", &alice.access)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn password_change_ends_every_older_token() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let second = app.logged_in(alice.id, "alice").await;
    let wrong = app
        .post(
            "/api/me/password/",
            &alice.access,
            &json!({"current_password": "not it at all", "new_password": "a new passphrase"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_fields(&problem(wrong, StatusCode::BAD_REQUEST).await),
        ["current_password"]
    );
    let weak = app
        .post(
            "/api/me/password/",
            &alice.access,
            &json!({"current_password": PASSWORD, "new_password": "123"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_fields(&problem(weak, StatusCode::BAD_REQUEST).await),
        ["new_password"]
    );

    let changed = app
        .post(
            "/api/me/password/",
            &alice.access,
            &json!({"current_password": PASSWORD, "new_password": "a new passphrase"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    for token in [&alice.access, &second.access] {
        problem(
            app.get("/api/me/", token).send().await.unwrap(),
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }
    for refresh in [&alice.refresh, &second.refresh] {
        let response = app.refresh(refresh).await;
        problem(response, StatusCode::UNAUTHORIZED).await;
    }
    problem(app.login("alice", PASSWORD).await, StatusCode::UNAUTHORIZED).await;
    let fresh = body(app.login("alice", "a new passphrase").await).await;
    let me = app
        .get("/api/me/", fresh["access"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_deactivated_users_live_token_stops_at_once_and_login_is_403() {
    let app = TestApp::spawn().await;
    let admin = app.admin("root").await;
    let alice = app.user("alice").await;
    // Used once before, so that an answer remembered from then must not count.
    let before = app.get("/api/tasks/", &alice.access).send().await.unwrap();
    assert_eq!(before.status(), StatusCode::OK);
    // A login refreshed once: its first refresh token is spent.
    let rotated = body(app.refresh(&alice.refresh).await).await;
    let live_refresh = rotated["refresh"].as_str().unwrap().to_string();
    let response = app
        .patch(
            &format!("/api/admin/users/{}/", alice.id),
            &admin.access,
            &json!({"is_active": false}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // Told apart from a token refused, so that a client says so rather
    // than ask for a login that would be refused.
    let refused = problem(
        app.get("/api/tasks/", &alice.access).send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(refused["code"], "user_inactive");
    assert_eq!(refused["detail"], "This account is inactive.");
    let refresh = app.refresh(&live_refresh).await;
    let refused = problem(refresh, StatusCode::UNAUTHORIZED).await;
    assert_eq!(refused["code"], "user_inactive");
    // A token spent before says nothing of the account.
    let spent = problem(app.refresh(&alice.refresh).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(spent["code"], "token_not_valid");
    problem(app.login("alice", PASSWORD).await, StatusCode::FORBIDDEN).await;

    // Active again: the old tokens stay dead; a new login works.
    let response = app
        .patch(
            &format!("/api/admin/users/{}/", alice.id),
            &admin.access,
            &json!({"is_active": true}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let refused = problem(
        app.get("/api/tasks/", &alice.access).send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(refused["code"], "token_not_valid");
    let refresh = app.refresh(&alice.refresh).await;
    let refused = problem(refresh, StatusCode::UNAUTHORIZED).await;
    assert_eq!(refused["code"], "token_not_valid");
    assert_eq!(app.login("alice", PASSWORD).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_deleted_users_live_token_stops_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin("root").await;
    let alice = app.user("alice").await;
    let before = app.get("/api/me/", &alice.access).send().await.unwrap();
    assert_eq!(before.status(), StatusCode::OK);
    let deleted = app
        .delete(&format!("/api/admin/users/{}", alice.id), &admin.access)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    problem(
        app.get("/api/me/", &alice.access).send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test]
async fn logins_whose_refresh_tokens_expired_are_deleted_by_the_hourly_purge() {
    if crate::helpers::postgres_server().is_some() {
        // Reads the SQLite file; on PostgreSQL the purge is checked with
        // several daemons.
        return;
    }
    let app = TestApp::spawn().await;
    let stale = app.user("alice").await;
    let live = app.logged_in(stale.id, "alice").await;
    let TestApp {
        server,
        client,
        dir,
        database: test_database,
    } = app;
    server.stop().await;

    let database = dir.path().join("taskd.sqlite3");
    let count = |sql: &str| -> i64 {
        let conn = rusqlite::Connection::open(&database).unwrap();
        conn.query_row(sql, [], |row| row.get(0)).unwrap()
    };
    // The first login's refresh token ran out long ago.
    rusqlite::Connection::open(&database)
        .unwrap()
        .execute(
            "UPDATE refresh_tokens SET expires_at = 0 \
             WHERE session_id = (SELECT min(id) FROM sessions)",
            [],
        )
        .unwrap();
    assert_eq!(count("SELECT count(*) FROM sessions"), 2);
    // The purge last ran an hour ago: a daemon starting now runs it.
    rusqlite::Connection::open(&database)
        .unwrap()
        .execute("UPDATE jobs SET last_run = last_run - 3600000000", [])
        .unwrap();

    let server = taskd::spawn(taskd::Config::for_tests(dir.path()))
        .await
        .unwrap();
    let app = TestApp {
        server,
        client,
        dir,
        database: test_database,
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while count("SELECT count(*) FROM sessions") != 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the expired login is still there"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(count("SELECT count(*) FROM refresh_tokens"), 1);

    problem(app.refresh(&stale.refresh).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(app.refresh(&live.refresh).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn blank_credentials_are_a_400_naming_the_field() {
    let app = TestApp::spawn().await;
    let blank = app.login(" ", "").await;
    let blank = problem(blank, StatusCode::BAD_REQUEST).await;
    assert_eq!(error_fields(&blank), ["password", "username"], "{blank}");
    // A password of spaces could never be typed back in: refused up front.
    let spaces = app
        .request(Method::POST, "/api/register/")
        .json(&json!({"username": "spacey", "password": "          "}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_fields(&problem(spaces, StatusCode::BAD_REQUEST).await),
        ["password"]
    );
    let refresh = app.refresh("").await;
    assert_eq!(
        error_fields(&problem(refresh, StatusCode::BAD_REQUEST).await),
        ["refresh"]
    );
}

#[tokio::test]
async fn guessing_the_current_password_is_limited_like_logins() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let change = |current: &'static str| {
        app.post(
            "/api/me/password/",
            &alice.access,
            &json!({"current_password": current, "new_password": "a new passphrase"}),
        )
        .send()
    };
    for _ in 0..5 {
        problem(change("not it").await.unwrap(), StatusCode::BAD_REQUEST).await;
    }
    let limited = change("not it").await.unwrap();
    assert!(limited.headers().contains_key(header::RETRY_AFTER));
    problem(limited, StatusCode::TOO_MANY_REQUESTS).await;
    // Even the right one waits, and so does a login of that username.
    problem(
        change(PASSWORD).await.unwrap(),
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
    problem(
        app.login("alice", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
}

#[tokio::test]
async fn a_burst_of_parallel_guesses_gets_five_tries_and_no_more() {
    let app = TestApp::spawn().await;
    app.user("alice").await;
    let guesses = (0..20).map(|n| {
        let app = &app;
        async move {
            app.login("alice", &format!("wrong guess {n}"))
                .await
                .status()
        }
    });
    let statuses = futures::future::join_all(guesses).await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, refused), (5, 15), "{statuses:?}");
}

#[tokio::test]
async fn right_passwords_do_not_use_up_an_address() {
    let app = TestApp::spawn().await;
    app.user("alice").await;
    for _ in 0..8 {
        assert_eq!(app.login("alice", PASSWORD).await.status(), StatusCode::OK);
    }
}
