//! Lanes: the shared front half of every kernel that works along one axis as a whole
//! sequence (quantiles and medians need the lane sorted, cumulative sums need it in order,
//! `diff` needs neighbours). The array is converted once to the computing type and copied,
//! in parallel chunks, into C order with the working axis moved last, so that each lane is
//! one contiguous slice; the lanes are then processed in parallel chunks through
//! `crate::exec` (Ctrl-C, progress, profiling, checked allocation), and the result is put
//! back with the axis in its place (a view, no second copy).
//!
//! `axis = None` is NumPy's `axis=None`: the array flattened in C order, one lane.

use super::kernel;
use super::ops::{self, Real};
use crate::array::{Array, DType};
use crate::error::Result;
use crate::exec::Out;
use crate::{bail, err};

/// The lanes of an array along one axis, contiguous.
pub struct Lanes<T> {
    /// Every lane, one after the other (C order of the other axes).
    pub data: Vec<T>,
    /// The shape of the other axes, in order (empty for `axis = None`).
    pub outer: Vec<usize>,
    /// The lane length.
    pub len: usize,
    /// The resolved axis (`None`: the flattened array).
    pub axis: Option<usize>,
}

impl<T> Lanes<T> {
    /// Number of lanes.
    pub fn count(&self) -> usize {
        self.outer.iter().product()
    }
}

/// Resolve a user axis for `func`, with an error naming the function.
pub fn resolve_axis(a: &Array, axis: i64, func: &str) -> Result<usize> {
    a.axis(axis).map_err(|e| err!("{func}: {e}"))
}

/// Refuse non-numeric and complex arrays, naming the function.
pub fn check_real(a: &Array, func: &str) -> Result<()> {
    let d = a.dtype();
    if !d.is_numeric() || d.is_complex() {
        bail!("{func}: not supported for arrays of dtype {}", d.name());
    }
    Ok(())
}

/// The lanes of `a` (converted to `dtype`, whose Rust type is `T`) along `axis`.
pub fn lanes<T: Real>(a: &Array, axis: Option<i64>, dtype: &DType, func: &str) -> Result<Lanes<T>> {
    check_real(a, func)?;
    crate::exec::page_in(a);
    let ax = match axis {
        Some(k) => Some(resolve_axis(a, k, func)?),
        None => None,
    };
    let c = ops::as_dtype(a, dtype)?;
    let v = c.view::<T>()?;
    let (data, outer, len) = match ax {
        None => {
            let n = v.len();
            (kernel::to_vec(&v)?, vec![], n)
        }
        Some(k) => {
            let nd = v.ndim();
            let mut perm: Vec<usize> = (0..nd).filter(|&i| i != k).collect();
            perm.push(k);
            let outer: Vec<usize> = perm[..nd - 1].iter().map(|&i| v.shape()[i]).collect();
            let len = v.shape()[k];
            let pv = v.permuted_axes(ndarray::IxDyn(&perm));
            (kernel::to_vec(&pv)?, outer, len)
        }
    };
    Ok(Lanes {
        data,
        outer,
        len,
        axis: ax,
    })
}

/// `f(lane, out)` for every lane, in parallel chunks of lanes; `f` must write exactly `k`
/// values per lane. Returns the `count() * k` values, lane after lane.
pub fn map_lanes<T: Sync, R: Send>(
    l: &Lanes<T>,
    k: usize,
    what: &str,
    f: impl Fn(&[T], &mut Out<'_, R>) + Sync,
) -> Result<Vec<R>> {
    let m = l.count();
    if k == 0 || m == 0 {
        return Ok(Vec::new());
    }
    let per = (kernel::chunk_elems(8) / l.len.max(k).max(1)).max(1);
    let total = m
        .checked_mul(k)
        .ok_or_else(|| err!("{what}: the output is too large"))?;
    crate::exec::par_collect(total, per * k, what, |r, out| {
        let (l0, l1) = (r.start / k, r.end / k);
        for i in l0..l1 {
            f(&l.data[i * l.len..(i + 1) * l.len], out);
        }
        Ok(())
    })
}

/// An owned array of `dtype` from per-lane results of `k` values each, given back the
/// input's layout: `k` takes the place of the lane axis (`keep_axis`), or the lane axis
/// disappears (`k == 1`, `!keep_axis`). For `axis = None` the result is 1-D of `k` values
/// (or 0-d).
pub fn unlane<R: bytemuck::Pod + Send + Sync>(
    l: &Lanes<impl Sized>,
    v: Vec<R>,
    k: usize,
    keep_axis: bool,
    dtype: DType,
) -> Result<Array> {
    let mut shape = l.outer.clone();
    if keep_axis {
        shape.push(k);
    } else if k != 1 {
        bail!("internal: unlane of {k} values per lane without an axis");
    }
    let arr = ops::wrap(v, dtype, shape)?;
    match (l.axis, keep_axis) {
        (Some(ax), true) => {
            // the lane axis is last: move it back to `ax`
            let nd = arr.ndim();
            let mut perm: Vec<usize> = (0..nd - 1).collect();
            perm.insert(ax, nd - 1);
            arr.permute_axes(&perm)
        }
        _ => Ok(arr),
    }
}
