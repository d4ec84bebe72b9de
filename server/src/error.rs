//! The one place where errors become HTTP statuses: every error leaves the
//! daemon as an RFC 9457 `application/problem+json` body.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use common::api::Problem;

use crate::store::StoreError;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// Messages per field, as in DRF's validation errors.
pub use crate::domain::FieldErrors;

pub type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{detail}")]
    BadRequest {
        detail: String,
        errors: Option<FieldErrors>,
    },
    #[error("{0}")]
    Unauthorized(String),
    /// An access or refresh token refused: what simplejwt calls
    /// `token_not_valid`.
    #[error("{0}")]
    TokenNotValid(String),
    /// A token whose account an admin has deactivated: simplejwt's
    /// `user_inactive`, so that a client can say so rather than ask for a
    /// login that would be refused.
    #[error("This account is inactive.")]
    AccountInactive,
    #[error("{0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    /// Undo or redo found no change set to revert.
    #[error("There is nothing to revert.")]
    NothingToRevert,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// A body sent in a content coding (gzip, …), which is not decoded.
    #[error("The request body's Content-Encoding ({0}) is not accepted: send the body as it is.")]
    UnsupportedEncoding(String),
    #[error("{detail}")]
    Conflict { detail: String, errors: FieldErrors },
    #[error("precondition failed")]
    PreconditionFailed,
    /// Well-formed, but not something the server can do (an idempotency
    /// key reused for another request).
    #[error("{0}")]
    Unprocessable(String),
    /// The body is larger than the limit, in bytes.
    #[error("payload too large")]
    PayloadTooLarge(usize),
    #[error("{detail}")]
    TooManyRequests {
        detail: String,
        retry_after_secs: u64,
    },
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        ApiError::BadRequest {
            detail: detail.into(),
            errors: None,
        }
    }

    /// A validation failure: one summary line plus the messages per field.
    pub fn validation(errors: FieldErrors) -> ApiError {
        let fields: Vec<&str> = errors.keys().map(String::as_str).collect();
        ApiError::BadRequest {
            detail: format!("invalid input: {}", fields.join(", ")),
            errors: Some(errors),
        }
    }

    /// One field, one message.
    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        let message = message.into();
        let mut errors = FieldErrors::new();
        errors.insert(field.to_string(), vec![message.clone()]);
        ApiError::BadRequest {
            detail: format!("{field}: {message}"),
            errors: Some(errors),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) | ApiError::TokenNotValid(_) | ApiError::AccountInactive => {
                StatusCode::UNAUTHORIZED
            }
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound | ApiError::NothingToRevert => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::UnsupportedMediaType | ApiError::UnsupportedEncoding(_) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn detail(&self) -> String {
        match self {
            ApiError::NotFound => "No such resource.".into(),
            ApiError::MethodNotAllowed => "This method is not allowed on this resource.".into(),
            ApiError::UnsupportedMediaType => {
                "The request body must be JSON, sent with `Content-Type: application/json`.".into()
            }
            ApiError::PreconditionFailed => {
                "The resource has changed since you read it: its version does not match If-Match."
                    .into()
            }
            ApiError::PayloadTooLarge(limit) => format!(
                "The request body is larger than {} MiB.",
                limit / (1024 * 1024)
            ),
            // Internals stay in the log; the client learns only that it failed.
            ApiError::Internal(_) => "The server failed to handle this request.".into(),
            other => other.to_string(),
        }
    }
}

/// A problem body with the status's own reason as its title.
pub fn problem(status: StatusCode, detail: String, errors: Option<FieldErrors>) -> Problem {
    Problem {
        kind: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").into(),
        status: status.as_u16(),
        detail: bounded(detail),
        errors: errors.map(bounded_errors),
        code: None,
    }
}

/// Fields a problem names at most, messages per field, and characters per
/// message: an error about a large request stays small, whatever it quotes.
const MAX_ERROR_FIELDS: usize = 20;
const MAX_FIELD_MESSAGES: usize = 5;
const MAX_MESSAGE_CHARS: usize = 300;

fn bounded(message: String) -> String {
    match message.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((at, _)) => format!("{}…", &message[..at]),
        None => message,
    }
}

fn bounded_errors(errors: FieldErrors) -> FieldErrors {
    let fields = errors.len();
    let mut kept: FieldErrors = errors
        .into_iter()
        .take(MAX_ERROR_FIELDS)
        .map(|(field, messages)| {
            let total = messages.len();
            let mut messages: Vec<String> = messages
                .into_iter()
                .take(if total > MAX_FIELD_MESSAGES {
                    MAX_FIELD_MESSAGES - 1
                } else {
                    total
                })
                .map(bounded)
                .collect();
            if total > MAX_FIELD_MESSAGES {
                messages.push(format!("…and {} more.", total - messages.len()));
            }
            (bounded(field), messages)
        })
        .collect();
    if fields > MAX_ERROR_FIELDS {
        kept.insert(
            "…".into(),
            vec![format!(
                "{} more fields have errors.",
                fields - MAX_ERROR_FIELDS
            )],
        );
    }
    kept
}

pub fn problem_response(problem: &Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(problem).unwrap_or_default();
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON))],
        body,
    )
        .into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let ApiError::Internal(err) = &self {
            crate::request_event!(error, error = format!("{err:#}"), "request failed");
        }
        let detail = self.detail();
        let code = match self {
            ApiError::TokenNotValid(_) => Some("token_not_valid"),
            ApiError::AccountInactive => Some("user_inactive"),
            _ => None,
        };
        let (errors, retry_after) = match self {
            ApiError::BadRequest { errors, .. } => (errors, None),
            ApiError::Conflict { errors, .. } => (Some(errors), None),
            ApiError::TooManyRequests {
                retry_after_secs, ..
            } => (None, Some(retry_after_secs)),
            _ => (None, None),
        };
        let mut problem = problem(status, detail, errors);
        problem.code = code.map(str::to_string);
        let mut response = problem_response(&problem);
        let headers = response.headers_mut();
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(secs) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> ApiError {
        match err {
            StoreError::Unavailable(err) => {
                crate::request_event!(error, error = format!("{err:#}"), "database unavailable");
                ApiError::Unavailable("The database is not answering.".into())
            }
            StoreError::Internal(err) => ApiError::Internal(err),
            StoreError::Quota(quota) => ApiError::Forbidden(
                match quota {
                    crate::store::Quota::Tasks => {
                        "This account holds as many tasks as it may: nothing was written. Delete \
                     some to add more, or ask an administrator to raise --max-tasks-per-user."
                    }
                    crate::store::Quota::Text => {
                        "This account holds as much text as it may: nothing was written. Shorten \
                     or delete some tasks, or ask an administrator to raise \
                     --max-text-per-user."
                    }
                }
                .into(),
            ),
        }
    }
}

impl From<crate::task_query::QueryError> for ApiError {
    fn from(err: crate::task_query::QueryError) -> ApiError {
        ApiError::validation(err.0)
    }
}

impl From<crate::domain::task_ops::TaskError> for ApiError {
    fn from(err: crate::domain::task_ops::TaskError) -> ApiError {
        use crate::domain::task_ops::TaskError;
        match err {
            TaskError::Store(err) => err.into(),
            TaskError::Invalid(errors) => ApiError::validation(errors),
            TaskError::NotFound => ApiError::NotFound,
            TaskError::VersionMismatch => ApiError::PreconditionFailed,
            TaskError::Refused(detail) => ApiError::bad_request(detail),
        }
    }
}

impl From<crate::domain::undo::RevertError> for ApiError {
    fn from(err: crate::domain::undo::RevertError) -> ApiError {
        use crate::domain::undo::RevertError;
        match err {
            RevertError::Task(err) => err.into(),
            RevertError::Nothing => ApiError::NothingToRevert,
            RevertError::Conflicts(errors) => ApiError::Conflict {
                detail: format!(
                    "{} changed since; nothing was reverted (?force=true reverts anyway).",
                    match errors.len() {
                        1 => "A task".to_string(),
                        n => format!("{n} tasks"),
                    }
                ),
                errors,
            },
            RevertError::Moved => ApiError::Conflict {
                detail: "Another change came since this step was offered; nothing was reverted."
                    .into(),
                errors: Default::default(),
            },
        }
    }
}
