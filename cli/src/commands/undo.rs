//! `task undo` and `task redo`: revert the latest change (a whole command,
//! however many tasks it touched), or what the latest undo reverted.

use std::process::ExitCode;

use anyhow::{bail, Result};
use common::client::{ClientError, Direction};
use common::display;

use crate::context::Ctx;
use crate::prompt;

#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// Revert even tasks changed since, putting each back as the step found it
    #[arg(long)]
    force: bool,
}

pub async fn run(ctx: &Ctx, args: Args, direction: Direction) -> Result<ExitCode> {
    let (verb, done) = match direction {
        Direction::Undo => ("Undo", "Undone"),
        Direction::Redo => ("Redo", "Redone"),
    };
    let client = ctx.client()?;
    let step = match client.next_step(direction).await {
        Ok(step) => step,
        Err(err) if err.status() == Some(404) => {
            ctx.warn(&format!("nothing to {}", verb.to_lowercase()));
            return Ok(ExitCode::FAILURE);
        }
        Err(err) => return Err(err.into()),
    };
    let when = display::date(step.at, ctx.clock.now().offset());
    if prompt::interactive() && !ctx.global.yes {
        eprintln!(
            "{verb}: {} ({when})",
            common::text::escape_control(&step.summary)
        );
        if !prompt::confirm(&format!("{verb} this?"))? {
            bail!("nothing {}", done.to_lowercase());
        }
    }
    match client.revert(direction, args.force).await {
        Ok(reverted) => {
            if ctx.json() {
                ctx.print_json(&reverted)?;
            } else {
                ctx.say(&format!(
                    "{done}: {}.",
                    common::text::escape_control(&reverted.summary)
                ))?;
                // A task brought back past its until date goes again at the
                // next sweep: said, with each one's name.
                let now = ctx.clock.now_utc();
                for task in &reverted.tasks {
                    if let Some(warning) = display::expiry_warning(task, now) {
                        ctx.say(&format!("Task {}. {warning}", display::name(task)))?;
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(ClientError::Api(problem)) if problem.status == 409 => {
            for (task, reasons) in problem.errors.iter().flatten() {
                ctx.warn(&format!("{task}: {}", reasons.join("; ")));
            }
            ctx.warn(&format!(
                "nothing {}: `task {} --force` reverts those tasks anyway",
                done.to_lowercase(),
                verb.to_lowercase()
            ));
            Ok(ExitCode::FAILURE)
        }
        Err(err) => Err(err.into()),
    }
}
