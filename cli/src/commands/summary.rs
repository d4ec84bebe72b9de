//! `task projects [FILTER…]` and `task tags [FILTER…]`: how many pending
//! tasks (not waiting, unless the filter says otherwise) have each project
//! and each tag, counted by the server.

use std::process::ExitCode;

use anyhow::Result;
use common::api::Summary;
use common::filter::TaskFilter;
use common::ops;
use common::text::escape_control;
use unicode_width::UnicodeWidthStr;

use crate::context::Ctx;

#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// Filter words, as for `task list`: only the tasks they match are counted
    #[arg(value_name = "FILTER")]
    filter: Vec<String>,
}

pub async fn run(ctx: &Ctx, args: Args, summary: Summary) -> Result<ExitCode> {
    let mut filter = TaskFilter::parse(&args.filter, &ctx.clock)?;
    super::list::default_view(&mut filter.query);
    let client = ctx.client()?;
    let counts = ops::count_by(&client, summary, &filter).await?;
    if ctx.json() {
        ctx.print_json(&counts)?;
        return Ok(ExitCode::SUCCESS);
    }
    let (header, noun) = match summary {
        Summary::Projects => ("Project", "project"),
        Summary::Tags => ("Tag", "tag"),
    };
    if counts.is_empty() {
        ctx.say(&format!("No {noun}s."))?;
        return Ok(ExitCode::SUCCESS);
    }
    let names: Vec<String> = counts
        .iter()
        .map(|c| match summary {
            Summary::Projects => escape_control(&c.name).into_owned(),
            Summary::Tags => format!("+{}", escape_control(&c.name)),
        })
        .collect();
    let width = names
        .iter()
        .map(|n| n.width())
        .chain([header.width()])
        .max()
        .unwrap_or(0);
    let mut text = format!(
        "{}\n",
        ctx.style.underline(&format!("{header:<width$} Tasks"))
    );
    for (name, count) in names.iter().zip(&counts) {
        let fill = width.saturating_sub(name.width());
        text.push_str(&format!("{name}{} {:>5}\n", " ".repeat(fill), count.count));
    }
    let plural = if counts.len() == 1 { "" } else { "s" };
    text.push_str(&format!("\n{} {noun}{plural}\n", counts.len()));
    ctx.print(&text)?;
    Ok(ExitCode::SUCCESS)
}
