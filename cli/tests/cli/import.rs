//! `task import`: a Taskwarrior database brought in and taken back out
//! again, checked with the real Taskwarrior; the same file twice; a
//! malformed file; the progress bar on a terminal and never on a pipe.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{json, Map, Value};

use crate::helpers::{Cli, TestServer};
use crate::taskwarrior::{export, taskwarrior};

fn uuid(n: usize) -> String {
    format!("{n:08x}-7a1e-4c0d-9b5e-{n:012x}")
}

/// Taskwarrior's date form, `n` minutes after 2026-11-01 09:00 UTC.
fn date(minutes: usize) -> String {
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-01T09:00:00Z").expect("date")
        + chrono::Duration::minutes(minutes as i64);
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// `count` tasks of every kind Taskwarrior keeps: pending, waiting and
/// completed ones, dependency chains, annotations (two in one second),
/// projects, tags, priorities, every date, UDAs of each type, and text
/// with unicode, quotes and backslashes.
fn varied_tasks(count: usize) -> Vec<Value> {
    let mut tasks = Vec::with_capacity(count);
    for n in 1..=count {
        let mut task = Map::new();
        let mut put = |key: &str, value: Value| {
            task.insert(key.to_string(), value);
        };
        put("uuid", json!(uuid(n)));
        let description = match n % 5 {
            0 => format!("Café ✓ 日本語 №{n}"),
            1 => format!("Say \"hello\" to {n}"),
            2 => format!("Back\\slash C:\\path\\{n}"),
            3 => format!("It's {n} o'clock — ünïcødé"),
            _ => format!("Plain task {n}"),
        };
        put("description", json!(description));
        put("entry", json!(date(n)));
        put("modified", json!(date(n + 60)));
        match n % 10 {
            0 => {
                put("status", json!("completed"));
                put("end", json!(date(n + 120)));
            }
            1 => {
                put("status", json!("waiting"));
                put("wait", json!("20991231T000000Z"));
            }
            _ => put("status", json!("pending")),
        }
        match n % 3 {
            0 => put("project", json!("home")),
            1 => put("project", json!("work.reports")),
            _ => {}
        }
        match n % 4 {
            0 => put("tags", json!(["next"])),
            1 => put("tags", json!(["a", "b"])),
            2 => put("tags", json!(["ünï"])),
            _ => {}
        }
        match n % 4 {
            0 => put("priority", json!("H")),
            1 => put("priority", json!("M")),
            2 => put("priority", json!("L")),
            _ => {}
        }
        if n % 3 == 0 {
            put("due", json!(date(n + 10_000)));
        }
        if n % 7 == 0 {
            put("scheduled", json!(date(n + 5_000)));
        }
        if n % 11 == 0 {
            put("until", json!("20991130T120000Z"));
        }
        if n % 10 == 2 {
            put("start", json!(date(n + 30)));
        }
        if n % 5 == 0 {
            put(
                "annotations",
                json!([
                    {"entry": date(n + 1), "description": format!("first note of {n}")},
                    {"entry": date(n + 1), "description": "same second, \"quoted\" \\ too"}
                ]),
            );
        }
        // Chains of six: each task waits for the one before.
        if n % 6 != 1 && n > 1 {
            put("depends", json!([uuid(n - 1)]));
        }
        if n % 2 == 0 {
            put("estimate", json!(n as f64 / 4.0));
        }
        if n % 3 == 1 {
            put("size", json!(["S", "M", "L"][n % 3]));
        }
        if n % 8 == 0 {
            put("reviewed", json!(date(n + 200)));
            put("effort", json!("PT2H"));
        }
        tasks.push(Value::Object(task));
    }
    tasks
}

/// A Taskwarrior database in `dir` holding `count` varied tasks, a
/// recurring task with its instance, and a deleted task.
fn taskwarrior_database(dir: &Path, count: usize) {
    let file = dir.join("tasks.json");
    std::fs::write(&file, Value::Array(varied_tasks(count)).to_string()).expect("write tasks");
    taskwarrior(dir, &["import", &file.display().to_string()], None);
    taskwarrior(
        dir,
        &[
            "add",
            "Water the plants",
            "recur:weekly",
            "due:20261207T090000Z",
        ],
        None,
    );
    // A report makes Taskwarrior create the recurring task's instance.
    taskwarrior(dir, &["list"], None);
    taskwarrior(dir, &["add", "Gone soon"], None);
    taskwarrior(dir, &["description:Gone soon", "delete"], None);
}

/// Attributes a recurring task's instance carries, which come in as a
/// plain task without them.
const RECURRENCE: &[&str] = &["recur", "parent", "imask", "mask", "rtype"];

#[test]
fn a_taskwarrior_database_comes_in_and_goes_back_whole() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    let theirs = tempfile::tempdir().expect("temp dir");
    taskwarrior_database(theirs.path(), 220);
    let before = export(theirs.path());
    let file = theirs.path().join("export.json");
    std::fs::write(&file, Value::Array(before.clone()).to_string()).expect("write export");

    let summary = cli
        .run(&["--json", "import", &file.display().to_string()])
        .success()
        .json();
    let status = |t: &Value| t["status"].as_str().unwrap_or_default().to_string();
    let kept: Vec<&Value> = before
        .iter()
        .filter(|t| !matches!(status(t).as_str(), "deleted" | "recurring"))
        .collect();
    assert_eq!(summary["added"], kept.len(), "{summary}");
    assert!(
        kept.len() > 220,
        "the 220 imported tasks, the recurring task's instance"
    );
    for kind in ["deleted", "recurring", "completed", "pending"] {
        assert!(before.iter().any(|t| status(t) == kind), "a {kind} task");
    }
    for attribute in [
        "wait",
        "start",
        "depends",
        "annotations",
        "parent",
        "estimate",
    ] {
        assert!(
            before.iter().any(|t| t.get(attribute).is_some()),
            "{attribute}"
        );
    }
    let skipped = summary["skipped"].as_array().expect("skipped");
    let notes = summary["notes"].as_array().expect("notes");
    let reason_of = |task: &Value| -> Vec<String> {
        skipped
            .iter()
            .chain(notes)
            .filter(|s| s["uuid"] == task["uuid"])
            .map(|s| s["reason"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    for task in &before {
        let reasons = reason_of(task);
        match status(task).as_str() {
            "deleted" => assert_eq!(reasons, ["deleted"]),
            "recurring" => assert_eq!(reasons, ["recurrence is not supported yet"]),
            _ if task.get("parent").is_some() => {
                assert!(reasons[0].contains("plain task"), "{reasons:?}")
            }
            _ => assert!(reasons.is_empty(), "{reasons:?} for {task}"),
        }
    }
    // Skipped counts the tasks left out only, never one that came in.
    for skip in skipped {
        let reason = skip["reason"].as_str().unwrap_or_default();
        assert!(
            reason == "deleted" || reason == "recurrence is not supported yet",
            "{skip}"
        );
    }

    let ours = cli.run(&["export"]).success().json();
    let back_dir = tempfile::tempdir().expect("temp dir");
    let ours_file = back_dir.path().join("ours.json");
    std::fs::write(&ours_file, ours.to_string()).expect("write ours");
    taskwarrior(
        back_dir.path(),
        &["import", &ours_file.display().to_string()],
        None,
    );
    let after = export(back_dir.path());
    assert_eq!(after.len(), kept.len());

    for old in kept {
        let uuid = old["uuid"].as_str().expect("uuid");
        let new = after
            .iter()
            .find(|t| t["uuid"] == uuid)
            .unwrap_or_else(|| panic!("{uuid} did not come back"));
        let keys: BTreeSet<&String> = old
            .as_object()
            .into_iter()
            .chain(new.as_object())
            .flat_map(|o| o.keys())
            .collect();
        for key in keys {
            if ["id", "urgency"].contains(&key.as_str()) || RECURRENCE.contains(&key.as_str()) {
                continue;
            }
            assert_eq!(new.get(key), old.get(key), "{key} of {old}");
        }
    }
}

/// `count` small tasks as Taskwarrior writes them.
fn plain_file(dir: &Path, count: usize) -> std::path::PathBuf {
    let tasks: Vec<Value> = (1..=count)
        .map(|n| {
            json!({"uuid": uuid(n), "description": format!("Task {n}"), "status": "pending",
                        "entry": date(n)})
        })
        .collect();
    let file = dir.join("plain.json");
    std::fs::write(&file, Value::Array(tasks).to_string()).expect("write file");
    file
}

#[test]
fn importing_twice_changes_nothing_and_a_bad_file_imports_nothing() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = plain_file(dir.path(), 30);
    let path = file.display().to_string();

    let first = cli.run(&["import", &path]).success();
    assert_eq!(
        first.stdout,
        "Imported: 30 added, 0 updated, 0 unchanged, 0 skipped.\n"
    );
    assert!(first.stderr.is_empty(), "no bar on a pipe: {first:?}");
    let listed = cli.run(&["--json", "list"]).success().json();
    let versions: Vec<Value> = listed
        .as_array()
        .expect("list")
        .iter()
        .map(|t| t["version"].clone())
        .collect();
    let again = cli.run(&["--json", "import", &path]).success().json();
    assert_eq!(
        again,
        json!({"added": 0, "updated": 0, "unchanged": 30, "skipped": [], "notes": []})
    );
    let listed = cli.run(&["--json", "list"]).success().json();
    let unchanged: Vec<Value> = listed
        .as_array()
        .expect("list")
        .iter()
        .map(|t| t["version"].clone())
        .collect();
    assert_eq!(versions, unchanged);

    // Standard input, one object per line.
    let lines = "{\"description\": \"From a pipe\"}\n{\"description\": \"And another\"}\n";
    let piped = cli.run_with_stdin(&["import", "-"], lines).success();
    assert!(piped.stdout.starts_with("Imported: 2 added"), "{piped:?}");

    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        "{\"description\": \"a\"}\n{\"description\": \"b\"}\n{\"description\": nope}\n",
    )
    .expect("write");
    let refused = cli.run(&["import", &bad.display().to_string()]).failure(1);
    assert!(refused.stderr.contains("line 3, column"), "{refused:?}");
    let missing = cli.run(&["import", "/no/such/file.json"]).failure(1);
    assert!(
        missing.stderr.contains("cannot read /no/such/file.json"),
        "{missing:?}"
    );
    // An empty file (an export that failed, most likely) is said to be.
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, "\n").expect("write");
    let refused = cli
        .run(&["import", &empty.display().to_string()])
        .failure(1);
    assert!(
        refused
            .stderr
            .contains("empty.json is empty: nothing to import"),
        "{refused:?}"
    );
    let refused = cli.run_with_stdin(&["import", "-"], "").failure(1);
    assert!(
        refused.stderr.contains("standard input is empty"),
        "{refused:?}"
    );
    let count = cli.run(&["--json", "all"]).success().json();
    assert_eq!(
        count.as_array().map(Vec::len),
        Some(32),
        "nothing of the bad file"
    );
}

#[test]
fn a_terminal_shows_the_import_going_on() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    let dir = tempfile::tempdir().expect("temp dir");
    // Enough tasks that the server works for a while.
    let file = plain_file(dir.path(), 20_000);
    let tty = cli.on_tty(&["import", &file.display().to_string()]);
    tty.expect("Imported: 20000 added");
    let (code, screen) = tty.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains("taskd is importing the tasks") || screen.contains("sending"),
        "a bar or a spinner on the terminal: {screen:?}"
    );
}

/// What was left out is named by uuid and title, one line each.
#[test]
fn what_was_left_out_is_named_by_its_title_too() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("tasks.json");
    std::fs::write(
        &file,
        r#"[{"uuid":"0d9e8a3c-5f4b-4c1e-9a2b-0000000000de","description":"Old \"one\"","status":"deleted"},
            {"uuid":"0d9e8a3c-5f4b-4c1e-9a2b-0000000000df","description":"Kept","until":"20200101T000000Z"}]"#,
    )
    .expect("write file");
    let out = cli.ok(&["import", &file.display().to_string()]);
    assert!(
        out.contains("  skipped 0d9e8a3c-5f4b-4c1e-9a2b-0000000000de \"Old \"one\"\": deleted\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "  imported 0d9e8a3c-5f4b-4c1e-9a2b-0000000000df \"Kept\": its until date has passed"
        ),
        "{out}"
    );
}

/// A command on more tasks than a page holds (an imported account's
/// thousands) is still one request and one undo step.
#[test]
fn a_command_on_thousands_of_tasks_is_one_step() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = plain_file(dir.path(), 1500);
    cli.run(&["import", &file.display().to_string()]).success();
    let done = cli.run(&["Task", "done", "--yes"]).success();
    assert!(done.stdout.contains("1500"), "{done:?}");
    let left = cli.run(&["--json", "list"]).success().json();
    assert_eq!(left.as_array().map(Vec::len), Some(0));
    cli.run(&["undo", "--yes"]).success();
    let back = cli.run(&["--json", "list"]).success();
    let back = back.json();
    assert_eq!(back.as_array().map(Vec::len), Some(1500));
}
