//! The query strings of the lists, checked: every bad value is a 400 naming
//! its parameter. What a task list may ask is defined once, in
//! [`common::list_query`], for the clients that build it and for this side.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

pub use common::list_query::{compare, is_uda_name, OrderField, OrderKey, UDA_NAME_RULE};
use common::list_query::{parse_limit, parse_offset, TaskQuery, DEFAULT_LIMIT};

/// Bad query parameters, each named with its messages (the shape of
/// [`crate::domain::FieldErrors`]; this module depends on nothing of the crate).
#[derive(Debug)]
pub struct QueryError(pub BTreeMap<String, Vec<String>>);

/// Which page of a list: `limit` and `offset`, as DRF's limit/offset
/// pagination takes them, for every list of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageWindow {
    pub limit: u32,
    pub offset: u64,
}

impl Default for PageWindow {
    fn default() -> PageWindow {
        PageWindow {
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

impl PageWindow {
    /// The window of a list that takes no other parameters.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<PageWindow, QueryError> {
        let mut window = PageWindow::default();
        let mut errors = BTreeMap::<String, Vec<String>>::new();
        for (name, value) in pairs.iter().filter(|(_, value)| !value.is_empty()) {
            let taken = match name.as_str() {
                "limit" => parse_limit(value).map(|n| window.limit = n),
                "offset" => parse_offset(value).map(|n| window.offset = n),
                _ => Ok(()),
            };
            if let Err(message) = taken {
                errors.entry(name.clone()).or_default().push(message);
            }
        }
        if errors.is_empty() {
            Ok(window)
        } else {
            Err(QueryError(errors))
        }
    }
}

/// Which of a user's tasks to list, in which order, which page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskFilter {
    pub query: TaskQuery,
    pub page: PageWindow,
    /// The instant `waiting`, `ready` and `until` are judged at.
    pub now: DateTime<Utc>,
}

impl TaskFilter {
    /// Parses the query pairs (see [`TaskQuery::from_pairs`]).
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<TaskFilter, QueryError> {
        let query = TaskQuery::from_pairs(pairs).map_err(QueryError)?;
        let page = PageWindow {
            limit: query.limit.unwrap_or(DEFAULT_LIMIT),
            offset: query.offset.unwrap_or(0),
        };
        Ok(TaskFilter {
            query,
            page,
            now: Utc::now(),
        })
    }
}
