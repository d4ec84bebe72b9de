//! `POST /api/tasks/bulk/`: one action on several tasks, one change set.

use axum::{extract::State, Json};
use common::api::{BulkFailure, BulkRequest, BulkResult, Problem};
use serde_json::{Map, Value};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::AuthUser,
    domain::{
        bulk::{self, BulkAction, MAX_BULK},
        FieldErrors,
    },
    error::{ApiError, ApiResult},
    extract::JsonBody,
    task_input, AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(bulk_change))
}

/// Reads the request, naming each field that does not fit.
fn parse(mut body: Map<String, Value>) -> ApiResult<(Vec<i64>, BulkAction)> {
    let mut errors = FieldErrors::new();
    let mut error = |field: &str, message: String| {
        errors.entry(field.to_string()).or_default().push(message);
    };
    let ids = match body.remove("ids") {
        Some(Value::Array(items)) if items.is_empty() => {
            error("ids", "Give at least one task id.".into());
            Vec::new()
        }
        Some(Value::Array(items)) if items.len() > MAX_BULK => {
            error("ids", format!("At most {MAX_BULK} tasks at once."));
            Vec::new()
        }
        Some(Value::Array(items)) => {
            let ids: Vec<i64> = items
                .iter()
                .filter_map(Value::as_i64)
                .filter(|id| *id > 0)
                .collect();
            if ids.len() != items.len() {
                error("ids", "Each id must be a positive integer.".into());
            }
            ids
        }
        Some(_) => {
            error("ids", "Must be a list of task ids.".into());
            Vec::new()
        }
        None => {
            error("ids", "This field is required.".into());
            Vec::new()
        }
    };
    let patch = body.remove("patch");
    let action = match body.remove("action").as_ref().and_then(Value::as_str) {
        Some("done") => Some(BulkAction::Done),
        Some("reopen") => Some(BulkAction::Reopen),
        Some("delete") => Some(BulkAction::Delete),
        Some("start") => Some(BulkAction::Start),
        Some("stop") => Some(BulkAction::Stop),
        Some("modify") => match patch.clone() {
            Some(Value::Object(fields)) => match task_input::partial(fields) {
                Ok(patch) => Some(BulkAction::Modify(Box::new(patch))),
                Err(ApiError::BadRequest {
                    errors: Some(field_errors),
                    ..
                }) => {
                    for (field, messages) in field_errors {
                        for message in messages {
                            error(&format!("patch.{field}"), message);
                        }
                    }
                    None
                }
                Err(other) => return Err(other),
            },
            _ => {
                error(
                    "patch",
                    "modify needs the fields to change, as an object.".into(),
                );
                None
            }
        },
        _ => {
            error(
                "action",
                "Must be one of done, reopen, delete, start, stop, modify.".into(),
            );
            None
        }
    };
    if patch.is_some() && !matches!(action, Some(BulkAction::Modify(_)) | None) {
        error("patch", "Only modify takes a patch.".into());
    }
    for field in body.keys() {
        error(field, "Unknown field.".into());
    }
    match action {
        Some(action) if errors.is_empty() => Ok((ids, action)),
        _ => Err(ApiError::validation(errors)),
    }
}

/// Makes one action on several tasks, as one change set (one undo step):
/// the tasks that can take it get it together; the others are listed with
/// why not.
#[utoipa::path(post, path = "/api/tasks/bulk", tag = "tasks",
    request_body = BulkRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, body = BulkResult),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
    ))]
async fn bulk_change(
    State(state): State<AppState>,
    user: AuthUser,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> ApiResult<Json<BulkResult>> {
    let (ids, action) = parse(body)?;
    let outcome = bulk::bulk(state.store.as_ref(), user.user.id, ids, action).await?;
    Ok(Json(BulkResult {
        changed: outcome.changed,
        failed: outcome
            .failed
            .into_iter()
            .map(|(id, reason)| BulkFailure { id, reason })
            .collect(),
    }))
}
