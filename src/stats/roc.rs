//! `roc(score, truth)`: the exact ROC curve, with tied scores handled like scikit-learn's
//! `roc_curve` (one point per distinct score), its AUC, and working points (the score
//! cut at which the true-positive rate first reaches a target efficiency).
//!
//! Instead of sorting (score, label) pairs, the scores of positives and of negatives are
//! turned into order-preserving integer keys and radix-sorted separately in parallel;
//! one merge walk from the highest score down then yields the cumulative TP/FP counts at
//! every distinct score. The curve is kept at full resolution, so any number of working
//! points (a 481-point sweep) costs a binary search each, never a recomputation.

use rayon::prelude::*;

use crate::array::ops::Real;
use crate::array::{Array, DType};
use crate::bail;
use crate::error::Result;
use crate::output::table::{Col, Table};
use crate::output::table_fmt::{fmt_sig, group_digits};

use super::data;

/// An exact ROC curve.
#[derive(Clone, Debug)]
pub struct Roc {
    /// Distinct scores, descending.
    pub thr: Vec<f64>,
    /// Positives / negatives with score >= thr[i].
    pub tp: Vec<u64>,
    pub fp: Vec<u64>,
    /// Totals of positives and negatives.
    pub pos: u64,
    pub neg: u64,
    /// Area under the curve (trapezoids, computed exactly from the integer counts).
    pub auc: f64,
    /// `fpr`/`tpr`/`thresholds` drop collinear points like scikit-learn's default
    /// (`drop_intermediate=True`); the AUC and working points always use every point.
    pub drop_intermediate: bool,
    /// Name shown in legends.
    pub label: Option<String>,
}

// ------------------------------------------------------------------------- keys

/// Order-preserving unsigned integer keys of floats.
trait Key: Copy + Send + Sync + Default + Ord + 'static {
    const BITS: u32;
    fn digit(self, shift: u32) -> usize;
    fn value(self) -> f64;
}

impl Key for u32 {
    const BITS: u32 = 32;
    #[inline(always)]
    fn digit(self, shift: u32) -> usize {
        ((self >> shift) & 0x7ff) as usize
    }
    fn value(self) -> f64 {
        let b = if self & 0x8000_0000 != 0 {
            self & 0x7fff_ffff
        } else {
            !self
        };
        f32::from_bits(b) as f64
    }
}

impl Key for u64 {
    const BITS: u32 = 64;
    #[inline(always)]
    fn digit(self, shift: u32) -> usize {
        ((self >> shift) & 0x7ff) as usize
    }
    fn value(self) -> f64 {
        let b = if self & (1 << 63) != 0 {
            self & !(1 << 63)
        } else {
            !self
        };
        f64::from_bits(b)
    }
}

#[inline(always)]
fn key32(x: f32) -> u32 {
    let x = if x == 0.0 { 0.0 } else { x }; // -0 ties with +0
    let b = x.to_bits();
    if b & 0x8000_0000 != 0 {
        !b
    } else {
        b | 0x8000_0000
    }
}

#[inline(always)]
fn key64(x: f64) -> u64 {
    let x = if x == 0.0 { 0.0 } else { x };
    let b = x.to_bits();
    if b & (1 << 63) != 0 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// A raw pointer that may be shared between the threads of one scatter pass.
#[derive(Clone, Copy)]
struct SharedPtr<K>(*mut K);
unsafe impl<K> Send for SharedPtr<K> {}
unsafe impl<K> Sync for SharedPtr<K> {}

/// Parallel LSD radix sort, 11 bits per pass; passes where every key has the same digit
/// are skipped.
fn radix_sort<K: Key>(v: &mut Vec<K>) -> Result<()> {
    let n = v.len();
    if n < 2 {
        return Ok(());
    }
    if n < 1 << 12 {
        v.sort_unstable();
        return Ok(());
    }
    let mut tmp: Vec<K> = vec![K::default(); n];
    let nch = (crate::exec::threads() * 4).clamp(1, n.div_ceil(1 << 12));
    let csize = n.div_ceil(nch);
    let mut shift = 0;
    while shift < K::BITS {
        crate::exec::check()?;
        let src = &v[..];
        let hists: Vec<Vec<usize>> = src
            .par_chunks(csize)
            .map(|c| {
                let mut h = vec![0usize; 2048];
                for &k in c {
                    h[k.digit(shift)] += 1;
                }
                h
            })
            .collect();
        let mut total = vec![0usize; 2048];
        for h in &hists {
            for d in 0..2048 {
                total[d] += h[d];
            }
        }
        if total.contains(&n) {
            shift += 11;
            continue;
        }
        // offsets[c][d]: where chunk c writes its first key of digit d
        let mut offsets = vec![vec![0usize; 2048]; hists.len()];
        let mut acc = 0;
        for d in 0..2048 {
            for (c, h) in hists.iter().enumerate() {
                offsets[c][d] = acc;
                acc += h[d];
            }
        }
        let dst = SharedPtr(tmp.as_mut_ptr());
        src.par_chunks(csize)
            .zip(offsets.into_par_iter())
            .for_each(|(c, mut off)| {
                let d = dst;
                for &k in c {
                    let slot = &mut off[k.digit(shift)];
                    // SAFETY: the offsets partition 0..n: chunk c owns positions
                    // offsets[c][d]..offsets[c][d]+hists[c][d] for every digit d, so no
                    // two writes (in any thread) target the same element, all are < n,
                    // and `tmp` outlives the loop.
                    unsafe { *d.0.add(*slot) = k };
                    *slot += 1;
                }
            });
        std::mem::swap(v, &mut tmp);
        shift += 11;
    }
    Ok(())
}

/// Keys of positives and negatives (masked-out values skipped), and the NaN count.
fn split<T: Real, K: Key>(
    s: &[T],
    truth: &[u8],
    mask: Option<&[u8]>,
    key: impl Fn(T) -> K + Sync,
) -> Result<(Vec<K>, Vec<K>, u64)> {
    let n = s.len();
    let csize = data::chunk(std::mem::size_of::<T>());
    let counts = crate::exec::par_chunks(n, csize, |r| {
        let (mut p, mut q, mut nan) = (0usize, 0usize, 0u64);
        for i in r {
            if mask.is_some_and(|m| m[i] == 0) {
                continue;
            }
            if s[i].is_nan() {
                nan += 1;
            } else if truth[i] != 0 {
                p += 1;
            } else {
                q += 1;
            }
        }
        Ok((p, q, nan))
    })?;
    let nan: u64 = counts.iter().map(|c| c.2).sum();
    if nan > 0 {
        return Ok((vec![], vec![], nan));
    }
    let np: usize = counts.iter().map(|c| c.0).sum();
    let nn: usize = counts.iter().map(|c| c.1).sum();
    let mut pos = vec![K::default(); np];
    let mut neg = vec![K::default(); nn];
    let mut parts = vec![];
    {
        let (mut pr, mut nr) = (&mut pos[..], &mut neg[..]);
        for (c, &(p, q, _)) in counts.iter().enumerate() {
            let (a, b) = std::mem::take(&mut pr).split_at_mut(p);
            let (x, y) = std::mem::take(&mut nr).split_at_mut(q);
            parts.push((c, a, x));
            pr = b;
            nr = y;
        }
    }
    parts.into_par_iter().for_each(|(c, pp, nn)| {
        let lo = c * csize;
        let hi = (lo + csize).min(n);
        let (mut a, mut b) = (0, 0);
        for i in lo..hi {
            if mask.is_some_and(|m| m[i] == 0) {
                continue;
            }
            let k = key(s[i]);
            if truth[i] != 0 {
                pp[a] = k;
                a += 1;
            } else {
                nn[b] = k;
                b += 1;
            }
        }
    });
    crate::exec::check()?;
    Ok((pos, neg, 0))
}

/// Walk both ascending key lists from the top: one point per distinct key.
fn walk<K: Key>(pos: &[K], neg: &[K]) -> (Vec<f64>, Vec<u64>, Vec<u64>) {
    let (mut i, mut j) = (pos.len(), neg.len());
    let cap = (i + j).min(1 << 24);
    let (mut thr, mut tps, mut fps) = (
        Vec::with_capacity(cap),
        Vec::with_capacity(cap),
        Vec::with_capacity(cap),
    );
    let (mut tp, mut fp) = (0u64, 0u64);
    while i > 0 || j > 0 {
        let k = match (i > 0, j > 0) {
            (true, true) => pos[i - 1].max(neg[j - 1]),
            (true, false) => pos[i - 1],
            _ => neg[j - 1],
        };
        while i > 0 && pos[i - 1] == k {
            i -= 1;
            tp += 1;
        }
        while j > 0 && neg[j - 1] == k {
            j -= 1;
            fp += 1;
        }
        thr.push(k.value());
        tps.push(tp);
        fps.push(fp);
    }
    (thr, tps, fps)
}

/// The curve's thresholds, TP and FP counts, and the NaN count.
type Curve = (Vec<f64>, Vec<u64>, Vec<u64>, u64);

fn build<T: Real, K: Key>(
    s: &[T],
    truth: &[u8],
    mask: Option<&[u8]>,
    key: impl Fn(T) -> K + Sync,
) -> Result<Curve> {
    let (mut pos, mut neg, nan) = {
        let _st = crate::prof::stage("split");
        split(s, truth, mask, key)?
    };
    if nan > 0 {
        return Ok((vec![], vec![], vec![], nan));
    }
    {
        let _st = crate::prof::stage("sort");
        let (a, b) = rayon::join(|| radix_sort(&mut pos), || radix_sort(&mut neg));
        a?;
        b?;
    }
    let _st = crate::prof::stage("curve");
    let (t, tp, fp) = walk(&pos, &neg);
    Ok((t, tp, fp, 0))
}

/// The ROC curve of `score` (any real dtype) against `truth` (bool, or numbers where
/// nonzero means positive), over the elements where `mask` is true.
pub fn roc(
    score: &Array,
    truth: &Array,
    mask: Option<&Array>,
    drop_intermediate: bool,
) -> Result<Roc> {
    let _s = crate::prof::span("roc");
    crate::exec::page_in(score);
    crate::exec::page_in(truth);
    data::check_real(score, "roc", "score")?;
    let n = score.size();
    if n == 0 {
        bail!("roc: the score array is empty");
    }
    let t = data::truth_bytes(truth, n, "roc", "truth")?;
    let m = super::binning::opt_mask(mask, n, "roc")?;
    let m = m.as_deref();
    let (thr, tp, fp, nan) = match score.dtype() {
        DType::F32 => build(&score.as_slice::<f32>()?, &t, m, key32)?,
        DType::F64 => build(&score.as_slice::<f64>()?, &t, m, key64)?,
        d @ (DType::F16 | DType::Bool | DType::U8 | DType::I8 | DType::U16 | DType::I16) => {
            crate::with_real_type!(d, T => build(&score.as_slice::<T>()?, &t, m,
                |x: T| key32(x.to_f64() as f32))?, else unreachable!())
        }
        d => {
            crate::with_real_type!(d, T => build(&score.as_slice::<T>()?, &t, m,
                |x: T| key64(x.to_f64()))?, else unreachable!())
        }
    };
    if nan > 0 {
        bail!("roc: score contains {nan} NaN values; select them away first (e.g. score[!score.isnan()])");
    }
    let pos = tp.last().copied().unwrap_or(0);
    let neg = fp.last().copied().unwrap_or(0);
    let total = pos + neg;
    if total == 0 {
        bail!("roc: no scores left after the mask");
    }
    if pos == 0 || neg == 0 {
        bail!(
            "roc: truth has only {} ({} of {}); a ROC curve needs both positives and negatives",
            if pos == 0 { "negatives" } else { "positives" },
            group_digits(total as usize),
            group_digits(total as usize)
        );
    }
    // exact trapezoid sum in integers: sum dfp * (tp_i + tp_{i-1}) / (2 P N)
    let mut acc: u128 = 0;
    let (mut ptp, mut pfp) = (0u64, 0u64);
    for (&a, &b) in tp.iter().zip(&fp) {
        acc += (b - pfp) as u128 * (a + ptp) as u128;
        ptp = a;
        pfp = b;
    }
    let auc = acc as f64 / (2.0 * pos as f64 * neg as f64);
    Ok(Roc {
        thr,
        tp,
        fp,
        pos,
        neg,
        auc,
        drop_intermediate,
        label: None,
    })
}

/// A working point: the cut `score >= threshold` and its counts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WorkingPoint {
    pub target: f64,
    pub threshold: f64,
    pub tp: u64,
    pub fp: u64,
    pub tn: u64,
    pub fn_: u64,
}

impl WorkingPoint {
    pub fn efficiency(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_) as f64
    }
    pub fn purity(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp) as f64
    }
    pub fn rejection(&self) -> f64 {
        self.tn as f64 / (self.tn + self.fp) as f64
    }
}

impl Roc {
    /// Points of the curve as scikit-learn returns them: (tp, fp, threshold) with the
    /// (0, 0, inf) point first, collinear points dropped when `drop_intermediate`.
    fn points(&self) -> Vec<(u64, u64, f64)> {
        let m = self.tp.len();
        let mut out = Vec::with_capacity(m + 1);
        out.push((0, 0, f64::INFINITY));
        let keep = |k: usize| -> bool {
            if !self.drop_intermediate || m <= 2 || k == 0 || k == m - 1 {
                return true;
            }
            let d2 = |v: &[u64]| v[k + 1] as i128 - 2 * v[k] as i128 + v[k - 1] as i128;
            d2(&self.fp) != 0 || d2(&self.tp) != 0
        };
        for k in 0..m {
            if keep(k) {
                out.push((self.tp[k], self.fp[k], self.thr[k]));
            }
        }
        out
    }

    pub fn fpr(&self) -> Vec<f64> {
        let n = self.neg as f64;
        self.points().iter().map(|p| p.1 as f64 / n).collect()
    }
    pub fn tpr(&self) -> Vec<f64> {
        let p = self.pos as f64;
        self.points().iter().map(|x| x.0 as f64 / p).collect()
    }
    pub fn thresholds(&self) -> Vec<f64> {
        self.points().iter().map(|p| p.2).collect()
    }

    /// The working point for a target efficiency: the highest threshold (the first point
    /// walking down from the top) whose TPR reaches the target (TPR >= target).
    pub fn working_point(&self, target: f64) -> Result<WorkingPoint> {
        if !(0.0..=1.0).contains(&target) {
            bail!("wp: target efficiency {target} is outside [0, 1]");
        }
        let p = self.pos as f64;
        let m = self.tp.len();
        // index over the curve with the (0, 0, inf) point in front
        let tp_at = |i: usize| if i == 0 { 0 } else { self.tp[i - 1] };
        let (mut lo, mut hi) = (0usize, m); // answer in lo..=hi
        while lo < hi {
            let mid = (lo + hi) / 2;
            if (tp_at(mid) as f64 / p) >= target {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        let i = lo;
        let (tp, fp, threshold) = if i == 0 {
            (0, 0, f64::INFINITY)
        } else {
            (self.tp[i - 1], self.fp[i - 1], self.thr[i - 1])
        };
        Ok(WorkingPoint {
            target,
            threshold,
            tp,
            fp,
            tn: self.neg - fp,
            fn_: self.pos - tp,
        })
    }

    /// Table of working points: target, threshold, efficiency, purity, rejection, TP, FP,
    /// TN, FN.
    pub fn wp_table(&self, targets: &[f64]) -> Result<Table> {
        let _s = crate::prof::span("r.wp");
        let wps: Vec<WorkingPoint> = targets
            .iter()
            .map(|&t| self.working_point(t))
            .collect::<Result<_>>()?;
        let f = |g: fn(&WorkingPoint) -> f64| Col::Float(wps.iter().map(g).collect());
        let i = |g: fn(&WorkingPoint) -> u64| Col::Int(wps.iter().map(|w| g(w) as i64).collect());
        let mut t = Table::new(Some("working points".to_string()))
            .with("target", f(|w| w.target))?
            .with("threshold", f(|w| w.threshold))?
            .with("efficiency", f(|w| w.efficiency()))?
            .with("purity", f(|w| w.purity()))?
            .with("rejection", f(|w| w.rejection()))?
            .with("TP", i(|w| w.tp))?
            .with("FP", i(|w| w.fp))?
            .with("TN", i(|w| w.tn))?
            .with("FN", i(|w| w.fn_))?;
        t.footer.push(format!(
            "cut: score >= threshold · threshold = highest score cut with TPR >= target · AUC {:.6}",
            self.auc
        ));
        Ok(t)
    }

    /// The curve as a table: threshold, fpr, tpr, tp, fp (scikit-learn's points).
    pub fn table(&self) -> Table {
        let pts = self.points();
        let (p, n) = (self.pos as f64, self.neg as f64);
        let mut t = Table::new(Some("ROC curve".to_string()))
            .with("threshold", Col::Float(pts.iter().map(|x| x.2).collect()))
            .and_then(|t| {
                t.with(
                    "fpr",
                    Col::Float(pts.iter().map(|x| x.1 as f64 / n).collect()),
                )
            })
            .and_then(|t| {
                t.with(
                    "tpr",
                    Col::Float(pts.iter().map(|x| x.0 as f64 / p).collect()),
                )
            })
            .and_then(|t| t.with("tp", Col::Int(pts.iter().map(|x| x.0 as i64).collect())))
            .and_then(|t| t.with("fp", Col::Int(pts.iter().map(|x| x.1 as i64).collect())))
            .expect("columns of one length");
        t.footer.push(format!("AUC {:.6}", self.auc));
        t
    }
}

impl std::fmt::Display for Roc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ROC{}: {} scores ({} positive, {} negative), {} distinct thresholds, AUC {}",
            self.label
                .as_deref()
                .map(|l| format!(" {l}"))
                .unwrap_or_default(),
            group_digits((self.pos + self.neg) as usize),
            group_digits(self.pos as usize),
            group_digits(self.neg as usize),
            group_digits(self.thr.len()),
            fmt_sig_auc(self.auc)
        )
    }
}

fn fmt_sig_auc(a: f64) -> String {
    if a.is_finite() {
        format!("{a:.6}")
    } else {
        fmt_sig(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_order() {
        let v = [
            -f32::INFINITY,
            -2.5,
            -0.0,
            0.0,
            1e-30,
            0.5,
            3.0,
            f32::INFINITY,
        ];
        for w in v.windows(2) {
            assert!(key32(w[0]) <= key32(w[1]), "{w:?}");
        }
        assert_eq!(key32(-0.0), key32(0.0));
        for x in v {
            assert_eq!(key32(x).value(), x as f64);
            assert_eq!(key64(x as f64).value(), x as f64);
        }
    }

    #[test]
    fn radix_sorts() {
        let mut v: Vec<u32> = (0..100_000u32)
            .map(|i| i.wrapping_mul(2654435761))
            .collect();
        let mut w = v.clone();
        radix_sort(&mut v).unwrap();
        w.sort_unstable();
        assert_eq!(v, w);
        let mut v: Vec<u64> = (0..50_000u64)
            .map(|i| i.wrapping_mul(0x9E3779B97F4A7C15))
            .collect();
        let mut w = v.clone();
        radix_sort(&mut v).unwrap();
        w.sort_unstable();
        assert_eq!(v, w);
    }

    #[test]
    fn small_curve_with_ties() {
        // sklearn: roc_curve([0,0,1,1], [0.1,0.4,0.35,0.8]) -> fpr [0,0,.5,.5,1],
        // tpr [0,.5,.5,1,1], thresholds [inf,.8,.4,.35,.1]; auc 0.75
        let s = Array::from_vec(vec![0.1f64, 0.4, 0.35, 0.8], vec![4]).unwrap();
        let t = Array::from_bools(vec![false, false, true, true]);
        let r = roc(&s, &t, None, false).unwrap();
        assert_eq!(r.fpr(), vec![0.0, 0.0, 0.5, 0.5, 1.0]);
        assert_eq!(r.tpr(), vec![0.0, 0.5, 0.5, 1.0, 1.0]);
        assert_eq!(r.thresholds()[1..], [0.8, 0.4, 0.35, 0.1]);
        assert_eq!(r.auc, 0.75);
        let one = Array::from_bools(vec![true; 4]);
        let e = roc(&s, &one, None, false).unwrap_err().to_string();
        assert!(e.contains("only positives"), "{e}");
    }
}
