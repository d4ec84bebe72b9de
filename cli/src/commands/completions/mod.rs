//! `task completions SHELL`: a completion script on stdout. For bash, zsh
//! and fish the script asks `task _complete` for candidates, so that they
//! follow Taskwarrior's grammar and include the user's projects and tags;
//! elvish and powershell get clap's static script of commands and flags.

use std::process::ExitCode;

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::context::Ctx;

const BASH: &str = include_str!("task.bash");
const ZSH: &str = include_str!("task.zsh");
const FISH: &str = include_str!("task.fish");

#[derive(Debug, clap::Args)]
pub struct Args {
    /// bash, zsh, fish, elvish or powershell
    shell: Shell,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let script = match args.shell {
        Shell::Bash => BASH.to_string(),
        Shell::Zsh => ZSH.to_string(),
        Shell::Fish => FISH.to_string(),
        other => {
            let mut script = Vec::new();
            clap_complete::generate(other, &mut crate::Cli::command(), "task", &mut script);
            String::from_utf8_lossy(&script).into_owned()
        }
    };
    ctx.print(&script)?;
    Ok(ExitCode::SUCCESS)
}
