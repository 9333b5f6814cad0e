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
//! This module holds the model (quantities, cuts, levels, aggregates, options); `kernel`
//! the streaming pass, `table` the tables made from its result.
//!
//! Cuts come from the compression bins of the domains (position 1.1/1.6/2.1 × one
//! position bin, time the same in time bins, polarization 1/1.5/2 × 2/255; `ox` uses the
//! ad hoc 0.10/0.25/0.50 of the Python tools) and can be overridden per call.

use super::Pair;
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

mod kernel;
mod table;

impl Pair {
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
}
