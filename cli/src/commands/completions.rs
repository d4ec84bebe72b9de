//! `task completions SHELL`: a completion script on stdout.

use std::process::ExitCode;

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::context::Ctx;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// bash, zsh, fish, elvish or powershell
    shell: Shell,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut crate::Cli::command(), "task", &mut script);
    ctx.print(&String::from_utf8_lossy(&script))?;
    Ok(ExitCode::SUCCESS)
}
