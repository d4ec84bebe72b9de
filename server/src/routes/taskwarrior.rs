//! `/api/export` and `/api/import`: a user's tasks in Taskwarrior's export
//! format, which Taskwarrior's own `task import` reads, and back.

use std::sync::Arc;

use axum::{
    extract::{DefaultBodyLimit, Request, State},
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
    Json,
};
use common::api::{ImportSummary, Problem};
use futures_util::StreamExt;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::AuthUser,
    domain::{importing, task_ops as ops, taskwarrior::import},
    error::{ApiError, ApiResult, FieldErrors},
    extract::{self, content_type, QueryPairs},
    routes::{
        idempotent::{self, IdempotencyKey},
        tasks::ListParams,
    },
    task_query::TaskFilter,
    AppState,
};

/// The largest file `POST /api/import/` takes.
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export)).merge(
        OpenApiRouter::new()
            .routes(routes!(import))
            .layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)),
    )
}

/// Every task the list's filter selects (no pages), in Taskwarrior's format:
/// `uuid`, `description`, `status` (pending or completed), the dates as
/// `YYYYMMDDTHHMMSSZ`, `priority` H/M/L, `project`, `tags`, `depends` as
/// uuids, `annotations`, the user-defined attributes flattened, `urgency`.
#[utoipa::path(get, path = "/api/export", tag = "tasks",
    params(ListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A JSON array, as `task export` writes it", body = Vec<Object>),
        (status = 400, description = "A bad query value; `errors` names the parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
async fn export(
    State(state): State<AppState>,
    user: AuthUser,
    QueryPairs(pairs): QueryPairs,
) -> ApiResult<Response> {
    let filter = TaskFilter::from_pairs(&pairs)?;
    Ok(export_response(&state, user.user.id, filter, None))
}

/// The export of `filter`'s tasks as a streamed JSON body, downloaded as
/// `attachment` when named. A failure half-way ends the stream: the array
/// is then unfinished, never a valid export missing tasks.
pub(crate) fn export_response(
    state: &AppState,
    user_id: i64,
    filter: TaskFilter,
    attachment: Option<&str>,
) -> Response {
    // The body is read after the handler, outside the request's scope.
    let request = crate::access_log::current();
    let stream = ops::export_json(Arc::clone(&state.store), user_id, filter).map(move |page| {
        page.map(axum::body::Bytes::from).map_err(|err| {
            crate::request_event!(in request, error, error = %err, "export failed half-way");
            std::io::Error::other(err.to_string())
        })
    });
    let mut response = axum::body::Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(disposition) = attachment.and_then(|a| HeaderValue::from_str(a).ok()) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    response
}

/// Takes what Taskwarrior's `task export` writes (a JSON array, one object,
/// or one object per line), up to 64 MiB. Tasks are matched by uuid among
/// the user's own: new ones are added, changed ones updated, identical ones
/// left alone. Deleted tasks and recurring templates are skipped, with the
/// reason. A malformed file is refused whole, naming where, and nothing is
/// imported.
#[utoipa::path(post, path = "/api/import", tag = "tasks",
    request_body(content = Vec<Object>, content_type = "application/json",
        description = "Taskwarrior's export format; `application/x-ndjson` too"),
    params(("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key (within 24 h) gets the first answer and imports nothing again")),
    security(("bearer" = [])),
    responses(
        (status = 403, description = "The account would pass its quota of tasks or text; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 200, description = "What was added, updated, left alone and skipped", body = ImportSummary),
        (status = 409, description = "A request with this Idempotency-Key is still being handled", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "This Idempotency-Key was used with another request", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "A malformed file; `errors` names the task (or line) and what is wrong", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
    ))]
async fn import(
    State(state): State<AppState>,
    user: AuthUser,
    key: IdempotencyKey,
    request: Request,
) -> ApiResult<Response> {
    if !is_import_type(&request) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let body = extract::body(request, &state, MAX_IMPORT_BYTES).await?;
    let keyed = key.keyed(|| Ok(idempotent::request_hash("/api/import/", &body)))?;
    idempotent::once(&state, user.user.id, keyed, async {
        // Reading up to 64 MiB of JSON is work for a thread of its own.
        let file = tokio::task::spawn_blocking(move || import::read(&body))
            .await
            .map_err(|err| ApiError::Internal(err.into()))?
            .map_err(|err| ApiError::BadRequest {
                detail: format!("{}: {}", err.at, err.messages.join(" ")),
                errors: Some(FieldErrors::from([(err.at, err.messages)])),
            })?;
        let summary = importing::import(state.store.as_ref(), user.user.id, file).await?;
        Ok(Json(summary).into_response())
    })
    .await
}

/// JSON, or JSON lines.
fn is_import_type(request: &Request) -> bool {
    content_type(request.headers()).is_some_and(|essence| {
        matches!(
            essence.as_str(),
            "application/json" | "application/x-ndjson" | "application/jsonl"
        )
    })
}
