//! Rhai bindings for figures: the figure options every plot shares (title, labels, log
//! axes, ranges, size, legend, ratio panel), parsed in one place for every `.plot` method
//! and `plot(#{...})`, the multi-series `plot` function and `t.plot` for Tables. The
//! statistics results' own `.plot` methods (bind_stats) build on these.

use rhai::{Dynamic, Map};

use super::conv::{f64_list, floats, opt_bool, opt_i64, opt_str};
use super::registry::{check_opts, fail, opt, Opt, RResult, Reg};
use super::IntoRhai;
use crate::output::plot::{self, Figure, Kind, LegendPos, Series};
use crate::output::table::Table;
use crate::stats::plots;
use crate::stats::{Binned, Efficiency, Hist, Hist2d, Roc};

/// Name in titles and legends (also an option of the statistics constructors).
pub(super) const LABEL: Opt = opt("label", "string", "", "name in titles and legends");

/// Figure options shared by every plot.
pub(super) const FIG_OPTS: &[Opt] = &[
    opt("title", "string", "", "title above the plot"),
    opt("xlabel", "string", "", "x axis label"),
    opt("ylabel", "string", "", "y axis label"),
    opt("logx", "bool", "false", "logarithmic x axis"),
    opt("logy", "bool", "false", "logarithmic y axis"),
    opt("xrange", "[lo, hi]", "data", "x axis range"),
    opt("yrange", "[lo, hi]", "data", "y axis range"),
    opt("width", "int (pixels)", "900", "figure width"),
    opt("height", "int (pixels)", "600", "figure height"),
    opt(
        "legend",
        "\"upper right\" | \"upper left\" | \"lower right\" | \"lower left\" | \"none\"",
        "\"upper right\"",
        "legend position",
    ),
    opt("zlabel", "string", "", "colour bar label"),
    opt(
        "ratio",
        "bool | series index",
        "false",
        "lower panel with every histogram divided by series 0 (or the given one)",
    ),
    opt("ratio_label", "string", "", "y label of the ratio panel"),
];

pub(super) const COLOR: Opt = opt("color", "int", "series order", "palette index");

pub(super) const HIST_PLOT_OPTS: &[Opt] = &[
    LABEL,
    opt("fill", "bool", "false", "filled histogram"),
    opt("errors", "bool", "false", "error bars"),
    COLOR,
];

pub(super) const LOGZ: Opt = opt("logz", "bool", "false", "logarithmic colour scale");

pub(super) const HIST2D_PLOT_OPTS: &[Opt] = &[LOGZ];

pub(super) const BINNED_PLOT_OPTS: &[Opt] = &[LABEL, LOGZ, COLOR];

pub(super) const DIAGONAL: Opt = opt("diagonal", "bool", "true", "draw the chance line");

pub(super) const ROC_PLOT_OPTS: &[Opt] = &[LABEL, DIAGONAL];

pub(super) const EFF_PLOT_OPTS: &[Opt] = &[LABEL, COLOR];

pub(super) const TABLE_PLOT_OPTS: &[Opt] = &[
    opt("x", "column name", "first numeric column", "the x column"),
    opt(
        "y",
        "column name | list of names",
        "every other numeric column",
        "the plotted columns",
    ),
    opt(
        "kind",
        "\"line\" | \"scatter\" | \"step\"",
        "\"line\"",
        "how series are drawn",
    ),
    opt("markers", "bool", "false", "markers on lines"),
];

/// Keys of an `#{x, y, ...}` entry of `plot(#{series: [...]})`.
pub(super) const XY_SERIES_OPTS: &[Opt] = &[
    opt("x", "Array | list", "", "x values (n+1 edges for a step)"),
    opt("y", "Array | list", "", "y values"),
    LABEL,
    opt(
        "kind",
        "\"line\" | \"scatter\" | \"step\"",
        "\"line\"",
        "how the series is drawn",
    ),
    opt(
        "band",
        "[lo, hi]",
        "",
        "a shaded band between two value lists",
    ),
    opt("markers", "bool", "false", "markers on the line"),
    opt("dashed", "bool", "false", "dashed line"),
    opt("size", "number", "", "marker size"),
    COLOR,
    opt("fill", "bool", "false", "fill under the curve"),
];

pub(super) const PLOT_OPTS: &[Opt] = &[
    opt(
        "path",
        "string (.png or .svg)",
        "",
        "the output file (required)",
    ),
    opt(
        "series",
        "list of Hist, Roc, Efficiency, Binned, Hist2D or maps",
        "",
        "the curves (required)",
    ),
    DIAGONAL,
];

pub(super) fn pair(opts: &Map, key: &str) -> RResult<Option<(f64, f64)>> {
    match opts.get(key) {
        None => Ok(None),
        Some(v) if v.is_unit() => Ok(None),
        Some(v) => {
            let l = f64_list(v, key)?;
            if l.len() != 2 || l[0] >= l[1] {
                return fail(format!("option '{key}': expected [lo, hi] with lo < hi"));
            }
            Ok(Some((l[0], l[1])))
        }
    }
}

pub(super) fn apply_fig(fig: &mut Figure, opts: &Map) -> RResult<()> {
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
            return fail("option 'ratio': expected true/false or a series index".to_string());
        };
    }
    if let Some(s) = opt_str(opts, "ratio_label")? {
        fig.ratio_label = Some(s);
    }
    Ok(())
}

pub(super) fn save_fig(fig: &Figure, path: &str) -> RResult<()> {
    plot::save(fig, path).rh()
}

/// Options of `x.plot(path, opts)`: figure options plus the series' own.
pub(super) fn method_opts(opts: &Map, series_opts: &[Opt], func: &str) -> RResult<Figure> {
    check_opts(opts, &[FIG_OPTS, series_opts], func)?;
    let mut fig = Figure::default();
    apply_fig(&mut fig, opts)?;
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
        return fail(format!(
            "{what}: expected a Hist, Roc, Efficiency, Binned, Hist2D or a map, found {}",
            v.type_name()
        ));
    };
    let label = opt_str(&m, "label")?;
    let color = opt_i64(&m, "color")?.map(|c| c.max(0) as usize);
    let mut s = if let Some(h) = m.get("hist") {
        check_opts(
            &m,
            &[&[opt("hist", "Hist", "", "the histogram")], HIST_PLOT_OPTS],
            &what,
        )?;
        let Some(h) = h.clone().try_cast::<Hist>() else {
            return fail(format!("{what}: 'hist' must be a Hist"));
        };
        plots::hist_series(
            &h,
            label,
            opt_bool(&m, "fill")?.unwrap_or(false),
            opt_bool(&m, "errors")?.unwrap_or(false),
        )
    } else if let Some(r) = m.get("roc") {
        check_opts(
            &m,
            &[&[opt("roc", "Roc", "", "the curve")], &[LABEL, COLOR]],
            &what,
        )?;
        let Some(r) = r.clone().try_cast::<Roc>() else {
            return fail(format!("{what}: 'roc' must be a Roc"));
        };
        plots::roc_series(&r, label)
    } else if let Some(e) = m.get("eff") {
        check_opts(
            &m,
            &[
                &[opt("eff", "Efficiency", "", "the efficiency")],
                EFF_PLOT_OPTS,
            ],
            &what,
        )?;
        let Some(e) = e.clone().try_cast::<Efficiency>() else {
            return fail(format!("{what}: 'eff' must be an Efficiency"));
        };
        plots::eff_series(&e, label)
    } else if let Some(b) = m.get("binned") {
        check_opts(
            &m,
            &[
                &[opt("binned", "Binned", "", "the statistic")],
                &[LABEL, COLOR],
            ],
            &what,
        )?;
        let Some(b) = b.clone().try_cast::<Binned>() else {
            return fail(format!("{what}: 'binned' must be a Binned"));
        };
        plots::binned_series(&b, label)
    } else {
        check_opts(&m, &[XY_SERIES_OPTS], &what)?;
        let (Some(x), Some(y)) = (m.get("x"), m.get("y")) else {
            return fail(format!(
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
                            return fail(format!("{what}: band must be [lo, hi]"));
                        };
                        if l.len() != 2 {
                            return fail(format!("{what}: band must be [lo, hi]"));
                        }
                        let lo = floats(&l[0], &format!("{what}: band"))?;
                        let hi = floats(&l[1], &format!("{what}: band"))?;
                        if lo.len() != x.len() || hi.len() != x.len() {
                            return fail(format!("{what}: band needs as many values as x"));
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
                    return fail(format!(
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
                return fail(format!(
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

fn do_plot(spec: Map) -> RResult<()> {
    check_opts(&spec, &[FIG_OPTS, PLOT_OPTS], "plot")?;
    let Some(path) = opt_str(&spec, "path")? else {
        return fail("plot: give the output file as path: \"name.png\" (or .svg)".to_string());
    };
    let Some(list) = spec
        .get("series")
        .and_then(|s| s.clone().try_cast::<rhai::Array>())
    else {
        return fail("plot: give the curves as series: [...]".to_string());
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
            return fail(format!(
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
    let mut fig = method_opts(opts, TABLE_PLOT_OPTS, "t.plot")?;
    let numeric: Vec<&String> = t.names.iter().filter(|n| col_f64(t, n).is_some()).collect();
    let xname = match opt_str(opts, "x")? {
        Some(x) => x,
        None => match numeric.first() {
            Some(n) => n.to_string(),
            None => return fail("t.plot: the table has no numeric column to plot"),
        },
    };
    let Some(x) = col_f64(t, &xname) else {
        return fail(format!(
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
            None => return fail("t.plot: y: expected a column name or a list of names"),
        },
    };
    if ys.is_empty() {
        return fail("t.plot: no numeric column to draw against x");
    }
    let kind = opt_str(opts, "kind")?.unwrap_or_else(|| "line".into());
    let markers = opt_bool(opts, "markers")?.unwrap_or(false);
    for y in &ys {
        let Some(yv) = col_f64(t, y) else {
            return fail(format!(
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
                return fail(format!(
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

/// Register `plot(#{...})` and `t.plot`.
pub fn register(r: &mut Reg) {
    r.func(
        "plot",
        "plot(#{path, series: [...], title, xlabel, ylabel, ratio, ...})",
        "A figure of several series. Each entry of `series` is a Hist, Roc, Efficiency, \
Binned or Hist2D, or a map: `#{hist: h, label, fill, errors}`, `#{roc: r, label}`, \
`#{eff: e, label}`, `#{binned: b, label}`, `#{x: xs, y: ys, label, kind: \"line\"|\"scatter\"|\
\"step\", band: [lo, hi], markers, dashed, size}` (x, y, lo, hi: Arrays or lists; for a step, \
`x` holds the n+1 edges), each with an optional `color` (palette index). `ratio: true` adds a \
lower panel with every histogram divided by the first (`ratio: i` divides by series i; \
`ratio_label` names its axis): the A vs B plot. `diagonal: true` adds the chance line of ROC \
plots.\nExample: `plot(#{path: \"pt.png\", series: [#{hist: ha, label: \"A\"}, #{hist: hb, \
label: \"B\"}], ratio: true, xlabel: \"pt [GeV]\"})`",
    )
    .opts(&[FIG_OPTS, PLOT_OPTS])
    .example("plot(OPTS)")
    .f(do_plot);
    r.func(
        "plot",
        "t.plot(path, [#{x, y, kind, markers, title, xlabel, ylabel, ...}])",
        "Draw a Table's numeric columns against one of them as lines: `x` names the \
x column (default: the first numeric column, e.g. `time` of an `activity` table), `y` a \
column name or a list of names (default: every other numeric column, one legend entry each), \
`kind: \"line\"|\"scatter\"|\"step\"` (default line), `markers: true`. Figure options as \
for `h.plot`; the x label defaults to the x column's name.\nExample: \
`activity(st, rois, #{interval: 5.0}).plot(\"activity.png\", #{ylabel: \"sum |dI|\"})`",
    )
    .opts(&[FIG_OPTS, TABLE_PLOT_OPTS])
    .example("t.plot(TMP + \"/t.png\", OPTS)")
    .f(|t: &mut Table, path: &str| save_fig(&table_fig(t, &Map::new())?, path))
    .f(|t: &mut Table, path: &str, o: Map| save_fig(&table_fig(t, &o)?, path));
}
