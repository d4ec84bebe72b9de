//! The list query of `GET /api/tasks/`: which tasks, in which order, which
//! page. One definition for both ends: the clients build a [`TaskQuery`] and
//! send [`TaskQuery::to_pairs`]; the server reads the same pairs back with
//! [`TaskQuery::from_pairs`], which names every bad parameter; and
//! [`compare`] is the order the stores sort in, for the one ordering
//! (urgency) that is computed after reading.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use crate::api::{Priority, Status, Task};

/// Bad parameters, each named with its messages.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// The page size when `limit` is not given, and the largest one allowed.
pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 1000;

/// At most this many `tag`, `exclude_tag` and `uda.NAME` values, and
/// ordering keys, in one query: more is no real filter, and would make a
/// query the database refuses.
pub const MAX_REPEATS: usize = 64;

/// At most this many messages for one parameter.
const MAX_MESSAGES: usize = 5;

/// The shortest uuid prefix that names a task (as Taskwarrior shows them).
pub const MIN_UUID_PREFIX: usize = 8;

/// What a user-defined attribute may be called.
pub const UDA_NAME_RULE: &str =
    "a user-defined attribute's name is a lower-case letter, then up to 63 lower-case letters, digits or _.";

/// Whether `name` has the shape of a user-defined attribute's name.
pub fn is_uda_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && name.len() <= 64
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Taskwarrior's own attribute names, and the one an export keeps a
/// task's longer text in: a user-defined attribute may not take one, as an
/// export could not carry both.
pub const RESERVED_UDA_NAMES: &[&str] = &[
    "annotations",
    "depends",
    "description",
    "due",
    "end",
    "entry",
    "id",
    "imask",
    "last",
    "mask",
    "modified",
    "parent",
    "priority",
    "project",
    "recur",
    "rtype",
    "scheduled",
    "start",
    "status",
    "tags",
    "taskd_description",
    "template",
    "until",
    "urgency",
    "uuid",
    "wait",
];

/// Taskwarrior's virtual tags (`+ACTIVE`, `+OVERDUE`, …): what a filter
/// asks with them is worked out from the task, so none is a tag of its own.
pub const VIRTUAL_TAGS: &[&str] = &[
    "ACTIVE",
    "ANNOTATED",
    "BLOCKED",
    "BLOCKING",
    "CHILD",
    "COMPLETED",
    "DELETED",
    "DUE",
    "DUETODAY",
    "INSTANCE",
    "LATEST",
    "MONTH",
    "ORPHAN",
    "OVERDUE",
    "PARENT",
    "PENDING",
    "PRIORITY",
    "PROJECT",
    "QUARTER",
    "READY",
    "SCHEDULED",
    "TAGGED",
    "TEMPLATE",
    "TODAY",
    "TOMORROW",
    "UDA",
    "UNBLOCKED",
    "UNTIL",
    "WAITING",
    "WEEK",
    "YEAR",
    "YESTERDAY",
];

/// Why `tag` cannot be added to a task as its own, if it cannot (its
/// length and spaces are the API's to check).
pub fn tag_problem(tag: &str) -> Option<String> {
    VIRTUAL_TAGS.contains(&tag).then(|| {
        format!("{tag} is one of Taskwarrior's virtual tags, which a task has or not by its other fields: choose another name.")
    })
}

/// Why a tag typed new cannot start as `tag` does, if it cannot: `+x` and
/// `-x` add and remove a tag x on a command line, so none could name it.
pub fn tag_sign_problem(tag: &str) -> Option<String> {
    tag.starts_with(['+', '-']).then(|| {
        format!(
            "{tag} starts with {}, which adds or removes a tag on a command line: choose a name \
             without it.",
            &tag[..1]
        )
    })
}

/// Whether `name` is Taskwarrior's, not free for a user-defined attribute:
/// one of its attributes, or of the names its own task format keeps notes
/// and tags under (`annotation_1700000000`, `tags_home`), which its import
/// reads as those.
pub fn is_reserved_uda_name(name: &str) -> bool {
    RESERVED_UDA_NAMES.contains(&name)
        || name.starts_with("annotation_")
        || name.starts_with("tags_")
}

/// Why `name` cannot be given to a user-defined attribute, if it cannot.
pub fn uda_name_problem(name: &str) -> Option<String> {
    if !is_uda_name(name) {
        return Some(UDA_NAME_RULE.into());
    }
    // Said after the name by every caller.
    is_reserved_uda_name(name).then(|| {
        "the name of one of Taskwarrior's own attributes, not free for one of yours: choose another."
            .into()
    })
}

/// `text` lower-cased when it is a uuid or a prefix of one of at least
/// [`MIN_UUID_PREFIX`] characters: hex digits and dashes only, so that it can
/// be matched with `LIKE 'prefix%'` safely.
pub fn uuid_prefix(text: &str) -> Option<String> {
    let ok = (MIN_UUID_PREFIX..=36).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
        && text.bytes().next().is_some_and(|b| b.is_ascii_hexdigit());
    ok.then(|| text.to_ascii_lowercase())
}

/// `status=`: `None` in a query means the server's default, all tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Pending,
    Done,
    All,
}

impl StatusFilter {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusFilter::Pending => "pending",
            StatusFilter::Done => "done",
            StatusFilter::All => "all",
        }
    }

    pub fn parse(s: &str) -> Option<StatusFilter> {
        match s {
            "pending" => Some(StatusFilter::Pending),
            "done" => Some(StatusFilter::Done),
            "all" => Some(StatusFilter::All),
            _ => None,
        }
    }
}

/// The fields a list can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderField {
    Id,
    /// The number a pending task is shown by (`task 3`); tasks without
    /// one come last.
    Number,
    Title,
    /// Without regard to case; tasks without one last.
    Project,
    Status,
    Priority,
    Due,
    CreatedAt,
    UpdatedAt,
    CompletedAt,
    Start,
    Wait,
    Scheduled,
    Until,
    /// Computed when read: ordering by it reads every matching task.
    Urgency,
}

impl OrderField {
    pub const ALL: [(&'static str, OrderField); 15] = [
        ("id", OrderField::Id),
        ("number", OrderField::Number),
        ("title", OrderField::Title),
        ("project", OrderField::Project),
        ("status", OrderField::Status),
        ("priority", OrderField::Priority),
        ("due", OrderField::Due),
        ("created_at", OrderField::CreatedAt),
        ("updated_at", OrderField::UpdatedAt),
        ("completed_at", OrderField::CompletedAt),
        ("start", OrderField::Start),
        ("wait", OrderField::Wait),
        ("scheduled", OrderField::Scheduled),
        ("until", OrderField::Until),
        ("urgency", OrderField::Urgency),
    ];

    pub fn name(self) -> &'static str {
        OrderField::ALL
            .iter()
            .find(|(_, field)| *field == self)
            .map_or("id", |(name, _)| name)
    }

    pub fn parse(name: &str) -> Option<OrderField> {
        OrderField::ALL
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, field)| *field)
    }
}

/// One key of an ordering: `due` or `-due`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderKey {
    pub field: OrderField,
    pub descending: bool,
}

impl OrderKey {
    pub const fn asc(field: OrderField) -> OrderKey {
        OrderKey {
            field,
            descending: false,
        }
    }

    pub const fn desc(field: OrderField) -> OrderKey {
        OrderKey {
            field,
            descending: true,
        }
    }
}

impl std::fmt::Display for OrderKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.descending {
            f.write_str("-")?;
        }
        f.write_str(self.field.name())
    }
}

/// `-due,title` as keys; the message names the bad part.
pub fn parse_ordering(value: &str) -> Result<Vec<OrderKey>, String> {
    let mut keys = Vec::new();
    for part in value.split(',') {
        let part = part.trim();
        let (name, descending) = match part.strip_prefix('-') {
            Some(rest) => (rest, true),
            None => (part, false),
        };
        let field = OrderField::parse(name).ok_or_else(|| {
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

/// `limit=`: 1 to [`MAX_LIMIT`].
pub fn parse_limit(value: &str) -> Result<u32, String> {
    match value.parse::<u32>() {
        Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        _ => Err(format!("must be an integer from 1 to {MAX_LIMIT}.")),
    }
}

/// `offset=`: 0 up to what a signed 64-bit column holds.
pub fn parse_offset(value: &str) -> Result<u64, String> {
    match value.parse::<u64>() {
        Ok(n) if n <= i64::MAX as u64 => Ok(n),
        _ => Err("must be a non-negative integer.".to_string()),
    }
}

/// A date-time; a bare date means its midnight in UTC.
fn parse_instant(value: &str) -> Option<DateTime<Utc>> {
    if let Ok(instant) = DateTime::parse_from_rfc3339(value) {
        return Some(instant.with_timezone(&Utc));
    }
    // Exactly YYYY-MM-DD: the parser alone would take `2026-1-5` or `+2026-01-05`.
    let shaped = value.len() == 10
        && value.bytes().enumerate().all(|(at, b)| {
            if at == 4 || at == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shaped {
        return None;
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|naive| naive.and_utc())
}

/// Query parameters of `GET /api/tasks/`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskQuery {
    pub limit: Option<u32>,
    pub offset: Option<u64>,
    /// `None` means the server's default (`all`).
    pub status: Option<StatusFilter>,
    pub priority: Option<Priority>,
    /// Matches this project and its dotted sub-projects.
    pub project: Option<String>,
    /// Every one must be on the task.
    pub tags: Vec<String>,
    /// None may be on the task.
    pub exclude_tags: Vec<String>,
    /// Literal, case-insensitive substrings of title or description
    /// (`search`, repeatable): every one must be found, each anywhere.
    pub search: Vec<String>,
    pub due_before: Option<DateTime<Utc>>,
    pub due_after: Option<DateTime<Utc>>,
    pub scheduled_before: Option<DateTime<Utc>>,
    pub scheduled_after: Option<DateTime<Utc>>,
    /// `Some(false)`: only tasks without one; `Some(true)`: only with one.
    pub has_project: Option<bool>,
    pub has_priority: Option<bool>,
    pub has_due: Option<bool>,
    pub has_scheduled: Option<bool>,
    /// `true`: only tasks whose `wait` is still to come; `false`: none of them.
    pub waiting: Option<bool>,
    /// `true`: only started tasks; `false`: none of them.
    pub active: Option<bool>,
    /// `true`: only tasks waiting for a pending task; `false`: none of them.
    pub blocked: Option<bool>,
    /// `true`: only pending tasks some pending task depends on.
    pub blocking: Option<bool>,
    /// `true`: only pending tasks neither waiting, nor blocked, nor
    /// scheduled in the future; `false`: all others.
    pub ready: Option<bool>,
    /// A uuid, or a prefix of one (see [`uuid_prefix`]), lower case.
    pub uuid: Option<String>,
    /// A pending task's short number.
    pub number: Option<i64>,
    /// Only the tasks that wait for the task with this id.
    pub depends_on: Option<i64>,
    /// `uda.NAME=VALUE`: the attribute is exactly the value: the same text,
    /// or, for a number, a number equal to it (`3.0` finds 3).
    pub udas: Vec<(String, String)>,
    pub ordering: Vec<OrderKey>,
}

/// The `true`/`false` parameters, each with its field.
fn flag_fields(query: &mut TaskQuery) -> [(&'static str, &mut Option<bool>); 9] {
    [
        ("has_project", &mut query.has_project),
        ("has_priority", &mut query.has_priority),
        ("has_due", &mut query.has_due),
        ("has_scheduled", &mut query.has_scheduled),
        ("waiting", &mut query.waiting),
        ("active", &mut query.active),
        ("blocked", &mut query.blocked),
        ("blocking", &mut query.blocking),
        ("ready", &mut query.ready),
    ]
}

/// The date-time parameters, each with its field.
fn instant_fields(query: &mut TaskQuery) -> [(&'static str, &mut Option<DateTime<Utc>>); 4] {
    [
        ("due_before", &mut query.due_before),
        ("due_after", &mut query.due_after),
        ("scheduled_before", &mut query.scheduled_before),
        ("scheduled_after", &mut query.scheduled_after),
    ]
}

impl TaskQuery {
    /// Only this status, or `None` for both.
    pub fn only_status(&self) -> Option<Status> {
        match self.status {
            Some(StatusFilter::Pending) => Some(Status::Pending),
            Some(StatusFilter::Done) => Some(Status::Done),
            Some(StatusFilter::All) | None => None,
        }
    }

    /// The query string's pairs, in the API's parameter names.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut push = |name: &str, value: String| pairs.push((name.to_string(), value));
        if let Some(limit) = self.limit {
            push("limit", limit.to_string());
        }
        if let Some(offset) = self.offset {
            push("offset", offset.to_string());
        }
        if let Some(status) = self.status {
            push("status", status.as_str().to_string());
        }
        if let Some(priority) = self.priority {
            push("priority", priority.as_str().to_string());
        }
        if let Some(project) = &self.project {
            push("project", project.clone());
        }
        for tag in &self.tags {
            push("tag", tag.clone());
        }
        for tag in &self.exclude_tags {
            push("exclude_tag", tag.clone());
        }
        for search in &self.search {
            push("search", search.clone());
        }
        let mut copy = self.clone();
        for (name, at) in instant_fields(&mut copy) {
            if let Some(at) = at {
                push(name, at.to_rfc3339_opts(SecondsFormat::AutoSi, true));
            }
        }
        for (name, flag) in flag_fields(&mut copy) {
            if let Some(flag) = flag {
                push(name, flag.to_string());
            }
        }
        if let Some(uuid) = &self.uuid {
            push("uuid", uuid.clone());
        }
        if let Some(number) = self.number {
            push("number", number.to_string());
        }
        if let Some(id) = self.depends_on {
            push("depends_on", id.to_string());
        }
        for (name, value) in &self.udas {
            push(&format!("uda.{name}"), value.clone());
        }
        if !self.ordering.is_empty() {
            let keys: Vec<String> = self.ordering.iter().map(OrderKey::to_string).collect();
            push("ordering", keys.join(","));
        }
        pairs
    }

    /// Reads the query string's pairs. Unknown parameters are ignored, as
    /// DRF does; empty values count as absent; every bad value is named.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<TaskQuery, FieldErrors> {
        let mut query = TaskQuery::default();
        let mut errors = FieldErrors::new();
        // Repeats are counted as given, empty and duplicate values too: the
        // limit is on the request.
        for name in ["tag", "exclude_tag", "search"] {
            if pairs.iter().filter(|(n, _)| n == name).count() > MAX_REPEATS {
                errors
                    .entry(name.to_string())
                    .or_default()
                    .push(format!("at most {MAX_REPEATS} values."));
            }
        }
        for (name, value) in pairs {
            if value.is_empty() {
                continue;
            }
            if let Err(message) = query.take(name, value) {
                // A few messages per parameter say enough: the list of a
                // thousand bad values is not sent back a thousand times.
                let messages = errors.entry(name.clone()).or_default();
                if messages.len() < MAX_MESSAGES && !messages.contains(&message) {
                    messages.push(message);
                }
            }
        }
        for (name, count) in [("ordering", query.ordering.len())] {
            if count > MAX_REPEATS {
                errors
                    .entry(name.to_string())
                    .or_default()
                    .push(format!("at most {MAX_REPEATS} values."));
            }
        }
        if query.udas.len() > MAX_REPEATS {
            errors
                .entry("uda".to_string())
                .or_default()
                .push(format!("at most {MAX_REPEATS} uda.NAME filters."));
        }
        if errors.is_empty() {
            Ok(query)
        } else {
            Err(errors)
        }
    }

    /// Takes one `name=value` pair.
    fn take(&mut self, name: &str, value: &str) -> Result<(), String> {
        if value.contains('\0') {
            return Err("Null characters are not allowed.".into());
        }
        if let Some((_, field)) = flag_fields(self).into_iter().find(|(n, _)| *n == name) {
            *field = Some(match value {
                "true" => true,
                "false" => false,
                _ => return Err("must be true or false.".into()),
            });
            return Ok(());
        }
        if let Some((_, field)) = instant_fields(self).into_iter().find(|(n, _)| *n == name) {
            *field = Some(parse_instant(value).ok_or_else(|| {
                "must be an RFC 3339 date-time or a YYYY-MM-DD date.".to_string()
            })?);
            return Ok(());
        }
        match name {
            "limit" => self.limit = Some(parse_limit(value)?),
            "offset" => self.offset = Some(parse_offset(value)?),
            "status" => {
                self.status = Some(
                    StatusFilter::parse(value)
                        .ok_or_else(|| "must be one of: pending, done, all.".to_string())?,
                )
            }
            "priority" => match value {
                "low" | "medium" | "high" => self.priority = Priority::parse(value),
                _ => return Err("must be one of: low, medium, high.".into()),
            },
            "project" => self.project = Some(value.to_string()),
            "tag" if !self.tags.iter().any(|t| t == value) => self.tags.push(value.to_string()),
            "exclude_tag" if !self.exclude_tags.iter().any(|t| t == value) => {
                self.exclude_tags.push(value.to_string())
            }
            "search" if !self.search.iter().any(|s| s == value) => {
                self.search.push(value.to_string())
            }
            "uuid" => {
                self.uuid = Some(uuid_prefix(value).ok_or_else(|| {
                    format!("must be a uuid or its first {MIN_UUID_PREFIX} or more characters.")
                })?)
            }
            "number" | "depends_on" => match value.parse::<i64>() {
                Ok(n) if n > 0 => {
                    *if name == "number" {
                        &mut self.number
                    } else {
                        &mut self.depends_on
                    } = Some(n)
                }
                _ => return Err("must be a positive integer.".into()),
            },
            "ordering" => self.ordering = parse_ordering(value)?,
            uda if uda.starts_with("uda.") => {
                let key = &uda["uda.".len()..];
                if !is_uda_name(key) {
                    return Err(UDA_NAME_RULE.into());
                }
                self.udas.push((key.to_string(), value.to_string()));
            }
            _ => {}
        }
        Ok(())
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
            OrderField::Number => nulls_last(a.number, b.number, d),
            OrderField::Title => nulls_last(
                Some(a.title.to_lowercase()),
                Some(b.title.to_lowercase()),
                d,
            ),
            OrderField::Project => nulls_last(
                a.project.as_deref().map(str::to_lowercase),
                b.project.as_deref().map(str::to_lowercase),
                d,
            ),
            OrderField::Status => nulls_last(Some(a.status.as_str()), Some(b.status.as_str()), d),
            OrderField::Priority => nulls_last(a.priority, b.priority, d),
            OrderField::Due => nulls_last(a.due, b.due, d),
            OrderField::CreatedAt => nulls_last(Some(a.created_at), Some(b.created_at), d),
            OrderField::UpdatedAt => nulls_last(Some(a.updated_at), Some(b.updated_at), d),
            OrderField::CompletedAt => nulls_last(a.completed_at, b.completed_at, d),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taskwarriors_own_names_are_not_free_for_attributes() {
        for name in [
            "recur",
            "tags",
            "annotation_1700000000",
            "tags_home",
            "taskd_description",
        ] {
            assert!(uda_name_problem(name).is_some(), "{name}");
        }
        for name in ["size", "annotated", "tagsize", "estimate"] {
            assert!(uda_name_problem(name).is_none(), "{name}");
        }
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_every_parameter() {
        let query = TaskQuery::from_pairs(&pairs(&[
            ("limit", "10"),
            ("offset", "20"),
            ("status", "done"),
            ("priority", "high"),
            ("project", "home"),
            ("tag", "a"),
            ("tag", "b"),
            ("tag", "a"),
            ("search", "50%"),
            ("due_before", "2026-12-01"),
            ("due_after", "2026-11-01T10:00:00+01:00"),
            ("uuid", "0A1B2C3D"),
            ("ordering", "-due,title"),
        ]))
        .unwrap();
        assert_eq!((query.limit, query.offset), (Some(10), Some(20)));
        assert_eq!(query.only_status(), Some(Status::Done));
        assert_eq!(query.tags, ["a", "b"]);
        assert_eq!(
            query.due_after.unwrap().to_rfc3339(),
            "2026-11-01T09:00:00+00:00"
        );
        assert_eq!(query.uuid.as_deref(), Some("0a1b2c3d"));
        assert_eq!(
            query.ordering,
            [
                OrderKey::desc(OrderField::Due),
                OrderKey::asc(OrderField::Title)
            ]
        );
    }

    #[test]
    fn names_every_bad_parameter() {
        let err = TaskQuery::from_pairs(&pairs(&[
            ("limit", "0"),
            ("ordering", "colour"),
            ("status", "later"),
            ("uuid", "0a1b2c"),
            ("uuid", "0a1b2c3d%"),
            ("waiting", "yes"),
            ("uda.Bad", "x"),
            ("search", "a\0b"),
        ]))
        .unwrap_err();
        let names: Vec<&String> = err.keys().collect();
        assert_eq!(
            names,
            ["limit", "ordering", "search", "status", "uda.Bad", "uuid", "waiting"]
        );
        assert_eq!(err["uuid"].len(), 1, "the same message once");
    }

    /// What a client sends is what the server reads: the two ends cannot drift.
    #[test]
    fn every_field_survives_the_round_trip() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let query = TaskQuery {
            limit: Some(7),
            offset: Some(14),
            status: Some(StatusFilter::Pending),
            priority: Some(Priority::Medium),
            project: Some("home.garden".into()),
            tags: vec!["a".into(), "b".into()],
            exclude_tags: vec!["c".into()],
            search: vec!["milk & eggs".into(), "50%".into()],
            due_before: Some(at("2026-12-01T10:00:00Z")),
            due_after: Some(at("2026-11-01T10:00:00.5Z")),
            scheduled_before: Some(at("2026-12-02T00:00:00Z")),
            scheduled_after: Some(at("2026-10-02T00:00:00Z")),
            has_project: Some(true),
            has_priority: Some(false),
            has_due: Some(true),
            has_scheduled: Some(false),
            waiting: Some(false),
            active: Some(true),
            blocked: Some(false),
            blocking: Some(true),
            ready: Some(true),
            uuid: Some("0a1b2c3d-4e".into()),
            number: Some(3),
            depends_on: Some(12),
            udas: vec![("estimate".into(), "3".into())],
            ordering: vec![
                OrderKey::desc(OrderField::Urgency),
                OrderKey::asc(OrderField::Id),
            ],
        };
        assert_eq!(TaskQuery::from_pairs(&query.to_pairs()), Ok(query));
    }

    #[test]
    fn uuid_prefixes() {
        assert_eq!(uuid_prefix("ABCDEF01").as_deref(), Some("abcdef01"));
        assert!(uuid_prefix("abcdef0").is_none());
        assert!(uuid_prefix("-bcdef01").is_none());
        assert!(uuid_prefix("abcdef0_").is_none());
        assert!(uuid_prefix(&"a".repeat(37)).is_none());
    }
}
