//! `task logout`: revoke this login on the server and forget its tokens.

use std::process::ExitCode;

use anyhow::{Context as _, Result};

use crate::context::Ctx;

#[derive(Debug, Default, clap::Args)]
pub struct Args {}

pub async fn run(ctx: &Ctx, _args: Args) -> Result<ExitCode> {
    let client = ctx.client()?;
    if !client.is_logged_in() {
        ctx.say("Not logged in.")?;
        return Ok(ExitCode::SUCCESS);
    }
    client
        .logout()
        .await
        .context("logged out here, but the server could not be told")?;
    ctx.say("Logged out.")?;
    Ok(ExitCode::SUCCESS)
}
