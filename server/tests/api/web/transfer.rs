//! Export as a download and import as an upload.

use reqwest::{header, Method, StatusCode};
use serde_json::Value;

use super::{csrf, titles, Browser};
use crate::helpers::TestApp;

/// A multipart form with `csrf` and a `file` called `name` (none chosen
/// when empty, as a browser sends it).
fn upload(token: &str, name: &str, file: &str) -> (String, String) {
    let boundary = "----taskdtestboundary7MA4YWxk";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/json\r\n\r\n{file}\r\n--{boundary}--\r\n"
    );
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_upload(
    browser: &mut Browser<'_>,
    token: &str,
    file: &str,
    origin: &str,
) -> reqwest::Response {
    upload_request(browser, token, "tasks.json", file, origin)
        .send()
        .await
        .unwrap()
}

fn upload_request(
    browser: &Browser<'_>,
    token: &str,
    name: &str,
    file: &str,
    origin: &str,
) -> reqwest::RequestBuilder {
    let (content_type, body) = upload(token, name, file);
    browser
        .app
        .request(Method::POST, "/import")
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ORIGIN, origin)
        .header(
            header::COOKIE,
            browser
                .cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; "),
        )
        .body(body)
}

#[tokio::test]
async fn an_export_downloads_and_imports_back_elsewhere() {
    let app = TestApp::spawn().await;
    let mut alice = Browser::new(&app);
    alice.register("alice").await;
    for line in ["Pay rent project:home pri:H", "Buy milk +errands"] {
        alice.quick_add(line).await;
    }
    let done_page = alice.page("/").await;
    let id = done_page
        .split("/tasks/")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>();
    alice
        .post(
            &format!("/tasks/{id}/done"),
            &[("csrf", &csrf(&done_page)), ("back", "/")],
        )
        .await;

    let export = alice.get("/export").await;
    assert_eq!(export.status(), StatusCode::OK);
    let disposition = export.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.starts_with("attachment; filename=\"taskd-"),
        "{disposition}"
    );
    let file = export.text().await.unwrap();
    let tasks: Vec<Value> = serde_json::from_str(&file).unwrap();
    assert_eq!(tasks.len(), 2, "done tasks too");
    assert!(tasks.iter().any(|t| t["status"] == "completed"));

    let mut bob = Browser::new(&app);
    bob.register("bob").await;
    let page = bob.page("/import").await;
    let origin = bob.origin.clone();
    let imported = post_upload(&mut bob, &csrf(&page), &file, &origin).await;
    assert_eq!(imported.status(), StatusCode::OK);
    let page = imported.text().await.unwrap();
    assert!(
        page.contains("2 added, 0 updated, 0 already here"),
        "{page}"
    );
    let again = post_upload(&mut bob, &csrf(&page), &file, &origin).await;
    assert!(again
        .text()
        .await
        .unwrap()
        .contains("0 added, 0 updated, 2 already here"));
    assert_eq!(
        titles(&bob.page("/?status=all&ordering=title").await),
        ["Buy milk", "Pay rent"]
    );
}

#[tokio::test]
async fn the_import_page_tells_tasks_left_out_from_parts_left_out() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    let page = browser.page("/import").await;
    let origin = browser.origin.clone();
    let file = r#"[
        {"uuid": "0d9e8a3c-5f4b-4c1e-9a2b-0000000000d1", "description": "Gone", "status": "deleted"},
        {"uuid": "0d9e8a3c-5f4b-4c1e-9a2b-0000000000d2", "description": "Weekly", "status": "pending",
         "parent": "0d9e8a3c-5f4b-4c1e-9a2b-0000000000d3", "recur": "weekly"}
    ]"#;
    let imported = post_upload(&mut browser, &csrf(&page), file, &origin).await;
    assert_eq!(imported.status(), StatusCode::OK);
    let page = imported.text().await.unwrap();
    assert!(page.contains("1 added"), "{page}");
    let (left_out, parts) = page
        .split_once("Imported, with parts changed to fit or left out:")
        .unwrap_or_else(|| panic!("{page}"));
    assert!(
        left_out.contains("Left out:") && left_out.contains("0000000000d1"),
        "{page}"
    );
    assert!(!left_out.contains("0000000000d2"), "{page}");
    assert!(
        parts.contains("0000000000d2") && parts.contains("plain task"),
        "{page}"
    );
    assert_eq!(titles(&browser.page("/").await), ["Weekly"]);
}

#[tokio::test]
async fn a_bad_file_or_a_foreign_form_imports_nothing() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    let page = browser.page("/import").await;
    let token = csrf(&page);
    let origin = browser.origin.clone();
    let bad = "[{\"description\":\"Fine\"},{\"description\":\"Late\",\"due\":\"someday\"}]";
    let refused = post_upload(&mut browser, &token, bad, &origin).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let page = refused.text().await.unwrap();
    assert!(page.contains("Nothing was imported. task 2"), "{page}");
    assert!(page.contains("someday"));
    let foreign = post_upload(
        &mut browser,
        &token,
        "[{\"description\":\"Sneaky\"}]",
        "https://evil.example",
    )
    .await;
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    let tokenless = post_upload(&mut browser, "", "[{\"description\":\"Sneaky\"}]", &origin).await;
    assert_eq!(tokenless.status(), StatusCode::FORBIDDEN);
    for blank in ["", "\n \r\n"] {
        let empty = post_upload(&mut browser, &token, blank, &origin).await;
        assert_eq!(empty.status(), StatusCode::BAD_REQUEST);
        let empty = empty.text().await.unwrap();
        assert!(empty.contains("tasks.json is empty"), "{empty}");
    }
    let none = upload_request(&browser, &token, "", "", &origin)
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), StatusCode::BAD_REQUEST);
    assert!(none.text().await.unwrap().contains("Choose a file"));
    // A compressed upload is refused as such, not read as it came.
    let encoded = upload_request(
        &browser,
        &token,
        "tasks.json",
        "[{\"description\":\"Fine\"}]",
        &origin,
    )
    .header(header::CONTENT_ENCODING, "gzip")
    .send()
    .await
    .unwrap();
    assert_eq!(encoded.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(encoded
        .text()
        .await
        .unwrap()
        .contains("Content-Encoding (gzip)"));
    assert!(titles(&browser.page("/?status=all").await).is_empty());
    // Not logged in: no export.
    let mut stranger = Browser::new(&app);
    assert_eq!(
        stranger.get("/export").await.status(),
        StatusCode::SEE_OTHER
    );
}
