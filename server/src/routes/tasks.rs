//! `/api/tasks`: a user's own tasks, and nobody else's.

use axum::{
    extract::{RawQuery, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use common::api::{Annotation, NewAnnotation, NewTask, Page, Problem, Task, TaskPatch};
use serde_json::{Map, Value};
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::AuthUser,
    domain::{task_ops as ops, tasks::TaskChange},
    error::{ApiError, ApiResult},
    extract::{IdPath, IdsPath, IfMatch, IfNoneMatch, JsonBody, NoCache, QueryPairs},
    forwarded::RequestOrigin,
    read_cache::{Answer, Read},
    routes::{
        idempotent::{self, IdempotencyKey},
        pagination,
    },
    task_input,
    task_query::TaskFilter,
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tasks, create_task))
        .routes(routes!(get_task, replace_task, patch_task, delete_task))
        .routes(routes!(annotate))
        .routes(routes!(denotate))
        .routes(routes!(start))
        .routes(routes!(stop))
}

/// The query parameters of the task list (for the document; parsing is in
/// `task_query`).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(super) struct ListParams {
    /// Which tasks by status (default all).
    #[param(inline)]
    status: Option<StatusParam>,
    #[param(inline)]
    priority: Option<common::api::Priority>,
    /// A project; its dotted sub-projects match too.
    project: Option<String>,
    /// A tag the task must have; repeat for several (all must match).
    tag: Option<Vec<String>>,
    /// A literal, case-insensitive substring of the title or description;
    /// repeat for several (each must be found, each anywhere).
    search: Option<Vec<String>>,
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
    /// `true`: only tasks waiting for a pending task; `false`: none of them.
    blocked: Option<bool>,
    /// `true`: only pending tasks a pending task waits for; `false`: all others.
    blocking: Option<bool>,
    /// A tag the task must not have; repeat for several (none may match).
    exclude_tag: Option<Vec<String>>,
    /// `true`: only tasks with a project; `false`: only tasks without one.
    has_project: Option<bool>,
    /// `true`: only tasks with a priority; `false`: only tasks without one.
    has_priority: Option<bool>,
    /// `true`: only tasks with a due date; `false`: only tasks without one.
    has_due: Option<bool>,
    /// `true`: only scheduled tasks; `false`: only tasks not scheduled.
    has_scheduled: Option<bool>,
    /// `true`: only pending tasks neither waiting, nor blocked, nor
    /// scheduled in the future; `false`: all others.
    ready: Option<bool>,
    /// The task with this uuid (any case), or with a uuid that starts with
    /// these 8 or more characters.
    uuid: Option<String>,
    /// The pending task with this short number.
    #[param(minimum = 1)]
    number: Option<i64>,
    /// Only the tasks that wait for the task with this id.
    #[param(minimum = 1)]
    depends_on: Option<i64>,
    /// Comma list of id, number, title, status, priority, due, created_at,
    /// updated_at, completed_at, start, wait, scheduled, until, urgency, each optionally
    /// prefixed with `-`; nulls sort last.
    #[param(
        pattern = r"^\s*-?(id|number|title|status|priority|due|created_at|updated_at|completed_at|start|wait|scheduled|until|urgency)\s*(,\s*-?(id|number|title|status|priority|due|created_at|updated_at|completed_at|start|wait|scheduled|until|urgency)\s*)*$"
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
    params(pagination::PageParams, ListParams,
        ("Cache-Control" = Option<String>, Header, description = "`no-cache`: read afresh, not an answer kept from the last second")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page, in DRF's envelope; its `ETag` tags this exact page", body = Page<Task>,
            headers(("ETag" = String))),
        (status = 304, description = "The page is as the client holds it (If-None-Match)", headers(("ETag" = String))),
        (status = 400, description = "A bad query value; `errors` names the parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ),
    description = "Besides the parameters listed, `uda.NAME=VALUE` keeps the tasks whose user-defined attribute NAME is exactly VALUE: the same text, or, when VALUE is a number, a number equal to it (`3.0` finds 3). A page ends early, holding fewer than `limit` tasks, once it weighs about a megabyte of JSON; `next` then starts after its last task.")]
async fn list_tasks(
    State(state): State<AppState>,
    user: AuthUser,
    origin: RequestOrigin,
    RawQuery(query): RawQuery,
    QueryPairs(pairs): QueryPairs,
    if_none_match: IfNoneMatch,
    NoCache(fresh): NoCache,
) -> ApiResult<Response> {
    let filter = TaskFilter::from_pairs(&pairs)?;
    let user_id = user.user.id;
    // The page's links start with the origin the client reached.
    let asked = Read::List {
        origin: origin.origin.clone(),
        query: query.unwrap_or_default(),
    };
    let answer = state.reads.answer(&user, asked, fresh, || async {
        let window = filter.page;
        let page = ops::list(state.store.as_ref(), user_id, filter).await?;
        let (next, previous) = pagination::links(
            &origin,
            "/api/tasks/",
            &pairs,
            window,
            page.tasks.len(),
            page.count,
        );
        let body = serde_json::to_vec(&Page {
            count: page.count,
            next,
            previous,
            results: page.tasks,
        })
        .map_err(|err| ApiError::Internal(err.into()))?;
        // The page's own tag: what the client holds is this exact page. A
        // tag needs no defence against forgery, only against chance: a
        // 128-bit XXH3 rather than SHA-256, whose cost showed in the
        // list's profile.
        let tag = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&body));
        Answer::json(tag, body)
    });
    Ok(answer.await?.respond(&if_none_match))
}

/// Creates a task.
#[utoipa::path(post, path = "/api/tasks", tag = "tasks",
    request_body = NewTask,
    params(("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key (within 24 h) gets the first answer and creates nothing")),
    security(("bearer" = [])),
    responses(
        (status = 403, description = "The account would pass its quota of tasks or text; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A request with this Idempotency-Key is still being handled", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "This Idempotency-Key was used with another request", body = Problem, content_type = "application/problem+json"),
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
    key: IdempotencyKey,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Response> {
    let keyed = key.keyed(|| {
        // The body as parsed: the same fields in another layout are the same request.
        let asked = serde_json::to_vec(&body).map_err(|err| ApiError::Internal(err.into()))?;
        Ok(idempotent::request_hash("/api/tasks/", &asked))
    })?;
    idempotent::once(&state, user.user.id, keyed, async {
        let fields = task_input::full(body)?;
        let task = ops::create(state.store.as_ref(), user.user.id, fields).await?;
        let location = HeaderValue::from_str(&format!("/api/tasks/{}/", task.id))
            .map_err(|err| ApiError::Internal(err.into()))?;
        let mut response = with_etag(StatusCode::CREATED, task);
        response.headers_mut().insert(header::LOCATION, location);
        Ok(response)
    })
    .await
}

/// One task; its `ETag` is its version.
#[utoipa::path(get, path = "/api/tasks/{id}", tag = "tasks",
    params(("id" = i64, Path, description = "Task id"),
        ("If-None-Match" = Option<String>, Header, description = "304 if the task is still this version (ETag)"),
        ("Cache-Control" = Option<String>, Header, description = "`no-cache`: read afresh, not an answer kept from the last second")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Task, headers(("ETag" = String))),
        (status = 304, description = "Still the version named by If-None-Match", headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such task, or not yours", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_task(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
    if_none_match: IfNoneMatch,
    NoCache(fresh): NoCache,
) -> ApiResult<Response> {
    let user_id = user.user.id;
    let answer = state.reads.answer(&user, Read::Task(id), fresh, || async {
        let task = ops::get(state.store.as_ref(), user_id, id).await?;
        let body = serde_json::to_vec(&task).map_err(|err| ApiError::Internal(err.into()))?;
        Answer::json(task.version.to_string(), body)
    });
    Ok(answer.await?.respond(&if_none_match))
}

async fn update(
    state: &AppState,
    user: &AuthUser,
    id: i64,
    if_match: Option<Vec<i64>>,
    change: TaskChange,
) -> ApiResult<Response> {
    let task = ops::update(state.store.as_ref(), user.user.id, id, if_match, change).await?;
    Ok(with_etag(StatusCode::OK, task))
}

/// Replaces every writable field; absent optional fields reset to defaults.
#[utoipa::path(put, path = "/api/tasks/{id}", tag = "tasks",
    params(("id" = i64, Path, description = "Task id"),
        ("If-Match" = Option<String>, Header, description = "Only if the task's version (ETag) is this")),
    request_body = NewTask,
    security(("bearer" = [])),
    responses(
        (status = 403, description = "The account would pass its quota of tasks or text; nothing was written", body = Problem, content_type = "application/problem+json"),
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
        (status = 403, description = "The account would pass its quota of tasks or text; nothing was written", body = Problem, content_type = "application/problem+json"),
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
    ops::delete(state.store.as_ref(), user.user.id, id, if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Appends a note to the task; its version goes up.
#[utoipa::path(post, path = "/api/tasks/{id}/annotations", tag = "tasks",
    params(("id" = i64, Path, description = "Task id"),
        ("If-Match" = Option<String>, Header, description = "Only if the task's version (ETag) is this")),
    request_body = NewAnnotation,
    security(("bearer" = [])),
    responses(
        (status = 403, description = "The account would pass its quota of tasks or text; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 201, description = "The note; the task's new version is its `ETag`", body = Annotation,
            headers(("ETag" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match names another version", body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
    ))]
async fn annotate(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
    JsonBody(body): JsonBody<NewAnnotation>,
) -> ApiResult<Response> {
    let (annotation, task) =
        ops::annotate(state.store.as_ref(), user.user.id, id, if_match, body.text).await?;
    Ok((
        StatusCode::CREATED,
        [(header::ETAG, etag(task.version))],
        Json(annotation),
    )
        .into_response())
}

/// Removes a note from the task; its version goes up.
#[utoipa::path(delete, path = "/api/tasks/{id}/annotations/{annotation_id}", tag = "tasks",
    params(("id" = i64, Path, description = "Task id"),
        ("annotation_id" = i64, Path, description = "Annotation id"),
        ("If-Match" = Option<String>, Header, description = "Only if the task's version (ETag) is this")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such task or note, or not yours", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match names another version", body = Problem, content_type = "application/problem+json"),
    ))]
async fn denotate(
    State(state): State<AppState>,
    user: AuthUser,
    IdsPath(id, annotation_id): IdsPath,
    IfMatch(if_match): IfMatch,
) -> ApiResult<Response> {
    let task = ops::denotate(
        state.store.as_ref(),
        user.user.id,
        id,
        annotation_id,
        if_match,
    )
    .await?;
    Ok((StatusCode::NO_CONTENT, [(header::ETAG, etag(task.version))]).into_response())
}

/// Starts the task (sets `start`); a started task stays as it is.
#[utoipa::path(post, path = "/api/tasks/{id}/start", tag = "tasks",
    params(("id" = i64, Path, description = "Task id"),
        ("If-Match" = Option<String>, Header, description = "Only if the task's version (ETag) is this")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Task, headers(("ETag" = String))),
        (status = 400, description = "The task is done", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match names another version", body = Problem, content_type = "application/problem+json"),
    ))]
async fn start(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
) -> ApiResult<Response> {
    let task = ops::set_active(state.store.as_ref(), user.user.id, id, if_match, true).await?;
    Ok(with_etag(StatusCode::OK, task))
}

/// Stops the task (clears `start`); a stopped task stays as it is.
#[utoipa::path(post, path = "/api/tasks/{id}/stop", tag = "tasks",
    params(("id" = i64, Path, description = "Task id"),
        ("If-Match" = Option<String>, Header, description = "Only if the task's version (ETag) is this")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Task, headers(("ETag" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match names another version", body = Problem, content_type = "application/problem+json"),
    ))]
async fn stop(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
    IfMatch(if_match): IfMatch,
) -> ApiResult<Response> {
    let task = ops::set_active(state.store.as_ref(), user.user.id, id, if_match, false).await?;
    Ok(with_etag(StatusCode::OK, task))
}
