//! Deviation tables: for every aligned photon, the maximum |A − B| over its points and
//! components, per quantity (positions and times separately for `rpost`; position, time,
//! direction, polarization and wavelength separately for the final photon `ox`: never one
//! maximum over mixed units), aggregated per history for every history.
//!
//! This is the inverted loop of the seed note `001`: one streaming pass over all photons
//! instead of one pass per history selection. The kernel reads the compressed records
//! of both sides straight from the mappings, decodes only the points a photon has, and
//! keeps per-history aggregates (counts over the warn/error/fatal cuts, max, min, sum), so
//! its extra memory is a per-chunk hash map, independent of the number of photons.
//!
//! Cuts come from the compression bins of the domains (position 1.1/1.6/2.1 × one
//! position bin, time the same in time bins, polarization 1/1.5/2 × 2/255; `ox` uses the
//! ad hoc 0.10/0.25/0.50 of the Python tools) and can be overridden per call.

use std::borrow::Cow;

use rayon::prelude::*;

use super::{par_scope, CodeMap, Pair};
use crate::error::Result;
use crate::event::derived::{Domains, REC_I16};
use crate::event::flags;
use crate::event::folder::Layout;
use crate::event::history::{CodeSource, Kind};
use crate::event::Event;
use crate::output::table::{Col, Table};
use crate::{bail, err};

/// Most quantities in one table (`ox`).
pub const MAXQ: usize = 5;
/// Rows shown when a deviation table is printed.
pub const SHOWN_ROWS: usize = 20;

/// What a deviation table compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quantity {
    /// Decompressed step positions and times (legacy `rx`).
    Rpost,
    /// Decompressed step polarizations (legacy `rx`).
    Rpol,
    /// The final photon (`ox` / NPFold `photon`).
    Ox,
}

impl Quantity {
    pub fn parse(s: &str) -> Result<Quantity> {
        Ok(match s {
            "rpost" => Quantity::Rpost,
            "rpol" => Quantity::Rpol,
            "ox" => Quantity::Ox,
            _ => bail!("deviation table: expected \"rpost\", \"rpol\" or \"ox\", found \"{s}\""),
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            Quantity::Rpost => "rpost",
            Quantity::Rpol => "rpol",
            Quantity::Ox => "ox",
        }
    }
    /// The separately aggregated quantities (row `qty` values).
    pub fn qtys(self) -> &'static [&'static str] {
        match self {
            Quantity::Rpost => &["pos", "time"],
            Quantity::Rpol => &["pol"],
            Quantity::Ox => &["pos", "time", "dir", "pol", "wavelength"],
        }
    }
    /// Units of each quantity, for titles.
    fn unit(self, k: usize) -> &'static str {
        match (self, k) {
            (Quantity::Rpost, 0) | (Quantity::Ox, 0) => "mm",
            (Quantity::Rpost, _) | (Quantity::Ox, 1) => "ns",
            (Quantity::Ox, 4) => "nm",
            _ => "",
        }
    }
    /// The `ab.rc` bit of this table.
    pub fn bit(self) -> i64 {
        match self {
            Quantity::Rpost => 1,
            Quantity::Rpol => 2,
            Quantity::Ox => 4,
        }
    }
    pub const ALL: [Quantity; 3] = [Quantity::Rpost, Quantity::Rpol, Quantity::Ox];
}

/// A warn/error/fatal triple of absolute cuts (a deviation strictly above a cut counts).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cuts {
    pub warn: f64,
    pub err: f64,
    pub fatal: f64,
}

impl Cuts {
    fn scaled(eps: f64, f: [f64; 3]) -> Cuts {
        Cuts {
            warn: eps * f[0],
            err: eps * f[1],
            fatal: eps * f[2],
        }
    }
    pub fn check(&self, what: &str) -> Result<()> {
        let ok = self.warn.is_finite()
            && self.err.is_finite()
            && self.fatal.is_finite()
            && self.warn >= 0.0
            && self.warn <= self.err
            && self.err <= self.fatal;
        if !ok {
            bail!(
                "{what}: cuts must be finite with 0 <= warn <= error <= fatal, found [{}, {}, {}]",
                self.warn,
                self.err,
                self.fatal
            );
        }
        Ok(())
    }
    #[inline]
    fn level(&self, d: f64) -> Level {
        if d > self.fatal {
            Level::Fatal
        } else if d > self.err {
            Level::Error
        } else if d > self.warn {
            Level::Warning
        } else {
            Level::Info
        }
    }
}

/// Position cut factors (× one position or time bin).
pub const POS_FACTORS: [f64; 3] = [1.1, 1.6, 2.1];
/// Polarization cut factors (× 2/255).
pub const POL_FACTORS: [f64; 3] = [1.0, 1.5, 2.0];
/// The ad hoc cuts of the final photon quantities.
pub const OX_CUTS: Cuts = Cuts {
    warn: 0.10,
    err: 0.25,
    fatal: 0.50,
};

/// Severity of a row or table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Info,
    Warning,
    Error,
    Fatal,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
            Level::Fatal => "FATAL",
        }
    }
}

/// Aggregates of one quantity's per-photon maxima over the photons of one history.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QAgg {
    pub nwarn: u64,
    pub nerr: u64,
    pub nfatal: u64,
    pub max: f64,
    pub min: f64,
    pub sum: f64,
}

impl Default for QAgg {
    fn default() -> Self {
        QAgg {
            nwarn: 0,
            nerr: 0,
            nfatal: 0,
            max: f64::NEG_INFINITY,
            min: f64::INFINITY,
            sum: 0.0,
        }
    }
}

/// Per-history aggregates: aligned photons and one [`QAgg`] per quantity.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Agg {
    pub n: u64,
    pub q: [QAgg; MAXQ],
}

impl Agg {
    fn add(&mut self, o: &Agg) {
        self.n += o.n;
        for (x, y) in self.q.iter_mut().zip(&o.q) {
            x.nwarn += y.nwarn;
            x.nerr += y.nerr;
            x.nfatal += y.nfatal;
            x.max = x.max.max(y.max);
            x.min = x.min.min(y.min);
            x.sum += y.sum;
        }
    }
}

/// The aggregated result of one deviation pass.
#[derive(Clone, Debug)]
pub struct DvResult {
    pub q: Quantity,
    pub cuts: Vec<Cuts>,
    /// Per history code with aligned photons, in no particular order.
    pub per: Vec<(u128, Agg)>,
    /// Aligned photons seen.
    pub aligned: u64,
}

impl DvResult {
    /// Worst level of each quantity and of the whole table.
    pub fn levels(&self) -> (Vec<Level>, Level) {
        let nq = self.q.qtys().len();
        let mut lv = vec![Level::Info; nq];
        for (_, a) in &self.per {
            for (k, l) in lv.iter_mut().enumerate() {
                *l = (*l).max(row_level(&a.q[k]));
            }
        }
        let worst = lv.iter().copied().max().unwrap_or(Level::Info);
        (lv, worst)
    }
}

fn row_level(q: &QAgg) -> Level {
    if q.nfatal > 0 {
        Level::Fatal
    } else if q.nerr > 0 {
        Level::Error
    } else if q.nwarn > 0 {
        Level::Warning
    } else {
        Level::Info
    }
}

/// Row orders of a deviation table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DvOrder {
    /// Level, then max / warn cut, descending (the default).
    Worst,
    /// Aligned photons, descending.
    Count,
    /// Max deviation / warn cut, descending.
    Max,
}

impl DvOrder {
    pub fn parse(s: &str) -> Result<DvOrder> {
        Ok(match s {
            "worst" => DvOrder::Worst,
            "count" => DvOrder::Count,
            "max" => DvOrder::Max,
            _ => bail!("dv order: expected one of worst, count, max; found '{s}'"),
        })
    }
}

/// Options of a deviation table.
#[derive(Clone, Debug)]
pub struct DvOpts {
    /// Cuts overriding the defaults, by quantity name (`pos`, `time`, `pol`, `dir`,
    /// `wavelength`).
    pub cuts: Vec<(String, Cuts)>,
    pub order: DvOrder,
    pub top: usize,
}

impl Default for DvOpts {
    fn default() -> Self {
        DvOpts {
            cuts: vec![],
            order: DvOrder::Worst,
            top: SHOWN_ROWS,
        }
    }
}

/// The compared data of both sides, over the loaded rows.
enum Src<'a> {
    Rx {
        ra: Cow<'a, [i16]>,
        rb: Cow<'a, [i16]>,
        r: usize,
        da: Domains,
        db: Domains,
    },
    Ox {
        oa: Cow<'a, [f32]>,
        ob: Cow<'a, [f32]>,
    },
}

/// Per-photon maxima of each quantity and where they were (point, component).
#[derive(Clone, Copy, Debug, Default)]
struct PhotonDev {
    dev: [f32; MAXQ],
    at: [(u8, u8); MAXQ],
}

#[inline]
fn diff(a: f32, b: f32) -> f32 {
    let d = (a - b).abs();
    if d.is_nan() {
        f32::INFINITY
    } else {
        d
    }
}

#[inline]
fn pol_bytes(r: &[i16]) -> [u8; 3] {
    let a = (r[4] as u16).to_le_bytes();
    let b = (r[5] as u16).to_le_bytes();
    [a[0], a[1], b[0]]
}

impl Src<'_> {
    /// The deviations of photon `i` (aligned, history `code`) for quantity `q`.
    #[inline]
    fn photon(&self, q: Quantity, i: usize, code: u128) -> PhotonDev {
        let mut p = PhotonDev::default();
        match self {
            Src::Rx { ra, rb, r, da, db } => {
                let np = flags::npoints(code).min(*r);
                let base = i * r * REC_I16;
                let xa = &ra[base..base + np * REC_I16];
                let xb = &rb[base..base + np * REC_I16];
                if q == Quantity::Rpost {
                    let (sa, sb) = (da.extent / 32767.0, db.extent / 32767.0);
                    let (ta, tb) = (da.textent / 32767.0, db.textent / 32767.0);
                    for (k, (a, b)) in xa
                        .chunks_exact(REC_I16)
                        .zip(xb.chunks_exact(REC_I16))
                        .enumerate()
                    {
                        for c in 0..3 {
                            let d = diff(
                                a[c] as f32 * sa + da.center[c],
                                b[c] as f32 * sb + db.center[c],
                            );
                            if d > p.dev[0] {
                                p.dev[0] = d;
                                p.at[0] = (k as u8, c as u8);
                            }
                        }
                        let d = diff(a[3] as f32 * ta + da.tmin, b[3] as f32 * tb + db.tmin);
                        if d > p.dev[1] {
                            p.dev[1] = d;
                            p.at[1] = (k as u8, 3);
                        }
                    }
                } else {
                    for (k, (a, b)) in xa
                        .chunks_exact(REC_I16)
                        .zip(xb.chunks_exact(REC_I16))
                        .enumerate()
                    {
                        let (pa, pb) = (pol_bytes(a), pol_bytes(b));
                        for c in 0..3 {
                            let d = diff(pa[c] as f32 / 127.0 - 1.0, pb[c] as f32 / 127.0 - 1.0);
                            if d > p.dev[0] {
                                p.dev[0] = d;
                                p.at[0] = (k as u8, c as u8);
                            }
                        }
                    }
                }
            }
            Src::Ox { oa, ob } => {
                let a = &oa[i * 16..i * 16 + 16];
                let b = &ob[i * 16..i * 16 + 16];
                // (quantity, first element, elements)
                for (k, lo, len) in [(0, 0, 3), (1, 3, 1), (2, 4, 3), (3, 8, 3), (4, 11, 1)] {
                    for c in lo..lo + len {
                        let d = diff(a[c], b[c]);
                        if d > p.dev[k] {
                            p.dev[k] = d;
                            p.at[k] = (0, c as u8);
                        }
                    }
                }
            }
        }
        p
    }

    /// The value of one component on side A (`b == false`) or B, for `worst`.
    fn value(&self, q: Quantity, i: usize, point: u8, comp: u8, side_b: bool) -> f64 {
        match self {
            Src::Rx { ra, rb, r, da, db } => {
                let (x, d) = if side_b { (rb, db) } else { (ra, da) };
                let o = (i * r + point as usize) * REC_I16;
                let rec = &x[o..o + REC_I16];
                let c = comp as usize;
                (match (q, c) {
                    (Quantity::Rpost, 3) => rec[3] as f32 * (d.textent / 32767.0) + d.tmin,
                    (Quantity::Rpost, _) => rec[c] as f32 * (d.extent / 32767.0) + d.center[c],
                    _ => pol_bytes(rec)[c] as f32 / 127.0 - 1.0,
                }) as f64
            }
            Src::Ox { oa, ob } => {
                let x = if side_b { ob } else { oa };
                x[i * 16 + comp as usize] as f64
            }
        }
    }
}

fn comp_name(q: Quantity, comp: u8) -> &'static str {
    match q {
        Quantity::Ox => match comp {
            0 | 4 | 8 => "x",
            1 | 5 | 9 => "y",
            2 | 6 | 10 => "z",
            3 => "t",
            _ => "w",
        },
        _ => ["x", "y", "z", "t"][comp as usize & 3],
    }
}

fn base_array<'e>(e: &'e Event, name: &str) -> Result<&'e crate::array::Array> {
    e.folder()
        .arrays
        .get(name)
        .map(|x| &x.array)
        .ok_or_else(|| {
            err!(
                "{}: this {} event has no '{name}' array",
                e.folder().path.display(),
                e.layout().name()
            )
        })
}

fn ox_rows<'e>(e: &'e Event, what: &str) -> Result<Cow<'e, [f32]>> {
    let name = match e.layout() {
        Layout::Legacy => "ox",
        Layout::NpFold => "photon",
    };
    let a = base_array(e, name)?;
    if a.ndim() != 3 || a.shape()[1..] != [4, 4] || *a.dtype() != crate::array::DType::F32 {
        bail!(
            "{what}: {}: expected '{name}' of shape (N,4,4) float32, found {:?} {}",
            e.folder().path.display(),
            a.shape(),
            a.dtype().name()
        );
    }
    a.as_slice::<f32>()
}

impl Pair {
    fn dv_source(&self, q: Quantity) -> Result<Src<'_>> {
        let (a, b) = (self.a(), self.b());
        let what = format!("ab.dv(\"{}\")", q.name());
        Ok(match q {
            Quantity::Ox => Src::Ox {
                oa: ox_rows(a, &what)?,
                ob: ox_rows(b, &what)?,
            },
            Quantity::Rpost | Quantity::Rpol => {
                for e in [a, b] {
                    if e.layout() != Layout::Legacy {
                        bail!(
                            "{what}: {} is an NPFold event: compressed step records (rx) exist \
only in legacy events; use ab.dv(\"ox\") for the final photons",
                            e.folder().path.display()
                        );
                    }
                }
                let (r_a, r_b) = (a.maxrec()?, b.maxrec()?);
                if r_a != r_b {
                    bail!(
                        "{what}: A records {r_a} points per photon (rx of {}) but B records {r_b} \
({}); the step records cannot be compared point by point",
                        a.folder().path.display(),
                        b.folder().path.display()
                    );
                }
                let dom = |e: &Event| -> Result<Domains> {
                    match e.domains() {
                        Some(d) => Ok(*d),
                        None if q == Quantity::Rpol => Ok(crate::event::gen::domains()),
                        None => bail!(
                            "{what}: {} has no domains (fdom.npy), needed to decompress positions",
                            e.folder().path.display()
                        ),
                    }
                };
                let n = self.loaded();
                Src::Rx {
                    ra: a.rx_rows(0..n)?,
                    rb: b.rx_rows(0..n)?,
                    r: r_a,
                    da: dom(a)?,
                    db: dom(b)?,
                }
            }
        })
    }

    /// The default cuts of `q` (from the domains' compression bins).
    pub fn default_cuts(&self, q: Quantity) -> Vec<Cuts> {
        let eps = |f: fn(&crate::event::derived::Eps) -> f64| {
            let e = |x: &Event| x.domains().map(|d| f(&d.eps()));
            match (e(self.a()), e(self.b())) {
                (Some(x), Some(y)) => x.max(y),
                (Some(x), None) | (None, Some(x)) => x,
                (None, None) => f(&crate::event::gen::domains().eps()),
            }
        };
        match q {
            Quantity::Rpost => vec![
                Cuts::scaled(eps(|e| e.pos), POS_FACTORS),
                Cuts::scaled(eps(|e| e.time), POS_FACTORS),
            ],
            Quantity::Rpol => vec![Cuts::scaled(2.0 / 255.0, POL_FACTORS)],
            Quantity::Ox => vec![OX_CUTS; 5],
        }
    }

    /// Cuts of `q` with `overrides` (by quantity name) applied.
    pub fn cuts(&self, q: Quantity, overrides: &[(String, Cuts)]) -> Result<Vec<Cuts>> {
        let mut c = self.default_cuts(q);
        for (name, cut) in overrides {
            match q.qtys().iter().position(|n| n == name) {
                Some(k) => {
                    cut.check(&format!("ab.dv(\"{}\") cuts '{name}'", q.name()))?;
                    c[k] = *cut;
                }
                None => bail!(
                    "ab.dv(\"{}\"): no quantity '{name}' to set cuts for; the quantities are: {}",
                    q.name(),
                    q.qtys().join(", ")
                ),
            }
        }
        Ok(c)
    }

    /// Run the deviation pass of `q` with `cuts` (cached for the default cuts).
    pub fn deviations(&self, q: Quantity, cuts: &[Cuts]) -> Result<std::sync::Arc<DvResult>> {
        let default = cuts == self.default_cuts(q).as_slice();
        if default {
            if let Some(r) = self.dv_cache().lock().expect("dv cache").get(q.name()) {
                return Ok(r.clone());
            }
        }
        let _s = crate::prof::stage(match q {
            Quantity::Rpost => "deviations rpost",
            Quantity::Rpol => "deviations rpol",
            Quantity::Ox => "deviations ox",
        });
        let src = self.dv_source(q)?;
        let (ha, hb) = self.seqhis()?;
        let (ma, mb) = self.members();
        let nq = q.qtys().len();
        let map = par_scope(
            self.scope(),
            CodeMap::<u128, Agg>::default,
            |m, i| {
                if !Pair::is_aligned(i, &ha, &hb, ma, mb) {
                    return;
                }
                let code = ha.get(i);
                let p = src.photon(q, i, code);
                let agg = m.entry(code).or_default();
                agg.n += 1;
                for (k, c) in cuts.iter().enumerate().take(nq) {
                    let d = p.dev[k] as f64;
                    let g = &mut agg.q[k];
                    g.nwarn += (d > c.warn) as u64;
                    g.nerr += (d > c.err) as u64;
                    g.nfatal += (d > c.fatal) as u64;
                    g.max = g.max.max(d);
                    g.min = g.min.min(d);
                    g.sum += d;
                }
            },
            |x, y| {
                let (mut big, small) = if x.len() >= y.len() { (x, y) } else { (y, x) };
                for (k, v) in small {
                    big.entry(k).or_default().add(&v);
                }
                big
            },
        )?;
        let aligned = map.values().map(|a| a.n).sum();
        let r = std::sync::Arc::new(DvResult {
            q,
            cuts: cuts.to_vec(),
            per: map.into_iter().collect(),
            aligned,
        });
        if default {
            self.dv_cache()
                .lock()
                .expect("dv cache")
                .insert(q.name(), r.clone());
        }
        Ok(r)
    }

    /// The deviation table of `q` (`ab.dv`): one row per history with aligned photons and
    /// quantity; columns `label qty a b aligned nwarn nerr nfatal fwarn ferr ffatal max
    /// min mean level`.
    pub fn dv_table(&self, q: Quantity, o: &DvOpts) -> Result<Table> {
        let cuts = self.cuts(q, &o.cuts)?;
        let r = self.deviations(q, &cuts)?;
        let _s = crate::prof::stage("deviation table");
        let union = self.union(Kind::Seqhis)?;
        let counts: CodeMap<u128, (u64, u64)> =
            union.iter().map(|u| (u.code, (u.a, u.b))).collect();
        let no_aligned = union.len().saturating_sub(r.per.len());
        let qn = q.qtys();
        let nq = qn.len();
        // (history index in r.per, quantity)
        let mut rows: Vec<(usize, usize)> = (0..r.per.len())
            .flat_map(|h| (0..nq).map(move |k| (h, k)))
            .collect();
        let ratio = |h: usize, k: usize| {
            let g = &r.per[h].1.q[k];
            let w = cuts[k].warn;
            if w > 0.0 {
                g.max / w
            } else if g.max > 0.0 {
                f64::INFINITY
            } else {
                0.0
            }
        };
        let code_of = |h: usize| r.per[h].0;
        rows.par_sort_unstable_by(|&(h1, k1), &(h2, k2)| {
            let (g1, g2) = (&r.per[h1].1, &r.per[h2].1);
            let by_count = g2.n.cmp(&g1.n);
            let by_max = ratio(h2, k2).total_cmp(&ratio(h1, k1));
            let first = match o.order {
                DvOrder::Worst => row_level(&g2.q[k2])
                    .cmp(&row_level(&g1.q[k1]))
                    .then(by_max)
                    .then(by_count),
                DvOrder::Count => by_count.then(k1.cmp(&k2)),
                DvOrder::Max => by_max.then(by_count),
            };
            first.then(code_of(h1).cmp(&code_of(h2))).then(k1.cmp(&k2))
        });
        let a = self.a();
        let labels: Vec<String> = r
            .per
            .par_iter()
            .map(|(c, _)| a.label_of(Kind::Seqhis, *c))
            .collect();
        let n = rows.len();
        let mut c_label = Vec::with_capacity(n);
        let mut c_qty = Vec::with_capacity(n);
        let (mut ca, mut cb, mut cal) = (vec![0i64; n], vec![0i64; n], vec![0i64; n]);
        let (mut nw, mut ne, mut nf) = (vec![0i64; n], vec![0i64; n], vec![0i64; n]);
        let (mut fw, mut fe, mut ff) = (vec![0f64; n], vec![0f64; n], vec![0f64; n]);
        let (mut mx, mut mn, mut me) = (vec![0f64; n], vec![0f64; n], vec![0f64; n]);
        let mut lv = Vec::with_capacity(n);
        for (j, &(h, k)) in rows.iter().enumerate() {
            let (code, g) = &r.per[h];
            let qa = &g.q[k];
            let (na, nb) = counts.get(code).copied().unwrap_or((0, 0));
            c_label.push(labels[h].clone());
            c_qty.push(qn[k].to_string());
            ca[j] = na as i64;
            cb[j] = nb as i64;
            cal[j] = g.n as i64;
            nw[j] = qa.nwarn as i64;
            ne[j] = qa.nerr as i64;
            nf[j] = qa.nfatal as i64;
            let d = g.n.max(1) as f64;
            fw[j] = qa.nwarn as f64 / d;
            fe[j] = qa.nerr as f64 / d;
            ff[j] = qa.nfatal as f64 / d;
            mx[j] = qa.max;
            mn[j] = qa.min;
            me[j] = qa.sum / d;
            lv.push(row_level(qa).name().to_string());
        }
        let (qlv, worst) = r.levels();
        let cut_text: Vec<String> = (0..nq)
            .map(|k| {
                let u = q.unit(k);
                format!(
                    "{}{} {:.4}/{:.4}/{:.4}",
                    qn[k],
                    if u.is_empty() {
                        String::new()
                    } else {
                        format!(" ({u})")
                    },
                    cuts[k].warn,
                    cuts[k].err,
                    cuts[k].fatal
                )
            })
            .collect();
        let mut t = Table::new(Some(format!(
            "{} deviations |A-B| per history, aligned photons: level {} ({} histories, {} aligned \
photons); cuts warn/error/fatal: {}",
            q.name(),
            worst.name(),
            r.per.len(),
            r.aligned,
            cut_text.join(", ")
        )));
        let cols = vec![
            ("label", Col::Str(c_label)),
            ("qty", Col::Str(c_qty)),
            ("a", Col::Int(ca)),
            ("b", Col::Int(cb)),
            ("aligned", Col::Int(cal)),
            ("nwarn", Col::Int(nw)),
            ("nerr", Col::Int(ne)),
            ("nfatal", Col::Int(nf)),
            ("fwarn", Col::Float(fw)),
            ("ferr", Col::Float(fe)),
            ("ffatal", Col::Float(ff)),
            ("max", Col::Float(mx)),
            ("min", Col::Float(mn)),
            ("mean", Col::Float(me)),
            ("level", Col::Str(lv)),
        ];
        for (name, c) in cols {
            t.push(name, c)?;
        }
        t.show = Some(o.top.max(1));
        t.head_only = true;
        for (k, l) in qlv.iter().enumerate() {
            let g = r.per.iter().fold(QAgg::default(), |mut acc, (_, a)| {
                let x = &a.q[k];
                acc.nwarn += x.nwarn;
                acc.nerr += x.nerr;
                acc.nfatal += x.nfatal;
                acc.max = acc.max.max(x.max);
                acc
            });
            t.footer.push(format!(
                "{}: level {}, photons over warn/error/fatal {}/{}/{}, max {}",
                qn[k],
                l.name(),
                g.nwarn,
                g.nerr,
                g.nfatal,
                if g.max.is_finite() {
                    format!("{:.6}", g.max)
                } else {
                    "-".into()
                }
            ));
        }
        if no_aligned > 0 {
            t.footer.push(format!(
                "{no_aligned} histories without aligned photons are not listed (see ab.zeros, \
ab.migrations)"
            ));
        }
        Ok(t)
    }

    /// The worst level of the deviation table `q` with default cuts.
    pub fn dv_level(&self, q: Quantity) -> Result<Level> {
        let cuts = self.default_cuts(q);
        Ok(self.deviations(q, &cuts)?.levels().1)
    }

    /// `ab.worst(q, n)`: the `n` aligned photons with the largest deviation relative to
    /// their quantity's warn cut.
    pub fn worst(&self, q: Quantity, n: usize, overrides: &[(String, Cuts)]) -> Result<Table> {
        let _s = crate::prof::stage("worst photons");
        let cuts = self.cuts(q, overrides)?;
        let src = self.dv_source(q)?;
        let (ha, hb) = self.seqhis()?;
        let (ma, mb) = self.members();
        let nq = q.qtys().len();
        // (score, photon, quantity, point, component, deviation)
        type Cand = (f64, usize, u8, u8, u8, f32);
        let keep = |mut v: Vec<Cand>| -> Vec<Cand> {
            v.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            v.truncate(n);
            v
        };
        let best = par_scope(
            self.scope(),
            Vec::<Cand>::new,
            |v, i| {
                if n == 0 || !Pair::is_aligned(i, &ha, &hb, ma, mb) {
                    return;
                }
                let p = src.photon(q, i, ha.get(i));
                let mut top: Option<Cand> = None;
                for (k, c) in cuts.iter().enumerate().take(nq) {
                    let d = p.dev[k] as f64;
                    if d <= 0.0 {
                        continue;
                    }
                    let w = c.warn;
                    let s = if w > 0.0 { d / w } else { f64::INFINITY };
                    if top.is_none_or(|t| s > t.0) {
                        top = Some((s, i, k as u8, p.at[k].0, p.at[k].1, p.dev[k]));
                    }
                }
                if let Some(c) = top {
                    v.push(c);
                    if v.len() >= 2 * n.max(64) {
                        let w = keep(std::mem::take(v));
                        *v = w;
                    }
                }
            },
            |mut x, y| {
                x.extend(y);
                keep(x)
            },
        )?;
        let best = keep(best);
        let off = self.a().folder().slice_start as i64;
        let m = best.len();
        let mut t = Table::new(Some(format!(
            "{} worst {m} aligned photons by deviation / warn cut",
            q.name()
        )));
        let qn = q.qtys();
        let cols = vec![
            (
                "index",
                Col::Int(best.iter().map(|c| c.1 as i64 + off).collect()),
            ),
            (
                "code",
                Col::Str(best.iter().map(|c| flags::hex(ha.get(c.1))).collect()),
            ),
            (
                "history",
                Col::Str(
                    best.iter()
                        .map(|c| self.a().label_of(Kind::Seqhis, ha.get(c.1)))
                        .collect(),
                ),
            ),
            (
                "qty",
                Col::Str(best.iter().map(|c| qn[c.2 as usize].to_string()).collect()),
            ),
            (
                "point",
                Col::Int(
                    best.iter()
                        .map(|c| if q == Quantity::Ox { -1 } else { c.3 as i64 })
                        .collect(),
                ),
            ),
            (
                "comp",
                Col::Str(best.iter().map(|c| comp_name(q, c.4).to_string()).collect()),
            ),
            (
                "deviation",
                Col::Float(best.iter().map(|c| c.5 as f64).collect()),
            ),
            ("ratio", Col::Float(best.iter().map(|c| c.0).collect())),
            (
                "a_value",
                Col::Float(
                    best.iter()
                        .map(|c| src.value(q, c.1, c.3, c.4, false))
                        .collect(),
                ),
            ),
            (
                "b_value",
                Col::Float(
                    best.iter()
                        .map(|c| src.value(q, c.1, c.3, c.4, true))
                        .collect(),
                ),
            ),
            (
                "level",
                Col::Str(
                    best.iter()
                        .map(|c| cuts[c.2 as usize].level(c.5 as f64).name().to_string())
                        .collect(),
                ),
            ),
        ];
        for (name, c) in cols {
            t.push(name, c)?;
        }
        t.footer.push(
            "index: photon row in the files; point: step point (-1 for the final photon); \
ratio: deviation / warn cut"
                .into(),
        );
        Ok(t)
    }
}
