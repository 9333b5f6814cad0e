//! Array functions applied directly to HDF5 datasets (issue 7: "any Array function works on
//! HDF5 datasets, read chunk by chunk"): reductions stream the dataset in blocks under a
//! 1 MiB memory budget (so every dataset here spans many blocks, and block borders fall
//! inside chunks' rows of the answer) and must equal NumPy's answers on the same data; other
//! functions and operators read the dataset and match NumPy too; a read over the budget is
//! refused naming the budget while the streaming reductions still work; datasets through
//! the library's own filter path (fletcher32) stream as well. Skips with a printed reason
//! when python3 with h5py and NumPy is not available.

#[path = "common/pyref.rs"]
#[allow(dead_code)]
mod pyref;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const GEN: &str = r#"
import sys, json, numpy as np, h5py
out = sys.argv[1]
rng = np.random.default_rng(3)
x = rng.normal(0, 1, (20000, 7)).astype(np.float32)
xn = x.copy(); xn[12345, 4] = np.nan; xn[19999, 0] = np.nan
y = rng.integers(-1000, 1000, (30011, 5)).astype(np.int16)
b = rng.random((5000, 3)) < 0.5
v = rng.normal(5, 2, 200001)
with h5py.File(out + "/d.h5", "w") as f:
    f.create_dataset("x", data=x, chunks=(100, 7), compression="gzip", shuffle=True)
    f.create_dataset("xn", data=xn, chunks=(333, 7), compression="gzip")
    f.create_dataset("y", data=y, chunks=(64, 5), compression="gzip")
    f.create_dataset("yf", data=y, chunks=(64, 5), fletcher32=True)
    f.create_dataset("b", data=b, chunks=(50, 3), compression="gzip")
    f.create_dataset("v", data=v, chunks=(1000,), compression="gzip")
def L(a):
    return [None if (isinstance(t, float) and t != t) else t for t in np.asarray(a).reshape(-1).tolist()]
e = {
  "x_sum": float(x.astype(np.float64).sum()), "x_mean": float(x.astype(np.float64).mean()),
  "x_std": float(x.astype(np.float64).std()), "x_min": float(x.min()), "x_max": float(x.max()),
  "x_argmin": int(x.argmin()), "x_argmax": int(x.argmax()),
  "x_sum0": L(x.astype(np.float64).sum(0)), "x_mean0": L(x.mean(0, dtype=np.float64)),
  "x_std0": L(x.astype(np.float64).std(0)), "x_max1": L(x.max(1)),
  "x_argmax0": L(x.argmax(0)), "x_argmin1": L(x.argmin(1)), "x_min0": L(x.min(0)),
  "xn_max": None, "xn_argmax": int(xn.argmax()), "xn_argmin0": L(xn.argmin(0)),
  "xn_max0": L(xn.max(0)), "xn_sum1_first": L(xn.sum(1)[12340:12350]),
  "y_sum": int(y.sum()), "y_mean": float(y.mean()), "y_std": float(y.std()),
  "y_min": int(y.min()), "y_max": int(y.max()), "y_argmin": int(y.argmin()), "y_argmax": int(y.argmax()),
  "y_sum0": L(y.sum(0)), "y_max1_head": L(y.max(1)[:9]), "y_std0": L(y.std(0)),
  "y_argmin0": L(y.argmin(0)), "y_count": int(np.count_nonzero(y)), "y_count0": L(np.count_nonzero(y, axis=0)),
  "b_sum": int(b.sum()), "b_any0": L(b.any(0)), "b_all1_count": int(b.all(1).sum()), "b_all": bool(b.all()),
  "v_sum": float(v.sum()), "v_std": float(v.std()), "v_argmax": int(v.argmax()),
  "gt_count": int((y > 0).sum()), "plus_sum": float((x + 1.5).astype(np.float64).sum()),
  "mask_sum": int(y[y[:, 0] > 500].astype(np.int64).sum()), "sorted_head": L(np.sort(v)[:4]),
  "size": int(y.size), "nbytes": int(y.nbytes),
  "v_head": L(v[:3]), "v_tail": L(v[-2:]), "y_head_sum": int(y[:10].sum()),
}
json.dump(e, open(out + "/expected.json", "w"))
"#;

/// The script: one `name=value` line per result (lists via to_list()).
const SCRIPT: &str = r#"
set_mem_budget(1048576);
let f = h5(dir + "/d.h5");
let x = f["x"]; let xn = f["xn"]; let y = f["y"]; let yf = f["yf"]; let b = f["b"]; let v = f["v"];
fn out(name, val) { if type_of(val) == "Array" { print(name + "=" + val.to_list()) } else { print(name + "=" + val) } }
out("x_sum", x.sum()); out("x_mean", x.mean()); out("x_std", x.std());
out("x_min", x.min()); out("x_max", x.max()); out("x_argmin", x.argmin()); out("x_argmax", x.argmax());
out("x_sum0", x.sum(0)); out("x_mean0", x.mean(0)); out("x_std0", x.std(0)); out("x_max1", x.max(1));
out("x_argmax0", x.argmax(0)); out("x_argmin1", x.argmin(-1)); out("x_min0", x.min(0));
out("xn_max", xn.max()); out("xn_argmax", xn.argmax()); out("xn_argmin0", xn.argmin(0));
out("xn_max0", xn.max(0)); out("xn_sum1_first", xn.sum(1)[12340..12350]);
out("y_sum", y.sum()); out("y_mean", y.mean()); out("y_std", y.std());
out("y_min", y.min()); out("y_max", y.max()); out("y_argmin", y.argmin()); out("y_argmax", y.argmax());
out("y_sum0", y.sum(0)); out("y_max1_head", y.max(1)[0..9]); out("y_std0", y.std(0));
out("y_argmin0", y.argmin(0)); out("y_count", y.count()); out("y_count0", y.count(0));
out("yf_sum", yf.sum()); out("yf_sum0", yf.sum(0)); out("yf_argmin0", yf.argmin(0));
out("b_sum", b.sum()); out("b_any0", b.any(0)); out("b_all1_count", b.all(1).sum()); out("b_all", b.all());
out("v_sum", v.sum()); out("v_std", v.std()); out("v_argmax", v.argmax());
out("size", y.size); out("nbytes", y.nbytes);
out("v_head", v.head(3)); out("v_tail", v.tail(2)); out("y_head_sum", y.head().sum());
set_mem_budget(1073741824);
out("gt_count", (y > 0).sum()); out("plus_sum", (x + 1.5).sum());
let m = y.col(0) > 500;
out("mask_sum", y[m].astype("int64").sum());
out("sorted_head", sort(v)[0..4]);
set_mem_budget(1048576);
let r = "no error";
try { let s = v.sort(); } catch (e) { r = e; }
print("refused=" + r);
let r = "no error"; try { y.sum(2); } catch (e) { r = e; } print("bad_axis=" + r);
let r = "no error"; try { y.head(-1); } catch (e) { r = e; } print("bad_head=" + r);
let r = "no error"; try { f["b"].sum(-3); } catch (e) { r = e; } print("bad_axis_neg=" + r);
"#;

fn parse_vals(s: &str) -> Vec<Option<f64>> {
    let t = s.trim().trim_start_matches('[').trim_end_matches(']');
    if t.is_empty() {
        return vec![];
    }
    t.split(',')
        .map(|w| match w.trim() {
            "true" => Some(1.0),
            "false" => Some(0.0),
            "NaN" | "nan" => None,
            w => Some(
                w.parse::<f64>()
                    .unwrap_or_else(|_| panic!("not a number: {w:?}")),
            ),
        })
        .collect()
}

fn expected_vals(v: &Value) -> Vec<Option<f64>> {
    let one = |x: &Value| match x {
        Value::Null => None,
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        x => Some(x.as_f64().unwrap()),
    };
    match v {
        Value::Array(a) => a.iter().map(one).collect(),
        x => vec![one(x)],
    }
}

fn run(dir: &Path) -> std::collections::HashMap<String, String> {
    let script = dir.join("s.rhai");
    std::fs::write(&script, SCRIPT).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_evsh"))
        .arg("run")
        .arg(&script)
        .arg("--set")
        .arg(format!("dir={}", dir.display()))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "script failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn array_functions_on_datasets_match_numpy() {
    if !pyref::python_has("numpy, h5py", "h5 dataset arrays") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let st = Command::new("python3")
        .arg("-c")
        .arg(GEN)
        .arg(dir)
        .status()
        .unwrap();
    assert!(st.success(), "generator failed");
    let exp: serde_json::Map<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let got = run(dir);
    let mut checked = 0;
    for (k, e) in &exp {
        let g = got
            .get(k)
            .unwrap_or_else(|| panic!("no result for {k}; got {got:?}"));
        let gv = parse_vals(g);
        let ev = expected_vals(e);
        assert_eq!(gv.len(), ev.len(), "{k}: {g} vs {e}");
        for (i, (a, b)) in gv.iter().zip(&ev).enumerate() {
            match (a, b) {
                (None, None) => {}
                (Some(a), Some(b)) => {
                    // whole-array float32 results are float32 (NumPy's type): half a unit
                    // in the last place of a float32 on top of the f64 tolerance
                    let tol = 1e-9 * b.abs().max(1.0)
                        + 6e-8 * b.abs()
                        + if k.starts_with('x') { 1e-4 } else { 0.0 };
                    assert!((a - b).abs() <= tol, "{k}[{i}]: evsh {a} NumPy {b}");
                }
                _ => panic!("{k}[{i}]: evsh {a:?} NumPy {b:?} (NaN on one side)"),
            }
        }
        checked += 1;
    }
    assert_eq!(checked, exp.len());
    // the fletcher32 dataset (library read path) gives the same answers as the gzip one
    for (a, b) in [
        ("yf_sum", "y_sum"),
        ("yf_sum0", "y_sum0"),
        ("yf_argmin0", "y_argmin0"),
    ] {
        assert_eq!(got[a], got[b], "{a} vs {b}");
    }
    // a whole read over the 1 MiB budget is refused, naming the budget and the dataset
    let refused = &got["refused"];
    assert!(
        refused.contains("memory budget") && refused.contains("/v"),
        "expected a budget refusal, got {refused}"
    );
    // bad arguments are clear errors naming what was wrong
    assert!(
        got["bad_axis"].contains("axis 2 is out of range") && got["bad_axis"].contains("/y"),
        "{}",
        got["bad_axis"]
    );
    assert!(
        got["bad_axis_neg"].contains("axis -3 is out of range"),
        "{}",
        got["bad_axis_neg"]
    );
    assert!(
        got["bad_head"].contains("head: n must be >= 0, found -1"),
        "{}",
        got["bad_head"]
    );
}
