//! `task [FILTER] export`: the tasks in Taskwarrior's export format (a JSON
//! array), which Taskwarrior's `task import` reads. Every task by default,
//! done ones too, as Taskwarrior's own export.

use std::process::ExitCode;

use anyhow::Result;
use common::api::StatusFilter;
use common::filter::TaskFilter;
use common::ops;

use crate::context::Ctx;

#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// Filter words, as for `task list`
    #[arg(value_name = "FILTER")]
    filter: Vec<String>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let mut filter = TaskFilter::parse(&args.filter, &ctx.clock)?;
    filter.refuse_limit("task export writes every task the filter matches")?;
    filter.query.status.get_or_insert(StatusFilter::All);
    let client = ctx.client()?;
    let tasks = ops::export(&client, &filter).await?;
    // Always JSON: this is the format, not a rendering of it.
    ctx.print_json(&tasks)?;
    Ok(ExitCode::SUCCESS)
}
