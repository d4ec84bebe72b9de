//! The task list: its filters from the query string, quick add in the
//! CLI's words, and the one-click actions on a task.

use askama::Template;
use axum::{
    extract::{Path, RawQuery, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use chrono::{Local, Utc};
use common::dates::Clock;
use common::{
    api::{Status, Task},
    filter::{Modifications, ModifyMode},
};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{
    error::{PageError, PageResult},
    local_path, page_links, pair_value, path_id, query_pairs, render,
    session::{self, Browser, FormBody, SESSION_COOKIE},
    shown,
    undo::{self, Notice},
    Chrome,
};
use crate::{
    domain::{
        task_ops::{self as ops, TaskError},
        tasks::TaskChange,
        trash,
    },
    error::ApiError,
    forwarded::RequestOrigin,
    store::journal::Direction,
    task_input,
    task_query::TaskFilter,
    AppState,
};

/// The list's filter form, as the query string gives it.
#[derive(Default)]
struct Filters {
    search: String,
    status: String,
    project: String,
    tag: String,
    ordering: String,
}

impl Filters {
    /// Whether the view leaves tasks out by more than their status.
    fn narrowed(&self) -> bool {
        !(self.search.is_empty() && self.project.is_empty() && self.tag.is_empty())
    }
}

/// One row of the list, its texts ready to show.
struct Row {
    id: i64,
    number: String,
    title: String,
    project: String,
    tags: Vec<String>,
    due: String,
    /// When a task hidden until later shows again; empty for the others.
    waits: String,
    /// What it waits for, when a task it depends on is still pending:
    /// "another task", or "other tasks" when several it depends on are.
    waits_for: &'static str,
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
    orderings: Vec<(String, String)>,
    count: u64,
    /// The page's place in the list, "51–74 of", when the list takes more
    /// than this page; empty otherwise.
    range: String,
    rows: Vec<Row>,
    previous: Option<String>,
    next: Option<String>,
    quick_add: String,
    /// Why the Search box's text was searched for as plain words.
    search_note: Option<String>,
    error: Option<String>,
    /// What was just done, and its undo (or redo).
    notice: Option<Notice>,
}

/// A row of the list; `pending` is how many of what the task waits for
/// are pending, where it waits for several.
fn row(task: &Task, now: chrono::DateTime<Utc>, pending: Option<usize>) -> Row {
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
    let waits = task.wait.filter(|wait| !done && *wait > now);
    if waits.is_some() {
        class.push("waiting");
    }
    let blocked = task.blocked && !done;
    if blocked {
        class.push("blocked");
    }
    let local = |instant: chrono::DateTime<Utc>| {
        instant
            .with_timezone(&Local)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
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
        due: task.due.map(local).unwrap_or_default(),
        waits: waits.map(local).unwrap_or_default(),
        waits_for: match (blocked, pending.unwrap_or(1)) {
            (false, _) => "",
            (true, 0 | 1) => "another task",
            (true, _) => "other tasks",
        },
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

/// The web app's view when the query says nothing: pending tasks, less
/// those waiting until later (as the CLI's and the TUI's lists), most urgent
/// first. `status=waiting` is the form's name for those waiting.
fn with_defaults(
    mut pairs: Vec<(String, String)>,
    clock: &Clock<Local>,
) -> PageResult<(Pairs, Option<String>)> {
    let has = |name: &str, pairs: &[(String, String)]| {
        pairs.iter().any(|(n, v)| n == name && !v.is_empty())
    };
    // The view's own words: the status menu's four, and a tag as the list
    // shows it (`+errands`) or as a filter leaves it out (`-errands`).
    for (name, value) in pairs.iter_mut() {
        match name.as_str() {
            "status" if value == "completed" => *value = menu_status(value).into(),
            "status" if !matches!(value.as_str(), "" | "pending" | "waiting" | "done" | "all") => {
                return Err(PageError::bad_request(format!(
                    "Status “{value}” is not one of this list's: pending, waiting, done or all."
                )))
            }
            "ordering"
                if !value.is_empty() && common::list_query::parse_ordering(value).is_err() =>
            {
                let shown: String = value.chars().take(40).collect();
                let cut = if shown.len() < value.len() { "…" } else { "" };
                return Err(PageError::bad_request(format!(
                    "Sort “{shown}{cut}” is not one this list knows: choose one from the Sort menu of the list."
                )));
            }
            // `+` in an address is a space; `-x`, as on a command line,
            // leaves out the tasks tagged x.
            "tag" => match value.trim().strip_prefix('-') {
                Some(tag) => {
                    *value = tag.trim().to_string();
                    *name = "exclude_tag".into();
                }
                None => *value = value.trim().trim_start_matches('+').to_string(),
            },
            _ => {}
        }
    }
    // The Search box reads the CLI's filter words; what it names outranks
    // the form's own boxes.
    let (searched, search_note) = match pairs.iter().find(|(n, _)| n == "search") {
        Some((_, value)) => search_words(value, clock),
        None => (Vec::new(), None),
    };
    pairs.retain(|(name, _)| {
        name != "search" && (is_repeatable(name) || !searched.iter().any(|(n, _)| n == name))
    });
    pairs.extend(searched);
    let waiting = pairs.iter().any(|(n, v)| n == "status" && v == "waiting");
    if waiting {
        pairs.retain(|(n, _)| n != "status" && n != "waiting");
        pairs.push(("waiting".into(), "true".into()));
    }
    if !has("status", &pairs) {
        pairs.push(("status".into(), "pending".into()));
    }
    let pending = pairs.iter().any(|(n, v)| n == "status" && v == "pending");
    if pending && !has("waiting", &pairs) {
        pairs.push(("waiting".into(), "false".into()));
    }
    if !has("ordering", &pairs) {
        pairs.push(("ordering".into(), "-urgency".into()));
    }
    Ok((pairs, search_note))
}

/// A query string's name and value pairs, in order.
type Pairs = Vec<(String, String)>;

/// Query parameters a list takes more than once.
fn is_repeatable(name: &str) -> bool {
    matches!(name, "tag" | "exclude_tag" | "search") || name.starts_with("uda.")
}

/// The Search box's text as the CLI's filter reads it (`+errands
/// pri:H due.before:friday rent`): free words are each searched for on
/// their own, a phrase in quotes as one. Text the grammar refuses, or that
/// names tasks by number (`2026` is a search here, not task 2026), is
/// searched for word by word, with a note saying why when it was refused.
fn search_words(text: &str, clock: &Clock<Local>) -> (Pairs, Option<String>) {
    let plain = || {
        common::typed_line::split(text)
            .into_iter()
            .map(|word| ("search".to_string(), word.text))
            .collect()
    };
    let parsed = common::filter::TaskFilter::parse_line(text, clock).and_then(|parsed| {
        parsed
            .refuse_limit("the list here pages through every task the filter matches")
            .map(|()| parsed)
    });
    match parsed {
        Ok(parsed) if parsed.names.is_empty() => {
            let mut query = parsed.query;
            query.limit = None;
            query.offset = None;
            query.ordering.clear();
            (query.to_pairs(), None)
        }
        Ok(_) => (plain(), None),
        Err(err) => (
            plain(),
            Some(format!("Searched for the words as text: {err}.")),
        ),
    }
}

/// A status as the Status menu names it: Taskwarrior's `completed` is its
/// Done.
fn menu_status(status: &str) -> &str {
    match status {
        "completed" => "done",
        other => other,
    }
}

/// The Sort menu: its five, and the address's own when it is another (a
/// link's `?ordering=-due`), so that the menu shows the sort in force.
fn orderings(asked: &str) -> Vec<(String, String)> {
    let mut menu: Vec<(String, String)> = [
        ("", "Urgency"),
        ("due", "Due date"),
        ("-priority", "Priority"),
        ("-created_at", "Newest"),
        ("title", "Title"),
        ("project", "Project"),
    ]
    .into_iter()
    .map(|(value, label)| (value.to_string(), label.to_string()))
    .collect();
    if !menu.iter().any(|(value, _)| value == asked) {
        menu.push((asked.to_string(), format!("As in the address: {asked}")));
    }
    menu
}

async fn list_page(
    state: &AppState,
    browser: &Browser,
    query: Option<String>,
    quick_add: String,
    error: Option<String>,
) -> PageResult<TasksPage> {
    let pairs = query_pairs(query.as_deref())?;
    let query = query.unwrap_or_default();
    let value = |name: &str| pair_value(&pairs, name);
    let filters = Filters {
        search: value("search"),
        status: menu_status(&value("status")).to_string(),
        project: value("project"),
        tag: value("tag"),
        // The default named is the menu's first.
        ordering: Some(value("ordering"))
            .filter(|ordering| ordering != "-urgency")
            .unwrap_or_default(),
    };
    let orderings = orderings(&filters.ordering);
    let clock = Clock::at(Local::now());
    let (asked, search_note) = with_defaults(pairs.clone(), &clock)?;
    let filter = TaskFilter::from_pairs(&asked)?;
    let window = filter.page;
    let page = ops::list(state.store.as_ref(), browser.user.id, filter).await?;
    let waits_for =
        ops::pending_dependencies(state.store.as_ref(), browser.user.id, &page.tasks).await?;
    let now = Utc::now();
    let (previous, next) = page_links("/", &pairs, window, page.tasks.len(), page.count);
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
        statuses: vec![
            ("", "Pending"),
            ("waiting", "Waiting"),
            ("done", "Done"),
            ("all", "All"),
        ],
        orderings,
        count: page.count,
        range: match page.tasks.len() as u64 {
            0 => String::new(),
            shown if shown < page.count => {
                format!("{}–{} of", window.offset + 1, window.offset + shown)
            }
            _ => String::new(),
        },
        rows: page
            .tasks
            .iter()
            .map(|task| row(task, now, waits_for.get(&task.id).copied()))
            .collect(),
        previous,
        next,
        quick_add,
        error,
        search_note,
        notice: None,
    })
}

pub async fn tasks(
    State(state): State<AppState>,
    browser: Browser,
    jar: CookieJar,
    RawQuery(query): RawQuery,
) -> PageResult<Response> {
    let (notice, jar) = undo::take_notice(&state, browser.user.id, jar).await;
    let mut page = list_page(&state, &browser, query, String::new(), None).await?;
    page.notice = notice;
    Ok((jar, render(page)?).into_response())
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
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
    let back = local_path(&form.back);
    if !session::form_token_holds(&state, &headers, &origin, SESSION_COOKIE, &form.csrf)? {
        let again = Some(session::SHOWN_AGAIN.to_string());
        let page = list_page(&state, &browser, query_of(&back), form.q, again).await?;
        return Ok((StatusCode::FORBIDDEN, render(page)?).into_response());
    }
    match create_from_line(&state, &browser, &form.q).await {
        Ok(task) => Ok((undo::offer_after(&origin, &task), Redirect::to(&back)).into_response()),
        Err(message) => {
            // What was typed stays in the box, with what is wrong with it.
            let page = list_page(&state, &browser, query_of(&back), form.q, Some(message)).await?;
            Ok((StatusCode::BAD_REQUEST, render(page)?).into_response())
        }
    }
}

/// Creates the task a quick-add line describes, in the CLI's words:
/// `Buy milk +errands due:tomorrow pri:H`. The message says what is wrong.
async fn create_from_line(state: &AppState, browser: &Browser, line: &str) -> Result<Task, String> {
    let clock = Clock::at(Local::now());
    let mods =
        Modifications::parse_line(line, &clock, ModifyMode::Add).map_err(|e| e.to_string())?;
    let resolved = super::task_form::resolve(state, browser.user.id, mods.add_depends.clone())
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
        .map_err(|err| PageError::from(err).to_string())
}

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
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
    let id = path_id(&id, "task")?;
    let store = state.store.as_ref();
    let user = browser.user.id;
    let status = |status: &str| -> PageResult<TaskChange> {
        let mut body = Map::new();
        body.insert("status".into(), Value::String(status.into()));
        Ok(TaskChange::Patch(task_input::partial(body)?))
    };
    // From the trash, where no other action finds it: its page, with the
    // restore's Undo, and the way back the page had.
    if action == "restore" {
        let page = Redirect::to(&super::task_page::address(id, &local_path(&form.back)));
        return match trash::restore(store, user, id).await {
            Ok(task) => Ok((undo::offer_after(&origin, &task), page).into_response()),
            // Restored already (a second click, another tab): its page.
            Err(TaskError::NotFound) if ops::get(store, user, id).await.is_ok() => {
                Ok(page.into_response())
            }
            Err(err) => Err(err.into()),
        };
    }
    let before = ops::get(store, user, id).await?.version;
    // The task after, or none for a deletion.
    let after = match action.as_str() {
        "done" => Some(ops::update(store, user, id, None, status("done")?).await?),
        "reopen" => Some(ops::update(store, user, id, None, status("pending")?).await?),
        "start" => Some(ops::set_active(store, user, id, None, true).await?),
        "stop" => Some(ops::set_active(store, user, id, None, false).await?),
        "delete" => {
            ops::delete(store, user, id, None).await?;
            None
        }
        _ => return Err(ApiError::NotFound.into()),
    };
    let back = Redirect::to(&local_path(&form.back));
    // Offered only when something changed: a task already done (a second
    // click, another tab) has no undo of its own to offer.
    let mut response = match &after {
        Some(task) if task.version == before => back.into_response(),
        Some(task) => (undo::offer_after(&origin, task), back).into_response(),
        None => (undo::offer(&origin, Direction::Undo), back).into_response(),
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
