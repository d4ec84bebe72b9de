//! One update + render cycle over 10,000 tasks, into a `TestBackend`: moving
//! the selection, and typing one character of a `/` filter. The goal is well
//! under one 60 Hz frame (16.7 ms).
//!
//! `cargo bench -p task-tui --bench cycle`

use std::hint::black_box;

use chrono::FixedOffset;
use criterion::{criterion_group, criterion_main, Criterion};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use task_tui::app::App;
use task_tui::fixtures;
use task_tui::msg::{ApiEvent, Command, Msg};
use task_tui::ui;

const TASKS: usize = 10_000;

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// A model showing every one of `TASKS` tasks (the "all" list), at `width`×`height`.
fn loaded_app(width: u16, height: u16) -> App {
    let utc = FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!());
    let mut app = App::new(
        "http://127.0.0.1:8000",
        Some("bench".into()),
        true,
        fixtures::now(),
        utc,
    );
    app.update(Msg::Resize(width, height));
    app.start();
    let commands = app.update(key(KeyCode::Tab));
    let Some(Command::LoadTasks { seq, query, .. }) = commands.into_iter().next() else {
        unreachable!("tab reloads")
    };
    app.update(Msg::Api(Box::new(ApiEvent::TasksLoaded {
        seq,
        query,
        names: Vec::new(),
        result: Ok(fixtures::many(TASKS)),
        hint: None,
    })));
    assert_eq!(app.tasks.len(), TASKS);
    app
}

fn terminal(width: u16, height: u16) -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(width, height)).unwrap_or_else(|e| panic!("{e}"))
}

fn cycle(app: &mut App, terminal: &mut Terminal<TestBackend>, msg: Msg) {
    black_box(app.update(msg));
    terminal
        .draw(|frame| ui::draw(frame, app))
        .unwrap_or_else(|e| panic!("{e}"));
}

/// One cycle a `j`, back to the top with `g` every 2,000 rows.
fn moving(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    mut app: App,
) {
    let size = app.size;
    let mut term = terminal(size.width, size.height);
    let mut step = 0usize;
    group.bench_function(name, |b| {
        b.iter(|| {
            step += 1;
            let code = if step >= 2000 {
                step = 0;
                KeyCode::Char('g')
            } else {
                KeyCode::Char('j')
            };
            cycle(&mut app, &mut term, key(code));
        })
    });
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("cycle_10k_tasks");
    for (width, height) in [(80u16, 24u16), (160, 48)] {
        // Moving: `j` down through the middle of the list, `G`/`g` at the ends.
        let mut app = loaded_app(width, height);
        app.update(key(KeyCode::Char('G')));
        app.update(key(KeyCode::Char('g')));
        moving(&mut group, &format!("move_{width}x{height}"), app);

        // Moving with the details pane open, which is sized to the
        // selected task's lines as the selection moves.
        let mut app = loaded_app(width, height);
        app.update(key(KeyCode::Enter));
        moving(
            &mut group,
            &format!("move_with_details_{width}x{height}"),
            app,
        );

        // Filtering: one keystroke of `/` (a character, then its backspace),
        // re-filtering all 10,000 loaded tasks locally each time.
        let mut app = loaded_app(width, height);
        let mut term = terminal(width, height);
        app.update(key(KeyCode::Char('/')));
        for c in "item 1".chars() {
            app.update(key(KeyCode::Char(c)));
        }
        let mut typed = false;
        group.bench_function(format!("filter_keystroke_{width}x{height}"), |b| {
            b.iter(|| {
                let code = if typed {
                    KeyCode::Backspace
                } else {
                    KeyCode::Char('2')
                };
                typed = !typed;
                cycle(&mut app, &mut term, key(code));
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
