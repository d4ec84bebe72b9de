//! What the task form's fields say: checked, then read into the API's
//! bodies (a new task, or a patch of what changed).

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use common::api::{NewTask, Priority, Status, Task, TaskPatch, UdaValue};
use common::dates::DateField;
use common::filter::Modifications;
use common::list_query::uda_name_problem;
use common::merge;
use common::task_ref::TaskRef;
use common::typed_line;

use super::{date_of, shown_date, Field, TaskForm, TWICE};
use crate::input::Input;
use crate::msg::Command;
use crate::{parse, text};

/// What Enter on the form comes to.
#[derive(Debug)]
pub enum Save {
    Send(Box<Command>),
    /// An edit that changes nothing.
    Unchanged,
    /// Errors are shown beside their fields.
    Invalid,
}

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
            // A date left as shown is the task's (or, after a conflict, the
            // server's), read or not: it is never rounded, nor refused for a
            // reason the user did not type.
            let shown = [self.conflict.as_ref(), self.original.as_ref()]
                .into_iter()
                .flatten()
                .find(|task| typed == shown_date(task, field, tz));
            if let Some(task) = shown {
                if let Some(at) = date_of(task, field) {
                    dates.insert(field, at);
                }
                continue;
            }
            if typed.is_empty() {
                continue;
            }
            // `"in 3 days"` as the title line would take it.
            let which = match field {
                Field::Wait => DateField::Wait,
                Field::Scheduled => DateField::Scheduled,
                Field::Until => DateField::Until,
                _ => DateField::Due,
            };
            match parse::date(&typed_line::unquoted(typed), which, now, tz) {
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
        // Left as the server's version shows them after a conflict: its
        // values exactly, as for the task's own.
        let basis = self
            .conflict
            .as_ref()
            .filter(|server| self.attributes.value().trim() == shown_attributes(server))
            .or(self.original.as_ref());
        let mut udas = attributes(self.attributes.value(), basis).unwrap_or_else(|message| {
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
                                self.errors
                                    .insert(Field::Attributes, format!("{name}: {TWICE}"));
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

    /// What Enter asks for: the task created, or what changed sent over
    /// the version last read (the server's, after a conflict).
    pub fn save(&mut self, now: DateTime<Utc>, tz: FixedOffset) -> Save {
        let Some(original) = &self.original else {
            return match self.new_task(now, tz) {
                Some((task, depends)) => {
                    Save::Send(Box::new(Command::CreateTask { task, depends }))
                }
                None => Save::Invalid,
            };
        };
        let id = original.id;
        let shown_as = common::display::name(original);
        let version = self
            .conflict
            .as_ref()
            .map_or(original.version, |server| server.version);
        match self.patch(now, tz) {
            None => Save::Invalid,
            Some(patch) if patch.is_empty() => Save::Unchanged,
            Some(patch) => Save::Send(Box::new(Command::UpdateTask {
                id,
                version: Some(version),
                patch,
                shown_as,
            })),
        }
    }

    /// The fields that changed, for `PATCH`; `None` with the errors set.
    /// After a conflict, changed from the server's version, which the save
    /// goes over: the fields left untouched hold its values already, and a
    /// value typed back to the task's first one is a change from it.
    pub fn patch(&mut self, now: DateTime<Utc>, tz: FixedOffset) -> Option<TaskPatch> {
        let original = self.original.clone()?;
        let base = self.conflict.clone().unwrap_or_else(|| original.clone());
        let v = self.values(now, tz)?;
        let mut patch = TaskPatch::default();
        if v.title != base.title {
            patch.title = Some(v.title);
        }
        if v.description != base.description {
            patch.description = Some(v.description);
        }
        if v.status != base.status {
            patch.status = Some(v.status);
        }
        if v.priority != base.priority {
            patch.priority = Some(v.priority);
        }
        for field in Field::DATES {
            let typed = v.dates.get(&field).copied();
            if typed == date_of(&base, field) {
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
        if v.project != base.project {
            patch.project = Some(v.project);
        }
        if v.tags != base.tags {
            patch.tags = Some(v.tags);
        }
        // Over the server's version after a conflict: its attributes with
        // the ones changed here set or taken away, so that one it changed
        // and this form did not is kept.
        let udas = merge::udas(&v.udas, &original.udas, &base.udas);
        if udas != base.udas {
            patch.udas = Some(udas);
        }
        Some(patch)
    }
}

/// The task's attributes as the Attributes field shows them: `name:value`
/// words, a value with spaces or quotes in quotes of a kind that reads
/// back, as the title line takes them.
pub(super) fn shown_attributes(task: &Task) -> String {
    task.udas
        .iter()
        .map(|(name, value)| format!("{name}:{}", shown_value(&value.to_string())))
        .collect::<Vec<_>>()
        .join(" ")
}

fn shown_value(value: &str) -> String {
    let plain = !value.is_empty()
        && !value
            .chars()
            .any(|c| c.is_whitespace() || QUOTES.contains(&c));
    if plain {
        return value.to_string();
    }
    // A quote closes before white space: one of the value's own quotes
    // standing there would close it early.
    let closes_early = |quote: char| {
        let chars: Vec<char> = value.chars().collect();
        chars
            .windows(2)
            .any(|pair| pair[0] == quote && pair[1].is_whitespace())
    };
    let quote = QUOTES
        .into_iter()
        .find(|&quote| !closes_early(quote))
        .unwrap_or('"');
    format!("{quote}{value}{quote}")
}

const QUOTES: [char; 2] = ['"', '\''];

/// The `name:value` words of an Attributes field, each value as read.
fn words(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut words = Vec::new();
    for word in typed_line::split(text) {
        let Some((name, value)) = word.text.split_once(':') else {
            return Err(format!(
                "{} is not name:value (size:3, note:\"two words\")",
                word.as_typed()
            ));
        };
        let name = name.strip_prefix("uda.").unwrap_or(name);
        if name.is_empty() {
            return Err(format!("{} has no name before its colon", word.as_typed()));
        }
        if word.unclosed {
            return Err(format!("{name}: its quote is not closed"));
        }
        words.push((name.to_string(), value.to_string()));
    }
    Ok(words)
}

/// Reads the Attributes field: `name:value` words (`uda.name:value` too, as
/// on the title line). A word that reads as the form showed it keeps the
/// task's value exactly, whatever its kind; a name left with no value, or
/// left out, is taken away; another value is typed over the task's. A name
/// new to the task must be one an attribute may have.
pub(super) fn attributes(
    text: &str,
    task: Option<&Task>,
) -> Result<BTreeMap<String, UdaValue>, String> {
    let shown = task.map(shown_attributes);
    if let (Some(task), Some(shown)) = (task, &shown) {
        // Left as shown: every value as the task holds it, even one the
        // field cannot show so that it reads back.
        if text.trim() == shown {
            return Ok(task.udas.clone());
        }
    }
    let shown: BTreeMap<String, String> = shown
        .and_then(|shown| words(&shown).ok())
        .unwrap_or_default()
        .into_iter()
        .collect();
    let had = |name: &str| task.and_then(|task| task.udas.get(name));
    let mut udas = BTreeMap::new();
    let mut named: Vec<String> = Vec::new();
    for (name, value) in words(text)? {
        if named.contains(&name) {
            return Err(format!("{name} is given twice: keep one"));
        }
        named.push(name.clone());
        match had(&name) {
            Some(old) if shown.get(&name) == Some(&value) => {
                udas.insert(name, old.clone());
            }
            Some(old) => {
                if !value.is_empty() {
                    udas.insert(name, UdaValue::typed_over(Some(old), &value));
                }
            }
            None => {
                if let Some(problem) = uda_name_problem(&name) {
                    return Err(format!("{name}: {problem}"));
                }
                if !value.is_empty() {
                    udas.insert(name, UdaValue::from_typed(&value));
                }
            }
        }
    }
    Ok(udas)
}

/// The attributes changed both here (`was` to `mine`) and on the server
/// (`was` to `theirs`), differently, as each side's words; empty when none.
pub(super) fn both_changed(
    mine: &BTreeMap<String, UdaValue>,
    was: &BTreeMap<String, UdaValue>,
    theirs: &BTreeMap<String, UdaValue>,
) -> (String, String) {
    let word = |name: &str, value: Option<&UdaValue>| match value {
        Some(value) => format!("{name}:{}", shown_value(&value.to_string())),
        None => format!("{name}: (none)"),
    };
    let names = merge::udas_changed_both_ways(mine, was, theirs);
    let ours: Vec<String> = names
        .iter()
        .map(|name| word(name, mine.get(*name)))
        .collect();
    let others: Vec<String> = names
        .iter()
        .map(|name| word(name, theirs.get(*name)))
        .collect();
    (ours.join(" "), others.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_shown_so_that_it_reads_back() {
        for value in [
            "plain",
            "two words",
            "",
            "Re:\"Budget\"",
            "5' 10\"",
            "it's",
            "'quoted'",
            "a \"b\" c",
            "tab\there",
        ] {
            let task = Task {
                udas: [("n".to_string(), UdaValue::Text(value.into()))].into(),
                ..Task::default()
            };
            let shown = shown_attributes(&task);
            assert_eq!(
                words(&shown),
                Ok(vec![("n".to_string(), value.to_string())]),
                "{value:?} shown as {shown}"
            );
        }
    }
}
