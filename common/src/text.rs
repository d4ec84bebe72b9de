//! Showing text that came from the server on a terminal.

use std::borrow::Cow;
use std::fmt::Write;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `text` with every control character escaped, so that a title holding
/// terminal escape sequences cannot move the cursor, retitle the window or
/// clear the screen: C0 and C1 controls and DEL become `\x1b`-style escapes
/// (`\n`, `\r`, `\t` as such), and the bidirectional overrides that can make
/// text read differently from what it is become `\u{202e}`-style escapes.
/// A backslash stays as it is. Text with nothing to escape is borrowed.
pub fn escape_control(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !needs_escape(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

/// Like [`escape_control`] but keeps line breaks: for multi-line text such as
/// a description, printed line by line. A line's closing carriage return
/// goes, and a tab is spaces, as text laid out by its writer would show.
pub fn escape_control_keep_newlines(text: &str) -> String {
    escaped_lines(text).join("\n")
}

/// [`escape_control_keep_newlines`], a line each.
pub fn escaped_lines(text: &str) -> Vec<String> {
    text.split('\n')
        .map(|line| {
            let line = line.strip_suffix('\r').unwrap_or(line);
            escape_control(&line.replace('\t', "    ")).into_owned()
        })
        .collect()
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// An error and its sources on one line, each said once: a wrapper's
/// words ("error sending request", a pool's "db error") say little of what
/// its causes name (a refused connection, a missing database).
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        let text = inner.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        source = inner.source();
    }
    line
}

/// `text` cut to `width` display columns, with `…` when cut.
pub fn truncate(text: &str, width: usize) -> Cow<'_, str> {
    if text.width() <= width {
        return Cow::Borrowed(text);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_by_display_width() {
        assert_eq!(truncate("hello", 10), "hello");
        assert_eq!(truncate("hello world", 6), "hello…");
        assert_eq!(truncate("买买买买", 5), "买买…");
        assert_eq!(truncate("abc", 0), "");
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(escape_control("Buy milk ☕ 买"), Cow::Borrowed(_)));
    }

    #[test]
    fn escapes_terminal_sequences() {
        assert_eq!(escape_control("a\x1b[2Jb"), "a\\x1b[2Jb");
        assert_eq!(escape_control("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07");
        assert_eq!(escape_control("x\u{9b}31m"), "x\\x9b31m");
        assert_eq!(escape_control("l1\nl2\tx\r\x7f"), "l1\\nl2\\tx\\r\\x7f");
        assert_eq!(escape_control("abc\u{202e}def"), "abc\\u{202e}def");
    }

    #[test]
    fn keeps_newlines_when_asked() {
        assert_eq!(escape_control_keep_newlines("a\nb\x1b"), "a\nb\\x1b");
        assert_eq!(escape_control_keep_newlines("a\tb\r\nc\r"), "a    b\nc");
    }
}
