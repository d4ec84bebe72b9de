//! Copying the WAL back into the database file, on a thread of its own.
//!
//! Left to the writer (SQLite's automatic checkpoint), each checkpoint
//! copies and syncs the database file inside the commit that crossed the
//! threshold, and every write queued behind it waits. Here a passive
//! checkpoint follows commits on another connection, never waiting for the
//! writer or for readers, so the database file holds each commit within
//! milliseconds and the writer no longer pays for the copy and its sync.
//! Under steady writes a passive checkpoint rarely finds the WAL free to
//! restart, so the WAL itself grows until the writer's own threshold.

use std::{
    path::Path,
    sync::mpsc::{self, Receiver, SyncSender},
    time::Duration,
};

use anyhow::Context;
use rusqlite::Connection;

/// How long commits gather before a checkpoint copies them: one checkpoint
/// (and its sync of the database file) serves every commit of that time.
const GATHER: Duration = Duration::from_millis(20);

/// Pages in the WAL past which the writer checkpoints itself, which starts
/// the WAL over: this bounds its size (some 40 MiB), while the thread keeps
/// the database file current in between.
///
/// Each time round costs the writer three syncs, with every write queued
/// behind them: the WAL's and the database file's in its checkpoint, and
/// the WAL's again when it starts over. Steady patches write some 80,000
/// pages a second, so at 2,000 pages the writer synced about 100 times a
/// second and spent an eighth of its time waiting on the disk.
pub const WRITER_THRESHOLD: u32 = 10_000;

/// Tells the checkpoint thread that a transaction committed.
pub struct Commits(SyncSender<()>);

impl Commits {
    /// Never blocks the writer.
    pub fn committed(&self) {
        // Full: a signal already waiting covers this commit too.
        // Disconnected: the thread is gone, and the writer's own threshold
        // keeps checkpointing.
        let _ = self.0.try_send(());
    }
}

/// Starts the checkpoint thread on its own connection to `path`; it ends
/// once the returned [`Commits`] is dropped.
pub fn start(path: &Path) -> anyhow::Result<Commits> {
    let conn = super::open_connection(path)?;
    let (tx, rx) = mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || run(conn, rx))
        .context("starting the database checkpoint thread")?;
    Ok(Commits(tx))
}

fn run(conn: Connection, commits: Receiver<()>) {
    while commits.recv().is_ok() {
        std::thread::sleep(GATHER);
        // Commits made while sleeping are copied by this checkpoint.
        while commits.try_recv().is_ok() {}
        // Busy (another checkpoint running, `taskd backup`) or a full disk:
        // the next commit tries again, and the writer's own threshold
        // bounds the WAL meanwhile.
        if let Err(err) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::debug!(error = %err, "a checkpoint did not complete");
        }
    }
}
