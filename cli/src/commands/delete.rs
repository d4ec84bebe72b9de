//! `task delete ID…`: delete tasks; on a terminal it asks first, unless `--yes`.

use std::process::ExitCode;

use anyhow::{bail, Result};
use common::api::StatusFilter;
use common::display;
use common::ops::{self, Outcome};
use common::task_ref::TaskRef;

use crate::commands::{change_each, is_fatal, quoted, Failures};
use crate::context::Ctx;
use crate::prompt;
use crate::select;
use crate::select::Names;

pub async fn run(ctx: &Ctx, args: Names) -> Result<ExitCode> {
    let client = ctx.client()?;
    let chosen = select::targets(
        ctx,
        &client,
        &ctx.global.filter,
        &args.ids,
        StatusFilter::All,
    )
    .await?;
    if !prompt::interactive() || ctx.global.yes {
        return change_each(ctx, chosen, "Deleted", async |task| {
            ops::delete(&client, &task).await?;
            Ok(Outcome::Changed(task))
        })
        .await;
    }

    // On a terminal: show what would go, ask once, then delete exactly
    // those versions (a task changed meanwhile is not deleted unseen).
    let mut failures = Failures::default();
    let mut targets = Vec::new();
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
    for (_, task) in &targets {
        eprintln!("  {} {}", display::name(task), quoted(&task.title));
    }
    let question = match targets.len() {
        1 => "Delete this task?".to_string(),
        n => format!("Delete these {n} tasks?"),
    };
    if !prompt::confirm(&question)? {
        bail!("nothing deleted");
    }

    let mut deleted = Vec::new();
    for (name, task) in targets {
        match ops::delete(&client, &task).await {
            Ok(()) => {
                ctx.say(&format!("Deleted task {name} {}.", quoted(&task.title)))?;
                deleted.push(task);
            }
            Err(err) if is_fatal(&err) => {
                failures.say_missing(ctx);
                return Err(err.into());
            }
            Err(err) if err.status() == Some(412) => {
                ctx.warn(&format!(
                    "task {name}: changed since it was shown; not deleted"
                ));
                failures.said();
            }
            Err(err) => failures.add(ctx, &TaskRef::Uuid(task.uuid.clone()), &err),
        }
    }
    if ctx.json() {
        ctx.print_json(&deleted)?;
    }
    Ok(failures.finish(ctx))
}
