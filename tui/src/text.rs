//! Text from the server made safe to draw, and dates made short: the CLI's
//! own functions from `common`, so both clients show the same thing.

use chrono::{DateTime, FixedOffset, Utc};

/// How far `due` is from `now`, as the CLI shows it: `in 2d`, `3d ago`.
pub use common::dates::relative;
/// `text` on one line, every control character escaped (`\n`, `\x1b`): a title
/// holding an escape sequence shows as text and cannot act on the terminal.
pub use common::text::escape_control as escape;
/// `text` cut to a number of terminal columns, with `…` when cut, as the CLI's
/// table cuts it.
pub use common::text::truncate;

/// Like [`escape`] but split at line breaks, for multi-line text (descriptions).
pub use common::text::escaped_lines as escape_lines;

/// `text` broken into lines of at most `width` characters, at spaces where it
/// can (a word longer than a line is cut).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        if len > 0 && len + 1 + word.len() <= width {
            line.push(' ');
            len += 1;
        } else if len > 0 {
            lines.push(std::mem::take(&mut line));
            len = 0;
        }
        while len + word.len() > width {
            let rest = word.split_off(width - len);
            line.extend(word);
            lines.push(std::mem::take(&mut line));
            len = 0;
            word = rest;
        }
        len += word.len();
        line.extend(word);
    }
    lines.push(line);
    lines
}

/// `when` as the form's due field shows it, in a DATE form that reads back to
/// the same instant: `2026-12-01` for a day (due at 23:59:59), else
/// `2026-12-01 17:00`, else RFC 3339.
pub fn due_input(when: DateTime<Utc>, tz: FixedOffset) -> String {
    use chrono::Timelike;
    let local = when.with_timezone(&tz);
    if (local.hour(), local.minute(), local.second()) == (23, 59, 59) && local.nanosecond() == 0 {
        local.format("%Y-%m-%d").to_string()
    } else if local.second() == 0 && local.nanosecond() == 0 {
        local.format("%Y-%m-%d %H:%M").to_string()
    } else {
        local.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn escape_defuses_terminal_sequences() {
        let title = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}1;1H\u{202e}evil\r\nnext\u{7f}";
        let safe = escape(title);
        assert!(!safe.chars().any(char::is_control), "{safe:?}");
        assert!(!safe.contains('\u{202e}'));
    }

    #[test]
    fn escape_lines_keeps_line_breaks_only() {
        assert_eq!(
            escape_lines("one\r\ntwo\u{1b}[1m\nthree"),
            vec!["one", "two\\x1b[1m", "three"]
        );
    }

    #[test]
    fn wrap_breaks_at_spaces_and_cuts_long_words() {
        assert_eq!(
            wrap("cannot reach taskd at here", 12),
            ["cannot reach", "taskd at", "here"]
        );
        assert_eq!(wrap("abcdefghij xy", 4), ["abcd", "efgh", "ij", "xy"]);
        assert_eq!(wrap("", 5), [""]);
        assert_eq!(wrap("a b", 0), ["a", "b"]);
    }

    #[test]
    fn local_and_due_input_use_the_given_zone() {
        let tz = FixedOffset::east_opt(2 * 3600).unwrap();
        let when = Utc.with_ymd_and_hms(2026, 12, 1, 23, 30, 0).unwrap();
        assert_eq!(due_input(when, tz), "2026-12-02 01:30");
        let day_end = Utc.with_ymd_and_hms(2026, 12, 1, 21, 59, 59).unwrap();
        assert_eq!(due_input(day_end, tz), "2026-12-01");
        let odd = Utc.with_ymd_and_hms(2026, 12, 1, 21, 59, 58).unwrap();
        assert_eq!(due_input(odd, tz), "2026-12-01T23:59:58+02:00");
    }
}
