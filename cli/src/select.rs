//! Which tasks a command acts on: task names (`3`, `4-6`, a uuid prefix),
//! a filter (`+home project:work`), or both, as Taskwarrior reads
//! `task [FILTER] COMMAND`. Names are looked up one by one; a filter is the
//! server's to apply, and a write on a filter that matches several tasks
//! asks first on a terminal.

use anyhow::{bail, Result};
use common::api::{StatusFilter, Task, TaskQuery};
use common::client::{ApiClient, ClientError};
use common::display;
use common::filter::TaskFilter;
use common::ops;
use common::task_ref::{is_ref_list, parse_refs, TaskRef};

use crate::commands::quoted;
use crate::context::{Ctx, UsageError};
use crate::prompt;

/// The task names written after a command (`task done 3 4-6`); a filter
/// may come before the command instead (`task +home done`).
#[derive(Debug, clap::Args)]
pub struct Names {
    /// Tasks: 3, 3,5, 4-6, or 8 or more characters of a uuid (or a filter
    /// before the command: task +home done)
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
}

/// One task to act on: named, to be looked up, or already read through a
/// filter (kept, so that the task is looked up through it again).
#[derive(Debug, Clone)]
pub enum Target {
    Named(TaskRef),
    Read {
        task: Box<Task>,
        filter: Box<TaskQuery>,
    },
}

impl Target {
    /// How messages name it: as typed, or as it is shown.
    pub fn name(&self) -> String {
        match self {
            Target::Named(name) => name.to_string(),
            Target::Read { task, .. } => display::name(task),
        }
    }

    /// The name it is looked up by again after a 412.
    pub fn again(&self) -> TaskRef {
        match self {
            Target::Named(name) => name.clone(),
            Target::Read { task, .. } => TaskRef::Uuid(task.uuid.clone()),
        }
    }

    /// The task: as the filter read it, or looked up by its name.
    pub async fn read(&self, client: &ApiClient) -> Result<Task, ClientError> {
        match self {
            Target::Named(name) => ops::find(client, name).await,
            Target::Read { task, .. } => Ok(task.as_ref().clone()),
        }
    }

    /// The task as it is now: a filter's only if the filter still matches.
    pub async fn read_again(&self, client: &ApiClient) -> Result<Task, ClientError> {
        match self {
            Target::Named(name) => ops::find(client, name).await,
            Target::Read { filter, .. } => ops::find_in(client, filter, &self.again()).await,
        }
    }
}

/// The tasks `command` names: `filter` are the words before the command,
/// `names` the task names after it (`task done 3`). `status` is whom a
/// filter looks among unless it says (`reopen` looks among done tasks).
pub async fn targets(
    ctx: &Ctx,
    client: &ApiClient,
    command: &str,
    filter: &[String],
    names: &[String],
    status: StatusFilter,
) -> Result<Vec<Target>> {
    let (name_words, filter_words): (Vec<&String>, Vec<&String>) =
        filter.iter().partition(|w| is_ref_list(w));
    let mut named = parse_names(&name_words)?;
    named.extend(parse_names(names)?);
    if filter_words.is_empty() {
        if named.is_empty() {
            return Err(UsageError(format!(
                "name the tasks: task 3 {command}, task +home {command}"
            ))
            .into());
        }
        return Ok(named.into_iter().map(Target::Named).collect());
    }
    for word in &filter_words {
        if !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit()) {
            return Err(UsageError(format!("{word:?} is not a task number")).into());
        }
    }
    let mut filter = TaskFilter::parse(&filter_words, &ctx.clock)?;
    filter.refuse_limit(&format!(
        "task {command} acts on every task the filter matches"
    ))?;
    filter.query.status.get_or_insert(status);
    // Names and a filter: the named tasks the filter also matches.
    filter.names = named;
    let tasks = ops::list_all_sorted(client, &filter).await?;
    if tasks.is_empty() {
        bail!("no task matches the filter");
    }
    let filter = Box::new(filter.query);
    Ok(tasks
        .into_iter()
        .map(|task| Target::Read {
            task: Box::new(task),
            filter: filter.clone(),
        })
        .collect())
}

fn parse_names<S: AsRef<str>>(words: &[S]) -> Result<Vec<TaskRef>, UsageError> {
    if words.is_empty() {
        return Ok(Vec::new());
    }
    parse_refs(words).map_err(UsageError)
}

/// The tasks a question is about, one per line on stderr, their names
/// right-aligned as the reports show numbers.
pub fn list_for_question<'a>(tasks: impl IntoIterator<Item = &'a Task>) {
    let tasks: Vec<&Task> = tasks.into_iter().collect();
    let width = tasks
        .iter()
        .map(|task| display::name(task).len())
        .max()
        .unwrap_or(0);
    for task in tasks {
        eprintln!("  {:>width$} {}", display::name(task), quoted(&task.title));
    }
}

/// Asks before a write on several tasks a filter chose, on a terminal,
/// unless `--yes` (or `rc.confirmation=off`): the tasks, then one question.
pub fn confirm(ctx: &Ctx, targets: &[Target], verb: &str) -> Result<()> {
    let chosen = targets
        .iter()
        .filter(|t| matches!(t, Target::Read { .. }))
        .count();
    if chosen < 2 || ctx.global.yes || !prompt::interactive() {
        return Ok(());
    }
    list_for_question(targets.iter().filter_map(|target| match target {
        Target::Read { task, .. } => Some(task.as_ref()),
        _ => None,
    }));
    let question = format!("{verb} these {} tasks?", targets.len());
    if !prompt::confirm(&question)? {
        bail!("nothing changed");
    }
    Ok(())
}
