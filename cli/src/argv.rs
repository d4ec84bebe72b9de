//! The argument words rewritten before clap sees them:
//!
//! - Taskwarrior's order, `task [FILTER] COMMAND [WORDS]` (`task 3 done`,
//!   `task +home modify pri:L`, `task project:work next`), becomes the
//!   subcommand order clap parses; `task 3` alone shows task 3, and a line
//!   with no command lists with its words (`task rent`).
//! - A command may be abbreviated, as in Taskwarrior, to any start of two
//!   letters or more that no other command shares (`task li`, `task 3
//!   mod pri:L`), first on the line or after filter words; a shared start
//!   (`task re`), or one after a search word, stays a search word.
//! - `rc.confirmation=off` is `--yes`.
//! - For the commands that take free words (`add`, `list`, `modify`), the
//!   words go after a `--`, so that `-tag` and `-5` are words while flags
//!   keep working anywhere: `task list -later +work --sort due` becomes
//!   `task list --sort due -- -later +work`.

use std::ffi::OsString;

use crate::context::UsageError;
use crate::refs::is_ref_list;
use common::filter::is_filter_word;

/// The commands that take IDs, with their aliases.
const ID_COMMANDS: &[&str] = &[
    "show", "info", "done", "reopen", "modify", "append", "prepend", "edit", "delete", "rm",
    "start", "stop", "annotate", "denotate",
];

/// The reports: commands that list tasks with filter words.
pub const REPORTS: &[&str] = &[
    "next",
    "list",
    "ls",
    "all",
    "completed",
    "waiting",
    "active",
    "blocked",
    "ready",
    "overdue",
    "projects",
    "tags",
    "_projects",
    "_tags",
    "count",
    "ids",
    "_ids",
    "uuids",
    "_uuids",
    "export",
];

/// The commands whose words are modifiers and title words.
pub const MODIFY_COMMANDS: &[&str] = &["add", "log", "modify", "append", "prepend"];

/// Whether `command`'s positional words are filters, modifiers or text:
/// words that may start with `-`.
fn takes_words(command: &str) -> bool {
    REPORTS.contains(&command)
        || MODIFY_COMMANDS.contains(&command)
        || ["annotate", "denotate"].contains(&command)
}

/// Every command and alias: the first of these on a line is its command.
pub const COMMANDS: &[&str] = &[
    "_complete",
    "register",
    "login",
    "logout",
    "whoami",
    "passwd",
    "add",
    "log",
    "next",
    "list",
    "ls",
    "all",
    "completed",
    "waiting",
    "active",
    "blocked",
    "ready",
    "overdue",
    "show",
    "info",
    "done",
    "reopen",
    "modify",
    "append",
    "prepend",
    "edit",
    "delete",
    "rm",
    "start",
    "stop",
    "annotate",
    "denotate",
    "projects",
    "tags",
    "_projects",
    "_tags",
    "count",
    "ids",
    "_ids",
    "uuids",
    "_uuids",
    "export",
    "import",
    "undo",
    "redo",
    "trash",
    "restore",
    "purge",
    "completions",
    "help",
];

/// Commands a start of whose name never stands for them: the account
/// commands (a search for `who` or `pass` must not run one), and those
/// that write with no task named (`task un`, `task red` must not undo or
/// redo the last change).
const WHOLE_NAME_ONLY: &[&str] = &[
    "_complete",
    "_projects",
    "_tags",
    "_ids",
    "_uuids",
    "register",
    "login",
    "logout",
    "whoami",
    "passwd",
    "undo",
    "redo",
    "import",
    "restore",
    "purge",
    "completions",
];

/// The command `word` names: a command's name, or a start of two letters
/// or more that no other command's name shares (`li` for list, but `lo` is
/// log's, login's and logout's, so none).
pub(crate) fn command_named(word: &str) -> Option<&'static str> {
    if let Some(command) = COMMANDS.iter().find(|c| **c == word) {
        return Some(command);
    }
    // Taskwarrior's full name for `info`.
    if word == "information" {
        return Some("info");
    }
    if word.chars().count() < 2 {
        return None;
    }
    let mut starting = COMMANDS.iter().filter(|c| c.starts_with(word));
    match (starting.next(), starting.next()) {
        (Some(command), None) if !WHOLE_NAME_ONLY.contains(command) => Some(command),
        _ => None,
    }
}

/// The first word naming a command: a whole name anywhere, a shortened
/// one only first or after filter words and task names (`task +home li`,
/// `task 3 mod pri:L`). After a search word a short word is searched for
/// too: `task call an electrician` must not annotate.
fn command_position(words: &[&str]) -> Option<usize> {
    let mut searched = false;
    for (at, word) in words.iter().enumerate() {
        if COMMANDS.contains(word) {
            return Some(at);
        }
        if !searched && command_named(word).is_some() {
            return Some(at);
        }
        searched |= !is_filter_word(word) && !is_ref_list(word);
    }
    None
}

/// Taskwarrior's commands this tool does not have, each with what to use
/// instead: refused, never taken as a search word (`task count` is not a
/// list of the tasks that mention "count").
const NOT_YET: &[(&str, &str)] = &[
    ("summary", "task projects"),
    ("stats", "task projects and task tags"),
    ("calendar", "task list --sort due"),
    ("version", "task --version"),
    ("context", "a filter before the report: task +work next"),
    ("burndown", "task completed"),
    ("history", "task completed"),
    ("ghistory", "task completed"),
    ("timesheet", "task completed"),
    ("duplicate", "task ID info, then task add"),
    (
        "synchronize",
        "nothing: every client talks to taskd directly",
    ),
    ("sync", "nothing: every client talks to taskd directly"),
    (
        "config",
        "task --help, which names each setting's flag and variable",
    ),
    (
        "udas",
        "uda.NAME:VALUE on add and modify, which needs no set-up",
    ),
    ("columns", "task list --json for every field"),
    ("commands", "task --help"),
    ("reports", "task --help, which lists the reports"),
    ("diagnostics", "task --version, and taskd's log"),
];

/// Taskwarrior's reports this tool does not have, with the filter or
/// report that shows the same. Refused only as a line's first word (`task
/// long`), where Taskwarrior reads a report: elsewhere they are ordinary
/// words (`task buy long nails` searches for them).
const REPORTS_NOT_YET: &[(&str, &str)] = &[
    ("long", "task list, or task ID info for every field"),
    ("minimal", "task list"),
    ("newest", "task list --sort=-entry"),
    ("oldest", "task list --sort=entry"),
    (
        "recurring",
        "nothing: recurrence is not kept (see task import)",
    ),
    ("unblocked", "task +UNBLOCKED list"),
    ("blocking", "task +BLOCKING list"),
];

/// Taskwarrior's helper commands for scripts (`_projects`, `_get`, …) not
/// listed above: what to use instead.
const HELPERS_INSTEAD: &str =
    "task _projects, task _tags, task _ids, task _uuids, or a command's --json output";

/// The Taskwarrior command `word` names that this tool does not have, and
/// what to use instead: its whole name or a helper's `_name`; with
/// `shortened`, also a start of four letters or more that only it has
/// (`diag`).
fn not_yet(word: &str, shortened: bool) -> Option<(&str, &'static str)> {
    if let Some((name, instead)) = NOT_YET.iter().find(|(name, _)| *name == word) {
        return Some((name, instead));
    }
    // `burndown.weekly`, `history.monthly`: a report's kinds (a file's
    // `sync.rs` is a word).
    if let Some((name, instead)) = word
        .split_once('.')
        .filter(|(_, kind)| ["daily", "weekly", "monthly", "annual"].contains(kind))
        .and_then(|(base, _)| NOT_YET.iter().find(|(name, _)| *name == base))
    {
        return Some((name, instead));
    }
    if shortened {
        if let Some((name, instead)) = REPORTS_NOT_YET.iter().find(|(name, _)| *name == word) {
            return Some((name, instead));
        }
    }
    if word.len() > 1
        && word.starts_with('_')
        && word[1..].bytes().all(|b| b.is_ascii_lowercase())
        && !COMMANDS.contains(&word)
    {
        return Some((word, HELPERS_INSTEAD));
    }
    if !shortened || word.len() < 4 {
        return None;
    }
    let mut starting = NOT_YET.iter().filter(|(name, _)| name.starts_with(word));
    match (starting.next(), starting.next()) {
        (Some((name, instead)), None) => Some((name, instead)),
        _ => None,
    }
}

/// Short global flags.
const SHORT_FLAGS: &[&str] = &["-h", "-V", "-y"];

/// Options that take a value as the next word.
const VALUE_OPTIONS: &[&str] = &[
    "--server",
    "--sort",
    "--project",
    "--priority",
    "--due",
    "--tag",
    "--description",
];

/// Rewrites `args` (program name first) as described in the module docs.
pub fn normalize(args: Vec<OsString>) -> Result<Vec<OsString>, UsageError> {
    let args = filter_then_command(settings(args)?)?;
    let first = first_word(&args);
    let Some(command) = args.get(first).and_then(|a| a.to_str()) else {
        return Ok(args);
    };
    if !takes_words(command) {
        return Ok(args);
    }
    let mut out: Vec<OsString> = args[..=first].to_vec();
    let mut words: Vec<OsString> = Vec::new();
    let mut rest = args[first + 1..].iter();
    while let Some(arg) = rest.next() {
        let text = arg.to_str().unwrap_or("");
        if text == "--" {
            // The user's own `--` is kept: after it even `key:value` is a word.
            words.push(arg.clone());
            words.extend(rest.by_ref().cloned());
        } else if VALUE_OPTIONS.contains(&text) {
            // `--sort=-due`: joined, the value may start with a dash.
            match rest.next() {
                Some(value) => {
                    let mut joined = arg.clone();
                    joined.push("=");
                    joined.push(value);
                    out.push(joined);
                }
                None => out.push(arg.clone()),
            }
        } else if text.starts_with("--") || text == "-h" {
            // Other flags, known (`--json`, `--help`) or not: clap judges them.
            out.push(arg.clone());
        } else {
            words.push(arg.clone());
        }
    }
    if !words.is_empty() {
        out.push(OsString::from("--"));
        out.extend(words);
    }
    Ok(out)
}

/// The index of the first word that is not a global option. A `-word`
/// there is a filter word (`task -work list`), not an option.
fn first_word(args: &[OsString]) -> usize {
    let mut first = 1;
    while let Some(arg) = args.get(first).and_then(|a| a.to_str()) {
        if VALUE_OPTIONS.contains(&arg) {
            // Its value too, if there is one (clap says when it is missing).
            first = (first + 2).min(args.len());
        } else if (arg.starts_with("--") && arg != "--") || SHORT_FLAGS.contains(&arg) {
            first += 1;
        } else {
            break;
        }
    }
    first
}

/// Taskwarrior's `rc.confirmation=off` (or `:off`) is `--yes`; other
/// `rc.` settings are refused rather than taken as words.
fn settings(args: Vec<OsString>) -> Result<Vec<OsString>, UsageError> {
    let mut out = Vec::with_capacity(args.len());
    let mut literal = false;
    for arg in args {
        let Some(text) = arg.to_str().filter(|t| !literal && t.starts_with("rc.")) else {
            literal |= arg.to_str() == Some("--");
            out.push(arg);
            continue;
        };
        let (name, value) = text.split_once(['=', ':']).unwrap_or((text, ""));
        match (name, value.to_ascii_lowercase().as_str()) {
            ("rc.confirmation", "off" | "no" | "false" | "0") => {
                out.insert(1.min(out.len()), OsString::from("--yes"))
            }
            ("rc.confirmation", "on" | "yes" | "true" | "1") => {}
            _ => {
                return Err(UsageError(format!(
                    "{text}: of Taskwarrior's rc. settings only rc.confirmation=off is understood"
                )))
            }
        }
    }
    Ok(out)
}

/// Taskwarrior's `task [FILTER] COMMAND [WORDS]`: the first command word is
/// the command, and the words before it its filter. A report takes them as
/// its own words (`task +home next` is `task next +home`); a command on
/// tasks gets them as `--filter-word`s (`task +home done`, `task 3 done`).
/// With no command, task names alone are shown (`task 3`) and anything
/// else is listed with (`task rent`, `task +home`).
fn filter_then_command(args: Vec<OsString>) -> Result<Vec<OsString>, UsageError> {
    let first = first_word(&args);
    let words: Vec<&str> = args[first..]
        .iter()
        .map(|a| a.to_str().unwrap_or(""))
        .take_while(|w| *w != "--")
        .collect();
    let position = command_position(&words);
    let before = &words[..position.unwrap_or(words.len())];
    // A shortened name only as the whole line's first word (`task diag`):
    // elsewhere a word such as `time` is searched for.
    if let Some((word, (name, instead))) = before
        .iter()
        .enumerate()
        .find_map(|(at, w)| not_yet(w, at == 0 && position.is_none()).map(|found| (w, found)))
    {
        return Err(UsageError(format!(
            "task {word}: Taskwarrior's {name} is not supported yet; use {instead} \
             (task list -- {word} searches for the word)"
        )));
    }
    let mut out: Vec<OsString> = args[..first].to_vec();
    match position {
        Some(0) => {
            let command = command_named(words[0]).unwrap_or(words[0]);
            let mut whole = args[..first].to_vec();
            whole.push(OsString::from(command));
            whole.extend_from_slice(&args[first + 1..]);
            return Ok(whole);
        }
        Some(k) => {
            let command = command_named(words[k]).unwrap_or(words[k]);
            // Global flags among the filter words stay flags (`task 3 --json
            // done`); `-y` there is a tag left out, as Taskwarrior reads it.
            let mut filter: Vec<OsString> = Vec::new();
            let mut rest = args[first..first + k].iter();
            while let Some(word) = rest.next() {
                match word.to_str() {
                    Some("--json" | "--yes") => out.push(word.clone()),
                    Some(flag) if flag.starts_with("--server=") => out.push(word.clone()),
                    Some("--server") => {
                        out.push(word.clone());
                        out.extend(rest.next().cloned());
                    }
                    _ => filter.push(word.clone()),
                }
            }
            out.push(OsString::from(command));
            if REPORTS.contains(&command) {
                out.extend(filter);
            } else if ID_COMMANDS.contains(&command) {
                for word in filter {
                    let mut flag = OsString::from("--filter-word=");
                    flag.push(word);
                    out.push(flag);
                }
            } else {
                return Err(UsageError(format!(
                    "{command} takes no filter or task names before it (task {command} --help says what it takes)"
                )));
            }
            out.extend_from_slice(&args[first + k + 1..]);
        }
        // Only words after `--` (`task -- list`): a search for them.
        None if words.is_empty() && args.get(first).is_some_and(|a| a == "--") => {
            out.push(OsString::from("list"));
            out.extend_from_slice(&args[first..]);
        }
        None if words.is_empty() => return Ok(args),
        None => {
            let names = words.iter().filter(|w| is_ref_list(w)).count();
            let command = if names == words.len() {
                "show"
            } else if names > 0 {
                let word = words.iter().find(|w| !is_ref_list(w)).unwrap_or(&"");
                let starting: Vec<&str> = ID_COMMANDS
                    .iter()
                    .copied()
                    .filter(|command| !word.is_empty() && command.starts_with(word))
                    .collect();
                if starting.len() > 1 {
                    return Err(UsageError(format!(
                        "{word:?} is the start of {}: write more of the command's name",
                        starting.join(", ")
                    )));
                }
                // Shared with a command that takes no task (`pr`: prepend,
                // projects).
                if let [command] = starting[..] {
                    return Err(UsageError(format!(
                        "{word:?} is the start of {command} and of other commands: write \
                         more of its name"
                    )));
                }
                return Err(UsageError(format!(
                    "{word:?} after task names is not a command: use one of {}, or export",
                    ID_COMMANDS.join(", ")
                )));
            } else {
                "list"
            };
            out.push(OsString::from(command));
            out.extend_from_slice(&args[first..]);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(line: &str) -> Result<String, UsageError> {
        let args = line.split(' ').map(OsString::from).collect();
        normalize(args).map(|out| {
            out.iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        })
    }

    #[test]
    fn a_line_starting_with_a_filter_lists() {
        assert_eq!(order("task +home").unwrap(), "task list -- +home");
        assert_eq!(
            order("task --json project:work -old").unwrap(),
            "task --json list -- project:work -old"
        );
        assert_eq!(order("task pri:H").unwrap(), "task list -- pri:H");
        // A command first is left alone; a bare word lists with it, as in
        // Taskwarrior.
        assert_eq!(
            order("task add +home Buy milk").unwrap(),
            "task add -- +home Buy milk"
        );
        assert_eq!(order("task milk").unwrap(), "task list -- milk");
        // Taskwarrior's filter-then-report order.
        assert_eq!(
            order("task +home -work next").unwrap(),
            "task next -- +home -work"
        );
        assert_eq!(
            order("task project:work completed --json").unwrap(),
            "task completed --json -- project:work"
        );
        assert_eq!(order("task note:x").unwrap(), "task list -- note:x");
    }

    #[test]
    fn taskwarriors_reports_this_tool_lacks_are_refused_first_on_a_line() {
        for line in [
            "task long",
            "task newest",
            "task burndown.weekly",
            "task history.monthly",
            "task +home ghistory.annual",
        ] {
            let err = order(line).unwrap_err();
            assert!(err.0.contains("not supported yet"), "{line}: {err:?}");
        }
        // Elsewhere they are words of a search, as are file names.
        assert_eq!(
            order("task buy long nails").unwrap(),
            "task list -- buy long nails"
        );
        assert_eq!(
            order("task fix sync.rs").unwrap(),
            "task list -- fix sync.rs"
        );
        assert_eq!(
            order("task 3 information").unwrap(),
            "task info --filter-word=3"
        );
    }

    #[test]
    fn a_start_several_commands_share_after_task_names_is_named_so() {
        let err = order("task 66 d").unwrap_err();
        assert!(err.0.contains("start of done, delete, denotate"), "{err:?}");
        let err = order("task 66 frobnicate").unwrap_err();
        assert!(err.0.contains("is not a command"), "{err:?}");
        let err = order("task 66 pr").unwrap_err();
        assert!(err.0.contains("start of prepend and of other"), "{err:?}");
    }

    #[test]
    fn a_command_may_be_shortened_to_a_start_no_other_shares() {
        for (line, read_as) in [
            ("task li", "task list"),
            ("task +home li", "task list -- +home"),
            ("task 3 mod pri:L", "task modify --filter-word=3 -- pri:L"),
            ("task 3 inf", "task info --filter-word=3"),
            ("task 3 app more", "task append --filter-word=3 -- more"),
            ("task +home cou", "task count -- +home"),
            ("task id", "task ids"),
            // Shared by several commands, or one letter: a search word.
            ("task re", "task list -- re"),
            ("task comp", "task list -- comp"),
            ("task l", "task list -- l"),
            // Account commands, and those that write with no task named,
            // only by their whole name.
            ("task who", "task list -- who"),
            ("task pass", "task list -- pass"),
            ("task un", "task list -- un"),
            ("task red", "task list -- red"),
            // Shared with commands that are never shortened: still shared.
            ("task lo", "task list -- lo"),
            // After a search word, a short word is a search word too.
            (
                "task call an electrician",
                "task list -- call an electrician",
            ),
            ("task things to do", "task list -- things to do"),
            (
                "task +home 3 mod pri:L",
                "task modify --filter-word=+home --filter-word=3 -- pri:L",
            ),
            // Words after the command are its own.
            ("task add li", "task add -- li"),
            // After `--` nothing is a command: the words are searched for.
            ("task -- list", "task list -- -- list"),
        ] {
            assert_eq!(order(line).unwrap(), read_as, "{line}");
        }
    }

    #[test]
    fn filter_first() {
        assert_eq!(order("task 3 done").unwrap(), "task done --filter-word=3");
        assert_eq!(
            order("task 3,5 modify pri:L").unwrap(),
            "task modify --filter-word=3,5 -- pri:L"
        );
        assert_eq!(
            order("task 4-6 delete --yes").unwrap(),
            "task delete --filter-word=4-6 --yes"
        );
        assert_eq!(
            order("task 3 5 done").unwrap(),
            "task done --filter-word=3 --filter-word=5"
        );
        assert_eq!(order("task 3").unwrap(), "task show 3");
        assert_eq!(
            order("task --server http://x:1 --json 3 info").unwrap(),
            "task --server http://x:1 --json info --filter-word=3"
        );
        assert_eq!(
            order("task project:home -work modify pri:L").unwrap(),
            "task modify --filter-word=project:home --filter-word=-work -- pri:L"
        );
        assert_eq!(
            order("task +long done rc.confirmation=off").unwrap(),
            "task --yes done --filter-word=+long"
        );
        assert_eq!(order("task 0 done").unwrap(), "task done --filter-word=0");
        assert!(order("task +home list rc.color=off").is_err());
        assert_eq!(
            order("task 3 --json done").unwrap(),
            "task --json done --filter-word=3"
        );
        assert_eq!(
            order("task +old -y delete").unwrap(),
            "task delete --filter-word=+old --filter-word=-y"
        );
        // A value option with no value is clap's to report, not a panic.
        assert_eq!(order("task --sort").unwrap(), "task --sort");
        assert_eq!(
            order("task --json --server").unwrap(),
            "task --json --server"
        );
    }

    #[test]
    fn words_go_after_a_double_dash() {
        assert_eq!(
            order("task list -later +work --sort due --json").unwrap(),
            "task list --sort=due --json -- -later +work"
        );
        assert_eq!(
            order("task add Call -5 --project home -- --literal").unwrap(),
            "task add --project=home -- Call -5 -- --literal"
        );
        assert_eq!(order("task ls").unwrap(), "task ls");
        assert_eq!(order("task ls --sort -id").unwrap(), "task ls --sort=-id");
        assert_eq!(order("task list -h").unwrap(), "task list -h");
        assert_eq!(
            order("task add --bogus x").unwrap(),
            "task add --bogus -- x"
        );
    }

    #[test]
    fn command_first_is_untouched() {
        for line in [
            "task done 3",
            "task",
            "task --version",
            "task delete 3 -y",
            "task --json show 3",
        ] {
            assert_eq!(order(line).unwrap(), line);
        }
    }

    #[test]
    fn ids_then_nonsense_is_a_usage_error() {
        assert!(order("task 3 frobnicate").is_err());
        assert!(order("task 3 add x").is_err());
        assert!(order("task +home login").is_err());
    }
}
