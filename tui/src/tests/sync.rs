//! Keeping up with the server: idle refresh, the server going away and coming
//! back, answers arriving late, and a session running out.

use ratatui::crossterm::event::KeyCode;

use super::*;
use common::api::{ChangeOp, StreamEnd, TaskEvent, UndoStep};
use common::client::Direction;
use common::live::LiveEvent;
use ratatui::crossterm::event::KeyModifiers;

use crate::app::{Live, Overlay, REFRESH_TICKS};
use crate::msg::Failure;

fn tick(app: &mut App) -> Vec<Command> {
    app.update(Msg::Tick(fixtures::now()))
}

fn down() -> Failure {
    Failure::Unreachable(
        "cannot reach taskd at http://127.0.0.1:8000: is it running? (start it with taskd)".into(),
    )
}

fn fail_load(app: &mut App, commands: &[Command], failure: Failure) {
    let Some(Command::LoadTasks { seq, query, .. }) = commands.first() else {
        panic!("no load: {commands:?}");
    };
    app.update(Msg::Api(Box::new(ApiEvent::TasksLoaded {
        seq: *seq,
        query: query.clone(),
        names: Vec::new(),
        result: Err(failure),
        hint: None,
    })));
}

fn live_event(app: &mut App, event: LiveEvent) -> Vec<Command> {
    app.update(Msg::Api(Box::new(ApiEvent::Live(event))))
}

fn changed(cursor: &str, op: ChangeOp, task: Task) -> LiveEvent {
    LiveEvent::Task {
        cursor: cursor.into(),
        event: Box::new(TaskEvent {
            op,
            id: task.id,
            version: task.version,
            task: (op != ChangeOp::Deleted).then_some(task),
        }),
    }
}

#[test]
fn while_the_stream_is_up_idle_ticks_ask_for_nothing() {
    let mut app = app_with(fixtures::sample());
    assert_eq!(app.live, Live::Up);
    for _ in 0..(60 * crate::app::TICKS_PER_SECOND) {
        assert!(tick(&mut app).is_empty(), "a request while idle");
    }
}

#[test]
fn a_change_from_the_stream_shows_at_once_and_the_rows_are_reloaded_once() {
    let mut app = app_with(fixtures::sample());
    let mut renamed = app.tasks[1].clone();
    renamed.title = "Renamed in the web app".into();
    renamed.version += 1;
    assert!(live_event(&mut app, changed("7", ChangeOp::Updated, renamed)).is_empty());
    assert_eq!(app.tasks[1].title, "Renamed in the web app");
    // Where it now belongs (filter, order) is the server's to say: one load.
    let commands = tick(&mut app);
    assert!(matches!(commands.as_slice(), [Command::LoadTasks { .. }]));
    let rows = app.tasks.clone();
    answer_load(&mut app, &commands, rows);
    assert!(tick(&mut app).is_empty());

    // A version already shown (the answer to this UI's own change) asks nothing.
    let same = app.tasks[0].clone();
    live_event(&mut app, changed("8", ChangeOp::Updated, same));
    assert!(tick(&mut app).is_empty());

    // A deletion elsewhere removes the row; a new task elsewhere is loaded.
    let gone = app.tasks[2].clone();
    live_event(&mut app, changed("9", ChangeOp::Deleted, gone.clone()));
    assert!(app.tasks.iter().all(|t| t.id != gone.id));
    live_event(
        &mut app,
        changed("10", ChangeOp::Created, fixtures::task(9, "From the CLI")),
    );
    let commands = tick(&mut app);
    let mut tasks = app.tasks.clone();
    tasks.push(fixtures::task(9, "From the CLI"));
    answer_load(&mut app, &commands, tasks);
    assert!(app.tasks.iter().any(|t| t.title == "From the CLI"));

    // A reconnection resumes after the last event seen.
    let commands = live_event(&mut app, LiveEvent::LoggedOut(StreamEnd::Expired));
    assert_eq!(
        commands,
        vec![Command::Follow {
            cursor: Some("10".into())
        }]
    );
}

#[test]
fn a_reset_reloads_everything() {
    let mut app = app_with(fixtures::sample());
    let commands = live_event(
        &mut app,
        LiveEvent::Reset {
            cursor: "99".into(),
        },
    );
    assert!(matches!(commands.as_slice(), [Command::LoadTasks { .. }]));
}

#[test]
fn without_the_stream_the_rows_are_polled_and_the_status_bar_says_so() {
    let mut app = app_with(fixtures::sample());
    let commands = app.update(Msg::Api(Box::new(ApiEvent::LiveEnded(Some(
        Failure::Other("request to http://127.0.0.1:8000 failed: connection reset".into()),
    )))));
    assert!(commands.is_empty());
    let (_, notice) = app.notice().unwrap();
    assert!(notice.starts_with("Live updates lost"), "{notice}");
    assert!(screen(&app, 80, 24).contains("Live updates lost"));
    // It tries the stream again every few ticks while polling the rows.
    let mut follows = 0;
    for _ in 1..REFRESH_TICKS {
        for command in tick(&mut app) {
            assert!(matches!(command, Command::Follow { .. }), "{command:?}");
            follows += 1;
            app.update(Msg::Api(Box::new(ApiEvent::LiveEnded(Some(down())))));
        }
    }
    assert!(follows >= 1);
    let commands = tick(&mut app);
    assert!(matches!(commands.as_slice(), [Command::LoadTasks { .. }]));
    // No second load while that one runs.
    assert!(tick(&mut app).is_empty());
    // A task added elsewhere shows up with the answer, the selection stays.
    press(&mut app, KeyCode::Char('j'));
    let mut tasks = fixtures::sample();
    tasks.push(fixtures::task(9, "Added by the CLI"));
    answer_load(&mut app, &commands, tasks);
    assert!(app.tasks.iter().any(|t| t.title == "Added by the CLI"));
    assert_eq!(app.selected_task().map(|t| t.id), Some(2));
    // The stream back: the notice goes, and so does the polling.
    live_event(&mut app, LiveEvent::Ready { cursor: "3".into() });
    assert_eq!(app.live_lost, None);
    assert_eq!(app.offline, None);
    for _ in 0..(2 * REFRESH_TICKS) {
        assert!(tick(&mut app).is_empty());
    }
}

#[test]
fn server_down_at_start_shows_in_the_status_bar_and_recovers() {
    let mut app = App::new(
        "http://127.0.0.1:8000",
        Some("alice".into()),
        true,
        fixtures::now(),
        utc(),
    );
    app.update(Msg::Resize(80, 24));
    let commands = app.start();
    assert_eq!(commands, vec![Command::Follow { cursor: None }]);
    // The stream cannot open: the rows are loaded anyway (and fail too).
    let commands = app.update(Msg::Api(Box::new(ApiEvent::LiveEnded(Some(down())))));
    fail_load(&mut app, &commands, down());
    assert!(app
        .offline
        .as_ref()
        .is_some_and(|m| m.contains("cannot reach taskd")));
    assert!(screen(&app, 80, 24).contains("cannot reach taskd"));

    // The UI keeps working: keys are handled, the help opens and closes.
    press(&mut app, KeyCode::Char('?'));
    press(&mut app, KeyCode::Char('?'));
    assert!(!app.quit);

    // It retries on its own and clears the notice when the server answers.
    let mut retry = Vec::new();
    for _ in 0..REFRESH_TICKS {
        retry = tick(&mut app);
    }
    assert!(matches!(retry.as_slice(), [.., Command::LoadTasks { .. }]));
    answer_load(&mut app, &retry, fixtures::sample());
    assert_eq!(app.offline, None);
    assert_eq!(app.tasks.len(), 4);
}

#[test]
fn server_down_mid_session_keeps_the_tasks_shown() {
    let mut app = app_with(fixtures::sample());
    let commands = press(&mut app, KeyCode::Char('r'));
    fail_load(&mut app, &commands, down());
    assert!(app.offline.is_some());
    assert_eq!(app.tasks.len(), 4, "the last list stays on screen");
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.selected, 1);

    // A save that cannot reach the server keeps the form and what was typed.
    press(&mut app, KeyCode::Char('a'));
    type_text(&mut app, "Written offline");
    assert_eq!(press(&mut app, KeyCode::Enter).len(), 1);
    app.update(Msg::Api(Box::new(ApiEvent::TaskSaved {
        source: crate::msg::Source::Form,
        created: true,
        verb: "Created",
        shown_as: None,
        result: Err(down()),
    })));
    let Overlay::Form(form) = &app.overlay else {
        panic!("form closed");
    };
    assert_eq!(form.title.value(), "Written offline");
    assert!(form
        .error
        .as_ref()
        .is_some_and(|e| e.contains("cannot reach")));
    assert!(!form.saving, "Enter can be pressed again");
}

#[test]
fn an_answer_to_a_superseded_load_is_ignored() {
    let mut app = app_with(fixtures::sample());
    let first = press(&mut app, KeyCode::Char('r'));
    let second = press(&mut app, KeyCode::Tab);
    answer_load(&mut app, &first, Vec::new());
    assert_eq!(app.tasks.len(), 4, "the old answer changed nothing");
    answer_load(&mut app, &second, fixtures::sample()[..2].to_vec());
    assert_eq!(app.tasks.len(), 2);
}

#[test]
fn a_stalled_load_is_started_again() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('r'));
    let mut reloads = 0;
    for _ in 0..(20 * crate::app::TICKS_PER_SECOND) {
        reloads += tick(&mut app).len();
    }
    assert_eq!(reloads, 1);
}

#[test]
fn a_deactivated_account_brings_up_the_login_form_saying_so() {
    let mut app = app_with(fixtures::sample());
    let commands = press(&mut app, KeyCode::Char('r'));
    let failure = Failure::from(common::client::ClientError::AccountInactive {
        url: "http://127.0.0.1:8000".into(),
    });
    assert_eq!(failure, Failure::AccountInactive);
    fail_load(&mut app, &commands, failure);
    let Some(login) = &app.login else {
        panic!("no login form");
    };
    assert_eq!(
        login.error.as_deref(),
        Some("this account has been deactivated: an admin can reactivate it")
    );
    assert!(tick(&mut app).is_empty(), "no refresh while logged out");
}

#[test]
fn an_expired_session_brings_up_the_login_form_and_keeps_the_rest() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "+urgent");
    press(&mut app, KeyCode::Enter);
    let commands = press(&mut app, KeyCode::Char('r'));
    fail_load(&mut app, &commands, Failure::SessionExpired);
    let Some(login) = &app.login else {
        panic!("no login form");
    };
    assert_eq!(login.username.value(), "alice");
    assert!(login
        .error
        .as_ref()
        .is_some_and(|e| e.contains("the login has ended")));
    assert!(tick(&mut app).is_empty(), "no refresh while logged out");

    type_text(&mut app, "pw-again-123");
    let commands = press(&mut app, KeyCode::Enter);
    assert!(matches!(commands.as_slice(), [Command::Login { .. }]));
    let commands = app.update(Msg::Api(Box::new(ApiEvent::LoggedIn {
        username: "alice".into(),
        result: Ok(()),
    })));
    let commands = live(&mut app, &commands);
    let [Command::LoadTasks { query, .. }] = commands.as_slice() else {
        panic!("no reload: {commands:?}");
    };
    assert_eq!(query.tags, ["urgent"], "the filter survived");
}

#[test]
fn a_failed_login_says_why_and_lets_the_user_retry() {
    let mut app = App::new("http://127.0.0.1:8000", None, false, fixtures::now(), utc());
    type_text(&mut app, "alice");
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "wrong-password");
    press(&mut app, KeyCode::Enter);
    let problem = common::api::Problem {
        kind: "about:blank".into(),
        title: "Unauthorized".into(),
        status: 401,
        detail: "invalid username or password".into(),
        errors: None,
        code: None,
    };
    app.update(Msg::Api(Box::new(ApiEvent::LoggedIn {
        username: "alice".into(),
        result: Err(Failure::Problem(problem)),
    })));
    let Some(login) = &app.login else {
        panic!("login form gone");
    };
    assert!(!login.busy);
    assert_eq!(login.error.as_deref(), Some("invalid username or password"));
    assert_eq!(login.password.value(), "", "the password is not kept");
}

#[test]
fn a_change_that_cannot_be_sent_says_it_was_not_saved() {
    let mut app = app_with(fixtures::sample());
    let commands = press(&mut app, KeyCode::Char(' '));
    let [Command::Change { .. }] = commands.as_slice() else {
        panic!("expected a change, got {commands:?}");
    };
    app.update(Msg::Api(Box::new(ApiEvent::TaskSaved {
        source: crate::msg::Source::Form,
        created: false,
        verb: "Completed",
        shown_as: None,
        result: Err(down()),
    })));
    let (_, text) = app.notice().unwrap();
    assert!(text.starts_with("Not saved: cannot reach taskd"), "{text}");
    // Once that message has had its time, the offline notice is back.
    for _ in 0..100 {
        tick(&mut app);
    }
    let (_, text) = app.notice().unwrap();
    assert!(text.ends_with("(retrying)"), "{text}");
}

fn reverted(
    app: &mut App,
    direction: Direction,
    result: Result<UndoStep, Failure>,
) -> Vec<Command> {
    app.update(Msg::Api(Box::new(ApiEvent::Reverted { direction, result })))
}

#[test]
fn u_undoes_and_shift_u_redoes_with_a_one_line_summary() {
    let mut app = app_with(fixtures::sample());
    assert_eq!(
        press(&mut app, KeyCode::Char('u')),
        vec![Command::Revert {
            direction: Direction::Undo
        }]
    );
    let step = UndoStep {
        change_set: 7,
        at: fixtures::now(),
        summary: "deleted task 4 \"Pay rent\"".into(),
        task_ids: vec![4],
        tasks: Vec::new(),
        trashed: Vec::new(),
    };
    let commands = reverted(&mut app, Direction::Undo, Ok(step.clone()));
    assert!(matches!(commands.as_slice(), [Command::LoadTasks { .. }]));
    assert_eq!(
        app.notice().map(|(_, text)| text),
        Some("Undone: deleted task 4 \"Pay rent\".".into())
    );
    assert_eq!(
        app.update(key_with(KeyModifiers::SHIFT, KeyCode::Char('U'))),
        vec![Command::Revert {
            direction: Direction::Redo
        }]
    );
    reverted(&mut app, Direction::Redo, Ok(step));
    assert!(app
        .notice()
        .is_some_and(|(_, text)| text.starts_with("Redone: ")));

    let problem = |status: u16, errors| common::api::Problem {
        kind: "about:blank".into(),
        title: "t".into(),
        status,
        detail: "d".into(),
        errors,
        code: None,
    };
    reverted(
        &mut app,
        Direction::Undo,
        Err(Failure::Problem(problem(404, None))),
    );
    assert_eq!(
        app.notice().map(|(_, t)| t),
        Some("Nothing to undo.".into())
    );
    let conflicts = std::collections::BTreeMap::from([(
        "task 4".to_string(),
        vec!["purged from the trash since".to_string()],
    )]);
    let commands = reverted(
        &mut app,
        Direction::Undo,
        Err(Failure::Problem(problem(409, Some(conflicts)))),
    );
    assert!(commands.is_empty());
    let (level, text) = app.notice().unwrap();
    assert_eq!(level, crate::app::Level::Error);
    assert!(
        text.contains("task 4 purged from the trash since") && text.contains("--force"),
        "{text}"
    );
}
