//! `task trash`, `task restore UUID…`, `task purge UUID…`: deleted tasks
//! stay 30 days in the trash, where they can be brought back or let go.

use std::process::ExitCode;

use anyhow::{bail, Result};
use common::api::TrashedTask;
use common::display;

use crate::commands::quoted;
use crate::context::{Ctx, UsageError};
use crate::prompt;

#[derive(Debug, Default, clap::Args)]
pub struct ListArgs {}

#[derive(Debug, clap::Args)]
pub struct Names {
    /// The tasks' uuids, or their first 8 or more characters (as `task trash` shows them)
    #[arg(value_name = "UUID")]
    uuids: Vec<String>,
}

pub async fn list(ctx: &Ctx, _args: ListArgs) -> Result<ExitCode> {
    let trash = ctx.client()?.trash().await?;
    if ctx.json() {
        ctx.print_json(&trash)?;
        return Ok(ExitCode::SUCCESS);
    }
    if trash.is_empty() {
        ctx.say("The trash is empty.")?;
        return Ok(ExitCode::SUCCESS);
    }
    let tz = ctx.clock.now().offset();
    let mut text = String::from("UUID      Deleted           Title\n");
    for trashed in &trash {
        text.push_str(&format!(
            "{:<9} {:<17} {}\n",
            display::uuid_name(&trashed.task.uuid),
            display::date(trashed.deleted_at, tz),
            common::text::escape_control(&trashed.task.title)
        ));
    }
    text.push_str(&format!(
        "{} in the trash; each goes 30 days after it was deleted. `task restore UUID` brings one back.\n",
        match trash.len() {
            1 => "1 task".to_string(),
            n => format!("{n} tasks"),
        }
    ));
    ctx.print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The trashed task `name` names: its uuid or a prefix of 8 characters or more.
fn find<'a>(trash: &'a [TrashedTask], name: &str) -> Result<&'a TrashedTask> {
    let name = name.trim().to_ascii_lowercase();
    if name.chars().count() < common::display::UUID_SHOWN {
        return Err(UsageError(format!(
            "{name}: give a uuid, or its first {} characters or more (see `task trash`)",
            common::display::UUID_SHOWN
        ))
        .into());
    }
    let matches: Vec<&TrashedTask> = trash
        .iter()
        .filter(|t| t.task.uuid.to_ascii_lowercase().starts_with(&name))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => bail!("{name}: no such task in the trash"),
        many => bail!(
            "{name}: {} tasks in the trash start so: give more of the uuid",
            many.len()
        ),
    }
}

/// A command on trashed tasks names at least one.
fn named(args: &Names, command: &str) -> Result<()> {
    if args.uuids.is_empty() {
        return Err(UsageError(format!(
            "task {command} UUID…: name the trashed tasks by their uuids (task trash lists them)"
        ))
        .into());
    }
    Ok(())
}

pub async fn restore(ctx: &Ctx, args: Names) -> Result<ExitCode> {
    named(&args, "restore")?;
    let client = ctx.client()?;
    let trash = client.trash().await?;
    let mut restored = Vec::new();
    for name in &args.uuids {
        let trashed = find(&trash, name)?;
        let task = client.restore(trashed.task.id).await?;
        let number = task
            .number
            .map(|n| format!(", task {n}"))
            .unwrap_or_default();
        let mut said = format!("Restored {}{number}.", quoted(&task.title));
        // Back past its until date, it would go again within the minute.
        if let Some(warning) = display::expiry_warning(&task, ctx.clock.now_utc()) {
            said.push_str(&format!(
                " {warning} To keep it: task {} modify until:",
                display::name(&task)
            ));
        }
        ctx.say(&said)?;
        restored.push(task);
    }
    if ctx.json() {
        ctx.print_json(&restored)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn purge(ctx: &Ctx, args: Names) -> Result<ExitCode> {
    named(&args, "purge")?;
    let client = ctx.client()?;
    let trash = client.trash().await?;
    let chosen = args
        .uuids
        .iter()
        .map(|name| find(&trash, name))
        .collect::<Result<Vec<_>>>()?;
    if prompt::interactive() && !ctx.global.yes {
        for trashed in &chosen {
            eprintln!(
                "  {} {}",
                display::uuid_name(&trashed.task.uuid),
                quoted(&trashed.task.title)
            );
        }
        let question = match chosen.len() {
            1 => "Delete this task for good? It cannot be brought back.".to_string(),
            n => format!("Delete these {n} tasks for good? They cannot be brought back."),
        };
        if !prompt::confirm(&question)? {
            bail!("nothing purged");
        }
    }
    for trashed in chosen {
        client.purge(trashed.task.id).await?;
        ctx.say(&format!("Purged {}.", quoted(&trashed.task.title)))?;
    }
    Ok(ExitCode::SUCCESS)
}
