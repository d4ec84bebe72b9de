//! The CLI's syntax, read by the CLI's own code in `common`: DATEs for the
//! form's due field and filters for `/`.

use chrono::{DateTime, FixedOffset, Utc};
use common::dates::Clock;
use common::filter::TaskFilter;

fn clock(now: DateTime<Utc>, tz: FixedOffset) -> Clock<FixedOffset> {
    Clock::at(now.with_timezone(&tz))
}

/// A DATE as `task add due:DATE` reads it: a day is due at its end.
pub fn due(text: &str, now: DateTime<Utc>, tz: FixedOffset) -> Result<DateTime<Utc>, String> {
    clock(now, tz)
        .parse(text)
        .map(|spec| spec.due())
        .map_err(|e| e.to_string())
}

/// A filter line as `task list FILTER…` reads its words.
pub fn filter(text: &str, now: DateTime<Utc>, tz: FixedOffset) -> Result<TaskFilter, String> {
    TaskFilter::parse_line(text, &clock(now, tz)).map_err(|e| e.to_string())
}
