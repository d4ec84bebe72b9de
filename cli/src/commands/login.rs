//! `task login [USER]`: get tokens and keep them in the credentials file.

use std::process::ExitCode;

use anyhow::Result;

use crate::context::{Ctx, UsageError};
use crate::prompt;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The username [default: the one last logged in; prompted for on a terminal]
    user: Option<String>,
    /// Read the password from the first line of stdin
    #[arg(long)]
    password_stdin: bool,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let client = ctx.client()?;
    let last = client.username();
    let username = match (args.user, last) {
        (Some(user), _) => user,
        (None, last) if prompt::interactive() && !args.password_stdin => {
            let prompt = match &last {
                Some(name) => format!("Username [{}]: ", common::text::escape_control(name)),
                None => "Username: ".to_string(),
            };
            let typed = prompt::line(&prompt)?;
            match (typed.is_empty(), last) {
                (false, _) => typed,
                (true, Some(last)) => last,
                (true, None) => {
                    return Err(UsageError("the username cannot be empty".into()).into())
                }
            }
        }
        (None, Some(last)) => last,
        (None, None) => return Err(UsageError("give a username: task login USER".into()).into()),
    };
    let password = if args.password_stdin {
        prompt::stdin_lines(1)?.remove(0)
    } else {
        prompt::password("Password: ")?
    };
    client.login(&username, &password).await?;
    // The account as the server spells it: `task login ALICE` is alice.
    let me = client.me().await?;
    if ctx.json() {
        ctx.print_json(&me)?;
    } else {
        ctx.say(&format!(
            "Logged in to {} as {}.",
            common::text::escape_control(client.server()),
            common::text::escape_control(&me.username)
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
