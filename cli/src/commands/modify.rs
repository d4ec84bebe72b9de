//! `task modify ID… [MODS] [new title words]`: change tasks. `-tag` removes
//! a tag, an empty value (`due:`, `project:`, `pri:`) clears the field.

use std::process::ExitCode;

use anyhow::Result;
use common::api::Task;
use common::client::{ApiClient, ClientError};
use common::filter::{Modifications, ModifyMode};

use crate::commands::add::flag_words;
use crate::commands::{change_each, Outcome};
use crate::context::{Ctx, UsageError};
use crate::ids::{parse_ids, split_leading_ids};

/// How often a tag change is retried when the task changes under it.
const ATTEMPTS: usize = 3;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Task IDs (3, 3,5, 4-6), then modifiers (project:P, pri:H, due:DATE,
    /// +tag, -tag) and new title words
    #[arg(required = true, value_name = "ID… [MODS]")]
    words: Vec<String>,
    /// The project; "" clears it
    #[arg(long, value_name = "P")]
    project: Option<String>,
    /// high, medium or low (or H, M, L); "" clears it
    #[arg(long, value_name = "PRIORITY")]
    priority: Option<String>,
    /// When it is due; "" clears it
    #[arg(long, value_name = "DATE")]
    due: Option<String>,
    /// Add a tag (repeatable)
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Replace the description
    #[arg(long)]
    description: Option<String>,
}

pub async fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let (id_words, mod_words) = split_leading_ids(&args.words);
    if id_words.is_empty() {
        return Err(UsageError("give the task IDs first: task modify ID… [MODS]".into()).into());
    }
    let ids = parse_ids(id_words)?;
    let mut words = flag_words(args.project, args.priority, args.due, args.tags);
    words.extend_from_slice(mod_words);
    let mut mods = Modifications::parse(&words, &ctx.clock, ModifyMode::Modify)?;
    mods.description = args.description;
    if mods.is_empty() {
        return Err(UsageError(
            "nothing to change: give modifiers (pri:H, due:friday, +tag, -tag, …) or new title words".into(),
        )
        .into());
    }

    let client = ctx.client()?;
    change_each(ctx, ids, "Modified", async |id| {
        modify_one(&client, id, &mods).await.map(Outcome::Changed)
    })
    .await
}

/// One PATCH; when a list or map changes (tags, dependencies, attributes),
/// read-modify-write guarded by `If-Match`, so
/// that a concurrent change is never overwritten.
async fn modify_one(
    client: &ApiClient,
    id: i64,
    mods: &Modifications,
) -> Result<Task, ClientError> {
    if !mods.needs_current() {
        return client
            .update_task(id, &mods.to_patch(&Task::default()), None)
            .await;
    }
    let mut attempt = 0;
    loop {
        attempt += 1;
        let current = client.get_task(id).await?;
        let patch = mods.to_patch(&current);
        match client.update_task(id, &patch, Some(current.version)).await {
            Err(err) if err.status() == Some(412) && attempt < ATTEMPTS => continue,
            other => return other,
        }
    }
}
