//! Bin edges and where a value falls: the one place that decides bin membership, shared
//! by `hist`, `hist2d`, `binned` and `efficiency` so that they all agree with each other
//! and with NumPy (`np.histogram`: edges from `np.linspace`, bins closed on the left, the
//! last bin also closed on the right, values outside the range counted as under/overflow,
//! NaN never counted in a bin).

use std::borrow::Cow;

use crate::array::{Array, DType};
use crate::bail;
use crate::error::Result;

use super::data;

/// How many bins, or explicit edges.
#[derive(Clone, Debug, PartialEq)]
pub enum BinSpec {
    /// That many equal-width bins over the range.
    Count(usize),
    /// Explicit, increasing edges (n+1 edges for n bins); the range is ignored.
    Edges(Vec<f64>),
}

/// The range equal-width bins cover.
#[derive(Clone, Debug, PartialEq)]
pub enum RangeSpec {
    /// From the smallest to the largest value (NaN ignored).
    Auto,
    /// `[lo, hi]`.
    Fixed(f64, f64),
    /// The central interval holding this percentage of the values (`"99.7%"`): from the
    /// (100-p)/2 to the (100+p)/2 percentile (NumPy's linear interpolation).
    Central(f64),
    /// Explicit percentiles `[lo%, hi%]`.
    Percentiles(f64, f64),
}

impl RangeSpec {
    /// Parse `"99.7%"`.
    pub fn parse_percent(s: &str) -> Result<RangeSpec> {
        let t = s.trim();
        let Some(num) = t.strip_suffix('%') else {
            bail!("range \"{s}\": expected a percentage like \"99.7%\" or [lo, hi]");
        };
        match num.trim().parse::<f64>() {
            Ok(p) if p > 0.0 && p <= 100.0 => Ok(RangeSpec::Central(p)),
            _ => bail!("range \"{s}\": the percentage must be a number in (0, 100]"),
        }
    }
}

/// Where a value falls relative to a binning.
pub const UNDER: i64 = -1;
pub const OVER: i64 = -2;
pub const NAN: i64 = -3;

/// Resolved bin edges.
#[derive(Clone, Debug, PartialEq)]
pub struct Binning {
    /// n+1 increasing edges.
    pub edges: Vec<f64>,
    /// For equal-width bins: (lo, n / (hi - lo)), the fast index estimate.
    uniform: Option<(f64, f64)>,
}

/// Equal-width edges that rounding made equal (a range too narrow for its magnitude, e.g.
/// [1e300, 1e300 + 1]) or not finite cannot bin anything: refuse, as NumPy does.
fn check_increasing(edges: &[f64]) -> Result<()> {
    if edges.iter().any(|e| !e.is_finite()) || edges.windows(2).any(|w| w[1] <= w[0]) {
        bail!(
            "the bin range [{:?}, {:?}] is too narrow for its magnitude: {} finite-sized, \
increasing bins cannot be made in floating point; give a wider range or fewer bins",
            edges[0],
            edges[edges.len() - 1],
            edges.len() - 1
        );
    }
    Ok(())
}

impl Binning {
    /// `n` equal-width bins from `lo` to `hi`, edges exactly as `np.linspace(lo, hi, n+1)`
    /// (rounded to f32 when `f32_edges`, as NumPy does for float32 data).
    pub fn uniform(lo: f64, hi: f64, n: usize, f32_edges: bool) -> Result<Binning> {
        if n == 0 {
            bail!("bins must be at least 1");
        }
        if !lo.is_finite() || !hi.is_finite() {
            bail!("the bin range [{lo}, {hi}] is not finite");
        }
        if lo > hi {
            bail!("the bin range [{lo}, {hi}] has lo > hi");
        }
        let (lo, hi) = if lo == hi {
            (lo - 0.5, hi + 0.5)
        } else {
            (lo, hi)
        };
        if !(hi - lo).is_finite() {
            bail!(
                "the bin range [{lo:?}, {hi:?}] is too wide: its width overflows float64, so {n} \
finite-sized bins cannot be made (NumPy refuses it too); give a narrower range"
            );
        }
        let step = (hi - lo) / n as f64;
        let mut edges: Vec<f64> = (0..=n).map(|i| i as f64 * step + lo).collect();
        edges[n] = hi;
        if f32_edges {
            for e in edges.iter_mut() {
                *e = *e as f32 as f64;
            }
        }
        check_increasing(&edges)?;
        Ok(Self::with_edges_uniform(edges))
    }

    /// Like [`Binning::uniform`] with the arithmetic of `np.linspace` in float32, which
    /// is what NumPy does when the range itself comes from float32 data (min/max or
    /// percentiles of a float32 array).
    pub fn uniform_f32(lo: f64, hi: f64, n: usize) -> Result<Binning> {
        let mut b = Binning::uniform(lo, hi, n, true)?;
        let (l, h) = (b.edges[0] as f32, b.edges[n] as f32);
        let step = (h - l) / n as f32;
        for (i, e) in b.edges.iter_mut().enumerate() {
            *e = if step == 0.0 {
                (i as f32 / n as f32 * (h - l) + l) as f64
            } else {
                (i as f32 * step + l) as f64
            };
        }
        b.edges[n] = h as f64;
        check_increasing(&b.edges)?;
        Ok(Self::with_edges_uniform(b.edges))
    }

    fn with_edges_uniform(edges: Vec<f64>) -> Binning {
        let n = edges.len() - 1;
        let (l, h) = (edges[0], edges[n]);
        let norm = n as f64 / (h - l);
        Binning {
            // A width so small that its inverse overflows: locate by the edges instead.
            uniform: norm.is_finite().then_some((l, norm)),
            edges,
        }
    }

    /// Explicit edges (at least two, strictly increasing, finite).
    pub fn from_edges(edges: Vec<f64>) -> Result<Binning> {
        if edges.len() < 2 {
            bail!(
                "bin edges: need at least 2 edges (n+1 for n bins), found {}",
                edges.len()
            );
        }
        if edges.iter().any(|e| !e.is_finite()) {
            bail!("bin edges must be finite numbers");
        }
        if let Some(w) = edges.windows(2).position(|w| w[1] <= w[0]) {
            bail!(
                "bin edges must increase: edge {} ({}) is not above edge {} ({})",
                w + 1,
                edges[w + 1],
                w,
                edges[w]
            );
        }
        Ok(Binning {
            edges,
            uniform: None,
        })
    }

    /// Number of bins.
    pub fn nbins(&self) -> usize {
        self.edges.len() - 1
    }
    pub fn lo(&self) -> f64 {
        self.edges[0]
    }
    pub fn hi(&self) -> f64 {
        self.edges[self.edges.len() - 1]
    }
    /// Bin centres.
    pub fn centers(&self) -> Vec<f64> {
        self.edges.windows(2).map(|w| 0.5 * (w[0] + w[1])).collect()
    }

    /// For equal-width bins, `(lo, n / (hi - lo))`: the index estimate fast kernels use
    /// (corrected against the edges, as [`Binning::locate`] does).
    pub fn uniform_params(&self) -> Option<(f64, f64)> {
        self.uniform
    }

    /// The bin of `v` (0..n), or [`UNDER`], [`OVER`], [`NAN`].
    #[inline(always)]
    pub fn locate(&self, v: f64) -> i64 {
        let n = self.edges.len() - 1;
        let lo = self.edges[0];
        let hi = self.edges[n];
        if v.is_nan() {
            return NAN;
        }
        if v < lo {
            return UNDER;
        }
        if v > hi {
            return OVER;
        }
        match self.uniform {
            Some((l, norm)) => {
                let mut i = ((v - l) * norm) as usize;
                if i >= n {
                    i = n - 1;
                }
                // the estimate can be one off near an edge: the edges decide
                if v < self.edges[i] {
                    i -= 1;
                } else if i + 1 < n && v >= self.edges[i + 1] {
                    i += 1;
                }
                i as i64
            }
            None => {
                let i = self.edges.partition_point(|&e| e <= v);
                (i.min(n) - 1) as i64
            }
        }
    }

    /// Resolve a bin specification against the data `x` (only read when the range
    /// depends on it), honouring `mask`.
    pub fn resolve(
        bins: &BinSpec,
        range: &RangeSpec,
        x: &Array,
        mask: Option<&[u8]>,
        func: &str,
        what: &str,
    ) -> Result<Binning> {
        let n = match bins {
            BinSpec::Edges(e) => return Binning::from_edges(e.clone()),
            BinSpec::Count(n) => *n,
        };
        if n == 0 {
            bail!("{func}: bins must be at least 1");
        }
        if n > 100_000_000 {
            bail!("{func}: {n} bins is more than the 100,000,000 allowed");
        }
        let f32_edges = matches!(x.dtype(), DType::F32 | DType::F16);
        let (lo, hi) = match range {
            RangeSpec::Fixed(lo, hi) => (*lo, *hi),
            RangeSpec::Auto => match super::quantile::min_max(x, mask)? {
                Some((lo, hi)) => (lo, hi),
                None => (0.0, 1.0),
            },
            RangeSpec::Central(p) => {
                let q = (100.0 - p) / 200.0;
                let v = super::quantile::quantiles(x, mask, &[q, 1.0 - q])?;
                (v[0], v[1])
            }
            RangeSpec::Percentiles(a, b) => {
                if !(0.0..=100.0).contains(a) || !(0.0..=100.0).contains(b) || a >= b {
                    bail!("{func}: percentile range [{a}%, {b}%] must satisfy 0 <= lo < hi <= 100");
                }
                let v = super::quantile::quantiles(x, mask, &[a / 100.0, b / 100.0])?;
                (v[0], v[1])
            }
        };
        if !lo.is_finite() || !hi.is_finite() {
            bail!(
                "{func}: the range of {what} [{lo}, {hi}] is not finite (infinite values in the data?); give range: [lo, hi]"
            );
        }
        if lo > hi {
            bail!("{func}: range [{lo}, {hi}] has lo > hi");
        }
        let from_data = !matches!(range, RangeSpec::Fixed(..));
        let b = if f32_edges && from_data {
            // the range is float32 data itself: lo == hi widens by 0.5 in f32 too
            let (lo, hi) = if lo == hi {
                (lo - 0.5, hi + 0.5)
            } else {
                (lo, hi)
            };
            Binning::uniform_f32(lo, hi, n)
        } else {
            Binning::uniform(lo, hi, n, f32_edges)
        };
        b.map_err(|e| crate::err!("{func}: {e}"))
    }
}

/// Optional mask bytes of an optional mask array.
pub fn opt_mask<'a>(m: Option<&'a Array>, n: usize, func: &str) -> Result<Option<Cow<'a, [u8]>>> {
    m.map(|m| data::mask_bytes(m, n, func, "mask")).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_and_membership_follow_numpy() {
        let b = Binning::uniform(0.0, 1.0, 10, false).unwrap();
        assert_eq!(b.edges.len(), 11);
        assert_eq!(b.edges[3], 3.0 * 0.1);
        assert_eq!(b.locate(0.0), 0);
        assert_eq!(b.locate(1.0), 9);
        assert_eq!(b.locate(0.3), 2); // 0.3 < 3*0.1 = 0.30000000000000004
        assert_eq!(b.locate(b.edges[3]), 3);
        assert_eq!(b.locate(-0.1), UNDER);
        assert_eq!(b.locate(1.1), OVER);
        assert_eq!(b.locate(f64::NAN), NAN);
        let e = Binning::from_edges(vec![0.0, 1.0, 10.0]).unwrap();
        assert_eq!(e.locate(0.5), 0);
        assert_eq!(e.locate(1.0), 1);
        assert_eq!(e.locate(10.0), 1);
        assert_eq!(e.locate(11.0), OVER);
        assert!(Binning::from_edges(vec![0.0, 0.0]).is_err());
        let d = Binning::uniform(2.0, 2.0, 2, false).unwrap();
        assert_eq!(d.edges, vec![1.5, 2.0, 2.5]);
        assert!(RangeSpec::parse_percent("99.7%").is_ok());
        assert!(RangeSpec::parse_percent("120%").is_err());
    }
}
