//! `/api/export`: a user's tasks in Taskwarrior's export format, which
//! Taskwarrior's own `task import` reads.

use axum::{extract::State, Json};
use common::api::Problem;
use serde_json::Value;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::AuthUser, domain::task_ops as ops, error::ApiResult, extract::QueryPairs,
    routes::tasks::ListParams, task_query::TaskFilter, AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export))
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
) -> ApiResult<Json<Vec<Value>>> {
    let filter = TaskFilter::from_pairs(&pairs)?;
    let tasks = ops::export(state.store.as_ref(), user.user.id, filter).await?;
    Ok(Json(tasks))
}
