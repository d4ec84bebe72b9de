//! `task passwd`: change the password. Every other session ends; this one
//! logs in again with the new password.

use std::process::ExitCode;

use anyhow::Result;

use crate::context::Ctx;
use crate::prompt;

#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// Read the current password and then the new one, one a line, from stdin
    #[arg(long)]
    password_stdin: bool,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let client = ctx.client()?;
    let (current, new) = if args.password_stdin {
        let mut lines = prompt::stdin_lines(2)?;
        let new = lines.remove(1);
        (lines.remove(0), new)
    } else {
        let current = prompt::password("Current password: ")?;
        (current, prompt::new_password("New password: ")?)
    };
    client.change_password(&current, &new).await?;
    ctx.say("Password changed. Other sessions have been logged out.")?;
    Ok(ExitCode::SUCCESS)
}
