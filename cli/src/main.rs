//! `task`: the command-line client of `taskd`.
//!
//! Exit status: 0 on success, 1 when something failed (the server said no,
//! the server is down, one of several IDs was unknown), 2 for a usage error
//! (unknown flag, bad filter word or date). A closed stdout (`task list |
//! head`) is not a failure.
#![forbid(unsafe_code)]

mod argv;
mod commands;
mod context;
mod edit_form;
mod history;
mod prompt;
mod refs;
mod render;
mod select;

use std::process::ExitCode;

use clap::Parser;

use crate::commands::Command;
use crate::context::UsageError;

/// A terminal-first task manager: the command line client of taskd.
///
/// Taskwarrior's forms work too: `task 3 done`, `task +home modify pri:L`,
/// `task 4-6 delete`. With no command, `task` runs `next`.
#[derive(Debug, Parser)]
#[command(name = "task", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Option<Command>,
}

/// Options every command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct Global {
    /// The taskd to talk to [default: the one logged in to, else http://127.0.0.1:8000]
    #[arg(long, global = true, env = common::config::SERVER_ENV, value_name = "URL")]
    pub server: Option<String>,
    /// Machine output: JSON on stdout and nothing else
    #[arg(long, global = true)]
    pub json: bool,
    /// Do not ask before a write on several tasks (or a delete), even on a
    /// terminal; `rc.confirmation=off` says the same
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
    /// The filter words written before the command (`task +home done`),
    /// passed here by the argument rewriting.
    #[arg(
        long = "filter-word",
        global = true,
        hide = true,
        allow_hyphen_values = true
    )]
    pub filter: Vec<String>,
}

fn main() -> ExitCode {
    let args = match argv::normalize(std::env::args_os().collect()) {
        Ok(args) => args,
        Err(err) => return report(&anyhow::Error::new(err)),
    };
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) if err.exit_code() == 0 => {
            // Help and --version go to stdout; a closed pipe there is fine.
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            // One line, as every other usage error: clap's message up to its
            // first blank line (the usage text after it is left out).
            let text = err.render().to_string();
            let line = text
                .lines()
                .map(str::trim)
                .skip_while(|l| l.is_empty())
                .take_while(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            let line = line.trim_start_matches("error: ");
            eprintln!("task: {line} (task --help lists the commands)");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => return report(&anyhow::Error::new(err).context("cannot start the runtime")),
    };
    let command = cli.command.unwrap_or_default();
    match runtime.block_on(command.run(cli.global)) {
        Ok(code) => code,
        Err(err) => report(&err),
    }
}

/// Prints `err` once, on one line, and picks the exit status.
fn report(err: &anyhow::Error) -> ExitCode {
    if is_broken_pipe(err) {
        return ExitCode::SUCCESS;
    }
    let line = format!("{err:#}");
    eprintln!("task: {}", common::text::escape_control(&line));
    if is_usage(err) {
        ExitCode::from(2)
    } else {
        ExitCode::FAILURE
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn is_usage(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.is::<UsageError>()
            || cause.is::<common::filter::FilterError>()
            || cause.is::<common::dates::DateError>()
    })
}
