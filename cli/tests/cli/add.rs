//! `task add` with every modifier, inline and as flags, and every DATE form
//! (with "now" and the time zone pinned: Wednesday 2026-03-04 10:30 +05:30).

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::helpers::{Cli, TestServer};

fn due(task: &Value) -> Option<DateTime<Utc>> {
    task["due"].as_str().map(|s| {
        DateTime::parse_from_rfc3339(s)
            .unwrap_or_else(|e| panic!("due {s:?}: {e}"))
            .with_timezone(&Utc)
    })
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn inline_modifiers() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");

    let out = cli.ok(&[
        "add",
        "Buy",
        "milk",
        "+errands",
        "due:tomorrow",
        "pri:H",
        "project:home.kitchen",
        "+dairy",
    ]);
    assert_eq!(out, "Created task 1.\n");

    let task = &cli.run(&["--json", "show", "1"]).success().json()[0];
    assert_eq!(task["title"], "Buy milk");
    assert_eq!(task["priority"], "high");
    assert_eq!(task["project"], "home.kitchen");
    assert_eq!(task["tags"], serde_json::json!(["errands", "dairy"]));
    assert_eq!(due(task), Some(utc("2026-03-05T23:59:59+05:30")));

    let long = cli.add(&[
        "Call",
        "-5",
        "degrees",
        "priority:low",
        "pro:work",
        "due:2026-12-01",
    ]);
    assert_eq!(long["title"], "Call -5 degrees");
    assert_eq!(long["priority"], "low");
    assert_eq!(long["project"], "work");

    let medium = cli.add(&["x", "priority:M"]);
    assert_eq!(medium["priority"], "medium");
}

#[test]
fn flag_modifiers() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    let task = cli.add(&[
        "Write",
        "report",
        "--project",
        "work.q1",
        "--priority",
        "high",
        "--due",
        "eom",
        "--tag",
        "office",
        "--tag",
        "urgent",
        "--description",
        "Numbers for Q1\nand a chart",
    ]);
    assert_eq!(task["title"], "Write report");
    assert_eq!(task["project"], "work.q1");
    assert_eq!(task["priority"], "high");
    assert_eq!(task["tags"], serde_json::json!(["office", "urgent"]));
    assert_eq!(task["description"], "Numbers for Q1\nand a chart");
    assert_eq!(due(&task), Some(utc("2026-03-31T23:59:59+05:30")));

    // Flags before the words, and `--flag=value`.
    let early = cli.add(&["--priority=L", "--due", "in 2 weeks", "Later", "thing"]);
    assert_eq!(early["title"], "Later thing");
    assert_eq!(early["priority"], "low");
    assert_eq!(due(&early), Some(utc("2026-03-18T23:59:59+05:30")));

    // After `--` everything is title.
    let literal = cli.add(&["--", "pri:H", "+notatag", "--json"]);
    assert_eq!(literal["title"], "pri:H +notatag --json");
    assert_eq!(literal["priority"], Value::Null);
}

#[test]
fn every_date_form() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    let day = |date: &str| Some(utc(&format!("{date}T23:59:59+05:30")));
    let cases: &[(&[&str], Option<DateTime<Utc>>)] = &[
        (&["due:2026-12-01"], day("2026-12-01")),
        (
            &["due:2026-12-01T15:00:00Z"],
            Some(utc("2026-12-01T15:00:00Z")),
        ),
        (
            &["due:2026-12-01T15:00:00-08:00"],
            Some(utc("2026-12-01T23:00:00Z")),
        ),
        (
            &["due:2026-12-01T09:00"],
            Some(utc("2026-12-01T09:00:00+05:30")),
        ),
        (&["due:now"], Some(utc(crate::helpers::NOW))),
        (&["due:today"], day("2026-03-04")),
        (&["due:tomorrow"], day("2026-03-05")),
        (&["due:yesterday"], day("2026-03-03")),
        (&["due:friday"], day("2026-03-06")),
        (&["due:Wednesday"], day("2026-03-11")),
        (&["due:mon"], day("2026-03-09")),
        (&["due:eow"], day("2026-03-08")),
        (&["due:eom"], day("2026-03-31")),
        (&["due:3d"], day("2026-03-07")),
        (&["due:2w"], day("2026-03-18")),
        (&["due:in 3 days"], day("2026-03-07")),
        (&["due:in", "3", "days"], day("2026-03-07")),
        (&["--due", "in 1 week"], day("2026-03-11")),
        (&["due:next", "week"], day("2026-03-09")),
        (&["due:next", "friday"], day("2026-03-06")),
        (&["due:next week"], day("2026-03-09")),
        (
            &["due:in", "1", "hour"],
            Some(utc("2026-03-04T11:30:00+05:30")),
        ),
        (&["due:30min"], Some(utc("2026-03-04T11:00:00+05:30"))),
        (&["due:noon"], Some(utc("2026-03-04T12:00:00+05:30"))),
        (&["due:jan"], day("2027-01-01")),
        (&["due:15th"], day("2026-03-15")),
        (&["due:someday"], day("9999-12-30")),
        (&["due:sow"], Some(utc("2026-03-02T00:00:00+05:30"))),
    ];
    for (words, want) in cases {
        let mut args = vec!["Dated"];
        args.extend_from_slice(words);
        let task = cli.add(&args);
        assert_eq!(due(&task), *want, "{words:?}");
        assert_eq!(task["title"], "Dated", "{words:?}");
    }
}

#[test]
fn dates_follow_the_zone_s_daylight_saving_rules() {
    let server = TestServer::start();
    let mut cli = Cli::logged_in(&server, "alice");
    // Newfoundland as a POSIX rule (no tz database needed): -03:30, and
    // -02:30 from the second Sunday of March to the first of November, 02:00.
    cli.extra_env
        .push(("TZ".into(), "NST3:30NDT,M3.2.0,M11.1.0".into()));
    let cases = [
        // Summer and winter take their own offsets, not today's.
        ("due:2026-07-01T09:00", "2026-07-01T11:30:00Z"),
        ("due:2026-12-01T09:00", "2026-12-01T12:30:00Z"),
        // 01:30 happens twice on 1 November: the first time counts.
        ("due:2026-11-01T01:30", "2026-11-01T04:00:00Z"),
        // 02:30 never happens on 8 March: the next time that does.
        ("due:2026-03-08T02:30", "2026-03-08T05:30:00Z"),
    ];
    for (word, want) in cases {
        let task = cli.add(&["Zoned", word]);
        assert_eq!(due(&task), Some(utc(want)), "{word}");
    }
}

/// Taskwarrior's named dates on the days clocks change, in two zones (as
/// POSIX rules, so that no tz database is needed).
#[test]
fn named_dates_on_the_days_clocks_change() {
    let server = TestServer::start();
    let zones = [
        // Berlin, 29 March 2026: 02:00 CET becomes 03:00 CEST.
        (
            "CET-1CEST,M3.5.0,M10.5.0/3",
            "2026-03-29T01:30:00+01:00",
            &[
                ("sod", "2026-03-28T23:00:00Z"),
                ("noon", "2026-03-29T10:00:00Z"),
                ("1h", "2026-03-29T01:30:00Z"),
                ("eod", "2026-03-29T21:59:59Z"),
                ("midnight", "2026-03-29T22:00:00Z"),
                ("tomorrow", "2026-03-30T21:59:59Z"),
                ("som", "2026-02-28T23:00:00Z"),
                ("apr", "2026-04-01T21:59:59Z"),
                ("PT3H", "2026-03-29T03:30:00Z"),
            ][..],
        ),
        // New York, 1 November 2026: 02:00 EDT becomes 01:00 EST.
        (
            "EST5EDT,M3.2.0,M11.1.0",
            "2026-11-01T00:30:00-04:00",
            &[
                ("sod", "2026-11-01T04:00:00Z"),
                ("noon", "2026-11-01T17:00:00Z"),
                ("2h", "2026-11-01T06:30:00Z"),
                ("eod", "2026-11-02T04:59:59Z"),
                ("sow", "2026-10-26T04:00:00Z"),
                ("P1D", "2026-11-03T04:59:59Z"),
                ("15th", "2026-11-16T04:59:59Z"),
                ("soy", "2026-01-01T05:00:00Z"),
                ("later", "9999-12-31T04:59:59Z"),
                // Date arithmetic moves the local day, across the change.
                ("today+1d", "2026-11-03T04:59:59Z"),
                ("sod+1d", "2026-11-02T05:00:00Z"),
                ("now+2h", "2026-11-01T06:30:00Z"),
                ("eom-1d", "2026-11-30T04:59:59Z"),
            ][..],
        ),
        // The hour that happens twice, its second time: an hour on is an
        // hour on, not read back through the wall clock.
        (
            "EST5EDT,M3.2.0,M11.1.0",
            "2026-11-01T01:30:00-05:00",
            &[
                ("now+1h", "2026-11-01T07:30:00Z"),
                ("now-1h", "2026-11-01T05:30:00Z"),
                ("now+30min", "2026-11-01T07:00:00Z"),
            ][..],
        ),
    ];
    for (i, (zone, now, cases)) in zones.into_iter().enumerate() {
        let mut cli = Cli::logged_in(&server, &format!("zone{i}"));
        cli.extra_env.push(("TZ".into(), zone.into()));
        cli.extra_env.push(("TASK_NOW".into(), now.into()));
        for (word, want) in cases {
            let task = cli.add(&["Zoned", &format!("due:{word}")]);
            assert_eq!(due(&task), Some(utc(want)), "{zone} {word}");
        }
    }
}

#[test]
fn bad_modifiers_are_usage_errors() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    for (args, needle) in [
        (&["add", "x", "due:whenever"][..], "invalid date"),
        (&["add", "x", "pri:urgent"], "invalid priority"),
        (&["add", "+only-a-tag"], "needs a title"),
        (&["add"], "needs a title"),
        (&["log", "--project", "home"], "needs a title"),
        (&["add", "x", "--due", "2026-02-30"], "invalid date"),
        (&["add", "x", "status:done"], "filter"),
        (&["add", "x", "--bogus"], "--bogus"),
    ] {
        let run = cli.run(args).failure(2);
        assert!(run.stderr.contains(needle), "{args:?}: {run:?}");
        assert!(run.stdout.is_empty(), "{run:?}");
    }
    assert_eq!(
        cli.run(&["--json", "list", "status:all"]).success().json(),
        serde_json::json!([])
    );
}

#[test]
fn an_add_whose_answer_was_lost_is_sent_again_and_creates_one_task() {
    let server = crate::helpers::TestServer::start();
    let relay = crate::helpers::LosingRelay::start(&server.url, "POST /api/tasks/");
    let cli = crate::helpers::Cli::at(&relay.url);
    cli.register("retrier");
    cli.login("retrier");
    let out = cli.ok(&["add", "Pay rent"]);
    assert_eq!(out, "Created task 1.\n");
    assert_eq!(relay.count(), 2, "sent again once, with the same key");
    let all = cli.run(&["--json", "list", "status:all"]).success().json();
    assert_eq!(all.as_array().map(Vec::len), Some(1), "{all}");
}
