//! The OpenAPI document is generated from the router's own handlers: every
//! served route is in it, and nothing else is.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{body, TestApp};

/// Every endpoint, in the document's path syntax.
const ENDPOINTS: [(&str, &str); 35] = [
    ("post", "/api/register"),
    ("post", "/api/login"),
    ("post", "/api/token/refresh"),
    ("post", "/api/logout"),
    ("get", "/api/me"),
    ("post", "/api/me/password"),
    ("get", "/api/tasks"),
    ("post", "/api/tasks"),
    ("get", "/api/tasks/{id}"),
    ("put", "/api/tasks/{id}"),
    ("patch", "/api/tasks/{id}"),
    ("delete", "/api/tasks/{id}"),
    ("post", "/api/tasks/{id}/annotations"),
    ("delete", "/api/tasks/{id}/annotations/{annotation_id}"),
    ("post", "/api/tasks/{id}/start"),
    ("post", "/api/tasks/{id}/stop"),
    ("get", "/api/projects"),
    ("get", "/api/tags"),
    ("get", "/api/export"),
    ("post", "/api/import"),
    ("get", "/api/events"),
    ("post", "/api/tasks/bulk"),
    ("get", "/api/undo"),
    ("post", "/api/undo"),
    ("get", "/api/redo"),
    ("post", "/api/redo"),
    ("get", "/api/tasks/{id}/history"),
    ("get", "/api/trash"),
    ("post", "/api/trash/{id}/restore"),
    ("delete", "/api/trash/{id}"),
    ("get", "/api/admin/users"),
    ("patch", "/api/admin/users/{id}"),
    ("delete", "/api/admin/users/{id}"),
    ("get", "/healthz"),
    ("get", "/api/openapi.json"),
];

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

async fn document(app: &TestApp) -> Value {
    let response = app
        .request(Method::GET, "/api/openapi.json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    body(response).await
}

fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            if item.get(method).is_some() {
                found.insert((method.to_string(), path.clone()));
            }
        }
    }
    found
}

#[tokio::test]
async fn the_document_lists_exactly_the_specs_endpoints() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let expected: BTreeSet<(String, String)> = ENDPOINTS
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(operations(&doc), expected);
}

#[tokio::test]
async fn every_documented_operation_is_served_and_nothing_else_is() {
    let app = TestApp::spawn().await;
    let admin = app.admin("root").await;
    let doc = document(&app).await;
    let documented = operations(&doc);
    let paths: BTreeSet<String> = documented.iter().map(|(_, p)| p.clone()).collect();
    for path in &paths {
        let concrete = path.replace("{id}", "999999");
        for method in METHODS {
            let response = app
                .request(method.to_uppercase().parse().unwrap(), &concrete)
                .bearer_auth(&admin.access)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let served = response.status() != StatusCode::METHOD_NOT_ALLOWED;
            let is_documented = documented.contains(&(method.to_string(), path.clone()));
            assert_eq!(
                served,
                is_documented,
                "{method} {path}: {}",
                response.status()
            );
        }
    }
}

#[tokio::test]
async fn every_operation_documents_its_errors_as_problems() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            for (status, response) in operation["responses"].as_object().unwrap() {
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{method} {path} {status}"
                    );
                }
            }
            let secured = operation.get("security").is_some();
            let public = [
                "/api/register",
                "/api/login",
                "/api/token/refresh",
                "/healthz",
                "/api/openapi.json",
            ];
            assert_eq!(secured, !public.contains(&path.as_str()), "{method} {path}");
        }
    }
    let list = &doc["paths"]["/api/tasks"]["get"]["parameters"];
    let names: BTreeSet<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in [
        "limit",
        "offset",
        "status",
        "priority",
        "project",
        "tag",
        "search",
        "due_before",
        "due_after",
        "ordering",
    ] {
        assert!(names.contains(name), "{name}");
    }
}

#[tokio::test]
async fn healthz_says_ok() {
    let app = TestApp::spawn().await;
    let response = app.request(Method::GET, "/healthz").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body(response).await, json!({"status": "ok"}));
}

/// What the document says of bodies and parameters is what the server does.
#[tokio::test]
async fn schemas_and_parameters_say_what_the_server_checks() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let schemas = &doc["components"]["schemas"];

    // Always in a task, null when unset.
    let required: BTreeSet<&str> = schemas["Task"]["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for field in [
        "priority",
        "due",
        "project",
        "completed_at",
        "tags",
        "version",
    ] {
        assert!(required.contains(field), "Task.{field} is always sent");
    }
    // In a request, null is refused for these (400 "may not be null").
    for (schema, field) in [
        ("NewTask", "description"),
        ("NewTask", "status"),
        ("NewTask", "tags"),
        ("TaskPatch", "title"),
        ("TaskPatch", "description"),
        ("TaskPatch", "tags"),
    ] {
        let property = schemas[schema]["properties"][field].to_string();
        assert!(!property.contains("null"), "{schema}.{field}: {property}");
    }
    // ...and accepted for these.
    for field in ["priority", "due", "project"] {
        let property = schemas["TaskPatch"]["properties"][field].to_string();
        assert!(property.contains("null"), "TaskPatch.{field}: {property}");
    }

    for path in ["/api/tasks", "/api/admin/users"] {
        let parameters = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
        let limit = parameters.iter().find(|p| p["name"] == "limit").unwrap();
        assert_eq!(limit["schema"]["anyOf"][0]["minimum"], 1, "{path}");
        assert_eq!(limit["schema"]["anyOf"][0]["maximum"], 1000, "{path}");
        assert_eq!(limit["schema"]["default"], 50, "{path}");
    }
    let parameters = doc["paths"]["/api/tasks"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let status = parameters.iter().find(|p| p["name"] == "status").unwrap();
    assert!(
        status["schema"].to_string().contains("\"all\""),
        "{}",
        status["schema"]
    );

    // Every route that reads a JSON body says it may be too large or not JSON.
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            if operation.get("requestBody").is_some() {
                for status in ["413", "415"] {
                    assert!(
                        operation["responses"].get(status).is_some(),
                        "{method} {path} documents {status}"
                    );
                }
            }
        }
    }
}

/// Every parameter the clients can send (the one list query of `common`)
/// is described for `GET /api/tasks/`.
#[tokio::test]
async fn every_list_parameter_the_clients_send_is_documented() {
    use common::list_query::{OrderField, OrderKey, StatusFilter, TaskQuery};
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let documented: BTreeSet<String> = doc["paths"]["/api/tasks"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    let now = chrono::Utc::now();
    let flag = Some(true);
    let everything = TaskQuery {
        limit: Some(1),
        offset: Some(1),
        status: Some(StatusFilter::All),
        priority: Some(common::api::Priority::High),
        project: Some("p".into()),
        tags: vec!["t".into()],
        exclude_tags: vec!["u".into()],
        search: vec!["s".into()],
        due_before: Some(now),
        due_after: Some(now),
        scheduled_before: Some(now),
        scheduled_after: Some(now),
        has_project: flag,
        has_priority: flag,
        has_due: flag,
        has_scheduled: flag,
        waiting: flag,
        active: flag,
        blocked: flag,
        blocking: flag,
        ready: flag,
        uuid: Some("0a1b2c3d".into()),
        number: Some(1),
        depends_on: Some(1),
        udas: Vec::new(),
        ordering: vec![OrderKey::asc(OrderField::Id)],
    };
    for (name, _) in everything.to_pairs() {
        assert!(documented.contains(&name), "{name} is not documented");
    }
}

/// The limits the document states are the ones the server enforces: one
/// past each is refused, and the empty query values it allows are ignored.
#[tokio::test]
async fn the_documents_limits_are_the_servers() {
    let app = TestApp::spawn().await;
    let alice = app.user("alice").await;
    let doc = document(&app).await;
    let schemas = &doc["components"]["schemas"];
    for component in [
        "NewTask",
        "TaskPatch",
        "LoginRequest",
        "RegisterRequest",
        "RefreshRequest",
        "PasswordChange",
        "NewAnnotation",
    ] {
        assert_eq!(
            schemas[component]["additionalProperties"],
            json!(false),
            "{component}"
        );
    }
    let title = &schemas["NewTask"]["properties"]["title"];
    assert_eq!(title["minLength"], 1);
    let longest = title["maxLength"].as_u64().unwrap() as usize;
    for (text, status) in [
        ("x".repeat(longest), StatusCode::CREATED),
        ("x".repeat(longest + 1), StatusCode::BAD_REQUEST),
        // Blank, as the pattern says.
        (" \u{3000}\t".to_string(), StatusCode::BAD_REQUEST),
    ] {
        let response = app
            .post("/api/tasks/", &alice.access, &json!({"title": text}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{} characters", text.len());
    }
    let tags = &schemas["NewTask"]["properties"]["tags"];
    let most = tags["maxItems"].as_u64().unwrap() as usize;
    // Counted as sent, repeats too.
    let response = app
        .post(
            "/api/tasks/",
            &alice.access,
            &json!({"title": "t", "tags": vec!["same"; most + 1]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    for component in ["RegisterRequest", "PasswordChange"] {
        let password = if component == "RegisterRequest" {
            &schemas[component]["properties"]["password"]
        } else {
            &schemas[component]["properties"]["new_password"]
        };
        assert_eq!(password["minLength"], 8, "{component}");
        assert_eq!(password["maxLength"], 1024, "{component}");
    }
    assert!(schemas["RegisterRequest"]["properties"]["username"]["pattern"].is_string());

    // Every list parameter takes the empty value the parser ignores.
    let parameters = doc["paths"]["/api/tasks"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let mut query = Vec::new();
    for parameter in parameters.iter().filter(|p| p["in"] == "query") {
        let name = parameter["name"].as_str().unwrap();
        let schema = &parameter["schema"];
        let takes_empty = schema["enum"]
            .as_array()
            .is_some_and(|values| values.contains(&json!("")))
            || schema["anyOf"]
                .as_array()
                .is_some_and(|any| any.iter().any(|s| s["enum"] == json!([""])))
            || schema["type"] == "array"
            || schema["pattern"]
                .as_str()
                .is_some_and(|p| !p.starts_with('^') || p.ends_with(")?$") || p == "^[^\\u0000]*$");
        assert!(takes_empty, "{name}: {schema}");
        query.push(format!("{name}="));
    }
    let response = app
        .get(&format!("/api/tasks/?{}", query.join("&")), &alice.access)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}
