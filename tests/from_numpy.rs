//! Executes every row of `docs/from-numpy.md`: the NumPy column with NumPy and the evsh
//! column with an evsh session, on the same arrays read from the same `.npy` files, and
//! checks that the results agree (shape and values, floats to 1e-6 relative; strings and
//! lists of arrays too). The page cannot drift from what evsh does. Skips, with a printed
//! reason, when `python3` with numpy is missing.

use evsh::array::reduce::Scalar;
use evsh::array::select::to_scalars;
use evsh::script::Session;
use evsh::Array;
use serde_json::Value;

#[path = "common/pyref.rs"]
#[allow(dead_code)]
mod pyref;

/// The (NumPy, evsh) code pairs of the page's tables.
fn rows(page: &str) -> Vec<(String, String)> {
    let code = |cell: &str| -> Option<String> {
        let c = cell.trim();
        (c.len() >= 2 && c.starts_with('`') && c.ends_with('`') && c.matches('`').count() == 2)
            .then(|| c[1..c.len() - 1].to_string())
    };
    page.lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").collect();
            Some((code(cells.first()?)?, code(cells.get(1)?)?))
        })
        .collect()
}

const NUMPY: &str = r#"
import json, sys
import numpy as np
D = sys.argv[1]
rng = np.random.default_rng(7)
x = rng.random(1000); y = rng.random(1000)
w = x.copy(); w[::7] = np.nan
f = x.astype(np.float32)
i = rng.integers(0, 50, 1000)
m = rng.random((20, 30)); t3 = rng.random((4, 5, 6))
for k, v in dict(x=x, y=y, w=w, f=f, i=i, m=m, t3=t3).items():
    np.save(f"{D}/{k}.npy", v)
x, y, w, f, i, m, t3 = (np.load(f"{D}/{k}.npy") for k in ["x", "y", "w", "f", "i", "m", "t3"])
def enc(v):
    if isinstance(v, str):
        return {"k": "s", "v": v}
    if isinstance(v, (list, tuple)) and v and all(isinstance(e, np.ndarray) and e.ndim > 0 for e in v):
        return {"k": "l", "items": [enc(e) for e in v]}
    a = np.asarray(v)
    vals = [None if (isinstance(z, float) and z != z) else z for z in a.ravel().tolist()]
    return {"k": "a", "shape": list(a.shape), "v": [float(z) if z is not None else None for z in vals]}
out = []
for code in json.loads(sys.stdin.read()):
    parts = code.split("; ")
    env = dict(globals())
    for p in parts[:-1]:
        exec(p, env)
    out.append(enc(eval(parts[-1], env)))
print(json.dumps(out))
"#;

fn num(s: &Scalar) -> Option<f64> {
    match s {
        Scalar::Int(i) => Some(*i as f64),
        Scalar::Float(f) => Some(*f),
        Scalar::Bool(b) => Some(f64::from(u8::from(*b))),
        Scalar::Str(_) => None,
    }
}

/// An evsh value in the shape of the Python encoding.
fn enc(v: &rhai::Dynamic) -> Value {
    if let Some(a) = v.clone().try_cast::<Array>() {
        let vals: Vec<Value> = to_scalars(&a, usize::MAX)
            .unwrap()
            .iter()
            .map(|s| {
                num(s)
                    .filter(|f| !f.is_nan())
                    .map_or(Value::Null, Value::from)
            })
            .collect();
        return serde_json::json!({"k": "a", "shape": a.shape(), "v": vals});
    }
    if let Some(list) = v.clone().try_cast::<rhai::Array>() {
        if !list.is_empty() && list.iter().all(|e| e.is::<Array>()) {
            return serde_json::json!({"k": "l", "items": list.iter().map(enc).collect::<Vec<_>>()});
        }
        let vals: Vec<Value> = list.iter().map(|e| enc(e)["v"][0].clone()).collect();
        return serde_json::json!({"k": "a", "shape": [vals.len()], "v": vals});
    }
    if v.is_string() {
        return serde_json::json!({"k": "s", "v": v.clone().into_string().unwrap()});
    }
    let f = v
        .as_int()
        .map(|i| i as f64)
        .or_else(|_| v.as_float())
        .or_else(|_| v.as_bool().map(|b| f64::from(u8::from(b))))
        .unwrap_or_else(|_| panic!("unexpected value of type {}", v.type_name()));
    let val = if f.is_nan() {
        Value::Null
    } else {
        Value::from(f)
    };
    serde_json::json!({"k": "a", "shape": [], "v": [val]})
}

fn same(got: &Value, want: &Value) -> bool {
    if got["k"] != want["k"] {
        return false;
    }
    match want["k"].as_str() {
        Some("s") => got["v"] == want["v"],
        Some("l") => {
            let (g, w) = (
                got["items"].as_array().unwrap(),
                want["items"].as_array().unwrap(),
            );
            g.len() == w.len() && g.iter().zip(w).all(|(a, b)| same(a, b))
        }
        _ => {
            let (g, w) = (got["v"].as_array().unwrap(), want["v"].as_array().unwrap());
            got["shape"] == want["shape"]
                && g.len() == w.len()
                && g.iter()
                    .zip(w)
                    .all(|(a, b)| match (a.as_f64(), b.as_f64()) {
                        (Some(a), Some(b)) => (a - b).abs() <= 1e-6 * b.abs().max(1e-3),
                        (None, None) => true,
                        _ => false,
                    })
        }
    }
}

#[test]
fn every_row_of_the_page_agrees_with_numpy() {
    if !pyref::python_has("numpy", "From NumPy page test") {
        return;
    }
    let page = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/from-numpy.md"),
    )
    .unwrap();
    let rows = rows(&page);
    assert!(
        rows.len() >= 80,
        "the page has {} idioms, fewer than 80",
        rows.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let np: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let want: Vec<Value> = serde_json::from_value(pyref::python_json(NUMPY, &[&d], &np)).unwrap();
    let mut s = Session::new();
    let mut setup = format!("let D = \"{d}\";");
    for k in ["x", "y", "w", "f", "i", "m", "t3"] {
        setup.push_str(&format!(" let {k} = load(D + \"/{k}.npy\");"));
    }
    let _ = s.eval(&setup).unwrap();
    let mut failures = vec![];
    for ((np, ev), w) in rows.iter().zip(&want) {
        match s.eval(ev) {
            Ok(v) => {
                let g = enc(&v);
                if !same(&g, w) {
                    let short = |v: &Value| {
                        let t = v.to_string();
                        t.chars().take(300).collect::<String>()
                    };
                    failures.push(format!(
                        "{ev}  vs  {np}\n   evsh:  {}\n   numpy: {}",
                        short(&g),
                        short(w)
                    ));
                }
            }
            Err(e) => failures.push(format!("{ev}  vs  {np}\n   evsh error: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows differ:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}
