//! `sort`, `argsort`, `sort_axis`, `argsort_axis`, `unique` and `unique_counts` against
//! NumPy (bench/sort_ref.py writes inputs and NumPy's answers as .npy files): every
//! dtype, NaN (several payloads, both signs), ±inf, -0.0, duplicates, empty arrays,
//! strided and reversed views, transposes, big-endian and Fortran-order files, 3-D arrays
//! along every axis. Sorted values must be bit-identical to `np.sort(kind="stable")`.
//! Skips with a printed reason when python3/numpy is absent.

#[path = "common/pyref.rs"]
#[allow(dead_code)]
mod pyref;

use std::path::Path;
use std::process::Command;

use evsh::array::sort::{argsort, argsort_axis, sort, sort_axis, unique, unique_counts};
use evsh::io::npy;
use evsh::output::table::Col;
use evsh::{Array, DType};

/// The logical bytes of `a` in C order and native byte order.
fn bytes(a: &Array) -> Vec<u8> {
    let c = a.to_contiguous_native();
    c.buf().bytes()[..a.nbytes()].to_vec()
}

fn same(what: &str, got: &Array, want: &Array) {
    assert_eq!(got.dtype(), want.dtype(), "{what}: dtype");
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    assert!(
        bytes(got) == bytes(want),
        "{what}: values differ from NumPy"
    );
}

fn view(a: &Array, v: &str) -> Array {
    match v {
        "plain" => a.clone(),
        "step2" => a.slice_axis(0, None, None, 2).unwrap(),
        "rev3" => a.slice_axis(0, None, None, -3).unwrap(),
        "T" => a.transpose(),
        other => panic!("unknown view {other}"),
    }
}

fn as_f64(a: &Array) -> Vec<f64> {
    let f = evsh::array::ops::astype(a, &DType::F64).unwrap();
    f.as_slice::<f64>().unwrap().to_vec()
}

fn check_counts(tag: &str, x: &Array, dir: &Path) {
    let t = unique_counts(x).unwrap();
    let want_v = npy::load(dir.join(format!("{tag}.cvals.npy")), None).unwrap();
    let want_c = npy::load(dir.join(format!("{tag}.counts.npy")), None).unwrap();
    assert_eq!(
        t.col("count").unwrap(),
        &Col::Int(want_c.as_slice::<i64>().unwrap().to_vec()),
        "{tag}: unique_counts counts"
    );
    match t.col("value").unwrap() {
        Col::Float(v) => {
            let w = as_f64(&want_v);
            assert_eq!(v.len(), w.len(), "{tag}: number of distinct values");
            for (a, b) in v.iter().zip(&w) {
                assert!(a == b || (a.is_nan() && b.is_nan()), "{tag}: {a} vs {b}");
            }
        }
        Col::Int(v) => {
            let w = evsh::array::ops::astype(&want_v, &DType::I64).unwrap();
            assert_eq!(v, &w.as_slice::<i64>().unwrap().to_vec(), "{tag}: values");
        }
        Col::Bool(v) => {
            let w: Vec<bool> = as_f64(&want_v).iter().map(|&x| x != 0.0).collect();
            assert_eq!(v, &w, "{tag}: values");
        }
        other => panic!("{tag}: unexpected value column {other:?}"),
    }
}

#[test]
fn sorting_matches_numpy() {
    if !pyref::python_has("numpy", "sort NumPy checks") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/sort_ref.py");
    let out = Command::new("python3")
        .arg(script)
        .arg("gen")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "sort_ref.py gen: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cases: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("cases.json")).unwrap()).unwrap();
    let cases = cases.as_array().unwrap();
    assert!(cases.len() > 100, "the generator wrote its cases");
    let d = dir.path();
    let (mut swapped, mut fortran) = (0, 0);
    for c in cases {
        let file = c["file"].as_str().unwrap();
        let tag = c["tag"].as_str().unwrap();
        let base = npy::load(d.join(file), None).unwrap();
        swapped += base.swapped() as usize;
        fortran += (!base.is_c_contiguous() && base.ndim() > 1) as usize;
        let x = view(&base, c["view"].as_str().unwrap());
        let nd = c["ndim"].as_u64().unwrap() as usize;
        assert_eq!(x.ndim(), nd, "{tag}");
        let load = |kind: &str| npy::load(d.join(format!("{tag}.{kind}.npy")), None).unwrap();
        for ax in 0..nd {
            let ws = load(&format!("sort{ax}"));
            let wa = load(&format!("argsort{ax}"));
            same(
                &format!("{tag} sort axis {ax}"),
                &sort_axis(&x, ax as i64).unwrap(),
                &ws,
            );
            same(
                &format!("{tag} argsort axis {ax}"),
                &argsort_axis(&x, ax as i64).unwrap(),
                &wa,
            );
            if ax + 1 == nd {
                // the default (last axis), also spelled as a negative axis
                same(&format!("{tag} sort"), &sort(&x).unwrap(), &ws);
                same(&format!("{tag} argsort"), &argsort(&x).unwrap(), &wa);
                same(&format!("{tag} sort -1"), &sort_axis(&x, -1).unwrap(), &ws);
            }
        }
        let u = load("unique");
        let got = unique(&x).unwrap();
        same(&format!("{tag} unique"), &got, &u);
        check_counts(tag, &x, d);
    }
    // 12 dtypes in Fortran order; 9 of them have a byte order (not bool, int8, uint8)
    assert!(
        swapped >= 9 && fortran >= 12,
        "big-endian ({swapped}) and Fortran ({fortran}) inputs were read"
    );
    // 0-d: sort and argsort return the value and index 0; an axis is out of range.
    let s = npy::load(d.join("scalar_f8.npy"), None).unwrap();
    assert_eq!(sort(&s).unwrap().as_slice::<f64>().unwrap()[0], 2.5);
    assert_eq!(argsort(&s).unwrap().as_slice::<i64>().unwrap()[0], 0);
    assert_eq!(argsort(&s).unwrap().shape(), &[] as &[usize]);
    assert!(sort_axis(&s, 0).unwrap_err().to_string().contains("axis 0"));
}

#[test]
fn hand_checked_cases() {
    let a = Array::from_vec(
        vec![0.0f32, -0.0, f32::NAN, -1.0, -f32::NAN, f32::INFINITY, -0.0],
        vec![7],
    )
    .unwrap();
    let s = sort(&a).unwrap();
    let bits: Vec<u32> = s
        .as_slice::<f32>()
        .unwrap()
        .iter()
        .map(|x| x.to_bits())
        .collect();
    // -1, then the zeros in input order (0.0, -0.0, -0.0), inf, NaNs in input order
    let want = [
        (-1.0f32).to_bits(),
        0,
        0x8000_0000,
        0x8000_0000,
        f32::INFINITY.to_bits(),
        f32::NAN.to_bits(),
        (-f32::NAN).to_bits(),
    ];
    assert_eq!(bits, want);
    assert_eq!(
        argsort(&a).unwrap().as_slice::<i64>().unwrap().to_vec(),
        vec![3, 0, 1, 6, 5, 2, 4]
    );
    let u = unique(&a).unwrap();
    assert_eq!(u.shape(), &[4]);
    let t = unique_counts(&a).unwrap();
    assert_eq!(t.col("count").unwrap(), &Col::Int(vec![3, 2, 1, 1]));
    // (2, 3) int: axis 0 and axis 1
    let m = Array::from_vec(vec![3i64, -1, 2, -5, 7, 2], vec![2, 3]).unwrap();
    let s0 = sort_axis(&m, 0).unwrap();
    assert_eq!(
        s0.as_slice::<i64>().unwrap().to_vec(),
        vec![-5, -1, 2, 3, 7, 2]
    );
    let a0 = argsort_axis(&m, -2).unwrap();
    assert_eq!(
        a0.as_slice::<i64>().unwrap().to_vec(),
        vec![1, 0, 0, 0, 1, 1]
    );
    assert!(sort_axis(&m, 2)
        .unwrap_err()
        .to_string()
        .contains("out of range"));
    assert!(sort_axis(&m, -3).is_err());
    let e = Array::from_vec(Vec::<f64>::new(), vec![0, 3]).unwrap();
    assert_eq!(sort_axis(&e, 0).unwrap().shape(), &[0, 3]);
    assert_eq!(argsort_axis(&e, 1).unwrap().shape(), &[0, 3]);
    assert_eq!(unique(&e).unwrap().shape(), &[0]);
}

#[test]
fn unsupported_dtypes_are_clear_errors() {
    let c = Array::from_vec(vec![num_complex::Complex32::new(1.0, 0.0)], vec![1]);
    if let Ok(c) = c {
        let e = sort(&c).unwrap_err().to_string();
        assert!(e.contains("sort") && e.contains("complex64"), "{e}");
    }
}
