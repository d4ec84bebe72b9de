//! `task delete ID…`: move tasks to the trash; on a terminal it asks first,
//! unless `--yes`. Several tasks go in one request, so that one `task undo`
//! brings them all back.

use std::collections::HashSet;
use std::process::ExitCode;

use anyhow::{bail, Result};
use common::api::{BulkAction, BulkRequest, StatusFilter, Task, TaskQuery};
use common::client::ApiClient;
use common::display;
use common::list_query::{OrderField, OrderKey};
use common::task_ref::TaskRef;

use crate::commands::{is_fatal, quoted, Failures};
use crate::context::Ctx;
use crate::prompt;
use crate::select;
use crate::select::Names;

pub async fn run(ctx: &Ctx, args: Names) -> Result<ExitCode> {
    let client = ctx.client()?;
    let chosen = select::targets(
        ctx,
        &client,
        "delete",
        &ctx.global.filter,
        &args.ids,
        StatusFilter::All,
    )
    .await?;
    let mut failures = Failures::default();
    let mut targets: Vec<(String, Task)> = Vec::new();
    for target in chosen {
        match target.read(&client).await {
            Ok(task) => targets.push((target.name(), task)),
            Err(err) if is_fatal(&err) => {
                failures.say_missing(ctx);
                return Err(err.into());
            }
            Err(err) => failures.add(ctx, &target.again(), &err),
        }
    }
    if targets.is_empty() {
        return Ok(failures.finish(ctx));
    }
    // Said before the question, which may end the command.
    failures.say_missing(ctx);
    if prompt::interactive() && !ctx.global.yes {
        select::list_for_question(targets.iter().map(|(_, task)| task));
        if let Some(note) = waiting_note(&client, &targets).await? {
            eprintln!("{note}");
        }
        let question = match targets.len() {
            1 => "Delete this task?".to_string(),
            n => format!("Delete these {n} tasks?"),
        };
        if !prompt::confirm(&question)? {
            bail!("nothing deleted");
        }
    }

    let mut deleted = Vec::new();
    if let [(name, task)] = targets.as_slice() {
        // One task: only if it is still the version shown.
        match client.delete_task(task.id, Some(task.version)).await {
            Ok(()) => {
                ctx.say(&format!("Deleted task {name} {}.", quoted(&task.title)))?;
                deleted.push(task.clone());
            }
            Err(err) if is_fatal(&err) => return Err(err.into()),
            Err(err) if err.status() == Some(412) => {
                ctx.warn(&format!(
                    "task {name}: changed since it was read; not deleted"
                ));
                failures.said();
            }
            Err(err) => failures.add(ctx, &TaskRef::Uuid(task.uuid.clone()), &err),
        }
    } else {
        let request = BulkRequest {
            ids: targets.iter().map(|(_, task)| task.id).collect(),
            action: BulkAction::Delete,
            patch: None,
            patches: Default::default(),
            versions: Default::default(),
        };
        let result = client.bulk(&request).await?;
        for (name, task) in &targets {
            match result.failed.iter().find(|f| f.id == task.id) {
                Some(failure) => {
                    ctx.warn(&format!("task {name}: {}", failure.reason));
                    failures.said();
                }
                None => {
                    ctx.say(&format!("Deleted task {name} {}.", quoted(&task.title)))?;
                    deleted.push(task.clone());
                }
            }
        }
    }
    // A hint for people, not for scripts reading stdout.
    if !deleted.is_empty() && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let which = if deleted.len() == 1 { "it" } else { "them" };
        eprintln!("`task undo` brings {which} back (so does `task restore UUID`, for 30 days).");
    }
    if ctx.json() {
        ctx.print_json(&deleted)?;
    }
    Ok(failures.finish(ctx))
}

/// Tasks whose waiters are looked up one by one for the question; past
/// that, the question says only that others wait.
const WAITERS_LOOKED_UP: usize = 20;

/// What deleting `targets` does to the pending tasks waiting for them (those
/// a filter hides too), for the question; none when no other task waits.
async fn waiting_note(client: &ApiClient, targets: &[(String, Task)]) -> Result<Option<String>> {
    let them = if targets.len() == 1 { "it" } else { "these" };
    let blocking: Vec<i64> = targets
        .iter()
        .filter(|(_, task)| task.blocking)
        .map(|(_, task)| task.id)
        .collect();
    if blocking.is_empty() {
        return Ok(None);
    }
    if blocking.len() > WAITERS_LOOKED_UP {
        return Ok(Some(display::waiting_note(&[], them)));
    }
    let deleted: HashSet<i64> = targets.iter().map(|(_, task)| task.id).collect();
    let mut seen = HashSet::new();
    let mut waiting = Vec::new();
    for id in blocking {
        let query = TaskQuery {
            depends_on: Some(id),
            status: Some(StatusFilter::Pending),
            ordering: vec![OrderKey::asc(OrderField::Number)],
            ..TaskQuery::default()
        };
        for task in client.list_all_tasks(&query).await? {
            if !deleted.contains(&task.id) && seen.insert(task.id) {
                waiting.push(task);
            }
        }
    }
    waiting.sort_by_key(|task| task.number);
    let names: Vec<String> = waiting.iter().map(display::name).collect();
    // Waited for only by tasks deleted with them: nothing to say.
    Ok((!names.is_empty()).then(|| display::waiting_note(&names, them)))
}
