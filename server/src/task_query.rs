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
        take_each(pairs, |name, value| window.take(name, value))?;
        Ok(window)
    }

    /// Takes `limit` or `offset`; anything else is left to the caller.
    fn take(&mut self, name: &str, value: &str) -> Result<(), String> {
        match name {
            "limit" => parse_limit(value).map(|n| self.limit = n),
            "offset" => parse_offset(value).map(|n| self.offset = n),
            _ => Ok(()),
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
    /// How much text a page may hold at most (see [`PAGE_BYTES`]): the
    /// page ends early, after the task that reaches it, and says so by
    /// holding fewer tasks than asked. `None`: no bound.
    pub budget: Option<usize>,
    /// Read without descriptions and notes' texts: enough to order by
    /// urgency, a fraction of the memory.
    pub light: bool,
}

/// What a page of the API or the web app weighs at most, in bytes of JSON
/// (see [`crate::store::weight`]), so that a response stays about a
/// megabyte however long the tasks, and clients asking for the largest
/// page and never reading it cannot make the daemon hold hundreds. A
/// thousand ordinary tasks fit in one page.
pub const PAGE_BYTES: usize = 1024 * 1024;

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
            budget: Some(PAGE_BYTES),
            light: false,
        })
    }
}

/// Which accounts a users list shows, in what order, and which page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserQuery {
    /// A case-insensitive substring of the username or the email.
    pub search: Option<String>,
    pub is_active: Option<bool>,
    pub is_admin: Option<bool>,
    pub sort: UserSort,
    pub descending: bool,
    pub window: PageWindow,
}

/// What a users list can be sorted by; ties go by id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UserSort {
    #[default]
    Id,
    Username,
    Email,
    DateJoined,
    TaskCount,
}

impl UserSort {
    pub const ALL: [UserSort; 5] = [
        UserSort::Id,
        UserSort::Username,
        UserSort::Email,
        UserSort::DateJoined,
        UserSort::TaskCount,
    ];

    /// Its name in `ordering`: the account's field it sorts by.
    pub fn name(self) -> &'static str {
        match self {
            UserSort::Id => "id",
            UserSort::Username => "username",
            UserSort::Email => "email",
            UserSort::DateJoined => "date_joined",
            UserSort::TaskCount => "task_count",
        }
    }

    pub fn parse(name: &str) -> Option<UserSort> {
        UserSort::ALL.into_iter().find(|sort| sort.name() == name)
    }

    /// The column it sorts by in the stores' users queries: a fixed
    /// string, never user text. Text sorts by code point on both backends
    /// (the username's key is lower-cased by taskd, alike for both).
    pub fn column(self) -> &'static str {
        match self {
            UserSort::Id => "u.id",
            UserSort::Username => "u.username_key",
            UserSort::Email => "u.email",
            UserSort::DateJoined => "u.date_joined",
            UserSort::TaskCount => "task_count",
        }
    }

    /// Whether it sorts text, which PostgreSQL must be told to compare by
    /// code point (SQLite always does).
    pub fn is_text(self) -> bool {
        matches!(self, UserSort::Username | UserSort::Email)
    }
}

/// The longest search a list of accounts or of everyone's tasks takes.
pub const MAX_SEARCH: usize = 200;

impl UserQuery {
    /// Parses `search`, `is_active`, `is_admin`, `ordering` (one field of
    /// [`UserSort`], `-` first for descending), `limit` and `offset`.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<UserQuery, QueryError> {
        let mut query = UserQuery::default();
        take_each(pairs, |name, value| match name {
            "search" => search(value).map(|s| query.search = s),
            "is_active" => flag(value).map(|f| query.is_active = Some(f)),
            "is_admin" => flag(value).map(|f| query.is_admin = Some(f)),
            "ordering" => {
                let (descending, field) = match value.strip_prefix('-') {
                    Some(field) => (true, field),
                    None => (false, value),
                };
                let sort = UserSort::parse(field).ok_or_else(|| {
                    let names: Vec<&str> = UserSort::ALL.iter().map(|s| s.name()).collect();
                    format!(
                        "must be one of {}, with - first to reverse.",
                        names.join(", ")
                    )
                })?;
                query.sort = sort;
                query.descending = descending;
                Ok(())
            }
            _ => query.window.take(name, value),
        })?;
        Ok(query)
    }
}

/// Which tasks, of every user, an admin's tasks list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdminTaskQuery {
    /// A case-insensitive substring of the title or description.
    pub search: Option<String>,
    /// The owner's username, exactly (case-insensitively).
    pub username: Option<String>,
    pub status: Option<common::api::Status>,
    pub window: PageWindow,
}

impl AdminTaskQuery {
    /// Parses `search`, `user` (a username), `status`, `limit` and `offset`.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<AdminTaskQuery, QueryError> {
        let mut query = AdminTaskQuery::default();
        take_each(pairs, |name, value| match name {
            "search" => search(value).map(|s| query.search = s),
            "user" => search(value).map(|s| query.username = s),
            "status" => common::api::Status::parse(value)
                .map(|status| query.status = Some(status))
                .ok_or_else(|| "must be pending or done.".to_string()),
            _ => query.window.take(name, value),
        })?;
        Ok(query)
    }
}

/// Runs `take` on each pair with a value (an empty one means "not given"),
/// gathering every refusal under its parameter's name.
fn take_each(
    pairs: &[(String, String)],
    mut take: impl FnMut(&str, &str) -> Result<(), String>,
) -> Result<(), QueryError> {
    let mut errors = BTreeMap::<String, Vec<String>>::new();
    for (name, value) in pairs.iter().filter(|(_, value)| !value.is_empty()) {
        if let Err(message) = take(name, value) {
            errors.entry(name.clone()).or_default().push(message);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(QueryError(errors))
    }
}

/// A search's text, trimmed; `None` when blank.
fn search(value: &str) -> Result<Option<String>, String> {
    if value.contains('\0') {
        return Err("Null characters are not allowed.".into());
    }
    if value.chars().count() > MAX_SEARCH {
        return Err(format!("At most {MAX_SEARCH} characters."));
    }
    let value = value.trim();
    Ok((!value.is_empty()).then(|| value.to_string()))
}

fn flag(value: &str) -> Result<bool, String> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err("must be true or false.".into()),
    }
}
