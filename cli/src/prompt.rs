//! Reading passwords, usernames and confirmations from the user.

use std::io::{BufRead, IsTerminal, Read, Write};

use anyhow::{bail, Context as _, Result};

use crate::context::UsageError;

/// Whether stdin is a terminal a person can answer on.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal()
}

/// Reads a password from the terminal without echo.
pub fn password(prompt: &str) -> Result<String> {
    if !interactive() {
        return Err(UsageError(
            "no terminal to read the password from: use --password-stdin".to_string(),
        )
        .into());
    }
    let password = rpassword::prompt_password(prompt).context("cannot read the password")?;
    Ok(password)
}

/// Reads a new password twice from the terminal; they must match.
pub fn new_password(prompt: &str) -> Result<String> {
    let first = password(prompt)?;
    let again = password("Repeat it: ")?;
    if first != again {
        bail!("the passwords do not match");
    }
    Ok(first)
}

/// The lines of stdin (for `--password-stdin`), without their line endings.
pub fn stdin_lines(count: usize) -> Result<Vec<String>> {
    let mut text = String::new();
    std::io::stdin()
        .lock()
        .take(1 << 20)
        .read_to_string(&mut text)
        .context("cannot read stdin")?;
    let lines: Vec<String> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
        .take(count)
        .collect();
    if lines.len() < count || lines.iter().any(String::is_empty) {
        let what = if count == 1 {
            "a password".to_string()
        } else {
            format!("{count} lines (the current password, then the new one)")
        };
        return Err(UsageError(format!("--password-stdin: expected {what} on stdin")).into());
    }
    Ok(lines)
}

/// Asks a line of text on the terminal (stderr for the prompt).
pub fn line(prompt: &str) -> Result<String> {
    eprint!("{prompt}");
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .context("cannot read the answer")?;
    Ok(answer.trim().to_string())
}

/// Asks a yes/no question; anything but `y`/`yes` is no.
pub fn confirm(question: &str) -> Result<bool> {
    let answer = line(&format!("{question} [y/N] "))?;
    Ok(matches!(answer.to_ascii_lowercase().as_str(), "y" | "yes"))
}
