//! Tests of the model and the view: keys go through `App::update`, the same
//! handler the event loop uses, and screens are drawn into a `TestBackend`.

mod keys;
mod render;
mod sync;

use chrono::FixedOffset;
use common::api::Task;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::Terminal;

use crate::app::App;
use crate::fixtures;
use crate::msg::{ApiEvent, Command, Msg};
use crate::ui;

pub fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!())
}

/// A logged-in model at 80×24 whose first load answered with `tasks`.
/// An app showing `tasks` in id order, so that a row's position says which
/// task it is: what most tests of keys and screens want.
pub fn app_with(tasks: Vec<Task>) -> App {
    started(tasks, Some(crate::query::SortKey::Id))
}

/// An app as a user first sees it: most urgent first.
pub fn app_as_started(tasks: Vec<Task>) -> App {
    started(tasks, None)
}

fn started(tasks: Vec<Task>, sort: Option<crate::query::SortKey>) -> App {
    let mut app = App::new(
        "http://127.0.0.1:8000",
        Some("alice".into()),
        true,
        fixtures::now(),
        utc(),
    );
    if let Some(sort) = sort {
        app.sort = sort;
    }
    app.update(Msg::Resize(80, 24));
    let commands = app.start();
    let commands = live(&mut app, &commands);
    answer_load(&mut app, &commands, tasks);
    app
}

/// Answers the `Follow` among `commands` with the stream being up.
pub fn live(app: &mut App, commands: &[Command]) -> Vec<Command> {
    assert!(
        commands.iter().any(|c| matches!(c, Command::Follow { .. })),
        "no Follow among {commands:?}"
    );
    app.update(Msg::Api(Box::new(ApiEvent::Live(
        common::live::LiveEvent::Ready { cursor: "0".into() },
    ))))
}

/// Answers the last `LoadTasks` among `commands` with those of `tasks` in the
/// status it asks for and among those it names, in its order (the server's
/// comparator): a test that filters more passes the tasks the server would
/// select.
pub fn answer_load(app: &mut App, commands: &[Command], tasks: Vec<Task>) -> Vec<Command> {
    let Some(Command::LoadTasks {
        seq, query, names, ..
    }) = commands
        .iter()
        .rfind(|c| matches!(c, Command::LoadTasks { .. }))
    else {
        panic!("no load among {commands:?}");
    };
    let mut tasks: Vec<Task> = tasks
        .into_iter()
        .filter(|t| query.only_status().is_none_or(|s| s == t.status))
        .filter(|t| names.is_empty() || names.iter().any(|n| n.names(t.number, &t.uuid)))
        .collect();
    tasks.sort_by(|a, b| common::list_query::compare(a, b, &query.ordering));
    app.update(Msg::Api(Box::new(ApiEvent::TasksLoaded {
        seq: *seq,
        query: query.clone(),
        names: names.clone(),
        result: Ok(tasks),
        hint: None,
    })))
}

pub fn key_with(modifiers: KeyModifiers, code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, modifiers))
}

pub fn press(app: &mut App, code: KeyCode) -> Vec<Command> {
    app.update(key_with(KeyModifiers::NONE, code))
}

pub fn type_text(app: &mut App, text: &str) -> Vec<Command> {
    let mut commands = Vec::new();
    for c in text.chars() {
        let modifiers = if c.is_ascii_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        commands.extend(app.update(key_with(modifiers, KeyCode::Char(c))));
    }
    commands
}

pub fn release(code: KeyCode) -> Msg {
    let mut key = KeyEvent::new(code, KeyModifiers::NONE);
    key.kind = KeyEventKind::Release;
    Msg::Key(key)
}

pub fn draw(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height))
        .unwrap_or_else(|e| panic!("test terminal: {e}"));
    terminal
        .draw(|frame| ui::draw(frame, app))
        .unwrap_or_else(|e| panic!("draw: {e}"));
    terminal
}

/// The screen as text, one line per row.
pub fn screen(app: &App, width: u16, height: u16) -> String {
    let terminal = draw(app, width, height);
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..height {
        for x in 0..width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// A screen's words in order, borders and line ends taken out: text
/// wrapped over lines reads as one.
pub fn words(screen: &str) -> String {
    screen
        .split(|c: char| c.is_whitespace() || c == '│')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
