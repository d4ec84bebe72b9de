//! The seed's admin panel as an API: admins only, everyone else gets 403.

use axum::{extract::State, http::StatusCode, Json};
use common::api::{AdminUser as AdminUserView, AdminUserPatch, Page, Problem};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::AdminUser,
    domain::admin::{self, Actor},
    error::{ApiError, ApiResult},
    extract::{IdPath, JsonBody, QueryPairs},
    forwarded::RequestOrigin,
    routes::pagination,
    store::admin::{UserChange, Via},
    task_query::UserQuery,
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users))
        .routes(routes!(update_user, delete_user))
}

/// The users list's filters and order in the document (parsing is
/// [`UserQuery::from_pairs`]).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct UserParams {
    /// A case-insensitive substring of the username or the email.
    #[param(max_length = 200)]
    search: Option<String>,
    is_active: Option<bool>,
    is_admin: Option<bool>,
    /// `id`, `username`, `email`, `date_joined` or `task_count`; `-` first
    /// to reverse. Ties go by id.
    #[param(pattern = "^-?(id|username|email|date_joined|task_count)$")]
    ordering: Option<String>,
}

fn actor(admin: &AdminUser) -> Actor {
    Actor::new(&admin.0.user, Via::Api)
}

/// Every account (or those the filters select), oldest first unless
/// `ordering` says otherwise, with its number of tasks, a page at a time in
/// DRF's envelope (as the task list).
#[utoipa::path(get, path = "/api/admin/users", tag = "admin",
    params(UserParams, pagination::PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page, in DRF's envelope", body = Page<AdminUserView>),
        (status = 400, description = "A bad `limit` or `offset`", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_users(
    State(state): State<AppState>,
    _admin: AdminUser,
    origin: RequestOrigin,
    QueryPairs(pairs): QueryPairs,
) -> ApiResult<Json<Page<AdminUserView>>> {
    let query = UserQuery::from_pairs(&pairs)?;
    let window = query.window;
    let (count, results) = state.store.list_users(query).await?;
    let (next, previous) = pagination::links(
        &origin,
        "/api/admin/users/",
        &pairs,
        window,
        results.len(),
        count,
    );
    Ok(Json(Page {
        count,
        next,
        previous,
        results,
    }))
}

/// Activates, deactivates, promotes or demotes an account. A deactivated
/// user's tokens stop working at once. Written to the admin log.
#[utoipa::path(patch, path = "/api/admin/users/{id}", tag = "admin",
    params(("id" = i64, Path, description = "User id")),
    request_body = AdminUserPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, body = AdminUserView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
    ))]
async fn update_user(
    State(state): State<AppState>,
    admin: AdminUser,
    IdPath(id): IdPath,
    JsonBody(body): JsonBody<AdminUserPatch>,
) -> ApiResult<Json<AdminUserView>> {
    let change = UserChange {
        email: None,
        is_active: body.is_active,
        is_admin: body.is_admin,
    };
    Ok(Json(
        admin::update_user(state.store.as_ref(), &actor(&admin), id, change).await?,
    ))
}

/// Deletes an account and all its tasks. Written to the admin log.
#[utoipa::path(delete, path = "/api/admin/users/{id}", tag = "admin",
    params(("id" = i64, Path, description = "User id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted, with their tasks"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn delete_user(
    State(state): State<AppState>,
    admin: AdminUser,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    let deleted = admin::delete_users(state.store.as_ref(), &actor(&admin), &[id]).await?;
    if deleted.is_empty() {
        Err(ApiError::NotFound)
    } else {
        Ok(StatusCode::NO_CONTENT)
    }
}
