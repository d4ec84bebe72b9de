//! The reader connections and the threads that run reads on them.
//!
//! A read runs on one of a fixed few threads of its own, never on the
//! runtime's blocking pool: the pool starts a thread whenever none is idle
//! at the moment a job arrives, and reads finishing and starting together
//! kept a dozen of them alive under load. Each thread that allocates gets
//! an arena of its own from the C allocator, which keeps what was freed in
//! it; the few reader threads hold a page's tasks in a few arenas instead.

use std::{
    panic::{catch_unwind, AssertUnwindSafe},
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};

use anyhow::Context;
use rusqlite::{Connection, ErrorCode};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{open_connection, store_error, BUSY_TIMEOUT};
use crate::store::{StoreError, StoreResult};

/// Reader connections, and the threads reads run on: enough to keep both
/// cores busy while some wait on the disk, few enough that memory stays
/// small.
const READERS: usize = 4;

type Job = Box<dyn FnOnce() + Send>;

pub(super) struct Readers {
    path: PathBuf,
    idle: Arc<Mutex<Vec<Connection>>>,
    /// One permit per reader connection: holding one guarantees a
    /// connection, and bounds the reads queued for the threads.
    permits: Arc<Semaphore>,
    /// The threads end once this is dropped and the reads queued are done.
    jobs: crossbeam_channel::Sender<Job>,
}

impl Readers {
    pub(super) fn start(path: &Path) -> anyhow::Result<Readers> {
        let (jobs, queue) = crossbeam_channel::unbounded::<Job>();
        for n in 0..READERS {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("sqlite-reader-{n}"))
                .spawn(move || {
                    for job in queue {
                        // A read that panicked has dropped its answer (its
                        // caller hears of it) and its connection; the
                        // thread serves the next one.
                        let _ = catch_unwind(AssertUnwindSafe(job));
                    }
                })
                .context("starting the database reader threads")?;
        }
        Ok(Readers {
            path: path.to_path_buf(),
            idle: Arc::new(Mutex::new(Vec::with_capacity(READERS))),
            permits: Arc::new(Semaphore::new(READERS)),
            jobs,
        })
    }

    /// Runs `f` on a reader connection, on a reader thread.
    pub(super) async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|err| StoreError::Internal(err.into()))?;
        self.send(permit, f).await
    }

    async fn send<T, F>(&self, permit: OwnedSemaphorePermit, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let idle = Arc::clone(&self.idle);
        let path = self.path.clone();
        let job: Job = Box::new(move || {
            let result = match take_idle(&idle) {
                Some(conn) => Ok(conn),
                None => open_connection(&path).map_err(StoreError::Unavailable),
            }
            .and_then(|mut conn| {
                let result = f(&mut conn).map_err(store_error);
                give_back(&idle, conn);
                result
            });
            drop(permit);
            let _ = tx.send(result);
        });
        self.jobs
            .send(job)
            .map_err(|_| StoreError::Unavailable(anyhow::anyhow!("the reader threads stopped")))?;
        rx.await
            .map_err(|_| StoreError::Internal(anyhow::anyhow!("a read of the database panicked")))?
    }

    /// Runs `f`, a read of a few rows by their key, right here on the
    /// calling async worker when a reader connection is free, else as
    /// [`Self::read`] does. A read that short costs less than the two thread
    /// switches of a hop to a reader thread (measured both ways in
    /// bench/README.md), and it cannot wait on anything but the
    /// pages it reads: in WAL mode a reader never waits for the writer, and
    /// the connection's busy timeout is off meanwhile, so the rare moment a
    /// reader would have to wait (the WAL being reset) sends the read to a
    /// reader thread instead.
    pub(super) async fn read_key<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Clone + Send + 'static,
    {
        let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() else {
            return self.read(f).await;
        };
        let Some(mut conn) = take_idle(&self.idle) else {
            return self.send(permit, f).await;
        };
        let inline = conn
            .busy_timeout(Duration::ZERO)
            .and_then(|()| f.clone()(&mut conn));
        // A connection whose timeout could not be restored is let go.
        if conn.busy_timeout(BUSY_TIMEOUT).is_ok() {
            give_back(&self.idle, conn);
        }
        match inline {
            Err(err)
                if matches!(
                    err.sqlite_error_code(),
                    Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                ) =>
            {
                self.send(permit, f).await
            }
            other => other.map_err(store_error),
        }
    }
}

/// An idle reader connection, if there is one.
fn take_idle(idle: &Mutex<Vec<Connection>>) -> Option<Connection> {
    idle.lock().unwrap_or_else(|e| e.into_inner()).pop()
}

/// Returns a reader connection to the idle ones.
fn give_back(idle: &Mutex<Vec<Connection>>, conn: Connection) {
    idle.lock().unwrap_or_else(|e| e.into_inner()).push(conn);
}
