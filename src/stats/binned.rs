//! `binned`: a statistic (count, sum, mean, std, min, max, median) of values `y` in bins
//! of `x` (or of a 2-D grid of (x, y) bins), in one parallel pass, like SciPy's
//! `binned_statistic` / `binned_statistic_2d`. Empty bins give 0 for count and sum and NaN
//! for the others, as SciPy does; std is the population std (ddof = 0, NumPy's default).

use rayon::prelude::*;

use crate::array::Array;
use crate::bail;
use crate::error::Result;
use crate::output::table::{Col, Table};
use crate::output::table_fmt::{fmt_sig, group_digits};

use super::binning::{opt_mask, BinSpec, Binning, RangeSpec};
use super::data::{self, chunk};

/// The statistic computed per bin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stat {
    Count,
    Sum,
    Mean,
    Std,
    Min,
    Max,
    Median,
}

impl Stat {
    pub fn parse(s: &str) -> Result<Stat> {
        Ok(match s {
            "count" => Stat::Count,
            "sum" => Stat::Sum,
            "mean" => Stat::Mean,
            "std" => Stat::Std,
            "min" => Stat::Min,
            "max" => Stat::Max,
            "median" => Stat::Median,
            _ => bail!("stat \"{s}\": expected one of count, sum, mean, std, min, max, median"),
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            Stat::Count => "count",
            Stat::Sum => "sum",
            Stat::Mean => "mean",
            Stat::Std => "std",
            Stat::Min => "min",
            Stat::Max => "max",
            Stat::Median => "median",
        }
    }
}

/// A binned statistic; `values[i]` (1-D) or `values[i * ny + j]` (2-D).
#[derive(Clone, Debug)]
pub struct Binned {
    pub x: Binning,
    pub y: Option<Binning>,
    pub stat: Stat,
    pub values: Vec<f64>,
    pub counts: Vec<u64>,
    /// Entries outside the bins (or with NaN coordinates).
    pub outside: u64,
    pub label: Option<String>,
}

#[derive(Clone)]
struct Acc {
    n: Vec<u64>,
    sum: Vec<f64>,
    mean: Vec<f64>,
    m2: Vec<f64>,
    min: Vec<f64>,
    max: Vec<f64>,
    /// For std: the largest |value| per cell, to rescue cells whose squares overflow.
    amax: Vec<f64>,
    out: u64,
}

impl Acc {
    fn new(nc: usize, stat: Stat) -> Acc {
        let want = |s: &[Stat]| if s.contains(&stat) { nc } else { 0 };
        Acc {
            n: vec![0; nc],
            sum: vec![0.0; want(&[Stat::Sum, Stat::Mean])],
            mean: vec![0.0; want(&[Stat::Std])],
            m2: vec![0.0; want(&[Stat::Std])],
            min: vec![f64::INFINITY; want(&[Stat::Min])],
            max: vec![f64::NEG_INFINITY; want(&[Stat::Max])],
            amax: vec![0.0; want(&[Stat::Std])],
            out: 0,
        }
    }
    fn merge(mut self, o: Acc) -> Acc {
        if !self.mean.is_empty() {
            for c in 0..self.n.len() {
                let (na, nb) = (self.n[c] as f64, o.n[c] as f64);
                if nb == 0.0 {
                    continue;
                }
                let d = o.mean[c] - self.mean[c];
                let nt = na + nb;
                self.mean[c] += d * nb / nt;
                self.m2[c] += o.m2[c] + d * d * na * nb / nt;
            }
        }
        self.n.iter_mut().zip(&o.n).for_each(|(a, b)| *a += b);
        self.sum.iter_mut().zip(&o.sum).for_each(|(a, b)| *a += b);
        self.min
            .iter_mut()
            .zip(&o.min)
            .for_each(|(a, b)| *a = a.min(*b));
        self.max
            .iter_mut()
            .zip(&o.max)
            .for_each(|(a, b)| *a = a.max(*b));
        self.amax
            .iter_mut()
            .zip(&o.amax)
            .for_each(|(a, b)| *a = a.max(*b));
        self.out += o.out;
        self
    }
}

/// Compute `stat` of `vals` over cells given by `cell(i)` (None: outside).
fn compute(
    n: usize,
    nc: usize,
    stat: Stat,
    vals: &[f64],
    cell: impl Fn(usize) -> Option<usize> + Sync,
) -> Result<(Vec<f64>, Vec<u64>, u64)> {
    if stat == Stat::Median {
        return median(n, nc, vals, cell);
    }
    let acc = crate::exec::par_reduce(
        n,
        chunk(16),
        |r| {
            let mut a = Acc::new(nc, stat);
            for i in r {
                let Some(c) = cell(i) else {
                    a.out += 1;
                    continue;
                };
                let v = vals[i];
                a.n[c] += 1;
                match stat {
                    Stat::Sum | Stat::Mean => a.sum[c] += v,
                    Stat::Std => {
                        let d = v - a.mean[c];
                        a.mean[c] += d / a.n[c] as f64;
                        a.m2[c] += d * (v - a.mean[c]);
                        a.amax[c] = a.amax[c].max(v.abs());
                    }
                    Stat::Min => a.min[c] = a.min[c].min(v),
                    Stat::Max => a.max[c] = a.max[c].max(v),
                    Stat::Count | Stat::Median => {}
                }
            }
            Ok(a)
        },
        || Acc::new(nc, stat),
        Acc::merge,
    )?;
    let empty = |c: usize, v: f64| if acc.n[c] == 0 { f64::NAN } else { v };
    let values: Vec<f64> = (0..nc)
        .map(|c| match stat {
            Stat::Count => acc.n[c] as f64,
            Stat::Sum => acc.sum[c],
            Stat::Mean => empty(c, acc.sum[c] / acc.n[c] as f64),
            // NaN (from NaN or infinite values) stays NaN; only rounding below 0 is clipped.
            Stat::Std => empty(c, {
                let v = acc.m2[c] / acc.n[c] as f64;
                if v < 0.0 {
                    0.0
                } else {
                    v.sqrt()
                }
            }),
            Stat::Min => empty(c, acc.min[c]),
            Stat::Max => empty(c, acc.max[c]),
            Stat::Median => unreachable!(),
        })
        .collect();
    let mut values = values;
    if stat == Stat::Std {
        rescue_std(&mut values, &acc, vals, &cell)?;
    }
    Ok((values, acc.n, acc.out))
}

/// Cells of finite values whose std overflowed (squares of values near f64::MAX, e.g. the
/// 1.797e308 missing-value marker) are computed again on the values scaled by a power of
/// two (exact), then scaled back: the std of finite values is finite, never inf or 0.
fn rescue_std(
    values: &mut [f64],
    acc: &Acc,
    vals: &[f64],
    cell: &(impl Fn(usize) -> Option<usize> + Sync),
) -> Result<()> {
    let scale: Vec<f64> = (0..values.len())
        .map(|c| {
            let m = acc.amax[c];
            if acc.n[c] > 0 && m.is_finite() && m > 1e150 && !values[c].is_finite() {
                2f64.powi(-(m.log2().floor() as i32))
            } else {
                0.0
            }
        })
        .collect();
    if scale.iter().all(|&s| s == 0.0) {
        return Ok(());
    }
    let nc = values.len();
    let (mut n, mut mean, mut m2) = (vec![0u64; nc], vec![0f64; nc], vec![0f64; nc]);
    for (i, &v) in vals.iter().enumerate() {
        if i % (1 << 20) == 0 {
            crate::exec::check()?;
        }
        let Some(c) = cell(i) else { continue };
        if scale[c] == 0.0 {
            continue;
        }
        let v = v * scale[c];
        n[c] += 1;
        let d = v - mean[c];
        mean[c] += d / n[c] as f64;
        m2[c] += d * (v - mean[c]);
    }
    for c in 0..nc {
        if scale[c] != 0.0 {
            values[c] = (m2[c] / n[c] as f64).max(0.0).sqrt() / scale[c];
        }
    }
    Ok(())
}

/// Medians need the values of each bin: cell index per entry, a counting sort of the
/// values by cell, then a selection per cell (in parallel).
fn median(
    n: usize,
    nc: usize,
    vals: &[f64],
    cell: impl Fn(usize) -> Option<usize> + Sync,
) -> Result<(Vec<f64>, Vec<u64>, u64)> {
    let mut cells = vec![u32::MAX; n];
    if nc >= u32::MAX as usize {
        bail!("binned median: too many bins");
    }
    crate::array::ops::par_fill(&mut cells, chunk(8), |lo, o| {
        for (k, c) in o.iter_mut().enumerate() {
            if let Some(x) = cell(lo + k) {
                *c = x as u32;
            }
        }
        Ok(())
    })?;
    let mut counts = vec![0u64; nc];
    let mut out = 0u64;
    for &c in &cells {
        if c == u32::MAX {
            out += 1;
        } else {
            counts[c as usize] += 1;
        }
    }
    let mut start = vec![0usize; nc + 1];
    for c in 0..nc {
        start[c + 1] = start[c] + counts[c] as usize;
    }
    let mut grouped = vec![0f64; start[nc]];
    let mut pos = start.clone();
    for (i, &c) in cells.iter().enumerate() {
        if c != u32::MAX {
            grouped[pos[c as usize]] = vals[i];
            pos[c as usize] += 1;
        }
    }
    drop(cells);
    crate::exec::check()?;
    let mut slices: Vec<&mut [f64]> = vec![];
    let mut rest = &mut grouped[..];
    for c in 0..nc {
        let (a, b) = std::mem::take(&mut rest).split_at_mut(start[c + 1] - start[c]);
        slices.push(a);
        rest = b;
    }
    let values: Vec<f64> = slices
        .into_par_iter()
        .map(|s| {
            let m = s.len();
            if m == 0 {
                return f64::NAN;
            }
            if s.iter().any(|v| v.is_nan()) {
                return f64::NAN;
            }
            let (_, &mut hi, _) = s.select_nth_unstable_by(m / 2, f64::total_cmp);
            if m % 2 == 1 {
                hi
            } else {
                let lo = s[..m / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
                (lo + hi) / 2.0
            }
        })
        .collect();
    Ok((values, counts, out))
}

/// The checks every binned kernel makes: `x` real, the other arrays as long as `x`, the
/// mask (if any) as bytes; gives the length and the mask.
fn checked_inputs<'a>(
    x: &Array,
    others: &[(&Array, &str)],
    mask: Option<&'a Array>,
) -> Result<(usize, Option<std::borrow::Cow<'a, [u8]>>)> {
    data::check_real(x, "binned", "x")?;
    let n = x.size();
    for (a, name) in others {
        data::check_len(a, n, "binned", name, "x")?;
    }
    Ok((n, opt_mask(mask, n, "binned")?))
}

/// Elements a mask leaves out (they are not "outside the bins").
fn masked_out(m: Option<&[u8]>) -> u64 {
    m.map_or(0, |m| m.iter().filter(|&&v| v == 0).count() as u64)
}

/// `stat` of `y` in bins of `x` (1-D).
pub fn binned(
    x: &Array,
    y: &Array,
    bins: &BinSpec,
    range: &RangeSpec,
    stat: Stat,
    mask: Option<&Array>,
) -> Result<Binned> {
    let _s = crate::prof::span("binned");
    let (n, m) = checked_inputs(x, &[(y, "y")], mask)?;
    let m = m.as_deref();
    let b = Binning::resolve(bins, range, x, m, "binned", "x")?;
    let xf = data::as_f64(x, "binned", "x")?;
    let yf = data::as_f64(y, "binned", "y")?;
    let (xs, ys) = (xf.as_slice::<f64>()?, yf.as_slice::<f64>()?);
    let (values, counts, outside) = compute(n, b.nbins(), stat, &ys, |i| {
        if m.is_some_and(|m| m[i] == 0) {
            return None;
        }
        let j = b.locate(xs[i]);
        (j >= 0).then_some(j as usize)
    })?;
    let masked = masked_out(m);
    Ok(Binned {
        x: b,
        y: None,
        stat,
        values,
        counts,
        outside: outside - masked,
        label: None,
    })
}

/// `stat` of `v` in a grid of (x, y) bins (2-D).
#[allow(clippy::too_many_arguments)]
pub fn binned2d(
    x: &Array,
    y: &Array,
    v: &Array,
    bins: (&BinSpec, &BinSpec),
    range: (&RangeSpec, &RangeSpec),
    stat: Stat,
    mask: Option<&Array>,
) -> Result<Binned> {
    let _s = crate::prof::span("binned");
    let (n, m) = checked_inputs(x, &[(y, "y"), (v, "values")], mask)?;
    let m = m.as_deref();
    let bx = Binning::resolve(bins.0, range.0, x, m, "binned", "x")?;
    let by = Binning::resolve(bins.1, range.1, y, m, "binned", "y")?;
    let ny = by.nbins();
    let nc = bx.nbins().saturating_mul(ny);
    if nc > 100_000_000 {
        bail!(
            "binned: {} × {ny} bins is more than the 100,000,000 allowed",
            bx.nbins()
        );
    }
    let xf = data::as_f64(x, "binned", "x")?;
    let yf = data::as_f64(y, "binned", "y")?;
    let vf = data::as_f64(v, "binned", "values")?;
    let (xs, ys, vs) = (
        xf.as_slice::<f64>()?,
        yf.as_slice::<f64>()?,
        vf.as_slice::<f64>()?,
    );
    let (values, counts, outside) = compute(n, nc, stat, &vs, |i| {
        if m.is_some_and(|m| m[i] == 0) {
            return None;
        }
        let (a, b) = (bx.locate(xs[i]), by.locate(ys[i]));
        (a >= 0 && b >= 0).then(|| a as usize * ny + b as usize)
    })?;
    let masked = masked_out(m);
    Ok(Binned {
        x: bx,
        y: Some(by),
        stat,
        values,
        counts,
        outside: outside - masked,
        label: None,
    })
}

impl Binned {
    pub fn shape(&self) -> Vec<usize> {
        match &self.y {
            Some(y) => vec![self.x.nbins(), y.nbins()],
            None => vec![self.x.nbins()],
        }
    }
    pub fn values_array(&self) -> Array {
        Array::from_vec(self.values.clone(), self.shape()).expect("size matches")
    }
    pub fn counts_array(&self) -> Array {
        let v: Vec<i64> = self.counts.iter().map(|&c| c as i64).collect();
        Array::from_vec(v, self.shape()).expect("size matches")
    }

    /// One row per bin: lo, hi, center, count, <stat> (2-D: x_lo, x_hi, y_lo, y_hi, count,
    /// <stat>).
    pub fn table(&self) -> Table {
        let counts = Col::Int(self.counts.iter().map(|&c| c as i64).collect());
        let vals = Col::Float(self.values.clone());
        let title = Some(format!("binned {}", self.stat.name()));
        let mut t = match &self.y {
            None => {
                let e = &self.x.edges;
                Table::new(title)
                    .with("lo", Col::Float(e[..e.len() - 1].to_vec()))
                    .and_then(|t| t.with("hi", Col::Float(e[1..].to_vec())))
                    .and_then(|t| t.with("center", Col::Float(self.x.centers())))
                    .and_then(|t| t.with("count", counts))
                    .and_then(|t| t.with(self.stat.name(), vals))
            }
            Some(yb) => {
                let (mut xl, mut xh, mut yl, mut yh) = (vec![], vec![], vec![], vec![]);
                for i in 0..self.x.nbins() {
                    for j in 0..yb.nbins() {
                        xl.push(self.x.edges[i]);
                        xh.push(self.x.edges[i + 1]);
                        yl.push(yb.edges[j]);
                        yh.push(yb.edges[j + 1]);
                    }
                }
                Table::new(title)
                    .with("x_lo", Col::Float(xl))
                    .and_then(|t| t.with("x_hi", Col::Float(xh)))
                    .and_then(|t| t.with("y_lo", Col::Float(yl)))
                    .and_then(|t| t.with("y_hi", Col::Float(yh)))
                    .and_then(|t| t.with("count", counts))
                    .and_then(|t| t.with(self.stat.name(), vals))
            }
        }
        .expect("one row per bin");
        t.footer.push(format!(
            "entries in bins {} · outside {}",
            group_digits(self.counts.iter().sum::<u64>() as usize),
            group_digits(self.outside as usize)
        ));
        t
    }
}

impl std::fmt::Display for Binned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.y {
            None => writeln!(
                f,
                "Binned {}: {} bins on [{}, {}]",
                self.stat.name(),
                self.x.nbins(),
                fmt_sig(self.x.lo()),
                fmt_sig(self.x.hi())
            )?,
            Some(y) => writeln!(
                f,
                "Binned {}: {} × {} bins",
                self.stat.name(),
                self.x.nbins(),
                y.nbins()
            )?,
        }
        write!(
            f,
            "entries in bins {} · outside {}",
            group_digits(self.counts.iter().sum::<u64>() as usize),
            group_digits(self.outside as usize)
        )?;
        if self.y.is_none() {
            let v: Vec<f64> = self
                .values
                .iter()
                .map(|v| if v.is_nan() { 0.0 } else { *v })
                .collect();
            write!(
                f,
                "\n{}",
                crate::output::plot::term_bars(&v, self.x.lo(), self.x.hi(), 64, 8)
            )?;
        }
        Ok(())
    }
}
