//! What every command needs: the global options, the clock, the output and
//! its style, and (opened on demand) the API client.

use std::io::{IsTerminal, Write};

use anyhow::{Context as _, Result};
use chrono::Local;
use common::client::ApiClient;
use common::dates::Clock;
use serde::Serialize;

use crate::render::Style;
use crate::Global;

/// Bad usage: reported like any error, but with exit status 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

pub struct Ctx {
    pub global: Global,
    pub clock: Clock<Local>,
    pub style: Style,
}

impl Ctx {
    pub fn new(global: Global) -> Result<Ctx> {
        let clock = Clock::from_env().context("TASK_NOW")?;
        let style = Style::detect(global.json);
        Ok(Ctx {
            global,
            clock,
            style,
        })
    }

    pub fn json(&self) -> bool {
        self.global.json
    }

    /// The API client for the chosen server, with the stored credentials.
    pub fn client(&self) -> Result<ApiClient> {
        Ok(ApiClient::open(self.global.server.as_deref())?)
    }

    /// Writes `text` to stdout at once.
    pub fn print(&self, text: &str) -> Result<()> {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()?;
        Ok(())
    }

    /// Writes one line to stdout, unless the output is JSON (then messages
    /// stay off stdout).
    pub fn say(&self, line: &str) -> Result<()> {
        if self.json() {
            return Ok(());
        }
        self.print(&format!("{line}\n"))
    }

    /// Prints `value` as JSON: the only thing on stdout with `--json`.
    pub fn print_json(&self, value: &impl Serialize) -> Result<()> {
        let mut text = serde_json::to_string_pretty(value)?;
        text.push('\n');
        self.print(&text)
    }

    /// Reports one failure among several (one ID of many) on stderr and goes on.
    pub fn warn(&self, line: &str) {
        eprintln!("task: {}", common::text::escape_control(line));
    }

    /// The width tables are fitted to: the terminal's when stdout is one,
    /// else `$COLUMNS` when set, else none (lines are not cut).
    /// The terminal's height in lines (else `LINES`), for `next`; `None`
    /// when output goes elsewhere: then every matching task is printed.
    pub fn height(&self) -> Option<usize> {
        if std::io::stdout().is_terminal() {
            if let Some((_, terminal_size::Height(h))) = terminal_size::terminal_size() {
                if h > 0 {
                    return Some(usize::from(h));
                }
            }
        }
        std::env::var("LINES")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|h| *h > 0)
    }

    pub fn width(&self) -> Option<usize> {
        if std::io::stdout().is_terminal() {
            if let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size() {
                if w > 0 {
                    return Some(usize::from(w));
                }
            }
        }
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|w| *w > 0)
    }
}
