//! Reductions (`sum min max mean std count argmin argmax any all`) over a whole array or
//! along one axis, with NumPy's result types and NaN rules: float sums and means are
//! accumulated in f64, integer sums in 64 bits (wrapping like NumPy), min/max propagate
//! NaN, argmin/argmax return the first NaN.
//!
//! Whole-array reductions run over contiguous slices in parallel chunks with several
//! independent accumulators so that the compiler vectorizes them; strided arrays are
//! gathered chunk by chunk into a small buffer first.

use ndarray::{ArrayViewD, ArrayViewMutD, Axis, IxDyn, Slice, Zip};

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
    /// The value of a real element `x` of dtype `d` (bool → Bool, ints → Int, u64 beyond
    /// i64 → Float, floats → Float).
    pub fn of<T: Real>(x: T, d: &DType) -> Scalar {
        if *d == DType::Bool {
            Scalar::Bool(x.to_i64() != 0)
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
            |r| Ok(f(&s[r.clone()], r.start)),
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
            Ok(f(&buf, r.start * row))
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
    let z = T::default();
    let mut acc = [0u64; LANES];
    let mut it = s.chunks_exact(LANES);
    for c in &mut it {
        for i in 0..LANES {
            acc[i] += (c[i] != z) as u64;
        }
    }
    it.remainder().iter().filter(|&&x| x != z).count() as u64 + acc.iter().sum::<u64>()
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
    crate::with_real_type!(a.dtype(), T => reduce_all_typed::<T>(a, r), else unreachable!())
}

// ------------------------------------------------------------------------- along an axis

/// Reduce along `axis` with per-output states: `push(state, x, j)` adds element j of a
/// lane, `merge(a, b)` appends the later lane part `b` to `a`. Returns the states in C
/// order of the output shape (the input shape without `axis`).
fn axis_states<T: Real, S: Clone + Send + Sync>(
    v: &ArrayViewD<'_, T>,
    k: usize,
    init: S,
    push: impl Fn(&mut S, T, usize) + Sync,
    merge: impl Fn(&mut S, &S) + Sync + Send,
) -> Result<Vec<S>> {
    let mut oshape = v.shape().to_vec();
    let n = oshape.remove(k);
    let m: usize = oshape.iter().product();
    let ch = chunk_elems(8);
    let shape_err = |e: ndarray::ShapeError| err!("internal: {e}");
    if m < 4 * crate::exec::threads().max(1) || m * 4 < n {
        // few outputs: split the reduced axis, one state vector per chunk
        let per = (ch / m.max(1)).max(1);
        let merge = &merge;
        let states = crate::exec::par_reduce(
            n,
            per,
            |r| {
                let mut st = vec![init.clone(); m];
                {
                    let mut sv = ArrayViewMutD::from_shape(IxDyn(&oshape), &mut st[..])
                        .map_err(shape_err)?;
                    for j in r {
                        Zip::from(&mut sv)
                            .and(&v.index_axis(Axis(k), j))
                            .for_each(|s, &x| push(s, x, j));
                    }
                }
                Ok(Some(st))
            },
            || None,
            |a: Option<Vec<S>>, b: Option<Vec<S>>| match (a, b) {
                (None, x) | (x, None) => x,
                (Some(mut x), Some(y)) => {
                    for (s, t) in x.iter_mut().zip(&y) {
                        merge(s, t);
                    }
                    Some(x)
                }
            },
        )?;
        return Ok(states.unwrap_or_else(|| vec![init; m]));
    }
    // many outputs: split the first output axis; each chunk runs down the whole lane
    let p = if k == 0 { 1 } else { 0 };
    let rows = v.shape()[p];
    let row = m / rows.max(1);
    let per = (ch / (row * n).max(1)).max(1);
    let parts = crate::exec::par_chunks(rows, per, |r| {
        let sub = v.slice_axis(Axis(p), Slice::from(r.clone()));
        let mut sh = oshape.clone();
        sh[0] = r.len();
        let mut st = vec![init.clone(); r.len() * row];
        {
            let mut sv = ArrayViewMutD::from_shape(IxDyn(&sh), &mut st[..]).map_err(shape_err)?;
            for j in 0..n {
                Zip::from(&mut sv)
                    .and(&sub.index_axis(Axis(k), j))
                    .for_each(|s, &x| push(s, x, j));
            }
        }
        Ok(st)
    })?;
    Ok(parts.into_iter().flatten().collect())
}

/// Welford state for std along an axis.
#[derive(Clone, Copy)]
struct Welford {
    n: f64,
    mean: f64,
    m2: f64,
}

fn reduce_axis_typed<T: Real>(a: &Array, r: Red, k: usize) -> Result<Array> {
    let d = a.dtype().clone();
    let v = a.view::<T>()?;
    let mut oshape = v.shape().to_vec();
    let n = oshape.remove(k);
    let float_out = if d.is_float() { d.clone() } else { DType::F64 };
    let to_float = |vals: Vec<f64>| -> Result<Array> {
        crate::with_real_type!(&float_out, F => {
            wrap(vals.into_iter().map(F::from_f64).collect::<Vec<F>>(), float_out.clone(), oshape.clone())
        }, else unreachable!())
    };
    match r {
        Red::Sum if T::FLOAT => to_float(axis_states(
            &v,
            k,
            0f64,
            |s, x, _| *s += x.to_f64(),
            |a, b| *a += b,
        )?),
        Red::Sum => {
            let st = axis_states(
                &v,
                k,
                0i64,
                |s, x, _| *s = s.wrapping_add(x.to_i64()),
                |a, b| *a = a.wrapping_add(*b),
            )?;
            if d.is_int() && !d.is_signed_int() {
                wrap(
                    st.into_iter().map(|x| x as u64).collect::<Vec<u64>>(),
                    DType::U64,
                    oshape,
                )
            } else {
                wrap(st, DType::I64, oshape)
            }
        }
        Red::Mean => {
            let st = axis_states(&v, k, 0f64, |s, x, _| *s += x.to_f64(), |a, b| *a += b)?;
            to_float(st.into_iter().map(|s| s / n as f64).collect())
        }
        Red::Std => {
            let init = Welford {
                n: 0.0,
                mean: 0.0,
                m2: 0.0,
            };
            let st = axis_states(
                &v,
                k,
                init,
                |s, x, _| {
                    let x = x.to_f64();
                    s.n += 1.0;
                    let dx = x - s.mean;
                    s.mean += dx / s.n;
                    s.m2 += dx * (x - s.mean);
                },
                |a, b| {
                    if b.n == 0.0 {
                        return;
                    }
                    let n = a.n + b.n;
                    let dm = b.mean - a.mean;
                    a.m2 += b.m2 + dm * dm * a.n * b.n / n;
                    a.mean += dm * b.n / n;
                    a.n = n;
                },
            )?;
            to_float(st.into_iter().map(|s| (s.m2 / s.n).sqrt()).collect())
        }
        Red::Min | Red::Max => {
            if n == 0 {
                bail!(
                    "{}: axis {k} of shape {:?} is empty; the reduction has no value",
                    r.name(),
                    a.shape()
                );
            }
            let max = r == Red::Max;
            let init = (if max { T::lo() } else { T::hi() }, false);
            let st = axis_states(
                &v,
                k,
                init,
                |s, x, _| {
                    if x.is_nan() {
                        s.1 = true;
                    } else if if max { x > s.0 } else { x < s.0 } {
                        s.0 = x;
                    }
                },
                |a, b| {
                    a.1 |= b.1;
                    if if max { b.0 > a.0 } else { b.0 < a.0 } {
                        a.0 = b.0;
                    }
                },
            )?;
            let nan = T::from_f64(f64::NAN);
            wrap(
                st.into_iter()
                    .map(|(x, is_nan)| if is_nan { nan } else { x })
                    .collect::<Vec<T>>(),
                d,
                oshape,
            )
        }
        Red::Count | Red::Any | Red::All => {
            let z = T::default();
            let st = axis_states(&v, k, 0u64, |s, x, _| *s += (x != z) as u64, |a, b| *a += b)?;
            match r {
                Red::Count => wrap(
                    st.into_iter().map(|c| c as i64).collect::<Vec<i64>>(),
                    DType::I64,
                    oshape,
                ),
                Red::Any => wrap(
                    st.into_iter().map(|c| (c > 0) as u8).collect::<Vec<u8>>(),
                    DType::Bool,
                    oshape,
                ),
                _ => wrap(
                    st.into_iter()
                        .map(|c| (c as usize == n) as u8)
                        .collect::<Vec<u8>>(),
                    DType::Bool,
                    oshape,
                ),
            }
        }
        Red::ArgMin | Red::ArgMax => {
            if n == 0 {
                bail!(
                    "{}: axis {k} of shape {:?} is empty; the reduction has no value",
                    r.name(),
                    a.shape()
                );
            }
            let max = r == Red::ArgMax;
            let st = axis_states(
                &v,
                k,
                None::<(usize, T, bool)>,
                |s, x, j| {
                    let c = Some((j, x, x.is_nan()));
                    *s = if max {
                        pick_arg::<T, true>(*s, c)
                    } else {
                        pick_arg::<T, false>(*s, c)
                    };
                },
                |a, b| {
                    *a = if max {
                        pick_arg::<T, true>(*a, *b)
                    } else {
                        pick_arg::<T, false>(*a, *b)
                    }
                },
            )?;
            wrap(
                st.into_iter()
                    .map(|s| s.map(|b| b.0 as i64).unwrap_or(0))
                    .collect::<Vec<i64>>(),
                DType::I64,
                oshape,
            )
        }
    }
}

/// Reduce along `axis` (negative counts from the end), giving an array of the other axes.
pub fn reduce_axis(a: &Array, r: Red, axis: i64) -> Result<Array> {
    let _s = crate::prof::span(r.name());
    crate::exec::page_in(a);
    check_numeric(a, r)?;
    let k = a.axis(axis).map_err(|e| err!("{}: {e}", r.name()))?;
    crate::with_real_type!(a.dtype(), T => reduce_axis_typed::<T>(a, r, k), else unreachable!())
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
        assert!((s - 28.86607004772212).abs() < 1e-12);
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
