//! DRF's limit/offset pagination, as every list of the API answers it: the
//! absolute `next` and `previous` links of a page.

use axum::http::{header, HeaderMap};
use utoipa::IntoParams;

use crate::task_query::PageWindow;

/// `limit` and `offset` in the document of every list (parsing is
/// [`PageWindow::from_pairs`]).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PageParams {
    /// Page size.
    #[param(minimum = 1, maximum = 1000, default = 50)]
    limit: Option<u32>,
    /// Items to skip.
    #[param(minimum = 0, default = 0)]
    offset: Option<u64>,
}

/// The `next` and `previous` links of the page `window` of a list of `count`
/// items at `path` (`/api/tasks/`), keeping every other query parameter.
pub fn links(
    headers: &HeaderMap,
    path: &str,
    pairs: &[(String, String)],
    window: PageWindow,
    count: u64,
) -> (Option<String>, Option<String>) {
    let PageWindow { limit, offset } = window;
    let step = u64::from(limit);
    let next = (offset.saturating_add(step) < count)
        .then(|| page_url(headers, path, pairs, limit, offset + step));
    let previous =
        (offset > 0).then(|| page_url(headers, path, pairs, limit, offset.saturating_sub(step)));
    (next, previous)
}

/// The absolute URL of this list with `offset` changed (dropped at 0, as DRF
/// does) and every other parameter kept.
fn page_url(
    headers: &HeaderMap,
    path: &str,
    pairs: &[(String, String)],
    limit: u32,
    offset: u64,
) -> String {
    // Only a host and port: a Host header is the client's to choose, and the
    // link goes back out in the body. (Like DRF with ALLOWED_HOSTS = ["*"],
    // any well-formed host is used as given.)
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|host| {
            host.parse::<axum::http::uri::Authority>()
                .is_ok_and(|authority| {
                    !authority.as_str().contains('@') && !authority.host().is_empty()
                })
        })
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https")
        .unwrap_or("http");
    let mut query: Vec<(&str, String)> = pairs
        .iter()
        .filter(|(name, _)| name != "limit" && name != "offset")
        .map(|(name, value)| (name.as_str(), value.clone()))
        .collect();
    query.push(("limit", limit.to_string()));
    if offset > 0 {
        query.push(("offset", offset.to_string()));
    }
    let query = serde_urlencoded::to_string(&query).unwrap_or_default();
    format!("{scheme}://{host}{path}?{query}")
}
