//! `/api/events/`: the user's task changes as server-sent events.

use axum::{
    extract::State,
    http::{header, HeaderMap, HeaderName, HeaderValue},
    response::{
        sse::{KeepAlive, Sse},
        IntoResponse, Response,
    },
};
use common::api::{Problem, TaskEvent};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::AuthUser,
    error::{ApiError, ApiResult},
    events::{opening, Follower, Viewer, MAX_STREAMS_PER_USER},
    extract::QueryPairs,
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(events))
}

/// Follows the user's task changes, each sent once it is committed. Takes a
/// Bearer token, or, without one, the web app's session cookie.
#[utoipa::path(get, path = "/api/events", tag = "tasks",
    params(
        ("Last-Event-ID" = Option<String>, Header, description = "Resume after this cursor (the `id:` of the last event received)"),
        ("since" = Option<String>, Query, description = "The same as `Last-Event-ID`, for clients that cannot set headers"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A `text/event-stream`. First `retry:`, then `event: ready` \
            (its `id:` is the cursor the stream starts from) or, when the cursor given is unknown \
            or its changes are no longer kept, `event: reset` (reload, then follow from its `id:`). \
            Then one `event: task` per change, in commit order, whose `id:` is the cursor after it \
            and whose data is a TaskEvent. A comment line keeps the connection alive while \
            nothing happens. `event: logout` ends the stream: its data says whether the access \
            token expired (reconnect with a fresh one and the last cursor) or the login was \
            revoked.",
            content_type = "text/event-stream", body = TaskEvent),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The user has as many streams open as allowed", body = Problem, content_type = "application/problem+json"),
    ))]
async fn events(
    State(state): State<AppState>,
    user: Result<AuthUser, ApiError>,
    headers: HeaderMap,
    QueryPairs(pairs): QueryPairs,
) -> ApiResult<Response> {
    let viewer = viewer(&state, user, &headers).await?;
    let asked = headers
        .get("last-event-id")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .or_else(|| {
            pairs
                .iter()
                .rev()
                .find(|(name, _)| name == "since")
                .map(|(_, value)| value.clone())
        });
    let slot = state
        .streams
        .admit(viewer.user_id)
        .ok_or_else(|| ApiError::TooManyRequests {
            detail: format!(
                "At most {MAX_STREAMS_PER_USER} event streams may be open at once; close one first."
            ),
            retry_after_secs: 5,
        })?;
    // Subscribed before the bounds are read: a change committed after that
    // read wakes the stream.
    let wakeups = state.store.wakeups();
    let bounds = state.store.feed_bounds(viewer.user_id).await?;
    let (first, cursor) = opening(bounds, asked.as_deref());
    let follower = Follower::new(
        state.store.clone(),
        &state.streams,
        viewer,
        wakeups,
        first,
        cursor,
        slot,
    );
    let stream = futures_util::stream::unfold(follower, |mut follower| async move {
        let event = follower.next().await?;
        Some((Ok::<_, std::convert::Infallible>(event), follower))
    });
    let keepalive = KeepAlive::new()
        .interval(state.streams.keepalive())
        .text("keep-alive");
    let mut response = Sse::new(stream).keep_alive(keepalive).into_response();
    // Proxies (nginx) must pass each event on at once.
    response.headers_mut().insert(
        HeaderName::from_static("x-accel-buffering"),
        HeaderValue::from_static("no"),
    );
    Ok(response)
}

/// How long a browser's stream runs before it says `expired` and its
/// `EventSource` opens a new one (with the same cookie, if still logged in).
const BROWSER_STREAM: chrono::Duration = chrono::Duration::hours(1);

/// Who follows the stream: the Bearer token's user, or, without an
/// `Authorization` header, the web app's session cookie's. The stream ends
/// when that login does, either way.
async fn viewer(
    state: &AppState,
    user: Result<AuthUser, ApiError>,
    headers: &HeaderMap,
) -> ApiResult<Viewer> {
    match user {
        Ok(user) => Ok(Viewer {
            user_id: user.user.id,
            session_id: user.session_id,
            token_version: user.user.token_version,
            expires_at: user.expires_at,
        }),
        Err(err) if headers.contains_key(header::AUTHORIZATION) => Err(err),
        Err(err) => match crate::web::cookie_user(headers, state).await? {
            Some(session) => {
                crate::access_log::note_user(session.user.id);
                Ok(Viewer {
                    user_id: session.user.id,
                    session_id: session.session_id,
                    token_version: session.user.token_version,
                    expires_at: chrono::Utc::now() + BROWSER_STREAM,
                })
            }
            None => Err(err),
        },
    }
}
