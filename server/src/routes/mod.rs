//! The router: one module per resource, merged here with the layers every
//! response goes through.

pub mod accounts;
pub mod admin;
pub mod bulk;
pub mod events;
pub mod idempotent;
pub mod ops;
pub mod pagination;
mod settle;
pub mod summaries;
pub mod tasks;
pub mod taskwarrior;
pub mod undo;

use std::{convert::Infallible, sync::Arc, time::Duration};

use anyhow::Context;
use axum::{
    extract::{DefaultBodyLimit, Request, State},
    http::{header, HeaderName, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
    Extension, Router,
};
use tower::{Service, ServiceBuilder};
use tower_http::{
    catch_panic::CatchPanicLayer,
    cors::{AllowOrigin, CorsLayer},
    set_header::SetResponseHeaderLayer,
};
use utoipa_axum::router::OpenApiRouter;

use crate::{
    error::{problem, problem_response, ApiError, PROBLEM_JSON},
    openapi, AppState, Config,
};

pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The routes and their OpenAPI document, built from the same handlers so
/// that the document cannot drift from what is served.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(openapi::base())
        .merge(accounts::router())
        .merge(tasks::router())
        .merge(events::router())
        .merge(bulk::router())
        .merge(undo::router())
        .merge(summaries::router())
        .merge(taskwarrior::router())
        .merge(admin::router())
        .merge(ops::router())
        .split_for_parts()
}

/// The whole application as one service: every layer and the router, in
/// a type of its own rather than boxed into an outer `Router`, which cloned
/// the whole stack into a box and boxed its future, for each request.
pub trait App:
    Service<Request, Response = Response, Error = Infallible, Future: Send + 'static>
    + Clone
    + Send
    + Sync
    + 'static
{
}

impl<S> App for S where
    S: Service<Request, Response = Response, Error = Infallible, Future: Send + 'static>
        + Clone
        + Send
        + Sync
        + 'static
{
}

pub fn router(state: AppState, config: &Config) -> anyhow::Result<impl App> {
    let (routes, doc) = api();
    let mut doc = serde_json::to_value(&doc).context("rendering the OpenAPI document")?;
    openapi::constrain(&mut doc);
    let doc = serde_json::to_string_pretty(&doc).context("rendering the OpenAPI document")?;
    let settling = state.store.write_settling().map(settle::SettleLayer);
    let router = routes
        .merge(crate::web::router(state.clone()))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state);
    let cors = if config.cors_any || !config.cors_origins.is_empty() {
        Some(cors(&config.cors_origins, config.cors_any)?)
    } else {
        None
    };
    let drf_errors = (config.error_format == crate::config::ErrorFormat::Drf)
        .then(|| axum::middleware::map_response(as_drf_error));
    // The layers every request goes through wrap the router once, from the
    // outside in. Added with `Router::layer`, they wrapped each route one by
    // one, and every request cloned and boxed its route's whole stack of
    // them, a layer at a time (bench/README.md).
    let app = ServiceBuilder::new()
        .layer(crate::access_log::AccessLogLayer)
        // Outside the panic catcher: a handler that committed and then
        // panicked is held like any other.
        .option_layer(settling)
        .map_response(|response: Response<_>| response.map(axum::body::Body::new))
        .layer(CatchPanicLayer::custom(|_panic| {
            crate::request_event!(error, "a request handler panicked");
            ApiError::Internal(anyhow::anyhow!("handler panicked")).into_response()
        }))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .option_layer(cors)
        .option_layer(drf_errors)
        .layer(crate::forwarded::ResolveLayer::new(
            config.forwarding.clone(),
        ))
        .map_response(problem_for_every_error)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(Extension(ops::OpenApiJson(Arc::new(doc))))
        .service(router);
    Ok(app)
}

fn cors(origins: &[String], any: bool) -> anyhow::Result<CorsLayer> {
    let allowed = if any {
        AllowOrigin::any()
    } else {
        // Checked again here, for configs built in code: tower-http panics
        // on a `*` in a list.
        let origins = origins
            .iter()
            .map(|origin| {
                let origin = crate::listen::parse_origin(origin).map_err(anyhow::Error::msg)?;
                HeaderValue::from_str(&origin)
                    .with_context(|| format!("invalid CORS origin {origin:?}"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        AllowOrigin::list(origins)
    };
    Ok(CorsLayer::new()
        .allow_origin(allowed)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        // What django-cors-headers allows by default, so a frontend written
        // for the DRF backend passes its preflight, plus If-Match.
        .allow_headers([
            header::ACCEPT,
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::USER_AGENT,
            HeaderName::from_static("last-event-id"),
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static("x-csrftoken"),
            HeaderName::from_static("x-requested-with"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            HeaderName::from_static("retry-after"),
        ])
        .max_age(Duration::from_secs(3600)))
}

/// Problems the daemon writes are small; anything larger is left as it is.
const LARGEST_PROBLEM: usize = 64 * 1024;

/// A problem body rewritten as Django REST Framework writes errors: the
/// field messages alone for a validation failure, else `{"detail"}` (with
/// simplejwt's `code` where there is one). Headers (`WWW-Authenticate`,
/// `Retry-After`) stay.
async fn as_drf_error(response: Response) -> Response {
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes() == PROBLEM_JSON.as_bytes());
    if !is_problem {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, LARGEST_PROBLEM).await else {
        return problem_response(&problem(
            parts.status,
            parts.status.canonical_reason().unwrap_or("Error").into(),
            None,
        ));
    };
    let Ok(problem) = serde_json::from_slice::<common::api::Problem>(&bytes) else {
        return Response::from_parts(parts, axum::body::Body::from(bytes));
    };
    let body = match problem.errors {
        Some(errors) if parts.status == StatusCode::BAD_REQUEST => serde_json::json!(errors),
        _ => {
            let mut body = serde_json::json!({ "detail": problem.detail });
            if let Some(code) = problem.code {
                body["code"] = serde_json::Value::String(code);
            }
            body
        }
    };
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(body.to_string()))
}

/// A last guard: whatever produced an error response without a problem body
/// (a layer, an extractor we did not wrap), the client still gets one.
/// A 405: a page for a browser outside the API (a form's address typed in
/// the address bar), else a problem.
async fn method_not_allowed(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> Response {
    if wants_page(&uri, &headers) {
        crate::web::method_not_allowed_page(&state, &headers).await
    } else {
        ApiError::MethodNotAllowed.into_response()
    }
}

fn wants_page(uri: &axum::http::Uri, headers: &axum::http::HeaderMap) -> bool {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    wants_html && !uri.path().starts_with("/api/")
}

/// A 404: a page for a browser outside the API, else a problem.
async fn not_found(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> Response {
    if wants_page(&uri, &headers) {
        crate::web::not_found_page(&state, &headers).await
    } else {
        ApiError::NotFound.into_response()
    }
}

fn problem_for_every_error(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    // The web app's error pages are pages.
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"text/html"));
    if is_page {
        return response;
    }
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes() == PROBLEM_JSON.as_bytes());
    if is_problem {
        return response;
    }
    let detail = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "The request body is larger than 1 MiB.",
        _ => status.canonical_reason().unwrap_or("Error"),
    };
    let mut fresh = problem_response(&problem(status, detail.to_string(), None));
    for name in [header::WWW_AUTHENTICATE, header::RETRY_AFTER, header::ALLOW] {
        if let Some(value) = response.headers().get(&name) {
            fresh.headers_mut().insert(name, value.clone());
        }
    }
    fresh
}
