//! Running and searching functions with NumPy's semantics: `cumsum`/`cumprod` (flattened
//! without an axis, as NumPy), `diff`, `searchsorted`, `digitize`, `bincount` and `interp`.
//!
//! Running functions need each lane in order, so they go through [`super::lanes`];
//! searches map each query value independently, so they go through the elementwise driver
//! [`super::kernel`] with the sorted array shared read-only by every chunk.

use super::kernel::{self, Src};
use super::lanes::{check_real, lanes, map_lanes, unlane};
use super::ops::{self, BinOp, CmpOp, Operand, Real};
use super::reduce::{self, Red, Scalar};
use crate::array::{Array, DType};
use crate::error::Result;
use crate::{bail, err};

/// The accumulator dtype of `cumsum`/`cumprod`/`sum`: int64 for signed ints and bool,
/// uint64 for unsigned, the float's own dtype.
fn acc_dtype(d: &DType) -> DType {
    if d.is_float() {
        d.clone()
    } else if d.is_int() && !d.is_signed_int() {
        DType::U64
    } else {
        DType::I64
    }
}

/// Running sum (`prod = false`) or product along `axis`, or over the flattened array.
/// Floats accumulate in their own dtype, element by element, as NumPy does.
pub fn cumulative(a: &Array, axis: Option<i64>, prod: bool) -> Result<Array> {
    let func = if prod { "cumprod" } else { "cumsum" };
    let _s = crate::prof::span(func);
    check_real(a, func)?;
    let acc = acc_dtype(a.dtype());
    crate::with_real_type!(&acc, T => {
        let l = lanes::<T>(a, axis, &acc, func)?;
        let k = l.len;
        let v = map_lanes(&l, k, func, |lane, out| {
            let mut s = if prod { T::from_i64(1) } else { T::default() };
            out.extend(lane.iter().map(|&x| {
                s = if prod { s.mul(x) } else { s.add(x) };
                s
            }));
        })?;
        unlane(&l, v, k, true, acc.clone())
    }, else bail!("{func}: unsupported dtype {}", acc.name()))
}

/// The `n`-th discrete difference along `axis` (default: the last), NumPy's `diff`: the
/// result's axis is `n` shorter; integers wrap in their dtype; bool gives `x[i+1] != x[i]`.
pub fn diff(a: &Array, n: i64, axis: i64) -> Result<Array> {
    let _s = crate::prof::span("diff");
    check_real(a, "diff")?;
    if a.ndim() == 0 {
        bail!("diff: needs an array of at least one dimension, found a 0-d array");
    }
    if n < 0 {
        bail!("diff: n must be >= 0, found {n}");
    }
    if n == 0 {
        return Ok(a.clone());
    }
    // Each order is `x[1:] - x[:-1]` along the axis (`!=` for bool, as NumPy): two views
    // and one pass of the parallel elementwise kernel, no copy of the input.
    let ax = a.axis(axis).map_err(|e| err!("diff: {e}"))?;
    let is_bool = *a.dtype() == DType::Bool;
    let mut cur = a.clone();
    for _ in 0..n {
        let len = cur.shape()[ax];
        if len == 0 {
            break;
        }
        let hi = Operand::Arr(cur.slice_axis(ax, Some(1), None, 1)?);
        let lo = Operand::Arr(cur.slice_axis(ax, Some(0), Some(len as i64 - 1), 1)?);
        cur = if is_bool {
            ops::compare(CmpOp::Ne, &hi, &lo)?
        } else {
            ops::binary(BinOp::Sub, &hi, &lo)?
        };
    }
    Ok(cur)
}

/// `x < y` in NumPy's sort order (NaN after everything).
#[inline]
fn lt<T: Real>(x: T, y: T) -> bool {
    x < y || (y.is_nan() && !x.is_nan())
}

/// Indices where `v`'s elements would be inserted into the sorted 1-D `a` to keep it
/// sorted (NumPy's `searchsorted`): the first such place (`right = false`) or the last.
/// int64, the shape of `v`.
pub fn searchsorted(a: &Array, v: &Operand, right: bool) -> Result<Array> {
    search("searchsorted", a, v, right, false)
}

fn search(func: &'static str, a: &Array, v: &Operand, right: bool, reverse: bool) -> Result<Array> {
    let _s = crate::prof::span(func);
    check_real(a, func)?;
    if a.ndim() != 1 {
        bail!(
            "{func}: the sorted array must be 1-D, found shape {}",
            ops::fmt_shape(a.shape())
        );
    }
    if let Some(d) = v.dtype() {
        if !d.is_numeric() || d.is_complex() {
            bail!("{func}: values of dtype {} are not supported", d.name());
        }
    }
    let dt =
        ops::result_type(&Operand::Arr(a.clone()), v, false).map_err(|e| err!("{func}: {e}"))?;
    let shape = v.shape().to_vec();
    let pv = ops::prep(v, &dt)?;
    crate::with_real_type!(&dt, T => {
        let mut sorted = ops::as_dtype(a, &dt)?.as_slice::<T>()?.into_owned();
        if reverse {
            sorted.reverse();
        }
        let n = sorted.len() as i64;
        let s = &sorted[..];
        let src = ops::input::<T>(&pv, v, &shape)?;
        let out = kernel::map1(func, &shape, &src, |x: T| {
            let i = if right {
                s.partition_point(|&e| !lt(x, e))
            } else {
                s.partition_point(|&e| lt(e, x))
            } as i64;
            if reverse { n - i } else { i }
        })?;
        ops::wrap(out, DType::I64, shape)
    }, else bail!("{func}: unsupported dtype {}", dt.name()))
}

/// The index of the bin each value of `x` falls in (NumPy's `digitize`): `bins` is 1-D and
/// monotonically increasing or decreasing; `right` puts the right edge in the bin.
pub fn digitize(x: &Operand, bins: &Array, right: bool) -> Result<Array> {
    let _s = crate::prof::span("digitize");
    check_real(bins, "digitize")?;
    if bins.ndim() != 1 {
        bail!(
            "digitize: bins must be 1-D, found shape {}",
            ops::fmt_shape(bins.shape())
        );
    }
    let b = ops::astype(bins, &DType::F64)?;
    let bv = b.as_slice::<f64>()?;
    let inc = bv.windows(2).all(|w| w[0] <= w[1]);
    let dec = bv.windows(2).all(|w| w[0] >= w[1]);
    if !inc && !dec {
        bail!("digitize: bins must be monotonically increasing or decreasing");
    }
    // NumPy: searchsorted(bins, x, side="right" unless right), or for decreasing bins
    // len(bins) - searchsorted(bins[::-1], x, side)
    let side_right = !right;
    if inc {
        search("digitize", bins, x, side_right, false)
    } else {
        search("digitize", bins, x, side_right, true)
    }
}

/// Counts of each non-negative integer in the 1-D `x` (NumPy's `bincount`): int64, or the
/// sums of `weights` (float64) when given; at least `minlength` bins.
pub fn bincount(x: &Array, weights: Option<&Array>, minlength: i64) -> Result<Array> {
    let _s = crate::prof::span("bincount");
    let d = x.dtype();
    if !(d.is_int() || *d == DType::Bool) {
        bail!("bincount: x must hold integers, found dtype {}", d.name());
    }
    if x.ndim() != 1 {
        bail!(
            "bincount: x must be 1-D, found shape {}",
            ops::fmt_shape(x.shape())
        );
    }
    if minlength < 0 {
        bail!("bincount: minlength must be >= 0, found {minlength}");
    }
    let n = x.size();
    let mut len = minlength as usize;
    if n > 0 {
        if let Scalar::Int(m) = reduce::reduce_all(x, Red::Min)? {
            if m < 0 {
                bail!("bincount: x must be non-negative, found {m}");
            }
        }
        let mx = match reduce::reduce_all(x, Red::Max)? {
            Scalar::Int(m) => m as u64,
            Scalar::Bool(b) => b as u64,
            Scalar::Float(f) => f as u64,
            Scalar::Str(_) => 0,
        };
        len = len.max(usize::try_from(mx).unwrap_or(usize::MAX).saturating_add(1));
    }
    let xi = ops::astype(x, &DType::I64)?;
    let xs = xi.as_slice::<i64>()?;
    let w = match weights {
        Some(w) => {
            check_real(w, "bincount weights")?;
            if w.shape() != x.shape() {
                bail!(
                    "bincount: weights of shape {} do not match x of shape {}",
                    ops::fmt_shape(w.shape()),
                    ops::fmt_shape(x.shape())
                );
            }
            Some(ops::astype(w, &DType::F64)?)
        }
        None => None,
    };
    let ch = kernel::chunk_elems(8);
    match &w {
        None => {
            let mut counts = crate::exec::out::alloc::<i64>(len, "bincount")?;
            counts.resize(len, 0);
            for part in xs.chunks(ch) {
                crate::exec::check()?;
                for &i in part {
                    counts[i as usize] += 1;
                }
            }
            Array::from_vec(counts, vec![len])
        }
        Some(w) => {
            let ws = w.as_slice::<f64>()?;
            let mut sums = crate::exec::out::alloc::<f64>(len, "bincount")?;
            sums.resize(len, 0.0);
            for (part, wp) in xs.chunks(ch).zip(ws.chunks(ch)) {
                crate::exec::check()?;
                for (&i, &wv) in part.iter().zip(wp) {
                    sums[i as usize] += wv;
                }
            }
            Array::from_vec(sums, vec![len])
        }
    }
}

/// Piecewise-linear interpolation (NumPy's `interp`): the values at `x` of the function
/// through the points (`xp`, `fp`), `xp` increasing; `left`/`right` (default `fp[0]`,
/// `fp[-1]`) outside. Float64, the shape of `x`; NumPy's formula, so results agree bit for
/// bit.
pub fn interp(
    x: &Operand,
    xp: &Array,
    fp: &Array,
    left: Option<f64>,
    right: Option<f64>,
) -> Result<Array> {
    let _s = crate::prof::span("interp");
    for (a, name) in [(xp, "xp"), (fp, "fp")] {
        check_real(a, "interp")?;
        if a.ndim() != 1 {
            bail!(
                "interp: {name} must be 1-D, found shape {}",
                ops::fmt_shape(a.shape())
            );
        }
    }
    if xp.size() != fp.size() {
        bail!(
            "interp: xp and fp differ in length ({} and {})",
            xp.size(),
            fp.size()
        );
    }
    if xp.size() == 0 {
        bail!("interp: xp and fp are empty");
    }
    let xpv = ops::astype(xp, &DType::F64)?
        .as_slice::<f64>()?
        .into_owned();
    let fpv = ops::astype(fp, &DType::F64)?
        .as_slice::<f64>()?
        .into_owned();
    let n = xpv.len();
    let lval = left.unwrap_or(fpv[0]);
    let rval = right.unwrap_or(fpv[n - 1]);
    let shape = x.shape().to_vec();
    let px = ops::prep(x, &DType::F64)?;
    let src: Src<'_, f64> = ops::input::<f64>(&px, x, &shape)?;
    let (xs, fs) = (&xpv[..], &fpv[..]);
    let out = kernel::map1("interp", &shape, &src, |v: f64| {
        if v.is_nan() {
            return v;
        }
        let c = xs.partition_point(|&p| p <= v);
        if c == 0 {
            return lval;
        }
        if c == n {
            return if v > xs[n - 1] { rval } else { fs[n - 1] };
        }
        let j = c - 1;
        if xs[j] == v {
            return fs[j];
        }
        let slope = (fs[j + 1] - fs[j]) / (xs[j + 1] - xs[j]);
        let mut r = slope * (v - xs[j]) + fs[j];
        if r.is_nan() {
            r = slope * (v - xs[j + 1]) + fs[j + 1];
            if r.is_nan() && fs[j] == fs[j + 1] {
                r = fs[j];
            }
        }
        r
    })?;
    Array::from_vec(out, shape)
}
