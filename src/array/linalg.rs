//! Small linear algebra and construction helpers with NumPy's names: `matmul`/`dot`
//! (float products through ndarray's `dot`, i.e. matrixmultiply's blocked kernels; integer
//! products in wrapping int64 like NumPy's; N-d operands by NumPy's batch and `dot` rules),
//! `tensordot`, `outer`, vector and matrix `norm` (singular values by Jacobi rotations of
//! the Gram matrix), `eye`, `logspace`, `meshgrid`, and the comparisons
//! `isclose`/`array_equal`.
//!
//! Grouped here because each is a thin layer over kernels that already exist (the
//! elementwise driver, reductions, lanes) plus ndarray's matrix product.

use ndarray::{Array2, Ix2};

use super::kernel;
use super::lanes::{check_real, lanes, map_lanes, unlane};
use super::ops::{self, wrap, BinOp, CmpOp, Operand, Real};
use super::reduce::{self, Red, Scalar};
use crate::array::{Array, DType};
use crate::error::Result;
use crate::{bail, err};

fn as2(a: &Array, row: bool) -> Result<Array> {
    match a.ndim() {
        1 if row => a.reshape(vec![1, a.size()]),
        1 => a.reshape(vec![a.size(), 1]),
        2 => Ok(a.clone()),
        n => bail!("needs 1-D or 2-D arrays, found {n} dimensions"),
    }
}

fn mat<T: Real>(a: &Array, dt: &DType) -> Result<Array2<T>> {
    let c = ops::as_dtype(a, dt)?;
    let v = c.view::<T>()?;
    let v2 = v
        .into_dimensionality::<Ix2>()
        .map_err(|e| err!("internal: {e}"))?;
    Ok(v2.to_owned())
}

/// NumPy's `matmul`/`dot` for 1-D and 2-D arrays: 1-D·1-D is the inner product (0-d),
/// 2-D·2-D the matrix product, and a 1-D side is a row (left) or column (right) vector
/// whose axis is dropped from the result.
/// Above 2-D, `matmul` treats the last two axes as matrices and broadcasts the leading
/// (batch) axes; `dot` sums over the last axis of `a` and the second-to-last of `b`
/// (NumPy's `dot`, i.e. `tensordot(a, b, [[-1], [-2]])`).
pub fn matmul(a: &Array, b: &Array, func: &'static str) -> Result<Array> {
    let _s = crate::prof::span(func);
    check_real(a, func)?;
    check_real(b, func)?;
    if a.ndim() == 0 || b.ndim() == 0 {
        bail!("{func}: needs arrays of at least one dimension (use * for scalars)");
    }
    if a.ndim() > 2 || b.ndim() > 2 {
        if func == "dot" {
            let bax = if b.ndim() == 1 { 0 } else { -2 };
            return tensordot(a, b, &[-1], &[bax]).map_err(|e| err!("dot: {e}"));
        }
        return matmul_batched(a, b, func);
    }
    let (a2, b2) = (
        as2(a, true).map_err(|e| err!("{func}: {e}"))?,
        as2(b, false).map_err(|e| err!("{func}: {e}"))?,
    );
    let (m, k) = (a2.shape()[0], a2.shape()[1]);
    let (k2, n) = (b2.shape()[0], b2.shape()[1]);
    if k != k2 {
        bail!(
            "{func}: shapes {} and {} are not aligned ({k} != {k2})",
            ops::fmt_shape(a.shape()),
            ops::fmt_shape(b.shape())
        );
    }
    crate::array::checked_size(&[m, n])?;
    let dt = ops::promote(a.dtype(), b.dtype()).map_err(|e| err!("{func}: {e}"))?;
    let r = match dt {
        DType::F32 => {
            let c = mat::<f32>(&a2, &dt)?.dot(&mat::<f32>(&b2, &dt)?);
            Array::from_vec(c.iter().copied().collect(), vec![m, n])?
        }
        DType::F16 | DType::F64 => {
            let c = mat::<f64>(&a2, &DType::F64)?.dot(&mat::<f64>(&b2, &DType::F64)?);
            let r = Array::from_vec(c.iter().copied().collect(), vec![m, n])?;
            ops::astype(&r, &dt)?
        }
        _ => {
            // integers (and bool): wrapping int64 products, then NumPy's dtype
            let x = mat::<i64>(&a2, &DType::I64)?;
            let y = mat::<i64>(&b2, &DType::I64)?;
            let mut out = crate::exec::out::alloc::<i64>(m * n, func)?;
            for i in 0..m {
                crate::exec::check()?;
                for j in 0..n {
                    let mut s = 0i64;
                    for t in 0..k {
                        s = s.wrapping_add(x[[i, t]].wrapping_mul(y[[t, j]]));
                    }
                    out.push(s);
                }
            }
            let r = Array::from_vec(out, vec![m, n])?;
            if dt == DType::Bool {
                ops::compare(CmpOp::Ne, &Operand::Arr(r), &Operand::Int(0))?
            } else {
                ops::astype(&r, &dt)?
            }
        }
    };
    let mut shape = vec![];
    if a.ndim() == 2 {
        shape.push(m);
    }
    if b.ndim() == 2 {
        shape.push(n);
    }
    r.reshape(shape)
}

/// `matmul` with batch axes: the leading axes broadcast, each pair of matrices multiplies.
fn matmul_batched(a: &Array, b: &Array, func: &'static str) -> Result<Array> {
    // A 1-D operand is a row (left) or column (right) vector, its axis dropped afterwards.
    let a2 = if a.ndim() == 1 {
        a.insert_axis(0)?
    } else {
        a.clone()
    };
    let b2 = if b.ndim() == 1 {
        b.insert_axis(1)?
    } else {
        b.clone()
    };
    let (na, nb) = (a2.ndim(), b2.ndim());
    let (m, k) = (a2.shape()[na - 2], a2.shape()[na - 1]);
    let (k2, n) = (b2.shape()[nb - 2], b2.shape()[nb - 1]);
    if k != k2 {
        bail!(
            "{func}: shapes {} and {} are not aligned ({k} != {k2}, last axis of a against \
the second-to-last of b)",
            ops::fmt_shape(a.shape()),
            ops::fmt_shape(b.shape())
        );
    }
    let batch = super::promote::broadcast_shapes(&a2.shape()[..na - 2], &b2.shape()[..nb - 2])
        .map_err(|e| err!("{func}: batch axes do not broadcast: {e}"))?;
    let count = crate::array::checked_size(&batch)?;
    crate::array::checked_size(&[count, m, n])?;
    // The matrix of operand `x` (batch axes `xb`) for the flat batch index `i`.
    let pick = |x: &Array, i: usize| -> Result<Array> {
        let xb = x.ndim() - 2;
        let mut idx = vec![0usize; batch.len()];
        let mut rem = i;
        for d in (0..batch.len()).rev() {
            idx[d] = rem % batch[d];
            rem /= batch[d];
        }
        let mut v = x.clone();
        for d in 0..xb {
            let full = idx[batch.len() - xb + d];
            let j = if x.shape()[d] == 1 { 0 } else { full };
            v = v.index_axis(0, j as i64)?;
        }
        Ok(v)
    };
    let mut parts = Vec::with_capacity(count.min(1 << 20));
    for i in 0..count {
        crate::exec::check()?;
        parts.push(matmul(&pick(&a2, i)?, &pick(&b2, i)?, func)?);
    }
    let dt = ops::promote(a.dtype(), b.dtype()).map_err(|e| err!("{func}: {e}"))?;
    let flat = if parts.is_empty() {
        crate::array::create::full(vec![0, m, n], 0.0, Some(0), &dt)?
    } else {
        super::shape::stack(&parts, 0)?
    };
    let mut shape = batch.clone();
    if a.ndim() > 1 {
        shape.push(m);
    }
    if b.ndim() > 1 {
        shape.push(n);
    }
    flat.reshape(shape)
}

/// NumPy's `tensordot`: sums the products over axes `a_axes` of `a` paired with `b_axes` of
/// `b`; the result has the remaining axes of `a` followed by those of `b`.
pub fn tensordot(a: &Array, b: &Array, a_axes: &[i64], b_axes: &[i64]) -> Result<Array> {
    let _s = crate::prof::span("tensordot");
    check_real(a, "tensordot")?;
    check_real(b, "tensordot")?;
    if a_axes.len() != b_axes.len() {
        bail!(
            "tensordot: {} axes of a paired with {} axes of b (the lists must have equal length)",
            a_axes.len(),
            b_axes.len()
        );
    }
    let resolve = |x: &Array, axes: &[i64], which: &str| -> Result<Vec<usize>> {
        let mut out: Vec<usize> = vec![];
        for &ax in axes {
            let r = x
                .axis(ax)
                .map_err(|e| err!("tensordot: axis {ax} of {which}: {e}"))?;
            if out.contains(&r) {
                bail!("tensordot: axis {ax} of {which} is repeated");
            }
            out.push(r);
        }
        Ok(out)
    };
    let sa = resolve(a, a_axes, "a")?;
    let sb = resolve(b, b_axes, "b")?;
    for (&i, &j) in sa.iter().zip(&sb) {
        if a.shape()[i] != b.shape()[j] {
            bail!(
                "tensordot: shape mismatch: axis {i} of a has length {}, axis {j} of b has {} \
(shapes {} and {})",
                a.shape()[i],
                b.shape()[j],
                ops::fmt_shape(a.shape()),
                ops::fmt_shape(b.shape())
            );
        }
    }
    let free_a: Vec<usize> = (0..a.ndim()).filter(|i| !sa.contains(i)).collect();
    let free_b: Vec<usize> = (0..b.ndim()).filter(|i| !sb.contains(i)).collect();
    let perm_a: Vec<usize> = free_a.iter().chain(&sa).copied().collect();
    let perm_b: Vec<usize> = sb.iter().chain(&free_b).copied().collect();
    let dims =
        |x: &Array, axes: &[usize]| -> Vec<usize> { axes.iter().map(|&i| x.shape()[i]).collect() };
    let m = crate::array::checked_size(&dims(a, &free_a))?;
    let k = crate::array::checked_size(&dims(a, &sa))?;
    let n = crate::array::checked_size(&dims(b, &free_b))?;
    let a2 = a.permute_axes(&perm_a)?.reshape(vec![m, k])?;
    let b2 = b.permute_axes(&perm_b)?.reshape(vec![k, n])?;
    let r = matmul(&a2, &b2, "tensordot")?;
    let mut shape = dims(a, &free_a);
    shape.extend(dims(b, &free_b));
    r.reshape(shape)
}

/// A matrix norm order (NumPy's `ord` for 2-D `norm`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MatOrd {
    /// Frobenius: sqrt of the sum of squares (the default).
    Fro,
    /// Nuclear: sum of the singular values.
    Nuc,
    /// A number: 1 / -1 (max / min column sum of |x|), inf / -inf (max / min row sum),
    /// 2 / -2 (largest / smallest singular value).
    Num(f64),
}

/// Singular values of a row-major m×n matrix: square roots of the eigenvalues of the
/// smaller Gram matrix, found by cyclic Jacobi rotations (exact for the symmetric case to
/// rounding; the matrices `norm` sees are small).
fn singular_values(x: &[f64], m: usize, n: usize) -> Result<Vec<f64>> {
    let (p, tall) = if n <= m { (n, true) } else { (m, false) };
    crate::array::checked_size(&[p, p])?;
    let mut g = vec![0f64; p * p];
    for i in 0..p {
        for j in i..p {
            let mut s = 0f64;
            if tall {
                for r in 0..m {
                    s += x[r * n + i] * x[r * n + j];
                }
            } else {
                for c in 0..n {
                    s += x[i * n + c] * x[j * n + c];
                }
            }
            g[i * p + j] = s;
            g[j * p + i] = s;
        }
    }
    for _sweep in 0..100 {
        crate::exec::check()?;
        let mut off = 0f64;
        for i in 0..p {
            for j in 0..p {
                if i != j {
                    off += g[i * p + j] * g[i * p + j];
                }
            }
        }
        let diag: f64 = (0..p).map(|i| g[i * p + i] * g[i * p + i]).sum();
        if off <= 1e-30 * diag || off == 0.0 || !off.is_finite() {
            break;
        }
        for i in 0..p {
            for j in i + 1..p {
                let gij = g[i * p + j];
                if gij == 0.0 {
                    continue;
                }
                let theta = (g[j * p + j] - g[i * p + i]) / (2.0 * gij);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..p {
                    let (gki, gkj) = (g[k * p + i], g[k * p + j]);
                    g[k * p + i] = c * gki - s * gkj;
                    g[k * p + j] = s * gki + c * gkj;
                }
                for k in 0..p {
                    let (gik, gjk) = (g[i * p + k], g[j * p + k]);
                    g[i * p + k] = c * gik - s * gjk;
                    g[j * p + k] = s * gik + c * gjk;
                }
            }
        }
    }
    Ok((0..p).map(|i| g[i * p + i].max(0.0).sqrt()).collect())
}

/// Matrix norms over the pair of axes `axes` (NumPy's `norm(x, ord, axis=(i, j))`; for a
/// 2-D array without an axis `axes` is `(0, 1)`): one value per remaining index.
pub fn matrix_norm(x: &Array, ord: MatOrd, axes: (i64, i64)) -> Result<Array> {
    let _s = crate::prof::span("norm");
    check_real(x, "norm")?;
    let r = x.axis(axes.0).map_err(|e| err!("norm: {e}"))?;
    let c = x.axis(axes.1).map_err(|e| err!("norm: {e}"))?;
    if r == c {
        bail!("norm: the two axes of a matrix norm must differ, found {axes:?}");
    }
    if let MatOrd::Num(v) = ord {
        if ![1.0, -1.0, 2.0, -2.0, f64::INFINITY, f64::NEG_INFINITY].contains(&v) {
            bail!("norm: invalid norm order {v} for matrices (1, -1, 2, -2, inf, -inf, \"fro\", \"nuc\")");
        }
    }
    let rest: Vec<usize> = (0..x.ndim()).filter(|&i| i != r && i != c).collect();
    let mut perm = rest.clone();
    perm.extend([r, c]);
    let (m, n) = (x.shape()[r], x.shape()[c]);
    let outer: Vec<usize> = rest.iter().map(|&i| x.shape()[i]).collect();
    let count = crate::array::checked_size(&outer)?;
    let t = ops::as_dtype(&x.permute_axes(&perm)?, &DType::F64)?;
    let flat = t.reshape(vec![count, m * n])?;
    let v = flat.view::<f64>()?;
    let v2 = v
        .into_dimensionality::<Ix2>()
        .map_err(|e| err!("internal: {e}"))?;
    let mut out = crate::exec::out::alloc::<f64>(count, "norm")?;
    for row in v2.rows() {
        crate::exec::check()?;
        let a: Vec<f64> = row.iter().copied().collect();
        let sum_abs = |by_col: bool| -> Vec<f64> {
            if by_col {
                (0..n)
                    .map(|j| (0..m).map(|i| a[i * n + j].abs()).sum())
                    .collect()
            } else {
                (0..m)
                    .map(|i| (0..n).map(|j| a[i * n + j].abs()).sum())
                    .collect()
            }
        };
        let pick = |v: Vec<f64>, max: bool| -> Result<f64> {
            if v.is_empty() {
                bail!(
                    "norm: zero-size matrix ({m}x{n}) has no {} of sums",
                    if max { "maximum" } else { "minimum" }
                );
            }
            Ok(v.into_iter().fold(
                if max {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                },
                |acc, s| {
                    if s.is_nan() || acc.is_nan() {
                        f64::NAN
                    } else if max {
                        acc.max(s)
                    } else {
                        acc.min(s)
                    }
                },
            ))
        };
        let val = match ord {
            MatOrd::Fro => a.iter().map(|v| v * v).sum::<f64>().sqrt(),
            MatOrd::Nuc => singular_values(&a, m, n)?.iter().sum(),
            MatOrd::Num(1.0) => pick(sum_abs(true), true)?,
            MatOrd::Num(-1.0) => pick(sum_abs(true), false)?,
            MatOrd::Num(o) if o == f64::INFINITY => pick(sum_abs(false), true)?,
            MatOrd::Num(o) if o == f64::NEG_INFINITY => pick(sum_abs(false), false)?,
            MatOrd::Num(o) => {
                if a.iter().any(|v| !v.is_finite()) {
                    f64::NAN
                } else {
                    let sv = singular_values(&a, m, n)?;
                    match (sv.first(), o > 0.0) {
                        // NumPy: the largest of no singular values is 0 (initial=0).
                        (None, true) => 0.0,
                        (None, false) => {
                            bail!("norm: zero-size matrix ({m}x{n}) has no smallest singular value")
                        }
                        (Some(&f), true) => sv.iter().copied().fold(f, f64::max),
                        (Some(&f), false) => sv.iter().copied().fold(f, f64::min),
                    }
                }
            }
        };
        out.push(val);
    }
    let res = Array::from_vec(out, outer)?;
    let d = if x.dtype().is_float() {
        x.dtype().clone()
    } else {
        DType::F64
    };
    if d == DType::F64 {
        Ok(res)
    } else {
        ops::astype(&res, &d)
    }
}

/// Outer product of the flattened arrays: `out[i, j] = a[i] * b[j]` (NumPy promotion).
pub fn outer(a: &Array, b: &Array) -> Result<Array> {
    let _s = crate::prof::span("outer");
    let x = a.reshape(vec![a.size(), 1])?;
    let y = b.reshape(vec![1, b.size()])?;
    ops::binary(BinOp::Mul, &Operand::Arr(x), &Operand::Arr(y)).map_err(|e| err!("outer: {e}"))
}

/// Vector p-norm of all elements or along `axis`: `ord` inf (max |x|), -inf (min |x|),
/// 0 (count of non-zeros), otherwise (sum |x|^p)^(1/p). Float results (float32 stays).
pub fn norm(x: &Array, ord: f64, axis: Option<i64>) -> Result<Array> {
    let _s = crate::prof::span("norm");
    let l = lanes::<f64>(x, axis, &DType::F64, "norm")?;
    let v = map_lanes(&l, 1, "norm", |lane, out| {
        let r = if ord == f64::INFINITY {
            lane.iter().fold(0f64, |m, v| {
                if v.abs() > m || v.is_nan() {
                    v.abs()
                } else {
                    m
                }
            })
        } else if ord == f64::NEG_INFINITY {
            lane.iter().fold(f64::INFINITY, |m, v| {
                if v.abs() < m || v.is_nan() {
                    v.abs()
                } else {
                    m
                }
            })
        } else if ord == 0.0 {
            lane.iter().filter(|v| **v != 0.0).count() as f64
        } else if ord == 1.0 {
            lane.iter().map(|v| v.abs()).sum()
        } else if ord == 2.0 {
            lane.iter().map(|v| v * v).sum::<f64>().sqrt()
        } else {
            lane.iter()
                .map(|v| v.abs().powf(ord))
                .sum::<f64>()
                .powf(1.0 / ord)
        };
        out.fill(r, 1);
    })?;
    let r = unlane(&l, v, 1, false, DType::F64)?;
    let d = if x.dtype().is_float() {
        x.dtype().clone()
    } else {
        DType::F64
    };
    if d == DType::F64 {
        Ok(r)
    } else {
        ops::astype(&r, &d)
    }
}

/// The n×m matrix with ones on diagonal `k`.
pub fn eye(n: i64, m: i64, k: i64, dtype: &DType) -> Result<Array> {
    if n < 0 || m < 0 {
        bail!("eye: n and m must be >= 0, found {n} and {m}");
    }
    if !dtype.is_numeric() || dtype.is_complex() {
        bail!("eye: dtype {} is not supported", dtype.name());
    }
    let (n, m) = (n as usize, m as usize);
    let total = crate::array::checked_size(&[n, m])?;
    crate::with_real_type!(dtype, T => {
        let one = T::from_i64(1);
        let v = crate::exec::par_collect(total, kernel::chunk_elems(8), "eye", |r, out| {
            out.extend(r.map(|p| {
                let (i, j) = ((p / m.max(1)) as i64, (p % m.max(1)) as i64);
                if j - i == k { one } else { T::default() }
            }));
            Ok(())
        })?;
        wrap(v, dtype.clone(), vec![n, m])
    }, else bail!("eye: dtype {} is not supported", dtype.name()))
}

/// `base ** linspace(a, b, n)` (NumPy's `logspace`).
pub fn logspace(a: f64, b: f64, n: usize, base: f64) -> Result<Array> {
    let l = crate::array::create::linspace(a, b, n)?;
    let v = l.view::<f64>()?;
    let shape = v.shape().to_vec();
    let out = kernel::map1(
        "logspace",
        &shape,
        &kernel::Src::of(v, &shape)?,
        |e: f64| base.powf(e),
    )?;
    Array::from_vec(out, shape)
}

/// Coordinate matrices of two 1-D arrays (flattened): "xy" indexing gives shape
/// (len(y), len(x)), "ij" (len(x), len(y)).
pub fn meshgrid(x: &Array, y: &Array, ij: bool) -> Result<(Array, Array)> {
    let _s = crate::prof::span("meshgrid");
    let (nx, ny) = (x.size() as i64, y.size() as i64);
    let xr = super::shape::ravel(x)?;
    let yr = super::shape::ravel(y)?;
    if ij {
        let gx = super::shape::tile(&xr.reshape(vec![nx as usize, 1])?, &[1, ny])?;
        let gy = super::shape::tile(&yr, &[nx, 1])?;
        Ok((gx, gy))
    } else {
        let gx = super::shape::tile(&xr, &[ny, 1])?;
        let gy = super::shape::tile(&yr.reshape(vec![ny as usize, 1])?, &[1, nx])?;
        Ok((gx, gy))
    }
}

/// NumPy's `isclose`: `|a - b| <= atol + rtol * |b|` for finite values, equality for
/// infinities, and NaN close to NaN only with `equal_nan`. Computed in float64.
pub fn isclose(
    a: &Operand,
    b: &Operand,
    rtol: f64,
    atol: f64,
    equal_nan: bool,
    func: &'static str,
) -> Result<Array> {
    let _s = crate::prof::span(func);
    let (shape, dt) = super::math::operands2(a, b, func)?;
    let pa = ops::prep(a, &dt)?;
    let pb = ops::prep(b, &dt)?;
    crate::with_real_type!(&dt, T => {
        let ia = ops::input::<T>(&pa, a, &shape)?;
        let ib = ops::input::<T>(&pb, b, &shape)?;
        let v = kernel::map2(func, &shape, &ia, &ib, |x: T, y: T| {
            let (x, y) = (x.to_f64(), y.to_f64());
            let r = if x.is_finite() && y.is_finite() {
                (x - y).abs() <= atol + rtol * y.abs()
            } else if x.is_nan() || y.is_nan() {
                equal_nan && x.is_nan() && y.is_nan()
            } else {
                x == y
            };
            r as u8
        })?;
        wrap(v, DType::Bool, shape)
    }, else bail!("{func}: unsupported dtype {}", dt.name()))
}

/// Same shape and equal elements (NaN never equal).
pub fn array_equal(a: &Array, b: &Array) -> Result<bool> {
    if a.shape() != b.shape() {
        return Ok(false);
    }
    if a.size() == 0 {
        return Ok(true);
    }
    let m = ops::compare(
        CmpOp::Eq,
        &Operand::Arr(a.clone()),
        &Operand::Arr(b.clone()),
    )
    .map_err(|e| err!("array_equal: {e}"))?;
    Ok(reduce::reduce_all(&m, Red::All)? == Scalar::Bool(true))
}
