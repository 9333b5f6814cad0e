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

/// The memory budget for data in flight, in bytes (default: half of what the machine, the
/// address-space limit `ulimit -v` and the cgroup memory limit still leave; see
/// [`budget_from`]).
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
    budget_from(&Limits::read())
}

/// What bounds the memory this process can use, read once when the budget is first asked.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Limits {
    /// MemAvailable of /proc/meminfo.
    pub available: Option<usize>,
    /// The address-space limit (`ulimit -v`, RLIMIT_AS) and the address space in use.
    pub rlimit_as: Option<usize>,
    pub vm_size: usize,
    /// The cgroup's memory limit (v2 `memory.max`, v1 `memory.limit_in_bytes`) and use.
    pub cgroup_max: Option<usize>,
    pub cgroup_used: usize,
}

impl Limits {
    /// Read the limits of this process from /proc, /sys/fs/cgroup and getrlimit.
    pub fn read() -> Limits {
        let kb_line = |text: &str, key: &str| -> Option<usize> {
            text.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<usize>().ok())
                .map(|kb| kb.saturating_mul(1024))
        };
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let mut rl = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes one struct we own.
        let rlimit_as = if unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut rl) } == 0
            && rl.rlim_cur != libc::RLIM_INFINITY
        {
            Some(rl.rlim_cur as usize)
        } else {
            None
        };
        let (cgroup_max, cgroup_used) = cgroup_memory();
        Limits {
            available: kb_line(&meminfo, "MemAvailable:"),
            rlimit_as,
            vm_size: kb_line(&status, "VmSize:").unwrap_or(0),
            cgroup_max,
            cgroup_used,
        }
    }
}

/// The memory limit and use of this process's cgroup (v2 unified hierarchy, else v1).
fn cgroup_memory() -> (Option<usize>, usize) {
    let read = |p: &str| {
        std::fs::read_to_string(p)
            .ok()
            .map(|s| s.trim().to_string())
    };
    let num = |s: Option<String>| s.and_then(|v| v.parse::<usize>().ok());
    // The process's own cgroup path (v2: the "0::" line).
    let own = read("/proc/self/cgroup")
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("0::").map(|p| p.to_string()))
        })
        .unwrap_or_default();
    for dir in [format!("/sys/fs/cgroup{own}"), "/sys/fs/cgroup".to_string()] {
        if let Some(max) = read(&format!("{dir}/memory.max")) {
            if max == "max" {
                return (None, 0);
            }
            return (
                max.parse().ok(),
                num(read(&format!("{dir}/memory.current"))).unwrap_or(0),
            );
        }
    }
    // v1: an unlimited group reports a huge number (about i64::MAX rounded to pages).
    let max = num(read("/sys/fs/cgroup/memory/memory.limit_in_bytes")).filter(|&m| m < 1 << 60);
    let used = num(read("/sys/fs/cgroup/memory/memory.usage_in_bytes")).unwrap_or(0);
    (max, used)
}

/// The default budget from the limits: half of what is still available under each of them
/// (available memory, the address-space limit less the address space in use, the cgroup
/// limit less its use), 2 GiB when nothing is known, and at least 16 MiB.
pub fn budget_from(l: &Limits) -> usize {
    let mut b = l.available.map(|a| a / 2).unwrap_or(2 << 30);
    if let Some(max) = l.rlimit_as {
        b = b.min(max.saturating_sub(l.vm_size) / 2);
    }
    if let Some(max) = l.cgroup_max {
        b = b.min(max.saturating_sub(l.cgroup_used) / 2);
    }
    b.max(16 << 20)
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
mod budget_tests {
    use super::*;

    #[test]
    fn the_tightest_limit_sets_the_budget() {
        let gib = 1usize << 30;
        let free = Limits {
            available: Some(8 * gib),
            ..Default::default()
        };
        assert_eq!(budget_from(&free), 4 * gib);
        let ulimit = Limits {
            rlimit_as: Some(4 * gib),
            vm_size: gib,
            ..free
        };
        assert_eq!(budget_from(&ulimit), 3 * gib / 2);
        let cgroup = Limits {
            cgroup_max: Some(2 * gib),
            cgroup_used: gib,
            ..ulimit
        };
        assert_eq!(budget_from(&cgroup), gib / 2);
        let exhausted = Limits {
            rlimit_as: Some(gib),
            vm_size: 2 * gib,
            ..free
        };
        assert_eq!(budget_from(&exhausted), 16 << 20);
        assert_eq!(budget_from(&Limits::default()), 2 * gib);
    }
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
