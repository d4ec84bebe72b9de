//! End to end: the real `task-tui` binary under tmux against a real `taskd`
//! (in this process, on a random port, with its own SQLite file). Every step
//! is checked on the screen (`capture-pane`) and through the API.
//!
//! Needs `tmux` on the PATH.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use common::api::{NewTask, Status, UdaValue};
use common::client::ApiClient;
use common::config::ConfigDir;

use support::{
    account, all_tasks, assert_restored, pid_file, start_taskd, tui_command, Tmux, WAIT,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_add_start_annotate_depend_toggle_filter_delete_quit() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let server = start_taskd(dir.path()).await;
    let url = server.url();
    let api = account(&url, "tui-user", "correct-horse-1").await;
    let config = dir.path().join("config");
    let tmux = Tmux::start(dir.path(), &tui_command(&config, &url), 100, 30);

    // Not logged in: the login form.
    tmux.wait_for("Log in to taskd at").await;
    tmux.type_text("tui-user");
    tmux.keys(&["Enter"]);
    tmux.type_text("correct-horse-1");
    tmux.keys(&["Enter"]);
    tmux.wait_for("No pending tasks").await;
    let stored = ConfigDir::at(&config)
        .load()
        .unwrap_or_else(|e| panic!("credentials: {e}"));
    assert_eq!(stored.username.as_deref(), Some("tui-user"));

    // Too small a window says so; growing it back redraws.
    assert!(tmux
        .run(&["resize-window", "-t", "e2e", "-x", "50", "-y", "15"])
        .status
        .success());
    tmux.wait_for("terminal too small").await;
    assert!(tmux
        .run(&["resize-window", "-t", "e2e", "-x", "100", "-y", "30"])
        .status
        .success());
    tmux.wait_for("No pending tasks").await;

    // Add a task through the form.
    tmux.type_text("a");
    tmux.wait_for("Add task").await;
    // The title line takes the CLI's modifiers too.
    tmux.type_text("Buy tmux cables +urgent pri:H");
    tmux.keys(&["Tab"]);
    // Ctrl-J is a line break in the description; Enter would save.
    tmux.type_text("two metres");
    tmux.keys(&["C-j"]);
    tmux.type_text("USB-C");
    tmux.keys(&["Tab"]);
    tmux.type_text("e2e.shop");
    tmux.keys(&["Tab", "Tab"]);
    tmux.type_text("tomorrow");
    tmux.keys(&["Tab"]);
    tmux.type_text("today");
    tmux.keys(&["Tab", "Tab", "Tab"]);
    tmux.type_text("cables +errand");
    tmux.keys(&["Tab"]);
    tmux.type_text("shop:\"the corner\" metres:2");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Created task").await;
    assert!(
        screen.contains("Buy tmux cables") && screen.contains("in "),
        "{screen}"
    );
    let tasks = all_tasks(&api).await;
    assert_eq!(tasks.len(), 1);
    let task = &tasks[0];
    assert_eq!(task.title, "Buy tmux cables");
    assert_eq!(task.description, "two metres\nUSB-C");
    assert_eq!(task.project.as_deref(), Some("e2e.shop"));
    assert_eq!(task.tags, ["cables", "errand", "urgent"]);
    assert_eq!(task.priority, Some(common::api::Priority::High));
    assert!(task.due.is_some() && task.scheduled.is_some());
    assert_eq!(
        task.udas,
        [
            ("metres".to_string(), UdaValue::Integer(2)),
            ("shop".to_string(), UdaValue::Text("the corner".into())),
        ]
        .into()
    );
    let id = task.id;

    // A task added elsewhere appears within 5 s, with no key press.
    let started = Instant::now();
    api.create_task(&NewTask {
        title: "Added from the CLI".into(),
        project: Some("elsewhere".into()),
        ..NewTask::default()
    })
    .await
    .unwrap_or_else(|e| panic!("create: {e}"));
    tmux.wait_for("Added from the CLI").await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );

    // The pending tasks are shown and named by their numbers.
    assert_eq!(task.number, Some(1));
    let other = all_tasks(&api)
        .await
        .into_iter()
        .find(|t| t.title == "Added from the CLI")
        .unwrap_or_else(|| panic!("the CLI's task"));
    assert_eq!(other.number, Some(2));

    // Start it (S): active, marked so.
    tmux.type_text("S");
    tmux.wait_for("Started task 1.").await;
    let started = api
        .get_task(id)
        .await
        .unwrap_or_else(|e| panic!("get: {e}"));
    assert!(started.start.is_some(), "{started:?}");

    // Annotate it (A): a note, shown in the details pane.
    tmux.type_text("A");
    tmux.wait_for("Note for task 1").await;
    tmux.type_text("ask for the braided ones");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Annotated task 1.").await;
    let noted = api
        .get_task(id)
        .await
        .unwrap_or_else(|e| panic!("get: {e}"));
    assert_eq!(
        noted
            .annotations
            .iter()
            .map(|a| a.text.as_str())
            .collect::<Vec<_>>(),
        ["ask for the braided ones"]
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for("ask for the braided ones").await;
    tmux.keys(&["Enter"]);

    // Make it wait for task 2 (D), named by its number; a bad name is said
    // in the prompt and nothing is sent.
    tmux.type_text("D");
    tmux.wait_for("Task 1 waits for").await;
    tmux.type_text("x");
    tmux.keys(&["Enter"]);
    tmux.wait_for("does not name a task").await;
    tmux.keys(&["BSpace"]);
    tmux.type_text("2");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Modified task 1.").await;
    let waiting = api
        .get_task(id)
        .await
        .unwrap_or_else(|e| panic!("get: {e}"));
    assert_eq!(waiting.depends, [other.id]);
    assert!(waiting.blocked);

    // An edit while another field changes elsewhere: sent again over the
    // server's version without asking, the server's priority kept.
    tmux.type_text("e");
    tmux.wait_for("Edit task").await;
    tmux.keys(&["End"]);
    tmux.type_text(" now");
    api.update_task(
        id,
        &common::api::TaskPatch {
            priority: Some(Some(common::api::Priority::Low)),
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap_or_else(|e| panic!("patch: {e}"));
    tmux.keys(&["Enter"]);
    tmux.wait_gone("Edit task").await;
    let merged = task_when(&api, id, |task| task.title == "Buy tmux cables now").await;
    assert_eq!(merged.priority, Some(common::api::Priority::Low));

    // The same field changed on both sides: both are shown, and Enter keeps
    // the user's.
    tmux.type_text("e");
    tmux.wait_for("Edit task").await;
    tmux.keys(&["End"]);
    tmux.type_text("!");
    api.update_task(
        id,
        &common::api::TaskPatch {
            title: Some("Buy cables elsewhere".into()),
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap_or_else(|e| panic!("patch: {e}"));
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Esc drops all your").await;
    assert!(screen.contains("yours  Buy tmux cables now!"), "{screen}");
    assert!(screen.contains("server Buy cables elsewhere"), "{screen}");
    tmux.keys(&["Enter"]);
    tmux.wait_gone("Edit task").await;
    let merged = task_when(&api, id, |task| task.title == "Buy tmux cables now!").await;
    assert_eq!(merged.priority, Some(common::api::Priority::Low));

    // Toggle done: gone from the pending list, dimmed in the list of all.
    tmux.keys(&["Space"]);
    tmux.wait_for("Completed task 1.").await;
    assert_eq!(
        api.get_task(id).await.map(|t| t.status).ok(),
        Some(Status::Done)
    );
    tmux.wait_gone("Buy tmux cables").await;
    tmux.keys(&["Tab"]);
    let screen = tmux.wait_for("Buy tmux cables now").await;
    assert!(screen.contains(" all "), "{screen}");

    // Filter with `/`: applied as typed.
    tmux.type_text("/");
    tmux.type_text("pro:e2e");
    let screen = tmux.wait_gone("Added from the CLI").await;
    assert!(screen.contains("Buy tmux cables"), "{screen}");
    tmux.keys(&["Enter"]);
    tmux.wait_for("filter: pro:e2e").await;

    // Delete, after confirming; done, it is named by its uuid's start.
    let short = &common::display::uuid_name(&task.uuid);
    tmux.type_text("x");
    tmux.wait_for(&format!("Delete task {short}?")).await;
    tmux.type_text("y");
    tmux.wait_for(&format!("Deleted task {short}.")).await;
    let left = all_tasks(&api).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].title, "Added from the CLI");
    tmux.wait_for("No task matches the filter").await;

    // Quit: the terminal is restored.
    tmux.type_text("q");
    assert_restored(&tmux).await;

    // Started again, it shows what it showed: the filter and all tasks.
    drop(tmux);
    // A tmux server of its own: the old one may still be going away.
    let again = dir.path().join("again");
    std::fs::create_dir_all(&again).unwrap_or_else(|e| panic!("dir: {e}"));
    let tmux = Tmux::start(&again, &tui_command(&config, &url), 100, 30);
    let screen = tmux.wait_for("filter: pro:e2e").await;
    assert!(screen.contains(" all "), "{screen}");
    tmux.type_text("q");
    assert_restored(&tmux).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_down_at_start_and_mid_session() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let config = dir.path().join("config");
    let server = start_taskd(dir.path()).await;
    let url = server.url();
    let addr = server.addr;
    let api = account(&url, "offline-user", "correct-horse-2").await;
    api.create_task(&NewTask {
        title: "Survives outages".into(),
        ..NewTask::default()
    })
    .await
    .unwrap_or_else(|e| panic!("create: {e}"));
    // Log in as `task login` would: the credentials file the TUI reads.
    let cli = ApiClient::with_config(Some(&url), ConfigDir::at(&config))
        .unwrap_or_else(|e| panic!("client: {e}"));
    cli.login("offline-user", "correct-horse-2")
        .await
        .unwrap_or_else(|e| panic!("login: {e}"));

    // Down at start: the status bar says so, the UI runs.
    server.stop().await;
    let tmux = Tmux::start(dir.path(), &tui_command(&config, &url), 100, 30);
    tmux.wait_for("cannot reach taskd").await;
    tmux.type_text("?");
    tmux.wait_for("any key closes this").await;
    tmux.type_text("?");
    tmux.wait_gone("any key closes this").await;

    // The server comes back (same port, same database): the UI recovers alone.
    let mut back = taskd::Config::for_tests(dir.path());
    back.bind = addr;
    let server = taskd::spawn(back)
        .await
        .unwrap_or_else(|e| panic!("taskd again: {e:#}"));
    let screen = tmux.wait_for("Survives outages").await;
    tmux.wait_gone("cannot reach taskd").await;
    assert!(screen.contains("offline-user@"), "{screen}");

    // Down mid-session: the list stays, the notice shows, keys still work.
    server.stop().await;
    tmux.type_text("r");
    tmux.wait_for("cannot reach taskd").await;
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Task 1").await;
    assert!(screen.contains("Survives outages"), "{screen}");

    let mut back = taskd::Config::for_tests(dir.path());
    back.bind = addr;
    let server = taskd::spawn(back)
        .await
        .unwrap_or_else(|e| panic!("taskd again: {e:#}"));
    tmux.wait_gone("cannot reach taskd").await;

    // Killed with SIGTERM: it still restores the terminal and exits cleanly.
    let pid =
        std::fs::read_to_string(pid_file(&config)).unwrap_or_else(|e| panic!("pid file: {e}"));
    let killed = Command::new("kill")
        .args(["-TERM", pid.trim()])
        .status()
        .unwrap_or_else(|e| panic!("kill: {e}"));
    assert!(killed.success());
    assert_restored(&tmux).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn u_undoes_a_completion_and_a_delete_and_shift_u_redoes() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let server = start_taskd(dir.path()).await;
    let url = server.url();
    let api = account(&url, "undo-user", "correct-horse-4").await;
    for title in ["Water the plants", "Renew passport"] {
        api.create_task(&NewTask {
            title: title.into(),
            ..NewTask::default()
        })
        .await
        .unwrap_or_else(|e| panic!("create: {e}"));
    }
    let config = dir.path().join("config");
    ApiClient::with_config(Some(&url), ConfigDir::at(&config))
        .unwrap_or_else(|e| panic!("client: {e}"))
        .login("undo-user", "correct-horse-4")
        .await
        .unwrap_or_else(|e| panic!("login: {e}"));
    let tmux = Tmux::start(dir.path(), &tui_command(&config, &url), 100, 30);
    tmux.wait_for("Renew passport").await;

    // Sorted by id, the first row is "Water the plants".
    tmux.type_text("s");
    tmux.wait_for("sort: id").await;
    tmux.type_text(" ");
    tmux.wait_for("Completed task 1").await;
    tmux.wait_gone("Water the plants").await;
    tmux.type_text("u");
    tmux.wait_for("Undone: completed task 1 \"Water the plants\".")
        .await;
    tmux.wait_for("Water the plants").await;
    let pending = all_tasks(&api).await;
    assert!(pending.iter().all(|t| t.status == Status::Pending));

    // A delete comes back too, and redo deletes it again.
    tmux.keys(&["End"]);
    tmux.type_text("x");
    tmux.wait_for("Delete task 2?").await;
    tmux.type_text("y");
    tmux.wait_for("Deleted task").await;
    tmux.wait_gone("Renew passport").await;
    tmux.type_text("u");
    tmux.wait_for("Undone: deleted task 2 \"Renew passport\".")
        .await;
    tmux.wait_for("Renew passport").await;
    tmux.type_text("U");
    tmux.wait_for("Redone: deleted task 2 \"Renew passport\".")
        .await;
    tmux.wait_gone("Renew passport").await;
    assert_eq!(all_tasks(&api).await.len(), 1);

    // Tasks named on the filter line, several at once.
    for title in ["Call the plumber", "Book the dentist"] {
        api.create_task(&NewTask {
            title: title.into(),
            ..NewTask::default()
        })
        .await
        .unwrap_or_else(|e| panic!("create: {e}"));
    }
    tmux.wait_for("Book the dentist").await;
    tmux.type_text("/1,3");
    tmux.keys(&["Enter"]);
    tmux.wait_gone("Call the plumber").await;
    let screen = tmux.wait_for("filter: 1,3").await;
    assert!(screen.contains("Water the plants"), "{screen}");
    assert!(screen.contains("Book the dentist"), "{screen}");

    tmux.type_text("q");
    assert_restored(&tmux).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_made_by_the_cli_meanwhile_is_taken_up_at_the_login_form() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let server = start_taskd(dir.path()).await;
    let url = server.url();
    let api = account(&url, "cli-user", "correct-horse-5").await;
    api.create_task(&NewTask {
        title: "Seen once logged in".into(),
        ..NewTask::default()
    })
    .await
    .unwrap_or_else(|e| panic!("create: {e}"));
    let config = dir.path().join("config");
    let tmux = Tmux::start(dir.path(), &tui_command(&config, &url), 100, 30);
    tmux.wait_for("Log in to taskd at").await;

    // `task login` in another terminal: the same credentials file.
    ApiClient::with_config(Some(&url), ConfigDir::at(&config))
        .unwrap_or_else(|e| panic!("client: {e}"))
        .login("cli-user", "correct-horse-5")
        .await
        .unwrap_or_else(|e| panic!("login: {e}"));
    tmux.wait_for("Seen once logged in").await;
    tmux.wait_for("Logged in as cli-user (by another client).")
        .await;

    tmux.type_text("q");
    assert_restored(&tmux).await;
    server.stop().await;
}

/// The task once `done` holds of it (or as it is after the wait, for the
/// assertion after to name).
async fn task_when(
    api: &ApiClient,
    id: i64,
    done: impl Fn(&common::api::Task) -> bool,
) -> common::api::Task {
    let started = Instant::now();
    loop {
        let task = api
            .get_task(id)
            .await
            .unwrap_or_else(|e| panic!("get: {e}"));
        if done(&task) || started.elapsed() > WAIT {
            return task;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
