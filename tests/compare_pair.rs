//! The A/B comparison layer checked against independent computations on generated pairs:
//! chi-square, ndf and p-value against SciPy (bench/compare_ref.py) and published values,
//! every per-history deviation aggregate against a brute-force loop and against NumPy,
//! the generator's injected discrepancies found, `rc` values, and clear errors for bad
//! combinations. Checks needing python3 with numpy/scipy skip with a printed reason.

#[path = "common/pyref.rs"]
mod pyref;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use evsh::compare::dv::{Cuts, DvOpts, DvOrder, Level, Quantity};
use evsh::compare::his::HisOpts;
use evsh::compare::Pair;
use evsh::event::gen::{self, GenOptions, Inject};
use evsh::event::history::{CodeSource, Kind};
use evsh::event::{Event, OpenOptions};
use evsh::output::table::{Col, Table};
use serde_json::Value;

fn scipy_ok() -> bool {
    pyref::python_has("numpy, scipy", "SciPy/NumPy checks")
}

fn reference(a: &Path, b: &Path) -> Value {
    pyref::reference("compare_ref.py", a, b)
}

/// A generated pair (kept between runs under the target's test folder; the generator
/// reuses a pair with the same n and seed).
fn pair_dirs(n: usize, seed: u64) -> (PathBuf, PathBuf) {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("compare_pairs")
        .join(format!("n{n}s{seed}"));
    let g = gen::generate(&dir, &GenOptions { n, seed }).unwrap();
    (g.a, g.b)
}

fn open(p: &Path) -> Event {
    Event::open(p, &OpenOptions::default()).unwrap()
}

fn pair(n: usize, seed: u64) -> (Pair, PathBuf, PathBuf) {
    let (a, b) = pair_dirs(n, seed);
    (Pair::new(&open(&a), &open(&b)).unwrap(), a, b)
}

fn ints(t: &Table, c: &str) -> Vec<i64> {
    match t.col(c).unwrap() {
        Col::Int(v) => v.clone(),
        _ => panic!("{c} is not an int column"),
    }
}
fn floats(t: &Table, c: &str) -> Vec<f64> {
    match t.col(c).unwrap() {
        Col::Float(v) => v.clone(),
        _ => panic!("{c} is not a float column"),
    }
}
fn strs(t: &Table, c: &str) -> Vec<String> {
    match t.col(c).unwrap() {
        Col::Str(v) => v.clone(),
        _ => panic!("{c} is not a string column"),
    }
}

fn close(x: f64, y: f64, rel: f64) -> bool {
    x == y || (x - y).abs() <= rel * x.abs().max(y.abs())
}

type Rows = HashMap<(String, String), [f64; 7]>;

/// Every (label, qty) row of a deviation table as
/// [aligned, nwarn, nerr, nfatal, max, min, mean].
fn dv_rows(t: &Table) -> Rows {
    let (l, q) = (strs(t, "label"), strs(t, "qty"));
    let cols: Vec<Vec<f64>> = ["aligned", "nwarn", "nerr", "nfatal"]
        .iter()
        .map(|c| ints(t, c).into_iter().map(|x| x as f64).collect())
        .chain(["max", "min", "mean"].iter().map(|c| floats(t, c)))
        .collect();
    (0..t.nrows())
        .map(|i| {
            let mut r = [0.0; 7];
            for (k, c) in cols.iter().enumerate() {
                r[k] = c[i];
            }
            ((l[i].clone(), q[i].clone()), r)
        })
        .collect()
}

#[test]
fn chi2_published_values() {
    // chi2 survival function at tabulated critical values.
    let p = evsh::compare::his::pvalue(3.841458820694124, 1);
    assert!((p - 0.05).abs() < 1e-9, "{p}");
    let p = evsh::compare::his::pvalue(18.307038053275146, 10);
    assert!((p - 0.05).abs() < 1e-9, "{p}");
    let p = evsh::compare::his::pvalue(23.209251158954356, 10);
    assert!((p - 0.01).abs() < 1e-9, "{p}");
    assert!(evsh::compare::his::pvalue(1.0, 0).is_nan());
}

#[test]
fn chi2_ndf_pvalue_match_scipy() {
    if !scipy_ok() {
        return;
    }
    let n = 120_000;
    // A vs its own B (correlated), and A of seed 3 vs A of seed 4 (independent samples,
    // so the p-value is informative).
    let (a3, b3) = pair_dirs(n, 3);
    let (a4, _) = pair_dirs(n, 4);
    for (a, b) in [(&a3, &b3), (&a3, &a4)] {
        let r = reference(a, b);
        let ab = Pair::new(&open(a), &open(b)).unwrap();
        for (cut, want) in r["c2"].as_object().unwrap() {
            let cut: f64 = cut.parse().unwrap();
            let c = ab.chi2(Kind::Seqhis, cut).unwrap();
            assert!(
                close(c.c2sum, want["c2sum"].as_f64().unwrap(), 1e-12),
                "c2sum {} vs {want}",
                c.c2sum
            );
            assert_eq!(c.ndf, want["ndf"].as_i64().unwrap(), "cut {cut}");
            assert_eq!(c.rows as i64, want["rows"].as_i64().unwrap());
            let p = want["pvalue"].as_f64().unwrap();
            assert!(
                (c.pvalue - p).abs() <= 1e-10 + 1e-8 * p,
                "pvalue {} vs scipy {p} (cut {cut})",
                c.pvalue
            );
        }
        let t = ab.his_table(Kind::Seqhis, &HisOpts::default()).unwrap();
        assert_eq!(t.nrows() as u64, r["union"].as_u64().unwrap());
        assert_eq!(
            t.names,
            "idx code label a b a_minus_b c2 a_over_b a_over_b_err b_over_a b_over_a_err npoints"
                .split(' ')
                .collect::<Vec<_>>()
        );
        let z = ab.zeros(Kind::Seqhis, 10).unwrap();
        let mut want: Vec<(String, i64, i64)> = r["zeros"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x[0].as_str().unwrap().to_string(),
                    x[1].as_i64().unwrap(),
                    x[2].as_i64().unwrap(),
                )
            })
            .collect();
        let mut got: Vec<(String, i64, i64)> = strs(&z, "code")
            .into_iter()
            .zip(ints(&z, "a"))
            .zip(ints(&z, "b"))
            .map(|((c, a), b)| (c, a, b))
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want);
    }
    // The independent pair differs: the p-value is a real number strictly inside (0, 1).
    let ab = Pair::new(&open(&a3), &open(&a4)).unwrap();
    let c = ab.chi2(Kind::Seqhis, 30.0).unwrap();
    assert!(c.pvalue > 0.0 && c.pvalue < 1.0, "{c:?}");
}

#[test]
fn table_orders_and_options() {
    let (ab, _, _) = pair(20_000, 5);
    let sum = ab.his_table(Kind::Seqhis, &HisOpts::default()).unwrap();
    let (a, b) = (ints(&sum, "a"), ints(&sum, "b"));
    assert!((1..a.len()).all(|i| a[i - 1] + b[i - 1] >= a[i] + b[i]));
    for (o, key) in [("max", 0), ("a", 1), ("b", 2)] {
        let t = ab
            .his_table(
                Kind::Seqhis,
                &HisOpts {
                    order: evsh::compare::his::Order::parse(o).unwrap(),
                    ..HisOpts::default()
                },
            )
            .unwrap();
        let (a, b) = (ints(&t, "a"), ints(&t, "b"));
        let k = |i: usize| match key {
            0 => a[i].max(b[i]),
            1 => a[i],
            _ => b[i],
        };
        assert!((1..a.len()).all(|i| k(i - 1) >= k(i)), "order {o}");
    }
    let t = ab
        .his_table(
            Kind::Seqhis,
            &HisOpts {
                order: evsh::compare::his::Order::Code,
                min_c2: Some(1.0),
                ..HisOpts::default()
            },
        )
        .unwrap();
    let c2 = floats(&t, "c2");
    assert!(!c2.is_empty() && c2.iter().all(|&x| x >= 1.0));
    let codes: Vec<u128> = strs(&t, "code")
        .iter()
        .map(|c| u128::from_str_radix(c, 16).unwrap())
        .collect();
    assert!(codes.windows(2).all(|w| w[0] < w[1]));
    // a - b, c2 and the ratios follow from a and b.
    let (a, b) = (ints(&sum, "a"), ints(&sum, "b"));
    let (d, c2, r, re) = (
        ints(&sum, "a_minus_b"),
        floats(&sum, "c2"),
        floats(&sum, "a_over_b"),
        floats(&sum, "a_over_b_err"),
    );
    for i in 0..a.len() {
        assert_eq!(d[i], a[i] - b[i]);
        let (x, y) = (a[i] as f64, b[i] as f64);
        assert!(close(c2[i], (x - y) * (x - y) / (x + y), 1e-12));
        if b[i] > 0 {
            assert!(close(r[i], x / y, 1e-12) && close(re[i], x.sqrt() / y, 1e-12));
        } else {
            assert!(r[i].is_nan());
        }
    }
    // Material and flag-mask comparisons work the same way.
    assert!(
        ab.his_table(Kind::Seqmat, &HisOpts::default())
            .unwrap()
            .nrows()
            > 1
    );
    let f = ab.his_table(Kind::Pflags, &HisOpts::default()).unwrap();
    assert!(strs(&f, "label").iter().any(|l| l.contains("|TO")));
}

/// Brute force: per photon, the maximum over every record slot and component of the
/// decompressed columns, aggregated per history label over aligned photons.
fn brute(ab: &Pair, q: Quantity, cuts: &[Cuts]) -> Rows {
    let (a, b) = (ab.a(), ab.b());
    let (ha, hb) = (a.seqhis().unwrap(), b.seqhis().unwrap());
    let n = a.loaded();
    // (column, values per photon, element offsets of each quantity)
    let (col, stride, groups): (&str, usize, Vec<Vec<usize>>) = match q {
        Quantity::Rpost => {
            let r = a.maxrec().unwrap();
            (
                "rpost",
                r * 4,
                vec![
                    (0..r).flat_map(|k| [4 * k, 4 * k + 1, 4 * k + 2]).collect(),
                    (0..r).map(|k| 4 * k + 3).collect(),
                ],
            )
        }
        Quantity::Rpol => {
            let r = a.maxrec().unwrap();
            ("rpol", r * 3, vec![(0..r * 3).collect()])
        }
        Quantity::Ox => (
            "ox",
            16,
            vec![
                vec![0, 1, 2],
                vec![3],
                vec![4, 5, 6],
                vec![8, 9, 10],
                vec![11],
            ],
        ),
    };
    let va = a
        .column(col)
        .unwrap()
        .as_slice::<f32>()
        .unwrap()
        .into_owned();
    let vb = b
        .column(col)
        .unwrap()
        .as_slice::<f32>()
        .unwrap()
        .into_owned();
    let mut out: Rows = HashMap::new();
    let mut sums: HashMap<(String, String), f64> = HashMap::new();
    for i in 0..n {
        if ha.get(i) != hb.get(i) {
            continue;
        }
        let label = a.flags().label(ha.get(i));
        for (k, g) in groups.iter().enumerate() {
            let d = g
                .iter()
                .map(|&e| (va[i * stride + e] - vb[i * stride + e]).abs())
                .fold(0f32, f32::max) as f64;
            let key = (label.clone(), q.qtys()[k].to_string());
            let r = out
                .entry(key.clone())
                .or_insert([0.0, 0.0, 0.0, 0.0, f64::MIN, f64::MAX, 0.0]);
            r[0] += 1.0;
            r[1] += (d > cuts[k].warn) as u8 as f64;
            r[2] += (d > cuts[k].err) as u8 as f64;
            r[3] += (d > cuts[k].fatal) as u8 as f64;
            r[4] = r[4].max(d);
            r[5] = r[5].min(d);
            *sums.entry(key).or_insert(0.0) += d;
        }
    }
    for (k, r) in out.iter_mut() {
        r[6] = sums[k] / r[0];
    }
    out
}

/// Counts equal; max and min equal (within `rel`: JSON parsing of NumPy's floats is not
/// exact to the last bit); means within 1e-9.
fn assert_rows_eq(got: &Rows, want: &Rows, what: &str, rel: f64) {
    assert_eq!(got.len(), want.len(), "{what}: number of rows");
    for (k, w) in want {
        let g = got
            .get(k)
            .unwrap_or_else(|| panic!("{what}: row {k:?} missing"));
        assert_eq!(g[..4], w[..4], "{what}: row {k:?}");
        assert!(
            close(g[4], w[4], rel) && close(g[5], w[5], rel),
            "{what}: row {k:?}: {g:?} vs {w:?}"
        );
        assert!(
            close(g[6], w[6], 1e-9),
            "{what}: mean of {k:?}: {g:?} vs {w:?}"
        );
    }
}

#[test]
fn deviation_tables_match_brute_force() {
    let (ab, _, _) = pair(20_000, 11);
    for q in Quantity::ALL {
        let cuts = ab.default_cuts(q);
        let t = ab.dv_table(q, &DvOpts::default()).unwrap();
        assert_eq!(
            t.names,
            "label qty a b aligned nwarn nerr nfatal fwarn ferr ffatal max min mean level"
                .split(' ')
                .collect::<Vec<_>>()
        );
        assert_rows_eq(&dv_rows(&t), &brute(&ab, q, &cuts), q.name(), 0.0);
        // Fractions are of aligned photons; levels follow the counts.
        let (al, nf, ff, lv) = (
            ints(&t, "aligned"),
            ints(&t, "nfatal"),
            floats(&t, "ffatal"),
            strs(&t, "level"),
        );
        for i in 0..t.nrows() {
            assert!(close(ff[i], nf[i] as f64 / al[i] as f64, 1e-12));
            assert_eq!(nf[i] > 0, lv[i] == "FATAL");
        }
    }
    // Overridden cuts are applied (and checked).
    let cuts = vec![(
        "pos".to_string(),
        Cuts {
            warn: 0.1,
            err: 0.2,
            fatal: 0.3,
        },
    )];
    let t = ab
        .dv_table(
            Quantity::Rpost,
            &DvOpts {
                cuts: cuts.clone(),
                order: DvOrder::Count,
                ..DvOpts::default()
            },
        )
        .unwrap();
    let mut want_cuts = ab.default_cuts(Quantity::Rpost);
    want_cuts[0] = cuts[0].1;
    assert_rows_eq(
        &dv_rows(&t),
        &brute(&ab, Quantity::Rpost, &want_cuts),
        "rpost with cuts",
        0.0,
    );
    let al = ints(&t, "aligned");
    assert!(al.windows(2).all(|w| w[0] >= w[1]), "order count");
    let bad = |name: &str, c: [f64; 3]| {
        vec![(
            name.to_string(),
            Cuts {
                warn: c[0],
                err: c[1],
                fatal: c[2],
            },
        )]
    };
    let e = ab
        .dv_table(
            Quantity::Rpost,
            &DvOpts {
                cuts: bad("pos", [1.0, 0.5, 2.0]),
                ..DvOpts::default()
            },
        )
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("warn <= error <= fatal"), "{e}");
    let e = ab
        .dv_table(
            Quantity::Rpol,
            &DvOpts {
                cuts: bad("dir", [1.0, 1.5, 2.0]),
                ..DvOpts::default()
            },
        )
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("no quantity 'dir'"), "{e}");
}

#[test]
fn deviation_tables_match_numpy() {
    if !scipy_ok() {
        return;
    }
    let (ab, a, b) = pair(120_000, 3);
    let r = reference(&a, &b);
    let fl = ab.a().flags().clone();
    for q in Quantity::ALL {
        let mut want: Rows = HashMap::new();
        for (code, per) in r["dv"][q.name()].as_object().unwrap() {
            let label = fl.label(u128::from_str_radix(code, 16).unwrap());
            for (qty, v) in per.as_object().unwrap() {
                let v: Vec<f64> = v
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_f64().unwrap())
                    .collect();
                want.insert((label.clone(), qty.clone()), v.try_into().unwrap());
            }
        }
        let t = ab.dv_table(q, &DvOpts::default()).unwrap();
        assert_rows_eq(&dv_rows(&t), &want, q.name(), 1e-14);
    }
    assert_eq!(
        ab.alignment().unwrap().aligned as u64,
        r["aligned"].as_u64().unwrap()
    );
}

#[test]
fn injected_discrepancies_found() {
    let n = 120_000;
    let (ab, _, _) = pair(n, 3);
    let b_only = gen::injected(n, Inject::BOnly);
    let mis = gen::injected(n, Inject::Misalign);
    let al = ab.alignment().unwrap();
    assert_eq!(al.scope, n);
    assert_eq!(al.misaligned, b_only.len() + mis.len());
    let mask = ab.aligned_mask().unwrap();
    let m = mask.as_slice::<u8>().unwrap();
    assert_eq!(m.iter().filter(|&&x| x == 1).count(), al.aligned);
    for &i in b_only.iter().chain(&mis) {
        assert_eq!(m[i], 0, "photon {i} should be misaligned");
    }
    // Migrations count every misaligned photon; the B-only history is a smoking gun.
    let mig = ab.migrations().unwrap();
    let counts = ints(&mig, "count");
    assert_eq!(counts.iter().sum::<i64>() as usize, al.misaligned);
    assert!(counts.windows(2).all(|w| w[0] >= w[1]));
    let to_b_only: i64 = counts
        .iter()
        .zip(strs(&mig, "b_code"))
        .filter(|(_, c)| c == "8c9cd")
        .map(|(n, _)| *n)
        .sum();
    assert_eq!(to_b_only as usize, b_only.len());
    let z = ab.zeros(Kind::Seqhis, 10).unwrap();
    assert_eq!(strs(&z, "code"), vec!["8c9cd"]);
    assert_eq!(strs(&z, "label"), vec!["TO BT DR BT SA"]);
    assert_eq!(ints(&z, "a"), vec![0]);
    assert_eq!(ints(&z, "b"), vec![b_only.len() as i64]);

    // Each injected deviation is among the worst photons, at point 1 (or the final
    // photon), in the injected component, FATAL; and only those photons are FATAL.
    let cases = [
        (Quantity::Rpost, Inject::RpostFatal, "pos", "x", 1),
        (Quantity::Rpost, Inject::TimeFatal, "time", "t", 1),
        (Quantity::Rpol, Inject::RpolFatal, "pol", "x", 1),
        (Quantity::Ox, Inject::OxFatal, "pos", "x", -1),
    ];
    for (q, kind, qty, comp, point) in cases {
        let idx = gen::injected(n, kind);
        assert!(!idx.is_empty());
        let w = ab.worst(q, 8, &[]).unwrap();
        let (wi, wq, wc, wp, wl) = (
            ints(&w, "index"),
            strs(&w, "qty"),
            strs(&w, "comp"),
            ints(&w, "point"),
            strs(&w, "level"),
        );
        for &i in &idx {
            let r = wi
                .iter()
                .position(|&x| x == i as i64)
                .unwrap_or_else(|| panic!("{kind:?} photon {i} not among the worst {}", q.name()));
            assert_eq!((wq[r].as_str(), wc[r].as_str(), wp[r]), (qty, comp, point));
            assert_eq!(wl[r], "FATAL", "{kind:?} photon {i}");
        }
        let t = ab.dv_table(q, &DvOpts::default()).unwrap();
        assert!(t.title.as_ref().unwrap().contains("level FATAL"));
        let (tq, nf) = (strs(&t, "qty"), ints(&t, "nfatal"));
        let fatal: i64 = tq
            .iter()
            .zip(&nf)
            .filter(|(x, _)| *x == qty)
            .map(|(_, n)| n)
            .sum();
        assert_eq!(
            fatal as usize,
            idx.len(),
            "{}: {qty} FATAL photons",
            q.name()
        );
    }
    assert_eq!(ab.rc().unwrap(), 7);
    assert_eq!(ab.dv_level(Quantity::Rpol).unwrap(), Level::Fatal);
}

#[test]
fn rc_values() {
    // Photons 11 (rpost), 23 (rpol), 37 (ox) carry the first injected deviations; below
    // them B is at most at WARNING level.
    for (n, want) in [(11, 0), (12, 1), (24, 3), (38, 7)] {
        let (ab, _, _) = pair(n, 2);
        assert_eq!(ab.rc().unwrap(), want, "n = {n}");
    }
    let (a, _) = pair_dirs(12, 2);
    let a = open(&a);
    let same = Pair::new(&a, &a).unwrap();
    assert_eq!(same.rc().unwrap(), 0);
    let c = same.chi2(Kind::Seqhis, 0.0).unwrap();
    assert_eq!(c.c2sum, 0.0);
    assert_eq!(same.alignment().unwrap().misaligned, 0);
    // Selected pairs: only photons of that history prefix are compared.
    let (ab, _, _) = pair(20_000, 11);
    let s = ab.select(&["TO BT ..".to_string()]).unwrap();
    let t = s.his_table(Kind::Seqhis, &HisOpts::default()).unwrap();
    assert!(strs(&t, "label").iter().all(|l| l.starts_with("TO BT ")));
    let d = s.dv_table(Quantity::Rpost, &DvOpts::default()).unwrap();
    assert!(strs(&d, "label").iter().all(|l| l.starts_with("TO BT ")));
    let al = s.alignment().unwrap();
    assert!(al.scope < 20_000 && al.aligned > 0);
}

#[test]
fn summary_json_written() {
    let (ab, _, _) = pair(38, 2);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("summary.json");
    assert_eq!(ab.write_summary(&p).unwrap(), 7);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    assert_eq!(v["rc"], 7);
    assert_eq!(v["photons"], 38);
    for q in ["rpost", "rpol", "ox"] {
        assert_eq!(v["dv"][q]["level"], "FATAL", "{q}");
        assert!(!v["dv"][q]["rows_not_info"].as_array().unwrap().is_empty());
    }
    assert_eq!(v["dv"]["rpost"]["levels"]["time"], "INFO");
    assert!(v["c2"]["ndf"].is_i64());
    let e = ab
        .write_summary(Path::new("/nonexistent-dir/x/summary.json"))
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("/nonexistent-dir/x/summary.json"), "{e}");
}

#[test]
fn bad_combinations_are_refused() {
    let (a, _) = pair_dirs(100, 2);
    let (b, _) = pair_dirs(120, 2);
    let e = Pair::new(&open(&a), &open(&b)).err().unwrap().to_string();
    assert!(
        e.contains("100") && e.contains("120") && e.contains("photons"),
        "{e}"
    );
    // Same photons but another flag table.
    let bv = Event::open(
        &a,
        &OpenOptions {
            flags: Some("v2025".into()),
            ..OpenOptions::default()
        },
    )
    .unwrap();
    let e = Pair::new(&open(&a), &bv).err().unwrap().to_string();
    assert!(e.contains("flag table"), "{e}");
    // Different load slices.
    let sl = |s: &str| {
        Event::open(
            &a,
            &OpenOptions {
                slice: Some(s.into()),
                ..OpenOptions::default()
            },
        )
        .unwrap()
    };
    let e = Pair::new(&sl("0:50"), &sl("50:100"))
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("row 0") && e.contains("row 50"), "{e}");
    // Different record lengths: a copy of A with 5 record points per photon.
    let dir = tempfile::tempdir().unwrap();
    let short = dir.path().join("short");
    std::fs::create_dir_all(&short).unwrap();
    for f in std::fs::read_dir(&a).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, short.join(f.file_name().unwrap())).unwrap();
    }
    let rx = open(&a).column("rx").unwrap();
    let rx5 = rx.slice_axis(1, Some(0), Some(5), 1).unwrap();
    evsh::io::npy::save(&rx5, short.join("rx.npy")).unwrap();
    let ab = Pair::new(&open(&a), &open(&short)).unwrap();
    assert!(ab.his_table(Kind::Seqhis, &HisOpts::default()).is_ok());
    for q in [Quantity::Rpost, Quantity::Rpol] {
        let e = ab
            .dv_table(q, &DvOpts::default())
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("10 points") && e.contains("B records 5") && e.contains("short"),
            "{e}"
        );
    }
    assert!(ab.dv_table(Quantity::Ox, &DvOpts::default()).is_ok());
    assert!(Quantity::parse("rpos")
        .err()
        .unwrap()
        .to_string()
        .contains("rpost"));
}
