//! Rhai bindings for the stats layer: `hist`, `hist2d`, `binned`, `group_stats`, `roc`,
//! `efficiency`, their result types (`Hist`, `Hist2D`, `Binned`, `Roc`, `Efficiency`) with
//! properties, `.table()`, `.plot(path, opts)` and `.preview()`, and `plot(#{...})` for
//! figures of several series. Registration and help text live together.

use rhai::{Dynamic, Map, FLOAT, INT};

use super::bind_plot::{
    apply_fig, method_opts, save_fig, BINNED_PLOT_OPTS, EFF_PLOT_OPTS, FIG_OPTS, HIST2D_PLOT_OPTS,
    HIST_PLOT_OPTS, LABEL, ROC_PLOT_OPTS,
};
use super::conv::{floats, num, opt_bool, opt_f64, opt_i64, opt_str};
use super::registry::{check_opts, fail, opt, Opt};
use super::registry::{RResult, Reg};
use super::IntoRhai;
use crate::array::Array;
use crate::output::plot::{self, Figure};
use crate::output::table::Table;
use crate::stats::binned::{binned, binned2d};
use crate::stats::efficiency::{efficiency, ONE_SIGMA};
use crate::stats::hist::{hist, hist2d};
use crate::stats::plots;
use crate::stats::roc::roc;
use crate::stats::{BinSpec, Binned, Efficiency, Hist, Hist2d, Interval, RangeSpec, Roc, Stat};

// ------------------------------------------------------------------------- options

// ------------------------------------------------------------------------- options

const BINS: Opt = opt(
    "bins",
    "int >= 1 | list of edges | Array of edges",
    "50",
    "number of equal-width bins, or increasing edges",
);
const RANGE: Opt = opt(
    "range",
    "[lo, hi] | \"99.7%\" | [\"1%\", \"99%\"]",
    "min..max",
    "the binned interval, fixed or by percentiles",
);
const MASK: Opt = opt(
    "mask",
    "bool Array",
    "",
    "only elements where it is true count",
);

const HIST_OPTS: &[Opt] = &[
    BINS,
    RANGE,
    opt(
        "weights",
        "Array",
        "",
        "weights of the same size (counts become sums of weights)",
    ),
    MASK,
    LABEL,
];
const HIST2D_OPTS: &[Opt] = &[
    opt(
        "bins",
        "n | [nx, ny] | [x_edges, y_edges]",
        "50",
        "bins of both axes",
    ),
    opt(
        "range",
        "[[x0, x1], [y0, y1]] | percentage",
        "min..max",
        "ranges of both axes",
    ),
    opt("weights", "Array", "", "weights of the same size"),
    MASK,
    opt("xlabel", "string", "", "name of the x variable"),
    opt("ylabel", "string", "", "name of the y variable"),
];
const BINNED_OPTS: &[Opt] = &[
    BINS,
    RANGE,
    opt(
        "stat",
        "\"mean\" | \"count\" | \"sum\" | \"std\" | \"min\" | \"max\" | \"median\"",
        "\"mean\"",
        "the statistic per bin",
    ),
    MASK,
    LABEL,
];
const GROUP_OPTS: &[Opt] = &[MASK];
const ROC_OPTS: &[Opt] = &[
    MASK,
    opt(
        "drop_intermediate",
        "bool",
        "true",
        "drop collinear points of the returned curve",
    ),
    LABEL,
];
const INTERVAL_OPTS: &[Opt] = &[
    opt(
        "interval",
        "\"clopper-pearson\" | \"wilson\"",
        "\"clopper-pearson\"",
        "the confidence interval per bin",
    ),
    opt("cl", "number in (0, 1)", "0.6827", "confidence level"),
    LABEL,
];
const EFF_OPTS: &[Opt] = &[BINS, RANGE, MASK];

fn to_array(v: &Dynamic, what: &str) -> RResult<Array> {
    match v.clone().try_cast::<Array>() {
        Some(a) => Ok(a),
        None => fail(format!(
            "{what}: expected an Array, found {}",
            v.type_name()
        )),
    }
}

fn opt_array(opts: &Map, key: &str, func: &str) -> RResult<Option<Array>> {
    opts.get(key)
        .map(|v| to_array(v, &format!("{func}: option '{key}'")))
        .transpose()
}

fn parse_bins(v: Option<&Dynamic>, func: &str) -> RResult<BinSpec> {
    let Some(v) = v else {
        return Ok(BinSpec::Count(50));
    };
    if let Ok(n) = v.as_int() {
        if n < 1 {
            return fail(format!("{func}: bins must be at least 1, found {n}"));
        }
        return Ok(BinSpec::Count(n as usize));
    }
    if v.is_array() || v.is::<Array>() {
        return Ok(BinSpec::Edges(floats(v, &format!("{func}: bins"))?));
    }
    fail(format!(
        "{func}: bins must be a number of bins or a list of edges, found {}",
        v.type_name()
    ))
}

fn parse_range(v: Option<&Dynamic>, func: &str) -> RResult<RangeSpec> {
    let Some(v) = v else {
        return Ok(RangeSpec::Auto);
    };
    if v.is_unit() {
        return Ok(RangeSpec::Auto);
    }
    if let Ok(s) = v.clone().into_string() {
        return RangeSpec::parse_percent(&s)
            .map_err(|e| format!("{func}: {e}"))
            .map_err(Into::into);
    }
    if let Some(list) = v.clone().try_cast::<rhai::Array>() {
        if list.len() == 2 {
            if let (Ok(a), Ok(b)) = (list[0].clone().into_string(), list[1].clone().into_string()) {
                let p = |s: &str| -> RResult<f64> {
                    s.trim()
                        .strip_suffix('%')
                        .and_then(|n| n.trim().parse::<f64>().ok())
                        .ok_or_else(|| {
                            format!("{func}: range entry \"{s}\" is not a percentage like \"1%\"")
                                .into()
                        })
                };
                return Ok(RangeSpec::Percentiles(p(&a)?, p(&b)?));
            }
            let lo = num(&list[0], &format!("{func}: range"))?;
            let hi = num(&list[1], &format!("{func}: range"))?;
            return Ok(RangeSpec::Fixed(lo, hi));
        }
    }
    fail(format!(
        "{func}: range must be [lo, hi], a percentage like \"99.7%\" or [\"1%\", \"99%\"], found {v}"
    ))
}

/// Bins and range for the two axes of a 2-D function.
fn parse_bins2(v: Option<&Dynamic>, func: &str) -> RResult<(BinSpec, BinSpec)> {
    if let Some(list) = v.and_then(|v| v.clone().try_cast::<rhai::Array>()) {
        if list.len() == 2 && !list.iter().all(|x| x.is_float()) {
            return Ok((
                parse_bins(Some(&list[0]), func)?,
                parse_bins(Some(&list[1]), func)?,
            ));
        }
    }
    let b = parse_bins(v, func)?;
    Ok((b.clone(), b))
}

fn parse_range2(v: Option<&Dynamic>, func: &str) -> RResult<(RangeSpec, RangeSpec)> {
    if let Some(list) = v.and_then(|v| v.clone().try_cast::<rhai::Array>()) {
        if list.len() == 2
            && list
                .iter()
                .all(|x| x.is_array() || x.is_string() || x.is_unit())
        {
            return Ok((
                parse_range(Some(&list[0]), func)?,
                parse_range(Some(&list[1]), func)?,
            ));
        }
        return fail(format!(
            "{func}: range must be [[x0, x1], [y0, y1]] or a percentage for both axes"
        ));
    }
    let r = parse_range(v, func)?;
    Ok((r.clone(), r))
}

fn interval_opts(opts: &Map, func: &str) -> RResult<(Interval, f64)> {
    let m = match opt_str(opts, "interval")? {
        Some(s) => Interval::parse(&s).map_err(|e| format!("{func}: {e}"))?,
        None => Interval::ClopperPearson,
    };
    let cl = opt_f64(opts, "cl")?.unwrap_or(ONE_SIGMA);
    if !(cl > 0.0 && cl < 1.0) {
        return fail(format!("{func}: cl must be between 0 and 1, found {cl}"));
    }
    Ok((m, cl))
}

fn hist_fig(h: &Hist, opts: &Map) -> RResult<Figure> {
    let mut fig = method_opts(opts, HIST_PLOT_OPTS, "h.plot")?;
    let mut s = plots::hist_series(
        h,
        opt_str(opts, "label")?,
        opt_bool(opts, "fill")?.unwrap_or(false),
        opt_bool(opts, "errors")?.unwrap_or(false),
    );
    s.color = opt_i64(opts, "color")?.map(|c| c.max(0) as usize);
    if fig.xlabel.is_none() {
        fig.xlabel = h.label.clone();
    }
    if fig.ylabel.is_none() {
        fig.ylabel = Some(
            if h.weighted() {
                "weighted entries"
            } else {
                "entries"
            }
            .to_string(),
        );
    }
    fig.series.push(s);
    Ok(fig)
}

fn f64_arr(v: Vec<f64>) -> Array {
    let n = v.len();
    Array::from_vec(v, vec![n]).expect("length matches")
}

fn i64_arr(v: &[f64]) -> Array {
    let w: Vec<i64> = v.iter().map(|&x| x as i64).collect();
    let n = w.len();
    Array::from_vec(w, vec![n]).expect("length matches")
}

// ------------------------------------------------------------------------- functions

fn do_hist(x: &Array, opts: &Map) -> RResult<Hist> {
    check_opts(opts, &[HIST_OPTS], "hist")?;
    let bins = parse_bins(opts.get("bins"), "hist")?;
    let range = parse_range(opts.get("range"), "hist")?;
    let w = opt_array(opts, "weights", "hist")?;
    let m = opt_array(opts, "mask", "hist")?;
    let mut h = hist(x, &bins, &range, w.as_ref(), m.as_ref()).rh()?;
    h.label = opt_str(opts, "label")?;
    Ok(h)
}

fn do_hist2d(x: &Array, y: &Array, opts: &Map) -> RResult<Hist2d> {
    check_opts(opts, &[HIST2D_OPTS], "hist2d")?;
    let (bx, by) = parse_bins2(opts.get("bins"), "hist2d")?;
    let (rx, ry) = parse_range2(opts.get("range"), "hist2d")?;
    let w = opt_array(opts, "weights", "hist2d")?;
    let m = opt_array(opts, "mask", "hist2d")?;
    let mut h = hist2d(x, y, (&bx, &by), (&rx, &ry), w.as_ref(), m.as_ref()).rh()?;
    h.xlabel = opt_str(opts, "xlabel")?;
    h.ylabel = opt_str(opts, "ylabel")?;
    Ok(h)
}

fn stat_opt(opts: &Map) -> RResult<Stat> {
    match opt_str(opts, "stat")? {
        Some(s) => Stat::parse(&s).map_err(|e| format!("binned: {e}").into()),
        None => Ok(Stat::Mean),
    }
}

fn do_binned(x: &Array, y: &Array, opts: &Map) -> RResult<Binned> {
    check_opts(opts, &[BINNED_OPTS], "binned")?;
    let bins = parse_bins(opts.get("bins"), "binned")?;
    let range = parse_range(opts.get("range"), "binned")?;
    let m = opt_array(opts, "mask", "binned")?;
    let mut b = binned(x, y, &bins, &range, stat_opt(opts)?, m.as_ref()).rh()?;
    b.label = opt_str(opts, "label")?;
    Ok(b)
}

fn do_binned2d(x: &Array, y: &Array, v: &Array, opts: &Map) -> RResult<Binned> {
    check_opts(opts, &[BINNED_OPTS], "binned")?;
    let (bx, by) = parse_bins2(opts.get("bins"), "binned")?;
    let (rx, ry) = parse_range2(opts.get("range"), "binned")?;
    let m = opt_array(opts, "mask", "binned")?;
    let mut b = binned2d(x, y, v, (&bx, &by), (&rx, &ry), stat_opt(opts)?, m.as_ref()).rh()?;
    b.label = opt_str(opts, "label")?;
    Ok(b)
}

fn do_group(key: &Array, cols: &Map, opts: &Map) -> RResult<Table> {
    check_opts(opts, &[GROUP_OPTS], "group_stats")?;
    let mut cs = vec![];
    for (k, v) in cols {
        cs.push((
            k.to_string(),
            to_array(v, &format!("group_stats: column '{k}'"))?,
        ));
    }
    let m = opt_array(opts, "mask", "group_stats")?;
    crate::stats::group_stats(key, &cs, m.as_ref()).rh()
}

fn do_roc(score: &Array, truth: &Array, opts: &Map) -> RResult<Roc> {
    check_opts(opts, &[ROC_OPTS], "roc")?;
    let m = opt_array(opts, "mask", "roc")?;
    let drop = opt_bool(opts, "drop_intermediate")?.unwrap_or(true);
    let mut r = roc(score, truth, m.as_ref(), drop).rh()?;
    r.label = opt_str(opts, "label")?;
    Ok(r)
}

fn do_eff(pass: &Array, var: &Array, opts: &Map) -> RResult<Efficiency> {
    check_opts(opts, &[EFF_OPTS, INTERVAL_OPTS], "efficiency")?;
    let bins = parse_bins(opts.get("bins"), "efficiency")?;
    let range = parse_range(opts.get("range"), "efficiency")?;
    let m = opt_array(opts, "mask", "efficiency")?;
    let (method, cl) = interval_opts(opts, "efficiency")?;
    let mut e = efficiency(pass, var, &bins, &range, m.as_ref(), method, cl).rh()?;
    e.label = opt_str(opts, "label")?;
    Ok(e)
}

fn do_eff_hists(p: &Hist, t: &Hist, opts: &Map) -> RResult<Efficiency> {
    check_opts(opts, &[INTERVAL_OPTS], "efficiency")?;
    let (method, cl) = interval_opts(opts, "efficiency")?;
    let mut e = Efficiency::from_hists(p, t, method, cl).rh()?;
    e.label = opt_str(opts, "label")?.or_else(|| t.label.clone());
    Ok(e)
}

fn wp_targets(v: &Dynamic) -> RResult<Vec<f64>> {
    floats(v, "wp: targets")
}

/// Register this module's types and functions.
pub fn register(r: &mut Reg) {
    r.ty::<Hist>("Hist")
        .ty::<Hist2d>("Hist2D")
        .ty::<Binned>("Binned")
        .ty::<Roc>("Roc")
        .ty::<Efficiency>("Efficiency");

    // constructors
    r.func(
        "hist",
        "hist(x, [#{bins, range, weights, mask, label}]) -> Hist",
        "Histogram of the values of `x` (any real dtype, flattened), in one parallel pass. \
`bins`: number of equal-width bins (default 50) or a list/Array of increasing edges. `range`: \
`[lo, hi]`, a central percentage `\"99.7%\"` (from the 0.15th to the 99.85th percentile, exact), \
`[\"1%\", \"99%\"]`, or omitted for min..max. Bin membership is NumPy's: bins closed on the left, \
the last also on the right; values outside are counted as underflow/overflow and NaN as nan, \
never dropped silently. `weights`: an Array of the same size (counts become sums of weights; \
errors sqrt(sum w²)). `mask`: a bool Array, only elements where it is true count. `label` names \
the variable in titles and legends.\nExample: `let h = hist(pt, #{bins: 100, range: \"99%\"}); \
h.plot(\"pt.png\", #{logy: true});`",
    )
    .opts(&[HIST_OPTS])
    .example("hist(x, OPTS)")
    .f(|x: Array| do_hist(&x, &Map::new()))
    .f(|x: Array, o: Map| do_hist(&x, &o));
    r.func(
        "hist2d",
        "hist2d(x, y, [#{bins, range, weights, mask, xlabel, ylabel}]) -> Hist2D",
        "2-D histogram of the pairs (x[i], y[i]). `bins`: n (both axes), `[nx, ny]`, or \
`[x_edges, y_edges]`; `range`: `[[x0, x1], [y0, y1]]` or a percentage applied to both axes. \
`counts` has shape (nx, ny) like `np.histogram2d`. Plots as a heatmap with a colour bar \
(`logz: true` for a log colour scale).",
    )
    .opts(&[HIST2D_OPTS])
    .example("hist2d(x, y, OPTS)")
    .f(|x: Array, y: Array| do_hist2d(&x, &y, &Map::new()))
    .f(|x: Array, y: Array, o: Map| do_hist2d(&x, &y, &o));
    r.func(
        "binned",
        "binned(x, y, [#{bins, range, stat, mask, label}]) / binned(x, y, v, #{...}) -> Binned",
        "A statistic of `y` per bin of `x`, like SciPy's `binned_statistic` (and with three \
arrays, of `v` per (x, y) bin, like `binned_statistic_2d`). `stat`: \"mean\" (default), \"count\", \
\"sum\", \"std\" (population, ddof 0), \"min\", \"max\", \"median\". One parallel pass (median: \
a counting sort by bin, then a selection per bin). Empty bins: 0 for count/sum, NaN otherwise. \
`bins`/`range` as for `hist`.\nExample: `binned(eta, residual, #{bins: 20, range: [-2.7, 2.7], \
stat: \"std\"}).table()`",
    )
    .opts(&[BINNED_OPTS])
    .example("binned(x, y, OPTS)")
    .f(|x: Array, y: Array| do_binned(&x, &y, &Map::new()))
    .f(|x: Array, y: Array, o: Map| do_binned(&x, &y, &o))
    .f(|x: Array, y: Array, v: Array, o: Map| do_binned2d(&x, &y, &v, &o));
    r.func(
        "group_stats",
        "group_stats(key, #{col: values, ...}, [#{mask}]) -> Table",
        "Per-key count and sums, e.g. hits per track and hits kept per track: \
`group_stats(particle_id, #{kept: passed})` gives a Table with columns `key`, `count` and one \
column per entry holding the sum of its values per key (integer for bool/integer arrays). Keys \
are integers (or whole-number floats); rows are sorted by key. `mask` restricts to the \
elements where it is true.",
    )
    .opts(&[GROUP_OPTS])
    .example("group_stats(x.astype(\"i8\"), #{v: y}, OPTS)")
    .f(|k: Array, c: Map| do_group(&k, &c, &Map::new()))
    .f(|k: Array, c: Map, o: Map| do_group(&k, &c, &o));
    r.func(
        "roc",
        "roc(score, truth, [#{mask, drop_intermediate, label}]) -> Roc",
        "Exact ROC curve of `score` (any real dtype) against `truth` (bool, or numbers where \
nonzero is positive): one point per distinct score, ties handled like scikit-learn's \
`roc_curve` (a hit is selected when score >= threshold; thresholds[0] is inf). \
`drop_intermediate` (default true, scikit-learn's default) drops collinear points from \
`r.fpr`/`r.tpr`/`r.thresholds`; the AUC (= `roc_auc_score`) and working points always use the \
full curve. Scores are radix-sorted per class in parallel, so 10M scores take a fraction of a \
second. NaN scores and a truth of only one class are errors.\nExample: `let r = roc(score, \
truth); print(r.auc); r.wp([0.96, 0.97, 0.98, 0.99, 0.995])`",
    )
    .opts(&[ROC_OPTS])
    .example("roc(x, y > 0.5, OPTS)")
    .f(|s: Array, t: Array| do_roc(&s, &t, &Map::new()))
    .f(|s: Array, t: Array, o: Map| do_roc(&s, &t, &o));
    r.func(
        "efficiency",
        "efficiency(pass, var, [#{bins, range, mask, interval, cl, label}]) -> Efficiency",
        "Fraction of entries with `pass` true per bin of `var` (bool and real Arrays of the \
same size), over the entries where `mask` is true: efficiency vs pt is \
`efficiency(score >= cut, pt, #{mask: truth})`, purity is `efficiency(truth, pt, #{mask: score \
>= cut})`. With two Hists (same edges): their bin-by-bin ratio. `interval`: \
\"clopper-pearson\" (default; exact, from beta quantiles) or \"wilson\" (score interval); `cl` \
the confidence level (default 0.6827, ±1σ). Empty bins give NaN and the interval [0, 1]. \
`bins`/`range` as for `hist`.",
    )
    .opts(&[EFF_OPTS, INTERVAL_OPTS])
    .example("efficiency(y > 0.5, x, OPTS)")
    .f(|p: Array, v: Array| do_eff(&p, &v, &Map::new()))
    .f(|p: Array, v: Array, o: Map| do_eff(&p, &v, &o));
    r.func(
        "efficiency",
        "efficiency(h_pass, h_total, [#{interval, cl, label}]) -> Efficiency",
        "The bin-by-bin ratio of two Hists with the same edges (passing over total), with \
the interval per bin as for the Array form; `label` defaults to the total's label.",
    )
    .opts(&[INTERVAL_OPTS])
    .example("efficiency(hist(x, #{mask: y > 0.5}), hist(x), OPTS)")
    .f(|p: Hist, t: Hist| do_eff_hists(&p, &t, &Map::new()))
    .f(|p: Hist, t: Hist, o: Map| do_eff_hists(&p, &t, &o));

    // Hist
    r.func(
        "counts",
        "h.counts -> Array",
        "Counts per bin (int64; float64 sums of weights when weighted). For a Hist2D shape \
(nx, ny); for a Binned the entries per bin.",
    )
    .get(|h: &mut Hist| h.counts_array());
    r.func(
        "edges",
        "h.edges -> Array",
        "Bin edges (n + 1 values) of a Hist, Binned (x edges) or Efficiency.",
    )
    .get(|h: &mut Hist| h.edges_array());
    r.func(
        "centers",
        "h.centers -> Array",
        "Bin centres of a Hist, Binned or Efficiency.",
    )
    .get(|h: &mut Hist| f64_arr(h.binning.centers()));
    r.func(
        "errors",
        "h.errors -> Array",
        "Statistical error per bin: sqrt(count), or sqrt(sum of squared weights).",
    )
    .get(|h: &mut Hist| f64_arr(h.errors()));
    r.func(
        "entries",
        "h.entries -> int",
        "Number of elements looked at (after the mask), including under/overflow and NaN.",
    )
    .get(|h: &mut Hist| h.entries as INT);
    r.func(
        "underflow",
        "h.underflow -> float",
        "Count (or weight) of values below the first edge.",
    )
    .get(|h: &mut Hist| h.underflow as FLOAT);
    r.func(
        "overflow",
        "h.overflow -> float",
        "Count (or weight) of values above the last edge.",
    )
    .get(|h: &mut Hist| h.overflow as FLOAT);
    r.func(
        "nan",
        "h.nan -> int",
        "Number of NaN values (never counted in a bin).",
    )
    .get(|h: &mut Hist| h.nan as INT);
    r.func("nbins", "h.nbins -> int", "Number of bins.")
        .get(|h: &mut Hist| h.nbins() as INT);
    r.func(
        "table",
        "h.table() -> Table",
        "The result as a Table (save it as CSV/JSON with `.save(path)`): Hist: lo, hi, center, \
count, error; Hist2D: x_lo, x_hi, y_lo, y_hi, count; Binned: lo, hi, center, count, <stat>; \
Efficiency: lo, hi, center, pass, total, efficiency, lower, upper; Roc: threshold, fpr, tpr, tp, \
fp.",
    )
    .f(|h: &mut Hist| h.table());
    r.func(
        "preview",
        "h.preview() -> string",
        "A quick Unicode-block chart of a Hist, Binned, Efficiency or Roc (TPR vs FPR) for the \
terminal: `print(h.preview())`. Printing a Hist shows it too.",
    )
    .f(|h: &mut Hist| plot::term_bars(&h.counts, h.binning.lo(), h.binning.hi(), 64, 8));
    r.func(
        "plot",
        "h.plot(path, [#{title, xlabel, ylabel, logx, logy, label, fill, errors, logz, ...}])",
        "Draw a Hist (step; `fill: true` filled, `errors: true` error bars), Hist2D \
(heatmap, `logz`), Binned (markers), Efficiency (markers with the interval as a band) or Roc \
(TPR vs FPR with the chance line and the AUC in the legend) to a PNG or SVG file. `label` is \
the legend entry. Figure options (here and in `plot(#{...})`): `title`, `xlabel`, `ylabel`, \
`logx`, `logy`, `xrange: [lo, hi]`, `yrange: [lo, hi]`, `width`, `height` (pixels, default \
900×600), `legend: \"upper right\"|\"upper left\"|\"lower right\"|\"lower left\"|\"none\"`, \
`zlabel` (colour bar). The format follows the extension, `.png` or `.svg`; the file is written \
to a temporary name and renamed. Text uses the DejaVu Sans font built into evsh (no system \
fonts).",
    )
    .opts(&[FIG_OPTS, HIST_PLOT_OPTS])
    .example("hist(x).plot(TMP + \"/h.png\", OPTS)")
    .f(|h: &mut Hist, path: &str| save_fig(&hist_fig(h, &Map::new())?, path))
    .f(|h: &mut Hist, path: &str, o: Map| save_fig(&hist_fig(h, &o)?, path));

    // Hist2D
    r.again("counts").get(|h: &mut Hist2d| h.counts_array());
    r.func("xedges", "h.xedges -> Array", "x bin edges of a Hist2D.")
        .get(|h: &mut Hist2d| f64_arr(h.x.edges.clone()));
    r.func("yedges", "h.yedges -> Array", "y bin edges of a Hist2D.")
        .get(|h: &mut Hist2d| f64_arr(h.y.edges.clone()));
    r.again("entries").get(|h: &mut Hist2d| h.entries as INT);
    r.again("nan").get(|h: &mut Hist2d| h.nan as INT);
    r.again("table").f(|h: &mut Hist2d| h.table());
    let h2fig = |h: &Hist2d, o: &Map| -> RResult<Figure> {
        let mut fig = method_opts(o, HIST2D_PLOT_OPTS, "h.plot")?;
        fig.series.push(plots::hist2d_series(
            h,
            opt_bool(o, "logz")?.unwrap_or(false),
        ));
        fig.xlabel = fig.xlabel.or_else(|| h.xlabel.clone());
        fig.ylabel = fig.ylabel.or_else(|| h.ylabel.clone());
        fig.zlabel = fig.zlabel.or_else(|| Some("entries".to_string()));
        Ok(fig)
    };
    r.func(
        "plot",
        "h2.plot(path, [#{logz, title, xlabel, ylabel, zlabel, ...}])",
        "Draw a Hist2D as a heatmap with a colour bar (`logz: true` for a log colour \
scale); figure options as for `h.plot`.",
    )
    .opts(&[FIG_OPTS, HIST2D_PLOT_OPTS])
    .example("hist2d(x, y).plot(TMP + \"/h2.png\", OPTS)")
    .f(move |h: &mut Hist2d, path: &str| save_fig(&h2fig(h, &Map::new())?, path))
    .f(move |h: &mut Hist2d, path: &str, o: Map| save_fig(&h2fig(h, &o)?, path));

    // Binned
    r.func(
        "values",
        "b.values -> Array",
        "The statistic per bin of a Binned (shape (nx, ny) for 2-D), or the efficiency per \
bin of an Efficiency.",
    )
    .get(|b: &mut Binned| b.values_array());
    r.again("counts").get(|b: &mut Binned| b.counts_array());
    r.again("edges")
        .get(|b: &mut Binned| f64_arr(b.x.edges.clone()));
    r.again("centers")
        .get(|b: &mut Binned| f64_arr(b.x.centers()));
    r.again("nbins").get(|b: &mut Binned| b.values.len() as INT);
    r.again("table").f(|b: &mut Binned| b.table());
    r.again("preview").f(|b: &mut Binned| {
        let v: Vec<f64> = b
            .values
            .iter()
            .map(|v| if v.is_nan() { 0.0 } else { *v })
            .collect();
        plot::term_bars(&v, b.x.lo(), b.x.hi(), 64, 8)
    });
    let bfig = |b: &Binned, o: &Map| -> RResult<Figure> {
        let mut fig = method_opts(o, BINNED_PLOT_OPTS, "b.plot")?;
        let mut s = match &b.y {
            Some(_) => {
                plots::binned2d_series(b, opt_bool(o, "logz")?.unwrap_or(false)).expect("2-D")
            }
            None => plots::binned_series(b, opt_str(o, "label")?),
        };
        s.color = opt_i64(o, "color")?.map(|c| c.max(0) as usize);
        fig.series.push(s);
        fig.xlabel = fig.xlabel.or_else(|| b.label.clone());
        if b.y.is_some() {
            fig.zlabel = fig.zlabel.or_else(|| Some(b.stat.name().to_string()));
        } else {
            fig.ylabel = fig.ylabel.or_else(|| Some(b.stat.name().to_string()));
        }
        Ok(fig)
    };
    r.func(
        "plot",
        "b.plot(path, [#{label, logz, color, title, ...}])",
        "Draw a Binned statistic: markers per bin for 1-D, a heatmap for 2-D (`logz`); \
figure options as for `h.plot`.",
    )
    .opts(&[FIG_OPTS, BINNED_PLOT_OPTS])
    .example("binned(x, y).plot(TMP + \"/b.png\", OPTS)")
    .f(move |b: &mut Binned, path: &str| save_fig(&bfig(b, &Map::new())?, path))
    .f(move |b: &mut Binned, path: &str, o: Map| save_fig(&bfig(b, &o)?, path));

    // Roc
    r.func(
        "auc",
        "r.auc -> float",
        "Area under the ROC curve (exact trapezoid sum over every point; equals \
scikit-learn's `roc_auc_score`).",
    )
    .get(|r: &mut Roc| r.auc as FLOAT);
    r.func(
        "fpr",
        "r.fpr -> Array",
        "False positive rates of the ROC points (scikit-learn's `roc_curve` output).",
    )
    .get(|r: &mut Roc| f64_arr(r.fpr()));
    r.func(
        "tpr",
        "r.tpr -> Array",
        "True positive rates of the ROC points.",
    )
    .get(|r: &mut Roc| f64_arr(r.tpr()));
    r.func(
        "thresholds",
        "r.thresholds -> Array",
        "Score thresholds of the ROC points, decreasing; the first is inf (nothing selected).",
    )
    .get(|r: &mut Roc| f64_arr(r.thresholds()));
    r.func(
        "positives",
        "r.positives -> int",
        "Number of positive (true) entries.",
    )
    .get(|r: &mut Roc| r.pos as INT);
    r.func(
        "negatives",
        "r.negatives -> int",
        "Number of negative entries.",
    )
    .get(|r: &mut Roc| r.neg as INT);
    r.func(
        "wp",
        "r.wp(targets) -> Table",
        "Working points for target efficiencies (a list or an Array, e.g. \
`linspace(0.95, 0.998, 481)`): for each, the highest score cut whose true-positive rate reaches \
the target (TPR >= target; a hit is kept when score >= threshold), with columns target, \
threshold, efficiency (TP/(TP+FN)), purity (TP/(TP+FP)), rejection (TN/(TN+FP)), TP, FP, TN, \
FN. Each target is a binary search on the stored curve, so sweeps cost nothing extra.",
    )
    .f(|r: &mut Roc, t: Dynamic| -> RResult<Table> { r.wp_table(&wp_targets(&t)?).rh() })
    .f(|r: &mut Roc, t: FLOAT| -> RResult<Table> { r.wp_table(&[t]).rh() });
    r.again("table").f(|r: &mut Roc| r.table());
    r.again("preview")
        .f(|r: &mut Roc| plot::term_curve(&r.fpr(), &r.tpr(), 64, 8));
    let rfig = |r: &Roc, o: &Map| -> RResult<Figure> {
        check_opts(o, &[FIG_OPTS, ROC_PLOT_OPTS], "r.plot")?;
        let mut fig = plots::roc_figure(r, opt_str(o, "label")?);
        if !opt_bool(o, "diagonal")?.unwrap_or(true) {
            fig.series.pop();
        }
        if opt_bool(o, "logx")?.unwrap_or(false) {
            fig.xrange = None;
        }
        apply_fig(&mut fig, o)?;
        Ok(fig)
    };
    r.func(
        "plot",
        "r.plot(path, [#{label, diagonal, title, logx, ...}])",
        "Draw a ROC curve (TPR vs FPR) with the AUC in the legend and the chance line \
(`diagonal: false` leaves it out); figure options as for `h.plot`.",
    )
    .opts(&[FIG_OPTS, ROC_PLOT_OPTS])
    .example("roc(x, y > 0.5).plot(TMP + \"/r.png\", OPTS)")
    .f(move |r: &mut Roc, path: &str| save_fig(&rfig(r, &Map::new())?, path))
    .f(move |r: &mut Roc, path: &str, o: Map| save_fig(&rfig(r, &o)?, path));

    // Efficiency
    r.again("values")
        .get(|e: &mut Efficiency| f64_arr(e.eff.clone()));
    r.func(
        "lower",
        "e.lower -> Array",
        "Lower end of the efficiency interval per bin.",
    )
    .get(|e: &mut Efficiency| f64_arr(e.lower.clone()));
    r.func(
        "upper",
        "e.upper -> Array",
        "Upper end of the efficiency interval per bin.",
    )
    .get(|e: &mut Efficiency| f64_arr(e.upper.clone()));
    r.func(
        "pass",
        "e.pass -> Array",
        "Passing entries per bin (int64).",
    )
    .get(|e: &mut Efficiency| i64_arr(&e.pass));
    r.func("total", "e.total -> Array", "Entries per bin (int64).")
        .get(|e: &mut Efficiency| i64_arr(&e.total));
    r.again("edges")
        .get(|e: &mut Efficiency| f64_arr(e.binning.edges.clone()));
    r.again("centers")
        .get(|e: &mut Efficiency| f64_arr(e.binning.centers()));
    r.again("nbins")
        .get(|e: &mut Efficiency| e.eff.len() as INT);
    r.again("table").f(|e: &mut Efficiency| e.table());
    r.again("preview").f(|e: &mut Efficiency| {
        let v: Vec<f64> = e
            .eff
            .iter()
            .map(|v| if v.is_nan() { 0.0 } else { *v })
            .collect();
        plot::term_bars(&v, e.binning.lo(), e.binning.hi(), 64, 8)
    });
    let efig = |e: &Efficiency, o: &Map| -> RResult<Figure> {
        let mut fig = method_opts(o, EFF_PLOT_OPTS, "e.plot")?;
        let mut s = plots::eff_series(e, opt_str(o, "label")?);
        s.color = opt_i64(o, "color")?.map(|c| c.max(0) as usize);
        fig.series.push(s);
        fig.xlabel = fig.xlabel.or_else(|| e.label.clone());
        fig.ylabel = fig.ylabel.or_else(|| Some("efficiency".to_string()));
        Ok(fig)
    };
    r.func(
        "plot",
        "e.plot(path, [#{label, color, title, ...}])",
        "Draw an Efficiency: markers with the interval as a band; figure options as for `h.plot`.",
    )
    .opts(&[FIG_OPTS, EFF_PLOT_OPTS])
    .example("efficiency(y > 0.5, x).plot(TMP + \"/e.png\", OPTS)")
    .f(move |e: &mut Efficiency, path: &str| save_fig(&efig(e, &Map::new())?, path))
    .f(move |e: &mut Efficiency, path: &str, o: Map| save_fig(&efig(e, &o)?, path));
}
