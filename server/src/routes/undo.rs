//! Undo and redo, each task's history, and the trash.

use axum::{extract::State, http::StatusCode, Json};
use common::api::{HistoryEntry, Problem, Task, TrashedTask, UndoStep};
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::AuthUser,
    domain::{
        history, trash,
        undo::{self, Step},
    },
    error::{ApiError, ApiResult},
    extract::{IdPath, QueryPairs},
    store::journal::Direction,
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(preview_undo, undo))
        .routes(routes!(preview_redo, redo))
        .routes(routes!(history))
        .routes(routes!(trash))
        .routes(routes!(restore))
        .routes(routes!(purge))
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ForceParam {
    /// `true`: revert even tasks changed since, putting each back as the
    /// change set found it.
    force: Option<bool>,
}

fn force(pairs: &[(String, String)]) -> ApiResult<bool> {
    match pairs.iter().rev().find(|(name, _)| name == "force") {
        None => Ok(false),
        Some((_, value)) => match value.as_str() {
            "" | "false" | "0" => Ok(false),
            "true" | "1" => Ok(true),
            _ => Err(ApiError::field("force", "Must be true or false.")),
        },
    }
}

fn step(step: Step) -> UndoStep {
    UndoStep {
        change_set: step.change_set,
        at: step.at,
        summary: step.summary,
        task_ids: step.task_ids,
        tasks: Vec::new(),
        trashed: Vec::new(),
    }
}

async fn revert(
    state: &AppState,
    user: &AuthUser,
    direction: Direction,
    pairs: &[(String, String)],
) -> ApiResult<Json<UndoStep>> {
    let reverted = undo::revert(
        state.store.as_ref(),
        user.user.id,
        direction,
        force(pairs)?,
        None,
    )
    .await?;
    Ok(Json(UndoStep {
        tasks: reverted.tasks,
        trashed: reverted.trashed,
        ..step(reverted.step)
    }))
}

/// What `POST /api/undo/` would revert now.
#[utoipa::path(get, path = "/api/undo", tag = "undo",
    security(("bearer" = [])),
    responses(
        (status = 200, body = UndoStep),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Nothing to undo", body = Problem, content_type = "application/problem+json"),
    ))]
async fn preview_undo(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<UndoStep>> {
    let next = undo::next_step(state.store.as_ref(), user.user.id, Direction::Undo).await?;
    Ok(Json(step(next)))
}

/// Reverts the user's latest change set not yet undone; answers what it reverted.
#[utoipa::path(post, path = "/api/undo", tag = "undo",
    params(ForceParam),
    security(("bearer" = [])),
    responses(
        (status = 403, description = "The account would pass its quota of tasks or text; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 200, body = UndoStep),
        (status = 400, description = "`force` is neither true nor false", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Nothing to undo", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Tasks changed since; `errors` says how, per task. Nothing was changed.", body = Problem, content_type = "application/problem+json"),
    ))]
async fn undo(
    State(state): State<AppState>,
    user: AuthUser,
    QueryPairs(pairs): QueryPairs,
) -> ApiResult<Json<UndoStep>> {
    revert(&state, &user, Direction::Undo, &pairs).await
}

/// What `POST /api/redo/` would re-apply now.
#[utoipa::path(get, path = "/api/redo", tag = "undo",
    security(("bearer" = [])),
    responses(
        (status = 200, body = UndoStep),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Nothing to redo", body = Problem, content_type = "application/problem+json"),
    ))]
async fn preview_redo(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<UndoStep>> {
    let next = undo::next_step(state.store.as_ref(), user.user.id, Direction::Redo).await?;
    Ok(Json(step(next)))
}

/// Re-applies what the latest undo reverted (if nothing was changed since
/// that undo); answers the undo it reverted.
#[utoipa::path(post, path = "/api/redo", tag = "undo",
    params(ForceParam),
    security(("bearer" = [])),
    responses(
        (status = 403, description = "The account would pass its quota of tasks or text; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 200, body = UndoStep),
        (status = 400, description = "`force` is neither true nor false", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Nothing to redo", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Tasks changed since, or a dependency cycle; nothing was changed", body = Problem, content_type = "application/problem+json"),
    ))]
async fn redo(
    State(state): State<AppState>,
    user: AuthUser,
    QueryPairs(pairs): QueryPairs,
) -> ApiResult<Json<UndoStep>> {
    revert(&state, &user, Direction::Redo, &pairs).await
}

/// The task's journal, oldest first: each field each change changed.
#[utoipa::path(get, path = "/api/tasks/{id}/history", tag = "undo",
    params(("id" = i64, Path, description = "Task id (also of a task in the trash)")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<HistoryEntry>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn history(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
) -> ApiResult<Json<Vec<HistoryEntry>>> {
    let rows = history::history(state.store.as_ref(), user.user.id, id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|row| HistoryEntry {
                at: row.at,
                change_set: row.change_set,
                op: row.op,
                field: row.field,
                old: row.old,
                new: row.new,
            })
            .collect(),
    ))
}

/// Deleted tasks, most recently deleted first; each stays 30 days.
#[utoipa::path(get, path = "/api/trash", tag = "undo",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<TrashedTask>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
async fn trash(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<Vec<TrashedTask>>> {
    let trashed = state.store.trash(user.user.id).await?;
    Ok(Json(
        trashed
            .into_iter()
            .map(|t| TrashedTask {
                deleted_at: t.deleted_at,
                task: t.task,
            })
            .collect(),
    ))
}

/// Brings a deleted task back, with its notes and dependencies, and the
/// tasks that depended on it depending on it again.
#[utoipa::path(post, path = "/api/trash/{id}/restore", tag = "undo",
    params(("id" = i64, Path, description = "Task id")),
    security(("bearer" = [])),
    responses(
        (status = 403, description = "The account would pass its quota of tasks or text; nothing was written", body = Problem, content_type = "application/problem+json"),
        (status = 200, body = Task),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not in your trash", body = Problem, content_type = "application/problem+json"),
    ))]
async fn restore(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
) -> ApiResult<Json<Task>> {
    Ok(Json(
        trash::restore(state.store.as_ref(), user.user.id, id).await?,
    ))
}

/// Deletes a task of the trash for good.
#[utoipa::path(delete, path = "/api/trash/{id}", tag = "undo",
    params(("id" = i64, Path, description = "Task id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Gone for good"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not in your trash", body = Problem, content_type = "application/problem+json"),
    ))]
async fn purge(
    State(state): State<AppState>,
    user: AuthUser,
    IdPath(id): IdPath,
) -> ApiResult<StatusCode> {
    match state.store.purge(user.user.id, id).await? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::NotFound),
    }
}
