//! Taskwarrior's format in the browser: export as a download, import as an
//! upload, through the same domain rules as `/api/export/` and
//! `/api/import/`.

use askama::Template;
use axum::{
    extract::{Multipart, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use chrono::Utc;
use common::api::{ImportSkip, ImportSummary};

use super::{
    error::{PageError, PageResult},
    render,
    session::{self, Browser, SESSION_COOKIE},
    shown, Chrome,
};
use crate::{
    domain::{importing, taskwarrior::import},
    error::ApiError,
    forwarded::RequestOrigin,
    task_query::TaskFilter,
    AppState,
};

pub async fn export(State(state): State<AppState>, browser: Browser) -> PageResult<Response> {
    let every = [("status".to_string(), "all".to_string())];
    let filter = TaskFilter::from_pairs(&every)?;
    let name = format!(
        "attachment; filename=\"taskd-{}.json\"",
        Utc::now().format("%Y-%m-%d")
    );
    Ok(crate::routes::taskwarrior::export_response(
        &state,
        browser.user.id,
        filter,
        Some(&name),
    ))
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    chrome: Chrome,
    error: Option<String>,
    summary: Option<Summary>,
}

struct Summary {
    added: u64,
    updated: u64,
    unchanged: u64,
    skipped: Vec<ImportSkip>,
    notes: Vec<ImportSkip>,
}

impl From<ImportSummary> for Summary {
    fn from(summary: ImportSummary) -> Summary {
        let shown_all = |lines: Vec<ImportSkip>| {
            lines
                .into_iter()
                .map(|line| ImportSkip {
                    uuid: shown(&line.uuid),
                    title: shown(&line.title),
                    reason: shown(&line.reason),
                })
                .collect()
        };
        Summary {
            added: summary.added,
            updated: summary.updated,
            unchanged: summary.unchanged,
            skipped: shown_all(summary.skipped),
            notes: shown_all(summary.notes),
        }
    }
}

pub async fn import_page(browser: Browser) -> PageResult<Response> {
    let page = ImportPage {
        chrome: Chrome::browser(&browser),
        error: None,
        summary: None,
    };
    Ok(render(page)?.into_response())
}

fn unreadable(err: impl std::fmt::Display) -> PageError {
    PageError::bad_request(format!("The upload could not be read: {err}."))
}

pub async fn import(
    State(state): State<AppState>,
    browser: Browser,
    origin: RequestOrigin,
    headers: HeaderMap,
    mut upload: Multipart,
) -> PageResult<Response> {
    crate::extract::refuse_encoded(&headers)?;
    let mut csrf = String::new();
    let mut file = None;
    while let Some(field) = upload.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(unreadable)?,
            Some("file") => {
                // A browser sends the part with no name when no file was chosen.
                let name = field.file_name().unwrap_or_default().to_string();
                file = Some((name, field.bytes().await.map_err(unreadable)?));
            }
            _ => {}
        }
    }
    session::check_form(&state, &headers, &origin, SESSION_COOKIE, &csrf)?;
    let shown_page = |error: Option<String>, summary: Option<Summary>| ImportPage {
        chrome: Chrome::browser(&browser),
        error: error.map(|e| shown(&e)),
        summary,
    };
    let file = match file {
        Some((_, bytes)) if !bytes.iter().all(u8::is_ascii_whitespace) => bytes,
        Some((name, _)) if !name.is_empty() => {
            let message = format!(
                "{name} is empty: nothing to import. Taskwarrior writes its tasks with task export > tasks.json."
            );
            let page = shown_page(Some(message), None);
            return Ok((StatusCode::BAD_REQUEST, render(page)?).into_response());
        }
        _ => {
            let page = shown_page(Some("Choose a file to import.".into()), None);
            return Ok((StatusCode::BAD_REQUEST, render(page)?).into_response());
        }
    };
    // Reading up to 64 MiB of JSON is work for a thread of its own.
    let read = tokio::task::spawn_blocking(move || import::read(&file))
        .await
        .map_err(|err| ApiError::Internal(err.into()))?;
    let parsed = match read {
        Ok(parsed) => parsed,
        Err(err) => {
            let message = format!(
                "Nothing was imported. {}: {}",
                err.at,
                err.messages.join(" ")
            );
            let page = shown_page(Some(message), None);
            return Ok((StatusCode::BAD_REQUEST, render(page)?).into_response());
        }
    };
    let summary = importing::import(state.store.as_ref(), browser.user.id, parsed).await?;
    Ok(render(shown_page(None, Some(summary.into())))?.into_response())
}
