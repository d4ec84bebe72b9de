//! The list's Search box reads the CLI's filter words.

use reqwest::StatusCode;

use super::{titles, Browser};
use crate::helpers::TestApp;

#[tokio::test]
async fn the_search_box_takes_the_cli_s_filter_words() {
    let app = TestApp::spawn().await;
    let mut browser = Browser::new(&app);
    browser.register("alice").await;
    for line in [
        "Water plants project:home +garden",
        "Pay rent project:home pri:H due:tomorrow",
        "Write report 2026 project:work due:today+10d",
        "Buy seeds +garden pri:L",
    ] {
        assert_eq!(
            browser.quick_add(line).await.status(),
            StatusCode::SEE_OTHER
        );
    }
    let search = |text: &str| format!("/?ordering=title&search={}", url_escape(text));
    // Tags, priorities, projects and dates as the CLI reads them.
    let page = browser.page(&search("+garden")).await;
    assert_eq!(titles(&page), ["Buy seeds", "Water plants"]);
    let page = browser.page(&search("+garden pri:L")).await;
    assert_eq!(titles(&page), ["Buy seeds"]);
    let page = browser.page(&search("-garden project:home")).await;
    assert_eq!(titles(&page), ["Pay rent"]);
    let page = browser.page(&search("due.before:today+3d")).await;
    assert_eq!(titles(&page), ["Pay rent"]);
    // Free words among them are searched for, each on its own.
    let page = browser.page(&search("+garden water")).await;
    assert_eq!(titles(&page), ["Water plants"]);
    // A number is a search here, not the task of that number.
    let page = browser.page(&search("2026")).await;
    assert_eq!(titles(&page), ["Write report 2026"]);
    // What the box names outranks the form's own boxes.
    let page = browser
        .page(&format!("{}&project=work", search("project:home pri:H")))
        .await;
    assert_eq!(titles(&page), ["Pay rent"]);
    // `status:done` as the Status menu's Done.
    let page = browser.page(&search("status:done")).await;
    assert!(titles(&page).is_empty(), "{page}");
    // Text the grammar refuses is searched for as words, and the page
    // says why; nothing is lost from the box.
    let page = browser.page(&search("due.before:fribay")).await;
    assert!(titles(&page).is_empty(), "{page}");
    assert!(
        page.contains("Searched for the words as text: due.before: invalid date"),
        "{page}"
    );
    assert!(page.contains("value=\"due.before:fribay\""), "{page}");
    let page = browser.page(&search("limit:5")).await;
    assert!(
        page.contains("the list here pages through every task the filter matches"),
        "{page}"
    );
}

fn url_escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
