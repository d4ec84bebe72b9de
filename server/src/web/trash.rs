//! The trash in the browser: what was deleted these thirty days, newest
//! first, each brought back with one button, as `task trash` and `task
//! restore` do at the prompt.

use askama::Template;
use axum::{
    extract::State,
    response::{IntoResponse, Response},
};

use super::{error::PageResult, render, session::Browser, shown, task_form::local, Chrome};
use crate::AppState;

#[derive(Template)]
#[template(path = "trash.html")]
struct TrashPage {
    chrome: Chrome,
    tasks: Vec<Trashed>,
}

struct Trashed {
    id: i64,
    title: String,
    project: String,
    deleted: String,
}

pub async fn show(State(state): State<AppState>, browser: Browser) -> PageResult<Response> {
    let tasks = state
        .store
        .trash(browser.user.id)
        .await?
        .into_iter()
        .map(|trashed| Trashed {
            id: trashed.task.id,
            title: shown(&trashed.task.title),
            project: trashed
                .task
                .project
                .as_deref()
                .map(shown)
                .unwrap_or_default(),
            deleted: local(Some(trashed.deleted_at)),
        })
        .collect();
    let page = TrashPage {
        chrome: Chrome::browser(&browser),
        tasks,
    };
    Ok(render(page)?.into_response())
}
