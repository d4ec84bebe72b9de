//! Reading what Taskwarrior's `task export` writes: a JSON array, one
//! object, or one object per line (older versions put commas between them),
//! each task mapped onto ours, or left out with the reason. Nothing here
//! reads or writes the store: a file is read whole, and any error in it
//! stops the import before anything is written.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use common::api::{ImportSkip, Priority, Status};
use common::list_query::uda_name_problem;
use serde_json::{value::RawValue, Map, Value};

use super::{parse_date, set_aside::SetAside};
use crate::{
    domain::{
        task_ops::MAX_ANNOTATION,
        tasks::{reserved_names_imported, stored, TaskFields},
    },
    task_input,
};

/// Where a task is in the file: its place among the tasks and its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub index: usize,
    pub line: usize,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "task {} (line {})", self.index, self.line)
    }
}

/// Why a file cannot be imported: where, and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub at: String,
    pub messages: Vec<String>,
}

impl ImportError {
    fn at(at: impl ToString, message: impl Into<String>) -> ImportError {
        ImportError {
            at: at.to_string(),
            messages: vec![message.into()],
        }
    }
}

/// A task of the file, mapped onto ours.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    pub position: Position,
    pub uuid: String,
    /// Every field but the dependencies, which name tasks by uuid.
    pub fields: TaskFields,
    pub depends: Vec<String>,
    pub entry: Option<DateTime<Utc>>,
    pub modified: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub annotations: Vec<(DateTime<Utc>, String)>,
    /// What was left out of the task, for the summary.
    pub notes: Vec<String>,
}

/// A file read: the tasks to import, and those left out with the reason.
#[derive(Debug, Default)]
pub struct ImportFile {
    pub tasks: Vec<Incoming>,
    pub skipped: Vec<ImportSkip>,
}

/// Attributes of recurrence, which a recurring task's instances carry: left
/// out, so that an instance comes in as a plain task.
const RECURRENCE: &[&str] = &[
    "recur", "parent", "imask", "mask", "rtype", "template", "last",
];

/// Read, not kept: Taskwarrior's working-set number and its urgency.
const IGNORED: &[&str] = &["id", "urgency"];

/// Reads and maps every task of `body`.
pub fn read(body: &[u8]) -> Result<ImportFile, ImportError> {
    let mut file = ImportFile::default();
    let mut seen: HashMap<String, Position> = HashMap::new();
    for (position, object) in objects(body)? {
        match map(object).map_err(|messages| ImportError {
            at: position.to_string(),
            messages,
        })? {
            Mapped::Skipped {
                uuid,
                title,
                reason,
            } => file.skipped.push(ImportSkip {
                uuid,
                title,
                reason,
            }),
            Mapped::Task(mut incoming) => {
                if let Some(first) = seen.insert(incoming.uuid.clone(), position) {
                    return Err(ImportError::at(
                        position,
                        format!("uuid {} is also {first}'s.", incoming.uuid),
                    ));
                }
                incoming.position = position;
                file.tasks.push(*incoming);
            }
        }
    }
    Ok(file)
}

/// The objects of `body`, each with its position.
/// A task of the file as written, with where it is.
type Object = (Position, Map<String, Value>);

fn objects(body: &[u8]) -> Result<Vec<Object>, ImportError> {
    let text = std::str::from_utf8(body).map_err(|err| {
        let line = line_of(&body[..err.valid_up_to()], 0, 1).1;
        ImportError::at(format!("line {line}"), "The file is not UTF-8 text.")
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let start = text.len() - text.trim_start().len();
    let raws: Vec<&RawValue> = if text[start..].starts_with('[') {
        serde_json::from_str(text).map_err(|err| json_error(&err, 1, 1))?
    } else {
        stream(text)?
    };
    let mut lines = (0, 1);
    let mut out = Vec::with_capacity(raws.len());
    for (n, raw) in raws.into_iter().enumerate() {
        let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
        lines = line_of(&text.as_bytes()[..offset], lines.0, lines.1);
        let position = Position {
            index: n + 1,
            line: lines.1,
        };
        match serde_json::from_str::<Value>(raw.get()) {
            Ok(Value::Object(object)) => out.push((position, object)),
            _ => return Err(ImportError::at(position, "A task is a JSON object.")),
        }
    }
    Ok(out)
}

/// Values one after another, with blanks or commas between them.
fn stream(text: &str) -> Result<Vec<&RawValue>, ImportError> {
    let mut raws = Vec::new();
    let mut at = 0;
    let mut lines = (0, 1);
    loop {
        let rest = &text[at..];
        let skipped = rest.len()
            - rest
                .trim_start_matches(|c: char| c.is_whitespace() || c == ',')
                .len();
        at += skipped;
        if at == text.len() {
            return Ok(raws);
        }
        lines = line_of(&text.as_bytes()[..at], lines.0, lines.1);
        let mut values = serde_json::Deserializer::from_str(&text[at..]).into_iter::<&RawValue>();
        match values.next() {
            Some(Ok(raw)) => {
                at += values.byte_offset();
                raws.push(raw);
            }
            Some(Err(err)) => {
                let column = at - text[..at].rfind('\n').map_or(0, |n| n + 1) + 1;
                return Err(json_error(&err, lines.1, column));
            }
            None => return Ok(raws),
        }
    }
}

/// `(offset, line)` advanced from `(from, line)` to the end of `bytes`.
fn line_of(bytes: &[u8], from: usize, line: usize) -> (usize, usize) {
    let from = from.min(bytes.len());
    let newlines = bytes[from..].iter().filter(|b| **b == b'\n').count();
    (bytes.len(), line + newlines)
}

/// A parse error at a line and column of the whole file, given where the
/// parsed text began.
fn json_error(err: &serde_json::Error, first_line: usize, first_column: usize) -> ImportError {
    let line = first_line + err.line().saturating_sub(1);
    let column = if err.line() <= 1 {
        first_column + err.column().saturating_sub(1)
    } else {
        err.column()
    };
    let message = err.to_string();
    // serde_json ends its message with the place, which is said first here.
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(what, _)| what);
    ImportError::at(
        format!("line {line}, column {column}"),
        format!("Malformed JSON: {message}."),
    )
}

enum Mapped {
    Task(Box<Incoming>),
    Skipped {
        uuid: String,
        title: String,
        reason: String,
    },
}

/// Taskwarrior lets a user-defined attribute's name have capitals and
/// other characters (`Estimate`, `due-by`), which ours may not: such a one
/// is kept under its name in lower case, each other character made `_`,
/// and said, unless that name is taken or still not one.
fn lower_case_names(udas: &mut Map<String, Value>, notes: &mut Vec<String>) {
    let renamed: Vec<(String, String)> = udas
        .keys()
        .filter(|name| uda_name_problem(name).is_some())
        .map(|name| (name.clone(), name_of_ours(name)))
        .filter(|(_, lower)| uda_name_problem(lower).is_none() && !udas.contains_key(lower))
        .collect();
    for (name, lower) in renamed {
        // `Size` and `SIZE` both: the first keeps the name, the second is
        // refused by name, as before.
        if udas.contains_key(&lower) {
            continue;
        }
        if let Some(value) = udas.remove(&name) {
            let rule = if name.to_lowercase() == lower {
                "attribute names here are lower-case"
            } else {
                "attribute names here are lower-case letters, digits and _"
            };
            notes.push(format!("{name} kept as {lower}: {rule}"));
            udas.insert(lower, value);
        }
    }
}

/// `name` in lower case, with `_` for each character a name of ours may
/// not have.
fn name_of_ours(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '_' => c,
            _ => '_',
        })
        .collect()
}

/// One of Taskwarrior's tasks as one of ours; the messages name
/// Taskwarrior's attributes.
fn map(mut object: Map<String, Value>) -> Result<Mapped, Vec<String>> {
    // For the summary, should the task be left out.
    let title = object
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let without_uuid = matches!(object.get("uuid"), None | Some(Value::Null));
    let uuid = match object.remove("uuid") {
        None | Some(Value::Null) => crate::domain::tasks::new_uuid(),
        Some(Value::String(text)) => uuid::Uuid::parse_str(text.trim())
            .map(|u| u.hyphenated().to_string())
            .map_err(|_| vec![format!("uuid: \"{text}\" is not a uuid.")])?,
        Some(_) => return Err(vec!["uuid: a uuid is a string.".into()]),
    };
    let status = match object.remove("status") {
        None | Some(Value::Null) => Status::Pending,
        Some(Value::String(text)) => match text.as_str() {
            "pending" | "waiting" => Status::Pending,
            "completed" => Status::Done,
            "deleted" => {
                return Ok(Mapped::Skipped {
                    uuid,
                    title,
                    reason: "deleted".into(),
                })
            }
            "recurring" => {
                return Ok(Mapped::Skipped {
                    uuid,
                    title,
                    reason: "recurrence is not supported yet".into(),
                })
            }
            _ => {
                return Err(vec![format!(
                "status: \"{text}\" is not one of pending, waiting, completed, deleted, recurring."
            )])
            }
        },
        Some(_) => return Err(vec!["status: a status is a string.".into()]),
    };
    let mut errors: Vec<String> = Vec::new();
    let mut date = |name: &str, object: &mut Map<String, Value>| match object.remove(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => match parse_date(&text).filter(in_range) {
            Some(at) => Some(stored(at)),
            None => {
                errors.push(format!(
                    "{name}: \"{text}\" is not a date (YYYYMMDDTHHMMSSZ or RFC 3339)."
                ));
                None
            }
        },
        Some(_) => {
            errors.push(format!("{name}: a date is a string."));
            None
        }
    };
    let entry = date("entry", &mut object);
    let modified = date("modified", &mut object);
    let end = date("end", &mut object);
    let due = date("due", &mut object);
    let wait = date("wait", &mut object);
    let scheduled = date("scheduled", &mut object);
    let until = date("until", &mut object);
    let start = date("start", &mut object);

    let mut notes = Vec::new();
    if without_uuid {
        // What matches a task on the next import of the file is its uuid.
        notes.push(
            "it had no uuid and was given this one: importing the file again adds it again"
                .to_string(),
        );
    }
    let mut body = Map::new();
    let mut longer = None;
    match object.remove("description") {
        // Longer than a title may be: its start is the title, and the whole
        // text goes before the task's description, so none of it is lost.
        Some(Value::String(text)) if text.chars().count() > task_input::MAX_TITLE => {
            body.insert("title".into(), Value::String(title_of(&text)));
            notes.push(format!(
                "description longer than {} characters: its start is the title, and its whole \
                 text is kept in the task's description",
                task_input::MAX_TITLE
            ));
            longer = Some(text);
        }
        Some(description) => {
            body.insert("title".into(), description);
        }
        None => {}
    }
    match object.remove(super::DESCRIPTION) {
        None | Some(Value::Null) => {
            if let Some(text) = longer {
                body.insert("description".into(), Value::String(text));
            }
        }
        Some(Value::String(text)) => {
            let text = match longer {
                Some(whole) => format!("{whole}\n\n{text}"),
                None => text,
            };
            body.insert("description".into(), Value::String(text));
        }
        Some(_) => errors.push(format!(
            "{}: a description is a string.",
            super::DESCRIPTION
        )),
    }
    body.insert("status".into(), Value::String(status.as_str().into()));
    match object.remove("priority") {
        None | Some(Value::Null) => {}
        Some(Value::String(letter)) => match Priority::parse(&letter) {
            Some(priority) => {
                body.insert("priority".into(), Value::String(priority.as_str().into()));
            }
            None if letter.is_empty() => {}
            None => errors.push(format!("priority: \"{letter}\" is not one of H, M, L.")),
        },
        Some(_) => errors.push("priority: a priority is a string.".into()),
    }
    let mut aside = SetAside::default();
    if let Some(project) = object
        .remove("project")
        .and_then(|value| aside.project(value))
    {
        body.insert("project".into(), project);
    }
    if let Some(tags) = object.remove("tags") {
        body.insert("tags".into(), aside.tags(tags));
    }
    let (description, aside_note, mut aside_notes) =
        aside.into_description(body.remove("description"));
    notes.append(&mut aside_notes);
    if let Some(description) = description {
        body.insert("description".into(), description);
    }
    let depends = match object.remove("depends") {
        None | Some(Value::Null) => Vec::new(),
        Some(value) => dependencies(value).unwrap_or_else(|message| {
            errors.push(message);
            Vec::new()
        }),
    };
    let mut annotations = match object.remove("annotations") {
        None | Some(Value::Null) => Vec::new(),
        Some(value) => match annotations_of(value, entry) {
            Ok((annotations, split)) => {
                if split > 0 {
                    notes.push(format!(
                        "{split} annotation(s) longer than {MAX_ANNOTATION} characters kept as \
                         several notes, in order"
                    ));
                }
                annotations
            }
            Err(mut messages) => {
                errors.append(&mut messages);
                Vec::new()
            }
        },
    };
    if let Some(text) = aside_note {
        let at = stored(entry.unwrap_or_else(Utc::now));
        let chars: Vec<char> = text.chars().collect();
        annotations.extend(
            chars
                .chunks(MAX_ANNOTATION)
                .map(|part| (at, part.iter().collect::<String>())),
        );
    }
    let mut left_out: Vec<&str> = RECURRENCE
        .iter()
        .copied()
        .filter(|name| object.remove(*name).is_some())
        .collect();
    for name in IGNORED {
        object.remove(*name);
    }
    if !left_out.is_empty() {
        left_out.sort_unstable();
        notes.push(format!(
            "imported as a plain task ({} left out): recurrence is not supported yet",
            left_out.join(", ")
        ));
    }
    if status == Status::Done && start.is_some() {
        notes.push("start left out: a completed task is not active".into());
    }
    if status == Status::Pending && until.is_some_and(|until| until <= Utc::now()) {
        notes
            .push("its until date has passed: deleted within a minute (the trash keeps it)".into());
    }
    // Everything else is a user-defined attribute.
    lower_case_names(&mut object, &mut notes);
    body.insert("udas".into(), Value::Object(object));

    let checked = task_input::checked_full(body).and_then(|fields| {
        let refused = reserved_names_imported(&fields.tags, &fields.udas);
        if refused.is_empty() {
            Ok(fields)
        } else {
            Err(refused)
        }
    });
    let fields = match checked {
        Ok(fields) => Some(fields),
        Err(field_errors) => {
            for (field, messages) in field_errors {
                let name = match field.as_str() {
                    "title" => "description",
                    "udas" => "attribute",
                    other => other,
                };
                for message in messages {
                    errors.push(format!("{name}: {message}"));
                }
            }
            None
        }
    };
    let Some(mut fields) = fields.filter(|_| errors.is_empty()) else {
        return Err(errors);
    };
    fields.due = due;
    fields.wait = wait;
    fields.scheduled = scheduled;
    fields.until = until;
    fields.start = start;
    Ok(Mapped::Task(Box::new(Incoming {
        position: Position { index: 0, line: 0 },
        uuid,
        fields,
        depends,
        entry,
        modified,
        end,
        annotations,
        notes,
    })))
}

/// RFC 3339 has four-digit years, and every instant is given back so.
fn in_range(at: &DateTime<Utc>) -> bool {
    use chrono::Datelike;
    (1..=9999).contains(&at.year())
}

/// `depends` as an array of uuids, or as Taskwarrior 2.5's comma string.
fn dependencies(value: Value) -> Result<Vec<String>, String> {
    let texts: Vec<String> = match value {
        Value::String(text) => text
            .split(',')
            .map(|part| part.trim().to_string())
            .filter(|part| !part.is_empty())
            .collect(),
        Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Value::String(text) => Ok(text),
                _ => Err("depends: each dependency is a uuid string.".to_string()),
            })
            .collect::<Result<_, _>>()?,
        _ => return Err("depends: a list of uuids, or uuids separated by commas.".into()),
    };
    if texts.len() > task_input::MAX_DEPENDS {
        return Err(format!(
            "depends: a task depends on {} tasks at most.",
            task_input::MAX_DEPENDS
        ));
    }
    let mut uuids = Vec::with_capacity(texts.len());
    for text in texts {
        let uuid = uuid::Uuid::parse_str(&text)
            .map_err(|_| format!("depends: \"{text}\" is not a uuid."))?
            .hyphenated()
            .to_string();
        if !uuids.contains(&uuid) {
            uuids.push(uuid);
        }
    }
    Ok(uuids)
}

/// Annotations most tasks carry few of; this many is a malformed file.
const MAX_ANNOTATIONS: usize = 10_000;

/// A title for a text longer than one may be: its start, cut after a word
/// where one ends near the limit, and an ellipsis.
fn title_of(text: &str) -> String {
    let room = task_input::MAX_TITLE - 1;
    let start: String = text.chars().take(room).collect();
    let cut = start
        .char_indices()
        .rev()
        .take(100)
        .find(|(_, c)| c.is_whitespace())
        .map_or(start.len(), |(at, _)| at);
    format!("{}…", start[..cut].trim_end())
}

/// An annotation as it comes in: when it was made, and its text.
type Annotation = (DateTime<Utc>, String);

/// `annotations`: `{entry, description}` objects; one without an entry is
/// dated as its task. One longer than a note may be is kept as several, in
/// order, with its entry: how many were, beside the notes.
fn annotations_of(
    value: Value,
    task_entry: Option<DateTime<Utc>>,
) -> Result<(Vec<Annotation>, usize), Vec<String>> {
    let Value::Array(items) = value else {
        return Err(vec![
            "annotations: a list of {entry, description} objects.".into()
        ]);
    };
    if items.len() > MAX_ANNOTATIONS {
        return Err(vec![format!(
            "annotations: a task has {MAX_ANNOTATIONS} at most."
        )]);
    }
    let mut notes = Vec::with_capacity(items.len());
    let mut split = 0;
    for (n, item) in items.into_iter().enumerate() {
        let n = n + 1;
        let Value::Object(mut note) = item else {
            return Err(vec![format!("annotations: #{n} is not an object.")]);
        };
        let text = match note.remove("description") {
            Some(Value::String(text)) => text,
            _ => return Err(vec![format!("annotations: #{n} has no description.")]),
        };
        if text.trim().is_empty() || text.contains('\0') {
            return Err(vec![format!(
                "annotations: #{n} must have some text, without NUL."
            )]);
        }
        let entry = match note.remove("entry") {
            Some(Value::String(at)) => parse_date(&at).filter(in_range).ok_or_else(|| {
                vec![format!("annotations: #{n}'s entry \"{at}\" is not a date.")]
            })?,
            _ => task_entry.unwrap_or_else(Utc::now),
        };
        let entry = stored(entry);
        if text.chars().count() <= MAX_ANNOTATION {
            notes.push((entry, text));
            continue;
        }
        split += 1;
        let chars: Vec<char> = text.chars().collect();
        for part in chars.chunks(MAX_ANNOTATION) {
            notes.push((entry, part.iter().collect()));
        }
    }
    if notes.len() > MAX_ANNOTATIONS {
        return Err(vec![format!(
            "annotations: a task has {MAX_ANNOTATIONS} at most."
        )]);
    }
    Ok((notes, split))
}

#[cfg(test)]
mod tests {
    use super::*;
    use common::api::UdaValue;

    fn read_text(text: &str) -> Result<ImportFile, ImportError> {
        read(text.as_bytes())
    }

    /// What Taskwarrior takes that a task here may not hold as one value
    /// is kept whole all the same: a long description, a long annotation.
    #[test]
    fn text_longer_than_our_fields_is_kept_whole() {
        let words = "lorem ipsum dolor ".repeat(40);
        let note = "n".repeat(MAX_ANNOTATION * 2 + 5);
        let object = serde_json::json!({
            "uuid": "6f1d3c2e-1111-4a4a-8b8b-00000000000a",
            "description": words,
            super::super::DESCRIPTION: "kept too",
            "annotations": [{"entry": "20261101T090000Z", "description": note},
                            {"entry": "20261102T090000Z", "description": "short"}],
        });
        let file = read_text(&object.to_string()).unwrap();
        let task = &file.tasks[0];
        let title = &task.fields.title;
        assert!(title.chars().count() <= task_input::MAX_TITLE, "{title}");
        // Cut after a whole word.
        let start = title.strip_suffix('…').unwrap();
        assert!(words.starts_with(start), "{title}");
        assert!(words[start.len()..].starts_with(' '), "{title}");
        assert_eq!(task.fields.description, format!("{words}\n\nkept too"));
        let texts: Vec<&str> = task
            .annotations
            .iter()
            .map(|(_, text)| text.as_str())
            .collect();
        assert_eq!(texts.len(), 4);
        assert_eq!(texts[..3].concat(), note);
        assert_eq!(texts[3], "short");
        assert_eq!(task.notes.len(), 2, "{:?}", task.notes);
    }

    #[test]
    fn an_array_an_object_and_lines_are_read_alike() {
        let one = r#"{"uuid":"6f1d3c2e-1111-4a4a-8b8b-000000000001","description":"A"}"#;
        let two = r#"{"uuid":"6f1d3c2e-1111-4a4a-8b8b-000000000002","description":"B"}"#;
        for text in [
            format!("[{one},\n{two}]"),
            format!("{one}\n{two}\n"),
            format!("{one},\n{two}"),
        ] {
            let file = read_text(&text).unwrap();
            let titles: Vec<&str> = file.tasks.iter().map(|t| t.fields.title.as_str()).collect();
            assert_eq!(titles, ["A", "B"], "{text}");
            assert_eq!(file.tasks[1].position, Position { index: 2, line: 2 });
        }
        assert_eq!(read_text(one).unwrap().tasks.len(), 1);
        assert!(read_text("").unwrap().tasks.is_empty());
        assert!(read_text("[]").unwrap().tasks.is_empty());
    }

    #[test]
    fn errors_say_where() {
        let bad_json =
            "{\"description\":\"A\"}\n{\"description\":\"B\"}\n{\"description\": nope}\n";
        let err = read_text(bad_json).unwrap_err();
        assert!(err.at.starts_with("line 3, column"), "{err:?}");
        let err =
            read_text("[\n{\"description\":\"A\"},\n{\"status\":\"pending\"}\n]").unwrap_err();
        assert_eq!(err.at, "task 2 (line 3)");
        assert_eq!(err.messages, ["description: This field is required."]);
        let err = read_text("[1]").unwrap_err();
        assert_eq!(err.at, "task 1 (line 1)");
    }

    #[test]
    fn a_pending_task_past_its_until_is_said_to_expire() {
        let file = read_text(
            r#"[{"uuid":"6f1d3c2e-1111-4a4a-8b8b-000000000001","description":"Old","until":"20200101T000000Z"},
                {"uuid":"6f1d3c2e-1111-4a4a-8b8b-000000000002","description":"Done","status":"completed","until":"20200101T000000Z"},
                {"uuid":"6f1d3c2e-1111-4a4a-8b8b-000000000003","description":"Later","until":"20990101T000000Z"}]"#,
        )
        .unwrap();
        let notes: Vec<usize> = file.tasks.iter().map(|t| t.notes.len()).collect();
        assert_eq!(notes, [1, 0, 0]);
        assert!(file.tasks[0].notes[0].contains("until date has passed"));
    }

    #[test]
    fn an_attribute_named_with_capitals_is_kept_in_lower_case() {
        let file = read_text(r#"{"description":"A","Estimate":"big","Size":1,"size":2,"Due":"x"}"#);
        // `Size` clashes with `size` and `Due` with a core name: both said.
        let err = file.unwrap_err();
        let both = read_text(r#"{"description":"A","Size":1,"SIZE":2}"#).unwrap_err();
        assert!(
            both.messages.iter().any(|m| m.contains("\"S")),
            "one of the two is refused, not lost: {both:?}"
        );
        assert!(
            err.messages.iter().any(|m| m.contains("\"Size\"")),
            "{err:?}"
        );
        assert!(
            err.messages.iter().any(|m| m.contains("\"Due\"")),
            "{err:?}"
        );
        let file = read_text(
            r#"{"uuid":"6f1d3c2e-1111-4a4a-8b8b-000000000001","description":"A","Estimate":"big","size":2}"#,
        )
        .unwrap();
        let task = &file.tasks[0];
        assert_eq!(
            task.fields.udas.get("estimate"),
            Some(&UdaValue::Text("big".into()))
        );
        assert_eq!(task.fields.udas.len(), 2);
        assert_eq!(
            task.notes,
            ["Estimate kept as estimate: attribute names here are lower-case"]
        );
        // Other characters become `_`; a name that still is not one, or
        // that another takes, is refused by name as before.
        let file = read_text(r#"{"description":"A","Weird-Name":"w","due by":1}"#).unwrap();
        let task = &file.tasks[0];
        assert_eq!(
            task.fields.udas.get("weird_name"),
            Some(&UdaValue::Text("w".into()))
        );
        assert_eq!(task.fields.udas.get("due_by"), Some(&UdaValue::Integer(1)));
        assert!(
            task.notes.iter().any(|n| n
                == "Weird-Name kept as weird_name: attribute names here are lower-case letters, digits and _"),
            "{:?}",
            task.notes
        );
        let refused = read_text(r#"{"description":"A","1st":1}"#).unwrap_err();
        assert!(
            refused.messages.iter().any(|m| m.contains("\"1st\"")),
            "{refused:?}"
        );
        let refused = read_text(r#"{"description":"A","a-b":1,"a_b":2}"#).unwrap_err();
        assert!(
            refused.messages.iter().any(|m| m.contains("\"a-b\"")),
            "{refused:?}"
        );
    }

    #[test]
    fn fields_map_onto_ours() {
        let file = read_text(
            r#"{"uuid":"6F1D3C2E-1111-4A4A-8B8B-000000000001","description":"Pay rent",
                "status":"waiting","entry":"20261101T090000Z","wait":"20261205T090000Z",
                "priority":"H","project":"home","tags":["bills"],"estimate":3,
                "depends":"6f1d3c2e-1111-4a4a-8b8b-000000000002,6f1d3c2e-1111-4a4a-8b8b-000000000003",
                "annotations":[{"entry":"20261101T090000Z","description":"call"}],
                "id":4,"urgency":9.1,"recur":"weekly","parent":"6f1d3c2e-1111-4a4a-8b8b-000000000009"}"#,
        )
        .unwrap();
        let task = &file.tasks[0];
        assert_eq!(task.uuid, "6f1d3c2e-1111-4a4a-8b8b-000000000001");
        assert_eq!(task.fields.status, Status::Pending);
        assert_eq!(task.fields.priority, Some(Priority::High));
        assert_eq!(
            task.fields.udas.get("estimate"),
            Some(&UdaValue::Integer(3))
        );
        assert_eq!(task.fields.udas.len(), 1);
        assert_eq!(task.depends.len(), 2);
        assert_eq!(task.annotations[0].1, "call");
        assert!(task.notes[0].contains("parent, recur"), "{:?}", task.notes);
    }

    #[test]
    fn deleted_and_recurring_tasks_are_skipped() {
        let file = read_text(
            r#"[{"uuid":"6f1d3c2e-1111-4a4a-8b8b-000000000001","description":"A","status":"deleted"},
                {"uuid":"6f1d3c2e-1111-4a4a-8b8b-000000000002","description":"B","status":"recurring"}]"#,
        )
        .unwrap();
        assert!(file.tasks.is_empty());
        assert_eq!(file.skipped[0].reason, "deleted");
        assert_eq!(file.skipped[1].reason, "recurrence is not supported yet");
    }

    #[test]
    fn a_completed_task_loses_its_start_and_says_so() {
        let file = read_text(
            r#"{"uuid":"6f1d3c2e-1111-4a4a-8b8b-000000000001","description":"A","status":"completed","start":"20261101T090000Z","end":"20261101T100000Z"}"#,
        )
        .unwrap();
        assert_eq!(
            file.tasks[0].notes,
            ["start left out: a completed task is not active"]
        );
    }

    #[test]
    fn a_uuid_twice_is_refused() {
        let err = read_text(
            r#"[{"uuid":"6f1d3c2e-1111-4a4a-8b8b-000000000001","description":"A"},
                {"uuid":"6f1d3c2e-1111-4a4a-8b8b-000000000001","description":"B"}]"#,
        )
        .unwrap_err();
        assert_eq!(err.at, "task 2 (line 2)");
    }
}
