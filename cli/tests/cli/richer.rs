//! Taskwarrior's other habits: start and stop, annotate and denotate, the
//! wait/scheduled/until/depends/uda modifiers, and `info` with its urgency.

use serde_json::json;

use crate::helpers::{Cli, TestServer};

#[test]
fn start_and_stop_in_either_order() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    cli.add(&["Write", "report"]);
    assert_eq!(
        cli.ok(&["1", "start"]),
        "Started task 1 \"Write report\".\n"
    );
    assert_eq!(
        cli.ok(&["start", "1"]),
        "Task 1 \"Write report\" is already active.\n"
    );
    let task = &cli.run(&["--json", "show", "1"]).success().json()[0];
    assert!(task["start"].is_string(), "{task}");
    assert_eq!(cli.ok(&["1", "stop"]), "Stopped task 1 \"Write report\".\n");
    assert_eq!(
        cli.ok(&["1", "stop"]),
        "Task 1 \"Write report\" is already stopped.\n"
    );
    let task = &cli.run(&["--json", "show", "1"]).success().json()[0];
    assert!(task["start"].is_null());
    let missing = cli.run(&["9", "start"]).failure(1);
    assert!(missing.stderr.contains('9'), "{missing:?}");
}

#[test]
fn annotate_and_denotate() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    cli.add(&["Pay", "rent"]);
    assert_eq!(
        cli.ok(&["1", "annotate", "ask", "about", "-5%", "discount"]),
        "Annotated task 1 \"Pay rent\".\n"
    );
    cli.ok(&["annotate", "1", "bank", "closes", "at", "4"]);
    let task = &cli.run(&["--json", "show", "1"]).success().json()[0];
    let texts: Vec<&str> = task["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["ask about -5% discount", "bank closes at 4"]);
    let info = cli.ok(&["1", "info"]);
    assert!(info.contains("ask about -5% discount"), "{info}");

    // A part of the text is enough when no note is exactly it.
    assert_eq!(
        cli.ok(&["1", "denotate", "bank"]),
        "Denotated task 1 \"Pay rent\".\n"
    );
    let task = &cli.run(&["--json", "show", "1"]).success().json()[0];
    assert_eq!(task["annotations"].as_array().unwrap().len(), 1);
    let none = cli
        .run(&["1", "denotate", "nothing", "like", "it"])
        .failure(1);
    assert!(none.stderr.contains("no note"), "{none:?}");
    let blank = cli.run(&["1", "annotate"]).failure(2);
    assert!(blank.stderr.contains("text"), "{blank:?}");

    // On a terminal, tasks none of whose notes match are not asked about:
    // each is said to have none at once.
    cli.add(&["Call", "mom", "+rent"]);
    cli.ok(&["1", "modify", "+rent"]);
    let tty = cli.on_tty(&["+rent", "denotate", "nothing"]);
    let (code, screen) = tty.finish();
    assert_eq!(code, 1, "{screen}");
    assert!(!screen.contains("Denotate these"), "{screen}");
    assert!(screen.contains("no note says \"nothing\""), "{screen}");
    // One that would lose a note is asked about, as before.
    let mut tty = cli.on_tty(&["+rent", "denotate", "ask"]);
    tty.expect("Denotate these 2 tasks?");
    tty.send_line("n");
    let (code, screen) = tty.finish();
    assert_ne!(code, 0, "{screen}");
    let task = &cli.run(&["--json", "show", "1"]).success().json()[0];
    assert_eq!(task["annotations"].as_array().unwrap().len(), 1);
}

#[test]
fn wait_scheduled_until_depends_and_udas() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    cli.add(&["First"]);
    let task = cli.add(&[
        "Second",
        "wait:tomorrow",
        "sched:today",
        "until:eom",
        "dep:1",
        "uda.estimate:3",
        "uda.size:L",
    ]);
    for field in ["wait", "scheduled", "until"] {
        assert!(task[field].is_string(), "{field}: {task}");
    }
    assert_eq!(task["depends"], json!([1]));
    assert_eq!(task["blocked"], true);
    assert_eq!(task["udas"], json!({"estimate": 3, "size": "L"}));

    cli.ok(&[
        "2",
        "modify",
        "dep:-1",
        "uda.size:",
        "uda.ratio:0.5",
        "wait:",
    ]);
    let task = &cli.run(&["--json", "show", "2"]).success().json()[0];
    assert_eq!(task["depends"], json!([]));
    assert_eq!(task["udas"], json!({"estimate": 3, "ratio": 0.5}));
    assert!(task["wait"].is_null());
    assert!(task["scheduled"].is_string(), "the others stay");

    // A number typed over a number stays one, however written, so a filter
    // by number still finds it; new, `2.50` is text with every character.
    cli.ok(&["2", "modify", "uda.ratio:0.50", "uda.price:2.50"]);
    let task = &cli.run(&["--json", "show", "2"]).success().json()[0];
    assert_eq!(task["udas"]["ratio"], json!(0.5));
    assert_eq!(task["udas"]["price"], json!("2.50"));
    let found = cli
        .run(&["--json", "uda.ratio:0.5", "list"])
        .success()
        .json();
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");

    cli.ok(&["1", "modify", "dep:2"]);
    let refused = cli.run(&["2", "modify", "dep:1"]).failure(1);
    assert!(
        refused.stderr.contains("depends") && refused.stderr.contains("cycle"),
        "{refused:?}"
    );
    let bad = cli.run(&["2", "modify", "uda.Size:L"]).failure(2);
    assert!(bad.stderr.contains("Size"), "{bad:?}");
    let reserved = cli.run(&["2", "modify", "uda.due:soon"]).failure(2);
    assert!(
        reserved.stderr.contains("Taskwarrior's own"),
        "{reserved:?}"
    );

    // `depends:` with no value removes them all, as in Taskwarrior.
    cli.add(&["Third"]);
    cli.ok(&["1", "modify", "dep:3"]);
    assert_eq!(
        cli.run(&["--json", "show", "1"]).success().json()[0]["depends"],
        json!([2, 3])
    );
    cli.ok(&["1", "modify", "depends:"]);
    let first = &cli.run(&["--json", "show", "1"]).success().json()[0];
    assert_eq!(first["depends"], json!([]));
    assert_eq!(first["blocked"], false);
}

#[test]
fn info_lines_values_up_past_a_long_attribute_name() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    cli.add(&["Ship", "it", "uda.a_really_long_attribute_name:5", "+next"]);
    let info = cli.ok(&["1", "info"]);
    let column = |label: &str| {
        let line = info
            .lines()
            .find(|line| line.starts_with(label))
            .unwrap_or_else(|| panic!("no {label} in:\n{info}"));
        line.len() - line[label.len()..].trim_start().len()
    };
    let long = column("uda.a_really_long_attribute_name");
    assert_eq!(column("Title"), long, "{info}");
    assert_eq!(column("Tags"), long, "{info}");
    // A further line of a value starts there too.
    let urgency = info
        .lines()
        .skip_while(|l| !l.starts_with("Urgency"))
        .nth(1);
    let indent = urgency.map(|l| l.len() - l.trim_start().len());
    assert_eq!(indent, Some(long), "{info}");
    // A note's further lines start under its first, past its date.
    cli.ok(&["1", "annotate", "first line\nsecond line"]);
    let info = cli.ok(&["1", "info"]);
    let lines: Vec<&str> = info.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("Annotations"))
        .unwrap_or_else(|| panic!("no notes in:\n{info}"));
    let first = lines[at].find("first line").expect("the note's first line");
    let second = lines[at + 1].find("second line");
    assert_eq!(second, Some(first), "{info}");
}

#[test]
fn info_breaks_the_urgency_down() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    cli.add(&["Ship", "it", "pri:H", "project:work", "+next"]);
    let info = cli.ok(&["1", "info"]);
    let task = &cli.run(&["--json", "show", "1"]).success().json()[0];
    let urgency = task["urgency"].as_f64().unwrap();
    assert!(
        info.contains(&format!("Urgency     {urgency:.4}")),
        "{info}"
    );
    for term in ["next", "priority", "project", "tags"] {
        assert!(
            info.lines()
                .any(|line| line.trim_start().starts_with(term) && line.contains('×')),
            "no {term} term in:\n{info}"
        );
    }
    assert!(info.contains("ID          1\n"), "{info}");
    assert!(info.contains("UUID"), "{info}");
}

#[test]
fn virtual_tags_and_waiting_tasks_left_out_of_the_list() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    cli.add(&["Home", "+home", "pri:H"]);
    cli.add(&["Both", "+home", "+work", "pri:H"]);
    // Waiting by the server's clock too (the CLI's is pinned to March 2026).
    cli.add(&["Later", "+home", "wait:2099-04-01"]);
    cli.add(&["Overdue", "due:2026-03-01"]);
    cli.add(&["Blocked", "dep:1"]);
    cli.ok(&["1", "start"]);
    let titles = |args: &[&str]| cli.listed_titles(args);
    assert_eq!(
        titles(&[]),
        ["Home", "Both", "Overdue", "Blocked"],
        "waiting left out"
    );
    assert_eq!(titles(&["+home", "-work", "pri:H"]), ["Home"]);
    assert_eq!(titles(&["+WAITING"]), ["Later"]);
    assert_eq!(titles(&["+ACTIVE"]), ["Home"]);
    assert_eq!(titles(&["+BLOCKED"]), ["Blocked"]);
    assert_eq!(titles(&["+BLOCKING"]), ["Home"]);
    assert_eq!(titles(&["+UNBLOCKED", "-ACTIVE"]), ["Both", "Overdue"]);
    assert_eq!(titles(&["+OVERDUE"]), ["Overdue"]);
    assert_eq!(titles(&["+READY"]), ["Home", "Both", "Overdue"]);
    assert_eq!(titles(&["project:", "priority:"]), ["Overdue", "Blocked"]);
    // Its info says it waits; done, it no longer does.
    let all = cli.run(&["--json", "all"]).success().json();
    let blocked = all
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"] == "Blocked")
        .unwrap();
    // As the list shows it: nine characters when the first eight are all
    // digits, which would name a task by number.
    let name = common::display::uuid_name(blocked["uuid"].as_str().unwrap());
    let name = name.as_str();
    assert!(cli.ok(&[name, "info"]).contains("Blocked     yes"));
    cli.ok(&[name, "done"]);
    let info = cli.ok(&[name, "info"]);
    assert!(!info.contains("Blocked     yes"), "{info}");
}

/// Tasks are named by their short numbers, which are not the API's ids once
/// tasks are done: a new task takes the lowest free number.
#[test]
fn numbers_name_pending_tasks_and_uuids_name_the_rest() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    for title in ["First", "Second", "Third"] {
        cli.add(&[title]);
    }
    cli.ok(&["1", "done"]);
    let out = cli.ok(&["add", "Fourth"]);
    assert_eq!(out, "Created task 1.\n", "the lowest free number");
    let fourth = &cli.run(&["--json", "show", "1"]).success().json()[0];
    assert_eq!(fourth["title"], "Fourth");
    assert_eq!(fourth["id"], 4);

    // Numbers in modifiers too: 3 waits for 1 (Fourth, id 4).
    cli.ok(&["3", "modify", "depends:1", "pri:H"]);
    let third = &cli.run(&["--json", "show", "3"]).success().json()[0];
    assert_eq!(third["depends"], serde_json::json!([4]));
    assert_eq!(third["blocked"], true);
    let info = cli.ok(&["3", "info"]);
    assert!(info.contains("Depends     1 Fourth\n"), "{info}");
    assert!(
        info.contains("Blocked     yes, until the task it waits for is done\n"),
        "{info}"
    );
    // And the other way: what waits for task 1.
    let info = cli.ok(&["1", "info"]);
    assert!(info.contains("Blocking    3 Third"), "{info}");
    cli.ok(&["3", "modify", "depends:-1"]);
    assert_eq!(
        cli.run(&["--json", "show", "3"]).success().json()[0]["depends"],
        serde_json::json!([])
    );

    // The list shows numbers for pending tasks and uuids for done ones.
    let table = cli.ok(&["list", "status:all"]);
    let first = cli.run(&["--json", "list", "status:done"]).success().json()[0].clone();
    let short = &common::display::uuid_name(first["uuid"].as_str().unwrap());
    assert!(
        table
            .lines()
            .any(|l| l.trim_start().starts_with(short) && l.contains("First")),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.trim_start().starts_with("1 ") && l.contains("Fourth")),
        "{table}"
    );
    // A done task by its uuid prefix; an unknown or too short one is refused.
    assert!(cli.ok(&[short, "info"]).contains("First"));
    cli.run(&["ffffffff", "info"]).failure(1);
    let short_run = cli.run(&["info", "abcdef"]).failure(2);
    assert!(short_run.stderr.contains("8 or more"), "{short_run:?}");
    // An unknown number in depends: names it, changes nothing.
    let run = cli.run(&["3", "modify", "depends:9"]).failure(1);
    assert!(run.stderr.contains("task 9: no such task"), "{run:?}");
}

#[test]
fn a_task_added_past_its_until_date_says_it_will_expire() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    let past = cli.ok(&["add", "Old", "offer", "until:yesterday"]);
    assert!(past.contains("until date has passed"), "{past}");
    let later = cli.ok(&["add", "New", "offer", "until:2099-01-01"]);
    assert_eq!(later, "Created task 2.\n");
    // A change that leaves it past its until date says so too.
    let moved = cli.ok(&["2", "modify", "until:yesterday"]);
    assert!(moved.contains("until date has passed"), "{moved}");
    let kept = cli.ok(&["2", "modify", "until:2099-02-01"]);
    assert!(!kept.contains("until date"), "{kept}");
    // Undone back to a date that has passed, and redone to one that has not.
    let undone = cli.ok(&["undo"]);
    assert!(
        undone.contains("Task 2. Its until date has passed"),
        "{undone}"
    );
    let redone = cli.ok(&["redo"]);
    assert!(!redone.contains("until date"), "{redone}");
}
