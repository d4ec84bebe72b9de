//! show, done, reopen, modify, delete: several tasks named by number, lists
//! and ranges, or by uuid prefix, in both orders; an unknown name is
//! reported, the rest still done, exit 1.

use serde_json::Value;

use crate::helpers::{Cli, TestServer};

/// "Task N" as the server has it, whatever its state (done tasks have no
/// number to show them by).
fn task(cli: &Cli, n: i64) -> Value {
    let title = format!("Task {n}");
    let all = cli.run(&["--json", "list", "status:all"]).success().json();
    all.as_array()
        .and_then(|tasks| tasks.iter().find(|t| t["title"] == title.as_str()))
        .cloned()
        .unwrap_or_else(|| panic!("no {title} in {all}"))
}

/// The pending task numbered `n`.
fn pending(cli: &Cli, n: i64) -> Value {
    cli.run(&["--json", "show", &n.to_string()])
        .success()
        .json()[0]
        .clone()
}

fn status(cli: &Cli, n: i64) -> String {
    task(cli, n)["status"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The start of the uuid of "Task N", as the list shows it.
fn short_uuid(cli: &Cli, n: i64) -> String {
    common::display::uuid_name(task(cli, n)["uuid"].as_str().unwrap_or_default())
}

fn with_tasks(count: usize) -> (TestServer, Cli) {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    for i in 1..=count {
        cli.add(&[&format!("Task {i}"), "+keep", "+old"]);
    }
    (server, cli)
}

#[test]
fn show_in_both_orders() {
    let (_server, cli) = with_tasks(3);
    cli.ok(&["modify", "2", "--description", "line one\nline two"]);
    let text = cli.ok(&["show", "2"]);
    assert!(
        text.contains("Task 2") && text.contains("line one\n") && text.contains("line two"),
        "{text}"
    );
    assert_eq!(cli.ok(&["2"]), text);
    assert_eq!(cli.ok(&["2", "show"]), text);
    assert_eq!(cli.ok(&["2", "info"]), text);

    let many = cli.run(&["--json", "show", "1,3", "2"]).success().json();
    let ids: Vec<i64> = many
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [1, 3, 2]);
}

#[test]
fn done_and_reopen_in_both_orders() {
    let (_server, cli) = with_tasks(6);
    let out = cli.ok(&["done", "1"]);
    assert_eq!(out, "Completed task 1 \"Task 1\".\n");
    cli.ok(&["2", "done"]);
    cli.ok(&["3,5", "done"]);
    cli.ok(&["done", "6,4"]);
    for id in 1..=6 {
        assert_eq!(status(&cli, id), "done", "{id}");
    }
    assert!(task(&cli, 1)["completed_at"].is_string());
    assert!(
        task(&cli, 1)["number"].is_null(),
        "a done task has no number"
    );
    // A done task is named by its uuid; done already: said so, nothing
    // changed, still a success.
    let one = short_uuid(&cli, 1);
    let version = task(&cli, 1)["version"].clone();
    assert_eq!(
        cli.ok(&["done", &one]),
        format!("Task {one} \"Task 1\" is already done.\n")
    );
    assert_eq!(task(&cli, 1)["version"], version);
    let run = cli.run(&["done", "1"]).failure(1);
    assert!(run.stderr.contains("task 1: no such task"), "{run:?}");

    let names: Vec<String> = (1..=6).map(|n| short_uuid(&cli, n)).collect();
    let out = cli.ok(&["reopen", &format!("{},{}", names[0], names[1])]);
    assert_eq!(
        out,
        format!(
            "Reopened task {} \"Task 1\", now task 1.\nReopened task {} \"Task 2\", now task 2.\n",
            names[0], names[1]
        )
    );
    cli.ok(&[&names[2], &names[3], "reopen"]);
    cli.ok(&["reopen", &names[4].to_uppercase(), &names[5]]);
    for id in 1..=6 {
        assert_eq!(status(&cli, id), "pending", "{id}");
    }
    assert!(task(&cli, 1)["completed_at"].is_null());
    // Reopened, each has the lowest number free again.
    let mut numbers: Vec<i64> = (1..=6)
        .map(|n| task(&cli, n)["number"].as_i64().unwrap())
        .collect();
    numbers.sort();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6]);
    // Named by its uuid and left with the number it had: nothing to say
    // of its number.
    let uuid = short_uuid(&cli, 3);
    let number = task(&cli, 3)["number"].clone();
    let out = cli.ok(&[&uuid, "modify", "pri:L"]);
    assert_eq!(
        out,
        format!("Modified task {uuid} \"Task 3\".\n"),
        "{number}"
    );
}

#[test]
fn an_unknown_id_is_reported_and_the_rest_done() {
    let (_server, cli) = with_tasks(3);
    let run = cli.run(&["done", "1", "99", "3"]).failure(1);
    assert!(run.stderr.contains("task 99: no such task"), "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    assert!(
        run.stdout.contains("Completed task 1") && run.stdout.contains("Completed task 3"),
        "{run:?}"
    );
    assert_eq!(status(&cli, 1), "done");
    assert_eq!(status(&cli, 3), "done");

    // Many unknown names are said in one line, as ranges: 1 and 3 are
    // done, so their numbers name nothing now.
    let run = cli.run(&["show", "1-9000", "12000"]).failure(1);
    assert_eq!(
        run.stderr,
        "task: tasks 1, 3-9000, 12000: no such task (a number names a pending task: a done or \
         deleted one goes by its uuid)\n",
        "{run:?}"
    );
    assert!(run.stdout.contains("Task 2"), "{run:?}");

    // Another user's task is as unknown as a missing one.
    let server_url = cli.server.clone();
    let other = Cli::at(&server_url);
    other.register("mallory");
    other.login("mallory");
    let run = other.run(&["2", "done"]).failure(1);
    assert!(run.stderr.contains("task 2: no such task"), "{run:?}");
    other.run(&["delete", "2", "--yes"]).failure(1);
    other.run(&["2", "modify", "pri:H"]).failure(1);
    other.run(&["show", "2"]).failure(1);
    assert_eq!(status(&cli, 2), "pending");

    for (args, code) in [
        (&["show", "99"][..], 1),
        (&["reopen", "98,1"], 1),
        (&["modify", "2,99", "pri:H"], 1),
        (&["delete", "99", "--yes"], 1),
        (&["done", "x"], 2),
        (&["done", "0"], 2),
        (&["3", "frobnicate"], 2),
    ] {
        cli.run(args).failure(code);
    }
    assert!(task(&cli, 2)["priority"] == "high");
    cli.run(&["delete", "99", "2", "--yes"]).failure(1);
    cli.run(&["show", "2"]).failure(1);
}

#[test]
fn modify_changes_clears_and_removes() {
    let (_server, cli) = with_tasks(4);
    cli.ok(&[
        "1",
        "modify",
        "pri:H",
        "due:tomorrow",
        "project:home",
        "+new",
        "-old",
        "Better",
        "title",
    ]);
    let one = pending(&cli, 1);
    assert_eq!(one["title"], "Better title");
    assert_eq!(one["priority"], "high");
    assert_eq!(one["project"], "home");
    assert_eq!(one["tags"], serde_json::json!(["keep", "new"]));
    assert!(one["due"].is_string());

    cli.ok(&["modify", "1", "due:", "pri:", "project:"]);
    let one = pending(&cli, 1);
    assert!(
        one["due"].is_null() && one["priority"].is_null() && one["project"].is_null(),
        "{one}"
    );
    assert_eq!(one["title"], "Better title");

    // Taskwarrior's substitution, in the title, over several tasks too.
    cli.ok(&["1", "modify", "/title/name/"]);
    assert_eq!(pending(&cli, 1)["title"], "Better name");
    cli.ok(&["1,2", "modify", "/a/4/g"]);
    assert_eq!(pending(&cli, 1)["title"], "Better n4me");
    assert_eq!(pending(&cli, 2)["title"], "T4sk 2");
    // One that finds nothing says so and leaves the task as it was: a
    // failure when nothing else was asked, else said beside the change.
    let missing = cli.run(&["1", "modify", "/nowhere/x/"]).failure(1);
    assert_eq!(
        missing.stderr,
        "task: task 1: \"nowhere\" is not in its title \"Better n4me\": nothing changed\n",
        "{missing:?}"
    );
    let beside = cli.run(&["1", "modify", "/nowhere/x/", "pri:L"]).success();
    assert!(
        beside
            .stderr
            .contains("task 1: \"nowhere\" is not in its title \"Better n4me\""),
        "{beside:?}"
    );
    assert!(beside.stdout.contains("Modified task 1"), "{beside:?}");
    cli.ok(&["1", "modify", "pri:H"]);
    // Nothing to find is refused, not taken as the new title.
    let empty = cli.run(&["1", "modify", "//x/"]).failure(2);
    assert!(empty.stderr.contains("has nothing to find"), "{empty:?}");
    assert_eq!(pending(&cli, 1)["title"], "Better n4me");

    cli.ok(&["2,3", "modify", "pri:L"]);
    cli.ok(&["modify", "3-4", "-keep"]);
    cli.ok(&[
        "modify",
        "4",
        "--priority",
        "M",
        "--tag",
        "flagged",
        "--due",
        "eom",
    ]);
    assert_eq!(pending(&cli, 2)["priority"], "low");
    assert_eq!(pending(&cli, 3)["priority"], "low");
    assert_eq!(pending(&cli, 3)["tags"], serde_json::json!(["old"]));
    let four = pending(&cli, 4);
    assert_eq!(four["tags"], serde_json::json!(["old", "flagged"]));
    assert_eq!(four["priority"], "medium");
    cli.ok(&["modify", "4", "--due", ""]);
    assert!(pending(&cli, 4)["due"].is_null());

    let nothing = cli.run(&["modify", "1"]).failure(2);
    assert!(nothing.stderr.contains("nothing to change"), "{nothing:?}");
    cli.run(&["modify", "pri:H"]).failure(2);
}

#[test]
fn delete_asks_on_a_terminal_unless_yes() {
    let (_server, cli) = with_tasks(10);

    // Not a terminal: no question.
    let run = cli.run(&["delete", "1"]).success();
    assert_eq!(run.stdout, "Deleted task 1 \"Task 1\".\n");
    cli.run(&["show", "1"]).failure(1);

    // A terminal: asks; "n" keeps the tasks.
    let mut tty = cli.on_tty(&["2-3", "delete"]);
    tty.expect("Delete these 2 tasks? [y/N]");
    tty.send_line("n");
    let (code, screen) = tty.finish();
    assert_eq!(code, 1, "{screen}");
    assert!(
        screen.contains("Task 2") && screen.contains("Task 3"),
        "{screen}"
    );
    assert!(screen.contains("nothing deleted"), "{screen}");
    assert_eq!(status(&cli, 2), "pending");

    // The names line up, as the reports' numbers do.
    let mut tty = cli.on_tty(&["2,10", "delete"]);
    tty.expect("[y/N]");
    tty.send_line("n");
    let (_, screen) = tty.finish();
    assert!(
        screen.contains("   2 \"Task 2\"") && screen.contains("  10 \"Task 10\""),
        "{screen}"
    );

    // "y" deletes them.
    let mut tty = cli.on_tty(&["delete", "2,3"]);
    tty.expect("[y/N]");
    tty.send_line("y");
    let (code, screen) = tty.finish();
    assert_eq!(code, 0, "{screen}");
    cli.run(&["show", "2"]).failure(1);
    cli.run(&["show", "3"]).failure(1);

    // --yes on a terminal: no question.
    let tty = cli.on_tty(&["4", "delete", "--yes"]);
    let (code, screen) = tty.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains("[y/N]"), "{screen}");
    cli.run(&["show", "4"]).failure(1);

    let run = cli.run(&["--json", "delete", "5-6", "-y"]).success();
    cli.run(&["delete", "7-10", "-y"]).success();
    let titles: Vec<Value> = run
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].clone())
        .collect();
    assert_eq!(titles, ["Task 5", "Task 6"]);
    assert_eq!(
        cli.run(&["--json", "list", "status:all"]).success().json(),
        serde_json::json!([])
    );
}

/// The question names the pending tasks waiting for what would go, even
/// those the filter hides, and leaves out those deleted with it.
#[test]
fn delete_names_the_tasks_waiting_for_it() {
    let (_server, cli) = with_tasks(4);
    cli.ok(&["2", "modify", "depends:1"]);
    cli.ok(&["3", "modify", "depends:1", "wait:tomorrow"]);

    // The question on a terminal, answered no: what it showed.
    let asked = |args: &[&str]| {
        let mut tty = cli.on_tty(args);
        tty.expect("[y/N]");
        tty.send_line("n");
        tty.finish().1
    };
    let screen = asked(&["1", "delete"]);
    assert!(
        screen.contains("Tasks 2, 3 wait for it: they will wait no more."),
        "{screen}"
    );
    let screen = asked(&["1,2", "delete"]);
    assert!(
        screen.contains("Task 3 waits for these: it will wait no more."),
        "{screen}"
    );
    let screen = asked(&["4", "delete"]);
    assert!(!screen.contains("wait no more"), "{screen}");
}

/// Commands changing one task at once take turns: each reads the task
/// again after another's change and makes its own on top, none lost.
#[test]
fn commands_changing_one_task_at_once_all_land() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    cli.add(&["shared"]);
    let runs: Vec<std::process::Child> = (0..8)
        .map(|n| {
            cli.command(&["1", "modify", &format!("+p{n}")])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for run in runs {
        let output = run.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let task = pending(&cli, 1);
    let mut tags: Vec<String> = serde_json::from_value(task["tags"].clone()).unwrap();
    tags.sort();
    assert_eq!(tags, (0..8).map(|n| format!("p{n}")).collect::<Vec<_>>());
}
