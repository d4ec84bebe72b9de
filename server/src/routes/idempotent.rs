//! `Idempotency-Key`: a create retried with the same key is answered with
//! the first answer (same status, same body) instead of being made again.

use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts, HeaderName, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use chrono::Utc;
use sha2::{Digest, Sha256};

use crate::{
    error::{ApiError, ApiResult, PROBLEM_JSON},
    store::idempotency::{Claim, SavedAnswer},
    AppState,
};

/// Longest key taken.
const MAX_KEY: usize = 255;

/// Answers larger than this are not kept (none of ours are).
const MAX_SAVED: usize = 1024 * 1024;

/// The request's `Idempotency-Key`, if it sent one.
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get("idempotency-key") else {
            return Ok(IdempotencyKey(None));
        };
        let key = value.to_str().map(str::trim).unwrap_or_default();
        let printable = key.chars().all(|c| c.is_ascii_graphic());
        if key.is_empty() || key.len() > MAX_KEY || !printable {
            return Err(ApiError::field(
                "Idempotency-Key",
                format!("Must be 1 to {MAX_KEY} printable ASCII characters (a UUID, say)."),
            ));
        }
        Ok(IdempotencyKey(Some(key.to_string())))
    }
}

impl IdempotencyKey {
    /// The key, and what the request asks as `hash` tells it, if the request
    /// sent a key: a request without one is never compared with another, so
    /// what it asks is not worked out.
    pub fn keyed(self, hash: impl FnOnce() -> ApiResult<String>) -> ApiResult<Option<Keyed>> {
        self.0
            .map(|key| Ok(Keyed { key, hash: hash()? }))
            .transpose()
    }
}

/// A request's `Idempotency-Key`, and what the request asks.
pub struct Keyed {
    key: String,
    hash: String,
}

/// What a request asks, for telling a retry from another request: its
/// path and its body.
pub fn request_hash(path: &str, body: &[u8]) -> String {
    use std::fmt::Write;
    let mut hash = Sha256::new();
    hash.update(path.as_bytes());
    hash.update([0]);
    hash.update(body);
    hash.finalize()
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

/// Carries out `work` once per key: a retry with the same key gets the
/// first answer back; the same key with another request is a 422; while
/// the first is still in hand, a 409. Answers of the server's own failure
/// (5xx) are not kept, so a retry carries the request out.
pub async fn once<F>(
    state: &AppState,
    user_id: i64,
    keyed: Option<Keyed>,
    work: F,
) -> ApiResult<Response>
where
    F: std::future::Future<Output = ApiResult<Response>>,
{
    let Some(Keyed {
        key,
        hash: request_hash,
    }) = keyed
    else {
        return work.await;
    };
    let store = state.store.as_ref();
    match store
        .claim_key(user_id, &key, &request_hash, Utc::now())
        .await?
    {
        Claim::Replay(answer) => Ok(replayed(answer)),
        Claim::Mismatch => Err(ApiError::Unprocessable(
            "This Idempotency-Key was used before with another request; use a new key.".into(),
        )),
        Claim::InFlight => Err(ApiError::Conflict {
            detail: "A request with this Idempotency-Key is still being handled; retry shortly."
                .into(),
            errors: Default::default(),
        }),
        Claim::Fresh => {
            let response = match work.await {
                Ok(response) => response,
                Err(err) => err.into_response(),
            };
            if response.status().is_server_error() {
                store.release_key(user_id, &key).await?;
                return Ok(response);
            }
            let (parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, MAX_SAVED)
                .await
                .map_err(|err| ApiError::Internal(anyhow::anyhow!("reading an answer: {err}")))?;
            let header_text = |name: header::HeaderName| {
                parts
                    .headers
                    .get(name)
                    .and_then(|value| value.to_str().ok())
                    .map(str::to_owned)
            };
            let answer = SavedAnswer {
                status: parts.status.as_u16(),
                body: String::from_utf8_lossy(&bytes).into_owned(),
                location: header_text(header::LOCATION),
                etag: header_text(header::ETAG),
            };
            store.save_answer(user_id, &key, answer).await?;
            Ok(Response::from_parts(parts, axum::body::Body::from(bytes)))
        }
    }
}

/// The kept answer, as it was first given, marked as a replay.
fn replayed(answer: SavedAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let content_type = if status.is_client_error() {
        PROBLEM_JSON
    } else {
        "application/json"
    };
    let mut response = (status, answer.body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        HeaderName::from_static("idempotent-replayed"),
        HeaderValue::from_static("true"),
    );
    for (name, value) in [
        (header::LOCATION, answer.location),
        (header::ETAG, answer.etag),
    ] {
        if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            headers.insert(name, value);
        }
    }
    response
}
