//! `task completions SHELL` produce scripts the shells accept, and that
//! complete commands, attributes, sort fields and the user's own projects
//! and tags (asked of the server through `task _complete`).

use std::path::Path;
use std::process::Command;

use crate::helpers::{task_bin, Cli, TestServer};

fn have(shell: &str) -> bool {
    Command::new(shell)
        .arg("-c")
        .arg("exit 0")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs `script` in `shell` with the user's environment and `task` first on
/// the PATH; its stdout.
fn in_shell(cli: &Cli, shell: &str, script: &str) -> String {
    let bin_dir = Path::new(task_bin()).parent().expect("the binary's dir");
    let mut env = cli.env();
    for (name, value) in env.iter_mut() {
        if name == "PATH" {
            *value = format!("{}:{value}", bin_dir.display());
        }
    }
    let out = Command::new(shell)
        .arg("-c")
        .arg(script)
        .env_clear()
        .envs(env)
        .output()
        .expect("shell runs");
    assert!(
        out.status.success(),
        "{shell}: {} {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn completion_scripts_work() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    cli.add(&["Dig", "project:garden", "+outside"]);
    let dir = tempfile::tempdir().expect("temp dir");
    for (shell, marker) in [
        ("bash", "complete -F _task task"),
        ("zsh", "#compdef task"),
        ("fish", "complete -c task"),
    ] {
        let script = cli.ok(&["completions", shell]);
        assert!(script.contains(marker), "{shell}: {script}");
        let path = dir.path().join(format!("task.{shell}"));
        std::fs::write(&path, &script).expect("write");
        assert!(
            have(shell),
            "{shell} is not installed (apt-get install {shell})"
        );
        let path = path.display();
        match shell {
            "bash" => {
                // What bash shows for a line typed so far.
                let complete = |line: &str| {
                    in_shell(
                        &cli,
                        "bash",
                        &format!(
                            "source {path} && COMP_LINE='{line}' COMP_POINT={} && _task && printf '%s\\n' \"${{COMPREPLY[@]}}\"",
                            line.len()
                        ),
                    )
                };
                assert!(complete("task reg").lines().any(|l| l == "register"));
                assert_eq!(complete("task project:ga"), "garden\n");
                assert_eq!(complete("task +out"), "+outside\n");
                assert!(complete("task list --sort ur")
                    .lines()
                    .any(|l| l == "urgency"));
                assert!(complete("task 1 modify pri:").contains("H\n"));
            }
            "zsh" => {
                in_shell(
                    &cli,
                    "zsh",
                    &format!("autoload -U compinit && compinit -u && source {path} && echo ok"),
                );
            }
            _ => {
                let complete = |line: &str| {
                    in_shell(
                        &cli,
                        "fish",
                        &format!("source {path}; complete -C '{line}'"),
                    )
                };
                assert!(complete("task reg").contains("register"));
                assert!(complete("task pro:").contains("pro:garden"));
                assert!(complete("task list +").contains("+outside"));
            }
        }
    }
    // The other shells get clap's script; an unknown one is a usage error.
    assert!(cli.ok(&["completions", "elvish"]).contains("task"));
    cli.run(&["completions", "tcsh"]).failure(2);
    // Completing never fails, even logged out.
    let stranger = Cli::new(&server);
    assert!(stranger.ok(&["_complete", "--", "+"]).contains("+ACTIVE"));
}
