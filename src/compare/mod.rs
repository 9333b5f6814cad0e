//! A/B comparison of two events: history chi-square tables, alignment, deviation tables.
//!
//! Validating one simulation against another needs, at full size and interactively:
//! the union of both history tables with a chi-square and a real p-value ([`his`]),
//! photon-by-photon alignment and the migrations of misaligned photons ([`align`]),
//! per-photon maximum deviations of positions, times, polarizations and final photon
//! quantities aggregated per history for every history ([`dv`]), and a JSON summary and
//! exit-code mask for unattended runs ([`summary`]).
//!
//! A [`Pair`] is a cheap handle over two [`Event`]s with the same loaded photons (photon
//! `i` of A and of B started identically). All kernels stream over the photons in
//! parallel chunks (checking for Ctrl-C between chunks) and keep only per-history
//! aggregates, so extra memory does not grow with the number of photons. Results that
//! depend only on the pair (alignment counts, default-cut deviation tables) are cached.

pub mod align;
pub mod dv;
pub mod his;
pub mod summary;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

use crate::bail;
use crate::error::Result;
use crate::event::select::{RowSet, Rows};
use crate::event::{Event, WordCol};

/// Two events compared photon by photon. Cheap to clone; immutable.
#[derive(Clone)]
pub struct Pair {
    inner: Arc<Inner>,
}

struct Inner {
    a: Event,
    b: Event,
    /// Rows of either side's selection (all loaded rows when neither is selected).
    scope: RowSet,
    align: OnceLock<align::AlignCounts>,
    dv: Mutex<HashMap<&'static str, Arc<dv::DvResult>>>,
}

impl Pair {
    /// Pair two events. They must hold the same photons: same number loaded, same load
    /// slice start, and the same flag table (codes of different tables mean different
    /// histories).
    pub fn new(a: &Event, b: &Event) -> Result<Pair> {
        let (pa, pb) = (a.folder().path.display(), b.folder().path.display());
        if a.loaded() != b.loaded() {
            bail!(
                "compare: A has {} photons loaded ({pa}) but B has {} ({pb}); photon i must be the \
same photon on both sides: load equal slices, e.g. event(path, #{{slice: \"0:{}\"}})",
                a.loaded(),
                b.loaded(),
                a.loaded().min(b.loaded())
            );
        }
        if a.folder().slice_start != b.folder().slice_start {
            bail!(
                "compare: A is loaded from file row {} ({pa}) but B from row {} ({pb}); use the \
same load slice on both sides",
                a.folder().slice_start,
                b.folder().slice_start
            );
        }
        if a.flags().abbrev != b.flags().abbrev {
            bail!(
                "compare: A uses the '{}' flag table ({pa}) but B the '{}' table ({pb}); open both \
with the same table, e.g. event(path, #{{flags: \"{}\"}})",
                a.flags().name,
                b.flags().name,
                a.flags().name
            );
        }
        let scope = match (a.selection(), b.selection()) {
            (None, None) => RowSet::all(a.loaded()),
            _ => a.rows().or(&b.rows())?,
        };
        Ok(Pair {
            inner: Arc::new(Inner {
                a: a.clone(),
                b: b.clone(),
                scope,
                align: OnceLock::new(),
                dv: Mutex::new(HashMap::new()),
            }),
        })
    }

    pub fn a(&self) -> &Event {
        &self.inner.a
    }
    pub fn b(&self) -> &Event {
        &self.inner.b
    }
    /// Loaded photons of each side.
    pub fn loaded(&self) -> usize {
        self.inner.a.loaded()
    }
    /// The photons the pair looks at (either side's selection).
    pub fn scope(&self) -> &RowSet {
        &self.inner.scope
    }

    /// Both sides selected by the same specs (`ab.sel("TO BT ..")`).
    pub fn select(&self, specs: &[String]) -> Result<Pair> {
        Pair::new(&self.inner.a.select(specs)?, &self.inner.b.select(specs)?)
    }

    /// The side names used in titles: path and selection.
    pub fn side_name(e: &Event) -> String {
        let p = e.folder().path.display().to_string();
        match e.selection() {
            Some(s) => format!("{p} sel \"{}\"", s.spec),
            None => p,
        }
    }

    /// Both sides' seqhis columns over the loaded rows.
    pub(crate) fn seqhis(&self) -> Result<(WordCol, WordCol)> {
        Ok((self.inner.a.seqhis()?, self.inner.b.seqhis()?))
    }

    /// Membership tests of the two sides' selections (None: every row).
    pub(crate) fn members(&self) -> (Option<&RowSet>, Option<&RowSet>) {
        (
            self.inner.a.selection().map(|s| &s.rows),
            self.inner.b.selection().map(|s| &s.rows),
        )
    }

    /// Is photon `i` (in scope) aligned: in both selections with equal seqhis?
    #[inline]
    pub(crate) fn is_aligned(
        i: usize,
        ha: &WordCol,
        hb: &WordCol,
        ma: Option<&RowSet>,
        mb: Option<&RowSet>,
    ) -> bool {
        use crate::event::history::CodeSource;
        ha.get(i) == hb.get(i)
            && ma.is_none_or(|m| m.contains(i))
            && mb.is_none_or(|m| m.contains(i))
    }

    pub(crate) fn dv_cache(&self) -> &Mutex<HashMap<&'static str, Arc<dv::DvResult>>> {
        &self.inner.dv
    }
    pub(crate) fn align_cache(&self) -> &OnceLock<align::AlignCounts> {
        &self.inner.align
    }

    /// A few lines describing the pair: both sides, aligned and misaligned counts, the
    /// history chi-square.
    pub fn summary_text(&self) -> String {
        let mut s = format!(
            "Pair of {} photons\n  A: {} ({} photons)\n  B: {} ({} photons)\n",
            crate::array::rows::format_count(self.loaded()),
            Pair::side_name(self.a()),
            self.a().count(),
            Pair::side_name(self.b()),
            self.b().count()
        );
        match self.alignment() {
            Ok(c) => s.push_str(&format!(
                "  aligned {} ({:.4}%), misaligned {} of {} photons compared\n",
                c.aligned,
                100.0 * c.aligned as f64 / c.scope.max(1) as f64,
                c.misaligned,
                c.scope
            )),
            Err(e) => s.push_str(&format!("  alignment: {e}\n")),
        }
        match self.chi2(crate::event::history::Kind::Seqhis, his::DEFAULT_C2CUT) {
            Ok(c) => s.push_str(&format!(
                "  seqhis c2sum/ndf {:.2}/{} = {:.3}, p-value {}",
                c.c2sum,
                c.ndf,
                c.c2sum / (c.ndf.max(1) as f64),
                his::fmt_p(c.pvalue)
            )),
            Err(e) => s.push_str(&format!("  seqhis c2: {e}")),
        }
        s
    }
}

impl std::fmt::Display for Pair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary_text())
    }
}

impl std::fmt::Debug for Pair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pair({} photons)", self.loaded())
    }
}

/// Photons per chunk of the streaming kernels.
pub(crate) const CHUNK: usize = 1 << 16;

/// Run `row` for every row of `scope` in parallel chunks, each chunk folding into its own
/// accumulator (`init`), then `merge` them. Bitmap scopes are tested bit by bit and index
/// scopes walked in pieces, so nothing proportional to the rows is allocated.
pub(crate) fn par_scope<A: Send>(
    scope: &RowSet,
    init: impl Fn() -> A + Sync + Send,
    row: impl Fn(&mut A, usize) + Sync,
    merge: impl Fn(A, A) -> A + Sync + Send,
) -> Result<A> {
    let run = |r: Range<usize>, filter: Option<&RowSet>| {
        let mut acc = init();
        match filter {
            None => r.for_each(|i| row(&mut acc, i)),
            Some(m) => r.filter(|&i| m.contains(i)).for_each(|i| row(&mut acc, i)),
        }
        acc
    };
    match scope.rows() {
        Rows::Range(r) => {
            let lo = r.start;
            crate::exec::par_reduce(
                r.len(),
                CHUNK,
                |c| Ok(run(c.start + lo..c.end + lo, None)),
                &init,
                &merge,
            )
        }
        Rows::Bits { .. } => crate::exec::par_reduce(
            scope.universe(),
            CHUNK,
            |c| Ok(run(c, Some(scope))),
            &init,
            &merge,
        ),
        Rows::Idx(v) => crate::exec::par_reduce(
            v.len(),
            CHUNK,
            |c| {
                let mut acc = init();
                for &i in &v[c] {
                    row(&mut acc, i as usize);
                }
                Ok(acc)
            },
            &init,
            &merge,
        ),
    }
}

/// A fast hasher for history codes (a multiply-xorshift of both halves).
#[derive(Default, Clone, Copy)]
pub(crate) struct CodeHasher(u64);

impl Hasher for CodeHasher {
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 32)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z ^ (z >> 29)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x100_0000_01B3);
        }
    }
    fn write_u128(&mut self, k: u128) {
        let lo = k as u64;
        let hi = (k >> 64) as u64;
        let m = (lo ^ hi.wrapping_mul(0xC2B2_AE3D_27D4_EB4F)).wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        // Order-dependent, so that (x, y) and (y, x) keys differ.
        self.0 = self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(31) ^ m;
    }
    fn write_u64(&mut self, k: u64) {
        self.write_u128(k as u128)
    }
}

/// A HashMap keyed by codes with [`CodeHasher`].
pub(crate) type CodeMap<K, V> = HashMap<K, V, BuildHasherDefault<CodeHasher>>;
