//! Extractors whose rejections are problems, not axum's plain-text bodies.

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request},
    http::{header, request::Parts, HeaderMap, StatusCode},
};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body: 415 unless it is sent as JSON, 413 over the size limit, 400
/// when it is malformed, and 400 with the field named when it does not fit
/// `T` (a missing field, an unknown one, a value of the wrong type).
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = body(req, state, crate::routes::MAX_BODY_BYTES).await?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// The whole body, up to the route's `DefaultBodyLimit`, which is `limit`
/// bytes (said in the 413's message).
pub async fn body<S: Send + Sync>(
    req: Request,
    state: &S,
    limit: usize,
) -> Result<Bytes, ApiError> {
    refuse_encoded(req.headers())?;
    Bytes::from_request(req, state)
        .await
        .map_err(|rejection| match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge(limit),
            _ => ApiError::bad_request(rejection.body_text()),
        })
}

/// Refuses a body sent in a content coding other than `identity`: read as
/// it came, a compressed body would be taken for malformed input, or worse,
/// for input.
pub fn refuse_encoded(headers: &HeaderMap) -> Result<(), ApiError> {
    for value in headers.get_all(header::CONTENT_ENCODING) {
        let listed = value.to_str().unwrap_or("?");
        for coding in listed.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            if !coding.eq_ignore_ascii_case("identity") {
                return Err(ApiError::UnsupportedEncoding(
                    common::text::escape_control(coding).into_owned(),
                ));
            }
        }
    }
    Ok(())
}

/// `application/json`, or any `application/…+json`, with any parameters.
fn is_json(headers: &HeaderMap) -> bool {
    content_type(headers).is_some_and(|essence| {
        essence == "application/json"
            || (essence.starts_with("application/") && essence.ends_with("+json"))
    })
}

/// The body's media type, lower-cased, without its parameters.
pub fn content_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(
        value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
    )
}

fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(body_error)?;
    deserializer
        .end()
        .map_err(|err| ApiError::bad_request(format!("Malformed JSON: {err}")))?;
    Ok(value)
}

/// A body that does not fit: the field it is about and what is wrong, as the
/// validation of a field would say it.
fn body_error(err: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = err.path().to_string();
    let inner = err.into_inner();
    if !matches!(inner.classify(), serde_json::error::Category::Data) {
        return ApiError::bad_request(format!("Malformed JSON: {inner}"));
    }
    let text = inner.to_string();
    // serde_json ends each message with where it happened in the text.
    let message = text
        .rfind(" at line ")
        .map_or(text.as_str(), |at| &text[..at]);
    let quoted = |prefix: &str| {
        let rest = message.strip_prefix(prefix)?;
        rest.split_once('`').map(|(name, _)| name.to_string())
    };
    let within = |name: String| match path.as_str() {
        "." => name,
        parent => format!("{parent}.{name}"),
    };
    let (field, message) = if let Some(name) = quoted("missing field `") {
        (within(name), "This field is required.".to_string())
    } else if let Some(name) = quoted("unknown field `") {
        // The path already ends at the unknown field.
        let field = if path == "." { name } else { path.clone() };
        (field, "Unknown field.".to_string())
    } else if path == "." {
        return ApiError::bad_request(format!("Invalid request body: {message}"));
    } else {
        (path.clone(), upper_first(message))
    };
    ApiError::field(&field, message)
}

fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

/// The integer id in a path; anything else is no such resource.
pub struct IdPath(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<i64>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(id)) => Ok(IdPath(id)),
            Err(_) => Err(ApiError::NotFound),
        }
    }
}

/// Two integer ids in a path (a task's, then one of its parts'); anything
/// else is no such resource.
pub struct IdsPath(pub i64, pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IdsPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<(i64, i64)>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path((first, second))) => Ok(IdsPath(first, second)),
            Err(_) => Err(ApiError::NotFound),
        }
    }
}

/// The query string as ordered pairs, so that parameters may repeat.
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .map(QueryPairs)
            .map_err(|err| ApiError::bad_request(format!("Malformed query string: {err}")))
    }
}

/// What `If-Match` asks for: `None` when there is no precondition (no header,
/// or `*`), else the versions any one of which must be current. Every
/// `If-Match` header and every tag of each counts; `"3"`, `W/"3"` and `3` all
/// name version 3, and a tag that cannot be one of ours names none.
pub struct IfMatch(pub Option<Vec<i64>>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        if !parts.headers.contains_key(header::IF_MATCH) {
            return Ok(IfMatch(None));
        }
        let mut versions = Vec::new();
        for tag in entity_tags(&parts.headers, header::IF_MATCH) {
            if tag == "*" {
                return Ok(IfMatch(None));
            }
            // A tag that is not a number names no version of ours.
            if let Ok(version) = tag.parse::<i64>() {
                versions.push(version);
            }
        }
        Ok(IfMatch(Some(versions)))
    }
}

/// The entity tags every `name` header lists, unquoted, weak or strong
/// alike (`"3"`, `W/"3"` and `3` are all `3`); `*` as itself. A header that
/// is not text lists none.
fn entity_tags(headers: &HeaderMap, name: header::HeaderName) -> impl Iterator<Item = &str> {
    headers
        .get_all(name)
        .into_iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|text| text.split(','))
        .map(str::trim)
        .filter(|tag| !tag.is_empty())
        .map(|tag| tag.strip_prefix("W/").unwrap_or(tag).trim_matches('"'))
}

/// What `If-None-Match` names: the tags the client holds (weak or strong
/// alike, as a GET compares them), or `*`.
#[derive(Debug, Default)]
pub struct IfNoneMatch(Vec<String>);

impl IfNoneMatch {
    /// Whether the client holds the representation tagged `tag` (its value,
    /// without quotes).
    pub fn holds(&self, tag: &str) -> bool {
        self.0.iter().any(|held| held == "*" || held == tag)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfNoneMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let tags = entity_tags(&parts.headers, header::IF_NONE_MATCH);
        Ok(IfNoneMatch(tags.map(str::to_owned).collect()))
    }
}

/// Whether the client asked for an answer read afresh rather than one the
/// daemon kept: `Cache-Control: no-cache` (or `no-store`, `max-age=0`).
pub struct NoCache(pub bool);

impl<S: Send + Sync> FromRequestParts<S> for NoCache {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let fresh = parts
            .headers
            .get_all(header::CACHE_CONTROL)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .any(|directive| {
                let directive = directive.trim();
                ["no-cache", "no-store", "max-age=0"]
                    .iter()
                    .any(|asked| directive.eq_ignore_ascii_case(asked))
            });
        Ok(NoCache(fresh))
    }
}

/// The client's address: the peer's, or the one a trusted proxy names
/// (see [`crate::forwarded`]).
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Ok(origin) = crate::forwarded::RequestOrigin::from_request_parts(parts, state).await;
        Ok(ClientAddr(origin.client))
    }
}
