//! The login form, shown instead of the tasks until the user has logged in.

use ratatui::crossterm::event::{KeyCode, KeyModifiers};

use crate::form::FormAction;
use crate::input::Input;

/// Shown instead of the tasks until the user has logged in.
#[derive(Debug, Clone, PartialEq)]
pub struct LoginForm {
    pub username: Input,
    pub password: Input,
    /// The password typed again, when registering.
    pub again: Input,
    /// Register a new account (then log in) instead of logging in.
    pub register: bool,
    pub focus: LoginField,
    pub error: Option<String>,
    pub busy: bool,
    /// Ticks the form has been shown, to look for a login saved meanwhile.
    pub ticks: u32,
    /// A key has been pressed in the form: from then on it is the user's,
    /// and a login saved elsewhere is not taken up under their hands.
    pub touched: bool,
}

/// The form's fields, in order; `Again` only when registering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginField {
    Username,
    Password,
    Again,
}

impl LoginForm {
    pub fn new(username: Option<String>) -> LoginForm {
        let focus = match username {
            Some(_) => LoginField::Password,
            None => LoginField::Username,
        };
        LoginForm {
            username: Input::new(username.unwrap_or_default()),
            password: Input::default(),
            again: Input::default(),
            register: false,
            focus,
            error: None,
            busy: false,
            ticks: 0,
            touched: false,
        }
    }

    /// The fields shown: the password twice when registering.
    fn fields(&self) -> &'static [LoginField] {
        if self.register {
            &[
                LoginField::Username,
                LoginField::Password,
                LoginField::Again,
            ]
        } else {
            &[LoginField::Username, LoginField::Password]
        }
    }

    /// Moves the focus `by` fields, round the form.
    fn step(&mut self, by: isize) {
        let fields = self.fields();
        let at = fields.iter().position(|f| *f == self.focus).unwrap_or(0);
        let len = fields.len() as isize;
        let next = (at as isize + by).rem_euclid(len) as usize;
        self.focus = fields[next];
    }

    fn focused(&mut self) -> &mut Input {
        match self.focus {
            LoginField::Username => &mut self.username,
            LoginField::Password => &mut self.password,
            LoginField::Again => &mut self.again,
        }
    }

    pub fn handle_key(&mut self, modifiers: KeyModifiers, code: KeyCode) -> FormAction {
        if self.busy {
            return FormAction::None;
        }
        let last = self.fields().last() == Some(&self.focus);
        match (modifiers, code) {
            (_, KeyCode::Esc) => return FormAction::Cancel,
            (_, KeyCode::Enter) if !last => self.step(1),
            (_, KeyCode::Enter) => return self.submit(),
            (_, KeyCode::Tab | KeyCode::Down) => self.step(1),
            (_, KeyCode::BackTab | KeyCode::Up) => self.step(-1),
            (KeyModifiers::CONTROL, KeyCode::Char('r')) => {
                self.register = !self.register;
                self.again.set("");
                if !self.fields().contains(&self.focus) {
                    self.focus = LoginField::Password;
                }
                self.error = None;
            }
            (modifiers, code) => {
                self.focused().handle(modifiers, code);
            }
        }
        FormAction::None
    }

    fn submit(&mut self) -> FormAction {
        let username = self.username.value().trim();
        if username.is_empty() {
            self.error = Some("enter a username".into());
            self.focus = LoginField::Username;
            return FormAction::None;
        }
        if self.password.value().is_empty() {
            self.error = Some("enter a password".into());
            self.focus = LoginField::Password;
            return FormAction::None;
        }
        if self.register && self.again.value() != self.password.value() {
            // Both typed blind: start the pair again.
            self.error = Some("the passwords do not match: type them again".into());
            self.password.set("");
            self.again.set("");
            self.focus = LoginField::Password;
            return FormAction::None;
        }
        self.error = None;
        FormAction::Submit
    }

    pub fn paste(&mut self, text: &str) {
        let input = self.focused();
        for c in text.chars().filter(|c| !c.is_control()) {
            input.insert(c);
        }
    }
}
