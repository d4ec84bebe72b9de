//! One method per endpoint of the API.

use std::time::Duration;

use reqwest::Method;

use super::{task_path, ApiClient, Call, ClientError, CREATE_TRIES, MAX_PAGE};
use crate::api::{
    AdminUser, AdminUserPatch, Annotation, Health, ImportSummary, LoginRequest, NameCount,
    NewAnnotation, NewTask, Page, PasswordChange, RefreshRequest, RegisterRequest, Summary, Task,
    TaskPatch, TaskQuery, TokenPair, User,
};

impl ApiClient {
    // ---- accounts --------------------------------------------------------

    /// `POST /api/register/`. Does not log in.
    pub async fn register(&self, request: &RegisterRequest) -> Result<User, ClientError> {
        self.call(
            Call::new(Method::POST, "/api/register/")
                .anonymous()
                .json(request),
        )
        .await
    }

    /// `POST /api/login/`: keeps the tokens and saves them with the username.
    pub async fn login(&self, username: &str, password: &str) -> Result<(), ClientError> {
        let request = LoginRequest {
            username: username.to_string(),
            password: password.to_string(),
        };
        let pair: TokenPair = self
            .call(
                Call::new(Method::POST, "/api/login/")
                    .anonymous()
                    .json(&request),
            )
            .await?;
        self.store_tokens(&pair, Some(username))
    }

    /// `POST /api/logout/`: revokes the login on the server and forgets the
    /// tokens here. The tokens are forgotten even when the server cannot be
    /// told (the error is returned then); a session that had already expired
    /// is not an error.
    pub async fn logout(&self) -> Result<(), ClientError> {
        let refresh = match self.current_tokens() {
            Some(tokens) => tokens.refresh,
            None => return Ok(()),
        };
        let result = self
            .call_empty(Call::new(Method::POST, "/api/logout/").json(&RefreshRequest { refresh }))
            .await;
        self.clear_tokens()?;
        match result {
            Err(
                ClientError::SessionExpired
                | ClientError::AccountInactive { .. }
                | ClientError::NotLoggedIn { .. },
            ) => Ok(()),
            other => other,
        }
    }

    /// `POST /api/token/refresh/`, explicitly. Requests refresh on their own
    /// when needed; this is for callers that want to check the session.
    pub async fn refresh(&self) -> Result<(), ClientError> {
        let tokens = self.current_tokens().ok_or_else(|| self.not_logged_in())?;
        self.refresh_from(&tokens.refresh).await.map(|_| ())
    }

    /// `GET /api/me/`.
    pub async fn me(&self) -> Result<User, ClientError> {
        self.call(Call::new(Method::GET, "/api/me/")).await
    }

    /// `POST /api/me/password/`, then a fresh login with the new password
    /// (the change ends every session, this one included).
    pub async fn change_password(&self, current: &str, new: &str) -> Result<(), ClientError> {
        let username = self.username().ok_or_else(|| self.not_logged_in())?;
        let body = PasswordChange {
            current_password: current.to_string(),
            new_password: new.to_string(),
        };
        self.call_empty(Call::new(Method::POST, "/api/me/password/").json(&body))
            .await?;
        self.login(&username, new).await
    }

    // ---- tasks -----------------------------------------------------------

    /// `GET /api/tasks/`: one page.
    pub async fn list_tasks(&self, query: &TaskQuery) -> Result<Page<Task>, ClientError> {
        self.call(Call::new(Method::GET, "/api/tasks/").query(query.to_pairs()))
            .await
    }

    /// Every task matching `query`, fetching page after page (`limit` and
    /// `offset` of `query` are ignored).
    pub async fn list_all_tasks(&self, query: &TaskQuery) -> Result<Vec<Task>, ClientError> {
        let mut query = query.clone();
        query.limit = Some(MAX_PAGE);
        query.offset = None;
        let mut tasks = Vec::new();
        loop {
            let page = self.list_tasks(&query).await?;
            let got = page.results.len() as u64;
            if tasks.is_empty() {
                tasks.reserve_exact(usize::try_from(page.count).unwrap_or(0).min(1 << 20));
            }
            tasks.extend(page.results);
            // The offsets are ours, not the `next` URL's host: the token goes
            // to the configured server only.
            if page.next.is_none() || got == 0 {
                break;
            }
            query.offset = Some(query.offset.unwrap_or(0) + got);
        }
        Ok(tasks)
    }

    /// `GET /api/export/`: every task `query` selects, in Taskwarrior's
    /// export format, as the server wrote it.
    pub async fn export(&self, query: &TaskQuery) -> Result<Vec<serde_json::Value>, ClientError> {
        self.call(Call::new(Method::GET, "/api/export/").query(query.to_pairs()))
            .await
    }

    /// `POST /api/import/`: `file` in Taskwarrior's export format (an
    /// array, one object, or one object per line). `sent` is told how many
    /// of its bytes have gone out; the server then works on them at once.
    pub async fn import(
        &self,
        file: Vec<u8>,
        sent: impl Fn(u64) + Send + Sync + 'static,
    ) -> Result<ImportSummary, ClientError> {
        let mut call = Call::new(Method::POST, "/api/import/");
        call.body = Some(file);
        call.progress = Some(std::sync::Arc::new(sent));
        // Up to 64 MiB of tasks, written in one transaction.
        call.timeout = Some(Duration::from_secs(600));
        self.call(call).await
    }

    /// `GET /api/projects/` or `/api/tags/`: how many of the tasks `query`
    /// selects have each project, or each tag.
    pub async fn count_by(
        &self,
        summary: Summary,
        query: &TaskQuery,
    ) -> Result<Vec<NameCount>, ClientError> {
        self.call(Call::new(Method::GET, summary.path()).query(query.to_pairs()))
            .await
    }

    /// `GET /api/tasks/{id}/`.
    pub async fn get_task(&self, id: i64) -> Result<Task, ClientError> {
        let path = task_path(id);
        self.call(Call::new(Method::GET, &path)).await
    }

    /// `POST /api/tasks/`.
    pub async fn create_task(&self, task: &NewTask) -> Result<Task, ClientError> {
        // One key for every try: a try whose answer was lost (the
        // connection dropped after the server had it) is answered again
        // rather than made twice.
        let mut call = Call::new(Method::POST, "/api/tasks/").json(task);
        call.idempotency_key = Some(uuid::Uuid::new_v4().to_string());
        let mut tries = 0;
        loop {
            tries += 1;
            match self.call(call.clone()).await {
                Err(ClientError::Transport { .. }) if tries < CREATE_TRIES => {
                    tokio::time::sleep(Duration::from_millis(200 * tries)).await;
                }
                other => return other,
            }
        }
    }

    /// `PATCH /api/tasks/{id}/`; with `if_match`, only if the task is still at
    /// that version (else a 412 problem).
    pub async fn update_task(
        &self,
        id: i64,
        patch: &TaskPatch,
        if_match: Option<i64>,
    ) -> Result<Task, ClientError> {
        let path = task_path(id);
        self.call(
            Call::new(Method::PATCH, &path)
                .json(patch)
                .if_match(if_match),
        )
        .await
    }

    /// `PUT /api/tasks/{id}/`: every writable field replaced.
    pub async fn replace_task(
        &self,
        id: i64,
        task: &NewTask,
        if_match: Option<i64>,
    ) -> Result<Task, ClientError> {
        let path = task_path(id);
        self.call(Call::new(Method::PUT, &path).json(task).if_match(if_match))
            .await
    }

    /// `DELETE /api/tasks/{id}/`.
    pub async fn delete_task(&self, id: i64, if_match: Option<i64>) -> Result<(), ClientError> {
        let path = task_path(id);
        self.call_empty(Call::new(Method::DELETE, &path).if_match(if_match))
            .await
    }

    /// `POST /api/tasks/{id}/start/` (`true`) or `…/stop/`: the task as it
    /// now is; doing it again changes nothing.
    pub async fn set_active(
        &self,
        id: i64,
        active: bool,
        if_match: Option<i64>,
    ) -> Result<Task, ClientError> {
        let path = format!("/api/tasks/{id}/{}/", if active { "start" } else { "stop" });
        self.call(Call::new(Method::POST, &path).if_match(if_match))
            .await
    }

    /// `POST /api/tasks/{id}/annotations/`: the new note.
    pub async fn annotate_task(
        &self,
        id: i64,
        text: &str,
        if_match: Option<i64>,
    ) -> Result<Annotation, ClientError> {
        let path = format!("/api/tasks/{id}/annotations/");
        self.call(
            Call::new(Method::POST, &path)
                .json(&NewAnnotation {
                    text: text.to_string(),
                })
                .if_match(if_match),
        )
        .await
    }

    /// `DELETE /api/tasks/{id}/annotations/{annotation_id}/`, only if the
    /// task is still at `if_match`.
    pub async fn denotate_task(
        &self,
        id: i64,
        annotation_id: i64,
        if_match: Option<i64>,
    ) -> Result<(), ClientError> {
        let path = format!("/api/tasks/{id}/annotations/{annotation_id}/");
        self.call_empty(Call::new(Method::DELETE, &path).if_match(if_match))
            .await
    }

    // ---- admin and operations ----------------------------------------------

    /// `GET /api/admin/users/` (admins only). One page, as the server sends it.
    pub async fn admin_users(&self) -> Result<Page<AdminUser>, ClientError> {
        self.call(Call::new(Method::GET, "/api/admin/users/")).await
    }

    /// `PATCH /api/admin/users/{id}/`.
    pub async fn admin_update_user(
        &self,
        id: i64,
        patch: &AdminUserPatch,
    ) -> Result<AdminUser, ClientError> {
        let path = format!("/api/admin/users/{id}/");
        self.call(Call::new(Method::PATCH, &path).json(patch)).await
    }

    /// `DELETE /api/admin/users/{id}/` (their tasks too).
    pub async fn admin_delete_user(&self, id: i64) -> Result<(), ClientError> {
        let path = format!("/api/admin/users/{id}/");
        self.call_empty(Call::new(Method::DELETE, &path)).await
    }

    /// `GET /healthz`.
    pub async fn health(&self) -> Result<Health, ClientError> {
        self.call(Call::new(Method::GET, "/healthz").anonymous())
            .await
    }
}
