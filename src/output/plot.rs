//! Figures as files and as terminal previews. A [`Figure`] is a plain description (title,
//! axis labels, log axes, a list of [`Series`]: histogram steps, lines with error bands,
//! scatter points, a 2-D heatmap with colour bar, an optional ratio panel); [`save`] draws
//! it with plotters to PNG or SVG, chosen by the file extension, always with the DejaVu
//! Sans font compiled into the binary (no system fonts are looked up, so a plot looks the
//! same on every machine). [`term_bars`] draws a quick Unicode-block preview for the REPL.
//!
//! This module knows nothing of histograms or ROC curves: the stats layer turns its
//! results into series.

use std::path::Path;
use std::sync::OnceLock;

use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::register_font;

use crate::error::{Error, Result};
use crate::{bail, err};

use super::table_fmt::fmt_sig;

/// What a series draws.
#[derive(Clone, Debug)]
pub enum Kind {
    /// A histogram: `values[i]` over `edges[i]..edges[i+1]`, optional error bars, filled
    /// or as a step outline.
    Step {
        edges: Vec<f64>,
        values: Vec<f64>,
        errors: Option<Vec<f64>>,
        fill: bool,
    },
    /// A line through (x, y), optionally with markers, a shaded band between `band.0`
    /// and `band.1`, and dashed.
    Line {
        x: Vec<f64>,
        y: Vec<f64>,
        band: Option<(Vec<f64>, Vec<f64>)>,
        markers: bool,
        dashed: bool,
    },
    /// Points.
    Scatter { x: Vec<f64>, y: Vec<f64>, size: u32 },
    /// A 2-D grid: `values[i * ny + j]` over x bin i and y bin j, with a colour bar.
    Heatmap {
        xedges: Vec<f64>,
        yedges: Vec<f64>,
        values: Vec<f64>,
        logz: bool,
    },
}

/// One series with its legend label and colour (index into the palette; by position
/// when unset).
#[derive(Clone, Debug)]
pub struct Series {
    pub label: Option<String>,
    pub kind: Kind,
    pub color: Option<usize>,
}

impl Series {
    pub fn new(kind: Kind, label: Option<String>) -> Series {
        Series {
            label,
            kind,
            color: None,
        }
    }
}

/// Where the legend goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegendPos {
    UpperRight,
    UpperLeft,
    LowerRight,
    LowerLeft,
    None,
}

impl LegendPos {
    pub fn parse(s: &str) -> Result<LegendPos> {
        Ok(match s {
            "upper right" | "ur" | "top right" => LegendPos::UpperRight,
            "upper left" | "ul" | "top left" => LegendPos::UpperLeft,
            "lower right" | "lr" | "bottom right" => LegendPos::LowerRight,
            "lower left" | "ll" | "bottom left" => LegendPos::LowerLeft,
            "none" | "off" => LegendPos::None,
            _ => bail!("legend \"{s}\": expected \"upper right\", \"upper left\", \"lower right\", \"lower left\" or \"none\""),
        })
    }
}

/// A figure description.
#[derive(Clone, Debug)]
pub struct Figure {
    pub title: Option<String>,
    pub xlabel: Option<String>,
    pub ylabel: Option<String>,
    pub logx: bool,
    pub logy: bool,
    pub xrange: Option<(f64, f64)>,
    pub yrange: Option<(f64, f64)>,
    pub width: u32,
    pub height: u32,
    pub series: Vec<Series>,
    /// Draw a lower panel with every step series divided by series `ratio` (e.g. B / A).
    pub ratio: Option<usize>,
    pub ratio_label: Option<String>,
    pub legend: LegendPos,
    /// Label of the heatmap's colour bar.
    pub zlabel: Option<String>,
}

impl Default for Figure {
    fn default() -> Self {
        Figure {
            title: None,
            xlabel: None,
            ylabel: None,
            logx: false,
            logy: false,
            xrange: None,
            yrange: None,
            width: 900,
            height: 600,
            series: vec![],
            ratio: None,
            ratio_label: None,
            legend: LegendPos::UpperRight,
            zlabel: None,
        }
    }
}

/// Colours (matplotlib's tab10, readable on white and distinguishable in print).
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The family name the embedded font is registered under: "sans-serif", so that SVG
/// files (which name the family instead of embedding glyphs) render in a sans font too.
const FONT: &str = "sans-serif";

/// The house style of every panel's mesh (light grid, label fonts, tick format, 8 x
/// ticks); a macro because plotters' mesh builder is generic over the coordinate types.
macro_rules! house_mesh {
    ($mesh:expr) => {
        $mesh
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .axis_desc_style((FONT, 18))
            .label_style((FONT, 14))
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .x_labels(8)
    };
}

/// Register the embedded DejaVu Sans (regular and bold) with plotters, once.
fn font() -> Result<&'static str> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        register_font(FONT, FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && register_font(FONT, FontStyle::Bold, dejavu::sans::bold()).is_ok()
    });
    if !ok {
        bail!("plot: the embedded DejaVu Sans font could not be loaded");
    }
    Ok(FONT)
}

fn perr<E: std::fmt::Debug>(e: E) -> Error {
    err!("plot: drawing failed: {e:?}")
}

/// Draw `fig` into `path`: `.png` or `.svg` by extension. Written to a temporary file in
/// the same folder and renamed into place.
pub fn save(fig: &Figure, path: impl AsRef<Path>) -> Result<()> {
    let _s = crate::prof::span("plot");
    let path = path.as_ref();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    if fig.series.is_empty() {
        bail!("plot {}: nothing to draw (no series)", path.display());
    }
    if !(200..=10_000).contains(&fig.width) || !(150..=10_000).contains(&fig.height) {
        bail!(
            "plot: size {}×{} is out of range (width 200..10000, height 150..10000)",
            fig.width,
            fig.height
        );
    }
    font()?;
    let size = (fig.width, fig.height);
    match ext.as_str() {
        "svg" => {
            let mut s = String::new();
            {
                let root = SVGBackend::with_string(&mut s, size).into_drawing_area();
                draw(fig, &root)?;
                root.present().map_err(perr)?;
            }
            super::write_atomic(path, s.as_bytes())
        }
        "png" => {
            let tmp = crate::io::temp_with_suffix(path, ".png")?;
            {
                let root = BitMapBackend::new(tmp.path(), size).into_drawing_area();
                draw(fig, &root)?;
                root.present()
                    .map_err(|e| err!("plot {}: could not write the PNG: {e:?}", path.display()))?;
            }
            crate::io::persist(tmp, path)
        }
        _ => bail!(
            "plot {}: unknown image type '{}'; use a .png or .svg file name",
            path.display(),
            ext
        ),
    }
}

// ------------------------------------------------------------------------- ranges

fn finite(v: f64) -> bool {
    v.is_finite()
}

/// Data extent of all series in x and y (y of positive values only when `logy`).
fn extent(series: &[Series], logx: bool, logy: bool) -> ((f64, f64), (f64, f64), bool) {
    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    let mut has_step = false;
    let mut xs = |v: f64| {
        if finite(v) && (!logx || v > 0.0) {
            x0 = x0.min(v);
            x1 = x1.max(v);
        }
    };
    let mut ys_list: Vec<f64> = vec![];
    for s in series {
        match &s.kind {
            Kind::Step {
                edges,
                values,
                errors,
                ..
            } => {
                has_step = true;
                edges.iter().for_each(|&e| xs(e));
                for (i, &v) in values.iter().enumerate() {
                    ys_list.push(v);
                    if let Some(e) = errors {
                        ys_list.push(v + e[i]);
                    }
                }
            }
            Kind::Line { x, y, band, .. } => {
                x.iter().for_each(|&e| xs(e));
                ys_list.extend(y);
                if let Some((lo, hi)) = band {
                    ys_list.extend(lo);
                    ys_list.extend(hi);
                }
            }
            Kind::Scatter { x, y, .. } => {
                x.iter().for_each(|&e| xs(e));
                ys_list.extend(y);
            }
            Kind::Heatmap { xedges, yedges, .. } => {
                xedges.iter().for_each(|&e| xs(e));
                ys_list.extend(yedges);
            }
        }
    }
    for v in ys_list {
        if finite(v) && (!logy || v > 0.0) {
            y0 = y0.min(v);
            y1 = y1.max(v);
        }
    }
    ((x0, x1), (y0, y1), has_step)
}

fn pad_range(lo: f64, hi: f64, log: bool, frac: f64) -> (f64, f64) {
    if !lo.is_finite() || !hi.is_finite() {
        return if log { (0.1, 10.0) } else { (0.0, 1.0) };
    }
    if log {
        let (a, b) = (lo.log10(), hi.log10());
        let (a, b) = if a == b { (a - 0.5, b + 0.5) } else { (a, b) };
        let p = (b - a) * frac;
        (10f64.powf(a - p), 10f64.powf(b + p))
    } else {
        let (a, b) = if lo == hi {
            (lo - 0.5, hi + 0.5)
        } else {
            (lo, hi)
        };
        // halves first: b - a overflows for data near ±f64::MAX
        let p = (b / 2.0 - a / 2.0) * 2.0 * frac;
        (a - p, b + p)
    }
}

struct Ranges {
    x: (f64, f64),
    y: (f64, f64),
}

/// A clamp of coordinates on an axis with range `r` to 1e5 axis widths (linear) or
/// 1e5 times the decades (log) beyond it.
fn far_clip(r: (f64, f64), log: bool) -> impl Fn(f64) -> f64 {
    move |v: f64| {
        if log {
            let d = (r.1 / r.0).log10() * 1e5;
            let lo = (r.0.log10() - d).max(f64::MIN_POSITIVE.log10());
            let hi = (r.1.log10() + d).min(f64::MAX.log10());
            if v.is_nan() {
                v
            } else {
                v.clamp(10f64.powf(lo), 10f64.powf(hi))
            }
        } else {
            let w = (r.1 - r.0) * 1e5;
            if v.is_nan() {
                v
            } else {
                v.clamp(r.0 - w, r.1 + w)
            }
        }
    }
}

/// An axis range clamped to what can be drawn and labelled: finite, increasing, a width
/// that neither overflows (|values| up to 1e300, so data holding the 1.797e308
/// missing-value marker still draws) nor vanishes below the resolution of its numbers,
/// and for log axes positive (normal floats) and at most 200 decades wide. Tick placement
/// loops over the range, so an unclamped range (a width of inf, a log ratio of inf) would
/// never finish.
fn drawable((lo, hi): (f64, f64), log: bool) -> (f64, f64) {
    const BIG: f64 = 1e300;
    if log {
        let ok = |v: f64| v.is_finite() && v > 0.0;
        let (mut lo, mut hi) = match (ok(lo), ok(hi)) {
            (true, true) => (lo, hi),
            (true, false) => (lo, lo * 100.0),
            (false, true) => (hi / 100.0, hi),
            (false, false) => (0.1, 10.0),
        };
        if lo > hi {
            std::mem::swap(&mut lo, &mut hi);
        }
        hi = hi.clamp(1e-200, BIG);
        lo = lo.clamp(f64::MIN_POSITIVE.max(hi * 1e-200), hi);
        if hi / lo < 1.0 + 1e-9 {
            let c = (lo * hi).sqrt();
            return (c / 1.01, c * 1.01);
        }
        return (lo, hi);
    }
    let (lo, hi) = match (lo.is_finite(), hi.is_finite()) {
        (true, true) => (lo, hi),
        (true, false) => (lo, lo + 1.0),
        (false, true) => (hi - 1.0, hi),
        (false, false) => (0.0, 1.0),
    };
    let (lo, hi) = (lo.min(hi).clamp(-BIG, BIG), hi.max(lo).clamp(-BIG, BIG));
    let scale = lo.abs().max(hi.abs());
    let min_width = (scale * 1e-9).max(1e-290);
    if hi - lo < min_width {
        let c = lo / 2.0 + hi / 2.0;
        return (c - min_width, c + min_width);
    }
    (lo, hi)
}

fn ranges(fig: &Figure) -> Ranges {
    let heat = fig
        .series
        .iter()
        .any(|s| matches!(s.kind, Kind::Heatmap { .. }));
    let ((x0, x1), (y0, y1), has_step) = extent(&fig.series, fig.logx, fig.logy);
    let x = fig.xrange.unwrap_or_else(|| {
        if heat || has_step {
            pad_range(x0, x1, fig.logx, 0.0)
        } else {
            pad_range(x0, x1, fig.logx, 0.03)
        }
    });
    let y = fig.yrange.unwrap_or_else(|| {
        if heat {
            pad_range(y0, y1, fig.logy, 0.0)
        } else if has_step && !fig.logy {
            let lo = y0.min(0.0);
            let (a, b) = pad_range(lo, y1.max(lo), false, 0.08);
            (if lo == 0.0 { 0.0 } else { a }, b)
        } else {
            pad_range(y0, y1, fig.logy, 0.06)
        }
    });
    Ranges {
        x: drawable(x, fig.logx),
        y: drawable(y, fig.logy),
    }
}

// ------------------------------------------------------------------------- drawing

fn draw<DB: DrawingBackend>(fig: &Figure, root: &DrawingArea<DB, Shift>) -> Result<()> {
    root.fill(&WHITE).map_err(perr)?;
    let r = ranges(fig);
    let mut area = root.clone();
    if let Some(t) = &fig.title {
        area = area
            .titled(t, (FONT, 24).into_font().style(FontStyle::Bold))
            .map_err(perr)?;
    }
    let heat = fig.series.iter().find_map(|s| match &s.kind {
        Kind::Heatmap { values, logz, .. } => Some((values, *logz)),
        _ => None,
    });
    let (main, cbar) = if let Some((values, logz)) = heat {
        let w = area.dim_in_pixel().0;
        let (a, b) = area.split_horizontally(w.saturating_sub(110));
        (a, Some((b, zrange(values, logz), logz)))
    } else {
        (area, None)
    };
    let (upper, lower) = match fig.ratio {
        Some(_) => {
            let h = main.dim_in_pixel().1;
            let (a, b) = main.split_vertically((h as f64 * 0.7) as u32);
            (a, Some(b))
        }
        None => (main, None),
    };
    let xlabel_on_main = lower.is_none();
    let (x, y) = (r.x.0..r.x.1, r.y.0..r.y.1);
    match (fig.logx, fig.logy) {
        (false, false) => panel(fig, &upper, x, y, xlabel_on_main)?,
        (true, false) => panel(fig, &upper, x.log_scale(), y, xlabel_on_main)?,
        (false, true) => panel(fig, &upper, x, y.log_scale(), xlabel_on_main)?,
        (true, true) => panel(fig, &upper, x.log_scale(), y.log_scale(), xlabel_on_main)?,
    }
    if let (Some(lower), Some(den)) = (lower, fig.ratio) {
        let x = r.x.0..r.x.1;
        if fig.logx {
            ratio_panel(fig, &lower, x.log_scale(), den)?;
        } else {
            ratio_panel(fig, &lower, x, den)?;
        }
    }
    if let Some((area, (z0, z1), logz)) = cbar {
        colorbar(fig, &area, z0, z1, logz)?;
    }
    Ok(())
}

/// Tick text: integers as integers, other values with at most 4 significant digits and
/// no trailing zeros (`0.25`, `1e-05`).
fn tick(v: &f64) -> String {
    let v = *v;
    if v == 0.0 {
        return "0".into();
    }
    if v.fract() == 0.0 && v.abs() < 1e6 {
        return format!("{v:.0}");
    }
    let s = fmt_sig(v);
    let (mant, exp) = match s.split_once('e') {
        Some((m, e)) => (m.to_string(), format!("e{e}")),
        None => (s.clone(), String::new()),
    };
    let mant = if mant.contains('.') {
        mant.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        mant
    };
    format!("{mant}{exp}")
}

fn color_of(fig: &Figure, i: usize) -> RGBColor {
    PALETTE[fig.series[i].color.unwrap_or(i) % PALETTE.len()]
}

/// Step outline points of a histogram, from `base` up and back.
fn step_points(edges: &[f64], values: &[f64], base: f64, floor: f64) -> Vec<(f64, f64)> {
    let mut pts = vec![(edges[0], base)];
    for (i, &v) in values.iter().enumerate() {
        let v = if v.is_finite() { v.max(floor) } else { base };
        pts.push((edges[i], v));
        pts.push((edges[i + 1], v));
    }
    pts.push((edges[edges.len() - 1], base));
    pts
}

/// At most `max` points of a long line (every k-th, always the last).
fn thin(x: &[f64], y: &[f64], max: usize) -> Vec<(f64, f64)> {
    let n = x.len().min(y.len());
    let k = n.div_ceil(max.max(1)).max(1);
    let mut v: Vec<(f64, f64)> = (0..n)
        .step_by(k)
        .map(|i| (x[i], y[i]))
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .collect();
    if n > 0 && !(n - 1).is_multiple_of(k) && x[n - 1].is_finite() && y[n - 1].is_finite() {
        v.push((x[n - 1], y[n - 1]));
    }
    v
}

fn panel<DB, X, Y>(
    fig: &Figure,
    area: &DrawingArea<DB, Shift>,
    xr: X,
    yr: Y,
    xlabel: bool,
) -> Result<()>
where
    DB: DrawingBackend,
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let r = ranges(fig);
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .margin_right(28)
        .x_label_area_size(if xlabel { 52 } else { 12 })
        .y_label_area_size(78)
        .build_cartesian_2d(xr, yr)
        .map_err(perr)?;
    {
        let mut mesh = chart.configure_mesh();
        house_mesh!(mesh).y_labels(8);
        if let Some(l) = &fig.xlabel {
            if xlabel {
                mesh.x_desc(l.clone());
            }
        }
        if !xlabel {
            mesh.x_label_formatter(&|_| String::new());
        }
        if let Some(l) = &fig.ylabel {
            mesh.y_desc(l.clone());
        }
        mesh.draw().map_err(perr)?;
    }
    let floor = if fig.logy { r.y.0 } else { f64::NEG_INFINITY };
    let base = if fig.logy { r.y.0 } else { 0.0 };
    // Points far outside the axes (a 1.8e308 marker on a 0..10 axis) would overflow the
    // pixel arithmetic: moved to 1e5 axis widths away, which keeps visible slopes exact
    // to well under a pixel.
    let (cx, cy) = (far_clip(r.x, fig.logx), far_clip(r.y, fig.logy));
    let clip = |(x, y): (f64, f64)| (cx(x), cy(y));
    let mut labelled = false;
    for (i, s) in fig.series.iter().enumerate() {
        crate::exec::check()?;
        let c = color_of(fig, i);
        let label = s.label.clone();
        match &s.kind {
            Kind::Step {
                edges,
                values,
                errors,
                fill,
            } => {
                if edges.len() != values.len() + 1 {
                    bail!(
                        "plot: a histogram series has {} edges for {} values",
                        edges.len(),
                        values.len()
                    );
                }
                let pts: Vec<(f64, f64)> = step_points(edges, values, base, floor)
                    .into_iter()
                    .map(clip)
                    .collect();
                if *fill {
                    chart
                        .draw_series(std::iter::once(Polygon::new(
                            pts.clone(),
                            c.mix(0.35).filled(),
                        )))
                        .map_err(perr)?;
                }
                let a = chart
                    .draw_series(std::iter::once(PathElement::new(pts, c.stroke_width(2))))
                    .map_err(perr)?;
                if let Some(l) = label {
                    labelled = true;
                    a.label(l).legend(move |(x, y)| {
                        Rectangle::new([(x, y - 6), (x + 18, y + 6)], c.mix(0.6).filled())
                    });
                }
                if let Some(err) = errors {
                    let bars = (0..values.len()).filter_map(|k| {
                        let (v, e) = (values[k], err[k]);
                        if !v.is_finite() || !e.is_finite() || e == 0.0 {
                            return None;
                        }
                        let xc = 0.5 * (edges[k] + edges[k + 1]);
                        let lo = (v - e).max(floor);
                        Some(PathElement::new(
                            vec![clip((xc, lo)), clip((xc, v + e))],
                            c.stroke_width(1),
                        ))
                    });
                    chart.draw_series(bars).map_err(perr)?;
                }
            }
            Kind::Line {
                x,
                y,
                band,
                markers,
                dashed,
            } => {
                if x.len() != y.len() {
                    bail!(
                        "plot: a line series has {} x and {} y values",
                        x.len(),
                        y.len()
                    );
                }
                if let Some((lo, hi)) = band {
                    let mut poly: Vec<(f64, f64)> = vec![];
                    let ok = |k: usize| x[k].is_finite() && lo[k].is_finite() && hi[k].is_finite();
                    for k in 0..x.len() {
                        if ok(k) {
                            poly.push(clip((x[k], hi[k].max(floor))));
                        }
                    }
                    for k in (0..x.len()).rev() {
                        if ok(k) {
                            poly.push(clip((x[k], lo[k].max(floor))));
                        }
                    }
                    if poly.len() >= 3 {
                        chart
                            .draw_series(std::iter::once(Polygon::new(poly, c.mix(0.22).filled())))
                            .map_err(perr)?;
                    }
                }
                let pts: Vec<(f64, f64)> = thin(x, y, 20_000)
                    .into_iter()
                    .map(|(a, b)| clip((a, b.max(floor))))
                    .collect();
                let a = if *dashed {
                    chart
                        .draw_series(DashedLineSeries::new(pts.clone(), 8, 5, c.stroke_width(2)))
                        .map_err(perr)?
                } else {
                    chart
                        .draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))
                        .map_err(perr)?
                };
                if let Some(l) = label {
                    labelled = true;
                    a.label(l).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2))
                    });
                }
                if *markers {
                    chart
                        .draw_series(pts.iter().map(|&p| Circle::new(p, 3, c.filled())))
                        .map_err(perr)?;
                }
            }
            Kind::Scatter { x, y, size } => {
                if x.len() != y.len() {
                    bail!(
                        "plot: a scatter series has {} x and {} y values",
                        x.len(),
                        y.len()
                    );
                }
                let pts: Vec<(f64, f64)> = thin(x, y, 200_000).into_iter().map(clip).collect();
                let sz = *size;
                // Drawn in parts so that Ctrl-C stops a large scatter within a part; the
                // first part, drawn last, carries the legend entry.
                let (head, rest) = pts.split_at(pts.len().min(2000));
                for part in rest.chunks(2000) {
                    crate::exec::check()?;
                    chart
                        .draw_series(
                            part.iter()
                                .map(|&p| Circle::new(p, sz, c.mix(0.7).filled())),
                        )
                        .map_err(perr)?;
                }
                crate::exec::check()?;
                let a = chart
                    .draw_series(
                        head.iter()
                            .map(|&p| Circle::new(p, sz, c.mix(0.7).filled())),
                    )
                    .map_err(perr)?;
                if let Some(l) = label {
                    labelled = true;
                    a.label(l)
                        .legend(move |(x, y)| Circle::new((x + 9, y), 4, c.filled()));
                }
            }
            Kind::Heatmap {
                xedges,
                yedges,
                values,
                logz,
            } => {
                let (nx, ny) = (xedges.len() - 1, yedges.len() - 1);
                if values.len() != nx * ny {
                    bail!(
                        "plot: a heatmap has {} values for {nx} × {ny} cells",
                        values.len()
                    );
                }
                let (z0, z1) = zrange(values, *logz);
                let cells = (0..nx)
                    .flat_map(|i| (0..ny).map(move |j| (i, j)))
                    .filter_map(|(i, j)| {
                        let v = values[i * ny + j];
                        if !v.is_finite() || (*logz && v <= 0.0) || v == 0.0 {
                            return None;
                        }
                        let t = norm(v, z0, z1, *logz);
                        Some(Rectangle::new(
                            [
                                clip((xedges[i], yedges[j])),
                                clip((xedges[i + 1], yedges[j + 1])),
                            ],
                            viridis(t).filled(),
                        ))
                    });
                chart.draw_series(cells).map_err(perr)?;
            }
        }
    }
    if labelled && fig.legend != LegendPos::None {
        let pos = match fig.legend {
            LegendPos::UpperLeft => SeriesLabelPosition::UpperLeft,
            LegendPos::LowerRight => SeriesLabelPosition::LowerRight,
            LegendPos::LowerLeft => SeriesLabelPosition::LowerLeft,
            _ => SeriesLabelPosition::UpperRight,
        };
        chart
            .configure_series_labels()
            .position(pos)
            .margin(10)
            .label_font((FONT, 15))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .draw()
            .map_err(perr)?;
    }
    Ok(())
}

fn ratio_panel<DB, X>(fig: &Figure, area: &DrawingArea<DB, Shift>, xr: X, den: usize) -> Result<()>
where
    DB: DrawingBackend,
    X: AsRangedCoord<Value = f64>,
    X::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let Some(Series {
        kind: Kind::Step {
            edges: de,
            values: dv,
            ..
        },
        ..
    }) = fig.series.get(den)
    else {
        bail!("plot: ratio: series {den} is not a histogram");
    };
    let mut ratios: Vec<(usize, Vec<f64>)> = vec![];
    for (i, s) in fig.series.iter().enumerate() {
        if i == den {
            continue;
        }
        if let Kind::Step { edges, values, .. } = &s.kind {
            if edges != de {
                bail!("plot: ratio: histogram {i} has other bin edges than histogram {den}");
            }
            let r = values
                .iter()
                .zip(dv)
                .map(|(a, b)| if *b != 0.0 { a / b } else { f64::NAN })
                .collect();
            ratios.push((i, r));
        }
    }
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for (_, r) in &ratios {
        for &v in r {
            if v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    let (lo, hi) = if lo.is_finite() {
        let (a, b) = drawable(pad_range(lo.min(1.0), hi.max(1.0), false, 0.1), false);
        (a.max(0.0), b)
    } else {
        (0.0, 2.0)
    };
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .margin_right(28)
        .margin_top(0)
        .x_label_area_size(52)
        .y_label_area_size(78)
        .build_cartesian_2d(xr, lo..hi)
        .map_err(perr)?;
    {
        let mut mesh = chart.configure_mesh();
        house_mesh!(mesh).y_labels(4).y_desc(
            fig.ratio_label
                .clone()
                .unwrap_or_else(|| "ratio".to_string()),
        );
        if let Some(l) = &fig.xlabel {
            mesh.x_desc(l.clone());
        }
        mesh.draw().map_err(perr)?;
    }
    let (x0, x1) = (de[0], de[de.len() - 1]);
    chart
        .draw_series(DashedLineSeries::new(
            vec![(x0, 1.0), (x1, 1.0)],
            6,
            4,
            BLACK.mix(0.6).stroke_width(1),
        ))
        .map_err(perr)?;
    for (i, r) in ratios {
        let c = color_of(fig, i);
        let mut segs = vec![];
        for (k, &v) in r.iter().enumerate() {
            if v.is_finite() {
                segs.push(PathElement::new(
                    vec![(de[k], v), (de[k + 1], v)],
                    c.stroke_width(2),
                ));
            }
        }
        chart.draw_series(segs).map_err(perr)?;
    }
    Ok(())
}

fn zrange(values: &[f64], logz: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &v in values {
        if v.is_finite() && (!logz || v > 0.0) && v != 0.0 {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if !lo.is_finite() {
        return (if logz { 0.1 } else { 0.0 }, 1.0);
    }
    if !logz && lo > 0.0 {
        lo = 0.0;
    }
    if lo == hi {
        hi = lo + 1.0;
    }
    drawable((lo, hi), logz)
}

fn norm(v: f64, z0: f64, z1: f64, log: bool) -> f64 {
    let t = if log {
        (v.log10() - z0.log10()) / (z1.log10() - z0.log10())
    } else {
        (v - z0) / (z1 - z0)
    };
    t.clamp(0.0, 1.0)
}

/// The viridis colour map (linear interpolation between 9 of its stops).
pub fn viridis(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 9] = [
        (68, 1, 84),
        (71, 45, 123),
        (59, 82, 139),
        (44, 114, 142),
        (33, 145, 140),
        (40, 174, 128),
        (94, 201, 98),
        (173, 220, 48),
        (253, 231, 37),
    ];
    let t = t.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let i = (t.floor() as usize).min(STOPS.len() - 2);
    let f = t - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |p: u8, q: u8| (p as f64 + (q as f64 - p as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

fn colorbar<DB: DrawingBackend>(
    fig: &Figure,
    area: &DrawingArea<DB, Shift>,
    z0: f64,
    z1: f64,
    logz: bool,
) -> Result<()> {
    let steps = 128;
    let draw_bar =
        |chart: &mut ChartContext<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>| -> Result<()> {
            let bars = (0..steps).map(|k| {
                let a = k as f64 / steps as f64;
                let b = (k + 1) as f64 / steps as f64;
                Rectangle::new([(0.0, a), (1.0, b)], viridis(a).filled())
            });
            chart.draw_series(bars).map_err(perr)?;
            Ok(())
        };
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .margin_left(4)
        .x_label_area_size(52)
        .right_y_label_area_size(70)
        .build_cartesian_2d(0.0..1.0, 0.0..1.0)
        .map_err(perr)?;
    draw_bar(&mut chart)?;
    let fmt = move |t: &f64| {
        let v = if logz {
            10f64.powf(z0.log10() + t * (z1.log10() - z0.log10()))
        } else {
            z0 + t * (z1 - z0)
        };
        tick(&v)
    };
    let mut mesh = chart.configure_mesh();
    mesh.disable_x_mesh()
        .disable_y_mesh()
        .disable_x_axis()
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 15))
        .y_labels(6)
        .y_label_formatter(&fmt);
    if let Some(z) = &fig.zlabel {
        mesh.y_desc(z.clone());
    }
    mesh.draw().map_err(perr)?;
    Ok(())
}

// ------------------------------------------------------------------------- terminal

/// A bar chart of `values` in Unicode blocks, `height` rows tall and at most `width`
/// columns (neighbouring values are averaged when there are more), with the largest value
/// on the first row and the x range under the bars.
pub fn term_bars(values: &[f64], lo: f64, hi: f64, width: usize, height: usize) -> String {
    const BLOCKS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let n = values.len();
    if n == 0 || width == 0 || height == 0 {
        return String::new();
    }
    let cols = n.min(width);
    let cells: Vec<f64> = (0..cols)
        .map(|c| {
            let (a, b) = (c * n / cols, ((c + 1) * n / cols).max(c * n / cols + 1));
            let s: Vec<f64> = values[a..b]
                .iter()
                .copied()
                .filter(|v| v.is_finite())
                .collect();
            if s.is_empty() {
                0.0
            } else {
                s.iter().sum::<f64>() / s.len() as f64
            }
        })
        .collect();
    let vmax = cells.iter().copied().fold(0.0f64, f64::max);
    let vmin = cells.iter().copied().fold(0.0f64, f64::min);
    let span = vmax - vmin;
    let label_w = 9;
    let mut out = String::new();
    for row in (0..height).rev() {
        let label = if row == height - 1 {
            fmt_sig(vmax)
        } else if row == 0 {
            fmt_sig(vmin)
        } else {
            String::new()
        };
        out.push_str(&format!("{label:>label_w$} │"));
        for &v in &cells {
            let level = if span > 0.0 {
                (v - vmin) / span * height as f64 * 8.0
            } else {
                0.0
            };
            let here = (level - row as f64 * 8.0).clamp(0.0, 8.0).round() as usize;
            out.push(BLOCKS[here]);
        }
        out.push('\n');
    }
    let (l, h) = (fmt_sig(lo), fmt_sig(hi));
    let gap = cols
        .saturating_sub(l.chars().count() + h.chars().count())
        .max(1);
    out.push_str(&format!(
        "{:>label_w$} └{}\n{:>label_w$}  {l}{}{h}",
        "",
        "─".repeat(cols),
        "",
        " ".repeat(gap)
    ));
    out
}

/// A preview of a curve y(x): y sampled at `width` evenly spaced x (linear
/// interpolation; x must increase), drawn with [`term_bars`].
pub fn term_curve(x: &[f64], y: &[f64], width: usize, height: usize) -> String {
    let pts: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(a, b)| (*a, *b))
        .collect();
    if pts.len() < 2 {
        return String::new();
    }
    let (x0, x1) = (pts[0].0, pts[pts.len() - 1].0);
    let mut k = 0;
    let vals: Vec<f64> = (0..width)
        .map(|c| {
            let xv = x0 + (x1 - x0) * (c as f64 + 0.5) / width as f64;
            while k + 2 < pts.len() && pts[k + 1].0 < xv {
                k += 1;
            }
            let (a, b) = (pts[k], pts[k + 1]);
            if b.0 > a.0 {
                a.1 + (b.1 - a.1) * ((xv - a.0) / (b.0 - a.0)).clamp(0.0, 1.0)
            } else {
                b.1
            }
        })
        .collect();
    term_bars(&vals, x0, x1, width, height)
}
