//! Rhai bindings for the compare layer: `compare(a, b)` and the `Pair` type's tables,
//! masks, deviation tables and exit codes (registration and help text live together).

use rhai::{Dynamic, Map, INT};

use super::conv;
use super::registry::{check_opts, opt, Opt, RResult, Reg};
use super::IntoRhai;
use crate::array::Array;
use crate::compare::dv::{Cuts, DvOpts, DvOrder, Quantity};
use crate::compare::his::{HisOpts, Order, DEFAULT_C2CUT, DEFAULT_ZEROS_MIN};
use crate::compare::Pair;
use crate::event::history::Kind;
use crate::event::Event;
use crate::output::table::Table;

fn his_opts(m: &Map, f: &str) -> RResult<HisOpts> {
    check_opts(m, &[HIS_OPTS], f)?;
    let mut o = HisOpts::default();
    if let Some(s) = conv::opt_str(m, "order")? {
        o.order = Order::parse(&s).rh()?;
    }
    if let Some(t) = conv::opt_i64(m, "top")? {
        if t < 1 {
            return Err(format!("{f}: top must be at least 1, found {t}").into());
        }
        o.top = t as usize;
    }
    o.min_c2 = conv::opt_f64(m, "min_c2")?;
    if let Some(c) = conv::opt_f64(m, "c2cut")? {
        if !(c.is_finite() && c >= 0.0) {
            return Err(format!("{f}: c2cut must be a non-negative number, found {c}").into());
        }
        o.c2cut = c;
    }
    Ok(o)
}

fn cut_overrides(m: &Map, q: Quantity, f: &str) -> RResult<Vec<(String, Cuts)>> {
    let mut out = vec![];
    for name in CUT_OPTS.iter().map(|o| o.name) {
        if let Some(v) = m.get(name) {
            let l = conv::f64_list(v, &format!("{f} option '{name}'"))?;
            if l.len() != 3 {
                return Err(format!(
                    "{f}: option '{name}' must be [warn, error, fatal], found {} numbers",
                    l.len()
                )
                .into());
            }
            if !q.qtys().contains(&name) {
                return Err(format!(
                    "{f}: the {} table has no quantity '{name}'; its quantities are: {}",
                    q.name(),
                    q.qtys().join(", ")
                )
                .into());
            }
            out.push((
                name.to_string(),
                Cuts {
                    warn: l[0],
                    err: l[1],
                    fatal: l[2],
                },
            ));
        }
    }
    Ok(out)
}

fn dv(ab: &Pair, q: &str, m: Option<Map>) -> RResult<Table> {
    let _s = crate::prof::span("ab.dv");
    let q = Quantity::parse(q).rh()?;
    let mut o = DvOpts::default();
    if let Some(m) = &m {
        check_opts(m, &[CUT_OPTS, DV_OPTS], "ab.dv")?;
        o.cuts = cut_overrides(m, q, "ab.dv")?;
        if let Some(s) = conv::opt_str(m, "order")? {
            o.order = DvOrder::parse(&s).rh()?;
        }
        if let Some(t) = conv::opt_i64(m, "top")? {
            if t < 1 {
                return Err(format!("ab.dv: top must be at least 1, found {t}").into());
            }
            o.top = t as usize;
        }
    }
    ab.dv_table(q, &o).rh()
}

fn worst(ab: &Pair, q: &str, n: INT, m: Option<Map>) -> RResult<Table> {
    let _s = crate::prof::span("ab.worst");
    let q = Quantity::parse(q).rh()?;
    if n < 0 {
        return Err(format!("ab.worst: n must not be negative, found {n}").into());
    }
    let cuts = match &m {
        Some(m) => {
            check_opts(m, &[CUT_OPTS], "ab.worst")?;
            cut_overrides(m, q, "ab.worst")?
        }
        None => vec![],
    };
    ab.worst(q, n as usize, &cuts).rh()
}

fn table(ab: &Pair, k: Kind, m: Option<Map>, f: &'static str) -> RResult<Table> {
    let _s = crate::prof::span(f);
    let o = match &m {
        Some(m) => his_opts(m, f)?,
        None => HisOpts::default(),
    };
    ab.his_table(k, &o).rh()
}

fn c2(ab: &Pair, m: Option<Map>) -> RResult<Map> {
    let _s = crate::prof::span("ab.c2");
    let mut cut = DEFAULT_C2CUT;
    if let Some(m) = &m {
        check_opts(m, &[C2_OPTS], "ab.c2")?;
        if let Some(c) = conv::opt_f64(m, "c2cut")? {
            cut = c;
        }
    }
    let c = ab.chi2(Kind::Seqhis, cut).rh()?;
    let mut out = Map::new();
    out.insert("c2sum".into(), Dynamic::from(c.c2sum));
    out.insert("ndf".into(), Dynamic::from(c.ndf as INT));
    out.insert("pvalue".into(), Dynamic::from(c.pvalue));
    out.insert("rows".into(), Dynamic::from(c.rows as INT));
    Ok(out)
}

fn specs(v: &Dynamic) -> RResult<Vec<String>> {
    if v.is_string() {
        return Ok(vec![v.to_string()]);
    }
    if let Some(l) = v.clone().try_cast::<rhai::Array>() {
        return l
            .iter()
            .map(|x| {
                if x.is_string() {
                    Ok(x.to_string())
                } else {
                    Err(format!(
                        "ab.sel: a list of specs must hold strings, found {}",
                        x.type_name()
                    )
                    .into())
                }
            })
            .collect();
    }
    Err(format!(
        "ab.sel: expected a spec string or a list of specs, found {}",
        v.type_name()
    )
    .into())
}

/// Options of the history tables `ab.his`, `ab.mat`, `ab.flg`.
const HIS_OPTS: &[Opt] = &[
    opt(
        "order",
        "\"sum\" | \"max\" | \"a\" | \"b\" | \"code\"",
        "\"sum\"",
        "row order (sum: a+b)",
    ),
    opt("top", "int >= 1", "20", "rows shown (the table holds all)"),
    opt("min_c2", "number", "", "keep rows with c2 >= it"),
    opt(
        "c2cut",
        "number >= 0",
        "30",
        "rows with a+b <= c2cut are left out of the chi-square sum",
    ),
];

/// Per-quantity cut overrides `[warn, error, fatal]` of the deviation tables.
const CUT_OPTS: &[Opt] = &[
    opt(
        "pos",
        "[warn, error, fatal]",
        "1.1/1.6/2.1 position bins",
        "position cuts",
    ),
    opt(
        "time",
        "[warn, error, fatal]",
        "1.1/1.6/2.1 time bins",
        "time cuts",
    ),
    opt(
        "pol",
        "[warn, error, fatal]",
        "rpol 1/1.5/2 x 2/255, ox 0.10/0.25/0.50",
        "polarization cuts",
    ),
    opt(
        "dir",
        "[warn, error, fatal]",
        "0.10/0.25/0.50",
        "direction cuts (ox)",
    ),
    opt(
        "wavelength",
        "[warn, error, fatal]",
        "0.10/0.25/0.50",
        "wavelength cuts (ox)",
    ),
];

/// Row order and count of `ab.dv`.
const DV_OPTS: &[Opt] = &[
    opt(
        "order",
        "\"worst\" | \"count\" | \"max\"",
        "\"worst\"",
        "row order",
    ),
    opt("top", "int >= 1", "20", "rows shown"),
];

const C2_OPTS: &[Opt] = &[opt(
    "c2cut",
    "number >= 0",
    "30",
    "rows with a+b <= c2cut are left out of the sum",
)];

const ZEROS_OPTS: &[Opt] = &[opt(
    "min",
    "int >= 0",
    "10",
    "photons on one side needed to count",
)];

/// Register the `Pair` type and its functions.
pub fn register(r: &mut Reg) {
    r.ty_with::<Pair>("Pair", |p| p.summary_text(), |p| p.summary_text());

    r.func(
        "compare",
        "compare(a, b) -> Pair",
        "Pair two events (or selections) for A/B validation. Photon i must be the same \
photon on both sides: different loaded photon counts, load slices or flag tables are refused \
with both paths named. Printing the pair shows both sides, aligned/misaligned counts and the \
seqhis chi-square. Example: `let ab = compare(a, b); ab.his; ab.dv(\"rpost\"); exit(ab.rc);`",
    )
    .f(|a: Event, b: Event| -> RResult<Pair> {
        let _s = crate::prof::span("compare");
        Pair::new(&a, &b).rh()
    });
    r.func(
        "his",
        "ab.his / ab.his(#{order, top, min_c2, c2cut}) -> Table",
        "History comparison: the union of both sides' seqhis tables, columns `idx code label \
a b a_minus_b c2 a_over_b a_over_b_err b_over_a b_over_a_err npoints` (c2 = (a-b)^2/(a+b), a/b \
+- sqrt(a)/b). Title: c2sum/ndf and the chi-square p-value; rows with a+b <= c2cut (default 30) \
are left out of the sum, ndf = rows summed - 1. Options: `order` \"sum\" (a+b, default), \"max\", \
\"a\", \"b\", \"code\"; `top` rows shown (20); `min_c2` keep rows with c2 >= it; `c2cut`.",
    )
    .opts(&[HIS_OPTS])
    .example("ab.his(OPTS)")
    .get(|p: &mut Pair| table(p, Kind::Seqhis, None, "ab.his"))
    .f(|p: &mut Pair, m: Map| table(p, Kind::Seqhis, Some(m), "ab.his"));
    r.func(
        "mat",
        "ab.mat / ab.mat(opts) -> Table",
        "As `ab.his` for the material sequences (seqmat, legacy events).",
    )
    .opts(&[HIS_OPTS])
    .example("ab.mat(OPTS)")
    .get(|p: &mut Pair| table(p, Kind::Seqmat, None, "ab.mat"))
    .f(|p: &mut Pair, m: Map| table(p, Kind::Seqmat, Some(m), "ab.mat"));
    r.func(
        "flg",
        "ab.flg / ab.flg(opts) -> Table",
        "As `ab.his` for the flag masks (pflags / flagmask).",
    )
    .opts(&[HIS_OPTS])
    .example("ab.flg(OPTS)")
    .get(|p: &mut Pair| table(p, Kind::Pflags, None, "ab.flg"))
    .f(|p: &mut Pair, m: Map| table(p, Kind::Pflags, Some(m), "ab.flg"));
    r.func(
        "c2",
        "ab.c2 / ab.c2(#{c2cut}) -> map",
        "The seqhis chi-square as `#{c2sum, ndf, pvalue, rows}` (rows: rows summed; pvalue \
from the chi-square distribution, NaN when ndf is 0).",
    )
    .opts(&[C2_OPTS])
    .example("ab.c2(OPTS)")
    .get(|p: &mut Pair| c2(p, None))
    .f(|p: &mut Pair, m: Map| c2(p, Some(m)));
    r.func(
        "zeros",
        "ab.zeros / ab.zeros(#{min}) -> Table",
        "The smoking guns: histories with more than `min` (default 10) photons on one side \
and none on the other, by max(a,b); the columns of `ab.his`.",
    )
    .opts(&[ZEROS_OPTS])
    .example("ab.zeros(OPTS)")
    .get(|p: &mut Pair| -> RResult<Table> {
        let _s = crate::prof::span("ab.zeros");
        p.zeros(Kind::Seqhis, DEFAULT_ZEROS_MIN).rh()
    })
    .f(|p: &mut Pair, m: Map| -> RResult<Table> {
        let _s = crate::prof::span("ab.zeros");
        check_opts(&m, &[ZEROS_OPTS], "ab.zeros")?;
        let min = conv::opt_i64(&m, "min")?.unwrap_or(DEFAULT_ZEROS_MIN as i64);
        if min < 0 {
            return Err(format!("ab.zeros: min must not be negative, found {min}").into());
        }
        p.zeros(Kind::Seqhis, min as u64).rh()
    });
    r.func(
        "sel",
        "ab.sel(spec) -> Pair",
        "The pair with both sides selected by `spec` (as for `e.sel`: label, prefix \
`\"TO BT ..\"`, `\"*RE*\"`, hex code, row slice, or a list): `ab.sel(\"TO BT ..\").his` is the \
comparison of that subset. Alignment then looks at photons in either side's selection.",
    )
    .f(|p: &mut Pair, v: Dynamic| -> RResult<Pair> {
        let _s = crate::prof::span("ab.sel");
        p.select(&specs(&v)?).rh()
    });
    r.func(
        "aligned",
        "ab.aligned -> Array",
        "Bool mask over the loaded photons: true where A and B have the same seqhis at the \
same index (and the photon is in both sides' selections). Use with `a.sel(ab.aligned)`.",
    )
    .get(|p: &mut Pair| -> RResult<Array> {
        let _s = crate::prof::span("ab.aligned");
        p.aligned_mask().rh()
    });
    r.func(
        "migrations",
        "ab.migrations -> Table",
        "Misaligned photons counted by (A history, B history): columns `idx a_code a_label \
b_code b_label count frac`, by count descending.",
    )
    .get(|p: &mut Pair| -> RResult<Table> {
        let _s = crate::prof::span("ab.migrations");
        p.migrations().rh()
    });
    r.func(
        "dv",
        concat!(
            "ab.dv(\"rpost\"|\"rpol\"|\"ox\", ",
            "[#{pos, time, pol, dir, wavelength, order, top}]) -> Table"
        ),
        "Deviation table: for each aligned photon the maximum |A-B| over its points and \
components, per quantity (`rpost`: pos and time; `rpol`: pol; `ox`: pos, time, dir, pol, \
wavelength), aggregated per history for every history with aligned photons. Columns `label qty a \
b aligned nwarn nerr nfatal fwarn ferr ffatal max min mean level` (fractions of aligned photons; \
a photon counts when its deviation is strictly above a cut). Cuts warn/error/fatal: position \
1.1/1.6/2.1 x one position bin of the domains, time the same in time bins, rpol 1/1.5/2 x 2/255, \
ox 0.10/0.25/0.50; override per quantity with `[warn, error, fatal]`, e.g. `#{pos: [0.5, 1.0, \
2.0]}`. The title carries the worst level. `order`: \"worst\" (default), \"count\", \"max\"; `top` \
rows shown (20). Different record lengths or NPFold events (no rx) give clear errors.",
    )
    .opts(&[CUT_OPTS, DV_OPTS])
    .example("ab.dv(\"rpost\", OPTS)")
    .f(|p: &mut Pair, q: &str| dv(p, q, None))
    .f(|p: &mut Pair, q: &str, m: Map| dv(p, q, Some(m)));
    r.func(
        "worst",
        "ab.worst(q, n, [cuts]) -> Table",
        "The n aligned photons with the largest deviation of table `q` relative to their \
quantity's warn cut: columns `index code history qty point comp deviation ratio a_value b_value \
level` (index: photon row in the files; point -1 for the final photon).",
    )
    .opts(&[CUT_OPTS])
    .example("ab.worst(\"rpost\", 3, OPTS)")
    .f(|p: &mut Pair, q: &str, n: INT| worst(p, q, n, None))
    .f(|p: &mut Pair, q: &str, n: INT, m: Map| worst(p, q, n, Some(m)));
    r.func(
        "rc",
        "ab.rc -> int",
        "Exit-code bit mask of the deviation tables (default cuts) above WARNING: rpost 1, \
rpol 2, ox 4. Tables the events cannot provide (NPFold: no rx) are skipped. `exit(ab.rc)`.",
    )
    .get(|p: &mut Pair| -> RResult<INT> {
        let _s = crate::prof::span("ab.rc");
        p.rc().rh()
    });
    r.func(
        "summary",
        "ab.summary(path) -> int",
        "Write a JSON summary (atomically): sides, alignment, chi-square, top histories, \
smoking guns, top migrations, and for rpost/rpol/ox the level per quantity, cuts and every row \
above INFO (up to 1000). Returns the rc.",
    )
    .f(|p: &mut Pair, path: &str| -> RResult<INT> {
        let _s = crate::prof::span("ab.summary");
        p.write_summary(std::path::Path::new(path)).rh()
    });
    r.func("a", "ab.a -> Event", "Side A of the pair.")
        .get(|p: &mut Pair| p.a().clone());
    r.func("b", "ab.b -> Event", "Side B of the pair.")
        .get(|p: &mut Pair| p.b().clone());
}
