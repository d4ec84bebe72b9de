//! The wire types of the HTTP API: what `taskd` sends and accepts,
//! and what `task` and `task-tui` read.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

pub use crate::list_query::{StatusFilter, TaskQuery};

mod changes;
pub use changes::*;

/// Whether a task is still to do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Pending,
    Done,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "pending" => Some(Status::Pending),
            "done" => Some(Status::Done),
            _ => None,
        }
    }
}

/// A task's priority; orders `low < medium < high`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    Medium,
    High,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
        }
    }

    /// The API's names (`low`) and Taskwarrior's letters (`L`), any case.
    pub fn parse(s: &str) -> Option<Priority> {
        match s.to_ascii_lowercase().as_str() {
            "low" | "l" => Some(Priority::Low),
            "medium" | "m" => Some(Priority::Medium),
            "high" | "h" => Some(Priority::High),
            _ => None,
        }
    }

    /// One letter, as Taskwarrior shows it.
    pub fn letter(self) -> char {
        match self {
            Priority::Low => 'L',
            Priority::Medium => 'M',
            Priority::High => 'H',
        }
    }
}

/// A task as the server returns it. Fields a server of the first release
/// did not send take their defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Task {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub status: Status,
    // Always in the answer, null when unset.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub priority: Option<Priority>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    #[serde(serialize_with = "crate::rfc3339::serialize_option")]
    pub due: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub project: Option<String>,
    pub tags: Vec<String>,
    #[serde(serialize_with = "crate::rfc3339::serialize")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::rfc3339::serialize")]
    pub updated_at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    #[serde(serialize_with = "crate::rfc3339::serialize_option")]
    pub completed_at: Option<DateTime<Utc>>,
    pub version: i64,
    /// Assigned at creation; unique among the user's tasks.
    #[serde(default)]
    pub uuid: String,
    /// A pending task's short number: the lowest free among the user's
    /// pending tasks when it was created or reopened. Null when done.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub number: Option<i64>,
    /// Set: the task is active (being worked on).
    #[serde(default, serialize_with = "crate::rfc3339::serialize_option")]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub start: Option<DateTime<Utc>>,
    /// In the future: the task is waiting, out of the default views.
    #[serde(default, serialize_with = "crate::rfc3339::serialize_option")]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub wait: Option<DateTime<Utc>>,
    /// The earliest time to start work.
    #[serde(default, serialize_with = "crate::rfc3339::serialize_option")]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub scheduled: Option<DateTime<Utc>>,
    /// Past it, a pending task is deleted by the server.
    #[serde(default, serialize_with = "crate::rfc3339::serialize_option")]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub until: Option<DateTime<Utc>>,
    /// User-defined attributes, kept as given.
    #[serde(default)]
    pub udas: BTreeMap<String, UdaValue>,
    /// Ids of the user's tasks this one waits for.
    #[serde(default)]
    pub depends: Vec<i64>,
    /// Notes, oldest first.
    #[serde(default)]
    pub annotations: Vec<Annotation>,
    /// Some task in `depends` is pending.
    #[serde(default)]
    pub blocked: bool,
    /// Pending, and some pending task depends on this one (a done task
    /// holds nothing up).
    #[serde(default)]
    pub blocking: bool,
    /// Taskwarrior's default urgency, computed when read (0 when done).
    #[serde(default)]
    pub urgency: f64,
}

/// A note on a task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Annotation {
    pub id: i64,
    #[serde(serialize_with = "crate::rfc3339::serialize")]
    pub entry: DateTime<Utc>,
    pub text: String,
}

/// The body of `POST /api/tasks/{id}/annotations/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAnnotation {
    /// 1 to 10,000 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 10000))]
    pub text: String,
}

/// A user-defined attribute's value: a number or text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(untagged)]
pub enum UdaValue {
    Integer(i64),
    Number(f64),
    Text(String),
}

impl UdaValue {
    /// A value as typed (`uda.size:3`, an edit form's line): a number is
    /// kept as a number when it reads back the same, so that text that only
    /// looks like one (`007`, `02139`, `+44…`, `1.10`, twenty digits) keeps
    /// every character.
    pub fn from_typed(text: &str) -> UdaValue {
        match UdaValue::number_in(text) {
            Some(number) if number.to_string() == text => number,
            _ => UdaValue::Text(text.to_string()),
        }
    }

    /// A value typed on an edit form's line (`name: value`): left as shown,
    /// `old` itself, quotes and all; typed afresh, quotes around it group it
    /// and are taken off, as on a typed line (`"two words"`), and the rest
    /// is [`UdaValue::typed_over`].
    pub fn typed_in_line(old: Option<&UdaValue>, text: &str) -> UdaValue {
        match old {
            Some(old) if old.one_line() == text => old.clone(),
            _ => UdaValue::typed_over(old, &crate::typed_line::unquoted(text)),
        }
    }

    /// A value typed over `old`: `old` itself when `text` is how it reads
    /// (an edit form's line left alone), so that no value changes kind or
    /// digits by being shown and read back; over a number, any number
    /// however written (`2.50` over 2.5), since the attribute holds numbers
    /// and a filter by number must still find it.
    pub fn typed_over(old: Option<&UdaValue>, text: &str) -> UdaValue {
        let Some(old) = old else {
            return UdaValue::from_typed(text);
        };
        if old.one_line() == text {
            return old.clone();
        }
        // A value of several lines is edited on one: its escapes read back.
        if let UdaValue::Text(old_text) = old {
            if old_text.contains(['\n', '\r']) {
                return UdaValue::Text(unescape_line(text));
            }
        }
        match UdaValue::number_in(text) {
            // The same number written another way (`3.0` over 3) is no
            // change.
            Some(number) if old.is_same_number(&number) => old.clone(),
            Some(number) if old.is_number() => number,
            _ => UdaValue::from_typed(text),
        }
    }

    /// Whether the value is a number, whole or not.
    pub fn is_number(&self) -> bool {
        !matches!(self, UdaValue::Text(_))
    }

    /// Whether both are numbers, and equal (integers compared exactly).
    fn is_same_number(&self, other: &UdaValue) -> bool {
        match (self, other) {
            (UdaValue::Integer(a), UdaValue::Integer(b)) => a == b,
            (UdaValue::Integer(a), UdaValue::Number(b))
            | (UdaValue::Number(b), UdaValue::Integer(a)) => {
                // Exactly: a float equal to the integer, both ways.
                b.fract() == 0.0 && *b as i64 == *a && *a as f64 == *b
            }
            (UdaValue::Number(a), UdaValue::Number(b)) => a == b,
            _ => false,
        }
    }

    /// The value as an edit form's line shows it: for a value of several
    /// lines, a line break as `\n`, a carriage return as `\r` and a
    /// backslash as `\\`, so that it stays on its line and reads back as
    /// itself, edited or not ([`UdaValue::typed_over`]).
    pub fn one_line(&self) -> String {
        let text = self.to_string();
        if text.contains(['\n', '\r']) {
            text.replace('\\', "\\\\")
                .replace('\r', "\\r")
                .replace('\n', "\\n")
        } else {
            text
        }
    }

    /// The number `text` reads as, however written (`3.0`, `03`): what a
    /// filter's value matches among numbers.
    /// Whole digits past 64 bits (`99999999999999999999.5` too), or a
    /// value too small for a float, are none:
    /// read as one, they would be another number (rounded, or 0).
    pub fn number_in(text: &str) -> Option<UdaValue> {
        if let Ok(n) = text.parse::<i64>() {
            return Some(UdaValue::Integer(n));
        }
        let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
        let mantissa = digits.split(['e', 'E']).next().unwrap_or(digits);
        // Whole digits past 64 bits, with a point after them or none: read
        // as a float they would be rounded.
        let whole = mantissa.split('.').next().unwrap_or(mantissa);
        if whole.bytes().all(|b| b.is_ascii_digit())
            && whole.parse::<i64>().is_err()
            && !whole.is_empty()
        {
            return None;
        }
        let n = text.parse::<f64>().ok().filter(|n| n.is_finite())?;
        if n == 0.0 && mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
            return None;
        }
        Some(UdaValue::Number(n))
    }
}

/// The value as it is typed back (text unescaped: the caller escapes it).
/// A line of [`UdaValue::one_line`] read back: `\n`, `\r` and `\\` as
/// the characters they stand for; any other backslash as typed.
fn unescape_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

impl std::fmt::Display for UdaValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UdaValue::Integer(n) => write!(f, "{n}"),
            UdaValue::Number(n) => write!(f, "{n}"),
            UdaValue::Text(text) => f.write_str(text),
        }
    }
}

/// The body of `POST /api/tasks/` and `PUT /api/tasks/{id}/`: absent optional
/// fields take their defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewTask {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
    /// User-defined attributes: names of a lower-case letter then up to 63
    /// lower-case letters, digits or `_`, none of Taskwarrior's own
    /// (`due`, `priority`, `entry`, …); text of up to 1,000 characters or
    /// numbers; at most 64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub udas: Option<BTreeMap<String, UdaValue>>,
    /// Ids of the user's tasks this one waits for: no cycle, not itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub depends: Option<Vec<i64>>,
}

/// The body of `PATCH /api/tasks/{id}/`: only the fields present change.
/// For nullable fields `Some(None)` is sent as `null` and clears the field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TaskPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Priority>))]
    pub priority: Option<Option<Priority>>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DateTime<Utc>>))]
    pub due: Option<Option<DateTime<Utc>>>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub project: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DateTime<Utc>>))]
    pub start: Option<Option<DateTime<Utc>>>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DateTime<Utc>>))]
    pub wait: Option<Option<DateTime<Utc>>>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DateTime<Utc>>))]
    pub scheduled: Option<Option<DateTime<Utc>>>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "nullable")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<DateTime<Utc>>))]
    pub until: Option<Option<DateTime<Utc>>>,
    /// Replaces every user-defined attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub udas: Option<BTreeMap<String, UdaValue>>,
    /// Replaces the list of tasks this one waits for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub depends: Option<Vec<i64>>,
    /// Notes to add, in order, with the fields' change (at most 100): one
    /// version, one undo step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub annotate: Option<Vec<String>>,
    /// Ids of the task's notes to remove with the fields' change (at most
    /// 100); an id the task has no note of is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub denotate: Option<Vec<i64>>,
}

impl TaskPatch {
    pub fn is_empty(&self) -> bool {
        *self == TaskPatch::default()
    }
}

/// Keeps "absent" (`None`) apart from "null" (`Some(None)`).
mod nullable {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(
        value: &Option<Option<T>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

/// DRF's pagination envelope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Page<T> {
    pub count: u64,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<T>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub username: String,
    pub password: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// An account as its owner sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct User {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub date_joined: DateTime<Utc>,
    pub is_admin: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// simplejwt's key names, so a frontend written for the seed keeps working.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TokenPair {
    pub access: String,
    pub refresh: String,
    pub token_type: String,
    /// Seconds until `access` expires.
    pub expires_in: u64,
}

/// Tokens never reach a log through `{:?}`.
impl std::fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenPair")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh: String,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// An account as an admin sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AdminUser {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub date_joined: DateTime<Utc>,
    pub is_admin: bool,
    pub is_active: bool,
    pub task_count: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AdminUserPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_admin: Option<bool>,
}

/// An RFC 9457 problem: the body of every error response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Per-field messages, for validation failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<BTreeMap<String, Vec<String>>>,
    /// A machine-readable reason where frontends of the Django backend look
    /// for one: `token_not_valid` for an access or refresh token refused,
    /// `user_inactive` for one whose account an admin has deactivated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

impl Problem {
    /// One line for a terminal: each field's messages, or else the detail.
    pub fn summary(&self) -> String {
        // The field messages say all the detail says (which names the fields),
        // and more: each is said once.
        if let Some(errors) = self.errors.as_ref().filter(|e| !e.is_empty()) {
            return errors
                .iter()
                .map(|(field, messages)| format!("{field}: {}", messages.join(" ")))
                .collect::<Vec<_>>()
                .join("; ");
        }
        if self.detail.is_empty() {
            self.title.clone()
        } else {
            self.detail.clone()
        }
    }
}

/// One line of a summary (`GET /api/projects/`, `/api/tags/`): a project
/// or tag, and how many of the tasks asked about have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NameCount {
    pub name: String,
    pub count: u64,
}

/// What `POST /api/import/` did: tasks are matched by uuid, so importing
/// the same file again adds and updates nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ImportSummary {
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Tasks left out: deleted ones, recurring templates.
    pub skipped: Vec<ImportSkip>,
    /// What was left out of tasks that were imported (their recurrence, a
    /// dependency on an unknown task), one line each.
    #[serde(default)]
    pub notes: Vec<ImportSkip>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ImportSkip {
    pub uuid: String,
    /// The task's title (Taskwarrior's description), when the file gives one.
    #[serde(default)]
    pub title: String,
    pub reason: String,
}

/// The summaries: what tasks are counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Summary {
    Projects,
    Tags,
}

impl Summary {
    pub fn path(self) -> &'static str {
        match self {
            Summary::Projects => "/api/projects/",
            Summary::Tags => "/api/tags/",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Health {
    pub status: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_left_as_shown_keeps_its_quotes_and_one_typed_afresh_loses_them() {
        let quoted = UdaValue::Text("\"as is\"".into());
        assert_eq!(UdaValue::typed_in_line(Some(&quoted), "\"as is\""), quoted);
        assert_eq!(
            UdaValue::typed_in_line(Some(&quoted), "\"two words\""),
            UdaValue::Text("two words".into())
        );
        assert_eq!(UdaValue::typed_in_line(None, "'3'"), UdaValue::Integer(3));
    }

    #[test]
    fn patch_keeps_absent_apart_from_null() {
        let patch: TaskPatch = serde_json::from_str(r#"{"due":null}"#).unwrap();
        assert_eq!(patch.due, Some(None));
        assert_eq!(patch.priority, None);
        let back = serde_json::to_string(&patch).unwrap();
        assert_eq!(back, r#"{"due":null}"#);
    }

    #[test]
    fn a_typed_value_is_a_number_only_when_it_reads_back_the_same() {
        assert_eq!(UdaValue::from_typed("3"), UdaValue::Integer(3));
        assert_eq!(UdaValue::from_typed("-2.5"), UdaValue::Number(-2.5));
        for text in [
            "007",
            "02139",
            "+441234",
            "1.10",
            "3.0",
            "12345678901234567890",
            "1e3",
        ] {
            assert_eq!(
                UdaValue::from_typed(text),
                UdaValue::Text(text.into()),
                "{text}"
            );
        }
        // A filter still finds the numbers equal to what it names.
        assert_eq!(UdaValue::number_in("3.0"), Some(UdaValue::Number(3.0)));
        assert_eq!(UdaValue::number_in("03"), Some(UdaValue::Integer(3)));
        // What a number would not hold as typed is none.
        assert_eq!(UdaValue::number_in("1e-400"), None);
        assert_eq!(UdaValue::number_in("99999999999999999999"), None);
        assert_eq!(UdaValue::number_in("-99999999999999999999"), None);
        assert_eq!(UdaValue::number_in("99999999999999999999.5"), None);
        assert_eq!(UdaValue::number_in("-099999999999999999999.0"), None);
        assert_eq!(
            UdaValue::number_in("9223372036854775807.5"),
            Some(UdaValue::Number(9223372036854775807.5))
        );
        assert_eq!(UdaValue::number_in(".5"), Some(UdaValue::Number(0.5)));
        assert_eq!(UdaValue::number_in("0e-400"), Some(UdaValue::Number(0.0)));
        assert_eq!(UdaValue::number_in("1e300"), Some(UdaValue::Number(1e300)));
        let over = UdaValue::Integer(3);
        assert_eq!(
            UdaValue::typed_over(Some(&over), "1e-400"),
            UdaValue::Text("1e-400".into())
        );
        assert_eq!(
            UdaValue::typed_over(Some(&over), "99999999999999999999"),
            UdaValue::Text("99999999999999999999".into())
        );
    }

    #[test]
    fn a_value_typed_over_another_keeps_its_kind_where_it_can() {
        let number = UdaValue::Number(2.5);
        // Left as it reads: the value itself.
        assert_eq!(UdaValue::typed_over(Some(&number), "2.5"), number);
        // A number over a number, however written.
        assert_eq!(UdaValue::typed_over(Some(&number), "2.50"), number);
        assert_eq!(
            UdaValue::typed_over(Some(&UdaValue::Integer(3)), "007"),
            UdaValue::Integer(7)
        );
        // Words over a number are words; text keeps every character.
        assert_eq!(
            UdaValue::typed_over(Some(&number), "about 3"),
            UdaValue::Text("about 3".into())
        );
        let zip = UdaValue::Text("02139".into());
        assert_eq!(UdaValue::typed_over(Some(&zip), "02139"), zip);
        assert_eq!(
            UdaValue::typed_over(Some(&zip), "2.50"),
            UdaValue::Text("2.50".into())
        );
        assert_eq!(
            UdaValue::typed_over(None, "2.50"),
            UdaValue::Text("2.50".into())
        );
        // The same number written another way is no change of kind.
        let three = UdaValue::Integer(3);
        assert_eq!(UdaValue::typed_over(Some(&three), "3.0"), three);
        // A line break is shown as `\n` on an edit form's line, and so read
        // back as itself.
        let memo = UdaValue::Text("a\nb".into());
        assert_eq!(memo.one_line(), "a\\nb");
        assert_eq!(UdaValue::typed_over(Some(&memo), "a\\nb"), memo);
        // Edited, its escapes read back; a backslash of its own is doubled.
        assert_eq!(
            UdaValue::typed_over(Some(&memo), "a\\nb\\nc"),
            UdaValue::Text("a\nb\nc".into())
        );
        let path = UdaValue::Text("C:\\new\nline".into());
        assert_eq!(path.one_line(), "C:\\\\new\\nline");
        assert_eq!(UdaValue::typed_over(Some(&path), &path.one_line()), path);
        // Integers past what a float holds are not taken for one.
        let big = UdaValue::Integer(9_007_199_254_740_993);
        assert_eq!(
            UdaValue::typed_over(Some(&big), "9007199254740992.0"),
            UdaValue::Number(9_007_199_254_740_992.0)
        );
    }

    #[test]
    fn priority_orders_low_to_high() {
        assert!(Priority::Low < Priority::Medium && Priority::Medium < Priority::High);
        assert_eq!(Priority::parse("H"), Some(Priority::High));
    }
}
