//! Login limits per username and address, and the registration policy.
//! Clients are told apart by `X-Forwarded-For` from a trusted proxy.

use futures::future::join_all;
use reqwest::{header, Method, Response, StatusCode};
use serde_json::json;
use taskd::{
    config::Registration,
    forwarded::{parse_trusted, Forwarding},
    Config,
};

use crate::helpers::{body, problem, TestApp, PASSWORD};

fn behind_proxy(config: &mut Config) {
    config.forwarding = Forwarding {
        trusted: vec![parse_trusted("127.0.0.1/32").unwrap()],
        public_url: None,
    };
}

async fn spawn() -> TestApp {
    TestApp::spawn_with(behind_proxy).await
}

async fn login_from(app: &TestApp, client: &str, username: &str, password: &str) -> Response {
    app.request(Method::POST, "/api/login/")
        .header("x-forwarded-for", client)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

async fn register_from(app: &TestApp, client: &str, username: &str, password: &str) -> Response {
    app.request(Method::POST, "/api/register/")
        .header("x-forwarded-for", client)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

fn retry_after(response: &Response) -> u64 {
    response.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

fn count(statuses: &[StatusCode], wanted: StatusCode) -> usize {
    statuses.iter().filter(|status| **status == wanted).count()
}

#[tokio::test]
async fn five_failures_for_a_username_from_an_address_slow_only_that_pair() {
    let app = spawn().await;
    app.user("alice").await;
    app.user("bob").await;
    for _ in 0..5 {
        let wrong = login_from(&app, "203.0.113.1", "alice", "wrong password").await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password waits now, from there.
    let limited = login_from(&app, "203.0.113.1", "Alice", PASSWORD).await;
    assert!((55..=60).contains(&retry_after(&limited)), "{limited:?}");
    let limited = problem(limited, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(limited["detail"].as_str().unwrap().contains("try again in"));
    // Another username from that address, and that username from another
    // address, are let through.
    let bob = login_from(&app, "203.0.113.1", "bob", PASSWORD).await;
    assert_eq!(bob.status(), StatusCode::OK);
    let elsewhere = login_from(&app, "198.51.100.9", "alice", PASSWORD).await;
    assert_eq!(elsewhere.status(), StatusCode::OK);
}

#[tokio::test]
async fn thirty_failures_from_an_address_slow_it_for_every_username() {
    let app = spawn().await;
    app.user("alice").await;
    for n in 0..30 {
        // Three guesses each for ten usernames: no pair reaches its limit.
        let wrong = login_from(&app, "203.0.113.2", &format!("user{}", n / 3), "wrong").await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "guess {n}");
    }
    let limited = login_from(&app, "203.0.113.2", "alice", PASSWORD).await;
    assert!((1..=60).contains(&retry_after(&limited)));
    problem(limited, StatusCode::TOO_MANY_REQUESTS).await;
    let elsewhere = login_from(&app, "198.51.100.9", "alice", PASSWORD).await;
    assert_eq!(elsewhere.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_username_under_attack_is_slowed_everywhere_but_its_owners_addresses() {
    let app = spawn().await;
    app.register("alice", PASSWORD).await;
    // Alice has logged in from home before.
    let home = login_from(&app, "192.0.2.10", "alice", PASSWORD).await;
    assert_eq!(home.status(), StatusCode::OK);
    // Thirty guesses from ten addresses, none past its own limits.
    for n in 0..30 {
        let client = format!("203.0.113.{}", 100 + n / 3);
        let wrong = login_from(&app, &client, "alice", "wrong").await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "guess {n}");
    }
    // A new address is slowed, the right password too...
    let stranger = login_from(&app, "198.51.100.50", "alice", PASSWORD).await;
    assert_eq!(stranger.status(), StatusCode::TOO_MANY_REQUESTS);
    // ...but the attack does not lock alice out from home.
    let home = login_from(&app, "192.0.2.10", "alice", PASSWORD).await;
    assert_eq!(home.status(), StatusCode::OK);
    // Another username is untouched.
    app.register("bob", PASSWORD).await;
    let bob = login_from(&app, "198.51.100.50", "bob", PASSWORD).await;
    assert_eq!(bob.status(), StatusCode::OK);
}

#[tokio::test]
async fn thirty_two_right_logins_at_once_from_one_address_all_succeed() {
    let app = spawn().await;
    app.register("alice", PASSWORD).await;
    let logins = (0..32).map(|_| login_from(&app, "203.0.113.3", "alice", PASSWORD));
    let statuses: Vec<StatusCode> = join_all(logins)
        .await
        .iter()
        .map(Response::status)
        .collect();
    assert_eq!(count(&statuses, StatusCode::OK), 32, "{statuses:?}");
}

#[tokio::test]
async fn parallel_wrong_guesses_get_no_more_checks_than_the_limits_allow() {
    let app = spawn().await;
    app.register("alice", PASSWORD).await;
    // Twenty at once for one pair: five are checked.
    let passwords: Vec<String> = (0..20).map(|n| format!("guess {n}")).collect();
    let guesses = passwords
        .iter()
        .map(|password| login_from(&app, "203.0.113.4", "alice", password));
    let statuses: Vec<StatusCode> = join_all(guesses)
        .await
        .iter()
        .map(Response::status)
        .collect();
    assert_eq!(
        count(&statuses, StatusCode::UNAUTHORIZED),
        5,
        "{statuses:?}"
    );
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), 15);
    // Forty at once from one address for forty usernames: thirty are.
    let usernames: Vec<String> = (0..40).map(|n| format!("user{n}")).collect();
    let guesses = usernames
        .iter()
        .map(|username| login_from(&app, "203.0.113.5", username, "guess"));
    let statuses: Vec<StatusCode> = join_all(guesses)
        .await
        .iter()
        .map(Response::status)
        .collect();
    assert_eq!(
        count(&statuses, StatusCode::UNAUTHORIZED),
        30,
        "{statuses:?}"
    );
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), 10);
}

#[tokio::test]
async fn closed_registration_is_a_403_saying_so() {
    let app = TestApp::spawn_with(|config| config.registration = Registration::Closed).await;
    let refused = problem(app.register("alice", PASSWORD).await, StatusCode::FORBIDDEN).await;
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("Registration is closed"),
        "{refused}"
    );
    // Nobody was made.
    problem(app.login("alice", PASSWORD).await, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn registrations_are_capped_per_address_and_hour() {
    let app = TestApp::spawn_with(|config| {
        behind_proxy(config);
        config.registrations_per_hour = 3;
    })
    .await;
    // Refused registrations do not count.
    let weak = register_from(&app, "203.0.113.6", "weakling", "password").await;
    assert_eq!(weak.status(), StatusCode::BAD_REQUEST);
    for n in 0..3 {
        let made = register_from(&app, "203.0.113.6", &format!("user{n}"), PASSWORD).await;
        assert_eq!(made.status(), StatusCode::CREATED);
    }
    let capped = register_from(&app, "203.0.113.6", "user3", PASSWORD).await;
    let wait = retry_after(&capped);
    assert!((3500..=3600).contains(&wait), "{wait}");
    problem(capped, StatusCode::TOO_MANY_REQUESTS).await;
    problem(app.login("user3", PASSWORD).await, StatusCode::UNAUTHORIZED).await;
    // Another address may still register.
    let other = register_from(&app, "198.51.100.6", "user3", PASSWORD).await;
    assert_eq!(other.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn guessable_passwords_are_refused_at_register_and_password_change() {
    let app = TestApp::spawn().await;
    for weak in ["password", "qwertyuiop", "letmein123"] {
        let refused = problem(app.register("alice", weak).await, StatusCode::BAD_REQUEST).await;
        let message = refused["errors"]["password"][0].as_str().unwrap();
        assert!(
            message.starts_with("This password is too easy to guess"),
            "{message}"
        );
    }
    let alice = app.user("alice").await;
    let change = app
        .post(
            "/api/me/password/",
            &alice.access,
            &json!({"current_password": PASSWORD, "new_password": "iloveyou1"}),
        )
        .send()
        .await
        .unwrap();
    let refused = problem(change, StatusCode::BAD_REQUEST).await;
    assert_eq!(crate::helpers::error_fields(&refused), ["new_password"]);
    // The old password still works.
    assert_eq!(
        body(app.login("alice", PASSWORD).await).await["token_type"],
        "Bearer"
    );
}
