//! Ordering: `sort`, stable `argsort`, `unique` and `unique_counts` (the "what values
//! does this flag column hold, and how often" question asked of every new file).
//! NaN sorts last and counts as one value, as in NumPy.

use std::cmp::Ordering;

use rayon::prelude::*;

use super::ops::{wrap, Real};
use crate::array::{Array, DType};
use crate::bail;
use crate::error::Result;
use crate::output::table::{Col, Table};

/// Total order with NaN after every number.
#[inline]
fn cmp_nan_last<T: Real>(a: &T, b: &T) -> Ordering {
    match a.partial_cmp(b) {
        Some(o) => o,
        None => a.is_nan().cmp(&b.is_nan()),
    }
}

#[inline]
fn same<T: Real>(a: T, b: T) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

fn check(a: &Array, what: &str) -> Result<()> {
    let d = a.dtype();
    if !d.is_numeric() || d.is_complex() {
        bail!("{what}: not supported for arrays of dtype {}", d.name());
    }
    Ok(())
}

fn sort_typed<T: Real>(a: &Array) -> Result<Array> {
    let mut v = a.as_slice::<T>()?.into_owned();
    let shape = a.shape().to_vec();
    let row = shape.last().copied().unwrap_or(1).max(1);
    if shape.len() <= 1 {
        v.par_sort_unstable_by(cmp_nan_last);
    } else {
        v.par_chunks_mut(row).try_for_each(|r| {
            crate::exec::check()?;
            r.sort_unstable_by(cmp_nan_last);
            Ok::<(), crate::Error>(())
        })?;
    }
    crate::exec::check()?;
    wrap(v, a.dtype().clone(), shape)
}

/// A sorted copy (along the last axis; NaN last).
pub fn sort(a: &Array) -> Result<Array> {
    let _s = crate::prof::span("sort");
    crate::exec::page_in(a);
    check(a, "sort")?;
    crate::with_real_type!(a.dtype(), T => sort_typed::<T>(a), else unreachable!())
}

fn argsort_typed<T: Real>(a: &Array) -> Result<Array> {
    let v = a.as_slice::<T>()?;
    let shape = a.shape().to_vec();
    let row = shape.last().copied().unwrap_or(1).max(1);
    let mut idx: Vec<i64> = (0..v.len() as i64).map(|i| i % row as i64).collect();
    if shape.len() <= 1 {
        idx.par_sort_by(|&i, &j| cmp_nan_last(&v[i as usize], &v[j as usize]));
    } else {
        idx.par_chunks_mut(row)
            .enumerate()
            .try_for_each(|(r, ix)| {
                crate::exec::check()?;
                let vals = &v[r * row..(r + 1) * row];
                ix.sort_by(|&i, &j| cmp_nan_last(&vals[i as usize], &vals[j as usize]));
                Ok::<(), crate::Error>(())
            })?;
    }
    crate::exec::check()?;
    wrap(idx, DType::I64, shape)
}

/// Indices that sort the array along its last axis (stable: equal values keep their
/// order; NaN last).
pub fn argsort(a: &Array) -> Result<Array> {
    let _s = crate::prof::span("argsort");
    crate::exec::page_in(a);
    check(a, "argsort")?;
    crate::with_real_type!(a.dtype(), T => argsort_typed::<T>(a), else unreachable!())
}

/// Distinct values (sorted) and how often each occurs, over all elements.
fn counts_typed<T: Real>(a: &Array) -> Result<(Vec<T>, Vec<i64>)> {
    let v = a.as_slice::<T>()?;
    if !T::FLOAT && std::mem::size_of::<T>() <= 2 {
        // small integers: a histogram over all possible values
        let bits = std::mem::size_of::<T>() * 8;
        let nv = 1usize << bits;
        let signed = T::lo().to_i64() < 0;
        let key = move |x: T| -> usize {
            let i = x.to_i64();
            (if signed { i + (nv as i64 / 2) } else { i }) as usize
        };
        let hist = crate::exec::par_reduce(
            v.len(),
            1 << 20,
            |r| {
                let mut h = vec![0i64; nv];
                for &x in &v[r] {
                    h[key(x)] += 1;
                }
                Ok(h)
            },
            || vec![0i64; nv],
            |mut a, b| {
                a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                a
            },
        )?;
        let mut vals = vec![];
        let mut cnts = vec![];
        for (k, &c) in hist.iter().enumerate() {
            if c > 0 {
                let i = if signed {
                    k as i64 - nv as i64 / 2
                } else {
                    k as i64
                };
                vals.push(T::from_i64(i));
                cnts.push(c);
            }
        }
        return Ok((vals, cnts));
    }
    let mut s = v.into_owned();
    s.par_sort_unstable_by(cmp_nan_last);
    crate::exec::check()?;
    let mut vals: Vec<T> = vec![];
    let mut cnts: Vec<i64> = vec![];
    for &x in &s {
        match vals.last() {
            Some(&l) if same(l, x) => *cnts.last_mut().expect("pushed together") += 1,
            _ => {
                vals.push(x);
                cnts.push(1);
            }
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
