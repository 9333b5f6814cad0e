//! NumPy indexing in scripts, checked against NumPy: random shapes and random index
//! strings (ints, slices with steps and negative bounds, `...`, `None`, out-of-range
//! positions) are evaluated by NumPy (`a[<index>]`, and `a[<index>] = v`) and by an evsh
//! session (`a["<index>"]`, `a["<index>"] = v`); shapes, values and which cases are errors
//! must agree. Also: assignment is copy-on-write and never writes a mapped file, and the
//! prompt manners of the NumPy-surface issue (division, `help(x)`, `_`, functions that use
//! outer variables). Skips, with a printed reason, when `python3` with numpy is missing.

use std::process::Command;

use evsh::array::select::to_scalars;
use evsh::script::Session;
use evsh::Array;
use serde_json::Value;

#[path = "common/pyref.rs"]
#[allow(dead_code)]
mod pyref;

/// A small deterministic generator (the cases must be the same on every run).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % ((hi - lo + 1) as u64)) as i64
    }
}

fn random_case(g: &mut Lcg) -> (Vec<usize>, String) {
    let nd = g.range(1, 4) as usize;
    let shape: Vec<usize> = (0..nd).map(|_| g.range(0, 5) as usize).collect();
    let n_items = g.range(1, nd as i64 + 1) as usize;
    let mut items = vec![];
    let mut ellipsis = false;
    for k in 0..n_items {
        let d = shape.get(k).copied().unwrap_or(3) as i64;
        let item = match g.range(0, 9) {
            0..=2 => format!("{}", g.range(-d - 1, d)),
            3 if !ellipsis => {
                ellipsis = true;
                "...".to_string()
            }
            4 => "None".to_string(),
            _ => {
                let b = |g: &mut Lcg| {
                    if g.range(0, 2) == 0 {
                        String::new()
                    } else {
                        g.range(-d - 2, d + 2).to_string()
                    }
                };
                let (s, e) = (b(g), b(g));
                match g.range(0, 5) {
                    0 => format!("{s}:{e}"),
                    1 => format!("{s}:{e}:-1"),
                    2 => format!("{s}:{e}:2"),
                    3 => format!("{s}:{e}:-2"),
                    _ => format!("::{}", g.range(1, 3)),
                }
            }
        };
        items.push(item);
    }
    (shape, items.join(", "))
}

const NUMPY: &str = r#"
import json, sys
import numpy as np
cases = json.loads(sys.stdin.read())
out = []
for shape, idx in cases:
    a = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    r = {}
    try:
        v = np.asarray(eval(f"a[{idx}]"))
        r["shape"] = list(v.shape); r["values"] = v.ravel().tolist()
        b = a.copy()
        b[eval(f"np.s_[{idx}]")] = -7
        r["set"] = b.ravel().tolist()
        if v.ndim >= 1 and v.shape[-1] > 0:
            c = a.copy()
            c[eval(f"np.s_[{idx}]")] = np.arange(v.shape[-1]) * 10
            r["set_row"] = c.ravel().tolist()
    except IndexError:
        r["error"] = True
    out.append(r)
print(json.dumps(out))
"#;

fn ints(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect()
}

fn values(v: &rhai::Dynamic) -> (Vec<usize>, Vec<i64>) {
    if let Some(a) = v.clone().try_cast::<Array>() {
        let vals = to_scalars(&a, usize::MAX).unwrap();
        let vals = vals
            .iter()
            .map(|s| match s {
                evsh::array::reduce::Scalar::Int(i) => *i,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        return (a.shape().to_vec(), vals);
    }
    (vec![], vec![v.as_int().expect("an int")])
}

#[test]
fn index_strings_match_numpy() {
    if !pyref::python_has("numpy", "indexing tests") {
        return;
    }
    let mut g = Lcg(42);
    let cases: Vec<(Vec<usize>, String)> = (0..600).map(|_| random_case(&mut g)).collect();
    let want: Vec<Value> = serde_json::from_value(pyref::python_json(NUMPY, &[], &cases)).unwrap();
    let mut s = Session::new();
    let mut failures = vec![];
    let (mut ok_cases, mut err_cases) = (0, 0);
    for ((shape, idx), w) in cases.iter().zip(&want) {
        let n: usize = shape.iter().product();
        let make = format!("let a = arange({n}).reshape({shape:?});");
        let _ = s.eval(&make).unwrap();
        let got = s.eval(&format!("a[\"{idx}\"]"));
        if w.get("error").is_some() {
            err_cases += 1;
            if got.is_ok() {
                failures.push(format!(
                    "{shape:?}[{idx}]: NumPy refuses it, evsh gave a value"
                ));
            }
            continue;
        }
        ok_cases += 1;
        let got = match got {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{shape:?}[{idx}]: error {e}"));
                continue;
            }
        };
        let (gshape, gvals) = values(&got);
        let wshape: Vec<usize> = ints(&w["shape"]).iter().map(|&x| x as usize).collect();
        if gshape != wshape || gvals != ints(&w["values"]) {
            failures.push(format!(
                "{shape:?}[{idx}]: got {gshape:?} {gvals:?}, want {wshape:?} {:?}",
                ints(&w["values"])
            ));
            continue;
        }
        // the same string through x.s()
        let (sshape, svals) = values(&s.eval(&format!("a.s(\"{idx}\")")).unwrap());
        assert_eq!((sshape, svals), (gshape, gvals), "a.s(\"{idx}\")");
        // assignment of a scalar, and of a row broadcast over the selection
        let b = s
            .eval(&format!("{make} let b = a; b[\"{idx}\"] = -7; b"))
            .unwrap();
        if values(&b).1 != ints(&w["set"]) {
            failures.push(format!("{shape:?}[{idx}] = -7: got {:?}", values(&b).1));
        }
        let a_after = s.eval("a").unwrap();
        assert_eq!(values(&a_after).1, (0..n as i64).collect::<Vec<_>>());
        if let Some(row) = w.get("set_row") {
            let last = wshape.last().copied().unwrap_or(1);
            let c = s
                .eval(&format!("let c = a; c[\"{idx}\"] = arange({last}) * 10; c"))
                .unwrap();
            if values(&c).1 != ints(row) {
                failures.push(format!("{shape:?}[{idx}] = row: got {:?}", values(&c).1));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures[..failures.len().min(30)].join("\n")
    );
    // the generator must exercise both outcomes
    assert!(
        ok_cases > 200 && err_cases > 20,
        "{ok_cases} ok, {err_cases} errors"
    );
}

#[test]
fn assignment_never_writes_a_mapped_file() {
    if !pyref::python_has("numpy", "copy-on-write test") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.npy");
    let st = Command::new("python3")
        .arg("-c")
        .arg(format!(
            "import numpy as np; np.save('{}', np.arange(1000, dtype=np.float32))",
            p.display()
        ))
        .status()
        .unwrap();
    assert!(st.success());
    let before = std::fs::read(&p).unwrap();
    let mut s = Session::new();
    let code = format!(
        "let x = load(\"{}\"); let y = x; y[y > 500.0] = 0.0; y[0] = 9; y[\"::100\"] = 1; \
         let z = x.copy(); z[1] = 5; [x.mem, y.mem, x.sum(), y.sum(), z[1], x[1]]",
        p.display()
    );
    let v = s.eval(&code).unwrap().into_array().unwrap();
    assert_eq!(v[0].clone().into_string().unwrap(), "mapped");
    assert_eq!(v[1].clone().into_string().unwrap(), "owned");
    assert_eq!(v[2].as_float().unwrap(), 499500.0);
    // y: 0..=500 kept (sum 125250), then every 100th of 0..=900 set to 1 (y[0] = 9 is
    // overwritten): 100 + ... + 500 replaced by 1s, and ten 1s in all
    let want = 125250.0 - 1500.0 + 10.0;
    assert_eq!(v[3].as_float().unwrap(), want);
    assert_eq!(v[4].as_float().unwrap(), 5.0);
    assert_eq!(v[5].as_float().unwrap(), 1.0);
    assert_eq!(std::fs::read(&p).unwrap(), before, "the file was written");
    // errors name what is wrong
    for (code, want) in [
        ("let q = arange(4); q[arange(3) > 0] = 1", "does not match"),
        ("let q = arange(4); q[9] = 1", "out of bounds"),
        (
            "let q = arange(4).astype(\"u1\"); q[0] = 300",
            "out of range for uint8",
        ),
        (
            "let q = arange(4); q[\"::2\"] = arange(3)",
            "could not broadcast",
        ),
        ("let q = arange(4); q[[1]] = 1", ""),
    ] {
        let e = s.eval(code);
        if want.is_empty() {
            continue;
        }
        let msg = format!("{}", e.expect_err(code));
        assert!(msg.contains(want), "{code}: {msg}");
    }
}

#[test]
fn prompt_manners() {
    let mut s = Session::new();
    let int = |s: &mut Session, c: &str| s.eval(c).unwrap().as_int().unwrap();
    let float = |s: &mut Session, c: &str| s.eval(c).unwrap().as_float().unwrap();
    // `/` never truncates silently
    assert_eq!(float(&mut s, "7 / 2"), 3.5);
    assert_eq!(int(&mut s, "6 / 2"), 3);
    assert_eq!(
        float(&mut s, "let x = arange(10); (x > 6).count() / x.len"),
        0.3
    );
    assert_eq!(int(&mut s, "div(-7, 2)"), -4);
    assert_eq!(int(&mut s, "(-7) % 3"), 2);
    assert_eq!(int(&mut s, "7 % -3"), -2);
    assert_eq!(int(&mut s, "let n = 8; n /= 2; n"), 4);
    assert!(s.eval("let n = 7; n /= 2; n").is_err());
    assert!(s.eval("1 / 0").is_err());
    // float32 results print with float32 digits
    let v = s
        .eval("let f = arange(10).astype(\"f4\") / 10.0; f.sum()")
        .unwrap();
    assert_eq!(s.display(&v), "4.5");
    let v = s.eval("f.max()").unwrap();
    assert_eq!(s.display(&v), "0.9");
    // `_` is the last value shown
    let v = s.eval("arange(3)").unwrap();
    s.set_last(&v);
    let code = evsh::script::repl::last_value_refs("_.sum() + len(\"_\") // _");
    assert_eq!(code, "__last.sum() + len(\"_\") // _");
    assert_eq!(int(&mut s, &code), 4);
    assert_eq!(
        evsh::script::repl::last_value_refs("switch v { 1 => 2, _ => _ }"),
        "switch v { 1 => 2, _ => __last }"
    );
    // help on a value lists its type's members with their docs
    let _ = s.eval("let h = arange(3);").unwrap();
    let text = s.help_for("h").unwrap();
    assert!(text.starts_with("Array"), "{text}");
    for m in ["shape", "astype", "sum", "copy"] {
        assert!(text.contains(m), "{m} missing from:\n{text}");
    }
    assert!(s.help_for("sort").unwrap().contains("sort("));
    // a function using an outer variable: the error says why and what to do
    let e = s.eval("let zz = 2; fn f1() { zz + 1 } f1()").unwrap_err();
    let msg = s.format_error(&e, "", None);
    assert!(msg.contains("pass `zz`"), "{msg}");
    // who(): human sizes, no -1
    let _ = s
        .eval("let t = table(#{a: [1, 2]}); let l = [1, 2, 3];")
        .unwrap();
    let w = s.eval("who()").unwrap();
    let shown = s.display(&w);
    assert!(!shown.contains(" -1 "), "{shown}");
    assert!(shown.contains("size"), "{shown}");
}
