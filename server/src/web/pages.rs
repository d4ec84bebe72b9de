//! The pages: log in, register, log out, the task list with its filters,
//! quick add, and the one-click actions on a task.

use askama::Template;
use axum::{
    extract::{Path, Query, RawQuery, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use chrono::{Local, Utc};
use common::{
    api::{RegisterRequest, Status, Task},
    filter::{split_words, Modifications, ModifyMode},
};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{
    error::{PageError, PageResult},
    session::{self, Browser, FormBody, Visitor, SESSION_COOKIE, SESSION_DAYS, VISITOR_COOKIE},
    Chrome,
};
use crate::{
    auth,
    config::Registration,
    domain::{task_ops as ops, tasks::TaskChange},
    error::ApiError,
    extract::ClientAddr,
    forwarded::RequestOrigin,
    routes::accounts,
    task_input,
    task_query::TaskFilter,
    AppState,
};

pub(super) fn render(template: impl Template) -> PageResult<Html<String>> {
    template
        .render()
        .map(Html)
        .map_err(|err| PageError::from(ApiError::Internal(err.into())))
}

/// A path of this site to go back to after a form: anything else (another
/// site, a scheme) becomes the task list.
pub(super) fn local_path(path: &str) -> String {
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

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    next: String,
    username: String,
    error: Option<String>,
    registration_open: bool,
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

pub async fn login_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(next): Query<Next>,
) -> PageResult<Response> {
    let page = LoginPage {
        chrome: Chrome::visitor(visitor.csrf),
        next: local_path(next.next.as_deref().unwrap_or("/")),
        username: String::new(),
        error: None,
        registration_open: state.registration == Registration::Open,
    };
    Ok((visitor.jar, render(page)?).into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    csrf: String,
    #[serde(default)]
    next: String,
    username: String,
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    origin: RequestOrigin,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    FormBody(form): FormBody<LoginForm>,
) -> PageResult<Response> {
    session::check_form(&state, &headers, &origin, VISITOR_COOKIE, &form.csrf)?;
    let refused = |err: ApiError| -> PageResult<Response> {
        let status = err.status();
        let page = LoginPage {
            chrome: Chrome::visitor(form.csrf.clone()),
            next: local_path(&form.next),
            username: form.username.clone(),
            error: Some(match &err {
                ApiError::BadRequest { .. } => "Give a username and a password.".into(),
                other => other.detail(),
            }),
            registration_open: state.registration == Registration::Open,
        };
        Ok((status, render(page)?).into_response())
    };
    if form.username.trim().is_empty() || form.password.is_empty() {
        return refused(ApiError::bad_request("blank"));
    }
    let user =
        match accounts::authenticate(&state, &form.username, form.password.clone(), addr).await {
            Ok(user) => user,
            Err(err @ (ApiError::Internal(_) | ApiError::Unavailable(_))) => return Err(err.into()),
            Err(err) => return refused(err),
        };
    let jar = open_session(&state, &origin, user.id).await?;
    Ok((jar, Redirect::to(&local_path(&form.next))).into_response())
}

/// Logs the browser in as `user_id`: a new login, named by a new cookie.
async fn open_session(
    state: &AppState,
    origin: &RequestOrigin,
    user_id: i64,
) -> PageResult<CookieJar> {
    let token = auth::random_token(32);
    let expires = Utc::now() + chrono::Duration::days(SESSION_DAYS);
    state
        .store
        .open_browser_session(user_id, &auth::refresh_hash(&token), expires)
        .await?;
    let cookie = session::cookie(SESSION_COOKIE, token, origin, Some(SESSION_DAYS));
    Ok(CookieJar::new().add(cookie))
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    browser: Browser,
    origin: RequestOrigin,
    headers: HeaderMap,
    FormBody(form): FormBody<CsrfForm>,
) -> PageResult<Response> {
    session::check_form(&state, &headers, &origin, SESSION_COOKIE, &form.csrf)?;
    state.store.revoke_session(browser.session_id).await?;
    let jar = CookieJar::new().remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/login")).into_response())
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    chrome: Chrome,
    username: String,
    email: String,
    errors: Vec<String>,
}

fn registration_closed() -> PageError {
    PageError::forbidden("Registration is closed: ask an administrator for an account.")
}

pub async fn register_page(
    State(state): State<AppState>,
    visitor: Visitor,
) -> PageResult<Response> {
    if state.registration == Registration::Closed {
        return Err(registration_closed());
    }
    let page = RegisterPage {
        chrome: Chrome::visitor(visitor.csrf),
        username: String::new(),
        email: String::new(),
        errors: Vec::new(),
    };
    Ok((visitor.jar, render(page)?).into_response())
}

#[derive(Deserialize)]
pub struct RegisterForm {
    csrf: String,
    username: String,
    #[serde(default)]
    email: String,
    password: String,
}

pub async fn register(
    State(state): State<AppState>,
    origin: RequestOrigin,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    FormBody(form): FormBody<RegisterForm>,
) -> PageResult<Response> {
    session::check_form(&state, &headers, &origin, VISITOR_COOKIE, &form.csrf)?;
    if state.registration == Registration::Closed {
        return Err(registration_closed());
    }
    let request = RegisterRequest {
        username: form.username.clone(),
        password: form.password.clone(),
        email: Some(form.email.clone()),
    };
    match accounts::create_account(&state, addr, request).await {
        Ok(user) => {
            let jar = open_session(&state, &origin, user.id).await?;
            Ok((jar, Redirect::to("/")).into_response())
        }
        Err(err @ (ApiError::Internal(_) | ApiError::Unavailable(_))) => Err(err.into()),
        Err(err) => {
            let status = err.status();
            let errors = match &err {
                ApiError::BadRequest {
                    errors: Some(errors),
                    ..
                }
                | ApiError::Conflict { errors, .. } => errors
                    .iter()
                    .flat_map(|(field, messages)| {
                        messages
                            .iter()
                            .map(move |m| format!("{}: {m}", capitalized(field)))
                    })
                    .collect(),
                other => vec![other.detail()],
            };
            let page = RegisterPage {
                chrome: Chrome::visitor(form.csrf),
                username: form.username,
                email: form.email,
                errors,
            };
            Ok((status, render(page)?).into_response())
        }
    }
}

fn capitalized(field: &str) -> String {
    let mut chars = field.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The list's filter form, as the query string gives it.
#[derive(Default)]
struct Filters {
    search: String,
    status: String,
    project: String,
    tag: String,
    ordering: String,
}

/// One row of the list, its texts ready to show.
struct Row {
    id: i64,
    number: String,
    title: String,
    project: String,
    tags: Vec<String>,
    due: String,
    priority: String,
    class: String,
    actions: Vec<Action>,
}

struct Action {
    path: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    chrome: Chrome,
    /// This view's path and query, for forms to come back to.
    back: String,
    /// The same, as a query value (for links to a task's page).
    back_encoded: String,
    /// The list's script (live updates).
    script: String,
    filters: Filters,
    statuses: Vec<(&'static str, &'static str)>,
    orderings: Vec<(&'static str, &'static str)>,
    count: u64,
    rows: Vec<Row>,
    previous: Option<String>,
    next: Option<String>,
    quick_add: String,
    error: Option<String>,
}

pub(super) fn shown(text: &str) -> String {
    common::text::escape_control(text).into_owned()
}

fn row(task: &Task, now: chrono::DateTime<Utc>) -> Row {
    let done = task.status == Status::Done;
    let mut class = Vec::new();
    if done {
        class.push("done");
    }
    if task.start.is_some() {
        class.push("active");
    }
    if !done && task.due.is_some_and(|due| due < now) {
        class.push("overdue");
    }
    let mut actions = Vec::new();
    if done {
        actions.push(Action {
            path: "reopen",
            label: "Reopen",
        });
    } else {
        actions.push(Action {
            path: "done",
            label: "Done",
        });
        actions.push(match task.start {
            Some(_) => Action {
                path: "stop",
                label: "Stop",
            },
            None => Action {
                path: "start",
                label: "Start",
            },
        });
    }
    actions.push(Action {
        path: "delete",
        label: "Delete",
    });
    Row {
        id: task.id,
        number: task.number.map(|n| n.to_string()).unwrap_or_default(),
        title: shown(&task.title),
        project: task.project.as_deref().map(shown).unwrap_or_default(),
        tags: task.tags.iter().map(|tag| shown(tag)).collect(),
        due: task
            .due
            .map(|due| {
                due.with_timezone(&Local)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_default(),
        priority: task
            .priority
            .map(|p| {
                p.as_str()
                    .chars()
                    .next()
                    .unwrap_or(' ')
                    .to_ascii_uppercase()
                    .to_string()
            })
            .unwrap_or_default(),
        class: class.join(" "),
        actions,
    }
}

/// The web app's view when the query says nothing: pending tasks, most
/// urgent first.
fn with_defaults(mut pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    let has = |name: &str, pairs: &[(String, String)]| {
        pairs.iter().any(|(n, v)| n == name && !v.is_empty())
    };
    if !has("status", &pairs) {
        pairs.push(("status".into(), "pending".into()));
    }
    if !has("ordering", &pairs) {
        pairs.push(("ordering".into(), "-urgency".into()));
    }
    pairs
}

async fn list_page(
    state: &AppState,
    browser: &Browser,
    query: Option<String>,
    quick_add: String,
    error: Option<String>,
) -> PageResult<TasksPage> {
    let query = query.unwrap_or_default();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&query)
        .map_err(|_| PageError::bad_request("This address's query could not be read."))?;
    let value = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let filters = Filters {
        search: value("search"),
        status: value("status"),
        project: value("project"),
        tag: value("tag"),
        ordering: value("ordering"),
    };
    let filter = TaskFilter::from_pairs(&with_defaults(pairs.clone()))?;
    let window = filter.page;
    let page = ops::list(state.store.as_ref(), browser.user.id, filter).await?;
    let now = Utc::now();
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
            Ok(query) if !query.is_empty() => format!("/?{query}"),
            _ => "/".to_string(),
        }
    };
    let limit = u64::from(window.limit);
    let next = (window.offset + limit < page.count).then(|| link(window.offset + limit));
    let previous = (window.offset > 0).then(|| link(window.offset.saturating_sub(limit)));
    let back = if query.is_empty() {
        "/".to_string()
    } else {
        format!("/?{query}")
    };
    Ok(TasksPage {
        chrome: Chrome::browser(browser),
        script: super::assets::url("app.js"),
        back_encoded: serde_urlencoded::to_string([("", back.as_str())])
            .map(|pair| pair.trim_start_matches('=').to_string())
            .unwrap_or_default(),
        back,
        filters,
        statuses: vec![("", "Pending"), ("done", "Done"), ("all", "All")],
        orderings: vec![
            ("", "Urgency"),
            ("due", "Due date"),
            ("-priority", "Priority"),
            ("-created_at", "Newest"),
            ("title", "Title"),
        ],
        count: page.count,
        rows: page.tasks.iter().map(|task| row(task, now)).collect(),
        previous,
        next,
        quick_add,
        error,
    })
}

pub async fn tasks(
    State(state): State<AppState>,
    browser: Browser,
    RawQuery(query): RawQuery,
) -> PageResult<Html<String>> {
    let page = list_page(&state, &browser, query, String::new(), None).await?;
    render(page)
}

#[derive(Deserialize)]
pub struct AddForm {
    csrf: String,
    #[serde(default)]
    back: String,
    q: String,
}

/// The query of a `back` path, to show that view again.
fn query_of(back: &str) -> Option<String> {
    back.split_once('?').map(|(_, query)| query.to_string())
}

pub async fn add(
    State(state): State<AppState>,
    browser: Browser,
    origin: RequestOrigin,
    headers: HeaderMap,
    FormBody(form): FormBody<AddForm>,
) -> PageResult<Response> {
    session::check_form(&state, &headers, &origin, SESSION_COOKIE, &form.csrf)?;
    let back = local_path(&form.back);
    match create_from_line(&state, &browser, &form.q).await {
        Ok(()) => Ok(Redirect::to(&back).into_response()),
        Err(message) => {
            // What was typed stays in the box, with what is wrong with it.
            let page = list_page(&state, &browser, query_of(&back), form.q, Some(message)).await?;
            Ok((StatusCode::BAD_REQUEST, render(page)?).into_response())
        }
    }
}

/// Creates the task a quick-add line describes, in the CLI's words:
/// `Buy milk +errands due:tomorrow pri:H`. The message says what is wrong.
async fn create_from_line(state: &AppState, browser: &Browser, line: &str) -> Result<(), String> {
    let words = split_words(line);
    let clock = common::dates::Clock::at(Local::now());
    let mods = Modifications::parse(&words, &clock, ModifyMode::Add).map_err(|e| e.to_string())?;
    let resolved = super::task_page::resolve(state, browser.user.id, mods.add_depends.clone())
        .await
        .map_err(|message| format!("depends: {message}"))?;
    let task = mods.to_new_task(&resolved).map_err(|e| e.to_string())?;
    let body = match serde_json::to_value(&task) {
        Ok(Value::Object(body)) => body,
        _ => Map::new(),
    };
    let fields = task_input::full(body).map_err(|err| PageError::from(err).to_string())?;
    ops::create(state.store.as_ref(), browser.user.id, fields)
        .await
        .map(|_| ())
        .map_err(|err| PageError::from(err).to_string())
}

#[derive(Deserialize)]
pub struct ActionForm {
    csrf: String,
    #[serde(default)]
    back: String,
}

pub async fn act(
    State(state): State<AppState>,
    browser: Browser,
    origin: RequestOrigin,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
    FormBody(form): FormBody<ActionForm>,
) -> PageResult<Response> {
    session::check_form(&state, &headers, &origin, SESSION_COOKIE, &form.csrf)?;
    let id: i64 = id
        .parse()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| PageError::from(ApiError::NotFound))?;
    let store = state.store.as_ref();
    let user = browser.user.id;
    let status = |status: &str| -> PageResult<TaskChange> {
        let mut body = Map::new();
        body.insert("status".into(), Value::String(status.into()));
        Ok(TaskChange::Patch(task_input::partial(body)?))
    };
    match action.as_str() {
        "done" => drop(ops::update(store, user, id, None, status("done")?).await?),
        "reopen" => drop(ops::update(store, user, id, None, status("pending")?).await?),
        "start" => drop(ops::set_active(store, user, id, None, true).await?),
        "stop" => drop(ops::set_active(store, user, id, None, false).await?),
        "delete" => ops::delete(store, user, id, None).await?,
        _ => return Err(ApiError::NotFound.into()),
    }
    let mut response = Redirect::to(&local_path(&form.back)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageError::LogIn { .. } => f.write_str("Log in first."),
            PageError::Shown { message, .. } => f.write_str(message),
        }
    }
}
