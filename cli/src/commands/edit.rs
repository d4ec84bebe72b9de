//! `task ID edit`: the task as a labelled text form in `$VISUAL` or
//! `$EDITOR`; what changed is sent with `If-Match`, and carried over
//! another client's changes to other fields. A form that does not
//! read is opened again with the error at its top; a field changed on the
//! server meanwhile is not overwritten, and the text is kept in a file.

use std::cell::Cell;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context as _, Result};
use common::api::{StatusFilter, Task, TaskPatch};
use common::client::{ApiClient, ClientError};
use common::display;
use rustix::process::{kill_process, Pid, Signal};
use tokio::signal::unix::{signal, SignalKind};

use crate::commands::quoted;
use crate::context::{Ctx, UsageError};
use crate::edit_form;
use crate::select;
use crate::select::Names;

pub async fn run(ctx: &Ctx, args: Names) -> Result<ExitCode> {
    let client = ctx.client()?;
    let targets = select::targets(
        ctx,
        &client,
        "edit",
        &ctx.global.filter,
        &args.ids,
        StatusFilter::All,
    )
    .await?;
    let [target] = targets.as_slice() else {
        return Err(UsageError(format!("edit one task at a time: {} match", targets.len())).into());
    };
    let task = target.read(&client).await?;
    let mut depends = Vec::new();
    for id in &task.depends {
        if let Ok(other) = client.get_task(*id).await {
            depends.push(other);
        }
    }
    let name = display::name(&task);
    let shown = edit_form::write(&task, &depends, None);

    let file = tempfile::Builder::new()
        .prefix(&format!("task-{name}-"))
        .suffix(".txt")
        .tempfile()
        .context("cannot make a file to edit")?;
    let progress = Progress::default();
    let mut stops = Stops::new()?;
    tokio::select! {
        done = edit(ctx, &client, &task, &depends, &shown, file.path(), &progress) => done,
        stopped = stops.next(&progress.editor) => {
            // The editor is told as the command was, so that it can put the
            // terminal back; the file goes when `file` is dropped.
            if let Some(pid) = progress.editor.get() {
                pass_on(pid, stopped.signal).await;
            }
            // Stopped while the change was on its way, it may have landed.
            let outcome = if progress.sending.get() {
                format!("the change may have been saved (task {name} info shows it)")
            } else {
                "nothing changed".to_string()
            };
            ctx.warn(&format!("task {name} edit: stopped by {}; {outcome}", stopped.name));
            Ok(ExitCode::from(128 + stopped.number))
        }
    }
}

/// Sends `signal` to the editor, and gives it a moment to put the terminal
/// back before the command says why it stopped.
async fn pass_on(pid: u32, signal: Signal) {
    let Some(process) = i32::try_from(pid).ok().and_then(Pid::from_raw) else {
        return;
    };
    if kill_process(process, signal).is_err() {
        return;
    }
    // Gone, or exited and not yet reaped (our child until this returns).
    let exited = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |stat| {
            stat.rsplit(')')
                .next()
                .is_some_and(|rest| rest.trim_start().starts_with('Z'))
        })
    };
    for _ in 0..100 {
        if exited() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The signals that end `task edit`, watched from its start so that none
/// leaves the file behind. An interrupt (Ctrl-C) while the editor runs is
/// the editor's: it reaches both, and the editor decides.
struct Stops {
    terminate: tokio::signal::unix::Signal,
    hang_up: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
}

struct Stopped {
    name: &'static str,
    signal: Signal,
    number: u8,
}

impl Stops {
    fn new() -> Result<Stops> {
        let watch = |kind| signal(kind).context("cannot watch for signals");
        Ok(Stops {
            terminate: watch(SignalKind::terminate())?,
            hang_up: watch(SignalKind::hangup())?,
            interrupt: watch(SignalKind::interrupt())?,
        })
    }

    /// The next signal that ends the command, `editor` being the running
    /// editor's process, if one runs.
    async fn next(&mut self, editor: &Cell<Option<u32>>) -> Stopped {
        loop {
            let (name, signal, number) = tokio::select! {
                _ = self.terminate.recv() => ("SIGTERM", Signal::TERM, 15),
                _ = self.hang_up.recv() => ("SIGHUP", Signal::HUP, 1),
                _ = self.interrupt.recv() => {
                    if editor.get().is_some() {
                        continue;
                    }
                    ("an interrupt", Signal::INT, 2)
                }
            };
            return Stopped {
                name,
                signal,
                number,
            };
        }
    }
}

/// Where an edit stands, for a signal that stops it: the editor's process
/// while it runs, and whether the change is on its way to the server.
#[derive(Default)]
struct Progress {
    editor: Cell<Option<u32>>,
    sending: Cell<bool>,
}

/// The form written to `path`, edited and sent, again while it does not
/// read or is refused.
async fn edit(
    ctx: &Ctx,
    client: &ApiClient,
    task: &Task,
    depends: &[Task],
    shown: &str,
    path: &Path,
    progress: &Progress,
) -> Result<ExitCode> {
    let name = display::name(task);
    let mut text = shown.to_string();
    let mut last_error: Option<String> = None;
    loop {
        std::fs::write(path, &text).context("cannot write the file to edit")?;
        open_editor(path, &progress.editor).await?;
        let saved = std::fs::read_to_string(path).context("cannot read the edited file")?;
        if saved.trim().is_empty() {
            ctx.say("Empty file: nothing changed.")?;
            return Ok(ExitCode::SUCCESS);
        }
        // Given back unchanged and refused again for the same reason: the
        // editor is not one a person types in, or they gave up; asking
        // again would never end.
        let again = |error: &str| saved == text && last_error.as_deref() == Some(error);
        let edits = match edit_form::read(task, shown, &saved, &ctx.clock) {
            Ok(edits) => edits,
            Err(error) if again(&error) => return gave_up(&name, &saved, &error),
            Err(error) => {
                text = with_error(&saved, &error);
                last_error = Some(error);
                continue;
            }
        };
        if edits.is_empty() {
            ctx.say(&format!(
                "Task {name} {}: nothing changed.",
                quoted(&task.title)
            ))?;
            return Ok(ExitCode::SUCCESS);
        }
        progress.sending.set(true);
        let applied = apply(client, task, depends, edits).await;
        progress.sending.set(false);
        match applied {
            Ok(task) => {
                let edited = format!("Edited task {name} {}.", quoted(&task.title));
                ctx.say(&display::with_expiry_warning(
                    edited,
                    &task,
                    ctx.clock.now_utc(),
                ))?;
                if ctx.json() {
                    ctx.print_json(&task)?;
                }
                return Ok(ExitCode::SUCCESS);
            }
            // Nothing was written and the text can be fixed: opened again.
            Err(Failure::Refused(error)) if again(&error) => return gave_up(&name, &saved, &error),
            Err(Failure::Refused(error)) => {
                text = with_error(&saved, &error);
                last_error = Some(error);
            }
            Err(Failure::Stale { fields }) => {
                let kept = keep(&name, &saved)?;
                let which = fields
                    .map(|fields| format!(" (changed there and here: {fields})"))
                    .unwrap_or_default();
                bail!(
                    "task {name} changed on the server while you edited it{which}; nothing was \
                     saved. Your text is in {}: run `task {name} edit` again",
                    kept.display()
                )
            }
            Err(Failure::Gone) => {
                let kept = keep(&name, &saved)?;
                bail!(
                    "task {name} was deleted while you edited it; nothing was saved. Your text \
                     is in {}. `task restore {}` brings the task back, for 30 days",
                    kept.display(),
                    task.uuid
                )
            }
            Err(Failure::Other(error)) => {
                let kept = keep(&name, &saved)?;
                bail!(
                    "task {name}: {}; nothing was saved. Your text is in {}",
                    error.to_string().trim_end_matches('.'),
                    kept.display()
                )
            }
        }
    }
}

/// The edit given up: the form came back unchanged with the same error.
fn gave_up(name: &str, saved: &str, error: &str) -> Result<ExitCode> {
    let kept = keep(name, saved)?;
    bail!(
        "task {name}: the form came back unchanged, still with the error \"{error}\"; nothing \
         was saved. Your text is in {}",
        kept.display()
    )
}

/// `saved` to open again, with `error` at its top (an earlier error gone).
fn with_error(saved: &str, error: &str) -> String {
    let body: String = saved
        .lines()
        .skip_while(|l| l.starts_with("# ERROR") || l.starts_with("# Fix it"))
        .skip_while(|l| *l == "#")
        .map(|l| format!("{l}\n"))
        .collect();
    format!("# ERROR: {error}\n# Fix it and save again; an empty file gives up.\n#\n{body}")
}

/// Why the edits were not all made.
enum Failure {
    /// Refused before anything was written (an unknown dependency, a value
    /// the server does not take): the form can be fixed.
    Refused(String),
    /// The task changed on the server since it was read: nothing written.
    /// `fields`: those this edit changed that were changed there too.
    Stale { fields: Option<String> },
    /// The task was deleted meanwhile: nothing written.
    Gone,
    /// Nothing written either: fields and notes go in one request.
    Other(ClientError),
}

/// What went wrong with nothing written: the task gone, or else.
impl From<ClientError> for Failure {
    fn from(error: ClientError) -> Failure {
        match error.status() {
            Some(404) => Failure::Gone,
            _ => Failure::Other(error),
        }
    }
}

/// The editor the user chose: `$VISUAL`, else `$EDITOR`, else `vi`, run by
/// the shell so that it may carry arguments (`code --wait`).
/// `running` holds the editor's process while it runs.
async fn open_editor(path: &Path, running: &Cell<Option<u32>>) -> Result<()> {
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "vi".to_string());
    // `exec`, so that the process is the editor's, for a signal to reach.
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{} \"$1\"", exec_line(&editor)))
        .arg("sh")
        .arg(path)
        .spawn()
        .context("cannot start the editor (set VISUAL or EDITOR)")?;
    running.set(child.id());
    let status = child.wait().await;
    running.set(None);
    let status = status.context("the editor did not run")?;
    if !status.success() {
        bail!("the editor failed ({status}); nothing changed");
    }
    Ok(())
}

/// The shell's line that runs `editor` in its own place (`exec`), after the
/// variables it sets for it, if any (`TERM=xterm vim`).
fn exec_line(editor: &str) -> String {
    let words: Vec<&str> = editor.split_whitespace().collect();
    let settings = words
        .iter()
        .take_while(|word| {
            word.split_once('=').is_some_and(|(name, _)| {
                !name.is_empty()
                    && !name.starts_with(|c: char| c.is_ascii_digit())
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
        })
        .count();
    let mut line: Vec<&str> = words[..settings].to_vec();
    line.push("exec");
    line.extend(&words[settings..]);
    line.join(" ")
}

/// The dependencies looked up, then the fields, then the notes, each with
/// `If-Match` of the version before. A name the form showed (`shown`, the
/// tasks it waited for then) is the task it named then, whichever task has
/// that number by now.
async fn apply(
    client: &ApiClient,
    task: &Task,
    shown: &[Task],
    edits: edit_form::Edits,
) -> Result<Task, Failure> {
    let mut patch = edits.patch;
    if let Some(names) = &edits.depends {
        let mut ids = Vec::new();
        for name in names {
            if let Some(was) = shown.iter().find(|t| name.names(t.number, &t.uuid)) {
                ids.push(was.id);
                continue;
            }
            match common::ops::find(client, name).await {
                Ok(found) => ids.push(found.id),
                Err(err @ (ClientError::NoSuchTask(_) | ClientError::AmbiguousTask { .. })) => {
                    return Err(Failure::Refused(format!("Depends: {err}")))
                }
                Err(error) => return Err(Failure::Other(error)),
            }
        }
        patch.depends = Some(ids);
    }
    if !edits.annotate.is_empty() {
        patch.annotate = Some(edits.annotate);
    }
    if !edits.denotate.is_empty() {
        patch.denotate = Some(edits.denotate);
    }
    if patch.is_empty() {
        return Ok(task.clone());
    }
    // Fields and notes in one request: one version, one undo step.
    match client
        .update_task(task.id, &patch, Some(task.version))
        .await
    {
        Ok(updated) => Ok(updated),
        Err(err) if err.status() == Some(412) => over_changes_elsewhere(client, task, &patch).await,
        Err(ClientError::Api(problem)) if problem.status == 400 => {
            Err(Failure::Refused(problem.summary()))
        }
        Err(error) => Err(Failure::from(error)),
    }
}

/// The fields saved over the version another client's changes made since
/// the form was read, when those changed other fields (the same field
/// changed there too, and the save gives up, the text kept).
async fn over_changes_elsewhere(
    client: &ApiClient,
    was: &Task,
    patch: &TaskPatch,
) -> Result<Task, Failure> {
    let now = client.get_task(was.id).await.map_err(Failure::from)?;
    let rebased = common::merge::rebased(patch, was, &now).map_err(|clash| Failure::Stale {
        fields: Some(clash.to_string()),
    })?;
    if rebased.is_empty() {
        // What it did was done meanwhile (a note added elsewhere too).
        return Ok(now);
    }
    match client
        .update_task(was.id, &rebased, Some(now.version))
        .await
    {
        Ok(updated) => Ok(updated),
        Err(err) if err.status() == Some(412) => Err(Failure::Stale { fields: None }),
        Err(ClientError::Api(problem)) if problem.status == 400 => {
            Err(Failure::Refused(problem.summary()))
        }
        Err(error) => Err(Failure::from(error)),
    }
}

/// The user's text, kept where they can find it again.
fn keep(name: &str, text: &str) -> Result<std::path::PathBuf> {
    let (mut file, path) = tempfile::Builder::new()
        .prefix(&format!("task-{name}-edit-"))
        .suffix(".txt")
        .tempfile()
        .context("cannot keep the edited text")?
        .keep()
        .context("cannot keep the edited text")?;
    file.write_all(text.as_bytes())
        .context("cannot keep the edited text")?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::exec_line;

    #[test]
    fn the_editor_runs_in_the_shells_place_after_its_settings() {
        assert_eq!(exec_line("vim"), "exec vim");
        assert_eq!(exec_line("code --wait"), "exec code --wait");
        assert_eq!(
            exec_line("TERM=xterm LANG=C vim -n"),
            "TERM=xterm LANG=C exec vim -n"
        );
        assert_eq!(exec_line("vim +set=1"), "exec vim +set=1");
    }
}
