//! `task show ID…`: every field of tasks.

use std::collections::HashMap;
use std::process::ExitCode;

use anyhow::Result;

use crate::commands::{is_fatal, Failures};
use crate::context::Ctx;
use crate::history;
use crate::render;
use crate::select;
use crate::select::Names;
use common::api::{StatusFilter, Task, TaskQuery};
use common::client::ApiClient;
use common::display;

pub async fn run(ctx: &Ctx, args: Names) -> Result<ExitCode> {
    let client = ctx.client()?;
    let targets = select::targets(
        ctx,
        &client,
        "info",
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
                    let names = dependency_names(&client, &links, &history).await?;
                    text.push_str(&history::render(&history, ctx.clock.now().offset(), &names));
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

/// How the user names each task the history's dependencies name: those
/// linked now as they are shown above, the others (done or no longer
/// linked) looked up, at most a page of them.
async fn dependency_names(
    client: &ApiClient,
    links: &render::Links,
    history: &[common::api::HistoryEntry],
) -> Result<HashMap<i64, String>> {
    let mut names: HashMap<i64, String> = links
        .depends
        .iter()
        .chain(&links.blocking)
        .map(|other| (other.id, display::name(other)))
        .collect();
    let unknown: Vec<i64> = history::dependencies(history)
        .into_iter()
        .filter(|id| !names.contains_key(id))
        .take(LOOKED_UP)
        .collect();
    for id in unknown {
        let name = match client.get_task(id).await {
            Ok(other) => display::name(&other),
            Err(err) if is_fatal(&err) => return Err(err.into()),
            Err(err) if err.is_not_found() => "(a deleted task)".to_string(),
            Err(_) => continue,
        };
        names.insert(id, name);
    }
    Ok(names)
}

/// The most dependencies of a history looked up by name, one request each.
const LOOKED_UP: usize = 50;

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
