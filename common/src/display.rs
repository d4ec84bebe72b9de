//! How a task's name, dates and tags are shown, the same in the CLI and the
//! TUI. Text from the server is returned as is: the caller escapes it for
//! its terminal.

use chrono::{DateTime, TimeZone, Timelike, Utc};

use crate::api::{Status, Task};
use crate::dates::relative;

/// How many characters of a uuid name a task that has no number.
pub const UUID_SHOWN: usize = 8;

/// What a person types to name `task`: its number while pending, else the
/// start of its uuid (as Taskwarrior shows them).
pub fn name(task: &Task) -> String {
    match task.number {
        Some(number) => number.to_string(),
        None => uuid_name(&task.uuid),
    }
}

/// Said after `task` is saved past its until date, which the server's
/// sweep acts on within a minute: else it would vanish unexplained.
pub fn expiry_warning(task: &Task, now: DateTime<Utc>) -> Option<&'static str> {
    let expired = task.status == Status::Pending && task.until.is_some_and(|until| until <= now);
    expired.then_some(EXPIRING)
}

/// `line` ("Created task 3."), followed by the [`expiry_warning`] when
/// `task` has one.
pub fn with_expiry_warning(line: String, task: &Task, now: DateTime<Utc>) -> String {
    match expiry_warning(task, now) {
        Some(warning) => format!("{line} {warning}"),
        None => line,
    }
}

/// What [`expiry_warning`] says.
pub const EXPIRING: &str =
    "Its until date has passed: the server deletes it within a minute (the trash keeps it).";

/// How many tasks [`waiting_note`] names before it counts the rest.
pub const WAITING_NAMED: usize = 20;

/// Said when deleting tasks others wait for: once the deleted tasks are in
/// the trash the others wait for them no more. `names` are those waiting
/// (empty when not known); `them` is how the deleted are called ("it",
/// "these").
pub fn waiting_note(names: &[String], them: &str) -> String {
    let shown = match names.len() {
        n if n > WAITING_NAMED => format!(
            "{} and {} more",
            names[..WAITING_NAMED].join(", "),
            n - WAITING_NAMED
        ),
        _ => names.join(", "),
    };
    match names {
        [] => format!("Other tasks wait for {them}: they will wait no more."),
        [_] => format!("Task {shown} waits for {them}: it will wait no more."),
        _ => format!("Tasks {shown} wait for {them}: they will wait no more."),
    }
}

/// The start of `uuid` that names its task: 8 characters, one more when
/// those are all digits (which would read as a number), so that what is
/// shown can always be typed back.
pub fn uuid_name(uuid: &str) -> String {
    let start: String = uuid.chars().take(UUID_SHOWN).collect();
    let shown = if start.len() == UUID_SHOWN && start.bytes().all(|b| b.is_ascii_digit()) {
        UUID_SHOWN + 1
    } else {
        UUID_SHOWN
    };
    uuid.chars().take(shown).collect()
}

/// `when` in `tz`, to the minute: `2026-12-01 17:00`; just the date for the
/// end of a day (what `due:2026-12-01` sets).
pub fn date<Tz: TimeZone>(when: DateTime<Utc>, tz: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    let local = when.with_timezone(tz);
    if (local.hour(), local.minute(), local.second()) == (23, 59, 59) {
        local.format("%Y-%m-%d").to_string()
    } else {
        local.format("%Y-%m-%d %H:%M").to_string()
    }
}

/// [`date`] with how far it is from `now`: `2026-12-01 17:00 (in 2d)`.
pub fn date_and_distance<Tz: TimeZone>(when: DateTime<Utc>, now: DateTime<Utc>, tz: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    format!("{} ({})", date(when, tz), relative(when, now))
}

/// `+home +errands`: the tags as they are typed.
pub fn tags(task: &Task) -> String {
    let mut text = String::new();
    for tag in &task.tags {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push('+');
        text.push_str(tag);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    #[test]
    fn the_waiting_are_named_up_to_a_count() {
        let names: Vec<String> = (1..=23).map(|n| n.to_string()).collect();
        assert_eq!(
            waiting_note(&names[..1], "it"),
            "Task 1 waits for it: it will wait no more."
        );
        assert_eq!(
            waiting_note(&names[..3], "these"),
            "Tasks 1, 2, 3 wait for these: they will wait no more."
        );
        assert_eq!(
            waiting_note(&[], "it"),
            "Other tasks wait for it: they will wait no more."
        );
        let many = waiting_note(&names, "it");
        assert!(
            many.starts_with("Tasks 1, 2, ") && many.contains(", 20 and 3 more wait for it"),
            "{many}"
        );
    }

    #[test]
    fn names_dates_and_tags() {
        let mut task = Task {
            number: Some(3),
            uuid: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d".into(),
            tags: vec!["home".into(), "errands".into()],
            ..Task::default()
        };
        assert_eq!(name(&task), "3");
        task.number = None;
        assert_eq!(name(&task), "0a1b2c3d");
        assert_eq!(uuid_name("12345678-9abc"), "12345678-");
        assert_eq!(tags(&task), "+home +errands");

        let tz = FixedOffset::east_opt(2 * 3600).unwrap();
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(date(at("2026-12-01T23:30:00Z"), &tz), "2026-12-02 01:30");
        assert_eq!(date(at("2026-12-01T21:59:59Z"), &tz), "2026-12-01");
        assert_eq!(
            date_and_distance(at("2026-12-03T10:00:00Z"), at("2026-12-01T10:00:00Z"), &tz),
            "2026-12-03 12:00 (in 2d)"
        );
    }
}
