//! `.npz` archives and CSV text tables, checked against NumPy both ways: NumPy writes
//! `np.savez` / `np.savez_compressed` archives (every numeric dtype, big-endian, Fortran
//! order, bool, 0-d and empty arrays, strings) and `np.savetxt` text, and evsh reads them
//! through the script engine with every value compared byte for byte; evsh writes
//! `savez`, `savez_compressed` and `save(x, "x.csv")`, and NumPy's `np.load` /
//! `np.loadtxt` must read back exactly what evsh holds (a JSON verdict).
//! Tests that need numpy skip with a printed reason when it is missing (fail when
//! `EVSH_REQUIRE_REFS` is set). Bad inputs (truncated or corrupt archives, pickled
//! members, zip bombs, ragged CSV) must be clear errors, never panics.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use evsh::script::Session;
use evsh::Array;
use serde_json::Value;

#[path = "common/pyref.rs"]
#[allow(dead_code)]
mod pyref;

fn numpy_ok(what: &str) -> bool {
    pyref::python_has("numpy", what)
}

/// Run a Python program with the temp dir as argv[1]; its stdout as JSON.
fn python(code: &str, dir: &Path) -> Value {
    let out = Command::new("python3")
        .arg("-c")
        .arg(code)
        .arg(dir)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "json from python: {e}: {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn eval(s: &mut Session, code: &str) -> rhai::Dynamic {
    s.eval(code).unwrap_or_else(|e| panic!("{code}: {e}"))
}

fn eval_err(s: &mut Session, code: &str) -> String {
    match s.eval(code) {
        Ok(v) => panic!("{code} should fail, gave {v:?}"),
        Err(e) => {
            let e = e.to_string();
            assert!(!e.to_lowercase().contains("panic"), "{code} panicked: {e}");
            e
        }
    }
}

fn array(v: rhai::Dynamic, what: &str) -> Array {
    let ty = v.type_name().to_string();
    v.try_cast::<Array>()
        .unwrap_or_else(|| panic!("{what}: expected an Array, found {ty}"))
}

/// The elements of `a` in C order as native (little-endian here) bytes, hex.
fn c_bytes_hex(a: &Array) -> String {
    let n = a.to_contiguous_native();
    let b = &n.buf().bytes()[n.offset()..n.offset() + n.nbytes()];
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Arrays NumPy writes into `st.npz` (np.savez) and `cz.npz` (np.savez_compressed), and
/// for each one its dtype name as evsh spells it, shape and C-order little-endian bytes.
const WRITE_NPZ: &str = r#"
import json, sys
import numpy as np
d = sys.argv[1]
rng = np.random.default_rng(12)
arrs = {}
for t in ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"]:
    info = np.iinfo(t)
    arrs[t] = rng.integers(info.min, info.max, size=(7, 3), dtype=t, endpoint=True)
arrs["f2"] = rng.standard_normal(11).astype("f2")
arrs["f4"] = rng.standard_normal((2, 3, 4)).astype("f4")
arrs["f8"] = np.array([0.1, -1e-300, 1e300, np.nan, np.inf, -np.inf, -0.0, 5e-324])
arrs["c16"] = (rng.standard_normal(5) + 1j * rng.standard_normal(5))
arrs["be_f8"] = rng.standard_normal((4, 2)).astype(">f8")
arrs["be_i4"] = rng.integers(-10**9, 10**9, size=9).astype(">i4")
arrs["fort"] = np.asfortranarray(rng.standard_normal((3, 5)))
arrs["fort_be_u2"] = np.asfortranarray(rng.integers(0, 65535, size=(4, 6)).astype(">u2"))
arrs["mask"] = rng.random(13) < 0.5
arrs["zero_d"] = np.array(3.25)
arrs["empty"] = np.zeros((0, 3), dtype="f4")
arrs["words"] = np.array(["ab", "héllo", ""])
np.savez(f"{d}/st.npz", **arrs)
np.savez_compressed(f"{d}/cz.npz", **arrs)
out = {}
for k, a in arrs.items():
    name = f"<U{a.dtype.itemsize // 4}" if a.dtype.kind == "U" else a.dtype.name
    le = np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<"))
    out[k] = {"dtype": name, "shape": list(a.shape), "hex": le.tobytes().hex()}
print(json.dumps(out))
"#;

#[test]
fn numpy_npz_read_by_evsh() {
    if !numpy_ok("npz read tests") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let want = python(WRITE_NPZ, dir.path());
    let want = want.as_object().unwrap();
    let mut s = Session::new();
    for file in ["st.npz", "cz.npz"] {
        let p = dir.path().join(file);
        let _ = eval(&mut s, &format!("let d = load(\"{}\");", p.display()));
        let keys = eval(&mut s, "d.keys()").cast::<rhai::Array>();
        assert_eq!(keys.len(), want.len(), "{file}: members");
        for (k, w) in want {
            let a = array(eval(&mut s, &format!("d[\"{k}\"]")), k);
            assert_eq!(
                a.dtype().name(),
                w["dtype"].as_str().unwrap(),
                "{file} {k} dtype"
            );
            let shape: Vec<usize> = w["shape"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap() as usize)
                .collect();
            assert_eq!(a.shape(), &shape[..], "{file} {k} shape");
            assert_eq!(
                c_bytes_hex(&a),
                w["hex"].as_str().unwrap(),
                "{file} {k} values"
            );
            // Stored members view the file mapping; deflated ones are inflated.
            assert_eq!(a.buf().is_mapped(), file == "st.npz", "{file} {k} mapping");
        }
        // The members work as arrays in the script.
        let m = eval(&mut s, "d.mask.count()").as_int().unwrap();
        assert!(m > 0);
    }
}

/// np.load checks each member evsh wrote against the original (dtype with byte order,
/// shape, Fortran order, every byte).
const CHECK_NPZ: &str = r#"
import json, sys, zipfile
import numpy as np
d = sys.argv[1]
orig = np.load(f"{d}/st.npz")
verdict = {}
for out in ["ev_st.npz", "ev_cz.npz", "ev_from_cz.npz"]:
    got = np.load(f"{d}/{out}")
    bad = []
    if sorted(got.files) != sorted(list(orig.files) + ["made"]):
        bad.append(f"members {sorted(got.files)}")
    for k in orig.files:
        a, b = orig[k], got[k]
        if a.dtype.str != b.dtype.str or a.shape != b.shape or a.tobytes() != b.tobytes():
            bad.append(f"{k}: {b.dtype.str} {b.shape} vs {a.dtype.str} {a.shape}")
        if a.ndim > 1 and a.flags.f_contiguous and not a.flags.c_contiguous and not b.flags.f_contiguous:
            bad.append(f"{k}: Fortran order lost")
    made = got["made"]
    if made.dtype != np.int64 or not np.array_equal(made, np.arange(12).reshape(3, 4).T):
        bad.append(f"made: {made.dtype} {made.tolist()}")
    methods = sorted({i.compress_type for i in zipfile.ZipFile(f"{d}/{out}").infolist()})
    verdict[out] = {"bad": bad, "methods": methods}
print(json.dumps(verdict))
"#;

#[test]
fn evsh_npz_read_by_numpy() {
    if !numpy_ok("npz write tests") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let _ = python(WRITE_NPZ, dir.path());
    let d = dir.path().display();
    let mut s = Session::new();
    let _ = eval(
        &mut s,
        &format!(
            "let st = load(\"{d}/st.npz\"); let cz = load(\"{d}/cz.npz\"); \
             st.made = arange(0, 12).reshape([3, 4]).T; cz.made = st.made; \
             savez(\"{d}/ev_st.npz\", st); savez_compressed(\"{d}/ev_cz.npz\", st); \
             savez(\"{d}/ev_from_cz.npz\", cz);"
        ),
    );
    let v = python(CHECK_NPZ, dir.path());
    for (out, method) in [("ev_st.npz", 0), ("ev_cz.npz", 8), ("ev_from_cz.npz", 0)] {
        assert_eq!(v[out]["bad"], serde_json::json!([]), "{out}: {}", v[out]);
        assert_eq!(v[out]["methods"], serde_json::json!([method]), "{out}");
    }
    // evsh's own stored members are aligned: read back, they view the mapping in place.
    let _ = eval(&mut s, &format!("let back = load(\"{d}/ev_st.npz\");"));
    let a = array(eval(&mut s, "back.f8"), "f8");
    assert!(
        a.buf().is_mapped() && a.viewable(),
        "aligned stored member is mapped"
    );
    assert_eq!(eval(&mut s, "back.f8.mem").into_string().unwrap(), "mapped");
    // The written file has the permissions of an ordinary new file (umask applied).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("ev_st.npz"))
            .unwrap()
            .permissions()
            .mode();
        assert_ne!(mode & 0o777, 0o600, "temporary-file permissions leaked");
    }
}

const SAVETXT: &str = r#"
import json, sys
import numpy as np
d = sys.argv[1]
rng = np.random.default_rng(3)
x = rng.standard_normal((6, 3)) * 10.0 ** rng.integers(-30, 30, size=(6, 3))
np.savetxt(f"{d}/x.txt", x, delimiter=",", header="made by numpy")
k = rng.integers(-10**15, 10**15, size=(5, 2))
np.savetxt(f"{d}/k.csv", k, delimiter=",", fmt="%d")
print(json.dumps({"x": [float.hex(float(v)) for v in x.T.ravel()],
                  "k": [int(v) for v in k.T.ravel()]}))
"#;

#[test]
fn numpy_savetxt_read_by_load_csv() {
    if !numpy_ok("savetxt read tests") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let want = python(SAVETXT, dir.path());
    let d = dir.path().display();
    let mut s = Session::new();
    let _ = eval(
        &mut s,
        &format!(
            "let x = load_csv(\"{d}/x.txt\", #{{header: false, comment: \"#\"}}); \
             let k = load_csv(\"{d}/k.csv\", #{{header: false}});"
        ),
    );
    let mut got = vec![];
    for c in 0..3 {
        let a = array(eval(&mut s, &format!("x[\"c{c}\"]")), "x column");
        assert_eq!(a.dtype().name(), "float64");
        got.extend(a.as_slice::<f64>().unwrap().iter().map(|v| hexf(*v)));
    }
    let want_x: Vec<String> = want["x"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, want_x);
    let mut got = vec![];
    for c in 0..2 {
        let a = array(eval(&mut s, &format!("k[\"c{c}\"]")), "k column");
        assert_eq!(a.dtype().name(), "int64");
        got.extend(a.as_slice::<i64>().unwrap().iter().copied());
    }
    let want_k: Vec<i64> = want["k"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(got, want_k);
}

/// Python's `float.hex` spelling of an f64 (to compare values exactly through JSON).
fn hexf(v: f64) -> String {
    if v == 0.0 {
        return if v.is_sign_negative() {
            "-0x0.0p+0"
        } else {
            "0x0.0p+0"
        }
        .into();
    }
    let bits = v.to_bits();
    let sign = if v < 0.0 { "-" } else { "" };
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let man = bits & ((1u64 << 52) - 1);
    let (lead, e) = if exp == 0 {
        (0, -1022)
    } else {
        (1, exp - 1023)
    };
    let mut m = format!("{man:013x}");
    while m.len() > 1 && m.ends_with('0') {
        m.pop();
    }
    format!("{sign}0x{lead}.{m}p{e:+}")
}

#[test]
fn hand_written_csv() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("runs.csv");
    std::fs::write(
        &p,
        "\u{feff}# exported by hand\r\nrun,name,energy,ok,note\r\n\
         3,\"Smith, J\",1.5,true,\r\n\
         1,\"say \"\"hi\"\"\",,false,x\r\n\
         2,plain,-2e3,True,\"multi\r\nline\"\r\n",
    )
    .unwrap();
    let mut s = Session::new();
    let _ = eval(
        &mut s,
        &format!("let t = load_csv(\"{}\", #{{skip: 1}});", p.display()),
    );
    assert_eq!(eval(&mut s, "t.nrows").as_int().unwrap(), 3);
    assert_eq!(
        eval(&mut s, "t.columns").to_string(),
        r#"["run", "name", "energy", "ok", "note"]"#
    );
    let run = array(eval(&mut s, "t[\"run\"]"), "run");
    assert_eq!(run.dtype().name(), "int64");
    assert_eq!(run.as_slice::<i64>().unwrap().to_vec(), vec![3, 1, 2]);
    let e = array(eval(&mut s, "t[\"energy\"]"), "energy");
    assert_eq!(e.dtype().name(), "float64");
    let ev = e.as_slice::<f64>().unwrap().to_vec();
    assert!(ev[0] == 1.5 && ev[1].is_nan() && ev[2] == -2000.0, "{ev:?}");
    let ok = array(eval(&mut s, "t[\"ok\"]"), "ok");
    assert_eq!(ok.dtype().name(), "bool");
    let names = array(eval(&mut s, "t[\"name\"]"), "name");
    assert_eq!(names.dtype().name(), "<U8");
    let strs: Vec<String> = (0..3)
        .map(|i| evsh::array::strings::string_at(&names, i).unwrap())
        .collect();
    assert_eq!(strs, ["Smith, J", "say \"hi\"", "plain"]);
    for (i, want) in ["", "x", "multi\r\nline"].iter().enumerate() {
        let got = eval(&mut s, &format!("t.col(\"note\")[{i}]"));
        assert_eq!(got.into_string().unwrap(), *want);
    }
    // dtypes override, header: false, delimiter.
    let q = dir.path().join("semi.csv");
    std::fs::write(&q, "1;2;a\n3;4;b\n").unwrap();
    let _ = eval(
        &mut s,
        &format!(
            "let u = load_csv(\"{}\", #{{header: false, delimiter: \";\", dtypes: #{{c1: \"float64\"}}}});",
            q.display()
        ),
    );
    assert_eq!(
        eval(&mut s, "u[\"c0\"].dtype").into_string().unwrap(),
        "int64"
    );
    assert_eq!(
        eval(&mut s, "u[\"c1\"].dtype").into_string().unwrap(),
        "float64"
    );
    assert_eq!(eval(&mut s, "u.col(\"c2\")").to_string(), r#"["a", "b"]"#);
    // load by extension is load_csv with defaults.
    assert_eq!(
        eval(&mut s, &format!("load(\"{}\").nrows", q.display()))
            .as_int()
            .unwrap(),
        1
    );
    // Table verbs: filter, select, sort.
    assert_eq!(
        eval(&mut s, "t.filter(t[\"run\"] > 1).col(\"run\")").to_string(),
        "[3, 2]"
    );
    assert_eq!(
        eval(&mut s, "t.select([\"ok\", \"run\"]).columns").to_string(),
        r#"["ok", "run"]"#
    );
    assert_eq!(
        eval(&mut s, "t.sort(\"run\").col(\"run\")").to_string(),
        "[1, 2, 3]"
    );
    assert_eq!(
        eval(&mut s, "t.sort(\"run\", #{descending: true}).col(\"run\")").to_string(),
        "[3, 2, 1]"
    );
    // NaN goes last either way; the sort is stable.
    assert_eq!(
        eval(
            &mut s,
            "t.sort(\"energy\", #{descending: true}).col(\"run\")"
        )
        .to_string(),
        "[3, 2, 1]"
    );
    // table() from arrays, strings shown as text.
    let _ = eval(
        &mut s,
        "let tb = table(#{n: t[\"name\"], e: t[\"energy\"]});",
    );
    let shown = eval(&mut s, "tb.to_csv()").into_string().unwrap();
    assert!(
        shown.contains("Smith, J") && !shown.contains("b'"),
        "{shown}"
    );
    let e = eval_err(&mut s, "t.filter(t[\"run\"])");
    assert!(e.contains("bool"), "{e}");
    let e = eval_err(&mut s, "t.filter(arange(0, 2) > 0)");
    assert!(e.contains("2 elements") && e.contains("3 rows"), "{e}");
    let e = eval_err(&mut s, "t.select([\"nope\"])");
    assert!(e.contains("nope") && e.contains("energy"), "{e}");
    let e = eval_err(&mut s, "t[\"nope\"]");
    assert!(e.contains("nope"), "{e}");
}

const CHECK_CSV: &str = r#"
import json, sys
import numpy as np
d = sys.argv[1]
src = np.load(f"{d}/src.npz")
bad = []
for k in src.files:
    a = src[k]
    dt = np.int64 if a.dtype == bool else a.dtype.newbyteorder("=")
    got = np.loadtxt(f"{d}/{k}.csv", delimiter=",", dtype=dt, ndmin=a.ndim)
    if a.dtype == bool:
        got = got.astype(bool)
    if got.shape != a.shape or got.tobytes() != a.astype(got.dtype).tobytes():
        bad.append(f"{k}: {got.dtype} {got.shape} {got.ravel()[:4]} vs {a.ravel()[:4]}")
print(json.dumps({"bad": bad, "n": len(src.files)}))
"#;

#[test]
fn evsh_csv_read_by_numpy_loadtxt() {
    if !numpy_ok("csv write tests") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let _ = python(
        r#"
import sys, json
import numpy as np
d = sys.argv[1]
rng = np.random.default_rng(7)
f8 = rng.standard_normal((5, 3)) * 10.0 ** rng.integers(-300, 300, size=(5, 3))
f8[0, 0] = np.nan; f8[1, 1] = np.inf; f8[2, 2] = -0.0; f8[3, 0] = 5e-324
np.savez(f"{d}/src.npz", f8=f8, f4=rng.standard_normal(9).astype("f4"),
         f2=rng.standard_normal(4).astype("f2"), be=rng.standard_normal((2, 2)).astype(">f8"),
         i8=rng.integers(-2**63, 2**63 - 1, size=6, endpoint=True),
         u8=np.array([0, 2**64 - 1], dtype="u8"), i1=np.array([-128, 127], dtype="i1"),
         b=rng.random(5) < 0.5, fort=np.asfortranarray(rng.standard_normal((3, 4))))
print("{}")
"#,
        dir.path(),
    );
    let mut s = Session::new();
    let _ = eval(
        &mut s,
        &format!(
            "let src = load(\"{d}/src.npz\"); \
             for k in src.keys() {{ save(src[k], \"{d}/\" + k + \".csv\"); }}"
        ),
    );
    let v = python(CHECK_CSV, dir.path());
    assert_eq!(v["bad"], serde_json::json!([]), "{v}");
    assert_eq!(v["n"], 9);
    let e = eval_err(&mut s, &format!("save(zeros([2, 2, 2]), \"{d}/x.csv\")"));
    assert!(e.contains("x.csv") && e.contains("1-D or 2-D"), "{e}");
}

#[test]
fn bad_archives_and_tables_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let mut s = Session::new();
    // Truncated: evsh writes an archive, half of it is kept.
    let _ = eval(
        &mut s,
        &format!("savez(\"{d}/ok.npz\", #{{a: arange(0, 1000), b: arange(0, 10) > 3}});"),
    );
    let bytes = std::fs::read(dir.path().join("ok.npz")).unwrap();
    std::fs::write(dir.path().join("cut.npz"), &bytes[..bytes.len() - 40]).unwrap();
    let e = eval_err(&mut s, &format!("load(\"{d}/cut.npz\")"));
    assert!(e.contains("cut.npz"), "{e}");
    // Not a zip at all, though it starts like one.
    std::fs::write(dir.path().join("junk.npz"), b"PK\x03\x04 not really a zip").unwrap();
    let e = eval_err(&mut s, &format!("load(\"{d}/junk.npz\")"));
    assert!(e.contains("junk.npz") && e.contains("zip"), "{e}");

    // A pickled (object) member, and a member that is not .npy.
    let obj = dir.path().join("obj.npz");
    {
        let f = std::fs::File::create(&obj).unwrap();
        let mut z = zip::ZipWriter::new(f);
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        z.start_file("o.npy", o).unwrap();
        let dict = "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }";
        let mut h = b"\x93NUMPY\x01\x00".to_vec();
        let mut body = dict.to_string();
        while !(10 + body.len() + 1).is_multiple_of(64) {
            body.push(' ');
        }
        body.push('\n');
        h.extend_from_slice(&(body.len() as u16).to_le_bytes());
        h.extend_from_slice(body.as_bytes());
        h.extend_from_slice(b"\x80\x04pickle!!");
        z.write_all(&h).unwrap();
        z.finish().unwrap();
    }
    let e = eval_err(&mut s, &format!("load(\"{}\")", obj.display()));
    assert!(
        e.contains("obj.npz") && e.contains("o.npy") && e.contains("pickled"),
        "{e}"
    );
    let txt = dir.path().join("txt.npz");
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(&txt).unwrap());
        z.start_file("readme.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(b"hello").unwrap();
        z.finish().unwrap();
    }
    let e = eval_err(&mut s, &format!("load(\"{}\")", txt.display()));
    assert!(e.contains("readme.txt") && e.contains(".npy"), "{e}");

    // A zip bomb: 64 MB of zeros deflated to a few kB, loaded under a 16 MB budget.
    let bomb = dir.path().join("bomb.npz");
    {
        let n = 64usize << 20;
        let mut z = zip::ZipWriter::new(std::fs::File::create(&bomb).unwrap());
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file("zeros.npy", o).unwrap();
        z.write_all(&evsh::io::npy::header_bytes(
            &evsh::array::DType::U8,
            false,
            &[n],
        ))
        .unwrap();
        let chunk = vec![0u8; 1 << 20];
        for _ in 0..64 {
            z.write_all(&chunk).unwrap();
        }
        z.finish().unwrap();
    }
    assert!(std::fs::metadata(&bomb).unwrap().len() < 1 << 20);
    let out = Command::new(env!("CARGO_BIN_EXE_evsh"))
        .args(["--mem-budget", "16M", "-c"])
        .arg(format!("load(\"{}\")", bomb.display()))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a zip bomb loaded: {err}");
    assert!(
        err.contains("bomb.npz") && err.contains("zeros.npy") && err.contains("budget"),
        "{err}"
    );
    assert!(!err.to_lowercase().contains("panic"), "{err}");

    // Ragged CSV rows name the line.
    let rag = dir.path().join("rag.csv");
    std::fs::write(&rag, "a,b\n1,2\n3,4,5\n").unwrap();
    let e = eval_err(&mut s, &format!("load_csv(\"{}\")", rag.display()));
    assert!(e.contains("rag.csv") && e.contains("line 3"), "{e}");
    let e = eval_err(
        &mut s,
        &format!(
            "load_csv(\"{}\", #{{dtypes: #{{a: \"int64\"}}, skip: -1}})",
            rag.display()
        ),
    );
    assert!(e.contains("skip"), "{e}");
    let e = eval_err(&mut s, &format!("load_csv(\"{d}/missing.csv\")"));
    assert!(e.contains("missing.csv"), "{e}");
    let e = eval_err(&mut s, &format!("savez(\"{d}/x.npz\", #{{a: [1, 2]}})"));
    assert!(e.contains("x.npz") && e.contains("'a'"), "{e}");
}
