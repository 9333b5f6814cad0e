//! Test helpers for `.npy` conformance: find the shared test data, compute the manifest's
//! checksum block (sum, min, max, first/last, order-sensitive `wsum_c`, heads, non-finite
//! counts) of an evsh `Array` and compare it with the expected block.
#![allow(dead_code)]

use std::path::PathBuf;

use evsh::array::DType;
use evsh::Array;
use serde_json::Value;

/// The shared test-data folder, if present: `$EVSH_TESTDATA`, else `../shared/testdata`
/// next to the project (or its worktree parent), else `/work/shared/testdata`.
pub fn testdata_dir() -> Option<PathBuf> {
    if let Ok(d) = std::env::var("EVSH_TESTDATA") {
        let p = PathBuf::from(d);
        return p.is_dir().then_some(p);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        root.join("../shared/testdata"),
        root.join("../../shared/testdata"),
        PathBuf::from("/work/shared/testdata"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
}

/// Element values of an array in logical C order.
#[derive(Debug)]
pub enum Vals {
    /// Integers and bools (bool as 0/1), exact.
    Int(Vec<i128>),
    Float(Vec<f64>),
    Complex(Vec<(f64, f64)>),
}

trait ToNum: Copy {
    fn int(self) -> Option<i128>;
    fn flt(self) -> f64;
}
macro_rules! to_num_int {
    ($($t:ty),*) => {$(impl ToNum for $t {
        fn int(self) -> Option<i128> { Some(self as i128) }
        fn flt(self) -> f64 { self as f64 }
    })*};
}
to_num_int!(u8, i8, i16, i32, i64, u16, u32, u64);
impl ToNum for f32 {
    fn int(self) -> Option<i128> {
        None
    }
    fn flt(self) -> f64 {
        self as f64
    }
}
impl ToNum for f64 {
    fn int(self) -> Option<i128> {
        None
    }
    fn flt(self) -> f64 {
        self
    }
}
impl ToNum for half::f16 {
    fn int(self) -> Option<i128> {
        None
    }
    fn flt(self) -> f64 {
        self.to_f64()
    }
}

/// Values in logical C order, and the byte offset of each (for storage order).
pub fn values(a: &Array) -> Result<(Vals, Vec<usize>), String> {
    let mut offs = Vec::with_capacity(a.size());
    a.for_each_offset(|o| offs.push(o));
    let vals = match a.dtype() {
        DType::Bool => {
            let v = a.view::<u8>().map_err(|e| e.to_string())?;
            Vals::Int(v.iter().map(|&b| (b != 0) as i128).collect())
        }
        DType::C64 => {
            let v = a
                .view::<num_complex::Complex32>()
                .map_err(|e| e.to_string())?;
            Vals::Complex(v.iter().map(|c| (c.re as f64, c.im as f64)).collect())
        }
        DType::C128 => {
            let v = a
                .view::<num_complex::Complex64>()
                .map_err(|e| e.to_string())?;
            Vals::Complex(v.iter().map(|c| (c.re, c.im)).collect())
        }
        d => evsh::with_real_type!(d, T => {
            let v = a.view::<T>().map_err(|e| e.to_string())?;
            if d.is_int() {
                Vals::Int(v.iter().map(|&x| ToNum::int(x).unwrap_or(0)).collect())
            } else {
                Vals::Float(v.iter().map(|&x| ToNum::flt(x)).collect())
            }
        }, else return Err(format!("no checksum for dtype {}", d.name()))),
    };
    Ok((vals, offs))
}

fn json_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

fn json_int(v: &Value) -> Option<i128> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .map(|x| x as i128)
            .or_else(|| n.as_u64().map(|x| x as i128)),
        _ => None,
    }
}

fn close(got: f64, want: f64, rel: f64, scale: f64) -> bool {
    if want.is_nan() {
        return got.is_nan();
    }
    if want.is_infinite() || got.is_infinite() {
        return got == want;
    }
    (got - want).abs() <= rel * want.abs().max(got.abs()) + 1e-13 * scale + 1e-300
}

/// One value of an array (for first/last/heads) as comparable numbers.
#[derive(Clone, Copy, Debug)]
enum One {
    I(i128),
    F(f64),
    C(f64, f64),
}

fn one_matches(got: One, want: &Value, rel: f64) -> bool {
    match got {
        One::I(i) => json_int(want) == Some(i) || json_f64(want) == Some(i as f64),
        One::F(f) => json_f64(want).is_some_and(|w| close(f, w, rel, 0.0)),
        One::C(re, im) => match want {
            Value::Array(p) if p.len() == 2 => {
                json_f64(&p[0]).is_some_and(|w| close(re, w, rel, 0.0))
                    && json_f64(&p[1]).is_some_and(|w| close(im, w, rel, 0.0))
            }
            _ => false,
        },
    }
}

fn list_matches(got: &[One], want: &Value, rel: f64) -> bool {
    match want {
        Value::Array(w) => {
            w.len() == got.len() && got.iter().zip(w).all(|(g, w)| one_matches(*g, w, rel))
        }
        _ => false,
    }
}

/// Relative tolerance for float checks of a dtype (README: ~1e-6 for float32 data).
pub fn tolerance(d: &DType) -> f64 {
    match d {
        DType::F16 | DType::F32 | DType::C64 => 1e-6,
        _ => 1e-12,
    }
}

/// Compare the checksum block `want` with the values of `a`. Every key of the block is
/// checked; an unknown key is an error (so the test cannot pass by ignoring it).
pub fn check_block(a: &Array, want: &Value) -> Result<(), String> {
    let obj = want
        .as_object()
        .ok_or_else(|| format!("checksum is not an object: {want}"))?;
    let rel = tolerance(a.dtype());
    let (vals, offs) = values(a)?;
    let ones: Vec<One> = match &vals {
        Vals::Int(v) => v.iter().map(|&x| One::I(x)).collect(),
        Vals::Float(v) => v.iter().map(|&x| One::F(x)).collect(),
        Vals::Complex(v) => v.iter().map(|&(r, i)| One::C(r, i)).collect(),
    };
    let n = ones.len();
    // real parts (or values) for sums
    let re: Vec<f64> = match &vals {
        Vals::Int(v) => v.iter().map(|&x| x as f64).collect(),
        Vals::Float(v) => v.clone(),
        Vals::Complex(v) => v.iter().map(|&(r, _)| r).collect(),
    };
    let im: Vec<f64> = match &vals {
        Vals::Complex(v) => v.iter().map(|&(_, i)| i).collect(),
        _ => vec![0.0; n],
    };
    let scale: f64 = re
        .iter()
        .chain(&im)
        .filter(|x| x.is_finite())
        .map(|x| x.abs())
        .sum();
    let nansum = |v: &[f64]| v.iter().filter(|x| !x.is_nan()).sum::<f64>();
    let wsum = |v: &[f64]| {
        v.iter()
            .enumerate()
            .map(|(i, x)| x * ((i % 7) + 1) as f64)
            .sum::<f64>()
    };
    let is_complex = matches!(vals, Vals::Complex(_));
    let num_or_pair = |name: &str, r: f64, i: f64, w: &Value, sc: f64| -> Result<(), String> {
        let ok = if is_complex {
            match w {
                Value::Array(p) if p.len() == 2 => {
                    json_f64(&p[0]).is_some_and(|x| close(r, x, rel, sc))
                        && json_f64(&p[1]).is_some_and(|x| close(i, x, rel, sc))
                }
                _ => false,
            }
        } else {
            json_f64(w).is_some_and(|x| close(r, x, rel, sc))
        };
        if ok {
            Ok(())
        } else if is_complex {
            Err(format!("{name}: got [{r}, {i}], expected {w}"))
        } else {
            Err(format!("{name}: got {r}, expected {w}"))
        }
    };
    let mut errs = vec![];
    for (k, w) in obj {
        let r: Result<(), String> = match k.as_str() {
            "sum" => num_or_pair("sum", nansum(&re), nansum(&im), w, scale),
            "wsum_c" if is_complex => {
                // complex times (weight + 0j), as NumPy multiplies: NaN/inf spread to both parts
                let (mut sr, mut si) = (0.0, 0.0);
                for (k, (r, i)) in re.iter().zip(&im).enumerate() {
                    let wt = ((k % 7) + 1) as f64;
                    sr += r * wt - i * 0.0;
                    si += r * 0.0 + i * wt;
                }
                num_or_pair("wsum_c", sr, si, w, scale * 7.0)
            }
            "wsum_c" => num_or_pair("wsum_c", wsum(&re), 0.0, w, scale * 7.0),
            "sum_int" => match &vals {
                Vals::Int(v) => {
                    let s: i128 = v.iter().sum();
                    if w.as_str() == Some(s.to_string().as_str()) {
                        Ok(())
                    } else {
                        Err(format!("sum_int: got {s}, expected {w}"))
                    }
                }
                _ => Err("sum_int given for a non-integer array".into()),
            },
            "min" | "max" => {
                let got = match &vals {
                    Vals::Int(v) => {
                        let m = if k == "min" {
                            v.iter().min()
                        } else {
                            v.iter().max()
                        };
                        m.map(|&x| One::I(x))
                    }
                    _ => {
                        let fin = re.iter().copied().filter(|x| x.is_finite());
                        let m = if k == "min" {
                            fin.fold(None, |a: Option<f64>, x| Some(a.map_or(x, |a| a.min(x))))
                        } else {
                            fin.fold(None, |a: Option<f64>, x| Some(a.map_or(x, |a| a.max(x))))
                        };
                        m.map(One::F)
                    }
                };
                match got {
                    Some(g) if one_matches(g, w, rel) => Ok(()),
                    None if w.is_null() => Ok(()),
                    g => Err(format!("{k}: got {g:?}, expected {w}")),
                }
            }
            "first" | "last" => {
                let g = if k == "first" {
                    ones.first()
                } else {
                    ones.last()
                };
                match g {
                    Some(&g) if one_matches(g, w, rel) => Ok(()),
                    g => Err(format!("{k}: got {g:?}, expected {w}")),
                }
            }
            "head_c" => {
                let g = &ones[..n.min(4)];
                if list_matches(g, w, rel) {
                    Ok(())
                } else {
                    Err(format!("head_c: got {g:?}, expected {w}"))
                }
            }
            "head_storage" => {
                let mut idx: Vec<usize> = (0..n).collect();
                idx.sort_by_key(|&i| offs[i]);
                let g: Vec<One> = idx.iter().take(4).map(|&i| ones[i]).collect();
                if list_matches(&g, w, rel) {
                    Ok(())
                } else {
                    Err(format!("head_storage: got {g:?}, expected {w}"))
                }
            }
            "nan_count" | "posinf_count" | "neginf_count" => {
                let f = |x: &f64| match k.as_str() {
                    "nan_count" => x.is_nan(),
                    "posinf_count" => *x == f64::INFINITY,
                    _ => *x == f64::NEG_INFINITY,
                };
                let c = if is_complex {
                    // NumPy counts a complex value once if either part qualifies.
                    re.iter().zip(&im).filter(|(r, i)| f(r) || f(i)).count()
                } else {
                    re.iter().filter(|x| f(x)).count()
                };
                if json_int(w) == Some(c as i128) {
                    Ok(())
                } else {
                    Err(format!("{k}: got {c}, expected {w}"))
                }
            }
            "n" => {
                if json_int(w) == Some(n as i128) {
                    Ok(())
                } else {
                    Err(format!("n: got {n}, expected {w}"))
                }
            }
            "non_01_bytes" => {
                let raw = a.view::<u8>().map_err(|e| e.to_string())?;
                let c = raw.iter().filter(|&&b| b > 1).count();
                if json_int(w) == Some(c as i128) {
                    Ok(())
                } else {
                    Err(format!("non_01_bytes: got {c}, expected {w}"))
                }
            }
            other => Err(format!("unknown checksum key '{other}'")),
        };
        if let Err(e) = r {
            errs.push(e);
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs.join("; "))
    }
}

/// Replace JSON `\uXXXX` escapes of lone UTF-16 surrogates (which Python's json writes
/// for strings that hold them, and which serde_json refuses) by `\ufffd`.
pub fn fix_lone_surrogates(text: &str) -> String {
    let b = text.as_bytes();
    let hex_at = |i: usize| -> Option<u32> {
        if b.get(i) == Some(&b'\\') && b.get(i + 1) == Some(&b'u') {
            std::str::from_utf8(b.get(i + 2..i + 6)?)
                .ok()
                .and_then(|h| u32::from_str_radix(h, 16).ok())
        } else {
            None
        }
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut last = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        match hex_at(i) {
            Some(h @ 0xD800..=0xDBFF) if matches!(hex_at(i + 6), Some(0xDC00..=0xDFFF)) => {
                let _ = h;
                i += 12;
            }
            Some(0xD800..=0xDFFF) => {
                out.push_str(&text[last..i]);
                out.push_str("\\ufffd");
                i += 6;
                last = i;
            }
            _ => i += 2, // any other escape, including `\\`
        }
    }
    out.push_str(&text[last..]);
    out
}
