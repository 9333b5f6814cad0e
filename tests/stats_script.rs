//! The statistics functions as a script sees them: arrays are put into a real Session and
//! `hist`, `roc`, `r.wp`, `efficiency`, `binned`, `group_stats`, `.table()`, `.plot()` and
//! `plot(#{...})` are called from Rhai, checking values, table columns, files and errors.

use evsh::script::Session;
use evsh::Array;
use rhai::Dynamic;

fn session() -> Session {
    let mut s = Session::new();
    // scores: 4 positives, 4 negatives, one tie across classes
    let score = Array::from_vec(vec![0.9f32, 0.8, 0.7, 0.6, 0.6, 0.4, 0.3, 0.1], vec![8]).unwrap();
    let truth = Array::from_bools(vec![true, true, false, true, false, true, false, false]);
    let x = Array::from_vec(vec![0.5f64, 1.5, 2.5, 3.5, 0.2, 1.2, 2.2, 3.2], vec![8]).unwrap();
    let key = Array::from_vec(vec![7i64, 7, 3, 7, 3, 9, 9, 9], vec![8]).unwrap();
    s.set_var("score", Dynamic::from(score));
    s.set_var("truth", Dynamic::from(truth));
    s.set_var("x", Dynamic::from(x));
    s.set_var("key", Dynamic::from(key));
    s
}

fn f(s: &mut Session, code: &str) -> f64 {
    let v = s.eval(code).unwrap_or_else(|e| panic!("{code}: {e}"));
    v.as_float()
        .or_else(|_| v.as_int().map(|i| i as f64))
        .unwrap_or_else(|t| panic!("{code}: not a number but {t}"))
}

fn err(s: &mut Session, code: &str) -> String {
    match s.run(code, None) {
        Ok(_) => panic!("{code}: expected an error"),
        Err(e) => e.message,
    }
}

#[test]
fn roc_and_working_points_from_a_script() {
    let mut s = session();
    // sklearn: roc_auc_score([1,1,0,1,0,1,0,0], [.9,.8,.7,.6,.6,.4,.3,.1]) = 0.78125
    assert_eq!(f(&mut s, "roc(score, truth).auc"), 0.78125);
    assert_eq!(f(&mut s, "let r = roc(score, truth); r.positives"), 4.0);
    let t = s.eval("r.wp([0.5, 0.75, 1.0])").unwrap();
    let shown = s.display(&t);
    for col in [
        "target",
        "threshold",
        "efficiency",
        "purity",
        "rejection",
        "TP",
        "FP",
        "TN",
        "FN",
    ] {
        assert!(shown.contains(col), "{shown}");
    }
    // 0.75: first threshold with TPR >= 0.75 is 0.6 (tie: TP 3, FP 2)
    assert_eq!(f(&mut s, "r.wp([0.75])[0].threshold"), 0.6000000238418579);
    assert_eq!(f(&mut s, "r.wp([0.75])[0].TP"), 3.0);
    assert_eq!(f(&mut s, "r.wp([0.75])[0].FP"), 2.0);
    assert_eq!(f(&mut s, "r.wp(0.75)[0].purity"), 0.6);
    // TPR reaches 1 at 0.4: negatives 0.7 and 0.6 pass, 0.3 and 0.1 are rejected
    assert_eq!(f(&mut s, "r.wp([1.0])[0].rejection"), 0.5);
    // (tp, fp) = (4, 3) at 0.3 lies on the line from (4, 2) to (4, 4): scikit-learn drops it
    assert_eq!(f(&mut s, "r.fpr.len"), 7.0);
    assert_eq!(
        f(
            &mut s,
            "roc(score, truth, #{drop_intermediate: false}).fpr.len"
        ),
        8.0
    );
    let m = err(&mut s, "roc(score, truth, #{bogus: 1})");
    assert!(m.contains("unknown option 'bogus'"), "{m}");
    // a mask restricts the curve: x > 1.0 drops the 0.9 (pos) and 0.6 (neg) scores
    assert_eq!(
        f(&mut s, "roc(score, truth, #{mask: x > 1.0}).positives"),
        3.0
    );
    let v = s.eval("r").unwrap();
    let shown = s.display(&v);
    assert!(shown.contains("AUC 0.781250"), "{shown}");
    let prev = s.eval("r.preview()").unwrap().into_string().unwrap();
    assert!(prev.contains('█'), "{prev}");
}

#[test]
fn hist_efficiency_binned_group_from_a_script() {
    let mut s = session();
    assert_eq!(
        f(
            &mut s,
            "let h = hist(x, #{bins: 4, range: [0.0, 4.0]}); h.nbins"
        ),
        4.0
    );
    assert_eq!(f(&mut s, "h.entries"), 8.0);
    let v = s.eval("h").unwrap();
    let shown = s.display(&v);
    assert!(shown.starts_with("Hist: 4 bins on [0, 4.000]"), "{shown}");
    let v = s.eval("h.table()").unwrap();
    let t = s.display(&v);
    assert!(t.contains("center") && t.contains("count"), "{t}");
    assert_eq!(f(&mut s, "hist(x, #{bins: [0.0, 1.0, 4.0]}).nbins"), 2.0);
    assert_eq!(
        f(&mut s, "hist(x, #{range: \"50%\", bins: 3}).entries"),
        8.0
    );
    assert_eq!(
        f(
            &mut s,
            "hist(x, #{weights: x, bins: 2, range: [0.0, 4.0]}).overflow"
        ),
        0.0
    );
    let m = err(&mut s, "hist(x, #{bins: 0})");
    assert!(m.contains("bins must be at least 1"), "{m}");
    let m = err(&mut s, "hist(x, #{range: \"abc\"})");
    assert!(m.contains("percentage"), "{m}");

    let e = s
        .eval("let e = efficiency(truth, x, #{bins: 2, range: [0.0, 4.0]}); e.table()")
        .unwrap();
    let t = s.display(&e);
    for col in ["pass", "total", "efficiency", "lower", "upper"] {
        assert!(t.contains(col), "{t}");
    }
    let m = err(&mut s, "efficiency(truth, x, #{interval: \"bayes\"})");
    assert!(m.contains("clopper-pearson"), "{m}");
    assert!(s
        .eval("efficiency(truth, x, #{interval: \"wilson\", cl: 0.95})")
        .is_ok());

    assert!(s
        .eval("binned(x, x, #{bins: 2, stat: \"median\"}).table()")
        .is_ok());
    let m = err(&mut s, "binned(x, x, #{stat: \"mode\"})");
    assert!(m.contains("median"), "{m}");

    let g = s.eval("group_stats(key, #{t: truth})").unwrap();
    let t = s.display(&g);
    assert!(t.contains("key") && t.contains("count"), "{t}");
    assert_eq!(f(&mut s, "group_stats(key, #{t: truth})[1].count"), 3.0); // key 7
    assert_eq!(f(&mut s, "group_stats(key, #{t: truth})[1].t"), 3.0);
}

#[test]
fn plots_from_a_script() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session();
    let p = |n: &str| dir.path().join(n).display().to_string();
    let _ = s
        .eval(&format!(
            "hist(x, #{{bins: 4}}).plot(\"{}\", #{{title: \"X\", logy: true, fill: true}})",
            p("h.png")
        ))
        .unwrap();
    let _ = s
        .eval(&format!("roc(score, truth).plot(\"{}\")", p("r.svg")))
        .unwrap();
    let _ = s.eval(&format!(
        "plot(#{{path: \"{}\", series: [#{{hist: hist(x, #{{bins: 4, range: [0.0, 4.0]}}), label: \"A\"}}, \
         #{{hist: hist(score, #{{bins: 4, range: [0.0, 4.0]}}), label: \"B\"}}], ratio: true, xlabel: \"v\"}})",
        p("ab.png")
    ))
    .unwrap();
    let _ = s.eval(&format!(
        "plot(#{{path: \"{}\", series: [#{{x: [1, 2, 3], y: [1.0, 4.0, 9.0], label: \"sq\", kind: \"scatter\"}}]}})",
        p("xy.svg")
    ))
    .unwrap();
    for n in ["h.png", "r.svg", "ab.png", "xy.svg"] {
        assert!(dir.path().join(n).is_file(), "{n} missing");
    }
    let svg = std::fs::read_to_string(dir.path().join("r.svg")).unwrap();
    assert!(svg.contains("AUC = 0.7812"), "ROC legend");
    let m = err(&mut s, "plot(#{series: []})");
    assert!(m.contains("path"), "{m}");
    let m = err(&mut s, &format!("hist(x).plot(\"{}\")", p("h.gif")));
    assert!(m.contains(".png or .svg"), "{m}");
}
