//! A task's own page: every field in one form (dates and dependencies in the
//! CLI's words), its notes, and what it waits for.

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use chrono::{DateTime, Local, Utc};
use common::{
    api::{Task, UdaValue},
    dates::Clock,
    filter::{tag_list, Resolved},
    task_ref::TaskRef,
};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{
    error::{PageError, PageResult},
    local_path, render,
    session::{self, Browser, FormBody, SESSION_COOKIE},
    shown, task_id, undo, Chrome,
};
use crate::{
    domain::{
        task_ops::{self as ops, TaskError},
        tasks::TaskChange,
        FieldErrors,
    },
    error::ApiError,
    forwarded::RequestOrigin,
    task_input,
    task_query::{PageWindow, TaskFilter},
    AppState,
};

/// The form's fields as text, as shown and as sent back.
#[derive(Debug, Default, Deserialize)]
pub struct TaskForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    back: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    project: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    wait: String,
    #[serde(default)]
    scheduled: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    depends: String,
    #[serde(default)]
    udas: String,
}

struct Note {
    id: i64,
    entry: String,
    text: String,
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    chrome: Chrome,
    id: i64,
    version: i64,
    back: String,
    heading: String,
    number: String,
    uuid: String,
    urgency: String,
    blocked: bool,
    blocking: bool,
    form: TaskForm,
    priorities: Vec<(&'static str, &'static str)>,
    notes: Vec<Note>,
    errors: Vec<String>,
    /// A note refused, as it was typed.
    note: String,
}

fn local(at: Option<DateTime<Utc>>) -> String {
    at.map(|at| {
        at.with_timezone(&Local)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    })
    .unwrap_or_default()
}

/// How a dependency is named on the page: its number while pending, else
/// the start of its uuid.
async fn names_of(state: &AppState, user_id: i64, ids: &[i64]) -> Vec<String> {
    let mut names = Vec::new();
    for id in ids {
        match ops::get(state.store.as_ref(), user_id, *id).await {
            Ok(task) => names.push(match task.number {
                Some(number) => number.to_string(),
                None => task.uuid.chars().take(8).collect(),
            }),
            Err(_) => names.push(format!("#{id}")),
        }
    }
    names
}

async fn form_of(state: &AppState, user_id: i64, task: &Task) -> TaskForm {
    let udas: Vec<String> = task
        .udas
        .iter()
        .map(|(name, value)| match value {
            UdaValue::Text(text) => format!("{name}: {text}"),
            other => format!(
                "{name}: {}",
                serde_json::to_string(other).unwrap_or_default()
            ),
        })
        .collect();
    TaskForm {
        title: task.title.clone(),
        description: task.description.clone(),
        status: task.status.as_str().to_string(),
        priority: task
            .priority
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
        project: task.project.clone().unwrap_or_default(),
        tags: task.tags.join(" "),
        due: local(task.due),
        wait: local(task.wait),
        scheduled: local(task.scheduled),
        until: local(task.until),
        depends: names_of(state, user_id, &task.depends).await.join(", "),
        udas: udas.join("\n"),
        ..TaskForm::default()
    }
}

fn page(
    browser: &Browser,
    task: &Task,
    back: String,
    form: TaskForm,
    errors: Vec<String>,
) -> TaskPage {
    TaskPage {
        chrome: Chrome::browser(browser),
        id: task.id,
        version: task.version,
        back,
        heading: shown(&task.title),
        number: task.number.map(|n| n.to_string()).unwrap_or_default(),
        uuid: task.uuid.clone(),
        urgency: format!("{:.1}", common::urgency::urgency(task, Utc::now())),
        blocked: task.blocked,
        blocking: task.blocking,
        form,
        priorities: vec![
            ("", "None"),
            ("low", "Low"),
            ("medium", "Medium"),
            ("high", "High"),
        ],
        notes: task
            .annotations
            .iter()
            .map(|note| Note {
                id: note.id,
                entry: local(Some(note.entry)),
                text: shown(&note.text),
            })
            .collect(),
        errors: errors.iter().map(|message| shown(message)).collect(),
        note: String::new(),
    }
}

#[derive(Deserialize)]
pub struct Back {
    back: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    browser: Browser,
    Path(id): Path<String>,
    Query(back): Query<Back>,
) -> PageResult<Response> {
    let task = ops::get(state.store.as_ref(), browser.user.id, task_id(&id)?).await?;
    let form = form_of(&state, browser.user.id, &task).await;
    let back = local_path(back.back.as_deref().unwrap_or("/"));
    Ok(render(page(&browser, &task, back, form, Vec::new()))?.into_response())
}

/// The tasks `refs` name among the user's, by id; a message when one names
/// none, or several.
pub async fn resolve(
    state: &AppState,
    user_id: i64,
    refs: impl IntoIterator<Item = TaskRef>,
) -> Result<Resolved, String> {
    let mut resolved = Resolved::new();
    for task in refs {
        let filter = TaskFilter {
            query: task.query(),
            page: PageWindow {
                limit: 2,
                offset: 0,
            },
            now: Utc::now(),
            budget: None,
            light: false,
        };
        let found = ops::list(state.store.as_ref(), user_id, filter)
            .await
            .map_err(|err| PageError::from(err).to_string())?;
        match found.tasks.as_slice() {
            [one] => {
                resolved.insert(task, one.id);
            }
            [] => return Err(format!("No task {task}.")),
            _ => {
                return Err(format!(
                    "{task} names several tasks: give more of its uuid."
                ))
            }
        }
    }
    Ok(resolved)
}

/// The form as a task body, in the same fields the API takes; the messages
/// say what could not be read.
async fn body_of(
    state: &AppState,
    user_id: i64,
    current: &Task,
    form: &TaskForm,
) -> (Map<String, Value>, Vec<String>) {
    let clock = Clock::at(Local::now());
    let mut errors = Vec::new();
    let mut body = Map::new();
    body.insert("title".into(), json!(form.title));
    body.insert(
        "description".into(),
        json!(form.description.replace("\r\n", "\n")),
    );
    body.insert("status".into(), json!(form.status));
    body.insert(
        "priority".into(),
        if form.priority.is_empty() {
            Value::Null
        } else {
            json!(form.priority)
        },
    );
    body.insert("project".into(), json!(form.project));
    match tag_list(&form.tags) {
        Ok(tags) => {
            body.insert("tags".into(), json!(tags));
        }
        Err(err) => errors.push(format!("Tags: {err}.")),
    }
    for (name, text, now) in [
        ("due", &form.due, current.due),
        ("wait", &form.wait, current.wait),
        ("scheduled", &form.scheduled, current.scheduled),
        ("until", &form.until, current.until),
    ] {
        let value = match text.trim() {
            "" => Value::Null,
            // Shown to the minute: as shown, it is the value it was.
            shown if now.is_some() && shown == local(now) => json!(now),
            words => match clock.parse(words) {
                Ok(spec) => json!(spec.due()),
                Err(err) => {
                    errors.push(format!("{}: {err}", label(name)));
                    continue;
                }
            },
        };
        body.insert(name.into(), value);
    }
    let mut refs = Vec::new();
    for part in form
        .depends
        .split([',', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match TaskRef::parse(part.trim_start_matches('#')) {
            Some(task) => refs.push(task),
            None => errors.push(format!(
                "Waits for: {part:?} is not a task number or the start of a uuid."
            )),
        }
    }
    match resolve(state, user_id, refs.clone()).await {
        Ok(resolved) => {
            let ids: Vec<i64> = refs
                .iter()
                .filter_map(|r| resolved.get(r).copied())
                .collect();
            body.insert("depends".into(), json!(ids));
        }
        Err(message) => errors.push(format!("Waits for: {message}")),
    }
    let mut udas = Map::new();
    for line in form.udas.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match line.split_once([':', '=']) {
            // `size:` with no value removes it, as `uda.size:` does.
            Some((_, value)) if value.trim().is_empty() => {}
            Some((name, value)) => {
                udas.insert(
                    name.trim().to_string(),
                    serde_json::to_value(UdaValue::from_typed(value.trim())).unwrap_or(Value::Null),
                );
            }
            None => errors.push(format!("Other attributes: {line:?} is not `name: value`.")),
        }
    }
    body.insert("udas".into(), Value::Object(udas));
    (body, errors)
}

/// Field errors, each under the name the form gives its field.
fn labelled(errors: &FieldErrors) -> Vec<String> {
    errors
        .iter()
        .map(|(field, messages)| format!("{}: {}", label(field), messages.join(" ")))
        .collect()
}

/// Why the task's rules refused the form, in the form's words.
fn refusal(err: ApiError) -> Vec<String> {
    match &err {
        ApiError::BadRequest {
            errors: Some(errors),
            ..
        } => labelled(errors),
        _ => vec![err.detail()],
    }
}

/// What the form calls the field the API names `field` (`udas.size`, say).
fn label(field: &str) -> &str {
    match field.split('.').next().unwrap_or(field) {
        "title" => "Title",
        "description" => "Description",
        "status" => "Status",
        "priority" => "Priority",
        "project" => "Project",
        "tags" => "Tags",
        "due" => "Due",
        "wait" => "Wait until",
        "scheduled" => "Scheduled",
        "until" => "Until",
        "depends" => "Waits for",
        "udas" => "Other attributes",
        _ => field,
    }
}

pub async fn save(
    State(state): State<AppState>,
    browser: Browser,
    origin: RequestOrigin,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(form): FormBody<TaskForm>,
) -> PageResult<Response> {
    session::check_form(&state, &headers, &origin, SESSION_COOKIE, &form.csrf)?;
    let id = task_id(&id)?;
    let store = state.store.as_ref();
    let user = browser.user.id;
    let back = local_path(&form.back);
    let version: Option<Vec<i64>> = form.version.parse().ok().map(|v| vec![v]);
    let current = ops::get(store, user, id).await?;
    // Every mistake at once: what the form could not read, then what the
    // rest does not pass.
    let (body, mut errors) = body_of(&state, user, &current, &form).await;
    let checked = task_input::checked_full(body)
        .map_err(|field_errors| errors.extend(labelled(&field_errors)));
    let refused = match checked {
        Ok(fields) if errors.is_empty() => {
            match ops::update(store, user, id, version, TaskChange::Replace(fields)).await {
                Ok(saved) => {
                    // Saving an untouched form changes nothing: no undo to offer.
                    if saved.version == current.version {
                        return Ok(Redirect::to(&back).into_response());
                    }
                    let offer = undo::offer_after(&origin, &saved);
                    return Ok((offer, Redirect::to(&back)).into_response());
                }
                Err(TaskError::VersionMismatch) => (
                    StatusCode::CONFLICT,
                    vec![
                        "This task was changed elsewhere since you opened it. Your values \
                          are below; save again to keep them."
                            .to_string(),
                    ],
                ),
                Err(err @ (TaskError::Store(_) | TaskError::NotFound)) => return Err(err.into()),
                Err(err) => (StatusCode::BAD_REQUEST, refusal(err.into())),
            }
        }
        _ => (StatusCode::BAD_REQUEST, errors),
    };
    // What was typed stays; the task as it is now gives the rest.
    let (status, errors) = refused;
    let task = ops::get(store, user, id).await?;
    Ok((status, render(page(&browser, &task, back, form, errors))?).into_response())
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    text: String,
}

pub async fn add_note(
    State(state): State<AppState>,
    browser: Browser,
    origin: RequestOrigin,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(form): FormBody<NoteForm>,
) -> PageResult<Response> {
    session::check_form(&state, &headers, &origin, SESSION_COOKIE, &form.csrf)?;
    let id = task_id(&id)?;
    let store = state.store.as_ref();
    match ops::annotate(store, browser.user.id, id, None, form.text.clone()).await {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}")).into_response()),
        Err(err) => {
            let err = PageError::from(err);
            if matches!(&err, PageError::Shown { status, .. } if *status != StatusCode::BAD_REQUEST)
            {
                return Err(err);
            }
            // The note stays in its box, with what is wrong with it.
            let task = ops::get(store, browser.user.id, id).await?;
            let fields = form_of(&state, browser.user.id, &task).await;
            let mut shown = page(&browser, &task, "/".into(), fields, vec![err.to_string()]);
            shown.note = form.text;
            Ok((StatusCode::BAD_REQUEST, render(shown)?).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

pub async fn remove_note(
    State(state): State<AppState>,
    browser: Browser,
    origin: RequestOrigin,
    headers: HeaderMap,
    Path((id, note)): Path<(String, String)>,
    FormBody(form): FormBody<CsrfOnly>,
) -> PageResult<Response> {
    session::check_form(&state, &headers, &origin, SESSION_COOKIE, &form.csrf)?;
    let id = task_id(&id)?;
    let note = task_id(&note)?;
    ops::denotate(state.store.as_ref(), browser.user.id, id, note, None).await?;
    Ok(Redirect::to(&format!("/tasks/{id}")).into_response())
}
