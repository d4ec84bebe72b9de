//! `task-tui`: the terminal UI of the task manager.

use std::io::stdout;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use chrono::{Local, Offset, Utc};
use clap::Parser;
use common::client::ApiClient;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::execute;
use ratatui::DefaultTerminal;

use task_tui::app::App;
use task_tui::event::Events;
use task_tui::msg::Msg;
use task_tui::runtime::Runtime;
use task_tui::ui;
use task_tui::view_state::ViewState;

/// The task manager's terminal UI. Same server, login and filters as `task`.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The taskd to use (else the config file's, else http://127.0.0.1:8000).
    #[arg(long, env = "TASK_SERVER", value_name = "URL")]
    server: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("task-tui: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("task-tui: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let client = Arc::new(ApiClient::open(args.server.as_deref())?);
    let tz = Local::now().offset().fix();
    let mut app = App::new(
        client.server(),
        client.username(),
        client.is_logged_in(),
        Utc::now(),
        tz,
    );
    // Beside the credentials the client already found.
    let config = client.config_dir().cloned();
    if let Some(config) = &config {
        ViewState::load(config.path()).await.apply(&mut app);
    }

    let mut terminal = ratatui::try_init().context("cannot set up the terminal")?;
    // ratatui's panic hook restores raw mode and the screen; this one also
    // turns mouse reporting off first.
    let restore_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(stdout(), DisableMouseCapture, DisableBracketedPaste);
        restore_hook(info);
    }));
    let _ = execute!(stdout(), EnableMouseCapture, EnableBracketedPaste);

    let result = run_loop(&mut terminal, &mut app, client).await;

    let _ = execute!(stdout(), DisableMouseCapture, DisableBracketedPaste);
    ratatui::restore();
    if let Some(config) = &config {
        // The view is a convenience: failing to keep it is said, not fatal.
        if let Err(e) = ViewState::of(&app).save(config.path()).await {
            eprintln!("task-tui: the view was not remembered: {e}");
        }
    }
    result
}

async fn run_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    client: Arc<ApiClient>,
) -> anyhow::Result<()> {
    let size = terminal.size()?;
    app.update(Msg::Resize(size.width, size.height));

    let mut events = Events::new();
    events.read_terminal();
    events.tick();
    events.signals();
    let mut runtime = Runtime::new(client, events.sender());
    for command in app.start() {
        runtime.execute(command);
    }

    loop {
        terminal.draw(|frame| ui::draw(frame, app))?;
        let Some(first) = events.next().await else {
            return Ok(());
        };
        // Handle whatever else is waiting (a burst of wheel events, say)
        // before drawing again.
        let mut next = Some(first);
        let mut handled = 0;
        while let Some(msg) = next {
            for command in app.update(msg) {
                runtime.execute(command);
            }
            handled += 1;
            next = if handled < 256 {
                events.try_next()
            } else {
                None
            };
        }
        if app.quit {
            return Ok(());
        }
    }
}
