//! The allocator every binary uses, and how it is tuned for conversion.
//!
//! Conversion allocates many small strings on several threads: mimalloc keeps that fast
//! where glibc's malloc spent a third of the time (measured by examples/bench_validate).

/// The global allocator of the CLI, the app and the benchmarks.
pub use mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc's `mi_option_e`.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Tunes the allocator; call first thing in `main`.
///
/// mimalloc gives freed memory back to the OS after 10 ms by default. Conversion frees and
/// allocates batch after batch, so the same memory went back and was faulted in and zeroed
/// again: a fifth of a validation's time in the kernel. After 1 s it stays through a run
/// (100 ms still left the kernel flushing other cores' TLBs for each give-back: the 1M
/// convert took 9.1-9.4 s instead of 9.7-10.6 s, for 60 MB more at its peak) and still goes
/// back when the app is idle. `MIMALLOC_PURGE_DELAY` set in the environment
/// wins (mimalloc reads it itself), so the delay can be measured without a rebuild.
pub fn tune() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: setting a documented option to a documented value; mimalloc reads options
    // atomically, so this is safe at any time.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 1000) }
}
