//! `task add WORDS… [MODS]`: create a task; `task log`, one already done.

use std::process::ExitCode;

use anyhow::Result;
use common::api::Status;
use common::display;
use common::filter::{Modifications, ModifyMode, Resolved};
use common::ops;

use crate::context::{Ctx, UsageError};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Title words and modifiers: project:P, priority:H|M|L, due:DATE,
    /// wait:DATE, scheduled:DATE, until:DATE, depends:1,2, uda.NAME:VALUE,
    /// +tag; every word after `--` is title
    // Not `required`: with none, the grammar's message says what a title is.
    #[arg(value_name = "WORDS")]
    words: Vec<String>,
    /// The project (dotted for sub-projects: home.garden)
    #[arg(long, value_name = "P")]
    project: Option<String>,
    /// high, medium or low (or H, M, L)
    #[arg(long, value_name = "PRIORITY")]
    priority: Option<String>,
    /// When it is due: 2026-12-01, tomorrow, friday, eom, 3d, "in 2 weeks", …
    #[arg(long, value_name = "DATE")]
    due: Option<String>,
    /// A tag (repeatable)
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// A longer description
    #[arg(long)]
    description: Option<String>,
}

/// The flags as modifier words, so that one parser checks both forms.
pub fn flag_words(
    project: Option<String>,
    priority: Option<String>,
    due: Option<String>,
    tags: Vec<String>,
) -> Vec<String> {
    let mut words = Vec::new();
    words.extend(project.map(|p| format!("project:{p}")));
    words.extend(priority.map(|p| format!("priority:{p}")));
    words.extend(due.map(|d| format!("due:{d}")));
    words.extend(tags.into_iter().map(|t| format!("+{t}")));
    words
}

/// Whether the task is made to be done (`add`) or as done already (`log`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Made {
    Pending,
    Done,
}

pub async fn run(ctx: &Ctx, args: Args, made: Made) -> Result<ExitCode> {
    for tag in &args.tags {
        if tag.is_empty() || tag.starts_with(['+', '-']) {
            return Err(UsageError(format!("--tag {tag:?}: give the tag's name")).into());
        }
    }
    let mut words = args.words;
    // After `--` everything is title; the flags' words go before it.
    let flags = flag_words(args.project, args.priority, args.due, args.tags);
    words.splice(0..0, flags);
    let mut mods = Modifications::parse(&words, &ctx.clock, ModifyMode::Add)?;
    mods.description = args.description;
    // A title is checked before anything is looked up.
    mods.to_new_task(&Resolved::new())?;

    let client = ctx.client()?;
    let resolved = ops::resolve(&client, &mods).await?;
    let mut new = mods.to_new_task(&resolved)?;
    if made == Made::Done {
        new.status = Some(Status::Done);
    }
    let task = client.create_task(&new).await?;
    if ctx.json() {
        ctx.print_json(&task)?;
    } else if made == Made::Done {
        ctx.say(&format!("Logged task {}.", display::name(&task)))?;
    } else {
        let created = format!("Created task {}.", display::name(&task));
        ctx.say(&display::with_expiry_warning(
            created,
            &task,
            ctx.clock.now_utc(),
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
