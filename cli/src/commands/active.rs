//! `task start ID…` and `task stop ID…`: mark tasks active, or no longer.

use std::process::ExitCode;

use anyhow::Result;
use common::ops;

use crate::commands::change_each;
use crate::context::Ctx;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Tasks: 3, 3,5, 4-6, or 8 or more characters of a uuid
    #[arg(required = true, value_name = "ID")]
    ids: Vec<String>,
}

/// Starts (`active`) or stops each task; one already so is said to be.
pub async fn run(ctx: &Ctx, args: Args, active: bool) -> Result<ExitCode> {
    let names = crate::refs::parse_refs(&args.ids)?;
    let client = ctx.client()?;
    let verb = if active { "Started" } else { "Stopped" };
    change_each(ctx, names, verb, async |task| {
        ops::set_active(&client, &task, active).await
    })
    .await
}
