//! The login form, shown instead of the tasks until the user has logged in.

use ratatui::crossterm::event::{KeyCode, KeyModifiers};

use crate::form::FormAction;
use crate::input::Input;

/// Shown instead of the tasks until the user has logged in.
#[derive(Debug, Clone, PartialEq)]
pub struct LoginForm {
    pub username: Input,
    pub password: Input,
    /// Register a new account (then log in) instead of logging in.
    pub register: bool,
    /// `false`: username focused; `true`: password.
    pub on_password: bool,
    pub error: Option<String>,
    pub busy: bool,
}

impl LoginForm {
    pub fn new(username: Option<String>) -> LoginForm {
        let on_password = username.is_some();
        LoginForm {
            username: Input::new(username.unwrap_or_default()),
            password: Input::default(),
            register: false,
            on_password,
            error: None,
            busy: false,
        }
    }

    pub fn handle_key(&mut self, modifiers: KeyModifiers, code: KeyCode) -> FormAction {
        if self.busy {
            return FormAction::None;
        }
        match (modifiers, code) {
            (_, KeyCode::Esc) => return FormAction::Cancel,
            (_, KeyCode::Enter) if !self.on_password => self.on_password = true,
            (_, KeyCode::Enter) => return self.submit(),
            (_, KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down) => {
                self.on_password = !self.on_password
            }
            (KeyModifiers::CONTROL, KeyCode::Char('r')) => {
                self.register = !self.register;
                self.error = None;
            }
            (modifiers, code) => {
                let input = if self.on_password {
                    &mut self.password
                } else {
                    &mut self.username
                };
                input.handle(modifiers, code);
            }
        }
        FormAction::None
    }

    fn submit(&mut self) -> FormAction {
        let username = self.username.value().trim();
        if username.is_empty() {
            self.error = Some("enter a username".into());
            self.on_password = false;
            return FormAction::None;
        }
        if self.password.value().is_empty() {
            self.error = Some("enter a password".into());
            self.on_password = true;
            return FormAction::None;
        }
        self.error = None;
        FormAction::Submit
    }

    pub fn paste(&mut self, text: &str) {
        let input = if self.on_password {
            &mut self.password
        } else {
            &mut self.username
        };
        for c in text.chars().filter(|c| !c.is_control()) {
            input.insert(c);
        }
    }
}
