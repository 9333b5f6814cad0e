//! The comparison as a script sees it: `compare(a, b)` and the Pair's tables, maps,
//! masks, selections, deviation tables, `rc`, `summary`, its display, and clear errors
//! for bad calls, run through a real Session.

use std::path::Path;

use evsh::event::gen::{self, GenOptions, Inject};
use evsh::output::table::{Col, Table};
use evsh::script::Session;

fn session(n: usize, seed: u64) -> Session {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("compare_pairs")
        .join(format!("n{n}s{seed}"));
    let g = gen::generate(&dir, &GenOptions { n, seed }).unwrap();
    let mut s = Session::new();
    let _ = s
        .eval(&format!(
            "let ab = compare(event({:?}), event({:?}));",
            g.a.display().to_string(),
            g.b.display().to_string()
        ))
        .unwrap();
    s
}

fn table(s: &mut Session, code: &str) -> Table {
    s.eval(code)
        .unwrap_or_else(|e| panic!("{code}: {e}"))
        .try_cast::<Table>()
        .unwrap_or_else(|| panic!("{code}: not a Table"))
}

fn err(s: &mut Session, code: &str) -> String {
    match s.eval(code) {
        Ok(v) => panic!("{code}: expected an error, got {v:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn pair_from_scripts() {
    let n = 30_000;
    let mut s = session(n, 21);
    // Display: both sides and the alignment counts.
    let shown = {
        let v = s.eval("ab").unwrap();
        s.display(&v)
    };
    let mis = gen::injected(n, Inject::BOnly).len() + gen::injected(n, Inject::Misalign).len();
    assert!(
        shown.contains("Pair of 30k photons") || shown.contains("Pair of 30"),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("aligned {}", n - mis))
            && shown.contains(&format!("misaligned {mis}")),
        "{shown}"
    );
    // c2 map with exactly its four keys, consistent with the table title.
    let m = s.eval("ab.c2").unwrap().cast::<rhai::Map>();
    let mut keys: Vec<String> = m.keys().map(|k| k.to_string()).collect();
    keys.sort();
    assert_eq!(keys, vec!["c2sum", "ndf", "pvalue", "rows"]);
    let ndf = m["ndf"].as_int().unwrap();
    assert_eq!(m["rows"].as_int().unwrap(), ndf + 1);
    let t = table(&mut s, "ab.his");
    assert!(t.title.as_ref().unwrap().contains(&format!("/{ndf} = ")));
    assert_eq!(t.names[..5], ["idx", "code", "label", "a", "b"]);
    let c5 = s.eval("ab.c2(#{c2cut: 5}).ndf").unwrap().as_int().unwrap();
    assert!(c5 > ndf);
    let t = table(&mut s, "ab.his(#{order: \"code\", top: 5, min_c2: 0.5})");
    assert_eq!(t.show, Some(5));
    match t.col("c2").unwrap() {
        Col::Float(v) => assert!(v.iter().all(|&x| x >= 0.5)),
        _ => panic!(),
    }
    assert!(table(&mut s, "ab.mat").nrows() > 1);
    assert!(table(&mut s, "ab.flg").nrows() > 1);
    // Smoking guns need more than 10 photons on one side: none at 30k (3 B-only
    // photons), one with min 2.
    assert_eq!(table(&mut s, "ab.zeros").nrows(), 0);
    let z = table(&mut s, "ab.zeros(#{min: 2})");
    assert_eq!(z.col("code").unwrap(), &Col::Str(vec!["8c9cd".into()]));
    // Aligned mask and migrations.
    let k = s.eval("ab.aligned.sum()").unwrap();
    let k = k.as_int().unwrap_or_else(|_| k.as_float().unwrap() as i64);
    assert_eq!(k as usize, n - mis);
    let m = table(&mut s, "ab.migrations");
    match m.col("count").unwrap() {
        Col::Int(v) => assert_eq!(v.iter().sum::<i64>() as usize, mis),
        _ => panic!(),
    }
    assert_eq!(
        s.eval("ab.a.sel(ab.aligned).count")
            .unwrap()
            .as_int()
            .unwrap() as usize,
        n - mis
    );
    // Deviation tables, worst photons, rc, summary.
    for q in ["rpost", "rpol", "ox"] {
        let t = table(&mut s, &format!("ab.dv(\"{q}\")"));
        assert!(t.title.as_ref().unwrap().contains("level FATAL"), "{q}");
        assert_eq!(t.names[0], "label");
        assert_eq!(t.names.last().unwrap(), "level");
    }
    let t = table(
        &mut s,
        "ab.dv(\"rpost\", #{pos: [10.0, 20.0, 30.0], time: [1.0, 2.0, 3.0], top: 3})",
    );
    assert!(t.title.as_ref().unwrap().contains("level INFO"));
    assert_eq!(t.show, Some(3));
    let w = table(&mut s, "ab.worst(\"rpost\", 3)");
    assert_eq!(w.nrows(), 3);
    assert_eq!(s.eval("ab.rc").unwrap().as_int().unwrap(), 7);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ab.json");
    let rc = s
        .eval(&format!("ab.summary({:?})", p.display().to_string()))
        .unwrap()
        .as_int()
        .unwrap();
    assert_eq!(rc, 7);
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    assert_eq!(v["rc"], 7);
    // A selected pair.
    let t = table(&mut s, "ab.sel(\"TO BT ..\").his");
    match t.col("label").unwrap() {
        Col::Str(v) => assert!(!v.is_empty() && v.iter().all(|l| l.starts_with("TO BT "))),
        _ => panic!(),
    }
    let t = table(&mut s, "ab.sel([\"TO SA\", \"TO AB\"]).dv(\"ox\")");
    match t.col("label").unwrap() {
        Col::Str(v) => assert!(v.iter().all(|l| l == "TO SA" || l == "TO AB")),
        _ => panic!(),
    }
}

#[test]
fn bad_calls_give_clear_errors() {
    let mut s = session(300, 22);
    let e = err(&mut s, "ab.dv(\"rpos\")");
    assert!(e.contains("\"rpost\", \"rpol\" or \"ox\""), "{e}");
    let e = err(&mut s, "ab.dv(\"rpol\", #{pos: [1.0, 2.0, 3.0]})");
    assert!(e.contains("no quantity 'pos'"), "{e}");
    let e = err(&mut s, "ab.dv(\"rpost\", #{pos: [1.0, 2.0]})");
    assert!(e.contains("[warn, error, fatal]"), "{e}");
    let e = err(&mut s, "ab.dv(\"rpost\", #{cut: 1})");
    assert!(e.contains("unknown option 'cut'"), "{e}");
    let e = err(&mut s, "ab.his(#{order: \"biggest\"})");
    assert!(e.contains("max, sum, a, b, code"), "{e}");
    let e = err(&mut s, "ab.his(#{top: 0})");
    assert!(e.contains("top"), "{e}");
    let e = err(&mut s, "ab.worst(\"ox\", -1)");
    assert!(e.contains("negative"), "{e}");
    let e = err(&mut s, "ab.sel(\"TO XX\")");
    assert!(e.contains("XX"), "{e}");
    // Different photon counts.
    let g = gen::generate(
        &Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("compare_pairs")
            .join("n301s22"),
        &GenOptions { n: 301, seed: 22 },
    )
    .unwrap();
    let e = err(
        &mut s,
        &format!("compare(ab.a, event({:?}))", g.b.display().to_string()),
    );
    assert!(e.contains("300") && e.contains("301"), "{e}");
}
