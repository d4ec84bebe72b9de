//! The DATE forms of the CLI and the TUI's filter, in the local
//! time zone, and relative rendering (`in 2d`, `3d ago`).
//!
//! | input | meaning |
//! |---|---|
//! | `2026-12-01` | that day |
//! | `2026-12-01T15:00:00Z`, `2026-12-01T15:00:00+02:00` | that instant (RFC 3339) |
//! | `2026-12-01T15:00`, `2026-12-01 15:00` | that local time |
//! | `now` | this instant |
//! | `today` (`eod`), `tomorrow`, `yesterday` | that day |
//! | `monday` … `sunday`, `mon` … `sun` | the next such day, never today |
//! | `eow`, `eom`, `eoy` | the last day of this week (Sunday), month, year |
//! | `3d`, `2w`, `6mo`, `in 3 days`, `in 2 weeks`, `in 1 month` | that many days, weeks, months from today |
//!
//! A *day* is a span: it starts at local midnight and ends at 23:59:59 local.
//! A due date set to a day is due at its end (a task due today is overdue only
//! once today is over); `due.before:DAY` means before the day starts and
//! `due.after:DAY` after it ends. An instant is a span of zero length.
//!
//! "Now" is injectable ([`Clock::at`]) so that tests can pin both the time and
//! the time zone; the binaries use [`Clock::from_env`], which honours
//! `TASK_NOW` (an RFC 3339 time) for reproducible scripts and tests.

use chrono::{
    DateTime, Datelike, Days, Duration, Local, LocalResult, Months, NaiveDate, NaiveDateTime,
    NaiveTime, TimeZone, Utc, Weekday,
};

/// Environment variable that pins "now" (RFC 3339), for tests and scripts.
pub const NOW_ENV: &str = "TASK_NOW";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    Invalid(String),
    OutOfRange(String),
}

impl std::fmt::Display for DateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DateError::Invalid(input) => write!(
                f,
                "invalid date {input:?}: use 2026-12-01, an RFC 3339 time, today, tomorrow, \
                 yesterday, a weekday, eow, eom, 3d, 2w or \"in 3 days\""
            ),
            DateError::OutOfRange(input) => write!(f, "date {input:?} is out of range"),
        }
    }
}

impl std::error::Error for DateError {}

/// What a DATE names: a span of time, `start..=end`, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateSpec {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl DateSpec {
    fn instant(at: DateTime<Utc>) -> DateSpec {
        DateSpec { start: at, end: at }
    }

    /// The due date this names: a day's end, or the instant.
    pub fn due(&self) -> DateTime<Utc> {
        self.end
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
        let invalid = || DateError::Invalid(input.to_string());
        let out_of_range = || DateError::OutOfRange(input.to_string());
        let today = self.now.date_naive();

        let day = |d: Option<NaiveDate>| -> Result<DateSpec, DateError> {
            self.day(d.ok_or_else(out_of_range)?)
                .ok_or_else(out_of_range)
        };

        match text.as_str() {
            "" => return Err(invalid()),
            "now" => return Ok(DateSpec::instant(self.now_utc())),
            "today" | "eod" => return day(Some(today)),
            "tomorrow" => return day(today.succ_opt()),
            "yesterday" => return day(today.pred_opt()),
            "eow" => {
                let left = 6 - today.weekday().num_days_from_monday();
                return day(today.checked_add_days(Days::new(u64::from(left))));
            }
            "eom" => {
                let first = today.with_day(1);
                let next = first.and_then(|d| d.checked_add_months(Months::new(1)));
                return day(next.and_then(|d| d.pred_opt()));
            }
            "eoy" => return day(NaiveDate::from_ymd_opt(today.year(), 12, 31)),
            _ => {}
        }
        if let Some(weekday) = parse_weekday(&text) {
            let ahead =
                (7 + weekday.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
            let ahead = if ahead == 0 { 7 } else { ahead };
            return day(today.checked_add_days(Days::new(u64::from(ahead))));
        }
        if let Some((count, unit)) = parse_offset(&text) {
            let target = match unit {
                Unit::Days => today.checked_add_days(Days::new(count)),
                Unit::Weeks => count
                    .checked_mul(7)
                    .and_then(|n| today.checked_add_days(Days::new(n))),
                Unit::Months => u32::try_from(count)
                    .ok()
                    .and_then(|n| today.checked_add_months(Months::new(n))),
            };
            return day(target);
        }
        if let Ok(date) = NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
            return day(Some(date));
        }
        if let Ok(at) = DateTime::parse_from_rfc3339(&text) {
            return Ok(DateSpec::instant(at.with_timezone(&Utc)));
        }
        for format in [
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
        Err(invalid())
    }

    /// The span of a local calendar day.
    fn day(&self, date: NaiveDate) -> Option<DateSpec> {
        let start = self.local(date.and_time(NaiveTime::MIN))?;
        let end = self.local(date.and_hms_opt(23, 59, 59)?)?;
        Some(DateSpec { start, end })
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

enum Unit {
    Days,
    Weeks,
    Months,
}

fn parse_weekday(text: &str) -> Option<Weekday> {
    Some(match text {
        "monday" | "mon" => Weekday::Mon,
        "tuesday" | "tue" | "tues" => Weekday::Tue,
        "wednesday" | "wed" => Weekday::Wed,
        "thursday" | "thu" | "thur" | "thurs" => Weekday::Thu,
        "friday" | "fri" => Weekday::Fri,
        "saturday" | "sat" => Weekday::Sat,
        "sunday" | "sun" => Weekday::Sun,
        _ => return None,
    })
}

/// `3d`, `2w`, `6mo`, `in 3 days`, `in 3d`, `3 days`.
fn parse_offset(text: &str) -> Option<(u64, Unit)> {
    let rest = text.strip_prefix("in ").unwrap_or(text).trim();
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    if digits == 0 {
        return None;
    }
    let count: u64 = rest[..digits].parse().ok()?;
    let unit = match rest[digits..].trim() {
        "d" | "day" | "days" => Unit::Days,
        "w" | "wk" | "wks" | "week" | "weeks" => Unit::Weeks,
        "mo" | "month" | "months" => Unit::Months,
        _ => return None,
    };
    Some((count, unit))
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
mod tests {
    use super::*;
    use chrono::FixedOffset;

    /// Wednesday 2026-03-04 10:30 at UTC+02:00.
    fn clock() -> Clock<FixedOffset> {
        let tz = FixedOffset::east_opt(2 * 3600).unwrap();
        Clock::at(tz.with_ymd_and_hms(2026, 3, 4, 10, 30, 0).unwrap())
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// The day's span at UTC+02:00, as UTC.
    fn day(date: &str) -> DateSpec {
        DateSpec {
            start: utc(&format!("{date}T00:00:00+02:00")),
            end: utc(&format!("{date}T23:59:59+02:00")),
        }
    }

    #[test]
    fn every_form_of_the_spec() {
        let c = clock();
        let cases = [
            ("2026-12-01", day("2026-12-01")),
            ("today", day("2026-03-04")),
            ("Today", day("2026-03-04")),
            ("tomorrow", day("2026-03-05")),
            ("yesterday", day("2026-03-03")),
            ("thursday", day("2026-03-05")),
            ("wednesday", day("2026-03-11")),
            ("mon", day("2026-03-09")),
            ("eow", day("2026-03-08")),
            ("eom", day("2026-03-31")),
            ("eoy", day("2026-12-31")),
            ("3d", day("2026-03-07")),
            ("2w", day("2026-03-18")),
            ("in 3 days", day("2026-03-07")),
            ("in 1 day", day("2026-03-05")),
            ("in 2 weeks", day("2026-03-18")),
            ("1mo", day("2026-04-04")),
        ];
        for (input, want) in cases {
            assert_eq!(c.parse(input), Ok(want), "{input}");
        }
    }

    #[test]
    fn instants() {
        let c = clock();
        let at = utc("2026-12-01T15:00:00Z");
        assert_eq!(c.parse("2026-12-01T15:00:00Z").unwrap().due(), at);
        assert_eq!(c.parse("2026-12-01T17:00:00+02:00").unwrap().due(), at);
        assert_eq!(c.parse("2026-12-01T17:00").unwrap().due(), at);
        assert_eq!(c.parse("2026-12-01 17:00:00").unwrap().due(), at);
        let now = c.parse("now").unwrap();
        assert!(!now.is_day());
        assert_eq!(now.due(), utc("2026-03-04T08:30:00Z"));
    }

    #[test]
    fn a_day_is_due_at_its_end() {
        let spec = clock().parse("tomorrow").unwrap();
        assert!(spec.is_day());
        assert_eq!(spec.due(), utc("2026-03-05T21:59:59Z"));
    }

    #[test]
    fn eow_on_a_sunday_is_today() {
        let tz = FixedOffset::east_opt(0).unwrap();
        let c = Clock::at(tz.with_ymd_and_hms(2026, 3, 8, 12, 0, 0).unwrap());
        assert_eq!(c.parse("eow").unwrap().start, utc("2026-03-08T00:00:00Z"));
        assert_eq!(
            c.parse("sunday").unwrap().start,
            utc("2026-03-15T00:00:00Z")
        );
    }

    #[test]
    fn eom_in_february_and_december() {
        let tz = FixedOffset::east_opt(0).unwrap();
        let feb = Clock::at(tz.with_ymd_and_hms(2028, 2, 10, 0, 0, 0).unwrap());
        assert_eq!(feb.parse("eom").unwrap().start, utc("2028-02-29T00:00:00Z"));
        let dec = Clock::at(tz.with_ymd_and_hms(2026, 12, 31, 23, 0, 0).unwrap());
        assert_eq!(dec.parse("eom").unwrap().start, utc("2026-12-31T00:00:00Z"));
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let c = clock();
        for bad in [
            "",
            "  ",
            "someday",
            "2026-13-01",
            "2026-02-30",
            "3x",
            "in days",
            "d",
            "99999999999999999999d",
            "18446744073709551615w",
            "4294967296mo",
            "in -3 days",
        ] {
            assert!(c.parse(bad).is_err(), "{bad:?} parsed");
        }
        let message = c.parse("someday").unwrap_err().to_string();
        assert!(
            message.contains("someday") && message.contains("tomorrow"),
            "{message}"
        );
    }

    #[test]
    fn the_system_clock_parses_too() {
        let c = Clock::system();
        let spec = c.parse("tomorrow").unwrap();
        assert!(spec.start > c.now_utc() && spec.is_day());
    }

    #[test]
    fn dates_the_server_cannot_give_back_are_out_of_range() {
        let c = clock();
        for input in ["in 3000000 days", "9999-12-31T23:59:59-12:00", "0000-06-01"] {
            assert!(
                matches!(c.parse(input), Err(DateError::OutOfRange(_))),
                "{input}: {:?}",
                c.parse(input)
            );
        }
        assert!(c.parse("9999-12-30").is_ok());
    }

    #[test]
    fn relative_rendering() {
        let now = utc("2026-03-04T10:00:00Z");
        let at = |s: i64| now + Duration::seconds(s);
        assert_eq!(relative(at(10), now), "now");
        assert_eq!(relative(at(5 * 60), now), "in 5min");
        assert_eq!(relative(at(3 * 3600 + 5), now), "in 3h");
        assert_eq!(relative(at(2 * 86400 + 3600), now), "in 2d");
        assert_eq!(relative(at(-3 * 86400), now), "3d ago");
        assert_eq!(relative(at(21 * 86400), now), "in 3w");
        assert_eq!(relative(at(120 * 86400), now), "in 4mo");
        assert_eq!(relative(at(-400 * 86400), now), "1y ago");
    }
}
