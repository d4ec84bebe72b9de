//! Instants written as `DateTime<Utc>` serialises them (RFC 3339, `Z`, with
//! 0, 3 or 6 fraction digits), without going through `fmt`: a page of tasks
//! holds three or four of them per task, and chrono's `Display` made up a
//! tenth of the cost of sending one.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::Serializer;

/// A few ASCII bytes on the stack.
struct Ascii {
    buf: [u8; 32],
    len: usize,
}

impl Ascii {
    fn byte(&mut self, b: u8) {
        self.buf[self.len] = b;
        self.len += 1;
    }

    fn number(&mut self, value: u32, digits: u32) {
        for d in (0..digits).rev() {
            self.byte(b'0' + (value / 10u32.pow(d) % 10) as u8);
        }
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits and separators are ever written.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

fn render(instant: &DateTime<Utc>) -> Ascii {
    let mut out = Ascii {
        buf: [0; 32],
        len: 0,
    };
    out.number(instant.year().clamp(0, 9999) as u32, 4);
    for (separator, value) in [
        (b'-', instant.month()),
        (b'-', instant.day()),
        (b'T', instant.hour()),
        (b':', instant.minute()),
        (b':', instant.second()),
    ] {
        out.byte(separator);
        out.number(value, 2);
    }
    let nanos = instant.timestamp_subsec_nanos() % 1_000_000_000;
    if nanos != 0 {
        out.byte(b'.');
        if nanos.is_multiple_of(1_000_000) {
            out.number(nanos / 1_000_000, 3);
        } else if nanos.is_multiple_of(1_000) {
            out.number(nanos / 1_000, 6);
        } else {
            out.number(nanos, 9);
        }
    }
    out.byte(b'Z');
    out
}

pub fn serialize<S: Serializer>(instant: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(render(instant).as_str())
}

pub fn serialize_option<S: Serializer>(
    instant: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match instant {
        Some(instant) => serialize(instant, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_render_as_chrono_renders_them() {
        for text in [
            "2026-11-24T18:38:29Z",
            "2026-11-24T18:38:29.003092Z",
            "2026-11-24T18:38:29.120Z",
            "2026-11-24T18:38:29.123456789Z",
            "2026-01-01T00:00:00.000001Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999Z",
            "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59.5Z",
        ] {
            let value = DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc);
            let ours = render(&value);
            let chrono = serde_json::to_string(&value).unwrap();
            assert_eq!(format!("\"{}\"", ours.as_str()), chrono, "{text}");
        }
    }
}
