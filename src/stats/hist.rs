//! `hist` and `hist2d`: counts (or sums of weights) of values in bins, computed in one
//! parallel pass with NumPy's bin membership (see [`super::binning`]), plus the
//! under/overflow and NaN counts NumPy leaves out, so that nothing is lost silently.

use crate::array::ops::Real;
use crate::array::Array;
use crate::error::Result;
use crate::output::table::{Col, Table};
use crate::output::table_fmt::{fmt_sig, group_digits};

use super::binning::{opt_mask, BinSpec, Binning, RangeSpec, NAN, OVER, UNDER};
use super::data::{self, chunk};

/// A filled 1-D histogram.
#[derive(Clone, Debug)]
pub struct Hist {
    pub binning: Binning,
    /// Count (or sum of weights) per bin.
    pub counts: Vec<f64>,
    /// Sum of squared weights per bin (weighted histograms only).
    pub sumw2: Option<Vec<f64>>,
    /// Values below the first edge, above the last (sums of weights when weighted).
    pub underflow: f64,
    pub overflow: f64,
    /// NaN values (never in a bin).
    pub nan: u64,
    /// Elements looked at (after the mask).
    pub entries: u64,
    /// What was histogrammed, for axis labels and legends.
    pub label: Option<String>,
}

#[derive(Clone)]
struct Acc {
    c: Vec<u64>,
    w: Vec<f64>,
    w2: Vec<f64>,
    side: [f64; 4],
    nan: u64,
    n: u64,
}

impl Acc {
    fn new(nb: usize, weighted: bool) -> Acc {
        Acc {
            c: if weighted { vec![] } else { vec![0; nb] },
            w: if weighted { vec![0.0; nb] } else { vec![] },
            w2: if weighted { vec![0.0; nb] } else { vec![] },
            side: [0.0; 4],
            nan: 0,
            n: 0,
        }
    }
    fn merge(mut self, o: Acc) -> Acc {
        self.c.iter_mut().zip(&o.c).for_each(|(a, b)| *a += b);
        self.w.iter_mut().zip(&o.w).for_each(|(a, b)| *a += b);
        self.w2.iter_mut().zip(&o.w2).for_each(|(a, b)| *a += b);
        for k in 0..4 {
            self.side[k] += o.side[k];
        }
        self.nan += o.nan;
        self.n += o.n;
        self
    }
}

/// Unweighted counts for equal-width bins, the common case. A value's bin is the integer
/// part of `t = (v - lo) * n / (hi - lo)` unless `t` lies within `eps` of a bin border,
/// where rounding (and float32 edges) could disagree with the edges: those values, and the
/// ones outside the range or NaN, take the exact path of [`Binning::locate`]. `eps` bounds
/// how far any edge sits from its ideal position, in bins. Four interleaved count arrays
/// break the store-to-load chain of runs of values in the same bin. Adds into `c` (per bin)
/// and `side` (indexed like `-UNDER`, `-OVER`, `-NAN`).
fn count_uniform<T: Real>(xs: &[T], b: &Binning, c: &mut [u64], side: &mut [u64; 4]) {
    let Some((l, norm)) = b.uniform_params() else {
        return;
    };
    let edges = &b.edges[..];
    let n = edges.len() - 1;
    let nbf = n as f64;
    let eps = edges
        .iter()
        .enumerate()
        .map(|(i, &e)| ((e - l) * norm - i as f64).abs())
        .fold(0.0f64, f64::max)
        + 1e-9;
    let fast_ok = eps < 0.25;
    let w = n + 3;
    const K: usize = 4;
    let exact = |v: f64| -> usize {
        let i = b.locate(v);
        if i >= 0 {
            i as usize
        } else if i == UNDER {
            n
        } else if i == OVER {
            n + 1
        } else {
            n + 2
        }
    };
    let slot = |v: f64| -> usize {
        let t = (v - l) * norm;
        if fast_ok && t >= 0.0 && t < nbf {
            let i = t as usize;
            let f = t - i as f64;
            if f > eps && f < 1.0 - eps {
                return i;
            }
        }
        exact(v)
    };
    // u32 counts (L1-resident), flushed before they could overflow
    let mut cnt = vec![0u32; K * w];
    for block in xs.chunks(1 << 31) {
        let mut it = block.chunks_exact(K);
        for q in &mut it {
            for k in 0..K {
                cnt[k * w + slot(q[k].to_f64())] += 1;
            }
        }
        for &x in it.remainder() {
            cnt[slot(x.to_f64())] += 1;
        }
        for j in 0..w {
            let t: u64 = (0..K).map(|k| u64::from(cnt[k * w + j])).sum();
            if j < n {
                c[j] += t;
            } else {
                side[[(-UNDER) as usize, (-OVER) as usize, (-NAN) as usize][j - n]] += t;
            }
        }
        cnt.iter_mut().for_each(|x| *x = 0);
    }
}

fn fill_typed<T: Real>(x: &Array, b: &Binning, w: Option<&[f64]>, m: Option<&[u8]>) -> Result<Acc> {
    let s = x.as_slice::<T>()?;
    let nb = b.nbins();
    let weighted = w.is_some();
    crate::exec::par_reduce(
        s.len(),
        chunk(std::mem::size_of::<T>()),
        |r| {
            let _st = crate::prof::stage("fill");
            let mut a = Acc::new(nb, weighted);
            let xs = &s[r.clone()];
            match (w, m) {
                (None, None) if b.uniform_params().is_some() => {
                    let mut side = [0u64; 4];
                    count_uniform(xs, b, &mut a.c, &mut side);
                    a.n = xs.len() as u64;
                    a.side = side.map(|c| c as f64);
                }
                (None, None) => {
                    let mut side = [0u64; 4];
                    for &x in xs {
                        let i = b.locate(x.to_f64());
                        if i >= 0 {
                            a.c[i as usize] += 1;
                        } else {
                            side[(-i) as usize] += 1;
                        }
                    }
                    a.n = xs.len() as u64;
                    a.side = side.map(|c| c as f64);
                }
                _ => {
                    for (k, &x) in xs.iter().enumerate() {
                        let gi = r.start + k;
                        if let Some(m) = m {
                            if m[gi] == 0 {
                                continue;
                            }
                        }
                        a.n += 1;
                        let i = b.locate(x.to_f64());
                        let wt = w.map_or(1.0, |w| w[gi]);
                        if i >= 0 {
                            if weighted {
                                a.w[i as usize] += wt;
                                a.w2[i as usize] += wt * wt;
                            } else {
                                a.c[i as usize] += 1;
                            }
                        } else {
                            a.side[(-i) as usize] += if i == NAN { 1.0 } else { wt };
                        }
                    }
                }
            }
            a.nan = a.side[(-NAN) as usize] as u64;
            Ok(a)
        },
        || Acc::new(nb, weighted),
        Acc::merge,
    )
}

/// Histogram `x` (any real dtype, flattened). `weights` (same size) makes each value count
/// with its weight; `mask` (bool, same size) keeps only the values where it is true.
pub fn hist(
    x: &Array,
    bins: &BinSpec,
    range: &RangeSpec,
    weights: Option<&Array>,
    mask: Option<&Array>,
) -> Result<Hist> {
    let _s = crate::prof::span("hist");
    crate::exec::page_in(x);
    data::check_real(x, "hist", "the values")?;
    let n = x.size();
    let m = opt_mask(mask, n, "hist")?;
    let w = match weights {
        Some(w) => {
            data::check_len(w, n, "hist", "weights", "the values")?;
            Some(data::as_f64(w, "hist", "weights")?)
        }
        None => None,
    };
    let ws = match &w {
        Some(w) => Some(w.as_slice::<f64>()?),
        None => None,
    };
    let b = Binning::resolve(bins, range, x, m.as_deref(), "hist", "the values")?;
    let acc = crate::with_real_type!(x.dtype(), T => fill_typed::<T>(x, &b, ws.as_deref(), m.as_deref()),
        else unreachable!())?;
    let weighted = ws.is_some();
    Ok(Hist {
        counts: if weighted {
            acc.w
        } else {
            acc.c.iter().map(|&c| c as f64).collect()
        },
        sumw2: weighted.then_some(acc.w2),
        underflow: acc.side[(-UNDER) as usize],
        overflow: acc.side[(-OVER) as usize],
        nan: acc.nan,
        entries: acc.n,
        binning: b,
        label: None,
    })
}

impl Hist {
    pub fn nbins(&self) -> usize {
        self.binning.nbins()
    }
    pub fn weighted(&self) -> bool {
        self.sumw2.is_some()
    }
    /// Sum over the bins (under/overflow excluded).
    pub fn total(&self) -> f64 {
        self.counts.iter().sum()
    }
    /// Statistical error per bin: sqrt(sum of w²), sqrt(count) when unweighted.
    pub fn errors(&self) -> Vec<f64> {
        match &self.sumw2 {
            Some(w2) => w2.iter().map(|v| v.sqrt()).collect(),
            None => self.counts.iter().map(|v| v.sqrt()).collect(),
        }
    }
    /// Counts as an Array: int64 when unweighted (like NumPy), float64 when weighted.
    pub fn counts_array(&self) -> Array {
        let n = self.counts.len();
        if self.weighted() {
            Array::from_vec(self.counts.clone(), vec![n]).expect("length matches")
        } else {
            let v: Vec<i64> = self.counts.iter().map(|&c| c as i64).collect();
            Array::from_vec(v, vec![n]).expect("length matches")
        }
    }
    pub fn edges_array(&self) -> Array {
        let e = self.binning.edges.clone();
        let n = e.len();
        Array::from_vec(e, vec![n]).expect("length matches")
    }

    /// One row per bin: lo, hi, center, count, error; the footer has entries and what
    /// fell outside.
    pub fn table(&self) -> Table {
        let e = &self.binning.edges;
        let count = if self.weighted() {
            Col::Float(self.counts.clone())
        } else {
            Col::Int(self.counts.iter().map(|&c| c as i64).collect())
        };
        let title = match &self.label {
            Some(l) => format!("histogram of {l}"),
            None => "histogram".to_string(),
        };
        let mut t = Table::new(Some(title))
            .with("lo", Col::Float(e[..e.len() - 1].to_vec()))
            .and_then(|t| t.with("hi", Col::Float(e[1..].to_vec())))
            .and_then(|t| t.with("center", Col::Float(self.binning.centers())))
            .and_then(|t| t.with("count", count))
            .and_then(|t| t.with("error", Col::Float(self.errors())))
            .expect("one row per bin");
        t.footer.push(self.summary_line());
        t
    }

    /// `entries 1,000 · in bins 990 · underflow 4 · overflow 6 · nan 0`.
    pub fn summary_line(&self) -> String {
        let f = |v: f64| {
            if self.weighted() {
                fmt_sig(v)
            } else {
                group_digits(v as usize)
            }
        };
        format!(
            "entries {} · in bins {} · underflow {} · overflow {} · nan {}",
            group_digits(self.entries as usize),
            f(self.total()),
            f(self.underflow),
            f(self.overflow),
            group_digits(self.nan as usize)
        )
    }
}

impl std::fmt::Display for Hist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "Hist{}: {} bins on [{}, {}]{}",
            self.label
                .as_deref()
                .map(|l| format!(" of {l}"))
                .unwrap_or_default(),
            self.nbins(),
            fmt_sig(self.binning.lo()),
            fmt_sig(self.binning.hi()),
            if self.weighted() { ", weighted" } else { "" }
        )?;
        writeln!(f, "{}", self.summary_line())?;
        write!(
            f,
            "{}",
            crate::output::plot::term_bars(
                &self.counts,
                self.binning.lo(),
                self.binning.hi(),
                64,
                8
            )
        )
    }
}

// ------------------------------------------------------------------------- 2-D

/// A filled 2-D histogram; `counts[i * ny + j]` is x bin i, y bin j (NumPy's `H[i, j]`).
#[derive(Clone, Debug)]
pub struct Hist2d {
    pub x: Binning,
    pub y: Binning,
    pub counts: Vec<f64>,
    pub weighted: bool,
    /// Pairs outside the range in x or y (sum of weights when weighted).
    pub outside: f64,
    /// Pairs with a NaN in x or y.
    pub nan: u64,
    pub entries: u64,
    pub xlabel: Option<String>,
    pub ylabel: Option<String>,
}

/// 2-D histogram of pairs (x[i], y[i]); each axis has its own bins and range.
pub fn hist2d(
    x: &Array,
    y: &Array,
    bins: (&BinSpec, &BinSpec),
    range: (&RangeSpec, &RangeSpec),
    weights: Option<&Array>,
    mask: Option<&Array>,
) -> Result<Hist2d> {
    let _s = crate::prof::span("hist2d");
    data::check_real(x, "hist2d", "x")?;
    data::check_real(y, "hist2d", "y")?;
    let n = x.size();
    data::check_len(y, n, "hist2d", "y", "x")?;
    let m = opt_mask(mask, n, "hist2d")?;
    let bx = Binning::resolve(bins.0, range.0, x, m.as_deref(), "hist2d", "x")?;
    let by = Binning::resolve(bins.1, range.1, y, m.as_deref(), "hist2d", "y")?;
    let xf = data::as_f64(x, "hist2d", "x")?;
    let yf = data::as_f64(y, "hist2d", "y")?;
    let xs = xf.as_slice::<f64>()?;
    let ys = yf.as_slice::<f64>()?;
    let w = match weights {
        Some(w) => {
            data::check_len(w, n, "hist2d", "weights", "x")?;
            Some(data::as_f64(w, "hist2d", "weights")?)
        }
        None => None,
    };
    let ws = match &w {
        Some(w) => Some(w.as_slice::<f64>()?),
        None => None,
    };
    let (nx, ny) = (bx.nbins(), by.nbins());
    if nx.saturating_mul(ny) > 100_000_000 {
        crate::bail!("hist2d: {nx} × {ny} bins is more than the 100,000,000 allowed");
    }
    let (ws, m) = (ws.as_deref(), m.as_deref());
    let (counts, outside, nan, entries) = crate::exec::par_reduce(
        n,
        chunk(16),
        |r| {
            let mut c = vec![0f64; nx * ny];
            let (mut out, mut nan, mut ent) = (0f64, 0u64, 0u64);
            for i in r {
                if m.is_some_and(|m| m[i] == 0) {
                    continue;
                }
                ent += 1;
                let wt = ws.map_or(1.0, |w| w[i]);
                let (a, b) = (bx.locate(xs[i]), by.locate(ys[i]));
                if a == NAN || b == NAN {
                    nan += 1;
                } else if a < 0 || b < 0 {
                    out += wt;
                } else {
                    c[a as usize * ny + b as usize] += wt;
                }
            }
            Ok((c, out, nan, ent))
        },
        || (vec![0f64; nx * ny], 0.0, 0, 0),
        |mut a, b| {
            a.0.iter_mut().zip(&b.0).for_each(|(x, y)| *x += y);
            (a.0, a.1 + b.1, a.2 + b.2, a.3 + b.3)
        },
    )?;
    Ok(Hist2d {
        x: bx,
        y: by,
        counts,
        weighted: ws.is_some(),
        outside,
        nan,
        entries,
        xlabel: None,
        ylabel: None,
    })
}

impl Hist2d {
    /// Counts as an (nx, ny) Array: int64 unweighted, float64 weighted.
    pub fn counts_array(&self) -> Array {
        let shape = vec![self.x.nbins(), self.y.nbins()];
        if self.weighted {
            Array::from_vec(self.counts.clone(), shape).expect("size matches")
        } else {
            let v: Vec<i64> = self.counts.iter().map(|&c| c as i64).collect();
            Array::from_vec(v, shape).expect("size matches")
        }
    }

    /// One row per (x bin, y bin): x_lo, x_hi, y_lo, y_hi, count.
    pub fn table(&self) -> Table {
        let (nx, ny) = (self.x.nbins(), self.y.nbins());
        let (mut xl, mut xh, mut yl, mut yh) = (vec![], vec![], vec![], vec![]);
        for i in 0..nx {
            for j in 0..ny {
                xl.push(self.x.edges[i]);
                xh.push(self.x.edges[i + 1]);
                yl.push(self.y.edges[j]);
                yh.push(self.y.edges[j + 1]);
            }
        }
        let count = if self.weighted {
            Col::Float(self.counts.clone())
        } else {
            Col::Int(self.counts.iter().map(|&c| c as i64).collect())
        };
        let mut t = Table::new(Some("2-D histogram".to_string()))
            .with("x_lo", Col::Float(xl))
            .and_then(|t| t.with("x_hi", Col::Float(xh)))
            .and_then(|t| t.with("y_lo", Col::Float(yl)))
            .and_then(|t| t.with("y_hi", Col::Float(yh)))
            .and_then(|t| t.with("count", count))
            .expect("one row per bin pair");
        t.footer.push(self.summary_line());
        t
    }

    pub fn summary_line(&self) -> String {
        format!(
            "entries {} · in bins {} · outside {} · nan {}",
            group_digits(self.entries as usize),
            fmt_sig(self.counts.iter().sum()),
            fmt_sig(self.outside),
            group_digits(self.nan as usize)
        )
    }
}

impl std::fmt::Display for Hist2d {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "Hist2D: {} × {} bins, x on [{}, {}], y on [{}, {}]",
            self.x.nbins(),
            self.y.nbins(),
            fmt_sig(self.x.lo()),
            fmt_sig(self.x.hi()),
            fmt_sig(self.y.lo()),
            fmt_sig(self.y.hi())
        )?;
        write!(f, "{}", self.summary_line())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The branch-free kernel places every value where `Binning::locate` does: exact
    /// edges, both ends, just inside and outside, infinities and NaN, for f64 and f32 edges.
    #[test]
    fn count_uniform_matches_locate() {
        for b in [
            Binning::uniform(-5.0, 5.0, 100, false).unwrap(),
            Binning::uniform(0.1, 0.7, 3, false).unwrap(),
            Binning::uniform(-1.0, 2.0, 7, true).unwrap(),
            Binning::uniform(0.0, 1.0, 1, false).unwrap(),
            Binning::uniform_f32(-1.3, 2.7, 50).unwrap(),
            Binning::uniform(-6.9, 6.9, 997, false).unwrap(),
        ] {
            let mut xs: Vec<f64> = vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -0.0];
            for &e in &b.edges {
                xs.extend([e, e.next_up(), e.next_down(), e + 1e-9, e - 1e-9]);
            }
            let mut s = 12345u64;
            for _ in 0..5000 {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                xs.push(((s >> 11) as f64 / (1u64 << 53) as f64) * 14.0 - 7.0);
            }
            let n = b.nbins();
            let mut c = vec![0u64; n];
            let mut side = [0u64; 4];
            count_uniform(&xs, &b, &mut c, &mut side);
            let mut c2 = vec![0u64; n];
            let mut side2 = [0u64; 4];
            for &x in &xs {
                let i = b.locate(x);
                if i >= 0 {
                    c2[i as usize] += 1;
                } else {
                    side2[(-i) as usize] += 1;
                }
            }
            assert_eq!(c, c2, "bins of {:?}", &b.edges[..2]);
            assert_eq!(side, side2, "under/over/NaN");
            let xs32: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
            let mut c3 = vec![0u64; n];
            let mut side3 = [0u64; 4];
            count_uniform(&xs32, &b, &mut c3, &mut side3);
            let mut c4 = vec![0u64; n];
            let mut side4 = [0u64; 4];
            for &x in &xs32 {
                let i = b.locate(x as f64);
                if i >= 0 {
                    c4[i as usize] += 1;
                } else {
                    side4[(-i) as usize] += 1;
                }
            }
            assert_eq!((c3, side3), (c4, side4));
        }
    }
}
