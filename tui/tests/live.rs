//! The TUI follows the server's change feed: under tmux, against a real
//! `taskd` in this process whose log is read to count the list requests the
//! TUI makes. One test in its own binary, so that no other test's requests
//! land in that log.
//!
//! Needs `tmux` on the PATH.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::api::NewTask;
use common::client::ApiClient;
use common::config::ConfigDir;

use support::{account, assert_restored, start_taskd, tui_command, Tmux};

/// The daemon's log lines, as they would go to its standard error.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Log {
    /// How many task list requests the daemon has answered.
    fn list_requests(&self) -> usize {
        let text =
            String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned();
        text.lines()
            .filter(|line| {
                line.contains("finished processing request")
                    && line.contains("method=GET")
                    && line.contains("path=/api/tasks")
                    && !line.contains("path=/api/tasks/")
            })
            .count()
    }
}

async fn create(api: &ApiClient, title: &str) {
    api.create_task(&NewTask {
        title: title.into(),
        ..NewTask::default()
    })
    .await
    .unwrap_or_else(|e| panic!("create: {e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_made_elsewhere_appear_at_once_with_no_polling_and_an_outage_is_survived() {
    let log = Log::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_env_filter("info")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let server = start_taskd(dir.path()).await;
    let url = server.url();
    let addr = server.addr;
    let api = account(&url, "live-user", "correct-horse-3").await;
    create(&api, "Shown at start").await;
    let config = dir.path().join("config");
    ApiClient::with_config(Some(&url), ConfigDir::at(&config))
        .unwrap_or_else(|e| panic!("client: {e}"))
        .login("live-user", "correct-horse-3")
        .await
        .unwrap_or_else(|e| panic!("login: {e}"));

    let tmux = Tmux::start(dir.path(), &tui_command(&config, &url), 100, 30);
    tmux.wait_for("Shown at start").await;

    // Idle, with no key pressed, for longer than the old polling period:
    // not one list request.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after_start = log.list_requests();
    assert!(after_start >= 1, "the first load is not in the log");
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(log.list_requests(), after_start, "list requests while idle");

    // A task created through the API shows within a second.
    let made = Instant::now();
    create(&api, "Made in another client").await;
    tmux.wait_for("Made in another client").await;
    let took = made.elapsed();
    assert!(took < Duration::from_secs(1), "took {took:?}");

    // taskd goes away: the status bar says so, the rows stay.
    server.stop().await;
    let screen = tmux.wait_for("cannot reach taskd").await;
    assert!(screen.contains("Made in another client"), "{screen}");

    // It comes back on the same address: the TUI follows again by itself.
    let mut back = taskd::Config::for_tests(dir.path());
    back.bind = addr;
    let server = taskd::spawn(back)
        .await
        .unwrap_or_else(|e| panic!("taskd again: {e:#}"));
    tmux.wait_gone("cannot reach taskd").await;
    tmux.wait_gone("Live updates lost").await;
    let made = Instant::now();
    create(&api, "Made after the outage").await;
    tmux.wait_for("Made after the outage").await;
    assert!(
        made.elapsed() < Duration::from_secs(1),
        "{:?}",
        made.elapsed()
    );

    // A filter typed at a brisk typist's pace is asked of the server once
    // the typing pauses, not once a key (one more is allowed for a key
    // held up on a busy machine).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before_typing = log.list_requests();
    tmux.type_text("/");
    for key in ["o", "u", "t", "a", "g", "e"] {
        tmux.type_text(key);
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    tmux.wait_gone("Made in another client").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let asked = log.list_requests() - before_typing;
    assert!(
        (1..=2).contains(&asked),
        "{asked} list requests for one word"
    );
    tmux.keys(&["Enter"]);

    tmux.type_text("q");
    assert_restored(&tmux).await;
    server.stop().await;
}
