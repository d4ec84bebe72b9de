//! `task show ID…`: every field of tasks.

use std::process::ExitCode;

use anyhow::Result;

use crate::commands::{is_fatal, Failures};
use crate::context::Ctx;
use crate::ids::parse_ids;
use crate::render;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Task IDs: 3, 3,5, 4-6
    #[arg(required = true, value_name = "ID")]
    ids: Vec<String>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let ids = parse_ids(&args.ids)?;
    let client = ctx.client()?;
    let mut shown = Vec::new();
    let mut failures = Failures::default();
    let mut text = String::new();
    for id in ids {
        match client.get_task(id).await {
            Ok(task) => {
                if !ctx.json() {
                    if !text.is_empty() {
                        text.push('\n');
                    }
                    text.push_str(&render::task_detail(&task, ctx.style, ctx.clock.now_utc()));
                }
                shown.push(task);
            }
            Err(err) if is_fatal(&err) => {
                failures.say_missing(ctx);
                return Err(err.into());
            }
            Err(err) => failures.add(ctx, id, &err),
        }
    }
    if ctx.json() {
        ctx.print_json(&shown)?;
    } else {
        ctx.print(&text)?;
    }
    Ok(failures.finish(ctx))
}
