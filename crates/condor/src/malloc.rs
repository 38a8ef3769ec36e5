//! Allocator arenas of the daemon (ADR 0045).
//!
//! glibc gives each thread that allocates under contention an arena of its
//! own, up to eight per core, and memory freed in one arena is not reused
//! by another. Session tasks decode on the runtime's workers and the RIB
//! task moves between them, so the same RIB data end up spread over
//! several arenas: on 20 members × 32,000 prefixes the peak resident set
//! is 50 MB with the default arenas and 34 MB with one (`condor bench`,
//! medians of 3), and convergence time and CPU stay the same (measured
//! with the setting applied to the server only: set in the environment of
//! `condor bench`, it also slows the multi-threaded load generator down).
//! An operator's `MALLOC_ARENA_MAX` in the environment wins.

/// Limits glibc to one malloc arena unless `MALLOC_ARENA_MAX` is set. Call
/// before any other thread starts.
pub fn one_arena() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only sets an allocator parameter; it is called
        // from the main thread before the runtime starts other threads.
        #[allow(unsafe_code)]
        let ok = unsafe { libc::mallopt(libc::M_ARENA_MAX, 1) };
        if ok != 1 {
            tracing::debug!("mallopt(M_ARENA_MAX) refused; default arenas");
        }
    }
}
