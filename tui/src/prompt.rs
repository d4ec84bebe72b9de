//! One-line prompts about the selected task: a note to add (`A`), or its
//! dependencies to change (`D`). What is typed is read by the same grammar
//! as the CLI's (`depends:2,-3`), and sent through the same operations.

use chrono::{DateTime, FixedOffset, Utc};
use common::api::Task;
use common::display;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};

use crate::input::Input;
use crate::msg::Change;
use crate::parse;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Annotate,
    Depends,
}

/// The prompt and the task it is about, as it was shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub task: Task,
    pub input: Input,
    /// Why Enter did not send what was typed.
    pub error: Option<String>,
    /// The task's dependencies as the user names them, for the hint.
    pub depends: String,
    /// Sent, the answer awaited: the prompt stays, with what was typed,
    /// until the change is saved, and says why if it is not.
    pub sending: bool,
}

/// What a key did to the prompt.
#[derive(Debug, PartialEq)]
pub enum PromptAction {
    None,
    Cancel,
    Send(Change),
}

impl Prompt {
    /// `rows` are the tasks on screen, to name the current dependencies by
    /// number where they are shown.
    pub fn new(kind: PromptKind, task: &Task, rows: &[Task]) -> Prompt {
        let depends: Vec<String> = task
            .depends
            .iter()
            .map(|id| match rows.iter().find(|t| t.id == *id) {
                Some(other) => display::name(other),
                None => format!("(id {id})"),
            })
            .collect();
        Prompt {
            kind,
            task: task.clone(),
            input: Input::default(),
            error: None,
            depends: depends.join(","),
            sending: false,
        }
    }

    pub fn title(&self) -> String {
        let name = display::name(&self.task);
        match self.kind {
            PromptKind::Annotate => format!(" Note for task {name} "),
            PromptKind::Depends => format!(" Task {name} waits for "),
        }
    }

    /// The line under the input.
    pub fn hint(&self) -> String {
        if self.sending {
            return "saving…".to_string();
        }
        match self.kind {
            PromptKind::Annotate => "enter adds the note · esc cancels".to_string(),
            PromptKind::Depends => {
                let now = if self.depends.is_empty() {
                    "none".to_string()
                } else {
                    self.depends.clone()
                };
                format!("now: {now} · 2,3 adds, -2 removes · enter saves · esc cancels")
            }
        }
    }

    pub fn handle_key(
        &mut self,
        modifiers: KeyModifiers,
        code: KeyCode,
        now: DateTime<Utc>,
        tz: FixedOffset,
    ) -> PromptAction {
        match code {
            KeyCode::Esc => PromptAction::Cancel,
            KeyCode::Enter => match self.change(now, tz) {
                Ok(change) => PromptAction::Send(change),
                Err(reason) => {
                    self.error = Some(reason);
                    PromptAction::None
                }
            },
            _ => {
                if self.input.handle(modifiers, code) {
                    self.error = None;
                }
                PromptAction::None
            }
        }
    }

    /// What was typed, as a change of the task.
    fn change(&self, now: DateTime<Utc>, tz: FixedOffset) -> Result<Change, String> {
        let text = self.input.value().trim();
        match self.kind {
            PromptKind::Annotate if text.is_empty() => Err("type the note first".to_string()),
            PromptKind::Annotate => Ok(Change::Annotate(text.to_string())),
            PromptKind::Depends => {
                let words: Vec<String> = text
                    .split([',', ' '])
                    .filter(|w| !w.is_empty())
                    .map(|w| format!("depends:{w}"))
                    .collect();
                if words.is_empty() {
                    return Err("type task numbers: 2,3 adds, -2 removes".to_string());
                }
                let mods = parse::modifications(&words, now, tz)?;
                Ok(Change::Modify(Box::new(mods)))
            }
        }
    }
}
