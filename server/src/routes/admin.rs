//! The seed's admin panel as an API: admins only, everyone else gets 403.

use axum::{extract::State, http::StatusCode, Json};
use common::api::{AdminUser as AdminUserView, AdminUserPatch, Page, Problem};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::AdminUser,
    error::{ApiError, ApiResult},
    extract::{IdPath, JsonBody, QueryPairs},
    forwarded::RequestOrigin,
    routes::pagination,
    task_query::PageWindow,
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users))
        .routes(routes!(update_user, delete_user))
}

/// An admin cannot lock themselves out: the last way back in would be the
/// command line on the server.
fn not_self(admin: &AdminUser, id: i64) -> ApiResult<()> {
    if admin.0.user.id == id {
        return Err(ApiError::bad_request(
            "You cannot deactivate, demote or delete your own account.",
        ));
    }
    Ok(())
}

/// Every account, oldest first, with its number of tasks, a page at a time
/// in DRF's envelope (as the task list).
#[utoipa::path(get, path = "/api/admin/users", tag = "admin",
    params(pagination::PageParams),
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
    let window = PageWindow::from_pairs(&pairs)?;
    let (count, results) = state.store.list_users(window).await?;
    let (next, previous) = pagination::links(&origin, "/api/admin/users/", &pairs, window, count);
    Ok(Json(Page {
        count,
        next,
        previous,
        results,
    }))
}

/// Activates, deactivates, promotes or demotes an account. A deactivated
/// user's tokens stop working at once.
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
    if body.is_active == Some(false) || body.is_admin == Some(false) {
        not_self(&admin, id)?;
    }
    crate::domain::accounts::update_user_flags(
        state.store.as_ref(),
        id,
        body.is_active,
        body.is_admin,
    )
    .await?
    .map(Json)
    .ok_or(ApiError::NotFound)
}

/// Deletes an account and all its tasks.
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
    not_self(&admin, id)?;
    if state.store.delete_user(id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}
