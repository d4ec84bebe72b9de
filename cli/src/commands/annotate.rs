//! `task annotate ID… TEXT…` and `task denotate ID… TEXT…`: add a note to
//! tasks, or take one away.

use std::process::ExitCode;

use anyhow::Result;
use common::ops::{self, Outcome};
use common::task_ref::TaskRef;

use crate::commands::change_each;
use crate::context::{Ctx, UsageError};
use crate::refs::{parse_refs, split_leading_refs};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Task IDs, then the note's words
    #[arg(required = true, value_name = "ID… TEXT…", allow_hyphen_values = true)]
    words: Vec<String>,
}

fn names_and_text(words: &[String], usage: &str) -> Result<(Vec<TaskRef>, String), UsageError> {
    let (names, rest) = split_leading_refs(words);
    let names = parse_refs(names)?;
    let text = rest.join(" ");
    if text.trim().is_empty() {
        return Err(UsageError(format!("give the note's text: {usage}")));
    }
    Ok((names, text))
}

/// Adds the note to each task.
pub async fn annotate(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let (names, text) = names_and_text(&args.words, "task ID annotate TEXT…")?;
    let client = ctx.client()?;
    change_each(ctx, names, "Annotated", async |task| {
        ops::annotate(&client, &task, &text)
            .await
            .map(Outcome::Changed)
    })
    .await
}

/// Takes the note away from each task: the one that says exactly that, else
/// the first that contains it (as Taskwarrior's `denotate`).
pub async fn denotate(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let (names, text) = names_and_text(&args.words, "task ID denotate TEXT…")?;
    let client = ctx.client()?;
    change_each(ctx, names, "Denotated", async |task| {
        ops::denotate(&client, &task, &text).await
    })
    .await
}
