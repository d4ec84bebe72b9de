//! The C allocator's settings the daemon changes.
//!
//! glibc gives each thread that allocates while another does an arena of
//! its own, up to eight per core, and each arena keeps what is freed in it
//! for the next allocation there. The daemon has a dozen threads (the
//! runtime's workers, the database's readers and writer, hashing, logs),
//! so a dozen arenas each kept their share.
//!
//! One arena per core held the peak 6 MiB lower, but a thread is given its
//! arena once, at its first allocation, and with two arenas on two cores
//! the runtime's two workers often landed in the same one: every
//! allocation of either then waited on the other's. Half the daemons
//! started that way served kept reads 15–20 % slower for as long as they
//! ran (72–82 against 86–92 thousand a second, sixteen daemons measured
//! in turn), and the writer sharing a worker's arena slowed creates. Two
//! arenas per core left no daemon slow.
//!
//! The arenas' extra memory is won back by fixing the size from which an
//! allocation is mapped on its own, and unmapped when freed, at 4 MiB.
//! Left to itself glibc raises that size to the largest block freed, and
//! with it the free space an arena keeps before giving memory back: after
//! the first password hash (19 MiB) both were some 19 and 38 MiB, and the
//! arenas kept what reads and writes had freed.
//!
//! An operator who sets either in glibc's own variables keeps their value.

/// Arenas per core.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const ARENAS_PER_CORE: usize = 2;

/// Allocations from this size up are mapped on their own.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_FROM_BYTES: libc::c_int = 4 << 20;

/// Caps glibc's arenas at two per core and fixes the size from which
/// allocations are mapped. Called first thing in `main`, before any thread
/// is started; elsewhere (musl, other systems) nothing is changed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn tune() {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let arenas =
        libc::c_int::try_from(cores.saturating_mul(ARENAS_PER_CORE)).unwrap_or(libc::c_int::MAX);
    for (setting, value, name, variable, tunable) in [
        (
            libc::M_ARENA_MAX,
            arenas,
            "an arena limit",
            "MALLOC_ARENA_MAX",
            "glibc.malloc.arena_max",
        ),
        (
            libc::M_MMAP_THRESHOLD,
            MMAP_FROM_BYTES,
            "a mapping threshold",
            "MALLOC_MMAP_THRESHOLD_",
            "glibc.malloc.mmap_threshold",
        ),
    ] {
        if set_by_operator(variable, tunable) {
            continue;
        }
        // SAFETY: mallopt takes two integers and changes a setting under
        // the allocator's own lock; it touches no memory of the caller's.
        #[allow(unsafe_code)]
        let set = unsafe { libc::mallopt(setting, value) };
        if set == 0 {
            // Nothing is lost but memory: say so once, on standard error,
            // as the log is not set up yet.
            eprintln!("taskd: the C allocator refused {name} of {value}");
        }
    }
}

/// Whether whoever started the daemon chose this setting themselves, in
/// glibc's environment variable or in `GLIBC_TUNABLES`: theirs stands.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn set_by_operator(variable: &str, tunable: &str) -> bool {
    // Empty, glibc ignores it.
    std::env::var_os(variable).is_some_and(|value| !value.is_empty())
        || std::env::var("GLIBC_TUNABLES").is_ok_and(|tunables| names(&tunables, tunable))
}

/// Whether a `GLIBC_TUNABLES` value (`name=value:name=value`) sets `tunable`.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn names(tunables: &str, tunable: &str) -> bool {
    tunables.split(':').any(|pair| {
        pair.split_once('=')
            .is_some_and(|(name, _)| name == tunable)
    })
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune() {}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::names;

    #[test]
    fn an_operators_tunable_is_found_among_others() {
        let tunables = "glibc.malloc.tcache_count=0:glibc.malloc.arena_max=1";
        assert!(names(tunables, "glibc.malloc.arena_max"));
        assert!(!names(tunables, "glibc.malloc.mmap_threshold"));
        assert!(!names("glibc.malloc.arena_max", "glibc.malloc.arena_max"));
        assert!(!names("", "glibc.malloc.arena_max"));
    }
}
