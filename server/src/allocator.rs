//! The C allocator's one setting the daemon changes.
//!
//! glibc gives each thread that allocates while another does an arena of
//! its own, up to eight per core, and each arena keeps what is freed in it
//! for the next allocation there. The daemon has a dozen threads (the
//! runtime's workers, the database's readers and writer, hashing, logs),
//! so a dozen arenas each kept their share: measured with `bench/run`,
//! one arena per core held the peak through the read and write scenarios
//! 6 MiB lower (34.2 → 28.2 MiB on two cores) at no cost to throughput
//! side by side (`bench/compare`). More threads than cores cannot all
//! allocate at once anyway.

/// Caps glibc's arenas at one per core. Called first thing in `main`,
/// before any thread is started; elsewhere (musl, other systems) nothing
/// is changed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn tune() {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let arenas = libc::c_int::try_from(cores).unwrap_or(libc::c_int::MAX);
    // SAFETY: mallopt takes two integers and changes a setting under the
    // allocator's own lock; it touches no memory of the caller's.
    #[allow(unsafe_code)]
    let set = unsafe { libc::mallopt(libc::M_ARENA_MAX, arenas) };
    if set == 0 {
        // Nothing is lost but memory: say so once, on standard error, as
        // the log is not set up yet.
        eprintln!("taskd: the C allocator refused an arena limit of {arenas}");
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune() {}
