//! Timings of the evsh statistics kernels on the .npy files written by
//! `bench/stats_ref.py DIR --make`, for `scripts/bench_stats.sh`: roc + 5 working points,
//! hist (100 bins), binned mean (100 bins). Median of `--repeat` runs after a warm-up; the
//! result is one JSON line. Build with `--release`.

use std::time::Instant;

use evsh::io::npy;
use evsh::stats::binned::binned;
use evsh::stats::hist::hist;
use evsh::stats::roc::roc;
use evsh::stats::{BinSpec, RangeSpec, Stat};

fn timed<T>(repeat: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut out = f();
    let mut ts = vec![];
    for _ in 0..repeat {
        let t0 = Instant::now();
        out = f();
        ts.push(t0.elapsed().as_secs_f64());
    }
    ts.sort_by(f64::total_cmp);
    (ts[ts.len() / 2], out)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = std::path::PathBuf::from(args.first().ok_or("usage: bench_stats DIR [--repeat N]")?);
    let repeat = match args.iter().position(|a| a == "--repeat") {
        Some(i) => args.get(i + 1).ok_or("--repeat needs a number")?.parse()?,
        None => 5,
    };
    let load = |k: &str| npy::load(dir.join(format!("{k}.npy")), None);
    let (score, truth, x, y) = (load("score")?, load("truth")?, load("x")?, load("y")?);
    let wps = [0.96, 0.97, 0.98, 0.99, 0.995];
    let (t_roc, (auc, thr)) = timed(repeat, || {
        let r = roc(&score, &truth, None, true).expect("roc");
        let t = r.wp_table(&wps).expect("wp");
        let thr: Vec<f64> = wps
            .iter()
            .map(|&w| r.working_point(w).expect("wp").threshold)
            .collect();
        drop(t);
        (r.auc, thr)
    });
    let range = RangeSpec::Fixed(-5.0, 5.0);
    let (t_hist, _) = timed(repeat, || {
        hist(&x, &BinSpec::Count(100), &range, None, None).expect("hist")
    });
    let (t_binned, _) = timed(repeat, || {
        binned(&x, &y, &BinSpec::Count(100), &range, Stat::Mean, None).expect("binned")
    });
    println!(
        "{}",
        serde_json::json!({
            "n": score.size(),
            "threads": evsh::exec::threads(),
            "roc_wp": t_roc,
            "hist": t_hist,
            "binned_mean": t_binned,
            "auc": auc,
            "wp_thresholds": thr,
        })
    );
    Ok(())
}
