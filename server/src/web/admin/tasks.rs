//! Everyone's tasks in the admin panel: searched, filtered by user and
//! status, and deleted after a confirmation.

use askama::Template;
use axum::{
    extract::{RawQuery, State},
    http::HeaderMap,
    response::{Html, IntoResponse, Response},
};
use common::api::Status;

use super::{cannot_do, when, AdminBrowser, ConfirmPage, DonePage, Posted};
use crate::{
    domain::admin,
    error::ApiError,
    forwarded::RequestOrigin,
    store::admin::AdminTask,
    task_query::AdminTaskQuery,
    web::{
        error::{PageError, PageResult},
        page_links, pair_value, render,
        session::FormBody,
        shown, Chrome,
    },
    AppState,
};

/// Tasks a page of the list shows.
const PER_PAGE: u32 = 100;

struct Filters {
    search: String,
    user: String,
    status: String,
}

struct TaskRow {
    id: i64,
    user_id: i64,
    username: String,
    title: String,
    status: &'static str,
    project: String,
    changed: String,
}

#[derive(Template)]
#[template(path = "admin/tasks.html")]
struct TasksPage {
    chrome: Chrome,
    filters: Filters,
    statuses: Vec<(&'static str, &'static str)>,
    count: u64,
    rows: Vec<TaskRow>,
    previous: Option<String>,
    next: Option<String>,
}

fn status_label(status: Status) -> &'static str {
    match status {
        Status::Pending => "Pending",
        Status::Done => "Done",
    }
}

fn task_row(task: &AdminTask) -> TaskRow {
    TaskRow {
        id: task.id,
        user_id: task.user_id,
        username: shown(&task.username),
        title: shown(&task.title),
        status: status_label(task.status),
        project: task.project.as_deref().map(shown).unwrap_or_default(),
        changed: when(task.updated_at),
    }
}

/// The tasks list across users: `search`, `user` (a username), `status`
/// and `offset` in the query string; the latest changed first.
pub async fn list(
    State(state): State<AppState>,
    admin: AdminBrowser,
    RawQuery(query): RawQuery,
) -> PageResult<Html<String>> {
    let super::ListQuery {
        given: pairs,
        asked,
    } = super::list_query(query.as_deref(), PER_PAGE)?;
    let task_query = AdminTaskQuery::from_pairs(&asked)?;
    let window = task_query.window;
    let (count, tasks) = state.store.admin_tasks(task_query).await?;
    let (previous, next) = page_links("/admin/tasks", &pairs, window, tasks.len(), count);
    render(TasksPage {
        chrome: admin.chrome(),
        filters: Filters {
            search: pair_value(&pairs, "search"),
            user: pair_value(&pairs, "user"),
            status: pair_value(&pairs, "status"),
        },
        statuses: vec![("", "Any"), ("pending", "Pending"), ("done", "Done")],
        count,
        rows: tasks.iter().map(task_row).collect(),
        previous,
        next,
    })
}

fn describe(task: &AdminTask) -> String {
    format!("“{}” of {}", shown(&task.title), shown(&task.username))
}

/// Deletes the ticked tasks: first a page naming each and its owner, then,
/// confirmed, the deletion (to each owner's trash, announced to their
/// clients) and what it did.
pub async fn delete(
    State(state): State<AppState>,
    admin: AdminBrowser,
    origin: RequestOrigin,
    headers: HeaderMap,
    FormBody(pairs): FormBody<Vec<(String, String)>>,
) -> PageResult<Response> {
    let posted = Posted::check(pairs, &state, &headers, &origin)?;
    let ids = match posted.ids("tasks") {
        Ok(ids) => ids,
        Err(reason) => {
            return cannot_do(&admin, "Delete tasks", reason, Vec::new(), "/admin/tasks")
        }
    };
    if posted.get("confirm") == "yes" {
        let deleted = admin::delete_tasks(state.store.as_ref(), &admin.actor(), &ids).await?;
        let heading = match deleted.len() {
            0 => "Nothing was deleted: those tasks are gone already.".to_string(),
            1 => "Deleted 1 task.".to_string(),
            n => format!("Deleted {n} tasks."),
        };
        return Ok(render(DonePage {
            chrome: admin.chrome(),
            heading,
            items: deleted.iter().map(describe).collect(),
            back: "/admin/tasks".into(),
            back_label: "Back to the tasks",
        })?
        .into_response());
    }
    let tasks = state.store.admin_tasks_by_id(ids.clone()).await?;
    if tasks.is_empty() {
        return Err(PageError::from(ApiError::NotFound));
    }
    let mut fields = vec![("confirm".to_string(), "yes".to_string())];
    fields.extend(ids.iter().map(|id| ("ids".to_string(), id.to_string())));
    let question = match tasks.len() {
        1 => "Delete this task? Its owner can still undo it.".to_string(),
        n => format!("Delete these {n} tasks? Their owners can still undo it."),
    };
    Ok(render(ConfirmPage {
        chrome: admin.chrome(),
        heading: "Delete tasks".into(),
        question,
        items: tasks.iter().map(describe).collect(),
        action: "/admin/tasks/delete",
        fields,
        button: "Yes, delete".into(),
        refused: None,
        back: "/admin/tasks".into(),
    })?
    .into_response())
}
