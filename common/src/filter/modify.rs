//! The words of `task add` and `task modify`: what a task is made with,
//! or what changes in it.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};

use crate::api::{NewTask, Priority, Task, TaskPatch, UdaValue};
use crate::dates::{Clock, DateField};
use crate::list_query::uda_name_problem;
use crate::task_ref::TaskRef;
use crate::typed_line::{self, Word};

use super::title::Substitution;
use super::words::{
    check_tag, error, parse_date, parse_priority, refuse_attribute_like, refuse_bare_uda,
    refuse_setting, refuse_start, refuse_unclosed, refuse_unsupported, split_attribute, split_tag,
    split_uda, tag_to_add, take_date_value, unquoted_value, Attribute, FilterError, Source,
};

/// Why words make no new task: they have no title.
pub const NEEDS_TITLE: &str =
    "a task needs a title: words besides its +tags and attributes (Buy milk +errands)";

/// Whether [`Modifications::parse`] reads words for a new task or for a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModifyMode {
    /// `task add`: `-word` is a title word.
    Add,
    /// `task modify`: `-tag` removes a tag, empty values clear fields.
    Modify,
}

/// What a change's title words do to the title it finds: Taskwarrior's
/// `modify`, `append` and `prepend`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TitleWords {
    /// They are the new title.
    #[default]
    Replace,
    /// They go after it, a space between.
    Append,
    /// They go before it, a space between.
    Prepend,
}

/// The changes `task add` / `task modify` words ask for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Modifications {
    /// Title words, in order.
    pub words: Vec<String>,
    /// What the title words do to the task's title (a change only).
    pub title_words: TitleWords,
    /// `Some(None)` clears the field.
    pub project: Option<Option<String>>,
    pub priority: Option<Option<Priority>>,
    pub due: Option<Option<DateTime<Utc>>>,
    pub description: Option<String>,
    pub add_tags: Vec<String>,
    pub remove_tags: Vec<String>,
    pub wait: Option<Option<DateTime<Utc>>>,
    pub scheduled: Option<Option<DateTime<Utc>>>,
    pub until: Option<Option<DateTime<Utc>>>,
    /// `depends:1,2` adds; `depends:-2` removes. Tasks as named (numbers,
    /// uuid prefixes): the caller looks up their ids ([`Resolved`]).
    pub add_depends: Vec<TaskRef>,
    /// `depends:` (no value) removes every dependency the task has; a
    /// `depends:3` after it in the same command adds 3 again.
    pub clear_depends: bool,
    pub remove_depends: Vec<TaskRef>,
    /// `uda.NAME:VALUE` sets (a number-looking value as a number);
    /// `uda.NAME:` removes (`None`).
    pub udas: BTreeMap<String, Option<UdaValue>>,
    /// `/from/to/` (`task modify` only): Taskwarrior's substitution in the
    /// title, in order.
    pub substitutions: Vec<Substitution>,
}

/// The API ids of the tasks a modification names (`depends:3`), as the
/// caller looked them up.
pub type Resolved = BTreeMap<TaskRef, i64>;

/// `depends:` values: `1,2` adds, `-2` removes; a task is named by its
/// number or a uuid prefix.
pub(super) fn parse_depends(value: &str) -> Result<(Vec<TaskRef>, Vec<TaskRef>), FilterError> {
    let mut add = Vec::new();
    let mut remove = Vec::new();
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (list, name) = match part.strip_prefix('-') {
            Some(name) => (&mut remove, name),
            None => (&mut add, part),
        };
        let task = TaskRef::parse(name).ok_or_else(|| {
            error(format!(
                "depends: {part:?} does not name a task (a number, or 8 or more characters of a uuid)"
            ))
        })?;
        list.push(task);
    }
    Ok((add, remove))
}

impl Modifications {
    /// Parses modifier words (see the module docs).
    pub fn parse<Tz: TimeZone, S: AsRef<str>>(
        words: &[S],
        clock: &Clock<Tz>,
        mode: ModifyMode,
    ) -> Result<Modifications, FilterError> {
        let words = words.iter().map(|w| Word::plain(w.as_ref()));
        Modifications::parse_words(words, clock, mode, Source::Arguments)
    }

    /// [`Modifications::parse`] of a typed line (the web app's quick add,
    /// the TUI's title line): a word quoted whole is title text.
    pub fn parse_line<Tz: TimeZone>(
        line: &str,
        clock: &Clock<Tz>,
        mode: ModifyMode,
    ) -> Result<Modifications, FilterError> {
        Modifications::parse_words(typed_line::split(line), clock, mode, Source::TypedLine)
    }

    fn parse_words<Tz: TimeZone>(
        words: impl IntoIterator<Item = Word>,
        clock: &Clock<Tz>,
        mode: ModifyMode,
        source: Source,
    ) -> Result<Modifications, FilterError> {
        let words: Vec<Word> = words.into_iter().collect();
        refuse_unclosed(&words)?;
        let (words, typed): (Vec<String>, Vec<Option<String>>) = words
            .iter()
            .map(|w| (w.text.clone(), w.quote.map(|_| w.as_typed())))
            .unzip();
        let quoted: Vec<bool> = typed.iter().map(Option::is_some).collect();
        let mut mods = Modifications::default();
        let mut literal = false;
        let mut i = 0;
        while i < words.len() {
            let word = &words[i];
            i += 1;
            if literal {
                mods.words.push(word.clone());
                continue;
            }
            if let Some(typed) = &typed[i - 1] {
                // Quotes that protect nothing are the title's (`about
                // "Dune"`); around words the grammar would read they only
                // protect them (`"project:x"`).
                let inner: Vec<&str> = word.split_whitespace().collect();
                let title = Modifications::parse(&inner, clock, mode)
                    .is_ok_and(|alone| alone.words == inner);
                mods.words
                    .push(if title { typed.clone() } else { word.clone() });
                continue;
            }
            if word == "--" {
                literal = true;
                continue;
            }
            let unquoted = unquoted_value(word, source);
            let word = unquoted.as_ref().unwrap_or(word);
            if mode == ModifyMode::Modify {
                if let Some(substitution) = Substitution::parse(word) {
                    mods.substitutions.push(substitution);
                    continue;
                }
                if Substitution::finds_nothing(word) {
                    return Err(error(format!(
                        "{word:?} has nothing to find: a substitution is /from/to/ (after -- \
                         the words are the title as written)"
                    )));
                }
            }
            if let Some((sign, name)) = split_tag(word) {
                match (sign, mode) {
                    ('+', _) => {
                        let tag = tag_to_add(name)?;
                        mods.remove_tags.retain(|t| *t != tag);
                        if !mods.add_tags.contains(&tag) {
                            mods.add_tags.push(tag);
                        }
                    }
                    (_, ModifyMode::Modify) => {
                        let tag = check_tag(name)?;
                        mods.add_tags.retain(|t| *t != tag);
                        if !mods.remove_tags.contains(&tag) {
                            mods.remove_tags.push(tag);
                        }
                    }
                    (_, ModifyMode::Add) => mods.words.push(word.clone()),
                }
                continue;
            }
            if let Some(uda) = split_uda(word) {
                let (name, value) = uda?;
                // A name not free for a new value may still be removed: a
                // task may have it from before it was refused.
                if let Some(problem) = uda_name_problem(&name).filter(|_| value.is_some()) {
                    return Err(error(format!("\"uda.{name}\": {problem}")));
                }
                mods.udas.insert(name, value);
                continue;
            }
            let Some((attribute, value)) = split_attribute(word) else {
                refuse_setting(word, source)?;
                refuse_start(word, source)?;
                refuse_unsupported(word, source)?;
                refuse_bare_uda(word, source)?;
                // A modification's words replace the title: one meant as
                // an attribute would put itself there.
                if mode == ModifyMode::Modify {
                    refuse_attribute_like(word, source)?;
                }
                mods.words.push(word.clone());
                continue;
            };
            match attribute {
                Attribute::Wait | Attribute::Scheduled | Attribute::Until => {
                    let (field, which) = match attribute {
                        Attribute::Wait => (&mut mods.wait, DateField::Wait),
                        Attribute::Scheduled => (&mut mods.scheduled, DateField::Scheduled),
                        _ => (&mut mods.until, DateField::Until),
                    };
                    if value.is_empty() {
                        *field = Some(None);
                    } else {
                        let (value, used) =
                            take_date_value(value, &words[i..], &quoted[i..], clock);
                        i += used;
                        let key = word.split(':').next().unwrap_or("date");
                        *field = Some(Some(parse_date(clock, key, &value)?.as_field(which)));
                    }
                }
                Attribute::Depends if value.trim().is_empty() => {
                    mods.clear_depends = true;
                    mods.add_depends.clear();
                    mods.remove_depends.clear();
                }
                Attribute::Depends => {
                    let (add, remove) = parse_depends(value)?;
                    if mode == ModifyMode::Add && !remove.is_empty() {
                        return Err(error(format!(
                            "{word}: a new task has no dependency to take away (depends:3 adds one)"
                        )));
                    }
                    mods.add_depends.retain(|id| !remove.contains(id));
                    mods.remove_depends.retain(|id| !add.contains(id));
                    mods.add_depends.extend(add);
                    mods.remove_depends.extend(remove);
                }
                Attribute::Project if value.trim().is_empty() => mods.project = Some(None),
                Attribute::Project => mods.project = Some(Some(value.trim().to_string())),
                Attribute::Priority if value.is_empty() => mods.priority = Some(None),
                Attribute::Priority => mods.priority = Some(Some(parse_priority(value)?)),
                Attribute::Due if value.is_empty() => mods.due = Some(None),
                Attribute::Due => {
                    let (value, used) = take_date_value(value, &words[i..], &quoted[i..], clock);
                    i += used;
                    mods.due = Some(Some(parse_date(clock, "due", &value)?.due()));
                }
                Attribute::Status
                | Attribute::DueBefore
                | Attribute::DueBy
                | Attribute::DueAfter
                | Attribute::ScheduledBefore
                | Attribute::ScheduledAfter => {
                    return Err(error(format!(
                        "{word:?} is a filter, not a modification ({})",
                        source.status_hint()
                    )))
                }
            }
        }
        Ok(mods)
    }

    /// The title the words make, if they make one that is not blank.
    pub fn title(&self) -> Option<String> {
        let title = self.words.join(" ");
        (!title.trim().is_empty()).then_some(title)
    }

    /// The tasks named in `depends:`, for the caller to look up.
    pub fn named_tasks(&self) -> impl Iterator<Item = &TaskRef> {
        self.add_depends.iter().chain(&self.remove_depends)
    }

    /// Whether the tags change.
    pub fn touches_tags(&self) -> bool {
        !self.add_tags.is_empty() || !self.remove_tags.is_empty()
    }

    /// Whether the patch builds on what the task holds now: its title
    /// (appended to, prepended to, substituted in) or a list or map (tags,
    /// dependencies, attributes).
    pub fn needs_current(&self) -> bool {
        (self.title_words != TitleWords::Replace && self.title().is_some())
            || self.touches_tags()
            || self.touches_depends()
            || !self.udas.is_empty()
            || !self.substitutions.is_empty()
    }

    /// Whether the dependencies change.
    fn touches_depends(&self) -> bool {
        self.clear_depends || !self.add_depends.is_empty() || !self.remove_depends.is_empty()
    }

    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        self.title().is_none()
            && self.project.is_none()
            && self.priority.is_none()
            && self.due.is_none()
            && self.description.is_none()
            && self.wait.is_none()
            && self.scheduled.is_none()
            && self.until.is_none()
            && !self.needs_current()
    }

    /// The body of `POST /api/tasks/`; fails without title words.
    /// `resolved` holds the ids of [`Modifications::named_tasks`].
    pub fn to_new_task(&self, resolved: &Resolved) -> Result<NewTask, FilterError> {
        let title = self.title().ok_or_else(|| error(NEEDS_TITLE))?;
        Ok(NewTask {
            title,
            description: self.description.clone(),
            status: None,
            priority: self.priority.flatten(),
            due: self.due.flatten(),
            project: self.project.clone().flatten(),
            tags: (!self.add_tags.is_empty()).then(|| self.add_tags.clone()),
            wait: self.wait.flatten(),
            scheduled: self.scheduled.flatten(),
            until: self.until.flatten(),
            depends: (!self.add_depends.is_empty())
                .then(|| ids(&self.add_depends, resolved).collect()),
            udas: (!self.udas.is_empty()).then(|| self.udas_over(&BTreeMap::new())),
            ..Default::default()
        })
    }

    /// `current` with this command's attributes set and removed.
    fn udas_over(&self, current: &BTreeMap<String, UdaValue>) -> BTreeMap<String, UdaValue> {
        let mut udas = current.clone();
        for (name, value) in &self.udas {
            match value {
                Some(value) => udas.insert(
                    name.clone(),
                    UdaValue::typed_over(current.get(name), &value.to_string()),
                ),
                None => udas.remove(name),
            };
        }
        udas
    }

    /// The body of `PATCH /api/tasks/{id}/`. `current` is the task as it is
    /// now; it matters only when [`Modifications::needs_current`].
    /// `resolved` holds the ids of [`Modifications::named_tasks`].
    pub fn to_patch(&self, current: &Task, resolved: &Resolved) -> TaskPatch {
        let depends = self.touches_depends().then(|| {
            let removed: Vec<i64> = ids(&self.remove_depends, resolved).collect();
            let kept: &[i64] = if self.clear_depends {
                &[]
            } else {
                &current.depends
            };
            let mut depends: Vec<i64> = kept
                .iter()
                .copied()
                .filter(|id| !removed.contains(id))
                .collect();
            for id in ids(&self.add_depends, resolved) {
                if !depends.contains(&id) {
                    depends.push(id);
                }
            }
            depends
        });
        let tags = self.touches_tags().then(|| {
            let mut tags: Vec<String> = current
                .tags
                .iter()
                .filter(|t| !self.remove_tags.contains(t))
                .cloned()
                .collect();
            for tag in &self.add_tags {
                if !tags.contains(tag) {
                    tags.push(tag.clone());
                }
            }
            tags
        });
        let title = self.worded_title(current);
        // Substitutions go over the new title, or the task's own.
        let title = match (title, self.substitutions.is_empty()) {
            (title, true) => title,
            (title, false) => {
                let before = title.unwrap_or_else(|| current.title.clone());
                let after = self
                    .substitutions
                    .iter()
                    .fold(before, |text, substitution| substitution.apply(&text));
                (after != current.title).then_some(after)
            }
        };
        TaskPatch {
            title,
            description: self.description.clone(),
            status: None,
            priority: self.priority,
            due: self.due,
            project: self.project.clone(),
            tags,
            wait: self.wait,
            scheduled: self.scheduled,
            until: self.until,
            depends,
            udas: (!self.udas.is_empty()).then(|| self.udas_over(&current.udas)),
            ..Default::default()
        }
    }
}

/// The ids of `tasks` that were looked up.
pub(super) fn ids<'a>(
    tasks: &'a [TaskRef],
    resolved: &'a Resolved,
) -> impl Iterator<Item = i64> + 'a {
    tasks.iter().filter_map(|task| resolved.get(task).copied())
}
