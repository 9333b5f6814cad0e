//! NumPy indexing in a script: index strings (`x[":, 0"]`, `x["1:3, ..., -1"]`,
//! `x["::-1"]`, `x[":, None"]`) applied as views, and assignment `x[sel] = v`.
//!
//! Rhai has no slice syntax, so the NumPy spelling lives in a string, parsed here into
//! basic-index items and applied by moving the window (shape, strides, offset) of the array:
//! no data is read. Assignment is copy-on-write: an array is a value shared by every
//! variable holding it, so writing makes a new buffer unless the variable's array is the
//! only user of an owned buffer (then it is written in place, so a loop of single-element
//! assignments stays cheap). A memory-mapped file is never written.

use std::sync::Arc;

use super::promote::{broadcast_shapes, fmt_shape, Operand};
use super::{walk_offsets, Array, Buf, DType};
use crate::error::Result;
use crate::{bail, err};

/// One item of a basic index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    /// One position; the axis disappears.
    Int(i64),
    /// `start:stop:step` with Python's rules (absent bounds are `None`).
    Slice(Option<i64>, Option<i64>, i64),
    /// `...`: as many full slices as needed.
    Ellipsis,
    /// `None` / `newaxis`: a new axis of length 1.
    NewAxis,
}

/// Is `s` meant as a NumPy index rather than a field name? (Digits, `:`, `,`, `...`,
/// `None`.)
pub fn looks_like_index(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty()
        && (t.contains(':')
            || t.contains(',')
            || t.contains("...")
            || t == "None"
            || t == "newaxis"
            || super::rows::parse_count(t).is_ok())
}

fn bound(tok: &str, spec: &str) -> Result<Option<i64>> {
    let t = tok.trim();
    if t.is_empty() {
        return Ok(None);
    }
    super::rows::parse_count(t)
        .map(Some)
        .map_err(|_| err!("index '{spec}': '{t}' is not an integer (examples: 5, -1, 10k, 2M)"))
}

/// Parse a NumPy index string: items separated by commas, each an integer (k/M suffixes
/// allowed), a slice `start:stop:step`, `...`, or `None`.
pub fn parse(spec: &str) -> Result<Vec<Item>> {
    let mut items = Vec::new();
    let parts: Vec<&str> = spec.split(',').collect();
    for (k, part) in parts.iter().enumerate() {
        let p = part.trim();
        if p.is_empty() {
            // a trailing comma, as in Python's `x[0,]`
            if k + 1 == parts.len() && k > 0 {
                continue;
            }
            bail!("index '{spec}': empty item at position {}", k + 1);
        }
        let item = if p == "..." {
            Item::Ellipsis
        } else if p == "None" || p == "newaxis" || p == "np.newaxis" {
            Item::NewAxis
        } else if p.contains(':') {
            let b: Vec<&str> = p.split(':').collect();
            if b.len() > 3 {
                bail!("index '{spec}': '{p}' has too many ':' (start:stop:step)");
            }
            let step = match b.get(2) {
                Some(t) => bound(t, spec)?.unwrap_or(1),
                None => 1,
            };
            if step == 0 {
                bail!("index '{spec}': slice step cannot be zero");
            }
            Item::Slice(bound(b[0], spec)?, bound(b[1], spec)?, step)
        } else {
            match bound(p, spec)? {
                Some(i) => Item::Int(i),
                None => unreachable!("empty items are handled above"),
            }
        };
        items.push(item);
    }
    if items.iter().filter(|i| **i == Item::Ellipsis).count() > 1 {
        bail!("index '{spec}': an index can only have a single ellipsis ('...')");
    }
    Ok(items)
}

/// Apply basic-index items to `a` (a view).
pub fn apply(a: &Array, items: &[Item]) -> Result<Array> {
    let used = items
        .iter()
        .filter(|i| matches!(i, Item::Int(_) | Item::Slice(..)))
        .count();
    let nd = a.ndim();
    if used > nd {
        bail!(
            "too many indices for array: array is {nd}-dimensional (shape {}), but {used} were indexed",
            fmt_shape(a.shape())
        );
    }
    let mut out = a.clone();
    let mut ax = 0usize;
    for it in items {
        match *it {
            Item::Int(i) => {
                out = out.index_axis(ax, i).map_err(|_| {
                    err!(
                        "index {i} is out of bounds for axis {} with size {} (shape {})",
                        ax,
                        out.shape()[ax],
                        fmt_shape(a.shape())
                    )
                })?
            }
            Item::Slice(s, e, step) => {
                // A step as long as the axis or longer takes at most the first element,
                // the same as a step of the axis length; clamping it keeps the length and
                // stride arithmetic of huge steps (`"::-9223372036854775808"`) in range.
                let n = out.shape().get(ax).map_or(1, |&n| n.max(1)) as i64;
                let step = step.clamp(-n, n);
                out = out.slice_axis(ax, s, e, step)?;
                ax += 1;
            }
            Item::Ellipsis => ax += nd - used,
            Item::NewAxis => {
                out = out.insert_axis(ax)?;
                ax += 1;
            }
        }
    }
    Ok(out)
}

/// What `x[sel] = v` selects.
pub enum Target<'a> {
    /// Basic indexing (ints, slices, `...`, `None`).
    Basic(&'a [Item]),
    /// A bool mask over the leading axes.
    Mask(&'a Array),
    /// Integer positions along the first axis.
    Indices(&'a Array),
}

/// `x[sel] = v`: the array with the selected elements replaced by `v` (a scalar or an
/// array broadcast to the selection's shape, converted to `x`'s dtype with NumPy's
/// casting). `x` itself is written only when `x_unique` says nothing else can see its
/// buffer (see the module doc).
pub fn assign(x: &mut Array, target: Target<'_>, v: &Operand) -> Result<()> {
    let dtype = x.dtype().clone();
    if matches!(dtype, DType::Struct(_)) {
        bail!("assignment into structured arrays is not supported (assign to a field's copy)");
    }
    // Where the selected elements are: (shape of the selection, byte offsets by block).
    // The base we write into is C-contiguous and native, so blocks are contiguous runs.
    make_writable(x)?;
    let isz = dtype.itemsize();
    let (sel_shape, blocks, block_len) = match target {
        Target::Basic(items) => {
            let w = apply(x, items)?;
            let mut offs = crate::exec::out::alloc(w.size(), "assignment")?;
            w.for_each_offset(|o| offs.push(o));
            (w.shape().to_vec(), offs, 1usize)
        }
        Target::Mask(m) => {
            if *m.dtype() != DType::Bool {
                bail!(
                    "x[mask] = v: the mask must be bool, found {}",
                    m.dtype().name()
                );
            }
            let k = m.ndim();
            if k == 0 || k > x.ndim() || m.shape() != &x.shape()[..k] {
                bail!(
                    "x[mask] = v: a mask of shape {} does not match the array's shape {} (it must equal the leading axes)",
                    fmt_shape(m.shape()),
                    fmt_shape(x.shape())
                );
            }
            let inner: usize = x.shape()[k..].iter().product();
            let pos = super::select::true_indices(&m.reshape(vec![m.size()])?)?;
            let offs: Vec<usize> = pos.iter().map(|&p| x.offset + p * inner * isz).collect();
            let mut shape = vec![pos.len()];
            shape.extend_from_slice(&x.shape()[k..]);
            (shape, offs, inner)
        }
        Target::Indices(idx) => {
            if !idx.dtype().is_int() {
                bail!(
                    "x[idx] = v: the indices must be integers, found {}",
                    idx.dtype().name()
                );
            }
            if x.ndim() == 0 {
                bail!("x[idx] = v: a 0-d array has no rows");
            }
            let n = x.shape()[0] as i64;
            let inner: usize = x.shape()[1..].iter().product();
            let iv = super::ops::astype(idx, &DType::I64)?;
            let iv = iv.reshape(vec![iv.size()])?;
            let vals = iv.as_slice::<i64>()?;
            let mut offs = crate::exec::out::alloc(vals.len(), "assignment")?;
            for &i in vals.iter() {
                let j = if i < 0 { i + n } else { i };
                if j < 0 || j >= n {
                    bail!("x[idx] = v: index {i} is out of bounds for axis 0 with size {n}");
                }
                offs.push(x.offset + j as usize * inner * isz);
            }
            let mut shape = vec![vals.len()];
            shape.extend_from_slice(&x.shape()[1..]);
            (shape, offs, inner)
        }
    };
    let src = value_bytes(v, &dtype, &sel_shape)?;
    let run = block_len * isz;
    let buf = Arc::get_mut(&mut x.buf).ok_or_else(|| err!("internal: buffer not writable"))?;
    let dst = match buf {
        Buf::Owned(b) => b.bytes_mut(),
        Buf::Mapped { .. } => bail!("internal: a mapped buffer cannot be written"),
    };
    match src {
        Value::One(one) => {
            for &o in &blocks {
                for k in 0..block_len {
                    dst[o + k * isz..o + (k + 1) * isz].copy_from_slice(&one);
                }
            }
        }
        Value::Many(all) => {
            for (b, &o) in blocks.iter().enumerate() {
                dst[o..o + run].copy_from_slice(&all[b * run..(b + 1) * run]);
            }
        }
    }
    Ok(())
}

/// Make `x` a native, C-contiguous array over an owned buffer that nothing else shares
/// (copying it unless it already is one).
fn make_writable(x: &mut Array) -> Result<()> {
    let in_place = !x.buf.is_mapped()
        && !x.swapped
        && x.is_c_contiguous()
        && x.viewable()
        && Arc::strong_count(&x.buf) == 1
        && Arc::weak_count(&x.buf) == 0;
    if in_place {
        // a cached native copy would go stale
        x.native = Arc::new(std::sync::OnceLock::new());
        return Ok(());
    }
    *x = x.try_to_contiguous_native("assignment copy")?;
    Ok(())
}

enum Value {
    /// One element repeated.
    One(Vec<u8>),
    /// The selection's elements in C order.
    Many(Vec<u8>),
}

/// The bytes of `v` converted to `dtype` and broadcast to `shape`.
fn value_bytes(v: &Operand, dtype: &DType, shape: &[usize]) -> Result<Value> {
    let arr = match v {
        Operand::Arr(a) => a.clone(),
        Operand::Int(i) => {
            if dtype.is_int() && !int_fits(*i, dtype) {
                bail!(
                    "x[...] = {i}: the value is out of range for {}",
                    dtype.name()
                );
            }
            Array::from_vec(vec![*i], vec![])?
        }
        Operand::Float(f) => Array::from_vec(vec![*f], vec![])?,
        Operand::Bool(b) => Array::from_vec_typed(vec![*b as u8], DType::Bool, vec![])?,
    };
    let arr = if arr.dtype() == dtype {
        arr
    } else if dtype.is_numeric() && arr.dtype().is_numeric() {
        super::ops::astype(&arr, dtype)?
    } else {
        bail!(
            "cannot assign {} values into an array of {}",
            arr.dtype().name(),
            dtype.name()
        );
    };
    // NumPy: the value broadcasts to the selection (leading 1-axes of the value may drop)
    let mut vshape = arr.shape().to_vec();
    while vshape.len() > shape.len() && vshape[0] == 1 {
        vshape.remove(0);
    }
    let ok = vshape.len() <= shape.len()
        && broadcast_shapes(&vshape, shape).is_ok_and(|s| s.as_slice() == shape);
    if !ok {
        bail!(
            "could not broadcast a value of shape {} into the selection of shape {}",
            fmt_shape(arr.shape()),
            fmt_shape(shape)
        );
    }
    let isz = dtype.itemsize();
    let nat = arr.native().clone();
    if nat.size() == 1 {
        let mut one = Vec::new();
        nat.for_each_offset(|o| one.extend_from_slice(&nat.buf.bytes()[o..o + isz]));
        return Ok(Value::One(one));
    }
    // broadcast strides of the value against the selection's shape
    let lead = shape.len() - vshape.len();
    let vstr = &nat.strides[nat.ndim() - vshape.len()..];
    let mut strides = vec![0isize; shape.len()];
    for (k, (&d, &s)) in vshape.iter().zip(vstr).enumerate() {
        strides[lead + k] = if d == 1 { 0 } else { s };
    }
    let total = shape.iter().product::<usize>() * isz;
    let mut out = crate::exec::out::alloc(total, "assignment value")?;
    let bytes = nat.buf.bytes();
    walk_offsets(shape, &strides, nat.offset, |o| {
        out.extend_from_slice(&bytes[o..o + isz])
    });
    Ok(Value::Many(out))
}

fn int_fits(v: i64, d: &DType) -> bool {
    let (lo, hi): (i128, i128) = match d {
        DType::I8 => (i8::MIN as i128, i8::MAX as i128),
        DType::I16 => (i16::MIN as i128, i16::MAX as i128),
        DType::I32 => (i32::MIN as i128, i32::MAX as i128),
        DType::U8 => (0, u8::MAX as i128),
        DType::U16 => (0, u16::MAX as i128),
        DType::U32 => (0, u32::MAX as i128),
        DType::U64 => (0, u64::MAX as i128),
        _ => (i64::MIN as i128, i64::MAX as i128),
    };
    (lo..=hi).contains(&(v as i128))
}

/// A C-contiguous copy that nothing else shares (`x.copy()`).
pub fn copy(x: &Array) -> Result<Array> {
    // `x` still holds the buffer, so this always copies
    let mut c = x.clone();
    make_writable(&mut c)?;
    Ok(c)
}

/// Flat C-order positions of the nonzero (for bool: true) elements (`flatnonzero`).
pub fn flatnonzero(a: &Array) -> Result<Vec<usize>> {
    let m = if *a.dtype() == DType::Bool {
        a.clone()
    } else {
        super::ops::compare(
            super::ops::CmpOp::Ne,
            &Operand::Arr(a.clone()),
            &Operand::Int(0),
        )?
    };
    super::select::true_indices(&m)
}

/// The multi-index of each flat position, as one int64 column per axis.
fn unravel(flat: &[usize], shape: &[usize]) -> Result<Vec<Vec<i64>>> {
    let mut cols = Vec::with_capacity(shape.len());
    for _ in shape {
        let mut c = crate::exec::out::alloc(flat.len(), "nonzero")?;
        c.resize(flat.len(), 0i64);
        cols.push(c);
    }
    for (k, &p) in flat.iter().enumerate() {
        let mut r = p;
        for ax in (0..shape.len()).rev() {
            cols[ax][k] = (r % shape[ax]) as i64;
            r /= shape[ax];
        }
    }
    Ok(cols)
}

/// NumPy's `nonzero`: one int64 index array per axis.
pub fn nonzero(a: &Array) -> Result<Vec<Array>> {
    if a.ndim() == 0 {
        bail!("nonzero: a 0-d array has no axes to index (use x.reshape([1]) first)");
    }
    let flat = flatnonzero(a)?;
    let n = flat.len();
    unravel(&flat, a.shape())?
        .into_iter()
        .map(|c| Array::from_vec(c, vec![n]))
        .collect()
}

/// NumPy's `argwhere`: the indices of the nonzero elements as rows, shape (n, ndim).
pub fn argwhere(a: &Array) -> Result<Array> {
    let flat = flatnonzero(a)?;
    let n = flat.len();
    let nd = a.ndim();
    let cols = unravel(&flat, a.shape())?;
    let mut out = crate::exec::out::alloc(n * nd, "argwhere")?;
    for k in 0..n {
        out.extend(cols.iter().map(|c| c[k]));
    }
    Array::from_vec(out, vec![n, nd])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ar(n: i64) -> Array {
        Array::from_vec((0..n).collect::<Vec<i64>>(), vec![n as usize]).unwrap()
    }

    fn vals(a: &Array) -> Vec<i64> {
        let c = a.to_contiguous_native();
        c.as_slice::<i64>().unwrap().to_vec()
    }

    #[test]
    fn parses_numpy_index_strings() {
        assert_eq!(
            parse("1:3, ..., -1").unwrap(),
            vec![
                Item::Slice(Some(1), Some(3), 1),
                Item::Ellipsis,
                Item::Int(-1)
            ]
        );
        assert_eq!(parse("::-1").unwrap(), vec![Item::Slice(None, None, -1)]);
        assert_eq!(
            parse(":, None").unwrap(),
            vec![Item::Slice(None, None, 1), Item::NewAxis]
        );
        assert_eq!(
            parse("0:1M").unwrap(),
            vec![Item::Slice(Some(0), Some(1_000_000), 1)]
        );
        assert!(parse("::0").is_err());
        assert!(parse("..., ...").is_err());
        assert!(parse("a:b").is_err());
        assert!(parse("1:2:3:4").is_err());
    }

    #[test]
    fn views_match_numpy() {
        let m = ar(24).reshape(vec![2, 3, 4]).unwrap();
        let v = apply(&m, &parse(":, 0").unwrap()).unwrap();
        assert_eq!(v.shape(), &[2, 4]);
        assert_eq!(vals(&v), vec![0, 1, 2, 3, 12, 13, 14, 15]);
        let v = apply(&m, &parse("..., -1").unwrap()).unwrap();
        assert_eq!(vals(&v), vec![3, 7, 11, 15, 19, 23]);
        let v = apply(&ar(10), &parse("::-3").unwrap()).unwrap();
        assert_eq!(vals(&v), vec![9, 6, 3, 0]);
        let v = apply(&ar(5), &parse(":, None").unwrap()).unwrap();
        assert_eq!(v.shape(), &[5, 1]);
        assert!(apply(&ar(5), &parse("1, 2").unwrap()).is_err());
        assert!(apply(&ar(5), &parse("7").unwrap()).is_err());
    }

    #[test]
    fn assignment_is_copy_on_write() {
        let a = ar(6);
        let mut b = a.clone();
        assign(
            &mut b,
            Target::Basic(&parse("::2").unwrap()),
            &Operand::Int(-1),
        )
        .unwrap();
        assert_eq!(vals(&b), vec![-1, 1, -1, 3, -1, 5]);
        assert_eq!(vals(&a), vec![0, 1, 2, 3, 4, 5]);
        // now b is the only user: written in place
        let before = b.buf().bytes().as_ptr();
        assign(&mut b, Target::Basic(&[Item::Int(1)]), &Operand::Float(7.9)).unwrap();
        assert_eq!(b.buf().bytes().as_ptr(), before);
        assert_eq!(vals(&b), vec![-1, 7, -1, 3, -1, 5]);
        let m = Array::from_vec_typed(vec![1u8, 0, 0, 1, 0, 1], DType::Bool, vec![6]).unwrap();
        let vv = Array::from_vec(vec![10i64, 20, 30], vec![3]).unwrap();
        assign(&mut b, Target::Mask(&m), &Operand::Arr(vv)).unwrap();
        assert_eq!(vals(&b), vec![10, 7, -1, 20, -1, 30]);
        let idx = Array::from_vec(vec![-1i64, 0], vec![2]).unwrap();
        assign(&mut b, Target::Indices(&idx), &Operand::Int(0)).unwrap();
        assert_eq!(vals(&b), vec![0, 7, -1, 20, -1, 0]);
        assert!(assign(&mut b, Target::Mask(&m), &Operand::Arr(ar(2))).is_err());
    }

    #[test]
    fn assignment_broadcasts_rows() {
        let mut m = ar(6).reshape(vec![2, 3]).unwrap();
        let row = Array::from_vec(vec![7i64, 8, 9], vec![3]).unwrap();
        assign(
            &mut m,
            Target::Basic(&parse(":, :").unwrap()),
            &Operand::Arr(row),
        )
        .unwrap();
        assert_eq!(vals(&m), vec![7, 8, 9, 7, 8, 9]);
        let col = Array::from_vec(vec![1i64, 2], vec![2]).unwrap();
        assign(
            &mut m,
            Target::Basic(&parse(":, 1").unwrap()),
            &Operand::Arr(col),
        )
        .unwrap();
        assert_eq!(vals(&m), vec![7, 1, 9, 7, 2, 9]);
        let u = Array::from_vec(vec![1u8, 2], vec![2]).unwrap();
        let mut u2 = u.clone();
        assert!(assign(&mut u2, Target::Basic(&[Item::Int(0)]), &Operand::Int(300)).is_err());
    }

    #[test]
    fn nonzero_per_axis() {
        let m = Array::from_vec(vec![0i64, 3, 0, 0, 5, 6], vec![2, 3]).unwrap();
        let nz = nonzero(&m).unwrap();
        assert_eq!(vals(&nz[0]), vec![0, 1, 1]);
        assert_eq!(vals(&nz[1]), vec![1, 1, 2]);
        let w = argwhere(&m).unwrap();
        assert_eq!(w.shape(), &[3, 2]);
        assert_eq!(vals(&w), vec![0, 1, 1, 1, 1, 2]);
        assert_eq!(flatnonzero(&m).unwrap(), vec![1, 4, 5]);
    }
}
