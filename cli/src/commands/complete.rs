//! `task _complete -- CURRENT [WORDS BEFORE IT…]`: the candidates for the
//! word being typed, one a line, for the completion scripts of
//! `task completions`. Commands and reports, attribute names, sort fields,
//! priorities, statuses, date words, and the user's projects and tags
//! (asked of the server once, then kept for a minute). Never an error:
//! offline or logged out, it offers what it knows without the server.

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Result;
use common::api::{StatusFilter, Summary, TaskQuery};
use common::list_query::OrderField;
use serde::{Deserialize, Serialize};

use crate::argv::{COMMANDS, MODIFY_COMMANDS, REPORTS};
use crate::context::Ctx;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The word being completed, then the words before it
    #[arg(allow_hyphen_values = true, trailing_var_arg = true, num_args = 0..)]
    words: Vec<String>,
}

/// How long projects and tags are reused before they are asked for again.
const FRESH_FOR: Duration = Duration::from_secs(60);

/// The modifiers and filter attributes offered by name.
const ATTRIBUTES: &[&str] = &[
    "project:",
    "priority:",
    "due:",
    "due.before:",
    "due.after:",
    "wait:",
    "scheduled:",
    "scheduled.before:",
    "scheduled.after:",
    "until:",
    "depends:",
    "status:",
];

const DATES: &[&str] = &[
    "today",
    "tomorrow",
    "yesterday",
    "now",
    "sod",
    "eod",
    "sow",
    "eow",
    "som",
    "eom",
    "soy",
    "eoy",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "later",
    "someday",
    "noon",
];

const VIRTUAL_TAGS: &[&str] = &[
    "ACTIVE",
    "BLOCKED",
    "UNBLOCKED",
    "BLOCKING",
    "WAITING",
    "READY",
    "SCHEDULED",
    "OVERDUE",
    "TODAY",
];

pub async fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let (current, before) = match args.words.split_first() {
        Some((current, before)) => (current.as_str(), before),
        None => ("", &[][..]),
    };
    let facts = if needs_facts(current) {
        load(ctx).await
    } else {
        Cache::default()
    };
    let candidates = candidates(current, before, &facts);
    let mut out = String::new();
    for candidate in candidates.into_iter().filter(|c| c.starts_with(current)) {
        out.push_str(&candidate);
        out.push('\n');
    }
    // A closed pipe is the shell's business.
    let _ = ctx.print(&out);
    Ok(ExitCode::SUCCESS)
}

/// Whether completing `current` needs the user's projects or tags.
fn needs_facts(current: &str) -> bool {
    let project = current
        .split_once(':')
        .is_some_and(|(key, _)| matches!(key, "project" | "pro" | "proj"));
    let tag = (current.starts_with('+') || current.starts_with('-')) && !current.starts_with("--");
    project || tag
}

/// Projects and tags as last fetched, for one user of one server.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Cache {
    server: String,
    username: Option<String>,
    /// Seconds since the epoch.
    fetched_at: u64,
    projects: Vec<String>,
    tags: Vec<String>,
}

fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The cache when it is fresh and for this server, else the server's
/// answer (kept for next time), else nothing.
async fn load(ctx: &Ctx) -> Cache {
    let Ok(client) = ctx.client() else {
        return Cache::default();
    };
    let server = client.server().to_string();
    let username = client.username();
    // Beside the credentials the client already found.
    let path = client
        .config_dir()
        .map(|dir| dir.path().join("completion-cache.json"));
    let read = path.clone();
    let cached = tokio::task::spawn_blocking(move || {
        let bytes = std::fs::read(read?).ok()?;
        serde_json::from_slice::<Cache>(&bytes).ok()
    })
    .await
    .ok()
    .flatten();
    if let Some(cached) = cached {
        let age = now_seconds().saturating_sub(cached.fetched_at);
        if cached.server == server && cached.username == username && age < FRESH_FOR.as_secs() {
            return cached;
        }
    }
    let query = TaskQuery {
        status: Some(StatusFilter::Pending),
        ..TaskQuery::default()
    };
    let (Ok(projects), Ok(tags)) = (
        client.count_by(Summary::Projects, &query).await,
        client.count_by(Summary::Tags, &query).await,
    ) else {
        return Cache::default();
    };
    let cache = Cache {
        server,
        username,
        fetched_at: now_seconds(),
        projects: projects.into_iter().map(|c| c.name).collect(),
        tags: tags.into_iter().map(|c| c.name).collect(),
    };
    if let (Some(path), Ok(bytes)) = (path, serde_json::to_vec(&cache)) {
        // Only a convenience: a cache that cannot be written is skipped.
        let _ = tokio::task::spawn_blocking(move || std::fs::write(path, bytes)).await;
    }
    cache
}

/// Every candidate for `current`, before filtering by its prefix.
fn candidates(current: &str, before: &[String], facts: &Cache) -> Vec<String> {
    if before.last().is_some_and(|w| w == "--sort") || current.starts_with("--sort=") {
        let prefix = if current.starts_with("--sort=") {
            "--sort="
        } else {
            ""
        };
        return OrderField::ALL
            .iter()
            .flat_map(|(name, _)| [format!("{prefix}{name}"), format!("{prefix}-{name}")])
            .collect();
    }
    if let Some((key, _)) = current.split_once(':') {
        let values: Vec<String> = match key {
            "project" | "pro" | "proj" => facts.projects.clone(),
            "priority" | "pri" => ["H", "M", "L"].map(String::from).to_vec(),
            "status" => ["pending", "done", "all"].map(String::from).to_vec(),
            "due" | "due.before" | "due.after" | "wait" | "scheduled" | "sched"
            | "scheduled.before" | "scheduled.after" | "until" => {
                DATES.iter().map(|d| d.to_string()).collect()
            }
            _ => Vec::new(),
        };
        return values.into_iter().map(|v| format!("{key}:{v}")).collect();
    }
    if let Some(sign) = current.chars().next().filter(|c| matches!(c, '+' | '-')) {
        if current.starts_with("--") {
            return ["--json", "--yes", "--sort", "--server", "--help"]
                .map(String::from)
                .to_vec();
        }
        let mut tags: Vec<String> = facts.tags.iter().map(|t| format!("{sign}{t}")).collect();
        tags.extend(VIRTUAL_TAGS.iter().map(|t| format!("{sign}{t}")));
        return tags;
    }
    let command = before
        .iter()
        .find_map(|w| crate::argv::command_named(w))
        .map(str::to_string);
    let command = command.as_ref();
    let mut out: Vec<String> = Vec::new();
    if command.is_none() {
        out.extend(
            COMMANDS
                .iter()
                .filter(|c| !c.starts_with('_'))
                .map(|c| c.to_string()),
        );
    }
    let takes_words = match command {
        None => true,
        Some(c) => REPORTS.contains(&c.as_str()) || MODIFY_COMMANDS.contains(&c.as_str()),
    };
    if takes_words {
        out.extend(ATTRIBUTES.iter().map(|a| a.to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Cache {
        Cache {
            projects: vec!["home".into(), "work".into()],
            tags: vec!["errands".into()],
            ..Cache::default()
        }
    }

    fn offered(current: &str, before: &[&str]) -> Vec<String> {
        let before: Vec<String> = before.iter().map(|w| w.to_string()).collect();
        candidates(current, &before, &facts())
            .into_iter()
            .filter(|c| c.starts_with(current))
            .collect()
    }

    #[test]
    fn what_is_offered_where() {
        assert!(offered("", &[]).contains(&"next".to_string()));
        assert!(offered("", &[]).contains(&"project:".to_string()));
        assert_eq!(offered("reg", &[]), ["register"]);
        assert_eq!(offered("project:", &[]), ["project:home", "project:work"]);
        assert_eq!(offered("pro:w", &["list"]), ["pro:work"]);
        assert_eq!(offered("+e", &[]), ["+errands"]);
        assert_eq!(offered("-W", &["list"]), ["-WAITING"]);
        assert_eq!(offered("pri:", &["add", "x"]), ["pri:H", "pri:M", "pri:L"]);
        assert_eq!(offered("ur", &["list", "--sort"]), ["urgency"]);
        assert_eq!(offered("--sort=-d", &["list"]), ["--sort=-due"]);
        assert!(offered("due:eo", &["add", "x"]).contains(&"due:eom".to_string()));
        // After a command that takes no words, no commands or attributes.
        assert!(offered("", &["3", "done"]).is_empty());
    }
}
