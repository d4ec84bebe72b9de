//! The password hashing threads and their queue, in two lanes: logins go
//! first, so that a flood of registrations (or password changes) cannot
//! make a person logging in wait; and each lane holds a bounded number of
//! jobs, past which a request is told at once that the server is busy,
//! instead of waiting behind a queue that only grows.

use std::{
    cell::{Cell, RefCell},
    collections::VecDeque,
    sync::{Condvar, LazyLock, Mutex, MutexGuard, OnceLock},
    time::Duration,
};

use argon2::Block;

use crate::error::ApiError;

type HashJob = Box<dyn FnOnce() + Send>;

/// Which queue a job waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Checking a password at login: served first.
    Login,
    /// Judging and hashing a new password.
    NewPassword,
}

/// Jobs that may wait in each lane. Logins are cheap to let wait (one
/// hash each, served first); new passwords cost two jobs each.
const MAX_WAITING_LOGINS: usize = 512;
const MAX_WAITING_NEW_PASSWORDS: usize = 64;

static HASHING_THREADS: OnceLock<usize> = OnceLock::new();
const MAX_DEFAULT_HASHING_THREADS: usize = 8;

/// Sets how many threads hash passwords (`--hash-threads`). Only the first
/// call before the first hash counts: the threads live as long as the process.
pub fn set_hashing_threads(threads: usize) {
    let _ = HASHING_THREADS.set(threads.max(1));
}

#[derive(Default)]
struct Lanes {
    logins: VecDeque<HashJob>,
    new_passwords: VecDeque<HashJob>,
    /// New passwords being judged or hashed right now.
    running_new_passwords: usize,
}

struct Queue {
    lanes: Mutex<Lanes>,
    ready: Condvar,
}

/// How long a hashing thread keeps its argon2 memory without a job.
const KEEP_MEMORY_IDLE: Duration = Duration::from_secs(2);

/// glibc serves an allocation this large straight from the system and hands
/// it back on free. argon2's 19 MiB alone would be kept in an arena after the
/// first free (glibc's dynamic mmap threshold rises to it), leaving tens of
/// MiB resident for good. Only the 19 MiB used is touched.
const MEMORY_CAPACITY: usize = 33 * 1024 * 1024 / Block::SIZE;

thread_local! {
    /// Whether this thread is a hashing thread, which keeps its memory.
    static KEEPS_MEMORY: Cell<bool> = const { Cell::new(false) };
    /// A hashing thread's argon2 memory, kept from one hash to the next:
    /// mapped and faulted in afresh for every hash, it took about half of a
    /// login's time (bench/README.md). Handed back to the system once the
    /// thread has had no job for [`KEEP_MEMORY_IDLE`].
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on at least `blocks` blocks of argon2 memory: on a hashing
/// thread its own, kept between hashes; elsewhere (commands, tests) a fresh
/// allocation, freed at once. argon2 writes every block before reading it,
/// so what an earlier hash left there does not matter.
pub fn with_memory<T>(blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
    let grow = |memory: &mut Vec<Block>| {
        if memory.len() < blocks {
            memory.reserve_exact(MEMORY_CAPACITY.max(blocks).saturating_sub(memory.len()));
            memory.resize(blocks, Block::default());
        }
    };
    if KEEPS_MEMORY.get() {
        MEMORY.with_borrow_mut(|memory| {
            grow(memory);
            f(memory)
        })
    } else {
        let mut memory = Vec::new();
        grow(&mut memory);
        f(&mut memory)
    }
}

/// Waits for a job. A thread holding argon2 memory waits at most
/// [`KEEP_MEMORY_IDLE`], then hands the memory back (outside the lock: an
/// unmap takes a moment) and waits on.
fn wait_for_work<'a>(queue: &'a Queue, lanes: MutexGuard<'a, Lanes>) -> MutexGuard<'a, Lanes> {
    if MEMORY.with_borrow(Vec::is_empty) {
        return queue.ready.wait(lanes).unwrap_or_else(|e| e.into_inner());
    }
    let (lanes, waited) = queue
        .ready
        .wait_timeout(lanes, KEEP_MEMORY_IDLE)
        .unwrap_or_else(|e| e.into_inner());
    if !waited.timed_out() {
        return lanes;
    }
    drop(lanes);
    drop(MEMORY.take());
    queue.lanes.lock().unwrap_or_else(|e| e.into_inner())
}

/// Password hashing runs on its own threads, one job at a time each: a burst
/// of logins queues here instead of filling the blocking pool, and argon2's
/// 19 MiB stays with the few threads that hash, and only while they do.
static QUEUE: LazyLock<&'static Queue> = LazyLock::new(|| {
    let queue: &'static Queue = Box::leak(Box::new(Queue {
        lanes: Mutex::default(),
        ready: Condvar::new(),
    }));
    // One per core: logins alone then reach cores / hash time, and under a
    // flood of logins the scheduler still shares every core with the
    // requests that only read (bench/run measures both). At most 8, since
    // each hash in flight holds 19 MiB.
    let threads = *HASHING_THREADS.get_or_init(|| {
        std::thread::available_parallelism()
            .map_or(1, |cores| cores.get().min(MAX_DEFAULT_HASHING_THREADS))
    });
    // New passwords never take the last thread: a login then never waits
    // for a registration's hash to finish, only for other logins.
    let max_new_passwords = threads.saturating_sub(1).max(1);
    for n in 0..threads {
        let spawned = std::thread::Builder::new()
            .name(format!("argon2-{n}"))
            .spawn(move || {
                KEEPS_MEMORY.set(true);
                serve(queue, max_new_passwords)
            });
        if let Err(err) = spawned {
            tracing::error!(error = %err, "cannot start a password hashing thread");
        }
    }
    queue
});

/// A hashing thread's life: the next job, logins first, new passwords
/// within their share of the threads.
fn serve(queue: &Queue, max_new_passwords: usize) -> ! {
    loop {
        let (job, lane) = {
            let mut lanes = queue.lanes.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if let Some(job) = lanes.logins.pop_front() {
                    break (job, Lane::Login);
                }
                if lanes.running_new_passwords < max_new_passwords {
                    if let Some(job) = lanes.new_passwords.pop_front() {
                        lanes.running_new_passwords += 1;
                        break (job, Lane::NewPassword);
                    }
                }
                lanes = wait_for_work(queue, lanes);
            }
        };
        // A job that panics is answered as failed (its sender is
        // dropped); the thread and the count of running jobs live on.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
        if lane == Lane::NewPassword {
            let mut lanes = queue.lanes.lock().unwrap_or_else(|e| e.into_inner());
            lanes.running_new_passwords -= 1;
            // A thread may be waiting only because the new passwords
            // had their share.
            queue.ready.notify_one();
        }
    }
}

/// Runs `job` on a hashing thread, in `lane`; a 503 at once when the lane
/// is full.
pub async fn run<T: Send + 'static>(
    lane: Lane,
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: HashJob = Box::new(move || {
        let _ = tx.send(job());
    });
    {
        let mut lanes = QUEUE.lanes.lock().unwrap_or_else(|e| e.into_inner());
        let (queue, limit) = match lane {
            Lane::Login => (&mut lanes.logins, MAX_WAITING_LOGINS),
            Lane::NewPassword => (&mut lanes.new_passwords, MAX_WAITING_NEW_PASSWORDS),
        };
        if queue.len() >= limit {
            crate::request_event!(warn, ?lane, "password hashing queue full");
            return Err(ApiError::TooManyRequests {
                detail: "The server is busy checking passwords: try again in a moment.".into(),
                retry_after_secs: 1,
            });
        }
        queue.push_back(job);
    }
    QUEUE.ready.notify_one();
    rx.await
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("password hashing failed")))
}
