//! Reductions over arrays too large to read whole (HDF5 datasets, through [`RowBlocks`]):
//! the source is streamed in blocks of rows (for HDF5 whole chunks along axis 0, each block
//! a fraction of the memory budget, read through the parallel chunk path), each block is reduced by the same kernels as an
//! in-memory Array, and the block results are combined exactly (sums and counts added,
//! extremes and arg-extremes with NumPy's NaN rules, standard deviations by Chan's merge
//! of per-block means and squared deviations). This is what lets `d.sum()` or
//! `d.max(1)` run on a dataset larger than memory; other Array functions read the dataset
//! (within the budget) and run on the Array. Kernels here, sources in the io layer.

use super::ops::{self, BinOp, CmpOp, Operand, UnOp};
use super::reduce::{self, Red, Scalar};
use super::{Array, DType};
use crate::bail;
use crate::error::Result;

/// An array too large to hold, readable by rows of its first axis: what the blocked
/// reductions need from a source (an HDF5 dataset implements it in `crate::h5`).
pub trait RowBlocks {
    /// What to call it in messages (file and dataset).
    fn what(&self) -> String;
    /// The shape a full read gives.
    fn shape(&self) -> Result<Vec<usize>>;
    /// The dtype a read gives.
    fn dtype(&self) -> Result<DType>;
    /// Rows of the first axis, `None` for a scalar (read as one block).
    fn rows(&self) -> Result<Option<usize>>;
    /// Rows per block (aligned to the source's storage, bounded by the memory budget).
    fn block_rows(&self) -> Result<usize>;
    /// Read everything.
    fn read_all(&self) -> Result<Array>;
    /// Read rows `lo..hi` of the first axis.
    fn read_rows(&self, lo: usize, hi: usize) -> Result<Array>;
}

/// Call `f(first_row, block)` for consecutive blocks of rows, in order, checking for
/// Ctrl-C between blocks and reporting progress in rows. A scalar dataset is one block.
pub fn for_blocks<S: RowBlocks + ?Sized>(
    ds: &S,
    label: &'static str,
    mut f: impl FnMut(usize, Array) -> Result<()>,
) -> Result<()> {
    let Some(n) = ds.rows()? else {
        return f(0, ds.read_all()?);
    };
    let per = ds.block_rows()?;
    let prog = crate::exec::progress::Progress::new(label, n as u64);
    let mut lo = 0;
    loop {
        crate::exec::check()?;
        let hi = (lo + per).min(n);
        let block = ds.read_rows(lo, hi)?;
        f(lo, block)?;
        prog.inc((hi - lo) as u64);
        lo = hi;
        if lo >= n {
            return Ok(());
        }
    }
}

fn as_f64(s: &Scalar) -> f64 {
    match s {
        Scalar::Int(i) => *i as f64,
        Scalar::Float(f) => *f,
        Scalar::Bool(b) => f64::from(u8::from(*b)),
        Scalar::Str(_) => f64::NAN,
    }
}

fn is_nan(s: &Scalar) -> bool {
    matches!(s, Scalar::Float(f) if f.is_nan())
}

/// `a < b` for two extremes of the same dataset (same variant).
fn less(a: &Scalar, b: &Scalar) -> bool {
    match (a, b) {
        (Scalar::Int(x), Scalar::Int(y)) => x < y,
        (Scalar::Bool(x), Scalar::Bool(y)) => !x & y,
        _ => as_f64(a) < as_f64(b),
    }
}

fn empty_err<S: RowBlocks + ?Sized>(ds: &S, r: Red) -> crate::error::Error {
    crate::err!(
        "{}: {} is empty (shape {:?}); the reduction has no value",
        r.name(),
        ds.what(),
        ds.shape().unwrap_or_default()
    )
}

/// Reduce the whole dataset to one value, block by block. Same answers as reading it and
/// calling the Array reduction (up to float rounding of the block sums).
pub fn reduce_all<S: RowBlocks + ?Sized>(ds: &S, r: Red) -> Result<Scalar> {
    let _s = crate::prof::span(r.name());
    let d = ds.dtype()?;
    if !d.is_numeric() || d.is_complex() {
        bail!(
            "{}: not supported for {} of dtype {}",
            r.name(),
            ds.what(),
            d.name()
        );
    }
    let float = d.is_float();
    let mut n_total: usize = 0;
    // running state
    let mut sum_i: i64 = 0;
    let mut sum_f: f64 = 0.0;
    let mut count: i64 = 0;
    let mut best: Option<Scalar> = None;
    let mut best_idx: i64 = 0;
    let (mut mean, mut m2) = (0.0f64, 0.0f64);
    for_blocks(ds, r.name(), |first_row, b| {
        let nb = b.size();
        if nb == 0 {
            return Ok(());
        }
        let row_elems = nb / b.shape().first().copied().unwrap_or(1).max(1);
        match r {
            Red::Sum => match reduce::reduce_all(&b, Red::Sum)? {
                Scalar::Int(i) => sum_i = sum_i.wrapping_add(i),
                s => sum_f += as_f64(&s),
            },
            Red::Count | Red::Any | Red::All => {
                count += as_f64(&reduce::reduce_all(&b, Red::Count)?) as i64;
            }
            Red::Min | Red::Max => {
                let v = reduce::reduce_all(&b, r)?;
                best = Some(match best.take() {
                    None => v,
                    Some(cur) if is_nan(&cur) => cur,
                    Some(cur) => {
                        let better = if r == Red::Max {
                            less(&cur, &v)
                        } else {
                            less(&v, &cur)
                        };
                        if is_nan(&v) || better {
                            v
                        } else {
                            cur
                        }
                    }
                });
            }
            Red::ArgMin | Red::ArgMax => {
                let ext = if r == Red::ArgMax { Red::Max } else { Red::Min };
                let v = reduce::reduce_all(&b, ext)?;
                let Scalar::Int(i) = reduce::reduce_all(&b, r)? else {
                    bail!("internal: {} gave a non-integer", r.name());
                };
                let take = match &best {
                    None => true,
                    Some(cur) if is_nan(cur) => false,
                    Some(cur) => {
                        is_nan(&v)
                            || if r == Red::ArgMax {
                                less(cur, &v)
                            } else {
                                less(&v, cur)
                            }
                    }
                };
                if take {
                    best = Some(v);
                    best_idx = (first_row * row_elems) as i64 + i;
                }
            }
            Red::Mean | Red::Std => {
                let mb = as_f64(&reduce::reduce_all(&b, Red::Mean)?);
                let m2b = if r == Red::Std {
                    let s = as_f64(&reduce::reduce_all(&b, Red::Std)?);
                    s * s * nb as f64
                } else {
                    0.0
                };
                // Chan et al.: merge (n_total, mean, m2) with (nb, mb, m2b).
                let na = n_total as f64;
                let nbf = nb as f64;
                let tot = na + nbf;
                let delta = mb - mean;
                mean += delta * nbf / tot;
                m2 += m2b + delta * delta * na * nbf / tot;
            }
        }
        n_total += nb;
        Ok(())
    })?;
    Ok(match r {
        Red::Sum if float => Scalar::Float(sum_f),
        Red::Sum => {
            if d == DType::U64 && sum_i < 0 {
                Scalar::Float(sum_i as u64 as f64)
            } else {
                Scalar::Int(sum_i)
            }
        }
        Red::Count => Scalar::Int(count),
        Red::Any => Scalar::Bool(count > 0),
        Red::All => Scalar::Bool(count as usize == n_total),
        Red::Min | Red::Max => best.ok_or_else(|| empty_err(ds, r))?,
        Red::ArgMin | Red::ArgMax => {
            if best.is_none() {
                return Err(empty_err(ds, r));
            }
            Scalar::Int(best_idx)
        }
        Red::Mean | Red::Std if n_total == 0 => Scalar::Float(f64::NAN),
        Red::Mean => Scalar::Float(mean),
        Red::Std => Scalar::Float((m2 / n_total as f64).sqrt()),
    })
}

fn arr(a: &Array) -> Operand {
    Operand::Arr(a.clone())
}

/// Elementwise "take the block's value": `v` replaces `cur` where it is better, or NaN
/// while `cur` is not (NaN sticks, first one wins).
fn better_mask(r: Red, v: &Array, cur: &Array) -> Result<Array> {
    let op = if matches!(r, Red::Max | Red::ArgMax) {
        CmpOp::Gt
    } else {
        CmpOp::Lt
    };
    let strictly = ops::compare(op, &arr(v), &arr(cur))?;
    if !v.dtype().is_float() {
        return Ok(strictly);
    }
    let v_nan = ops::unary(UnOp::IsNan, v)?;
    let cur_ok = ops::unary(UnOp::Not, &ops::unary(UnOp::IsNan, cur)?)?;
    let nan_new = ops::binary(BinOp::And, &arr(&v_nan), &arr(&cur_ok))?;
    let strictly_ok = ops::binary(BinOp::And, &arr(&strictly), &arr(&cur_ok))?;
    ops::binary(BinOp::Or, &arr(&nan_new), &arr(&strictly_ok))
}

/// The C-contiguous bytes of `a` (native byte order).
fn c_bytes(a: &Array) -> Vec<u8> {
    let c = a.to_contiguous_native();
    let off = c.offset();
    c.buf().bytes()[off..off + c.nbytes()].to_vec()
}

/// Reduce along `axis`, block by block: for axes after the first, each block's result
/// holds those rows of the answer and the results are joined; along axis 0 the block
/// results are combined elementwise.
pub fn reduce_axis<S: RowBlocks + ?Sized>(ds: &S, r: Red, axis: i64) -> Result<Array> {
    let shape = ds.shape()?;
    let nd = shape.len() as i64;
    let k = if axis < 0 { axis + nd } else { axis };
    if k < 0 || k >= nd {
        bail!(
            "{}: axis {axis} is out of range for {} with {nd} axes",
            r.name(),
            ds.what()
        );
    }
    if nd == 1 || shape[0] == 0 {
        // the answer is one value (or the dataset is empty): read it and reduce
        return reduce::reduce_axis(&ds.read_all()?, r, axis);
    }
    let _s = crate::prof::span(r.name());
    if k > 0 {
        let mut bytes: Vec<u8> = vec![];
        let mut dtype = None;
        let mut out_shape = vec![];
        for_blocks(ds, r.name(), |_, b| {
            let res = reduce::reduce_axis(&b, r, k)?;
            if dtype.is_none() {
                dtype = Some(res.dtype().clone());
                out_shape = res.shape().to_vec();
                out_shape[0] = 0;
            }
            out_shape[0] += res.shape()[0];
            bytes.extend_from_slice(&c_bytes(&res));
            Ok(())
        })?;
        let dtype = dtype.expect("at least one block");
        let mut words = vec![0u64; bytes.len().div_ceil(8).max(1)];
        bytemuck::cast_slice_mut::<u64, u8>(&mut words)[..bytes.len()].copy_from_slice(&bytes);
        return Array::from_words(words, dtype, out_shape, false);
    }
    // axis 0: combine elementwise
    let n = shape[0] as f64;
    match r {
        Red::Sum | Red::Count | Red::Any | Red::All => {
            let mut acc: Option<Array> = None;
            let op = match r {
                Red::Any => BinOp::Or,
                Red::All => BinOp::And,
                _ => BinOp::Add,
            };
            for_blocks(ds, r.name(), |_, b| {
                let res = reduce::reduce_axis(&b, r, 0)?;
                acc = Some(match acc.take() {
                    None => res,
                    Some(a) => {
                        let s = ops::binary(op, &arr(&a), &arr(&res))?;
                        ops::astype(&s, res.dtype())?
                    }
                });
                Ok(())
            })?;
            Ok(acc.expect("at least one block"))
        }
        Red::Min | Red::Max | Red::ArgMin | Red::ArgMax => {
            let arg = matches!(r, Red::ArgMin | Red::ArgMax);
            let ext = match r {
                Red::ArgMin => Red::Min,
                Red::ArgMax => Red::Max,
                x => x,
            };
            let mut best: Option<(Array, Array)> = None;
            for_blocks(ds, r.name(), |first, b| {
                let v = reduce::reduce_axis(&b, ext, 0)?;
                let idx = if arg {
                    let i = reduce::reduce_axis(&b, r, 0)?;
                    ops::binary(BinOp::Add, &arr(&i), &Operand::Int(first as i64))?
                } else {
                    v.clone()
                };
                best = Some(match best.take() {
                    None => (v, idx),
                    Some((cv, ci)) => {
                        let m = better_mask(r, &v, &cv)?;
                        let nv = ops::astype(&ops::where_(&m, &arr(&v), &arr(&cv))?, v.dtype())?;
                        let ni = if arg {
                            ops::astype(&ops::where_(&m, &arr(&idx), &arr(&ci))?, &DType::I64)?
                        } else {
                            nv.clone()
                        };
                        (nv, ni)
                    }
                });
                Ok(())
            })?;
            let (v, i) = best.expect("at least one block");
            Ok(if arg { i } else { v })
        }
        Red::Mean | Red::Std => {
            // The dtype the in-memory reduction gives (float32 stays float32).
            let out_dtype = reduce::reduce_axis(&ds.read_rows(0, 1)?, Red::Mean, 0)?
                .dtype()
                .clone();
            let sum_f64 = |label: &'static str, center: Option<&Array>| -> Result<Array> {
                let mut acc: Option<Array> = None;
                for_blocks(ds, label, |_, b| {
                    let mut x = ops::astype(&b, &DType::F64)?;
                    if let Some(c) = center {
                        let dx = ops::binary(BinOp::Sub, &arr(&x), &arr(c))?;
                        x = ops::binary(BinOp::Mul, &arr(&dx), &arr(&dx))?;
                    }
                    let s = reduce::reduce_axis(&x, Red::Sum, 0)?;
                    acc = Some(match acc.take() {
                        None => s,
                        Some(a) => ops::binary(BinOp::Add, &arr(&a), &arr(&s))?,
                    });
                    Ok(())
                })?;
                Ok(acc.expect("at least one block"))
            };
            let mean = ops::binary(
                BinOp::Div,
                &arr(&sum_f64(r.name(), None)?),
                &Operand::Float(n),
            )?;
            let out = if r == Red::Mean {
                mean
            } else {
                let ss = sum_f64("std (second pass)", Some(&mean))?;
                let var = ops::binary(BinOp::Div, &arr(&ss), &Operand::Float(n))?;
                ops::unary(UnOp::Sqrt, &var)?
            };
            ops::astype(&out, &out_dtype)
        }
    }
}
