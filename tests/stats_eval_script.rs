//! `scripts/hit_filter_eval.rhai` end to end on a small ATLAS-style sample written here as
//! .npy columns: it must run through a real Session and leave every promised output (ROC
//! and efficiency plots, working-point and curve CSVs, track loss, summary.json) with values
//! that agree with the kernels called directly.

use evsh::array::create::splitmix;
use evsh::io::npy;
use evsh::script::{Outcome, Session};
use evsh::Array;
use rhai::Dynamic;

fn write_sample(dir: &std::path::Path) -> (Array, Array) {
    let u = |i: u64| (splitmix(99, i) >> 11) as f64 / (1u64 << 53) as f64;
    let mut k = 0u64;
    let mut next = || {
        k += 1;
        u(k)
    };
    let (mut score, mut truth, mut tech, mut pt, mut eta, mut phi, mut pid) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for ev in 0..60i64 {
        for m in 0..2i64 {
            let (p, e, f) = (
                5.0 + 60.0 * next(),
                -2.5 + 5.0 * next(),
                -3.0 + 6.0 * next(),
            );
            let q = next();
            let nh = 3 + (next() * 20.0) as usize;
            for _ in 0..nh {
                score.push((0.35 + 0.6 * next() * (0.6 + 0.4 * q)) as f32);
                truth.push(true);
                tech.push((next() * 5.0) as i8);
                pt.push(p as f32);
                eta.push(e as f32);
                phi.push(f as f32);
                pid.push(ev * 10 + m);
            }
            for _ in 0..150 {
                score.push((0.5 * next()) as f32);
                truth.push(false);
                tech.push((next() * 5.0) as i8);
                pt.push(p as f32);
                eta.push(e as f32);
                phi.push(f as f32);
                pid.push(-1);
            }
        }
    }
    let n = score.len();
    let s = Array::from_vec(score, vec![n]).unwrap();
    let t = Array::from_bools(truth);
    let save = |name: &str, a: &Array| npy::save(a, dir.join(format!("{name}.npy"))).unwrap();
    save("score", &s);
    save("truth", &t);
    save("tech", &Array::from_vec(tech, vec![n]).unwrap());
    save("pt", &Array::from_vec(pt, vec![n]).unwrap());
    save("eta", &Array::from_vec(eta, vec![n]).unwrap());
    save("phi", &Array::from_vec(phi, vec![n]).unwrap());
    save("pid", &Array::from_vec(pid, vec![n]).unwrap());
    (s, t)
}

#[test]
fn evaluation_script_produces_every_output() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let (score, truth) = write_sample(data.path());
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/hit_filter_eval.rhai");
    let code = std::fs::read_to_string(path).unwrap();
    let mut s = Session::new();
    s.set_var("data", Dynamic::from(data.path().display().to_string()));
    s.set_var("out", Dynamic::from(out.path().display().to_string()));
    match s.run(&code, Some(path)) {
        Ok(Outcome::Value(_)) => {}
        Ok(Outcome::Exit(c)) => panic!("script exited with {c}"),
        Err(e) => panic!("{e}"),
    }
    let o = out.path();
    for f in [
        "roc.png",
        "wp.csv",
        "sweep.csv",
        "rejection_vs_purity.png",
        "efficiency_vs_purity.png",
        "efficiency_vs_pt.png",
        "purity_vs_eta.png",
        "efficiency_vs_phi_by_technology.png",
        "efficiency_pt_wp0.99.csv",
        "purity_phi_MM.csv",
        "technology_wp0.99.csv",
        "track_loss.csv",
        "kept_hits_per_track.png",
        "summary.json",
    ] {
        assert!(o.join(f).is_file(), "{f} missing");
    }
    let wp = std::fs::read_to_string(o.join("wp.csv")).unwrap();
    assert_eq!(wp.lines().count(), 6, "{wp}");
    assert!(wp.starts_with("target,threshold,efficiency,purity,rejection,TP,FP,TN,FN"));
    let sweep = std::fs::read_to_string(o.join("sweep.csv")).unwrap();
    assert_eq!(sweep.lines().count(), 482);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(o.join("summary.json")).unwrap()).unwrap();
    let r = evsh::stats::roc::roc(&score, &truth, None, true).unwrap();
    assert!((summary[0]["auc"].as_f64().unwrap() - r.auc).abs() < 1e-15);
    assert_eq!(summary[0]["hits"].as_u64().unwrap(), score.size() as u64);
    let wp99 = r.working_point(0.99).unwrap();
    assert!((summary[0]["efficiency_wp0.99"].as_f64().unwrap() - wp99.efficiency()).abs() < 1e-15);
    let loss = summary[0]["track_loss_wp0.99"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&loss));
}
