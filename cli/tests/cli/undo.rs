//! `task undo`, `task redo`, the trash and the history in `task info`.

use serde_json::Value;

use crate::helpers::{Cli, CountingRelay, TestServer};

fn titles(cli: &Cli) -> Vec<String> {
    cli.run(&["--json", "list"])
        .success()
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_range_delete_is_one_request_and_one_undo_step() {
    let server = TestServer::start();
    let relay = CountingRelay::start(&server.url, "POST /api/tasks/bulk/");
    let cli = Cli::at(&relay.url);
    cli.register("undoer");
    cli.login("undoer");
    for n in 1..=9 {
        cli.ok(&["add", &format!("Task {n}")]);
    }
    let before = cli.run(&["--json", "list"]).success().json();

    let deleted = cli.ok(&["4-9", "delete"]);
    assert_eq!(deleted.lines().count(), 6, "{deleted}");
    assert_eq!(relay.count(), 1, "one bulk request");
    assert_eq!(titles(&cli), ["Task 1", "Task 2", "Task 3"]);

    let trash = cli.ok(&["trash"]);
    assert!(
        trash.contains("Task 9") && trash.contains("6 tasks in the trash"),
        "{trash}"
    );

    let undone = cli.ok(&["undo"]);
    assert_eq!(undone, "Undone: deleted 6 tasks.\n");
    let after: Vec<Value> = cli
        .run(&["--json", "list"])
        .success()
        .json()
        .as_array()
        .unwrap()
        .clone();
    let numbers = |tasks: &[Value]| -> Vec<(Value, Value)> {
        tasks
            .iter()
            .map(|t| (t["title"].clone(), t["number"].clone()))
            .collect()
    };
    assert_eq!(
        numbers(&after),
        numbers(before.as_array().unwrap()),
        "numbers and all back"
    );
    assert_eq!(cli.ok(&["trash"]), "The trash is empty.\n");

    let redone = cli.ok(&["redo"]);
    assert_eq!(redone, "Redone: deleted 6 tasks.\n");
    assert_eq!(titles(&cli), ["Task 1", "Task 2", "Task 3"]);
}

#[test]
fn undo_says_what_it_will_revert_and_asks_on_a_terminal() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "asker");
    cli.ok(&["add", "Pay rent"]);
    cli.ok(&["1", "done"]);

    let mut tty = cli.on_tty(&["undo"]);
    tty.expect("Undo: completed task 1");
    tty.expect("Undo this? [y/N]");
    tty.send_line("n");
    let (code, screen) = tty.finish();
    assert_eq!(code, 1, "{screen}");
    assert!(screen.contains("\"Pay rent\""), "{screen}");
    assert!(screen.contains("nothing undone"), "{screen}");
    assert!(titles(&cli).is_empty(), "still done");

    let mut tty = cli.on_tty(&["undo"]);
    tty.expect("[y/N]");
    tty.send_line("y");
    let (code, screen) = tty.finish();
    assert_eq!(code, 0, "{screen}");
    assert_eq!(titles(&cli), ["Pay rent"]);

    // --yes on a terminal: no question.
    let tty = cli.on_tty(&["undo", "--yes"]);
    let (code, screen) = tty.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains("[y/N]"), "{screen}");
    assert!(titles(&cli).is_empty(), "the add undone too");

    let nothing = cli.run(&["undo"]).failure(1);
    assert!(nothing.stderr.contains("nothing to undo"), "{nothing:?}");
}

#[test]
fn restore_and_purge_name_tasks_by_uuid_and_info_shows_the_history() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "keeper");
    let kept = cli.add(&["Keep me"]);
    let gone = cli.add(&["Let me go"]);
    cli.ok(&["1", "modify", "pri:H", "Keep me please"]);
    cli.ok(&["1", "modify", "+home", "due:2026-12-24", "uda.size:L"]);
    cli.ok(&["1", "annotate", "ask Sam"]);
    cli.ok(&["1,2", "delete"]);

    let uuid = |task: &Value| common::display::uuid_name(task["uuid"].as_str().unwrap());
    // Named by its uuid while in the trash, it is said to be there.
    let trashed = cli.run(&[&uuid(&kept), "info"]).failure(1);
    assert!(
        trashed.stderr.contains("in the trash") && trashed.stderr.contains("task restore"),
        "{trashed:?}"
    );
    // The trash's commands name their tasks.
    let bare = cli.run(&["purge"]).failure(2);
    assert!(bare.stderr.contains("task trash lists them"), "{bare:?}");
    let restored = cli.ok(&["restore", &uuid(&kept)]);
    assert!(
        restored.starts_with("Restored \"Keep me please\""),
        "{restored}"
    );
    cli.ok(&["purge", &uuid(&gone)]);
    assert_eq!(cli.ok(&["trash"]), "The trash is empty.\n");
    let unknown = cli.run(&["restore", &uuid(&gone)]).failure(1);
    assert!(
        unknown.stderr.contains("no such task in the trash"),
        "{unknown:?}"
    );
    let short = cli.run(&["restore", "abc"]).failure(2);
    assert!(short.stderr.contains("first 8 characters"), "{short:?}");

    let info = cli.ok(&["1", "info"]);
    assert!(info.contains("History"), "{info}");
    assert!(
        info.contains("title: \"Keep me\" → \"Keep me please\""),
        "{info}"
    );
    assert!(info.contains("priority: (none) → \"high\""), "{info}");
    // Dates, tags, notes and UDAs as they are typed, not as stored JSON.
    for change in [
        "tags: (none) → +home",
        "due: (none) → 2026-12-24",
        "uda.size: (none) → \"L\"",
        "note added: \"ask Sam\"",
    ] {
        assert!(info.contains(change), "{change} in {info}");
    }
    assert!(info.contains("deleted"), "{info}");
    assert!(info.contains("restored"), "{info}");

    // Brought back past its until date, it is said to go again within
    // the minute, and how to keep it.
    let offer = cli.add(&["Offer", "until:2099-01-01"]);
    let number = offer["number"].to_string();
    cli.ok(&[&number, "delete"]);
    let mut later = cli;
    later
        .extra_env
        .push(("TASK_NOW".into(), "2099-06-01T00:00:00Z".into()));
    let restored = later.ok(&["restore", &uuid(&offer)]);
    assert!(
        restored.contains(common::display::EXPIRING)
            && restored.contains("To keep it: task 2 modify until:"),
        "{restored}"
    );
}

#[test]
fn done_and_start_on_several_tasks_are_one_step_each() {
    let server = TestServer::start();
    let relay = CountingRelay::start(&server.url, "POST /api/tasks/bulk/");
    let cli = Cli::at(&relay.url);
    cli.register("stepper");
    cli.login("stepper");
    for n in 1..=4 {
        cli.ok(&["add", &format!("Task {n}")]);
    }
    let started = cli.ok(&["1,2", "start"]);
    assert_eq!(started.lines().count(), 2, "{started}");
    let done = cli.ok(&["1-3", "done"]);
    assert!(done.contains("Completed task 3 \"Task 3\"."), "{done}");
    assert_eq!(relay.count(), 2, "one bulk request per command");
    assert_eq!(titles(&cli), ["Task 4"]);
    assert_eq!(cli.ok(&["undo"]), "Undone: completed 3 tasks.\n");
    assert_eq!(titles(&cli), ["Task 1", "Task 2", "Task 3", "Task 4"]);
    assert_eq!(cli.ok(&["undo"]), "Undone: started 2 tasks.\n");
    let active = cli.run(&["--json", "active"]).success().json();
    assert_eq!(active, Value::Array(Vec::new()));

    // modify: each task's own tags, in one request all the same.
    cli.ok(&["2", "modify", "+old"]);
    let modified = cli.ok(&["1,2", "modify", "+new", "pri:L"]);
    assert_eq!(modified.lines().count(), 2, "{modified}");
    assert_eq!(relay.count(), 3);
    let tags = |n: &str| cli.run(&["--json", "show", n]).success().json()[0]["tags"].clone();
    assert_eq!(tags("1"), serde_json::json!(["new"]));
    assert_eq!(tags("2"), serde_json::json!(["old", "new"]));
    assert_eq!(cli.ok(&["undo"]), "Undone: changed 2 tasks.\n");
    assert_eq!(tags("2"), serde_json::json!(["old"]));

    // annotate and denotate: one request, one step, each task's own note.
    let notes = |n: &str| {
        cli.run(&["--json", "show", n]).success().json()[0]["annotations"]
            .as_array()
            .map_or(0, Vec::len)
    };
    let annotated = cli.ok(&["1,2", "annotate", "ask", "Sam"]);
    assert_eq!(annotated.lines().count(), 2, "{annotated}");
    assert_eq!(relay.count(), 4);
    cli.ok(&["1", "annotate", "call", "back"]);
    let denotated = cli.run(&["1-3", "denotate", "Sam"]);
    assert_eq!(denotated.code, 1, "task 3 has no such note");
    assert!(
        denotated.stderr.contains("task 3: no note says \"Sam\""),
        "{}",
        denotated.stderr
    );
    assert_eq!((notes("1"), notes("2")), (1, 0));
    assert_eq!(cli.ok(&["undo"]), "Undone: denotated 2 tasks.\n");
    assert_eq!((notes("1"), notes("2")), (2, 1));
    cli.ok(&["undo"]);
    assert_eq!(cli.ok(&["undo"]), "Undone: annotated 2 tasks.\n");
    assert_eq!((notes("1"), notes("2")), (0, 0));
}

#[test]
fn a_modification_that_changes_nothing_says_so_and_leaves_no_step() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    cli.add(&["Buy milk"]);
    cli.add(&["Fix fence", "pri:H"]);
    cli.ok(&["1", "modify", "pri:H"]);
    assert_eq!(
        cli.ok(&["1", "modify", "pri:H"]),
        "Task 1 \"Buy milk\": nothing changed.\n"
    );
    assert_eq!(
        cli.ok(&["1,2", "modify", "pri:H", "--yes"]),
        "Task 1 \"Buy milk\": nothing changed.\nTask 2 \"Fix fence\": nothing changed.\n"
    );
    // The last step is still the one that set the priority.
    let undone = cli.ok(&["undo"]);
    assert!(undone.contains("\"Buy milk\""), "{undone}");
    assert_eq!(
        cli.run(&["--json", "1", "info"]).success().json()[0]["priority"],
        Value::Null
    );
}

#[test]
fn the_history_names_dependencies_no_longer_linked_as_they_are_typed() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    cli.add(&["Pour the base"]);
    cli.add(&["Build the wall", "dep:1"]);
    cli.ok(&["2", "modify", "depends:-1"]);
    let info = cli.ok(&["2", "info"]);
    assert!(info.contains("depends: 1\n"), "{info}");
    assert!(info.contains("depends: 1 → (none)\n"), "{info}");
    // Done, it is named by its uuid, as everywhere else.
    let base = cli.run(&["--json", "1", "info"]).success().json()[0].clone();
    cli.ok(&["1", "done"]);
    // Nine characters when the first eight are digits, which read as a number.
    let uuid = common::display::uuid_name(base["uuid"].as_str().unwrap());
    let info = cli.ok(&["2", "info"]);
    assert!(
        info.contains(&format!("depends: {uuid} → (none)")),
        "{info}"
    );
}
