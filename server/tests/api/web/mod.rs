//! The web app over HTTP, without a browser: its pages, forms, session
//! cookie, CSRF checks and headers.

mod admin;
mod pages;
mod search_box;
mod sessions;
mod task_page;
mod transfer;

use std::collections::BTreeMap;

use reqwest::{header, Method, Response, StatusCode};

use crate::helpers::TestApp;

/// A browser as far as HTTP goes: it keeps cookies, sends its own origin,
/// and reads the forms' tokens from the pages.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookies: BTreeMap<String, String>,
    /// The `Set-Cookie` lines of the last response.
    pub set_cookies: Vec<String>,
    pub origin: String,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Browser<'a> {
        Browser {
            app,
            cookies: BTreeMap::new(),
            set_cookies: Vec::new(),
            origin: app.server.url(),
        }
    }

    fn keep_cookies(&mut self, response: &Response) {
        self.set_cookies = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .map(str::to_string)
            .collect();
        for line in &self.set_cookies {
            let pair = line.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() || line.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), value.to_string());
                }
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn get(&mut self, path: &str) -> Response {
        let response = self
            .app
            .request(Method::GET, path)
            .header(header::ACCEPT, "text/html")
            .header(header::COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep_cookies(&response);
        response
    }

    /// The page at `path`, which must be a 200.
    pub async fn page(&mut self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.text().await.unwrap()
    }

    /// Posts `fields` as a form, with this browser's origin.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let origin = self.origin.clone();
        self.post_raw(path, body, Some(&origin)).await
    }

    pub async fn post_raw(&mut self, path: &str, body: String, origin: Option<&str>) -> Response {
        let mut request = self
            .app
            .request(Method::POST, path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, self.cookie_header())
            .body(body);
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        let response = request.send().await.unwrap();
        self.keep_cookies(&response);
        response
    }

    /// Registers through the register page and is logged in after.
    pub async fn register(&mut self, username: &str) {
        let page = self.page("/register").await;
        let csrf = csrf(&page);
        let response = self
            .post(
                "/register",
                &[
                    ("csrf", &csrf),
                    ("username", username),
                    ("password", crate::helpers::PASSWORD),
                    ("password2", crate::helpers::PASSWORD),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()[header::LOCATION], "/");
    }

    /// Logs in through the login page.
    pub async fn log_in(&mut self, username: &str, password: &str) -> Response {
        let page = self.page("/login").await;
        let csrf = csrf(&page);
        self.post(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", username),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }

    /// Quick add on the list page; the response.
    pub async fn quick_add(&mut self, line: &str) -> Response {
        let page = self.page("/").await;
        let csrf = csrf(&page);
        self.post("/tasks", &[("csrf", &csrf), ("back", "/"), ("q", line)])
            .await
    }
}

/// The CSRF token of a page's first form.
pub fn csrf(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let at = page.find(marker).expect("a form with a CSRF token") + marker.len();
    page[at..].split('"').next().unwrap().to_string()
}

/// The titles in a list page, as shown.
pub fn titles(page: &str) -> Vec<String> {
    page.split("class=\"title\"")
        .skip(1)
        .map(|rest| {
            let text = rest.split_once('>').unwrap().1;
            text.split("</a>").next().unwrap().to_string()
        })
        .collect()
}
