//! `task list [FILTER…]`: a table of tasks, pending ones by default.

use std::process::ExitCode;

use anyhow::Result;
use common::api::StatusFilter;
use common::filter::TaskFilter;

use crate::context::Ctx;
use crate::render;

#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// +tag, -tag, project:P, priority:H, status:done|pending|all, due:DATE,
    /// due.before:DATE, due.after:DATE, scheduled.before:DATE, scheduled.after:DATE,
    /// +ACTIVE +BLOCKED +UNBLOCKED +BLOCKING +WAITING +READY +SCHEDULED +OVERDUE +TODAY
    /// (and - forms); other words are searched for
    #[arg(value_name = "FILTER")]
    filter: Vec<String>,
    /// Comma list of id, title, status, priority, due, created_at, updated_at; `-` reverses
    #[arg(long, value_name = "FIELDS")]
    sort: Option<String>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let mut filter = TaskFilter::parse(&args.filter, &ctx.clock)?;
    if filter.query.status.is_none() {
        filter.query.status = Some(StatusFilter::Pending);
        // Waiting tasks stay out of the default view, as in Taskwarrior,
        // unless the filter asks about them.
        filter.query.waiting.get_or_insert(false);
    }
    if let Some(sort) = &args.sort {
        filter.sort_by(sort)?;
    }
    let client = ctx.client()?;
    // The server applies the whole filter: only matching tasks come back.
    let tasks = client.list_all_tasks(&filter.query).await?;

    if ctx.json() {
        ctx.print_json(&tasks)?;
        return Ok(ExitCode::SUCCESS);
    }
    if tasks.is_empty() {
        ctx.say("No matching tasks.")?;
        return Ok(ExitCode::SUCCESS);
    }
    let show_status = filter.query.status != Some(StatusFilter::Pending);
    let mut text = render::task_table(
        &tasks,
        ctx.width(),
        show_status,
        ctx.style,
        ctx.clock.now_utc(),
    );
    let count = tasks.len();
    text.push_str(&format!(
        "\n{count} task{}\n",
        if count == 1 { "" } else { "s" }
    ));
    ctx.print(&text)?;
    Ok(ExitCode::SUCCESS)
}
