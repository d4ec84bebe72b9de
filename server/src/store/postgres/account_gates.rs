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
//!
//! Each account has a gate of its own, made when a write of it arrives and
//! dropped once none is waiting or writing: accounts never wait on each
//! other's turns (an import may hold one for minutes). A write that gives
//! up while PostgreSQL still runs its statement releases its turn early, as
//! it releases its connection; the bound is then passed for a moment.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::store::{StoreError, StoreResult};

/// Writes of one account let into PostgreSQL at once: the one holding its
/// locks and the one next in turn.
const PER_ACCOUNT: usize = 2;

/// Each account with a write under way or waiting: its gate, and how many
/// writes hold or wait for one of its turns.
#[derive(Default)]
pub(super) struct AccountGates {
    gates: Mutex<HashMap<i64, (Arc<Semaphore>, usize)>>,
}

/// One of an account's turns to write, held until dropped.
pub(super) struct Turn<'a> {
    // Declared first, so dropped first: the turn is handed on before the
    // gate may be forgotten, and a write arriving then finds the same gate.
    _permit: OwnedSemaphorePermit,
    _entry: Entry<'a>,
}

/// A write's claim on its account's gate, which keeps the gate while any
/// write holds or waits for a turn.
struct Entry<'a> {
    gates: &'a AccountGates,
    user_id: i64,
}

impl Drop for Entry<'_> {
    fn drop(&mut self) {
        let mut gates = self.gates.lock();
        if let Some((_, writes)) = gates.get_mut(&self.user_id) {
            *writes -= 1;
            if *writes == 0 {
                gates.remove(&self.user_id);
            }
        }
    }
}

impl AccountGates {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, (Arc<Semaphore>, usize)>> {
        // Nothing panics while it is held; a poisoned map is still whole.
        self.gates.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A turn to write `user_id`'s data, held until dropped. The caller
    /// bounds the wait; giving up (a timeout, or the request dropped) lets
    /// the write's claim on the gate go.
    pub(super) async fn enter(&self, user_id: i64) -> StoreResult<Turn<'_>> {
        let gate = {
            let mut gates = self.lock();
            let (gate, writes) = gates
                .entry(user_id)
                .or_insert_with(|| (Arc::new(Semaphore::new(PER_ACCOUNT)), 0));
            *writes += 1;
            Arc::clone(gate)
        };
        let entry = Entry {
            gates: self,
            user_id,
        };
        let permit = gate
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Internal(anyhow::anyhow!("an account's gate was closed")))?;
        Ok(Turn {
            _permit: permit,
            _entry: entry,
        })
    }

    /// Accounts with a gate now, for the tests.
    #[cfg(test)]
    fn held(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::time::{error::Elapsed, timeout};

    use super::*;

    /// A turn, or `Err` if it has not come within 50 ms.
    async fn enter(gates: &AccountGates, user_id: i64) -> Result<Turn<'_>, Elapsed> {
        timeout(Duration::from_millis(50), gates.enter(user_id))
            .await
            .map(|entered| entered.unwrap())
    }

    #[tokio::test]
    async fn an_account_has_two_turns_and_others_are_not_kept_waiting() {
        let gates = AccountGates::default();
        let first = enter(&gates, 1).await.unwrap();
        let _second = enter(&gates, 1).await.unwrap();
        assert!(
            enter(&gates, 1).await.is_err(),
            "a third write of the account waits for a turn"
        );
        // Another account is let in at once, whatever the first holds.
        let other = enter(&gates, 257).await.unwrap();
        drop(first);
        let _third = enter(&gates, 1).await.unwrap();
        drop(other);
        assert_eq!(gates.held(), 1, "an account with no write has no gate");
    }

    #[tokio::test]
    async fn a_gate_goes_once_no_write_holds_or_waits_for_it() {
        let gates = AccountGates::default();
        let one = enter(&gates, 7).await.unwrap();
        let two = enter(&gates, 7).await.unwrap();
        // A waiter that gives up lets its claim go too.
        assert!(enter(&gates, 7).await.is_err());
        drop(one);
        drop(two);
        assert_eq!(gates.held(), 0);
    }
}
