//! How each statistics result draws itself: turning a histogram, ROC curve, efficiency
//! or binned statistic into [`plot::Series`](crate::output::plot::Series) with sensible
//! default labels, so that `h.plot("x.png")` needs no options and `plot(#{series: [...]})`
//! mixes them freely.

use crate::output::plot::{Figure, Kind, Series};

use super::{Binned, Efficiency, Hist, Hist2d, Roc};

/// A histogram as a step (or filled) series; `errors` adds error bars.
pub fn hist_series(h: &Hist, label: Option<String>, fill: bool, errors: bool) -> Series {
    Series::new(
        Kind::Step {
            edges: h.binning.edges.clone(),
            values: h.counts.clone(),
            errors: errors.then(|| h.errors()),
            fill,
        },
        label.or_else(|| h.label.clone()),
    )
}

/// A ROC curve (TPR vs FPR) labelled with its AUC.
pub fn roc_series(r: &Roc, label: Option<String>) -> Series {
    let name = label.or_else(|| r.label.clone());
    let text = match name {
        Some(l) => format!("{l} (AUC = {:.4})", r.auc),
        None => format!("AUC = {:.4}", r.auc),
    };
    Series::new(
        Kind::Line {
            x: r.fpr(),
            y: r.tpr(),
            band: None,
            markers: false,
            dashed: false,
        },
        Some(text),
    )
}

/// The chance line of a ROC plot.
pub fn diagonal() -> Series {
    Series {
        label: Some("random".to_string()),
        kind: Kind::Line {
            x: vec![0.0, 1.0],
            y: vec![0.0, 1.0],
            band: None,
            markers: false,
            dashed: true,
        },
        color: Some(7),
    }
}

/// Efficiency per bin: markers at the bin centres and the interval as a band.
pub fn eff_series(e: &Efficiency, label: Option<String>) -> Series {
    Series::new(
        Kind::Line {
            x: e.binning.centers(),
            y: e.eff.clone(),
            // empty bins (interval [0, 1]) would swamp the band: leave them out
            band: Some((
                e.lower
                    .iter()
                    .zip(&e.total)
                    .map(|(&l, &n)| if n > 0.0 { l } else { f64::NAN })
                    .collect(),
                e.upper
                    .iter()
                    .zip(&e.total)
                    .map(|(&u, &n)| if n > 0.0 { u } else { f64::NAN })
                    .collect(),
            )),
            markers: true,
            dashed: false,
        },
        label.or_else(|| e.label.clone()),
    )
}

/// A 1-D binned statistic: markers at the bin centres.
pub fn binned_series(b: &Binned, label: Option<String>) -> Series {
    Series::new(
        Kind::Line {
            x: b.x.centers(),
            y: b.values.clone(),
            band: None,
            markers: true,
            dashed: false,
        },
        label.or_else(|| b.label.clone()),
    )
}

/// A 2-D histogram as a heatmap.
pub fn hist2d_series(h: &Hist2d, logz: bool) -> Series {
    Series::new(
        Kind::Heatmap {
            xedges: h.x.edges.clone(),
            yedges: h.y.edges.clone(),
            values: h.counts.clone(),
            logz,
        },
        None,
    )
}

/// A 2-D binned statistic as a heatmap.
pub fn binned2d_series(b: &Binned, logz: bool) -> Option<Series> {
    let y = b.y.as_ref()?;
    Some(Series::new(
        Kind::Heatmap {
            xedges: b.x.edges.clone(),
            yedges: y.edges.clone(),
            values: b.values.clone(),
            logz,
        },
        None,
    ))
}

/// Default figure of a ROC curve: axes from 0 to 1, chance line, legend lower right.
pub fn roc_figure(r: &Roc, label: Option<String>) -> Figure {
    Figure {
        xlabel: Some("false positive rate".to_string()),
        ylabel: Some("true positive rate".to_string()),
        xrange: Some((0.0, 1.0)),
        yrange: Some((0.0, 1.0)),
        series: vec![roc_series(r, label), diagonal()],
        legend: crate::output::plot::LegendPos::LowerRight,
        ..Figure::default()
    }
}
