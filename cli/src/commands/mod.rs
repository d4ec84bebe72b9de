//! One file per subcommand, each with its own `Args` and `run`; this enum
//! only dispatches.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

use common::api::{BulkAction, BulkRequest, StatusFilter, Summary, Task};
use common::client::ClientError;
use common::display;
use common::filter::TitleWords;
use common::ops::{self, Outcome};
use common::task_ref::{describe, TaskRef};

use crate::context::Ctx;
use crate::select::{self, Target};
use crate::Global;
use list::Report;

mod active;
mod add;
mod annotate;
mod complete;
mod completions;
mod delete;
mod done;
mod edit;
mod export;
mod ids;
mod import;
mod list;
mod login;
mod logout;
mod modify;
mod passwd;
mod register;
mod reopen;
mod show;
mod summary;
mod trash;
mod undo;
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
    /// Record a task already done, as task add takes it: task log WORDS… [MODS]
    Log(add::Args),
    /// The most urgent pending tasks, as many as fit the terminal (what `task` alone runs)
    Next(list::Args),
    /// List tasks (pending, not waiting, by default): task list [FILTER…] [--sort due,-priority]
    #[command(visible_alias = "ls")]
    List(list::Args),
    /// Every task, done and waiting ones too
    All(list::Args),
    /// Done tasks, the most recently completed first
    Completed(list::Args),
    /// Pending tasks whose wait date is still to come
    Waiting(list::Args),
    /// Started tasks
    Active(list::Args),
    /// Tasks waiting for another pending task
    Blocked(list::Args),
    /// Tasks that can be worked on now, most urgent first
    Ready(list::Args),
    /// Pending tasks past their due date
    Overdue(list::Args),
    /// The tasks in Taskwarrior's export format (all of them by default), for its `task import`
    Export(export::Args),
    /// Bring in what `task export` wrote (Taskwarrior's too): task import FILE|-
    Import(import::Args),
    /// Each project of the pending tasks, with how many have it
    Projects(summary::Args),
    /// Each tag of the pending tasks, with how many have it
    Tags(summary::Args),
    /// The projects of the pending tasks, one per line (for scripts)
    #[command(name = "_projects", hide = true)]
    ProjectNames(summary::Args),
    /// The tags of the pending tasks, one per line (for scripts)
    #[command(name = "_tags", hide = true)]
    TagNames(summary::Args),
    /// How many tasks match, done ones too unless a status is named: task [FILTER] count
    Count(ids::Args),
    /// The numbers of the matching pending tasks, as ranges: task [FILTER] ids
    Ids(ids::Args),
    /// The numbers of the matching pending tasks, one per line
    #[command(name = "_ids", hide = true)]
    IdLines(ids::Args),
    /// The uuids of the matching tasks, done ones too unless a status is named: task [FILTER] uuids
    Uuids(ids::Args),
    /// The uuids of the matching tasks, one per line
    #[command(name = "_uuids", hide = true)]
    UuidLines(ids::Args),
    /// Show tasks in full
    #[command(visible_alias = "info")]
    Show(select::Names),
    /// Mark tasks done
    Done(select::Names),
    /// Mark done tasks pending again
    Reopen(select::Names),
    /// Change tasks: task modify ID… [MODS] [new title words]
    Modify(modify::Args),
    /// Add words to the end of tasks' titles: task ID… append WORDS… [MODS]
    Append(modify::Args),
    /// Add words to the start of tasks' titles: task ID… prepend WORDS… [MODS]
    Prepend(modify::Args),
    /// Edit a task as a text form in $VISUAL or $EDITOR: task ID edit
    Edit(select::Names),
    /// Delete tasks (asks first on a terminal, unless --yes)
    #[command(visible_alias = "rm")]
    Delete(select::Names),
    /// Mark tasks active: task ID… start
    Start(select::Names),
    /// Mark tasks no longer active: task ID… stop
    Stop(select::Names),
    /// Add a note to tasks: task ID… annotate TEXT…
    Annotate(annotate::Args),
    /// Take a note away: task ID… denotate TEXT… (the exact text, else the first note holding it)
    Denotate(annotate::Args),
    /// Revert the latest change: a whole command, however many tasks it changed (asks first on a terminal)
    Undo(undo::Args),
    /// Make again what the latest undo reverted
    Redo(undo::Args),
    /// Deleted tasks, kept 30 days
    Trash(trash::ListArgs),
    /// Bring deleted tasks back from the trash: task restore UUID…
    Restore(trash::Names),
    /// Delete tasks of the trash for good: task purge UUID…
    Purge(trash::Names),
    /// Print a shell completion script: task completions bash|zsh|fish|elvish|powershell
    Completions(completions::Args),
    /// The candidates for the word being completed (used by the completion scripts)
    #[command(name = "_complete", hide = true)]
    Complete(complete::Args),
}

impl Default for Command {
    /// `task` alone is `task next`, as in Taskwarrior.
    fn default() -> Command {
        Command::Next(list::Args::default())
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
            Command::Add(args) => add::run(&ctx, args, add::Made::Pending).await,
            Command::Log(args) => add::run(&ctx, args, add::Made::Done).await,
            Command::Next(args) => list::run(&ctx, args, Report::Next).await,
            Command::List(args) => list::run(&ctx, args, Report::List).await,
            Command::All(args) => list::run(&ctx, args, Report::All).await,
            Command::Completed(args) => list::run(&ctx, args, Report::Completed).await,
            Command::Waiting(args) => list::run(&ctx, args, Report::Waiting).await,
            Command::Active(args) => list::run(&ctx, args, Report::Active).await,
            Command::Blocked(args) => list::run(&ctx, args, Report::Blocked).await,
            Command::Ready(args) => list::run(&ctx, args, Report::Ready).await,
            Command::Overdue(args) => list::run(&ctx, args, Report::Overdue).await,
            Command::Export(args) => export::run(&ctx, args).await,
            Command::Import(args) => import::run(&ctx, args).await,
            Command::Projects(args) => summary::run(&ctx, args, Summary::Projects).await,
            Command::Tags(args) => summary::run(&ctx, args, Summary::Tags).await,
            Command::ProjectNames(args) => summary::names(&ctx, args, Summary::Projects).await,
            Command::TagNames(args) => summary::names(&ctx, args, Summary::Tags).await,
            Command::Count(args) => ids::run(&ctx, args, ids::Asked::Count).await,
            Command::Ids(args) => ids::run(&ctx, args, ids::Asked::Numbers { lines: false }).await,
            Command::IdLines(args) => {
                ids::run(&ctx, args, ids::Asked::Numbers { lines: true }).await
            }
            Command::Uuids(args) => ids::run(&ctx, args, ids::Asked::Uuids { lines: false }).await,
            Command::UuidLines(args) => {
                ids::run(&ctx, args, ids::Asked::Uuids { lines: true }).await
            }
            Command::Show(args) => show::run(&ctx, args).await,
            Command::Done(args) => done::run(&ctx, args).await,
            Command::Reopen(args) => reopen::run(&ctx, args).await,
            Command::Modify(args) => modify::run(&ctx, args, TitleWords::Replace).await,
            Command::Append(args) => modify::run(&ctx, args, TitleWords::Append).await,
            Command::Prepend(args) => modify::run(&ctx, args, TitleWords::Prepend).await,
            Command::Edit(args) => edit::run(&ctx, args).await,
            Command::Delete(args) => delete::run(&ctx, args).await,
            Command::Start(args) => active::run(&ctx, args, true).await,
            Command::Stop(args) => active::run(&ctx, args, false).await,
            Command::Annotate(args) => annotate::annotate(&ctx, args).await,
            Command::Denotate(args) => annotate::denotate(&ctx, args).await,
            Command::Undo(args) => undo::run(&ctx, args, common::client::Direction::Undo).await,
            Command::Redo(args) => undo::run(&ctx, args, common::client::Direction::Redo).await,
            Command::Trash(args) => trash::list(&ctx, args).await,
            Command::Restore(args) => trash::restore(&ctx, args).await,
            Command::Purge(args) => trash::purge(&ctx, args).await,
            Command::Completions(args) => completions::run(&ctx, args),
            Command::Complete(args) => complete::run(&ctx, args).await,
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

/// What went wrong with the tasks of one command. Names that match no task
/// are said together in one line at the end (`tasks 11-9000, 9005: no such
/// task`), however many there are; anything else is said at once.
#[derive(Debug, Default)]
pub struct Failures {
    missing: Vec<TaskRef>,
    failed: bool,
}

impl Failures {
    pub fn add(&mut self, ctx: &Ctx, name: &TaskRef, err: &ClientError) {
        self.failed = true;
        if err.is_not_found() {
            self.missing.push(name.clone());
        } else if matches!(
            err,
            ClientError::NoSuchTask(_)
                | ClientError::InTrash(_)
                | ClientError::AmbiguousTask { .. }
        ) {
            ctx.warn(&err.to_string());
        } else {
            ctx.warn(&format!("task {name}: {err}"));
        }
    }

    /// A failure already said by the caller.
    pub fn said(&mut self) {
        self.failed = true;
    }

    /// Says the missing names noted so far: before a question, or before
    /// giving up on the rest.
    pub fn say_missing(&mut self, ctx: &Ctx) {
        let hint = TaskRef::missing_hint(&self.missing);
        match self.missing.as_slice() {
            [] => {}
            [name] => ctx.warn(&format!("task {name}: no such task{hint}")),
            names => ctx.warn(&format!("tasks {}: no such task{hint}", describe(names))),
        }
        self.missing.clear();
    }

    /// Says the missing names; the exit status of the command.
    pub fn finish(mut self, ctx: &Ctx) -> ExitCode {
        self.say_missing(ctx);
        status(self.failed)
    }
}

/// Errors that end a multi-task command at once: the server is gone or the
/// session is, so the other tasks would fail the same way.
pub fn is_fatal(err: &ClientError) -> bool {
    err.is_unreachable() || err.needs_login()
}

/// What is said of a task a write left as it was.
fn unchanged(name: &str, task: &Task) -> String {
    format!("Task {name} {}: nothing changed.", quoted(&task.title))
}

/// `"title"`, escaped, for messages.
pub fn quoted(title: &str) -> String {
    format!("\"{}\"", common::text::escape_control(title))
}

/// How often a change is made again from a fresh read when the task
/// changed between the read and the write (a 412).
const ATTEMPTS: usize = 8;

/// The wait before attempt `attempt` (2, 3, …) of a change another
/// command's beat: longer each time, and apart from one process to the
/// next, so that commands changing one task at once take turns.
fn retry_wait(attempt: usize) -> std::time::Duration {
    let apart = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |now| now.subsec_nanos())
        ^ std::process::id();
    let step = 10 * (attempt as u64 - 1);
    std::time::Duration::from_millis(step + u64::from(apart) % (step + 10))
}

/// `done` and `reopen`; a task already in that state is said to be (as
/// Taskwarrior does).
pub async fn set_status(
    ctx: &Ctx,
    words: &[String],
    new_status: common::api::Status,
    verb: &str,
) -> Result<ExitCode> {
    let client = ctx.client()?;
    let among = match new_status {
        common::api::Status::Done => StatusFilter::Pending,
        common::api::Status::Pending => StatusFilter::Done,
    };
    let command = match new_status {
        common::api::Status::Done => "done",
        common::api::Status::Pending => "reopen",
    };
    let targets = select::targets(ctx, &client, command, &ctx.global.filter, words, among).await?;
    let ask = match new_status {
        common::api::Status::Done => "Complete",
        common::api::Status::Pending => "Reopen",
    };
    select::confirm(ctx, &targets, ask)?;
    if targets.len() > 1 {
        let action = match new_status {
            common::api::Status::Done => BulkAction::Done,
            common::api::Status::Pending => BulkAction::Reopen,
        };
        return change_together(
            ctx,
            targets,
            verb,
            action,
            |task| (task.status == new_status).then_some(new_status.as_str()),
            |_| Ok(None),
        )
        .await;
    }
    change_each(ctx, targets, verb, async |task| {
        ops::set_status(&client, &task, new_status).await
    })
    .await
}

/// "Modified task 3 'Title'.", warned when the change leaves the task past
/// its until date; `had` is the number the task had before.
fn say_changed(
    ctx: &Ctx,
    verb: &str,
    target: &Target,
    name: &str,
    had: Option<i64>,
    task: &Task,
) -> Result<()> {
    let now_named = now_named(target, name, had, task.number);
    let line = format!("{verb} task {name} {}{now_named}.", quoted(&task.title));
    ctx.say(&display::with_expiry_warning(
        line,
        task,
        ctx.clock.now_utc(),
    ))
}

/// Reopened, a task has a number to be named by from now on: said when it
/// was named otherwise and the number is new to it.
fn now_named(target: &Target, name: &str, had: Option<i64>, number: Option<i64>) -> String {
    match (target, number) {
        (Target::Named(TaskRef::Number(_)), _) | (_, None) => String::new(),
        _ if had == number => String::new(),
        (_, Some(number)) if name == number.to_string() => String::new(),
        (_, Some(number)) => format!(", now task {number}"),
    }
}

/// [`change_each`] for several tasks in one request (`POST /api/tasks/bulk/`),
/// so that one command is one `task undo` step. A task already as asked
/// (`already` names its state) is said to be and not sent; `patch` gives a
/// task's own patch, for `modify` (or why the task cannot take it, told and
/// not sent).
pub async fn change_together(
    ctx: &Ctx,
    targets: Vec<Target>,
    verb: &str,
    action: BulkAction,
    already: impl Fn(&Task) -> Option<&'static str>,
    patch: impl Fn(&Task) -> Result<Option<common::api::TaskPatch>, String>,
) -> Result<ExitCode> {
    let client = ctx.client()?;
    let mut failures = Failures::default();
    let mut sent: Vec<(Target, Task)> = Vec::new();
    let mut patches = std::collections::BTreeMap::new();
    // A task's own patch is built from what was read: sent with the
    // version read, so that a change made since is not written over.
    let mut versions = std::collections::BTreeMap::new();
    let mut changed = Vec::new();
    for target in targets {
        match target.read(&client).await {
            Ok(task) => match (already(&task), patch(&task)) {
                (Some(state), _) => {
                    ctx.say(&format!(
                        "Task {} {} is already {state}.",
                        target.name(),
                        quoted(&task.title)
                    ))?;
                    changed.push(task);
                }
                (None, Err(reason)) => {
                    ctx.warn(&format!("task {}: {reason}", target.name()));
                    failures.said();
                }
                (None, Ok(own)) => {
                    if let Some(own) = own {
                        patches.insert(task.id.to_string(), own);
                        versions.insert(task.id.to_string(), task.version);
                    }
                    sent.push((target, task));
                }
            },
            Err(err) if is_fatal(&err) => {
                failures.say_missing(ctx);
                return Err(err.into());
            }
            Err(err) => failures.add(ctx, &target.again(), &err),
        }
    }
    if !sent.is_empty() {
        let request = BulkRequest {
            ids: sent.iter().map(|(_, task)| task.id).collect(),
            action,
            patch: None,
            patches,
            versions,
        };
        let result = client.bulk(&request).await?;
        for (target, task) in sent {
            let name = target.name();
            if let Some(failure) = result.failed.iter().find(|f| f.id == task.id) {
                ctx.warn(&format!("task {name}: {}", failure.reason));
                failures.said();
                continue;
            }
            let (seen_version, had) = (task.version, task.number);
            let now = result
                .changed
                .iter()
                .find(|t| t.id == task.id)
                .cloned()
                .unwrap_or(task);
            if ops::left_as_it_was(seen_version, &now) {
                ctx.say(&unchanged(&name, &now))?;
            } else {
                say_changed(ctx, verb, &target, &name, had, &now)?;
            }
            changed.push(now);
        }
    }
    if ctx.json() {
        ctx.print_json(&changed)?;
    }
    Ok(failures.finish(ctx))
}

/// Applies `change` to each target as read (a named one is looked up
/// first): reports each on its own line, goes on past a name that matches
/// nothing (exit 1 at the end), stops at once when the server is down or
/// the session is over. A change refused because the task changed since it
/// was read (412) is made again from a fresh read. With `--json`, prints the
/// tasks as they now are.
pub async fn change_each(
    ctx: &Ctx,
    targets: Vec<Target>,
    verb: &str,
    mut change: impl AsyncFnMut(Task) -> Result<Outcome, ClientError>,
) -> Result<ExitCode> {
    let client = ctx.client()?;
    let mut changed = Vec::new();
    let mut failures = Failures::default();
    for target in targets {
        let name = target.name();
        let mut attempt = 0;
        let mut had = None;
        let result = loop {
            attempt += 1;
            let read = match attempt {
                1 => target.read(&client).await,
                _ => target.read_again(&client).await,
            };
            let outcome = match read {
                Ok(task) => {
                    had = task.number;
                    change(task).await
                }
                Err(err) => Err(err),
            };
            match outcome {
                Err(err) if err.status() == Some(412) && attempt < ATTEMPTS => {
                    tokio::time::sleep(retry_wait(attempt + 1)).await;
                }
                other => break other,
            }
        };
        match result {
            Ok(Outcome::Changed(task)) => {
                say_changed(ctx, verb, &target, &name, had, &task)?;
                changed.push(task);
            }
            Ok(Outcome::AlreadySo(task, state)) => {
                ctx.say(&format!(
                    "Task {name} {} is already {state}.",
                    quoted(&task.title)
                ))?;
                changed.push(task);
            }
            Ok(Outcome::Unchanged(task)) => {
                ctx.say(&unchanged(&name, &task))?;
                changed.push(task);
            }
            Ok(Outcome::Refused(reason)) => {
                ctx.warn(&format!("task {name}: {reason}"));
                failures.said();
            }
            Err(err) if is_fatal(&err) => {
                failures.say_missing(ctx);
                return Err(err.into());
            }
            Err(ClientError::NoSuchTask(_)) if matches!(target, Target::Read { .. }) => {
                ctx.warn(&format!(
                    "task {name}: changed elsewhere and no longer matches the filter; left alone"
                ));
                failures.said();
            }
            Err(err) if err.status() == Some(412) => {
                ctx.warn(&format!(
                    "task {name}: it kept changing elsewhere while this command ran \
                     ({ATTEMPTS} tries); nothing changed: run the command again"
                ));
                failures.said();
            }
            Err(err) => failures.add(ctx, &target.again(), &err),
        }
    }
    if ctx.json() {
        ctx.print_json(&changed)?;
    }
    Ok(failures.finish(ctx))
}
