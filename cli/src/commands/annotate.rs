//! `task annotate ID… TEXT…` and `task denotate ID… TEXT…`: add a note to
//! tasks, or take one away.

use std::process::ExitCode;

use crate::commands::{change_each, Outcome};
use crate::context::{Ctx, UsageError};
use crate::ids::{parse_ids, split_leading_ids};
use anyhow::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Task IDs, then the note's words
    #[arg(required = true, value_name = "ID… TEXT…", allow_hyphen_values = true)]
    words: Vec<String>,
}

fn ids_and_text(words: &[String], usage: &str) -> Result<(Vec<i64>, String), UsageError> {
    let (ids, rest) = split_leading_ids(words);
    let ids = parse_ids(ids)?;
    let text = rest.join(" ");
    if text.trim().is_empty() {
        return Err(UsageError(format!("give the note's text: {usage}")));
    }
    Ok((ids, text))
}

pub async fn annotate(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let (ids, text) = ids_and_text(&args.words, "task ID annotate TEXT…")?;
    let client = ctx.client()?;
    change_each(ctx, ids, "Annotated", async |id| {
        client.annotate_task(id, &text).await?;
        client.get_task(id).await.map(Outcome::Changed)
    })
    .await
}

/// Takes away the note whose text is exactly `text`, or else the first one
/// that holds it (as Taskwarrior does).
pub async fn denotate(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let (ids, text) = ids_and_text(&args.words, "task ID denotate TEXT…")?;
    let client = ctx.client()?;
    change_each(ctx, ids, "Denotated", async |id| {
        let task = client.get_task(id).await?;
        let note = task
            .annotations
            .iter()
            .find(|a| a.text == text)
            .or_else(|| task.annotations.iter().find(|a| a.text.contains(&text)));
        let Some(note) = note else {
            return Ok(Outcome::Refused(format!(
                "task {id} has no note that says {text:?}"
            )));
        };
        client
            .denotate_task(id, note.id, Some(task.version))
            .await?;
        client.get_task(id).await.map(Outcome::Changed)
    })
    .await
}
