//! `task [FILTER] export` writes what Taskwarrior's own `task import` reads:
//! checked with the real Taskwarrior (`/usr/bin/task`, Debian's
//! `taskwarrior`), importing our export and exporting it again.

use serde_json::Value;

use crate::helpers::{Cli, TestServer};
use crate::taskwarrior::taskwarrior;

#[test]
fn taskwarrior_imports_what_task_export_writes() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    cli.add(&[
        "Walk",
        "the",
        "dog",
        "+out",
        "project:home",
        "pri:H",
        "due:2026-03-10",
        "uda.size:L",
    ]);
    cli.add(&["Rest", "dep:1", "wait:2099-01-01"]);
    cli.ok(&["2", "annotate", "after", "lunch"]);
    cli.add(&["Done", "already"]);
    cli.ok(&["3", "done"]);

    // Filter first, as Taskwarrior: only the matching task.
    let only = cli.run(&["+out", "export"]).success().json();
    assert_eq!(only.as_array().map(Vec::len), Some(1));
    let ours = cli.run(&["export"]).success().json();
    assert_eq!(ours.as_array().map(Vec::len), Some(3), "done tasks too");

    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("export.json");
    std::fs::write(&file, serde_json::to_string(&ours).expect("json")).expect("write");
    taskwarrior(dir.path(), &["import", &file.display().to_string()], None);
    let theirs: Value =
        serde_json::from_str(&taskwarrior(dir.path(), &["export"], None)).expect("their JSON");
    let theirs = theirs.as_array().expect("an array");
    assert_eq!(theirs.len(), 3, "{theirs:?}");
    for ours in ours.as_array().expect("an array") {
        let uuid = ours["uuid"].as_str().expect("uuid");
        let back = theirs
            .iter()
            .find(|t| t["uuid"] == uuid)
            .unwrap_or_else(|| panic!("{uuid} was not imported"));
        for key in [
            "description",
            "project",
            "priority",
            "tags",
            "due",
            "wait",
            "end",
            "entry",
            "depends",
            "size",
        ] {
            assert_eq!(back.get(key), ours.get(key), "{key} of {uuid}");
        }
        // Taskwarrior calls a pending task with a wait date "waiting".
        let status = back["status"].as_str().unwrap_or_default();
        match ours["status"].as_str() {
            Some("completed") => assert_eq!(status, "completed"),
            _ => assert!(status == "pending" || status == "waiting", "{status}"),
        }
        let notes = |t: &Value| -> Vec<Value> {
            t["annotations"]
                .as_array()
                .map(|a| a.iter().map(|n| n["description"].clone()).collect())
                .unwrap_or_default()
        };
        assert_eq!(notes(back), notes(ours), "annotations of {uuid}");
    }
}
