//! Output buffers that kernels fill without a zeroing pass, soundly.
//!
//! A kernel's output is allocated once (checked with `try_reserve`, so an impossible size
//! is an error, not an abort) and handed to the parallel runner as disjoint parts of
//! uninitialized memory. Each part is wrapped in an [`Out`] cursor whose only way of
//! writing is sequential (`map`, `zip`, `fill`, `copy`), so the runner can tell by the
//! cursor's position that every element of the part was written before the vector's
//! length is set. Large buffers are also marked for transparent huge pages, as NumPy
//! does: writing a fresh 80 MB output otherwise costs 20 000 page faults.

use std::mem::MaybeUninit;

use crate::error::Result;

/// A write cursor over one part of an uninitialized output. Elements are written in
/// order from the start; the runner checks that the cursor reached the end.
pub struct Out<'a, T> {
    buf: &'a mut [MaybeUninit<T>],
    pos: usize,
}

impl<'a, T> Out<'a, T> {
    pub(crate) fn new(buf: &'a mut [MaybeUninit<T>]) -> Self {
        Out { buf, pos: 0 }
    }
    /// Elements in this part.
    pub fn len(&self) -> usize {
        self.buf.len()
    }
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
    /// Elements written so far.
    pub fn pos(&self) -> usize {
        self.pos
    }
    /// Elements still to write.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
    /// Every element has been written.
    pub fn is_full(&self) -> bool {
        self.pos == self.buf.len()
    }
    /// The next `n` unwritten elements (panics if fewer remain: a kernel bug).
    #[inline]
    fn next(&mut self, n: usize) -> &mut [MaybeUninit<T>] {
        assert!(
            n <= self.remaining(),
            "internal: a kernel wrote past its output part"
        );
        let s = &mut self.buf[self.pos..self.pos + n];
        self.pos += n;
        s
    }
    /// Write `f(x)` for each element of `src`.
    #[inline]
    pub fn map<S: Copy>(&mut self, src: &[S], f: impl Fn(S) -> T) {
        for (d, &x) in self.next(src.len()).iter_mut().zip(src) {
            d.write(f(x));
        }
    }
    /// Write `f(x, y)` for the pairs of `a` and `b` (of equal length).
    #[inline]
    pub fn zip<A: Copy, B: Copy>(&mut self, a: &[A], b: &[B], f: impl Fn(A, B) -> T) {
        assert_eq!(a.len(), b.len(), "internal: zip of unequal parts");
        for ((d, &x), &y) in self.next(a.len()).iter_mut().zip(a).zip(b) {
            d.write(f(x, y));
        }
    }
    /// Write `f(x, y, z)` for the triples of `a`, `b` and `c` (of equal length).
    #[inline]
    pub fn zip3<A: Copy, B: Copy, C: Copy>(
        &mut self,
        a: &[A],
        b: &[B],
        c: &[C],
        f: impl Fn(A, B, C) -> T,
    ) {
        assert!(
            a.len() == b.len() && a.len() == c.len(),
            "internal: zip3 of unequal parts"
        );
        for (((d, &x), &y), &z) in self.next(a.len()).iter_mut().zip(a).zip(b).zip(c) {
            d.write(f(x, y, z));
        }
    }
    /// Write `v` `n` times.
    #[inline]
    pub fn fill(&mut self, v: T, n: usize)
    where
        T: Copy,
    {
        for d in self.next(n) {
            d.write(v);
        }
    }
    /// Write a copy of `src`.
    #[inline]
    pub fn copy(&mut self, src: &[T])
    where
        T: Copy,
    {
        for (d, &x) in self.next(src.len()).iter_mut().zip(src) {
            d.write(x);
        }
    }
    /// Write the items of `it` until the part is full or `it` ends; returns how many.
    #[inline]
    pub fn extend(&mut self, it: impl IntoIterator<Item = T>) -> usize {
        let start = self.pos;
        for (d, x) in self.buf[start..].iter_mut().zip(it) {
            d.write(x);
            self.pos += 1;
        }
        self.pos - start
    }
}

/// An empty vector with room for `n` elements, or a clear error when that much memory
/// cannot be had; buffers of 4 MiB or more are advised to use huge pages.
pub fn alloc<T>(n: usize, what: &str) -> Result<Vec<T>> {
    let mut v: Vec<T> = Vec::new();
    let bytes = n.checked_mul(std::mem::size_of::<T>());
    if bytes.is_none() || v.try_reserve_exact(n).is_err() {
        crate::bail!(
            "{what}: cannot allocate {} elements of {} bytes ({})",
            n,
            std::mem::size_of::<T>(),
            match bytes {
                Some(b) => format!("{:.1} GB", b as f64 / 1e9),
                None => "more bytes than addresses".to_string(),
            }
        );
    }
    advise_huge(v.as_ptr() as usize, bytes.unwrap_or(0));
    Ok(v)
}

/// Ask the kernel for transparent huge pages over the 2 MiB-aligned interior of a fresh
/// allocation (only a hint: failure changes nothing).
fn advise_huge(addr: usize, len: usize) {
    const HUGE: usize = 2 << 20;
    if len < 2 * HUGE {
        return;
    }
    let lo = addr.next_multiple_of(HUGE);
    let hi = (addr + len) / HUGE * HUGE;
    if hi > lo {
        // SAFETY: madvise only changes paging hints for [lo, hi), which lies inside
        // memory this process just allocated and has not yet handed out.
        unsafe {
            libc::madvise(lo as *mut libc::c_void, hi - lo, libc::MADV_HUGEPAGE);
        }
    }
}
