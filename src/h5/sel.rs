//! Hyperslab selections (start, count, step per axis, axes dropped by integer indexing):
//! what `d[...]`, `d.slice(...)` and the block readers ask the dataset readers for. Its own
//! module so that the library path (`read`) and the parallel chunk path (`chunks`) both use
//! it without importing each other.

use crate::bail;
use crate::error::Result;

/// A hyperslab: per dataspace axis the first index, the number of indices and the step.
/// Axes marked in `squeeze` are dropped from the result (integer indexing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sel {
    pub start: Vec<usize>,
    pub count: Vec<usize>,
    pub step: Vec<usize>,
    pub squeeze: Vec<bool>,
}

impl Sel {
    /// Everything.
    pub fn all(dims: &[usize]) -> Sel {
        Sel {
            start: vec![0; dims.len()],
            count: dims.to_vec(),
            step: vec![1; dims.len()],
            squeeze: vec![false; dims.len()],
        }
    }

    /// Rows `start..end` of axis 0 (clipped to the extent), all of the other axes.
    pub fn rows(dims: &[usize], start: usize, end: usize) -> Sel {
        let mut s = Sel::all(dims);
        if let Some(&n) = dims.first() {
            let a = start.min(n);
            let b = end.clamp(a, n);
            s.start[0] = a;
            s.count[0] = b - a;
        }
        s
    }

    /// Python-style slice on one axis (negative indices count from the end, clipped).
    pub fn axis_slice(
        &mut self,
        axis: usize,
        dim: usize,
        start: Option<i64>,
        end: Option<i64>,
        step: i64,
    ) -> Result<()> {
        if step <= 0 {
            bail!("slice step must be positive, got {step}");
        }
        let n = dim as i64;
        let fix = |v: i64| if v < 0 { (v + n).max(0) } else { v.min(n) };
        let a = start.map(fix).unwrap_or(0);
        let b = end.map(fix).unwrap_or(n).max(a);
        let cnt = (b - a + step - 1) / step;
        self.start[axis] = a as usize;
        self.count[axis] = cnt as usize;
        self.step[axis] = step as usize;
        Ok(())
    }

    /// Integer index on one axis (negative counts from the end); the axis is dropped.
    pub fn axis_index(&mut self, axis: usize, dim: usize, i: i64) -> Result<()> {
        let n = dim as i64;
        let j = if i < 0 { i + n } else { i };
        if j < 0 || j >= n {
            bail!("index {i} is out of range for axis {axis} of length {dim}");
        }
        self.start[axis] = j as usize;
        self.count[axis] = 1;
        self.step[axis] = 1;
        self.squeeze[axis] = true;
        Ok(())
    }

    /// Does every axis use step 1?
    pub fn is_box(&self) -> bool {
        self.step
            .iter()
            .zip(&self.count)
            .all(|(&s, &c)| s == 1 || c <= 1)
    }

    /// The result shape before sub-array axes.
    pub fn out_dims(&self) -> Vec<usize> {
        self.count
            .iter()
            .zip(&self.squeeze)
            .filter(|(_, &q)| !q)
            .map(|(&c, _)| c)
            .collect()
    }
}
