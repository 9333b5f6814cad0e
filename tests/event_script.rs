//! Events through the script layer: `event`, columns, tables, selections and their
//! algebra, the label codec, `gen_event` and the `evsh gen-event` command.

use evsh::script::Session;
use rhai::Dynamic;

fn eval(s: &mut Session, code: &str) -> Dynamic {
    match s.run(code, None) {
        Ok(evsh::script::Outcome::Value(v)) => v,
        Ok(other) => panic!("{code}: {other:?}"),
        Err(e) => panic!("{code}: {}", e.message),
    }
}
fn int(s: &mut Session, code: &str) -> i64 {
    eval(s, code)
        .as_int()
        .unwrap_or_else(|_| panic!("{code}: not an int"))
}
fn string(s: &mut Session, code: &str) -> String {
    eval(s, code)
        .into_string()
        .unwrap_or_else(|_| panic!("{code}: not a string"))
}
fn err(s: &mut Session, code: &str) -> String {
    match s.run(code, None) {
        Err(e) => e.message,
        Ok(v) => panic!("{code}: expected an error, got {v:?}"),
    }
}

#[test]
fn events_in_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::new();
    s.set_var("dir", Dynamic::from(dir.path().display().to_string()));
    let _ = eval(&mut s, "let g = gen_event(dir, #{n: 20000, seed: 5});");
    assert!(!eval(&mut s, "g.cached").as_bool().unwrap());
    assert!(eval(&mut s, "gen_event(dir, #{n: 20000, seed: 5}).cached")
        .as_bool()
        .unwrap());
    let _ = eval(&mut s, "let e = event(g.a); let b = event(g.b);");
    assert_eq!(int(&mut s, "e.count"), 20000);
    assert_eq!(int(&mut s, "e.loaded"), 20000);
    assert_eq!(string(&mut s, "e.layout"), "legacy");
    assert!(string(&mut s, "e.flags").starts_with("legacy (detected"));
    assert_eq!(int(&mut s, "e.ox.shape[0]"), 20000);
    assert_eq!(int(&mut s, "e[\"rpost\"].shape[2]"), 4);
    assert_eq!(int(&mut s, "e.rpol.shape[2]"), 3);
    assert_eq!(int(&mut s, "e.arrays.nrows"), 22);
    assert!(
        eval(&mut s, "e.missing").into_array().unwrap()[0]
            .clone()
            .into_string()
            .unwrap()
            == "so"
    );
    assert!(eval(&mut s, "e.domains.eps_pos").as_float().unwrap() > 0.3);
    // Codec
    assert_eq!(string(&mut s, "label(0x8ccd)"), "TO BT BT SA");
    assert_eq!(string(&mut s, "label(\"8ccd\")"), "TO BT BT SA");
    assert_eq!(
        string(&mut s, "label(\"0x8cc3\", \"v2025\")"),
        "TO BT BT SA"
    );
    assert_eq!(string(&mut s, "e.label(0x8ccd)"), "TO BT BT SA");
    assert_eq!(int(&mut s, "code(\"TO BT BT SA\")"), 0x8ccd);
    assert_eq!(int(&mut s, "code(\"TO BT BT SA\", \"v2025\")"), 0x8cc3);
    assert_eq!(int(&mut s, "e.code(\"TO BT SA\")"), 0x8cd);
    assert!(err(&mut s, "code(\"TO XX\")").contains("'XX'"));
    // Tables: full table kept; top and slices never mutate it.
    let distinct = int(&mut s, "e.his.nrows");
    assert!(distinct > 500, "{distinct}");
    assert_eq!(int(&mut s, "e.his.top(7).nrows"), 7);
    assert_eq!(int(&mut s, "e.his.nrows"), distinct);
    assert_eq!(int(&mut s, "e.his.head(3).nrows"), 3);
    assert_eq!(string(&mut s, "e.his.col(\"label\")[0]"), "TO SA");
    let shown = string(&mut s, "e.his.to_string()");
    // header + 20 rows + the elision row
    assert_eq!(
        shown.lines().filter(|l| l.starts_with("│")).count(),
        22,
        "{shown}"
    );
    assert!(
        shown.contains("rows not shown") && shown.contains("total 20000 in"),
        "{shown}"
    );
    assert!(int(&mut s, "e.mat.nrows") > 10);
    assert!(int(&mut s, "e.flg.nrows") > 10);
    // Selections
    let c = int(&mut s, "let sel = e.sel(\"TO BT BT SA\"); sel.count");
    assert_eq!(int(&mut s, "sel.index.len"), c);
    assert_eq!(int(&mut s, "sel.ox.shape[0]"), c);
    assert_eq!(int(&mut s, "sel.rpost.shape[1]"), 4);
    assert_eq!(int(&mut s, "sel.his.nrows"), 1);
    assert_eq!(int(&mut s, "e.sel(\"0x8ccd\").count"), c);
    assert_eq!(
        int(&mut s, "e.count"),
        20000,
        "the original event is unchanged"
    );
    let two = int(&mut s, "e.sel([\"TO BT BT SA\", \"TO SA\"]).count");
    assert_eq!(two, c + int(&mut s, "e.sel(\"TO SA\").count"));
    assert_eq!(int(&mut s, "sel.not().count + sel.count"), 20000);
    let pre = int(&mut s, "e.sel(\"TO BT BT ..\").count");
    assert_eq!(int(&mut s, "e.sel(\"TO BT BT ..\").and(sel).count"), c);
    assert_eq!(int(&mut s, "sel.or(\"TO BT BT ..\").count"), pre);
    assert_eq!(
        int(&mut s, "e.sel(\"TO BT BT ..\").and(sel.not()).count"),
        pre - c
    );
    assert_eq!(int(&mut s, "e.sel(\"0:1000\").count"), 1000);
    // A bool mask Array over all rows, and one over the selection's rows.
    let four = int(
        &mut s,
        "let k = 0; for r in e.his.rows() { if r.npoints == 4 { k += r.count } } k",
    );
    assert_eq!(int(&mut s, "e.sel(e.npoints == 4).count"), four);
    assert_eq!(
        int(
            &mut s,
            "e.sel(\"TO BT ..\").sel(e.sel(\"TO BT ..\").npoints == 4).count"
        ),
        int(
            &mut s,
            "e.sel(\"TO BT ..\").and(e.sel(e.npoints == 4)).count"
        )
    );
    // Errors show the offending token.
    assert!(err(&mut s, "e.sel(\"TO QQ SA\")").contains("'QQ'"));
    assert!(err(&mut s, "e.sel(\"TO .. SA\")").contains("'..'"));
    assert!(err(&mut s, "e.sel(42)").contains("spec"));
    assert!(err(&mut s, "e.sel(e.npoints)").contains("bool"));
    assert!(err(&mut s, "sel.and(b.sel(\"TO SA\"))").contains("same event"));
    assert!(err(&mut s, "e.nosuch").contains("'nosuch'"));
    assert!(err(&mut s, "event(g.a, #{bogus: 1})").contains("bogus"));
    // Load slice
    assert_eq!(int(&mut s, "event(g.a, #{slice: \"0:1k\"}).loaded"), 1000);
    assert_eq!(
        int(&mut s, "event(g.a, #{slice: \"0:1k\"}).file_photons"),
        20000
    );
    // The injected B-only history.
    assert_eq!(int(&mut s, "e.sel(\"TO BT DR BT SA\").count"), 0);
    assert_eq!(int(&mut s, "b.sel(\"TO BT DR BT SA\").count"), 2);
}

#[test]
fn gen_event_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_evsh"))
        .arg("gen-event")
        .arg(dir.path())
        .args(["--n", "3k", "--seed", "2"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("gen_manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(m["n"], 3000);
    assert_eq!(m["seed"], 2);
    assert_eq!(m["injected"]["misaligned"]["indices"][0], 3);
    assert_eq!(m["injected"]["b_only"]["indices"][0], 5);
    let a = dir.path().join("evt/demo/torch/1/rx.npy");
    assert!(a.is_file());
    // Deterministic: the same seed writes the same bytes.
    let dir2 = tempfile::tempdir().unwrap();
    evsh::event::gen::generate(
        dir2.path(),
        &evsh::event::gen::GenOptions { n: 3000, seed: 2 },
    )
    .unwrap();
    for f in ["rx.npy", "ox.npy", "ph.npy", "bn.npy", "ht.npy"] {
        for side in ["1", "-1"] {
            let p1 = dir.path().join("evt/demo/torch").join(side).join(f);
            let p2 = dir2.path().join("evt/demo/torch").join(side).join(f);
            assert!(
                std::fs::read(&p1).unwrap() == std::fs::read(&p2).unwrap(),
                "{f} {side}"
            );
        }
    }
}
