//! `task list`: every filter, `--sort`, every page, a table fitted to the
//! width, colours only on a terminal and never with NO_COLOR, `--json`.

use common::api::{NewTask, Priority};
use common::client::ApiClient;
use serde_json::Value;
use unicode_width::UnicodeWidthStr;

use crate::helpers::{Cli, TestServer, PASSWORD};

fn ids(run: &crate::helpers::Run) -> Vec<i64> {
    run.json()
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|t| t["id"].as_i64().expect("id"))
        .collect()
}

fn list(cli: &Cli, args: &[&str]) -> Vec<i64> {
    let mut all = vec!["--json", "list"];
    all.extend_from_slice(args);
    ids(&cli.run(&all).success())
}

/// 1 home +errands H due tomorrow; 2 home.garden +garden L due in 10 days;
/// 3 work +office +errands M overdue; 4 work (done); 5 no project, no due.
fn seed(cli: &Cli) {
    cli.add(&[
        "Buy",
        "milk",
        "project:home",
        "+errands",
        "pri:H",
        "due:tomorrow",
    ]);
    cli.add(&[
        "Plant",
        "tulips",
        "project:home.garden",
        "+garden",
        "pri:L",
        "due:10d",
    ]);
    cli.add(&[
        "File",
        "expenses",
        "project:work",
        "+office",
        "+errands",
        "pri:M",
        "due:2026-03-01",
    ]);
    cli.add(&[
        "Old",
        "report",
        "project:work",
        "--description",
        "the MILK budget",
    ]);
    cli.ok(&["done", "4"]);
    cli.add(&["Read", "a", "book"]);
}

#[test]
fn every_filter() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    seed(&cli);

    assert_eq!(list(&cli, &[]), [1, 2, 3, 5]);
    assert_eq!(list(&cli, &["status:pending"]), [1, 2, 3, 5]);
    assert_eq!(list(&cli, &["status:done"]), [4]);
    assert_eq!(list(&cli, &["status:all"]), [1, 2, 3, 4, 5]);
    assert_eq!(list(&cli, &["+errands"]), [1, 3]);
    // Taskwarrior's habit: a line that starts with a filter lists with it.
    assert_eq!(ids(&cli.run(&["--json", "+errands"]).success()), [1, 3]);
    assert_eq!(
        ids(&cli.run(&["--json", "project:work", "status:all"]).success()),
        [3, 4]
    );
    assert_eq!(list(&cli, &["+errands", "+office"]), [3]);
    assert_eq!(list(&cli, &["-errands"]), [2, 5]);
    assert_eq!(list(&cli, &["-office", "+errands"]), [1]);
    assert_eq!(list(&cli, &["project:home"]), [1, 2]);
    assert_eq!(list(&cli, &["pro:home.garden"]), [2]);
    assert_eq!(list(&cli, &["project:"]), [5]);
    assert_eq!(list(&cli, &["priority:H"]), [1]);
    assert_eq!(list(&cli, &["pri:m"]), [3]);
    assert_eq!(list(&cli, &["priority:low"]), [2]);
    assert_eq!(list(&cli, &["due.before:today"]), [3]);
    assert_eq!(list(&cli, &["due.before:eow"]), [1, 3]);
    assert_eq!(list(&cli, &["due.after:today"]), [1, 2]);
    assert_eq!(list(&cli, &["due.after:tomorrow"]), [2]);
    assert_eq!(list(&cli, &["due:tomorrow"]), [1]);
    assert_eq!(list(&cli, &["due:"]), [5]);
    assert_eq!(list(&cli, &["milk"]), [1]);
    assert_eq!(list(&cli, &["milk", "status:all"]), [1, 4]);
    assert_eq!(list(&cli, &["a", "book"]), [5]);
    assert_eq!(list(&cli, &["project:work", "status:all", "+office"]), [3]);
    // `ls` is `list`; `task` alone is `next`: the same pending tasks, most
    // urgent first (the overdue one with medium priority and two tags).
    assert_eq!(ids(&cli.run(&["--json", "ls"]).success()), [1, 2, 3, 5]);
    assert_eq!(ids(&cli.run(&["--json"]).success()), [1, 3, 2, 5]);

    for bad in ["priority:X", "status:open", "due.before:whenever"] {
        let run = cli.run(&["list", bad]).failure(2);
        assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    }
}

#[test]
fn sorting() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    seed(&cli);
    assert_eq!(list(&cli, &["--sort", "due"]), [3, 1, 2, 5]);
    assert_eq!(list(&cli, &["--sort", "-due"]), [2, 1, 3, 5]);
    assert_eq!(list(&cli, &["--sort", "-priority,id"]), [1, 3, 2, 5]);
    assert_eq!(list(&cli, &["--sort", "priority"]), [2, 3, 1, 5]);
    assert_eq!(list(&cli, &["--sort=-id"]), [5, 3, 2, 1]);
    assert_eq!(list(&cli, &["+errands", "--sort", "-id"]), [3, 1]);
    assert_eq!(list(&cli, &["--sort", "title"]), [1, 3, 2, 5]);
    let run = cli.run(&["list", "--sort", "colour"]).failure(2);
    assert!(run.stderr.contains("cannot sort by"), "{run:?}");
}

#[test]
fn fetches_every_page() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "bulk");
    let client = ApiClient::new(&server.url).expect("client");
    server.block_on(async {
        client.login("bulk", PASSWORD).await.expect("login");
        for i in 1..=1200 {
            let task = NewTask {
                title: format!("Task number {i}"),
                priority: (i % 3 == 0).then_some(Priority::High),
                ..Default::default()
            };
            client.create_task(&task).await.expect("create");
        }
    });
    let all = list(&cli, &[]);
    assert_eq!(all.len(), 1200);
    assert_eq!(all, (1..=1200).collect::<Vec<i64>>());
    assert_eq!(list(&cli, &["pri:H"]).len(), 400);
    let table = cli.ok(&["list"]);
    assert!(
        table.ends_with("\n1200 tasks\n"),
        "{}",
        &table[table.len() - 50..]
    );
    assert_eq!(
        table.lines().filter(|l| l.contains("Task number")).count(),
        1200
    );
}

#[test]
fn json_is_exactly_the_tasks() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    seed(&cli);
    let run = cli.run(&["list", "--json", "+errands"]).success();
    let value: Value = serde_json::from_str(&run.stdout).expect("only JSON on stdout");
    let tasks: Vec<common::api::Task> = serde_json::from_value(value).expect("an array of tasks");
    assert_eq!(tasks.len(), 2);
    assert!(run.stderr.is_empty(), "{run:?}");
    let empty = cli
        .run(&["--json", "list", "nothing-matches-this"])
        .success();
    assert_eq!(empty.stdout.trim(), "[]");
}

#[test]
fn table_fits_80_and_200_columns() {
    let server = TestServer::start();
    let mut cli = Cli::logged_in(&server, "alice");
    seed(&cli);
    let long_title = "A very long title that goes on and on, well past any reasonable width of a terminal, and then some more words, 买买买 and emoji 🎉🎉";
    cli.add(&[
        long_title,
        "project:some.rather.long.project.name",
        "+one",
        "+two",
        "+three",
        "due:eom",
        "pri:H",
    ]);

    for width in [80usize, 200] {
        cli.extra_env = vec![("COLUMNS".into(), width.to_string())];
        let table = cli.ok(&["list", "status:all"]);
        for line in table.lines() {
            assert!(
                line.width() <= width,
                "{width}: {line:?} is {} wide",
                line.width()
            );
        }
        let header = table.lines().next().expect("a header");
        for column in ["ID", "Project", "Pri", "Due", "Status", "Tags", "Title"] {
            assert!(header.contains(column), "{width}: {header}");
        }
        assert!(table.contains("in 1d"), "{table}");
        assert!(table.contains("2d ago"), "{table}");
        if width == 200 {
            assert!(
                table.contains(
                    "A very long title that goes on and on, well past any reasonable width"
                ),
                "{table}"
            );
        } else {
            assert!(table.contains('…'), "{table}");
        }
    }
    // Not a terminal and no COLUMNS: nothing is cut.
    cli.extra_env.clear();
    assert!(cli.ok(&["list"]).contains(long_title));
}

#[test]
fn colours_only_on_a_terminal_and_never_with_no_color() {
    let server = TestServer::start();
    let mut cli = Cli::logged_in(&server, "alice");
    seed(&cli);

    let piped = cli.ok(&["list"]);
    assert!(!piped.contains('\x1b'), "{piped:?}");

    let tty = cli.on_tty(&["list"]);
    let (code, screen) = tty.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("\x1b[31m"), "overdue not red: {screen:?}");
    assert!(screen.contains("File expenses"), "{screen:?}");

    cli.extra_env = vec![("NO_COLOR".into(), "1".into())];
    let tty = cli.on_tty(&["list"]);
    let (code, screen) = tty.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("File expenses"), "{screen:?}");
    assert!(
        !screen.contains('\x1b'),
        "colour despite NO_COLOR: {screen:?}"
    );
}

#[test]
fn closed_stdout_is_not_a_failure() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    let client = ApiClient::new(&server.url).expect("client");
    server.block_on(async {
        client.login("alice", PASSWORD).await.expect("login");
        for i in 0..300 {
            let task = NewTask {
                title: format!("{i} {}", "padding ".repeat(20)),
                ..Default::default()
            };
            client.create_task(&task).await.expect("create");
        }
    });
    let mut child = cli
        .command(&["list"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("task runs");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("finishes");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The filter is the server's to apply: over 5,000 tasks, a filtered list
/// asks for one page and gets only the matching tasks.
#[test]
fn a_filtered_list_fetches_only_the_matching_page() {
    let server = TestServer::start();
    let relay = crate::helpers::CountingRelay::start(&server.url, "GET /api/tasks/");
    let cli = Cli::at(&relay.url);
    cli.register("bulk");
    cli.login("bulk");
    let client = ApiClient::new(&server.url).expect("client");
    server.block_on(async {
        client.login("bulk", PASSWORD).await.expect("login");
        for i in 0..5000 {
            // One task in 100 is +home pri:H; one in three of those is +work too.
            let chosen = i % 100 == 0;
            let mut tags = vec![if chosen || i % 2 == 0 {
                "home"
            } else {
                "garden"
            }];
            if i % 3 == 0 {
                tags.push("work");
            }
            let task = NewTask {
                title: format!("Task number {i}"),
                priority: Some(if chosen {
                    Priority::High
                } else {
                    Priority::Low
                }),
                tags: Some(tags.iter().map(|t| t.to_string()).collect()),
                ..Default::default()
            };
            client.create_task(&task).await.expect("create");
        }
    });
    let expected: Vec<String> = (0..5000)
        .filter(|i| i % 100 == 0 && i % 3 != 0)
        .map(|i| format!("Task number {i}"))
        .collect();

    let before = relay.count();
    let run = cli
        .run(&["--json", "list", "+home", "-work", "pri:H"])
        .success();
    assert_eq!(relay.count() - before, 1, "one request for one page");
    let titles: Vec<String> = run
        .json()
        .as_array()
        .expect("an array")
        .iter()
        .map(|t| t["title"].as_str().unwrap_or_default().to_string())
        .collect();
    let mut sorted = titles.clone();
    sorted.sort();
    let mut want = expected.clone();
    want.sort();
    assert_eq!(sorted, want);

    // The same words in Taskwarrior's order, as a table.
    let before = relay.count();
    let table = cli.ok(&["+home", "-work", "pri:H"]);
    assert_eq!(relay.count() - before, 1);
    assert!(
        table.ends_with(&format!("\n{} tasks\n", expected.len())),
        "{table}"
    );

    // The relay counts what it should: all 5,000 come in pages of 1,000.
    let before = relay.count();
    let all = cli.run(&["--json", "list"]).success().json();
    assert_eq!(all.as_array().map(Vec::len), Some(5000));
    assert_eq!(relay.count() - before, 5);
}

/// Each word searched for on its own, as in Taskwarrior; a quoted phrase
/// whole.
#[test]
fn search_words_each_apply() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    cli.add(&["Pay", "the", "electricity", "bill"]);
    cli.add(&["Pay", "rent"]);
    let found = cli.ok(&["list", "bill", "pay"]);
    assert!(
        found.contains("electricity") && !found.contains("rent"),
        "{found}"
    );
    let phrase = cli.run(&["list", "pay bill"]).success();
    assert!(phrase.stdout.contains("No matching tasks"), "{phrase:?}");
}

/// `project:wor` names one project (and its sub-projects), not every
/// project starting so as in Taskwarrior: when it finds nothing, those that
/// would are named.
#[test]
fn a_project_named_by_its_start_is_hinted() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    cli.ok(&["add", "Fix the bench", "project:workshop"]);
    cli.ok(&["add", "Quarterly report", "project:work.q4"]);
    cli.ok(&["add", "Water", "project:home"]);
    let run = cli.run(&["list", "project:wor"]).success();
    assert!(run.stdout.contains("No matching tasks."), "{run:?}");
    assert!(
        run.stderr
            .contains("did you mean project:work or project:workshop?"),
        "{run:?}"
    );
    // Nothing starts so, or nothing else of the filter matches: no hint.
    let run = cli.run(&["list", "project:zzz"]).success();
    assert!(run.stderr.is_empty(), "{run:?}");
    let run = cli.run(&["list", "project:wor", "+nothing"]).success();
    assert!(run.stderr.is_empty(), "{run:?}");
    // The project itself takes its sub-projects in, as before.
    let run = cli.run(&["list", "project:work"]).success();
    assert!(run.stdout.contains("Quarterly report"), "{run:?}");
    assert!(!run.stdout.contains("Fix the bench"), "{run:?}");
    // Sorted by project, Taskwarrior's trailing sign too.
    let titles = |args: &[&str]| cli.listed_titles(args);
    assert_eq!(
        titles(&["--sort", "project"]),
        ["Water", "Quarterly report", "Fix the bench"]
    );
    assert_eq!(
        titles(&["--sort", "project-"]),
        ["Fix the bench", "Quarterly report", "Water"]
    );
}
