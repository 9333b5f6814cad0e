//! The array kernels (casts, elementwise arithmetic and comparisons, unary functions,
//! `where`, whole and per-axis reductions, masks and gathers) called through the Rust
//! API and checked against NumPy on the same inputs: NumPy writes the inputs (every real
//! dtype, with NaN, ±inf and -0.0 in the floats; also Fortran-order, big-endian, empty
//! and 0-d arrays) and the result of each case's NumPy expression as a `.npy` file; the
//! Rust side loads the inputs through evsh's memory-mapping loader, runs the kernel
//! (also on strided views: steps, transposes) and compares shape, dtype and every value.
//! Skips, with a printed reason, when `python3` with numpy is not available.

#[allow(dead_code)]
#[path = "common/pyref.rs"]
mod pyref;

use std::collections::HashMap;
use std::process::Command;

use evsh::array::ops::{self, BinOp, CmpOp, Operand, UnOp};
use evsh::array::reduce::{reduce_all, reduce_axes, reduce_axis, Red, Scalar};
use evsh::array::{select, DType};
use evsh::error::Result;
use evsh::Array;

const DTYPES: &[&str] = &[
    "b1", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8",
];

const NUMPY: &str = r#"
import json, sys, warnings
import numpy as np
warnings.simplefilter("ignore")
d = sys.argv[1]
rng = np.random.default_rng(11)
shape = (23, 6, 5)
env = {"np": np}
def ints(dt, lo=None, hi=None):
    info = np.iinfo(dt)
    lo = max(info.min, -(2**50)) if lo is None else lo
    hi = min(info.max, 2**50) if hi is None else hi
    x = rng.integers(lo, hi, size=shape, endpoint=True).astype(dt)
    x.flat[::7] = 0
    return x
def floats(dt, special):
    x = (rng.standard_normal(shape) * 10).astype(dt)
    x.flat[::9] = 0
    if special:
        for i, v in enumerate([np.nan, np.inf, -np.inf, -0.0, np.nan, 0.5]):
            x.flat[5 + 31 * i] = v
    return x
for dt in ["b1","i1","i2","i4","i8","u1","u2","u4","u8","f2","f4","f8"]:
    if dt == "b1":
        a, b, c = (rng.random(shape) < 0.5 for _ in range(3))
    elif dt[0] in "iu":
        a, b = ints(dt), ints(dt)
        c = ints(dt, 0 if dt[0] == "u" else -100, 100)
    else:
        a, b, c = floats(dt, True), floats(dt, True), floats(dt, False)
    env.update({f"a_{dt}": a, f"b_{dt}": b, f"c_{dt}": c})
    env[f"f_{dt}"] = np.asfortranarray(a)
    env[f"e_{dt}"] = a.astype(np.dtype(dt).newbyteorder(">"))
    env[f"z_{dt}"] = np.zeros((0, 4), dt)
    env[f"s_{dt}"] = np.array(a.flat[1])
env["m"] = rng.random(23) < 0.4
env["m3"] = env["a_f4"] > 0.5
env["idx"] = rng.integers(-23, 23, size=40)
for k, v in env.items():
    if k != "np":
        np.save(f"{d}/in_{k}.npy", v)
out = {}
for name, expr in json.load(open(sys.argv[2])):
    try:
        r = np.asarray(eval(expr, env))
        np.save(f"{d}/r_{name}.npy", r)
        out[name] = "ok"
    except Exception as e:
        out[name] = f"error: {e}"
print(json.dumps(out))
"#;

type Env = HashMap<String, Array>;
type Run = Box<dyn Fn(&Env) -> Result<Array>>;

/// How values must agree.
#[derive(Clone, Copy, Debug)]
enum Tol {
    /// Same dtype, same bits (NaN equals NaN, -0.0 differs from 0.0).
    Bits,
    /// Same dtype, equal values (-0.0 == 0.0, NaN == NaN).
    Value,
    /// Relative tolerance on values compared as f64 (dtype may differ: NumPy scalars).
    Rel(f64),
}

struct Case {
    name: String,
    numpy: String,
    tol: Tol,
    run: Run,
}

fn case(
    name: String,
    numpy: String,
    tol: Tol,
    run: impl Fn(&Env) -> Result<Array> + 'static,
) -> Case {
    Case {
        name,
        numpy,
        tol,
        run: Box::new(run),
    }
}

fn get<'a>(env: &'a Env, k: &str) -> &'a Array {
    env.get(k).unwrap_or_else(|| panic!("no input {k}"))
}

fn arr(env: &Env, k: &str) -> Operand {
    Operand::Arr(get(env, k).clone())
}

fn scalar_array(s: Scalar) -> Array {
    match s {
        Scalar::Int(i) => Array::scalar(i),
        Scalar::Float(f) => Array::scalar(f),
        Scalar::Bool(b) => Array::from_vec_typed(vec![b as u8], DType::Bool, vec![]).unwrap(),
        Scalar::Str(s) => panic!("string {s}"),
    }
}

fn np_dtype(dt: &str) -> String {
    let d = DType::parse(dt).unwrap();
    format!("np.{}", d.name())
}

/// The relative tolerance NumPy's own float reductions meet for a dtype.
fn red_tol(dt: &str) -> f64 {
    match dt {
        "f2" => 2e-2,
        "f4" => 2e-5,
        _ => 1e-11,
    }
}

fn cases() -> Vec<Case> {
    let mut v = vec![];
    // casts: every pair, from data that every target holds the NumPy way (floats in
    // range for integer targets), plus specials to float/bool targets
    for s in DTYPES {
        for d in DTYPES {
            let to = DType::parse(d).unwrap();
            let t2 = to.clone();
            // float to unsigned: NumPy's result for negative values is the C cast's
            // (undefined); evsh saturates at 0, so only non-negative values are compared
            let unsigned_from_float = s.starts_with('f') && d.starts_with('u');
            v.push(case(
                format!("cast_c_{s}_{d}"),
                if unsigned_from_float {
                    format!("np.abs(c_{s}).astype({})", np_dtype(d))
                } else {
                    format!("c_{s}.astype({})", np_dtype(d))
                },
                Tol::Bits,
                move |e| {
                    let c = get(e, &format!("c_{s}"));
                    if unsigned_from_float {
                        ops::astype(&ops::unary(UnOp::Abs, c)?, &to)
                    } else {
                        ops::astype(c, &to)
                    }
                },
            ));
            if !d.starts_with('i') && !d.starts_with('u') {
                v.push(case(
                    format!("cast_a_{s}_{d}"),
                    format!("a_{s}.astype({})", np_dtype(d)),
                    Tol::Bits,
                    move |e| ops::astype(get(e, &format!("a_{s}")), &t2),
                ));
            }
        }
        // strided, Fortran-order and big-endian sources
        for (src, np) in [
            ("f", format!("f_{s}.astype(np.float64)")),
            ("e", format!("e_{s}.astype(np.float64)")),
        ] {
            v.push(case(format!("cast_{src}_{s}"), np, Tol::Bits, move |e| {
                ops::astype(get(e, &format!("{src}_{s}")), &DType::F64)
            }));
        }
        v.push(case(
            format!("cast_step_{s}"),
            format!("a_{s}[::3, :, ::-2].T.astype(np.float32)"),
            Tol::Bits,
            move |e| {
                let a = get(e, &format!("a_{s}"));
                let x = a
                    .slice_axis(0, None, None, 3)?
                    .slice_axis(2, None, None, -2)?;
                ops::astype(&x.transpose(), &DType::F32)
            },
        ));
    }
    // arithmetic and comparisons on every dtype, with broadcasting and views
    let bins = [
        (BinOp::Add, "+"),
        (BinOp::Sub, "-"),
        (BinOp::Mul, "*"),
        (BinOp::Div, "/"),
        (BinOp::Rem, "%"),
    ];
    let cmps = [
        (CmpOp::Gt, ">"),
        (CmpOp::Le, "<="),
        (CmpOp::Eq, "=="),
        (CmpOp::Ne, "!="),
    ];
    for dt in DTYPES {
        for (op, sym) in bins {
            if *dt == "b1" && matches!(op, BinOp::Sub | BinOp::Rem) {
                continue;
            }
            if *dt == "f2" && op == BinOp::Rem {
                continue; // NumPy computes float16 % in float32, evsh in float64
            }
            let n = format!("{op:?}").to_lowercase();
            v.push(case(
                format!("{n}_{dt}"),
                format!("a_{dt} {sym} b_{dt}"),
                Tol::Value,
                move |e| ops::binary(op, &arr(e, &format!("a_{dt}")), &arr(e, &format!("b_{dt}"))),
            ));
            // row broadcast, column broadcast, scalar
            v.push(case(
                format!("{n}_row_{dt}"),
                format!("a_{dt} {sym} b_{dt}[0, 0]"),
                Tol::Value,
                move |e| {
                    let b = get(e, &format!("b_{dt}"))
                        .index_axis(0, 0)?
                        .index_axis(0, 0)?;
                    ops::binary(op, &arr(e, &format!("a_{dt}")), &Operand::Arr(b))
                },
            ));
            v.push(case(
                format!("{n}_col_{dt}"),
                format!("b_{dt}[:, :, :1] {sym} a_{dt}"),
                Tol::Value,
                move |e| {
                    let b = get(e, &format!("b_{dt}")).slice_axis(2, None, Some(1), 1)?;
                    ops::binary(op, &Operand::Arr(b), &arr(e, &format!("a_{dt}")))
                },
            ));
            v.push(case(
                format!("{n}_mid_{dt}"),
                format!("a_{dt} {sym} b_{dt}[:1, :, :1]"),
                Tol::Value,
                move |e| {
                    let b = get(e, &format!("b_{dt}"))
                        .slice_axis(0, None, Some(1), 1)?
                        .slice_axis(2, None, Some(1), 1)?;
                    ops::binary(op, &arr(e, &format!("a_{dt}")), &Operand::Arr(b))
                },
            ));
            if *dt != "b1" {
                v.push(case(
                    format!("{n}_int_{dt}"),
                    format!("a_{dt} {sym} 3"),
                    Tol::Value,
                    move |e| ops::binary(op, &arr(e, &format!("a_{dt}")), &Operand::Int(3)),
                ));
                v.push(case(
                    format!("{n}_float_{dt}"),
                    format!("2.5 {sym} a_{dt}"),
                    Tol::Value,
                    move |e| ops::binary(op, &Operand::Float(2.5), &arr(e, &format!("a_{dt}"))),
                ));
            }
            v.push(case(
                format!("{n}_views_{dt}"),
                format!("f_{dt}.T[:, ::-2] {sym} e_{dt}[::2].T"),
                Tol::Value,
                move |e| {
                    let a = get(e, &format!("f_{dt}"))
                        .transpose()
                        .slice_axis(1, None, None, -2)?;
                    let b = get(e, &format!("e_{dt}"))
                        .slice_axis(0, None, None, 2)?
                        .transpose();
                    ops::binary(op, &Operand::Arr(a), &Operand::Arr(b))
                },
            ));
        }
        for (op, sym) in cmps {
            let n = format!("{op:?}").to_lowercase();
            v.push(case(
                format!("{n}_{dt}"),
                format!("a_{dt} {sym} b_{dt}"),
                Tol::Bits,
                move |e| ops::compare(op, &arr(e, &format!("a_{dt}")), &arr(e, &format!("b_{dt}"))),
            ));
            v.push(case(
                format!("{n}_half_{dt}"),
                format!("a_{dt} {sym} 0.5"),
                Tol::Bits,
                move |e| ops::compare(op, &arr(e, &format!("a_{dt}")), &Operand::Float(0.5)),
            ));
            v.push(case(
                format!("{n}_f_{dt}"),
                format!("f_{dt} {sym} e_{dt}[::-1]"),
                Tol::Bits,
                move |e| {
                    let b = get(e, &format!("e_{dt}")).slice_axis(0, None, None, -1)?;
                    ops::compare(op, &arr(e, &format!("f_{dt}")), &Operand::Arr(b))
                },
            ));
        }
        // unary
        let mut un = vec![(UnOp::IsNan, "np.isnan(X)")];
        if *dt != "b1" {
            un.push((UnOp::Abs, "np.abs(X)"));
            un.push((UnOp::Neg, "-X"));
            un.push((UnOp::Sqrt, "np.sqrt(X)"));
            un.push((UnOp::Floor, "np.floor(X)"));
        }
        if dt.starts_with('f') {
            un.push((UnOp::Ceil, "np.ceil(X)"));
        } else {
            un.push((UnOp::Not, "~X"));
        }
        for (op, np) in un {
            let n = format!("{op:?}").to_lowercase();
            // NumPy's float16 sqrt of an integer... is float16 only for 1-byte ints
            if op == UnOp::Sqrt && matches!(*dt, "i1" | "u1" | "i2" | "u2") {
                continue;
            }
            v.push(case(
                format!("{n}_{dt}"),
                np.replace('X', &format!("a_{dt}")),
                Tol::Bits,
                move |e| ops::unary(op, get(e, &format!("a_{dt}"))),
            ));
            v.push(case(
                format!("{n}_t_{dt}"),
                np.replace('X', &format!("e_{dt}[::2].T")),
                Tol::Bits,
                move |e| {
                    let a = get(e, &format!("e_{dt}"))
                        .slice_axis(0, None, None, 2)?
                        .transpose();
                    ops::unary(op, &a)
                },
            ));
        }
        // where
        v.push(case(
            format!("where_{dt}"),
            format!("np.where(b_{dt} > 0, a_{dt}, b_{dt})"),
            Tol::Bits,
            move |e| {
                let m = ops::compare(CmpOp::Gt, &arr(e, &format!("b_{dt}")), &Operand::Int(0))?;
                ops::where_(&m, &arr(e, &format!("a_{dt}")), &arr(e, &format!("b_{dt}")))
            },
        ));
        v.push(case(
            format!("where_bc_{dt}"),
            format!("np.where(m3[0], f_{dt}[0], 0)"),
            Tol::Bits,
            move |e| {
                let m = get(e, "m3").index_axis(0, 0)?;
                let a = get(e, &format!("f_{dt}")).index_axis(0, 0)?;
                ops::where_(&m, &Operand::Arr(a), &Operand::Int(0))
            },
        ));
    }
    // mixed dtypes
    for (x, y) in [
        ("f4", "i4"),
        ("u1", "i1"),
        ("u8", "i8"),
        ("f2", "i2"),
        ("b1", "f4"),
    ] {
        v.push(case(
            format!("mix_{x}_{y}"),
            format!("a_{x} * c_{y}"),
            Tol::Value,
            move |e| {
                ops::binary(
                    BinOp::Mul,
                    &arr(e, &format!("a_{x}")),
                    &arr(e, &format!("c_{y}")),
                )
            },
        ));
    }
    // whole-array reductions
    let reds = [
        (Red::Sum, "X.sum()"),
        (Red::Min, "X.min()"),
        (Red::Max, "X.max()"),
        (Red::Mean, "X.mean()"),
        (Red::Std, "X.std()"),
        (Red::Count, "np.count_nonzero(X)"),
        (Red::ArgMin, "X.argmin()"),
        (Red::ArgMax, "X.argmax()"),
        (Red::Any, "X.any()"),
        (Red::All, "X.all()"),
    ];
    for dt in DTYPES {
        for src in ["a", "c", "f"] {
            for (r, np) in reds {
                let tol = Tol::Rel(red_tol(dt));
                let (src, dt2) = (src.to_string(), dt.to_string());
                v.push(case(
                    format!("all_{}_{src}_{dt}", r.name()),
                    np.replace('X', &format!("{src}_{dt}")),
                    tol,
                    move |e| {
                        Ok(scalar_array(reduce_all(
                            get(e, &format!("{src}_{dt2}")),
                            r,
                        )?))
                    },
                ));
            }
        }
    }
    // axis reductions (one axis and several), on C, Fortran and big-endian inputs
    let axis_sets: &[&[i64]] = &[
        &[0],
        &[1],
        &[2],
        &[-1],
        &[0, 2],
        &[0, 1],
        &[1, 2],
        &[2, 0, 1],
        &[],
    ];
    let axis_reds = [
        (Red::Sum, "X.sum(axis=A)"),
        (Red::Mean, "X.mean(axis=A)"),
        (Red::Std, "X.std(axis=A)"),
        (Red::Min, "X.min(axis=A)"),
        (Red::Max, "X.max(axis=A)"),
        (Red::Count, "np.count_nonzero(X, axis=A)"),
        (Red::Any, "X.any(axis=A)"),
        (Red::All, "X.all(axis=A)"),
        (Red::ArgMin, "X.argmin(axis=A)"),
        (Red::ArgMax, "X.argmax(axis=A)"),
    ];
    for dt in DTYPES {
        for src in ["a", "c", "f", "e", "t"] {
            for axes in axis_sets {
                for (r, np) in axis_reds {
                    if matches!(r, Red::ArgMin | Red::ArgMax) && axes.len() != 1 {
                        continue;
                    }
                    if r == Red::Count && axes.is_empty() {
                        continue; // NumPy's count_nonzero(axis=()) counts everything
                    }
                    if dt.starts_with('f')
                        && src == "a"
                        && matches!(r, Red::Sum | Red::Mean | Red::Std)
                    {
                        continue; // ±inf make these NaN or inf: checked on "c"
                    }
                    let pa = if matches!(r, Red::ArgMin | Red::ArgMax) {
                        axes[0].to_string()
                    } else {
                        format!(
                            "({})",
                            axes.iter().map(|a| format!("{a},")).collect::<String>()
                        )
                    };
                    let x = if src == "t" {
                        format!("a_{dt}[::2, :, ::-1].T")
                    } else {
                        format!("{src}_{dt}")
                    };
                    let tol = if dt.starts_with('f') && matches!(r, Red::Sum | Red::Mean | Red::Std)
                    {
                        Tol::Rel(red_tol(dt))
                    } else if matches!(r, Red::Mean | Red::Std) {
                        Tol::Rel(1e-12)
                    } else {
                        Tol::Value
                    };
                    let axes = axes.to_vec();
                    let (src, dt2) = (src.to_string(), dt.to_string());
                    v.push(case(
                        format!("axes_{}_{src}_{dt}_{}", r.name(), pa),
                        np.replace('X', &x).replace('A', &pa),
                        tol,
                        move |e| {
                            let a = if src == "t" {
                                get(e, &format!("a_{dt2}"))
                                    .slice_axis(0, None, None, 2)?
                                    .slice_axis(2, None, None, -1)?
                                    .transpose()
                            } else {
                                get(e, &format!("{src}_{dt2}")).clone()
                            };
                            if axes.len() == 1 {
                                reduce_axis(&a, r, axes[0])
                            } else {
                                reduce_axes(&a, r, &axes)
                            }
                        },
                    ));
                }
            }
        }
        // empty arrays: sums over the empty axis, reductions of nothing
        for (r, np) in [
            (Red::Sum, "X.sum(axis=0)"),
            (Red::Sum, "X.sum(axis=1)"),
            (Red::Count, "np.count_nonzero(X, axis=0)"),
            (Red::All, "X.all(axis=0)"),
            (Red::Max, "X.max(axis=1)"),
        ] {
            let ax: i64 = if np.contains("axis=1") { 1 } else { 0 };
            v.push(case(
                format!("empty_{}_{ax}_{dt}", r.name()),
                np.replace('X', &format!("z_{dt}")),
                Tol::Value,
                move |e| reduce_axis(get(e, &format!("z_{dt}")), r, ax),
            ));
        }
        for (r, np) in [
            (Red::Sum, "X.sum()"),
            (Red::Max, "X.max()"),
            (Red::Mean, "X.mean()"),
        ] {
            v.push(case(
                format!("zerod_{}_{dt}", r.name()),
                np.replace('X', &format!("s_{dt}")),
                // float32/float16 results come as the shortest decimal of that precision
                // (how NumPy prints them), within half a unit of the last place
                match *dt {
                    "f4" => Tol::Rel(1e-7),
                    "f2" => Tol::Rel(1e-3),
                    _ => Tol::Rel(1e-12),
                },
                move |e| Ok(scalar_array(reduce_all(get(e, &format!("s_{dt}")), r)?)),
            ));
        }
        v.push(case(
            format!("cast_empty_{dt}"),
            format!("z_{dt}.astype(np.float32)"),
            Tol::Bits,
            move |e| ops::astype(get(e, &format!("z_{dt}")), &DType::F32),
        ));
        v.push(case(
            format!("cast_zerod_{dt}"),
            format!("s_{dt}.astype(np.int16)"),
            Tol::Bits,
            move |e| ops::astype(get(e, &format!("s_{dt}")), &DType::I16),
        ));
        // masks and gathers
        v.push(case(
            format!("mask_rows_{dt}"),
            format!("a_{dt}[m]"),
            Tol::Bits,
            move |e| select::select_mask(get(e, &format!("a_{dt}")), get(e, "m")),
        ));
        v.push(case(
            format!("mask_elems_{dt}"),
            format!("a_{dt}[m3]"),
            Tol::Bits,
            move |e| select::select_mask(get(e, &format!("a_{dt}")), get(e, "m3")),
        ));
        v.push(case(
            format!("mask_f_{dt}"),
            format!("f_{dt}[m3]"),
            Tol::Bits,
            move |e| select::select_mask(get(e, &format!("f_{dt}")), get(e, "m3")),
        ));
        v.push(case(
            format!("gather_{dt}"),
            format!("a_{dt}[idx]"),
            Tol::Bits,
            move |e| select::take_index(get(e, &format!("a_{dt}")), get(e, "idx")),
        ));
        v.push(case(
            format!("gather_flat_{dt}"),
            format!("e_{dt}.ravel()[idx]"),
            Tol::Bits,
            move |e| {
                let a = get(e, &format!("e_{dt}"));
                select::take_index(&a.reshape(vec![a.size()])?, get(e, "idx"))
            },
        ));
    }
    v
}

/// Compare our array with NumPy's; `None` when they agree.
fn differs(got: &Array, want: &Array, tol: Tol) -> Option<String> {
    if got.shape() != want.shape() {
        return Some(format!("shape {:?}, want {:?}", got.shape(), want.shape()));
    }
    if !matches!(tol, Tol::Rel(_)) && got.dtype() != want.dtype() {
        return Some(format!(
            "dtype {}, want {}",
            got.dtype().name(),
            want.dtype().name()
        ));
    }
    let g = ops::astype(got, &DType::F64).unwrap();
    let w = ops::astype(want, &DType::F64).unwrap();
    let (g, w) = (g.as_slice::<f64>().unwrap(), w.as_slice::<f64>().unwrap());
    // integers beyond 2^53 compare exactly through i64
    let exact_int = got.dtype() == want.dtype() && got.dtype().is_int();
    let (gi, wi) = if exact_int {
        let gi = ops::astype(got, &DType::I64).unwrap();
        let wi = ops::astype(want, &DType::I64).unwrap();
        (
            gi.as_slice::<i64>().unwrap().to_vec(),
            wi.as_slice::<i64>().unwrap().to_vec(),
        )
    } else {
        (vec![], vec![])
    };
    for i in 0..g.len() {
        let (x, y) = (g[i], w[i]);
        let ok = if exact_int {
            gi[i] == wi[i]
        } else {
            match tol {
                Tol::Bits => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
                Tol::Value => x == y || (x.is_nan() && y.is_nan()),
                Tol::Rel(r) => {
                    x == y || (x.is_nan() && y.is_nan()) || (x - y).abs() <= r * y.abs().max(1.0)
                }
            }
        };
        if !ok {
            return Some(format!("element {i}: got {x:e}, want {y:e}"));
        }
    }
    None
}

#[test]
fn kernels_match_numpy() {
    if !pyref::python_has("numpy", "array kernel tests") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cases = cases();
    let list: Vec<(&str, &str)> = cases
        .iter()
        .map(|c| (c.name.as_str(), c.numpy.as_str()))
        .collect();
    let list_path = dir.path().join("cases.json");
    std::fs::write(&list_path, serde_json::to_string(&list).unwrap()).unwrap();
    let out = Command::new("python3")
        .arg("-c")
        .arg(NUMPY)
        .arg(dir.path())
        .arg(&list_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status: HashMap<String, String> = serde_json::from_slice(&out.stdout).unwrap();
    let mut env = Env::new();
    for f in std::fs::read_dir(dir.path()).unwrap() {
        let p = f.unwrap().path();
        let n = p.file_name().unwrap().to_string_lossy().to_string();
        if let Some(k) = n.strip_prefix("in_").and_then(|k| k.strip_suffix(".npy")) {
            env.insert(k.to_string(), evsh::io::npy::load(&p, None).unwrap());
        }
    }
    // the loader keeps Fortran order and byte order: these really are the odd layouts
    assert!(!get(&env, "f_f4").is_c_contiguous());
    assert!(get(&env, "e_i4").swapped());
    let mut failures = vec![];
    for c in &cases {
        let np = &status[&c.name];
        let got = (c.run)(&env);
        match (np.as_str(), got) {
            ("ok", Ok(g)) => {
                let want = evsh::io::npy::load(dir.path().join(format!("r_{}.npy", c.name)), None)
                    .unwrap();
                if let Some(d) = differs(&g, &want, c.tol) {
                    failures.push(format!("{} ({}): {d}", c.name, c.numpy));
                }
            }
            ("ok", Err(e)) => failures.push(format!("{} ({}): evsh error {e}", c.name, c.numpy)),
            (_, Ok(_)) => failures.push(format!(
                "{} ({}): NumPy {np}, evsh gave a value",
                c.name, c.numpy
            )),
            (_, Err(_)) => {} // both refuse (e.g. max of an empty axis)
        }
    }
    eprintln!("{} kernel cases checked against NumPy", cases.len());
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures[..failures.len().min(150)].join("\n")
    );
}

/// Hand-checked values that need no Python.
#[test]
fn hand_checked() {
    // reduce_axes over (0, 2) of a 2×3×2 int16 array
    let a = Array::from_vec((0..12i16).collect(), vec![2, 3, 2]).unwrap();
    let s = reduce_axes(&a, Red::Sum, &[0, 2]).unwrap();
    assert_eq!(*s.dtype(), DType::I64);
    // rows 0,1 | 2,3 | 4,5 and 6,7 | 8,9 | 10,11
    assert_eq!(s.as_slice::<i64>().unwrap().to_vec(), vec![14, 22, 30]);
    let m = reduce_axes(&a, Red::Max, &[-1, 0]).unwrap();
    assert_eq!(m.as_slice::<i16>().unwrap().to_vec(), vec![7, 9, 11]);
    let e = reduce_axes(&a, Red::Sum, &[0, 0]).unwrap_err().to_string();
    assert!(e.contains("repeated"), "{e}");
    let e = reduce_axes(&a, Red::ArgMax, &[0, 1])
        .unwrap_err()
        .to_string();
    assert!(e.contains("one axis"), "{e}");
    let e = reduce_axes(&a, Red::Sum, &[3]).unwrap_err().to_string();
    assert!(e.contains("out of range"), "{e}");
    // mean(0) of (N, 100) equals the per-column means
    let n = 1000;
    let x = Array::from_vec(
        (0..n * 100).map(|i| (i % 100) as f32 + 0.5).collect(),
        vec![n, 100],
    )
    .unwrap();
    let m0 = reduce_axis(&x, Red::Mean, 0).unwrap();
    let mv = m0.as_slice::<f32>().unwrap();
    for (c, &v) in mv.iter().enumerate() {
        assert_eq!(v, c as f32 + 0.5);
    }
    // argmax along axis 0: the first NaN wins, then the first maximum
    let y = Array::from_vec(vec![1.0f64, 5.0, 3.0, 5.0, f64::NAN, 2.0], vec![3, 2]).unwrap();
    let am = reduce_axis(&y, Red::ArgMax, 0).unwrap();
    assert_eq!(am.as_slice::<i64>().unwrap().to_vec(), vec![2, 0]);
    // a cast that wraps, and to bool (NaN is true, -0.0 false)
    let f = Array::from_vec(vec![f64::NAN, -0.0, 2.5], vec![3]).unwrap();
    let b = ops::astype(&f, &DType::Bool).unwrap();
    assert_eq!(b.as_slice::<u8>().unwrap().to_vec(), vec![1, 0, 1]);
    // a mask over a large array: counts and selection agree
    let big = Array::from_vec(
        (0..3_000_000).map(|i| (i % 10) as f32).collect(),
        vec![3_000_000],
    )
    .unwrap();
    let mk = ops::compare(CmpOp::Ge, &Operand::Arr(big.clone()), &Operand::Float(7.0)).unwrap();
    assert_eq!(reduce_all(&mk, Red::Count).unwrap(), Scalar::Int(900_000));
    let sel = select::select_mask(&big, &mk).unwrap();
    assert_eq!(sel.shape(), &[900_000]);
    assert!(sel.as_slice::<f32>().unwrap().iter().all(|&v| v >= 7.0));
    // a row-broadcast add over a big array
    let row = Array::from_vec((0..7).map(|i| i as f32).collect(), vec![7]).unwrap();
    let m2 = big.reshape(vec![3_000_000 / 6, 6]).unwrap();
    assert!(ops::binary(BinOp::Add, &Operand::Arr(m2), &Operand::Arr(row)).is_err());
}

#[test]
fn sizes_are_checked() {
    let e = evsh::exec::out::alloc::<f64>(usize::MAX / 2, "astype").unwrap_err();
    assert!(e.to_string().contains("astype: cannot allocate"), "{e}");
}
