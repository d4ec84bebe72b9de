//! `task import FILE|-`: what `task export` wrote (Taskwarrior's or ours)
//! into the server, which matches tasks by uuid: importing a file again
//! changes nothing. A bar shows the upload on a terminal, then a spinner
//! while the server writes.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, Result};
use common::api::ImportSummary;
use common::text::escape_control;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::io::AsyncReadExt;

use crate::commands::quoted;
use crate::context::Ctx;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file `task export` wrote; `-` reads standard input
    #[arg(value_name = "FILE")]
    file: String,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let file = if args.file == "-" {
        let mut bytes = Vec::new();
        tokio::io::stdin()
            .read_to_end(&mut bytes)
            .await
            .context("cannot read standard input")?;
        bytes
    } else {
        tokio::fs::read(&args.file)
            .await
            .with_context(|| format!("cannot read {}", args.file))?
    };
    if file.iter().all(u8::is_ascii_whitespace) {
        let name = match args.file.as_str() {
            "-" => "standard input",
            path => path,
        };
        anyhow::bail!(
            "{name} is empty: nothing to import (Taskwarrior writes its tasks with `task export > tasks.json`)"
        );
    }
    let client = ctx.client()?;
    let bar = progress(file.len() as u64);
    let shown = bar.clone();
    let total = file.len() as u64;
    let result = client
        .import(file, move |sent| {
            shown.set_position(sent);
            if sent >= total {
                shown.set_style(waiting_style());
                shown.set_message("taskd is importing the tasks…");
            }
        })
        .await;
    bar.finish_and_clear();
    let summary = match result {
        // Sent, and the connection lost before the answer: the import may
        // have been written or not, and running it again is safe either way.
        Err(err @ common::client::ClientError::Transport { .. }) => {
            return Err(anyhow::Error::new(err).context(
                "taskd did not answer the import: it writes all of a file or none of it, and a \
                 file imported again leaves alone what is already in, so run the same \
                 `task import` again",
            ))
        }
        other => other?,
    };
    if ctx.json() {
        ctx.print_json(&summary)?;
    } else {
        ctx.print(&report(&summary))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A bar on a terminal's stderr; nothing on a pipe or a file.
fn progress(total: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} sending [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

fn waiting_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg} {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

/// One line of counts, then a line for each task left out and for each
/// part of an imported task changed to fit or left out.
fn report(summary: &ImportSummary) -> String {
    let mut text = format!(
        "Imported: {} added, {} updated, {} unchanged, {} skipped.\n",
        summary.added,
        summary.updated,
        summary.unchanged,
        summary.skipped.len()
    );
    let lines = summary
        .skipped
        .iter()
        .map(|skip| ("skipped", skip))
        .chain(summary.notes.iter().map(|note| ("imported", note)));
    for (what, line) in lines {
        let title = match line.title.as_str() {
            "" => String::new(),
            title => format!(" {}", quoted(title)),
        };
        text.push_str(&format!(
            "  {what} {}{title}: {}\n",
            escape_control(&line.uuid),
            escape_control(&line.reason)
        ));
    }
    text
}
