//! Array functions as a script calls them, checked against NumPy: NumPy writes the input
//! files (float32 C order, big-endian int16 in Fortran order, a bool mask) and evaluates
//! the NumPy spelling of each expression; the evsh session evaluates the evsh spelling on
//! the files it memory-maps, and both results (shape and every value) must agree.
//! Skips, with a printed reason, when `python3` with numpy is not available.

use std::process::Command;

use evsh::array::reduce::Scalar;
use evsh::array::select::to_scalars;
use evsh::script::Session;
use evsh::Array;
use serde_json::Value;

#[path = "common/pyref.rs"]
#[allow(dead_code)]
mod pyref;

/// (evsh expression, NumPy expression) over the arrays `a`, `b`, `m`.
const CASES: &[(&str, &str)] = &[
    ("a.sum()", "a.sum()"),
    ("a.max()", "a.max()"),
    ("a.min(1)", "a.min(1)"),
    ("a.max(-1)", "a.max(-1)"),
    ("a.mean(0)", "a.mean(0)"),
    ("a.sum([0, 2])", "a.sum(axis=(0, 2))"),
    ("a.max([1, -1])", "a.max(axis=(1, -1))"),
    ("a.mean([0, 1, 2])", "a.mean(axis=(0, 1, 2))"),
    ("b.sum([0])", "b.sum(axis=(0,))"),
    ("a.std()", "a.std()"),
    ("(a > 0.5).count()", "np.count_nonzero(a > 0.5)"),
    ("a.take(1, 0).take(1, 3).mean()", "a[:, 0, 3].mean()"),
    ("a[10..20].sum(0)", "a[10:20].sum(0)"),
    ("a[\"-5:\"].shape", "np.array(a[-5:].shape)"),
    (
        "a.view(\"u4\")[3].to_list()",
        "a.view(np.uint32)[3].ravel()",
    ),
    ("(a * 2 + 1).dtype == \"float32\"", "True"),
    (
        "where(a > 0.5, a, 0.0).sum()",
        "np.where(a > 0.5, a, 0.0).sum()",
    ),
    ("abs(a - 0.5).argmax()", "np.abs(a - 0.5).argmax()"),
    ("b.sum()", "b.sum()"),
    ("b.sum(0)", "b.sum(0)"),
    ("b.max(1)", "b.max(1)"),
    ("b.astype(\"f8\").std(0)", "b.astype(np.float64).std(0)"),
    ("(b & 255).sum()", "(b & 255).sum()"),
    ("(b >> 3).min()", "(b >> 3).min()"),
    ("b[b.col(0) > 0].sum(0)", "b[b[:, 0] > 0].sum(0)"),
    ("argsort(b.col(1))", "np.argsort(b[:, 1], kind='stable')"),
    ("sort(b.col(2))", "np.sort(b[:, 2])"),
    ("sort(a, 0)", "np.sort(a, axis=0)"),
    ("a.sort(-2)", "np.sort(a, axis=-2)"),
    ("argsort(a, 1)", "np.argsort(a, axis=1, kind='stable')"),
    ("argsort(b, 0)", "np.argsort(b, axis=0, kind='stable')"),
    ("unique(b.col(2) % 7)", "np.unique(b[:, 2] % 7)"),
    ("b.T.shape", "np.array(b.T.shape)"),
    ("b.reshape([-1, 5]).sum(1)", "b.reshape(-1, 5).sum(1)"),
    ("b[arange(0, 30, 7)]", "b[np.arange(0, 30, 7)]"),
    ("b / 4", "b / 4"),
    ("m.count()", "np.count_nonzero(m)"),
    ("(m & !m).any()", "np.any(m & ~m)"),
    (
        "(m | (b.col(0) < 0)).count()",
        "np.count_nonzero(m | (b[:, 0] < 0))",
    ),
    ("nonzero(m).head(5)", "np.flatnonzero(m)[:5]"),
];

const NUMPY: &str = r#"
import json, sys
import numpy as np
d = sys.argv[1]
rng = np.random.default_rng(5)
a = rng.random((200, 4, 4), dtype=np.float32)
np.save(f"{d}/a.npy", a)
b = np.asfortranarray(rng.integers(-3000, 3000, size=(500, 3)).astype('>i2'))
np.save(f"{d}/b.npy", b)
m = rng.random(500) < 0.3
np.save(f"{d}/m.npy", m)
a = np.load(f"{d}/a.npy"); b = np.load(f"{d}/b.npy"); m = np.load(f"{d}/m.npy")
out = []
for expr in json.loads(sys.argv[2]):
    v = eval(expr)
    v = np.asarray(v)
    out.append({"shape": list(v.shape), "values": v.ravel().tolist()})
print(json.dumps(out))
"#;

fn numpy_ok() -> bool {
    pyref::python_has("numpy", "array script tests")
}

fn as_f64(s: &Scalar) -> f64 {
    match s {
        Scalar::Int(i) => *i as f64,
        Scalar::Float(f) => *f,
        Scalar::Bool(b) => f64::from(u8::from(*b)),
        Scalar::Str(s) => panic!("unexpected string {s}"),
    }
}

/// The evsh value as (shape, values).
fn flatten(v: rhai::Dynamic) -> (Vec<usize>, Vec<f64>) {
    if let Some(a) = v.clone().try_cast::<Array>() {
        let vals = to_scalars(&a, usize::MAX).unwrap();
        return (a.shape().to_vec(), vals.iter().map(as_f64).collect());
    }
    if let Some(list) = v.clone().try_cast::<rhai::Array>() {
        let vals: Vec<f64> = list
            .iter()
            .map(|x| {
                x.as_int()
                    .map(|i| i as f64)
                    .or_else(|_| x.as_float())
                    .expect("a number")
            })
            .collect();
        return (vec![vals.len()], vals);
    }
    if let Ok(i) = v.as_int() {
        return (vec![], vec![i as f64]);
    }
    if let Ok(f) = v.as_float() {
        return (vec![], vec![f]);
    }
    if let Ok(b) = v.as_bool() {
        return (vec![], vec![f64::from(u8::from(b))]);
    }
    panic!("unexpected value {v:?}");
}

#[test]
fn script_results_match_numpy() {
    if !numpy_ok() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let exprs: Vec<&str> = CASES.iter().map(|c| c.1).collect();
    let out = Command::new("python3")
        .arg("-c")
        .arg(NUMPY)
        .arg(dir.path())
        .arg(serde_json::to_string(&exprs).unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let want: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let mut s = Session::new();
    let d = dir.path().display();
    let _ = s
        .eval(&format!(
        "let a = load(\"{d}/a.npy\"); let b = load(\"{d}/b.npy\"); let m = load(\"{d}/m.npy\");"
    ))
        .unwrap();
    // The loaded arrays are views of the files, not copies.
    assert_eq!(s.eval("a.mem").unwrap().into_string().unwrap(), "mapped");
    let mut failures = vec![];
    for ((expr, np_expr), w) in CASES.iter().zip(&want) {
        let v = s.eval(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
        let (shape, vals) = flatten(v);
        let wshape: Vec<usize> = w["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as usize)
            .collect();
        let wvals: Vec<f64> = w["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                x.as_f64()
                    .or_else(|| x.as_bool().map(|b| b as u8 as f64))
                    .unwrap()
            })
            .collect();
        // Scalars from NumPy are 0-d; evsh lists are 1-d of the same values.
        let shape_ok = shape == wshape || (wshape.is_empty() && shape.is_empty());
        let vals_ok = vals.len() == wvals.len()
            && vals
                .iter()
                .zip(&wvals)
                .all(|(g, w)| (g - w).abs() <= 1e-5 * w.abs().max(1.0));
        if !(shape_ok || (wshape.len() == 1 && shape.len() == 1)) || !vals_ok {
            failures.push(format!(
                "{expr} (numpy {np_expr}): got shape {shape:?} {:?}, want {wshape:?} {:?}",
                &vals[..vals.len().min(8)],
                &wvals[..wvals.len().min(8)]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn bad_calls_give_clear_errors() {
    let mut s = Session::new();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("short.npy");
    // A header announcing 1000 float64 values followed by none.
    let mut h = b"\x93NUMPY\x01\x00".to_vec();
    let dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000,), }";
    let mut body = dict.to_string();
    while !(10 + body.len() + 1).is_multiple_of(64) {
        body.push(' ');
    }
    body.push('\n');
    h.extend_from_slice(&(body.len() as u16).to_le_bytes());
    h.extend_from_slice(body.as_bytes());
    std::fs::write(&p, &h).unwrap();
    let mut err = |code: &str| -> String {
        match s.eval(code) {
            Ok(v) => panic!("{code} should fail, gave {v:?}"),
            Err(e) => e.to_string(),
        }
    };
    let e = err(&format!("load(\"{}\")", p.display()));
    assert!(e.contains("short.npy") && e.contains("8000"), "{e}");
    let e = err("load(\"/nonexistent/x.npy\")");
    assert!(e.contains("/nonexistent/x.npy"), "{e}");
    let e = err("arange(10).reshape([3, -1])");
    assert!(e.contains("reshape"), "{e}");
    let e = err("arange(6).view(\"q9\")");
    assert!(e.contains("q9"), "{e}");
    let e = err("arange(6) + array([1, 2])");
    assert!(e.contains("(6,)") && e.contains("(2,)"), "{e}");
    let e = err("arange(6)[array([true, false])]");
    assert!(e.contains("mask"), "{e}");
    let e = err("arange(6)[10]");
    assert!(e.contains("10"), "{e}");
    let e = err("arange(6).rows(\"a:b\")");
    assert!(e.contains("'a'"), "{e}");
    let e = err("array([[1, 2], [3]])");
    assert!(e.contains("ragged"), "{e}");
    let e = err("zeros([2], \"f4\").field(\"x\")");
    assert!(e.contains("x"), "{e}");
}
