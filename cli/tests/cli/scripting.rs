//! Taskwarrior's commands for scripts (`count`, `ids`, `uuids`, `_ids`,
//! `_uuids`, `_projects`, `_tags`) and its `append` and `prepend`.

use serde_json::Value;

use crate::helpers::{Cli, TestServer};

fn seeded() -> (TestServer, Cli) {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    cli.add(&["Rake", "project:home.garden", "+outside"]);
    cli.add(&["Dishes", "project:home", "+inside"]);
    cli.add(&["Report", "project:work"]);
    cli.add(&["Old", "+inside"]);
    cli.add(&["Sweep", "+inside"]);
    cli.add(&["Later", "wait:2099-01-01"]);
    cli.ok(&["4", "done"]);
    (server, cli)
}

fn uuids(cli: &Cli, args: &[&str]) -> Vec<String> {
    let mut all = vec!["--json", "list"];
    all.extend_from_slice(args);
    cli.run(&all)
        .success()
        .json()
        .as_array()
        .map(|tasks| {
            tasks
                .iter()
                .map(|t| t["uuid"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn count_ids_and_uuids_answer_for_a_filter_as_taskwarrior_does() {
    let (_server, cli) = seeded();
    // Done and waiting tasks are counted unless a status is named.
    assert_eq!(cli.ok(&["count"]), "6\n");
    assert_eq!(cli.ok(&["status:pending", "count"]), "5\n");
    assert_eq!(cli.ok(&["+inside", "count"]), "3\n");
    assert_eq!(cli.ok(&["count", "+inside", "status:done"]), "1\n");
    assert_eq!(cli.ok(&["1,3", "count"]), "2\n");
    assert_eq!(cli.ok(&["+nothing", "count"]), "0\n");
    assert_eq!(cli.run(&["--json", "count"]).success().json(), 6);
    // Numbers are pending tasks' (waiting ones' too), runs as ranges.
    assert_eq!(cli.ok(&["ids"]), "1-3 5-6\n");
    assert_eq!(cli.ok(&["+inside", "ids"]), "2 5\n");
    assert_eq!(cli.ok(&["_ids", "project:home"]), "1\n2\n");
    assert_eq!(cli.ok(&["+nothing", "ids"]), "\n");
    assert_eq!(
        cli.run(&["--json", "ids", "project:home"]).success().json(),
        serde_json::json!([1, 2])
    );
    // What `ids` prints names the same tasks to another command.
    let ids = cli.ok(&["+inside", "ids"]);
    let mut again: Vec<&str> = ids.split_whitespace().collect();
    again.push("count");
    assert_eq!(cli.ok(&again), "2\n");
    // Uuids: done tasks too, one line or one per line.
    let every = uuids(&cli, &["status:all"]);
    assert_eq!(every.len(), 6);
    let line = cli.ok(&["uuids"]);
    let mut listed: Vec<&str> = line.trim_end().split(' ').collect();
    let mut expected: Vec<&str> = every.iter().map(String::as_str).collect();
    listed.sort_unstable();
    expected.sort_unstable();
    assert_eq!(listed, expected, "{line}");
    let inside = cli.ok(&["_uuids", "+inside", "status:done"]);
    assert_eq!(inside, format!("{}\n", uuids(&cli, &["status:done"])[0]));
    let json: Value = cli.run(&["--json", "+outside", "uuids"]).success().json();
    assert_eq!(json, serde_json::json!(uuids(&cli, &["+outside"])));
}

#[test]
fn the_project_and_tag_helpers_print_names_alone() {
    let (_server, cli) = seeded();
    // Of the pending tasks that are not waiting, as `task projects`.
    assert_eq!(cli.ok(&["_projects"]), "home\nhome.garden\nwork\n");
    assert_eq!(cli.ok(&["_tags"]), "inside\noutside\n");
    assert_eq!(cli.ok(&["+outside", "_tags"]), "outside\n");
    assert_eq!(
        cli.run(&["--json", "_projects", "+inside"])
            .success()
            .json(),
        serde_json::json!(["home"])
    );
    // Whole names only: another helper's name is refused, saying which
    // there are.
    let other = cli.run(&["_pro"]).failure(2);
    assert!(other.stderr.contains("task _projects"), "{other:?}");
}

#[test]
fn append_and_prepend_put_words_beside_the_title_with_modifiers_too() {
    let (_server, cli) = seeded();
    assert_eq!(
        cli.ok(&["3", "append", "for", "Friday", "pri:H"]),
        "Appended to task 3 \"Report for Friday\".\n"
    );
    assert_eq!(
        cli.ok(&["prepend", "3", "Draft"]),
        "Prepended to task 3 \"Draft Report for Friday\".\n"
    );
    let task = cli.run(&["--json", "show", "3"]).success().json();
    assert_eq!(task[0]["priority"], "high");
    // Several tasks: each its own title, one step to undo.
    cli.ok(&["+inside", "append", "today", "--yes"]);
    let titles: Vec<String> = cli
        .run(&["--json", "+inside", "list"])
        .success()
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(titles, ["Dishes today", "Sweep today"]);
    cli.ok(&["undo", "--yes"]);
    assert_eq!(cli.ok(&["_ids", "+inside"]), "2\n5\n");
    let dishes = cli.run(&["--json", "show", "2"]).success().json();
    assert_eq!(dishes[0]["title"], "Dishes");
    // Nothing to add is a usage error, and nothing changes.
    let empty = cli.run(&["3", "append", "+tag"]).failure(2);
    assert!(
        empty.stderr.contains("nothing to append: give the words"),
        "{empty:?}"
    );
    let task = cli.run(&["--json", "show", "3"]).success().json();
    assert_eq!(task[0]["tags"], serde_json::json!([]));
}
