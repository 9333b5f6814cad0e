//! Reductions (`sum min max mean std count argmin argmax any all`) over a whole array or
//! along one axis, with NumPy's result types and NaN rules: float sums and means are
//! accumulated in f64, integer sums in 64 bits (wrapping like NumPy), min/max propagate
//! NaN, argmin/argmax return the first NaN.
//!
//! Whole-array reductions run over contiguous slices in parallel chunks with several
//! independent accumulators so that the compiler vectorizes them; strided arrays are
//! gathered chunk by chunk into a small buffer first.

use ndarray::{ArrayViewD, Axis, IxDyn, Slice};

use super::ops::{chunk_elems, wrap, Real};
use crate::array::{Array, DType};
use crate::error::Result;
use crate::{bail, err};

/// A reduction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Red {
    Sum,
    Min,
    Max,
    Mean,
    Std,
    Count,
    ArgMin,
    ArgMax,
    Any,
    All,
}

impl Red {
    /// Every reduction, in the order the docs list them.
    pub const ALL: [Red; 10] = [
        Red::Sum,
        Red::Min,
        Red::Max,
        Red::Mean,
        Red::Std,
        Red::Count,
        Red::ArgMin,
        Red::ArgMax,
        Red::Any,
        Red::All,
    ];

    pub fn name(self) -> &'static str {
        use Red::*;
        match self {
            Sum => "sum",
            Min => "min",
            Max => "max",
            Mean => "mean",
            Std => "std",
            Count => "count",
            ArgMin => "argmin",
            ArgMax => "argmax",
            Any => "any",
            All => "all",
        }
    }
    pub fn parse(s: &str) -> Result<Red> {
        use Red::*;
        Ok(match s {
            "sum" => Sum,
            "min" => Min,
            "max" => Max,
            "mean" => Mean,
            "std" => Std,
            "count" => Count,
            "argmin" => ArgMin,
            "argmax" => ArgMax,
            "any" => Any,
            "all" => All,
            _ => bail!("unknown reduction '{s}'"),
        })
    }
}

/// A single value handed back to the script layer.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
}

impl Scalar {
    /// `f` rounded to float32, as the f64 nearest to its shortest float32 decimal (so a
    /// float32 result prints `0.1`, as NumPy shows it, not `0.10000000149011612`).
    pub fn short_f32(f: f64) -> f64 {
        let x = f as f32;
        if !x.is_finite() {
            return x as f64;
        }
        x.to_string().parse().unwrap_or(x as f64)
    }
    /// `f` rounded to float16, with its shortest float16 decimal (see [`Scalar::short_f32`]).
    pub fn short_f16(f: f64) -> f64 {
        let x = half::f16::from_f64(f);
        if !x.is_finite() {
            return x.to_f64();
        }
        x.to_string().parse().unwrap_or(x.to_f64())
    }
    /// The value of a real element `x` of dtype `d` (bool → Bool, ints → Int, u64 beyond
    /// i64 → Float, floats → Float).
    pub fn of<T: Real>(x: T, d: &DType) -> Scalar {
        if *d == DType::Bool {
            Scalar::Bool(x.to_i64() != 0)
        } else if T::FLOAT && *d == DType::F32 {
            Scalar::Float(Scalar::short_f32(x.to_f64()))
        } else if T::FLOAT && *d == DType::F16 {
            Scalar::Float(Scalar::short_f16(x.to_f64()))
        } else if T::FLOAT || (*d == DType::U64 && x.to_i64() < 0) {
            Scalar::Float(x.to_f64())
        } else {
            Scalar::Int(x.to_i64())
        }
    }
}

const LANES: usize = 16;

/// Run `f` over the elements in C order as contiguous slices (in parallel chunks),
/// folding the chunk results in order with `combine`. `f` also gets the flat index of
/// the slice's first element.
fn fold_chunks<T: Real, S: Send>(
    a: &Array,
    f: impl Fn(&[T], usize) -> S + Sync,
    identity: impl Fn() -> S + Sync + Send,
    combine: impl Fn(S, S) -> S + Sync + Send,
) -> Result<S> {
    let v = a.view::<T>()?;
    let n = v.len();
    let ch = chunk_elems(std::mem::size_of::<T>());
    if let Some(s) = v.as_slice() {
        return crate::exec::par_reduce(
            n,
            ch,
            |r| Ok(crate::exec::simd(|| f(&s[r.clone()], r.start))),
            identity,
            combine,
        );
    }
    // strided: chunks of whole rows of the first axis, gathered into a buffer
    let rows = v.shape()[0];
    let row = n.checked_div(rows).unwrap_or(0);
    if row == 0 {
        return Ok(identity());
    }
    let per = (ch / row).max(1);
    crate::exec::par_reduce(
        rows,
        per,
        |r| {
            let sub = v.slice_axis(Axis(0), Slice::from(r.clone()));
            let buf: Vec<T> = sub.iter().copied().collect();
            Ok(crate::exec::simd(|| f(&buf, r.start * row)))
        },
        identity,
        combine,
    )
}

fn sum_f64<T: Real>(s: &[T]) -> f64 {
    let mut acc = [0f64; LANES];
    let mut it = s.chunks_exact(LANES);
    for c in &mut it {
        for i in 0..LANES {
            acc[i] += c[i].to_f64();
        }
    }
    let mut t: f64 = it.remainder().iter().map(|x| x.to_f64()).sum();
    // pairwise combination of the lanes
    let mut w = LANES;
    while w > 1 {
        w /= 2;
        for i in 0..w {
            acc[i] += acc[i + w];
        }
    }
    t += acc[0];
    t
}

fn sum_i64<T: Real>(s: &[T]) -> i64 {
    let mut acc = [0i64; LANES];
    let mut it = s.chunks_exact(LANES);
    for c in &mut it {
        for i in 0..LANES {
            acc[i] = acc[i].wrapping_add(c[i].to_i64());
        }
    }
    let mut t = 0i64;
    for x in it.remainder() {
        t = t.wrapping_add(x.to_i64());
    }
    acc.iter().fold(t, |a, &b| a.wrapping_add(b))
}

fn count_nz<T: Real>(s: &[T]) -> u64 {
    // u32 counts per block of 64 Ki elements (narrow lanes vectorize well), summed in u64
    let z = T::default();
    s.chunks(1 << 16)
        .map(|b| b.iter().map(|&x| (x != z) as u32).sum::<u32>() as u64)
        .sum()
}

/// (extreme value, NaN seen) of a slice; `MAX` picks the maximum.
fn extreme<T: Real, const MAX: bool>(s: &[T]) -> (T, bool) {
    let init = if MAX { T::lo() } else { T::hi() };
    let mut acc = [init; LANES];
    let mut nan = [false; LANES];
    let mut it = s.chunks_exact(LANES);
    for c in &mut it {
        for i in 0..LANES {
            let x = c[i];
            let better = if MAX { x > acc[i] } else { x < acc[i] };
            acc[i] = if better { x } else { acc[i] };
            if T::FLOAT {
                nan[i] |= x.is_nan();
            }
        }
    }
    let mut best = init;
    let mut any_nan = nan.iter().any(|&b| b);
    for &x in acc.iter().chain(it.remainder()) {
        if T::FLOAT && x.is_nan() {
            any_nan = true;
        }
        if if MAX { x > best } else { x < best } {
            best = x;
        }
    }
    (best, any_nan)
}

/// (index, value, is NaN) of the first extreme element; NaN wins (NumPy).
fn arg_extreme<T: Real, const MAX: bool>(s: &[T], base: usize) -> Option<(usize, T, bool)> {
    let mut best: Option<(usize, T)> = None;
    for (i, &x) in s.iter().enumerate() {
        if T::FLOAT && x.is_nan() {
            return Some((base + i, x, true));
        }
        match best {
            None => best = Some((i, x)),
            Some((_, b)) => {
                if if MAX { x > b } else { x < b } {
                    best = Some((i, x));
                }
            }
        }
    }
    best.map(|(i, x)| (base + i, x, false))
}

fn pick_arg<T: Real, const MAX: bool>(
    a: Option<(usize, T, bool)>,
    b: Option<(usize, T, bool)>,
) -> Option<(usize, T, bool)> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(x), Some(y)) => {
            let (first, second) = if x.0 <= y.0 { (x, y) } else { (y, x) };
            if first.2 {
                Some(first)
            } else if second.2
                || if MAX {
                    second.1 > first.1
                } else {
                    second.1 < first.1
                }
            {
                Some(second)
            } else {
                Some(first)
            }
        }
    }
}

fn reduce_all_typed<T: Real>(a: &Array, r: Red) -> Result<Scalar> {
    let d = a.dtype().clone();
    let n = a.size();
    let empty = |what: &str| -> Result<Scalar> {
        bail!(
            "{what}: the array is empty (shape {:?}); the reduction has no value",
            a.shape()
        )
    };
    Ok(match r {
        Red::Sum if T::FLOAT => Scalar::Float(fold_chunks::<T, f64>(
            a,
            |s, _| sum_f64(s),
            || 0.0,
            |x, y| x + y,
        )?),
        Red::Sum => {
            let s = fold_chunks::<T, i64>(a, |s, _| sum_i64(s), || 0, |x, y| x.wrapping_add(y))?;
            if d == DType::U64 && s < 0 {
                Scalar::Float(s as u64 as f64)
            } else {
                Scalar::Int(s)
            }
        }
        Red::Mean | Red::Std => {
            if n == 0 {
                return Ok(Scalar::Float(f64::NAN));
            }
            let m = fold_chunks::<T, f64>(a, |s, _| sum_f64(s), || 0.0, |x, y| x + y)? / n as f64;
            if r == Red::Mean {
                Scalar::Float(m)
            } else {
                let ss = fold_chunks::<T, f64>(
                    a,
                    |s, _| {
                        let mut acc = [0f64; LANES];
                        let mut it = s.chunks_exact(LANES);
                        for c in &mut it {
                            for i in 0..LANES {
                                let dx = c[i].to_f64() - m;
                                acc[i] += dx * dx;
                            }
                        }
                        let t: f64 = it
                            .remainder()
                            .iter()
                            .map(|x| (x.to_f64() - m).powi(2))
                            .sum();
                        t + acc.iter().sum::<f64>()
                    },
                    || 0.0,
                    |x, y| x + y,
                )?;
                Scalar::Float((ss / n as f64).sqrt())
            }
        }
        Red::Min | Red::Max => {
            if n == 0 {
                return empty(r.name());
            }
            let max = r == Red::Max;
            let f = |s: &[T], _| {
                if max {
                    extreme::<T, true>(s)
                } else {
                    extreme::<T, false>(s)
                }
            };
            let init = if max { T::lo() } else { T::hi() };
            let (v, nan) = fold_chunks::<T, (T, bool)>(
                a,
                f,
                || (init, false),
                |x, y| {
                    let b = if max { y.0 > x.0 } else { y.0 < x.0 };
                    (if b { y.0 } else { x.0 }, x.1 || y.1)
                },
            )?;
            if nan {
                Scalar::Float(f64::NAN)
            } else {
                Scalar::of(v, &d)
            }
        }
        Red::Count | Red::Any | Red::All => {
            let c = fold_chunks::<T, u64>(a, |s, _| count_nz(s), || 0, |x, y| x + y)?;
            match r {
                Red::Count => Scalar::Int(c as i64),
                Red::Any => Scalar::Bool(c > 0),
                _ => Scalar::Bool(c as usize == n),
            }
        }
        Red::ArgMin | Red::ArgMax => {
            if n == 0 {
                return empty(r.name());
            }
            let max = r == Red::ArgMax;
            let best = fold_chunks::<T, Option<(usize, T, bool)>>(
                a,
                |s, base| {
                    if max {
                        arg_extreme::<T, true>(s, base)
                    } else {
                        arg_extreme::<T, false>(s, base)
                    }
                },
                || None,
                |x, y| {
                    if max {
                        pick_arg::<T, true>(x, y)
                    } else {
                        pick_arg::<T, false>(x, y)
                    }
                },
            )?;
            Scalar::Int(best.map(|b| b.0 as i64).unwrap_or(0))
        }
    })
}

fn check_numeric(a: &Array, r: Red) -> Result<()> {
    let d = a.dtype();
    if !d.is_numeric() || d.is_complex() {
        bail!(
            "{}: not supported for arrays of dtype {}",
            r.name(),
            d.name()
        );
    }
    Ok(())
}

/// Reduce the whole array to one value.
pub fn reduce_all(a: &Array, r: Red) -> Result<Scalar> {
    let _s = crate::prof::span(r.name());
    crate::exec::page_in(a);
    check_numeric(a, r)?;
    let v =
        crate::with_real_type!(a.dtype(), T => reduce_all_typed::<T>(a, r), else unreachable!())?;
    // NumPy gives a float32 (float16) scalar for these dtypes (accumulated in f64 here,
    // with or without an axis): round to that precision and keep its shortest digits.
    Ok(match (v, a.dtype()) {
        (Scalar::Float(f), DType::F32) => Scalar::Float(Scalar::short_f32(f)),
        (Scalar::Float(f), DType::F16) => Scalar::Float(Scalar::short_f16(f)),
        (v, _) => v,
    })
}

// ------------------------------------------------------------------------- along axes
//
// An axis reduction reads memory once, in order. The array is looked at in its memory
// order (a transposed or Fortran-ordered array is a permutation of a C-contiguous one;
// anything else is first copied in parallel into C order), size-1 axes are dropped and
// neighbouring kept/reduced axes merged. Two layouts remain that matter:
// - kept then reduced, `[K, R]`: each output reduces one contiguous lane with the same
//   vectorized slice kernels as the whole-array reductions;
// - reduced then kept, `[K1, R, K2]`: rows of `K2` values are accumulated into one row of
//   per-column states per chunk of rows (per thread), and the chunk rows are merged.
// Other patterns (`[R, K, R]`, ...) are copied with the kept axes first, then as `[K, R]`.

/// Reduce each of the `data.len() / l` contiguous lanes of length `l`, in parallel.
fn lanes<T: Sync, S: Send>(
    data: &[T],
    m: usize,
    l: usize,
    f: impl Fn(&[T], usize) -> S + Sync,
) -> Result<Vec<S>> {
    let per = (chunk_elems(std::mem::size_of::<T>()) / l.max(1)).max(1);
    crate::exec::par_collect(m, per, "reduce", |r, out| {
        crate::exec::simd(|| out.extend(r.map(|i| f(&data[i * l..(i + 1) * l], i))));
        Ok(())
    })
}

/// Column states of `data` seen as `k1` blocks of `n` rows by `m` columns: per block,
/// `add(states, row, j, block)` accumulates row `j` into that block's row of states, and
/// `merge(a, b)` appends the states of later rows `b` to `a`. Returns `k1 * m` states.
fn columns<T: Sync, S: Clone + Send + Sync>(
    data: &[T],
    (k1, n, m): (usize, usize, usize),
    init: S,
    add: impl Fn(&mut [S], &[T], usize, usize) + Sync,
    merge: impl Fn(&mut [S], &[S]) + Sync + Send,
) -> Result<Vec<S>> {
    let ch = chunk_elems(std::mem::size_of::<T>());
    let block = |b: usize, rows: std::ops::Range<usize>, st: &mut [S]| {
        crate::exec::simd(|| {
            for j in rows {
                let o = (b * n + j) * m;
                add(st, &data[o..o + m], j, b);
            }
        })
    };
    if k1 >= 2 * crate::exec::threads() || n * m <= ch {
        // many blocks: one task per chunk of whole blocks
        let per = (ch / (n * m).max(1)).max(1);
        let parts = crate::exec::par_chunks(k1, per, |r| {
            let mut st = vec![init.clone(); r.len() * m];
            for (i, b) in r.enumerate() {
                block(b, 0..n, &mut st[i * m..(i + 1) * m]);
            }
            Ok(st)
        })?;
        return Ok(parts.concat());
    }
    // few blocks: split each block's rows; a row of states per chunk, merged in order
    let mut out = Vec::with_capacity(k1 * m);
    for b in 0..k1 {
        let st = crate::exec::par_reduce(
            n,
            (ch / m.max(1)).max(1),
            |r| {
                let mut st = vec![init.clone(); m];
                block(b, r, &mut st);
                Ok(Some(st))
            },
            || None,
            |x: Option<Vec<S>>, y: Option<Vec<S>>| match (x, y) {
                (None, v) | (v, None) => v,
                (Some(mut x), Some(y)) => {
                    merge(&mut x, &y);
                    Some(x)
                }
            },
        )?;
        out.extend(st.unwrap_or_else(|| vec![init.clone(); m]));
    }
    Ok(out)
}

/// Where the reduction runs: C-ordered data, its (memory-order) shape with the reduced
/// axes marked, and the order of the kept axes relative to the caller's.
struct Layout<'a, T: Clone> {
    data: std::borrow::Cow<'a, [T]>,
    /// (size, reduced) after dropping size-1 axes and merging neighbours.
    groups: Vec<(usize, bool)>,
    /// Output shape in memory order and the permutation back to the caller's order.
    kept_shape: Vec<usize>,
    kept_perm: Vec<usize>,
}

fn layout<'a, T: Copy + Send + Sync>(v: &ArrayViewD<'a, T>, red: &[bool]) -> Result<Layout<'a, T>> {
    let nd = v.ndim();
    // memory order: axes by decreasing stride
    let mut perm: Vec<usize> = (0..nd).collect();
    if v.to_slice().is_none() {
        perm.sort_by_key(|&i| std::cmp::Reverse(v.strides()[i]));
    }
    let pv = v.clone().permuted_axes(IxDyn(&perm));
    let (data, perm) = match pv.to_slice() {
        Some(s) => (std::borrow::Cow::Borrowed(s), perm),
        None => (
            std::borrow::Cow::Owned(super::kernel::to_vec(v)?),
            (0..nd).collect(),
        ),
    };
    let mut groups: Vec<(usize, bool)> = vec![];
    let (mut kept_shape, mut kept_axes) = (vec![], vec![]);
    for &ax in &perm {
        let (d, r) = (v.shape()[ax], red[ax]);
        if !r {
            kept_shape.push(d);
            kept_axes.push(ax);
        }
        if d == 1 {
            continue;
        }
        match groups.last_mut() {
            Some(g) if g.1 == r => g.0 *= d,
            _ => groups.push((d, r)),
        }
    }
    // kept_axes (in memory order) → positions in the caller's order
    let mut order: Vec<usize> = (0..kept_axes.len()).collect();
    order.sort_by_key(|&i| kept_axes[i]);
    Ok(Layout {
        data,
        groups,
        kept_shape,
        kept_perm: order,
    })
}

/// Per-output states of a reduction of `v` over the axes marked in `red`, in C order
/// of the output (the kept axes in the caller's order).
fn reduce_states<T: Copy + Send + Sync, S: Clone + Copy + Send + Sync>(
    v: &ArrayViewD<'_, T>,
    red: &[bool],
    lane: impl Fn(&[T], usize) -> S + Sync,
    init: S,
    add: impl Fn(&mut [S], &[T], usize, usize) + Sync,
    merge: impl Fn(&mut [S], &[S]) + Sync + Send,
) -> Result<Vec<S>> {
    let lay = layout(v, red)?;
    let m: usize = lay.kept_shape.iter().product();
    let l: usize = v.len() / m.max(1);
    let data = &lay.data[..];
    let st = if v.is_empty() {
        lanes(data, m, 0, &lane)?
    } else {
        match lay.groups[..] {
            [] | [(_, false)] => lanes(data, m, 1, &lane)?,
            [(_, true)] | [(_, false), (_, true)] => lanes(data, m, l, &lane)?,
            [(n, true), (k2, false)] => columns(data, (1, n, k2), init, add, merge)?,
            [(k1, false), (n, true), (k2, false)] => columns(data, (k1, n, k2), init, add, merge)?,
            _ => {
                // kept axes first (memory order), then the reduced ones: one copy
                let nd = v.ndim();
                let mut perm: Vec<usize> = (0..nd).filter(|&i| !red[i]).collect();
                perm.extend((0..nd).filter(|&i| red[i]));
                let c = super::kernel::to_vec(&v.clone().permuted_axes(IxDyn(&perm)))?;
                return lanes(&c, m, l, &lane);
            }
        }
    };
    if lay.kept_perm.iter().enumerate().all(|(i, &p)| i == p) {
        return Ok(st);
    }
    let ov = ArrayViewD::from_shape(IxDyn(&lay.kept_shape), &st[..])
        .map_err(|e| err!("internal: {e}"))?;
    super::kernel::to_vec(&ov.permuted_axes(IxDyn(&lay.kept_perm)))
}

fn reduce_axes_typed<T: Real>(a: &Array, r: Red, red: &[bool]) -> Result<Array> {
    let d = a.dtype().clone();
    let v = a.view::<T>()?;
    let oshape: Vec<usize> = (0..v.ndim())
        .filter(|&i| !red[i])
        .map(|i| v.shape()[i])
        .collect();
    let n: usize = (0..v.ndim())
        .filter(|&i| red[i])
        .map(|i| v.shape()[i])
        .product();
    let float_out = if d.is_float() { d.clone() } else { DType::F64 };
    let to_float = |vals: Vec<f64>| -> Result<Array> {
        crate::with_real_type!(&float_out, F => {
            let m = vals.len();
            let out = super::kernel::map1("reduce", &[m], &super::kernel::Src::Full(&vals), F::from_f64)?;
            wrap(out, float_out.clone(), oshape.clone())
        }, else unreachable!())
    };
    let empty_axis = || -> Result<Array> {
        bail!(
            "{}: the reduced axes of shape {:?} are empty; the reduction has no value",
            r.name(),
            a.shape()
        )
    };
    let sum_f = |v: &ArrayViewD<'_, T>| {
        reduce_states(
            v,
            red,
            |s, _| sum_f64(s),
            0f64,
            |st, row, _, _| {
                for (s, &x) in st.iter_mut().zip(row) {
                    *s += x.to_f64();
                }
            },
            |a, b| a.iter_mut().zip(b).for_each(|(a, b)| *a += b),
        )
    };
    match r {
        Red::Sum if T::FLOAT => to_float(sum_f(&v)?),
        Red::Sum => {
            let st = reduce_states(
                &v,
                red,
                |s, _| sum_i64(s),
                0i64,
                |st, row, _, _| {
                    for (s, &x) in st.iter_mut().zip(row) {
                        *s = s.wrapping_add(x.to_i64());
                    }
                },
                |a, b| {
                    a.iter_mut()
                        .zip(b)
                        .for_each(|(a, b)| *a = a.wrapping_add(*b))
                },
            )?;
            if d.is_int() && !d.is_signed_int() {
                let u: Vec<u64> = bytemuck::allocation::cast_vec(st);
                wrap(u, DType::U64, oshape)
            } else {
                wrap(st, DType::I64, oshape)
            }
        }
        Red::Mean | Red::Std => {
            let nf = n as f64;
            let mut means = sum_f(&v)?;
            means.iter_mut().for_each(|s| *s /= nf);
            if r == Red::Mean {
                return to_float(means);
            }
            // second pass: squared deviations from each output's mean; the states come
            // back in the caller's order, so the kernels index the means in memory order
            let lay_means = memory_order_means(&v, red, &means)?;
            let mm = &lay_means[..];
            let ss = reduce_states(
                &v,
                red,
                |s, i| {
                    let mu = mm[i];
                    let mut acc = [0f64; LANES];
                    let mut it = s.chunks_exact(LANES);
                    for c in &mut it {
                        for k in 0..LANES {
                            let dx = c[k].to_f64() - mu;
                            acc[k] += dx * dx;
                        }
                    }
                    let t: f64 = it
                        .remainder()
                        .iter()
                        .map(|x| (x.to_f64() - mu).powi(2))
                        .sum();
                    t + acc.iter().sum::<f64>()
                },
                0f64,
                |st, row, _, b| {
                    let mu = &mm[b * row.len()..(b + 1) * row.len()];
                    for ((s, &x), &m) in st.iter_mut().zip(row).zip(mu) {
                        let dx = x.to_f64() - m;
                        *s += dx * dx;
                    }
                },
                |a, b| a.iter_mut().zip(b).for_each(|(a, b)| *a += b),
            )?;
            to_float(ss.into_iter().map(|s| (s / nf).sqrt()).collect())
        }
        Red::Min | Red::Max => {
            if n == 0 && !oshape.contains(&0) {
                return empty_axis();
            }
            let max = r == Red::Max;
            // NaN propagates: once a state is NaN no comparison replaces it
            let better =
                move |x: T, s: T| (if max { x > s } else { x < s }) || (T::FLOAT && x.is_nan());
            let st = reduce_states(
                &v,
                red,
                |s, _| {
                    let (b, nan) = if max {
                        extreme::<T, true>(s)
                    } else {
                        extreme::<T, false>(s)
                    };
                    if nan {
                        T::from_f64(f64::NAN)
                    } else {
                        b
                    }
                },
                if max { T::lo() } else { T::hi() },
                |st, row, _, _| {
                    for (s, &x) in st.iter_mut().zip(row) {
                        if better(x, *s) {
                            *s = x;
                        }
                    }
                },
                |a, b| {
                    for (s, &x) in a.iter_mut().zip(b) {
                        if better(x, *s) {
                            *s = x;
                        }
                    }
                },
            )?;
            wrap(st, d, oshape)
        }
        Red::Count | Red::Any | Red::All => {
            let z = T::default();
            let st = reduce_states(
                &v,
                red,
                |s, _| count_nz(s),
                0u64,
                |st, row, _, _| {
                    for (s, &x) in st.iter_mut().zip(row) {
                        *s += (x != z) as u64;
                    }
                },
                |a, b| a.iter_mut().zip(b).for_each(|(a, b)| *a += b),
            )?;
            match r {
                Red::Count => wrap(
                    bytemuck::allocation::cast_vec::<u64, i64>(st),
                    DType::I64,
                    oshape,
                ),
                _ => {
                    let any = r == Red::Any;
                    let b: Vec<u8> = st
                        .into_iter()
                        .map(|c| if any { c > 0 } else { c as usize == n } as u8)
                        .collect();
                    wrap(b, DType::Bool, oshape)
                }
            }
        }
        Red::ArgMin | Red::ArgMax => {
            if n == 0 && !oshape.contains(&0) {
                return empty_axis();
            }
            let max = r == Red::ArgMax;
            // the first NaN wins; otherwise the first extreme value
            let take = move |x: T, s: T| {
                (if max { x > s } else { x < s }) || (T::FLOAT && x.is_nan() && !s.is_nan())
            };
            let st = reduce_states(
                &v,
                red,
                |s, _| {
                    let b = if max {
                        arg_extreme::<T, true>(s, 0)
                    } else {
                        arg_extreme::<T, false>(s, 0)
                    };
                    let i = b.map(|b| b.0 as i64).unwrap_or(0);
                    (T::default(), i)
                },
                (if max { T::lo() } else { T::hi() }, 0i64),
                |st, row, j, _| {
                    for (s, &x) in st.iter_mut().zip(row) {
                        if take(x, s.0) {
                            *s = (x, j as i64);
                        }
                    }
                },
                |a, b| {
                    for (s, &y) in a.iter_mut().zip(b) {
                        if take(y.0, s.0) {
                            *s = y;
                        }
                    }
                },
            )?;
            wrap(
                st.into_iter().map(|s| s.1).collect::<Vec<i64>>(),
                DType::I64,
                oshape,
            )
        }
    }
}

/// The per-output means (C order of the caller's kept axes) re-ordered into the memory
/// order the kernels of [`reduce_states`] see.
fn memory_order_means<T: Copy + Send + Sync>(
    v: &ArrayViewD<'_, T>,
    red: &[bool],
    means: &[f64],
) -> Result<Vec<f64>> {
    let lay = layout(v, red)?;
    let m = means.len();
    let fallback = !matches!(
        lay.groups[..],
        [] | [(_, false)]
            | [(_, true)]
            | [(_, false), (_, true)]
            | [(_, true), (_, false)]
            | [(_, false), (_, true), (_, false)]
    );
    if fallback || lay.kept_perm.iter().enumerate().all(|(i, &p)| i == p) {
        return Ok(means.to_vec());
    }
    // caller's order → memory order: the inverse of `kept_perm`
    let mut caller_shape = vec![0; lay.kept_shape.len()];
    for (i, &p) in lay.kept_perm.iter().enumerate() {
        caller_shape[i] = lay.kept_shape[p];
    }
    let mut inv = vec![0; lay.kept_perm.len()];
    for (i, &p) in lay.kept_perm.iter().enumerate() {
        inv[p] = i;
    }
    let cv =
        ArrayViewD::from_shape(IxDyn(&caller_shape), means).map_err(|e| err!("internal: {e}"))?;
    let out = super::kernel::to_vec(&cv.permuted_axes(IxDyn(&inv)))?;
    debug_assert_eq!(out.len(), m);
    Ok(out)
}

/// Resolve reduction axes (negative count from the end), refusing repeats.
fn reduced_axes(a: &Array, r: Red, axes: &[i64]) -> Result<Vec<bool>> {
    let mut red = vec![false; a.ndim()];
    for &ax in axes {
        let k = a.axis(ax).map_err(|e| err!("{}: {e}", r.name()))?;
        if red[k] {
            bail!("{}: axis {ax} is repeated in {axes:?}", r.name());
        }
        red[k] = true;
    }
    Ok(red)
}

/// Reduce along `axis` (negative counts from the end), giving an array of the other axes.
pub fn reduce_axis(a: &Array, r: Red, axis: i64) -> Result<Array> {
    reduce_axes(a, r, &[axis])
}

/// Reduce over several axes at once (NumPy's `x.sum(axis=(0, 2))`), giving an array of
/// the other axes; the dtype rules are those of [`reduce_axis`]. An empty list reduces
/// nothing (each output is its one element, in the reduction's result dtype).
/// `argmin`/`argmax` take exactly one axis, as in NumPy.
pub fn reduce_axes(a: &Array, r: Red, axes: &[i64]) -> Result<Array> {
    let _s = crate::prof::span(r.name());
    crate::exec::page_in(a);
    check_numeric(a, r)?;
    if matches!(r, Red::ArgMin | Red::ArgMax) && axes.len() != 1 {
        bail!(
            "{}: takes one axis, found {} ({axes:?})",
            r.name(),
            axes.len()
        );
    }
    let red = reduced_axes(a, r, axes)?;
    crate::with_real_type!(a.dtype(), T => reduce_axes_typed::<T>(a, r, &red), else unreachable!())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(a: &Array, r: Red) -> Scalar {
        reduce_all(a, r).unwrap()
    }

    #[test]
    fn whole_array() {
        let a = Array::from_vec((1..=100).map(|i| i as f32).collect(), vec![10, 10]).unwrap();
        assert_eq!(f(&a, Red::Sum), Scalar::Float(5050.0));
        assert_eq!(f(&a, Red::Min), Scalar::Float(1.0));
        assert_eq!(f(&a, Red::Max), Scalar::Float(100.0));
        assert_eq!(f(&a, Red::Mean), Scalar::Float(50.5));
        let Scalar::Float(s) = f(&a, Red::Std) else {
            panic!()
        };
        // a float32 result: the f64 value rounded to float32 (NumPy's result type)
        assert_eq!(s, Scalar::short_f32(28.86607004772212));
        assert_eq!(s.to_string(), "28.86607");
        assert_eq!(f(&a, Red::ArgMax), Scalar::Int(99));
        assert_eq!(f(&a, Red::ArgMin), Scalar::Int(0));
        // strided (transposed) input gives the same answers, argmax in C order of the view
        let t = a.transpose();
        assert_eq!(f(&t, Red::Sum), Scalar::Float(5050.0));
        assert_eq!(f(&t, Red::ArgMax), Scalar::Int(99));
        assert_eq!(f(&t, Red::ArgMin), Scalar::Int(0));
        let i = Array::from_vec(vec![-3i8, 0, 5, 0, 100, 100], vec![6]).unwrap();
        assert_eq!(f(&i, Red::Sum), Scalar::Int(202));
        assert_eq!(f(&i, Red::Count), Scalar::Int(4));
        assert_eq!(f(&i, Red::Any), Scalar::Bool(true));
        assert_eq!(f(&i, Red::All), Scalar::Bool(false));
        assert_eq!(f(&i, Red::ArgMax), Scalar::Int(4));
        let b = Array::from_bools(vec![true, true]);
        assert_eq!(f(&b, Red::Sum), Scalar::Int(2));
        assert_eq!(f(&b, Red::Max), Scalar::Bool(true));
    }

    #[test]
    fn nan_rules() {
        let a = Array::from_vec(vec![1.0f64, f64::NAN, -2.0, f64::NAN], vec![4]).unwrap();
        assert!(matches!(f(&a, Red::Max), Scalar::Float(x) if x.is_nan()));
        assert!(matches!(f(&a, Red::Min), Scalar::Float(x) if x.is_nan()));
        assert_eq!(f(&a, Red::ArgMin), Scalar::Int(1));
        assert_eq!(f(&a, Red::Count), Scalar::Int(4));
        let e = reduce_all(
            &Array::from_vec(Vec::<f32>::new(), vec![0]).unwrap(),
            Red::Max,
        )
        .unwrap_err();
        assert!(e.to_string().contains("empty"));
    }

    #[test]
    fn along_axes() {
        // [[0,1,2],[3,4,5]] as i16
        let a = Array::from_vec((0..6i16).collect(), vec![2, 3]).unwrap();
        let s0 = reduce_axis(&a, Red::Sum, 0).unwrap();
        assert_eq!(*s0.dtype(), DType::I64);
        assert_eq!(s0.as_slice::<i64>().unwrap().to_vec(), vec![3, 5, 7]);
        let s1 = reduce_axis(&a, Red::Sum, -1).unwrap();
        assert_eq!(s1.as_slice::<i64>().unwrap().to_vec(), vec![3, 12]);
        let m = reduce_axis(&a, Red::Mean, 1).unwrap();
        assert_eq!(m.as_slice::<f64>().unwrap().to_vec(), vec![1.0, 4.0]);
        let sd = reduce_axis(&a, Red::Std, 0).unwrap();
        assert_eq!(sd.as_slice::<f64>().unwrap().to_vec(), vec![1.5, 1.5, 1.5]);
        let am = reduce_axis(&a, Red::ArgMax, 0).unwrap();
        assert_eq!(am.as_slice::<i64>().unwrap().to_vec(), vec![1, 1, 1]);
        assert!(reduce_axis(&a, Red::Sum, 2)
            .unwrap_err()
            .to_string()
            .contains("out of range"));
        // many outputs (the other strategy): 1000 rows × 3
        let big =
            Array::from_vec((0..3000).map(|i| (i % 7) as f32).collect(), vec![1000, 3]).unwrap();
        let mx = reduce_axis(&big, Red::Max, 1).unwrap();
        assert_eq!(*mx.dtype(), DType::F32);
        let mv = mx.as_slice::<f32>().unwrap();
        for (r, &x) in mv.iter().enumerate() {
            let want = (0..3)
                .map(|c| ((r * 3 + c) % 7) as f32)
                .fold(f32::MIN, f32::max);
            assert_eq!(x, want);
        }
        let nan = Array::from_vec(vec![1.0f32, f32::NAN, 3.0, 4.0], vec![2, 2]).unwrap();
        let mn = reduce_axis(&nan, Red::Min, 0).unwrap();
        let v = mn.as_slice::<f32>().unwrap();
        assert_eq!(v[0], 1.0);
        assert!(v[1].is_nan());
    }
}
