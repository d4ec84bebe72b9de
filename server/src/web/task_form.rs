//! The task page's form: a task as the text its fields show, and that text
//! read back into a task's fields, over the task as it is by then.

use std::collections::BTreeMap;

use chrono::{DateTime, Local, Utc};
use common::{
    api::{Task, UdaValue},
    dates::{Clock, DateField},
    filter::{tag_list, Resolved},
    task_ref::TaskRef,
};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{error::PageError, field_label};
use crate::{
    domain::{task_ops as ops, FieldErrors},
    error::ApiError,
    task_query::{PageWindow, TaskFilter},
    AppState,
};

/// The form's fields as text, as shown and as sent back.
#[derive(Debug, Default, Deserialize)]
pub struct TaskForm {
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) version: String,
    #[serde(default)]
    pub(super) back: String,
    #[serde(default)]
    pub(super) title: String,
    #[serde(default)]
    pub(super) description: String,
    #[serde(default)]
    pub(super) status: String,
    #[serde(default)]
    pub(super) priority: String,
    #[serde(default)]
    pub(super) project: String,
    #[serde(default)]
    pub(super) tags: String,
    #[serde(default)]
    pub(super) due: String,
    #[serde(default)]
    pub(super) wait: String,
    #[serde(default)]
    pub(super) scheduled: String,
    #[serde(default)]
    pub(super) until: String,
    #[serde(default)]
    pub(super) depends: String,
    #[serde(default)]
    pub(super) udas: String,
    /// The editable fields as the page showed them (JSON): what the user
    /// changed is what differs from these, and only that is saved.
    #[serde(default)]
    pub(super) was: String,
}

/// The editable fields, in the form's order.
pub(super) const FIELDS: [&str; 12] = [
    "title",
    "description",
    "status",
    "priority",
    "project",
    "tags",
    "due",
    "wait",
    "scheduled",
    "until",
    "depends",
    "udas",
];

impl TaskForm {
    pub(super) fn field(&self, name: &str) -> &str {
        match name {
            "title" => &self.title,
            "description" => &self.description,
            "status" => &self.status,
            "priority" => &self.priority,
            "project" => &self.project,
            "tags" => &self.tags,
            "due" => &self.due,
            "wait" => &self.wait,
            "scheduled" => &self.scheduled,
            "until" => &self.until,
            "depends" => &self.depends,
            _ => &self.udas,
        }
    }

    pub(super) fn field_mut(&mut self, name: &str) -> &mut String {
        match name {
            "title" => &mut self.title,
            "description" => &mut self.description,
            "status" => &mut self.status,
            "priority" => &mut self.priority,
            "project" => &mut self.project,
            "tags" => &mut self.tags,
            "due" => &mut self.due,
            "wait" => &mut self.wait,
            "scheduled" => &mut self.scheduled,
            "until" => &mut self.until,
            "depends" => &mut self.depends,
            _ => &mut self.udas,
        }
    }

    /// Sets `was` to the fields as they are now shown, and the tasks the
    /// "Waits for" box names by `depends` (name, id).
    fn remembering_shown(mut self, depends: &[(String, i64)]) -> TaskForm {
        let ids: Vec<String> = depends
            .iter()
            .map(|(name, id)| format!("{name}={id}"))
            .collect();
        let ids = ids.join(",");
        let mut shown: BTreeMap<&str, &str> = FIELDS.iter().map(|&f| (f, self.field(f))).collect();
        shown.insert(SHOWN_DEPENDS, &ids);
        self.was = serde_json::to_string(&shown).unwrap_or_default();
        self
    }
}

/// The key in `was` of the tasks the "Waits for" box showed, as
/// `name=id,…`: a number shown then still means that task, whichever task
/// has the number by the time the form is saved.
const SHOWN_DEPENDS: &str = "depends.ids";

/// `now` (the record of the page as it would be shown now) for a page
/// drawn again after a refused or conflicting save: the names the box
/// showed first keep meaning the tasks they named then, the user's text
/// being still in their terms.
pub(super) fn keeping_names(now: String, first: Option<&BTreeMap<String, String>>) -> String {
    let Ok(mut record) = serde_json::from_str::<BTreeMap<String, String>>(&now) else {
        return now;
    };
    let mut names = shown_depends(Some(&record));
    names.extend(shown_depends(first));
    let pairs: Vec<String> = names
        .iter()
        .map(|(name, id)| format!("{name}={id}"))
        .collect();
    record.insert(SHOWN_DEPENDS.into(), pairs.join(","));
    serde_json::to_string(&record).unwrap_or(now)
}

/// What `was` says the "Waits for" box named: each name shown, with its
/// task's id.
pub(super) fn shown_depends(was: Option<&BTreeMap<String, String>>) -> BTreeMap<String, i64> {
    was.and_then(|was| was.get(SHOWN_DEPENDS))
        .map(|ids| {
            ids.split(',')
                .filter_map(|pair| {
                    let (name, id) = pair.split_once('=')?;
                    Some((name.to_ascii_lowercase(), id.parse().ok()?))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A field's text as a browser sends it back, line breaks made one: a
/// textarea's come as `\r\n`, and a lone `\r` in the page comes back as one.
pub(super) fn sent_as(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

pub(super) fn local(at: Option<DateTime<Utc>>) -> String {
    at.map(|at| {
        at.with_timezone(&Local)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    })
    .unwrap_or_default()
}

/// How each dependency is named on the page, with its id: its number while
/// pending, else the start of its uuid.
async fn names_of(state: &AppState, user_id: i64, ids: &[i64]) -> Vec<(String, i64)> {
    let mut names = Vec::new();
    for id in ids {
        let name = match ops::get(state.store.as_ref(), user_id, *id).await {
            Ok(task) => match task.number {
                Some(number) => number.to_string(),
                None => task.uuid.chars().take(8).collect(),
            },
            Err(_) => format!("#{id}"),
        };
        names.push((name, *id));
    }
    names
}

pub(super) async fn form_of(state: &AppState, user_id: i64, task: &Task) -> TaskForm {
    let depends = names_of(state, user_id, &task.depends).await;
    let names: Vec<&str> = depends.iter().map(|(name, _)| name.as_str()).collect();
    let udas: Vec<String> = task
        .udas
        .iter()
        .map(|(name, value)| format!("{name}: {}", value.one_line()))
        .collect();
    TaskForm {
        title: task.title.clone(),
        description: task.description.clone(),
        status: task.status.as_str().to_string(),
        priority: task
            .priority
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
        project: task.project.clone().unwrap_or_default(),
        tags: task.tags.join(" "),
        due: local(task.due),
        wait: local(task.wait),
        scheduled: local(task.scheduled),
        until: local(task.until),
        depends: names.join(", "),
        udas: udas.join("\n"),
        ..TaskForm::default()
    }
    .remembering_shown(&depends)
}

/// The tasks `refs` name among the user's, by id; a message when one names
/// none, or several.
pub async fn resolve(
    state: &AppState,
    user_id: i64,
    refs: impl IntoIterator<Item = TaskRef>,
) -> Result<Resolved, String> {
    let mut resolved = Resolved::new();
    for task in refs {
        let filter = TaskFilter {
            query: task.query(),
            page: PageWindow {
                limit: 2,
                offset: 0,
            },
            now: Utc::now(),
            budget: None,
            light: false,
        };
        let found = ops::list(state.store.as_ref(), user_id, filter)
            .await
            .map_err(|err| PageError::from(err).to_string())?;
        match found.tasks.as_slice() {
            [one] => {
                resolved.insert(task, one.id);
            }
            [] => return Err(format!("task {task}: no such task.")),
            _ => {
                return Err(format!(
                    "{task} names several tasks: give more of its uuid."
                ))
            }
        }
    }
    Ok(resolved)
}

/// The form's `touched` fields as a task body, in the fields the API takes;
/// the messages say what could not be read. A field left out is neither
/// read nor sent, so that one left as shown is never rewritten.
pub(super) async fn body_of(
    state: &AppState,
    user_id: i64,
    current: &Task,
    form: &TaskForm,
    shown: &BTreeMap<String, i64>,
    touched: impl Fn(&str) -> bool,
) -> (Map<String, Value>, Vec<String>) {
    let clock = Clock::at(Local::now());
    let mut errors = Vec::new();
    let mut body = Map::new();
    if touched("title") {
        body.insert("title".into(), json!(form.title));
    }
    if touched("description") {
        body.insert("description".into(), json!(sent_as(&form.description)));
    }
    if touched("status") {
        body.insert("status".into(), json!(form.status));
    }
    if touched("priority") {
        let priority = Some(&form.priority).filter(|p| !p.is_empty());
        body.insert("priority".into(), json!(priority));
    }
    if touched("project") {
        body.insert("project".into(), json!(form.project));
    }
    if touched("tags") {
        match tag_list(&form.tags) {
            Ok(tags) => {
                body.insert("tags".into(), json!(tags));
            }
            Err(err) => errors.push(format!("Tags: {err}.")),
        }
    }
    for (name, text, now) in [
        ("due", &form.due, current.due),
        ("wait", &form.wait, current.wait),
        ("scheduled", &form.scheduled, current.scheduled),
        ("until", &form.until, current.until),
    ] {
        if !touched(name) {
            continue;
        }
        let value = match text.trim() {
            "" => Value::Null,
            // Shown to the minute: as shown, it is the value it was.
            shown if now.is_some() && shown == local(now) => json!(now),
            words => match clock.parse(words) {
                Ok(spec) => json!(spec.as_field(match name {
                    "wait" => DateField::Wait,
                    "scheduled" => DateField::Scheduled,
                    "until" => DateField::Until,
                    _ => DateField::Due,
                })),
                Err(err) => {
                    errors.push(format!("{}: {err}", field_label(name)));
                    continue;
                }
            },
        };
        body.insert(name.into(), value);
    }
    if touched("depends") {
        match depends_of(state, user_id, &form.depends, shown).await {
            Ok(ids) => {
                body.insert("depends".into(), json!(ids));
            }
            Err(mut messages) => errors.append(&mut messages),
        }
    }
    if touched("udas") {
        match udas_of(&form.udas, current) {
            Ok(udas) => {
                body.insert("udas".into(), Value::Object(udas));
            }
            Err(mut messages) => errors.append(&mut messages),
        }
    }
    (body, errors)
}

/// The "Waits for" box: task numbers or uuid prefixes, as ids. A name the
/// page showed (`shown`) is the task it named then.
async fn depends_of(
    state: &AppState,
    user_id: i64,
    text: &str,
    shown: &BTreeMap<String, i64>,
) -> Result<Vec<i64>, Vec<String>> {
    let mut errors = Vec::new();
    let mut named: Vec<Result<i64, TaskRef>> = Vec::new();
    for part in text
        .split([',', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        if let Some(id) = shown.get(&part.to_ascii_lowercase()) {
            named.push(Ok(*id));
            continue;
        }
        match TaskRef::parse(part.trim_start_matches('#')) {
            Some(task) => named.push(Err(task)),
            None => errors.push(format!(
                "Waits for: {part:?} is not a task number or the start of a uuid."
            )),
        }
    }
    let refs: Vec<TaskRef> = named.iter().filter_map(|n| n.clone().err()).collect();
    match resolve(state, user_id, refs).await {
        Ok(resolved) if errors.is_empty() => Ok(named
            .iter()
            .filter_map(|n| match n {
                Ok(id) => Some(*id),
                Err(r) => resolved.get(r).copied(),
            })
            .collect()),
        Ok(_) => Err(errors),
        Err(message) => {
            errors.push(format!("Waits for: {message}"));
            Err(errors)
        }
    }
}

/// The "Other attributes" box, a `name: value` a line. A value that reads
/// as the task's is the task's, whatever its kind.
fn udas_of(text: &str, current: &Task) -> Result<Map<String, Value>, Vec<String>> {
    let mut errors = Vec::new();
    let mut udas = Map::new();
    let mut named = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once([':', '=']) else {
            errors.push(format!("Other attributes: {line:?} is not `name: value`."));
            continue;
        };
        let name = name.trim();
        if named.contains(&name) {
            errors.push(format!(
                "Other attributes: {name} is given twice: keep one line."
            ));
            continue;
        }
        named.push(name);
        // `size:` with no value removes it, as `uda.size:` does.
        let value = value.trim();
        if !value.is_empty() {
            let value = UdaValue::typed_in_line(current.udas.get(name), value);
            udas.insert(
                name.to_string(),
                serde_json::to_value(value).unwrap_or(Value::Null),
            );
        }
    }
    if errors.is_empty() {
        Ok(udas)
    } else {
        Err(errors)
    }
}

/// Field errors, each under the name the form gives its field.
pub(super) fn labelled(errors: &FieldErrors) -> Vec<String> {
    errors
        .iter()
        .map(|(field, messages)| format!("{}: {}", field_label(field), messages.join(" ")))
        .collect()
}

/// Why the task's rules refused the form, in the form's words.
pub(super) fn refusal(err: ApiError) -> Vec<String> {
    match &err {
        ApiError::BadRequest {
            errors: Some(errors),
            ..
        } => labelled(errors),
        _ => vec![err.detail()],
    }
}
