//! Taskwarrior's reports, each a filter and an order of its own that the
//! words given narrow; `task` alone is `next`.

use crate::helpers::{Cli, TestServer};

fn seeded() -> (TestServer, Cli) {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    cli.add(&["Home", "+home", "pri:H"]);
    cli.add(&["Urgent", "+next", "pri:H"]);
    // Waiting by the server's clock too (the CLI's is pinned to March 2026).
    cli.add(&["Later", "+home", "wait:2099-04-01"]);
    cli.add(&["Overdue", "due:2026-03-01"]);
    cli.add(&["Blocked", "dep:1"]);
    cli.add(&["Finished"]);
    cli.ok(&["6", "done"]);
    cli.ok(&["1", "start"]);
    (server, cli)
}

fn titles(cli: &Cli, args: &[&str]) -> Vec<String> {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    cli.run(&all)
        .success()
        .json()
        .as_array()
        .unwrap_or_else(|| panic!("{args:?}: not an array"))
        .iter()
        .map(|t| t["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn every_report_selects_and_orders_its_tasks() {
    let (_server, cli) = seeded();
    // `next`: pending, not waiting, most urgent first; what `task` alone runs.
    let next = titles(&cli, &["next"]);
    assert_eq!(next[0], "Urgent", "{next:?}");
    assert_eq!(next.len(), 4, "{next:?}");
    assert!(!next.contains(&"Later".to_string()));
    assert_eq!(titles(&cli, &[]), next);
    assert_eq!(cli.ok(&[]), cli.ok(&["next"]));

    assert_eq!(
        titles(&cli, &["list"]),
        ["Home", "Urgent", "Overdue", "Blocked"]
    );
    assert_eq!(titles(&cli, &["all"]).len(), 6);
    assert_eq!(titles(&cli, &["completed"]), ["Finished"]);
    // When each was completed, and no status column where all are done.
    let header = cli
        .ok(&["completed"])
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(header.contains("Completed"), "{header}");
    assert!(!header.contains("Status"), "{header}");
    let header = cli
        .ok(&["all"])
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(
        header.contains("Completed") && header.contains("Status"),
        "{header}"
    );
    assert_eq!(titles(&cli, &["waiting"]), ["Later"]);
    assert_eq!(titles(&cli, &["active"]), ["Home"]);
    assert_eq!(titles(&cli, &["blocked"]), ["Blocked"]);
    assert_eq!(titles(&cli, &["overdue"]), ["Overdue"]);
    let ready = titles(&cli, &["ready"]);
    assert_eq!(ready[0], "Urgent");
    assert_eq!(ready.len(), 3, "{ready:?}");

    // Words narrow a report, in either order.
    assert_eq!(titles(&cli, &["next", "+home"]), ["Home"]);
    assert_eq!(titles(&cli, &["+home", "next"]), ["Home"]);
    assert_eq!(titles(&cli, &["+home", "all"]), ["Home", "Later"]);
    assert_eq!(titles(&cli, &["waiting", "-home"]), Vec::<String>::new());
    // A sort given wins over the report's own.
    assert_eq!(
        titles(&cli, &["next", "--sort", "title"]),
        ["Blocked", "Home", "Overdue", "Urgent"]
    );
}

#[test]
fn a_report_shows_when_tasks_were_started_until_when_they_wait_and_their_urgency() {
    let (_server, cli) = seeded();
    let header = |args: &[&str]| cli.ok(args).lines().next().unwrap_or_default().to_string();
    let active = header(&["active"]);
    assert!(active.contains("Active"), "{active}");
    let waiting = header(&["waiting"]);
    assert!(waiting.contains("Wait"), "{waiting}");
    assert!(!waiting.contains("Active"), "{waiting}");
    // A column only when some task has a value for it.
    let overdue = header(&["overdue"]);
    assert!(
        !overdue.contains("Active") && !overdue.contains("Wait"),
        "{overdue}"
    );
    // The reports ordered by urgency show it, as Taskwarrior's next does.
    for report in ["next", "ready"] {
        assert!(header(&[report]).contains("Urg"), "{report}");
    }
    assert!(!header(&["list"]).contains("Urg"));
    let next = cli.ok(&["next"]);
    let first = next.lines().nth(1).unwrap_or_default();
    assert!(first.contains("Urgent") && first.contains('.'), "{next}");
}

#[test]
fn next_fits_the_terminal() {
    let (_server, mut cli) = seeded();
    // Six lines: the header, two tasks, the blank line, the count, the prompt.
    cli.extra_env.push(("LINES".into(), "6".into()));
    let out = cli.ok(&[]);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), 5, "{out}");
    assert!(rows[1].contains("Urgent"), "{out}");
    assert!(
        out.ends_with("\n2 of 4 tasks (task list shows them all)\n"),
        "{out}"
    );
    // `list` is never cut.
    assert!(cli.ok(&["list"]).ends_with("\n4 tasks\n"));
}

#[test]
fn projects_and_tags_are_summed_up_with_counts() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    cli.add(&["Rake", "project:home.garden", "+outside"]);
    cli.add(&["Dishes", "project:home", "+inside", "+daily"]);
    cli.add(&["Report", "project:work", "+daily"]);
    cli.add(&["Old", "project:attic", "+inside"]);
    cli.ok(&["4", "done"]);
    cli.add(&["Later", "project:home", "wait:2099-01-01"]);

    cli.add(&["Sweep"]);
    // Pending, waiting ones too, as Taskwarrior counts them: the done task
    // is not counted. A sub-project's tasks count in its parent too, as in
    // Taskwarrior, and tasks without a project are `(none)`.
    assert_eq!(
        cli.ok(&["projects"]),
        "Project  Tasks\n(none)       1\nhome         3\n  garden     1\nwork         1\n\n3 projects (5 tasks)\n"
    );
    assert_eq!(
        cli.run(&["--json", "projects", "-WAITING", "project:home"])
            .success()
            .json(),
        serde_json::json!([{"name": "home", "count": 1}, {"name": "home.garden", "count": 1}])
    );
    assert_eq!(
        cli.ok(&["tags"]),
        "Tag      Tasks\n+daily       2\n+inside      1\n+outside     1\n\n3 tags\n"
    );
    // Filter words narrow them, in either order; --json is the counts.
    let json = cli.run(&["--json", "+daily", "projects"]).success().json();
    assert_eq!(
        json,
        serde_json::json!([{"name": "home", "count": 1}, {"name": "work", "count": 1}])
    );
    let json = cli.run(&["--json", "tags", "status:all"]).success().json();
    assert_eq!(json[1], serde_json::json!({"name": "inside", "count": 2}));
    assert_eq!(cli.ok(&["tags", "+nothing"]), "No tags.\n");
}

#[test]
fn limit_shows_so_many_tasks_of_a_report_and_is_refused_by_commands() {
    let (_server, cli) = seeded();
    assert_eq!(titles(&cli, &["list", "limit:2"]), ["Home", "Urgent"]);
    let text = cli.ok(&["limit:2", "list"]);
    assert!(text.ends_with("\n2 of 4 tasks (limit:2)\n"), "{text}");
    assert_eq!(titles(&cli, &["next", "limit:1"]), ["Urgent"]);
    assert_eq!(
        titles(&cli, &["all", "limit:3", "--sort", "title"]),
        ["Blocked", "Finished", "Home"]
    );
    // Tasks named: the first of those.
    assert_eq!(
        titles(&cli, &["2-5", "limit:2", "list"]),
        ["Urgent", "Overdue"]
    );
    // A command acts on every task it matches: a limit there is refused,
    // and nothing changes.
    let refused = cli.run(&["+home", "limit:1", "done", "--yes"]).failure(2);
    assert!(
        refused
            .stderr
            .contains("task done acts on every task the filter matches"),
        "{refused:?}"
    );
    assert_eq!(titles(&cli, &["+home", "list"]), ["Home"]);
    let refused = cli.run(&["count", "limit:1"]).failure(2);
    assert!(
        refused
            .stderr
            .contains("this command answers for every task the filter matches"),
        "{refused:?}"
    );
    let wrong = cli.run(&["list", "limit:none"]).failure(2);
    assert!(wrong.stderr.contains("limit:page"), "{wrong:?}");
}
