//! Key and mouse handling: the part of `update` that reads input.
//! Keys are matched on `(modifiers, code)`; releases are ignored.

use common::api::Status;
use common::client::Direction;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use crate::app::{App, Overlay};
use crate::form::{FormAction, Save, TaskForm};
use crate::layout;
use crate::msg::{Change, Command};
use crate::parse;
use crate::prompt::{Prompt, PromptAction, PromptKind};

/// Rows a mouse-wheel notch moves.
const WHEEL_ROWS: isize = 3;

/// `(modifiers, code)` with Shift folded into the character (`G`, not Shift+`g`).
pub fn normalize(key: KeyEvent) -> (KeyModifiers, KeyCode) {
    match key.code {
        KeyCode::Char(_) => (key.modifiers - KeyModifiers::SHIFT, key.code),
        code => (key.modifiers, code),
    }
}

impl App {
    pub(crate) fn on_key(&mut self, key: KeyEvent) -> Vec<Command> {
        if key.kind == KeyEventKind::Release {
            return Vec::new();
        }
        let (modifiers, code) = normalize(key);
        if (modifiers, code) == (KeyModifiers::CONTROL, KeyCode::Char('c')) {
            self.quit = true;
            return Vec::new();
        }
        if layout::too_small(self.size) {
            // Nothing can be seen: only leaving is safe (q, as always).
            if code == KeyCode::Char('q') {
                self.quit = true;
            }
            return Vec::new();
        }
        if self.login.is_some() {
            return self.on_login_key(modifiers, code);
        }
        match &self.overlay {
            Overlay::None => {}
            Overlay::Help { scroll } => {
                // Arrows and j/k scroll a help longer than the screen; any
                // other key closes it, and any key at all one that fits, as
                // its last line says.
                let scroll = *scroll;
                let most = crate::ui::help_scroll_max(self.size);
                self.overlay = match code {
                    _ if most == 0 => Overlay::None,
                    KeyCode::Char('j') | KeyCode::Down | KeyCode::PageDown => Overlay::Help {
                        scroll: scroll.saturating_add(1).min(most),
                    },
                    KeyCode::Char('k') | KeyCode::Up | KeyCode::PageUp => Overlay::Help {
                        scroll: scroll.saturating_sub(1),
                    },
                    _ => Overlay::None,
                };
                return Vec::new();
            }
            Overlay::ConfirmDelete(task) => {
                let task = task.clone();
                return match code {
                    KeyCode::Char('y' | 'Y') | KeyCode::Enter => {
                        self.overlay = Overlay::None;
                        self.waiting_for_deleted = None;
                        vec![Command::DeleteTask { task }]
                    }
                    KeyCode::Char('n' | 'N' | 'q') | KeyCode::Esc => {
                        self.overlay = Overlay::None;
                        self.waiting_for_deleted = None;
                        Vec::new()
                    }
                    _ => Vec::new(),
                };
            }
            Overlay::Form(_) => return self.on_form_key(modifiers, code),
            Overlay::Prompt(_) => return self.on_prompt_key(modifiers, code),
        }
        if self.filter.editing {
            return self.on_filter_key(modifiers, code);
        }
        self.on_table_key(modifiers, code)
    }

    fn on_table_key(&mut self, modifiers: KeyModifiers, code: KeyCode) -> Vec<Command> {
        let page = isize::try_from(self.page_rows()).unwrap_or(1);
        const NONE: KeyModifiers = KeyModifiers::NONE;
        const CTRL: KeyModifiers = KeyModifiers::CONTROL;
        const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
        let on_a_row = matches!(
            (modifiers, code),
            (
                NONE,
                KeyCode::Char('e' | ' ' | 'x' | 'A' | 'D' | 'S') | KeyCode::Delete
            ) | (SHIFT, KeyCode::Char('S'))
        );
        if on_a_row && !self.rows_are_current() {
            self.info(
                "The new view is still loading: nothing was done. Press it again once it shows.",
            );
            return Vec::new();
        }
        match (modifiers, code) {
            (NONE, KeyCode::Char('q')) => self.quit = true,
            // Esc closes what is open, and never quits: q does.
            (NONE, KeyCode::Esc) => {
                if self.show_detail {
                    self.show_detail = false;
                    self.scroll_into_view();
                } else if !self.filter.applied.is_empty() {
                    self.filter = crate::app::Filter::default();
                    self.info("Filter cleared.");
                    return vec![self.reload()];
                } else {
                    self.info("Nothing to close: q quits.");
                }
            }
            (NONE, KeyCode::Char('j') | KeyCode::Down) => self.move_by(1),
            (NONE, KeyCode::Char('k') | KeyCode::Up) => self.move_by(-1),
            (NONE, KeyCode::Char('g') | KeyCode::Home) => self.select(0),
            (NONE, KeyCode::Char('G') | KeyCode::End) => self.select(usize::MAX),
            (NONE, KeyCode::PageDown) | (CTRL, KeyCode::Char('f' | 'd')) => self.move_by(page),
            (NONE, KeyCode::PageUp) | (CTRL, KeyCode::Char('b' | 'u')) => self.move_by(-page),
            (NONE, KeyCode::Char('a')) => {
                self.overlay = Overlay::Form(Box::new(TaskForm::add()));
            }
            (NONE, KeyCode::Char('e')) => match self.selected_task() {
                Some(task) => {
                    self.overlay = Overlay::Form(Box::new(TaskForm::edit(task, self.tz)));
                }
                None => self.error("No task selected."),
            },
            (NONE, KeyCode::Char(' ')) => match self.selected_task() {
                Some(task) => {
                    let status = match task.status {
                        Status::Pending => Status::Done,
                        Status::Done => Status::Pending,
                    };
                    return vec![Command::Change {
                        task: Box::new(task.clone()),
                        change: Change::Status(status),
                    }];
                }
                None => self.error("No task selected."),
            },
            (NONE, KeyCode::Char('x') | KeyCode::Delete) => match self.selected_task() {
                Some(task) => {
                    let task = task.clone();
                    // Those waiting for it may be hidden from this view:
                    // the question names them as the server finds them.
                    self.waiting_for_deleted = None;
                    let find = task
                        .blocking
                        .then_some(Command::FindWaiting { id: task.id });
                    self.overlay = Overlay::ConfirmDelete(Box::new(task));
                    return find.into_iter().collect();
                }
                None => self.error("No task selected."),
            },
            (NONE, KeyCode::Char('A')) => match self.selected_task() {
                Some(task) => {
                    let prompt = Prompt::new(PromptKind::Annotate, task, &self.tasks);
                    self.overlay = Overlay::Prompt(Box::new(prompt));
                }
                None => self.error("No task selected."),
            },
            (NONE, KeyCode::Char('D')) => match self.selected_task() {
                Some(task) => {
                    let prompt = Prompt::new(PromptKind::Depends, task, &self.tasks);
                    self.overlay = Overlay::Prompt(Box::new(prompt));
                }
                None => self.error("No task selected."),
            },
            (NONE, KeyCode::Char('/')) => {
                self.filter.editing = true;
                self.filter.error = None;
                self.filter.input.set(self.filter.applied.clone());
                self.filter.remember(self.selected_id);
                self.scroll_into_view();
            }
            (NONE, KeyCode::Char('s')) => {
                self.sort = self.sort.next();
                self.info(format!("Sorted by {}.", self.sort.label()));
                return vec![self.reload()];
            }
            (NONE, KeyCode::Tab) => {
                if let Some(status) = self.filter.parsed.query.status {
                    self.info(format!(
                        "The filter asks for status:{}: tab changes nothing until it is cleared.",
                        status.as_str()
                    ));
                    return Vec::new();
                }
                self.scope = self.scope.toggle();
                return vec![self.reload()];
            }
            (NONE, KeyCode::Char('w')) => {
                self.show_waiting = !self.show_waiting;
                // Said, as `s` says its sort: a message left from before
                // would otherwise read as about this.
                self.info(if self.show_waiting {
                    "Showing waiting tasks too."
                } else {
                    "Waiting tasks hidden."
                });
                return vec![self.reload()];
            }
            (SHIFT, KeyCode::Char('S')) | (NONE, KeyCode::Char('S')) => {
                match self.selected_task() {
                    Some(task) if task.status == Status::Done => {
                        self.error("A done task cannot be started: reopen it first.")
                    }
                    Some(task) => {
                        return vec![Command::Change {
                            task: Box::new(task.clone()),
                            change: Change::Active(task.start.is_none()),
                        }];
                    }
                    None => self.error("No task selected."),
                }
            }
            (NONE, KeyCode::Enter) => {
                self.show_detail = !self.show_detail;
                self.scroll_into_view();
            }
            (SHIFT | NONE, KeyCode::Char(c @ ('J' | 'K'))) => {
                if self.show_detail {
                    self.scroll_detail(if c == 'J' { 1 } else { -1 });
                } else {
                    self.info("J and K scroll the details pane: Enter opens it.");
                }
            }
            (NONE, KeyCode::Char('r')) | (CTRL, KeyCode::Char('r')) | (_, KeyCode::F(5)) => {
                return vec![self.reload()]
            }
            (NONE, KeyCode::Char('u')) => {
                return vec![Command::Revert {
                    direction: Direction::Undo,
                }]
            }
            (SHIFT, KeyCode::Char('U')) | (NONE, KeyCode::Char('U')) => {
                return vec![Command::Revert {
                    direction: Direction::Redo,
                }]
            }
            (NONE, KeyCode::Char('?')) | (_, KeyCode::F(1)) => {
                self.overlay = Overlay::Help { scroll: 0 }
            }
            (_, code) => {
                let name = match code {
                    KeyCode::Char(c) => c.to_string(),
                    other => format!("{other:?}"),
                };
                let name = match (modifiers, code) {
                    (CTRL, KeyCode::Char(_)) => format!("ctrl-{name}"),
                    _ => name,
                };
                self.info(format!("{name} does nothing here: ? lists the keys."));
            }
        }
        Vec::new()
    }

    fn on_filter_key(&mut self, modifiers: KeyModifiers, code: KeyCode) -> Vec<Command> {
        let page = isize::try_from(self.page_rows()).unwrap_or(1);
        match code {
            // The selection still moves while typing.
            KeyCode::Down => {
                self.move_by(1);
                Vec::new()
            }
            KeyCode::Up => {
                self.move_by(-1);
                Vec::new()
            }
            KeyCode::PageDown => {
                self.move_by(page);
                Vec::new()
            }
            KeyCode::PageUp => {
                self.move_by(-page);
                Vec::new()
            }
            // A filter that does not parse is not kept: the line stays open,
            // its error beside it, until it is fixed or Esc restores the last.
            KeyCode::Enter if self.filter.error.is_some() => Vec::new(),
            KeyCode::Enter => {
                self.filter.editing = false;
                self.scroll_into_view();
                Vec::new()
            }
            KeyCode::Esc => {
                self.filter.editing = false;
                self.filter.error = None;
                let (changed, selected) = self.filter.restore();
                // The task selected before `/`, once its rows are back.
                self.select_id = selected;
                if changed {
                    vec![self.reload()]
                } else {
                    self.keep_selection();
                    Vec::new()
                }
            }
            _ => {
                let before = self.filter.input.value().to_string();
                self.filter.input.handle(modifiers, code);
                self.filter_typed(&before)
            }
        }
    }

    /// Applies the filter as typed: a new query to the server once typing
    /// pauses, whose answer replaces the rows (the last ones stay on screen
    /// until then).
    fn filter_typed(&mut self, before: &str) -> Vec<Command> {
        let text = self.filter.input.value().to_string();
        if text == before {
            return Vec::new();
        }
        match parse::filter(&text, self.now, self.tz) {
            Ok(parsed) => {
                self.filter.error = None;
                self.filter.applied = text;
                if parsed == self.filter.parsed {
                    return Vec::new();
                }
                self.filter.parsed = parsed;
                vec![self.reload_after(crate::app::FILTER_PAUSE)]
            }
            Err(reason) => {
                self.filter.error = Some(reason);
                Vec::new()
            }
        }
    }

    fn on_form_key(&mut self, modifiers: KeyModifiers, code: KeyCode) -> Vec<Command> {
        let Overlay::Form(form) = &mut self.overlay else {
            return Vec::new();
        };
        match form.handle_key(modifiers, code) {
            FormAction::None => Vec::new(),
            FormAction::Cancel => {
                // A save already sent goes on: its answer is told as any is.
                let sent = form.saving;
                let took_theirs = form.conflict.is_some() && !sent;
                let dropped = form.is_changed() && !sent;
                self.overlay = Overlay::None;
                if took_theirs {
                    self.info("Kept the version changed elsewhere.");
                    return vec![self.reload()];
                }
                if sent {
                    self.info("Closed the form; the save it sent goes on.");
                } else if dropped {
                    self.info("Dropped the form's changes.");
                }
                Vec::new()
            }
            FormAction::Submit => self.submit_form(),
        }
    }

    /// Enter on the form (or its save again after a conflict that asks
    /// nothing): what it asks of the server.
    pub(crate) fn submit_form(&mut self) -> Vec<Command> {
        let Overlay::Form(form) = &mut self.overlay else {
            return Vec::new();
        };
        match form.save(self.now, self.tz) {
            Save::Send(command) => {
                form.saving = true;
                vec![*command]
            }
            Save::Unchanged => {
                // After a conflict the rows are older than the server's.
                let stale = form.conflict.is_some();
                self.overlay = Overlay::None;
                self.info("Nothing changed.");
                if stale {
                    vec![self.reload()]
                } else {
                    Vec::new()
                }
            }
            Save::Invalid => Vec::new(),
        }
    }

    fn on_prompt_key(&mut self, modifiers: KeyModifiers, code: KeyCode) -> Vec<Command> {
        let Overlay::Prompt(prompt) = &mut self.overlay else {
            return Vec::new();
        };
        if prompt.sending {
            // Esc leaves without waiting; the answer is then told as any
            // change's is.
            if code == KeyCode::Esc {
                self.overlay = Overlay::None;
            }
            return Vec::new();
        }
        match prompt.handle_key(modifiers, code, self.now, self.tz) {
            PromptAction::None => Vec::new(),
            PromptAction::Cancel => {
                self.overlay = Overlay::None;
                Vec::new()
            }
            PromptAction::Send(change) => {
                let task = Box::new(prompt.task.clone());
                prompt.sending = true;
                vec![Command::Change { task, change }]
            }
        }
    }

    fn on_login_key(&mut self, modifiers: KeyModifiers, code: KeyCode) -> Vec<Command> {
        let Some(form) = &mut self.login else {
            return Vec::new();
        };
        form.touched = true;
        match form.handle_key(modifiers, code) {
            FormAction::None => Vec::new(),
            FormAction::Cancel => {
                self.quit = true;
                Vec::new()
            }
            FormAction::Submit => {
                form.busy = true;
                let username = form.username.value().trim().to_string();
                let password = form.password.value().to_string();
                form.password.set("");
                form.again.set("");
                if form.register {
                    vec![Command::Register { username, password }]
                } else {
                    vec![Command::Login { username, password }]
                }
            }
        }
    }

    pub(crate) fn on_mouse(&mut self, mouse: MouseEvent) -> Vec<Command> {
        if self.login.is_some() || self.overlay != Overlay::None || layout::too_small(self.size) {
            return Vec::new();
        }
        match mouse.kind {
            MouseEventKind::ScrollDown => self.move_by(WHEEL_ROWS),
            MouseEventKind::ScrollUp => self.move_by(-WHEEL_ROWS),
            MouseEventKind::Down(MouseButton::Left) => {
                let table = self.layout().table;
                // Rows start below the top border and the header.
                let first = table.y.saturating_add(2);
                let inside = mouse.column > table.x
                    && mouse.column < table.right().saturating_sub(1)
                    && mouse.row >= first
                    && mouse.row < table.bottom().saturating_sub(1);
                if inside {
                    let row = self.offset + usize::from(mouse.row - first);
                    if row < self.tasks.len() {
                        self.select(row);
                    }
                }
            }
            _ => {}
        }
        Vec::new()
    }

    pub(crate) fn on_paste(&mut self, text: &str) -> Vec<Command> {
        if let Some(form) = &mut self.login {
            form.paste(text);
            return Vec::new();
        }
        if let Overlay::Form(form) = &mut self.overlay {
            form.paste(text);
            return Vec::new();
        }
        if let Overlay::Prompt(prompt) = &mut self.overlay {
            // One line: breaks in the pasted text become spaces.
            for c in text.chars() {
                prompt.input.insert(if c.is_control() { ' ' } else { c });
            }
            prompt.error = None;
            return Vec::new();
        }
        if self.filter.editing {
            let before = self.filter.input.value().to_string();
            for c in text.chars().filter(|c| !c.is_control()) {
                self.filter.input.insert(c);
            }
            return self.filter_typed(&before);
        }
        Vec::new()
    }
}
