//! `.npy` round trips with NumPy: arrays written by evsh (every dtype, padded and nested
//! records, 0-d, empty, strided views, big-endian, unaligned) are read by NumPy and
//! compared byte for byte; files written by NumPy are read by evsh and checked against
//! checksums NumPy computed, then written again by evsh and compared by NumPy.
//! Skips (with a printed reason) when `python3` with numpy is not available.

#[path = "common/npy_check.rs"]
mod npy_check;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use evsh::array::strings::string_at;
use evsh::array::{c_strides, Buf, DType, Field, StructType};
use evsh::io::npy::{dtype_descr, load, save};
use evsh::Array;
use num_complex::{Complex32, Complex64};
use serde_json::{json, Value};

#[path = "common/pyref.rs"]
#[allow(dead_code)]
mod pyref;

fn numpy_available() -> bool {
    pyref::python_has("numpy", "npy round trips")
}

fn python(script: &str, args: &[&Path]) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "python failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn raw(bytes: Vec<u8>, dtype: DType, swapped: bool, shape: Vec<usize>) -> Array {
    let strides = c_strides(&shape, dtype.itemsize());
    Array::from_parts(
        Arc::new(Buf::Owned(Box::new(bytes))),
        dtype,
        swapped,
        shape,
        strides,
        0,
    )
    .unwrap()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn le<T: bytemuck::Pod>(v: &[T]) -> Vec<u8> {
    const { assert!(cfg!(target_endian = "little")) };
    bytemuck::cast_slice(v).to_vec()
}

// ---------------------------------------------------------------- evsh writes, NumPy reads

const CHECK_EVSH_FILES: &str = r#"
import json, sys, numpy as np
d = sys.argv[1]
exp = json.load(open(d + '/expect.json'))
bad = []
for e in exp:
    try:
        a = np.load(d + '/' + e['file'], allow_pickle=False)
    except Exception as x:
        bad.append(f"{e['file']}: numpy refused: {x!r}"); continue
    descr = str(a.dtype.descr) if a.dtype.names is not None else a.dtype.str
    if descr != e['descr']:
        bad.append(f"{e['file']}: dtype {descr}, expected {e['descr']}")
    if list(a.shape) != e['shape']:
        bad.append(f"{e['file']}: shape {a.shape}, expected {e['shape']}")
    if a.tobytes().hex() != e['hex']:
        bad.append(f"{e['file']}: bytes {a.tobytes().hex()[:200]}, expected {e['hex'][:200]}")
    if 'names' in e and list(a.dtype.names) != e['names']:
        bad.append(f"{e['file']}: names {a.dtype.names}, expected {e['names']}")
    if 'fortran' in e and bool(np.isfortran(a)) != e['fortran']:
        bad.append(f"{e['file']}: isfortran {np.isfortran(a)}, expected {e['fortran']}")
    vals = a.tolist()
    if a.dtype.kind == 'S':
        vals = [x.decode('latin1') for x in vals]
    if 'values' in e and vals != e['values']:
        bad.append(f"{e['file']}: values {a.tolist()}, expected {e['values']}")
print(json.dumps({'checked': len(exp), 'bad': bad}))
"#;

struct Case {
    name: &'static str,
    a: Array,
    /// NumPy's `dtype.str`, or `str(dtype.descr)` for records.
    descr: String,
    shape: Vec<usize>,
    /// The C-order bytes NumPy must see.
    bytes: Vec<u8>,
    extra: Value,
}

fn case(name: &'static str, a: Array, descr: &str, shape: &[usize], bytes: Vec<u8>) -> Case {
    Case {
        name,
        a,
        descr: descr.to_string(),
        shape: shape.to_vec(),
        bytes,
        extra: json!({}),
    }
}

fn evsh_cases() -> Vec<Case> {
    let mut v = vec![];
    v.push(case(
        "bool",
        Array::from_bools(vec![true, false, true]),
        "|b1",
        &[3],
        vec![1, 0, 1],
    ));
    let i8s = vec![-128i8, -1, 0, 127];
    v.push(case(
        "i1",
        Array::from_vec(i8s.clone(), vec![4]).unwrap(),
        "|i1",
        &[4],
        le(&i8s),
    ));
    let i16s = vec![i16::MIN, -2, 0, i16::MAX];
    v.push(case(
        "i2",
        Array::from_vec(i16s.clone(), vec![2, 2]).unwrap(),
        "<i2",
        &[2, 2],
        le(&i16s),
    ));
    let i32s = vec![i32::MIN, 7, i32::MAX];
    v.push(case(
        "i4",
        Array::from_vec(i32s.clone(), vec![3]).unwrap(),
        "<i4",
        &[3],
        le(&i32s),
    ));
    let i64s = vec![i64::MIN, -5, i64::MAX];
    v.push(case(
        "i8",
        Array::from_vec(i64s.clone(), vec![3]).unwrap(),
        "<i8",
        &[3],
        le(&i64s),
    ));
    let u8s = vec![0u8, 255, 3];
    v.push(case(
        "u1",
        Array::from_vec(u8s.clone(), vec![3]).unwrap(),
        "|u1",
        &[3],
        le(&u8s),
    ));
    let u16s = vec![0u16, u16::MAX];
    v.push(case(
        "u2",
        Array::from_vec(u16s.clone(), vec![2]).unwrap(),
        "<u2",
        &[2],
        le(&u16s),
    ));
    let u32s = vec![1u32, u32::MAX];
    v.push(case(
        "u4",
        Array::from_vec(u32s.clone(), vec![2]).unwrap(),
        "<u4",
        &[2],
        le(&u32s),
    ));
    let u64s = vec![1u64, u64::MAX, 1 << 63];
    v.push(case(
        "u8",
        Array::from_vec(u64s.clone(), vec![3]).unwrap(),
        "<u8",
        &[3],
        le(&u64s),
    ));
    let f16s: Vec<half::f16> = [0.5f32, -2.0, 65504.0, f32::INFINITY, 1e-7]
        .iter()
        .map(|&x| half::f16::from_f32(x))
        .collect();
    v.push(case(
        "f2",
        Array::from_vec(f16s.clone(), vec![5]).unwrap(),
        "<f2",
        &[5],
        le(&f16s),
    ));
    let f32s = vec![
        1.5f32,
        f32::NAN,
        f32::NEG_INFINITY,
        -0.0,
        f32::MIN_POSITIVE / 4.0,
    ];
    v.push(case(
        "f4",
        Array::from_vec(f32s.clone(), vec![5]).unwrap(),
        "<f4",
        &[5],
        le(&f32s),
    ));
    let f64s: Vec<f64> = (0..6).map(|i| (i as f64).sqrt() * 1e300).collect();
    v.push(case(
        "f8",
        Array::from_vec(f64s.clone(), vec![2, 3]).unwrap(),
        "<f8",
        &[2, 3],
        le(&f64s),
    ));
    let c8 = vec![Complex32::new(1.0, -2.0), Complex32::new(f32::NAN, 0.5)];
    v.push(case(
        "c8",
        Array::from_vec(c8.clone(), vec![2]).unwrap(),
        "<c8",
        &[2],
        le(&c8),
    ));
    let c16 = vec![
        Complex64::new(1e-300, -2.0),
        Complex64::new(3.0, f64::INFINITY),
    ];
    v.push(case(
        "c16",
        Array::from_vec(c16.clone(), vec![2, 1]).unwrap(),
        "<c16",
        &[2, 1],
        le(&c16),
    ));
    // 0-d and empty
    v.push(case(
        "scalar",
        Array::scalar(2.25f64),
        "<f8",
        &[],
        le(&[2.25f64]),
    ));
    v.push(case(
        "empty",
        Array::from_vec(Vec::<f32>::new(), vec![0]).unwrap(),
        "<f4",
        &[0],
        vec![],
    ));
    v.push(case(
        "empty3d",
        Array::from_vec(Vec::<i16>::new(), vec![2, 0, 3]).unwrap(),
        "<i2",
        &[2, 0, 3],
        vec![],
    ));
    // views
    let m: Vec<i32> = (0..12).collect();
    let a = Array::from_vec(m.clone(), vec![3, 4]).unwrap();
    let t: Vec<i32> = (0..4)
        .flat_map(|j| (0..3).map(move |i| i * 4 + j))
        .collect();
    let mut c = case("transposed", a.transpose(), "<i4", &[4, 3], le(&t));
    c.extra = json!({"fortran": true});
    v.push(c);
    let s: Vec<i32> = (0..3).flat_map(|i| [i * 4 + 3, i * 4 + 1]).collect();
    let mut c = case(
        "step_slice",
        a.slice_axis(1, None, None, -2).unwrap(),
        "<i4",
        &[3, 2],
        le(&s),
    );
    c.extra = json!({"fortran": false});
    v.push(c);
    let r: Vec<i32> = (4..12).collect();
    v.push(case(
        "row_slice",
        a.slice_axis(0, Some(1), None, 1).unwrap(),
        "<i4",
        &[2, 4],
        le(&r),
    ));
    let cube = Array::from_vec((0..24u16).collect::<Vec<_>>(), vec![2, 3, 4]).unwrap();
    let ix: Vec<u16> = (0..2)
        .flat_map(|i| (0..4).map(move |k| i * 12 + 4 + k))
        .collect();
    v.push(case(
        "index_axis",
        cube.index_axis(1, 1).unwrap(),
        "<u2",
        &[2, 4],
        le(&ix),
    ));
    // big-endian stays big-endian
    let be: Vec<u8> = [1.0f64, -3.5]
        .iter()
        .flat_map(|x| x.to_be_bytes())
        .collect();
    let mut c = case(
        "big_endian",
        raw(be.clone(), DType::F64, true, vec![2]),
        ">f8",
        &[2],
        be,
    );
    c.extra = json!({"values": [1.0, -3.5]});
    v.push(c);
    let bt: Vec<u8> = (0..4u32).flat_map(|x| (x * 1000).to_be_bytes()).collect();
    let bt_t: Vec<u8> = [0usize, 2, 1, 3]
        .iter()
        .flat_map(|&i| bt[i * 4..i * 4 + 4].to_vec())
        .collect();
    let mut c = case(
        "big_endian_transposed",
        raw(bt, DType::U32, true, vec![2, 2]).transpose(),
        ">u4",
        &[2, 2],
        bt_t,
    );
    c.extra = json!({"values": [[0, 2000], [1000, 3000]]});
    v.push(c);
    // strings
    let sb = b"ab\0xyzq\0\0".to_vec();
    let mut c = case(
        "bytes",
        raw(sb.clone(), DType::Bytes(3), false, vec![3]),
        "|S3",
        &[3],
        sb,
    );
    c.extra = json!({"values": ["ab", "xyz", "q"]});
    v.push(c);
    let us: Vec<u32> = "αβ"
        .chars()
        .chain("z\0".chars())
        .map(|c| c as u32)
        .collect();
    let ub = le(&us);
    let mut c = case(
        "unicode",
        raw(ub.clone(), DType::Unicode(2), false, vec![2]),
        "<U2",
        &[2],
        ub,
    );
    c.extra = json!({"values": ["αβ", "z"]});
    v.push(c);
    let ube: Vec<u8> = us.iter().flat_map(|c| c.to_be_bytes()).collect();
    let mut c = case(
        "unicode_be",
        raw(ube.clone(), DType::Unicode(2), true, vec![2]),
        ">U2",
        &[2],
        ube,
    );
    c.extra = json!({"values": ["αβ", "z"]});
    v.push(c);
    // records with padding, big-endian sub-array field, trailing padding
    let st = Arc::new(StructType {
        itemsize: 24,
        fields: vec![
            Field {
                name: "a".into(),
                dtype: DType::U8,
                swapped: false,
                offset: 0,
                shape: vec![],
            },
            Field {
                name: "b".into(),
                dtype: DType::F64,
                swapped: false,
                offset: 8,
                shape: vec![],
            },
            Field {
                name: "c".into(),
                dtype: DType::I16,
                swapped: true,
                offset: 16,
                shape: vec![2],
            },
        ],
    });
    let mut rec = vec![];
    for i in 0..3u8 {
        let mut r = vec![0u8; 24];
        r[0] = i;
        r[8..16].copy_from_slice(&(i as f64 * 0.5).to_le_bytes());
        r[16..18].copy_from_slice(&(-(i as i16)).to_be_bytes());
        r[18..20].copy_from_slice(&(300 + i as i16).to_be_bytes());
        rec.extend(r);
    }
    let recs = raw(rec.clone(), DType::Struct(st.clone()), false, vec![3]);
    let mut c = case(
        "padded_record",
        recs.clone(),
        "[('a', '|u1'), ('', '|V7'), ('b', '<f8'), ('c', '>i2', (2,)), ('', '|V4')]",
        &[3],
        rec.clone(),
    );
    c.extra = json!({"names": ["a", "b", "c"]});
    v.push(c);
    let col: Vec<f64> = (0..3).map(|i| i as f64 * 0.5).collect();
    v.push(case(
        "record_column",
        recs.field("b").unwrap(),
        "<f8",
        &[3],
        le(&col),
    ));
    let cc: Vec<u8> = rec.chunks(24).flat_map(|r| r[16..20].to_vec()).collect();
    v.push(case(
        "record_subarray_column",
        recs.field("c").unwrap(),
        ">i2",
        &[3, 2],
        cc,
    ));
    let rrev: Vec<u8> = rec.chunks(24).rev().flat_map(|r| r.to_vec()).collect();
    v.push(case(
        "reversed_records",
        recs.slice_axis(0, None, None, -1).unwrap(),
        "[('a', '|u1'), ('', '|V7'), ('b', '<f8'), ('c', '>i2', (2,)), ('', '|V4')]",
        &[3],
        rrev,
    ));
    // nested record with strings, packed (unaligned f32 at offset 5), non-ASCII name
    let inner = Arc::new(StructType {
        itemsize: 8,
        fields: vec![
            Field {
                name: "x".into(),
                dtype: DType::F32,
                swapped: false,
                offset: 0,
                shape: vec![],
            },
            Field {
                name: "y".into(),
                dtype: DType::F32,
                swapped: false,
                offset: 4,
                shape: vec![],
            },
        ],
    });
    let outer = Arc::new(StructType {
        itemsize: 13,
        fields: vec![
            Field {
                name: "name".into(),
                dtype: DType::Bytes(4),
                swapped: false,
                offset: 0,
                shape: vec![],
            },
            Field {
                name: "données".into(),
                dtype: DType::U8,
                swapped: false,
                offset: 4,
                shape: vec![],
            },
            Field {
                name: "pos".into(),
                dtype: DType::Struct(inner),
                swapped: false,
                offset: 5,
                shape: vec![],
            },
        ],
    });
    let mut nb = vec![];
    for (i, name) in [b"p1\0\0", b"muon"].iter().enumerate() {
        nb.extend_from_slice(*name);
        nb.push(i as u8 + 10);
        nb.extend_from_slice(&(i as f32 + 0.25).to_le_bytes());
        nb.extend_from_slice(&(-(i as f32)).to_le_bytes());
    }
    let nested = raw(nb.clone(), DType::Struct(outer), false, vec![2]);
    let mut c = case(
        "nested_record",
        nested.clone(),
        "[('name', '|S4'), ('données', '|u1'), ('pos', [('x', '<f4'), ('y', '<f4')])]",
        &[2],
        nb.clone(),
    );
    c.extra = json!({"names": ["name", "données", "pos"]});
    v.push(c);
    let xs: Vec<f32> = vec![0.25, 1.25];
    v.push(case(
        "unaligned_column",
        nested.field("pos").unwrap().field("x").unwrap(),
        "<f4",
        &[2],
        le(&xs),
    ));
    v
}

#[test]
fn evsh_writes_numpy_reads() {
    if !numpy_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut expect = vec![];
    for c in evsh_cases() {
        let file = format!("{}.npy", c.name);
        save(&c.a, dir.path().join(&file)).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let mut e = json!({"file": file, "descr": c.descr, "shape": c.shape, "hex": hex(&c.bytes)});
        if let Value::Object(m) = c.extra {
            for (k, v) in m {
                e[k] = v;
            }
        }
        expect.push(e);
        // and evsh reads its own file back to the same bytes
        let b = load(dir.path().join(&file), None).unwrap();
        assert_eq!(b.shape(), c.shape.as_slice(), "{}", c.name);
        let n = b.to_contiguous_native();
        let got = &n.buf().bytes()[..n.nbytes()];
        let mut want = c.bytes.clone();
        if b.swapped() {
            let unit = match b.dtype() {
                DType::C64 | DType::Unicode(_) => 4,
                DType::C128 => 8,
                d => d.itemsize(),
            };
            want.chunks_exact_mut(unit).for_each(|u| u.reverse());
        }
        assert_eq!(hex(got), hex(&want), "{}: evsh re-read", c.name);
    }
    // no temporary files left behind by the atomic writer
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|f| !f.file_name().to_string_lossy().ends_with(".npy"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    std::fs::write(
        dir.path().join("expect.json"),
        serde_json::to_vec(&expect).unwrap(),
    )
    .unwrap();
    let out = python(CHECK_EVSH_FILES, &[dir.path()]);
    let r: Value = serde_json::from_str(out.trim()).expect("python json");
    println!("numpy checked {} evsh-written files", r["checked"]);
    assert_eq!(r["checked"].as_u64(), Some(expect.len() as u64));
    let bad = r["bad"].as_array().unwrap();
    assert!(
        bad.is_empty(),
        "NumPy disagrees:\n{}",
        bad.iter()
            .map(|b| b.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn save_is_atomic_and_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.npy");
    std::fs::write(&p, b"old contents").unwrap();
    let a = Array::from_vec(vec![1i64, 2, 3], vec![3]).unwrap();
    save(&a, &p).unwrap();
    let b = load(&p, None).unwrap();
    assert_eq!(b.as_slice::<i64>().unwrap().to_vec(), vec![1, 2, 3]);
    // overwrite a file that is currently mapped by `b`: b keeps its old contents
    let c = Array::from_vec(vec![9i64; 5], vec![5]).unwrap();
    save(&c, &p).unwrap();
    assert_eq!(b.as_slice::<i64>().unwrap().to_vec(), vec![1, 2, 3]);
    assert_eq!(load(&p, None).unwrap().shape(), &[5]);
    // saving into a missing folder fails cleanly and leaves nothing
    let e = save(&a, dir.path().join("nope/x.npy"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("nope"), "{e}");
    let e = save(&a, dir.path()).unwrap_err().to_string();
    assert!(e.contains("directory"), "{e}");
}

// ---------------------------------------------------------------- NumPy writes, evsh reads

const MAKE_NUMPY_FILES: &str = r#"
import json, sys, os, numpy as np
out = sys.argv[1]
rng = np.random.default_rng(12345)
cases = []

def jf(x):
    x = float(x)
    if np.isnan(x): return "NaN"
    if np.isinf(x): return "Infinity" if x > 0 else "-Infinity"
    return x

def one(x, kind):
    if kind == 'c': return [jf(x.real), jf(x.imag)]
    if kind == 'b': return int(x != 0)
    if kind in 'iu': return int(x)
    return jf(x)

def checksum(a):
    kind = a.dtype.kind
    flat = a.ravel(order='C')
    st = np.ravel(a, order='K') if a.size else flat
    ck = {}
    if kind == 'b':
        f = (flat.view(np.uint8) != 0).astype(np.float64)
        ck['sum'] = float(f.sum()); ck['sum_int'] = str(int((flat.view(np.uint8) != 0).sum()))
    elif kind in 'iu':
        f = flat.astype(np.float64)
        ck['sum'] = float(f.sum()); ck['sum_int'] = str(sum(int(x) for x in flat.tolist()))
        if a.size: ck['min'] = int(flat.min()); ck['max'] = int(flat.max())
    elif kind == 'f':
        f = flat.astype(np.float64)
        ck['sum'] = jf(np.nansum(f)); fin = f[np.isfinite(f)]
        if fin.size: ck['min'] = float(fin.min()); ck['max'] = float(fin.max())
        ck['nan_count'] = int(np.isnan(f).sum()); ck['posinf_count'] = int(np.isposinf(f).sum()); ck['neginf_count'] = int(np.isneginf(f).sum())
    elif kind == 'c':
        f = flat.astype(np.complex128)
        s = np.nansum(f.real) + 1j * np.nansum(f.imag)
        ck['sum'] = [jf(s.real), jf(s.imag)]
    w = ((np.arange(a.size) % 7) + 1).astype(np.float64)
    if kind == 'c':
        ws = (f * w).sum(); ck['wsum_c'] = [jf(ws.real), jf(ws.imag)]
    else:
        ck['wsum_c'] = jf((f * w).sum())
    if a.size:
        ck['first'] = one(flat[0], kind); ck['last'] = one(flat[-1], kind)
        ck['head_storage'] = [one(x, kind) for x in st[:4]]
    ck['head_c'] = [one(x, kind) for x in flat[:4]]
    return ck

def leaves(dt, path, off, sub0):
    for name in dt.names:
        fdt, foff = dt.fields[name][:2]
        sub = sub0 + list(fdt.shape); base = fdt.base
        if base.names is not None:
            yield from leaves(base, path + [name], off + foff, sub)
        else:
            yield path + [name], off + foff, base, sub

def sel(a, path):
    for p in path: a = a[p]
    return a

def strings(a):
    out = []
    for x in a.ravel(order='C').tolist():
        out.append(x.decode('latin1') if isinstance(x, bytes) else x)
    return out

def describe(a):
    d = {'shape': list(a.shape), 'itemsize': a.dtype.itemsize}
    if a.dtype.names is not None:
        d['leaves'] = []
        for path, off, base, sub in leaves(a.dtype, [], 0, []):
            v = sel(a, path)
            l = {'path': path, 'offset': off, 'dtype': base.str, 'subshape': sub}
            if base.kind in 'SU': l['strings'] = strings(v)
            else: l['checksum'] = checksum(v)
            d['leaves'].append(l)
    else:
        d['dtype'] = a.dtype.str
        if a.dtype.kind in 'SU': d['strings'] = strings(a)
        else: d['checksum'] = checksum(a)
    return d

def save(name, a, version=None):
    p = os.path.join(out, name + '.npy')
    if version is None:
        np.save(p, a)
    else:
        with open(p, 'wb') as f:
            np.lib.format.write_array(f, a, version=version)
    d = describe(a); d['file'] = name + '.npy'
    d['fortran'] = bool(np.isfortran(a))
    with open(p, 'rb') as f: head = f.read(8)
    d['version'] = [head[6], head[7]]
    cases.append(d)

def values(t, n):
    dt = np.dtype(t)
    if dt.kind == 'b': return rng.integers(0, 2, n).astype(bool)
    if dt.kind in 'iu':
        info = np.iinfo(dt); return rng.integers(info.min, info.max, n, dtype=dt, endpoint=True)
    if dt.kind == 'f':
        x = (rng.standard_normal(n) * 100).astype(dt)
        if n > 8: x[3] = np.nan; x[5] = np.inf; x[7] = -np.inf
        return x
    x = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(dt)
    if n > 8: x[2] = complex(np.nan, 1.0)
    return x

for t in ['?', 'i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8', 'f2', 'f4', 'f8', 'c8', 'c16']:
    orders = '<>' if np.dtype(t).itemsize > 1 else '|'
    for o in orders:
        dt = np.dtype(t).newbyteorder(o) if o != '|' else np.dtype(t)
        a = values(t, 60).astype(dt).reshape(3, 4, 5)
        tag = {'<': 'le', '>': 'be', '|': 'na'}[o]
        save(f'{t}_{tag}_c', a)
        save(f'{t}_{tag}_f', np.asfortranarray(a))
        save(f'{t}_{tag}_0d', a[1, 2, 3].reshape(()).astype(dt))
        save(f'{t}_{tag}_empty', np.zeros((0,), dt))
        save(f'{t}_{tag}_empty3d', np.zeros((2, 0, 3), dt))
save('f8_v2', values('f8', 30), version=(2, 0))
save('i4_v3', np.arange(10, dtype='<i4'), version=(3, 0))
save('bytes', np.array([[b'ab', b'xyz'], [b'', b'q\x00r']], dtype='S3'))
save('bytes_f', np.asfortranarray(np.array([[b'ab', b'xyz'], [b'', b'qq']], dtype='S3')))
save('unicode_le', np.array(['alpha', 'βγ', '', '数据'], dtype='<U5'))
save('unicode_be', np.array([['alpha', 'βγ'], ['', '数据']], dtype='>U5'))
aligned = np.dtype([('a', 'u1'), ('b', '<f8'), ('c', '>i4'), ('d', '<i2', (2, 3))], align=True)
r = np.zeros(7, aligned)
r['a'] = np.arange(7); r['b'] = np.linspace(-1, 1, 7); r['c'] = np.arange(7) * -1000; r['d'] = np.arange(42).reshape(7, 2, 3)
save('record_aligned', r)
save('record_aligned_2d_f', np.asfortranarray(np.resize(r, 12).reshape(3, 4)))
nested = np.dtype([('id', '<i4'), ('pos', [('x', '<f4'), ('y', '>f8')]), ('name', 'S6'), ('tag', '<U3'), ('m', '<f4', (2,))])
n = np.zeros(5, nested)
n['id'] = [5, 4, 3, 2, 1]; n['pos']['x'] = [0.5, 1.5, 2.5, 3.5, np.nan]; n['pos']['y'] = [1e300, -1e-300, 0, 2, 3]
n['name'] = [b'e-', b'mu+', b'', b'pi0', b'gamma']; n['tag'] = ['a', 'bc', 'δ', '', 'xyz']; n['m'] = np.arange(10).reshape(5, 2)
save('record_nested', n)
titled = np.dtype({'names': ['x', 'y'], 'formats': ['<f4', '<i2'], 'titles': ['X title', 'Y title']})
t = np.zeros(3, titled); t['x'] = [1, 2, 3]; t['y'] = [-1, -2, -3]
save('record_titles', t)
offs = np.dtype({'names': ['p', 'q'], 'formats': ['<f8', 'u1'], 'offsets': [4, 13], 'itemsize': 20})
o = np.zeros(4, offs); o['p'] = [1, 2, 3, 4]; o['q'] = [9, 8, 7, 6]
save('record_offsets', o)
many = np.dtype([(f'field_{i:04d}', '<f4') for i in range(3500)])
m = np.zeros(2, many); m['field_0000'] = [1, 2]; m['field_3499'] = [3, 4]
save('record_many_fields', m)
u = np.zeros(2, [('数据', '<f8'), ('données', '<i2')]); u['数据'] = [1.5, 2.5]; u['données'] = [7, 8]
save('record_unicode_names', u)
sub = np.zeros(3, [('img', '<u2', (2, 2)), ('rec', [('a', '<i8'), ('b', 'S2')], (2,))])
sub['img'] = np.arange(12).reshape(3, 2, 2)
save('record_subarray_of_records', sub)
json.dump(cases, open(os.path.join(out, 'cases.json'), 'w'))
print(len(cases))
"#;

const COMPARE_RESAVED: &str = r#"
import json, sys, numpy as np
a_dir, b_dir = sys.argv[1], sys.argv[2]
cases = json.load(open(a_dir + '/cases.json'))
bad = []
def same_bytes(a, b):
    if a.dtype.names is None:
        return a.tobytes() == b.tobytes()
    return a.dtype.names == b.dtype.names and all(same_bytes(a[n], b[n]) for n in a.dtype.names)
for c in cases:
    f = c['file']
    a = np.load(a_dir + '/' + f, max_header_size=10**6); b = np.load(b_dir + '/' + f, max_header_size=10**6)
    same_dtype = a.dtype == b.dtype
    if c['file'] == 'record_titles.npy':
        same_dtype = a.dtype.names == b.dtype.names and all(a.dtype.fields[n][:2] == b.dtype.fields[n][:2] for n in a.dtype.names)
    if not same_dtype: bad.append(f'{f}: dtype {b.dtype} != {a.dtype}')
    if a.shape != b.shape: bad.append(f'{f}: shape {b.shape} != {a.shape}')
    # records compare field by field: NumPy does not keep padding bytes through copies
    if not same_bytes(a, b): bad.append(f'{f}: bytes differ')
    if np.isfortran(a) != np.isfortran(b): bad.append(f'{f}: fortran {np.isfortran(b)} != {np.isfortran(a)}')
print(json.dumps({'checked': len(cases), 'bad': bad}))
"#;

fn check_numpy_case(a: &Array, c: &Value) -> Result<(), String> {
    let shape: Vec<usize> = c["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect();
    if a.shape() != shape.as_slice() {
        return Err(format!("shape {:?}, expected {shape:?}", a.shape()));
    }
    if a.dtype().itemsize() as u64 != c["itemsize"].as_u64().unwrap() {
        return Err(format!(
            "itemsize {}, expected {}",
            a.dtype().itemsize(),
            c["itemsize"]
        ));
    }
    let check_strings = |x: &Array, want: &Value| -> Result<(), String> {
        let want = want.as_array().unwrap();
        if want.len() != x.size() {
            return Err(format!("{} strings, expected {}", x.size(), want.len()));
        }
        for (i, w) in want.iter().enumerate() {
            let got = string_at(x, i).map_err(|e| e.to_string())?;
            if Some(got.as_str()) != w.as_str() {
                return Err(format!("string {i}: {got:?}, expected {w}"));
            }
        }
        Ok(())
    };
    if let Some(leaves) = c.get("leaves").and_then(Value::as_array) {
        for l in leaves {
            let mut x = a.clone();
            for p in l["path"].as_array().unwrap() {
                x = x.field(p.as_str().unwrap()).map_err(|e| e.to_string())?;
            }
            let path = l["path"].to_string();
            let off = (x.offset() - a.offset()) as u64;
            if off != l["offset"].as_u64().unwrap() {
                return Err(format!("{path}: offset {off}, expected {}", l["offset"]));
            }
            let d = dtype_descr(x.dtype(), x.swapped());
            if d != l["dtype"].as_str().unwrap() {
                return Err(format!("{path}: dtype {d}, expected {}", l["dtype"]));
            }
            let sub: Vec<usize> = l["subshape"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect();
            let mut full = shape.clone();
            full.extend(&sub);
            // a leaf under sub-array records has the record's sub-shape too
            if !x.shape().ends_with(&sub) || x.shape()[..shape.len()] != shape[..] {
                return Err(format!("{path}: shape {:?}, expected {full:?}", x.shape()));
            }
            if let Some(s) = l.get("strings") {
                check_strings(&x, s).map_err(|e| format!("{path}: {e}"))?;
            } else {
                npy_check::check_block(&x, &l["checksum"]).map_err(|e| format!("{path}: {e}"))?;
            }
        }
    } else {
        let d = dtype_descr(a.dtype(), a.swapped());
        if d != c["dtype"].as_str().unwrap() {
            return Err(format!("dtype {d}, expected {}", c["dtype"]));
        }
        if let Some(s) = c.get("strings") {
            check_strings(a, s)?;
        } else {
            npy_check::check_block(a, &c["checksum"])?;
        }
    }
    Ok(())
}

#[test]
fn numpy_writes_evsh_reads() {
    if !numpy_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let n: usize = python(MAKE_NUMPY_FILES, &[dir.path()])
        .trim()
        .parse()
        .unwrap();
    let cases: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("cases.json")).unwrap()).unwrap();
    let cases = cases.as_array().unwrap();
    assert_eq!(cases.len(), n);
    let out = tempfile::tempdir().unwrap();
    let mut fails = vec![];
    let mut versions = std::collections::BTreeSet::new();
    for c in cases {
        let file = c["file"].as_str().unwrap();
        let path = dir.path().join(file);
        versions.insert(c["version"].to_string());
        let r = std::panic::catch_unwind(|| -> Result<(), String> {
            let a = load(&path, None).map_err(|e| e.to_string())?;
            check_numpy_case(&a, c)?;
            let h = evsh::io::npy::parse_header(&std::fs::read(&path).unwrap()).unwrap();
            if h.fortran_order != c["fortran"].as_bool().unwrap() && a.ndim() > 1 {
                return Err(format!("fortran_order {}", h.fortran_order));
            }
            save(&a, out.path().join(file)).map_err(|e| format!("re-save: {e}"))
        });
        match r {
            Ok(Ok(())) => {}
            Ok(Err(e)) => fails.push(format!("{file}: {e}")),
            Err(_) => fails.push(format!("{file}: PANIC")),
        }
    }
    println!(
        "evsh read {} NumPy-written files (format versions {versions:?})",
        cases.len()
    );
    assert!(
        fails.is_empty(),
        "{} failures:\n{}",
        fails.len(),
        fails.join("\n")
    );
    assert!(
        versions.len() == 3,
        "expected files of format 1.0, 2.0 and 3.0: {versions:?}"
    );
    let out_s = python(COMPARE_RESAVED, &[dir.path(), out.path()]);
    let r: Value = serde_json::from_str(out_s.trim()).unwrap();
    let bad = r["bad"].as_array().unwrap();
    println!("numpy compared {} files re-saved by evsh", r["checked"]);
    assert!(
        bad.is_empty(),
        "re-saved files differ:\n{}",
        bad.iter()
            .map(|b| b.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// `astype(">f8")` (a byte order opposite to this machine's) is kept when saving, in
/// `.npy` and `.npz`, as NumPy keeps it; `astype("<f8")` of such an array is native again.
#[test]
fn byte_order_asked_for_is_kept_when_saving() {
    if !numpy_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let mut s = evsh::script::Session::new();
    let code = format!(
        "let x = array([1.5, -2.0, 3.25]); let c = array([1, 2, 3]).astype(\">i4\");\
         save(x.astype(\">f8\"), \"{d}/be.npy\"); save(c, \"{d}/bi.npy\");\
         savez(\"{d}/be.npz\", #{{x: x.astype(\">f4\")}});\
         save(x.astype(\">f8\").astype(\"<f8\"), \"{d}/le.npy\");\
         [x.astype(\">f8\").sum(), c.sum()]"
    );
    let v = s.eval(&code).unwrap().into_array().unwrap();
    assert_eq!(
        v[0].as_float().unwrap(),
        2.75,
        "values read back through the swap"
    );
    assert_eq!(v[1].as_int().unwrap(), 6);
    let out = python(
        "import sys, numpy as np\n\
         d = sys.argv[1]\n\
         a = np.load(d + '/be.npy'); b = np.load(d + '/bi.npy')\n\
         z = np.load(d + '/be.npz')['x']; l = np.load(d + '/le.npy')\n\
         print(a.dtype.str, b.dtype.str, z.dtype.str, l.dtype.str, a.tolist(), b.tolist(), z.tolist(), l.tolist())",
        &[dir.path()],
    );
    assert_eq!(
        out.trim(),
        ">f8 >i4 >f4 <f8 [1.5, -2.0, 3.25] [1, 2, 3] [1.5, -2.0, 3.25] [1.5, -2.0, 3.25]",
    );
}
