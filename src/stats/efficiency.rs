//! `efficiency`: the fraction of entries that pass, per bin of a variable (efficiency vs
//! pt, purity vs eta), with binomial confidence intervals.
//!
//! Intervals (central, at confidence level `cl`, default 0.682689 = ±1σ like ROOT's
//! TEfficiency):
//! - Clopper-Pearson (exact, conservative): lower = B⁻¹(α/2; k, n−k+1), upper =
//!   B⁻¹(1−α/2; k+1, n−k) with B⁻¹ the beta quantile (statrs), lower = 0 when k = 0 and
//!   upper = 1 when k = n; α = 1 − cl.
//! - Wilson score: (p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n), z = Φ⁻¹(1−α/2).
//!
//! Empty bins have efficiency NaN and the interval [0, 1].

use statrs::distribution::{Beta, ContinuousCDF, Normal};

use crate::array::Array;
use crate::bail;
use crate::error::Result;
use crate::output::table::{Col, Table};
use crate::output::table_fmt::{fmt_sig, group_digits};

use super::binning::{opt_mask, BinSpec, Binning, RangeSpec};
use super::data::{self, chunk};
use super::hist::Hist;

/// Binomial interval method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interval {
    ClopperPearson,
    Wilson,
}

impl Interval {
    pub fn parse(s: &str) -> Result<Interval> {
        match s.to_ascii_lowercase().replace(['_', ' '], "-").as_str() {
            "clopper-pearson" | "cp" | "exact" => Ok(Interval::ClopperPearson),
            "wilson" => Ok(Interval::Wilson),
            _ => bail!("interval \"{s}\": expected \"clopper-pearson\" or \"wilson\""),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Interval::ClopperPearson => "clopper-pearson",
            Interval::Wilson => "wilson",
        }
    }
}

/// One standard deviation of a normal distribution as a central probability.
pub const ONE_SIGMA: f64 = 0.682_689_492_137_085_9;

/// The interval for `k` passing out of `n` at confidence level `cl`.
pub fn interval(k: f64, n: f64, cl: f64, method: Interval) -> (f64, f64) {
    if n <= 0.0 {
        return (0.0, 1.0);
    }
    let alpha = 1.0 - cl;
    match method {
        Interval::ClopperPearson => {
            let lo = if k <= 0.0 {
                0.0
            } else {
                Beta::new(k, n - k + 1.0)
                    .map(|b| b.inverse_cdf(alpha / 2.0))
                    .unwrap_or(0.0)
            };
            let hi = if k >= n {
                1.0
            } else {
                Beta::new(k + 1.0, n - k)
                    .map(|b| b.inverse_cdf(1.0 - alpha / 2.0))
                    .unwrap_or(1.0)
            };
            (lo, hi)
        }
        Interval::Wilson => {
            let z = Normal::new(0.0, 1.0)
                .expect("standard normal")
                .inverse_cdf(1.0 - alpha / 2.0);
            let p = k / n;
            let z2 = z * z;
            let den = 1.0 + z2 / n;
            let c = (p + z2 / (2.0 * n)) / den;
            let h = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / den;
            ((c - h).max(0.0), (c + h).min(1.0))
        }
    }
}

/// Efficiency per bin with its interval.
#[derive(Clone, Debug)]
pub struct Efficiency {
    pub binning: Binning,
    pub pass: Vec<f64>,
    pub total: Vec<f64>,
    pub eff: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub method: Interval,
    pub cl: f64,
    /// Entries outside the bin range (or NaN) in the variable, not counted.
    pub outside: u64,
    pub label: Option<String>,
}

impl Efficiency {
    /// From per-bin pass and total counts.
    pub fn from_counts(
        binning: Binning,
        pass: Vec<f64>,
        total: Vec<f64>,
        method: Interval,
        cl: f64,
    ) -> Result<Efficiency> {
        if !(cl > 0.0 && cl < 1.0) {
            bail!("efficiency: cl must be in (0, 1), found {cl}");
        }
        if let Some(i) = (0..pass.len()).find(|&i| pass[i] > total[i] || pass[i] < 0.0) {
            bail!(
                "efficiency: bin {i} has {} passing out of {}; pass must be between 0 and the total",
                pass[i],
                total[i]
            );
        }
        let mut eff = vec![];
        let mut lower = vec![];
        let mut upper = vec![];
        for (&k, &n) in pass.iter().zip(&total) {
            eff.push(if n > 0.0 { k / n } else { f64::NAN });
            let (l, u) = interval(k, n, cl, method);
            lower.push(l);
            upper.push(u);
        }
        Ok(Efficiency {
            binning,
            pass,
            total,
            eff,
            lower,
            upper,
            method,
            cl,
            outside: 0,
            label: None,
        })
    }

    /// From two histograms with the same edges (passing, total), unweighted.
    pub fn from_hists(pass: &Hist, total: &Hist, method: Interval, cl: f64) -> Result<Efficiency> {
        if pass.binning.edges != total.binning.edges {
            bail!("efficiency: the passing and total histograms have different bin edges");
        }
        if pass.weighted() || total.weighted() {
            bail!("efficiency: weighted histograms are not supported (binomial intervals need counts)");
        }
        Efficiency::from_counts(
            pass.binning.clone(),
            pass.counts.clone(),
            total.counts.clone(),
            method,
            cl,
        )
    }

    /// One row per bin: lo, hi, center, pass, total, efficiency, lower, upper.
    pub fn table(&self) -> Table {
        let e = &self.binning.edges;
        let ints = |v: &[f64]| Col::Int(v.iter().map(|&x| x as i64).collect());
        let mut t = Table::new(Some(match &self.label {
            Some(l) => format!("efficiency vs {l}"),
            None => "efficiency".to_string(),
        }))
        .with("lo", Col::Float(e[..e.len() - 1].to_vec()))
        .and_then(|t| t.with("hi", Col::Float(e[1..].to_vec())))
        .and_then(|t| t.with("center", Col::Float(self.binning.centers())))
        .and_then(|t| t.with("pass", ints(&self.pass)))
        .and_then(|t| t.with("total", ints(&self.total)))
        .and_then(|t| t.with("efficiency", Col::Float(self.eff.clone())))
        .and_then(|t| t.with("lower", Col::Float(self.lower.clone())))
        .and_then(|t| t.with("upper", Col::Float(self.upper.clone())))
        .expect("one row per bin");
        t.footer.push(self.summary_line());
        t
    }

    pub fn summary_line(&self) -> String {
        let k: f64 = self.pass.iter().sum();
        let n: f64 = self.total.iter().sum();
        format!(
            "overall {} ({} / {}) · {} interval at cl {} · outside the bins {}",
            fmt_sig(if n > 0.0 { k / n } else { f64::NAN }),
            group_digits(k as usize),
            group_digits(n as usize),
            self.method.name(),
            fmt_sig(self.cl),
            group_digits(self.outside as usize)
        )
    }
}

impl std::fmt::Display for Efficiency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "Efficiency{}: {} bins on [{}, {}]",
            self.label
                .as_deref()
                .map(|l| format!(" vs {l}"))
                .unwrap_or_default(),
            self.binning.nbins(),
            fmt_sig(self.binning.lo()),
            fmt_sig(self.binning.hi())
        )?;
        writeln!(f, "{}", self.summary_line())?;
        write!(
            f,
            "{}",
            crate::output::plot::term_bars(
                &self
                    .eff
                    .iter()
                    .map(|v| if v.is_nan() { 0.0 } else { *v })
                    .collect::<Vec<_>>(),
                self.binning.lo(),
                self.binning.hi(),
                64,
                8
            )
        )
    }
}

/// Efficiency of `pass` (bool per entry) in bins of `var`, over the entries where
/// `mask` is true (e.g. efficiency: pass = kept, mask = truth; purity: pass = truth,
/// mask = kept).
pub fn efficiency(
    pass: &Array,
    var: &Array,
    bins: &BinSpec,
    range: &RangeSpec,
    mask: Option<&Array>,
    method: Interval,
    cl: f64,
) -> Result<Efficiency> {
    let _s = crate::prof::span("efficiency");
    data::check_real(var, "efficiency", "the binned variable")?;
    let n = var.size();
    let p = data::mask_bytes(pass, n, "efficiency", "pass")?;
    let m = opt_mask(mask, n, "efficiency")?;
    let m = m.as_deref();
    let b = Binning::resolve(bins, range, var, m, "efficiency", "the binned variable")?;
    let v = data::as_f64(var, "efficiency", "the binned variable")?;
    let vs = v.as_slice::<f64>()?;
    let nb = b.nbins();
    let (k, tot, outside) = crate::exec::par_reduce(
        n,
        chunk(8),
        |r| {
            let mut k = vec![0u64; nb];
            let mut t = vec![0u64; nb];
            let mut out = 0u64;
            for i in r {
                if m.is_some_and(|m| m[i] == 0) {
                    continue;
                }
                let j = b.locate(vs[i]);
                if j < 0 {
                    out += 1;
                    continue;
                }
                t[j as usize] += 1;
                k[j as usize] += (p[i] != 0) as u64;
            }
            Ok((k, t, out))
        },
        || (vec![0u64; nb], vec![0u64; nb], 0),
        |mut a, b| {
            a.0.iter_mut().zip(&b.0).for_each(|(x, y)| *x += y);
            a.1.iter_mut().zip(&b.1).for_each(|(x, y)| *x += y);
            (a.0, a.1, a.2 + b.2)
        },
    )?;
    let mut e = Efficiency::from_counts(
        b,
        k.iter().map(|&x| x as f64).collect(),
        tot.iter().map(|&x| x as f64).collect(),
        method,
        cl,
    )?;
    e.outside = outside;
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_textbook_value() {
        // Wilson 95% for 8/10 (Newcombe 1998 / Agresti-Coull): 0.4902 .. 0.9433
        let (l, u) = interval(8.0, 10.0, 0.95, Interval::Wilson);
        assert!((l - 0.4902).abs() < 1e-4, "{l}");
        assert!((u - 0.9433).abs() < 1e-4, "{u}");
    }

    #[test]
    fn clopper_pearson_edges() {
        // 0 of n: upper = 1 - (alpha/2)^(1/n)
        let (l, u) = interval(0.0, 10.0, 0.95, Interval::ClopperPearson);
        assert_eq!(l, 0.0);
        assert!((u - (1.0 - 0.025f64.powf(0.1))).abs() < 1e-10, "{u}");
        let (l, u) = interval(10.0, 10.0, 0.95, Interval::ClopperPearson);
        assert!((l - 0.025f64.powf(0.1)).abs() < 1e-10, "{l}");
        assert_eq!(u, 1.0);
    }
}
