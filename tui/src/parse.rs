//! The CLI's syntax, read by the CLI's own code in `common`: DATEs for the
//! form's due field, filters for `/` and modifiers (`depends:2`) for `D`.

use chrono::{DateTime, FixedOffset, Utc};
use common::dates::{Clock, DateField};
use common::filter::{Modifications, ModifyMode, TaskFilter};

fn clock(now: DateTime<Utc>, tz: FixedOffset) -> Clock<FixedOffset> {
    Clock::at(now.with_timezone(&tz))
}

/// A DATE as `task add FIELD:DATE` reads it: a day is due at its end,
/// waited for from its start.
pub fn date(
    text: &str,
    field: DateField,
    now: DateTime<Utc>,
    tz: FixedOffset,
) -> Result<DateTime<Utc>, String> {
    clock(now, tz)
        .parse(text)
        .map(|spec| spec.as_field(field))
        .map_err(|e| e.to_string())
}

/// A filter line as `task list FILTER…` reads its words, tasks named
/// (`3`, `1,4-6`, a uuid prefix) among them.
pub fn filter(text: &str, now: DateTime<Utc>, tz: FixedOffset) -> Result<TaskFilter, String> {
    let filter = TaskFilter::parse_line(text, &clock(now, tz)).map_err(|e| e.to_string())?;
    filter
        .refuse_limit("the list here scrolls through every task the filter matches")
        .map_err(|e| e.to_string())?;
    Ok(filter)
}

/// Modifier words as `task modify ID WORDS…` reads them.
pub fn modifications(
    words: &[String],
    now: DateTime<Utc>,
    tz: FixedOffset,
) -> Result<Modifications, String> {
    Modifications::parse(words, &clock(now, tz), ModifyMode::Modify).map_err(|e| e.to_string())
}

/// A new task's title line as `task add WORDS…` reads it: title words and
/// modifiers.
pub fn add_words(line: &str, now: DateTime<Utc>, tz: FixedOffset) -> Result<Modifications, String> {
    Modifications::parse_line(line, &clock(now, tz), ModifyMode::Add).map_err(|e| e.to_string())
}
