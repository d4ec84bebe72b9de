//! A task page saved after its task was deleted elsewhere: nothing is
//! saved over the trash, and what was typed is kept on a page that can
//! save it as a new task.

use askama::Template;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use common::api::Task;

use super::{
    error::PageResult,
    form_merge::touched,
    local_path, render,
    session::{self, Browser, FormBody, SESSION_COOKIE},
    task_form::{body_of, labelled, refusal, shown_depends, TaskForm},
    undo, Chrome,
};
use crate::{
    domain::task_ops::{self as ops, TaskError},
    forwarded::RequestOrigin,
    task_input, AppState,
};

#[derive(Template)]
#[template(path = "task_deleted.html")]
struct DeletedPage {
    chrome: Chrome,
    form: TaskForm,
    /// Where "All tasks" leads: the form's `back`, if a path of this site.
    back: String,
    /// The deleted task's id, offered to be restored from the trash.
    restore: Option<i64>,
    errors: Vec<String>,
}

/// The page for a save whose task is gone: what was typed, ready to be
/// saved as a new task, and the task `restore`, to be brought back.
pub(super) fn page(
    browser: &Browser,
    form: TaskForm,
    restore: Option<i64>,
    errors: Vec<String>,
) -> PageResult<Response> {
    // Not found when the task went; refused when its new one is.
    let status = if errors.is_empty() {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::BAD_REQUEST
    };
    let page = DeletedPage {
        chrome: Chrome::browser(browser),
        back: local_path(&form.back),
        restore,
        form,
        errors,
    };
    Ok((status, render(page)?).into_response())
}

/// `POST /tasks/new`: the kept form saved as a new task, every field as it
/// reads (the tasks "Waits for" named, as the page showed them).
pub async fn save_new(
    State(state): State<AppState>,
    browser: Browser,
    origin: RequestOrigin,
    headers: HeaderMap,
    FormBody(form): FormBody<TaskForm>,
) -> PageResult<Response> {
    session::check_form(&state, &headers, &origin, SESSION_COOKIE, &form.csrf)?;
    let user = browser.user.id;
    let was = serde_json::from_str(&form.was).ok();
    let shown = shown_depends(was.as_ref());
    let every = touched(&form, None);
    let (body, mut errors) = body_of(&state, user, &Task::default(), &form, &shown, |field| {
        every.contains(&field)
    })
    .await;
    let fields =
        task_input::checked_full(body).map_err(|refused| errors.extend(labelled(&refused)));
    let fields = match fields {
        Ok(fields) if errors.is_empty() => fields,
        _ => return page(&browser, form, None, errors),
    };
    match ops::create(state.store.as_ref(), user, fields).await {
        Ok(task) => {
            let back = Redirect::to(&local_path(&form.back));
            Ok((undo::offer_after(&origin, &task), back).into_response())
        }
        Err(err @ TaskError::Store(_)) => Err(err.into()),
        Err(err) => {
            let errors = refusal(err.into());
            page(&browser, form, None, errors)
        }
    }
}
