//! How the web app answers what goes wrong: an HTML page saying so, or, for
//! a visitor who is not logged in, the login page.

use askama::Template;
use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    middleware::Next,
    response::{Html, IntoResponse, Response},
};

use super::{
    session::{self, SESSION_COOKIE},
    Chrome,
};
use crate::{error::ApiError, AppState};

#[derive(Debug)]
pub enum PageError {
    /// Not logged in: to the login page, and back to `next` after;
    /// `ended` when the browser had a session that no longer holds, which
    /// the login page then says.
    LogIn { next: String, ended: bool },
    /// A page saying `message`, with `status`.
    Shown { status: StatusCode, message: String },
    /// A 403 page for a logged-in visitor, with their links and log out.
    Refused {
        chrome: Box<Chrome>,
        message: String,
    },
}

pub type PageResult<T> = Result<T, PageError>;

impl PageError {
    pub fn bad_request(message: impl Into<String>) -> PageError {
        PageError::Shown {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> PageError {
        PageError::Shown {
            status: StatusCode::FORBIDDEN,
            message: message.into(),
        }
    }
}

macro_rules! through_api_error {
    ($($error:ty),*) => {$(
        impl From<$error> for PageError {
            fn from(err: $error) -> PageError {
                PageError::from(ApiError::from(err))
            }
        }
    )*};
}

/// What a page says of a task's rules refusing: a task not found is named
/// as one (a page's every task operation is on a task of the user's).
impl From<crate::domain::task_ops::TaskError> for PageError {
    fn from(err: crate::domain::task_ops::TaskError) -> PageError {
        match err {
            crate::domain::task_ops::TaskError::NotFound => super::no_such("task"),
            other => PageError::from(ApiError::from(other)),
        }
    }
}

through_api_error!(crate::store::StoreError, crate::task_query::QueryError);

impl From<ApiError> for PageError {
    fn from(err: ApiError) -> PageError {
        if let ApiError::Internal(cause) = &err {
            crate::request_event!(error, error = format!("{cause:#}"), "page failed");
        }
        let mut message = err.detail();
        if let ApiError::BadRequest {
            errors: Some(errors),
            ..
        } = &err
        {
            let fields: Vec<String> = errors
                .iter()
                .map(|(field, messages)| {
                    format!("{}: {}", super::field_label(field), messages.join(" "))
                })
                .collect();
            message = fields.join(" ");
        }
        PageError::Shown {
            status: err.status(),
            message,
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    heading: String,
    message: String,
    /// Where the page leads back to, and its words.
    back: (&'static str, &'static str),
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::LogIn { next, ended } => {
                let mut pairs = vec![("next", next.as_str())];
                if ended {
                    pairs.push(("ended", "1"));
                }
                let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
                let location = HeaderValue::from_str(&format!("/login?{query}"))
                    .unwrap_or(HeaderValue::from_static("/login"));
                let redirect = (StatusCode::SEE_OTHER, [(header::LOCATION, location)]);
                if !ended {
                    return redirect.into_response();
                }
                // The dead session's cookie goes, so that the notice is said
                // once, not on every page asked for before a new login.
                (super::session::forget(SESSION_COOKIE), redirect).into_response()
            }
            PageError::Shown { status, message } => {
                let back = back_from(status);
                let mut page = error_page(status, Chrome::anonymous(), &message, back);
                // Drawn again with the visitor's bar if they are logged in
                // (`with_their_bar`): whether they are is not known here.
                page.extensions_mut().insert(Shown {
                    status,
                    message,
                    back,
                });
                page
            }
            PageError::Refused { chrome, message } => {
                error_page(StatusCode::FORBIDDEN, *chrome, &message, TO_TASKS)
            }
        }
    }
}

type Back = (&'static str, &'static str);

/// An error page drawn without knowing who asked: what it says, to be
/// drawn again for them.
#[derive(Clone)]
struct Shown {
    status: StatusCode,
    message: String,
    back: Back,
}

/// The web pages' layer that gives an error page the bar of a logged-in
/// visitor (their name, their links, log out), as their other pages have.
/// The session is looked up only for an error page, and only when the
/// request carried a cookie.
pub(super) async fn with_their_bar(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut cookies = HeaderMap::new();
    for value in request.headers().get_all(header::COOKIE) {
        cookies.append(header::COOKIE, value.clone());
    }
    let response = next.run(request).await;
    let Some(shown) = response.extensions().get::<Shown>().cloned() else {
        return response;
    };
    // A failing store is not asked again for a page saying it failed.
    if shown.status.is_server_error() {
        return response;
    }
    let Some(chrome) = chrome_of(&state, &cookies).await else {
        return response;
    };
    let (mut parts, _) = response.into_parts();
    let page = error_page(shown.status, chrome, &shown.message, shown.back);
    // The first page's headers (cookies it sets, its caching) stand.
    let (_, body) = page.into_parts();
    parts.extensions.remove::<Shown>();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, body)
}

/// The bar of the logged-in visitor `headers` come from, if any; the store
/// is asked only when they carry a cookie.
pub(super) async fn chrome_of(state: &AppState, headers: &HeaderMap) -> Option<Chrome> {
    if !headers.contains_key(header::COOKIE) {
        return None;
    }
    match session::browser_of(headers, state).await {
        Ok(Some(browser)) => Some(Chrome::browser(&browser)),
        _ => None,
    }
}

pub(super) const TO_TASKS: Back = ("/", "Back to your tasks");

/// Where an error of a page leads: a page of the admin panel, which only
/// an admin reaches past its check, back to the panel; the refusal of one
/// who is not an admin, and every other page, back to their tasks.
fn back_from(status: StatusCode) -> Back {
    let in_panel = crate::access_log::current()
        .path
        .is_some_and(|path| path.starts_with("/admin"));
    if in_panel && status != StatusCode::FORBIDDEN {
        ("/admin/", "Back to the admin panel")
    } else {
        TO_TASKS
    }
}

pub(super) fn error_page(
    status: StatusCode,
    chrome: Chrome,
    message: &str,
    back: Back,
) -> Response {
    let page = ErrorPage {
        chrome,
        heading: status.canonical_reason().unwrap_or("Error").to_string(),
        message: common::text::escape_control(message).into_owned(),
        back,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(err) => {
            crate::request_event!(error, error = %err, "cannot render the error page");
            (
                status,
                Html(String::from("<!doctype html><title>Error</title>")),
            )
                .into_response()
        }
    }
}
impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageError::LogIn { .. } => f.write_str("Log in first."),
            PageError::Shown { message, .. } | PageError::Refused { message, .. } => {
                f.write_str(message)
            }
        }
    }
}
