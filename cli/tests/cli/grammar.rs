//! Taskwarrior's grammar, `task [FILTER] COMMAND [WORDS]`, in both orders
//! for every command that takes tasks; a write on a filter that matches
//! several tasks asks first on a terminal; words this tool does not
//! understand yet are refused, never stored.

use serde_json::Value;

use crate::helpers::{Cli, TestServer};

/// 1 "Long walk" +long home; 2 "Long read" +long work; 3 "Pay rent" home;
/// 4 "Short call" work.
fn seeded() -> (TestServer, Cli) {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    cli.add(&["Long", "walk", "+long", "project:home"]);
    cli.add(&["Long", "read", "+long", "project:work"]);
    cli.add(&["Pay", "rent", "project:home"]);
    cli.add(&["Short", "call", "project:work"]);
    (server, cli)
}

fn all(cli: &Cli) -> Vec<Value> {
    cli.run(&["--json", "all"])
        .success()
        .json()
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn field(cli: &Cli, title: &str, name: &str) -> Value {
    all(cli)
        .into_iter()
        .find(|t| t["title"] == title)
        .map(|t| t[name].clone())
        .unwrap_or(Value::Null)
}

fn titles(run: &crate::helpers::Run) -> Vec<String> {
    run.json()
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|t| t["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn a_filter_before_the_command_selects_its_tasks() {
    let (_server, cli) = seeded();
    // Reports, both orders.
    let long = ["Long walk", "Long read"];
    assert_eq!(
        titles(&cli.run(&["--json", "+long", "list"]).success()),
        long
    );
    assert_eq!(
        titles(&cli.run(&["--json", "list", "+long"]).success()),
        long
    );
    assert_eq!(
        titles(&cli.run(&["--json", "project:work", "list"]).success()),
        ["Long read", "Short call"]
    );
    // A bare word lists with it.
    assert_eq!(
        titles(&cli.run(&["--json", "rent"]).success()),
        ["Pay rent"]
    );
    assert!(cli.ok(&["rent"]).contains("Pay rent"));

    // modify on a filter: every matching task (no terminal: no question).
    let out = cli.ok(&["project:home", "modify", "pri:L"]);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert_eq!(field(&cli, "Long walk", "priority"), "low");
    assert_eq!(field(&cli, "Pay rent", "priority"), "low");
    assert_eq!(field(&cli, "Long read", "priority"), Value::Null);

    // info, start, stop, annotate on a filter.
    assert!(cli
        .ok(&["+long", "project:work", "info"])
        .contains("Long read"));
    cli.ok(&["project:work", "+long", "start"]);
    assert!(field(&cli, "Long read", "start").is_string());
    cli.ok(&["+long", "project:work", "stop"]);
    assert!(field(&cli, "Long read", "start").is_null());
    cli.ok(&["rent", "annotate", "ask", "the", "landlord"]);
    assert_eq!(
        field(&cli, "Pay rent", "annotations")[0]["text"],
        "ask the landlord"
    );

    // Names and a filter: the named tasks the filter also matches.
    cli.ok(&["1-4", "+long", "modify", "+slow"]);
    assert_eq!(
        field(&cli, "Long walk", "tags"),
        serde_json::json!(["long", "slow"])
    );
    assert_eq!(field(&cli, "Pay rent", "tags"), serde_json::json!([]));

    // done, then reopen among the done tasks.
    let out = cli.ok(&["+long", "done"]);
    assert!(
        out.contains("Long walk") && out.contains("Long read"),
        "{out}"
    );
    assert_eq!(field(&cli, "Long walk", "status"), "done");
    cli.ok(&["+long", "reopen"]);
    assert_eq!(field(&cli, "Long read", "status"), "pending");

    // A filter that matches nothing is a failure, said in one line.
    let none = cli.run(&["+nothing", "done"]).failure(1);
    assert_eq!(none.stderr, "task: no task matches the filter\n");

    // delete on a filter; no terminal, no question.
    cli.ok(&["project:work", "-long", "delete"]);
    assert_eq!(field(&cli, "Short call", "title"), Value::Null);
}

#[test]
fn a_write_on_several_tasks_asks_first_on_a_terminal() {
    let (_server, cli) = seeded();
    let mut tty = cli.on_tty(&["+long", "done"]);
    tty.expect("Complete these 2 tasks? [y/N]");
    tty.send_line("n");
    let (code, screen) = tty.finish();
    assert_eq!(code, 1, "{screen}");
    assert!(
        screen.contains("Long walk") && screen.contains("nothing changed"),
        "{screen}"
    );
    assert_eq!(field(&cli, "Long walk", "status"), "pending");

    let mut tty = cli.on_tty(&["project:home", "modify", "pri:H"]);
    tty.expect("Modify these 2 tasks? [y/N]");
    tty.send_line("y");
    let (code, screen) = tty.finish();
    assert_eq!(code, 0, "{screen}");
    assert_eq!(field(&cli, "Pay rent", "priority"), "high");

    // One task: no question; --yes and rc.confirmation=off: none either.
    let (code, screen) = cli.on_tty(&["rent", "start"]).finish();
    assert_eq!(code, 0, "{screen}");
    let (code, screen) = cli.on_tty(&["+long", "done", "--yes"]).finish();
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains("[y/N]"), "{screen}");
    let (code, screen) = cli
        .on_tty(&["+long", "reopen", "rc.confirmation=off"])
        .finish();
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains("[y/N]"), "{screen}");
    assert_eq!(field(&cli, "Long walk", "status"), "pending");
}

#[test]
fn what_is_not_understood_is_refused_in_one_line() {
    let (_server, cli) = seeded();
    for args in [
        &["add", "Water", "plants", "recur:weekly"][..],
        &["list", "limit:many"],
        &["add", "Water", "limit:2"],
        &["1", "modify", "recur:daily"],
        &["+long", "list", "rc.color=off"],
        &["0", "done"],
        &["3", "add", "x"],
        &["3", "frobnicate"],
        &["+home", "login"],
        &["--bogus"],
        &["done", "0"],
    ] {
        let run = cli.run(args).failure(2);
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {run:?}");
        assert!(run.stderr.starts_with("task: "), "{args:?}: {run:?}");
        assert!(run.stdout.is_empty(), "{args:?}: {run:?}");
    }
    let run = cli.run(&["add", "Water", "recur:weekly"]).failure(2);
    assert!(run.stderr.contains("recur"), "{run:?}");
    // Nothing was stored.
    assert_eq!(all(&cli).len(), 4);
    // After `--` such a word is a title word.
    cli.ok(&["add", "Read", "--", "recur:weekly"]);
    assert_eq!(field(&cli, "Read recur:weekly", "status"), "pending");
}

/// What the server refuses is a failure (exit 1) naming the field, in one
/// line; what this side refuses is a usage error (exit 2).
#[test]
fn server_validation_errors_name_the_field() {
    let (_server, cli) = seeded();
    let long_title = "x".repeat(600);
    let run = cli.run(&["add", &long_title]).failure(1);
    assert!(run.stderr.starts_with("task: title: "), "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1);
    let long_project = format!("project:{}", "p".repeat(200));
    let run = cli.run(&["1", "modify", &long_project]).failure(1);
    assert!(run.stderr.contains("project: "), "{run:?}");
    let run = cli
        .run(&["add", "x", &format!("+{}", "t".repeat(100))])
        .failure(2);
    assert!(run.stderr.contains("longer than 64"), "{run:?}");
    assert_eq!(all(&cli).len(), 4, "nothing stored");
}

/// With a filter before the command, the words after it are the change,
/// numbers too.
#[test]
fn words_after_a_filtered_command_are_its_own() {
    let (_server, cli) = seeded();
    cli.ok(&["3", "modify", "2", "eggs"]);
    assert_eq!(field(&cli, "2 eggs", "number"), 3);
    assert_eq!(
        field(&cli, "Long read", "title"),
        "Long read",
        "task 2 untouched"
    );
    cli.ok(&["3", "annotate", "10", "minutes", "late"]);
    assert_eq!(
        field(&cli, "2 eggs", "annotations")[0]["text"],
        "10 minutes late"
    );
    assert_eq!(
        field(&cli, "Short call", "annotations"),
        serde_json::json!([])
    );
    // Flags among the filter words stay flags.
    let run = cli.run(&["3", "--json", "info"]).success();
    assert_eq!(run.json()[0]["title"], "2 eggs");
}

#[test]
fn task_names_before_a_report_are_those_tasks() {
    let (_server, cli) = seeded();
    assert_eq!(
        titles(&cli.run(&["--json", "1", "list"]).success()),
        ["Long walk"]
    );
    // Lists and ranges, in the order named, each once; a filter beside
    // them narrows them.
    assert_eq!(
        titles(&cli.run(&["--json", "3,1", "list"]).success()),
        ["Pay rent", "Long walk"]
    );
    // A sort asked for wins over the order named.
    assert_eq!(
        titles(
            &cli.run(&["--json", "3,1", "list", "--sort", "title"])
                .success()
        ),
        ["Long walk", "Pay rent"]
    );
    assert_eq!(
        titles(
            &cli.run(&["--json", "1,3", "list", "--sort", "-title"])
                .success()
        ),
        ["Pay rent", "Long walk"]
    );
    assert_eq!(
        titles(&cli.run(&["--json", "2-4", "2", "next"]).success()),
        ["Long read", "Pay rent", "Short call"]
    );
    assert_eq!(
        titles(&cli.run(&["--json", "1-4", "+long", "list"]).success()),
        ["Long walk", "Long read"]
    );
    let uuid = field(&cli, "Short call", "uuid");
    // Nine characters when the first eight are digits, which read as a number.
    let prefix = &common::display::uuid_name(uuid.as_str().unwrap());
    assert_eq!(
        titles(&cli.run(&["--json", prefix, "all"]).success()),
        ["Short call"]
    );
    // Export: those tasks only, in Taskwarrior's format.
    let exported = cli.run(&["2,4", "export"]).success().json();
    let descriptions: Vec<&str> = exported
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["description"].as_str().unwrap())
        .collect();
    assert_eq!(descriptions, ["Long read", "Short call"]);
    // Counted by project: the named tasks'.
    let projects = cli.run(&["--json", "1,2,3", "projects"]).success().json();
    assert_eq!(
        projects,
        serde_json::json!([{"name": "home", "count": 2}, {"name": "work", "count": 1}])
    );
    // After `--` a number is a search word again.
    assert!(cli.run(&["--json", "list", "--", "4"]).success().json() == serde_json::json!([]));
}

#[test]
fn a_user_defined_attribute_filters_by_its_value() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    cli.add(&["Plan", "trip", "uda.where:paris", "uda.estimate:3"]);
    cli.add(&["Plan", "move", "uda.where:lyon"]);
    assert_eq!(
        titles(&cli.run(&["--json", "list", "uda.where:paris"]).success()),
        ["Plan trip"]
    );
    assert_eq!(
        titles(&cli.run(&["--json", "uda.estimate:3", "list"]).success()),
        ["Plan trip"]
    );
    cli.ok(&["uda.where:lyon", "modify", "+packing"]);
    assert_eq!(
        titles(&cli.run(&["--json", "+packing", "list"]).success()),
        ["Plan move"]
    );
    let refused = cli.run(&["list", "uda.where:"]).failure(2);
    assert!(
        refused.stderr.contains("uda.where:VALUE"),
        "{}",
        refused.stderr
    );
}

#[test]
fn log_records_a_task_already_done_and_other_taskwarrior_commands_are_refused() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    let logged = cli.ok(&["log", "Called", "the", "bank", "+phone"]);
    assert!(logged.starts_with("Logged task "), "{logged}");
    let done = cli.run(&["--json", "completed"]).success().json();
    assert_eq!(done[0]["title"], "Called the bank");
    assert_eq!(done[0]["status"], "done");
    assert_eq!(done[0]["tags"], serde_json::json!(["phone"]));
    assert!(done[0]["completed_at"].is_string(), "{done}");
    assert_eq!(
        cli.run(&["--json", "list"]).success().json(),
        serde_json::json!([])
    );
    // Never a search that finds nothing and succeeds.
    for command in [
        "summary",
        "calendar",
        "context",
        "config",
        "udas",
        "columns",
        "diagnostics",
        "reports",
        "_get",
    ] {
        let refused = cli.run(&[command]).failure(2);
        assert!(
            refused.stderr.contains("not supported yet"),
            "{command}: {refused:?}"
        );
        let refused = cli.run(&["+phone", command]).failure(2);
        assert!(refused.stderr.contains(command), "{command}: {refused:?}");
    }
    // Shortened as Taskwarrior takes them, alone on the line; elsewhere such
    // a word is searched for.
    for (short, named) in [("diag", "diagnostics"), ("calen", "calendar")] {
        let refused = cli.run(&[short]).failure(2);
        assert!(
            refused
                .stderr
                .contains(&format!("Taskwarrior's {named} is not supported yet")),
            "{short}: {refused:?}"
        );
    }
    cli.ok(&["diag", "list"]);
    cli.ok(&["_complete", "commands"]);
    // The word itself can still be searched for.
    cli.ok(&["add", "Count the chairs"]);
    assert_eq!(
        titles(&cli.run(&["--json", "list", "--", "count"]).success()),
        ["Count the chairs"]
    );
}

#[test]
fn shortened_commands_run_and_taskwarriors_operators_are_refused() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    cli.add(&["Buy milk", "+errands"]);
    cli.add(&["Fix fence", "+outdoor"]);
    // As in Taskwarrior: a start no other command shares is the command.
    assert_eq!(
        titles(&cli.run(&["--json", "li"]).success()),
        ["Buy milk", "Fix fence"]
    );
    cli.ok(&["1", "mod", "pri:H"]);
    assert!(cli.ok(&["1", "inf"]).contains("Priority    high"));
    // Taskwarrior's `size:L` for an attribute is refused, naming ours,
    // where it would have replaced the title.
    let attribute = cli.run(&["1", "modify", "size:L"]).failure(2);
    assert!(attribute.stderr.contains("uda.size:L"), "{attribute:?}");
    assert!(cli.ok(&["1", "inf"]).contains("Buy milk"));
    cli.ok(&["1", "modify", "uda.size:L"]);
    assert!(cli.ok(&["1", "inf"]).contains("uda.size"));
    // A start several share is a search word, as there.
    assert_eq!(cli.ok(&["re"]), "No matching tasks.\n");
    // Operators would be searched for and find nothing: refused instead.
    for words in [
        &["+errands", "or", "+outdoor", "list"][..],
        &["+errands", "and", "pri:H", "list"],
        &["(", "+errands", ")", "list"],
        &["1-", "list"],
        &["/^Fix/", "list"],
    ] {
        let refused = cli.run(words).failure(2);
        assert!(refused.stdout.is_empty(), "{words:?}: {refused:?}");
        assert!(!refused.stderr.is_empty(), "{words:?}: {refused:?}");
    }
    assert_eq!(
        titles(&cli.run(&["--json", "/fence/", "list"]).success()),
        ["Fix fence"]
    );
    let after_names = cli.run(&["1", "frobnicate"]).failure(2);
    assert!(
        after_names.stderr.contains("edit") && after_names.stderr.contains("export"),
        "{after_names:?}"
    );
}

#[test]
fn many_names_before_a_report_take_one_request_and_count_each_task_once() {
    let server = TestServer::start();
    let relay = crate::helpers::CountingRelay::start(&server.url, "GET /api/tasks/?");
    let cli = Cli::at(&relay.url);
    cli.register("many");
    cli.login("many");
    cli.ok(&["add", "First", "project:home"]);
    cli.ok(&["add", "Second", "project:home"]);
    cli.ok(&["add", "Third", "project:work"]);
    let before = relay.count();
    assert_eq!(
        titles(&cli.run(&["--json", "1-5000", "list"]).success()),
        ["First", "Second", "Third"]
    );
    assert_eq!(relay.count() - before, 1, "one request, not one a name");
    // A task named twice (by number and by uuid) is counted once.
    let listed = cli.run(&["--json", "list"]).success().json();
    let uuid = common::display::uuid_name(listed[0]["uuid"].as_str().unwrap());
    let projects = cli
        .run(&["--json", "1", &uuid, "3", "projects"])
        .success()
        .json();
    assert_eq!(
        projects,
        serde_json::json!([{"name": "home", "count": 1}, {"name": "work", "count": 1}])
    );
}

/// A value quoted inside the shell's quotes (`'pro:"my proj"'`) loses
/// those quotes too, as in Taskwarrior; so does one in a filter.
#[test]
fn a_quoted_value_inside_the_shells_quotes_is_unquoted() {
    let (_server, cli) = seeded();
    cli.ok(&["add", "Plan", "trip", r#"pro:"my trip""#, "due:'tomorrow'"]);
    assert_eq!(field(&cli, "Plan trip", "project"), "my trip");
    assert!(field(&cli, "Plan trip", "due").is_string());
    let run = cli.run(&["--json", "list", "pro:'my trip'"]).success();
    assert_eq!(titles(&run), ["Plan trip"]);
}
