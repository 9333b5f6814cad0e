//! Selections that copy: rows picked by a boolean mask or by an index list, and single
//! elements as script values. Works for every dtype (strings and records too) by copying
//! whole rows of bytes, in parallel chunks. C-contiguous arrays of 1, 2, 4 or 8-byte
//! elements take typed paths: rows are copied as runs of unsigned words of the element
//! size into an output written once without zeroing, and a boolean mask is compacted in
//! one pass per chunk (a count pass first gives every chunk its output offset), without
//! building an index list.

use std::sync::Arc;

use super::ops::fmt_shape;
use super::reduce::Scalar;
use crate::array::{c_strides, Array, Buf, DType};
use crate::error::Result;
use crate::{bail, err};

/// Run `$body` with `$U` bound to the unsigned word type of `$isz` bytes (1, 2, 4, 8).
macro_rules! with_word {
    ($isz:expr, $U:ident => $body:expr, else $other:expr) => {
        match $isz {
            1 => {
                type $U = u8;
                $body
            }
            2 => {
                type $U = u16;
                $body
            }
            4 => {
                type $U = u32;
                $body
            }
            8 => {
                type $U = u64;
                $body
            }
            _ => $other,
        }
    };
}

/// The elements of a C-contiguous native array of 1, 2, 4 or 8-byte elements as words of
/// that size (None for any other layout, or when the bytes are not aligned for `U`).
fn words<U: bytemuck::Pod>(src: &Array) -> Option<&[U]> {
    let isz = src.dtype().itemsize();
    if isz != std::mem::size_of::<U>() || src.swapped() || !src.is_c_contiguous() {
        return None;
    }
    let off = src.offset();
    let bytes = src.buf().bytes().get(off..off + src.size() * isz)?;
    bytemuck::try_cast_slice(bytes).ok()
}

/// Rows `rows` (within range) of `src` seen as rows of `re` words, gathered in parallel.
fn gather_words<U: bytemuck::Pod + Send + Sync>(
    src: &[U],
    re: usize,
    rows: &[usize],
) -> Result<Vec<U>> {
    let per = (crate::exec::chunk_rows(std::mem::size_of::<U>() * re.max(1))).max(1) * re;
    let nrows = src.len().checked_div(re).unwrap_or(0);
    crate::exec::par_collect(rows.len() * re, per, "take", |r, out| {
        let sel = &rows[r.start / re.max(1)..r.end / re.max(1)];
        if let Some(i) = sel.iter().find(|&&i| i >= nrows) {
            bail!("internal: row {i} out of range for {nrows} rows");
        }
        if re == 1 {
            out.extend(sel.iter().map(|&i| src[i]));
        } else {
            for &i in sel {
                out.copy(&src[i * re..(i + 1) * re]);
            }
        }
        Ok(())
    })
}

/// Rows of `src` (seen as rows of `re` words) where `mask` is non-zero, compacted in
/// parallel: a count pass per chunk of rows, then each chunk writes its own part.
fn compact_words<U: bytemuck::Pod + Send + Sync>(
    src: &[U],
    re: usize,
    mask: &[u8],
) -> Result<Vec<U>> {
    let per = crate::exec::chunk_rows(std::mem::size_of::<U>() * re.max(1)).max(1024);
    let counts = crate::exec::par_chunks(mask.len(), per, |r| {
        Ok(mask[r].iter().map(|&b| (b != 0) as usize).sum::<usize>())
    })?;
    let lens: Vec<usize> = counts.iter().map(|c| c * re).collect();
    crate::exec::par_collect_parts(&lens, "select", |c, out| {
        let lo = c * per;
        let m = &mask[lo..(lo + per).min(mask.len())];
        if re == 1 {
            let s = &src[lo..lo + m.len()];
            out.extend(m.iter().zip(s).filter(|(&b, _)| b != 0).map(|(_, &x)| x));
        } else {
            for (i, _) in m.iter().enumerate().filter(|(_, &b)| b != 0) {
                let r = lo + i;
                out.copy(&src[r * re..(r + 1) * re]);
            }
        }
        Ok(())
    })
}

/// Rows `idx` (already within `0..len`) of the first axis, as a new C-contiguous array of
/// shape `(idx.len(), ...rest)`.
pub fn take_rows(a: &Array, idx: &[usize]) -> Result<Array> {
    let _s = crate::prof::span("take_rows");
    if a.ndim() == 0 {
        bail!("cannot select rows of a 0-d array");
    }
    let src = a.native();
    let re: usize = src.shape()[1..].iter().product();
    let mut shape = src.shape().to_vec();
    shape[0] = idx.len();
    let fast = with_word!(src.dtype().itemsize(), U => {
        match words::<U>(src) {
            Some(w) => Some(Array::from_vec_typed(gather_words(w, re, idx)?, src.dtype().clone(), shape.clone())?),
            None => None,
        }
    }, else None);
    if let Some(r) = fast {
        return Ok(r);
    }
    let isz = src.dtype().itemsize();
    let row_elems: usize = src.shape()[1..].iter().product();
    let row_bytes = row_elems * isz;
    let mut shape = src.shape().to_vec();
    shape[0] = idx.len();
    let total = idx.len() * row_bytes;
    let mut out = vec![0u64; total.div_ceil(8)];
    let stride0 = src.strides()[0];
    let base = src.offset() as isize;
    let bytes = src.buf().bytes();
    // is one row (all axes but the first) contiguous in C order?
    let row_contig = {
        let c = c_strides(&src.shape()[1..], isz);
        src.shape()[1..]
            .iter()
            .zip(src.strides()[1..].iter().zip(&c))
            .all(|(&d, (&s, &cs))| d <= 1 || s == cs)
    };
    if total > 0 {
        let dst: &mut [u8] = &mut bytemuck::cast_slice_mut(&mut out)[..total];
        let rows_per = (crate::exec::chunk_rows(row_bytes)).max(1);
        super::ops::par_fill(dst, rows_per * row_bytes, |start, o| {
            let r0 = start / row_bytes;
            let nrows = o.len() / row_bytes;
            let rows = &idx[r0..r0 + nrows];
            let off = |i: usize| (base + i as isize * stride0) as usize;
            macro_rules! fixed {
                ($t:ty, $n:expr) => {{
                    for (d, &i) in o.chunks_exact_mut($n).zip(rows) {
                        let o0 = off(i);
                        let v = <$t>::from_ne_bytes(bytes[o0..o0 + $n].try_into().expect("size"));
                        d.copy_from_slice(&v.to_ne_bytes());
                    }
                }};
            }
            if row_contig {
                match row_bytes {
                    1 => fixed!(u8, 1),
                    2 => fixed!(u16, 2),
                    4 => fixed!(u32, 4),
                    8 => fixed!(u64, 8),
                    _ => {
                        for (d, &i) in o.chunks_exact_mut(row_bytes).zip(rows) {
                            let o0 = off(i);
                            d.copy_from_slice(&bytes[o0..o0 + row_bytes]);
                        }
                    }
                }
            } else {
                for (d, &i) in o.chunks_exact_mut(row_bytes).zip(rows) {
                    let row = src.index_axis(0, i as i64)?;
                    let mut k = 0;
                    row.for_each_offset(|eo| {
                        d[k..k + isz].copy_from_slice(&bytes[eo..eo + isz]);
                        k += isz;
                    });
                }
            }
            Ok(())
        })?;
    }
    let strides = c_strides(&shape, isz);
    Array::from_parts(
        Arc::new(Buf::Owned(Box::new(out))),
        src.dtype().clone(),
        false,
        shape,
        strides,
        0,
    )
}

/// `x[idx]` for an integer index array: rows of the first axis (negative indices count
/// from the end). The result has shape `idx.shape + x.shape[1:]`.
pub fn take_index(a: &Array, idx: &Array) -> Result<Array> {
    if !idx.dtype().is_int() {
        bail!(
            "index array must hold integers (or be a bool mask), found {}",
            idx.dtype().name()
        );
    }
    if a.ndim() == 0 {
        bail!("cannot index a 0-d array");
    }
    let n = a.shape()[0] as i64;
    let ii = super::ops::astype(idx, &DType::I64)?;
    let iv = ii.as_slice::<i64>()?;
    let rows = crate::exec::par_collect(iv.len(), super::ops::chunk_elems(8), "take", |r, out| {
        let part = &iv[r.clone()];
        if let Some(k) = part.iter().position(|&i| i < -n || i >= n) {
            bail!(
                "index {} (at position {} of the index array) is out of bounds for axis 0 with size {n}",
                part[k],
                r.start + k
            );
        }
        out.map(part, |i| (if i < 0 { i + n } else { i }) as usize);
        Ok(())
    })?;
    let out = take_rows(a, &rows)?;
    let mut shape = idx.shape().to_vec();
    shape.extend_from_slice(&a.shape()[1..]);
    out.reshape(shape)
}

/// Indices where a bool array is true (in C order), computed in parallel chunks.
pub fn true_indices(mask: &Array) -> Result<Vec<usize>> {
    let m = mask.as_slice::<u8>()?;
    let parts = crate::exec::par_chunks(m.len(), 1 << 20, |r| {
        let lo = r.start;
        Ok(m[r]
            .iter()
            .enumerate()
            .filter(|(_, &b)| b != 0)
            .map(|(i, _)| lo + i)
            .collect::<Vec<usize>>())
    })?;
    Ok(parts.concat())
}

/// `x[mask]`: a 1-d mask over the rows selects rows; a mask of the array's full shape
/// selects elements (giving a 1-d array), like NumPy.
pub fn select_mask(a: &Array, mask: &Array) -> Result<Array> {
    let _s = crate::prof::span("select");
    if *mask.dtype() != DType::Bool {
        return take_index(a, mask);
    }
    if a.ndim() == 0 {
        bail!("cannot select from a 0-d array");
    }
    let rows = mask.ndim() == 1 && mask.shape()[0] == a.shape()[0];
    if rows || mask.shape() == a.shape() {
        let flat;
        let a = if rows {
            a
        } else {
            flat = a.reshape(vec![a.size()])?;
            &flat
        };
        let src = a.native();
        let m = mask.as_slice::<u8>()?;
        let re: usize = src.shape()[1..].iter().product();
        let fast = with_word!(src.dtype().itemsize(), U => {
            match words::<U>(src) {
                Some(w) => {
                    let v = compact_words(w, re, &m)?;
                    let mut shape = src.shape().to_vec();
                    shape[0] = v.len() / re.max(1);
                    if re == 0 {
                        shape[0] = m.iter().filter(|&&b| b != 0).count();
                    }
                    Some(Array::from_vec_typed(v, src.dtype().clone(), shape)?)
                }
                None => None,
            }
        }, else None);
        if let Some(r) = fast {
            return Ok(r);
        }
        let idx = true_indices(mask)?;
        return take_rows(a, &idx);
    }
    bail!(
        "boolean mask of shape {} does not match array of shape {} (it must have the length of the first axis, {}, or the whole shape)",
        fmt_shape(mask.shape()),
        fmt_shape(a.shape()),
        a.shape()[0]
    )
}

/// The single element of a 0-d (or one-element) array as a script value. Strings are
/// decoded, records and complex numbers are given as their display text.
pub fn item(a: &Array) -> Result<Scalar> {
    if a.size() != 1 {
        bail!(
            "expected a single element, found an array of shape {}",
            fmt_shape(a.shape())
        );
    }
    let d = a.dtype().clone();
    crate::with_real_type!(&d, T => {
        let v = a.as_slice::<T>()?;
        Ok(Scalar::of(v[0], &d))
    }, else {
        let n = a.native();
        let mut s = String::new();
        n.for_each_offset(|off| s = super::format::element_text(n, off));
        Ok(Scalar::Str(s))
    })
}

/// Index the first axis: a sub-array, or for 1-d arrays the element itself.
pub fn index_first(a: &Array, i: i64) -> Result<IndexResult> {
    if a.ndim() == 0 {
        bail!("cannot index a 0-d array (shape ())");
    }
    let r = a.index_axis(0, i)?;
    if r.ndim() == 0 {
        Ok(IndexResult::Scalar(item(&r)?))
    } else {
        Ok(IndexResult::Array(r))
    }
}

/// What `x[i]` gives.
pub enum IndexResult {
    Scalar(Scalar),
    Array(Array),
}

/// All elements in C order as script values, refusing more than `limit` elements.
pub fn to_scalars(a: &Array, limit: usize) -> Result<Vec<Scalar>> {
    if a.size() > limit {
        bail!(
            "to_list: the array has {} elements (shape {}); lists of more than {} are refused to keep the session responsive; take a part first (x.head(n), x[0..n], x[mask])",
            a.size(),
            fmt_shape(a.shape()),
            limit
        );
    }
    let d = a.dtype().clone();
    crate::with_real_type!(&d, T => {
        let v = a.as_slice::<T>()?;
        Ok(v.iter().map(|&x| Scalar::of(x, &d)).collect())
    }, else {
        let n = a.native();
        let mut out = Vec::with_capacity(a.size());
        n.for_each_offset(|off| out.push(Scalar::Str(super::format::element_text(n, off))));
        Ok(out)
    })
}

/// Parse a dtype name for a function, with an error naming the function.
pub fn dtype_arg(name: &str, func: &str) -> Result<DType> {
    DType::parse(name)
        .map_err(|e| err!("{func}: {e} (examples: \"f4\", \"float64\", \"i8\", \"u2\", \"bool\")"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_and_index_selection() {
        let a = Array::from_vec((0..12i32).collect(), vec![4, 3]).unwrap();
        let m = Array::from_bools(vec![true, false, false, true]);
        let s = select_mask(&a, &m).unwrap();
        assert_eq!(s.shape(), &[2, 3]);
        assert_eq!(
            s.as_slice::<i32>().unwrap().to_vec(),
            vec![0, 1, 2, 9, 10, 11]
        );
        let idx = Array::from_vec(vec![-1i64, 0, 0], vec![3]).unwrap();
        let t = take_index(&a, &idx).unwrap();
        assert_eq!(
            t.as_slice::<i32>().unwrap().to_vec(),
            vec![9, 10, 11, 0, 1, 2, 0, 1, 2]
        );
        let bad = Array::from_vec(vec![4i64], vec![1]).unwrap();
        assert!(take_index(&a, &bad)
            .unwrap_err()
            .to_string()
            .contains("out of bounds"));
        // strided rows (a transposed view) and element masks
        let tt = a.transpose();
        let r = take_rows(&tt, &[2, 0]).unwrap();
        assert_eq!(
            r.as_slice::<i32>().unwrap().to_vec(),
            vec![2, 5, 8, 11, 0, 3, 6, 9]
        );
        let full = Array::from_vec(
            (0..12).map(|i| (i % 5 == 0) as u8).collect::<Vec<u8>>(),
            vec![4, 3],
        )
        .unwrap();
        let full = full.view_as(DType::Bool).unwrap();
        let e = select_mask(&a, &full).unwrap();
        assert_eq!(e.as_slice::<i32>().unwrap().to_vec(), vec![0, 5, 10]);
        let wrong = Array::from_bools(vec![true; 3]);
        let msg = select_mask(&a, &wrong).unwrap_err().to_string();
        assert!(msg.contains("(3,)") && msg.contains("(4, 3)"), "{msg}");
        // a column view (strided 1-d) through the fixed-size path
        let col = a.index_axis(1, 1).unwrap();
        let c = take_rows(&col, &[3, 1]).unwrap();
        assert_eq!(c.as_slice::<i32>().unwrap().to_vec(), vec![10, 4]);
    }

    #[test]
    fn items() {
        let a = Array::from_vec(vec![1.5f32, 2.0], vec![2]).unwrap();
        assert!(
            matches!(index_first(&a, -1).unwrap(), IndexResult::Scalar(Scalar::Float(x)) if x == 2.0)
        );
        assert!(index_first(&a, 2).is_err());
        let l = to_scalars(&a, 10).unwrap();
        assert_eq!(l, vec![Scalar::Float(1.5), Scalar::Float(2.0)]);
        assert!(to_scalars(&a, 1).unwrap_err().to_string().contains("head"));
    }
}
