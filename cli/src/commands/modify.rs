//! `task modify ID… [MODS] [new title words]`: change tasks. `-tag` removes
//! a tag, an empty value (`due:`, `project:`, `pri:`) clears the field.
//! `task ID… append|prepend WORDS… [MODS]` put the words after or before
//! the title instead of in its place.

use std::process::ExitCode;

use anyhow::Result;
use common::api::{StatusFilter, Task};
use common::display;
use common::filter::{Modifications, ModifyMode, TitleWords};
use common::ops;

use crate::commands::add::flag_words;
use crate::commands::{change_each, change_together, quoted};
use crate::context::{Ctx, UsageError};
use crate::refs::split_leading_refs;
use crate::select;
use common::api::BulkAction;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Tasks (3, 3,5, 4-6, or 8 or more characters of a uuid), then modifiers (project:P, pri:H, due:DATE,
    /// +tag, -tag) and new title words
    #[arg(value_name = "ID… [MODS]")]
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

pub async fn run(ctx: &Ctx, args: Args, title_words: TitleWords) -> Result<ExitCode> {
    let (command, verb, ask) = match title_words {
        TitleWords::Replace => ("modify", "Modified", "Modify"),
        TitleWords::Append => ("append", "Appended to", "Append to"),
        TitleWords::Prepend => ("prepend", "Prepended to", "Prepend to"),
    };
    // With a filter before the command, every word after it is a modifier
    // (`task 3 modify 2 eggs` retitles task 3 only), as in Taskwarrior.
    let (name_words, mod_words) = if ctx.global.filter.is_empty() {
        split_leading_refs(&args.words)
    } else {
        (&[][..], &args.words[..])
    };
    if name_words.is_empty() && ctx.global.filter.is_empty() {
        return Err(UsageError(format!(
            "name the tasks: task 3 {command} MODS, task +home {command} MODS"
        ))
        .into());
    }
    let mut words = flag_words(args.project, args.priority, args.due, args.tags);
    words.extend_from_slice(mod_words);
    let mut mods = Modifications::parse(&words, &ctx.clock, ModifyMode::Modify)?;
    mods.description = args.description;
    mods.title_words = title_words;
    if title_words != TitleWords::Replace && mods.title().is_none() {
        return Err(UsageError(format!(
            "nothing to {command}: give the words, as in task 3 {command} before Friday"
        ))
        .into());
    }
    if mods.is_empty() {
        return Err(UsageError(
            "nothing to change: give modifiers (pri:H, due:friday, +tag, -tag, …) or new title words".into(),
        )
        .into());
    }

    let client = ctx.client()?;
    let targets = select::targets(
        ctx,
        &client,
        command,
        &ctx.global.filter,
        name_words,
        StatusFilter::Pending,
    )
    .await?;
    let resolved = ops::resolve(&client, &mods).await?;
    let only_substitutions = {
        let mut rest = mods.clone();
        rest.substitutions.clear();
        rest.is_empty()
    };
    let not_found = |task: &Task| not_found(ctx, &mods, only_substitutions, task);
    select::confirm(ctx, &targets, ask)?;
    if targets.len() > 1 {
        return change_together(
            ctx,
            targets,
            verb,
            BulkAction::Modify,
            |_| None,
            |task| {
                not_found(task)?;
                Ok(Some(mods.to_patch(task, &resolved)))
            },
        )
        .await;
    }
    change_each(ctx, targets, verb, async |task| {
        if let Err(reason) = not_found(&task) {
            return Ok(ops::Outcome::Refused(reason));
        }
        ops::modify(&client, &task, &mods, &resolved).await
    })
    .await
}

/// Names the substitutions that find nothing in `task`'s title, which
/// would otherwise leave it as it was without a word why: the task's
/// failure when they were all the command asked (nothing would change),
/// else said beside the rest of the change (`only_substitutions`: the
/// command asked nothing else).
fn not_found(
    ctx: &Ctx,
    mods: &Modifications,
    only_substitutions: bool,
    task: &Task,
) -> Result<(), String> {
    let missing = mods.not_found(task);
    if missing.is_empty() {
        return Ok(());
    }
    let named: Vec<String> = missing.iter().map(|from| quoted(from)).collect();
    let said = format!(
        "{} {} not in its title {}",
        named.join(", "),
        if named.len() == 1 { "is" } else { "are" },
        quoted(&task.title)
    );
    if only_substitutions && missing.len() == mods.substitutions.len() {
        return Err(format!("{said}: nothing changed"));
    }
    ctx.warn(&format!("task {}: {said}", display::name(task)));
    Ok(())
}
