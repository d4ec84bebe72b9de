//! `task show ID…`: every field of tasks.

use std::process::ExitCode;

use anyhow::Result;

use crate::commands::{is_fatal, Failures};
use crate::context::Ctx;
use crate::render;
use crate::select;
use crate::select::Names;
use common::api::{ChangeOp, HistoryEntry, StatusFilter, Task, TaskQuery};
use common::client::ApiClient;

pub async fn run(ctx: &Ctx, args: Names) -> Result<ExitCode> {
    let client = ctx.client()?;
    let targets = select::targets(
        ctx,
        &client,
        &ctx.global.filter,
        &args.ids,
        StatusFilter::All,
    )
    .await?;
    let mut shown = Vec::new();
    let mut failures = Failures::default();
    let mut text = String::new();
    for target in targets {
        match target.read(&client).await {
            Ok(task) => {
                if !ctx.json() {
                    let links = links(&client, &task).await?;
                    if !text.is_empty() {
                        text.push('\n');
                    }
                    text.push_str(&render::task_detail(
                        &task,
                        &links,
                        ctx.style,
                        ctx.clock.now_utc(),
                    ));
                    let history = match client.history(task.id).await {
                        Ok(history) => history,
                        Err(err) if is_fatal(&err) => return Err(err.into()),
                        // A server without history: the rest still shows.
                        Err(_) => Vec::new(),
                    };
                    text.push_str(&journal(&history, ctx.clock.now().offset()));
                }
                shown.push(task);
            }
            Err(err) if is_fatal(&err) => {
                failures.say_missing(ctx);
                return Err(err.into());
            }
            Err(err) => failures.add(ctx, &target.again(), &err),
        }
    }
    if ctx.json() {
        ctx.print_json(&shown)?;
    } else {
        ctx.print(&text)?;
    }
    Ok(failures.finish(ctx))
}

/// The task's history, one line per field changed, oldest first.
fn journal(history: &[HistoryEntry], tz: &chrono::FixedOffset) -> String {
    if history.is_empty() {
        return String::new();
    }
    let value = |value: &serde_json::Value| match value {
        serde_json::Value::Null => "(none)".to_string(),
        other => common::text::escape_control(&other.to_string()).into_owned(),
    };
    let mut text = String::from("History\n");
    for entry in history {
        let when = common::display::date(entry.at, tz);
        let line = match (&entry.field, entry.op) {
            (None, _) => "deleted".to_string(),
            (Some(field), ChangeOp::Created) => format!("{field}: {}", value(&entry.new)),
            (Some(field), _) => format!("{field}: {} → {}", value(&entry.old), value(&entry.new)),
        };
        text.push_str(&format!("  {when:<16}  {line}\n"));
    }
    text
}

/// The tasks `task` waits for, and the pending ones waiting for it.
async fn links(client: &ApiClient, task: &Task) -> Result<render::Links> {
    let mut links = render::Links::default();
    for id in &task.depends {
        match client.get_task(*id).await {
            Ok(other) => links.depends.push(other),
            Err(err) if is_fatal(&err) => return Err(err.into()),
            // Deleted since: it has left the list already.
            Err(_) => {}
        }
    }
    if task.blocking {
        let query = TaskQuery {
            depends_on: Some(task.id),
            status: Some(StatusFilter::Pending),
            ..TaskQuery::default()
        };
        links.blocking = client.list_all_tasks(&query).await?;
    }
    Ok(links)
}
