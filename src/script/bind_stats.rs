//! Rhai bindings for the stats layer: `hist`, `hist2d`, `binned`, `group_stats`, `roc`,
//! `efficiency`, their result types (`Hist`, `Hist2D`, `Binned`, `Roc`, `Efficiency`) with
//! properties, `.table()`, `.plot(path, opts)` and `.preview()`, and `plot(#{...})` for
//! figures of several series. Registration and help text live together.

use rhai::{Dynamic, Engine, EvalAltResult, Map, FLOAT, INT};

use super::conv::{check_keys, f64_list, num, opt_bool, opt_f64, opt_i64, opt_str};
use super::help::FnDoc;
use super::IntoRhai;
use crate::array::Array;
use crate::output::plot::{self, Figure, Kind, LegendPos, Series};
use crate::output::table::Table;
use crate::stats::binned::{binned, binned2d};
use crate::stats::efficiency::{efficiency, ONE_SIGMA};
use crate::stats::hist::{hist, hist2d};
use crate::stats::plots;
use crate::stats::roc::roc;
use crate::stats::{BinSpec, Binned, Efficiency, Hist, Hist2d, Interval, RangeSpec, Roc, Stat};

type RResult<T> = Result<T, Box<EvalAltResult>>;

/// Help for every function this module registers.
pub const DOCS: &[FnDoc] = &[
    FnDoc {
        name: "hist",
        sig: "hist(x, [#{bins, range, weights, mask, label}]) -> Hist",
        doc: "Histogram of the values of `x` (any real dtype, flattened), in one parallel pass. \
`bins`: number of equal-width bins (default 50) or a list/Array of increasing edges. `range`: \
`[lo, hi]`, a central percentage `\"99.7%\"` (from the 0.15th to the 99.85th percentile, exact), \
`[\"1%\", \"99%\"]`, or omitted for min..max. Bin membership is NumPy's: bins closed on the left, \
the last also on the right; values outside are counted as underflow/overflow and NaN as nan, \
never dropped silently. `weights`: an Array of the same size (counts become sums of weights; \
errors sqrt(sum w²)). `mask`: a bool Array, only elements where it is true count. `label` names \
the variable in titles and legends.\nExample: `let h = hist(pt, #{bins: 100, range: \"99%\"}); \
h.plot(\"pt.png\", #{logy: true});`",
    },
    FnDoc {
        name: "hist2d",
        sig: "hist2d(x, y, [#{bins, range, weights, mask, xlabel, ylabel}]) -> Hist2D",
        doc: "2-D histogram of the pairs (x[i], y[i]). `bins`: n (both axes), `[nx, ny]`, or \
`[x_edges, y_edges]`; `range`: `[[x0, x1], [y0, y1]]` or a percentage applied to both axes. \
`counts` has shape (nx, ny) like `np.histogram2d`. Plots as a heatmap with a colour bar \
(`logz: true` for a log colour scale).",
    },
    FnDoc {
        name: "binned",
        sig: "binned(x, y, [#{bins, range, stat, mask}]) / binned(x, y, v, #{...}) -> Binned",
        doc: "A statistic of `y` per bin of `x`, like SciPy's `binned_statistic` (and with three \
arrays, of `v` per (x, y) bin, like `binned_statistic_2d`). `stat`: \"mean\" (default), \"count\", \
\"sum\", \"std\" (population, ddof 0), \"min\", \"max\", \"median\". One parallel pass (median: \
a counting sort by bin, then a selection per bin). Empty bins: 0 for count/sum, NaN otherwise. \
`bins`/`range` as for `hist`.\nExample: `binned(eta, residual, #{bins: 20, range: [-2.7, 2.7], \
stat: \"std\"}).table()`",
    },
    FnDoc {
        name: "group_stats",
        sig: "group_stats(key, #{col: values, ...}, [#{mask}]) -> Table",
        doc: "Per-key count and sums, e.g. hits per track and hits kept per track: \
`group_stats(particle_id, #{kept: passed})` gives a Table with columns `key`, `count` and one \
column per entry holding the sum of its values per key (integer for bool/integer arrays). Keys \
are integers (or whole-number floats); rows are sorted by key. `mask` restricts to the \
elements where it is true.",
    },
    FnDoc {
        name: "roc",
        sig: "roc(score, truth, [#{mask, drop_intermediate, label}]) -> Roc",
        doc: "Exact ROC curve of `score` (any real dtype) against `truth` (bool, or numbers where \
nonzero is positive): one point per distinct score, ties handled like scikit-learn's \
`roc_curve` (a hit is selected when score >= threshold; thresholds[0] is inf). \
`drop_intermediate` (default true, scikit-learn's default) drops collinear points from \
`r.fpr`/`r.tpr`/`r.thresholds`; the AUC (= `roc_auc_score`) and working points always use the \
full curve. Scores are radix-sorted per class in parallel, so 10M scores take a fraction of a \
second. NaN scores and a truth of only one class are errors.\nExample: `let r = roc(score, \
truth); print(r.auc); r.wp([0.96, 0.97, 0.98, 0.99, 0.995])`",
    },
    FnDoc {
        name: "efficiency",
        sig: "efficiency(pass, var, [#{bins, range, mask, interval, cl, label}]) / efficiency(h_pass, h_total, [#{interval, cl}]) -> Efficiency",
        doc: "Fraction of entries with `pass` true per bin of `var` (bool and real Arrays of the \
same size), over the entries where `mask` is true: efficiency vs pt is \
`efficiency(score >= cut, pt, #{mask: truth})`, purity is `efficiency(truth, pt, #{mask: score \
>= cut})`. With two Hists (same edges): their bin-by-bin ratio. `interval`: \
\"clopper-pearson\" (default; exact, from beta quantiles) or \"wilson\" (score interval); `cl` \
the confidence level (default 0.6827, ±1σ). Empty bins give NaN and the interval [0, 1]. \
`bins`/`range` as for `hist`.",
    },
    FnDoc {
        name: "counts",
        sig: "h.counts -> Array",
        doc: "Counts per bin (int64; float64 sums of weights when weighted). For a Hist2D shape \
(nx, ny); for a Binned the entries per bin.",
    },
    FnDoc {
        name: "edges",
        sig: "h.edges -> Array",
        doc: "Bin edges (n + 1 values) of a Hist, Binned (x edges) or Efficiency.",
    },
    FnDoc {
        name: "centers",
        sig: "h.centers -> Array",
        doc: "Bin centres of a Hist, Binned or Efficiency.",
    },
    FnDoc {
        name: "errors",
        sig: "h.errors -> Array",
        doc: "Statistical error per bin: sqrt(count), or sqrt(sum of squared weights).",
    },
    FnDoc {
        name: "entries",
        sig: "h.entries -> int",
        doc: "Number of elements looked at (after the mask), including under/overflow and NaN.",
    },
    FnDoc {
        name: "underflow",
        sig: "h.underflow -> float",
        doc: "Count (or weight) of values below the first edge.",
    },
    FnDoc {
        name: "overflow",
        sig: "h.overflow -> float",
        doc: "Count (or weight) of values above the last edge.",
    },
    FnDoc {
        name: "nan",
        sig: "h.nan -> int",
        doc: "Number of NaN values (never counted in a bin).",
    },
    FnDoc {
        name: "nbins",
        sig: "h.nbins -> int",
        doc: "Number of bins.",
    },
    FnDoc {
        name: "xedges",
        sig: "h.xedges -> Array",
        doc: "x bin edges of a Hist2D.",
    },
    FnDoc {
        name: "yedges",
        sig: "h.yedges -> Array",
        doc: "y bin edges of a Hist2D.",
    },
    FnDoc {
        name: "values",
        sig: "b.values -> Array",
        doc: "The statistic per bin of a Binned (shape (nx, ny) for 2-D), or the efficiency per \
bin of an Efficiency.",
    },
    FnDoc {
        name: "lower",
        sig: "e.lower -> Array",
        doc: "Lower end of the efficiency interval per bin.",
    },
    FnDoc {
        name: "upper",
        sig: "e.upper -> Array",
        doc: "Upper end of the efficiency interval per bin.",
    },
    FnDoc {
        name: "pass",
        sig: "e.pass -> Array",
        doc: "Passing entries per bin (int64).",
    },
    FnDoc {
        name: "total",
        sig: "e.total -> Array",
        doc: "Entries per bin (int64).",
    },
    FnDoc {
        name: "auc",
        sig: "r.auc -> float",
        doc: "Area under the ROC curve (exact trapezoid sum over every point; equals \
scikit-learn's `roc_auc_score`).",
    },
    FnDoc {
        name: "fpr",
        sig: "r.fpr -> Array",
        doc: "False positive rates of the ROC points (scikit-learn's `roc_curve` output).",
    },
    FnDoc {
        name: "tpr",
        sig: "r.tpr -> Array",
        doc: "True positive rates of the ROC points.",
    },
    FnDoc {
        name: "thresholds",
        sig: "r.thresholds -> Array",
        doc: "Score thresholds of the ROC points, decreasing; the first is inf (nothing selected).",
    },
    FnDoc {
        name: "positives",
        sig: "r.positives -> int",
        doc: "Number of positive (true) entries.",
    },
    FnDoc {
        name: "negatives",
        sig: "r.negatives -> int",
        doc: "Number of negative entries.",
    },
    FnDoc {
        name: "wp",
        sig: "r.wp(targets) -> Table",
        doc: "Working points for target efficiencies (a list or an Array, e.g. \
`linspace(0.95, 0.998, 481)`): for each, the highest score cut whose true-positive rate reaches \
the target (TPR >= target; a hit is kept when score >= threshold), with columns target, \
threshold, efficiency (TP/(TP+FN)), purity (TP/(TP+FP)), rejection (TN/(TN+FP)), TP, FP, TN, \
FN. Each target is a binary search on the stored curve, so sweeps cost nothing extra.",
    },
    FnDoc {
        name: "table",
        sig: "h.table() -> Table",
        doc: "The result as a Table (save it as CSV/JSON with `.save(path)`): Hist: lo, hi, center, \
count, error; Hist2D: x_lo, x_hi, y_lo, y_hi, count; Binned: lo, hi, center, count, <stat>; \
Efficiency: lo, hi, center, pass, total, efficiency, lower, upper; Roc: threshold, fpr, tpr, tp, \
fp.",
    },
    FnDoc {
        name: "preview",
        sig: "h.preview() -> string",
        doc: "A quick Unicode-block chart of a Hist, Binned, Efficiency or Roc (TPR vs FPR) for the \
terminal: `print(h.preview())`. Printing a Hist shows it too.",
    },
    FnDoc {
        name: "plot",
        sig: "h.plot(path, [#{title, xlabel, ylabel, logx, logy, label, fill, errors, logz, ...}])",
        doc: "Draw a Hist (step; `fill: true` filled, `errors: true` error bars), Hist2D \
(heatmap, `logz`), Binned (markers), Efficiency (markers with the interval as a band) or Roc \
(TPR vs FPR with the chance line and the AUC in the legend) to a PNG or SVG file. `label` is \
the legend entry. Figure options (here and in `plot(#{...})`): `title`, `xlabel`, `ylabel`, \
`logx`, `logy`, `xrange: [lo, hi]`, `yrange: [lo, hi]`, `width`, `height` (pixels, default \
900×600), `legend: \"upper right\"|\"upper left\"|\"lower right\"|\"lower left\"|\"none\"`, \
`zlabel` (colour bar). The format follows the extension, `.png` or `.svg`; the file is written \
to a temporary name and renamed. Text uses the DejaVu Sans font built into evsh (no system \
fonts).",
    },
    FnDoc {
        name: "plot",
        sig: "t.plot(path, [#{x, y, kind, markers, title, xlabel, ylabel, ...}])",
        doc: "Draw a Table's numeric columns against one of them as lines: `x` names the \
x column (default: the first numeric column, e.g. `time` of an `activity` table), `y` a \
column name or a list of names (default: every other numeric column, one legend entry each), \
`kind: \"line\"|\"scatter\"|\"step\"` (default line), `markers: true`. Figure options as \
for `h.plot`; the x label defaults to the x column's name.\nExample: \
`activity(st, rois, #{interval: 5.0}).plot(\"activity.png\", #{ylabel: \"sum |dI|\"})`",
    },
    FnDoc {
        name: "plot",
        sig: "plot(#{path, series: [...], title, xlabel, ylabel, ratio, ...})",
        doc: "A figure of several series. Each entry of `series` is a Hist, Roc, Efficiency, \
Binned or Hist2D, or a map: `#{hist: h, label, fill, errors}`, `#{roc: r, label}`, \
`#{eff: e, label}`, `#{binned: b, label}`, `#{x: xs, y: ys, label, kind: \"line\"|\"scatter\"|\
\"step\", band: [lo, hi], markers, dashed, size}` (x, y, lo, hi: Arrays or lists; for a step, \
`x` holds the n+1 edges), each with an optional `color` (palette index). `ratio: true` adds a \
lower panel with every histogram divided by the first (`ratio: i` divides by series i; \
`ratio_label` names its axis): the A vs B plot. `diagonal: true` adds the chance line of ROC \
plots.\nExample: `plot(#{path: \"pt.png\", series: [#{hist: ha, label: \"A\"}, #{hist: hb, \
label: \"B\"}], ratio: true, xlabel: \"pt [GeV]\"})`",
    },
];

// ------------------------------------------------------------------------- options

fn err<T>(msg: String) -> RResult<T> {
    Err(msg.into())
}

fn to_array(v: &Dynamic, what: &str) -> RResult<Array> {
    match v.clone().try_cast::<Array>() {
        Some(a) => Ok(a),
        None => err(format!(
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

/// Numbers from an Array (any real dtype) or a Rhai list.
fn floats(v: &Dynamic, what: &str) -> RResult<Vec<f64>> {
    if let Some(a) = v.clone().try_cast::<Array>() {
        let f = crate::stats::data::as_f64(&a, what, "the values").rh()?;
        return Ok(f.as_slice::<f64>().rh()?.into_owned());
    }
    f64_list(v, what)
}

fn parse_bins(v: Option<&Dynamic>, func: &str) -> RResult<BinSpec> {
    let Some(v) = v else {
        return Ok(BinSpec::Count(50));
    };
    if let Ok(n) = v.as_int() {
        if n < 1 {
            return err(format!("{func}: bins must be at least 1, found {n}"));
        }
        return Ok(BinSpec::Count(n as usize));
    }
    if v.is_array() || v.is::<Array>() {
        return Ok(BinSpec::Edges(floats(v, &format!("{func}: bins"))?));
    }
    err(format!(
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
    err(format!(
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
        return err(format!(
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
        return err(format!("{func}: cl must be between 0 and 1, found {cl}"));
    }
    Ok((m, cl))
}

fn pair(opts: &Map, key: &str) -> RResult<Option<(f64, f64)>> {
    match opts.get(key) {
        None => Ok(None),
        Some(v) if v.is_unit() => Ok(None),
        Some(v) => {
            let l = f64_list(v, key)?;
            if l.len() != 2 || l[0] >= l[1] {
                return err(format!("option '{key}': expected [lo, hi] with lo < hi"));
            }
            Ok(Some((l[0], l[1])))
        }
    }
}

const FIG_KEYS: [&str; 13] = [
    "title",
    "xlabel",
    "ylabel",
    "logx",
    "logy",
    "xrange",
    "yrange",
    "width",
    "height",
    "legend",
    "zlabel",
    "ratio",
    "ratio_label",
];

fn apply_fig(fig: &mut Figure, opts: &Map) -> RResult<()> {
    if let Some(s) = opt_str(opts, "title")? {
        fig.title = Some(s);
    }
    if let Some(s) = opt_str(opts, "xlabel")? {
        fig.xlabel = Some(s);
    }
    if let Some(s) = opt_str(opts, "ylabel")? {
        fig.ylabel = Some(s);
    }
    if let Some(s) = opt_str(opts, "zlabel")? {
        fig.zlabel = Some(s);
    }
    if let Some(b) = opt_bool(opts, "logx")? {
        fig.logx = b;
    }
    if let Some(b) = opt_bool(opts, "logy")? {
        fig.logy = b;
    }
    if let Some(r) = pair(opts, "xrange")? {
        fig.xrange = Some(r);
    }
    if let Some(r) = pair(opts, "yrange")? {
        fig.yrange = Some(r);
    }
    if let Some(w) = opt_i64(opts, "width")? {
        fig.width = w.clamp(0, u32::MAX as i64) as u32;
    }
    if let Some(h) = opt_i64(opts, "height")? {
        fig.height = h.clamp(0, u32::MAX as i64) as u32;
    }
    if let Some(l) = opt_str(opts, "legend")? {
        fig.legend = LegendPos::parse(&l).rh()?;
    }
    if let Some(r) = opts.get("ratio") {
        fig.ratio = if let Ok(b) = r.as_bool() {
            b.then_some(0)
        } else if let Ok(i) = r.as_int() {
            Some(i.max(0) as usize)
        } else {
            return err("option 'ratio': expected true/false or a series index".to_string());
        };
    }
    if let Some(s) = opt_str(opts, "ratio_label")? {
        fig.ratio_label = Some(s);
    }
    Ok(())
}

fn save_fig(fig: &Figure, path: &str) -> RResult<()> {
    plot::save(fig, path).rh()
}

/// Options of `x.plot(path, opts)`: figure options plus the series' own.
fn method_opts(opts: &Map, series_keys: &[&str], func: &str) -> RResult<Figure> {
    let mut known: Vec<&str> = FIG_KEYS.to_vec();
    known.extend_from_slice(series_keys);
    check_keys(opts, &known, func)?;
    let mut fig = Figure::default();
    apply_fig(&mut fig, opts)?;
    Ok(fig)
}

fn hist_fig(h: &Hist, opts: &Map) -> RResult<Figure> {
    let mut fig = method_opts(opts, &["label", "fill", "errors", "color"], "h.plot")?;
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

/// One entry of `plot(#{series: [...]})`.
fn parse_series(v: &Dynamic, i: usize) -> RResult<Series> {
    let what = format!("plot: series {i}");
    if let Some(h) = v.clone().try_cast::<Hist>() {
        return Ok(plots::hist_series(&h, None, false, false));
    }
    if let Some(r) = v.clone().try_cast::<Roc>() {
        return Ok(plots::roc_series(&r, None));
    }
    if let Some(e) = v.clone().try_cast::<Efficiency>() {
        return Ok(plots::eff_series(&e, None));
    }
    if let Some(b) = v.clone().try_cast::<Binned>() {
        return match b.y {
            Some(_) => plots::binned2d_series(&b, false).ok_or_else(|| "unreachable".into()),
            None => Ok(plots::binned_series(&b, None)),
        };
    }
    if let Some(h) = v.clone().try_cast::<Hist2d>() {
        return Ok(plots::hist2d_series(&h, false));
    }
    let Some(m) = v.clone().try_cast::<Map>() else {
        return err(format!(
            "{what}: expected a Hist, Roc, Efficiency, Binned, Hist2D or a map, found {}",
            v.type_name()
        ));
    };
    let label = opt_str(&m, "label")?;
    let color = opt_i64(&m, "color")?.map(|c| c.max(0) as usize);
    let mut s = if let Some(h) = m.get("hist") {
        check_keys(&m, &["hist", "label", "fill", "errors", "color"], &what)?;
        let Some(h) = h.clone().try_cast::<Hist>() else {
            return err(format!("{what}: 'hist' must be a Hist"));
        };
        plots::hist_series(
            &h,
            label,
            opt_bool(&m, "fill")?.unwrap_or(false),
            opt_bool(&m, "errors")?.unwrap_or(false),
        )
    } else if let Some(r) = m.get("roc") {
        check_keys(&m, &["roc", "label", "color"], &what)?;
        let Some(r) = r.clone().try_cast::<Roc>() else {
            return err(format!("{what}: 'roc' must be a Roc"));
        };
        plots::roc_series(&r, label)
    } else if let Some(e) = m.get("eff") {
        check_keys(&m, &["eff", "label", "color"], &what)?;
        let Some(e) = e.clone().try_cast::<Efficiency>() else {
            return err(format!("{what}: 'eff' must be an Efficiency"));
        };
        plots::eff_series(&e, label)
    } else if let Some(b) = m.get("binned") {
        check_keys(&m, &["binned", "label", "color"], &what)?;
        let Some(b) = b.clone().try_cast::<Binned>() else {
            return err(format!("{what}: 'binned' must be a Binned"));
        };
        plots::binned_series(&b, label)
    } else {
        check_keys(
            &m,
            &[
                "x", "y", "label", "kind", "band", "markers", "dashed", "size", "color", "fill",
            ],
            &what,
        )?;
        let (Some(x), Some(y)) = (m.get("x"), m.get("y")) else {
            return err(format!(
                "{what}: a map series needs 'hist', 'roc', 'eff', 'binned', or 'x' and 'y'"
            ));
        };
        let x = floats(x, &format!("{what}: x"))?;
        let y = floats(y, &format!("{what}: y"))?;
        let kind = opt_str(&m, "kind")?.unwrap_or_else(|| "line".to_string());
        let kind = match kind.as_str() {
            "line" => {
                let band = match m.get("band") {
                    Some(b) => {
                        let Some(l) = b.clone().try_cast::<rhai::Array>() else {
                            return err(format!("{what}: band must be [lo, hi]"));
                        };
                        if l.len() != 2 {
                            return err(format!("{what}: band must be [lo, hi]"));
                        }
                        let lo = floats(&l[0], &format!("{what}: band"))?;
                        let hi = floats(&l[1], &format!("{what}: band"))?;
                        if lo.len() != x.len() || hi.len() != x.len() {
                            return err(format!("{what}: band needs as many values as x"));
                        }
                        Some((lo, hi))
                    }
                    None => None,
                };
                Kind::Line {
                    x,
                    y,
                    band,
                    markers: opt_bool(&m, "markers")?.unwrap_or(false),
                    dashed: opt_bool(&m, "dashed")?.unwrap_or(false),
                }
            }
            "scatter" => Kind::Scatter {
                x,
                y,
                size: opt_i64(&m, "size")?.unwrap_or(2).clamp(1, 20) as u32,
            },
            "step" => {
                if x.len() != y.len() + 1 {
                    return err(format!(
                        "{what}: a step series needs n+1 edges in x for n values in y"
                    ));
                }
                Kind::Step {
                    edges: x,
                    values: y,
                    errors: None,
                    fill: opt_bool(&m, "fill")?.unwrap_or(false),
                }
            }
            k => {
                return err(format!(
                    "{what}: kind \"{k}\": expected \"line\", \"scatter\" or \"step\""
                ))
            }
        };
        Series::new(kind, label)
    };
    if color.is_some() {
        s.color = color;
    }
    Ok(s)
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
    check_keys(opts, &["bins", "range", "weights", "mask", "label"], "hist")?;
    let bins = parse_bins(opts.get("bins"), "hist")?;
    let range = parse_range(opts.get("range"), "hist")?;
    let w = opt_array(opts, "weights", "hist")?;
    let m = opt_array(opts, "mask", "hist")?;
    let mut h = hist(x, &bins, &range, w.as_ref(), m.as_ref()).rh()?;
    h.label = opt_str(opts, "label")?;
    Ok(h)
}

fn do_hist2d(x: &Array, y: &Array, opts: &Map) -> RResult<Hist2d> {
    check_keys(
        opts,
        &["bins", "range", "weights", "mask", "xlabel", "ylabel"],
        "hist2d",
    )?;
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
    check_keys(opts, &["bins", "range", "stat", "mask", "label"], "binned")?;
    let bins = parse_bins(opts.get("bins"), "binned")?;
    let range = parse_range(opts.get("range"), "binned")?;
    let m = opt_array(opts, "mask", "binned")?;
    let mut b = binned(x, y, &bins, &range, stat_opt(opts)?, m.as_ref()).rh()?;
    b.label = opt_str(opts, "label")?;
    Ok(b)
}

fn do_binned2d(x: &Array, y: &Array, v: &Array, opts: &Map) -> RResult<Binned> {
    check_keys(opts, &["bins", "range", "stat", "mask", "label"], "binned")?;
    let (bx, by) = parse_bins2(opts.get("bins"), "binned")?;
    let (rx, ry) = parse_range2(opts.get("range"), "binned")?;
    let m = opt_array(opts, "mask", "binned")?;
    let mut b = binned2d(x, y, v, (&bx, &by), (&rx, &ry), stat_opt(opts)?, m.as_ref()).rh()?;
    b.label = opt_str(opts, "label")?;
    Ok(b)
}

fn do_group(key: &Array, cols: &Map, opts: &Map) -> RResult<Table> {
    check_keys(opts, &["mask"], "group_stats")?;
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
    check_keys(opts, &["mask", "drop_intermediate", "label"], "roc")?;
    let m = opt_array(opts, "mask", "roc")?;
    let drop = opt_bool(opts, "drop_intermediate")?.unwrap_or(true);
    let mut r = roc(score, truth, m.as_ref(), drop).rh()?;
    r.label = opt_str(opts, "label")?;
    Ok(r)
}

fn do_eff(pass: &Array, var: &Array, opts: &Map) -> RResult<Efficiency> {
    check_keys(
        opts,
        &["bins", "range", "mask", "interval", "cl", "label"],
        "efficiency",
    )?;
    let bins = parse_bins(opts.get("bins"), "efficiency")?;
    let range = parse_range(opts.get("range"), "efficiency")?;
    let m = opt_array(opts, "mask", "efficiency")?;
    let (method, cl) = interval_opts(opts, "efficiency")?;
    let mut e = efficiency(pass, var, &bins, &range, m.as_ref(), method, cl).rh()?;
    e.label = opt_str(opts, "label")?;
    Ok(e)
}

fn do_eff_hists(p: &Hist, t: &Hist, opts: &Map) -> RResult<Efficiency> {
    check_keys(opts, &["interval", "cl", "label"], "efficiency")?;
    let (method, cl) = interval_opts(opts, "efficiency")?;
    let mut e = Efficiency::from_hists(p, t, method, cl).rh()?;
    e.label = opt_str(opts, "label")?.or_else(|| t.label.clone());
    Ok(e)
}

fn wp_targets(v: &Dynamic) -> RResult<Vec<f64>> {
    floats(v, "wp: targets")
}

fn do_plot(spec: Map) -> RResult<()> {
    let mut known: Vec<&str> = FIG_KEYS.to_vec();
    known.extend(["path", "series", "diagonal"]);
    check_keys(&spec, &known, "plot")?;
    let Some(path) = opt_str(&spec, "path")? else {
        return err("plot: give the output file as path: \"name.png\" (or .svg)".to_string());
    };
    let Some(list) = spec
        .get("series")
        .and_then(|s| s.clone().try_cast::<rhai::Array>())
    else {
        return err("plot: give the curves as series: [...]".to_string());
    };
    let mut fig = Figure::default();
    for (i, s) in list.iter().enumerate() {
        fig.series.push(parse_series(s, i)?);
    }
    if opt_bool(&spec, "diagonal")?.unwrap_or(false) {
        fig.series.push(plots::diagonal());
    }
    apply_fig(&mut fig, &spec)?;
    if let Some(r) = fig.ratio {
        if r >= fig.series.len() {
            return err(format!(
                "plot: ratio: there is no series {r} (there are {})",
                fig.series.len()
            ));
        }
    }
    save_fig(&fig, &path)
}

/// A Table column as numbers, `None` for string columns.
fn col_f64(t: &Table, name: &str) -> Option<Vec<f64>> {
    use crate::output::table::Col;
    match t.col(name).ok()? {
        Col::Int(v) => Some(v.iter().map(|&x| x as f64).collect()),
        Col::Float(v) => Some(v.clone()),
        Col::Bool(v) => Some(v.iter().map(|&b| f64::from(u8::from(b))).collect()),
        Col::Str(_) => None,
    }
}

/// `t.plot(path, opts)`: numeric columns against the x column.
fn table_fig(t: &Table, opts: &Map) -> RResult<Figure> {
    let mut fig = method_opts(opts, &["x", "y", "kind", "markers"], "t.plot")?;
    let numeric: Vec<&String> = t.names.iter().filter(|n| col_f64(t, n).is_some()).collect();
    let xname = match opt_str(opts, "x")? {
        Some(x) => x,
        None => match numeric.first() {
            Some(n) => n.to_string(),
            None => return err("t.plot: the table has no numeric column to plot".into()),
        },
    };
    let Some(x) = col_f64(t, &xname) else {
        return err(format!(
            "t.plot: x: no numeric column '{xname}' (columns: {})",
            t.names.join(", ")
        ));
    };
    let ys: Vec<String> = match opts.get("y") {
        None => numeric
            .iter()
            .filter(|n| ***n != xname)
            .map(|n| n.to_string())
            .collect(),
        Some(v) if v.is_string() => vec![v.clone().into_string()?],
        Some(v) => match v.clone().try_cast::<rhai::Array>() {
            Some(l) => l
                .into_iter()
                .map(|d| {
                    d.into_string()
                        .map_err(|t| format!("t.plot: y: expected column names, found {t}").into())
                })
                .collect::<RResult<_>>()?,
            None => return err("t.plot: y: expected a column name or a list of names".into()),
        },
    };
    if ys.is_empty() {
        return err("t.plot: no numeric column to draw against x".into());
    }
    let kind = opt_str(opts, "kind")?.unwrap_or_else(|| "line".into());
    let markers = opt_bool(opts, "markers")?.unwrap_or(false);
    for y in &ys {
        let Some(yv) = col_f64(t, y) else {
            return err(format!(
                "t.plot: y: no numeric column '{y}' (columns: {})",
                t.names.join(", ")
            ));
        };
        let k = match kind.as_str() {
            "line" => Kind::Line {
                x: x.clone(),
                y: yv,
                band: None,
                markers,
                dashed: false,
            },
            "scatter" => Kind::Scatter {
                x: x.clone(),
                y: yv,
                size: 3,
            },
            "step" => {
                // bins centred on the x values
                let n = x.len();
                let mut edges = Vec::with_capacity(n + 1);
                for i in 0..n {
                    let half = if n > 1 {
                        let j = if i + 1 < n { i + 1 } else { i - 1 };
                        (x[j] - x[i]).abs() / 2.0
                    } else {
                        0.5
                    };
                    edges.push(x[i] - half);
                }
                if let Some(&l) = x.last() {
                    let half = if n > 1 {
                        (x[n - 1] - x[n - 2]).abs() / 2.0
                    } else {
                        0.5
                    };
                    edges.push(l + half);
                }
                Kind::Step {
                    edges,
                    values: yv,
                    errors: None,
                    fill: false,
                }
            }
            other => {
                return err(format!(
                    "t.plot: kind \"{other}\": expected \"line\", \"scatter\" or \"step\""
                ))
            }
        };
        fig.series.push(Series::new(k, Some(y.clone())));
    }
    fig.xlabel = fig.xlabel.or(Some(xname));
    if fig.title.is_none() {
        fig.title = t.title.clone();
    }
    Ok(fig)
}

/// Register this module's types and functions.
pub fn register(engine: &mut Engine) {
    engine.register_fn("plot", |t: &mut Table, path: &str| {
        save_fig(&table_fig(t, &Map::new())?, path)
    });
    engine.register_fn("plot", |t: &mut Table, path: &str, o: Map| {
        save_fig(&table_fig(t, &o)?, path)
    });
    engine.register_type_with_name::<Hist>("Hist");
    engine.register_type_with_name::<Hist2d>("Hist2D");
    engine.register_type_with_name::<Binned>("Binned");
    engine.register_type_with_name::<Roc>("Roc");
    engine.register_type_with_name::<Efficiency>("Efficiency");
    engine.register_fn("to_string", |h: &mut Hist| h.to_string());
    engine.register_fn("to_debug", |h: &mut Hist| h.to_string());
    engine.register_fn("to_string", |h: &mut Hist2d| h.to_string());
    engine.register_fn("to_debug", |h: &mut Hist2d| h.to_string());
    engine.register_fn("to_string", |h: &mut Binned| h.to_string());
    engine.register_fn("to_debug", |h: &mut Binned| h.to_string());
    engine.register_fn("to_string", |h: &mut Roc| h.to_string());
    engine.register_fn("to_debug", |h: &mut Roc| h.to_string());
    engine.register_fn("to_string", |h: &mut Efficiency| h.to_string());
    engine.register_fn("to_debug", |h: &mut Efficiency| h.to_string());

    // constructors
    engine.register_fn("hist", |x: Array| do_hist(&x, &Map::new()));
    engine.register_fn("hist", |x: Array, o: Map| do_hist(&x, &o));
    engine.register_fn("hist2d", |x: Array, y: Array| {
        do_hist2d(&x, &y, &Map::new())
    });
    engine.register_fn("hist2d", |x: Array, y: Array, o: Map| do_hist2d(&x, &y, &o));
    engine.register_fn("binned", |x: Array, y: Array| {
        do_binned(&x, &y, &Map::new())
    });
    engine.register_fn("binned", |x: Array, y: Array, o: Map| do_binned(&x, &y, &o));
    engine.register_fn("binned", |x: Array, y: Array, v: Array, o: Map| {
        do_binned2d(&x, &y, &v, &o)
    });
    engine.register_fn("group_stats", |k: Array, c: Map| {
        do_group(&k, &c, &Map::new())
    });
    engine.register_fn("group_stats", |k: Array, c: Map, o: Map| {
        do_group(&k, &c, &o)
    });
    engine.register_fn("roc", |s: Array, t: Array| do_roc(&s, &t, &Map::new()));
    engine.register_fn("roc", |s: Array, t: Array, o: Map| do_roc(&s, &t, &o));
    engine.register_fn("efficiency", |p: Array, v: Array| {
        do_eff(&p, &v, &Map::new())
    });
    engine.register_fn("efficiency", |p: Array, v: Array, o: Map| {
        do_eff(&p, &v, &o)
    });
    engine.register_fn("efficiency", |p: Hist, t: Hist| {
        do_eff_hists(&p, &t, &Map::new())
    });
    engine.register_fn("efficiency", |p: Hist, t: Hist, o: Map| {
        do_eff_hists(&p, &t, &o)
    });
    engine.register_fn("plot", do_plot);

    // Hist
    engine.register_get("counts", |h: &mut Hist| h.counts_array());
    engine.register_get("edges", |h: &mut Hist| h.edges_array());
    engine.register_get("centers", |h: &mut Hist| f64_arr(h.binning.centers()));
    engine.register_get("errors", |h: &mut Hist| f64_arr(h.errors()));
    engine.register_get("entries", |h: &mut Hist| h.entries as INT);
    engine.register_get("underflow", |h: &mut Hist| h.underflow as FLOAT);
    engine.register_get("overflow", |h: &mut Hist| h.overflow as FLOAT);
    engine.register_get("nan", |h: &mut Hist| h.nan as INT);
    engine.register_get("nbins", |h: &mut Hist| h.nbins() as INT);
    engine.register_fn("table", |h: &mut Hist| h.table());
    engine.register_fn("preview", |h: &mut Hist| {
        plot::term_bars(&h.counts, h.binning.lo(), h.binning.hi(), 64, 8)
    });
    engine.register_fn("plot", |h: &mut Hist, path: &str| {
        save_fig(&hist_fig(h, &Map::new())?, path)
    });
    engine.register_fn("plot", |h: &mut Hist, path: &str, o: Map| {
        save_fig(&hist_fig(h, &o)?, path)
    });

    // Hist2D
    engine.register_get("counts", |h: &mut Hist2d| h.counts_array());
    engine.register_get("xedges", |h: &mut Hist2d| f64_arr(h.x.edges.clone()));
    engine.register_get("yedges", |h: &mut Hist2d| f64_arr(h.y.edges.clone()));
    engine.register_get("entries", |h: &mut Hist2d| h.entries as INT);
    engine.register_get("nan", |h: &mut Hist2d| h.nan as INT);
    engine.register_fn("table", |h: &mut Hist2d| h.table());
    let h2fig = |h: &Hist2d, o: &Map| -> RResult<Figure> {
        let mut fig = method_opts(o, &["logz"], "h.plot")?;
        fig.series.push(plots::hist2d_series(
            h,
            opt_bool(o, "logz")?.unwrap_or(false),
        ));
        fig.xlabel = fig.xlabel.or_else(|| h.xlabel.clone());
        fig.ylabel = fig.ylabel.or_else(|| h.ylabel.clone());
        fig.zlabel = fig.zlabel.or_else(|| Some("entries".to_string()));
        Ok(fig)
    };
    engine.register_fn("plot", move |h: &mut Hist2d, path: &str| {
        save_fig(&h2fig(h, &Map::new())?, path)
    });
    engine.register_fn("plot", move |h: &mut Hist2d, path: &str, o: Map| {
        save_fig(&h2fig(h, &o)?, path)
    });

    // Binned
    engine.register_get("values", |b: &mut Binned| b.values_array());
    engine.register_get("counts", |b: &mut Binned| b.counts_array());
    engine.register_get("edges", |b: &mut Binned| f64_arr(b.x.edges.clone()));
    engine.register_get("centers", |b: &mut Binned| f64_arr(b.x.centers()));
    engine.register_get("nbins", |b: &mut Binned| b.values.len() as INT);
    engine.register_fn("table", |b: &mut Binned| b.table());
    engine.register_fn("preview", |b: &mut Binned| {
        let v: Vec<f64> = b
            .values
            .iter()
            .map(|v| if v.is_nan() { 0.0 } else { *v })
            .collect();
        plot::term_bars(&v, b.x.lo(), b.x.hi(), 64, 8)
    });
    let bfig = |b: &Binned, o: &Map| -> RResult<Figure> {
        let mut fig = method_opts(o, &["label", "logz", "color"], "b.plot")?;
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
    engine.register_fn("plot", move |b: &mut Binned, path: &str| {
        save_fig(&bfig(b, &Map::new())?, path)
    });
    engine.register_fn("plot", move |b: &mut Binned, path: &str, o: Map| {
        save_fig(&bfig(b, &o)?, path)
    });

    // Roc
    engine.register_get("auc", |r: &mut Roc| r.auc as FLOAT);
    engine.register_get("fpr", |r: &mut Roc| f64_arr(r.fpr()));
    engine.register_get("tpr", |r: &mut Roc| f64_arr(r.tpr()));
    engine.register_get("thresholds", |r: &mut Roc| f64_arr(r.thresholds()));
    engine.register_get("positives", |r: &mut Roc| r.pos as INT);
    engine.register_get("negatives", |r: &mut Roc| r.neg as INT);
    engine.register_fn("wp", |r: &mut Roc, t: Dynamic| -> RResult<Table> {
        r.wp_table(&wp_targets(&t)?).rh()
    });
    engine.register_fn("wp", |r: &mut Roc, t: FLOAT| -> RResult<Table> {
        r.wp_table(&[t]).rh()
    });
    engine.register_fn("table", |r: &mut Roc| r.table());
    engine.register_fn("preview", |r: &mut Roc| {
        plot::term_curve(&r.fpr(), &r.tpr(), 64, 8)
    });
    let rfig = |r: &Roc, o: &Map| -> RResult<Figure> {
        check_keys(
            o,
            &[FIG_KEYS.as_slice(), &["label", "diagonal"]].concat(),
            "r.plot",
        )?;
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
    engine.register_fn("plot", move |r: &mut Roc, path: &str| {
        save_fig(&rfig(r, &Map::new())?, path)
    });
    engine.register_fn("plot", move |r: &mut Roc, path: &str, o: Map| {
        save_fig(&rfig(r, &o)?, path)
    });

    // Efficiency
    engine.register_get("values", |e: &mut Efficiency| f64_arr(e.eff.clone()));
    engine.register_get("lower", |e: &mut Efficiency| f64_arr(e.lower.clone()));
    engine.register_get("upper", |e: &mut Efficiency| f64_arr(e.upper.clone()));
    engine.register_get("pass", |e: &mut Efficiency| i64_arr(&e.pass));
    engine.register_get("total", |e: &mut Efficiency| i64_arr(&e.total));
    engine.register_get("edges", |e: &mut Efficiency| {
        f64_arr(e.binning.edges.clone())
    });
    engine.register_get("centers", |e: &mut Efficiency| f64_arr(e.binning.centers()));
    engine.register_get("nbins", |e: &mut Efficiency| e.eff.len() as INT);
    engine.register_fn("table", |e: &mut Efficiency| e.table());
    engine.register_fn("preview", |e: &mut Efficiency| {
        let v: Vec<f64> = e
            .eff
            .iter()
            .map(|v| if v.is_nan() { 0.0 } else { *v })
            .collect();
        plot::term_bars(&v, e.binning.lo(), e.binning.hi(), 64, 8)
    });
    let efig = |e: &Efficiency, o: &Map| -> RResult<Figure> {
        let mut fig = method_opts(o, &["label", "color"], "e.plot")?;
        let mut s = plots::eff_series(e, opt_str(o, "label")?);
        s.color = opt_i64(o, "color")?.map(|c| c.max(0) as usize);
        fig.series.push(s);
        fig.xlabel = fig.xlabel.or_else(|| e.label.clone());
        fig.ylabel = fig.ylabel.or_else(|| Some("efficiency".to_string()));
        Ok(fig)
    };
    engine.register_fn("plot", move |e: &mut Efficiency, path: &str| {
        save_fig(&efig(e, &Map::new())?, path)
    });
    engine.register_fn("plot", move |e: &mut Efficiency, path: &str, o: Map| {
        save_fig(&efig(e, &o)?, path)
    });
}
