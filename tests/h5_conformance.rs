//! Conformance of the HDF5 reader over every file in the shared test data
//! (`h5_real/manifest.json`): `ok` files' datasets match shape, dtype, attributes,
//! checksums and string values; `partial` files read what can be read and refuse the rest
//! with a clear error (an unavailable filter is named); `error` files are refused; nothing
//! panics. Every file runs under `catch_unwind`.

#[path = "common/npy_check.rs"]
mod npy_check;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use evsh::array::strings::string_at;
use evsh::array::DType;
use evsh::h5::browse::LinkKind;
use evsh::h5::{H5Dataset, H5File, Node};
use evsh::Array;
use serde_json::Value;

/// Datasets larger than this are checked by streaming slices of rows.
const WHOLE_READ_LIMIT: usize = 256 << 20;

fn simple_dtype_matches(got: &DType, big: bool, want: &str) -> Result<(), String> {
    let (order, rest) = match want.chars().next() {
        Some(c @ ('<' | '>' | '|' | '=')) => (c, &want[1..]),
        _ => ('=', want),
    };
    let expect = match rest {
        r if r.starts_with("M8") || r.starts_with("m8") => DType::I64,
        _ => evsh::array::dtype::parse_simple(want)
            .map(|(_, d)| d)
            .map_err(|e| format!("manifest dtype {want}: {e}"))?,
    };
    if got != &expect {
        return Err(format!("dtype {}, expected {want}", got.name()));
    }
    if order == '>' && expect.itemsize() > 1 && !big && !expect.is_complex() {
        return Err(format!("byte order: expected big-endian storage ({want})"));
    }
    Ok(())
}

/// Compare our (dtype, sub_shape) with the manifest's dtype description.
fn dtype_matches(got: &DType, sub: &[usize], big: bool, want: &Value) -> Result<(), String> {
    match want {
        Value::String(s) => {
            if !sub.is_empty() {
                return Err(format!("unexpected sub-array axes {sub:?} for {s}"));
            }
            simple_dtype_matches(got, big, s)
        }
        Value::Object(o) if o.contains_key("string") => {
            let n = o["length"].as_u64().unwrap_or(0) as usize;
            match got {
                DType::Bytes(m) if *m == n => Ok(()),
                d => Err(format!("dtype {}, expected a {n}-byte string", d.name())),
            }
        }
        Value::Object(o) if o.contains_key("base") => {
            let want_sub: Vec<usize> = o["subshape"]
                .as_array()
                .map(|v| v.iter().map(|x| x.as_u64().unwrap_or(0) as usize).collect())
                .unwrap_or_default();
            if sub.len() < want_sub.len() || sub[..want_sub.len()] != want_sub[..] {
                return Err(format!("sub-array axes {sub:?}, expected {want_sub:?}"));
            }
            dtype_matches(got, &sub[want_sub.len()..], big, &o["base"])
        }
        Value::Object(o) if o.contains_key("vlen") => Ok(()),
        Value::Array(fields) => {
            let DType::Struct(st) = got else {
                return Err(format!("dtype {}, expected a compound", got.name()));
            };
            if st.fields.len() != fields.len() {
                return Err(format!(
                    "{} fields, expected {}",
                    st.fields.len(),
                    fields.len()
                ));
            }
            for (f, w) in st.fields.iter().zip(fields) {
                let (name, wd) = match w.as_array().map(|v| v.as_slice()) {
                    Some([Value::String(n), d]) => (n, d),
                    _ => return Err(format!("odd manifest field {w}")),
                };
                if &f.name != name {
                    return Err(format!("field '{}', expected '{name}'", f.name));
                }
                // Field byte order is converted to native on read: do not check it.
                let wd_native = native_order(wd);
                dtype_matches(&f.dtype, &f.shape, false, &wd_native)
                    .map_err(|e| format!("field '{name}': {e}"))?;
            }
            Ok(())
        }
        other => Err(format!("odd manifest dtype {other}")),
    }
}

/// The manifest dtype with every big-endian mark made little-endian.
fn native_order(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(s.replace('>', "<")),
        Value::Array(a) => Value::Array(a.iter().map(native_order).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), native_order(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Element `i` of a byte-string array decoded as Latin-1 (how the manifest shows bytes
/// that are not ASCII), trailing NULs dropped.
fn latin1_at(a: &Array, i: usize) -> Option<String> {
    if !matches!(a.dtype(), DType::Bytes(_)) {
        return None;
    }
    let off = evsh::array::strings::element_offset(a, i).ok()?;
    let b = a.element_bytes(off);
    let end = b.iter().rposition(|&c| c != 0).map_or(0, |p| p + 1);
    Some(b[..end].iter().map(|&c| c as char).collect())
}

fn strings_match(a: &Array, want: &Value, from_end: bool) -> Result<(), String> {
    let Some(w) = want.as_array() else {
        return Ok(());
    };
    let n = a.size();
    for (k, wv) in w.iter().enumerate() {
        let i = if from_end { n - w.len() + k } else { k };
        let Some(ws) = wv.as_str() else {
            return Err(format!("non-string expected value {wv}"));
        };
        let got = string_at(a, i).map_err(|e| e.to_string())?;
        let l1 = latin1_at(a, i);
        if got != ws && got.trim_end() != ws.trim_end() && l1.as_deref() != Some(ws) {
            return Err(format!("string {i}: got {got:?}, expected {ws:?}"));
        }
    }
    Ok(())
}

fn is_string_dtype(d: &DType) -> bool {
    matches!(d, DType::Bytes(_) | DType::Unicode(_))
}

/// Streamed checksum of a huge 1-D integer dataset: sum, min, max, first, last, wsum_c,
/// heads, compared with the manifest block.
fn streamed_check(d: &H5Dataset, want: &Value) -> Result<(), String> {
    let shape = d.shape().map_err(|e| e.to_string())?;
    if shape.len() != 1 {
        return Err(format!(
            "streamed checksum for shape {shape:?} not supported"
        ));
    }
    let n = shape[0];
    let step = 32 << 20;
    let (mut sum, mut wsum) = (0i128, 0f64);
    let (mut mn, mut mx) = (i128::MAX, i128::MIN);
    let mut head: Vec<i128> = vec![];
    let mut last = 0i128;
    let mut i0 = 0;
    let mut saw_zero = false;
    while i0 < n {
        let a = d
            .read_rows(i0, (i0 + step).min(n))
            .map_err(|e| e.to_string())?;
        let signed = match a.dtype() {
            DType::I8 => true,
            DType::U8 => false,
            other => return Err(format!("streamed checksum for {}", other.name())),
        };
        let raw: Vec<u8> = if signed {
            a.as_slice::<i8>()
                .unwrap()
                .iter()
                .map(|&x| x as u8)
                .collect()
        } else {
            a.as_slice::<u8>().unwrap().into_owned()
        };
        let val = |b: u8| if signed { b as i8 as i128 } else { b as i128 };
        if head.len() < 4 {
            head.extend(raw.iter().take(4 - head.len()).map(|&b| val(b)));
        }
        last = val(*raw.last().unwrap());
        // Mostly zeros: skip zero words, look at the bytes of the others.
        for (w, word) in raw.chunks(8).enumerate() {
            if word.len() == 8 && u64::from_ne_bytes(word.try_into().unwrap()) == 0 {
                saw_zero = true;
                continue;
            }
            for (k, &b) in word.iter().enumerate() {
                let v = val(b);
                if v == 0 {
                    saw_zero = true;
                    continue;
                }
                sum += v;
                wsum += v as f64 * (((i0 + w * 8 + k) % 7) + 1) as f64;
                mn = mn.min(v);
                mx = mx.max(v);
            }
        }
        i0 += step;
    }
    if saw_zero {
        mn = mn.min(0);
        mx = mx.max(0);
    }
    let o = want.as_object().unwrap();
    let cmp = |k: &str, got: f64| -> Result<(), String> {
        match o.get(k).and_then(|v| v.as_f64()) {
            Some(w) if (w - got).abs() <= 1e-9 * w.abs().max(1.0) => Ok(()),
            Some(w) => Err(format!("{k}: got {got}, expected {w}")),
            None => Ok(()),
        }
    };
    cmp("sum", sum as f64)?;
    cmp("min", mn as f64)?;
    cmp("max", mx as f64)?;
    cmp("last", last as f64)?;
    cmp("first", head[0] as f64)?;
    cmp("wsum_c", wsum)?;
    if let Some(s) = o.get("sum_int").and_then(|v| v.as_str()) {
        if s != sum.to_string() {
            return Err(format!("sum_int: got {sum}, expected {s}"));
        }
    }
    Ok(())
}

/// The manifest's checksum block, with `wsum_c` checked here as NumPy's `nansum` of the
/// weighted values (NaN elements skipped) for real float arrays holding NaNs, the rest by
/// the shared checker.
fn check_checksum(a: &Array, want: &Value) -> Result<(), String> {
    let real_float = a.dtype().is_float();
    let Some(obj) = want.as_object() else {
        return npy_check::check_block(a, want);
    };
    if !real_float || obj.get("nan_count").and_then(Value::as_u64).unwrap_or(0) == 0 {
        return npy_check::check_block(a, want);
    }
    let (vals, _) = npy_check::values(a)?;
    let npy_check::Vals::Float(v) = vals else {
        return npy_check::check_block(a, want);
    };
    let ws: f64 = v
        .iter()
        .enumerate()
        .map(|(i, x)| x * ((i % 7) + 1) as f64)
        .filter(|x| !x.is_nan())
        .sum();
    let mut rest = obj.clone();
    if let Some(w) = rest.remove("wsum_c") {
        let ok = match &w {
            Value::Number(n) => {
                let w = n.as_f64().unwrap_or(f64::NAN);
                (ws - w).abs() <= 1e-6 * w.abs().max(1.0)
            }
            Value::String(s) if s == "NaN" => ws.is_nan(),
            Value::String(s) if s == "Infinity" => ws == f64::INFINITY,
            Value::String(s) if s == "-Infinity" => ws == f64::NEG_INFINITY,
            _ => false,
        };
        if !ok {
            return Err(format!("wsum_c: got {ws}, expected {w}"));
        }
    }
    npy_check::check_block(a, &Value::Object(rest))
}

/// Check one dataset object. Err = mismatch (a test failure).
fn check_dataset(
    f: &H5File,
    o: &Value,
    expect: &str,
    notes: &mut Vec<String>,
) -> Result<(), String> {
    let path = o["path"].as_str().unwrap_or("?");
    let d = match f.dataset(path) {
        Ok(d) => d,
        Err(e) => {
            if o.get("read_error").is_some() || expect != "ok" {
                notes.push(format!("{path}: refused to open: {e}"));
                return Ok(());
            }
            return Err(format!("cannot open: {e}"));
        }
    };
    // attributes: names
    if let Some(want) = o.get("attrs").and_then(Value::as_array) {
        match d.attrs() {
            Ok(list) => {
                let mut got: Vec<String> = list.iter().map(|(n, _)| n.clone()).collect();
                let mut w: Vec<String> = want
                    .iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect();
                got.sort();
                w.sort();
                if got != w {
                    return Err(format!("attribute names {got:?}, expected {w:?}"));
                }
            }
            Err(e) => return Err(format!("attributes: {e}")),
        }
    }
    if o.get("null_dataspace").and_then(Value::as_bool) == Some(true) {
        return match d.read() {
            Err(e) if e.to_string().contains("null dataspace") => Ok(()),
            Err(e) => Err(format!(
                "null dataspace refused with an unclear message: {e}"
            )),
            Ok(_) => Err("null dataspace read as data".into()),
        };
    }
    // shape
    let info = d.info();
    let want_shape: Vec<usize> = o["shape"]
        .as_array()
        .map(|v| {
            v.iter()
                .map(|x| x.as_u64().unwrap_or(u64::MAX) as usize)
                .collect()
        })
        .unwrap_or_default();
    if info.shape.as_deref() != Some(want_shape.as_slice()) {
        return Err(format!("shape {:?}, expected {want_shape:?}", info.shape));
    }
    if let (Some(c), Some(w)) = (&info.chunks, o.get("chunks").and_then(Value::as_array)) {
        let w: Vec<usize> = w.iter().map(|x| x.as_u64().unwrap_or(0) as usize).collect();
        if c != &w {
            return Err(format!("chunks {c:?}, expected {w:?}"));
        }
    }
    if let Some(wf) = o.get("filters").and_then(Value::as_array) {
        let ids: Vec<i64> = wf.iter().filter_map(|f| f["id"].as_i64()).collect();
        let got: Vec<i64> = info.filters.iter().map(|f| f.id as i64).collect();
        if ids != got {
            return Err(format!("filter ids {got:?}, expected {ids:?}"));
        }
    }
    let readable = match &info.dtype {
        Ok((dt, sub)) => {
            dtype_matches(dt, sub, info.big_endian, &o["dtype"])?;
            true
        }
        Err(why) => {
            let cat = o.get("category").and_then(Value::as_str).unwrap_or("");
            let may_refuse =
                o.get("checksum").is_none() || matches!(cat, "longdouble") || expect != "ok";
            if !may_refuse {
                return Err(format!("type refused but the manifest has values: {why}"));
            }
            notes.push(format!("{path}: type refused: {why}"));
            false
        }
    };
    if let Some(re) = o.get("read_error").and_then(Value::as_str) {
        let r = d.read();
        let filter_missing = info.filters.iter().find(|f| !f.available);
        match (r, filter_missing) {
            (Err(e), Some(fl)) => {
                let m = e.to_string();
                if !m.contains(&fl.name) || !m.contains(path) {
                    return Err(format!(
                        "refusal does not name filter '{}' and the dataset: {m}",
                        fl.name
                    ));
                }
            }
            (Ok(_), Some(fl)) => {
                return Err(format!(
                    "read succeeded although filter '{}' is unavailable",
                    fl.name
                ))
            }
            (Err(e), None) => {
                if !e.to_string().contains(path) {
                    return Err(format!("refusal does not name the dataset: {e}"));
                }
                notes.push(format!("{path}: refused as h5py ({re}): {e}"));
            }
            (Ok(_), None) => notes.push(format!("{path}: read although h5py could not ({re})")),
        }
        return Ok(());
    }
    if !readable {
        return match d.read() {
            Err(e) if e.to_string().contains(path) => Ok(()),
            Err(e) => Err(format!("refusal does not name the dataset: {e}")),
            Ok(_) => Err("read succeeded although the type is unreadable".into()),
        };
    }
    let nbytes: usize = info
        .shape
        .as_ref()
        .map(|s| s.iter().fold(1usize, |a, &b| a.saturating_mul(b)))
        .unwrap_or(0)
        .saturating_mul(info.file_type_size);
    if let Some(nr) = o.get("not_read") {
        // Too large to read whole: the read is refused by the budget; a slice works.
        if nbytes > evsh::exec::mem_budget() {
            match d.read() {
                Err(e) if e.to_string().contains("memory budget") => {}
                Err(e) => notes.push(format!("{path}: huge read refused: {e}")),
                Ok(_) => return Err(format!("read a dataset of {nbytes} bytes whole ({nr})")),
            }
        }
        return Ok(());
    }
    if o.get("checksum_streamed").and_then(Value::as_bool) == Some(true)
        || nbytes > WHOLE_READ_LIMIT
    {
        if let Some(ck) = o.get("checksum") {
            return streamed_check(&d, ck);
        }
        return Ok(());
    }
    let a = match d.read() {
        Ok(a) => a,
        Err(e) => {
            let cat = o.get("category").and_then(Value::as_str).unwrap_or("");
            if o.get("checksum").is_some()
                || o.get("fields").is_some()
                || (cat == "string" && expect == "ok")
            {
                return Err(format!("read failed: {e}"));
            }
            notes.push(format!("{path}: refused: {e}"));
            return Ok(());
        }
    };
    let mut full_shape = want_shape.clone();
    if let Ok((_, sub)) = &info.dtype {
        full_shape.extend(sub);
    }
    if a.shape() != full_shape.as_slice() {
        return Err(format!(
            "array shape {:?}, expected {full_shape:?}",
            a.shape()
        ));
    }
    if let Some(ck) = o.get("checksum") {
        check_checksum(&a, ck)?;
    }
    if is_string_dtype(a.dtype()) {
        if let Some(h) = o.get("values_head") {
            strings_match(&a, h, false)?;
        }
        if let Some(t) = o.get("values_tail") {
            strings_match(&a, t, true)?;
        }
        if let Some(sv) = o.get("scalar_value").and_then(Value::as_str) {
            strings_match(&a, &Value::Array(vec![Value::String(sv.into())]), false)?;
        }
    }
    if let Some(fields) = o.get("fields").and_then(Value::as_array) {
        for fl in fields {
            let name = fl["name"].as_str().unwrap_or("?");
            let col = a.field(name).map_err(|e| format!("field '{name}': {e}"))?;
            if let Some(ck) = fl.get("checksum") {
                check_checksum(&col, ck).map_err(|e| format!("field '{name}': {e}"))?;
            }
            if is_string_dtype(col.dtype()) {
                if let Some(h) = fl.get("values_head") {
                    strings_match(&col, h, false).map_err(|e| format!("field '{name}': {e}"))?;
                }
            }
        }
    }
    Ok(())
}

fn parent_and_name(path: &str) -> (String, String) {
    match path.rsplit_once('/') {
        Some((p, n)) => (if p.is_empty() { "/".into() } else { p.into() }, n.into()),
        None => ("/".into(), path.into()),
    }
}

fn check_link(f: &H5File, o: &Value) -> Result<(), String> {
    let path = o["path"].as_str().unwrap_or("?");
    let (parent, name) = parent_and_name(path);
    let g = f.group(&parent).map_err(|e| e.to_string())?;
    let links = g.links().map_err(|e| e.to_string())?;
    let Some(l) = links.iter().find(|l| l.name == name) else {
        return Err(format!("link '{name}' not listed in {parent}"));
    };
    let target = o.get("target").and_then(Value::as_str).unwrap_or("");
    match (&l.kind, o["kind"].as_str()) {
        (LinkKind::Soft(t), Some("softlink")) if t == target => Ok(()),
        (LinkKind::External(t), Some("externallink")) if t == target => Ok(()),
        (k, kind) => Err(format!("link {k:?}, expected {kind:?} -> {target}")),
    }
}

enum Verdict {
    Pass(Vec<String>),
    Fail(Vec<String>),
}

fn check_file(dir: &Path, case: &Value) -> Verdict {
    let rel = case["file"].as_str().unwrap_or("?");
    let expect = case["expect"].as_str().unwrap_or("ok");
    let path = dir.join(rel);
    let mut notes = vec![];
    let mut fails = vec![];
    let f = match H5File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            let m = e.to_string();
            if !m.contains(rel.rsplit('/').next().unwrap_or(rel)) {
                return Verdict::Fail(vec![format!("open error does not name the file: {m}")]);
            }
            return match expect {
                "error" | "error_optional" => Verdict::Pass(vec![format!("refused: {m}")]),
                _ => Verdict::Fail(vec![format!("cannot open: {m}")]),
            };
        }
    };
    if case.get("open_error").is_some() && expect == "error" {
        fails.push("opened a file that must be refused".into());
    }
    // the listing must work (or fail cleanly) on every file
    match f.tree() {
        Ok(t) => {
            if t.is_empty() {
                fails.push("empty tree".into());
            }
        }
        Err(e) => notes.push(format!("tree: {e}")),
    }
    if let Some(ra) = case.get("root_attrs").and_then(Value::as_array) {
        match f.attrs() {
            Ok(list) => {
                let mut got: Vec<String> = list.into_iter().map(|(n, _)| n).collect();
                let mut w: Vec<String> = ra
                    .iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect();
                got.sort();
                w.sort();
                if got != w {
                    fails.push(format!("root attributes {got:?}, expected {w:?}"));
                }
            }
            Err(e) => fails.push(format!("root attributes: {e}")),
        }
    }
    let mut refused_unresolvable = 0;
    let objects = case["objects"].as_array().cloned().unwrap_or_default();
    for o in &objects {
        let path = o["path"].as_str().unwrap_or("?");
        let r = catch_unwind(AssertUnwindSafe(|| -> Result<(), String> {
            match o["kind"].as_str() {
                Some("dataset") => check_dataset(&f, o, expect, &mut notes),
                Some("group") => match f.get(path) {
                    Ok(Node::Group(g)) => {
                        if let Some(want) = o.get("attrs").and_then(Value::as_array) {
                            let mut got: Vec<String> = g
                                .attrs()
                                .map_err(|e| e.to_string())?
                                .into_iter()
                                .map(|(n, _)| n)
                                .collect();
                            let mut w: Vec<String> = want
                                .iter()
                                .filter_map(|v| v.as_str().map(String::from))
                                .collect();
                            got.sort();
                            w.sort();
                            if got != w {
                                return Err(format!("group attributes {got:?}, expected {w:?}"));
                            }
                        }
                        Ok(())
                    }
                    Ok(_) => Err("not a group".into()),
                    Err(e) => Err(format!("cannot open group: {e}")),
                },
                Some("softlink") | Some("externallink") => check_link(&f, o),
                Some("committed_datatype") => match f.get(path) {
                    Ok(Node::Datatype(_)) => Ok(()),
                    Ok(_) => Err("not a committed datatype".into()),
                    Err(e) => Err(format!("cannot open committed datatype: {e}")),
                },
                Some("unresolvable") => {
                    let ok = f.get(path).is_err()
                        || f.group(&parent_and_name(path).0)
                            .and_then(|g| g.links())
                            .map(|l| l.iter().any(|l| matches!(l.kind, LinkKind::UserDefined(_))))
                            .unwrap_or(true);
                    if ok {
                        refused_unresolvable += 1;
                        Ok(())
                    } else if expect == "error" {
                        Err("an unresolvable object was opened".into())
                    } else {
                        // Newer libraries refuse some objects the linked one accepts.
                        notes.push(format!(
                            "{path}: opened (h5py's library refused it: {})",
                            o["error"]
                        ));
                        Ok(())
                    }
                }
                other => Err(format!("unknown manifest kind {other:?}")),
            }
        }));
        match r {
            Ok(Ok(())) => {}
            Ok(Err(e)) => fails.push(format!("{path}: {e}")),
            Err(_) => fails.push(format!("{path}: PANIC")),
        }
    }
    if expect == "error" && refused_unresolvable == 0 && case.get("open_error").is_none() {
        fails.push("an `error` file was read without refusing anything".into());
    }
    if fails.is_empty() {
        Verdict::Pass(notes)
    } else {
        Verdict::Fail(fails)
    }
}

#[test]
fn every_h5_real_file_matches_its_manifest() {
    let Some(td) = npy_check::testdata_dir() else {
        eprintln!("SKIP: no shared testdata (set EVSH_TESTDATA)");
        return;
    };
    let dir = td.join("h5_real");
    let Ok(text) = std::fs::read_to_string(dir.join("manifest.json")) else {
        eprintln!("SKIP: {}/manifest.json is missing", dir.display());
        return;
    };
    let m: Value =
        serde_json::from_str(&npy_check::fix_lone_surrogates(&text)).expect("manifest parses");
    let files = m["files"].as_array().expect("files");
    let only = std::env::var("H5_ONLY").ok();
    let (mut pass, mut fail) = (0, 0);
    let mut report = vec![];
    for case in files {
        let rel = case["file"].as_str().unwrap_or("?");
        if let Some(o) = &only {
            if !rel.contains(o.as_str()) {
                continue;
            }
        }
        let t0 = std::time::Instant::now();
        let v = catch_unwind(AssertUnwindSafe(|| check_file(&dir, case)));
        let secs = t0.elapsed().as_secs_f64();
        if secs > 2.0 {
            eprintln!("  {rel}: {secs:.1} s");
        }
        match v {
            Ok(Verdict::Pass(notes)) => {
                pass += 1;
                if std::env::var("H5_VERBOSE").is_ok() {
                    for n in notes {
                        eprintln!("  note {rel}: {n}");
                    }
                }
            }
            Ok(Verdict::Fail(f)) => {
                fail += 1;
                report.push(format!(
                    "{rel} ({}):\n    {}",
                    case["expect"],
                    f.join("\n    ")
                ));
            }
            Err(_) => {
                fail += 1;
                report.push(format!("{rel}: PANIC escaped"));
            }
        }
    }
    eprintln!("h5 conformance: {pass} files pass, {fail} fail");
    assert!(fail == 0, "{} files failed:\n{}", fail, report.join("\n"));
    assert!(only.is_some() || pass == files.len());
}
