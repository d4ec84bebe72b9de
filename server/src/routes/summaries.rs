//! `/api/projects` and `/api/tags`: how many of a user's tasks have each
//! project and each tag, for the CLI's summaries and completions. They take
//! the task list's filter, so the counts are of the tasks it would list.

use axum::{extract::State, Json};
use common::api::{NameCount, Problem};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::AuthUser, domain::task_ops as ops, error::ApiResult, extract::QueryPairs,
    routes::tasks::ListParams, store::Facet, task_query::TaskFilter, AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(projects))
        .routes(routes!(tags))
}

async fn count_by(
    state: &AppState,
    user: &AuthUser,
    pairs: &[(String, String)],
    facet: Facet,
) -> ApiResult<Json<Vec<NameCount>>> {
    let filter = TaskFilter::from_pairs(pairs)?;
    let counts = ops::count_by(state.store.as_ref(), user.user.id, filter, facet).await?;
    Ok(Json(counts))
}

/// Each project of the tasks the filter selects, with how many have it.
#[utoipa::path(get, path = "/api/projects", tag = "tasks",
    params(ListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "By name, in code-point order; tasks without a project are not counted", body = Vec<NameCount>),
        (status = 400, description = "A bad query value; `errors` names the parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
async fn projects(
    State(state): State<AppState>,
    user: AuthUser,
    QueryPairs(pairs): QueryPairs,
) -> ApiResult<Json<Vec<NameCount>>> {
    count_by(&state, &user, &pairs, Facet::Project).await
}

/// Each tag of the tasks the filter selects, with how many have it.
#[utoipa::path(get, path = "/api/tags", tag = "tasks",
    params(ListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "By name, in code-point order", body = Vec<NameCount>),
        (status = 400, description = "A bad query value; `errors` names the parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
async fn tags(
    State(state): State<AppState>,
    user: AuthUser,
    QueryPairs(pairs): QueryPairs,
) -> ApiResult<Json<Vec<NameCount>>> {
    count_by(&state, &user, &pairs, Facet::Tag).await
}
