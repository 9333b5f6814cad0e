//! The statistics kernels against NumPy, SciPy and scikit-learn on fixed data: a Python
//! helper writes the inputs as .npy files and prints the reference results as JSON; the
//! test loads the same files with evsh and compares. Skips with a printed reason when
//! python3 with numpy/scipy/scikit-learn is missing.

use std::path::Path;
use std::process::Command;

use evsh::io::npy;
use evsh::output::table::Col;
use evsh::stats::binned::{binned, binned2d};
use evsh::stats::efficiency::{efficiency, interval};
use evsh::stats::hist::{hist, hist2d};
use evsh::stats::roc::roc;
use evsh::stats::{group_stats, BinSpec, Interval, RangeSpec, Stat};
use evsh::Array;
use serde_json::Value;

#[path = "common/pyref.rs"]
#[allow(dead_code)]
mod pyref;

const PY: &str = r#"
import json, sys, os
import numpy as np
from scipy import stats
from sklearn.metrics import roc_curve, roc_auc_score
d = sys.argv[1]
rng = np.random.default_rng(20261201)
n = 200_000
truth = rng.random(n) < 0.3
score = np.where(truth, rng.normal(0.7, 0.15, n), rng.normal(0.4, 0.2, n))
score32 = np.round(score, 3).astype(np.float32)   # many ties
score64 = score.astype(np.float64)
iscore = np.round(score * 20).astype(np.int16)    # heavy ties, integer dtype
x = rng.normal(0.5, 1.0, n)
x32 = x.astype(np.float32)
y = 2.0 * x + rng.normal(0, 0.5, n)
w = rng.random(n)
key = rng.integers(0, 5000, n) * 7 + 3
sparse_key = rng.integers(0, 50, n) * 10_000_000_007
for name, a in dict(truth=truth, score32=score32, score64=score64, iscore=iscore, x=x,
                    x32=x32, y=y, w=w, key=key, sparse_key=sparse_key).items():
    np.save(os.path.join(d, name + ".npy"), a)
out = {}
def rocd(s):
    f, t, th = roc_curve(truth, s)
    F, T, TH = roc_curve(truth, s, drop_intermediate=False)
    P = truth.sum(); N = n - P
    wps = []
    for tgt in [0.96, 0.97, 0.98, 0.99, 0.995, 0.5, 1.0]:
        i = int(np.argmax(T >= tgt))
        tp = int(round(T[i] * P)); fp = int(round(F[i] * N))
        wps.append(dict(target=tgt, threshold=float(TH[i]), tp=tp, fp=fp, tn=int(N - fp), fn=int(P - tp)))
    return dict(fpr=f.tolist(), tpr=t.tolist(), thr=[None if not np.isfinite(v) else float(v) for v in th], nfull=len(F),
                full_fpr_sum=float(F.sum()), full_tpr_sum=float(T.sum()),
                auc=float(roc_auc_score(truth, s)), wps=wps)
out["roc32"] = rocd(score32)
out["roc64"] = rocd(score64)
out["roci"] = rocd(iscore)
c, e = np.histogram(x, bins=37, range=(-2.0, 3.0)); out["h1"] = dict(c=c.tolist(), e=e.tolist(),
    under=int((x < -2).sum()), over=int((x > 3).sum()))
c, e = np.histogram(x32, bins=64); out["h32"] = dict(c=c.tolist(), e=e.tolist())
c, e = np.histogram(x, bins=20, range=(-1, 2), weights=w); out["hw"] = dict(c=c.tolist())
lo, hi = np.percentile(x, [0.15, 99.85]); c, e = np.histogram(x, bins=30, range=(lo, hi))
out["hp"] = dict(c=c.tolist(), e=e.tolist())
edges = [-3.0, -1.0, 0.0, 0.25, 2.0, 5.0]
c, _ = np.histogram(x, bins=edges); out["he"] = dict(c=c.tolist())
H, xe, ye = np.histogram2d(x, y, bins=[12, 9], range=[[-2, 3], [-4, 6]]); out["h2"] = dict(c=H.ravel().tolist())
out["binned"] = {}
for st in ["mean", "std", "median", "count", "sum", "min", "max"]:
    r = stats.binned_statistic(x, y, statistic=st, bins=25, range=(-2.5, 3.5))
    out["binned"][st] = [None if np.isnan(v) else float(v) for v in r.statistic]
r = stats.binned_statistic_2d(x, y, w, statistic="mean", bins=[7, 5], range=[[-2, 3], [-4, 6]])
out["binned2d"] = [None if np.isnan(v) else float(v) for v in r.statistic.ravel()]
ks = [(0, 10), (1, 10), (5, 10), (9, 10), (10, 10), (3, 250), (0, 1), (1, 1), (17, 40)]
out["cp"] = [[float(stats.beta.ppf(0.15865525393145707, k, n - k + 1)) if k > 0 else 0.0,
              float(stats.beta.ppf(1 - 0.15865525393145707, k + 1, n - k)) if k < n else 1.0] for k, n in ks]
out["cp95"] = [[float(stats.beta.ppf(0.025, k, n - k + 1)) if k > 0 else 0.0,
                float(stats.beta.ppf(0.975, k + 1, n - k)) if k < n else 1.0] for k, n in ks]
out["ks"] = ks
sel = score32 >= 0.55
eb = np.linspace(-2, 3, 11)
tot, _ = np.histogram(x[truth], bins=eb); pas, _ = np.histogram(x[truth & sel], bins=eb)
out["eff"] = dict(total=tot.tolist(), passed=pas.tolist())
u, cnt = np.unique(key, return_counts=True)
ws = np.bincount(np.searchsorted(u, key), weights=w)
ts = np.bincount(np.searchsorted(u, key), weights=truth.astype(float))
out["group"] = dict(keys=u.tolist(), counts=cnt.tolist(), wsum=ws.tolist(), tsum=ts.astype(int).tolist())
u2, c2 = np.unique(sparse_key[truth], return_counts=True)
out["group_sparse"] = dict(keys=u2.tolist(), counts=c2.tolist())
print(json.dumps(out))
"#;

fn reference(dir: &Path) -> Option<Value> {
    let out = match Command::new("python3").arg("-c").arg(PY).arg(dir).output() {
        Ok(o) => o,
        Err(e) => {
            pyref::skip(&format!("stats kernels: python3 is not available ({e})"));
            return None;
        }
    };
    if !out.status.success() {
        pyref::skip(&format!(
            "stats kernels: the Python reference needs numpy, scipy and scikit-learn: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
        return None;
    }
    Some(serde_json::from_slice(&out.stdout).expect("reference JSON"))
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= tol * (1.0 + b.abs())
}

fn assert_all_close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(close(*g, *w, tol), "{what}[{i}]: got {g}, want {w}");
    }
}

struct Data {
    _dir: tempfile::TempDir,
    r: Value,
    path: std::path::PathBuf,
}

impl Data {
    fn load(&self, name: &str) -> Array {
        npy::load(self.path.join(format!("{name}.npy")), None).expect("load npy")
    }
}

fn data() -> Option<Data> {
    let dir = tempfile::tempdir().unwrap();
    let r = reference(dir.path())?;
    Some(Data {
        path: dir.path().to_path_buf(),
        _dir: dir,
        r,
    })
}

#[test]
fn against_numpy_scipy_sklearn() {
    let Some(d) = data() else { return };
    let truth = d.load("truth");

    // ---- ROC, AUC, working points (three score dtypes, all with ties)
    for (name, key) in [
        ("score32", "roc32"),
        ("score64", "roc64"),
        ("iscore", "roci"),
    ] {
        let s = d.load(name);
        let want = &d.r[key];
        let r = roc(&s, &truth, None, true).unwrap();
        assert_all_close(
            &r.fpr(),
            &floats(&want["fpr"]),
            1e-15,
            &format!("{name} fpr"),
        );
        assert_all_close(
            &r.tpr(),
            &floats(&want["tpr"]),
            1e-15,
            &format!("{name} tpr"),
        );
        let th = r.thresholds();
        assert!(th[0].is_infinite());
        assert_all_close(
            &th[1..],
            &floats(&want["thr"])[1..],
            1e-15,
            &format!("{name} thresholds"),
        );
        assert!(
            (r.auc - want["auc"].as_f64().unwrap()).abs() < 1e-12,
            "{name} auc {} vs {}",
            r.auc,
            want["auc"]
        );
        let full = roc(&s, &truth, None, false).unwrap();
        assert_eq!(full.fpr().len() as u64, want["nfull"].as_u64().unwrap());
        let fs: f64 = full.fpr().iter().sum();
        assert!(close(fs, want["full_fpr_sum"].as_f64().unwrap(), 1e-12));
        let targets: Vec<f64> = want["wps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["target"].as_f64().unwrap())
            .collect();
        let t = r.wp_table(&targets).unwrap();
        assert_eq!(
            t.names,
            [
                "target",
                "threshold",
                "efficiency",
                "purity",
                "rejection",
                "TP",
                "FP",
                "TN",
                "FN"
            ]
        );
        for (i, w) in want["wps"].as_array().unwrap().iter().enumerate() {
            let wp = r.working_point(targets[i]).unwrap();
            assert!(
                close(wp.threshold, w["threshold"].as_f64().unwrap(), 1e-15),
                "{name} wp {i}"
            );
            assert_eq!(wp.tp, w["tp"].as_u64().unwrap(), "{name} wp {i} TP");
            assert_eq!(wp.fp, w["fp"].as_u64().unwrap(), "{name} wp {i} FP");
            assert_eq!(wp.tn, w["tn"].as_u64().unwrap());
            assert_eq!(wp.fn_, w["fn"].as_u64().unwrap());
            assert!(wp.efficiency() >= targets[i]);
        }
        if let Col::Int(tp) = t.col("TP").unwrap() {
            assert_eq!(tp[0] as u64, want["wps"][0]["tp"].as_u64().unwrap());
        } else {
            panic!("TP column is not integer");
        }
    }

    // ---- histograms
    let x = d.load("x");
    let h = hist(
        &x,
        &BinSpec::Count(37),
        &RangeSpec::Fixed(-2.0, 3.0),
        None,
        None,
    )
    .unwrap();
    assert_all_close(&h.counts, &floats(&d.r["h1"]["c"]), 0.0, "hist counts");
    assert_all_close(
        &h.binning.edges,
        &floats(&d.r["h1"]["e"]),
        1e-15,
        "hist edges",
    );
    assert_eq!(h.underflow, d.r["h1"]["under"].as_f64().unwrap());
    assert_eq!(h.overflow, d.r["h1"]["over"].as_f64().unwrap());
    assert_eq!(h.entries, x.size() as u64);
    let x32 = d.load("x32");
    let h = hist(&x32, &BinSpec::Count(64), &RangeSpec::Auto, None, None).unwrap();
    assert_all_close(
        &h.counts,
        &floats(&d.r["h32"]["c"]),
        0.0,
        "float32 auto-range counts",
    );
    assert_all_close(
        &h.binning.edges,
        &floats(&d.r["h32"]["e"]),
        1e-15,
        "float32 edges",
    );
    let w = d.load("w");
    let h = hist(
        &x,
        &BinSpec::Count(20),
        &RangeSpec::Fixed(-1.0, 2.0),
        Some(&w),
        None,
    )
    .unwrap();
    assert_all_close(
        &h.counts,
        &floats(&d.r["hw"]["c"]),
        1e-12,
        "weighted counts",
    );
    let h = hist(
        &x,
        &BinSpec::Count(30),
        &RangeSpec::Central(99.7),
        None,
        None,
    )
    .unwrap();
    assert_all_close(
        &h.binning.edges,
        &floats(&d.r["hp"]["e"]),
        1e-12,
        "percentile edges",
    );
    assert_all_close(
        &h.counts,
        &floats(&d.r["hp"]["c"]),
        0.0,
        "percentile counts",
    );
    let e = vec![-3.0, -1.0, 0.0, 0.25, 2.0, 5.0];
    let h = hist(&x, &BinSpec::Edges(e), &RangeSpec::Auto, None, None).unwrap();
    assert_all_close(&h.counts, &floats(&d.r["he"]["c"]), 0.0, "explicit edges");
    let y = d.load("y");
    let h2 = hist2d(
        &x,
        &y,
        (&BinSpec::Count(12), &BinSpec::Count(9)),
        (&RangeSpec::Fixed(-2.0, 3.0), &RangeSpec::Fixed(-4.0, 6.0)),
        None,
        None,
    )
    .unwrap();
    assert_all_close(&h2.counts, &floats(&d.r["h2"]["c"]), 0.0, "hist2d");
    assert_eq!(h2.counts_array().shape(), &[12, 9]);

    // ---- binned statistics
    for st in ["mean", "std", "median", "count", "sum", "min", "max"] {
        let b = binned(
            &x,
            &y,
            &BinSpec::Count(25),
            &RangeSpec::Fixed(-2.5, 3.5),
            Stat::parse(st).unwrap(),
            None,
        )
        .unwrap();
        assert_all_close(
            &b.values,
            &floats(&d.r["binned"][st]),
            1e-10,
            &format!("binned {st}"),
        );
    }
    let b = binned2d(
        &x,
        &y,
        &w,
        (&BinSpec::Count(7), &BinSpec::Count(5)),
        (&RangeSpec::Fixed(-2.0, 3.0), &RangeSpec::Fixed(-4.0, 6.0)),
        Stat::Mean,
        None,
    )
    .unwrap();
    assert_all_close(
        &b.values,
        &floats(&d.r["binned2d"]),
        1e-10,
        "binned 2d mean",
    );

    // ---- efficiency intervals against scipy.stats.beta.ppf
    for (i, kn) in d.r["ks"].as_array().unwrap().iter().enumerate() {
        let (k, n) = (kn[0].as_f64().unwrap(), kn[1].as_f64().unwrap());
        let (lo, hi) = interval(
            k,
            n,
            evsh::stats::efficiency::ONE_SIGMA,
            Interval::ClopperPearson,
        );
        let want = floats(&d.r["cp"][i]);
        assert!(
            close(lo, want[0], 1e-9) && close(hi, want[1], 1e-9),
            "CP 1σ {k}/{n}: ({lo}, {hi}) vs {want:?}"
        );
        let (lo, hi) = interval(k, n, 0.95, Interval::ClopperPearson);
        let want = floats(&d.r["cp95"][i]);
        assert!(
            close(lo, want[0], 1e-9) && close(hi, want[1], 1e-9),
            "CP 95% {k}/{n}: ({lo}, {hi}) vs {want:?}"
        );
    }
    let s32 = d.load("score32");
    let pass = evsh::array::ops::compare(
        evsh::array::ops::CmpOp::Ge,
        &evsh::array::ops::Operand::Arr(s32.clone()),
        &evsh::array::ops::Operand::Float(0.55),
    );
    {
        let pass = pass.unwrap();
        let e = efficiency(
            &pass,
            &x,
            &BinSpec::Count(10),
            &RangeSpec::Fixed(-2.0, 3.0),
            Some(&truth),
            Interval::ClopperPearson,
            0.95,
        )
        .unwrap();
        assert_all_close(&e.total, &floats(&d.r["eff"]["total"]), 0.0, "eff total");
        assert_all_close(&e.pass, &floats(&d.r["eff"]["passed"]), 0.0, "eff pass");
        for i in 0..e.eff.len() {
            assert!(e.lower[i] <= e.eff[i] && e.eff[i] <= e.upper[i]);
        }
    }

    // ---- group stats (dense and sparse keys)
    let key = d.load("key");
    let t = group_stats(
        &key,
        &[("w".into(), w.clone()), ("t".into(), truth.clone())],
        None,
    )
    .unwrap();
    let ints = |c: &Col| match c {
        Col::Int(v) => v.iter().map(|&x| x as f64).collect::<Vec<f64>>(),
        Col::Float(v) => v.clone(),
        _ => panic!("not numeric"),
    };
    assert_all_close(
        &ints(t.col("key").unwrap()),
        &floats(&d.r["group"]["keys"]),
        0.0,
        "group keys",
    );
    assert_all_close(
        &ints(t.col("count").unwrap()),
        &floats(&d.r["group"]["counts"]),
        0.0,
        "group counts",
    );
    assert_all_close(
        &ints(t.col("w").unwrap()),
        &floats(&d.r["group"]["wsum"]),
        1e-12,
        "group sums",
    );
    assert!(matches!(t.col("t").unwrap(), Col::Int(_)));
    assert_all_close(
        &ints(t.col("t").unwrap()),
        &floats(&d.r["group"]["tsum"]),
        0.0,
        "group bool sums",
    );
    let sk = d.load("sparse_key");
    let t = group_stats(&sk, &[], Some(&truth)).unwrap();
    assert_all_close(
        &ints(t.col("key").unwrap()),
        &floats(&d.r["group_sparse"]["keys"]),
        0.0,
        "sparse keys",
    );
    assert_all_close(
        &ints(t.col("count").unwrap()),
        &floats(&d.r["group_sparse"]["counts"]),
        0.0,
        "sparse counts",
    );
}

#[test]
fn degenerate_and_bad_inputs_are_clear_errors() {
    let s = Array::from_vec(vec![0.1f32, 0.2, 0.3], vec![3]).unwrap();
    let all = Array::from_bools(vec![true, true, true]);
    let none = Array::from_bools(vec![false, false, false]);
    let e = roc(&s, &all, None, true).unwrap_err().to_string();
    assert!(e.contains("only positives") && e.contains("both"), "{e}");
    let e = roc(&s, &none, None, true).unwrap_err().to_string();
    assert!(e.contains("only negatives"), "{e}");
    let nan = Array::from_vec(vec![0.1f64, f64::NAN, 0.3], vec![3]).unwrap();
    let mixed = Array::from_bools(vec![true, false, true]);
    let e = roc(&nan, &mixed, None, true).unwrap_err().to_string();
    assert!(e.contains("NaN"), "{e}");
    let short = Array::from_bools(vec![true, false]);
    let e = roc(&s, &short, None, true).unwrap_err().to_string();
    assert!(e.contains("2 elements") && e.contains("3"), "{e}");
    let r = roc(&s, &mixed, None, true).unwrap();
    let e = r.wp_table(&[1.5]).unwrap_err().to_string();
    assert!(e.contains("outside [0, 1]"), "{e}");
    let e = hist(
        &s,
        &BinSpec::Count(10),
        &RangeSpec::Fixed(1.0, 0.0),
        None,
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("lo > hi"), "{e}");
    let e = hist(
        &s,
        &BinSpec::Edges(vec![0.0, 0.5, 0.2]),
        &RangeSpec::Auto,
        None,
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("increase"), "{e}");
    let inf = Array::from_vec(vec![1.0f64, f64::INFINITY], vec![2]).unwrap();
    let e = hist(&inf, &BinSpec::Count(10), &RangeSpec::Auto, None, None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("not finite"), "{e}");
    let e = efficiency(
        &s,
        &s,
        &BinSpec::Count(3),
        &RangeSpec::Auto,
        None,
        Interval::Wilson,
        0.68,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("pass must be a bool array"), "{e}");
    // ties in a tiny case, by hand: scores [0.5, 0.5, 0.2], truth [1, 0, 1]
    let s = Array::from_vec(vec![0.5f64, 0.5, 0.2], vec![3]).unwrap();
    let t = Array::from_bools(vec![true, false, true]);
    let r = roc(&s, &t, None, false).unwrap();
    assert_eq!(r.tpr(), vec![0.0, 0.5, 1.0]);
    assert_eq!(r.fpr(), vec![0.0, 1.0, 1.0]);
    assert_eq!(r.auc, 0.25);
}

#[test]
fn nan_and_mask_are_counted_not_lost() {
    let v = Array::from_vec(vec![0.5f64, f64::NAN, 1.5, -1.0, 3.0, 2.0], vec![6]).unwrap();
    let h = hist(
        &v,
        &BinSpec::Count(2),
        &RangeSpec::Fixed(0.0, 2.0),
        None,
        None,
    )
    .unwrap();
    assert_eq!(h.counts, vec![1.0, 2.0]);
    assert_eq!(
        (h.underflow, h.overflow, h.nan, h.entries),
        (1.0, 1.0, 1, 6)
    );
    let m = Array::from_bools(vec![true, true, false, true, true, true]);
    let h = hist(
        &v,
        &BinSpec::Count(2),
        &RangeSpec::Fixed(0.0, 2.0),
        None,
        Some(&m),
    )
    .unwrap();
    assert_eq!(h.counts, vec![1.0, 1.0]);
    assert_eq!(h.entries, 5);
    let t = h.table();
    assert_eq!(t.names, ["lo", "hi", "center", "count", "error"]);
    assert!(t.footer[0].contains("underflow 1"), "{:?}", t.footer);
}
