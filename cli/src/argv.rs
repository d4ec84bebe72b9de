//! The argument words rewritten before clap sees them:
//!
//! - Taskwarrior's order, `task 3 done` / `task 3,5 modify pri:L` /
//!   `task 4-6 delete`, becomes the subcommand order clap parses
//!   (`task done 3`); `task 3` alone shows task 3.
//! - For the commands that take free words (`add`, `list`, `modify`), the
//!   words go after a `--`, so that `-tag` and `-5` are words while flags
//!   keep working anywhere: `task list -later +work --sort due` becomes
//!   `task list --sort due -- -later +work`.

use std::ffi::OsString;

use crate::context::UsageError;
use crate::refs::is_ref_list;

/// The commands that take IDs, with their aliases.
const ID_COMMANDS: &[&str] = &[
    "show", "info", "done", "reopen", "modify", "edit", "delete", "rm", "start", "stop",
    "annotate", "denotate",
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
];

/// The commands whose positional words are filters or modifiers.
const WORD_COMMANDS: &[&str] = &[
    "add",
    "list",
    "ls",
    "modify",
    "edit",
    "annotate",
    "denotate",
    "next",
    "all",
    "completed",
    "waiting",
    "active",
    "blocked",
    "ready",
    "overdue",
];

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
    let args = bare_filter_lists(taskwarrior_order(args)?);
    let first = first_word(&args);
    let Some(command) = args.get(first).and_then(|a| a.to_str()) else {
        return Ok(args);
    };
    if !WORD_COMMANDS.contains(&command) {
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

/// The index of the first word that is not a global option.
fn first_word(args: &[OsString]) -> usize {
    let mut first = 1;
    while let Some(arg) = args.get(first).and_then(|a| a.to_str()) {
        if VALUE_OPTIONS.contains(&arg) {
            first += 2;
        } else if arg.starts_with('-') && arg != "-" && arg != "--" {
            first += 1;
        } else {
            break;
        }
    }
    first
}

/// `task +home pri:H` is `task list +home pri:H`: a line that starts with a
/// filter word (a `-tag` there would read as an option) lists with it; and
/// `task +home next`, Taskwarrior's filter-then-report order, is
/// `task next +home`.
fn bare_filter_lists(mut args: Vec<OsString>) -> Vec<OsString> {
    let first = first_word(&args);
    let starts_with_filter = args
        .get(first)
        .and_then(|a| a.to_str())
        .is_some_and(common::filter::is_filter_word);
    if !starts_with_filter {
        return args;
    }
    let report = args[first..]
        .iter()
        .take_while(|a| a.to_str() != Some("--"))
        .position(|a| a.to_str().is_some_and(|w| REPORTS.contains(&w)));
    match report {
        Some(offset) => {
            let word = args.remove(first + offset);
            args.insert(first, word);
        }
        None => args.insert(first, OsString::from("list")),
    }
    args
}

/// Moves leading ID words after the command word that follows them.
fn taskwarrior_order(args: Vec<OsString>) -> Result<Vec<OsString>, UsageError> {
    let first = first_word(&args);
    let is_ids = |i: usize| {
        args.get(i)
            .and_then(|a| a.to_str())
            .is_some_and(is_ref_list)
    };
    if !is_ids(first) {
        return Ok(args);
    }
    let mut end = first;
    while is_ids(end) {
        end += 1;
    }
    let command = match args.get(end) {
        None => "show".to_string(),
        Some(word) => match word.to_str() {
            Some(w) if ID_COMMANDS.contains(&w) => w.to_string(),
            _ => {
                return Err(UsageError(format!(
                    "{:?} after task IDs is not a command: use one of show, done, reopen, modify, delete",
                    word.to_string_lossy()
                )))
            }
        },
    };
    let mut out = Vec::with_capacity(args.len() + 1);
    out.extend_from_slice(&args[..first]);
    out.push(OsString::from(command));
    out.extend_from_slice(&args[first..end]);
    if end < args.len() {
        out.extend_from_slice(&args[end + 1..]);
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
        // Commands and free words are left alone.
        assert_eq!(
            order("task add +home Buy milk").unwrap(),
            "task add -- +home Buy milk"
        );
        assert_eq!(order("task milk").unwrap(), "task milk");
        // Taskwarrior's filter-then-report order.
        assert_eq!(
            order("task +home -work next").unwrap(),
            "task next -- +home -work"
        );
        assert_eq!(
            order("task project:work completed --json").unwrap(),
            "task completed --json -- project:work"
        );
        assert_eq!(order("task note:x").unwrap(), "task note:x");
    }

    #[test]
    fn ids_first() {
        assert_eq!(order("task 3 done").unwrap(), "task done 3");
        assert_eq!(
            order("task 3,5 modify pri:L").unwrap(),
            "task modify -- 3,5 pri:L"
        );
        assert_eq!(
            order("task 4-6 delete --yes").unwrap(),
            "task delete 4-6 --yes"
        );
        assert_eq!(order("task 3 5 done").unwrap(), "task done 3 5");
        assert_eq!(order("task 3").unwrap(), "task show 3");
        assert_eq!(
            order("task --server http://x:1 --json 3 info").unwrap(),
            "task --server http://x:1 --json info 3"
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
    }
}
