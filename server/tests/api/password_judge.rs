//! New passwords judged by a child process, `taskd judge-password`, so that
//! the daemon never holds zxcvbn's dictionaries.

use std::{
    io::Write,
    path::Path,
    process::{Command, Stdio},
};

use reqwest::StatusCode;
use serde_json::{json, Value};
use taskd::auth::judge::{self, JudgeError};

use crate::{
    daemon::{Daemon, TASKD},
    helpers::PASSWORD,
};

const FELL_BACK: &str = "judging new passwords in the daemon's own process";

#[tokio::test]
async fn the_daemon_refuses_guessable_passwords_through_its_judge() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("db.sqlite3");
    let daemon = Daemon::start(&["--database", database.to_str().unwrap()], &[]);

    let refused = daemon.register("alice", "letmein123").await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let body: Value = refused.json().await.unwrap();
    let message = body["errors"]["password"][0].as_str().unwrap();
    assert!(
        message.starts_with("This password is too easy to guess"),
        "{body}"
    );

    // The account's own name counts as a guess in the child too.
    let own_name = daemon.register("zorblaxquintet", "zorblaxquintet1").await;
    assert_eq!(own_name.status(), StatusCode::BAD_REQUEST);

    let token = daemon.signup("alice").await;
    let change = daemon
        .post(
            "/api/me/password/",
            Some(&token),
            json!({"current_password": PASSWORD, "new_password": "iloveyou2"}),
        )
        .await;
    assert_eq!(change.status(), StatusCode::BAD_REQUEST);
    let change = daemon
        .post(
            "/api/me/password/",
            Some(&token),
            json!({"current_password": PASSWORD, "new_password": "quartz meadow lantern"}),
        )
        .await;
    assert_eq!(change.status(), StatusCode::NO_CONTENT);

    let logs = daemon.logs.lock().unwrap().join("\n");
    assert!(!logs.contains(FELL_BACK), "{logs}");
}

#[test]
fn the_judge_answers_for_the_account() {
    let binary = Path::new(TASKD);
    let weak = judge::ask(binary, "password1", "alice").unwrap();
    assert!(
        weak.as_deref()
            .is_some_and(|message| message.starts_with("This password is too easy to guess")),
        "{weak:?}"
    );
    assert_eq!(
        judge::ask(binary, "zorblaxquintet1", "alice").unwrap(),
        None
    );
    assert!(judge::ask(binary, "zorblaxquintet1", "zorblaxquintet")
        .unwrap()
        .is_some());
    // Whatever the characters, they arrive as they were sent.
    assert_eq!(
        judge::ask(binary, "\"ünïcødé\"\n\\ 🦀 zorblax", "alice").unwrap(),
        None
    );
}

/// A stand-in for the judge: a shell script that reads the question, then
/// runs `then`.
fn stand_in(dir: &Path, name: &str, then: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\ncat >/dev/null\n{then}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    // A child another test forks while the script is being written holds
    // it open until that child's exec, and running it meanwhile fails
    // ("text file busy"). Once it has run, nothing holds it.
    for _ in 0..100 {
        match Command::new(&path).stdin(Stdio::null()).output() {
            Err(err) if err.raw_os_error() == Some(26) => {
                std::thread::sleep(std::time::Duration::from_millis(10))
            }
            ran => {
                ran.unwrap();
                break;
            }
        }
    }
    path
}

#[test]
fn a_judge_that_cannot_answer_is_an_error_not_a_verdict() {
    assert!(matches!(
        judge::ask(Path::new("/nonexistent/taskd"), "password1", "alice"),
        Err(JudgeError::Start(..))
    ));
    let dir = tempfile::tempdir().unwrap();
    let failing = stand_in(dir.path(), "failing", "exit 3");
    assert!(matches!(
        judge::ask(&failing, "password1", "alice"),
        Err(JudgeError::Failed(_))
    ));
    let talking = stand_in(dir.path(), "talking", "echo not a judgement");
    assert!(matches!(
        judge::ask(&talking, "password1", "alice"),
        Err(JudgeError::Json(_))
    ));
}

#[test]
fn judge_password_refuses_a_malformed_question() {
    let mut child = Command::new(TASKD)
        .arg("judge-password")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"password\": 12}")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("taskd: "));
}
