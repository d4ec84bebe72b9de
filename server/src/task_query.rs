//! The query strings of the lists (`GET /api/tasks/`, and the page window of
//! every list), checked: every bad value is a 400 naming its parameter.

use chrono::{DateTime, NaiveDate, Utc};
use std::cmp::Ordering;

use common::api::{Priority, Status, Task};

use std::collections::BTreeMap;

/// Bad query parameters, each named with its messages (the shape of
/// [`crate::domain::FieldErrors`]; this module depends on nothing of the crate).
#[derive(Debug)]
pub struct QueryError(pub BTreeMap<String, Vec<String>>);

type FieldErrors = BTreeMap<String, Vec<String>>;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderField {
    Id,
    Title,
    Status,
    Priority,
    Due,
    CreatedAt,
    UpdatedAt,
    Start,
    Wait,
    Scheduled,
    Until,
    /// Computed when read: ordering by it reads every matching task.
    Urgency,
}

impl OrderField {
    pub const ALL: [(&'static str, OrderField); 12] = [
        ("id", OrderField::Id),
        ("title", OrderField::Title),
        ("status", OrderField::Status),
        ("priority", OrderField::Priority),
        ("due", OrderField::Due),
        ("created_at", OrderField::CreatedAt),
        ("updated_at", OrderField::UpdatedAt),
        ("start", OrderField::Start),
        ("wait", OrderField::Wait),
        ("scheduled", OrderField::Scheduled),
        ("until", OrderField::Until),
        ("urgency", OrderField::Urgency),
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderKey {
    pub field: OrderField,
    pub descending: bool,
}

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
    /// Takes `name=value` when it is `limit` or `offset`: `Some(Err(message))`
    /// for a bad value, `None` for any other parameter.
    fn take(&mut self, name: &str, value: &str) -> Option<Result<(), String>> {
        let outcome = match name {
            "limit" => match value.parse::<u32>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => {
                    self.limit = n;
                    Ok(())
                }
                _ => Err(format!("must be an integer from 1 to {MAX_LIMIT}.")),
            },
            "offset" => match value.parse::<u64>() {
                Ok(n) if n <= i64::MAX as u64 => {
                    self.offset = n;
                    Ok(())
                }
                _ => Err("must be a non-negative integer.".to_string()),
            },
            _ => return None,
        };
        Some(outcome)
    }

    /// The window of a list that takes no other parameters.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<PageWindow, QueryError> {
        let mut window = PageWindow::default();
        let mut errors = FieldErrors::new();
        for (name, value) in pairs.iter().filter(|(_, value)| !value.is_empty()) {
            if let Some(Err(message)) = window.take(name, value) {
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
    pub page: PageWindow,
    /// `None`: both pending and done.
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    /// Matches this project and its dotted sub-projects.
    pub project: Option<String>,
    /// Every one must be on the task.
    pub tags: Vec<String>,
    /// None may be on the task.
    pub exclude_tags: Vec<String>,
    /// `false`: only tasks without one; `true`: only tasks with one.
    pub has_project: Option<bool>,
    pub has_priority: Option<bool>,
    pub has_due: Option<bool>,
    pub has_scheduled: Option<bool>,
    /// `true`: only pending tasks some pending task depends on.
    pub blocking: Option<bool>,
    /// A literal, case-insensitive substring of title or description.
    pub search: Option<String>,
    pub due_before: Option<DateTime<Utc>>,
    pub due_after: Option<DateTime<Utc>>,
    pub scheduled_before: Option<DateTime<Utc>>,
    pub scheduled_after: Option<DateTime<Utc>>,
    /// `true`: only tasks whose `wait` is still to come; `false`: none of them.
    pub waiting: Option<bool>,
    /// `true`: only started tasks; `false`: none of them.
    pub active: Option<bool>,
    /// `true`: only tasks waiting for a pending task; `false`: none of them.
    pub blocked: Option<bool>,
    /// `true`: only pending tasks neither waiting, nor blocked, nor
    /// scheduled in the future; `false`: all others.
    pub ready: Option<bool>,
    pub uuid: Option<String>,
    pub number: Option<i64>,
    /// `uda.NAME=VALUE`: the attribute, as text, is exactly the value.
    pub udas: Vec<(String, String)>,
    pub ordering: Vec<OrderKey>,
    /// The instant `waiting` is judged at.
    pub now: DateTime<Utc>,
}

impl TaskFilter {
    /// Parses the query pairs. Unknown parameters are ignored, as DRF does;
    /// empty values count as absent.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<TaskFilter, QueryError> {
        let mut filter = TaskFilter {
            now: Utc::now(),
            ..TaskFilter::default()
        };
        let mut errors = FieldErrors::new();
        let mut fail = |name: &str, message: String| {
            errors.entry(name.to_string()).or_default().push(message);
        };
        for (name, value) in pairs {
            if value.is_empty() {
                continue;
            }
            if value.contains('\0') {
                fail(name, "Null characters are not allowed.".into());
                continue;
            }
            if let Some(taken) = filter.page.take(name, value) {
                if let Err(message) = taken {
                    fail(name, message);
                }
                continue;
            }
            match name.as_str() {
                "status" => match value.as_str() {
                    "all" => filter.status = None,
                    other => match Status::parse(other) {
                        Some(status) => filter.status = Some(status),
                        None => fail(name, "must be one of: pending, done, all.".into()),
                    },
                },
                "priority" => match value.as_str() {
                    "low" | "medium" | "high" => filter.priority = Priority::parse(value),
                    _ => fail(name, "must be one of: low, medium, high.".into()),
                },
                "project" => filter.project = Some(value.clone()),
                "tag" if !filter.tags.contains(value) => filter.tags.push(value.clone()),
                "exclude_tag" if !filter.exclude_tags.contains(value) => {
                    filter.exclude_tags.push(value.clone())
                }
                "search" => filter.search = Some(value.clone()),
                "due_before" | "due_after" | "scheduled_before" | "scheduled_after" => {
                    match parse_instant(value) {
                        Some(instant) => {
                            *match name.as_str() {
                                "due_before" => &mut filter.due_before,
                                "due_after" => &mut filter.due_after,
                                "scheduled_before" => &mut filter.scheduled_before,
                                _ => &mut filter.scheduled_after,
                            } = Some(instant)
                        }
                        None => fail(
                            name,
                            "must be an RFC 3339 date-time or a YYYY-MM-DD date.".into(),
                        ),
                    }
                }
                "waiting" | "active" | "blocked" | "blocking" | "ready" | "has_project"
                | "has_priority" | "has_due" | "has_scheduled" => match value.as_str() {
                    "true" | "false" => {
                        *match name.as_str() {
                            "waiting" => &mut filter.waiting,
                            "active" => &mut filter.active,
                            "blocked" => &mut filter.blocked,
                            "blocking" => &mut filter.blocking,
                            "ready" => &mut filter.ready,
                            "has_project" => &mut filter.has_project,
                            "has_priority" => &mut filter.has_priority,
                            "has_due" => &mut filter.has_due,
                            _ => &mut filter.has_scheduled,
                        } = Some(value == "true");
                    }
                    _ => fail(name, "must be true or false.".into()),
                },
                "uuid" => filter.uuid = Some(value.to_lowercase()),
                "number" => match value.parse::<i64>() {
                    Ok(n) if n > 0 => filter.number = Some(n),
                    _ => fail(name, "must be a positive integer.".into()),
                },
                uda if uda.starts_with("uda.") => {
                    let key = &uda["uda.".len()..];
                    if is_uda_name(key) {
                        filter.udas.push((key.to_string(), value.clone()));
                    } else {
                        fail(name, UDA_NAME_RULE.into());
                    }
                }
                "ordering" => match parse_ordering(value) {
                    Ok(keys) => filter.ordering = keys,
                    Err(message) => fail(name, message),
                },
                _ => {}
            }
        }
        if errors.is_empty() {
            Ok(filter)
        } else {
            Err(QueryError(errors))
        }
    }
}

/// Orders two tasks by `keys` as the stores order them: nulls last in both
/// directions, titles without regard to case, then by id.
pub fn compare(a: &Task, b: &Task, keys: &[OrderKey]) -> Ordering {
    fn nulls_last<T: Ord>(a: Option<T>, b: Option<T>, descending: bool) -> Ordering {
        match (a, b) {
            (Some(a), Some(b)) if descending => b.cmp(&a),
            (Some(a), Some(b)) => a.cmp(&b),
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
        }
    }
    for key in keys {
        let d = key.descending;
        let by = match key.field {
            OrderField::Id => nulls_last(Some(a.id), Some(b.id), d),
            OrderField::Title => nulls_last(
                Some(a.title.to_lowercase()),
                Some(b.title.to_lowercase()),
                d,
            ),
            OrderField::Status => nulls_last(Some(a.status.as_str()), Some(b.status.as_str()), d),
            OrderField::Priority => nulls_last(a.priority, b.priority, d),
            OrderField::Due => nulls_last(a.due, b.due, d),
            OrderField::CreatedAt => nulls_last(Some(a.created_at), Some(b.created_at), d),
            OrderField::UpdatedAt => nulls_last(Some(a.updated_at), Some(b.updated_at), d),
            OrderField::Start => nulls_last(a.start, b.start, d),
            OrderField::Wait => nulls_last(a.wait, b.wait, d),
            OrderField::Scheduled => nulls_last(a.scheduled, b.scheduled, d),
            OrderField::Until => nulls_last(a.until, b.until, d),
            OrderField::Urgency => {
                let (x, y) = if d { (b, a) } else { (a, b) };
                x.urgency.total_cmp(&y.urgency)
            }
        };
        if by != Ordering::Equal {
            return by;
        }
    }
    a.id.cmp(&b.id)
}

/// What a user-defined attribute may be called.
pub const UDA_NAME_RULE: &str =
    "a user-defined attribute's name is a lower-case letter, then up to 63 lower-case letters, digits or _.";

pub fn is_uda_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && name.len() <= 64
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A date-time; a bare date means its midnight in UTC.
fn parse_instant(value: &str) -> Option<DateTime<Utc>> {
    if let Ok(instant) = DateTime::parse_from_rfc3339(value) {
        return Some(instant.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|naive| naive.and_utc())
}

fn parse_ordering(value: &str) -> Result<Vec<OrderKey>, String> {
    let mut keys = Vec::new();
    for part in value.split(',') {
        let part = part.trim();
        let (name, descending) = match part.strip_prefix('-') {
            Some(rest) => (rest, true),
            None => (part, false),
        };
        let field = OrderField::ALL
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, field)| *field)
            .ok_or_else(|| {
                let names: Vec<&str> = OrderField::ALL.iter().map(|(n, _)| *n).collect();
                format!(
                    "unknown field `{part}`; order by a comma list of: {} (each may start with -).",
                    names.join(", ")
                )
            })?;
        keys.push(OrderKey { field, descending });
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_every_parameter() {
        let filter = TaskFilter::from_pairs(&pairs(&[
            ("limit", "10"),
            ("offset", "20"),
            ("status", "done"),
            ("priority", "high"),
            ("project", "home"),
            ("tag", "a"),
            ("tag", "b"),
            ("search", "50%"),
            ("due_before", "2026-12-01"),
            ("due_after", "2026-11-01T10:00:00+01:00"),
            ("ordering", "-due,title"),
        ]))
        .unwrap();
        assert_eq!(
            filter.page,
            PageWindow {
                limit: 10,
                offset: 20
            }
        );
        assert_eq!(filter.status, Some(Status::Done));
        assert_eq!(filter.tags, vec!["a", "b"]);
        assert_eq!(
            filter.due_after.unwrap().to_rfc3339(),
            "2026-11-01T09:00:00+00:00"
        );
        assert_eq!(filter.ordering.len(), 2);
        assert!(filter.ordering[0].descending);
    }

    #[test]
    fn names_every_bad_parameter() {
        let err = TaskFilter::from_pairs(&pairs(&[
            ("limit", "0"),
            ("ordering", "colour"),
            ("status", "later"),
        ]))
        .unwrap_err();
        let names: Vec<&String> = err.0.keys().collect();
        assert_eq!(names, ["limit", "ordering", "status"]);
    }
}
