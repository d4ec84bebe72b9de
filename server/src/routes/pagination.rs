//! DRF's limit/offset pagination, as every list of the API answers it: the
//! absolute `next` and `previous` links of a page.

use utoipa::IntoParams;

use crate::{forwarded::RequestOrigin, task_query::PageWindow};

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
/// A page may hold fewer than `limit` items (`returned`) when it reached
/// its size budget: the next page starts after the last one it holds.
pub fn links(
    origin: &RequestOrigin,
    path: &str,
    pairs: &[(String, String)],
    window: PageWindow,
    returned: usize,
    count: u64,
) -> (Option<String>, Option<String>) {
    let PageWindow { limit, offset } = window;
    let step = u64::from(limit);
    let after = offset.saturating_add(returned as u64);
    let next = (returned > 0 && after < count).then(|| page_url(origin, path, pairs, limit, after));
    let previous =
        (offset > 0).then(|| page_url(origin, path, pairs, limit, offset.saturating_sub(step)));
    (next, previous)
}

/// The absolute URL of this list with `offset` changed (dropped at 0, as DRF
/// does) and every other parameter kept. The origin is the one the request
/// was sent to (see [`crate::forwarded`]).
fn page_url(
    origin: &RequestOrigin,
    path: &str,
    pairs: &[(String, String)],
    limit: u32,
    offset: u64,
) -> String {
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
    format!("{}{path}?{query}", origin.origin)
}
