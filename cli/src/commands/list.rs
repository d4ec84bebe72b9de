//! `task list [FILTER…]` and Taskwarrior's other reports (`next`, `all`,
//! `completed`, `waiting`, `active`, `blocked`, `ready`, `overdue`): a table
//! of the tasks the server selects, each report a filter and an order of its
//! own, which the words given narrow.

use std::process::ExitCode;

use anyhow::Result;
use common::api::{StatusFilter, TaskQuery};
use common::filter::{ReportLimit, TaskFilter, MOST_SHOWN};
use common::list_query::{OrderField, OrderKey};
use common::ops;

use crate::context::Ctx;
use crate::render;

/// Lines of a report that are not tasks: the header, the blank line and the
/// count under the table, and the shell's next prompt.
const REPORT_CHROME: usize = 4;

/// The tasks a view shows unless its words say otherwise: pending ones,
/// without those still waiting (as in Taskwarrior), when no status is named.
pub fn default_view(query: &mut TaskQuery) {
    if query.status.is_none() {
        query.status = Some(StatusFilter::Pending);
        query.waiting.get_or_insert(false);
    }
}

/// A report: which tasks, in which order, how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// The most urgent pending tasks, as many as fit the terminal.
    Next,
    /// Pending tasks that are not waiting.
    List,
    /// Every task, done and waiting ones too.
    All,
    Completed,
    Waiting,
    Active,
    Blocked,
    Ready,
    Overdue,
}

impl Report {
    /// The report's own filter and order, under what the user's words ask:
    /// a status, a `+WAITING`, a `--sort` given wins.
    fn shape(self, query: &mut TaskQuery, now: chrono::DateTime<chrono::Utc>) {
        let pending = |query: &mut TaskQuery| {
            query.status.get_or_insert(StatusFilter::Pending);
        };
        let by_urgency = vec![
            OrderKey::desc(OrderField::Urgency),
            OrderKey::asc(OrderField::Id),
        ];
        let order = match self {
            Report::Next | Report::List => {
                default_view(query);
                match self {
                    Report::Next => by_urgency,
                    _ => Vec::new(),
                }
            }
            Report::All => {
                query.status.get_or_insert(StatusFilter::All);
                Vec::new()
            }
            Report::Completed => {
                query.status.get_or_insert(StatusFilter::Done);
                vec![OrderKey::desc(OrderField::CompletedAt)]
            }
            Report::Waiting => {
                pending(query);
                query.waiting = Some(true);
                vec![OrderKey::asc(OrderField::Wait)]
            }
            Report::Active => {
                pending(query);
                query.active = Some(true);
                vec![OrderKey::asc(OrderField::Start)]
            }
            Report::Blocked => {
                pending(query);
                query.blocked = Some(true);
                by_urgency
            }
            Report::Ready => {
                query.ready = Some(true);
                by_urgency
            }
            Report::Overdue => {
                pending(query);
                query.due_before = Some(query.due_before.map_or(now, |d| d.min(now)));
                vec![OrderKey::asc(OrderField::Due)]
            }
        };
        if query.ordering.is_empty() {
            query.ordering = order;
        }
    }
}

#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// +tag, -tag, project:P, priority:H, status:done|pending|all, due:DATE,
    /// due.before:DATE, due.after:DATE, scheduled.before:DATE, scheduled.after:DATE,
    /// +ACTIVE +BLOCKED +UNBLOCKED +BLOCKING +WAITING +READY +SCHEDULED +OVERDUE +TODAY
    /// (and - forms), uda.NAME:VALUE, task names (3,5 4-6 or a uuid prefix); other words
    /// are searched for
    #[arg(value_name = "FILTER")]
    filter: Vec<String>,
    /// Comma list of id, title, status, priority, due, created_at, updated_at; `-` reverses
    #[arg(long, value_name = "FIELDS")]
    sort: Option<String>,
}

pub async fn run(ctx: &Ctx, args: Args, report: Report) -> Result<ExitCode> {
    let mut filter = TaskFilter::parse(&args.filter, &ctx.clock)?;
    if let Some(sort) = &args.sort {
        filter.sort_by(sort)?;
    }
    report.shape(&mut filter.query, ctx.clock.now_utc());
    let client = ctx.client()?;
    // As many as fit the terminal: `next`'s own limit, and `limit:page`'s.
    let page = ctx.height().map(|height| {
        let rows = height.saturating_sub(REPORT_CHROME).max(1);
        u32::try_from(rows).unwrap_or(u32::MAX).min(MOST_SHOWN)
    });
    let limit = match (filter.limit, report) {
        (Some(ReportLimit::Tasks(n)), _) => Some(n),
        (Some(ReportLimit::Page), _) | (None, Report::Next) => page,
        (None, _) => None,
    };
    // The server applies the whole filter and order: only matching tasks
    // come back, one page of them when the report is limited.
    let (tasks, total) = match limit {
        Some(limit) if filter.names.is_empty() => {
            let mut query = filter.query.clone();
            query.limit = Some(limit);
            let page = client.list_tasks(&query).await?;
            (page.results, page.count)
        }
        Some(limit) => {
            let mut tasks = match args.sort {
                Some(_) => ops::list_all_sorted(&client, &filter).await?,
                None => ops::list_all(&client, &filter).await?,
            };
            let total = tasks.len() as u64;
            tasks.truncate(limit as usize);
            (tasks, total)
        }
        // Tasks named come in the order named, unless a sort is asked for.
        None if args.sort.is_some() => {
            let tasks = ops::list_all_sorted(&client, &filter).await?;
            let count = tasks.len() as u64;
            (tasks, count)
        }
        None => {
            let tasks = ops::list_all(&client, &filter).await?;
            let count = tasks.len() as u64;
            (tasks, count)
        }
    };

    if ctx.json() {
        ctx.print_json(&tasks)?;
        return Ok(ExitCode::SUCCESS);
    }
    if tasks.is_empty() {
        ctx.say("No matching tasks.")?;
        if let Some(hint) = ops::project_hint(&client, &filter.query).await {
            ctx.warn(&hint);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let show_status = filter.query.status != Some(StatusFilter::Pending);
    let mut text = render::task_table(
        &tasks,
        ctx.width(),
        show_status,
        matches!(report, Report::Next | Report::Ready),
        ctx.style,
        ctx.clock.now_utc(),
    );
    let count = tasks.len();
    let plural = if total == 1 { "" } else { "s" };
    if count as u64 == total {
        text.push_str(&format!("\n{count} task{plural}\n"));
    } else {
        text.push_str(&format!(
            "\n{count} of {total} task{plural} ({})\n",
            match filter.limit {
                Some(ReportLimit::Tasks(n)) => format!("limit:{n}"),
                Some(ReportLimit::Page) => "limit:page".to_string(),
                None => "task list shows them all".to_string(),
            }
        ));
    }
    ctx.print(&text)?;
    Ok(ExitCode::SUCCESS)
}
