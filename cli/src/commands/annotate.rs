//! `task annotate ID… TEXT…` and `task denotate ID… TEXT…`: add a note to
//! tasks, or take one away.

use std::process::ExitCode;

use anyhow::Result;
use common::api::{BulkAction, StatusFilter, TaskPatch};
use common::client::ApiClient;
use common::ops::{self, Outcome};

use crate::commands::{change_each, change_together};
use crate::context::{Ctx, UsageError};
use crate::refs::split_leading_refs;
use crate::select::{self, Target};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Task IDs, then the note's words
    #[arg(value_name = "ID… TEXT…", allow_hyphen_values = true)]
    words: Vec<String>,
}

/// The tasks (named first, or by the filter before the command) and the
/// note's text.
async fn targets_and_text(
    ctx: &Ctx,
    client: &ApiClient,
    words: &[String],
    command: &str,
) -> Result<(Vec<Target>, String)> {
    // With a filter before the command, every word after it is the note's
    // (`task 3 annotate 10 minutes late`).
    let (names, rest) = if ctx.global.filter.is_empty() {
        split_leading_refs(words)
    } else {
        (&[][..], words)
    };
    let text = rest.join(" ");
    if text.trim().is_empty() {
        return Err(UsageError(format!("give the note's text: task ID {command} TEXT…")).into());
    }
    let targets = select::targets(
        ctx,
        client,
        command,
        &ctx.global.filter,
        names,
        StatusFilter::Pending,
    )
    .await?;
    Ok((targets, text))
}

/// Adds the note to each task: several in one request, one undo step.
pub async fn annotate(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let client = ctx.client()?;
    let (targets, text) = targets_and_text(ctx, &client, &args.words, "annotate").await?;
    select::confirm(ctx, &targets, "Annotate")?;
    if targets.len() > 1 {
        let patch = TaskPatch {
            annotate: Some(vec![text]),
            ..TaskPatch::default()
        };
        return change_together(
            ctx,
            targets,
            "Annotated",
            BulkAction::Modify,
            |_| None,
            |_| Ok(Some(patch.clone())),
        )
        .await;
    }
    change_each(ctx, targets, "Annotated", async |task| {
        ops::annotate(&client, &task, &text)
            .await
            .map(Outcome::Changed)
    })
    .await
}

/// Takes the note away from each task: the one that says exactly that, else
/// the first that contains it (as Taskwarrior's `denotate`); several in one
/// request, one undo step.
pub async fn denotate(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let client = ctx.client()?;
    let (targets, text) = targets_and_text(ctx, &client, &args.words, "denotate").await?;
    // Asked only when a note would go: tasks without one are each said
    // to have none, below, with nothing to confirm.
    if targets.iter().any(|target| match target {
        select::Target::Read { task, .. } => ops::note_saying(task, &text).is_ok(),
        select::Target::Named(_) => true,
    }) {
        select::confirm(ctx, &targets, "Denotate")?;
    }
    if targets.len() > 1 {
        return change_together(
            ctx,
            targets,
            "Denotated",
            BulkAction::Modify,
            |_| None,
            |task| {
                let note = ops::note_saying(task, &text)?;
                Ok(Some(TaskPatch {
                    denotate: Some(vec![note.id]),
                    ..TaskPatch::default()
                }))
            },
        )
        .await;
    }
    change_each(ctx, targets, "Denotated", async |task| {
        ops::denotate(&client, &task, &text).await
    })
    .await
}
