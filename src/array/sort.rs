//! Ordering: `sort`, stable `argsort`, `unique` and `unique_counts` (the "what values
//! does this flag column hold, and how often" question asked of every new file).
//! NaN sorts last and counts as one value, as in NumPy.

use super::ops::{wrap, Real};
use super::radix::{self, alloc, Mode, Out, SortKey};
use crate::array::{Array, DType, Elem};
use crate::bail;
use crate::error::Result;
use crate::exec::progress::Progress;
use crate::output::table::{Col, Table};

/// Lanes at least this long are sorted one after another, each by the parallel radix
/// sort; shorter lanes are spread over the threads, each sorted on one thread.
const BIG_LANE: usize = 1 << 16;

fn check(a: &Array, what: &str) -> Result<()> {
    let d = a.dtype();
    if !d.is_numeric() || d.is_complex() {
        bail!("{what}: not supported for arrays of dtype {}", d.name());
    }
    Ok(())
}

/// The lanes of a C-ordered array of `shape` along `axis`: lane `l` starts at
/// `(l / inner) * len * inner + l % inner` and steps by `inner`.
struct Lanes {
    count: usize,
    len: usize,
    inner: usize,
}

impl Lanes {
    fn new(shape: &[usize], axis: usize) -> Lanes {
        let outer: usize = shape[..axis].iter().product();
        let inner: usize = shape[axis + 1..].iter().product();
        Lanes {
            count: outer * inner,
            len: shape[axis],
            inner,
        }
    }
    fn base(&self, l: usize) -> usize {
        (l / self.inner) * self.len * self.inner + l % self.inner
    }
}

/// Sort every lane of `a` along `axis` with `lane_sort` (`radix::sort_into` or
/// `radix::argsort_into`), writing a C-ordered result of `a`'s shape.
fn along<T: SortKey + Elem, O: bytemuck::Pod + Send + Sync>(
    a: &Array,
    axis: usize,
    lane_sort: impl Fn(&[T], &mut [O], Mode) -> Result<()> + Sync,
) -> Result<Vec<O>> {
    let data = a.as_slice::<T>()?;
    let n = data.len();
    let mut out: Vec<O> = alloc(n, "sort output")?;
    if n == 0 {
        return Ok(out);
    }
    let lanes = Lanes::new(a.shape(), axis);
    let len = lanes.len;
    if len >= BIG_LANE || lanes.count == 1 {
        // Few long lanes: one after another, each on all threads, under one progress bar.
        let prog = Progress::new(
            crate::prof::current_name(),
            lanes.count as u64 * radix::progress_rows(len, T::BITS),
        );
        let mode = Mode::Parallel(&prog);
        let (mut src, mut dst): (Vec<T>, Vec<O>) = (vec![], vec![]);
        for l in 0..lanes.count {
            crate::exec::check()?;
            let b = lanes.base(l);
            if lanes.inner == 1 {
                lane_sort(&data[b..b + len], &mut out[b..b + len], mode)?;
                continue;
            }
            if src.is_empty() {
                src = alloc(len, "sort lane")?;
                dst = alloc(len, "sort lane")?;
            }
            for (k, s) in src.iter_mut().enumerate() {
                *s = data[b + k * lanes.inner];
            }
            lane_sort(&src, &mut dst, mode)?;
            for (k, &d) in dst.iter().enumerate() {
                out[b + k * lanes.inner] = d;
            }
        }
        return Ok(out);
    }
    // Many short lanes: chunks of consecutive lanes in parallel (consecutive lanes of a
    // strided axis share cache lines, so gathering them one after another stays cheap).
    let o = Out(out.as_mut_ptr());
    let per_chunk = ((1usize << 16) / len).max(1);
    crate::exec::par_chunks(lanes.count, per_chunk, |r| {
        let mut src: Vec<T> = Vec::with_capacity(len);
        let mut dst: Vec<O> = vec![O::zeroed(); len];
        for l in r {
            let b = lanes.base(l);
            if lanes.inner == 1 {
                lane_sort(&data[b..b + len], &mut dst, Mode::Serial)?;
                for (k, &d) in dst.iter().enumerate() {
                    // SAFETY: lane l alone owns positions b..b+len of `out`.
                    unsafe { o.put(b + k, d) };
                }
            } else {
                src.clear();
                src.extend((0..len).map(|k| data[b + k * lanes.inner]));
                lane_sort(&src, &mut dst, Mode::Serial)?;
                for (k, &d) in dst.iter().enumerate() {
                    // SAFETY: lane l alone owns positions b + k*inner of `out`.
                    unsafe { o.put(b + k * lanes.inner, d) };
                }
            }
        }
        Ok(())
    })?;
    Ok(out)
}

fn sort_typed<T: SortKey + Elem>(a: &Array, axis: usize) -> Result<Array> {
    let v = along::<T, T>(a, axis, radix::sort_into)?;
    wrap(v, a.dtype().clone(), a.shape().to_vec())
}

fn argsort_typed<T: SortKey + Elem>(a: &Array, axis: usize) -> Result<Array> {
    let v = along::<T, i64>(a, axis, radix::argsort_into)?;
    wrap(v, DType::I64, a.shape().to_vec())
}

/// A sorted copy along `axis` (negative counts from the end): NumPy's
/// `np.sort(a, axis, kind="stable")`, bit for bit (NaN last, `-0.0`/`0.0` in input order).
pub fn sort_axis(a: &Array, axis: i64) -> Result<Array> {
    let _s = crate::prof::span("sort");
    check(a, "sort")?;
    let ax = a.axis(axis)?;
    crate::exec::page_in(a);
    crate::with_real_type!(a.dtype(), T => sort_typed::<T>(a, ax), else unreachable!())
}

/// Indices that sort `a` along `axis` (stable, int64): NumPy's
/// `np.argsort(a, axis, kind="stable")`.
pub fn argsort_axis(a: &Array, axis: i64) -> Result<Array> {
    let _s = crate::prof::span("argsort");
    check(a, "argsort")?;
    let ax = a.axis(axis)?;
    crate::exec::page_in(a);
    crate::with_real_type!(a.dtype(), T => argsort_typed::<T>(a, ax), else unreachable!())
}

/// A sorted copy (along the last axis; NaN last; a 0-d array is returned as is).
pub fn sort(a: &Array) -> Result<Array> {
    if a.ndim() == 0 {
        check(a, "sort")?;
        return Ok(a.native().clone());
    }
    sort_axis(a, -1)
}

/// Indices that sort the array along its last axis (stable: equal values keep their
/// order; NaN last). A 0-d array gives the 0-d index 0.
pub fn argsort(a: &Array) -> Result<Array> {
    if a.ndim() == 0 {
        check(a, "argsort")?;
        return wrap(vec![0i64], DType::I64, vec![]);
    }
    argsort_axis(a, -1)
}

/// Distinct values (sorted, NumPy order) and how often each occurs, over all elements.
/// Values with one key (all NaNs; `-0.0` and `0.0`) count as one, shown by the first of
/// them in a stable sort.
fn counts_typed<T: SortKey + Real>(a: &Array) -> Result<(Vec<T>, Vec<i64>)> {
    let v = a.as_slice::<T>()?;
    let n = v.len();
    if n == 0 {
        return Ok((vec![], vec![]));
    }
    let chunk = 1 << 20;
    if !T::FLOAT {
        // Integers spanning a small range: one histogram pass over [min, max].
        let (lo, hi, vlo) = crate::exec::par_reduce(
            n,
            chunk,
            |r| {
                let (mut lo, mut hi, mut vlo) = (u64::MAX, 0u64, v[r.start]);
                for &x in &v[r] {
                    let k = x.key();
                    if k < lo {
                        lo = k;
                        vlo = x;
                    }
                    hi = hi.max(k);
                }
                Ok((lo, hi, vlo))
            },
            || (u64::MAX, 0, v[0]),
            |a, b| {
                (
                    if a.0 <= b.0 { a.0 } else { b.0 },
                    a.1.max(b.1),
                    if a.0 <= b.0 { a.2 } else { b.2 },
                )
            },
        )?;
        if hi - lo < 1 << 16 {
            let range = (hi - lo) as usize + 1;
            let hist = crate::exec::par_reduce(
                n,
                chunk,
                |r| {
                    let mut h = vec![0i64; range];
                    for &x in &v[r] {
                        h[(x.key() - lo) as usize] += 1;
                    }
                    Ok(h)
                },
                || vec![0i64; range],
                |mut a, b| {
                    a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                    a
                },
            )?;
            let base = vlo.to_i64();
            let (mut vals, mut cnts) = (vec![], vec![]);
            for (k, &c) in hist.iter().enumerate() {
                if c > 0 {
                    vals.push(T::from_i64(base.wrapping_add(k as i64)));
                    cnts.push(c);
                }
            }
            return Ok((vals, cnts));
        }
    }
    let mut s: Vec<T> = alloc(n, "unique")?;
    let prog = Progress::new(
        crate::prof::current_name(),
        radix::progress_rows(n, T::BITS),
    );
    radix::sort_into(&v, &mut s, Mode::Parallel(&prog))?;
    drop(prog);
    drop(v);
    // Runs of equal keys per chunk, joined where a run crosses a chunk border.
    let runs = crate::exec::par_chunks(n, chunk, |r| {
        let mut vals: Vec<T> = vec![];
        let mut cnts: Vec<i64> = vec![];
        let mut last = None;
        for &x in &s[r] {
            let k = x.key();
            if last == Some(k) {
                *cnts.last_mut().expect("a run is open") += 1;
            } else {
                vals.push(x);
                cnts.push(1);
                last = Some(k);
            }
        }
        Ok((vals, cnts))
    })?;
    let (mut vals, mut cnts): (Vec<T>, Vec<i64>) = (vec![], vec![]);
    for (vs, cs) in runs {
        let mut it = vs.into_iter().zip(cs);
        if let (Some(&l), Some((f, c))) = (vals.last(), it.clone().next()) {
            if l.key() == f.key() {
                *cnts.last_mut().expect("a run is open") += c;
                it.next();
            }
        }
        for (x, c) in it {
            vals.push(x);
            cnts.push(c);
        }
    }
    Ok((vals, cnts))
}

/// The distinct values, sorted (1-d).
pub fn unique(a: &Array) -> Result<Array> {
    let _s = crate::prof::span("unique");
    check(a, "unique")?;
    crate::with_real_type!(a.dtype(), T => {
        let (vals, _) = counts_typed::<T>(a)?;
        let n = vals.len();
        wrap(vals, a.dtype().clone(), vec![n])
    }, else unreachable!())
}

/// A table of the distinct values (`value`) and their counts (`count`), most frequent
/// first (ties in value order).
pub fn unique_counts(a: &Array) -> Result<Table> {
    let _s = crate::prof::span("unique_counts");
    check(a, "unique_counts")?;
    let d = a.dtype().clone();
    let (col, cnts) = crate::with_real_type!(&d, T => {
        let (vals, cnts) = counts_typed::<T>(a)?;
        let mut order: Vec<usize> = (0..vals.len()).collect();
        order.sort_by(|&i, &j| cnts[j].cmp(&cnts[i]));
        let col = if d == DType::Bool {
            Col::Bool(order.iter().map(|&i| vals[i].to_i64() != 0).collect())
        } else if T::FLOAT {
            Col::Float(order.iter().map(|&i| vals[i].to_f64()).collect())
        } else {
            Col::Int(order.iter().map(|&i| vals[i].to_i64()).collect())
        };
        (col, order.iter().map(|&i| cnts[i]).collect::<Vec<i64>>())
    }, else unreachable!());
    let distinct = cnts.len();
    let mut t = Table::new(Some(format!(
        "unique_counts {} {}",
        d.name(),
        super::ops::fmt_shape(a.shape())
    )));
    t.push("value", col)?;
    t.push("count", Col::Int(cnts))?;
    t.footer.push(format!(
        "{distinct} distinct values in {} elements",
        a.size()
    ));
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorting() {
        let a = Array::from_vec(vec![3.0f32, f32::NAN, -1.0, 3.0, 0.5], vec![5]).unwrap();
        let s = sort(&a).unwrap();
        let v = s.as_slice::<f32>().unwrap();
        assert_eq!(&v[..4], &[-1.0, 0.5, 3.0, 3.0]);
        assert!(v[4].is_nan());
        let i = argsort(&a).unwrap();
        assert_eq!(i.as_slice::<i64>().unwrap().to_vec(), vec![2, 4, 0, 3, 1]);
        let m = Array::from_vec(vec![2i32, 1, 1, 9, 0, 9], vec![2, 3]).unwrap();
        assert_eq!(
            sort(&m).unwrap().as_slice::<i32>().unwrap().to_vec(),
            vec![1, 1, 2, 0, 9, 9]
        );
        assert_eq!(
            argsort(&m).unwrap().as_slice::<i64>().unwrap().to_vec(),
            vec![1, 2, 0, 1, 0, 2]
        );
    }

    #[test]
    fn uniques() {
        let a = Array::from_vec(vec![5i16, -2, 5, 7, -2, 5], vec![6]).unwrap();
        let u = unique(&a).unwrap();
        assert_eq!(u.as_slice::<i16>().unwrap().to_vec(), vec![-2, 5, 7]);
        let t = unique_counts(&a).unwrap();
        assert_eq!(t.col("value").unwrap(), &Col::Int(vec![5, -2, 7]));
        assert_eq!(t.col("count").unwrap(), &Col::Int(vec![3, 2, 1]));
        let f = Array::from_vec(vec![f64::NAN, 1.0, f64::NAN, 1.0, 2.0], vec![5]).unwrap();
        let t = unique_counts(&f).unwrap();
        assert_eq!(t.col("count").unwrap(), &Col::Int(vec![2, 2, 1]));
        let Col::Float(v) = t.col("value").unwrap() else {
            panic!()
        };
        assert_eq!(v[0], 1.0);
        assert!(v[1].is_nan());
    }
}
