//! `/api/tasks`: a user's own tasks, and nobody else's.

use axum::{
    extract::State,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use common::api::{NewTask, Page, Problem, Task, TaskPatch};
use serde_json::{Map, Value};
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::AuthUser,
    domain::tasks::{self as rules, TaskChange, Written},
    error::{ApiError, ApiResult},
    extract::{IdPath, IfMatch, JsonBody, QueryPairs},
    routes::pagination,
    task_input,
    task_query::TaskFilter,
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tasks, create_task))
        .routes(routes!(get_task, replace_task, patch_task, delete_task))
}

/// The query parameters of the task list (for the document; parsing is in
/// `task_query`).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ListParams {
    /// Which tasks by status (default all).
    #[param(inline)]
    status: Option<StatusParam>,
    #[param(inline)]
    priority: Option<common::api::Priority>,
    /// A project; its dotted sub-projects match too.
    project: Option<String>,
    /// A tag the task must have; repeat for several (all must match).
    tag: Option<Vec<String>>,
    /// A literal, case-insensitive substring of the title or description.
    search: Option<String>,
    /// Due strictly before this RFC 3339 date-time or YYYY-MM-DD date (UTC).
    due_before: Option<String>,
    /// Due strictly after this RFC 3339 date-time or YYYY-MM-DD date (UTC).
    due_after: Option<String>,
    /// Scheduled strictly before this RFC 3339 date-time or YYYY-MM-DD date (UTC).
    scheduled_before: Option<String>,
    /// Scheduled strictly after this RFC 3339 date-time or YYYY-MM-DD date (UTC).
    scheduled_after: Option<String>,
    /// `true`: only tasks whose `wait` is still to come; `false`: none of them.
    waiting: Option<bool>,
    /// `true`: only started tasks; `false`: none of them.
    active: Option<bool>,
    /// The task with this uuid (any case).
    uuid: Option<String>,
    /// The pending task with this short number.
    #[param(minimum = 1)]
    number: Option<i64>,
    /// Comma list of id, title, status, priority, due, created_at,
    /// updated_at, start, wait, scheduled, until, each optionally prefixed
    /// with `-`; nulls sort last.
    #[param(
        pattern = r"^\s*-?(id|title|status|priority|due|created_at|updated_at|start|wait|scheduled|until)\s*(,\s*-?(id|title|status|priority|due|created_at|updated_at|start|wait|scheduled|until)\s*)*$"
    )]
    ordering: Option<String>,
}

/// `status=` of the task list.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
enum StatusParam {
    Pending,
    Done,
    All,
}

fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

fn with_etag(status: StatusCode, task: Task) -> Response {
    let tag = etag(task.version);
    (status, [(header::ETAG, tag)], Json(task)).into_response()
}

/// Lists the user's tasks, filtered, ordered and paginated.
#[utoipa::path(get, path = "/api/tasks", tag = "tasks",
    params(pagination::PageParams, ListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page, in DRF's envelope", body = Page<Task>),
        (status = 400, description = "A bad query value; `errors` names the parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ),
    description = "Besides the parameters listed, `uda.NAME=VALUE` keeps the tasks whose user-defined attribute NAME, as text, is exactly VALUE.")]
async fn list_tasks(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    QueryPairs(pairs): QueryPairs,
) -> ApiResult<Json<Page<Task>>> {
    let filter = TaskFilter::from_pairs(&pairs)?;
    let window = filter.page;
    let page = state.store.list_tasks(user.user.id, filter).await?;
    let (next, previous) = pagination::links(&headers, "/api/tasks/", &pairs, window, page.count);
    Ok(Json(Page {
        count: page.count,
        next,
        previous,
        results: page.tasks,
    }))
}

/// Creates a task.
#[utoipa::path(post, path = "/api/tasks", tag = "tasks",
    request_body = NewTask,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The task; `Location` names it", body = Task,
            headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Malformed JSON, invalid or unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
    ))]
async fn create_task(
    State(state): State<AppState>,
    user: AuthUser,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Response> {
    let fields = task_input::full(body)?;
    let task = rules::create(state.store.as_ref(), user.user.id, fields).await?;
    let location = HeaderValue::from_str(&format!("/api/tasks/{}/", task.id))
        .map_err(|err| ApiError::Internal(err.into()))?;
    let mut response = with_etag(StatusCode::CREATED, task);
    response.headers_mut().insert(header::LOCATION, location);
    Ok(response)
}

/// One task; its `ETag` is its version.
#[utoipa::path(get, path = "/api/tasks/{id}", tag = "tasks",
    params(("id" = i64, Path, description = "Task id")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Task, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such task, or not yours", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_task(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
) -> ApiResult<Response> {
    let task = state
        .store
        .get_task(user.user.id, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(with_etag(StatusCode::OK, task))
}

async fn update(
    state: &AppState,
    user: &AuthUser,
    id: i64,
    if_match: Option<Vec<i64>>,
    change: TaskChange,
) -> ApiResult<Response> {
    match rules::update(state.store.as_ref(), user.user.id, id, if_match, change).await? {
        Written::Done(task) => Ok(with_etag(StatusCode::OK, task)),
        Written::NotFound => Err(ApiError::NotFound),
        Written::VersionMismatch => Err(ApiError::PreconditionFailed),
    }
}

/// Replaces every writable field; absent optional fields reset to defaults.
#[utoipa::path(put, path = "/api/tasks/{id}", tag = "tasks",
    params(("id" = i64, Path, description = "Task id"),
        ("If-Match" = Option<String>, Header, description = "Only if the task's version (ETag) is this")),
    request_body = NewTask,
    security(("bearer" = [])),
    responses(
        (status = 200, body = Task, headers(("ETag" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match names another version", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
    ))]
async fn replace_task(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Response> {
    let fields = task_input::full(body)?;
    update(&state, &user, id, if_match, TaskChange::Replace(fields)).await
}

/// Changes only the fields given.
#[utoipa::path(patch, path = "/api/tasks/{id}", tag = "tasks",
    params(("id" = i64, Path, description = "Task id"),
        ("If-Match" = Option<String>, Header, description = "Only if the task's version (ETag) is this")),
    request_body = TaskPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, body = Task, headers(("ETag" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match names another version", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
    ))]
async fn patch_task(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Response> {
    let patch = task_input::partial(body)?;
    update(&state, &user, id, if_match, TaskChange::Patch(patch)).await
}

/// Deletes a task.
#[utoipa::path(delete, path = "/api/tasks/{id}", tag = "tasks",
    params(("id" = i64, Path, description = "Task id"),
        ("If-Match" = Option<String>, Header, description = "Only if the task's version (ETag) is this")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match names another version", body = Problem, content_type = "application/problem+json"),
    ))]
async fn delete_task(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
) -> ApiResult<StatusCode> {
    match rules::delete(state.store.as_ref(), user.user.id, id, if_match).await? {
        Written::Done(()) => Ok(StatusCode::NO_CONTENT),
        Written::NotFound => Err(ApiError::NotFound),
        Written::VersionMismatch => Err(ApiError::PreconditionFailed),
    }
}
