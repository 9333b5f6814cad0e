//! NumPy's statistics functions with NumPy's names, axis rules and NaN rules: quantiles
//! (`quantile`, `percentile`, `median` and their `nan` forms, NumPy's default "linear"
//! method, reproduced operation by operation so the answers are NumPy's to the last bit
//! in float64), the NaN-ignoring reductions (`nansum nanmean nanmin nanmax nanstd nanvar`),
//! `var`/`std` with `ddof`, `prod`, `ptp`, weighted `average`, `cov`, `corrcoef`, and
//! `polyfit`/`polyval`.
//!
//! They are here, not in [`super::reduce`], because they need whole lanes (sorted, or
//! visited twice) rather than a streaming accumulator: [`super::lanes`] lays each lane out
//! contiguously once and runs the lanes in parallel chunks. `src/stats/quantile.rs` serves
//! a different purpose (approximate quantiles for histogram ranges over masked data) and
//! is not NumPy's definition, so it is not reused here.

use super::lanes::{self, check_real, lanes, map_lanes, unlane, Lanes};
use super::ops::{self, wrap, BinOp, Operand};
use super::reduce::{self, Red, Scalar};
use crate::array::{Array, DType};
use crate::error::Result;
use crate::exec::Out;
use crate::{bail, err};

/// The dtype a float result of `a` has: float16/32/64 keep theirs, others give float64.
fn float_of(d: &DType) -> DType {
    if d.is_float() {
        d.clone()
    } else {
        DType::F64
    }
}

/// f64 results given the float dtype `d` (a cast when it is narrower).
fn finish(v: Array, d: &DType) -> Result<Array> {
    if v.dtype() == d {
        Ok(v)
    } else {
        ops::astype(&v, d)
    }
}

fn f64_lanes(a: &Array, axis: Option<i64>, func: &str) -> Result<Lanes<f64>> {
    lanes::<f64>(a, axis, &DType::F64, func)
}

// ------------------------------------------------------------------------- quantiles

/// Rounding to the precision NumPy computes in: float32 and float16 inputs do their
/// arithmetic in their own dtype (float16 through float32, rounded each step).
#[derive(Clone, Copy)]
enum Prec {
    F64,
    F32,
    F16,
}

impl Prec {
    fn of(d: &DType) -> Prec {
        match d {
            DType::F32 => Prec::F32,
            DType::F16 => Prec::F16,
            _ => Prec::F64,
        }
    }
    #[inline]
    fn r(self, x: f64) -> f64 {
        match self {
            Prec::F64 => x,
            Prec::F32 => x as f32 as f64,
            Prec::F16 => half::f16::from_f64(x).to_f64(),
        }
    }
}

/// The linear-method quantiles of a sorted lane (NaN last), as NumPy computes them:
/// `b - a` in the input's precision; the rest in float64 for a list of q (`weak` false),
/// or, for one q given as a number (NumPy's "weak" Python float), all in the input's
/// precision.
fn quantiles_sorted(s: &[f64], qs: &[f64], p: Prec, weak: bool, out: &mut Out<'_, f64>) {
    let n = s.len();
    if n == 0 || s[n - 1].is_nan() {
        out.fill(f64::NAN, qs.len());
        return;
    }
    out.extend(qs.iter().map(|&q| {
        let vi = (n - 1) as f64 * q;
        let (prev, next): (i64, i64) = if vi >= (n - 1) as f64 {
            (-1, -1)
        } else if vi < 0.0 {
            (0, 0)
        } else {
            let p = vi.floor() as i64;
            (p, p + 1)
        };
        let at = |i: i64| s[if i < 0 { n - 1 } else { i as usize }];
        let gamma = vi - prev as f64;
        let (a, b) = (at(prev), at(next));
        if !weak {
            let d = p.r(b - a);
            return if gamma >= 0.5 {
                b - d * (1.0 - gamma)
            } else {
                a + d * gamma
            };
        }
        let d = p.r(b - a);
        if gamma >= 0.5 {
            p.r(b - p.r(d * p.r(1.0 - gamma)))
        } else {
            p.r(a + p.r(d * p.r(gamma)))
        }
    }));
}

/// The lane (NaN dropped when `nan`) in `buf`, arranged so that every position that
/// `positions(n)` lists, and the last one, holds the value a full sort would put there
/// (NumPy's `partition` with several kth): a selection, O(n) instead of a sort. A lane
/// with NaN (when they are not dropped) ends with a NaN, which makes its quantiles NaN.
fn select_lane(l: &[f64], nan: bool, buf: &mut Vec<f64>, positions: impl Fn(usize) -> Vec<usize>) {
    buf.clear();
    if nan {
        buf.extend(l.iter().copied().filter(|x| !x.is_nan()));
    } else {
        buf.extend_from_slice(l);
        if let Some(i) = buf.iter().position(|x| x.is_nan()) {
            let n = buf.len();
            buf.swap(i, n - 1);
            return;
        }
    }
    let n = buf.len();
    if n == 0 {
        return;
    }
    let mut ks: Vec<usize> = positions(n).into_iter().filter(|&k| k < n).collect();
    ks.push(n - 1);
    ks.sort_unstable();
    ks.dedup();
    multi_select(buf, &ks);
}

/// Put the k-th smallest value at each position of `ks` (sorted, distinct, in range).
fn multi_select(v: &mut [f64], ks: &[usize]) {
    if ks.is_empty() || v.len() <= 1 {
        return;
    }
    let mid = ks.len() / 2;
    let k = ks[mid];
    v.select_nth_unstable_by(k, |a, b| a.total_cmp(b));
    let (left, right) = v.split_at_mut(k);
    multi_select(left, &ks[..mid]);
    let rest: Vec<usize> = ks[mid + 1..].iter().map(|&j| j - k - 1).collect();
    multi_select(&mut right[1..], &rest);
}

/// The positions [`quantiles_sorted`] reads for `qs` in a lane of `n` values.
fn quantile_positions(n: usize, qs: &[f64]) -> Vec<usize> {
    let mut out = vec![];
    for &q in qs {
        let vi = (n - 1) as f64 * q;
        if vi >= 0.0 && vi < (n - 1) as f64 {
            let p = vi.floor() as usize;
            out.extend([p, p + 1]);
        } else {
            out.push(0);
        }
    }
    out
}

/// Quantiles `q` (each in [0, 1]) of `a`, flattened or along `axis`. `nan`: NaN are
/// ignored (`nanquantile`); otherwise a lane with NaN gives NaN. `scalar_q`: one q given
/// as a number (the q axis is dropped and a float32/16 input keeps its dtype, as NumPy
/// does with a Python float q). Results: the q axis first, then the other axes.
pub fn quantile(
    a: &Array,
    qs: &[f64],
    axis: Option<i64>,
    nan: bool,
    scalar_q: bool,
    func: &'static str,
) -> Result<Array> {
    let _s = crate::prof::span(func);
    for &q in qs {
        if !(0.0..=1.0).contains(&q) {
            bail!("{func}: q must be in [0, 1] (percentile: [0, 100]), found {q}");
        }
    }
    let l = f64_lanes(a, axis, func)?;
    let k = qs.len();
    let prec = Prec::of(a.dtype());
    let v = map_lanes(&l, k, func, |lane, out| {
        let mut buf = Vec::with_capacity(lane.len());
        select_lane(lane, nan, &mut buf, |n| quantile_positions(n, qs));
        quantiles_sorted(&buf, qs, prec, scalar_q, out);
    })?;
    let out_dtype = if scalar_q {
        float_of(a.dtype())
    } else {
        DType::F64
    };
    let mut shape = l.outer.clone();
    if scalar_q {
        return finish(wrap(v, DType::F64, shape)?, &out_dtype);
    }
    shape.push(k);
    let r = wrap(v, DType::F64, shape)?;
    // the q axis (last) goes first, as in NumPy
    let nd = r.ndim();
    let mut perm = vec![nd - 1];
    perm.extend(0..nd - 1);
    r.permute_axes(&perm)
}

/// The median of each lane (the mean of the two middle values for even lengths), NaN
/// when the lane has NaN (`nan`: NaN ignored) or is empty.
pub fn median(a: &Array, axis: Option<i64>, nan: bool) -> Result<Array> {
    let func = if nan { "nanmedian" } else { "median" };
    let _s = crate::prof::span(func);
    let l = f64_lanes(a, axis, func)?;
    let v = map_lanes(&l, 1, func, |lane, out| {
        let mut buf = Vec::with_capacity(lane.len());
        select_lane(lane, nan, &mut buf, |n| {
            vec![n / 2, n.saturating_sub(1) / 2]
        });
        let n = buf.len();
        let m = if n == 0 || buf[n - 1].is_nan() {
            f64::NAN
        } else if n % 2 == 1 {
            buf[n / 2]
        } else {
            (buf[n / 2 - 1] + buf[n / 2]) / 2.0
        };
        out.fill(m, 1);
    })?;
    finish(unlane(&l, v, 1, false, DType::F64)?, &float_of(a.dtype()))
}

// ------------------------------------------------------------------------- NaN reductions

/// NaN-ignoring reductions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NanRed {
    Sum,
    Mean,
    Min,
    Max,
    Var,
    Std,
}

impl NanRed {
    pub fn name(self) -> &'static str {
        match self {
            NanRed::Sum => "nansum",
            NanRed::Mean => "nanmean",
            NanRed::Min => "nanmin",
            NanRed::Max => "nanmax",
            NanRed::Var => "nanvar",
            NanRed::Std => "nanstd",
        }
    }
}

/// Sum of squared deviations from the mean, two passes (as NumPy's `var`).
fn sq_dev(l: &[f64], skip_nan: bool) -> (f64, usize) {
    let (mut s, mut n) = (0.0, 0usize);
    for &x in l {
        if !(skip_nan && x.is_nan()) {
            s += x;
            n += 1;
        }
    }
    let mu = s / n as f64;
    let mut ss = 0.0;
    for &x in l {
        if !(skip_nan && x.is_nan()) {
            ss += (x - mu) * (x - mu);
        }
    }
    (ss, n)
}

/// NumPy's `ss / max(n - ddof, 0)` (0/0 is NaN, x/0 is inf).
fn var_of(ss: f64, n: usize, ddof: f64) -> f64 {
    ss / (n as f64 - ddof).max(0.0)
}

/// Variance or standard deviation with `ddof` (NumPy's `var`/`std`; `nan`: `nanvar`,
/// `nanstd`). Float inputs keep their dtype, others give float64.
pub fn var(a: &Array, axis: Option<&[i64]>, ddof: f64, std: bool, nan: bool) -> Result<Array> {
    let func = match (std, nan) {
        (false, false) => "variance",
        (true, false) => "std",
        (false, true) => "nanvar",
        (true, true) => "nanstd",
    };
    let _s = crate::prof::span(func);
    if !ddof.is_finite() || ddof < 0.0 {
        bail!("{func}: ddof must be a number >= 0, found {ddof}");
    }
    let (l, multi) = multi_lanes(a, axis, func)?;
    let v = map_lanes(&l, 1, func, |lane, out| {
        let (ss, n) = sq_dev(lane, nan);
        let v = var_of(ss, n, ddof);
        out.fill(if std { v.sqrt() } else { v }, 1);
    })?;
    let r = unlane(&l, v, 1, false, DType::F64)?;
    finish(reshape_multi(r, multi)?, &float_of(a.dtype()))
}

/// Lanes over one axis, all axes (`None`), or several axes (moved last and merged: the
/// result is reshaped back by [`reshape_multi`]).
fn multi_lanes(
    a: &Array,
    axis: Option<&[i64]>,
    func: &str,
) -> Result<(Lanes<f64>, Option<Vec<usize>>)> {
    match axis {
        None => Ok((f64_lanes(a, None, func)?, None)),
        Some([k]) => Ok((f64_lanes(a, Some(*k), func)?, None)),
        Some(axes) => {
            let nd = a.ndim();
            let mut red = vec![false; nd];
            for &k in axes {
                let r = lanes::resolve_axis(a, k, func)?;
                if std::mem::replace(&mut red[r], true) {
                    bail!("{func}: axis {k} is repeated in {axes:?}");
                }
            }
            let mut perm: Vec<usize> = (0..nd).filter(|&i| !red[i]).collect();
            let kept: Vec<usize> = perm.iter().map(|&i| a.shape()[i]).collect();
            perm.extend((0..nd).filter(|&i| red[i]));
            let p = a.permute_axes(&perm)?;
            let inner: usize = (0..nd).filter(|&i| red[i]).map(|i| a.shape()[i]).product();
            let mut shape = kept.clone();
            shape.push(inner);
            let merged = p.reshape(shape)?;
            let l = f64_lanes(&merged, Some(-1), func)?;
            Ok((l, Some(kept)))
        }
    }
}

fn reshape_multi(r: Array, kept: Option<Vec<usize>>) -> Result<Array> {
    match kept {
        Some(k) => r.reshape(k),
        None => Ok(r),
    }
}

/// A NaN-ignoring reduction, flattened or along axes. Integer inputs have no NaN: they
/// give what the plain reduction gives.
pub fn nan_reduce(a: &Array, r: NanRed, axis: Option<&[i64]>) -> Result<Array> {
    let func = r.name();
    let _s = crate::prof::span(func);
    check_real(a, func)?;
    if matches!(r, NanRed::Var | NanRed::Std) {
        return var(a, axis, 0.0, r == NanRed::Std, true);
    }
    if !a.dtype().is_float() {
        let red = match r {
            NanRed::Sum => Red::Sum,
            NanRed::Mean => Red::Mean,
            NanRed::Min => Red::Min,
            _ => Red::Max,
        };
        let r = match axis {
            None => reduce::reduce_all(a, red).map(scalar_array),
            Some(ax) => reduce::reduce_axes(a, red, ax),
        }
        .map_err(|e| err!("{func}: {}", strip_prefix(&e.to_string())))?;
        // a whole-array result comes back as an int64/float64 scalar: NumPy's dtype
        let want = match red {
            Red::Sum if a.dtype().is_int() && !a.dtype().is_signed_int() => DType::U64,
            Red::Sum => DType::I64,
            Red::Mean => DType::F64,
            _ => a.dtype().clone(),
        };
        return finish(r, &want);
    }
    let (l, multi) = multi_lanes(a, axis, func)?;
    let v = map_lanes(&l, 1, func, |lane, out| {
        let mut n = 0usize;
        let v = match r {
            NanRed::Sum | NanRed::Mean => {
                let mut s = 0.0;
                for &x in lane {
                    if !x.is_nan() {
                        s += x;
                        n += 1;
                    }
                }
                if r == NanRed::Sum {
                    s
                } else {
                    s / n as f64
                }
            }
            _ => {
                let max = r == NanRed::Max;
                let mut m = f64::NAN;
                for &x in lane {
                    if x.is_nan() {
                        continue;
                    }
                    if m.is_nan() || (max && x > m) || (!max && x < m) {
                        m = x;
                    }
                }
                m
            }
        };
        out.fill(v, 1);
    })?;
    let res = unlane(&l, v, 1, false, DType::F64)?;
    finish(reshape_multi(res, multi)?, a.dtype())
}

fn strip_prefix(s: &str) -> &str {
    for p in ["sum: ", "mean: ", "min: ", "max: ", "prod: "] {
        if let Some(r) = s.strip_prefix(p) {
            return r;
        }
    }
    s
}

/// A 0-d array of a reduction's scalar.
pub fn scalar_array(s: Scalar) -> Array {
    match s {
        Scalar::Int(i) => Array::scalar(i),
        Scalar::Float(f) => Array::scalar(f),
        Scalar::Bool(b) => wrap(vec![b as u8], DType::Bool, vec![]).expect("one element"),
        Scalar::Str(_) => Array::scalar(f64::NAN),
    }
}

// ------------------------------------------------------------------------- prod, ptp

/// Product of the elements, flattened or along axes: integers multiply in int64 (uint64
/// for unsigned, wrapping like NumPy), bool in int64, floats keep their dtype (accumulated
/// in float64).
pub fn prod(a: &Array, axis: Option<&[i64]>) -> Result<Array> {
    let _s = crate::prof::span("prod");
    check_real(a, "prod")?;
    let d = a.dtype();
    if d.is_float() {
        let (l, multi) = multi_lanes(a, axis, "prod")?;
        let p = Prec::of(d);
        let v = map_lanes(&l, 1, "prod", |lane, out| {
            out.fill(lane.iter().fold(1.0, |acc, &x| p.r(acc * x)), 1)
        })?;
        let r = unlane(&l, v, 1, false, DType::F64)?;
        return finish(reshape_multi(r, multi)?, d);
    }
    let acc = if d.is_int() && !d.is_signed_int() {
        DType::U64
    } else {
        DType::I64
    };
    // integers: lanes in the 64-bit accumulator type, wrapping products
    let c = ops::astype(a, &acc)?;
    let (c, kept) = match axis {
        Some(axes) if axes.len() != 1 => {
            let (perm_arr, kept) = merge_axes(&c, axes, "prod")?;
            (perm_arr, Some(kept))
        }
        _ => (c, None),
    };
    let ax = match axis {
        None => None,
        Some([k]) => Some(*k),
        Some(_) => Some(-1),
    };
    let r = if acc == DType::U64 {
        let l = lanes::<u64>(&c, ax, &acc, "prod")?;
        let v = map_lanes(&l, 1, "prod", |lane, out| {
            out.fill(lane.iter().fold(1u64, |p, &x| p.wrapping_mul(x)), 1)
        })?;
        unlane(&l, v, 1, false, acc)?
    } else {
        let l = lanes::<i64>(&c, ax, &acc, "prod")?;
        let v = map_lanes(&l, 1, "prod", |lane, out| {
            out.fill(lane.iter().fold(1i64, |p, &x| p.wrapping_mul(x)), 1)
        })?;
        unlane(&l, v, 1, false, acc)?
    };
    reshape_multi(r, kept)
}

/// `axes` moved last and merged into one (for lanes over several axes); the kept shape.
fn merge_axes(a: &Array, axes: &[i64], func: &str) -> Result<(Array, Vec<usize>)> {
    let nd = a.ndim();
    let mut red = vec![false; nd];
    for &k in axes {
        let r = lanes::resolve_axis(a, k, func)?;
        if std::mem::replace(&mut red[r], true) {
            bail!("{func}: axis {k} is repeated in {axes:?}");
        }
    }
    let mut perm: Vec<usize> = (0..nd).filter(|&i| !red[i]).collect();
    let kept: Vec<usize> = perm.iter().map(|&i| a.shape()[i]).collect();
    perm.extend((0..nd).filter(|&i| red[i]));
    let inner: usize = (0..nd).filter(|&i| red[i]).map(|i| a.shape()[i]).product();
    let mut shape = kept.clone();
    shape.push(inner);
    Ok((a.permute_axes(&perm)?.reshape(shape)?, kept))
}

/// Peak to peak, `max - min` (NumPy's `ptp`; integers wrap in their dtype).
pub fn ptp(a: &Array, axis: Option<&[i64]>) -> Result<Array> {
    let _s = crate::prof::span("ptp");
    check_real(a, "ptp")?;
    if *a.dtype() == DType::Bool {
        bail!("ptp: not supported for bool arrays");
    }
    let (hi, lo) = match axis {
        None => (
            scalar_array(reduce::reduce_all(a, Red::Max)?),
            scalar_array(reduce::reduce_all(a, Red::Min)?),
        ),
        Some(ax) => (
            reduce::reduce_axes(a, Red::Max, ax)?,
            reduce::reduce_axes(a, Red::Min, ax)?,
        ),
    };
    let (hi, lo) = (ops::astype(&hi, a.dtype())?, ops::astype(&lo, a.dtype())?);
    ops::binary(BinOp::Sub, &Operand::Arr(hi), &Operand::Arr(lo)).map_err(|e| err!("ptp: {e}"))
}

/// Weighted mean (NumPy's `average`): `sum(x * w) / sum(w)` along `axis` (or over all).
/// `w` has the shape of `x`, or with an axis it may be 1-D of that axis's length.
pub fn average(x: &Array, w: Option<&Array>, axis: Option<i64>) -> Result<Array> {
    let _s = crate::prof::span("average");
    check_real(x, "average")?;
    let Some(w) = w else {
        return match axis {
            None => Ok(scalar_array(reduce::reduce_all(x, Red::Mean)?)),
            Some(k) => reduce::reduce_axis(x, Red::Mean, k),
        }
        .map_err(|e| err!("average: {}", e.to_string().trim_start_matches("mean: ")));
    };
    check_real(w, "average weights")?;
    let w = if w.shape() != x.shape() {
        let (Some(k), 1) = (axis, w.ndim()) else {
            bail!(
                "average: weights of shape {} do not match x of shape {} (give the same shape, or a 1-D array along `axis`)",
                ops::fmt_shape(w.shape()),
                ops::fmt_shape(x.shape())
            );
        };
        let k = lanes::resolve_axis(x, k, "average")?;
        if w.shape()[0] != x.shape()[k] {
            bail!(
                "average: 1-D weights of length {} do not match axis {k} of length {}",
                w.shape()[0],
                x.shape()[k]
            );
        }
        let mut shape = vec![1; x.ndim()];
        shape[k] = w.shape()[0];
        w.reshape(shape)?
    } else {
        w.clone()
    };
    let (xf, wf) = (Operand::Arr(x.clone()), Operand::Arr(w.clone()));
    let dt = ops::result_type(&xf, &wf, false)?;
    let dt = float_of(&dt);
    let xw = ops::binary(
        BinOp::Mul,
        &Operand::Arr(ops::astype(x, &dt)?),
        &Operand::Arr(ops::astype(&w, &dt)?),
    )?;
    let wb = ops::binary(
        BinOp::Add,
        &Operand::Arr(ops::astype(&w, &dt)?),
        &Operand::Arr(crate::array::create::full(
            x.shape().to_vec(),
            0.0,
            Some(0),
            &dt,
        )?),
    )?;
    let (num, den) = match axis {
        None => (
            scalar_array(reduce::reduce_all(&xw, Red::Sum)?),
            scalar_array(reduce::reduce_all(&wb, Red::Sum)?),
        ),
        Some(k) => (
            reduce::reduce_axis(&xw, Red::Sum, k)?,
            reduce::reduce_axis(&wb, Red::Sum, k)?,
        ),
    };
    if reduce::reduce_all(
        &ops::compare(ops::CmpOp::Eq, &Operand::Arr(den.clone()), &Operand::Int(0))?,
        Red::Any,
    )? == Scalar::Bool(true)
    {
        bail!("average: the weights sum to zero, which cannot be normalized");
    }
    let r = ops::binary(BinOp::Div, &Operand::Arr(num), &Operand::Arr(den))?;
    finish(r, &dt)
}

// ------------------------------------------------------------------------- cov, corrcoef

/// The rows (variables) of a 1-D or 2-D array as f64 vectors; `rowvar = false` takes
/// the columns.
fn variables(x: &Array, rowvar: bool, func: &str) -> Result<Vec<Vec<f64>>> {
    check_real(x, func)?;
    let x = match x.ndim() {
        0 => x.reshape(vec![1, 1])?,
        1 => x.reshape(vec![1, x.size()])?,
        2 => x.clone(),
        n => bail!("{func}: needs a 1-D or 2-D array, found {n} dimensions"),
    };
    // NumPy: a single row is one variable whatever `rowvar` says
    let x = if !rowvar && x.shape()[0] != 1 {
        x.transpose()
    } else {
        x
    };
    let c = ops::astype(&x, &DType::F64)?;
    let v = c.as_slice::<f64>()?;
    let (m, n) = (x.shape()[0], x.shape()[1]);
    Ok((0..m).map(|i| v[i * n..(i + 1) * n].to_vec()).collect())
}

/// The covariance matrix of the variables (rows) of `x` and, when given, of `y` (NumPy's
/// `cov`; `ddof` defaults to 1). A single variable gives a 0-d array.
pub fn cov(x: &Array, y: Option<&Array>, rowvar: bool, ddof: f64) -> Result<Array> {
    let _s = crate::prof::span("cov");
    let mut vars = variables(x, rowvar, "cov")?;
    if let Some(y) = y {
        let yv = variables(y, rowvar, "cov")?;
        if let (Some(a), Some(b)) = (vars.first(), yv.first()) {
            if a.len() != b.len() {
                bail!("cov: x has {} observations, y has {}", a.len(), b.len());
            }
        }
        vars.extend(yv);
    }
    let c = cov_matrix(&vars, ddof)?;
    let m = vars.len();
    if m == 1 {
        return Ok(Array::scalar(c[0]));
    }
    Array::from_vec(c, vec![m, m])
}

fn cov_matrix(vars: &[Vec<f64>], ddof: f64) -> Result<Vec<f64>> {
    let m = vars.len();
    let n = vars.first().map_or(0, |v| v.len());
    let centered: Vec<Vec<f64>> = vars
        .iter()
        .map(|v| {
            let mu = v.iter().sum::<f64>() / n as f64;
            v.iter().map(|x| x - mu).collect()
        })
        .collect();
    let fact = n as f64 - ddof;
    let total = m
        .checked_mul(m)
        .ok_or_else(|| err!("cov: too many variables ({m})"))?;
    crate::exec::par_collect(total, (4096 / n.max(1)).max(1), "cov", |r, out| {
        out.extend(r.map(|k| {
            let (i, j) = (k / m, k % m);
            let s: f64 = centered[i]
                .iter()
                .zip(&centered[j])
                .map(|(a, b)| a * b)
                .sum();
            s / fact
        }));
        Ok(())
    })
}

/// Pearson correlation coefficients (NumPy's `corrcoef`), clipped to [-1, 1].
pub fn corrcoef(x: &Array, y: Option<&Array>, rowvar: bool) -> Result<Array> {
    let _s = crate::prof::span("corrcoef");
    let c = cov(x, y, rowvar, 1.0)?;
    if c.ndim() == 0 {
        let v = c.as_slice::<f64>()?[0];
        // NumPy: c / (sqrt(c) * sqrt(c)) elementwise: 1, or NaN for a zero variance
        let d = v.sqrt();
        return Ok(Array::scalar(v / d / d));
    }
    let m = c.shape()[0];
    let v = c.as_slice::<f64>()?;
    let d: Vec<f64> = (0..m).map(|i| v[i * m + i].sqrt()).collect();
    let mut out = Vec::with_capacity(m * m);
    for i in 0..m {
        for j in 0..m {
            let r = v[i * m + j] / d[i] / d[j];
            out.push(if r.is_nan() { r } else { r.clamp(-1.0, 1.0) });
        }
    }
    Array::from_vec(out, vec![m, m])
}

// ------------------------------------------------------------------------- polynomials

/// Least-squares polynomial fit of degree `deg` (NumPy's `polyfit`): coefficients, highest
/// power first. Householder QR of the column-scaled Vandermonde matrix, in float64.
pub fn polyfit(x: &Array, y: &Array, deg: i64) -> Result<Array> {
    let _s = crate::prof::span("polyfit");
    if deg < 0 {
        bail!("polyfit: deg must be >= 0, found {deg}");
    }
    if x.ndim() != 1 || y.ndim() != 1 {
        bail!(
            "polyfit: x and y must be 1-D, found shapes {} and {}",
            ops::fmt_shape(x.shape()),
            ops::fmt_shape(y.shape())
        );
    }
    if x.size() != y.size() {
        bail!(
            "polyfit: x and y differ in length ({} and {})",
            x.size(),
            y.size()
        );
    }
    let k = deg as usize + 1;
    let n = x.size();
    if n < k {
        bail!(
            "polyfit: {n} points cannot determine a polynomial of degree {deg} (need at least {k})"
        );
    }
    check_real(x, "polyfit")?;
    check_real(y, "polyfit")?;
    let xv = ops::astype(x, &DType::F64)?.as_slice::<f64>()?.to_vec();
    let yv = ops::astype(y, &DType::F64)?.as_slice::<f64>()?.to_vec();
    if xv.iter().chain(&yv).any(|v| !v.is_finite()) {
        bail!("polyfit: x and y must be finite (no NaN or inf)");
    }
    // Vandermonde, column-major: column c is x^(deg - c)
    let mut a = vec![0f64; n * k];
    for (c, col) in a.chunks_mut(n).enumerate() {
        let p = (deg as usize - c) as i32;
        for (dst, &x) in col.iter_mut().zip(&xv) {
            *dst = x.powi(p);
        }
    }
    // scale columns to unit norm (as NumPy does) for conditioning
    let scale: Vec<f64> = (0..k)
        .map(|c| {
            let s = a[c * n..(c + 1) * n]
                .iter()
                .map(|v| v * v)
                .sum::<f64>()
                .sqrt();
            if s == 0.0 {
                1.0
            } else {
                s
            }
        })
        .collect();
    for (col, &sc) in a.chunks_mut(n).zip(&scale) {
        col.iter_mut().for_each(|v| *v /= sc);
    }
    let mut b = yv;
    // Householder QR
    for j in 0..k {
        let col = &a[j * n..(j + 1) * n];
        let norm = col[j..].iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm == 0.0 {
            bail!(
                "polyfit: the fit is rank deficient (too few distinct x values for degree {deg})"
            );
        }
        let alpha = if col[j] > 0.0 { -norm } else { norm };
        let mut v: Vec<f64> = col[j..].to_vec();
        v[0] -= alpha;
        let vn = v.iter().map(|t| t * t).sum::<f64>();
        if vn == 0.0 {
            continue;
        }
        for c in j..k {
            let cc = &mut a[c * n + j..(c + 1) * n];
            let d = cc.iter().zip(&v).map(|(p, q)| p * q).sum::<f64>() * 2.0 / vn;
            cc.iter_mut().zip(&v).for_each(|(p, q)| *p -= d * q);
        }
        let bb = &mut b[j..];
        let d = bb.iter().zip(&v).map(|(p, q)| p * q).sum::<f64>() * 2.0 / vn;
        bb.iter_mut().zip(&v).for_each(|(p, q)| *p -= d * q);
    }
    // back substitution with R (upper k×k)
    let mut c = vec![0f64; k];
    for j in (0..k).rev() {
        let mut s = b[j];
        for t in j + 1..k {
            s -= a[t * n + j] * c[t];
        }
        let r = a[j * n + j];
        if r.abs() < 1e-300 {
            bail!("polyfit: the fit is rank deficient (degree {deg})");
        }
        c[j] = s / r;
    }
    for (cj, &sc) in c.iter_mut().zip(&scale) {
        *cj /= sc;
    }
    Array::from_vec(c, vec![k])
}

/// Evaluate the polynomial `p` (highest power first) at `x`, by Horner's rule as NumPy's
/// `polyval` does (`y = y * x + c`), elementwise over `x`; float64 results.
pub fn polyval(p: &[f64], x: &Array) -> Result<Array> {
    let _s = crate::prof::span("polyval");
    check_real(x, "polyval")?;
    let xf = ops::astype(x, &DType::F64)?;
    let v = xf.view::<f64>()?;
    let shape = v.shape().to_vec();
    let src = super::kernel::Src::of(v, &shape)?;
    let out = super::kernel::map1("polyval", &shape, &src, |x: f64| {
        let mut y = 0.0;
        for &c in p {
            y = y * x + c;
        }
        y
    })?;
    Array::from_vec(out, shape)
}
