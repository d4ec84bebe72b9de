//! `task completions SHELL` produce scripts the shells accept.

use std::process::Command;

use crate::helpers::{Cli, TestServer};

fn have(shell: &str) -> bool {
    Command::new(shell)
        .arg("-c")
        .arg("exit 0")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn completion_scripts_work() {
    let server = TestServer::start();
    let cli = Cli::new(&server);
    let dir = tempfile::tempdir().expect("temp dir");
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef task"),
        ("fish", "complete -c task"),
    ] {
        let script = cli.ok(&["completions", shell]);
        assert!(script.contains(marker), "{shell}: {script}");
        for command in [
            "register",
            "login",
            "add",
            "list",
            "done",
            "modify",
            "delete",
            "completions",
        ] {
            assert!(script.contains(command), "{shell} misses {command}");
        }
        let path = dir.path().join(format!("task.{shell}"));
        std::fs::write(&path, &script).expect("write");
        if !have(shell) {
            eprintln!("{shell} is not installed: only the script's content was checked");
            continue;
        }
        // The shell parses it, and (bash) it registers a completion for `task`.
        let check = match shell {
            "bash" => format!("source {} && complete -p task", path.display()),
            "zsh" => format!(
                "autoload -U compinit && compinit -u && source {} && echo ok",
                path.display()
            ),
            _ => format!("source {} && complete -C 'task reg'", path.display()),
        };
        let out = Command::new(shell)
            .arg("-c")
            .arg(&check)
            .output()
            .expect("shell runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{shell}: {stdout} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if shell == "fish" {
            assert!(
                stdout.contains("register"),
                "fish completes `task reg`: {stdout}"
            );
        }
    }
    cli.run(&["completions", "tcsh"]).failure(2);
}
