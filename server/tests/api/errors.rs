//! Every error is problem+json with the right status, and no input is a 500.

use reqwest::{header, Method, StatusCode};
use serde_json::json;

use crate::helpers::{body, problem, TestApp, PASSWORD};

#[tokio::test]
async fn unknown_routes_and_wrong_methods() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    // `/` is the web app.
    for path in ["/api", "/api/nope/", "/api/tasks/1/extra", "/nope/"] {
        problem(
            app.get(path, &alice.access).send().await.unwrap(),
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    for (method, path) in [
        (Method::DELETE, "/api/tasks/"),
        (Method::GET, "/api/login/"),
        (Method::PUT, "/api/register"),
        (Method::POST, "/api/tasks/1/"),
        (Method::POST, "/healthz"),
        (Method::DELETE, "/api/me/"),
    ] {
        let response = app
            .request(method.clone(), path)
            .bearer_auth(&alice.access)
            .send()
            .await
            .unwrap();
        problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
    }
    for path in [
        "/api/tasks/abc/",
        "/api/tasks/99999999999999999999999/",
        "/api/tasks/-1/",
    ] {
        problem(
            app.get(path, &alice.access).send().await.unwrap(),
            StatusCode::NOT_FOUND,
        )
        .await;
    }
}

#[tokio::test]
async fn bodies_that_are_not_json_or_not_valid_json() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let send = |content_type: Option<&'static str>, body: Vec<u8>| {
        let mut request = app
            .request(Method::POST, "/api/tasks/")
            .bearer_auth(&alice.access)
            .body(body);
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        request.send()
    };
    let no_type = send(None, br#"{"title":"t"}"#.to_vec()).await.unwrap();
    problem(no_type, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let text = send(Some("text/plain"), br#"{"title":"t"}"#.to_vec())
        .await
        .unwrap();
    problem(text, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let form = send(
        Some("application/x-www-form-urlencoded"),
        b"title=t".to_vec(),
    )
    .await
    .unwrap();
    problem(form, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let charset = send(
        Some("application/json; charset=utf-8"),
        br#"{"title":"t"}"#.to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(charset.status(), StatusCode::CREATED);
    // A body in a content coding is not decoded: refused, not misread.
    for (coding, accepted) in [("gzip", false), ("br", false), ("identity", true)] {
        let response = app
            .request(Method::POST, "/api/tasks/")
            .bearer_auth(&alice.access)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_ENCODING, coding)
            .body(br#"{"title":"t"}"#.to_vec())
            .send()
            .await
            .unwrap();
        if accepted {
            assert_eq!(response.status(), StatusCode::CREATED);
        } else {
            let refused = problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
            assert!(
                refused["detail"].as_str().unwrap().contains(coding),
                "{refused}"
            );
        }
    }
    // Every value counts, not the first alone.
    let layered = app
        .request(Method::POST, "/api/tasks/")
        .bearer_auth(&alice.access)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_ENCODING, "identity")
        .header(header::CONTENT_ENCODING, "identity, gzip")
        .body(br#"{"title":"t"}"#.to_vec())
        .send()
        .await
        .unwrap();
    problem(layered, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;

    let nested = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
    for bad in [
        b"{".to_vec(),
        b"".to_vec(),
        b"not json".to_vec(),
        b"{\"title\": \"t\",}".to_vec(),
        vec![0xff, 0xfe, 0x00],
        b"[]".to_vec(),
        b"\"title\"".to_vec(),
        b"null".to_vec(),
        b"42".to_vec(),
        nested.into_bytes(),
        br#"{"title": "t"} trailing"#.to_vec(),
    ] {
        let response = send(Some("application/json"), bad.clone()).await.unwrap();
        problem(response, StatusCode::BAD_REQUEST).await;
    }
}

#[tokio::test]
async fn unknown_fields_are_rejected_everywhere() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let register = app
        .request(Method::POST, "/api/register/")
        .json(&json!({"username": "bob", "password": "correct horse", "is_admin": true}))
        .send()
        .await
        .unwrap();
    problem(register, StatusCode::BAD_REQUEST).await;
    let task = app
        .post(
            "/api/tasks/",
            &alice.access,
            &json!({"title": "t", "owner": 2}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        problem(task, StatusCode::BAD_REQUEST).await["errors"]["owner"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn bodies_over_one_mebibyte_are_413() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let big = json!({"title": "t", "description": "x".repeat(1024 * 1024)});
    problem(
        app.post("/api/tasks/", &alice.access, &big)
            .send()
            .await
            .unwrap(),
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    let login = app
        .request(Method::POST, "/api/login/")
        .json(&json!({"username": "x".repeat(2 * 1024 * 1024), "password": "p"}))
        .send()
        .await
        .unwrap();
    problem(login, StatusCode::PAYLOAD_TOO_LARGE).await;
    // Just under the limit is a validation error, not a 413.
    let under = json!({"title": "t", "description": "x".repeat(1000 * 1024)});
    problem(
        app.post("/api/tasks/", &alice.access, &under)
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
}

#[tokio::test]
async fn missing_auth_is_401_with_www_authenticate() {
    let app = TestApp::spawn().await;
    for (method, path) in [
        (Method::GET, "/api/tasks/"),
        (Method::POST, "/api/tasks/"),
        (Method::GET, "/api/tasks/1/"),
        (Method::GET, "/api/me/"),
        (Method::POST, "/api/me/password/"),
        (Method::POST, "/api/logout/"),
    ] {
        let response = app
            .request(method, path)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
        problem(response, StatusCode::UNAUTHORIZED).await;
    }
}

#[tokio::test]
async fn odd_input_never_gives_a_500() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let task = app.task(&alice, json!({"title": "t"})).await;
    let path = format!("/api/tasks/{}/", task["id"]);
    let bodies = [
        json!({"title": 1e308}),
        json!({"title": "t", "due": 12345}),
        json!({"title": "t", "due": "9999-12-31T23:59:59Z"}),
        json!({"title": "t", "due": "0001-01-01T00:00:00Z"}),
        json!({"title": "t", "tags": [null]}),
        json!({"title": "t", "priority": ["high"]}),
        json!({"title": "t", "status": null}),
        json!({"title": "\u{0000}\u{001b}[2J"}),
        json!({"title": "t", "project": "."}),
        json!({"title": {"nested": true}}),
    ];
    for body in &bodies {
        for request in [
            app.post("/api/tasks/", &alice.access, body),
            app.put(&path, &alice.access, body),
            app.patch(&path, &alice.access, body),
        ] {
            let response = request.send().await.unwrap();
            assert!(
                response.status().as_u16() < 500,
                "{body}: {}",
                response.status()
            );
        }
    }
    for query in [
        "limit=99999999999999999999",
        "offset=99999999999999999999",
        "search=%ff%fe",
        "tag=&tag=",
        "ordering=",
        "due_before=%00",
        "a=%zz",
    ] {
        let response = app
            .get(&format!("/api/tasks/?{query}"), &alice.access)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().as_u16() < 500,
            "{query}: {}",
            response.status()
        );
    }
    let login = app
        .request(Method::POST, "/api/login/")
        .json(&json!({"username": 5, "password": []}))
        .send()
        .await
        .unwrap();
    problem(login, StatusCode::BAD_REQUEST).await;
    let refresh = app.refresh(&"x".repeat(10_000)).await;
    problem(refresh, StatusCode::UNAUTHORIZED).await;
    let escaped = body(app.get(&path, &alice.access).send().await.unwrap()).await;
    assert!(escaped["title"].is_string());
}

#[tokio::test]
async fn every_response_says_nosniff() {
    let app = TestApp::spawn().await;
    for path in ["/healthz", "/api/nope", "/api/openapi.json"] {
        let response = app.request(Method::GET, path).send().await.unwrap();
        assert_eq!(
            response.headers()["x-content-type-options"],
            "nosniff",
            "{path}"
        );
    }
}

#[tokio::test]
async fn cors_answers_only_configured_origins() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = taskd::Config::for_tests(dir.path());
    config.cors_origins = vec!["https://app.example.com".into()];
    let server = taskd::spawn(config).await.unwrap();
    let client = reqwest::Client::new();
    let preflight = |origin: &'static str| {
        client
            .request(Method::OPTIONS, format!("{}/api/tasks/", server.url()))
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "authorization,content-type,if-match,x-requested-with,x-csrftoken",
            )
            .send()
    };
    let allowed = preflight("https://app.example.com").await.unwrap();
    assert_eq!(
        allowed.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://app.example.com"
    );
    // What a frontend written for the DRF backend may send.
    let allowed_headers = allowed.headers()[header::ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for name in [
        "authorization",
        "content-type",
        "if-match",
        "x-requested-with",
        "x-csrftoken",
    ] {
        assert!(allowed_headers.contains(name), "{name}: {allowed_headers}");
    }
    let denied = preflight("https://evil.example.com").await.unwrap();
    assert!(denied
        .headers()
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .is_none());

    let app = TestApp::spawn().await;
    let unconfigured = app
        .request(Method::GET, "/healthz")
        .header(header::ORIGIN, "https://app.example.com")
        .send()
        .await
        .unwrap();
    assert!(unconfigured
        .headers()
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .is_none());
}

#[tokio::test]
async fn bodies_that_do_not_fit_name_the_field() {
    let app = TestApp::spawn().await;
    let post = |path: &'static str, body: serde_json::Value| {
        app.request(Method::POST, path).json(&body).send()
    };
    let errors = |problem: serde_json::Value| problem["errors"].clone();

    let missing = post("/api/login/", json!({"username": "alice"}))
        .await
        .unwrap();
    assert_eq!(
        errors(problem(missing, StatusCode::BAD_REQUEST).await),
        json!({"password": ["This field is required."]})
    );
    let unknown = post(
        "/api/register/",
        json!({"username": "bob", "password": "correct horse", "is_admin": true}),
    )
    .await
    .unwrap();
    assert_eq!(
        errors(problem(unknown, StatusCode::BAD_REQUEST).await),
        json!({"is_admin": ["Unknown field."]})
    );
    let wrong_type = post(
        "/api/register/",
        json!({"username": "bob", "password": 12345678}),
    )
    .await
    .unwrap();
    let wrong_type = problem(wrong_type, StatusCode::BAD_REQUEST).await;
    let message = wrong_type["errors"]["password"][0].as_str().unwrap();
    assert!(message.starts_with("Invalid type"), "{message}");
    assert!(!message.contains("line"), "{message}");
    let not_an_object = post("/api/login/", json!(["alice"])).await.unwrap();
    let not_an_object = problem(not_an_object, StatusCode::BAD_REQUEST).await;
    assert!(not_an_object.get("errors").is_none(), "{not_an_object}");

    // Blank username and password: each says what is wrong with it, once.
    let blank = post("/api/register/", json!({"username": "", "password": ""}))
        .await
        .unwrap();
    let blank = errors(problem(blank, StatusCode::BAD_REQUEST).await);
    assert_eq!(blank["password"].as_array().unwrap().len(), 1, "{blank}");
    assert!(blank["username"].is_array(), "{blank}");
}

#[tokio::test]
async fn a_nul_character_is_refused_alike_on_every_backend() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    for (field, body) in [
        ("title", json!({"title": "a\u{0000}b"})),
        (
            "description",
            json!({"title": "t", "description": "\u{0000}"}),
        ),
        ("tags", json!({"title": "t", "tags": ["a\u{0000}"]})),
        ("project", json!({"title": "t", "project": "home\u{0000}"})),
    ] {
        let response = app
            .post("/api/tasks/", &alice.access, &body)
            .send()
            .await
            .unwrap();
        let problem = problem(response, StatusCode::BAD_REQUEST).await;
        assert!(
            problem["errors"][field][0]
                .as_str()
                .is_some_and(|m| m.contains("Null characters")),
            "{body}: {problem}"
        );
    }
    for query in ["search=a%00", "project=a%00", "tag=a%00"] {
        let response = app
            .get(&format!("/api/tasks/?{query}"), &alice.access)
            .send()
            .await
            .unwrap();
        problem(response, StatusCode::BAD_REQUEST).await;
    }
    let login = app.login("al\u{0000}ice", PASSWORD).await;
    problem(login, StatusCode::UNAUTHORIZED).await;
}

/// Bounds on what one request may ask: a thousand tags or ordering fields
/// are a 400 naming the parameter, never a 500; a huge password is refused
/// before it is hashed.
#[tokio::test]
async fn oversized_queries_and_passwords_are_refused_plainly() {
    let app = crate::helpers::TestApp::spawn().await;
    let alice = app.user("alice").await;
    let tags: String = (0..1000).map(|i| format!("tag=t{i}&")).collect();
    let fields = vec!["id"; 1000].join(",");
    let bad_orderings: String = (0..1000).map(|i| format!("ordering=bad{i}&")).collect();
    for (query, parameter) in [
        (tags.as_str(), "tag"),
        (&format!("ordering={fields}"), "ordering"),
        (bad_orderings.as_str(), "ordering"),
    ] {
        let response = app
            .get(&format!("/api/tasks/?{query}"), &alice.access)
            .send()
            .await
            .unwrap();
        let problem = crate::helpers::problem(response, reqwest::StatusCode::BAD_REQUEST).await;
        assert_eq!(crate::helpers::error_fields(&problem), [parameter]);
        let messages = problem["errors"][parameter].as_array().unwrap().len();
        assert!(messages <= 5, "{messages} messages for {parameter}");
    }

    let huge = "p".repeat(1 << 20);
    let response = app.register("mallory", &huge).await;
    let status = response.status();
    assert!(
        status == reqwest::StatusCode::BAD_REQUEST
            || status == reqwest::StatusCode::PAYLOAD_TOO_LARGE,
        "{status}"
    );
    let long = "p".repeat(2000);
    let response = app.register("mallory", &long).await;
    let problem = crate::helpers::problem(response, reqwest::StatusCode::BAD_REQUEST).await;
    assert_eq!(crate::helpers::error_fields(&problem), ["password"]);
    let response = app.login("alice", &long).await;
    let problem = crate::helpers::problem(response, reqwest::StatusCode::BAD_REQUEST).await;
    assert_eq!(crate::helpers::error_fields(&problem), ["password"]);
}
