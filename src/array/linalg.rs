//! Small linear algebra and construction helpers with NumPy's names: `matmul`/`dot` for
//! 1-D and 2-D arrays (float products through ndarray's `dot`, i.e. matrixmultiply's
//! blocked kernels; integer products in wrapping int64 like NumPy's), `outer`, vector
//! `norm`, `eye`, `logspace`, `meshgrid`, and the comparisons `isclose`/`array_equal`.
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
pub fn matmul(a: &Array, b: &Array, func: &'static str) -> Result<Array> {
    let _s = crate::prof::span(func);
    check_real(a, func)?;
    check_real(b, func)?;
    if a.ndim() == 0 || b.ndim() == 0 {
        bail!("{func}: needs arrays of at least one dimension (use * for scalars)");
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
