//! `POST /api/tasks/bulk/`: one action on several tasks, one change set.

use std::collections::BTreeMap;

use axum::{extract::State, Json};
use common::api::{BulkFailure, BulkRequest, BulkResult, Problem};
use serde_json::{Map, Value};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::AuthUser,
    domain::{
        bulk::{self, BulkAction, MAX_BULK},
        tasks::TaskFieldsPatch,
        FieldErrors,
    },
    error::{ApiError, ApiResult},
    extract::JsonBody,
    task_input, AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(bulk_change))
}

/// A request read: its tasks, its action, the versions its tasks were read
/// at.
type Parsed = (Vec<i64>, BulkAction, BTreeMap<i64, i64>);

/// Reads the request, naming each field that does not fit.
fn parse(mut body: Map<String, Value>) -> ApiResult<Parsed> {
    let mut errors = FieldErrors::new();
    let ids = match body.remove("ids") {
        Some(Value::Array(items)) if items.is_empty() => {
            add(&mut errors, "ids", "Give at least one task id.");
            Vec::new()
        }
        Some(Value::Array(items)) if items.len() > MAX_BULK => {
            add(
                &mut errors,
                "ids",
                &format!("At most {MAX_BULK} tasks at once."),
            );
            Vec::new()
        }
        Some(Value::Array(items)) => {
            let ids: Vec<i64> = items
                .iter()
                .filter_map(Value::as_i64)
                .filter(|id| *id > 0)
                .collect();
            if ids.len() != items.len() {
                add(&mut errors, "ids", "Each id must be a positive integer.");
            }
            ids
        }
        Some(_) => {
            add(&mut errors, "ids", "Must be a list of task ids.");
            Vec::new()
        }
        None => {
            add(&mut errors, "ids", "This field is required.");
            Vec::new()
        }
    };
    let patch = body.remove("patch");
    let patches = body.remove("patches");
    let action = match body.remove("action").as_ref().and_then(Value::as_str) {
        Some("done") => Some(BulkAction::Done),
        Some("reopen") => Some(BulkAction::Reopen),
        Some("delete") => Some(BulkAction::Delete),
        Some("start") => Some(BulkAction::Start),
        Some("stop") => Some(BulkAction::Stop),
        Some("modify") => modify(patch.clone(), patches.clone(), &ids, &mut errors)?,
        _ => {
            add(
                &mut errors,
                "action",
                "Must be one of done, reopen, delete, start, stop, modify.",
            );
            None
        }
    };
    let read_at = versions(body.remove("versions"), &ids, &mut errors);
    let modifies = matches!(action, Some(BulkAction::Modify { .. }) | None);
    if (patch.is_some() || patches.is_some()) && !modifies {
        add(&mut errors, "patch", "Only modify takes a patch.");
    }
    for field in body.keys() {
        add(&mut errors, field, "Unknown field.");
    }
    match action {
        Some(action) if errors.is_empty() => Ok((ids, action, read_at)),
        _ => Err(ApiError::validation(errors)),
    }
}

/// `versions`: the version each task was read at, by its id.
fn versions(value: Option<Value>, ids: &[i64], errors: &mut FieldErrors) -> BTreeMap<i64, i64> {
    let mut read_at = BTreeMap::new();
    match value {
        None => {}
        Some(Value::Object(by_id)) => {
            for (key, version) in by_id {
                let name = format!("versions.{key}");
                match (
                    key.parse::<i64>().ok().filter(|id| ids.contains(id)),
                    version.as_i64().filter(|v| *v > 0),
                ) {
                    (Some(id), Some(version)) => {
                        read_at.insert(id, version);
                    }
                    (None, _) => add(errors, &name, "Not one of the ids asked for."),
                    (_, None) => add(errors, &name, "Must be a positive integer."),
                }
            }
        }
        Some(_) => add(
            errors,
            "versions",
            "Must be an object of versions by task id.",
        ),
    }
    read_at
}

fn add(errors: &mut FieldErrors, field: &str, message: &str) {
    errors
        .entry(field.to_string())
        .or_default()
        .push(message.to_string());
}

/// A patch read as PATCH reads one; its errors named under `name`.
fn patch_at(
    name: &str,
    value: Value,
    errors: &mut FieldErrors,
) -> ApiResult<Option<TaskFieldsPatch>> {
    let Value::Object(fields) = value else {
        add(errors, name, "Must be an object of the fields to change.");
        return Ok(None);
    };
    match task_input::partial(fields) {
        Ok(patch) => Ok(Some(patch)),
        Err(ApiError::BadRequest {
            errors: Some(found),
            ..
        }) => {
            for (field, messages) in found {
                for message in messages {
                    add(errors, &format!("{name}.{field}"), &message);
                }
            }
            Ok(None)
        }
        Err(other) => Err(other),
    }
}

/// `modify`'s patches: one for all (`patch`), or each task's own
/// (`patches`, by id), or both.
fn modify(
    patch: Option<Value>,
    patches: Option<Value>,
    ids: &[i64],
    errors: &mut FieldErrors,
) -> ApiResult<Option<BulkAction>> {
    let count = |errors: &FieldErrors| errors.values().map(Vec::len).sum::<usize>();
    let errors_before = count(errors);
    let all = match patch {
        Some(value) => patch_at("patch", value, errors)?.map(Box::new),
        None => None,
    };
    let mut each = BTreeMap::new();
    match patches {
        Some(Value::Object(by_id)) => {
            for (key, value) in by_id {
                let name = format!("patches.{key}");
                match key.parse::<i64>().ok().filter(|id| ids.contains(id)) {
                    Some(id) => {
                        if let Some(patch) = patch_at(&name, value, errors)? {
                            each.insert(id, patch);
                        }
                    }
                    None => add(errors, &name, "Not one of the ids asked for."),
                }
            }
        }
        Some(_) => add(
            errors,
            "patches",
            "Must be an object of patches by task id.",
        ),
        None => {}
    }
    if count(errors) > errors_before {
        // What was given is wrong, and said so: not missing too.
        return Ok(None);
    }
    if all.is_none() && each.is_empty() {
        add(
            errors,
            "patch",
            "modify needs the fields to change: `patch`, or `patches` by task id.",
        );
        return Ok(None);
    }
    Ok(Some(BulkAction::Modify { all, each }))
}

/// Makes one action on several tasks, as one change set (one undo step):
/// the tasks that can take it get it together; the others are listed with
/// why not.
#[utoipa::path(post, path = "/api/tasks/bulk", tag = "tasks",
    request_body = BulkRequest,
    security(("bearer" = [])),
    responses(
        (status = 403, description = "The account would pass its quota of tasks or text; nothing was written", body = Problem, content_type = "application/problem+json"),
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
    let (ids, action, read_at) = parse(body)?;
    let outcome = bulk::bulk(state.store.as_ref(), user.user.id, ids, action, &read_at).await?;
    Ok(Json(BulkResult {
        changed: outcome.changed,
        failed: outcome
            .failed
            .into_iter()
            .map(|(id, reason)| BulkFailure { id, reason })
            .collect(),
    }))
}
