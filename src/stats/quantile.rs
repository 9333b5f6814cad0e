//! Exact quantiles without sorting (or copying) the data: one pass finds the range, a
//! second counts values into 65,536 fine bins, a third collects only the values of the
//! few bins that hold the wanted ranks. Used for percentile bin ranges
//! (`hist(x, #{range: "99.7%"})`); results equal `np.percentile(x, q)` (linear method).

use std::borrow::Cow;

use super::data::chunk;
use crate::array::ops::Real;
use crate::array::Array;
use crate::bail;
use crate::error::Result;

fn slice_of<T: Real>(x: &Array) -> Result<Cow<'_, [T]>> {
    x.as_slice::<T>()
}

#[inline]
fn kept(m: Option<&[u8]>, i: usize) -> bool {
    m.is_none_or(|m| m[i] != 0)
}

fn min_max_typed<T: Real>(x: &Array, mask: Option<&[u8]>) -> Result<(u64, f64, f64)> {
    let s = slice_of::<T>(x)?;
    crate::exec::par_reduce(
        s.len(),
        chunk(std::mem::size_of::<T>()),
        |r| {
            let (mut n, mut lo, mut hi) = (0u64, f64::INFINITY, f64::NEG_INFINITY);
            for i in r {
                let v = s[i].to_f64();
                if v.is_nan() || !kept(mask, i) {
                    continue;
                }
                n += 1;
                lo = lo.min(v);
                hi = hi.max(v);
            }
            Ok((n, lo, hi))
        },
        || (0, f64::INFINITY, f64::NEG_INFINITY),
        |a, b| (a.0 + b.0, a.1.min(b.1), a.2.max(b.2)),
    )
}

/// Count, smallest and largest of the non-NaN values selected by `mask`.
fn count_min_max(x: &Array, mask: Option<&[u8]>) -> Result<(u64, f64, f64)> {
    super::data::check_real(x, "range", "the data")?;
    crate::with_real_type!(x.dtype(), T => min_max_typed::<T>(x, mask), else unreachable!())
}

/// Smallest and largest non-NaN value (None when there is none).
pub fn min_max(x: &Array, mask: Option<&[u8]>) -> Result<Option<(f64, f64)>> {
    let (n, lo, hi) = count_min_max(x, mask)?;
    Ok((n > 0).then_some((lo, hi)))
}

const FINE: usize = 1 << 16;

fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let d = b - a;
    if t >= 0.5 {
        b - d * (1.0 - t)
    } else {
        a + d * t
    }
}

fn quantiles_typed<T: Real>(x: &Array, mask: Option<&[u8]>, qs: &[f64]) -> Result<Vec<f64>> {
    let (n, lo, hi) = min_max_typed::<T>(x, mask)?;
    if n == 0 {
        bail!("percentile range: there are no values (all NaN or masked out)");
    }
    if lo == hi {
        return Ok(vec![lo; qs.len()]);
    }
    let s = slice_of::<T>(x)?;
    let ch = chunk(std::mem::size_of::<T>());
    // ranks wanted: floor and floor+1 of (n-1)q
    let mut ranks: Vec<u64> = vec![];
    for &q in qs {
        let h = (n - 1) as f64 * q;
        let k = h.floor() as u64;
        ranks.push(k.min(n - 1));
        ranks.push((k + 1).min(n - 1));
    }
    let sorted_vals: Vec<f64>;
    let value_at: Box<dyn Fn(u64) -> f64>;
    if !lo.is_finite() || !hi.is_finite() {
        // infinities defeat fine bins: sort the values (rare)
        let mut v: Vec<f64> = (0..s.len())
            .filter(|&i| kept(mask, i))
            .map(|i| s[i].to_f64())
            .filter(|v| !v.is_nan())
            .collect();
        v.sort_unstable_by(f64::total_cmp);
        sorted_vals = v;
        let sv = sorted_vals.clone();
        value_at = Box::new(move |r| sv[r as usize]);
    } else {
        let scale = FINE as f64 / (hi - lo);
        let bin = move |v: f64| (((v - lo) * scale) as usize).min(FINE - 1);
        let counts = crate::exec::par_reduce(
            s.len(),
            ch,
            |r| {
                let mut c = vec![0u64; FINE];
                for i in r {
                    let v = s[i].to_f64();
                    if !v.is_nan() && kept(mask, i) {
                        c[bin(v)] += 1;
                    }
                }
                Ok(c)
            },
            || vec![0u64; FINE],
            |mut a, b| {
                a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                a
            },
        )?;
        let mut cum = vec![0u64; FINE + 1];
        for b in 0..FINE {
            cum[b + 1] = cum[b] + counts[b];
        }
        // the bin holding each rank, and the slots of the bins to collect
        let mut slot = vec![usize::MAX; FINE];
        let mut wanted: Vec<usize> = vec![];
        let mut where_: Vec<(usize, u64)> = vec![];
        for &r in &ranks {
            let b = cum.partition_point(|&c| c <= r) - 1;
            if slot[b] == usize::MAX {
                slot[b] = wanted.len();
                wanted.push(b);
            }
            where_.push((slot[b], r - cum[b]));
        }
        let nslots = wanted.len();
        let mut parts = crate::exec::par_reduce(
            s.len(),
            ch,
            |r| {
                let mut got: Vec<Vec<f64>> = vec![vec![]; nslots];
                for i in r {
                    let v = s[i].to_f64();
                    if !v.is_nan() && kept(mask, i) {
                        let k = slot[bin(v)];
                        if k != usize::MAX {
                            got[k].push(v);
                        }
                    }
                }
                Ok(got)
            },
            || vec![vec![]; nslots],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| x.extend(y));
                a
            },
        )?;
        for p in parts.iter_mut() {
            p.sort_unstable_by(f64::total_cmp);
        }
        let vals: Vec<f64> = where_
            .iter()
            .map(|&(k, off)| parts[k][off as usize])
            .collect();
        let ranks_c = ranks.clone();
        value_at = Box::new(move |r| {
            let j = ranks_c
                .iter()
                .position(|&x| x == r)
                .expect("rank was asked for");
            vals[j]
        });
        sorted_vals = vec![];
    }
    let _ = &sorted_vals;
    Ok(qs
        .iter()
        .map(|&q| {
            let h = (n - 1) as f64 * q;
            let k = (h.floor() as u64).min(n - 1);
            let a = value_at(k);
            let b = value_at((k + 1).min(n - 1));
            lerp(a, b, h - k as f64)
        })
        .collect())
}

/// Quantiles `qs` (fractions in [0, 1]) of the non-NaN values selected by `mask`, equal to
/// `np.percentile(x, 100*q)` with the default linear interpolation.
pub fn quantiles(x: &Array, mask: Option<&[u8]>, qs: &[f64]) -> Result<Vec<f64>> {
    super::data::check_real(x, "percentile", "the data")?;
    if let Some(q) = qs.iter().find(|q| !(0.0..=1.0).contains(*q)) {
        bail!("quantile {q} is outside [0, 1]");
    }
    crate::with_real_type!(x.dtype(), T => quantiles_typed::<T>(x, mask, qs), else unreachable!())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_sorted_definition() {
        let v: Vec<f64> = (0..10_001)
            .map(|i| ((i * 7919) % 10_001) as f64 * 0.37)
            .collect();
        let a = Array::from_vec(v.clone(), vec![v.len()]).unwrap();
        let mut s = v.clone();
        s.sort_by(f64::total_cmp);
        let qs = [0.0, 0.0015, 0.25, 0.5, 0.9985, 1.0];
        let got = quantiles(&a, None, &qs).unwrap();
        for (q, g) in qs.iter().zip(got) {
            let h = (s.len() - 1) as f64 * q;
            let k = h.floor() as usize;
            let want = lerp(s[k], s[(k + 1).min(s.len() - 1)], h - k as f64);
            assert_eq!(g, want, "q={q}");
        }
        assert_eq!(min_max(&a, None).unwrap(), Some((0.0, 10_000.0 * 0.37)));
    }
}
