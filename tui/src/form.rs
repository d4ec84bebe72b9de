//! The add/edit form and the login form: their fields, keys and validation.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use common::api::{NewTask, Priority, Status, Task, TaskPatch, UdaValue};
use common::filter::Modifications;
use common::task_ref::TaskRef;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};

use crate::input::Input;
use crate::parse;
use crate::text;

/// What a key did to a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormAction {
    None,
    Submit,
    Cancel,
}

/// The fields of a task, in the order the form shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Title,
    Description,
    Project,
    Priority,
    Due,
    Tags,
    Status,
}

/// A field given a value both in itself and in the title line.
const TWICE: &str = "also given in the title line, differently: keep one";

impl Field {
    pub const ALL: [Field; 7] = [
        Field::Title,
        Field::Description,
        Field::Project,
        Field::Priority,
        Field::Due,
        Field::Tags,
        Field::Status,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Field::Title => "Title",
            Field::Description => "Description",
            Field::Project => "Project",
            Field::Priority => "Priority",
            Field::Due => "Due",
            Field::Tags => "Tags",
            Field::Status => "Status",
        }
    }

    /// The API's name for the field, as in a problem's `errors`.
    pub fn from_api(name: &str) -> Option<Field> {
        Some(match name {
            "title" => Field::Title,
            "description" => Field::Description,
            "project" => Field::Project,
            "priority" => Field::Priority,
            "due" => Field::Due,
            "tags" => Field::Tags,
            "status" => Field::Status,
            _ => return None,
        })
    }

    /// Fields chosen from a short list rather than typed.
    pub fn is_choice(self) -> bool {
        matches!(self, Field::Priority | Field::Status)
    }

    fn index(self) -> usize {
        Field::ALL.iter().position(|f| *f == self).unwrap_or(0)
    }

    fn step(self, forward: bool) -> Field {
        let n = Field::ALL.len();
        let i = self.index();
        Field::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}

/// `a` and `e` open this: every writable field of a task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskForm {
    /// The task being edited; `None` when adding.
    pub original: Option<Task>,
    pub title: Input,
    pub description: Input,
    pub project: Input,
    pub due: Input,
    pub tags: Input,
    pub priority: Option<Priority>,
    pub status: Status,
    pub focus: Field,
    /// Messages shown beside their field: from checks here or from the server.
    pub errors: BTreeMap<Field, String>,
    /// A message about the whole form (the server's detail, a network error).
    pub error: Option<String>,
    /// Waiting for the server to answer a submit.
    pub saving: bool,
    /// The server's version, when the task changed elsewhere while this
    /// form was open: Enter then saves the user's changes over it, Esc
    /// takes it.
    pub conflict: Option<Task>,
}

impl TaskForm {
    pub fn add() -> TaskForm {
        TaskForm {
            original: None,
            title: Input::default(),
            description: Input::default(),
            project: Input::default(),
            due: Input::default(),
            tags: Input::default(),
            priority: None,
            status: Status::Pending,
            focus: Field::Title,
            conflict: None,
            errors: BTreeMap::new(),
            error: None,
            saving: false,
        }
    }

    pub fn edit(task: &Task, tz: FixedOffset) -> TaskForm {
        TaskForm {
            title: Input::new(task.title.clone()),
            description: Input::new(task.description.clone()),
            project: Input::new(task.project.clone().unwrap_or_default()),
            due: Input::new(
                task.due
                    .map(|due| text::due_input(due, tz))
                    .unwrap_or_default(),
            ),
            tags: Input::new(task.tags.join(" ")),
            priority: task.priority,
            status: task.status,
            original: Some(task.clone()),
            ..TaskForm::add()
        }
    }

    /// After a conflict: each field this form changes, with the value typed
    /// here and the server's, for the user to choose between.
    pub fn conflict_rows(&self, tz: FixedOffset) -> Vec<(&'static str, String, String)> {
        let (Some(original), Some(server)) = (&self.original, &self.conflict) else {
            return Vec::new();
        };
        let due = |task: &Task| task.due.map(|d| text::due_input(d, tz)).unwrap_or_default();
        let priority = |p: Option<Priority>| p.map_or("none", |p| p.as_str()).to_string();
        let mut rows = Vec::new();
        let mut row = |label, mine: String, was: String, theirs: String| {
            if mine != was {
                rows.push((label, mine, theirs));
            }
        };
        row(
            "Title",
            self.title.value().trim().to_string(),
            original.title.clone(),
            server.title.clone(),
        );
        row(
            "Description",
            self.description.value().to_string(),
            original.description.clone(),
            server.description.clone(),
        );
        row(
            "Project",
            self.project.value().trim().to_string(),
            original.project.clone().unwrap_or_default(),
            server.project.clone().unwrap_or_default(),
        );
        row(
            "Priority",
            priority(self.priority),
            priority(original.priority),
            priority(server.priority),
        );
        row(
            "Due",
            self.due.value().trim().to_string(),
            due(original),
            due(server),
        );
        row(
            "Tags",
            self.tags.value().trim().to_string(),
            original.tags.join(" "),
            server.tags.join(" "),
        );
        row(
            "Status",
            self.status.as_str().to_string(),
            original.status.as_str().to_string(),
            server.status.as_str().to_string(),
        );
        rows
    }

    pub fn is_edit(&self) -> bool {
        self.original.is_some()
    }

    pub fn input(&self, field: Field) -> Option<&Input> {
        match field {
            Field::Title => Some(&self.title),
            Field::Description => Some(&self.description),
            Field::Project => Some(&self.project),
            Field::Due => Some(&self.due),
            Field::Tags => Some(&self.tags),
            Field::Priority | Field::Status => None,
        }
    }

    fn input_mut(&mut self, field: Field) -> Option<&mut Input> {
        match field {
            Field::Title => Some(&mut self.title),
            Field::Description => Some(&mut self.description),
            Field::Project => Some(&mut self.project),
            Field::Due => Some(&mut self.due),
            Field::Tags => Some(&mut self.tags),
            Field::Priority | Field::Status => None,
        }
    }

    /// What a choice field shows.
    pub fn choice(&self, field: Field) -> &'static str {
        match field {
            Field::Priority => self.priority.map_or("none", Priority::as_str),
            Field::Status => self.status.as_str(),
            _ => "",
        }
    }

    fn cycle(&mut self, field: Field, forward: bool) {
        match field {
            Field::Priority => {
                const ORDER: [Option<Priority>; 4] = [
                    None,
                    Some(Priority::Low),
                    Some(Priority::Medium),
                    Some(Priority::High),
                ];
                let i = ORDER.iter().position(|p| *p == self.priority).unwrap_or(0);
                self.priority = ORDER[if forward { (i + 1) % 4 } else { (i + 3) % 4 }];
            }
            Field::Status => {
                self.status = match self.status {
                    Status::Pending => Status::Done,
                    Status::Done => Status::Pending,
                }
            }
            _ => {}
        }
    }

    pub fn handle_key(&mut self, modifiers: KeyModifiers, code: KeyCode) -> FormAction {
        if self.saving {
            // Keys wait until the server answers, except giving up.
            return match code {
                KeyCode::Esc => FormAction::Cancel,
                _ => FormAction::None,
            };
        }
        // Inside a description of several lines, ↑/↓ move between its lines;
        // past its first or last line they move between fields as elsewhere.
        if self.focus == Field::Description
            && modifiers == KeyModifiers::NONE
            && matches!(code, KeyCode::Up | KeyCode::Down)
            && self.description.move_line(code == KeyCode::Up)
        {
            return FormAction::None;
        }
        match (modifiers, code) {
            (_, KeyCode::Esc) => return FormAction::Cancel,
            // Enter saves, so a line break in the description takes Ctrl-J
            // (what a terminal sends for it) or Alt-Enter.
            (KeyModifiers::CONTROL, KeyCode::Char('j')) | (KeyModifiers::ALT, KeyCode::Enter)
                if self.focus == Field::Description =>
            {
                self.description.insert('\n');
                self.errors.remove(&Field::Description);
            }
            (_, KeyCode::Enter) | (KeyModifiers::CONTROL, KeyCode::Char('s')) => {
                return FormAction::Submit
            }
            (_, KeyCode::Tab) | (_, KeyCode::Down) => self.focus = self.focus.step(true),
            (_, KeyCode::BackTab) | (_, KeyCode::Up) => self.focus = self.focus.step(false),
            (_, code) if self.focus.is_choice() => match code {
                KeyCode::Left => self.cycle(self.focus, false),
                KeyCode::Right | KeyCode::Char(' ') => self.cycle(self.focus, true),
                KeyCode::Char(c) if self.focus == Field::Priority => match c.to_ascii_lowercase() {
                    'n' => self.priority = None,
                    c => {
                        if let Some(p) = Priority::parse(&c.to_string()) {
                            self.priority = Some(p);
                        }
                    }
                },
                KeyCode::Char(c) if self.focus == Field::Status => match c {
                    'p' | 'P' => self.status = Status::Pending,
                    'd' | 'D' => self.status = Status::Done,
                    _ => {}
                },
                _ => {}
            },
            (modifiers, code) => {
                let focus = self.focus;
                if let Some(input) = self.input_mut(focus) {
                    if input.handle(modifiers, code) {
                        self.errors.remove(&focus);
                    }
                }
            }
        }
        FormAction::None
    }

    /// Pasted text goes in as typed: line breaks stay in the description and
    /// become spaces elsewhere; other control characters are dropped.
    pub fn paste(&mut self, text: &str) {
        let focus = self.focus;
        let line_break = if focus == Field::Description {
            '\n'
        } else {
            ' '
        };
        if let Some(input) = self.input_mut(focus) {
            for c in text.replace("\r\n", "\n").chars() {
                match c {
                    '\n' | '\r' => input.insert(line_break),
                    c if c.is_control() => {}
                    c => input.insert(c),
                }
            }
        }
    }

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
        let due_text = self.due.value().trim();
        let mut due = if due_text.is_empty() {
            None
        } else {
            match parse::due(due_text, now, tz) {
                Ok(due) => Some(due),
                Err(message) => {
                    self.errors.insert(Field::Due, message);
                    None
                }
            }
        };
        let mut tags = common::filter::tag_list(self.tags.value()).unwrap_or_else(|err| {
            self.errors
                .insert(Field::Tags, text::escape(&err.to_string()).into_owned());
            Vec::new()
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
                    if let Some(Some(named)) = mods.due {
                        if due.is_some_and(|d| d != named) {
                            self.errors.insert(Field::Due, TWICE.into());
                        }
                        due = Some(named);
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
            due,
            tags,
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
        let udas: BTreeMap<String, UdaValue> = v
            .extra
            .udas
            .iter()
            .filter_map(|(name, value)| Some((name.clone(), value.clone()?)))
            .collect();
        let task = NewTask {
            title: v.title,
            description: Some(v.description).filter(|d| !d.is_empty()),
            status: Some(v.status).filter(|s| *s != Status::Pending),
            priority: v.priority,
            due: v.due,
            project: v.project,
            tags: Some(v.tags).filter(|t| !t.is_empty()),
            wait: v.extra.wait.flatten(),
            scheduled: v.extra.scheduled.flatten(),
            until: v.extra.until.flatten(),
            udas: (!udas.is_empty()).then_some(udas),
            ..Default::default()
        };
        Some((task, v.extra.add_depends))
    }

    /// The fields that changed, for `PATCH`; `None` with the errors set.
    /// A due date left as it was shown is not sent, so it is never rounded.
    pub fn patch(&mut self, now: DateTime<Utc>, tz: FixedOffset) -> Option<TaskPatch> {
        let original = self.original.clone()?;
        let shown_due = original
            .due
            .map(|due| text::due_input(due, tz))
            .unwrap_or_default();
        let due_changed = self.due.value().trim() != shown_due;
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
        if due_changed && v.due != original.due {
            patch.due = Some(v.due);
        }
        if v.project != original.project {
            patch.project = Some(v.project);
        }
        if v.tags != original.tags {
            patch.tags = Some(v.tags);
        }
        Some(patch)
    }

    /// Shows a problem from the server beside the fields it names.
    pub fn show_problem(&mut self, problem: &common::api::Problem) {
        self.saving = false;
        let mut general = Vec::new();
        for (name, messages) in problem.errors.iter().flatten() {
            let message = messages.join(" ");
            match Field::from_api(name) {
                Some(field) => {
                    self.errors.insert(field, message);
                }
                None => general.push(format!("{name}: {message}")),
            }
        }
        if self.errors.is_empty() || !general.is_empty() {
            let mut line = problem.detail.clone();
            if line.is_empty() {
                line = problem.title.clone();
            }
            for extra in general {
                line.push_str(&format!(" ({extra})"));
            }
            self.error = Some(line);
        }
        if let Some(first) = self.errors.keys().next() {
            self.focus = *first;
        }
    }
}

struct Values {
    title: String,
    description: String,
    project: Option<String>,
    priority: Option<Priority>,
    due: Option<DateTime<Utc>>,
    tags: Vec<String>,
    status: Status,
    /// What else the title line of a new task said (`wait:`, `depends:`, …).
    extra: Modifications,
}
