//! Alignment of A and B: photon `i` of both sides started identically, so "aligned" means
//! equal seqhis at the same index. Counts of aligned and misaligned photons (cached per
//! pair), the aligned mask as an array, and the migration table (A history → B history,
//! counted) of the misaligned photons.

use rayon::prelude::*;

use super::{par_scope, CodeMap, Pair};
use crate::array::{Array, DType};
use crate::error::Result;
use crate::event::flags;
use crate::event::history::CodeSource;
use crate::output::table::{Col, Table};

/// Aligned and misaligned photons among those the pair looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlignCounts {
    /// Photons compared (either side's selection).
    pub scope: usize,
    pub aligned: usize,
    pub misaligned: usize,
}

/// Rows shown when the migration table is printed.
pub const SHOWN_ROWS: usize = 20;

impl Pair {
    /// Aligned / misaligned counts (computed once per pair).
    pub fn alignment(&self) -> Result<AlignCounts> {
        if let Some(c) = self.align_cache().get() {
            return Ok(*c);
        }
        let _s = crate::prof::stage("alignment");
        let (ha, hb) = self.seqhis()?;
        let (ma, mb) = self.members();
        let aligned = par_scope(
            self.scope(),
            || 0usize,
            |n, i| {
                if Pair::is_aligned(i, &ha, &hb, ma, mb) {
                    *n += 1
                }
            },
            |x, y| x + y,
        )?;
        let scope = self.scope().count();
        let c = AlignCounts {
            scope,
            aligned,
            misaligned: scope - aligned,
        };
        let _ = self.align_cache().set(c);
        Ok(c)
    }

    /// `ab.aligned`: a bool mask over the loaded photons, true where the photon is in
    /// both sides' selections with equal seqhis.
    pub fn aligned_mask(&self) -> Result<Array> {
        let _s = crate::prof::stage("aligned mask");
        let (ha, hb) = self.seqhis()?;
        let (ma, mb) = self.members();
        let scope = self.scope();
        let n = self.loaded();
        let mut out = vec![0u8; n];
        out.par_chunks_mut(super::CHUNK)
            .enumerate()
            .try_for_each(|(c, o)| -> Result<()> {
                crate::exec::check()?;
                let lo = c * super::CHUNK;
                for (k, v) in o.iter_mut().enumerate() {
                    let i = lo + k;
                    *v = (scope.contains(i) && Pair::is_aligned(i, &ha, &hb, ma, mb)) as u8;
                }
                Ok(())
            })?;
        Array::from_vec_typed(out, DType::Bool, vec![n])
    }

    /// `ab.migrations`: (A history, B history, count) of the misaligned photons, by count
    /// descending.
    pub fn migrations(&self) -> Result<Table> {
        let _s = crate::prof::stage("migrations");
        let (ha, hb) = self.seqhis()?;
        let (ma, mb) = self.members();
        let map = par_scope(
            self.scope(),
            CodeMap::<(u128, u128), u64>::default,
            |m, i| {
                if !Pair::is_aligned(i, &ha, &hb, ma, mb) {
                    *m.entry((ha.get(i), hb.get(i))).or_insert(0) += 1;
                }
            },
            |mut x, y| {
                if x.len() < y.len() {
                    return merge_into(y, x);
                }
                for (k, v) in y {
                    *x.entry(k).or_insert(0) += v;
                }
                x
            },
        )?;
        let mut rows: Vec<((u128, u128), u64)> = map.into_iter().collect();
        rows.par_sort_unstable_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
        let total: u64 = rows.iter().map(|r| r.1).sum();
        let (a, b) = (self.a(), self.b());
        let labels: Vec<(String, String)> = rows
            .par_iter()
            .map(|((x, y), _)| (a.flags().label(*x), b.flags().label(*y)))
            .collect();
        let n = rows.len();
        let mut t = Table::new(Some(format!(
            "migrations of {total} misaligned photons: A history -> B history ({n} distinct)"
        )));
        let cols = vec![
            ("idx", Col::Int((0..n as i64).collect())),
            (
                "a_code",
                Col::Str(rows.iter().map(|r| flags::hex(r.0 .0)).collect()),
            ),
            (
                "a_label",
                Col::Str(labels.iter().map(|l| l.0.clone()).collect()),
            ),
            (
                "b_code",
                Col::Str(rows.iter().map(|r| flags::hex(r.0 .1)).collect()),
            ),
            (
                "b_label",
                Col::Str(labels.iter().map(|l| l.1.clone()).collect()),
            ),
            ("count", Col::Int(rows.iter().map(|r| r.1 as i64).collect())),
            (
                "frac",
                Col::Float(
                    rows.iter()
                        .map(|r| r.1 as f64 / total.max(1) as f64)
                        .collect(),
                ),
            ),
        ];
        for (name, c) in cols {
            t.push(name, c)?;
        }
        t.show = Some(SHOWN_ROWS);
        t.head_only = true;
        t.precision.push(("frac".into(), 4));
        Ok(t)
    }
}

fn merge_into(
    mut big: CodeMap<(u128, u128), u64>,
    small: CodeMap<(u128, u128), u64>,
) -> CodeMap<(u128, u128), u64> {
    for (k, v) in small {
        *big.entry(k).or_insert(0) += v;
    }
    big
}
