//! What the end-to-end tests share: a tmux server of their own, the TUI's
//! command line, and a real `taskd` in the test process.
#![allow(dead_code)] // Each test binary uses its own share of these.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::api::{RegisterRequest, TaskQuery};
use common::client::ApiClient;

pub const BINARY: &str = env!("CARGO_BIN_EXE_task-tui");
pub const WAIT: Duration = Duration::from_secs(15);

/// A tmux server of our own (its own socket), killed on drop.
pub struct Tmux {
    socket: PathBuf,
}

impl Tmux {
    /// Runs `command` in a detached `width`×`height` session.
    pub fn start(dir: &Path, command: &str, width: u16, height: u16) -> Tmux {
        let tmux = Tmux {
            socket: dir.join("tmux.sock"),
        };
        let out = tmux.run(&[
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            command,
        ]);
        assert!(
            out.status.success(),
            "tmux new-session: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        tmux
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run tmux ({e}): install it (apt-get install tmux)"))
    }

    /// Named keys (`Enter`, `Tab`, `Space`, `Escape`, `C-u`).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success(), "send-keys {keys:?}");
    }

    /// Text typed as is.
    pub fn type_text(&self, text: &str) {
        assert!(
            self.run(&["send-keys", "-t", "e2e", "-l", text])
                .status
                .success(),
            "send-keys -l {text:?}"
        );
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }

    pub fn format(&self, format: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", "e2e", format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Waits until the screen shows `text`; the screen is the failure message.
    pub async fn wait_for(&self, text: &str) -> String {
        self.wait_until(text, |screen| screen.contains(text)).await
    }

    pub async fn wait_gone(&self, text: &str) -> String {
        self.wait_until(&format!("{text} to disappear"), |s| !s.contains(text))
            .await
    }

    pub async fn wait_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            if start.elapsed() > WAIT {
                panic!("waited {WAIT:?} for {what}; the screen:\n{screen}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// The TUI with its own config dir (its pid written beside it), then a report
/// of how the terminal was left once it exits: its exit status and the tty's
/// modes.
pub fn tui_command(config: &Path, server: &str) -> String {
    format!(
        "sh -c 'echo $$ > \"{pid}\"; exec env TASK_CONFIG_DIR=\"{config}\" \"{BINARY}\" --server {server}'; \
         echo \"exit=$?\"; stty -a; echo END-OF-RUN; sleep 600",
        pid = pid_file(config).display(),
        config = config.display(),
    )
}

pub fn pid_file(config: &Path) -> PathBuf {
    config.with_extension("pid")
}

pub async fn start_taskd(dir: &Path) -> taskd::Spawned {
    taskd::spawn(taskd::Config::for_tests(dir))
        .await
        .unwrap_or_else(|e| panic!("taskd: {e:#}"))
}

/// A logged-in API client for a new account.
pub async fn account(url: &str, username: &str, password: &str) -> ApiClient {
    let api = ApiClient::new(url).unwrap_or_else(|e| panic!("client: {e}"));
    api.register(&RegisterRequest {
        username: username.into(),
        password: password.into(),
        email: None,
    })
    .await
    .unwrap_or_else(|e| panic!("register: {e}"));
    api.login(username, password)
        .await
        .unwrap_or_else(|e| panic!("login: {e}"));
    api
}

pub async fn all_tasks(api: &ApiClient) -> Vec<common::api::Task> {
    let query = TaskQuery {
        status: Some(common::api::StatusFilter::All),
        ..TaskQuery::default()
    };
    api.list_all_tasks(&query)
        .await
        .unwrap_or_else(|e| panic!("list: {e}"))
}

/// After quitting, the terminal is back to normal: main screen, cooked mode
/// with echo, no mouse reporting, and the exit status 0.
pub async fn assert_restored(tmux: &Tmux) {
    let screen = tmux.wait_for("END-OF-RUN").await;
    assert!(screen.contains("exit=0"), "{screen}");
    let modes = screen
        .split_once("exit=0")
        .map(|(_, after)| after)
        .unwrap_or_default();
    let flags: Vec<&str> = modes.split_whitespace().collect();
    for flag in ["icanon", "echo", "isig", "icrnl", "opost"] {
        assert!(
            flags.contains(&flag) && !flags.contains(&format!("-{flag}").as_str()),
            "{flag} not restored:\n{screen}"
        );
    }
    assert_eq!(
        tmux.format("#{alternate_on}"),
        "0",
        "still on the alternate screen"
    );
    assert_eq!(
        tmux.format("#{mouse_any_flag}"),
        "0",
        "mouse reporting left on"
    );
}
