//! The web app: server-rendered pages over the same domain rules and store
//! as the API, with browser sessions in a cookie and a CSRF token on every
//! form. Every page works without script.

mod accounts;
mod admin;
mod assets;
mod error;
mod form_merge;
mod list;
mod session;
mod task_deleted;
mod task_form;
mod task_page;
mod transfer;
mod trash;
mod undo;

use askama::Template;
use axum::{
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{Html, Redirect, Response},
    routing::{get, post},
    Router,
};

use crate::{error::ApiError, AppState};
use error::{PageError, PageResult};

pub use session::{cookie_user, SESSION_COOKIE, VISITOR_COOKIE};

/// The page for a form's address opened as a page.
/// Outside the web pages' router (its layers do not reach it), with the
/// visitor's bar if they are logged in.
pub async fn method_not_allowed_page(state: &AppState, headers: &HeaderMap) -> Response {
    let chrome = error::chrome_of(state, headers)
        .await
        .unwrap_or_else(Chrome::anonymous);
    let page = error::error_page(
        StatusCode::METHOD_NOT_ALLOWED,
        chrome,
        "This address takes a form, not a visit.",
        error::TO_TASKS,
    );
    secured(page).await
}

/// The page for an address that names nothing: it leads to the visitor's
/// tasks, even under `/admin`, where it may be no admin who asked.
pub async fn not_found_page(state: &AppState, headers: &HeaderMap) -> Response {
    let chrome = error::chrome_of(state, headers)
        .await
        .unwrap_or_else(Chrome::anonymous);
    let page = error::error_page(
        StatusCode::NOT_FOUND,
        chrome,
        "There is no page at this address.",
        error::TO_TASKS,
    );
    secured(page).await
}

/// What every page's frame shows: the stylesheet, who is logged in, and
/// the token the logout form carries.
pub struct Chrome {
    pub css: String,
    pub icon: String,
    pub user: Option<String>,
    /// Whether the bar links to the admin panel.
    pub is_admin: bool,
    pub csrf: String,
}

/// Without the CSRF token: a page error may be logged.
impl std::fmt::Debug for Chrome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chrome")
            .field("user", &self.user)
            .field("is_admin", &self.is_admin)
            .finish_non_exhaustive()
    }
}

impl Chrome {
    pub fn anonymous() -> Chrome {
        Chrome {
            css: assets::url("app.css"),
            icon: assets::url("icon.svg"),
            user: None,
            is_admin: false,
            csrf: String::new(),
        }
    }

    pub fn visitor(csrf: String) -> Chrome {
        Chrome {
            csrf,
            ..Chrome::anonymous()
        }
    }

    pub fn browser(browser: &session::Browser) -> Chrome {
        Chrome {
            css: assets::url("app.css"),
            icon: assets::url("icon.svg"),
            user: Some(common::text::escape_control(&browser.user.username).into_owned()),
            is_admin: browser.user.is_admin,
            csrf: browser.csrf.clone(),
        }
    }
}

/// A page, rendered.
fn render(template: impl Template) -> PageResult<Html<String>> {
    template
        .render()
        .map(Html)
        .map_err(|err| PageError::from(ApiError::Internal(err.into())))
}

/// A path of this site to go back to after a form: anything else (another
/// site, a scheme) becomes the task list.
fn local_path(path: &str) -> String {
    let safe = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control);
    if safe {
        path.to_string()
    } else {
        "/".to_string()
    }
}

/// User text as shown: control characters escaped (HTML escaping is the
/// templates').
fn shown(text: &str) -> String {
    common::text::escape_control(text).into_owned()
}

/// What the web app's forms call the field the API names `field`
/// (`udas.size`, say), to start a message about it. Other names, those of
/// an address's query among them, are said as they were written.
fn field_label(field: &str) -> &str {
    match field.split('.').next().unwrap_or(field) {
        "title" => "Title",
        "description" => "Description",
        "status" => "Status",
        "priority" => "Priority",
        "project" => "Project",
        "tags" => "Tags",
        // The list's Tag box, `-later` in it too.
        "tag" | "exclude_tag" => "Tag",
        "due" => "Due",
        "wait" => "Wait until",
        "scheduled" => "Scheduled",
        "until" => "Until",
        "depends" => "Waits for",
        "udas" => "Other attributes",
        "text" => "Note",
        "username" => "Username",
        "email" => "Email",
        "password" => "Password",
        _ => field,
    }
}

/// `word` with its first letter upper-case: a field's name, a summary, as a
/// sentence starts.
fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The links to the pages before and after `window` of a list of `count` at
/// `path`, keeping the query's other parameters; the next page starts after
/// the `returned` items this one shows (fewer than asked when the page
/// reached its size budget).
fn page_links(
    path: &str,
    pairs: &[(String, String)],
    window: crate::task_query::PageWindow,
    returned: usize,
    count: u64,
) -> (Option<String>, Option<String>) {
    let link = |offset: u64| {
        let mut kept: Vec<(String, String)> = pairs
            .iter()
            .filter(|(n, _)| n != "offset")
            .cloned()
            .collect();
        if offset > 0 {
            kept.push(("offset".into(), offset.to_string()));
        }
        match serde_urlencoded::to_string(&kept) {
            Ok(query) if !query.is_empty() => format!("{path}?{query}"),
            _ => path.to_string(),
        }
    };
    let limit = u64::from(window.limit).max(1);
    // Past the end (an old bookmark, a hand-made address), the way back is
    // to the last page that has tasks, not to the empty one before.
    let last = count.saturating_sub(1) / limit * limit;
    let previous = (window.offset > 0).then(|| link(window.offset.saturating_sub(limit).min(last)));
    let after = window.offset.saturating_add(returned as u64);
    let next = (returned > 0 && after < count).then(|| link(after));
    (previous, next)
}

/// A query string's pairs: a 400 page when it cannot be read.
fn query_pairs(query: Option<&str>) -> PageResult<Vec<(String, String)>> {
    serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|_| PageError::bad_request("This address's query could not be read."))
}

/// The last value of `name` among `pairs`, or empty.
fn pair_value(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// The id an address names, of a `what` (`task`, `user`): a positive
/// integer, else a page saying there is no such thing.
fn path_id(id: &str, what: &str) -> PageResult<i64> {
    id.parse()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| no_such(what))
}

/// A 404 page naming what it did not find.
fn no_such(what: &str) -> PageError {
    PageError::Shown {
        status: StatusCode::NOT_FOUND,
        message: format!("No such {what}."),
    }
}

/// No script but our own, no inline script or style, no framing, forms
/// only to ourselves.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'";

/// The headers every page and asset carries: the CSP, no referrer to other
/// sites, no framing (`nosniff` is set on every response of the daemon);
/// pages are never cached (assets say otherwise themselves).
async fn secured(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(list::tasks))
        .route("/login", get(accounts::login_page).post(accounts::login))
        .route("/logout", post(accounts::logout))
        .route(
            "/register",
            get(accounts::register_page).post(accounts::register),
        )
        // A quick add refused is shown at /tasks: coming back there (a
        // reload, the history) finds the list.
        .route(
            "/tasks",
            get(|| async { Redirect::to("/") }).post(list::add),
        )
        .route("/undo", post(undo::undo))
        .route("/redo", post(undo::redo))
        .route("/tasks/new", post(task_deleted::save_new))
        .route("/tasks/{id}", get(task_page::show).post(task_page::save))
        .route("/tasks/{id}/notes", post(task_page::add_note))
        .route(
            "/tasks/{id}/notes/{note}/delete",
            post(task_page::remove_note),
        )
        .route("/tasks/{id}/{action}", post(list::act))
        .route("/export", get(transfer::export))
        .route("/trash", get(trash::show))
        .route(
            "/import",
            get(transfer::import_page).post(transfer::import).layer(
                axum::extract::DefaultBodyLimit::max(crate::routes::taskwarrior::MAX_IMPORT_BYTES),
            ),
        )
        .route("/admin", get(admin::index))
        .route("/admin/users", get(admin::users::list))
        .route("/admin/users/bulk", post(admin::users::bulk))
        .route(
            "/admin/users/add",
            get(admin::users::add_page).post(admin::users::add),
        )
        .route(
            "/admin/users/{id}",
            get(admin::users::show).post(admin::users::save),
        )
        .route(
            "/admin/users/{id}/password",
            post(admin::users::set_password),
        )
        .route("/admin/users/{id}/logins", post(admin::users::end_logins))
        .route("/admin/tasks", get(admin::tasks::list))
        .route("/admin/tasks/delete", post(admin::tasks::delete))
        .route("/static/{name}", get(assets::serve))
        .layer(axum::middleware::from_fn_with_state(
            state,
            error::with_their_bar,
        ))
        .layer(axum::middleware::map_response(secured))
}
