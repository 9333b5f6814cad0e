//! The radix machinery under `sort`, `argsort` and `unique`: a parallel, stable LSD radix
//! sort on the order-preserving unsigned-integer image of each value ([`SortKey`]).
//!
//! It exists because a comparison sort (even a parallel one) was 6–9× slower than NumPy on
//! millions of floats and could not be interrupted. Radix sorting moves the *original*
//! values (the key is recomputed from each value on every pass), so a sort is bit-exact to
//! NumPy's `np.sort(kind="stable")`: NaNs last in input order, `-0.0` and `0.0` equal and
//! kept in input order.
//!
//! Why hand-written rather than a crate (rdst, voracious_radix_sort): evsh needs the sort to
//! stop within ~100 ms of Ctrl-C, to report progress, to move values while ordering by a
//! canonicalized key (NaN payloads, `-0.0`), to sort `(key, index)` pairs for `argsort`
//! and to write its last pass straight into the output buffer. The crates sort a slice in
//! place by their own key image, with no hook for any of these; an LSD pass is ~100 lines.
//!
//! Large inputs take one most-significant-digit pass into cache-sized buckets, then LSD
//! passes per bucket ([`sort_keys`]). Each LSD pass over a key digit (up to 11 bits)
//! counts the digit per chunk, turns the counts into per-chunk write offsets and scatters
//! the chunks in parallel. Digits that are the same for every element are found in one
//! counting pass and skipped, so small integers stored as int64 need one or two passes.

use crate::error::Result;
use crate::exec::progress::Progress;

/// Digits of at most 11 bits (3 passes for 32-bit keys) for inputs that outweigh the
/// 2048-entry count tables; 8 bits for short lanes.
const WIDE: u32 = 11;
/// Bits of the first, most significant digit of a large sort (see [`sort_keys`]).
const MSD_BITS: u32 = 11;
const MSD_RADIX: usize = 1 << MSD_BITS;
/// Lanes at most this long are sorted by a comparison sort of packed (key, position).
pub(crate) const SMALL: usize = 256;

/// A value with an order-preserving unsigned-integer image (`key`): `a < b` in NumPy's
/// sort order iff `a.key() < b.key()`, and values NumPy's sort treats as equal (all
/// NaNs; `-0.0` and `0.0`) have the same key.
pub trait SortKey: bytemuck::Pod + Send + Sync + 'static {
    /// Significant bits of the key.
    const BITS: u32;
    fn key(self) -> u64;
}

macro_rules! key_unsigned {
    ($($t:ty),*) => {$(
        impl SortKey for $t {
            const BITS: u32 = <$t>::BITS;
            #[inline(always)]
            fn key(self) -> u64 { self as u64 }
        }
    )*};
}
key_unsigned!(u8, u16, u32, u64);

macro_rules! key_signed {
    ($($t:ty => $u:ty),*) => {$(
        impl SortKey for $t {
            const BITS: u32 = <$t>::BITS;
            #[inline(always)]
            fn key(self) -> u64 { ((self as $u) ^ (1 << (<$t>::BITS - 1))) as u64 }
        }
    )*};
}
key_signed!(i8 => u8, i16 => u16, i32 => u32, i64 => u64);

/// The key of an IEEE float given its bits: NaN (any payload or sign) above +inf, `-0.0`
/// as `+0.0`, negative values with all bits flipped, positive ones with the sign bit set.
/// Branch-free (selects only), so that loops over keys vectorize.
#[inline(always)]
fn float_key(b: u64, bits: u32, inf: u64) -> u64 {
    let sign = 1u64 << (bits - 1);
    let all = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let b = if b == sign { 0 } else { b };
    let neg = (b >> (bits - 1)) & 1;
    let k = (b ^ (neg.wrapping_neg() & all | sign)) & all;
    if b & !sign > inf {
        all // NaN
    } else {
        k
    }
}

impl SortKey for f32 {
    const BITS: u32 = 32;
    #[inline(always)]
    fn key(self) -> u64 {
        float_key(self.to_bits() as u64, 32, 0x7f80_0000)
    }
}
impl SortKey for f64 {
    const BITS: u32 = 64;
    #[inline(always)]
    fn key(self) -> u64 {
        float_key(self.to_bits(), 64, 0x7ff0_0000_0000_0000)
    }
}
impl SortKey for half::f16 {
    const BITS: u32 = 16;
    #[inline(always)]
    fn key(self) -> u64 {
        float_key(self.to_bits() as u64, 16, 0x7c00)
    }
}

// ------------------------------------------------------------------------- allocation

/// `n` zeroed elements, or a clear error when the memory is not there. Large zeroed
/// allocations come from fresh pages of the OS, so there is no zeroing pass.
pub(crate) fn alloc<E: bytemuck::Zeroable>(n: usize, what: &str) -> Result<Vec<E>> {
    match bytemuck::allocation::try_zeroed_slice_box::<E>(n) {
        Ok(b) => Ok(b.into_vec()),
        Err(()) => crate::bail!(
            "{what}: cannot allocate {} elements of {} bytes",
            n,
            std::mem::size_of::<E>()
        ),
    }
}

// ------------------------------------------------------------------------- the engine

/// A raw pointer that chunks running on other threads write through, each to its own
/// disjoint set of positions.
#[derive(Clone, Copy)]
pub(crate) struct Out<E>(pub(crate) *mut E);
// SAFETY: every user writes only positions no other thread writes (see `scatter`).
unsafe impl<E: Send> Send for Out<E> {}
unsafe impl<E: Send> Sync for Out<E> {}

impl<E> Out<E> {
    /// Write `v` at position `i`.
    ///
    /// # Safety
    /// `i` is inside the buffer and no other thread reads or writes it concurrently.
    #[inline(always)]
    pub(crate) unsafe fn put(self, i: usize, v: E) {
        self.0.add(i).write(v)
    }
}

/// Where a sort runs: on the rayon pool, reporting to `prog` (a whole-array sort), or on
/// the calling thread (one lane of many, already spread over threads by the caller).
#[derive(Clone, Copy)]
pub(crate) enum Mode<'p> {
    Parallel(&'p Progress),
    Serial,
}

/// Run `f` on chunks `0..nc` (in parallel for `Mode::Parallel`), checking for an
/// interrupt before each chunk and counting `rows(c)` of progress after it.
///
/// This calls rayon itself rather than `exec::par_chunks` because a radix sort is several
/// passes over the data and must show as one progress bar of `passes × n` rows; a
/// `par_chunks` per pass would start a fresh bar for each pass.
fn for_chunks<R: Send>(
    nc: usize,
    mode: Mode,
    rows: impl Fn(usize) -> usize + Sync,
    f: impl Fn(usize) -> R + Sync + Send,
) -> Result<Vec<R>> {
    use rayon::prelude::*;
    match mode {
        Mode::Serial => Ok((0..nc).map(f).collect()),
        Mode::Parallel(prog) => (0..nc)
            .into_par_iter()
            .map(|c| {
                crate::exec::check()?;
                let r = {
                    let _st = crate::prof::stage("compute");
                    f(c)
                };
                prog.inc(rows(c) as u64);
                Ok(r)
            })
            .collect(),
    }
}

#[inline(always)]
fn digit<const R: usize>(k: u64, shift: u32) -> usize {
    ((k >> shift) as usize) & (R - 1)
}

type Counts<const R: usize> = Vec<[usize; R]>;

/// One stable scatter pass: `to[pos] = map(i, from[i])`, ordered by the digit at `shift`
/// of `kx(from[i])`. `counts[c]` is the digit histogram of chunk `c` of `from`.
#[allow(clippy::too_many_arguments)]
fn scatter<const R: usize, X: Copy + Sync, E: Copy + Send>(
    from: &[X],
    kx: &(impl Fn(X) -> u64 + Sync),
    shift: u32,
    map: &(impl Fn(usize, X) -> E + Sync),
    to: &mut [E],
    chunk: usize,
    counts: &Counts<R>,
    mode: Mode,
) -> Result<()> {
    let n = from.len();
    assert_eq!(n, to.len(), "radix scatter: buffers of one length");
    // Exclusive prefix sums: digit-major, then chunk order (this is what makes it stable).
    let mut offs: Counts<R> = vec![[0; R]; counts.len()];
    let mut run = 0usize;
    for d in 0..R {
        for (o, c) in offs.iter_mut().zip(counts) {
            o[d] = run;
            run += c[d];
        }
    }
    assert_eq!(run, n, "radix scatter: counts cover the input");
    let out = Out(to.as_mut_ptr());
    let nc = counts.len();
    for_chunks(
        nc,
        mode,
        |c| chunk.min(n - c * chunk),
        |c| {
            let lo = c * chunk;
            let hi = (lo + chunk).min(n);
            let mut off = offs[c];
            for (i, &x) in from[lo..hi].iter().enumerate() {
                let d = digit::<R>(kx(x), shift);
                // SAFETY: chunk c of digit d owns positions offs[c][d]..offs[c][d] +
                // counts[c][d], disjoint from every other (chunk, digit) and inside `to`
                // (they partition 0..n, checked above); `off[d]` stays in that range
                // because this chunk holds exactly counts[c][d] elements of digit d.
                unsafe { out.put(off[d], map(lo + i, x)) };
                off[d] += 1;
            }
        },
    )?;
    Ok(())
}

/// Digit histograms of one digit per chunk of `from`.
fn count<const R: usize, X: Copy + Sync>(
    from: &[X],
    kx: &(impl Fn(X) -> u64 + Sync),
    shift: u32,
    chunk: usize,
    mode: Mode,
) -> Result<Counts<R>> {
    let n = from.len();
    for_chunks(
        n.div_ceil(chunk),
        mode,
        |_| 0,
        |c| {
            let mut h = [0usize; R];
            for &x in &from[c * chunk..((c + 1) * chunk).min(n)] {
                h[digit::<R>(kx(x), shift)] += 1;
            }
            h
        },
    )
}

fn chunk_len(n: usize, mode: Mode) -> usize {
    match mode {
        Mode::Serial => n.max(1),
        Mode::Parallel(_) => {
            let t = crate::exec::threads().max(1);
            (n / (4 * t)).clamp(1 << 14, 1 << 22)
        }
    }
}

/// Rows of progress a whole-array sort of `n` elements reports: one counting pass and
/// up to `bits / 11` scatter passes (skipped passes are counted when skipped).
pub(crate) fn progress_rows(n: usize, bits: u32) -> u64 {
    n as u64 * (1 + bits.div_ceil(WIDE) as u64)
}

/// Stable LSD radix sort of `src` into `out`: `out` receives `fin(load(i, src[i]))` for
/// every `i`, ordered by `ks(src[i])` (the low `bits` bits), ties in input order.
/// `ke` must give the same key for a loaded element as `ks` for its source value.
/// Needs one scratch buffer of `n` elements when more than one digit varies.
#[allow(clippy::too_many_arguments)]
pub(crate) fn lsd<S: Copy + Sync, E: Copy + Send + Sync + bytemuck::Zeroable>(
    src: &[S],
    ks: impl Fn(S) -> u64 + Sync,
    ke: impl Fn(E) -> u64 + Sync,
    bits: u32,
    load: impl Fn(usize, S) -> E + Sync,
    fin: impl Fn(E) -> E + Sync,
    out: &mut [E],
    mode: Mode,
) -> Result<()> {
    // Wide digits (fewer passes) once the input outweighs their 2048-entry tables.
    if src.len() >= 1 << 12 {
        lsd_r::<2048, _, _>(src, ks, ke, bits, load, fin, out, mode)
    } else {
        lsd_r::<256, _, _>(src, ks, ke, bits, load, fin, out, mode)
    }
}

#[allow(clippy::too_many_arguments)]
fn lsd_r<const R: usize, S: Copy + Sync, E: Copy + Send + Sync + bytemuck::Zeroable>(
    src: &[S],
    ks: impl Fn(S) -> u64 + Sync,
    ke: impl Fn(E) -> u64 + Sync,
    bits: u32,
    load: impl Fn(usize, S) -> E + Sync,
    fin: impl Fn(E) -> E + Sync,
    out: &mut [E],
    mode: Mode,
) -> Result<()> {
    let n = src.len();
    assert_eq!(n, out.len(), "radix sort: output of the input's length");
    if n == 0 {
        return Ok(());
    }
    let chunk = chunk_len(n, mode);
    // `nd` digits of `step` bits (as even as possible); a digit's table may also take
    // some bits of the next digit, which a later pass sorts anyway.
    let nd = bits.div_ceil(R.trailing_zeros()) as usize;
    let step = bits.div_ceil(nd as u32);
    // One counting pass over the input for every digit at once.
    let mut hist: Vec<Counts<R>> = for_chunks(
        n.div_ceil(chunk),
        mode,
        |c| chunk.min(n - c * chunk),
        |c| {
            let mut h: Counts<R> = vec![[0usize; R]; nd];
            for &x in &src[c * chunk..((c + 1) * chunk).min(n)] {
                let k = ks(x);
                for (j, hj) in h.iter_mut().enumerate() {
                    hj[digit::<R>(k, j as u32 * step)] += 1;
                }
            }
            h
        },
    )?;
    let k0 = ks(src[0]);
    let active: Vec<usize> = (0..nd)
        .filter(|&j| {
            let d = digit::<R>(k0, j as u32 * step);
            hist.iter().map(|h| h[j][d]).sum::<usize>() != n
        })
        .collect();
    if let Mode::Parallel(p) = mode {
        p.inc(((nd - active.len()) * n) as u64);
    }
    let p = active.len();
    if p == 0 {
        // Every key is equal: a stable sort is the identity.
        let o = Out(out.as_mut_ptr());
        for_chunks(
            n.div_ceil(chunk),
            mode,
            |_| 0,
            |c| {
                let lo = c * chunk;
                for (i, &x) in src.iter().enumerate().take((lo + chunk).min(n)).skip(lo) {
                    // SAFETY: chunks write disjoint index ranges inside `out`.
                    unsafe { o.put(i, fin(load(i, x))) };
                }
            },
        )?;
        return Ok(());
    }
    let counts0: Counts<R> = hist.iter().map(|h| h[active[0]]).collect();
    // With one chunk its histogram of a digit is the same after every pass: no recount.
    let single = hist.len() == 1;
    let hist0 = if single { hist.swap_remove(0) } else { vec![] };
    drop(hist);
    let mut scratch: Vec<E> = if p > 1 {
        alloc(n, "sort scratch buffer")?
    } else {
        vec![]
    };
    // The last pass must land in `out`: pass j writes to `out` when p-1-j is even.
    for (j, &dj) in active.iter().enumerate() {
        crate::exec::check()?;
        let shift = dj as u32 * step;
        let last = j + 1 == p;
        let to_out = (p - 1 - j).is_multiple_of(2);
        if j == 0 {
            let dst: &mut [E] = if to_out { &mut *out } else { &mut scratch };
            if last {
                scatter::<R, _, _>(
                    src,
                    &ks,
                    shift,
                    &|i, x| fin(load(i, x)),
                    dst,
                    chunk,
                    &counts0,
                    mode,
                )?;
            } else {
                scatter::<R, _, _>(src, &ks, shift, &load, dst, chunk, &counts0, mode)?;
            }
            continue;
        }
        let (from, dst): (&[E], &mut [E]) = if to_out {
            (&scratch, &mut *out)
        } else {
            (&*out, &mut scratch)
        };
        let counts = if single {
            vec![hist0[dj]]
        } else {
            count::<R, _>(from, &ke, shift, chunk, mode)?
        };
        if last {
            scatter::<R, _, _>(from, &ke, shift, &|_, e| fin(e), dst, chunk, &counts, mode)?;
        } else {
            scatter::<R, _, _>(from, &ke, shift, &|_, e| e, dst, chunk, &counts, mode)?;
        }
    }
    Ok(())
}

/// A large sort: one most-significant-digit pass (6–11 bits just below the highest bit
/// in which any two keys differ) splits the data into buckets of ~32k elements on
/// average, which fit in a core's cache; each bucket is then LSD-sorted on its remaining
/// low bits on one thread, buckets in parallel. A scatter pass through main memory costs
/// several times a pass in cache (measured 2–4× faster than LSD passes over the whole
/// array for 5M float32 here). Buckets too large for that (skewed data) are sorted one
/// after another by the parallel LSD sort. Memory: `out` plus one scratch buffer of `n`.
#[allow(clippy::too_many_arguments)]
fn sort_keys<S: Copy + Sync, E: Copy + Send + Sync + bytemuck::Zeroable>(
    src: &[S],
    ks: impl Fn(S) -> u64 + Sync,
    ke: impl Fn(E) -> u64 + Sync,
    bits: u32,
    load: impl Fn(usize, S) -> E + Sync,
    fin: impl Fn(E) -> E + Sync,
    out: &mut [E],
    mode: Mode,
) -> Result<()> {
    use rayon::prelude::*;
    let n = src.len();
    let prog = match mode {
        Mode::Parallel(p) if n >= 1 << 16 => p,
        _ => return lsd(src, ks, ke, bits, load, fin, out, mode),
    };
    let chunk = chunk_len(n, mode);
    let mm = for_chunks(
        n.div_ceil(chunk),
        mode,
        |c| chunk.min(n - c * chunk),
        |c| {
            let (mut lo, mut hi) = (u64::MAX, 0u64);
            for &x in &src[c * chunk..((c + 1) * chunk).min(n)] {
                let k = ks(x);
                lo = lo.min(k);
                hi = hi.max(k);
            }
            (lo, hi)
        },
    )?;
    let (lo, hi) = mm
        .iter()
        .fold((u64::MAX, 0), |a, b| (a.0.min(b.0), a.1.max(b.1)));
    // Bits needed to tell the keys apart; the bits above are the same in every key.
    let top = 64 - (lo ^ hi).leading_zeros();
    // About 32k elements per bucket on average (so buckets stay in cache and the
    // 2048-entry tables of their own passes pay off), at most 11 bits.
    let msd = (n.ilog2().saturating_sub(15)).clamp(6, MSD_BITS);
    if top <= msd {
        return lsd(src, ks, ke, bits, load, fin, out, mode);
    }
    // The digit table has 2048 entries; bits of it above `top` are the same in every key.
    let shift = top - msd;
    let counts = count::<MSD_RADIX, _>(src, &ks, shift, chunk, mode)?;
    let mut sizes = vec![0usize; MSD_RADIX];
    for c in &counts {
        sizes.iter_mut().zip(c).for_each(|(s, x)| *s += x);
    }
    let mut scratch: Vec<E> = alloc(n, "sort scratch buffer")?;
    scatter::<MSD_RADIX, _, _>(src, &ks, shift, &load, &mut scratch, chunk, &counts, mode)?;
    // Bucket d is scratch[start..start + sizes[d]], sorted into the same range of `out`.
    let big = (n / (2 * crate::exec::threads().max(1))).max(1 << 20);
    let later = bits.div_ceil(WIDE) as usize - 1; // progress rows per element left
    let mut small: Vec<(&[E], &mut [E])> = vec![];
    let (mut rs, mut ro) = (&scratch[..], &mut *out);
    for &len in &sizes {
        let (a, r) = rs.split_at(len);
        let (b, o) = ro.split_at_mut(len);
        (rs, ro) = (r, o);
        if len >= big {
            crate::exec::check()?;
            lsd(a, &ke, &ke, shift, |_, e| e, &fin, b, mode)?;
        } else if len > 0 {
            small.push((a, b));
        }
    }
    small.into_par_iter().try_for_each(|(a, b)| {
        crate::exec::check()?;
        {
            let _st = crate::prof::stage("compute");
            lsd(a, &ke, &ke, shift, |_, e| e, &fin, b, Mode::Serial)?;
        }
        prog.inc((a.len() * later) as u64);
        Ok(())
    })
}

// ------------------------------------------------------------------------- front ends

/// Sort the values of `src` into `out` (stable, NumPy order).
pub(crate) fn sort_into<T: SortKey>(src: &[T], out: &mut [T], mode: Mode) -> Result<()> {
    if src.len() <= SMALL {
        return small(src, |_, j, x| *x = src[j], out);
    }
    sort_keys(src, T::key, T::key, T::BITS, |_, x| x, |e| e, out, mode)
}

/// The stable argsort of `src` into `out`.
pub(crate) fn argsort_into<T: SortKey>(src: &[T], out: &mut [i64], mode: Mode) -> Result<()> {
    let n = src.len();
    if n <= SMALL {
        return small(src, |_, j, x| *x = j as i64, out);
    }
    if T::BITS <= 32 && n <= u32::MAX as usize {
        // (key, index) packed in one u64; the last pass keeps only the index, which is
        // the i64 result, so `out` itself serves as one of the two buffers.
        let buf: &mut [u64] = bytemuck::cast_slice_mut(out);
        return sort_keys(
            src,
            |x: T| x.key(),
            |e: u64| e >> 32,
            T::BITS,
            |i, x| (x.key() << 32) | i as u64,
            |e| e & 0xffff_ffff,
            buf,
            mode,
        );
    }
    let mut pairs: Vec<[u64; 2]> = alloc(n, "argsort buffer")?;
    sort_keys(
        src,
        |x: T| x.key(),
        |e: [u64; 2]| e[0],
        T::BITS,
        |i, x| [x.key(), i as u64],
        |e| e,
        &mut pairs,
        mode,
    )?;
    let o = Out(out.as_mut_ptr());
    let chunk = chunk_len(n, mode);
    for_chunks(
        n.div_ceil(chunk),
        mode,
        |_| 0,
        |c| {
            let lo = c * chunk;
            for (i, p) in pairs.iter().enumerate().take((lo + chunk).min(n)).skip(lo) {
                // SAFETY: chunks write disjoint index ranges inside `out`.
                unsafe { o.put(i, p[1] as i64) };
            }
        },
    )?;
    Ok(())
}

/// Comparison sort of a short lane: sort packed `(key, position)` (unique, so an unstable
/// sort is stable), then `put(out, j, out[i])` for the `i`-th smallest at position `j`.
fn small<T: SortKey, O>(
    src: &[T],
    put: impl Fn(usize, usize, &mut O),
    out: &mut [O],
) -> Result<()> {
    if T::BITS <= 32 && src.len() <= u32::MAX as usize {
        let mut v: Vec<u64> = src
            .iter()
            .enumerate()
            .map(|(j, x)| (x.key() << 32) | j as u64)
            .collect();
        v.sort_unstable();
        for (i, (o, e)) in out.iter_mut().zip(&v).enumerate() {
            put(i, (*e & 0xffff_ffff) as usize, o);
        }
    } else {
        let mut v: Vec<u128> = src
            .iter()
            .enumerate()
            .map(|(j, x)| ((x.key() as u128) << 64) | j as u128)
            .collect();
        v.sort_unstable();
        for (i, (o, e)) in out.iter_mut().zip(&v).enumerate() {
            put(i, *e as u64 as usize, o);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted<T: SortKey>(v: &[T]) -> Vec<T> {
        let mut out = vec![T::zeroed(); v.len()];
        let p = Progress::new("test", 0);
        sort_into(v, &mut out, Mode::Parallel(&p)).unwrap();
        out
    }

    #[test]
    fn float_keys_order_like_numpy() {
        let v = [
            f32::NAN,
            f32::INFINITY,
            1.0,
            0.0,
            -0.0,
            -1.0,
            f32::NEG_INFINITY,
            f32::MIN_POSITIVE,
        ];
        let k: Vec<u64> = v.iter().map(|x| x.key()).collect();
        assert!(k[0] > k[1] && k[1] > k[2] && k[2] > k[7] && k[7] > k[3]);
        assert_eq!(k[3], k[4]);
        assert!(k[4] > k[5] && k[5] > k[6]);
        assert_eq!((-f32::NAN).key(), f32::NAN.key());
        assert_eq!((-f64::NAN).key(), u64::MAX);
        assert_eq!(half::f16::NAN.key(), 0xffff);
        assert!(i8::MIN.key() < (-1i8).key() && (-1i8).key() < 0i8.key());
    }

    #[test]
    fn stable_and_bit_exact() {
        // Large enough for the radix path, with -0.0/0.0 and NaN payloads interleaved.
        let n = 5000;
        let v: Vec<f32> = (0..n)
            .map(|i| match i % 7 {
                0 => -0.0,
                1 => 0.0,
                2 => f32::from_bits(0x7fc0_0000 | i as u32),
                3 => -(i as f32),
                _ => (i % 13) as f32,
            })
            .collect();
        let s = sorted(&v);
        let mut r = v.clone();
        r.sort_by_key(|x| x.key()); // std's stable sort as the reference
        assert_eq!(
            s.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            r.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        let mut idx = vec![0i64; n];
        let p = Progress::new("test", 0);
        argsort_into(&v, &mut idx, Mode::Parallel(&p)).unwrap();
        let mut ri: Vec<i64> = (0..n as i64).collect();
        ri.sort_by_key(|&i| v[i as usize].key());
        assert_eq!(idx, ri);
    }

    #[test]
    fn constant_digits_are_skipped_and_serial_agrees() {
        let v: Vec<i64> = (0..10_000).map(|i| (i * 7919) % 1000 - 500).collect();
        let mut a = vec![0i64; v.len()];
        sort_into(&v, &mut a, Mode::Serial).unwrap();
        let mut r = v.clone();
        r.sort();
        assert_eq!(a, r);
        let mut ia = vec![0i64; v.len()];
        argsort_into(&v, &mut ia, Mode::Serial).unwrap();
        let mut ri: Vec<i64> = (0..v.len() as i64).collect();
        ri.sort_by_key(|&i| v[i as usize]);
        assert_eq!(ia, ri);
        // all equal: identity
        let c = vec![3u16; 1000];
        assert_eq!(sorted(&c), c);
    }

    #[test]
    fn msd_buckets_small_and_big_agree_with_std() {
        // 1.5M values: most in one narrow range (a bucket over 1M: the parallel LSD
        // path), the rest spread (cache-sized buckets), with -0.0/0.0 and NaN mixed in.
        let mut s = 7u64;
        let v: Vec<f32> = (0..1_500_000u32)
            .map(|i| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                match i % 10 {
                    0 => (s >> 40) as f32 - 8e6,
                    1 => [0.0, -0.0, f32::NAN, -f32::NAN][(s % 4) as usize],
                    _ => 1.0 + (s % 1000) as f32 * 1e-6,
                }
            })
            .collect();
        let s = sorted(&v);
        let mut r: Vec<usize> = (0..v.len()).collect();
        r.sort_by_key(|&i| v[i].key());
        assert!(s
            .iter()
            .zip(&r)
            .all(|(a, &i)| a.to_bits() == v[i].to_bits()));
        let mut idx = vec![0i64; v.len()];
        let p = Progress::new("test", 0);
        argsort_into(&v, &mut idx, Mode::Parallel(&p)).unwrap();
        assert!(idx.iter().zip(&r).all(|(&a, &b)| a as usize == b));
    }

    /// NumPy's order written independently of the keys: NaN after everything, equal
    /// to NaN; `-0.0 == 0.0`.
    fn numpy_cmp(a: f64, b: f64) -> std::cmp::Ordering {
        match (a.is_nan(), b.is_nan()) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Greater,
            (false, true) => std::cmp::Ordering::Less,
            _ => a.partial_cmp(&b).expect("not NaN"),
        }
    }

    fn check_against_reference<T: SortKey + PartialEq + std::fmt::Debug>(
        v: &[T],
        as_f64: impl Fn(T) -> f64,
        bits: impl Fn(T) -> u64,
    ) {
        let mut r: Vec<usize> = (0..v.len()).collect();
        r.sort_by(|&i, &j| numpy_cmp(as_f64(v[i]), as_f64(v[j]))); // stable
        let p = Progress::new("test", 0);
        for mode in [Mode::Serial, Mode::Parallel(&p)] {
            let mut s = vec![T::zeroed(); v.len()];
            sort_into(v, &mut s, mode).unwrap();
            let want: Vec<u64> = r.iter().map(|&i| bits(v[i])).collect();
            assert_eq!(s.iter().map(|&x| bits(x)).collect::<Vec<_>>(), want);
            let mut ix = vec![0i64; v.len()];
            argsort_into(v, &mut ix, mode).unwrap();
            assert_eq!(ix, r.iter().map(|&i| i as i64).collect::<Vec<_>>());
        }
    }

    fn f32_bits() -> impl Strategy<Value = u32> {
        prop_oneof![
            3 => any::<u32>(),
            2 => prop::sample::select(vec![
                0u32, 0x8000_0000, 0x7fc0_0000, 0xffc0_0001, 0x7f80_0000, 0xff80_0000,
                0x3f80_0000, 0xbf80_0000, 0x7f80_0001,
            ]),
            1 => (0u32..4).prop_map(|i| 0x4000_0000 + i),
        ]
    }

    use proptest::prelude::*;
    proptest! {
        #[test]
        fn radix_matches_a_comparison_sort_f32(v in prop::collection::vec(f32_bits(), 0..1200)) {
            let v: Vec<f32> = v.into_iter().map(f32::from_bits).collect();
            check_against_reference(&v, |x| x as f64, |x| x.to_bits() as u64);
        }

        #[test]
        fn radix_matches_a_comparison_sort_f64(v in prop::collection::vec(
            prop_oneof![any::<u64>(), prop::sample::select(vec![
                0u64, 1 << 63, 0x7ff8_0000_0000_0000, 0xfff8_0000_0000_0001, 0x7ff0_0000_0000_0000])],
            0..700)) {
            let v: Vec<f64> = v.into_iter().map(f64::from_bits).collect();
            check_against_reference(&v, |x| x, |x| x.to_bits());
        }

        #[test]
        fn radix_matches_a_comparison_sort_ints(v in prop::collection::vec(any::<i16>(), 0..1200),
                                                 w in prop::collection::vec(-3i64..3, 0..900)) {
            check_against_reference(&v, |x| x as f64, |x| x as u16 as u64);
            check_against_reference(&w, |x| x as f64, |x| x as u64);
        }

        #[test]
        fn f16_keys_follow_the_float_order(a in any::<u16>(), b in any::<u16>()) {
            let (x, y) = (half::f16::from_bits(a), half::f16::from_bits(b));
            prop_assert_eq!(x.key().cmp(&y.key()), numpy_cmp(x.to_f64(), y.to_f64()));
        }
    }
}
