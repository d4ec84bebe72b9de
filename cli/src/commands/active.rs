//! `task start ID…` and `task stop ID…`: mark tasks active, or no longer.

use std::process::ExitCode;

use anyhow::Result;
use common::api::StatusFilter;
use common::ops;

use crate::commands::change_each;
use crate::context::Ctx;
use crate::select;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Tasks: 3, 3,5, 4-6, or 8 or more characters of a uuid (or a filter
    /// before the command: task +home start)
    #[arg(value_name = "ID")]
    ids: Vec<String>,
}

/// Starts (`active`) or stops each task; one already so is said to be.
pub async fn run(ctx: &Ctx, args: Args, active: bool) -> Result<ExitCode> {
    let client = ctx.client()?;
    let verb = if active { "Started" } else { "Stopped" };
    let targets = select::targets(
        ctx,
        &client,
        &ctx.global.filter,
        &args.ids,
        StatusFilter::Pending,
    )
    .await?;
    select::confirm(ctx, &targets, if active { "Start" } else { "Stop" })?;
    change_each(ctx, targets, verb, async |task| {
        ops::set_active(&client, &task, active).await
    })
    .await
}
