//! The chunked parallel runner every kernel goes through: it is where cancellation
//! (Ctrl-C / SIGTERM), the memory budget for data in flight, progress and profiling spans
//! are honoured, so that no kernel has to remember them on its own.

pub mod out;
pub mod progress;

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::error::{Error, Result};
pub use out::Out;

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

/// The chunks `lo..hi` of `0..n` (`chunk` rows each) mapped through `f` in parallel, each
/// through [`run_chunk`] (Ctrl-C, progress, profiling stage).
fn chunk_results<'a, R: Send>(
    n: usize,
    chunk: usize,
    prog: &'a progress::Progress,
    f: &'a (impl Fn(Range<usize>) -> Result<R> + Sync),
) -> impl IndexedParallelIterator<Item = Result<R>> + 'a {
    let chunk = chunk.max(1);
    (0..n.div_ceil(chunk)).into_par_iter().map(move |c| {
        let lo = c * chunk;
        let hi = (lo + chunk).min(n);
        run_chunk(prog, hi - lo, || f(lo..hi))
    })
}

/// Split `0..n` into chunks of `chunk` rows and run `f` on them in parallel, checking
/// for interrupts before each chunk. Results come back in chunk order.
pub fn par_chunks<R: Send>(
    n: usize,
    chunk: usize,
    f: impl Fn(Range<usize>) -> Result<R> + Sync,
) -> Result<Vec<R>> {
    let prog = progress::Progress::new(crate::prof::current_name(), n as u64);
    chunk_results(n, chunk, &prog, &f).collect()
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
    let prog = progress::Progress::new(crate::prof::current_name(), n as u64);
    chunk_results(n, chunk, &prog, &f).try_reduce(&identity, |a, b| Ok(combine(a, b)))
}

/// Run `f` with the wider vector instructions of this CPU (AVX2 on x86-64) when it has
/// them: the typed loops inside `f` are inlined into a function compiled for them, since
/// the crate itself is built for the baseline CPU. `EVSH_SIMD=0` turns this off (for
/// comparisons). Kernels wrap the loop over one chunk in it.
#[inline(always)]
pub fn simd<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        if simd_on() {
            // SAFETY: `simd_on` checked at run time that the CPU supports AVX2.
            return unsafe { avx2(f) };
        }
    }
    f()
}

#[cfg(target_arch = "x86_64")]
fn simd_on() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| {
        std::env::var("EVSH_SIMD").map(|v| v != "0").unwrap_or(true)
            && std::arch::is_x86_feature_detected!("avx2")
    })
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// Run one chunk of a kernel: interrupt check before, "compute" stage around, progress
/// after. Every runner below goes through here.
#[inline]
fn run_chunk<R>(
    prog: &progress::Progress,
    items: usize,
    f: impl FnOnce() -> Result<R>,
) -> Result<R> {
    check()?;
    let r = {
        // Worker time per chunk: a "compute" sub-row of the running built-in
        // (minus any finer stage the kernel marks inside).
        let _st = crate::prof::stage("compute");
        f()
    };
    prog.inc(items as u64);
    r
}

/// Fill `out` in parallel chunks of `chunk` elements; `f` gets the chunk's start index.
pub fn par_fill<R: Send>(
    out: &mut [R],
    chunk: usize,
    f: impl Fn(usize, &mut [R]) -> Result<()> + Sync,
) -> Result<()> {
    let chunk = chunk.max(1);
    let prog = progress::Progress::new(crate::prof::current_name(), out.len() as u64);
    out.par_chunks_mut(chunk)
        .enumerate()
        .try_for_each(|(i, c)| run_chunk(&prog, c.len(), || f(i * chunk, c)))
}

/// A new vector of `n` elements written in parallel chunks of `chunk` elements without
/// zeroing it first: `f(range, out)` must write the elements `range` through `out` (an
/// error otherwise). `what` names the kernel in an allocation error.
pub fn par_collect<T: Send>(
    n: usize,
    chunk: usize,
    what: &str,
    f: impl Fn(Range<usize>, &mut Out<'_, T>) -> Result<()> + Sync,
) -> Result<Vec<T>> {
    let chunk = chunk.max(1);
    let lens: Vec<usize> = (0..n.div_ceil(chunk))
        .map(|c| chunk.min(n - c * chunk))
        .collect();
    par_collect_parts(&lens, what, |i, o| {
        let lo = i * chunk;
        f(lo..lo + o.len(), o)
    })
}

/// A new vector made of parts of the given lengths, written in parallel without zeroing:
/// `f(part, out)` must write all `lens[part]` elements of its part through `out`.
pub fn par_collect_parts<T: Send>(
    lens: &[usize],
    what: &str,
    f: impl Fn(usize, &mut Out<'_, T>) -> Result<()> + Sync,
) -> Result<Vec<T>> {
    let Some(total) = lens.iter().try_fold(0usize, |a, &b| a.checked_add(b)) else {
        crate::bail!("{what}: the output has more elements than fit in memory addresses");
    };
    let mut v = out::alloc::<T>(total, what)?;
    {
        let mut rest = &mut v.spare_capacity_mut()[..total];
        let mut parts = Vec::with_capacity(lens.len());
        for &l in lens {
            let (a, b) = rest.split_at_mut(l);
            parts.push(a);
            rest = b;
        }
        let prog = progress::Progress::new(crate::prof::current_name(), total as u64);
        parts.into_par_iter().enumerate().try_for_each(|(i, p)| {
            let len = p.len();
            run_chunk(&prog, len, || {
                let mut o = Out::new(p);
                f(i, &mut o)?;
                if !o.is_full() {
                    crate::bail!(
                        "internal: {what} wrote {} of the {} elements of part {i}",
                        o.pos(),
                        len
                    );
                }
                Ok(())
            })
        })?;
    }
    // SAFETY: the parts are disjoint and together cover `0..total` of the capacity
    // reserved above; every part was checked to be full, and `Out` only advances its
    // position over elements it has written (sequentially, from the start). So all
    // `total` elements are initialized. On any error or panic above we return before
    // this point and `v` is dropped with length 0, never reading uninitialized memory.
    unsafe { v.set_len(total) };
    Ok(v)
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
        let v = par_collect(10, 3, "test", |r, o| {
            o.extend(r.map(|i| i * 2));
            Ok(())
        })
        .unwrap();
        assert_eq!(v, (0..10).map(|i| i * 2).collect::<Vec<_>>());
        let v = par_collect_parts(&[2, 0, 3], "test", |p, o| {
            o.fill(p, o.len());
            Ok(())
        })
        .unwrap();
        assert_eq!(v, vec![0, 0, 2, 2, 2]);
    }

    #[test]
    fn short_writes_and_huge_sizes_are_errors() {
        let e = par_collect(10, 4, "half", |_, o: &mut Out<'_, u8>| {
            o.fill(1, o.len() / 2);
            Ok(())
        })
        .unwrap_err();
        assert!(e.to_string().contains("internal: half wrote"), "{e}");
        let e = out::alloc::<u64>(usize::MAX / 4, "huge").unwrap_err();
        assert!(e.to_string().starts_with("huge: cannot allocate"), "{e}");
    }
}
