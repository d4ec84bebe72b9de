//! `task start ID…` and `task stop ID…`: mark tasks active, or no longer.

use std::process::ExitCode;

use anyhow::Result;

use crate::commands::{change_each, Outcome};
use crate::context::Ctx;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Task IDs: 3, 3,5, 4-6
    #[arg(required = true, value_name = "ID")]
    ids: Vec<String>,
}

/// Starts (`active`) or stops each task; one already so is said to be.
pub async fn run(ctx: &Ctx, args: Args, active: bool) -> Result<ExitCode> {
    let ids = crate::ids::parse_ids(&args.ids)?;
    let client = ctx.client()?;
    let (verb, state) = if active {
        ("Started", "active")
    } else {
        ("Stopped", "not active")
    };
    change_each(ctx, ids, verb, async |id| {
        let task = client.get_task(id).await?;
        if task.start.is_some() == active {
            return Ok(Outcome::AlreadySo(task, state));
        }
        client.set_active(id, active).await.map(Outcome::Changed)
    })
    .await
}
