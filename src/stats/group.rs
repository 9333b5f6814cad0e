//! `group_stats`: per-key counts and sums (hits per track, hits kept per track), the
//! pandas `groupby(key).agg(count, sum)` of the evaluation scripts, in one parallel pass.
//! Dense keys (ids in a range not much larger than the data) are counted in arrays;
//! sparse keys go through hash maps merged across threads.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::array::ops::astype;
use crate::array::{Array, DType};
use crate::bail;
use crate::error::Result;
use crate::output::table::{Col, Table};

use super::data;

/// Per-key counts and column sums as a table: `key`, `count`, then one column per value
/// column holding its sum (integer for bool/integer columns, float otherwise). Rows are
/// sorted by key; only keys that occur (after `mask`) appear.
pub fn group_stats(key: &Array, cols: &[(String, Array)], mask: Option<&Array>) -> Result<Table> {
    let _s = crate::prof::span("group_stats");
    data::check_real(key, "group_stats", "key")?;
    let n = key.size();
    let kd = key.dtype();
    if kd.is_float() {
        let kf = data::as_f64(key, "group_stats", "key")?;
        let bad = kf.as_slice::<f64>()?.iter().position(|v| v.fract() != 0.0);
        if let Some(i) = bad {
            bail!(
                "group_stats: key must hold whole numbers (ids); element {i} is {}",
                kf.as_slice::<f64>()?[i]
            );
        }
        // Whole floats beyond the int64 range would be clamped into other keys.
        let big = kf
            .as_slice::<f64>()?
            .iter()
            .position(|&v| !(-9.223372036854776e18..9.223372036854776e18).contains(&v));
        if let Some(i) = big {
            bail!(
                "group_stats: key element {i} is {}, outside the int64 range of keys",
                kf.as_slice::<f64>()?[i]
            );
        }
    }
    if *kd == DType::U64 {
        let k = key.to_contiguous_native();
        if let Some(i) = k
            .as_slice::<u64>()?
            .iter()
            .position(|&v| v > i64::MAX as u64)
        {
            bail!(
                "group_stats: key element {i} is {}, outside the int64 range of keys",
                k.as_slice::<u64>()?[i]
            );
        }
    }
    let k64 = astype(key, &DType::I64)?;
    let ks = k64.as_slice::<i64>()?;
    let m = super::binning::opt_mask(mask, n, "group_stats")?;
    let m = m.as_deref();
    let mut vals = vec![];
    let mut int_col = vec![];
    for (name, a) in cols {
        data::check_len(a, n, "group_stats", &format!("column '{name}'"), "key")?;
        int_col.push(!a.dtype().is_float());
        vals.push(data::as_f64(a, "group_stats", &format!("column '{name}'"))?);
    }
    let vs: Vec<std::borrow::Cow<[f64]>> = vals
        .iter()
        .map(|v| v.as_slice::<f64>())
        .collect::<Result<_>>()?;
    let nv = vs.len();
    let kept = |i: usize| m.is_none_or(|m| m[i] != 0);
    let mm = ks
        .par_iter()
        .enumerate()
        .filter(|(i, _)| kept(*i))
        .map(|(_, &k)| (k, k))
        .reduce(|| (i64::MAX, i64::MIN), |a, b| (a.0.min(b.0), a.1.max(b.1)));
    let ch = data::chunk(8 * (1 + nv));
    let nch = n.div_ceil(ch);
    let (keys, counts, sums): (Vec<i64>, Vec<u64>, Vec<Vec<f64>>) = if mm.0 > mm.1 {
        (vec![], vec![], vec![vec![]; nv])
    } else if ((mm.1 as i128 - mm.0 as i128) as u128) < (4 * n as u128).clamp(1 << 16, 1 << 26) {
        let lo = mm.0;
        let range = (mm.1 - mm.0 + 1) as usize;
        let (c, s) = (0..nch)
            .into_par_iter()
            .try_fold(
                || (vec![0u64; range], vec![vec![0f64; range]; nv]),
                |(mut c, mut s), j| {
                    crate::exec::check()?;
                    for i in j * ch..((j + 1) * ch).min(n) {
                        if !kept(i) {
                            continue;
                        }
                        let b = (ks[i] - lo) as usize;
                        c[b] += 1;
                        for (col, v) in s.iter_mut().zip(&vs) {
                            col[b] += v[i];
                        }
                    }
                    Ok::<_, crate::Error>((c, s))
                },
            )
            .try_reduce(
                || (vec![0u64; range], vec![vec![0f64; range]; nv]),
                |(mut a, mut sa), (b, sb)| {
                    a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                    for (x, y) in sa.iter_mut().zip(&sb) {
                        x.iter_mut().zip(y).for_each(|(p, q)| *p += q);
                    }
                    Ok((a, sa))
                },
            )?;
        let idx: Vec<usize> = (0..range).filter(|&b| c[b] > 0).collect();
        (
            idx.iter().map(|&b| lo + b as i64).collect(),
            idx.iter().map(|&b| c[b]).collect(),
            s.iter()
                .map(|col| idx.iter().map(|&b| col[b]).collect())
                .collect(),
        )
    } else {
        type M = HashMap<i64, (u64, Vec<f64>)>;
        let map: M = (0..nch)
            .into_par_iter()
            .try_fold(M::new, |mut h, j| {
                crate::exec::check()?;
                for i in j * ch..((j + 1) * ch).min(n) {
                    if !kept(i) {
                        continue;
                    }
                    let e = h.entry(ks[i]).or_insert_with(|| (0, vec![0.0; nv]));
                    e.0 += 1;
                    for (s, v) in e.1.iter_mut().zip(&vs) {
                        *s += v[i];
                    }
                }
                Ok::<_, crate::Error>(h)
            })
            .try_reduce(M::new, |mut a, b| {
                for (k, (c, s)) in b {
                    let e = a.entry(k).or_insert_with(|| (0, vec![0.0; nv]));
                    e.0 += c;
                    e.1.iter_mut().zip(&s).for_each(|(x, y)| *x += y);
                }
                Ok(a)
            })?;
        let mut keys: Vec<i64> = map.keys().copied().collect();
        keys.sort_unstable();
        let counts = keys.iter().map(|k| map[k].0).collect();
        let sums = (0..nv)
            .map(|c| keys.iter().map(|k| map[k].1[c]).collect())
            .collect();
        (keys, counts, sums)
    };
    let ngroups = keys.len();
    let mut t = Table::new(Some("group stats".to_string()))
        .with("key", Col::Int(keys))?
        .with(
            "count",
            Col::Int(counts.iter().map(|&c| c as i64).collect()),
        )?;
    for (((name, _), s), int) in cols.iter().zip(sums).zip(int_col) {
        let col = if int {
            Col::Int(s.iter().map(|&v| v as i64).collect())
        } else {
            Col::Float(s)
        };
        t.push(name.clone(), col)?;
    }
    t.footer.push(format!(
        "{} groups",
        crate::output::table_fmt::group_digits(ngroups)
    ));
    Ok(t)
}
