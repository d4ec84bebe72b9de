//! One file per subcommand, each with its own `Args` and `run`; this enum
//! only dispatches.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

use crate::context::Ctx;
use crate::Global;

mod active;
mod add;
mod annotate;
mod completions;
mod delete;
mod done;
mod list;
mod login;
mod logout;
mod modify;
mod passwd;
mod register;
mod reopen;
mod show;
mod whoami;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an account on the server
    Register(register::Args),
    /// Log in (the password is prompted without echo)
    Login(login::Args),
    /// Log out: the server forgets this login's refresh token
    Logout(logout::Args),
    /// Show who is logged in, and where
    Whoami(whoami::Args),
    /// Change the password
    Passwd(passwd::Args),
    /// Add a task: task add WORDS… [project:P] [pri:H] [due:DATE] [+tag]
    Add(add::Args),
    /// List tasks (pending by default): task list [FILTER…] [--sort due,-priority]
    #[command(visible_alias = "ls")]
    List(list::Args),
    /// Show tasks in full
    #[command(visible_alias = "info")]
    Show(show::Args),
    /// Mark tasks done
    Done(done::Args),
    /// Mark done tasks pending again
    Reopen(reopen::Args),
    /// Change tasks: task modify ID… [MODS] [new title words]
    #[command(visible_alias = "edit")]
    Modify(modify::Args),
    /// Delete tasks (asks first on a terminal, unless --yes)
    #[command(visible_alias = "rm")]
    Delete(delete::Args),
    /// Mark tasks active: task ID… start
    Start(active::Args),
    /// Mark tasks no longer active: task ID… stop
    Stop(active::Args),
    /// Add a note to tasks: task ID… annotate TEXT…
    Annotate(annotate::Args),
    /// Take a note away: task ID… denotate TEXT… (the exact text, else the first note holding it)
    Denotate(annotate::Args),
    /// Print a shell completion script: task completions bash|zsh|fish|elvish|powershell
    Completions(completions::Args),
}

impl Default for Command {
    /// `task` alone lists pending tasks.
    fn default() -> Command {
        Command::List(list::Args::default())
    }
}

impl Command {
    pub async fn run(self, global: Global) -> Result<ExitCode> {
        let ctx = Ctx::new(global)?;
        match self {
            Command::Register(args) => register::run(&ctx, args).await,
            Command::Login(args) => login::run(&ctx, args).await,
            Command::Logout(args) => logout::run(&ctx, args).await,
            Command::Whoami(args) => whoami::run(&ctx, args).await,
            Command::Passwd(args) => passwd::run(&ctx, args).await,
            Command::Add(args) => add::run(&ctx, args).await,
            Command::List(args) => list::run(&ctx, args).await,
            Command::Show(args) => show::run(&ctx, args).await,
            Command::Done(args) => done::run(&ctx, args).await,
            Command::Reopen(args) => reopen::run(&ctx, args).await,
            Command::Modify(args) => modify::run(&ctx, args).await,
            Command::Delete(args) => delete::run(&ctx, args).await,
            Command::Start(args) => active::run(&ctx, args, true).await,
            Command::Stop(args) => active::run(&ctx, args, false).await,
            Command::Annotate(args) => annotate::annotate(&ctx, args).await,
            Command::Denotate(args) => annotate::denotate(&ctx, args).await,
            Command::Completions(args) => completions::run(&ctx, args),
        }
    }
}

/// The exit status after acting on several IDs: failure if any failed.
pub fn status(failed: bool) -> ExitCode {
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// A one-line failure for one task of several; the server's detail.
/// What went wrong with the IDs of one command. IDs that name no task are
/// said together in one line at the end (`tasks 11-9000, 9005: no such
/// task`), however many there are; anything else is said at once.
#[derive(Debug, Default)]
pub struct Failures {
    missing: Vec<i64>,
    failed: bool,
}

impl Failures {
    pub fn add(&mut self, ctx: &Ctx, id: i64, err: &common::client::ClientError) {
        self.failed = true;
        if err.is_not_found() {
            self.missing.push(id);
        } else {
            ctx.warn(&format!("task {id}: {err}"));
        }
    }

    /// A failure already said by the caller.
    pub fn said(&mut self) {
        self.failed = true;
    }

    /// Says the missing IDs noted so far: before a question, or before
    /// giving up on the rest.
    pub fn say_missing(&mut self, ctx: &Ctx) {
        match self.missing.as_slice() {
            [] => {}
            [id] => ctx.warn(&format!("task {id}: no such task")),
            ids => ctx.warn(&format!("tasks {}: no such task", id_ranges(ids))),
        }
        self.missing.clear();
    }

    /// Says the missing IDs; the exit status of the command.
    pub fn finish(mut self, ctx: &Ctx) -> ExitCode {
        self.say_missing(ctx);
        status(self.failed)
    }
}

/// `11-13, 20` for [11, 12, 13, 20], in the order given.
fn id_ranges(ids: &[i64]) -> String {
    let mut runs: Vec<(i64, i64)> = Vec::new();
    for &id in ids {
        match runs.last_mut() {
            Some((_, last)) if last.checked_add(1) == Some(id) => *last = id,
            _ => runs.push((id, id)),
        }
    }
    runs.iter()
        .map(|&(first, last)| match first == last {
            true => first.to_string(),
            false => format!("{first}-{last}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Errors that end a multi-ID command at once: the server is gone or the
/// session is, so the other IDs would fail the same way.
pub fn is_fatal(err: &common::client::ClientError) -> bool {
    err.is_unreachable() || err.needs_login()
}

/// `"title"`, escaped, for messages.
pub fn quoted(title: &str) -> String {
    format!("\"{}\"", common::text::escape_control(title))
}

/// What the change of one task came to.
pub enum Outcome {
    Changed(common::api::Task),
    /// The task already was as asked (the state named): nothing was sent.
    AlreadySo(common::api::Task, &'static str),
    /// Nothing could be done, for the reason given: a failure.
    Refused(String),
}

/// `done` and `reopen`: the task is read, then its status set, so that a
/// task already in that state is said to be (as Taskwarrior does).
pub async fn set_status(
    ctx: &Ctx,
    id_words: &[String],
    new_status: common::api::Status,
    verb: &str,
) -> Result<ExitCode> {
    let ids = crate::ids::parse_ids(id_words)?;
    let client = ctx.client()?;
    let patch = common::api::TaskPatch {
        status: Some(new_status),
        ..Default::default()
    };
    change_each(ctx, ids, verb, async |id| {
        let task = client.get_task(id).await?;
        if task.status == new_status {
            return Ok(Outcome::AlreadySo(task, new_status.as_str()));
        }
        client
            .update_task(id, &patch, None)
            .await
            .map(Outcome::Changed)
    })
    .await
}

/// Applies `change` to each task in turn: reports each on its own line, goes
/// on past an unknown ID (exit 1 at the end), stops at once when the server
/// is down or the session is over; with `--json`, prints the tasks as they
/// now are.
pub async fn change_each(
    ctx: &Ctx,
    ids: Vec<i64>,
    verb: &str,
    mut change: impl AsyncFnMut(i64) -> Result<Outcome, common::client::ClientError>,
) -> Result<ExitCode> {
    let mut changed = Vec::new();
    let mut failures = Failures::default();
    for id in ids {
        match change(id).await {
            Ok(Outcome::Changed(task)) => {
                ctx.say(&format!("{verb} task {id} {}.", quoted(&task.title)))?;
                changed.push(task);
            }
            Ok(Outcome::AlreadySo(task, state)) => {
                ctx.say(&format!(
                    "Task {id} {} is already {state}.",
                    quoted(&task.title)
                ))?;
                changed.push(task);
            }
            Ok(Outcome::Refused(reason)) => {
                ctx.warn(&reason);
                failures.said();
            }
            Err(err) if is_fatal(&err) => {
                failures.say_missing(ctx);
                return Err(err.into());
            }
            Err(err) => failures.add(ctx, id, &err),
        }
    }
    if ctx.json() {
        ctx.print_json(&changed)?;
    }
    Ok(failures.finish(ctx))
}

#[cfg(test)]
mod tests {
    use super::id_ranges;

    #[test]
    fn consecutive_ids_fold_into_ranges() {
        assert_eq!(id_ranges(&[11, 12, 13, 20, 7, 8]), "11-13, 20, 7-8");
        assert_eq!(id_ranges(&[5]), "5");
        assert_eq!(id_ranges(&[i64::MAX, 1]), format!("{}, 1", i64::MAX));
    }
}
