//! Conformance of the `.npy` reader over every real file in the shared test data
//! (`npy_real/manifest.json`): refusals, header facts, shapes, dtypes and checksums.

#[path = "common/npy_check.rs"]
mod npy_check;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use evsh::array::strings::string_at;
use evsh::array::DType;
use evsh::io::npy::{dtype_descr, load, parse_header};
use evsh::Array;
use serde_json::Value;

enum Outcome {
    Matched,
    RefusedExpected,
    RefusedOptional(String),
    Fail(String),
}

/// Mismatches fail; clean errors from the library while reading values are refusals.
enum Bad {
    Mismatch(String),
    Refused(String),
}

fn mismatch<T>(m: impl Into<String>) -> Result<T, Bad> {
    Err(Bad::Mismatch(m.into()))
}

fn check_dtype(a_dtype: &DType, swapped: bool, want: &Value, what: &str) -> Result<(), Bad> {
    match want {
        Value::String(s) => {
            let got = dtype_descr(a_dtype, swapped);
            if &got != s {
                return mismatch(format!("{what}: dtype {got}, expected {s}"));
            }
            // and the NumPy name
            let want_name = DType::parse(s)
                .map_err(|e| Bad::Mismatch(e.to_string()))?
                .name();
            if a_dtype.name() != want_name {
                return mismatch(format!(
                    "{what}: dtype name {}, expected {want_name}",
                    a_dtype.name()
                ));
            }
            Ok(())
        }
        Value::Array(fields) => {
            let st = match a_dtype {
                DType::Struct(s) => s,
                d => return mismatch(format!("{what}: dtype {}, expected structured", d.name())),
            };
            for (i, f) in fields.iter().enumerate() {
                let (name, descr) = match f.as_array().map(|v| v.as_slice()) {
                    Some([Value::String(n), d]) => (n, d),
                    _ => return mismatch(format!("{what}: odd manifest field {f}")),
                };
                if name == "..." {
                    break; // the manifest lists only the first fields
                }
                let Some(g) = st.fields.get(i) else {
                    return mismatch(format!("{what}: no field {i} ('{name}')"));
                };
                if &g.name != name {
                    return mismatch(format!(
                        "{what}: field {i} is '{}', expected '{name}'",
                        g.name
                    ));
                }
                check_dtype(
                    &g.dtype,
                    g.swapped,
                    descr,
                    &format!("{what} field '{name}'"),
                )?;
            }
            Ok(())
        }
        other => mismatch(format!("{what}: odd manifest dtype {other}")),
    }
}

fn num(case: &Value, k: &str) -> Option<u64> {
    case.get(k).and_then(Value::as_u64)
}

fn verify(a: &Array, case: &Value, path: &Path) -> Result<(), Bad> {
    // header facts, from the header parser
    let bytes = std::fs::read(path).map_err(|e| Bad::Mismatch(e.to_string()))?;
    let h = parse_header(&bytes).map_err(|e| Bad::Mismatch(e.to_string()))?;
    if let Some(v) = case.get("version").and_then(Value::as_array) {
        let want = (
            v[0].as_u64().unwrap_or(99) as u8,
            v[1].as_u64().unwrap_or(99) as u8,
        );
        if h.version != want {
            return mismatch(format!("version {:?}, expected {want:?}", h.version));
        }
    }
    let prefix = if h.version.0 == 1 { 10 } else { 12 };
    let facts = [
        ("data_offset", h.data_offset as u64),
        ("header_len", (h.data_offset - prefix) as u64),
        ("itemsize", h.dtype.itemsize() as u64),
        ("n_elements", a.size() as u64),
        ("data_bytes", a.nbytes() as u64),
        ("file_size", bytes.len() as u64),
        (
            "trailing_bytes",
            (bytes.len() - h.data_offset - a.nbytes()) as u64,
        ),
    ];
    for (k, got) in facts {
        if let Some(want) = num(case, k) {
            if want != got {
                return mismatch(format!("{k} {got}, expected {want}"));
            }
        }
    }
    if let Some(f) = case.get("fortran_order").and_then(Value::as_bool) {
        if f != h.fortran_order {
            return mismatch(format!("fortran_order {}, expected {f}", h.fortran_order));
        }
    }
    let want_shape: Vec<usize> = case["shape"]
        .as_array()
        .map(|v| {
            v.iter()
                .map(|x| x.as_u64().unwrap_or(u64::MAX) as usize)
                .collect()
        })
        .unwrap_or_default();
    if a.shape() != want_shape.as_slice() {
        return mismatch(format!("shape {:?}, expected {want_shape:?}", a.shape()));
    }
    check_dtype(a.dtype(), a.swapped(), &case["dtype"], "array")?;

    if let Some(ck) = case.get("checksum") {
        npy_check::check_block(a, ck).map_err(Bad::Mismatch)?;
    }
    if let Some(fields) = case.get("fields").and_then(Value::as_array) {
        if let Some(nf) = num(case, "n_fields") {
            if nf as usize != a.field_names().len() {
                return mismatch(format!("{} fields, expected {nf}", a.field_names().len()));
            }
        }
        let st = match a.dtype() {
            DType::Struct(s) => s.clone(),
            _ => return mismatch("fields listed for a non-structured dtype"),
        };
        for f in fields {
            let name = f["name"].as_str().unwrap_or("?");
            let col = a.field(name).map_err(|e| Bad::Mismatch(e.to_string()))?;
            let meta = st.fields.iter().find(|x| x.name == name);
            let off = meta.map(|m| m.offset as u64);
            if off != num(f, "offset") {
                return mismatch(format!(
                    "field '{name}' offset {off:?}, expected {}",
                    f["offset"]
                ));
            }
            let sub: Vec<u64> = meta
                .map(|m| m.shape.iter().map(|&d| d as u64).collect())
                .unwrap_or_default();
            let want_sub: Vec<u64> = f["field_subshape"]
                .as_array()
                .map(|v| v.iter().filter_map(Value::as_u64).collect())
                .unwrap_or_default();
            if sub != want_sub {
                return mismatch(format!(
                    "field '{name}' sub-shape {sub:?}, expected {want_sub:?}"
                ));
            }
            check_dtype(
                col.dtype(),
                col.swapped(),
                &f["dtype"],
                &format!("field '{name}'"),
            )?;
            if let Some(ck) = f.get("checksum") {
                npy_check::check_block(&col, ck)
                    .map_err(|e| Bad::Mismatch(format!("field '{name}': {e}")))?;
            }
        }
    }
    let n = a.size();
    if let Some(head) = case.get("values_head").and_then(Value::as_array) {
        for (i, w) in head.iter().enumerate() {
            let got = string_at(a, i).map_err(|e| Bad::Refused(e.to_string()))?;
            if Some(got.as_str()) != w.as_str() {
                return mismatch(format!("string {i}: {got:?}, expected {w}"));
            }
        }
    }
    if let Some(tail) = case.get("values_tail").and_then(Value::as_array) {
        for (k, w) in tail.iter().enumerate() {
            let i = n - tail.len() + k;
            let got = string_at(a, i).map_err(|e| Bad::Refused(e.to_string()))?;
            if Some(got.as_str()) != w.as_str() {
                return mismatch(format!("string {i}: {got:?}, expected {w}"));
            }
        }
    }
    let known = ["numeric", "bool", "complex", "structured", "string"];
    match case.get("category").and_then(Value::as_str) {
        Some(c) if known.contains(&c) => Ok(()),
        other => mismatch(format!("unknown category {other:?}")),
    }
}

fn run_case(dir: &Path, case: &Value) -> Outcome {
    let file = case["file"].as_str().unwrap_or("?");
    let path = dir.join(file);
    let expect_error = case["expect_error"].as_bool().unwrap_or(false);
    let optional = case["error_optional"].as_bool().unwrap_or(false);
    let base = path
        .file_name()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    match load(&path, None) {
        Err(e) => {
            let msg = e.to_string();
            if !msg.contains(&base) {
                return Outcome::Fail(format!("error does not name the file: {msg}"));
            }
            if expect_error {
                Outcome::RefusedExpected
            } else if optional {
                Outcome::RefusedOptional(msg)
            } else {
                Outcome::Fail(format!("refused: {msg}"))
            }
        }
        Ok(a) => {
            if expect_error {
                return Outcome::Fail(format!(
                    "loaded as {:?} {} but must be refused",
                    a.shape(),
                    a.dtype().name()
                ));
            }
            match verify(&a, case, &path) {
                Ok(()) => Outcome::Matched,
                Err(Bad::Refused(m)) if optional => Outcome::RefusedOptional(m),
                Err(Bad::Refused(m)) => Outcome::Fail(format!("refused while reading values: {m}")),
                Err(Bad::Mismatch(m)) => Outcome::Fail(m),
            }
        }
    }
}

#[test]
fn every_real_npy_file() {
    let Some(root) = npy_check::testdata_dir() else {
        println!("SKIP npy conformance: shared test data not found (set EVSH_TESTDATA)");
        return;
    };
    let dir = root.join("npy_real");
    let text = match std::fs::read_to_string(dir.join("manifest.json")) {
        Ok(t) => t,
        Err(e) => {
            println!(
                "SKIP npy conformance: {}: {e}",
                dir.join("manifest.json").display()
            );
            return;
        }
    };
    let manifest: Value =
        serde_json::from_str(&npy_check::fix_lone_surrogates(&text)).expect("manifest.json parses");
    let cases = manifest["cases"].as_array().expect("manifest has cases");
    assert!(!cases.is_empty());
    // Every .npy in the folder must be in the manifest (and vice versa, checked by loading).
    let listed: std::collections::HashSet<&str> =
        cases.iter().filter_map(|c| c["file"].as_str()).collect();
    let mut on_disk = vec![];
    for sub in std::fs::read_dir(&dir).unwrap().flatten() {
        if sub.path().is_dir() {
            for f in std::fs::read_dir(sub.path()).unwrap().flatten() {
                let rel = format!(
                    "{}/{}",
                    sub.file_name().to_string_lossy(),
                    f.file_name().to_string_lossy()
                );
                if rel.ends_with(".npy") {
                    on_disk.push(rel);
                }
            }
        }
    }
    let unlisted: Vec<&String> = on_disk
        .iter()
        .filter(|f| !listed.contains(f.as_str()))
        .collect();

    let (mut matched, mut refused_exp, mut refused_opt, mut failures) = (0, 0, 0, vec![]);
    let mut optional_notes = vec![];
    for case in cases {
        let file = case["file"].as_str().unwrap_or("?").to_string();
        let r = catch_unwind(AssertUnwindSafe(|| run_case(&dir, case)));
        match r {
            Ok(Outcome::Matched) => matched += 1,
            Ok(Outcome::RefusedExpected) => refused_exp += 1,
            Ok(Outcome::RefusedOptional(m)) => {
                refused_opt += 1;
                optional_notes.push(format!("{file}: {m}"));
            }
            Ok(Outcome::Fail(m)) => failures.push(format!("{file}: {m}")),
            Err(p) => {
                let m = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("{file}: PANIC {m}"));
            }
        }
    }
    for n in &optional_notes {
        println!("optional refusal: {n}");
    }
    for f in &failures {
        println!("FAIL {f}");
    }
    println!(
        "npy conformance: {} files: {matched} matched, {refused_exp} refused as expected, {refused_opt} optional refused cleanly, {} failed, {} on disk but not in the manifest",
        cases.len(),
        failures.len(),
        unlisted.len()
    );
    assert!(
        failures.is_empty(),
        "{} npy conformance failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        unlisted.is_empty(),
        "files not in the manifest: {unlisted:?}"
    );
}
