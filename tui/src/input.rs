//! A one-line text field: the value and a cursor, edited by key presses.

use ratatui::crossterm::event::{KeyCode, KeyModifiers};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Input {
    value: String,
    /// In characters, `0..=len`.
    cursor: usize,
}

impl Input {
    pub fn new(value: impl Into<String>) -> Input {
        let value = value.into();
        let cursor = value.chars().count();
        Input { value, cursor }
    }

    /// `value` with the cursor after its first `cursor` characters.
    pub fn at(value: impl Into<String>, cursor: usize) -> Input {
        let value = value.into();
        let cursor = cursor.min(value.chars().count());
        Input { value, cursor }
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn set(&mut self, value: impl Into<String>) {
        *self = Input::new(value);
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.value
            .char_indices()
            .nth(chars)
            .map_or(self.value.len(), |(i, _)| i)
    }

    pub fn insert(&mut self, c: char) {
        let at = self.byte_at(self.cursor);
        self.value.insert(at, c);
        self.cursor += 1;
    }

    /// Moves the cursor to the line above (`up`) or below, at the same column
    /// or the end of that line if it is shorter; `false` when there is no
    /// such line (the key then means what it means outside the text).
    pub fn move_line(&mut self, up: bool) -> bool {
        let chars: Vec<char> = self.value.chars().collect();
        let line_start = |at: usize| {
            chars[..at]
                .iter()
                .rposition(|c| *c == '\n')
                .map_or(0, |i| i + 1)
        };
        let line_end = |at: usize| {
            chars[at..]
                .iter()
                .position(|c| *c == '\n')
                .map_or(chars.len(), |i| at + i)
        };
        let start = line_start(self.cursor);
        let column = self.cursor - start;
        let (target_start, target_end) = if up {
            if start == 0 {
                return false;
            }
            (line_start(start - 1), start - 1)
        } else {
            let end = line_end(self.cursor);
            if end == chars.len() {
                return false;
            }
            (end + 1, line_end(end + 1))
        };
        self.cursor = (target_start + column).min(target_end);
        true
    }

    /// Edits the value for an editing key; `false` when the key is not one.
    pub fn handle(&mut self, modifiers: KeyModifiers, code: KeyCode) -> bool {
        let ctrl = modifiers.contains(KeyModifiers::CONTROL);
        match (ctrl, code) {
            (false, KeyCode::Char(c)) => self.insert(c),
            (false, KeyCode::Backspace) | (true, KeyCode::Char('h')) => {
                if self.cursor > 0 {
                    self.cursor -= 1;
                    let at = self.byte_at(self.cursor);
                    self.value.remove(at);
                }
            }
            (false, KeyCode::Delete) | (true, KeyCode::Char('d')) => {
                if self.cursor < self.value.chars().count() {
                    let at = self.byte_at(self.cursor);
                    self.value.remove(at);
                }
            }
            (false, KeyCode::Left) | (true, KeyCode::Char('b')) => {
                self.cursor = self.cursor.saturating_sub(1);
            }
            (false, KeyCode::Right) | (true, KeyCode::Char('f')) => {
                self.cursor = (self.cursor + 1).min(self.value.chars().count());
            }
            (false, KeyCode::Home) | (true, KeyCode::Char('a')) => self.cursor = 0,
            (false, KeyCode::End) | (true, KeyCode::Char('e')) => {
                self.cursor = self.value.chars().count();
            }
            (true, KeyCode::Char('u')) => {
                let at = self.byte_at(self.cursor);
                self.value.replace_range(..at, "");
                self.cursor = 0;
            }
            (true, KeyCode::Char('k')) => {
                let at = self.byte_at(self.cursor);
                self.value.truncate(at);
            }
            (true, KeyCode::Char('w')) | (true, KeyCode::Backspace) => {
                let chars: Vec<char> = self.value.chars().collect();
                let mut start = self.cursor.min(chars.len());
                while start > 0 && chars[start - 1].is_whitespace() {
                    start -= 1;
                }
                while start > 0 && !chars[start - 1].is_whitespace() {
                    start -= 1;
                }
                let (from, to) = (self.byte_at(start), self.byte_at(self.cursor));
                self.value.replace_range(from..to, "");
                self.cursor = start;
            }
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(input: &mut Input, code: KeyCode) {
        input.handle(KeyModifiers::NONE, code);
    }

    #[test]
    fn edits_in_the_middle_of_multibyte_text() {
        let mut input = Input::new("héllo");
        key(&mut input, KeyCode::Left);
        key(&mut input, KeyCode::Left);
        key(&mut input, KeyCode::Backspace);
        key(&mut input, KeyCode::Char('L'));
        assert_eq!(input.value(), "héLlo");
        key(&mut input, KeyCode::Home);
        key(&mut input, KeyCode::Delete);
        assert_eq!(input.value(), "éLlo");
        key(&mut input, KeyCode::End);
        key(&mut input, KeyCode::Right);
        key(&mut input, KeyCode::Delete);
        assert_eq!(input.cursor(), 4);
    }

    #[test]
    fn control_keys_kill_words_and_lines() {
        let mut input = Input::new("buy oat milk");
        input.handle(KeyModifiers::CONTROL, KeyCode::Char('w'));
        assert_eq!(input.value(), "buy oat ");
        input.handle(KeyModifiers::CONTROL, KeyCode::Char('u'));
        assert_eq!(input.value(), "");
        assert!(!input.handle(KeyModifiers::NONE, KeyCode::Enter));
    }

    #[test]
    fn up_and_down_move_between_lines_keeping_the_column() {
        let mut input = Input::at("first line\nab\nthird line", 7);
        assert!(!input.move_line(true), "no line above the first");
        assert!(input.move_line(false));
        assert_eq!(input.cursor(), 13, "the end of the shorter line");
        assert!(input.move_line(false));
        assert_eq!(input.cursor(), 16, "column 2 of the third line");
        assert!(!input.move_line(false), "no line below the last");
        assert!(input.move_line(true));
        assert_eq!(input.cursor(), 13);
        let mut one_line = Input::new("just one");
        assert!(!one_line.move_line(true) && !one_line.move_line(false));
    }

    #[test]
    fn backspace_at_start_is_harmless() {
        let mut input = Input::default();
        key(&mut input, KeyCode::Backspace);
        key(&mut input, KeyCode::Left);
        key(&mut input, KeyCode::Delete);
        assert_eq!(input, Input::default());
    }
}
