//! The real Taskwarrior (`/usr/bin/task`, Debian's `taskwarrior`), run with
//! its own rc file and data in a directory, asking nothing.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

pub const TASKWARRIOR: &str = "/usr/bin/task";

/// The user-defined attributes the tests' tasks carry, declared as a
/// Taskwarrior user would.
const TASKRC: &str = "uda.estimate.type=numeric\nuda.size.type=string\n\
    uda.reviewed.type=date\nuda.effort.type=duration\n";

/// Runs Taskwarrior on the database in `dir`; its stdout.
pub fn taskwarrior(dir: &Path, args: &[&str], stdin_file: Option<&Path>) -> String {
    let rc = dir.join("taskrc");
    if !rc.exists() {
        std::fs::write(&rc, TASKRC).expect("write taskrc");
    }
    let mut command = Command::new(TASKWARRIOR);
    command
        .env_clear()
        .env("TASKRC", &rc)
        .env("HOME", dir)
        .arg(format!("rc.data.location={}", dir.join("data").display()))
        .args(["rc.confirmation=off", "rc.hooks=off", "rc.verbose=nothing"])
        .args(args);
    if let Some(file) = stdin_file {
        command.stdin(std::fs::File::open(file).expect("open export"));
    }
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{TASKWARRIOR} runs ({e}): apt-get install taskwarrior"));
    assert!(
        out.status.success(),
        "taskwarrior {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Taskwarrior's `task export` of the database in `dir`.
pub fn export(dir: &Path) -> Vec<Value> {
    let text = taskwarrior(dir, &["export"], None);
    match serde_json::from_str(&text) {
        Ok(Value::Array(tasks)) => tasks,
        other => panic!("Taskwarrior's export is not an array: {other:?}"),
    }
}
