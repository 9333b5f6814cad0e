//! NumPy's shape functions: joining (`concatenate`, `stack`, `hstack`, `vstack`),
//! rearranging (`transpose` with axes, `squeeze`, `expand_dims`, `flip`, `roll`) and
//! repeating (`repeat`, `tile`), and `ravel`.
//!
//! What NumPy returns as a view is a view here too (`transpose`, `squeeze`, `expand_dims`,
//! `flip` only change shape, strides and offset); the others write one new C-ordered
//! output, allocated once and filled in parallel chunks of rows through `crate::exec`.

use super::kernel;
use super::ops::{self, wrap};
use crate::array::{Array, DType};
use crate::error::Result;
use crate::{bail, err};

/// Resolve `axis` for an array of `nd` dimensions (`extra`: one more position is valid,
/// for inserting).
fn norm_axis(axis: i64, nd: usize, extra: bool, func: &str) -> Result<usize> {
    let n = nd as i64 + extra as i64;
    let a = if axis < 0 { axis + n } else { axis };
    if a < 0 || a >= n {
        bail!("{func}: axis {axis} is out of range for an array of {nd} dimensions");
    }
    Ok(a as usize)
}

fn check_plain(a: &Array, func: &str) -> Result<()> {
    if !a.dtype().is_numeric() || a.dtype().is_complex() {
        bail!(
            "{func}: arrays of dtype {} are not supported",
            a.dtype().name()
        );
    }
    Ok(())
}

/// Join arrays along an existing axis (NumPy's `concatenate`); dtypes are promoted.
pub fn concatenate(arrays: &[Array], axis: i64) -> Result<Array> {
    concat_named(arrays, axis, "concatenate")
}

fn concat_named(arrays: &[Array], axis: i64, func: &'static str) -> Result<Array> {
    let _s = crate::prof::span(func);
    let Some(first) = arrays.first() else {
        bail!("{func}: needs at least one array");
    };
    let mut dt = first.dtype().clone();
    for (i, a) in arrays.iter().enumerate() {
        check_plain(a, func)?;
        if a.ndim() == 0 {
            bail!("{func}: array {i} is 0-d and cannot be concatenated");
        }
        if a.ndim() != first.ndim() {
            bail!(
                "{func}: array {i} has {} dimensions, array 0 has {}",
                a.ndim(),
                first.ndim()
            );
        }
        dt = ops::promote(&dt, a.dtype()).map_err(|e| err!("{func}: {e}"))?;
    }
    let nd = first.ndim();
    let ax = norm_axis(axis, nd, false, func)?;
    let mut shape = first.shape().to_vec();
    shape[ax] = 0;
    for (i, a) in arrays.iter().enumerate() {
        for k in 0..nd {
            if k != ax && a.shape()[k] != first.shape()[k] {
                bail!(
                    "{func}: array {i} has shape {}, which does not match array 0's {} outside axis {ax}",
                    ops::fmt_shape(a.shape()),
                    ops::fmt_shape(first.shape())
                );
            }
        }
        shape[ax] += a.shape()[ax];
    }
    crate::with_real_type!(&dt, T => {
        let parts: Vec<Vec<T>> = arrays
            .iter()
            .map(|a| {
                let c = ops::as_dtype(a, &dt)?;
                kernel::to_vec(&c.view::<T>()?)
            })
            .collect::<Result<_>>()?;
        let inner: usize = shape[ax + 1..].iter().product();
        let blocks: Vec<usize> = arrays.iter().map(|a| a.shape()[ax] * inner).collect();
        let row: usize = blocks.iter().sum();
        let outer: usize = shape[..ax].iter().product();
        let total = crate::array::checked_size(&shape)?;
        let v = if row == 0 || outer == 0 {
            Vec::new()
        } else {
            let per = (kernel::chunk_elems(std::mem::size_of::<T>()) / row).max(1);
            crate::exec::par_collect(total, per * row, func, |r, out| {
                for o in r.start / row..r.end / row {
                    for (p, &b) in parts.iter().zip(&blocks) {
                        out.copy(&p[o * b..(o + 1) * b]);
                    }
                }
                Ok(())
            })?
        };
        wrap(v, dt.clone(), shape)
    }, else bail!("{func}: unsupported dtype {}", dt.name()))
}

/// Join arrays of the same shape along a new axis (NumPy's `stack`).
pub fn stack(arrays: &[Array], axis: i64) -> Result<Array> {
    let Some(first) = arrays.first() else {
        bail!("stack: needs at least one array");
    };
    for (i, a) in arrays.iter().enumerate() {
        if a.shape() != first.shape() {
            bail!(
                "stack: array {i} has shape {}, array 0 has {} (all must be equal)",
                ops::fmt_shape(a.shape()),
                ops::fmt_shape(first.shape())
            );
        }
    }
    let ax = norm_axis(axis, first.ndim(), true, "stack")?;
    let ex: Vec<Array> = arrays
        .iter()
        .map(|a| a.insert_axis(ax))
        .collect::<Result<_>>()?;
    concat_named(&ex, ax as i64, "stack")
}

/// NumPy's `hstack`: along axis 1, or axis 0 for 1-D (and 0-d) arrays.
pub fn hstack(arrays: &[Array]) -> Result<Array> {
    let ex: Vec<Array> = arrays
        .iter()
        .map(|a| {
            if a.ndim() == 0 {
                a.reshape(vec![1])
            } else {
                Ok(a.clone())
            }
        })
        .collect::<Result<_>>()?;
    let ax = if ex.first().is_some_and(|a| a.ndim() == 1) {
        0
    } else {
        1
    };
    concat_named(&ex, ax, "hstack")
}

/// NumPy's `vstack`: along axis 0, 1-D arrays becoming rows.
pub fn vstack(arrays: &[Array]) -> Result<Array> {
    let ex: Vec<Array> = arrays
        .iter()
        .map(|a| match a.ndim() {
            0 => a.reshape(vec![1, 1]),
            1 => a.reshape(vec![1, a.size()]),
            _ => Ok(a.clone()),
        })
        .collect::<Result<_>>()?;
    concat_named(&ex, 0, "vstack")
}

/// Axes in the given order (negative count from the end). A view.
pub fn transpose(a: &Array, axes: &[i64]) -> Result<Array> {
    let nd = a.ndim();
    if axes.len() != nd {
        bail!(
            "transpose: axes {axes:?} do not match the {nd} dimensions of shape {}",
            ops::fmt_shape(a.shape())
        );
    }
    let perm: Vec<usize> = axes
        .iter()
        .map(|&k| norm_axis(k, nd, false, "transpose"))
        .collect::<Result<_>>()?;
    a.permute_axes(&perm).map_err(|e| err!("transpose: {e}"))
}

/// Remove length-1 axes: all of them, or those given (each must have length 1). A view.
pub fn squeeze(a: &Array, axes: Option<&[i64]>) -> Result<Array> {
    let nd = a.ndim();
    let mut drop = vec![false; nd];
    match axes {
        None => {
            for (k, &d) in a.shape().iter().enumerate() {
                drop[k] = d == 1;
            }
        }
        Some(ax) => {
            for &k in ax {
                let i = norm_axis(k, nd, false, "squeeze")?;
                if a.shape()[i] != 1 {
                    bail!(
                        "squeeze: axis {k} has length {}, only length-1 axes can be removed",
                        a.shape()[i]
                    );
                }
                drop[i] = true;
            }
        }
    }
    let mut r = a.clone();
    for (k, _) in drop.iter().enumerate().rev().filter(|(_, d)| **d) {
        r = r.remove_unit_axis(k)?;
    }
    Ok(r)
}

/// Insert a length-1 axis at `axis` (NumPy's `expand_dims`). A view.
pub fn expand_dims(a: &Array, axis: i64) -> Result<Array> {
    let ax = norm_axis(axis, a.ndim(), true, "expand_dims")?;
    a.insert_axis(ax)
}

/// Reverse the order of the elements along `axis`, or along every axis. A view.
pub fn flip(a: &Array, axis: Option<i64>) -> Result<Array> {
    match axis {
        Some(k) => {
            let ax = norm_axis(k, a.ndim(), false, "flip")?;
            a.slice_axis(ax, None, None, -1)
        }
        None => {
            let mut r = a.clone();
            for ax in 0..a.ndim() {
                r = r.slice_axis(ax, None, None, -1)?;
            }
            Ok(r)
        }
    }
}

/// Roll the elements by `shift` along `axis` (NumPy's `roll`; without an axis the
/// flattened array is rolled and the shape restored).
pub fn roll(a: &Array, shift: i64, axis: Option<i64>) -> Result<Array> {
    let _s = crate::prof::span("roll");
    check_plain(a, "roll")?;
    let (x, ax) = match axis {
        Some(k) => (a.clone(), norm_axis(k, a.ndim(), false, "roll")?),
        None => (a.reshape(vec![a.size()])?, 0),
    };
    let n = x.shape()[ax] as i64;
    if n == 0 {
        return ops::astype(a, a.dtype());
    }
    let s = shift.rem_euclid(n);
    let head = x.slice_axis(ax, Some(n - s), None, 1)?;
    let tail = x.slice_axis(ax, None, Some(n - s), 1)?;
    let r = concat_named(&[head, tail], ax as i64, "roll")?;
    if axis.is_none() {
        r.reshape(a.shape().to_vec())
    } else {
        Ok(r)
    }
}

/// Repeat each element `repeats` times along `axis` (NumPy's `repeat`; without an axis
/// the flattened array).
pub fn repeat(a: &Array, repeats: i64, axis: Option<i64>) -> Result<Array> {
    let _s = crate::prof::span("repeat");
    check_plain(a, "repeat")?;
    if repeats < 0 {
        bail!("repeat: repeats must be >= 0, found {repeats}");
    }
    let (x, ax) = match axis {
        Some(k) => (a.clone(), norm_axis(k, a.ndim(), false, "repeat")?),
        None => (a.reshape(vec![a.size()])?, 0),
    };
    let n = x.shape()[ax];
    let m = n
        .checked_mul(repeats as usize)
        .ok_or_else(|| err!("repeat: the result is too large"))?;
    let mut idx = crate::exec::out::alloc::<i64>(m, "repeat")?;
    for i in 0..n {
        idx.extend(std::iter::repeat_n(i as i64, repeats as usize));
    }
    let idx = Array::from_vec(idx, vec![m])?;
    // the axis first, gather rows, axis back in place
    let nd = x.ndim();
    let mut perm = vec![ax];
    perm.extend((0..nd).filter(|&k| k != ax));
    let front = x.permute_axes(&perm)?;
    let g = super::select::take_index(&front, &idx)?;
    let mut inv = vec![0; nd];
    for (i, &p) in perm.iter().enumerate() {
        inv[p] = i;
    }
    g.permute_axes(&inv)
}

/// Repeat the whole array `reps` times along each axis (NumPy's `tile`).
pub fn tile(a: &Array, reps: &[i64]) -> Result<Array> {
    let _s = crate::prof::span("tile");
    check_plain(a, "tile")?;
    if let Some(r) = reps.iter().find(|&&r| r < 0) {
        bail!("tile: repetitions must be >= 0, found {r}");
    }
    let d = a.ndim().max(reps.len());
    let mut shape = vec![1; d - a.ndim()];
    shape.extend_from_slice(a.shape());
    let mut reps_full = vec![1i64; d - reps.len()];
    reps_full.extend_from_slice(reps);
    let mut x = a.reshape(shape)?;
    for (k, &r) in reps_full.iter().enumerate() {
        if r == 1 {
            continue;
        }
        if r == 0 {
            let mut s = x.shape().to_vec();
            s[k] = 0;
            x = x.slice_axis(k, Some(0), Some(0), 1)?;
            debug_assert_eq!(x.shape(), &s[..]);
            continue;
        }
        let copies = vec![x.clone(); r as usize];
        x = concat_named(&copies, k as i64, "tile")?;
    }
    if reps_full.iter().all(|&r| r == 1) {
        return ops::astype(&x, x.dtype());
    }
    Ok(x)
}

/// The elements in C order as a 1-D array (a view when contiguous, as NumPy's `ravel`).
pub fn ravel(a: &Array) -> Result<Array> {
    a.reshape(vec![a.size()])
}

/// A copy of `a`'s shape filled with `value` in `dtype` (default: `a`'s), for
/// `zeros_like`, `ones_like`, `full_like`.
pub fn full_like(a: &Array, value: f64, int: Option<i64>, dtype: Option<&DType>) -> Result<Array> {
    let d = dtype.unwrap_or(a.dtype());
    if !d.is_numeric() || d.is_complex() {
        bail!("full_like: dtype {} is not supported", d.name());
    }
    crate::array::create::full(a.shape().to_vec(), value, int, d)
}
