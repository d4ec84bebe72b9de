//! What the task form's fields say: checked, then read into the API's
//! bodies (a new task, or a patch of what changed).

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use common::api::{NewTask, Priority, Status, Task, TaskPatch, UdaValue};
use common::filter::Modifications;
use common::list_query::uda_name_problem;
use common::task_ref::TaskRef;
use common::typed_line;

use super::{date_of, shown_date, Field, TaskForm, TWICE};
use crate::input::Input;
use crate::{parse, text};

/// The fields read, ready for the API.
struct Values {
    title: String,
    description: String,
    project: Option<String>,
    priority: Option<Priority>,
    dates: BTreeMap<Field, DateTime<Utc>>,
    tags: Vec<String>,
    udas: BTreeMap<String, UdaValue>,
    status: Status,
    /// What else the title line of a new task said (`depends:`, …).
    extra: Modifications,
}

impl TaskForm {
    /// Checks the fields; on success the values ready for the API.
    fn values(&mut self, now: DateTime<Utc>, tz: FixedOffset) -> Option<Values> {
        self.errors.clear();
        self.error = None;
        let mut title = self.title.value().trim().to_string();
        if title.is_empty() {
            self.errors.insert(Field::Title, "required".into());
        } else if title.chars().count() > 500 {
            self.errors
                .insert(Field::Title, "at most 500 characters".into());
        }
        let description = self.description.value().to_string();
        if description.chars().count() > 10_000 {
            self.errors
                .insert(Field::Description, "at most 10000 characters".into());
        }
        let mut project = Some(self.project.value().trim().to_string()).filter(|p| !p.is_empty());
        if project.as_ref().is_some_and(|p| p.chars().count() > 100) {
            self.errors
                .insert(Field::Project, "at most 100 characters".into());
        }
        let mut dates = BTreeMap::new();
        for field in Field::DATES {
            let typed = self.input(field).map_or("", Input::value).trim();
            if typed.is_empty() {
                continue;
            }
            match parse::due(typed, now, tz) {
                Ok(at) => {
                    dates.insert(field, at);
                }
                Err(message) => {
                    self.errors.insert(field, message);
                }
            }
        }
        let mut tags = common::filter::tag_list(self.tags.value()).unwrap_or_else(|err| {
            self.errors
                .insert(Field::Tags, text::escape(&err.to_string()).into_owned());
            Vec::new()
        });
        let mut udas =
            attributes(self.attributes.value(), self.original.as_ref()).unwrap_or_else(|message| {
                self.errors.insert(Field::Attributes, message);
                BTreeMap::new()
            });
        let mut priority = self.priority;
        let mut extra = Modifications::default();
        // A new task's title line takes the CLI's words (`Buy milk +errands
        // due:tomorrow`); a modifier there fills its field.
        if self.original.is_none() && !title.is_empty() {
            match parse::add_words(&title, now, tz) {
                Ok(mods) => {
                    match mods.title() {
                        Some(words) => title = words,
                        None => {
                            self.errors
                                .insert(Field::Title, common::filter::NEEDS_TITLE.into());
                        }
                    }
                    // Said twice, differently: which is meant is asked,
                    // not guessed.
                    if let Some(Some(named)) = &mods.project {
                        if project.as_ref().is_some_and(|p| p != named) {
                            self.errors.insert(Field::Project, TWICE.into());
                        }
                        project = Some(named.clone());
                    }
                    if let Some(Some(named)) = mods.priority {
                        if priority.is_some_and(|p| p != named) {
                            self.errors.insert(Field::Priority, TWICE.into());
                        }
                        priority = Some(named);
                    }
                    for (field, named) in [
                        (Field::Due, mods.due),
                        (Field::Scheduled, mods.scheduled),
                        (Field::Wait, mods.wait),
                        (Field::Until, mods.until),
                    ] {
                        if let Some(Some(named)) = named {
                            if dates.insert(field, named).is_some_and(|d| d != named) {
                                self.errors.insert(field, TWICE.into());
                            }
                        }
                    }
                    for (name, value) in &mods.udas {
                        if let Some(value) = value {
                            if udas
                                .insert(name.clone(), value.clone())
                                .is_some_and(|v| v != *value)
                            {
                                self.errors.insert(Field::Attributes, TWICE.into());
                            }
                        }
                    }
                    for tag in &mods.add_tags {
                        if !tags.contains(tag) {
                            tags.push(tag.clone());
                        }
                    }
                    extra = mods;
                }
                Err(message) => {
                    self.errors.insert(Field::Title, message);
                }
            }
        }
        if tags.len() > 32 {
            self.errors.insert(Field::Tags, "at most 32 tags".into());
        }
        if !self.errors.is_empty() {
            return None;
        }
        Some(Values {
            title,
            description,
            project,
            priority,
            dates,
            tags,
            udas,
            status: self.status,
            extra,
        })
    }

    /// The body for `POST /api/tasks/` and the tasks its title line named
    /// in `depends:` (looked up when it is sent), or `None` with the errors
    /// set.
    pub fn new_task(
        &mut self,
        now: DateTime<Utc>,
        tz: FixedOffset,
    ) -> Option<(NewTask, Vec<TaskRef>)> {
        let v = self.values(now, tz)?;
        let date = |field| v.dates.get(&field).copied();
        let task = NewTask {
            title: v.title.clone(),
            description: Some(v.description.clone()).filter(|d| !d.is_empty()),
            status: Some(v.status).filter(|s| *s != Status::Pending),
            priority: v.priority,
            due: date(Field::Due),
            project: v.project.clone(),
            tags: Some(v.tags.clone()).filter(|t| !t.is_empty()),
            wait: date(Field::Wait),
            scheduled: date(Field::Scheduled),
            until: date(Field::Until),
            udas: (!v.udas.is_empty()).then(|| v.udas.clone()),
            ..Default::default()
        };
        Some((task, v.extra.add_depends))
    }

    /// The fields that changed, for `PATCH`; `None` with the errors set.
    /// A date left as it was shown is not sent, so it is never rounded.
    pub fn patch(&mut self, now: DateTime<Utc>, tz: FixedOffset) -> Option<TaskPatch> {
        let original = self.original.clone()?;
        let retyped: Vec<Field> = Field::DATES
            .into_iter()
            .filter(|&field| {
                self.input(field).map_or("", Input::value).trim()
                    != shown_date(&original, field, tz)
            })
            .collect();
        let v = self.values(now, tz)?;
        let mut patch = TaskPatch::default();
        if v.title != original.title {
            patch.title = Some(v.title);
        }
        if v.description != original.description {
            patch.description = Some(v.description);
        }
        if v.status != original.status {
            patch.status = Some(v.status);
        }
        if v.priority != original.priority {
            patch.priority = Some(v.priority);
        }
        for field in retyped {
            let typed = v.dates.get(&field).copied();
            if typed == date_of(&original, field) {
                continue;
            }
            let slot = match field {
                Field::Due => &mut patch.due,
                Field::Scheduled => &mut patch.scheduled,
                Field::Wait => &mut patch.wait,
                _ => &mut patch.until,
            };
            *slot = Some(typed);
        }
        if v.project != original.project {
            patch.project = Some(v.project);
        }
        if v.tags != original.tags {
            patch.tags = Some(v.tags);
        }
        if v.udas != original.udas {
            patch.udas = Some(v.udas);
        }
        Some(patch)
    }
}

/// The task's attributes as the Attributes field shows them: `name:value`
/// words, a value with spaces in quotes, as the title line takes them.
pub(super) fn shown_attributes(task: &Task) -> String {
    task.udas
        .iter()
        .map(|(name, value)| {
            let value = value.to_string();
            let needs_quotes = value.is_empty()
                || value.chars().any(char::is_whitespace)
                || value.starts_with(['"', '\'']);
            if needs_quotes {
                let quote = if value.contains('"') { '\'' } else { '"' };
                format!("{name}:{quote}{value}{quote}")
            } else {
                format!("{name}:{value}")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads the Attributes field: `name:value` words (`uda.name:value` too, as
/// on the title line). A name left with no value is taken away; a value that
/// reads as the task's is the task's, whatever its kind. A name new to the
/// task must be one an attribute may have; one it had from before stays.
fn attributes(text: &str, task: Option<&Task>) -> Result<BTreeMap<String, UdaValue>, String> {
    let had = |name: &str| task.and_then(|task| task.udas.get(name));
    let mut udas = BTreeMap::new();
    let mut named: Vec<String> = Vec::new();
    for word in typed_line::split(text) {
        let Some((name, value)) = word.text.split_once(':') else {
            return Err(format!(
                "{} is not name:value (size:3, note:\"two words\")",
                word.as_typed()
            ));
        };
        let name = name.strip_prefix("uda.").unwrap_or(name);
        if word.unclosed {
            return Err(format!("{name}: its quote is not closed"));
        }
        if had(name).is_none() {
            if let Some(problem) = uda_name_problem(name) {
                return Err(format!("{name}: {problem}"));
            }
        }
        if named.iter().any(|n| n == name) {
            return Err(format!("{name} is given twice: keep one"));
        }
        named.push(name.to_string());
        if !value.is_empty() {
            udas.insert(name.to_string(), UdaValue::typed_over(had(name), value));
        }
    }
    Ok(udas)
}
