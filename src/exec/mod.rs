//! The chunked parallel runner every kernel goes through: it is where cancellation
//! (Ctrl-C / SIGTERM), the memory budget for data in flight, progress and profiling spans
//! are honoured, so that no kernel has to remember them on its own.

pub mod progress;

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::error::{Error, Result};

static INTERRUPT: AtomicBool = AtomicBool::new(false);
static MEM_BUDGET: AtomicUsize = AtomicUsize::new(0);

/// Ask every running kernel to stop at its next chunk border.
pub fn request_interrupt() {
    INTERRUPT.store(true, Ordering::SeqCst);
}

/// Clear the interrupt flag (the session does this before each statement).
pub fn clear_interrupt() {
    INTERRUPT.store(false, Ordering::SeqCst);
}

/// Has an interrupt been requested?
pub fn interrupted() -> bool {
    INTERRUPT.load(Ordering::Relaxed)
}

/// `Err(Error::Cancelled)` when an interrupt has been requested; kernels call this
/// between chunks.
#[inline]
pub fn check() -> Result<()> {
    if interrupted() {
        Err(Error::Cancelled)
    } else {
        Ok(())
    }
}

/// The memory budget for data in flight, in bytes (default: half of available memory).
pub fn mem_budget() -> usize {
    let b = MEM_BUDGET.load(Ordering::Relaxed);
    if b != 0 {
        return b;
    }
    let d = default_budget();
    MEM_BUDGET.store(d, Ordering::Relaxed);
    d
}

/// Set the memory budget for data in flight, in bytes.
pub fn set_mem_budget(bytes: usize) {
    MEM_BUDGET.store(bytes.max(1 << 20), Ordering::Relaxed);
}

fn default_budget() -> usize {
    // MemAvailable from /proc/meminfo, halved; 2 GiB when unknown.
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemAvailable:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<usize>().ok())
        })
        .map(|kb| kb * 1024 / 2)
        .unwrap_or(2 << 30)
}

/// Number of worker threads kernels use.
pub fn threads() -> usize {
    rayon::current_num_threads()
}

/// Rows per chunk for rows of `row_bytes` bytes: about 4 MiB of input per chunk, at least
/// one row, and small enough that all threads' chunks fit the memory budget.
pub fn chunk_rows(row_bytes: usize) -> usize {
    let target = (4usize << 20).min(mem_budget() / (2 * threads().max(1)));
    (target / row_bytes.max(1)).max(1)
}

/// Split `0..n` into chunks of `chunk` rows and run `f` on them in parallel, checking
/// for interrupts before each chunk. Results come back in chunk order.
pub fn par_chunks<R: Send>(
    n: usize,
    chunk: usize,
    f: impl Fn(Range<usize>) -> Result<R> + Sync,
) -> Result<Vec<R>> {
    let chunk = chunk.max(1);
    let nchunks = n.div_ceil(chunk);
    let prog = progress::Progress::new(crate::prof::current_name(), n as u64);
    (0..nchunks)
        .into_par_iter()
        .map(|c| {
            check()?;
            let lo = c * chunk;
            let hi = (lo + chunk).min(n);
            let r = {
                // Worker time per chunk: a "compute" sub-row of the running built-in
                // (minus any finer stage the kernel marks inside).
                let _st = crate::prof::stage("compute");
                f(lo..hi)
            };
            prog.inc((hi - lo) as u64);
            r
        })
        .collect()
}

/// Like [`par_chunks`] but folds the chunk results with `combine`, so that memory stays
/// bounded by the number of threads rather than the number of chunks.
pub fn par_reduce<R: Send>(
    n: usize,
    chunk: usize,
    f: impl Fn(Range<usize>) -> Result<R> + Sync,
    identity: impl Fn() -> R + Sync + Send,
    combine: impl Fn(R, R) -> R + Sync + Send,
) -> Result<R> {
    let chunk = chunk.max(1);
    let nchunks = n.div_ceil(chunk);
    let prog = progress::Progress::new(crate::prof::current_name(), n as u64);
    (0..nchunks)
        .into_par_iter()
        .map(|c| {
            check()?;
            let lo = c * chunk;
            let hi = (lo + chunk).min(n);
            let r = {
                // Worker time per chunk: a "compute" sub-row of the running built-in
                // (minus any finer stage the kernel marks inside).
                let _st = crate::prof::stage("compute");
                f(lo..hi)
            };
            prog.inc((hi - lo) as u64);
            r
        })
        .try_reduce(&identity, |a, b| Ok(combine(a, b)))
}

/// When a profile is being recorded and `a` is memory-mapped, touch every page it spans
/// (one read per 4 KiB page, in parallel chunks) in a "read" stage, so that page faults and
/// disk reads of mapped input show as their own sub-row of the built-in instead of hiding
/// in "compute". Kernels call it on their mapped inputs before computing. When profiling
/// is off it costs one relaxed atomic load and changes nothing.
#[inline]
pub fn page_in(a: &crate::array::Array) {
    if crate::prof::enabled() && a.buf().is_mapped() {
        page_in_slow(a);
    }
}

#[cold]
fn page_in_slow(a: &crate::array::Array) {
    let _st = crate::prof::stage("read");
    let bytes = a.buf().bytes();
    // The byte span the array addresses (strides may be negative or skip rows).
    let (mut lo, mut hi) = (a.offset() as isize, a.offset() as isize);
    for (&d, &st) in a.shape().iter().zip(a.strides()) {
        if d == 0 {
            return;
        }
        let span = (d as isize - 1) * st;
        if span < 0 {
            lo += span;
        } else {
            hi += span;
        }
    }
    let hi = (hi as usize + a.dtype().itemsize()).min(bytes.len());
    let lo = (lo.max(0) as usize).min(hi);
    const PAGE: usize = 4096;
    let span = &bytes[lo..hi];
    let per = 1024 * PAGE;
    let _ = span
        .par_chunks(per)
        .map(|c| {
            let mut acc = 0u8;
            let mut i = 0;
            while i < c.len() {
                // SAFETY: `i < c.len()`; a volatile read so the touch is not optimised away.
                acc ^= unsafe { std::ptr::read_volatile(c.as_ptr().add(i)) };
                i += PAGE;
            }
            acc
        })
        .reduce(|| 0, |x, y| x ^ y);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_range_in_order() {
        let v = par_chunks(10, 3, Ok).unwrap();
        assert_eq!(v, vec![0..3, 3..6, 6..9, 9..10]);
        let s = par_reduce(1000, 7, |r| Ok(r.sum::<usize>()), || 0, |a, b| a + b).unwrap();
        assert_eq!(s, 499500);
    }
}
