//! `task register [USER]`: create an account.

use std::process::ExitCode;

use anyhow::Result;
use common::api::RegisterRequest;

use crate::context::{Ctx, UsageError};
use crate::prompt;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The username (prompted for when left out)
    user: Option<String>,
    /// An e-mail address for the account
    #[arg(long)]
    email: Option<String>,
    /// Read the password from the first line of stdin
    #[arg(long)]
    password_stdin: bool,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let username = match args.user {
        Some(user) => user,
        None if prompt::interactive() && !args.password_stdin => prompt::line("Username: ")?,
        None => return Err(UsageError("give a username: task register USER".into()).into()),
    };
    if username.is_empty() {
        return Err(UsageError("the username cannot be empty".into()).into());
    }
    let password = if args.password_stdin {
        prompt::stdin_lines(1)?.remove(0)
    } else {
        prompt::new_password("Password: ")?
    };
    let client = ctx.client()?;
    let user = client
        .register(&RegisterRequest {
            username,
            password,
            email: args.email,
        })
        .await?;
    if ctx.json() {
        ctx.print_json(&user)?;
    } else {
        let name = common::text::escape_control(&user.username);
        ctx.say(&format!(
            "Registered {name}. Log in with: task login {name}"
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
