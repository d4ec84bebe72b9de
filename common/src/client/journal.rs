//! Undo and redo, the trash, each task's history, and one action on many
//! tasks as one step.

use reqwest::Method;

use super::{ApiClient, Call, ClientError};
use crate::api::{BulkRequest, BulkResult, HistoryEntry, Task, TrashedTask, UndoStep};

/// Which way `undo` goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Undo,
    Redo,
}

impl Direction {
    fn path(self) -> &'static str {
        match self {
            Direction::Undo => "/api/undo/",
            Direction::Redo => "/api/redo/",
        }
    }
}

impl ApiClient {
    /// `GET /api/undo/` or `/api/redo/`: what it would revert (a 404 problem
    /// when there is nothing).
    pub async fn next_step(&self, direction: Direction) -> Result<UndoStep, ClientError> {
        self.call(Call::new(Method::GET, direction.path())).await
    }

    /// `POST /api/undo/` or `/api/redo/`; `force` reverts tasks changed since.
    pub async fn revert(&self, direction: Direction, force: bool) -> Result<UndoStep, ClientError> {
        let mut call = Call::new(Method::POST, direction.path());
        if force {
            call = call.query(vec![("force".into(), "true".into())]);
        }
        self.call(call).await
    }

    /// `GET /api/tasks/{id}/history/`, oldest first.
    pub async fn history(&self, id: i64) -> Result<Vec<HistoryEntry>, ClientError> {
        let path = format!("/api/tasks/{id}/history/");
        self.call(Call::new(Method::GET, &path)).await
    }

    /// `GET /api/trash/`, most recently deleted first.
    pub async fn trash(&self) -> Result<Vec<TrashedTask>, ClientError> {
        self.call(Call::new(Method::GET, "/api/trash/")).await
    }

    /// `POST /api/trash/{id}/restore/`: the task back.
    pub async fn restore(&self, id: i64) -> Result<Task, ClientError> {
        let path = format!("/api/trash/{id}/restore/");
        self.call(Call::new(Method::POST, &path)).await
    }

    /// `DELETE /api/trash/{id}/`: gone for good.
    pub async fn purge(&self, id: i64) -> Result<(), ClientError> {
        let path = format!("/api/trash/{id}/");
        self.call_empty(Call::new(Method::DELETE, &path)).await
    }

    /// `POST /api/tasks/bulk/`.
    pub async fn bulk(&self, request: &BulkRequest) -> Result<BulkResult, ClientError> {
        self.call(Call::new(Method::POST, "/api/tasks/bulk/").json(request))
            .await
    }
}
