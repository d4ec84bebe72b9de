//! The DATE forms pinned to a clock and a zone.

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
        ends: false,
    }
}

/// A day named as a period's end (`eow`): taken at its end by every field.
fn end_day(date: &str) -> DateSpec {
    DateSpec {
        ends: true,
        ..day(date)
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
        ("eow", end_day("2026-03-08")),
        ("eom", end_day("2026-03-31")),
        ("eoy", end_day("2026-12-31")),
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
    // Taskwarrior's export format: UTC with a Z, local time without.
    assert_eq!(c.parse("20261201T150000Z").unwrap().due(), at);
    assert_eq!(c.parse("20261201T170000").unwrap().due(), at);
    assert!(c.parse("20261301T150000Z").is_err());
    // A day, then a time of day on it, in the local zone.
    let instant = |input: &str| c.parse(input).map(|spec| (spec.is_day(), spec.due()));
    assert_eq!(
        instant("tomorrow 17:00"),
        Ok((false, utc("2026-03-05T15:00:00Z")))
    );
    assert_eq!(
        instant("fri 9:30"),
        Ok((false, utc("2026-03-06T07:30:00Z")))
    );
    assert_eq!(
        instant("in 3 days 08:15:30"),
        Ok((false, utc("2026-03-07T06:15:30Z")))
    );
    assert_eq!(instant("2026-12-01 17:00"), Ok((false, at)));
    // A period's start is its first day's, and takes a time as that day.
    assert_eq!(
        instant("soww 9:00"),
        Ok((false, utc("2026-03-02T07:00:00Z")))
    );
    assert_eq!(
        instant("sonw 8:00"),
        Ok((false, utc("2026-03-09T06:00:00Z")))
    );
    assert!(c.parse("midnight 9:00").is_err());
    // What a refusal lists names the periods' words too.
    let said = c.parse("25:00").unwrap_err().to_string();
    assert!(said.contains("sow/eow (soww, som, soq"), "{said}");
    for bad in [
        "tomorrow 25:00",
        "tomorrow 9:60",
        "1h 17:00",
        "now 17:00",
        "nonsense 17:00",
    ] {
        assert!(c.parse(bad).is_err(), "{bad}");
    }
    // Two times, or a great many: refused at once, never read deeper.
    assert!(c.parse("tomorrow 9:00 17:00").is_err());
    let many = "0:00 ".repeat(200_000);
    assert!(c.parse(&many).is_err());
    let now = c.parse("now").unwrap();
    assert!(!now.is_day());
    assert_eq!(now.due(), utc("2026-03-04T08:30:00Z"));
}

/// A time of day alone names its next coming, as Taskwarrior reads it;
/// on a 12-hour clock too, alone or after a day.
#[test]
fn a_time_alone_is_its_next_coming() {
    let c = clock(); // 2026-03-04 10:30 at +02:00
    for (input, at) in [
        ("17:00", "2026-03-04T15:00:00Z"),
        ("10:30", "2026-03-04T08:30:00Z"),
        ("9:30", "2026-03-05T07:30:00Z"),
        ("9am", "2026-03-05T07:00:00Z"),
        ("9AM", "2026-03-05T07:00:00Z"),
        ("9:30pm", "2026-03-04T19:30:00Z"),
        ("12pm", "2026-03-04T10:00:00Z"),
        ("12am", "2026-03-04T22:00:00Z"),
        ("11:59:59", "2026-03-04T09:59:59Z"),
        ("fri 9:30pm", "2026-03-06T19:30:00Z"),
        ("tomorrow 12am", "2026-03-04T22:00:00Z"),
    ] {
        let spec = c
            .parse(input)
            .unwrap_or_else(|err| panic!("{input}: {err}"));
        assert!(!spec.is_day(), "{input}");
        assert_eq!(spec.due(), utc(at), "{input}");
    }
    for bad in [
        "13pm",
        "0am",
        "9:3pm",
        "9:30:00pm",
        "pm",
        "9 pm",
        "fri 13pm",
    ] {
        assert!(c.parse(bad).is_err(), "{bad}");
    }
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
        "whenever",
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
    let message = c.parse("whenever").unwrap_err().to_string();
    assert!(
        message.contains("whenever") && message.contains("tomorrow"),
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

/// An instant at UTC+02:00, as UTC.
fn local(at: &str) -> DateSpec {
    let at = utc(&format!("{at}+02:00"));
    DateSpec {
        start: at,
        end: at,
        ends: false,
    }
}

/// On a Sunday the work week is the coming one, as Taskwarrior's; on a
/// Saturday still the one just gone, and a week is Monday's to Sunday's.
#[test]
fn the_work_week_of_a_weekend() {
    let tz = FixedOffset::east_opt(2 * 3600).unwrap();
    let sunday = Clock::at(tz.with_ymd_and_hms(2026, 12, 6, 10, 0, 0).unwrap());
    assert_eq!(sunday.parse("soww"), Ok(local("2026-12-07T00:00:00")));
    assert_eq!(sunday.parse("eoww"), Ok(end_day("2026-12-11")));
    assert_eq!(sunday.parse("sopww"), Ok(local("2026-11-30T00:00:00")));
    assert_eq!(sunday.parse("eonww"), Ok(end_day("2026-12-18")));
    assert_eq!(sunday.parse("sow"), Ok(local("2026-11-30T00:00:00")));
    assert_eq!(sunday.parse("eow"), Ok(end_day("2026-12-06")));
    let saturday = Clock::at(tz.with_ymd_and_hms(2026, 12, 12, 10, 0, 0).unwrap());
    assert_eq!(saturday.parse("soww"), Ok(local("2026-12-07T00:00:00")));
    assert_eq!(saturday.parse("eoww"), Ok(end_day("2026-12-11")));
}

#[test]
fn taskwarriors_named_dates() {
    let c = clock();
    let cases = [
        ("sod", local("2026-03-04T00:00:00")),
        ("eod", end_day("2026-03-04")),
        ("sow", local("2026-03-02T00:00:00")),
        ("eow", end_day("2026-03-08")),
        ("som", local("2026-03-01T00:00:00")),
        ("eom", end_day("2026-03-31")),
        ("soy", local("2026-01-01T00:00:00")),
        ("eoy", end_day("2026-12-31")),
        // Work weeks, quarters, and the previous, current and next period.
        ("soww", local("2026-03-02T00:00:00")),
        ("eoww", end_day("2026-03-06")),
        ("soq", local("2026-01-01T00:00:00")),
        ("eoq", end_day("2026-03-31")),
        ("sonq", local("2026-04-01T00:00:00")),
        ("eopq", end_day("2025-12-31")),
        ("sopw", local("2026-02-23T00:00:00")),
        ("eonw", end_day("2026-03-15")),
        ("sonww", local("2026-03-09T00:00:00")),
        ("eopww", end_day("2026-02-27")),
        ("socw", local("2026-03-02T00:00:00")),
        ("eocm", end_day("2026-03-31")),
        ("sopm", local("2026-02-01T00:00:00")),
        ("eopm", end_day("2026-02-28")),
        ("sony", local("2027-01-01T00:00:00")),
        ("eopy", end_day("2025-12-31")),
        ("sond", local("2026-03-05T00:00:00")),
        ("eopd", end_day("2026-03-03")),
        ("noon", local("2026-03-04T12:00:00")),
        ("midnight", local("2026-03-05T00:00:00")),
        ("later", day("9999-12-30")),
        ("someday", day("9999-12-30")),
        ("next week", day("2026-03-09")),
        ("next month", day("2026-04-01")),
        ("next year", day("2027-01-01")),
        ("next friday", day("2026-03-06")),
        ("this wed", day("2026-03-11")),
        // Month names: the next first of that month; this month's is next year's.
        ("jan", day("2027-01-01")),
        ("April", day("2026-04-01")),
        ("march", day("2027-03-01")),
        ("dec", day("2026-12-01")),
        // Ordinals: this month's if still to come (today counts), else the
        // next month that has that day.
        ("1st", day("2026-04-01")),
        ("4th", day("2026-03-04")),
        ("15th", day("2026-03-15")),
        ("22nd", day("2026-03-22")),
        ("31st", day("2026-03-31")),
        ("3rd", day("2026-04-03")),
        ("11th", day("2026-03-11")),
        ("1y", day("2027-03-04")),
        ("in 2 years", day("2028-03-04")),
        // Hours and minutes are instants from now.
        ("1h", local("2026-03-04T11:30:00")),
        ("30min", local("2026-03-04T11:00:00")),
        ("90s", local("2026-03-04T10:31:30")),
        ("in 1 hour", local("2026-03-04T11:30:00")),
        ("in 2 hours", local("2026-03-04T12:30:00")),
        // ISO 8601 durations.
        ("P1D", day("2026-03-05")),
        ("p2w", day("2026-03-18")),
        ("P1Y2M", day("2027-05-04")),
        ("PT2H30M", local("2026-03-04T13:00:00")),
        ("P1DT12H", local("2026-03-05T22:30:00")),
    ];
    for (input, want) in cases {
        assert_eq!(c.parse(input), Ok(want), "{input}");
    }
}

#[test]
fn forms_that_almost_fit_are_errors() {
    let c = clock();
    for bad in [
        "1th",
        "2st",
        "32nd",
        "0th",
        "11st",
        "ja",
        "P",
        "PT",
        "P1H",
        "PT1D",
        "P1M1Y",
        "P1DT",
        "1 fortnight",
        "next",
        "next decade",
        "in 1 hourly",
    ] {
        assert!(c.parse(bad).is_err(), "{bad:?} parsed");
    }
    for huge in [
        "P99999999999Y",
        "P1537228672809129302Y",
        "P99999999999999999999D",
    ] {
        assert!(c.parse(huge).is_err(), "{huge}");
    }
}

/// A day named without a time is due at its end and waited for from its
/// start; a period's end (`eod`, `eow`) is its end for every field.
#[test]
fn each_field_takes_a_day_at_its_end_or_start() {
    let c = clock();
    let monday = c.parse("2026-03-09").unwrap();
    assert_eq!(monday.as_field(DateField::Due), monday.end);
    assert_eq!(monday.as_field(DateField::Until), monday.end);
    assert_eq!(monday.as_field(DateField::Wait), monday.start);
    assert_eq!(monday.as_field(DateField::Scheduled), monday.start);
    let eod = c.parse("eod").unwrap();
    for field in [
        DateField::Due,
        DateField::Wait,
        DateField::Scheduled,
        DateField::Until,
    ] {
        assert_eq!(eod.as_field(field), eod.end, "{field:?}");
    }
    let sow = c.parse("sow").unwrap();
    assert_eq!(sow.as_field(DateField::Due), sow.start);
}

/// Taskwarrior's date arithmetic: a DATE, then a length added or taken away.
#[test]
fn a_date_moved_by_a_length() {
    let c = clock();
    let instant = |s: &str| DateSpec::instant(utc(s));
    let cases = [
        ("today+3d", day("2026-03-07")),
        ("today-1d", day("2026-03-03")),
        ("tomorrow+1wk", day("2026-03-12")),
        ("friday+1d", day("2026-03-07")),
        ("2026-12-24-2d", day("2026-12-22")),
        ("2026-01-31+1mo", day("2026-02-28")),
        ("eom-1d", end_day("2026-03-30")),
        ("eoy+P1M", end_day("2027-01-31")),
        ("now+2h", instant("2026-03-04T12:30:00+02:00")),
        ("now-90min", instant("2026-03-04T09:00:00+02:00")),
        ("tomorrow+9h", instant("2026-03-05T09:00:00+02:00")),
        ("sod-1d", instant("2026-03-03T00:00:00+02:00")),
        ("eod+1h", instant("2026-03-05T00:59:59+02:00")),
        ("today+1d+2h", instant("2026-03-05T02:00:00+02:00")),
        ("-3d", day("2026-03-01")),
        ("+1w", day("2026-03-11")),
        ("-2h", instant("2026-03-04T08:30:00+02:00")),
        ("today+1q", day("2026-06-04")),
        ("2qtrs", day("2026-09-04")),
        ("Today + 3d", day("2026-03-07")),
        // A day then a time of day still reads after a moved day.
        ("today+1d 17:00", instant("2026-03-05T17:00:00+02:00")),
        // Forms with their own signs read as themselves.
        (
            "2026-03-04t10:00:00+01:00",
            instant("2026-03-04T10:00:00+01:00"),
        ),
    ];
    for (input, want) in cases {
        assert_eq!(c.parse(input), Ok(want), "{input}");
    }
    // A wait moved by whole days is still shown from the day's start.
    assert_eq!(
        c.parse("today+2d")
            .map(|spec| spec.as_field(DateField::Wait)),
        Ok(utc("2026-03-06T00:00:00+02:00"))
    );
    for bad in [
        "today+",
        "+",
        "-",
        "today+3x",
        "today+3d+",
        "3d-today",
        "--1d",
    ] {
        assert!(
            matches!(c.parse(bad), Err(DateError::Invalid(_))),
            "{bad}: {:?}",
            c.parse(bad)
        );
    }
    // Taskwarrior counts `due-2d` from the task's due date: said so.
    for relative in ["due-2d", "scheduled+1d", "Due - 2d"] {
        let refused = c.parse(relative);
        assert!(
            matches!(&refused, Err(DateError::FromAttribute(_))),
            "{relative}: {refused:?}"
        );
    }
    assert!(c
        .parse("due-2d")
        .is_err_and(|e| e.to_string().contains("name the date itself (friday-2d")));
    assert!(matches!(
        c.parse("today+99999999999y"),
        Err(DateError::OutOfRange(_))
    ));
    assert!(matches!(
        c.parse("9999-12-30+2d"),
        Err(DateError::OutOfRange(_))
    ));
    // A long chain is read sign by sign, as deep as it is long (the input's
    // length bounds both).
    let chain = format!("today{}", "+1d".repeat(30));
    assert_eq!(c.parse(&chain), Ok(day("2026-04-03")));
}

/// Lengths with a fraction, as Taskwarrior takes them (`task calc 1.5d` is
/// `P1DT12H`, `1.5mo` is `P45D`, `1.5q` `P136DT12H`): whole days stay a
/// day, a part of one is on the clock.
#[test]
fn a_length_with_a_fraction() {
    let c = clock();
    let instant = |s: &str| DateSpec::instant(utc(s));
    let cases = [
        // From the day's start, as `today+1d+12h`.
        ("today+1.5d", instant("2026-03-05T12:00:00+02:00")),
        ("today+0.5w", instant("2026-03-07T12:00:00+02:00")),
        ("now+1.25h", instant("2026-03-04T11:45:00+02:00")),
        ("now-0.5min", instant("2026-03-04T10:29:30+02:00")),
        ("1.5h", instant("2026-03-04T12:00:00+02:00")),
        ("in 1.5 days", instant("2026-03-05T22:30:00+02:00")),
        // Whole days, however written, are a day.
        ("today+2.0d", day("2026-03-06")),
        ("today+1.5mo", day("2026-04-18")),
        ("today+0.5y", instant("2026-09-02T12:00:00+02:00")),
    ];
    for (input, want) in cases {
        assert_eq!(c.parse(input), Ok(want), "{input}");
    }
    for bad in [
        "today+.5d",
        "today+1.d",
        "today+1.5.2d",
        "1,5d",
        "today+1.5x",
    ] {
        assert!(
            matches!(c.parse(bad), Err(DateError::Invalid(_))),
            "{bad}: {:?}",
            c.parse(bad)
        );
    }
}
