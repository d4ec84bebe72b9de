//! The DATE forms of the CLI and the TUI's filter, in the local
//! time zone, and relative rendering (`in 2d`, `3d ago`).
//!
//! | input | meaning |
//! |---|---|
//! | `2026-12-01` | that day |
//! | `2026-12-01T15:00:00Z`, `2026-12-01T15:00:00+02:00` | that instant (RFC 3339) |
//! | `2026-12-01T15:00`, `2026-12-01 15:00` | that local time |
//! | a time of day: `17:00`, `9:30`, `9am`, `9:30pm`, `12am` | its next coming: today's if still to come, else tomorrow's |
//! | a day then a time of day: `tomorrow 17:00`, `fri 9:30`, `fri 9:30pm` | that local time of that day |
//! | `20261201T150000Z`, `20261201T150000` | Taskwarrior's export format: that instant in UTC, that local time |
//! | `now` | this instant |
//! | `today` (`eod`), `tomorrow`, `yesterday` | that day |
//! | `monday` … `sunday`, `mon` … `sun`, `next friday` | the next such day, never today |
//! | `eow`, `eom`, `eoy` | the last day of this week (Sunday), month, year |
//! | `sod`, `sow`, `som`, `soy` | the first instant of today, this week (Monday), month, year |
//! | `jan` … `december` | the first day of the next such month (this month's is next year's) |
//! | `1st`, `2nd`, `15th`, `31st` | that day of this month, or of the next month that has it |
//! | `next week`, `next month`, `next year` | its first day (a Monday, the 1st, January 1st) |
//! | `noon`, `midnight` | today at 12:00, the start of tomorrow |
//! | `later`, `someday` | 9999-12-30, Taskwarrior's far-off day |
//! | `3d`, `2w`, `6mo`, `1y`, `in 3 days`, `in 2 weeks` | that many days, weeks, months, years from today |
//! | `1h`, `30min`, `90s`, `in 1 hour` | that long from now (an instant) |
//! | `P1D`, `P2W`, `P1Y2M`, `PT2H30M`, `P1DT12H` | ISO 8601: a day without a time part, else an instant |
//! | `today+3d`, `eom-1d`, `friday+1w`, `now+2h`, `tomorrow+9h` | a DATE moved by a length: a day by whole days stays a day, a length on the clock makes an instant |
//! | `-3d`, `+1w`, `-2h` | a length back or forward from today (whole days) or now |
//! | `today+1.5d`, `0.5w`, `1.25h` | a length with a fraction, as Taskwarrior counts it (a month 30 days, a quarter 91, a year 365): whole days stay a day, a part of one goes on the clock |
//!
//! A *day* is a span: it starts at local midnight and ends at 23:59:59 local.
//! A due date set to a day is due at its end (a task due today is overdue only
//! once today is over); `due.before:DAY` means before the day starts and
//! `due.after:DAY` after it ends. An instant is a span of zero length.
//!
//! "Now" is injectable ([`Clock::at`]) so that tests can pin both the time and
//! the time zone; the binaries use [`Clock::from_env`], which honours
//! `TASK_NOW` (an RFC 3339 time) for reproducible scripts and tests.

mod words;

use chrono::{
    DateTime, Datelike, Duration, Local, LocalResult, NaiveDate, NaiveDateTime, NaiveTime,
    TimeZone, Utc,
};

use words::Named;

/// Environment variable that pins "now" (RFC 3339), for tests and scripts.
pub const NOW_ENV: &str = "TASK_NOW";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    Invalid(String),
    OutOfRange(String),
    /// Taskwarrior's `due-2d`: a date counted from another of the task's,
    /// which a date alone cannot know.
    FromAttribute(String),
}

impl std::fmt::Display for DateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DateError::Invalid(input) => write!(
                f,
                "invalid date {input:?}: use 2026-12-01, an RFC 3339 time, today, tomorrow, \
                 a weekday, a month, 15th, sod/eod, sow/eow (soww, som, soq, soy, sopw, eonm…), \
                 noon, later, 3d, 2w, 1h, 30min, \"in 3 days\", P1DT2H, a time (17:00, 9:30pm), \
                 a day then a time (fri 9:30) or a date moved by a length (eom-1d)"
            ),
            DateError::OutOfRange(input) => write!(f, "date {input:?} is out of range"),
            DateError::FromAttribute(input) => write!(
                f,
                "date {input:?} counts from another of the task's dates, which is not read \
                 here: name the date itself (friday-2d, eom-1w)"
            ),
        }
    }
}

impl std::error::Error for DateError {}

/// A task's dates Taskwarrior lets another count from (`wait:due-2d`).
const ATTRIBUTES: [&str; 8] = [
    "due",
    "wait",
    "scheduled",
    "until",
    "entry",
    "start",
    "end",
    "modified",
];

/// The longest DATE read, in bytes: longer input is refused unread.
const MAX_DATE_LEN: usize = 100;

/// The dates a task has, for what a day named without a time means in
/// each ([`DateSpec::as_field`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateField {
    Due,
    Wait,
    Scheduled,
    Until,
}

/// What a DATE names: a span of time, `start..=end`, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateSpec {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Named as an end (`eod`, `eow`, `eom`…): its end for every field, a
    /// wait or a schedule too.
    pub ends: bool,
}

impl DateSpec {
    fn instant(at: DateTime<Utc>) -> DateSpec {
        DateSpec {
            start: at,
            end: at,
            ends: false,
        }
    }

    /// The due date this names: a day's end, or the instant.
    pub fn due(&self) -> DateTime<Utc> {
        self.end
    }

    /// The instant this names as `field`'s value. A day named without a
    /// time is a due or until date at its end (the task is on time all that
    /// day), a wait or scheduled date at its start (`wait:monday` shows the
    /// task from Monday's first minute, as in Taskwarrior).
    pub fn as_field(&self, field: DateField) -> DateTime<Utc> {
        match field {
            _ if self.ends => self.end,
            DateField::Due | DateField::Until => self.end,
            DateField::Wait | DateField::Scheduled => self.start,
        }
    }

    /// Whether this is a whole day rather than an instant.
    pub fn is_day(&self) -> bool {
        self.start != self.end
    }
}

/// "Now" in a time zone: the reference point of relative dates.
#[derive(Debug, Clone)]
pub struct Clock<Tz: TimeZone> {
    now: DateTime<Tz>,
}

impl Clock<Local> {
    /// The system clock in the local time zone (`TZ` is honoured).
    pub fn system() -> Clock<Local> {
        Clock { now: Local::now() }
    }

    /// [`Clock::system`], unless `TASK_NOW` pins the time.
    pub fn from_env() -> Result<Clock<Local>, DateError> {
        match std::env::var(NOW_ENV) {
            Ok(value) if !value.is_empty() => DateTime::parse_from_rfc3339(value.trim())
                .map(|t| Clock {
                    now: t.with_timezone(&Local),
                })
                .map_err(|_| DateError::Invalid(value)),
            _ => Ok(Clock::system()),
        }
    }
}

impl<Tz: TimeZone> Clock<Tz> {
    /// A clock stopped at `now`, in `now`'s time zone.
    pub fn at(now: DateTime<Tz>) -> Clock<Tz> {
        Clock { now }
    }

    pub fn now(&self) -> &DateTime<Tz> {
        &self.now
    }

    pub fn now_utc(&self) -> DateTime<Utc> {
        self.now.with_timezone(&Utc)
    }

    /// Parses a DATE (see the module docs).
    pub fn parse(&self, input: &str) -> Result<DateSpec, DateError> {
        let spec = self.parse_any(input)?;
        // What the server takes back: RFC 3339, four-digit years, in UTC.
        let representable = |at: DateTime<Utc>| (1..=9999).contains(&at.year());
        if representable(spec.start) && representable(spec.end) {
            Ok(spec)
        } else {
            Err(DateError::OutOfRange(input.to_string()))
        }
    }

    fn parse_any(&self, input: &str) -> Result<DateSpec, DateError> {
        let text = input.trim().to_ascii_lowercase();
        let invalid = || {
            // A long input is named by its start, not echoed whole.
            let shown: String = input.chars().take(MAX_DATE_LEN).collect();
            DateError::Invalid(if shown.len() < input.len() {
                format!("{shown}…")
            } else {
                shown
            })
        };
        let out_of_range = || DateError::OutOfRange(input.to_string());

        let day = |d: Option<NaiveDate>| -> Result<DateSpec, DateError> {
            self.day(d.ok_or_else(out_of_range)?)
                .ok_or_else(out_of_range)
        };

        // No date is written in more than a few words.
        if text.is_empty() || text.len() > MAX_DATE_LEN {
            return Err(invalid());
        }
        if text == "now" {
            return Ok(DateSpec::instant(self.now_utc()));
        }
        if let Some(named) = words::named(&text, self.now.naive_local()) {
            let instant =
                |at: Option<DateTime<Utc>>| at.map(DateSpec::instant).ok_or_else(out_of_range);
            return match named {
                Named::Day(date) => day(Some(date)),
                Named::End(date) => day(Some(date)).map(|spec| DateSpec { ends: true, ..spec }),
                Named::Start(date) => instant(self.local(date.and_time(NaiveTime::MIN))),
                Named::At(at) => instant(self.local(at)),
                Named::After(span) => instant(self.now_utc().checked_add_signed(span)),
                Named::OutOfRange => Err(out_of_range()),
            };
        }
        // A time of day alone is its next coming, as in Taskwarrior:
        // today's if it is still to come, else tomorrow's.
        if let Some(time) = time_of_day(&text) {
            let today = self.now.date_naive();
            let mut at = self.local(today.and_time(time));
            if at.is_some_and(|at| at < self.now_utc()) {
                at = today
                    .succ_opt()
                    .and_then(|tomorrow| self.local(tomorrow.and_time(time)));
            }
            return at.map(DateSpec::instant).ok_or_else(out_of_range);
        }
        if let Ok(date) = NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
            return day(Some(date));
        }
        if let Ok(at) = DateTime::parse_from_rfc3339(&text) {
            return Ok(DateSpec::instant(at.with_timezone(&Utc)));
        }
        // Taskwarrior's own export format, in UTC.
        if let Ok(naive) = NaiveDateTime::parse_from_str(&text, "%Y%m%dt%H%M%Sz") {
            return Ok(DateSpec::instant(naive.and_utc()));
        }
        // A day, then a time of day on it: `tomorrow 17:00`, `fri 9:30`.
        // One time at most: the day's own text is read without this rule
        // (but with the arithmetic below, whose depth the input's length
        // bounds), so that no time makes the reading go deeper.
        if let Some((day_text, time_text)) = text.rsplit_once(' ') {
            let day_has_time = day_text.rsplit(' ').next().is_some_and(looks_like_time);
            if let (Some(time), false) = (time_of_day(time_text), day_has_time) {
                // A start of a period (`soww`) is a day's first instant:
                // its day takes the time as a whole day would.
                let date = match words::named(day_text, self.now.naive_local()) {
                    // Not `midnight`, which is the end of today.
                    Some(Named::Start(date)) if day_text.starts_with("so") => Some(date),
                    _ => {
                        let spec = self.parse_any(day_text).map_err(|_| invalid())?;
                        spec.is_day()
                            .then(|| spec.start.with_timezone(&self.now.timezone()).date_naive())
                    }
                };
                if let Some(date) = date {
                    let at = self.local(date.and_time(time)).ok_or_else(out_of_range)?;
                    return Ok(DateSpec::instant(at));
                }
            }
        }
        for format in [
            "%Y%m%dt%H%M%S",
            "%Y-%m-%dt%H:%M:%S",
            "%Y-%m-%dt%H:%M",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M",
        ] {
            if let Ok(naive) = NaiveDateTime::parse_from_str(&text, format) {
                let at = self.local(naive).ok_or_else(out_of_range)?;
                return Ok(DateSpec::instant(at));
            }
        }
        // Taskwarrior's date arithmetic, a DATE then a length added or
        // taken away: `today+3d`, `eom-1d`, `now+2h`, `2026-12-24-1w`.
        // Tried last, so that a date with its own `-` or `+` (an ISO date,
        // an offset) reads as itself; the last sign whose right side is a
        // length splits it, and the left side is read again (a chain,
        // `today+1d+2h`, one sign at a time).
        // A sign first counts from now, as the length alone does: `-3d`
        // is three days ago, `-2h` two hours ago.
        let sign = text
            .char_indices()
            .rev()
            .filter(|&(_, c)| c == '+' || c == '-')
            .find_map(|(at, c)| Some((at, c == '+', words::step(text[at + 1..].trim())?)));
        if let Some((at, forward, step)) = sign {
            let base = match text[..at].trim() {
                "" if step.is_some_and(|step| step.is_calendar()) => self.parse_any("today")?,
                "" => self.parse_any("now")?,
                base if ATTRIBUTES.contains(&base) => {
                    return Err(DateError::FromAttribute(input.trim().to_string()))
                }
                // A base out of range says so; one not read names the whole.
                base => self.parse_any(base).map_err(|err| match err {
                    DateError::Invalid(_) => invalid(),
                    other => other,
                })?,
            };
            let step = step.ok_or_else(out_of_range)?;
            return self.moved(base, step, forward).ok_or_else(out_of_range);
        }
        Err(invalid())
    }

    /// `base` moved by `step`: a day by whole days stays a day (the same
    /// kind, an end still an end); a length on the clock makes an instant,
    /// from a day's start (its end for an end, `eod+1h`). The calendar part
    /// moves the local date, so a day is still a day across a clock change.
    fn moved(&self, base: DateSpec, step: words::Step, forward: bool) -> Option<DateSpec> {
        let tz = self.now.timezone();
        if base.is_day() && step.is_calendar() {
            let date = base.start.with_timezone(&tz).date_naive();
            let spec = self.day(step.move_day(date, forward)?)?;
            return Some(DateSpec {
                ends: base.ends,
                ..spec
            });
        }
        let from = if base.ends { base.end } else { base.start };
        // Only the clock: the instant itself moves, never read back from
        // the wall clock, which names an hour twice when clocks go back.
        let at = if step.moves_days() {
            let local = from.with_timezone(&tz).naive_local();
            let date = step.move_day(local.date(), forward)?;
            self.local(date.and_time(local.time()))?
        } else {
            from
        };
        at.checked_add_signed(step.clock(forward)?)
            .map(DateSpec::instant)
    }

    /// The span of a local calendar day.
    fn day(&self, date: NaiveDate) -> Option<DateSpec> {
        let start = self.local(date.and_time(NaiveTime::MIN))?;
        let end = self.local(date.and_hms_opt(23, 59, 59)?)?;
        Some(DateSpec {
            start,
            end,
            ends: false,
        })
    }

    /// A local wall-clock time as UTC; in a DST gap, the first time after it.
    fn local(&self, naive: NaiveDateTime) -> Option<DateTime<Utc>> {
        let tz = self.now.timezone();
        for shift in 0..=3 {
            let candidate = naive.checked_add_signed(Duration::minutes(30 * shift))?;
            match tz.from_local_datetime(&candidate) {
                LocalResult::Single(t) => return Some(t.with_timezone(&Utc)),
                // A time that happens twice (clocks going back) is its first
                // happening; compared in UTC, whatever order the zone gives.
                LocalResult::Ambiguous(a, b) => {
                    return Some(a.with_timezone(&Utc).min(b.with_timezone(&Utc)))
                }
                LocalResult::None => continue,
            }
        }
        None
    }
}

/// Whether `word` has the shape of a time of day, valid or not: hours and
/// minutes (and seconds) on a 24-hour clock, `17:00`, `9:30`, `25:00`, or
/// hours (and minutes) on a 12-hour clock, `9am`, `9:30pm`, `13pm`.
pub fn looks_like_time(word: &str) -> bool {
    let word = word.to_ascii_lowercase();
    let (clock, half) = meridiem(&word);
    let parts: Vec<&str> = clock.split(':').collect();
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    let counts = if half.is_some() { 1..=2 } else { 2..=3 };
    counts.contains(&parts.len())
        && (1..=2).contains(&parts[0].len())
        && digits(parts[0])
        && parts[1..]
            .iter()
            .all(|part| part.len() == 2 && digits(part))
}

/// `word` without the `am` or `pm` at its end, and whether it was `pm`.
fn meridiem(word: &str) -> (&str, Option<bool>) {
    if let Some(clock) = word.strip_suffix("am") {
        (clock, Some(false))
    } else if let Some(clock) = word.strip_suffix("pm") {
        (clock, Some(true))
    } else {
        (word, None)
    }
}

/// The time of day `word` names: `17:00`, `9:30`, `08:15:30`, `9am`,
/// `9:30pm`, `12am` (midnight), `12pm` (noon).
pub fn time_of_day(word: &str) -> Option<NaiveTime> {
    if !looks_like_time(word) {
        return None;
    }
    let word = word.to_ascii_lowercase();
    let (clock, half) = meridiem(&word);
    let mut numbers = clock.split(':').map(|part| part.parse::<u32>().ok());
    let hour = numbers.next()??;
    let minute = numbers.next().unwrap_or(Some(0))?;
    let second = numbers.next().flatten().unwrap_or(0);
    let hour = match half {
        None => hour,
        Some(_) if !(1..=12).contains(&hour) => return None,
        Some(pm) => hour % 12 + if pm { 12 } else { 0 },
    };
    NaiveTime::from_hms_opt(hour, minute, second)
}

/// `when` relative to `now`, short: `now`, `in 5min`, `in 3h`, `in 2d`,
/// `3d ago`, `in 2w`, `in 4mo`, `1y ago`. Rounded towards zero.
pub fn relative(when: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (when - now).num_seconds();
    let magnitude = seconds.unsigned_abs();
    const MIN: u64 = 60;
    const HOUR: u64 = 60 * MIN;
    const DAY: u64 = 24 * HOUR;
    let amount = if magnitude < MIN {
        return "now".to_string();
    } else if magnitude < HOUR {
        format!("{}min", magnitude / MIN)
    } else if magnitude < DAY {
        format!("{}h", magnitude / HOUR)
    } else if magnitude < 14 * DAY {
        format!("{}d", magnitude / DAY)
    } else if magnitude < 61 * DAY {
        format!("{}w", magnitude / (7 * DAY))
    } else if magnitude < 365 * DAY {
        format!("{}mo", magnitude / (30 * DAY))
    } else {
        format!("{}y", magnitude / (365 * DAY))
    };
    if seconds > 0 {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

#[cfg(test)]
mod tests;
