//! `task projects [FILTER…]` and `task tags [FILTER…]`: how many pending
//! tasks (waiting ones too, as Taskwarrior counts them, unless the filter
//! names a status) have each project and each tag, counted by the server;
//! projects rolled up into their parents, as Taskwarrior shows them.
//! `task _projects` and `task _tags` print the names alone.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::Result;
use common::api::{NameCount, StatusFilter, Summary};
use common::filter::TaskFilter;
use common::ops;
use common::text::escape_control;
use unicode_width::UnicodeWidthStr;

use crate::context::Ctx;
use crate::render;

#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// Filter words, as for `task list`: only the tasks they match are counted
    #[arg(value_name = "FILTER")]
    filter: Vec<String>,
}

/// The filter words, read; `limit:` has no use here.
fn filter_of(ctx: &Ctx, args: &Args) -> Result<TaskFilter> {
    let filter = TaskFilter::parse(&args.filter, &ctx.clock)?;
    filter.refuse_limit("this command counts every task the filter matches")?;
    Ok(filter)
}

pub async fn run(ctx: &Ctx, args: Args, summary: Summary) -> Result<ExitCode> {
    let mut filter = filter_of(ctx, &args)?;
    filter.query.status.get_or_insert(StatusFilter::Pending);
    let client = ctx.client()?;
    let (header, noun) = match summary {
        Summary::Projects => ("Project", "project"),
        Summary::Tags => ("Tag", "tag"),
    };
    if ctx.json() {
        ctx.print_json(&ops::count_by(&client, summary, &filter).await?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let (rows, footer) = match summary {
        Summary::Projects => {
            let (counts, total) = ops::count_by_with_total(&client, summary, &filter).await?;
            project_rows(&counts, total)
        }
        Summary::Tags => {
            let counts = ops::count_by(&client, summary, &filter).await?;
            let rows: Vec<Row> = counts
                .iter()
                .map(|c| Row {
                    name: format!("+{}", escape_control(&c.name)),
                    count: c.count,
                })
                .collect();
            let footer = format!("{} {}", rows.len(), plural(rows.len() as u64, noun));
            (rows, footer)
        }
    };
    if rows.is_empty() {
        ctx.say(&format!("No {noun}s."))?;
        return Ok(ExitCode::SUCCESS);
    }
    let width = rows
        .iter()
        .map(|row| row.name.width())
        .chain([header.width()])
        .max()
        .unwrap_or(0);
    let mut text = format!(
        "{}\n",
        ctx.style.underline(&format!("{header:<width$} Tasks"))
    );
    for row in &rows {
        let fill = width.saturating_sub(row.name.width());
        text.push_str(&format!(
            "{}{} {:>5}\n",
            row.name,
            " ".repeat(fill),
            row.count
        ));
    }
    text.push_str(&format!("\n{footer}\n"));
    ctx.print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// `task _projects` and `task _tags`: the names alone, one per line, as
/// Taskwarrior's helpers write them for scripts and shell completion. Of
/// the pending tasks, waiting ones too, as Taskwarrior's.
pub async fn names(ctx: &Ctx, args: Args, summary: Summary) -> Result<ExitCode> {
    let mut filter = filter_of(ctx, &args)?;
    filter.query.status.get_or_insert(StatusFilter::Pending);
    let client = ctx.client()?;
    let counts = ops::count_by(&client, summary, &filter).await?;
    if ctx.json() {
        let names: Vec<&str> = counts.iter().map(|c| c.name.as_str()).collect();
        ctx.print_json(&names)?;
        return Ok(ExitCode::SUCCESS);
    }
    ctx.print(&render::lines(
        counts.iter().map(|c| escape_control(&c.name)),
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// One line of the table: a name as shown, and its count.
#[derive(Debug, PartialEq)]
struct Row {
    name: String,
    count: u64,
}

fn plural(count: u64, noun: &str) -> String {
    if count == 1 {
        noun.to_string()
    } else {
        format!("{noun}s")
    }
}

/// The projects as Taskwarrior shows them: each sub-project indented under
/// its parent, a parent counting its sub-projects' tasks with its own (and
/// shown even with none of its own), and the `total` tasks' without a
/// project first, as `(none)`. With the footer line.
fn project_rows(counts: &[NameCount], total: u64) -> (Vec<Row>, String) {
    // Compared part by part, so that a parent's sub-projects follow it
    // (`home`, `home.garden`, then `home-office`).
    let mut totals: BTreeMap<Vec<&str>, u64> = BTreeMap::new();
    for project in counts {
        let path: Vec<&str> = project.name.split('.').collect();
        for depth in 1..=path.len() {
            *totals.entry(path[..depth].to_vec()).or_default() += project.count;
        }
    }
    let with_project: u64 = counts.iter().map(|project| project.count).sum();
    let without = total.saturating_sub(with_project);
    let mut rows = Vec::new();
    if without > 0 {
        rows.push(Row {
            name: "(none)".to_string(),
            count: without,
        });
    }
    for (path, count) in &totals {
        let indent = "  ".repeat(path.len() - 1);
        let last = path.last().copied().unwrap_or_default();
        rows.push(Row {
            name: format!("{indent}{}", escape_control(last)),
            count: *count,
        });
    }
    let footer = format!(
        "{} {} ({} {})",
        totals.len(),
        plural(totals.len() as u64, "project"),
        total,
        plural(total, "task")
    );
    (rows, footer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(&str, u64)]) -> Vec<NameCount> {
        pairs
            .iter()
            .map(|(name, count)| NameCount {
                name: name.to_string(),
                count: *count,
            })
            .collect()
    }

    fn shown(rows: &[Row]) -> Vec<(&str, u64)> {
        rows.iter()
            .map(|row| (row.name.as_str(), row.count))
            .collect()
    }

    #[test]
    fn sub_projects_are_indented_and_counted_into_their_parents() {
        let (rows, footer) = project_rows(
            &counts(&[
                ("errands", 1),
                ("home", 1),
                ("home-office", 2),
                ("home.garden", 2),
                ("home.kitchen", 1),
                ("work.reports.weekly", 3),
            ]),
            12,
        );
        assert_eq!(
            shown(&rows),
            [
                ("(none)", 2),
                ("errands", 1),
                ("home", 4),
                ("  garden", 2),
                ("  kitchen", 1),
                ("home-office", 2),
                ("work", 3),
                ("  reports", 3),
                ("    weekly", 3),
            ]
        );
        assert_eq!(footer, "8 projects (12 tasks)");
    }

    #[test]
    fn tasks_without_a_project_alone_are_a_none_row() {
        let (rows, footer) = project_rows(&[], 3);
        assert_eq!(shown(&rows), [("(none)", 3)]);
        assert_eq!(footer, "0 projects (3 tasks)");
    }

    #[test]
    fn every_task_with_a_project_leaves_no_none_row() {
        let (rows, footer) = project_rows(&counts(&[("home", 1)]), 1);
        assert_eq!(shown(&rows), [("home", 1)]);
        assert_eq!(footer, "1 project (1 task)");
    }
}
