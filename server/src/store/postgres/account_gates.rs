//! How many of one account's writes a daemon has inside PostgreSQL at once.
//!
//! Every write of an account takes the account's locks (its row, whose
//! tallies the triggers move, and the lock under which numbers are given
//! out) and holds them until its commit is flushed, so an account's writes
//! take turns however many are sent. Left to PostgreSQL, each waiting write
//! holds a pooled connection and a backend process asleep on the lock, and
//! every hand-over wakes them to queue again; with several daemons on one
//! database, each adds its own pool of waiters. Here the waiting is done in
//! the daemon: one write holds the locks while the next waits on them,
//! ready to go the moment they are released, and the rest wait for a turn
//! without a connection, which other accounts' requests can then use.

use tokio::sync::{Semaphore, SemaphorePermit};

use super::OPERATION_TIMEOUT;
use crate::store::{StoreError, StoreResult};

/// Writes of one account let into PostgreSQL at once: the one holding its
/// locks and the one next in turn.
const PER_ACCOUNT: usize = 2;

/// Accounts are spread over this many gates; two accounts sharing one only
/// share its turns, which is rare with many gates and costs one turn then.
const GATES: usize = 256;

pub(super) struct AccountGates {
    gates: Box<[Semaphore]>,
}

impl AccountGates {
    pub(super) fn new() -> AccountGates {
        AccountGates {
            gates: (0..GATES).map(|_| Semaphore::new(PER_ACCOUNT)).collect(),
        }
    }

    /// A turn to write `user_id`'s data, held until dropped; unavailable
    /// (503) after as long as a connection may be waited for.
    pub(super) async fn enter(&self, user_id: i64) -> StoreResult<SemaphorePermit<'_>> {
        let gate = &self.gates[user_id.rem_euclid(GATES as i64) as usize];
        match tokio::time::timeout(OPERATION_TIMEOUT, gate.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) | Err(_) => Err(StoreError::Unavailable(anyhow::anyhow!(
                "the account's earlier writes did not finish within {} s",
                OPERATION_TIMEOUT.as_secs()
            ))),
        }
    }
}
