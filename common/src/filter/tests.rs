use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};

use super::*;
use crate::api::{Priority, Task, UdaValue};

fn clock() -> Clock<FixedOffset> {
    let tz = FixedOffset::east_opt(0).unwrap();
    Clock::at(tz.with_ymd_and_hms(2026, 3, 4, 10, 30, 0).unwrap())
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn taskwarriors_status_words_and_unknown_modifiers() {
    let status = |word: &str| TaskFilter::parse(&[word], &clock()).map(|f| f.query);
    assert_eq!(
        status("status:completed").unwrap().status,
        Some(StatusFilter::Done)
    );
    let waiting = status("status:waiting").unwrap();
    assert_eq!(waiting.status, Some(StatusFilter::Pending));
    assert_eq!(waiting.waiting, Some(true));
    assert!(status("status:deleted")
        .unwrap_err()
        .0
        .contains("task trash"));
    for word in [
        "project.not:home",
        "priority.above:L",
        "pro.is:x",
        "due.on:today",
    ] {
        let refused = status(word).unwrap_err();
        assert!(
            refused.0.contains("modifier is not supported"),
            "{word}: {refused}"
        );
    }
    // A word that only looks like one is still searched for.
    assert_eq!(status("foo.bar:baz").unwrap().search, ["foo.bar:baz"]);
    assert!(status("due.before:tomorrow").unwrap().due_before.is_some());
}

#[test]
fn taskwarriors_operators_patterns_and_broken_names_are_refused_not_searched() {
    let parse = |words: &[&str]| TaskFilter::parse(words, &clock());
    for (words, said) in [
        (&["+errands", "or", "+outdoor"][..], "all apply together"),
        (&["+errands", "and", "pri:H"], "all apply together"),
        (&["(", "+errands", ")"], "all apply together"),
        (&["(+errands", "or", "3)"], "all apply together"),
        (&["/^fix/"], "regular expressions"),
        (&["/a.b/"], "regular expressions"),
        (&["1-"], "does not name a task"),
        (&["1,,2"], "does not name a task"),
        (&[",1"], "does not name a task"),
        (&["5-3-1"], "does not name a task"),
        (&["0-0"], "does not name a task"),
    ] {
        let err = parse(words).unwrap_err().to_string();
        assert!(err.contains(said), "{words:?}: {err}");
    }
    // Words of a phrase are searched for, as before.
    for words in [
        &["rock", "and", "roll"][..],
        &["salt", "or", "pepper"],
        &["(draft)"],
        &["f(x)"],
        &["+home", "or"],
    ] {
        let search = parse(words).unwrap().query.search;
        assert!(!search.is_empty(), "{words:?}");
    }
    // `/word/` is the search for the word; after `--` any word is one.
    assert_eq!(parse(&["/fence/"]).unwrap().query.search, ["fence"]);
    assert_eq!(
        parse(&["--", "or", "1-"]).unwrap().query.search,
        ["or", "1-"]
    );
}

#[test]
fn names_in_a_filter_are_tasks_and_udas_their_values() {
    let f = TaskFilter::parse(
        &["3,1", "4-5", "a1b2c3d4", "3", "uda.size:L", "+x"],
        &clock(),
    )
    .unwrap();
    assert_eq!(
        f.names,
        [
            TaskRef::Number(3),
            TaskRef::Number(1),
            TaskRef::Number(4),
            TaskRef::Number(5),
            TaskRef::Uuid("a1b2c3d4".into())
        ]
    );
    assert_eq!(f.query.udas, [("size".to_string(), "L".to_string())]);
    assert!(f.query.search.is_empty());
    assert_eq!(f.single_query(), None);
    let one = TaskFilter::parse(&["a1b2c3d4", "+x"], &clock()).unwrap();
    let query = one.single_query().unwrap();
    assert_eq!(query.uuid.as_deref(), Some("a1b2c3d4"));
    assert_eq!(query.tags, ["x"]);
    // Capped as a whole, however many words name them.
    assert!(TaskFilter::parse(&["1-6000", "6001-12000"], &clock()).is_err());
    // One name folds into the query; several pick among its answer.
    let one = TaskFilter::parse(&["7"], &clock()).unwrap().single_query();
    assert_eq!(one.unwrap().number, Some(7));
    let two = TaskFilter::parse(&["7,8"], &clock()).unwrap();
    let task = |number| Task {
        number: Some(number),
        uuid: format!("0a1b2c3d-0000-4000-8000-00000000000{number}"),
        ..Task::default()
    };
    assert!(two.names_task(&task(8)));
    assert!(!two.names_task(&task(9)));
    assert!(TaskFilter::default().names_task(&task(9)));
    // After `--`, digits are searched for.
    let searched = TaskFilter::parse(&["--", "2027"], &clock()).unwrap();
    assert!(searched.names.is_empty());
    assert_eq!(searched.query.search, ["2027"]);
    assert!(TaskFilter::parse(&["uda.size:"], &clock()).is_err());
    assert!(TaskFilter::parse(&["uda.Size:L"], &clock()).is_err());
    let compared = TaskFilter::parse(&["uda.size.above:3"], &clock()).unwrap_err();
    assert!(
        compared
            .to_string()
            .contains("found by its value alone (uda.size:VALUE)"),
        "{compared}"
    );
}

#[test]
fn filter_words() {
    let f = TaskFilter::parse(
        &[
            "+work",
            "-later",
            "pro:home",
            "priority:H",
            "status:all",
            "buy",
            "due.before:tomorrow",
            "due.after:2026-03-01",
            "milk",
        ],
        &clock(),
    )
    .unwrap();
    assert_eq!(f.query.tags, ["work"]);
    assert_eq!(f.query.exclude_tags, ["later"]);
    assert_eq!(f.query.project.as_deref(), Some("home"));
    assert_eq!(f.query.priority, Some(Priority::High));
    assert_eq!(f.query.status, Some(StatusFilter::All));
    // Each word on its own, as in Taskwarrior.
    assert_eq!(f.query.search, ["buy", "milk"]);
    assert_eq!(f.query.due_before, Some(utc("2026-03-05T00:00:00Z")));
    assert_eq!(f.query.due_after, Some(utc("2026-03-01T23:59:59Z")));
}

#[test]
fn due_on_a_day_and_multi_word_dates() {
    let f = TaskFilter::parse(&["due:in", "3", "days"], &clock()).unwrap();
    assert_eq!(f.query.due_after, Some(utc("2026-03-06T23:59:59Z")));
    assert_eq!(f.query.due_before, Some(utc("2026-03-08T00:00:00Z")));
    assert!(f.query.search.is_empty());
}

#[test]
fn limit_says_how_many_a_report_shows_and_is_refused_where_nothing_shows() {
    let parse = |words: &[&str]| TaskFilter::parse(words, &clock());
    let limited = parse(&["+home", "limit:5"]).unwrap();
    assert_eq!(limited.limit, Some(ReportLimit::Tasks(5)));
    assert_eq!(limited.query.tags, ["home"]);
    assert!(limited.query.search.is_empty());
    assert_eq!(
        parse(&["limit:page"]).unwrap().limit,
        Some(ReportLimit::Page)
    );
    assert_eq!(parse(&["home"]).unwrap().limit, None);
    for wrong in ["limit:0", "limit:1001", "limit:ten", "limit:"] {
        let err = parse(&[wrong]).unwrap_err().to_string();
        assert!(err.contains("limit:page"), "{wrong}: {err}");
    }
    assert!(is_filter_word("limit:5"));
    let refused = limited.refuse_limit("a command acts on all").unwrap_err();
    assert!(
        refused.to_string().ends_with("a command acts on all"),
        "{refused}"
    );
    assert!(parse(&["+home"]).unwrap().refuse_limit("").is_ok());
    // Still no modifier.
    let add = Modifications::parse(&["Buy", "limit:5"], &clock(), ModifyMode::Add);
    assert!(add.is_err(), "{add:?}");
}

#[test]
fn append_and_prepend_put_their_words_beside_the_title_and_keep_the_modifiers() {
    let c = clock();
    let current = Task {
        title: "Call mom".into(),
        tags: vec!["home".into()],
        ..Task::default()
    };
    let patch = |title_words: TitleWords, words: &[&str]| {
        let mut mods = Modifications::parse(words, &c, ModifyMode::Modify).unwrap();
        mods.title_words = title_words;
        assert!(mods.needs_current());
        mods.to_patch(&current, &Resolved::new())
    };
    let appended = patch(TitleWords::Append, &["about", "Sunday", "+family", "pri:H"]);
    assert_eq!(appended.title.as_deref(), Some("Call mom about Sunday"));
    assert_eq!(appended.tags, Some(vec!["home".into(), "family".into()]));
    assert_eq!(appended.priority, Some(Some(Priority::High)));
    let prepended = patch(TitleWords::Prepend, &["Tonight:"]);
    assert_eq!(prepended.title.as_deref(), Some("Tonight: Call mom"));
    // Without title words the title stays as it is.
    assert_eq!(patch(TitleWords::Append, &["-home"]).title, None);
    // A substitution goes over the title the words make.
    assert_eq!(
        patch(TitleWords::Append, &["soon", "/mom/dad/"])
            .title
            .as_deref(),
        Some("Call dad soon")
    );
}

#[test]
fn a_substitution_changes_the_title_as_taskwarriors_does() {
    let c = clock();
    let current = Task {
        title: "Call mother, then mother again".into(),
        ..Task::default()
    };
    let patch = |words: &[&str]| {
        Modifications::parse(words, &c, ModifyMode::Modify)
            .unwrap()
            .to_patch(&current, &Resolved::new())
            .title
    };
    assert_eq!(
        patch(&["/mother/mom/"]).as_deref(),
        Some("Call mom, then mother again")
    );
    assert_eq!(
        patch(&["/mother/mom/g"]).as_deref(),
        Some("Call mom, then mom again")
    );
    assert_eq!(
        patch(&["/Call/Ring/", "/again//"]).as_deref(),
        Some("Ring mother, then mother ")
    );
    // Nothing to replace: no change, and no title word either; said.
    assert_eq!(patch(&["/father/dad/"]), None);
    let missing = Modifications::parse(
        &["/father/dad/", "/mother/mom/", "/mom,/x/"],
        &c,
        ModifyMode::Modify,
    )
    .unwrap();
    // Each in its turn: "mom," is there once mother is mom.
    assert_eq!(missing.not_found(&current), ["father"]);
    let alone = Modifications::parse(&["/mom,/x/"], &c, ModifyMode::Modify).unwrap();
    assert_eq!(alone.not_found(&current), ["mom,"]);
    let retitled =
        Modifications::parse(&["Call", "father", "/father/dad/"], &c, ModifyMode::Modify).unwrap();
    assert!(retitled.not_found(&current).is_empty());
    // Not a substitution: title words, as before.
    for word in ["/a/b/c/", "/a/b", "a/b/c/", "//"] {
        assert_eq!(patch(&[word]).as_deref(), Some(word), "{word}");
    }
    // Nothing to find: refused, where Taskwarrior puts the text first.
    for word in ["//b/", "//b/g", "///"] {
        let refused = Modifications::parse(&[word], &c, ModifyMode::Modify).unwrap_err();
        assert!(
            refused.0.contains("has nothing to find"),
            "{word}: {refused}"
        );
    }
    let literal = Modifications::parse(&["--", "//b/"], &c, ModifyMode::Modify).unwrap();
    assert_eq!(literal.title().as_deref(), Some("//b/"));
    // A new task's words are its title.
    let add = Modifications::parse(&["Read", "/docs/api/"], &c, ModifyMode::Add).unwrap();
    assert_eq!(add.title().as_deref(), Some("Read /docs/api/"));
}

#[test]
fn a_time_of_day_after_a_date_is_the_dates() {
    let c = clock();
    let add = |line: &str| Modifications::parse_line(line, &c, ModifyMode::Add).unwrap();
    let party = add("Party due:2026-12-24 17:00");
    assert_eq!(party.title().as_deref(), Some("Party"));
    assert_eq!(party.due, Some(Some(utc("2026-12-24T17:00:00Z"))));
    let argv =
        Modifications::parse(&["Party", "due:2026-12-24", "9:30"], &c, ModifyMode::Add).unwrap();
    assert_eq!(argv.due, Some(Some(utc("2026-12-24T09:30:00Z"))));
    // After a date of several words too, but never a quoted time.
    let next = add("Call due:next fri 9:30");
    assert_eq!(next.title().as_deref(), Some("Call"));
    assert_eq!(next.due, Some(Some(utc("2026-03-06T09:30:00Z"))));
    let argv =
        Modifications::parse(&["x", "due:in", "3", "days", "17:00"], &c, ModifyMode::Add).unwrap();
    assert_eq!(argv.due, Some(Some(utc("2026-03-07T17:00:00Z"))));
    assert_eq!(argv.title().as_deref(), Some("x"));
    let quoted = add(r#"Meet due:2026-12-24 "9:30""#);
    // Quotes around an ordinary word are the title's, as always.
    assert_eq!(quoted.title().as_deref(), Some("Meet \"9:30\""));
    assert_eq!(quoted.due, Some(Some(utc("2026-12-24T23:59:59Z"))));
    // On a 12-hour clock too, after a day or alone.
    let train = add("Train leaves due:fri 9:30pm");
    assert_eq!(train.title().as_deref(), Some("Train leaves"));
    assert_eq!(train.due, Some(Some(utc("2026-03-06T21:30:00Z"))));
    let alone = add("Stretch due:9am");
    assert_eq!(alone.title().as_deref(), Some("Stretch"));
    assert_eq!(alone.due, Some(Some(utc("2026-03-05T09:00:00Z"))));
    // After any day: `tomorrow 17:00`, `fri 9:30`.
    let soon = add("Call due:tomorrow 17:00");
    assert_eq!(soon.title().as_deref(), Some("Call"));
    assert_eq!(soon.due, Some(Some(utc("2026-03-05T17:00:00Z"))));
    // A time that is none is said, not taken as a title word.
    let late =
        Modifications::parse_line("Party due:2026-12-24 25:00", &c, ModifyMode::Add).unwrap_err();
    assert!(late.0.contains("\"2026-12-24 25:00\""), "{late}");
    let instant = Modifications::parse_line("x due:1h 17:00", &c, ModifyMode::Add).unwrap_err();
    assert!(instant.0.contains("invalid date"), "{instant}");
    // Not after a date, or not shaped as a time: title words as before.
    let meet = add("Meet at 17:00 due:2026-12-24");
    assert_eq!(meet.title().as_deref(), Some("Meet at 17:00"));
    let ratio = add("Mix 1:2 due:2026-12-24 1:2:3");
    assert_eq!(ratio.title().as_deref(), Some("Mix 1:2 1:2:3"));
    let filter = TaskFilter::parse(&["due.before:2026-12-24", "17:00"], &c).unwrap();
    assert_eq!(filter.query.due_before, Some(utc("2026-12-24T17:00:00Z")));
    assert!(filter.query.search.is_empty());
}

#[test]
fn bad_filter_values_are_errors() {
    for bad in [
        &["priority:X"][..],
        &["status:open"],
        &["due.before:whenever"],
        &["+a b"],
    ] {
        assert!(TaskFilter::parse(bad, &clock()).is_err(), "{bad:?}");
    }
}

#[test]
fn addresses_times_numbers_and_words_after_dashes_are_words() {
    let f = TaskFilter::parse(
        &[
            "http://x", "10:30", "-5", "--", "pr:x", "+notatag", "+LATEST",
        ],
        &clock(),
    )
    .unwrap();
    assert_eq!(
        f.query.search,
        ["http://x", "10:30", "-5", "pr:x", "+notatag", "+LATEST"]
    );
    assert!(f.query.tags.is_empty() && f.query.exclude_tags.is_empty());
}

/// Taskwarrior words that would otherwise be searched for, find nothing
/// and seem to say that nothing matched: refused, saying what to write.
#[test]
fn taskwarrior_words_this_grammar_lacks_are_refused_not_searched() {
    for (words, said) in [
        (&["estimate:5"][..], "uda.estimate:5"),
        (&["description~milk"][..], "algebraic"),
        (&["project=home"][..], "algebraic"),
        (&["due<eow"][..], "algebraic"),
        (&["+LATEST"][..], "virtual tag"),
        (&["+ANNOTATED"][..], "virtual tag"),
        (&["-TODAY"][..], "virtual tag"),
    ] {
        let err = TaskFilter::parse(words, &clock()).unwrap_err();
        assert!(err.0.contains(said), "{words:?}: {err:?}");
    }
    // As words of a phrase they are searched for, and so are words that
    // only look so: a quoted phrase, paths, addresses, short names.
    for word in [
        "a=b",
        "x~y",
        "<3",
        "re:",
        "re: invoice",
        "re:budget",
        "std::fs",
        "mailto:bob@x",
        "c:\\temp",
        "pro>con",
        "dep=prod",
    ] {
        assert!(TaskFilter::parse(&[word], &clock()).is_ok(), "{word}");
    }
}

#[test]
fn more_of_taskwarriors_virtual_tags() {
    let f = TaskFilter::parse(&["+TOMORROW"], &clock()).unwrap();
    let g = TaskFilter::parse(&["due:tomorrow"], &clock()).unwrap();
    assert_eq!(
        (f.query.due_after, f.query.due_before),
        (g.query.due_after, g.query.due_before)
    );
    assert_eq!(
        TaskFilter::parse(&["+PENDING"], &clock())
            .unwrap()
            .query
            .status,
        Some(StatusFilter::Pending)
    );
    assert_eq!(
        TaskFilter::parse(&["+COMPLETED"], &clock())
            .unwrap()
            .query
            .status,
        Some(StatusFilter::Done)
    );
}

/// Taskwarrior's `.by` is on or before: a task due at the named time is in.
#[test]
fn due_by_takes_the_named_time_in() {
    let by = TaskFilter::parse(&["due.by:2026-03-05"], &clock()).unwrap();
    let before = TaskFilter::parse(&["due.before:2026-03-05"], &clock()).unwrap();
    assert_eq!(before.query.due_before, Some(utc("2026-03-05T00:00:00Z")));
    assert_eq!(by.query.due_before, Some(utc("2026-03-06T00:00:00Z")));
}

#[test]
fn taskwarriors_other_modifiers() {
    let words = [
        "x",
        "wait:2026-03-10",
        "sched:tomorrow",
        "until:",
        "dep:3,4",
        "depends:-5",
        "uda.estimate:3",
        "uda.ratio:1.5",
        "uda.size:L",
        "uda.gone:",
    ];
    let mods = Modifications::parse(&words, &clock(), ModifyMode::Modify).unwrap();
    // A day waited for or scheduled from its start, as in Taskwarrior.
    assert_eq!(mods.wait, Some(Some(utc("2026-03-10T00:00:00Z"))));
    assert_eq!(mods.scheduled, Some(Some(utc("2026-03-05T00:00:00Z"))));
    assert_eq!(mods.until, Some(None));
    let current = Task {
        depends: vec![5, 6],
        udas: BTreeMap::from([
            ("gone".to_string(), UdaValue::Integer(1)),
            ("kept".to_string(), UdaValue::Text("k".into())),
        ]),
        ..Task::default()
    };
    // Numbers 3, 4 and 5 are the tasks with ids 13, 14 and 5.
    let resolved = Resolved::from([
        (TaskRef::Number(3), 13),
        (TaskRef::Number(4), 14),
        (TaskRef::Number(5), 5),
    ]);
    let patch = mods.to_patch(&current, &resolved);
    assert_eq!(patch.depends, Some(vec![6, 13, 14]));
    // `depends:` alone removes them all; a value after it adds again.
    for (words, depends) in [
        (&["depends:"][..], vec![]),
        (&["dep:", "dep:4"][..], vec![14]),
        (&["dep:3", "depends:"][..], vec![]),
    ] {
        let mods = Modifications::parse(words, &clock(), ModifyMode::Modify).unwrap();
        assert!(!mods.is_empty(), "{words:?}");
        assert_eq!(mods.to_patch(&current, &resolved).depends, Some(depends));
    }
    assert_eq!(
        patch.udas,
        Some(BTreeMap::from([
            ("estimate".to_string(), UdaValue::Integer(3)),
            ("kept".to_string(), UdaValue::Text("k".into())),
            ("ratio".to_string(), UdaValue::Number(1.5)),
            ("size".to_string(), UdaValue::Text("L".into())),
        ]))
    );
    for bad in ["uda.Size:L", "dep:x", "dep:0"] {
        assert!(
            Modifications::parse(&[bad], &clock(), ModifyMode::Modify).is_err(),
            "{bad}"
        );
    }
    assert!(TaskFilter::parse(&["wait:today"], &clock()).is_err());
    // A new task has no dependency to take away: said, not ignored.
    let refused = Modifications::parse(&["x", "depends:-1"], &clock(), ModifyMode::Add)
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("a new task has no dependency"),
        "{refused}"
    );
    let mods = Modifications::parse(&["x", "depends:1"], &clock(), ModifyMode::Add).unwrap();
    assert_eq!(mods.add_depends, [TaskRef::Number(1)]);
}

#[test]
fn exclusions_are_asked_of_the_server() {
    let f = TaskFilter::parse(&["-later", "project:"], &clock()).unwrap();
    assert_eq!(f.query.exclude_tags, ["later"]);
    assert_eq!(f.query.has_project, Some(false));
}

#[test]
fn sort_specs() {
    let names = |spec: &str| -> Vec<String> {
        parse_sort(spec)
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect()
    };
    assert_eq!(names("due,-priority"), ["due", "-priority"]);
    assert_eq!(names("-created"), ["-created_at"]);
    // Taskwarrior's id is the number a task is shown by.
    assert_eq!(names("id,-number"), ["number", "-number"]);
    // Taskwarrior's trailing sign, and a project.
    assert_eq!(names("project-,due+,+title"), ["-project", "due", "title"]);
    assert!(parse_sort("colour").is_err());
    assert!(parse_sort("due-+").is_err());
    assert!(parse_sort(",").is_err());
}

#[test]
fn add_words() {
    let mods = Modifications::parse(
        &[
            "Buy",
            "milk",
            "+errands",
            "due:tomorrow",
            "pri:H",
            "project:home.kitchen",
            "-x",
        ],
        &clock(),
        ModifyMode::Add,
    )
    .unwrap();
    let new = mods.to_new_task(&Resolved::new()).unwrap();
    assert_eq!(new.title, "Buy milk -x");
    assert_eq!(new.tags, Some(vec!["errands".to_string()]));
    assert_eq!(new.priority, Some(Priority::High));
    assert_eq!(new.project.as_deref(), Some("home.kitchen"));
    assert_eq!(new.due, Some(utc("2026-03-05T23:59:59Z")));
}

#[test]
fn a_blank_title_is_no_title() {
    let c = clock();
    let mods = Modifications::parse(&["   "], &c, ModifyMode::Add).unwrap();
    assert!(mods.to_new_task(&Resolved::new()).is_err());
    let mods = Modifications::parse(&["   "], &c, ModifyMode::Modify).unwrap();
    assert!(mods.is_empty(), "nothing to change");
}

#[test]
fn add_needs_a_title() {
    let mods = Modifications::parse(&["+x"], &clock(), ModifyMode::Add).unwrap();
    assert!(mods.to_new_task(&Resolved::new()).is_err());
}

#[test]
fn modify_words_clear_and_remove() {
    let mods = Modifications::parse(
        &["due:", "pri:", "project:", "-old", "+new", "New", "title"],
        &clock(),
        ModifyMode::Modify,
    )
    .unwrap();
    let current = Task {
        tags: vec!["old".to_string(), "keep".to_string()],
        ..Task::default()
    };
    let patch = mods.to_patch(&current, &Resolved::new());
    assert_eq!(patch.due, Some(None));
    assert_eq!(patch.priority, Some(None));
    assert_eq!(patch.project, Some(None));
    assert_eq!(patch.title.as_deref(), Some("New title"));
    assert_eq!(
        patch.tags,
        Some(vec!["keep".to_string(), "new".to_string()])
    );
}

#[test]
fn a_virtual_tag_is_not_added_but_may_be_removed_from_old_data() {
    for mode in [ModifyMode::Add, ModifyMode::Modify] {
        let refused = Modifications::parse(&["x", "+ACTIVE"], &clock(), mode).unwrap_err();
        assert!(refused.0.contains("virtual tags"), "{refused}");
    }
    let mods = Modifications::parse(&["-TODAY"], &clock(), ModifyMode::Modify).unwrap();
    assert_eq!(mods.remove_tags, ["TODAY"]);
}

#[test]
fn a_typed_line_is_told_its_own_way_out() {
    let c = clock();
    let typed = Modifications::parse_line("x recur:weekly", &c, ModifyMode::Add).unwrap_err();
    assert!(typed.0.contains("put quotes around"), "{typed}");
    let argv = Modifications::parse(&["x", "recur:weekly"], &c, ModifyMode::Add).unwrap_err();
    assert!(argv.0.contains("write `--`"), "{argv}");
    let typed = Modifications::parse_line("status:done", &c, ModifyMode::Add).unwrap_err();
    assert!(typed.0.contains("mark the task done"), "{typed}");
    assert!(!typed.0.contains("task done`"), "{typed}");
    let typed = TaskFilter::parse_line("+a or +b", &c).unwrap_err();
    assert!(typed.0.contains("put quotes around"), "{typed}");
    // And quotes do keep them: searched for, taken as title words.
    let kept = TaskFilter::parse_line(r#"+a "or" +b"#, &c).unwrap();
    assert_eq!(kept.query.search, ["or"]);
    let kept = Modifications::parse_line(r#"x "recur:weekly""#, &c, ModifyMode::Add).unwrap();
    assert_eq!(kept.title().as_deref(), Some("x recur:weekly"));
}

#[test]
fn a_typed_line_refuses_taskwarriors_settings_unless_quoted() {
    let c = clock();
    for line in [
        "rc.foo:bar hello",
        "Setting rc.foo=bar",
        "x RC.confirmation=off",
    ] {
        let refused = Modifications::parse_line(line, &c, ModifyMode::Add).unwrap_err();
        assert!(refused.0.contains("rc. settings"), "{line}: {refused}");
        assert!(refused.0.contains("put quotes around"), "{line}: {refused}");
        let refused = TaskFilter::parse_line(line, &c).unwrap_err();
        assert!(refused.0.contains("rc. settings"), "{line}: {refused}");
    }
    // Not a setting: no value, or a word that only starts alike. Quoted: text.
    let kept = Modifications::parse_line("ab€:x rcx:y", &c, ModifyMode::Add).unwrap();
    assert_eq!(kept.title().as_deref(), Some("ab€:x rcx:y"));
    let kept = Modifications::parse_line("edit rc.local", &c, ModifyMode::Add).unwrap();
    assert_eq!(kept.title().as_deref(), Some("edit rc.local"));
    let kept = Modifications::parse_line(r#"Set "rc.foo=bar""#, &c, ModifyMode::Add).unwrap();
    assert_eq!(kept.title().as_deref(), Some("Set rc.foo=bar"));
    let kept = TaskFilter::parse_line(r#""rc.foo=bar""#, &c).unwrap();
    assert_eq!(kept.query.search, ["rc.foo=bar"]);
}

#[test]
fn a_start_among_modifiers_says_how_to_start() {
    let c = clock();
    let typed = Modifications::parse_line("x start:now", &c, ModifyMode::Add).unwrap_err();
    assert!(typed.0.contains("started, not given a start"), "{typed}");
    assert!(typed.0.contains("start it once it is added"), "{typed}");
    let argv = Modifications::parse(&["x", "star:now"], &c, ModifyMode::Modify).unwrap_err();
    assert!(argv.0.contains("`task ID start`"), "{argv}");
    let argv = Modifications::parse(&["start.after:now"], &c, ModifyMode::Modify).unwrap_err();
    assert!(argv.0.contains("started, not given a start"), "{argv}");
    // A filter on it is still one Taskwarrior has and this tool has not.
    let filter = TaskFilter::parse(&["start:today"], &c).unwrap_err();
    assert!(!filter.0.contains("given a start"), "{filter}");
    assert!(filter.0.contains("not supported yet"), "{filter}");
}

#[test]
fn a_tags_box_lists_tags() {
    assert_eq!(
        tag_list("+home, errands  home,+x ,").unwrap(),
        ["home", "errands", "x"]
    );
    assert!(tag_list("").unwrap().is_empty());
    assert!(tag_list("+ -").unwrap().is_empty());
    let refused = tag_list("a -home").unwrap_err();
    assert!(refused.0.contains("leave it out"), "{refused}");
    assert_eq!(tag_list("TODAY").unwrap(), ["TODAY"]);
    assert!(tag_list(&"x".repeat(65)).is_err());
}

#[test]
fn an_attribute_s_value_quoted_inside_an_argument_loses_its_quotes() {
    let c = clock();
    let mods = Modifications::parse(
        &[
            r#"pro:"my trip""#,
            "due:'tomorrow'",
            r#"Re:"Budget""#,
            r#"uda.x:"a b""#,
        ],
        &c,
        ModifyMode::Add,
    )
    .unwrap();
    assert_eq!(mods.project, Some(Some("my trip".into())));
    assert!(matches!(mods.due, Some(Some(_))));
    assert_eq!(mods.title().as_deref(), Some(r#"Re:"Budget""#));
    assert_eq!(mods.udas["x"], Some(UdaValue::Text("a b".into())));
    // After `--`, every word as it came.
    let mods = Modifications::parse(&["--", r#"pro:"x""#], &c, ModifyMode::Add).unwrap();
    assert_eq!(mods.title().as_deref(), Some(r#"pro:"x""#));
    let filter = TaskFilter::parse(&["pro:'my trip'"], &c).unwrap();
    assert_eq!(filter.query.project.as_deref(), Some("my trip"));
}

#[test]
fn a_quote_left_open_in_a_typed_line_is_named() {
    let c = clock();
    let open = Modifications::parse_line(r#"Trip pro:"my trip"#, &c, ModifyMode::Add).unwrap_err();
    assert!(open.0.contains("quote is not closed"), "{open}");
    assert!(TaskFilter::parse_line(r#"+"a"#, &c).is_err());
    // An apostrophe is no quote, and after `--` all is text.
    for line in ["'tis the season", r#"x -- pro:"open"#] {
        assert!(
            Modifications::parse_line(line, &c, ModifyMode::Add).is_ok(),
            "{line}"
        );
    }
}

#[test]
fn a_uda_without_its_colon_is_refused_not_a_title() {
    let refused = Modifications::parse(&["uda.size"], &clock(), ModifyMode::Modify).unwrap_err();
    assert!(refused.0.contains("uda.size:VALUE"), "{refused}");
    assert!(TaskFilter::parse(&["uda.size"], &clock()).is_err());
    // After `--`, or quoted in a typed line, it is a word like any other.
    let mods = Modifications::parse(&["--", "uda.size"], &clock(), ModifyMode::Add).unwrap();
    assert_eq!(mods.title().as_deref(), Some("uda.size"));
    let mods = Modifications::parse_line(r#"x "uda.size""#, &clock(), ModifyMode::Add).unwrap();
    assert_eq!(mods.title().as_deref(), Some("x uda.size"));
}

#[test]
fn status_is_not_a_modification() {
    assert!(Modifications::parse(&["status:done"], &clock(), ModifyMode::Modify).is_err());
}

#[test]
fn a_word_quoted_whole_is_text() {
    let c = clock();
    let mods = Modifications::parse_line(
        r#"Don't forget "project:x" project:home "+y" +z due:"in 3 days""#,
        &c,
        ModifyMode::Add,
    )
    .unwrap();
    assert_eq!(mods.title().as_deref(), Some("Don't forget project:x +y"));
    assert_eq!(mods.project, Some(Some("home".into())));
    assert_eq!(mods.add_tags, ["z"]);
    assert!(matches!(mods.due, Some(Some(_))));
    let filter = TaskFilter::parse_line(r#""pro:x" +a"#, &c).unwrap();
    assert_eq!(filter.query.search, ["pro:x"]);
    assert_eq!(filter.query.tags, ["a"]);
    assert_eq!(filter.query.project, None);
    // Quotes around words the grammar leaves alone are the title's.
    let mods =
        Modifications::parse_line(r#"Read "Dune" 'a b' "c +d""#, &c, ModifyMode::Add).unwrap();
    assert_eq!(mods.title().as_deref(), Some(r#"Read "Dune" 'a b' c +d"#));
}

#[test]
fn a_modification_refuses_a_word_that_reads_as_an_attribute() {
    let modify = |words: &[&str]| Modifications::parse(words, &clock(), ModifyMode::Modify);
    // Taskwarrior's habit for an attribute its rc defines: ours is uda.size.
    let refused = modify(&["size:5"]).unwrap_err().to_string();
    assert!(refused.contains("uda.size:5"), "{refused}");
    assert!(refused.contains("--"), "{refused}");
    // Words that only look so stay words; `--` and quotes keep any.
    for words in [
        &["Read", "https://example.com"][..],
        &["Call", "at", "10:30"],
        &["Note:", "bring", "keys"],
        &["--", "size:5"],
        &["Size:5"],
    ] {
        let mods = modify(words).unwrap_or_else(|err| panic!("{words:?}: {err}"));
        assert!(mods.title().is_some(), "{words:?}");
    }
    let typed = Modifications::parse_line("\"size:5\"", &clock(), ModifyMode::Modify).unwrap();
    assert_eq!(typed.title().as_deref(), Some("size:5"));
    // A new task's title may hold one, as Taskwarrior's.
    let added =
        Modifications::parse(&["Call", "mom", "size:L"], &clock(), ModifyMode::Add).unwrap();
    assert_eq!(added.title().as_deref(), Some("Call mom size:L"));
}

/// Words each on their own, a phrase quoted as one, as in Taskwarrior.
#[test]
fn words_are_searched_each_and_a_quoted_phrase_whole() {
    let c = clock();
    let filter = TaskFilter::parse_line(r#"pay bill "next week" pay"#, &c).unwrap();
    assert_eq!(filter.query.search, ["pay", "bill", "next week"]);
}
