//! The add/edit form: its fields and keys. What its fields say to the API
//! is [`values`]'s.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use common::api::{Priority, Status, Task};
use ratatui::crossterm::event::{KeyCode, KeyModifiers};

use crate::input::Input;
use crate::text;

mod values;

pub use values::Save;

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
    Scheduled,
    Wait,
    Until,
    Tags,
    Attributes,
    Status,
}

/// A field given a value both in itself and in the title line.
const TWICE: &str = "also given in the title line, differently: keep one";

impl Field {
    pub const ALL: [Field; 11] = [
        Field::Title,
        Field::Description,
        Field::Project,
        Field::Priority,
        Field::Due,
        Field::Scheduled,
        Field::Wait,
        Field::Until,
        Field::Tags,
        Field::Attributes,
        Field::Status,
    ];

    /// The fields that hold a date, read as `task add due:DATE` reads one.
    pub const DATES: [Field; 4] = [Field::Due, Field::Scheduled, Field::Wait, Field::Until];

    pub fn label(self) -> &'static str {
        match self {
            Field::Title => "Title",
            Field::Description => "Description",
            Field::Project => "Project",
            Field::Priority => "Priority",
            Field::Due => "Due",
            Field::Scheduled => "Scheduled",
            Field::Wait => "Wait",
            Field::Until => "Until",
            Field::Tags => "Tags",
            Field::Attributes => "Attributes",
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
            "scheduled" => Field::Scheduled,
            "wait" => Field::Wait,
            "until" => Field::Until,
            "tags" => Field::Tags,
            "udas" => Field::Attributes,
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
    pub scheduled: Input,
    pub wait: Input,
    pub until: Input,
    pub tags: Input,
    /// The task's own attributes (UDAs), `name:value` words.
    pub attributes: Input,
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
    /// What the fields held when the form opened, to tell whether Esc
    /// would drop anything typed.
    opened: Shown,
    /// Esc was pressed once over unsaved changes: a second drops them.
    pub confirm_discard: bool,
}

/// Every field's value as shown, to compare one moment's form with another's.
type Shown = (Vec<String>, Option<Priority>, Status);

impl TaskForm {
    pub fn add() -> TaskForm {
        let mut form = TaskForm {
            original: None,
            title: Input::default(),
            description: Input::default(),
            project: Input::default(),
            due: Input::default(),
            scheduled: Input::default(),
            wait: Input::default(),
            until: Input::default(),
            tags: Input::default(),
            attributes: Input::default(),
            priority: None,
            status: Status::Pending,
            focus: Field::Title,
            conflict: None,
            errors: BTreeMap::new(),
            error: None,
            saving: false,
            opened: (Vec::new(), None, Status::Pending),
            confirm_discard: false,
        };
        form.opened = form.snapshot();
        form
    }

    pub fn edit(task: &Task, tz: FixedOffset) -> TaskForm {
        let date = |field| Input::new(shown_date(task, field, tz));
        let mut form = TaskForm {
            title: Input::new(task.title.clone()),
            description: Input::new(task.description.clone()),
            project: Input::new(task.project.clone().unwrap_or_default()),
            due: date(Field::Due),
            scheduled: date(Field::Scheduled),
            wait: date(Field::Wait),
            until: date(Field::Until),
            tags: Input::new(task.tags.join(" ")),
            attributes: Input::new(values::shown_attributes(task)),
            priority: task.priority,
            status: task.status,
            original: Some(task.clone()),
            ..TaskForm::add()
        };
        form.opened = form.snapshot();
        form
    }

    fn snapshot(&self) -> Shown {
        let texts = Field::ALL
            .iter()
            .filter_map(|&field| self.input(field))
            .map(|input| input.value().to_string())
            .collect();
        (texts, self.priority, self.status)
    }

    /// Whether anything was typed or chosen since the form opened.
    pub fn is_changed(&self) -> bool {
        self.snapshot() != self.opened
    }

    /// The server's version, read after a conflict: a field still as the
    /// form last showed it (the task's, or the server's after an earlier
    /// conflict) takes the new version's value, so that the form shows what
    /// a save would leave. Fields changed here keep what was typed (the
    /// conflict's rows show the server's beside them).
    pub fn take_server(&mut self, server: Task, tz: FixedOffset) {
        let Some(basis) = self.conflict.take().or_else(|| self.original.clone()) else {
            return;
        };
        for field in Field::ALL {
            let (was, theirs) = (shown(&basis, field, tz), shown(&server, field, tz));
            if was == theirs {
                continue;
            }
            match field {
                Field::Priority if self.priority == basis.priority => {
                    self.priority = server.priority;
                }
                Field::Status if self.status == basis.status => self.status = server.status,
                _ => {
                    if let Some(input) = self.input_mut(field).filter(|i| i.value() == was) {
                        input.set(theirs);
                    }
                }
            }
        }
        self.conflict = Some(server);
    }

    /// After a conflict: each field changed both here and on the server,
    /// differently, with the value typed here and the server's, for the
    /// user to choose between. A field changed on one side only needs no
    /// choosing: the save sends only what changed here.
    pub fn conflict_rows(&self, tz: FixedOffset) -> Vec<(&'static str, String, String)> {
        let (Some(original), Some(server)) = (&self.original, &self.conflict) else {
            return Vec::new();
        };
        let priority = |p: Option<Priority>| p.map_or("none", |p| p.as_str()).to_string();
        let mut rows = Vec::new();
        let mut row = |label, mine: String, was: String, theirs: String| {
            if mine != was && theirs != was && theirs != mine {
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
        for field in Field::DATES {
            row(
                field.label(),
                self.input(field)
                    .map_or("", Input::value)
                    .trim()
                    .to_string(),
                shown_date(original, field, tz),
                shown_date(server, field, tz),
            );
        }
        row(
            "Tags",
            self.tags.value().trim().to_string(),
            original.tags.join(" "),
            server.tags.join(" "),
        );
        // Attribute by attribute: only those changed on both sides.
        match values::attributes(self.attributes.value(), Some(original)) {
            Ok(mine) => {
                let (mine, theirs) = values::both_changed(&mine, &original.udas, &server.udas);
                row("Attributes", mine, String::new(), theirs);
            }
            Err(_) => row(
                "Attributes",
                self.attributes.value().trim().to_string(),
                values::shown_attributes(original),
                values::shown_attributes(server),
            ),
        }
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

    /// Makes the form a new task's, every value as it stands: for an edit
    /// whose task was deleted meanwhile, so that what was typed can still
    /// be saved. Values left as shown are then read as typed.
    pub fn detach(&mut self) {
        self.original = None;
        self.conflict = None;
        self.errors.clear();
    }

    pub fn input(&self, field: Field) -> Option<&Input> {
        match field {
            Field::Title => Some(&self.title),
            Field::Description => Some(&self.description),
            Field::Project => Some(&self.project),
            Field::Due => Some(&self.due),
            Field::Scheduled => Some(&self.scheduled),
            Field::Wait => Some(&self.wait),
            Field::Until => Some(&self.until),
            Field::Tags => Some(&self.tags),
            Field::Attributes => Some(&self.attributes),
            Field::Priority | Field::Status => None,
        }
    }

    fn input_mut(&mut self, field: Field) -> Option<&mut Input> {
        match field {
            Field::Title => Some(&mut self.title),
            Field::Description => Some(&mut self.description),
            Field::Project => Some(&mut self.project),
            Field::Due => Some(&mut self.due),
            Field::Scheduled => Some(&mut self.scheduled),
            Field::Wait => Some(&mut self.wait),
            Field::Until => Some(&mut self.until),
            Field::Tags => Some(&mut self.tags),
            Field::Attributes => Some(&mut self.attributes),
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
        // Esc over unsaved changes asks first; after a conflict it is the
        // choice the form offers, so it takes the server's version at once.
        let discard = code == KeyCode::Esc
            && (self.confirm_discard || self.conflict.is_some() || !self.is_changed());
        self.confirm_discard = code == KeyCode::Esc && !discard;
        match (modifiers, code) {
            (_, KeyCode::Esc) if discard => return FormAction::Cancel,
            (_, KeyCode::Esc) => {}
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

/// The task's value of `field` as the form shows it.
fn shown(task: &Task, field: Field, tz: FixedOffset) -> String {
    match field {
        Field::Title => task.title.clone(),
        Field::Description => task.description.clone(),
        Field::Project => task.project.clone().unwrap_or_default(),
        Field::Priority => task.priority.map_or("none", Priority::as_str).to_string(),
        Field::Due | Field::Scheduled | Field::Wait | Field::Until => shown_date(task, field, tz),
        Field::Tags => task.tags.join(" "),
        Field::Attributes => values::shown_attributes(task),
        Field::Status => task.status.as_str().to_string(),
    }
}

/// The task's date in `field`, as the form shows it.
fn shown_date(task: &Task, field: Field, tz: FixedOffset) -> String {
    date_of(task, field)
        .map(|at| text::due_input(at, tz))
        .unwrap_or_default()
}

/// The task's date in `field` (`None` for a field that holds no date).
fn date_of(task: &Task, field: Field) -> Option<DateTime<Utc>> {
    match field {
        Field::Due => task.due,
        Field::Scheduled => task.scheduled,
        Field::Wait => task.wait,
        Field::Until => task.until,
        _ => None,
    }
}
