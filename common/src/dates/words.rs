//! The named DATE forms, Taskwarrior's and a few of plain English, read
//! against the local "now": what each names, before it becomes UTC.

use chrono::{Datelike, Days, Duration, Months, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

/// What a named form means in local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Named {
    /// A whole calendar day (a due date at its end).
    Day(NaiveDate),
    /// The first instant of that day: `sod`, `sow`, `som`, `soy`, `midnight`.
    Start(NaiveDate),
    /// A period's last day, named as its end (`eod`, `eow`, `eom`): a whole
    /// day, taken at its end by every field.
    End(NaiveDate),
    /// A local wall-clock time: `noon`.
    At(NaiveDateTime),
    /// That long after now: `1h`, `30min`, `PT2H`.
    After(Duration),
    /// A form that fits, but names a date no calendar here holds.
    OutOfRange,
}

/// `later` and `someday`: Taskwarrior's far-off date.
const SOMEDAY: (i32, u32, u32) = (9999, 12, 30);

/// The named form `text` (lower case, trimmed) is, if any, at local `now`.
pub(super) fn named(text: &str, now: NaiveDateTime) -> Option<Named> {
    let today = now.date();
    let or_range = |d: Option<NaiveDate>, wrap: fn(NaiveDate) -> Named| -> Named {
        d.map_or(Named::OutOfRange, wrap)
    };
    let monday =
        today.checked_sub_days(Days::new(u64::from(today.weekday().num_days_from_monday())));
    let first_of_month = today.with_day(1);
    let named = match text {
        "today" => Named::Day(today),
        "tomorrow" => or_range(today.succ_opt(), Named::Day),
        "yesterday" => or_range(today.pred_opt(), Named::Day),
        "later" | "someday" => {
            let (y, m, d) = SOMEDAY;
            or_range(NaiveDate::from_ymd_opt(y, m, d), Named::Day)
        }
        "noon" => Named::At(today.and_time(NaiveTime::from_hms_opt(12, 0, 0)?)),
        "midnight" => or_range(today.succ_opt(), Named::Start),
        "next week" => or_range(
            monday.and_then(|m| m.checked_add_days(Days::new(7))),
            Named::Day,
        ),
        "next month" => or_range(
            first_of_month.and_then(|d| d.checked_add_months(Months::new(1))),
            Named::Day,
        ),
        "next year" => or_range(NaiveDate::from_ymd_opt(today.year() + 1, 1, 1), Named::Day),
        _ => return period(text, today).or_else(|| other(text, today)),
    };
    Some(named)
}

/// A span of the calendar that Taskwarrior names the start (`so…`) or end
/// (`eo…`) of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Period {
    Day,
    Week,
    /// Monday to Friday.
    WorkWeek,
    Month,
    Quarter,
    Year,
}

/// Taskwarrior's starts and ends of periods: `sow`, `eoww`, `eoq`, and
/// those of the previous (`sopw`), current (`socm`) and next (`sony`)
/// one. A start is that day's first instant, an end the whole last day.
fn period(text: &str, today: NaiveDate) -> Option<Named> {
    let (start, rest) = if let Some(rest) = text.strip_prefix("so") {
        (true, rest)
    } else {
        (false, text.strip_prefix("eo")?)
    };
    let (shift, rest) = match rest.as_bytes().first() {
        Some(b'p') if rest.len() > 1 => (-1, &rest[1..]),
        Some(b'n') if rest.len() > 1 => (1, &rest[1..]),
        Some(b'c') if rest.len() > 1 => (0, &rest[1..]),
        _ => (0, rest),
    };
    let unit = match rest {
        "d" => Period::Day,
        "w" => Period::Week,
        "ww" => Period::WorkWeek,
        "m" => Period::Month,
        "q" => Period::Quarter,
        "y" => Period::Year,
        _ => return None,
    };
    let first = first_day(unit, today).and_then(|d| add(unit, d, shift));
    let named = if start {
        first.map_or(Named::OutOfRange, Named::Start)
    } else {
        let last = first.and_then(|d| match unit {
            Period::WorkWeek => d.checked_add_days(Days::new(4)),
            _ => add(unit, d, 1).and_then(|next| next.pred_opt()),
        });
        last.map_or(Named::OutOfRange, Named::End)
    };
    Some(named)
}

/// The first day of the `unit` that holds `day`.
fn first_day(unit: Period, day: NaiveDate) -> Option<NaiveDate> {
    match unit {
        Period::Day => Some(day),
        Period::Week => {
            day.checked_sub_days(Days::new(u64::from(day.weekday().num_days_from_monday())))
        }
        // On a Sunday the work week is the one to come, as Taskwarrior's.
        Period::WorkWeek => {
            let day = if day.weekday() == Weekday::Sun {
                day.succ_opt()?
            } else {
                day
            };
            first_day(Period::Week, day)
        }
        Period::Month => day.with_day(1),
        Period::Quarter => NaiveDate::from_ymd_opt(day.year(), (day.month0() / 3) * 3 + 1, 1),
        Period::Year => NaiveDate::from_ymd_opt(day.year(), 1, 1),
    }
}

/// `day` moved by `count` whole units (`day` being a unit's first day).
fn add(unit: Period, day: NaiveDate, count: i32) -> Option<NaiveDate> {
    let months = |n: u32| {
        if count < 0 {
            day.checked_sub_months(Months::new(n * count.unsigned_abs()))
        } else {
            day.checked_add_months(Months::new(n * count.unsigned_abs()))
        }
    };
    let days = |n: u64| {
        if count < 0 {
            day.checked_sub_days(Days::new(n * u64::from(count.unsigned_abs())))
        } else {
            day.checked_add_days(Days::new(n * u64::from(count.unsigned_abs())))
        }
    };
    match unit {
        Period::Day => days(1),
        Period::Week | Period::WorkWeek => days(7),
        Period::Month => months(1),
        Period::Quarter => months(3),
        Period::Year => months(12),
    }
}

/// The forms with a number or a name in them.
fn other(text: &str, today: NaiveDate) -> Option<Named> {
    let bare = text
        .strip_prefix("next ")
        .or_else(|| text.strip_prefix("this "))
        .unwrap_or(text);
    if let Some(weekday) = weekday(bare) {
        let ahead =
            (7 + weekday.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
        let ahead = if ahead == 0 { 7 } else { ahead };
        return Some(
            today
                .checked_add_days(Days::new(u64::from(ahead)))
                .map_or(Named::OutOfRange, Named::Day),
        );
    }
    if let Some(month) = month(bare) {
        return Some(next_month_named(today, month));
    }
    if let Some(day) = ordinal(text) {
        return Some(next_day_of_month(today, day));
    }
    if let Some(step) = iso_duration(text) {
        return Some(step.map_or(Named::OutOfRange, |step| step.after_today(today)));
    }
    offset(text, today)
}

fn weekday(text: &str) -> Option<Weekday> {
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

/// `jan` … `december`: the month's number.
fn month(text: &str) -> Option<u32> {
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    NAMES
        .iter()
        .position(|name| text == *name || (text.len() >= 3 && name.starts_with(text)))
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// The first day of the next such month: this month's name is next year's.
fn next_month_named(today: NaiveDate, month: u32) -> Named {
    let year = if month > today.month() {
        today.year()
    } else {
        today.year() + 1
    };
    NaiveDate::from_ymd_opt(year, month, 1).map_or(Named::OutOfRange, Named::Day)
}

/// `1st`, `2nd`, `3rd`, `15th`, `22nd`: the day of the month.
fn ordinal(text: &str) -> Option<u32> {
    let digits = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, suffix) = text.split_at(digits);
    let day: u32 = number.parse().ok().filter(|d| (1..=31).contains(d))?;
    let expected = match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    (suffix == expected).then_some(day)
}

/// That day of this month if it is still to come (today counts), else of
/// the next month that has it (the 31st after April 30 is May 31).
fn next_day_of_month(today: NaiveDate, day: u32) -> Named {
    let mut first = today.with_day(1);
    for _ in 0..13 {
        let Some(month) = first else { break };
        if let Some(date) = month.with_day(day).filter(|d| *d >= today) {
            return Named::Day(date);
        }
        first = month.checked_add_months(Months::new(1));
    }
    Named::OutOfRange
}

/// A length of time as written (`3d`, `2w`, `6mo`, `1h`, `P1DT12H`):
/// calendar months and days, then seconds on the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Step {
    months: u32,
    days: u64,
    seconds: i64,
    /// Written with a unit of the clock (`0h` too): it names an instant.
    on_clock: bool,
}

impl Step {
    /// Whether it is whole days (or months), with nothing on the clock.
    pub(super) fn is_calendar(&self) -> bool {
        !self.on_clock
    }

    /// Whether it has a calendar part: days, weeks, months or years.
    pub(super) fn moves_days(&self) -> bool {
        self.months > 0 || self.days > 0
    }

    /// `day` moved by the calendar part, forward or back.
    pub(super) fn move_day(&self, day: NaiveDate, forward: bool) -> Option<NaiveDate> {
        let (months, days) = (Months::new(self.months), Days::new(self.days));
        if forward {
            day.checked_add_months(months)?.checked_add_days(days)
        } else {
            day.checked_sub_months(months)?.checked_sub_days(days)
        }
    }

    /// The clock part, forward or back.
    pub(super) fn clock(&self, forward: bool) -> Option<Duration> {
        Duration::try_seconds(if forward { self.seconds } else { -self.seconds })
    }

    /// Today moved by it: a day when it is whole days, else that long
    /// after now (its calendar part counted from today).
    fn after_today(self, today: NaiveDate) -> Named {
        let Some(day) = self.move_day(today, true) else {
            return Named::OutOfRange;
        };
        if self.is_calendar() {
            return Named::Day(day);
        }
        (day - today)
            .num_seconds()
            .checked_add(self.seconds)
            .and_then(Duration::try_seconds)
            .map_or(Named::OutOfRange, Named::After)
    }
}

/// The length `text` (lower case, trimmed) writes, if it is one:
/// `Some(None)` for one too long for any calendar.
pub(super) fn step(text: &str) -> Option<Option<Step>> {
    count_and_unit(text).or_else(|| iso_duration(text))
}

/// `3d`, `2w`, `6mo`, `1y`, `in 3 days`, `1h`, `30min`, `in 1 hour`:
/// whole days and more name a day; hours and less an instant from now.
fn offset(text: &str, today: NaiveDate) -> Option<Named> {
    let rest = text.strip_prefix("in ").unwrap_or(text).trim();
    Some(count_and_unit(rest)?.map_or(Named::OutOfRange, |step| step.after_today(today)))
}

/// A count then a unit: `3d`, `2 weeks`, `90s`, and as Taskwarrior takes
/// them, counts with a fraction: `1.5d`, `0.5w`, `1.25h`.
fn count_and_unit(text: &str) -> Option<Option<Step>> {
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    if digits == 0 {
        return None;
    }
    // The fraction's digits, after a point with digits on both sides.
    let fraction = text[digits..]
        .strip_prefix('.')
        .map(|rest| {
            &rest[..rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len())]
        })
        .filter(|digits| !digits.is_empty());
    let unit_at = digits + fraction.map_or(0, |f| f.len() + 1);
    let count: Option<u64> = text[..digits].parse().ok();
    let (seconds, days, months): (u64, u64, u64) = match text[unit_at..].trim() {
        "s" | "sec" | "secs" | "second" | "seconds" => (1, 0, 0),
        "min" | "mins" | "minute" | "minutes" => (60, 0, 0),
        "h" | "hr" | "hrs" | "hour" | "hours" => (3600, 0, 0),
        "d" | "day" | "days" => (0, 1, 0),
        "w" | "wk" | "wks" | "week" | "weeks" => (0, 7, 0),
        "mo" | "month" | "months" => (0, 0, 1),
        "q" | "qtr" | "qtrs" | "quarter" | "quarters" => (0, 0, 3),
        "y" | "yr" | "yrs" | "year" | "years" => (0, 0, 12),
        _ => return None,
    };
    if let Some(fraction) = fraction {
        return Some(fractional(count, fraction, seconds, days, months));
    }
    let times = |per: u64| count.and_then(|count| count.checked_mul(per));
    Some((|| {
        Some(Step {
            months: u32::try_from(times(months)?).ok()?,
            days: times(days)?,
            seconds: i64::try_from(times(seconds)?).ok()?,
            on_clock: seconds > 0,
        })
    })())
}

/// A count with a fraction of a unit, in whole seconds as Taskwarrior
/// counts them (a month 30 days, a quarter 91, a year 365): whole days
/// stay days, the rest goes on the clock (`1.5d` is a day and 12 hours).
fn fractional(
    whole: Option<u64>,
    fraction: &str,
    seconds: u64,
    days: u64,
    months: u64,
) -> Option<Step> {
    const DAY: u64 = 86_400;
    let per = match months {
        0 => seconds + days * DAY,
        3 => 91 * DAY,
        12 => 365 * DAY,
        _ => 30 * DAY,
    };
    // Six digits of a fraction are more than a second of a year.
    let digits = &fraction[..fraction.len().min(6)];
    let scale = 10u64.pow(u32::try_from(digits.len()).ok()?);
    let part: u64 = digits.parse().ok()?;
    let total = whole?
        .checked_mul(per)?
        .checked_add((part.checked_mul(per)? + scale / 2) / scale)?;
    Some(Step {
        months: 0,
        days: total / DAY,
        seconds: i64::try_from(total % DAY).ok()?,
        on_clock: seconds > 0 || total % DAY > 0,
    })
}

/// ISO 8601 durations, as Taskwarrior takes them: `P1D`, `P2W`, `P1Y2M`,
/// `PT2H30M`, `P1DT12H`. With no time part, a day; else an instant.
fn iso_duration(text: &str) -> Option<Option<Step>> {
    let body = text.strip_prefix('p')?;
    if body.is_empty() {
        return None;
    }
    let (date_part, time_part) = match body.split_once('t') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return None,
        None => (body, None),
    };
    let fields = |part: &str, units: &[char]| -> Option<Vec<(char, u64)>> {
        let mut found = Vec::new();
        let mut number = String::new();
        let mut last = None;
        for c in part.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let position = units.iter().position(|u| *u == c)?;
            // Units in order, each once, each with a number.
            if number.is_empty() || last.is_some_and(|l| position <= l) {
                return None;
            }
            found.push((c, number.parse().ok()?));
            number.clear();
            last = Some(position);
        }
        number.is_empty().then_some(found)
    };
    let date = fields(date_part, &['y', 'm', 'w', 'd'])?;
    let time = match time_part {
        Some(t) => fields(t, &['h', 'm', 's'])?,
        None => Vec::new(),
    };
    if date.is_empty() && time.is_empty() {
        return None;
    }
    let mut step = Some(Step {
        on_clock: !time.is_empty(),
        ..Step::default()
    });
    for (unit, n) in &date {
        step = step.and_then(|mut step| {
            match unit {
                'y' => {
                    step.months = step
                        .months
                        .checked_add(u32::try_from(n.checked_mul(12)?).ok()?)?
                }
                'm' => step.months = step.months.checked_add(u32::try_from(*n).ok()?)?,
                'w' => step.days = step.days.checked_add(n.checked_mul(7)?)?,
                _ => step.days = step.days.checked_add(*n)?,
            }
            Some(step)
        });
    }
    for (unit, n) in &time {
        let per = match unit {
            'h' => 3600,
            'm' => 60,
            _ => 1,
        };
        step = step.and_then(|mut step| {
            let add = i64::try_from(*n).ok()?.checked_mul(per)?;
            step.seconds = step.seconds.checked_add(add)?;
            Some(step)
        });
    }
    Some(step)
}
