//! Health and the OpenAPI document.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    extract::State,
    http::{header, HeaderValue},
    response::IntoResponse,
    Extension, Json,
};
use chrono::Utc;
use common::api::{Health, Problem};
use tokio::sync::Mutex;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    error::{ApiError, ApiResult},
    store::Store,
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(openapi_json))
}

/// The rendered document, made once at start-up.
#[derive(Clone)]
pub struct OpenApiJson(pub Arc<String>);

/// How long a write probe's outcome stands for the health checks after it:
/// a load balancer asking many times a second costs one write a second.
const PROBE_STANDS: Duration = Duration::from_secs(1);

/// The latest write probe: whether the database could be written, and when
/// that was learnt.
#[derive(Default)]
pub struct WriteProbe {
    last: Mutex<Option<(Instant, bool)>>,
}

impl WriteProbe {
    /// Whether a write commits, probed at most once per [`PROBE_STANDS`];
    /// health checks arriving during a probe wait for its outcome.
    async fn writable(&self, store: &dyn Store) -> bool {
        let mut last = self.last.lock().await;
        if let Some((at, writable)) = *last {
            if at.elapsed() < PROBE_STANDS {
                return writable;
            }
        }
        let writable = match store.probe_write(Utc::now()).await {
            Ok(()) => true,
            Err(err) => {
                crate::request_event!(error, error = %err, "the database cannot be written");
                false
            }
        };
        *last = Some((Instant::now(), writable));
        writable
    }
}

/// 200 when the database answers and takes writes, else 503.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses(
        (status = 200, body = Health),
        (status = 503, description = "The database does not answer, or cannot be written (a full disk, a read-only file or server)", body = Problem, content_type = "application/problem+json"),
    ))]
async fn healthz(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    state.store.health().await?;
    if !state.write_probe.writable(state.store.as_ref()).await {
        return Err(ApiError::Unavailable(
            "The database answers but cannot be written: a full disk, a read-only file, or a \
             database file deleted or replaced while taskd served it."
                .into(),
        ));
    }
    Ok(Json(Health {
        status: "ok".into(),
    }))
}

/// This API's OpenAPI 3.1 document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
async fn openapi_json(Extension(doc): Extension<OpenApiJson>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        doc.0.as_str().to_owned(),
    )
}
