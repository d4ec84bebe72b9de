//! A task body as a client sends it, checked field by field: every rule of
//! the task table, with DRF-style messages per field.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use common::api::{Priority, Status, UdaValue};
use serde_json::{Map, Value};

use crate::{
    domain::task_ops::MAX_ANNOTATION,
    domain::tasks::{TaskFields, TaskFieldsPatch},
    error::{ApiError, FieldErrors},
    task_query::{is_uda_name, UDA_NAME_RULE},
};

pub const MAX_TITLE: usize = 500;
pub const MAX_DESCRIPTION: usize = 10_000;
pub const MAX_PROJECT: usize = 100;
pub const MAX_TAG: usize = 64;
pub const MAX_TAGS: usize = 32;

pub const MAX_UDAS: usize = 64;
pub const MAX_UDA_TEXT: usize = 1_000;

/// Sent by clients, ignored by the server.
pub const READ_ONLY: [&str; 11] = [
    "id",
    "created_at",
    "updated_at",
    "completed_at",
    "version",
    "uuid",
    "number",
    "annotations",
    "blocked",
    "blocking",
    "urgency",
];
const WRITABLE: [&str; 15] = [
    "title",
    "description",
    "status",
    "priority",
    "due",
    "project",
    "tags",
    "start",
    "wait",
    "scheduled",
    "until",
    "udas",
    "depends",
    "annotate",
    "denotate",
];

/// Notes one PATCH may add, and remove, at most.
pub const MAX_NOTE_EDITS: usize = 100;

/// Dependencies of one task at most.
pub const MAX_DEPENDS: usize = 1_000;

/// The body of a create or a PUT: absent optional fields take their defaults.
pub fn full(body: Map<String, Value>) -> Result<TaskFields, ApiError> {
    checked_full(body).map_err(ApiError::validation)
}

/// [`full`], with the messages per field: for callers that say where the
/// body came from (an import names the task in the file).
pub fn checked_full(body: Map<String, Value>) -> Result<TaskFields, FieldErrors> {
    let mut errors = FieldErrors::new();
    let patch = parse(body, &mut errors);
    if patch.title.is_none() && !errors.contains_key("title") {
        errors.insert("title".into(), vec!["This field is required.".into()]);
    }
    for (field, given) in [
        ("annotate", !patch.notes.add.is_empty()),
        ("denotate", !patch.notes.remove.is_empty()),
    ] {
        if given {
            errors.insert(
                field.into(),
                vec![
                    "Notes are added and removed by a PATCH, or through the task's annotations."
                        .into(),
                ],
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut fields = TaskFields::titled(String::new());
    patch.apply(&mut fields);
    Ok(fields)
}

/// The body of a PATCH: only the fields present.
pub fn partial(body: Map<String, Value>) -> Result<TaskFieldsPatch, ApiError> {
    checked_partial(body).map_err(ApiError::validation)
}

/// [`partial`], with the messages per field.
pub fn checked_partial(body: Map<String, Value>) -> Result<TaskFieldsPatch, FieldErrors> {
    let mut errors = FieldErrors::new();
    let patch = parse(body, &mut errors);
    if errors.is_empty() {
        Ok(patch)
    } else {
        Err(errors)
    }
}

fn parse(body: Map<String, Value>, errors: &mut FieldErrors) -> TaskFieldsPatch {
    let mut patch = TaskFieldsPatch::default();
    for (name, value) in body {
        let result = match name.as_str() {
            "title" => title(value).map(|v| patch.title = Some(v)),
            "description" => description(value).map(|v| patch.description = Some(v)),
            "status" => status(value).map(|v| patch.status = Some(v)),
            "priority" => nullable(value, priority).map(|v| patch.priority = Some(v)),
            "due" => nullable(value, instant).map(|v| patch.due = Some(v)),
            "project" => nullable(value, project).map(|v| patch.project = Some(v.flatten())),
            "tags" => tags(value).map(|v| patch.tags = Some(v)),
            "start" => nullable(value, instant).map(|v| patch.start = Some(v)),
            "wait" => nullable(value, instant).map(|v| patch.wait = Some(v)),
            "scheduled" => nullable(value, instant).map(|v| patch.scheduled = Some(v)),
            "until" => nullable(value, instant).map(|v| patch.until = Some(v)),
            "udas" => udas(value).map(|v| patch.udas = Some(v)),
            "depends" => depends(value).map(|v| patch.depends = Some(v)),
            "annotate" => notes_to_add(value).map(|v| patch.notes.add = v),
            "denotate" => note_ids(value).map(|v| patch.notes.remove = v),
            name if READ_ONLY.contains(&name) => Ok(()),
            _ => Err(vec![format!(
                "Unknown field. Writable fields: {}.",
                WRITABLE.join(", ")
            )]),
        };
        if let Err(messages) = result {
            errors.insert(name, messages);
        }
    }
    patch
}

type FieldResult<T> = Result<T, Vec<String>>;

/// DRF's words for a NUL in a text field.
pub const NUL_MESSAGE: &str = "Null characters are not allowed.";

fn one(message: impl Into<String>) -> Vec<String> {
    vec![message.into()]
}

/// Text as every backend can keep it: PostgreSQL's text holds no NUL, so
/// neither backend takes one, and the API cannot tell them apart.
fn string(value: Value) -> FieldResult<String> {
    match value {
        Value::String(s) if s.contains('\0') => Err(one(NUL_MESSAGE)),
        Value::String(s) => Ok(s),
        Value::Null => Err(one("This field may not be null.")),
        _ => Err(one("Not a valid string.")),
    }
}

fn nullable<T>(value: Value, parse: fn(Value) -> FieldResult<T>) -> FieldResult<Option<T>> {
    match value {
        Value::Null => Ok(None),
        value => parse(value).map(Some),
    }
}

/// Lengths are counted as sent, before the trim: a limit on the request
/// that the API document can state.
fn title(value: Value) -> FieldResult<String> {
    let sent = string(value)?;
    if sent.chars().count() > MAX_TITLE {
        return Err(one(format!(
            "Ensure this field has no more than {MAX_TITLE} characters."
        )));
    }
    let title = sent.trim().to_string();
    if title.is_empty() {
        return Err(one("This field may not be blank."));
    }
    Ok(title)
}

fn description(value: Value) -> FieldResult<String> {
    let description = string(value)?;
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(one(format!(
            "Ensure this field has no more than {MAX_DESCRIPTION} characters."
        )));
    }
    Ok(description)
}

fn status(value: Value) -> FieldResult<Status> {
    let text = string(value)?;
    Status::parse(&text)
        .ok_or_else(|| one(format!("\"{text}\" is not a valid choice: pending, done.")))
}

fn priority(value: Value) -> FieldResult<Priority> {
    let text = string(value)?;
    match text.as_str() {
        "low" | "medium" | "high" => Priority::parse(&text).ok_or_else(|| one("unreachable")),
        _ => Err(one(format!(
            "\"{text}\" is not a valid choice: low, medium, high or null."
        ))),
    }
}

fn instant(value: Value) -> FieldResult<DateTime<Utc>> {
    use chrono::Datelike;
    let text = string(value)?;
    let instant = DateTime::parse_from_rfc3339(&text)
        .map(|instant| instant.with_timezone(&Utc))
        .map_err(|_| one("Datetime has wrong format. Use RFC 3339, e.g. 2026-12-01T09:00:00Z."))?;
    // Every instant given back must be RFC 3339 again, which has four-digit
    // years: in UTC, years 1 to 9999.
    if !(0..=9999).contains(&instant.year()) {
        return Err(one("Datetime is out of range: years 0000 to 9999 (UTC)."));
    }
    Ok(instant)
}

/// Why `sent` cannot be a task's project, if it cannot (blank is no
/// project, which any task can have).
pub fn project_problem(sent: &str) -> Option<String> {
    if sent.chars().count() > MAX_PROJECT {
        return Some(format!(
            "Ensure this field has no more than {MAX_PROJECT} characters."
        ));
    }
    let project = sent.trim();
    (!project.is_empty() && project.split('.').any(|part| part.trim().is_empty()))
        .then(|| "Sub-projects are separated by single dots, e.g. home.garden.".to_string())
}

/// `None` for a blank project: a blank name means no project.
fn project(value: Value) -> FieldResult<Option<String>> {
    let sent = string(value)?;
    if let Some(problem) = project_problem(&sent) {
        return Err(one(problem));
    }
    let project = sent.trim().to_string();
    Ok((!project.is_empty()).then_some(project))
}

/// Why `tag` cannot be one of a task's tags, if it cannot, its text alone
/// (a NUL is refused with every field's text).
pub fn tag_shape_problem(tag: &str) -> Option<String> {
    let length = tag.chars().count();
    if length == 0 || length > MAX_TAG {
        Some(format!("Tag \"{tag}\" must be 1 to {MAX_TAG} characters."))
    } else if tag.chars().any(char::is_whitespace) {
        Some(format!("Tag \"{tag}\" may not contain whitespace."))
    } else {
        None
    }
}

fn tags(value: Value) -> FieldResult<Vec<String>> {
    let Value::Array(items) = value else {
        return Err(one("Expected a list of strings."));
    };
    let mut tags: Vec<String> = Vec::new();
    let mut messages = Vec::new();
    // Counted as given, repeats too: the limit is on the request.
    if items.len() > MAX_TAGS {
        messages.push(format!("A task has at most {MAX_TAGS} tags."));
    }
    for item in items {
        let Value::String(tag) = item else {
            messages.push("Each tag must be a string.".to_string());
            continue;
        };
        if tag.contains('\0') {
            messages.push(NUL_MESSAGE.to_string());
            continue;
        }
        if let Some(problem) = tag_shape_problem(&tag) {
            messages.push(problem);
        } else if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if messages.is_empty() {
        Ok(tags)
    } else {
        Err(messages)
    }
}

/// Task ids; whose they are and whether they make a cycle is the domain's
/// to check.
fn depends(value: Value) -> FieldResult<Vec<i64>> {
    let Value::Array(items) = value else {
        return Err(one("Expected a list of task ids."));
    };
    if items.len() > MAX_DEPENDS {
        return Err(one(format!(
            "A task depends on {MAX_DEPENDS} tasks at most."
        )));
    }
    items
        .into_iter()
        .map(|item| item.as_i64().filter(|id| *id > 0))
        .collect::<Option<Vec<i64>>>()
        .ok_or_else(|| one("Each dependency is a task id, a positive integer."))
}

/// A PATCH's `annotate`: the texts of notes to add, each as a note of its
/// own is checked.
fn notes_to_add(value: Value) -> FieldResult<Vec<String>> {
    let Value::Array(items) = value else {
        return Err(one("Expected a list of note texts."));
    };
    if items.len() > MAX_NOTE_EDITS {
        return Err(one(format!(
            "At most {MAX_NOTE_EDITS} notes are added at once."
        )));
    }
    items
        .into_iter()
        .map(|item| match item {
            Value::String(text) if text.trim().is_empty() => Err(one("A note may not be blank.")),
            Value::String(text) if text.contains('\0') => Err(one(NUL_MESSAGE)),
            Value::String(text) if text.chars().count() > MAX_ANNOTATION => Err(one(format!(
                "A note has no more than {MAX_ANNOTATION} characters."
            ))),
            Value::String(text) => Ok(text),
            _ => Err(one("Each note is a string.")),
        })
        .collect()
}

/// A PATCH's `denotate`: the ids of the task's notes to remove.
fn note_ids(value: Value) -> FieldResult<Vec<i64>> {
    let Value::Array(items) = value else {
        return Err(one("Expected a list of note ids."));
    };
    if items.len() > MAX_NOTE_EDITS {
        return Err(one(format!(
            "At most {MAX_NOTE_EDITS} notes are removed at once."
        )));
    }
    items
        .into_iter()
        .map(|item| item.as_i64().filter(|id| *id > 0))
        .collect::<Option<Vec<i64>>>()
        .ok_or_else(|| one("Each note id is a positive integer."))
}

/// An object of user-defined attributes: text or numbers, kept as given.
fn udas(value: Value) -> FieldResult<BTreeMap<String, UdaValue>> {
    let Value::Object(items) = value else {
        return Err(one("Expected an object of names and values."));
    };
    if items.len() > MAX_UDAS {
        return Err(one(format!(
            "A task has at most {MAX_UDAS} user-defined attributes."
        )));
    }
    let mut udas = BTreeMap::new();
    let mut messages = Vec::new();
    for (name, value) in items {
        if !is_uda_name(&name) {
            messages.push(format!("\"{name}\": {UDA_NAME_RULE}"));
            continue;
        }
        let value = match value {
            Value::String(text) if text.contains('\0') => Err(NUL_MESSAGE.to_string()),
            Value::String(text) if text.chars().count() > MAX_UDA_TEXT => Err(format!(
                "\"{name}\": no more than {MAX_UDA_TEXT} characters."
            )),
            Value::String(text) => Ok(UdaValue::Text(text)),
            Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Ok(UdaValue::Integer(i)),
                (None, Some(f)) if f.is_finite() => Ok(UdaValue::Number(f)),
                _ => Err(format!("\"{name}\": the number is out of range.")),
            },
            _ => Err(format!("\"{name}\": a value is text or a number.")),
        };
        match value {
            Ok(value) => {
                udas.insert(name, value);
            }
            Err(message) => messages.push(message),
        }
    }
    if messages.is_empty() {
        Ok(udas)
    } else {
        Err(messages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    #[test]
    fn defaults_and_trimming() {
        let fields = full(body(json!({"title": "  Buy milk ", "id": 99}))).unwrap();
        assert_eq!(fields.title, "Buy milk");
        assert_eq!(fields.status, Status::Pending);
        assert!(fields.tags.is_empty());
    }

    #[test]
    fn tags_are_deduplicated_and_checked() {
        let fields = full(body(json!({"title": "t", "tags": ["a", "b", "a"]}))).unwrap();
        assert_eq!(fields.tags, vec!["a", "b"]);
        let err = full(body(json!({"title": "t", "tags": ["a b"]}))).unwrap_err();
        assert!(
            matches!(err, ApiError::BadRequest { errors: Some(e), .. } if e.contains_key("tags"))
        );
    }

    #[test]
    fn every_bad_field_is_named() {
        let err = full(body(json!({
            "title": "", "priority": "urgent", "due": "tomorrow", "colour": "red"
        })))
        .unwrap_err();
        let ApiError::BadRequest {
            errors: Some(errors),
            ..
        } = err
        else {
            panic!("expected field errors");
        };
        let names: Vec<&String> = errors.keys().collect();
        assert_eq!(names, ["colour", "due", "priority", "title"]);
    }
}
