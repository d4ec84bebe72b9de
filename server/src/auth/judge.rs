//! How guessable a new password is, judged away from the daemon's memory.
//!
//! zxcvbn builds its dictionaries (some 95,000 words) into hash maps at its
//! first judgement and keeps them for as long as the process lives: 4.8 MB
//! of allocations, some 6 MiB of a daemon's resident memory in all, a fifth
//! of what it holds serving reads and writes (bench/README.md). A daemon
//! judges passwords only at registrations and password changes, so it asks
//! a child, its own binary run as `taskd judge-password`, whose memory goes
//! back to the system when it exits. The child costs a few milliseconds, on
//! a hashing thread, beside the tens of milliseconds the new password's
//! hash takes anyway.
//!
//! A password is never let through unjudged: when the child cannot be
//! asked (no `/proc`, a process limit), the daemon judges in its own
//! process and says so in its log.

use std::{
    io::{self, Read, Write},
    path::{Path, PathBuf},
    process::{Command, ExitStatus, Stdio},
    sync::{
        atomic::{AtomicBool, Ordering},
        OnceLock,
    },
    time::{Duration, Instant},
};

use serde::{Deserialize, Serialize};

use crate::domain::credentials;

/// The subcommand that makes `taskd` a judge.
pub const SUBCOMMAND: &str = "judge-password";

/// How long a judgement may take before the child is killed and the
/// password judged here instead: some hundred times what it takes.
const PATIENCE: Duration = Duration::from_secs(5);

/// The binary asked, once the daemon has set it (see [`judge_in_child`]).
static JUDGE: OnceLock<PathBuf> = OnceLock::new();

/// Whether the log already says that judging fell back to this process.
static FELL_BACK: AtomicBool = AtomicBool::new(false);

#[derive(Serialize, Deserialize)]
struct Question {
    password: String,
    username: String,
}

#[derive(Serialize, Deserialize)]
struct Judgement {
    /// Why the password is too easy to guess, if it is.
    guessable: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum JudgeError {
    #[error("cannot start {0}: {1}")]
    Start(PathBuf, #[source] io::Error),
    #[error("cannot talk to the judge: {0}")]
    Pipe(#[source] io::Error),
    #[error("the judge gave no answer within {0:?}")]
    TimedOut(Duration),
    #[error("the judge failed ({0})")]
    Failed(ExitStatus),
    #[error("the judge's question or answer is malformed: {0}")]
    Json(#[source] serde_json::Error),
}

/// From now on, passwords are judged by this process's own binary run as
/// `taskd judge-password`: on Linux `/proc/self/exe`, which names it even
/// after an upgrade has replaced the file. Only the first call counts.
pub fn judge_in_child() -> io::Result<()> {
    let binary = if cfg!(target_os = "linux") {
        PathBuf::from("/proc/self/exe")
    } else {
        std::env::current_exe()?
    };
    let _ = JUDGE.set(binary);
    Ok(())
}

/// zxcvbn's judgement of `password` for `username`, as
/// [`credentials::guessable`] gives it: from the child once the daemon has
/// set one up, in this process otherwise. Blocks for the child.
pub fn guessable(password: &str, username: &str) -> Option<String> {
    let Some(binary) = JUDGE.get() else {
        return credentials::guessable(password, username);
    };
    match ask(binary, password, username) {
        Ok(judgement) => judgement,
        Err(err) => {
            if !FELL_BACK.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    error = %err,
                    "judging new passwords in the daemon's own process, \
                     which then keeps zxcvbn's dictionaries (some 5 MB)"
                );
            }
            credentials::guessable(password, username)
        }
    }
}

/// Asks `binary judge-password` about `password`. The password goes
/// through a pipe, never the command line, which other users can read.
pub fn ask(binary: &Path, password: &str, username: &str) -> Result<Option<String>, JudgeError> {
    let mut child = Command::new(binary)
        .arg(SUBCOMMAND)
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|err| JudgeError::Start(binary.to_owned(), err))?;
    let question = serde_json::to_vec(&Question {
        password: password.to_owned(),
        username: username.to_owned(),
    })
    .map_err(JudgeError::Json)?;
    // A question is at most a few KiB, within a pipe's buffer: the write
    // does not wait for the child to read.
    let written = match child.stdin.take() {
        Some(mut stdin) => stdin.write_all(&question),
        None => Err(io::Error::other("no pipe to the judge")),
    };
    let status = match written.and_then(|()| wait(&mut child)) {
        Ok(Some(status)) => status,
        outcome => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(match outcome {
                Err(err) => JudgeError::Pipe(err),
                _ => JudgeError::TimedOut(PATIENCE),
            });
        }
    };
    if !status.success() {
        return Err(JudgeError::Failed(status));
    }
    // The child has exited: its answer, a line, waits whole in the pipe.
    let mut answer = Vec::new();
    if let Some(mut stdout) = child.stdout.take() {
        stdout.read_to_end(&mut answer).map_err(JudgeError::Pipe)?;
    }
    let judgement: Judgement = serde_json::from_slice(&answer).map_err(JudgeError::Json)?;
    Ok(judgement.guessable)
}

/// Waits for `child` to exit, at most [`PATIENCE`]: `None` if it has not.
/// A judgement takes milliseconds, so looking every millisecond costs
/// nothing worth a thread or a signal handler.
fn wait(child: &mut std::process::Child) -> io::Result<Option<ExitStatus>> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The child's side: the question on `input`, the judgement on `output`.
pub fn answer(input: impl Read, mut output: impl Write) -> anyhow::Result<()> {
    let question: Question = serde_json::from_reader(input)?;
    let judgement = Judgement {
        guessable: credentials::guessable(&question.password, &question.username),
    };
    serde_json::to_writer(&mut output, &judgement)?;
    output.write_all(b"\n")?;
    output.flush()?;
    Ok(())
}
