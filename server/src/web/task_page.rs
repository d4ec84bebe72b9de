//! A task's own page: every field in one form (dates and dependencies in the
//! CLI's words), its notes, and what it waits for.

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use chrono::Utc;
use common::api::Task;
use serde::Deserialize;

use super::{
    error::{PageError, PageResult},
    form_merge::{merged, touched},
    local_path, path_id, render,
    session::{self, Browser, FormBody, SESSION_COOKIE},
    shown, task_deleted,
    task_form::{
        body_of, form_of, keeping_names, labelled, local, refusal, shown_depends, TaskForm,
    },
    undo, Chrome,
};
use crate::{
    domain::{
        task_ops::{self as ops, TaskError},
        tasks::TaskChange,
    },
    forwarded::RequestOrigin,
    store::journal::Direction,
    task_input, AppState,
};

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
    /// Pending and started: offered Stop; pending and not: Start.
    pending: bool,
    active: bool,
    /// This page's own address with its way back, where Start and Stop
    /// come back to.
    here: String,
    /// The web app's script: here, it asks before leaving unsaved edits.
    script: String,
    form: TaskForm,
    priorities: Vec<(&'static str, &'static str)>,
    notes: Vec<Note>,
    errors: Vec<String>,
    /// A note refused, as it was typed.
    note: String,
    /// After a note added or taken away here: what was done, and its undo.
    notice: Option<undo::Notice>,
    /// The attributes' box shows each line, and one more to add to.
    uda_rows: usize,
}

/// A task's page, with the way back it leads to.
pub(super) fn address(id: i64, back: &str) -> String {
    let back = serde_urlencoded::to_string([("back", back)]).unwrap_or_default();
    format!("/tasks/{id}?{back}")
}

fn page(
    browser: &Browser,
    task: &Task,
    back: String,
    form: TaskForm,
    errors: Vec<String>,
) -> TaskPage {
    let here = address(task.id, &back);
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
        pending: task.status == common::api::Status::Pending,
        active: task.start.is_some(),
        here,
        script: super::assets::url("app.js"),
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
        notice: None,
        uda_rows: (form.udas.lines().count() + 1).clamp(2, 12),
        form,
    }
}

#[derive(Deserialize)]
pub struct Back {
    back: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    browser: Browser,
    jar: CookieJar,
    Path(id): Path<String>,
    Query(back): Query<Back>,
) -> PageResult<Response> {
    let id = path_id(&id, "task")?;
    let task = match ops::get(state.store.as_ref(), browser.user.id, id).await {
        Ok(task) => task,
        // A link kept to a task deleted since: where it went, not only
        // that it is gone.
        Err(TaskError::NotFound) => {
            return match state.store.trashed(browser.user.id, id).await? {
                Some(trashed) => Err(PageError::Shown {
                    status: StatusCode::NOT_FOUND,
                    message: format!(
                        "\"{}\" was deleted: it is in the Trash, where Restore brings it back.",
                        shown(&trashed.task.title)
                    ),
                }),
                None => Err(TaskError::NotFound.into()),
            };
        }
        Err(err) => return Err(err.into()),
    };
    let form = form_of(&state, browser.user.id, &task).await;
    let back = local_path(back.back.as_deref().unwrap_or("/"));
    let (notice, jar) = undo::take_notice(&state, browser.user.id, jar).await;
    let mut shown = page(&browser, &task, back, form, Vec::new());
    shown.notice = notice;
    Ok((jar, render(shown)?).into_response())
}

pub async fn save(
    State(state): State<AppState>,
    browser: Browser,
    origin: RequestOrigin,
    headers: HeaderMap,
    Path(id): Path<String>,
    FormBody(form): FormBody<TaskForm>,
) -> PageResult<Response> {
    let holds = session::form_token_holds(&state, &headers, &origin, SESSION_COOKIE, &form.csrf)?;
    let id = path_id(&id, "task")?;
    let store = state.store.as_ref();
    let user = browser.user.id;
    let back = local_path(&form.back);
    if !holds {
        // Nothing saved: the form again as typed, with a token that holds
        // (on the deleted task's page if it went meanwhile).
        let again = vec![session::SHOWN_AGAIN.to_string()];
        let current = match ops::get(store, user, id).await {
            Err(TaskError::NotFound) => {
                let restore = store.trashed(user, id).await?.map(|_| id);
                return task_deleted::page(&browser, form, restore, again);
            }
            found => found?,
        };
        let shown = page(&browser, &current, back, form, again);
        return Ok((StatusCode::FORBIDDEN, render(shown)?).into_response());
    }
    let current = match ops::get(store, user, id).await {
        // What was typed is kept, to be saved as a new task.
        Err(TaskError::NotFound) => {
            // Offered back only from the trash (not once purged, nor an id
            // that was never this user's).
            let restore = store.trashed(user, id).await?.map(|_| id);
            return task_deleted::page(&browser, form, restore, Vec::new());
        }
        found => found?,
    };
    let shown_now = form_of(&state, user, &current).await;
    let was = serde_json::from_str::<BTreeMap<String, String>>(&form.was).ok();
    let touched = touched(&form, was.as_ref());
    let (form, version) = match &was {
        Some(was) => {
            let (mut merged, conflicts) = merged(&form, &touched, was, &shown_now);
            if !conflicts.is_empty() {
                // Theirs named, mine kept: saved again, mine is meant.
                merged.was = keeping_names(shown_now.was, Some(was));
                let shown = page(&browser, &current, back, merged, conflicts);
                return Ok((StatusCode::CONFLICT, render(shown)?).into_response());
            }
            (merged, Some(vec![current.version]))
        }
        // A form without what it showed (a script's): all of it is meant,
        // and saved only over the version it was read at.
        None => {
            let version = form.version.parse().ok().map(|v| vec![v]);
            (form, version)
        }
    };
    // Every mistake at once: what the form could not read, then what the
    // rest does not pass.
    let shown = shown_depends(was.as_ref());
    let (body, mut errors) = body_of(&state, user, &current, &form, &shown, |field| {
        touched.contains(&field)
    })
    .await;
    let checked = match &was {
        // Only what was changed: the rest stays as it is stored.
        Some(_) => task_input::checked_partial(body).map(TaskChange::Patch),
        None => task_input::checked_full(body).map(TaskChange::Replace),
    }
    .map_err(|field_errors| errors.extend(labelled(&field_errors)));
    let refused = match checked {
        Ok(change) if errors.is_empty() => {
            match ops::update(store, user, id, version, change).await {
                Ok(saved) => {
                    // Saving an untouched form changes nothing: no undo to offer.
                    if saved.version == current.version {
                        let said = undo::unchanged(&origin);
                        return Ok((said, Redirect::to(&back)).into_response());
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
    // What was typed stays, over the task it was merged with: what a save
    // of this page would change is told against that.
    let (status, errors) = refused;
    let task = ops::get(store, user, id).await?;
    let form = TaskForm {
        was: keeping_names(shown_now.was, was.as_ref()),
        ..form
    };
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
    let id = path_id(&id, "task")?;
    let store = state.store.as_ref();
    match ops::annotate(store, browser.user.id, id, None, form.text.clone()).await {
        Ok(_) => {
            let offer = undo::offer(&origin, Direction::Undo);
            Ok((offer, Redirect::to(&format!("/tasks/{id}"))).into_response())
        }
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
    let id = path_id(&id, "task")?;
    let note = path_id(&note, "note")?;
    ops::denotate(state.store.as_ref(), browser.user.id, id, note, None).await?;
    // No question first: the notice offers its undo.
    let offer = undo::offer(&origin, Direction::Undo);
    Ok((offer, Redirect::to(&format!("/tasks/{id}"))).into_response())
}
