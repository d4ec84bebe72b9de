//! `task start ID…` and `task stop ID…`: mark tasks active, or no longer.

use std::process::ExitCode;

use anyhow::Result;
use common::api::StatusFilter;
use common::ops;

use crate::commands::{change_each, change_together};
use crate::context::Ctx;
use crate::select;
use crate::select::Names;
use common::api::BulkAction;

/// Starts (`active`) or stops each task; one already so is said to be.
pub async fn run(ctx: &Ctx, args: Names, active: bool) -> Result<ExitCode> {
    let client = ctx.client()?;
    let verb = if active { "Started" } else { "Stopped" };
    let targets = select::targets(
        ctx,
        &client,
        if active { "start" } else { "stop" },
        &ctx.global.filter,
        &args.ids,
        StatusFilter::Pending,
    )
    .await?;
    select::confirm(ctx, &targets, if active { "Start" } else { "Stop" })?;
    if targets.len() > 1 {
        let action = if active {
            BulkAction::Start
        } else {
            BulkAction::Stop
        };
        return change_together(
            ctx,
            targets,
            verb,
            action,
            |task| ops::already_active(task, active),
            |_| Ok(None),
        )
        .await;
    }
    change_each(ctx, targets, verb, async |task| {
        ops::set_active(&client, &task, active).await
    })
    .await
}
