//! `task whoami`: the account logged in, and the server.

use std::process::ExitCode;

use anyhow::Result;

use crate::context::Ctx;

#[derive(Debug, Default, clap::Args)]
pub struct Args {}

pub async fn run(ctx: &Ctx, _args: Args) -> Result<ExitCode> {
    let client = ctx.client()?;
    let user = client.me().await?;
    if ctx.json() {
        ctx.print_json(&user)?;
    } else {
        let admin = if user.is_admin { " (admin)" } else { "" };
        ctx.say(&format!(
            "{}{admin} on {}",
            common::text::escape_control(&user.username),
            common::text::escape_control(client.server())
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
