//! Plots written as files: every kind of figure is saved as PNG and SVG; the PNG must
//! decode (signature, IHDR chunk with the asked-for size, IEND at the end), the SVG must be
//! a complete document containing the title, axis labels and legend entries given.

use std::path::Path;

use evsh::output::plot::{save, Figure, Kind, Series};
use evsh::stats::binned::binned;
use evsh::stats::efficiency::{efficiency, Interval};
use evsh::stats::hist::{hist, hist2d};
use evsh::stats::plots;
use evsh::stats::roc::roc;
use evsh::stats::{BinSpec, RangeSpec, Stat};
use evsh::Array;

fn check_png(path: &Path, w: u32, h: u32) {
    let b = std::fs::read(path).unwrap();
    assert_eq!(
        &b[..8],
        b"\x89PNG\r\n\x1a\n",
        "{}: not a PNG",
        path.display()
    );
    assert_eq!(&b[12..16], b"IHDR");
    let pw = u32::from_be_bytes(b[16..20].try_into().unwrap());
    let ph = u32::from_be_bytes(b[20..24].try_into().unwrap());
    assert_eq!((pw, ph), (w, h), "{}: size", path.display());
    assert_eq!(
        &b[b.len() - 8..b.len() - 4],
        b"IEND",
        "{}: truncated",
        path.display()
    );
    assert!(b.len() > 5000, "{}: suspiciously small", path.display());
}

fn check_svg(path: &Path, labels: &[&str]) {
    let s = std::fs::read_to_string(path).unwrap();
    assert!(s.trim_start().starts_with("<svg") || s.trim_start().starts_with("<?xml"));
    assert!(
        s.trim_end().ends_with("</svg>"),
        "{}: not closed",
        path.display()
    );
    // the text of every <text> element
    let texts: Vec<String> = s
        .split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim().to_string())
        })
        .collect();
    assert!(!texts.is_empty(), "{}: no text", path.display());
    for l in labels {
        assert!(
            texts.iter().any(|t| t.contains(l)),
            "{}: label {l:?} missing from {texts:?}",
            path.display()
        );
    }
}

fn gauss(n: usize, seed: u64, mu: f64, sigma: f64) -> Vec<f64> {
    // Box-Muller over a splitmix stream (deterministic)
    let u = |i: u64| (evsh::array::create::splitmix(seed, i) >> 11) as f64 / (1u64 << 53) as f64;
    (0..n as u64)
        .map(|i| {
            let (a, b) = (u(2 * i).max(1e-300), u(2 * i + 1));
            mu + sigma * (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos()
        })
        .collect()
}

fn arr(v: Vec<f64>) -> Array {
    let n = v.len();
    Array::from_vec(v, vec![n]).unwrap()
}

fn both(fig: &Figure, dir: &Path, name: &str, labels: &[&str]) {
    let png = dir.join(format!("{name}.png"));
    let svg = dir.join(format!("{name}.svg"));
    save(fig, &png).unwrap();
    save(fig, &svg).unwrap();
    if let Ok(keep) = std::env::var("EVSH_KEEP_PLOTS") {
        std::fs::copy(&png, Path::new(&keep).join(format!("{name}.png"))).unwrap();
        std::fs::copy(&svg, Path::new(&keep).join(format!("{name}.svg"))).unwrap();
    }
    check_png(&png, fig.width, fig.height);
    check_svg(&svg, labels);
}

#[test]
fn every_figure_kind_as_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let a = arr(gauss(50_000, 1, 0.0, 1.0));
    let b = arr(gauss(50_000, 2, 0.1, 1.1));
    let bins = BinSpec::Count(40);
    let range = RangeSpec::Fixed(-4.0, 4.0);
    let ha = hist(&a, &bins, &range, None, None).unwrap();
    let hb = hist(&b, &bins, &range, None, None).unwrap();

    // single histogram, log y, filled with error bars
    let mut fig = Figure {
        title: Some("Photon time".into()),
        xlabel: Some("t [ns]".into()),
        ylabel: Some("entries".into()),
        logy: true,
        ..Figure::default()
    };
    fig.series
        .push(plots::hist_series(&ha, Some("GPU".into()), true, true));
    both(
        &fig,
        d,
        "hist_logy",
        &["Photon time", "t [ns]", "entries", "GPU"],
    );

    // A vs B with ratio panel
    let fig = Figure {
        title: Some("A vs B".into()),
        xlabel: Some("x".into()),
        series: vec![
            plots::hist_series(&ha, Some("A".into()), false, false),
            plots::hist_series(&hb, Some("B".into()), false, false),
        ],
        ratio: Some(0),
        ratio_label: Some("B / A".into()),
        ..Figure::default()
    };
    both(&fig, d, "ab_ratio", &["A vs B", "B / A", "A", "B"]);

    // ROC with AUC in the legend
    let score = arr(gauss(20_000, 3, 0.6, 0.2)
        .into_iter()
        .chain(gauss(20_000, 4, 0.4, 0.2))
        .collect());
    let truth = Array::from_bools((0..40_000).map(|i| i < 20_000).collect());
    let r = roc(&score, &truth, None, true).unwrap();
    let mut fig = plots::roc_figure(&r, Some("filter".into()));
    fig.title = Some("Hit filter ROC".into());
    let auc = format!("AUC = {:.4}", r.auc);
    both(
        &fig,
        d,
        "roc",
        &["Hit filter ROC", "false positive rate", &auc],
    );

    // efficiency vs a variable with interval band
    let pt = arr(gauss(40_000, 5, 20.0, 8.0)
        .into_iter()
        .map(f64::abs)
        .collect());
    let pass = Array::from_bools(
        gauss(40_000, 6, 0.0, 1.0)
            .iter()
            .zip(pt.as_slice::<f64>().unwrap().iter())
            .map(|(z, p)| *z < (p / 10.0 - 0.5))
            .collect(),
    );
    let e = efficiency(
        &pass,
        &pt,
        &BinSpec::Count(20),
        &RangeSpec::Fixed(0.0, 50.0),
        None,
        Interval::ClopperPearson,
        0.6827,
    )
    .unwrap();
    let fig = Figure {
        title: Some("Efficiency vs pt".into()),
        xlabel: Some("truth pt [GeV]".into()),
        ylabel: Some("efficiency".into()),
        series: vec![plots::eff_series(&e, Some("wp 0.99".into()))],
        legend: evsh::output::plot::LegendPos::LowerRight,
        ..Figure::default()
    };
    both(
        &fig,
        d,
        "eff_pt",
        &["Efficiency vs pt", "truth pt [GeV]", "wp 0.99"],
    );

    // heatmap with colour bar, and a binned profile
    let h2 = hist2d(
        &a,
        &b,
        (&BinSpec::Count(50), &BinSpec::Count(40)),
        (&range, &range),
        None,
        None,
    )
    .unwrap();
    let fig = Figure {
        title: Some("Correlation".into()),
        xlabel: Some("a".into()),
        ylabel: Some("b".into()),
        zlabel: Some("pairs".into()),
        series: vec![plots::hist2d_series(&h2, true)],
        ..Figure::default()
    };
    both(&fig, d, "heatmap", &["Correlation", "pairs"]);
    let bm = binned(&a, &b, &BinSpec::Count(20), &range, Stat::Mean, None).unwrap();
    let fig = Figure {
        xlabel: Some("a".into()),
        ylabel: Some("mean b".into()),
        series: vec![plots::binned_series(&bm, Some("profile".into()))],
        width: 640,
        height: 480,
        ..Figure::default()
    };
    both(&fig, d, "profile", &["mean b", "profile"]);

    // scatter with log x
    let fig = Figure {
        title: Some("Scatter".into()),
        logx: true,
        series: vec![Series::new(
            Kind::Scatter {
                x: pt.as_slice::<f64>().unwrap()[..2000].to_vec(),
                y: a.as_slice::<f64>().unwrap()[..2000].to_vec(),
                size: 2,
            },
            Some("hits".into()),
        )],
        ..Figure::default()
    };
    both(&fig, d, "scatter", &["Scatter", "hits"]);
}

#[test]
fn bad_requests_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let fig = Figure::default();
    let e = save(&fig, dir.path().join("x.png"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("nothing to draw"), "{e}");
    let mut fig = Figure::default();
    fig.series.push(Series::new(
        Kind::Line {
            x: vec![0.0, 1.0],
            y: vec![0.0, 1.0],
            band: None,
            markers: false,
            dashed: false,
        },
        None,
    ));
    let e = save(&fig, dir.path().join("x.jpg"))
        .unwrap_err()
        .to_string();
    assert!(e.contains(".png or .svg"), "{e}");
    let e = save(&fig, dir.path().join("no/such/dir/x.png"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("no/such/dir"), "{e}");
    // nothing left behind
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn terminal_preview_draws_blocks() {
    let s = evsh::output::plot::term_bars(&[0.0, 1.0, 4.0, 8.0, 4.0, 1.0], 0.0, 6.0, 64, 4);
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines.len(), 6, "{s}");
    assert!(lines[0].contains('8') && lines[0].contains('█'), "{s}");
    assert!(lines[4].contains('└'));
    assert!(lines[5].contains('0') && lines[5].contains('6'));
}

/// A Table plots itself (issue 7: the activity table): through a script, numeric columns
/// against the first (`time`), one legend entry per ROI, and named columns with `x`/`y`.
#[test]
fn activity_table_plots_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let script = format!(
        r#"
let st = frames(random([6, 20, 30], 4));
let t = activity(st, [#{{x: 10, y: 10, r: 5}}, #{{x: 20, y: 10, r: 4}}], #{{interval: 5.0}});
t.plot("{d}/act.svg", #{{ylabel: "sum of |dI|"}});
t.plot("{d}/act.png");
t.plot("{d}/one.svg", #{{y: "roi_2", kind: "step", title: "ROI two"}});
let r = "";
try {{ t.plot("{d}/bad.svg", #{{x: "nope"}}); }} catch (e) {{ r = e; }}
print(r);
"#,
        d = d.display()
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_evsh"))
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    check_svg(
        &d.join("act.svg"),
        &["time", "roi_1", "roi_2", "sum of |dI|"],
    );
    check_png(&d.join("act.png"), 900, 600);
    check_svg(&d.join("one.svg"), &["ROI two", "roi_2", "time"]);
    let one = std::fs::read_to_string(d.join("one.svg")).unwrap();
    assert!(
        !one.contains(">roi_1<"),
        "only the asked-for column is drawn"
    );
    assert!(
        stdout.contains("no numeric column 'nope'") && stdout.contains("roi_1"),
        "bad x column: {stdout}"
    );
    assert!(!d.join("bad.svg").exists());
}
