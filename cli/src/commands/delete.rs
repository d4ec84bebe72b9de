//! `task delete ID…`: delete tasks; on a terminal it asks first, unless `--yes`.

use std::process::ExitCode;

use anyhow::{bail, Result};

use crate::commands::{is_fatal, quoted, Failures};
use crate::context::Ctx;
use crate::ids::parse_ids;
use crate::prompt;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Task IDs: 3, 3,5, 4-6
    #[arg(required = true, value_name = "ID")]
    ids: Vec<String>,
    /// Do not ask
    #[arg(long, short = 'y')]
    yes: bool,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let ids = parse_ids(&args.ids)?;
    let client = ctx.client()?;
    let mut failures = Failures::default();

    // On a terminal: show what would go, ask once, then delete exactly
    // those versions (a task changed meanwhile is not deleted unseen).
    let mut targets: Vec<(i64, Option<i64>, Option<String>)> = Vec::new();
    if prompt::interactive() && !args.yes {
        for id in ids {
            match client.get_task(id).await {
                Ok(task) => targets.push((id, Some(task.version), Some(task.title))),
                Err(err) if is_fatal(&err) => {
                    failures.say_missing(ctx);
                    return Err(err.into());
                }
                Err(err) => failures.add(ctx, id, &err),
            }
        }
        if targets.is_empty() {
            return Ok(failures.finish(ctx));
        }
        // Said before the question, which may end the command.
        failures.say_missing(ctx);
        for (id, _, title) in &targets {
            eprintln!("  {id} {}", quoted(title.as_deref().unwrap_or("")));
        }
        let question = match targets.len() {
            1 => "Delete this task?".to_string(),
            n => format!("Delete these {n} tasks?"),
        };
        if !prompt::confirm(&question)? {
            bail!("nothing deleted");
        }
    } else {
        targets = ids.into_iter().map(|id| (id, None, None)).collect();
    }

    let mut deleted = Vec::new();
    for (id, version, _) in targets {
        match client.delete_task(id, version).await {
            Ok(()) => {
                ctx.say(&format!("Deleted task {id}."))?;
                deleted.push(id);
            }
            Err(err) if is_fatal(&err) => {
                failures.say_missing(ctx);
                return Err(err.into());
            }
            Err(err) if err.status() == Some(412) => {
                ctx.warn(&format!(
                    "task {id}: changed since it was shown; not deleted"
                ));
                failures.said();
            }
            Err(err) => failures.add(ctx, id, &err),
        }
    }
    if ctx.json() {
        ctx.print_json(&deleted)?;
    }
    Ok(failures.finish(ctx))
}
