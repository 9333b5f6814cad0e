//! Event results checked against NumPy (bench/events_ref.py) on a generated A/B pair:
//! history, material and flag tables, decompression, selections, and the discrepancies
//! the generator injects. Skips with a printed reason when python3/numpy is absent.

#[path = "common/pyref.rs"]
mod pyref;

use std::path::Path;

use evsh::event::gen::{self, GenOptions, Inject};
use evsh::event::history::Kind;
use evsh::event::{Event, OpenOptions};
use evsh::output::table::Col;
use serde_json::Value;

fn numpy_ok() -> bool {
    pyref::python_has("numpy", "event NumPy checks")
}

fn reference(a: &Path, b: &Path) -> Value {
    pyref::reference("events_ref.py", a, b)
}

fn pairs(v: &Value) -> Vec<(String, i64)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().to_string(), p[1].as_i64().unwrap()))
        .collect()
}

fn table_pairs(e: &Event, k: Kind) -> Vec<(String, i64)> {
    let t = e.table(k).unwrap();
    let (Col::Str(code), Col::Int(count)) = (t.col("code").unwrap(), t.col("count").unwrap())
    else {
        panic!("column types")
    };
    code.iter().cloned().zip(count.iter().copied()).collect()
}

fn f32s(a: &evsh::Array) -> Vec<f32> {
    a.as_slice::<f32>().unwrap().into_owned()
}

#[test]
fn generated_pair_matches_numpy() {
    if !numpy_ok() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let n = 30_000;
    let g = gen::generate(dir.path(), &GenOptions { n, seed: 7 }).unwrap();
    assert!(!g.cached);
    // Same options again: reused, not rewritten.
    assert!(
        gen::generate(dir.path(), &GenOptions { n, seed: 7 })
            .unwrap()
            .cached
    );
    let r = reference(&g.a, &g.b);
    let a = Event::open(&g.a, &OpenOptions::default()).unwrap();
    let b = Event::open(&g.b, &OpenOptions::default()).unwrap();
    assert_eq!(a.count(), n);
    assert_eq!(a.flags().name, "legacy", "{}", a.data().flags_from);
    assert!(a.data().flags_from.starts_with("detected"));
    assert_eq!(a.folder().missing, vec!["so".to_string()]);

    // History, material and flag tables: every row, same order.
    assert_eq!(table_pairs(&a, Kind::Seqhis), pairs(&r["his"]));
    assert_eq!(table_pairs(&a, Kind::Seqmat), pairs(&r["mat"]));
    assert_eq!(table_pairs(&a, Kind::Pflags), pairs(&r["flg"]));
    let t = a.table(Kind::Seqhis).unwrap();
    assert_eq!(
        t.names,
        ["idx", "code", "count", "frac", "npoints", "label"]
    );
    let Col::Str(labels) = t.col("label").unwrap() else {
        panic!()
    };
    let Col::Str(codes) = t.col("code").unwrap() else {
        panic!()
    };
    let i = codes.iter().position(|c| c == "8ccd").unwrap();
    assert_eq!(labels[i], "TO BT BT SA");
    let shown = t.to_string();
    assert!(shown.contains("rows not shown"), "{shown}");
    assert!(shown.contains(&format!("total {n} in")), "{shown}");

    // Decompression.
    let rp = a.column("rpost").unwrap();
    assert_eq!(rp.shape(), &[n, gen::MAXREC, 4]);
    let v = f32s(&rp);
    let sum: f64 = v.iter().map(|&x| x as f64).sum();
    let want = r["rpost_sum"].as_f64().unwrap();
    assert!(
        (sum - want).abs() <= 1e-6 * want.abs().max(1.0),
        "{sum} vs {want}"
    );
    let r7: Vec<f64> = r["rpost_7"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    for (k, w) in r7.iter().enumerate() {
        assert!(
            (v[7 * 40 + k] as f64 - w).abs() < 1e-3,
            "rpost[7] elem {k}: {} vs {w}",
            v[7 * 40 + k]
        );
    }
    let pol = f32s(&a.column("rpol").unwrap());
    let p7: Vec<f64> = r["rpol_7"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    for (k, w) in p7.iter().enumerate() {
        assert!((pol[7 * 30 + k] as f64 - w).abs() < 1e-6, "rpol[7] {k}");
    }
    let wl = f32s(&a.column("wavelength").unwrap());
    let w7: Vec<f64> = r["wl_7"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    for (k, w) in w7.iter().enumerate() {
        assert!(
            (wl[7 * 10 + k] as f64 - w).abs() < 1e-3,
            "wavelength[7] {k}"
        );
    }

    // Selections.
    let s = a.select(&["TO BT BT SA".into()]).unwrap();
    let want: Vec<i64> = r["sel_8ccd"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect();
    assert_eq!(s.index().unwrap().as_slice::<i64>().unwrap().to_vec(), want);
    assert_eq!(s.count(), want.len());
    let hex = a.select(&["0x8ccd".into()]).unwrap();
    assert_eq!(hex.rows(), s.rows());
    let ox = s.column("ox").unwrap();
    assert_eq!(ox.shape(), &[want.len(), 4, 4]);
    let oxs: f64 = f32s(&ox).iter().map(|&x| x as f64).sum();
    let wsum = r["sel_8ccd_ox_sum"].as_f64().unwrap();
    assert!((oxs - wsum).abs() <= 1e-6 * wsum.abs().max(1.0));
    // One history: per-step arrays trimmed to its 4 points; the selection's table has one row.
    assert_eq!(s.column("rpost").unwrap().shape(), &[want.len(), 4, 4]);
    assert_eq!(s.column("rx").unwrap().shape(), &[want.len(), 4, 2, 4]);
    assert_eq!(s.table(Kind::Seqhis).unwrap().nrows(), 1);
    // Gathered rpost equals the full rpost rows.
    let srp = f32s(&s.column("rpost").unwrap());
    let row0 = want[0] as usize;
    assert_eq!(&srp[..16], &v[row0 * 40..row0 * 40 + 16]);
    let pre = a.select(&["TO BT ..".into()]).unwrap();
    assert_eq!(pre.count() as i64, r["prefix_cd"].as_i64().unwrap());
    let re = a.select(&["*RE*".into()]).unwrap();
    assert_eq!(re.count() as i64, r["anywhere_re"].as_i64().unwrap());
    // Algebra through events: (prefix & !exact) | exact == prefix.
    let back = pre.and(&s.not()).unwrap().or(&s).unwrap();
    assert_eq!(back.rows(), pre.rows());
    // Selection of a selection narrows it; a row slice refers to loaded rows.
    let first = pre.select(&["0:1000".into()]).unwrap();
    assert!(first
        .index()
        .unwrap()
        .as_slice::<i64>()
        .unwrap()
        .iter()
        .all(|&i| i < 1000));
    // A list is an OR.
    let two = a.select(&["TO BT BT SA".into(), "TO SA".into()]).unwrap();
    let ts = a.select(&["TO SA".into()]).unwrap();
    assert_eq!(two.count(), s.count() + ts.count());

    // Injected discrepancies, as documented.
    let mis: Vec<usize> = r["misaligned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect();
    let mut expect = gen::injected(n, Inject::BOnly);
    expect.extend(gen::injected(n, Inject::Misalign));
    expect.sort();
    assert_eq!(mis, expect);
    let b_only = pairs(&r["b_only"]);
    let designed = b_only
        .iter()
        .find(|p| p.0 == "8c9cd")
        .expect("TO BT DR BT SA in B only");
    assert_eq!(designed.1 as usize, gen::injected(n, Inject::BOnly).len());
    assert_eq!(
        b.counts(Kind::Seqhis).unwrap().count_of(0x8c9cd) as usize,
        designed.1 as usize
    );
    assert_eq!(a.counts(Kind::Seqhis).unwrap().count_of(0x8c9cd), 0);
    // Aligned photons stay within one compression bin, except the injected ones.
    let eps = a.domains().unwrap().eps();
    let brp = f32s(&b.column("rpost").unwrap());
    let fatal = gen::injected(n, Inject::RpostFatal);
    let tfatal = gen::injected(n, Inject::TimeFatal);
    let misset: std::collections::HashSet<usize> = mis.iter().copied().collect();
    for i in 0..n {
        if misset.contains(&i) {
            continue;
        }
        let mut dpos = 0f64;
        let mut dt = 0f64;
        for k in 0..gen::MAXREC * 4 {
            let d = (v[i * 40 + k] - brp[i * 40 + k]).abs() as f64;
            if k % 4 == 3 {
                dt = dt.max(d);
            } else {
                dpos = dpos.max(d);
            }
        }
        if fatal.contains(&i) {
            assert!(dpos > 2.1 * eps.pos, "photon {i}: rpost fatal {dpos}");
        } else {
            assert!(
                dpos <= 1.01 * eps.pos,
                "photon {i}: {dpos} > one bin {}",
                eps.pos
            );
        }
        if tfatal.contains(&i) {
            assert!(dt > 2.1 * eps.time, "photon {i}: time fatal");
        } else {
            assert!(dt <= 1.01 * eps.time, "photon {i}: dt {dt}");
        }
    }
}
