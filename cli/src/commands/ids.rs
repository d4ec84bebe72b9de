//! What scripts ask of a filter, as Taskwarrior answers it: how many tasks
//! match (`task +home count`), their numbers (`task +home ids`: `1-3 5`),
//! their uuids (`uuids`), and the one-per-line forms `_ids` and `_uuids`.
//! Done tasks are counted and give their uuids unless a status is named;
//! only pending tasks (waiting ones too) have numbers.

use std::process::ExitCode;

use anyhow::Result;
use common::api::StatusFilter;
use common::filter::TaskFilter;
use common::ops;

use crate::context::Ctx;
use crate::render;

#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// Filter words, as for `task list`
    #[arg(value_name = "FILTER")]
    filter: Vec<String>,
}

/// What is printed of the matching tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// How many there are.
    Count,
    /// Their numbers, as ranges on one line, or one per line.
    Numbers { lines: bool },
    /// Their uuids, on one line, or one per line.
    Uuids { lines: bool },
}

pub async fn run(ctx: &Ctx, args: Args, asked: Asked) -> Result<ExitCode> {
    let mut filter = TaskFilter::parse(&args.filter, &ctx.clock)?;
    filter.refuse_limit("this command answers for every task the filter matches")?;
    filter.query.status.get_or_insert(match asked {
        Asked::Numbers { .. } => StatusFilter::Pending,
        Asked::Count | Asked::Uuids { .. } => StatusFilter::All,
    });
    let client = ctx.client()?;
    match asked {
        Asked::Count => {
            // One page of one task says how many match, unless several
            // tasks are named, which the server's count does not know of.
            let count = match filter.single_query() {
                Some(mut query) => {
                    query.limit = Some(1);
                    client.list_tasks(&query).await?.count
                }
                None => ops::list_all(&client, &filter).await?.len() as u64,
            };
            if ctx.json() {
                ctx.print_json(&count)?;
            } else {
                ctx.print(&format!("{count}\n"))?;
            }
        }
        Asked::Numbers { lines } => {
            let tasks = ops::list_all(&client, &filter).await?;
            let mut numbers: Vec<i64> = tasks.iter().filter_map(|task| task.number).collect();
            numbers.sort_unstable();
            show(ctx, &numbers, lines, &ranges(&numbers))?;
        }
        Asked::Uuids { lines } => {
            let tasks = ops::list_all(&client, &filter).await?;
            // Sorted, as Taskwarrior's.
            let mut uuids: Vec<&str> = tasks.iter().map(|task| task.uuid.as_str()).collect();
            uuids.sort_unstable();
            show(ctx, &uuids, lines, &uuids.join(" "))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `items` as JSON with `--json`, else one per line, or `one_line`.
fn show<T: serde::Serialize + ToString>(
    ctx: &Ctx,
    items: &[T],
    lines: bool,
    one_line: &str,
) -> Result<()> {
    if ctx.json() {
        ctx.print_json(&items)
    } else if lines {
        ctx.print(&render::lines(items.iter().map(ToString::to_string)))
    } else {
        ctx.print(&format!("{one_line}\n"))
    }
}

/// Sorted numbers as Taskwarrior's `ids` writes them: runs as ranges,
/// `1-3 5 7-8`, ready for another command (`task 1-3 5 7-8 done`).
fn ranges(numbers: &[i64]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut start = 0;
    while start < numbers.len() {
        let mut end = start;
        while end + 1 < numbers.len() && numbers[end + 1] == numbers[end] + 1 {
            end += 1;
        }
        if end > start {
            parts.push(format!("{}-{}", numbers[start], numbers[end]));
        } else {
            parts.push(numbers[start].to_string());
        }
        start = end + 1;
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::ranges;

    #[test]
    fn runs_are_ranges() {
        assert_eq!(ranges(&[]), "");
        assert_eq!(ranges(&[4]), "4");
        assert_eq!(
            ranges(&[1, 2, 3, 5, 7, 8, 10, 11, 12, 13]),
            "1-3 5 7-8 10-13"
        );
    }
}
