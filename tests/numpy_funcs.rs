//! The NumPy-named array functions (issue 12: `array::{math, npstats, cumulative, shape,
//! linalg}`) called through the Rust API and checked against NumPy on the same inputs,
//! in the style of `array_kernels.rs`: NumPy writes random inputs of every real dtype
//! (floats with NaN, ±inf and -0.0; also empty and 0-d arrays) and the result of each
//! case's NumPy expression as `.npy`; evsh loads the inputs with its own loader, runs the
//! function (also on non-contiguous views: steps and transposes; on every axis) and
//! compares shape, dtype and values.
//!
//! Tolerances (stated per case): `Bits`/`Value` are exact; transcendental functions are
//! compared with a relative tolerance of 1e-14 in float64 (evsh calls the system libm in
//! f64, NumPy may use its own SIMD implementations: both within a few ulp), 1e-6 in
//! float32 and 2e-3 in float16 (NumPy computes these in float32, evsh in float64 and
//! rounds once); sums in another order than NumPy's pairwise one use 1e-12 (float64).
//! Where evsh deliberately differs in dtype (float functions of 1- and 2-byte integers
//! give float64 in evsh, float16/float32 in NumPy) only values are compared, at NumPy's
//! precision.
//!
//! Skips, with a printed reason, when `python3` with numpy is not available (fails
//! instead when `EVSH_REQUIRE_REFS` is set).

#[allow(dead_code)]
#[path = "common/pyref.rs"]
mod pyref;

use std::collections::HashMap;
use std::process::Command;

use evsh::array::cumulative;
use evsh::array::linalg;
use evsh::array::math::{self, Math1, Math2};
use evsh::array::npstats::{self, NanRed};
use evsh::array::ops::{self, Operand};
use evsh::array::shape;
use evsh::array::DType;
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
rng = np.random.default_rng(12)
shape = (9, 6, 5)
env = {"np": np}
def ints(dt, lo=None, hi=None):
    info = np.iinfo(dt)
    lo = max(info.min, -(2**50)) if lo is None else lo
    hi = min(info.max, 2**50) if hi is None else hi
    x = rng.integers(lo, hi, size=shape, endpoint=True).astype(dt)
    x.flat[::7] = 0
    return x
def floats(dt, special, scale=10):
    x = (rng.standard_normal(shape) * scale).astype(dt)
    x.flat[::9] = 0
    if special:
        for i, v in enumerate([np.nan, np.inf, -np.inf, -0.0, np.nan, 0.5, 2.5, -1.5]):
            x.flat[5 + 31 * i] = v
    return x
for dt in ["b1","i1","i2","i4","i8","u1","u2","u4","u8","f2","f4","f8"]:
    if dt == "b1":
        a, c, u = (rng.random(shape) < 0.5 for _ in range(3))
    elif dt[0] in "iu":
        a = ints(dt)
        c = ints(dt, 0 if dt[0] == "u" else -100, 100)
        u = ints(dt, 0, 3)
    else:
        a, c = floats(dt, True), floats(dt, False)
        u = floats(dt, True, 0.6)
    env.update({f"a_{dt}": a, f"c_{dt}": c, f"u_{dt}": u})
    env[f"z_{dt}"] = np.zeros((0, 4), dt)
    env[f"s_{dt}"] = np.array(a.flat[1])
env["srt_f8"] = np.sort(env["a_f8"].ravel())
env["srt_i4"] = np.sort(env["c_i4"].ravel())
env["bins_up"] = np.array([-10.0, -1.0, 0.0, 0.0, 2.5, 7.0])
env["bins_down"] = env["bins_up"][::-1].copy()
env["cnt"] = rng.integers(0, 40, size=300)
env["cnt_u1"] = rng.integers(0, 40, size=300).astype(np.uint8)
env["w"] = rng.random(300)
env["xp"] = np.sort(rng.uniform(-20, 20, 25))
env["fp"] = rng.standard_normal(25)
env["px"] = np.linspace(-3, 5, 40)
env["py"] = 0.5 * env["px"] ** 3 - env["px"] + rng.standard_normal(40) * 0.1
env["wt"] = rng.random(shape)
env["m2"] = rng.standard_normal((4, 30))
env["m3"] = rng.standard_normal((30, 7))
env["v30"] = rng.standard_normal(30)
env["im"] = rng.integers(-50, 50, (4, 30)).astype(np.int32)
env["im2"] = rng.integers(-50, 50, (30, 3)).astype(np.int32)
env["b3"] = rng.standard_normal((2, 4, 30))
env["b1"] = rng.standard_normal((3, 1, 30, 5))
env["rgb"] = rng.standard_normal((6, 5, 3)).astype(np.float32)
env["w3"] = np.array([0.299, 0.587, 0.114])
env["sq"] = rng.standard_normal((6, 6))
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
    /// Same dtype, relative tolerance (absolute below 1).
    Rel(f64),
    /// Values only (dtype may differ), relative tolerance.
    RelAny(f64),
}

struct Case {
    name: String,
    numpy: String,
    tol: Tol,
    run: Run,
}

fn get<'a>(env: &'a Env, k: &str) -> &'a Array {
    env.get(k).unwrap_or_else(|| panic!("no input {k}"))
}

/// The inputs a case can name: `a_f4` as loaded, `t_f4` the strided view
/// `a_f4[::2, :, ::-1].T` (NumPy's expression uses the same).
fn input(env: &Env, k: &str) -> Result<Array> {
    if let Some(dt) = k.strip_prefix("t_") {
        return Ok(get(env, &format!("a_{dt}"))
            .slice_axis(0, None, None, 2)?
            .slice_axis(2, None, None, -1)?
            .transpose());
    }
    Ok(get(env, k).clone())
}

fn np_name(k: &str) -> String {
    match k.strip_prefix("t_") {
        Some(dt) => format!("a_{dt}[::2, :, ::-1].T"),
        None => k.to_string(),
    }
}

struct Cases(Vec<Case>);

impl Cases {
    fn add(
        &mut self,
        name: impl Into<String>,
        numpy: impl Into<String>,
        tol: Tol,
        run: impl Fn(&Env) -> Result<Array> + 'static,
    ) {
        self.0.push(Case {
            name: name.into(),
            numpy: numpy.into(),
            tol,
            run: Box::new(run),
        });
    }
}

/// Tolerance of a transcendental function of dtype `dt` (see the module docs).
fn trans_tol(dt: &str) -> Tol {
    match dt {
        "f8" | "i4" | "i8" | "u4" | "u8" => Tol::Rel(1e-14),
        "f4" => Tol::Rel(1e-6),
        "f2" => Tol::Rel(2e-3),
        "i2" | "u2" => Tol::RelAny(1e-6),
        _ => Tol::RelAny(2e-3),
    }
}

/// Tolerance of a sum-like reduction of dtype `dt`.
fn sum_tol(dt: &str) -> Tol {
    match dt {
        "f2" => Tol::Rel(2e-2),
        "f4" => Tol::Rel(2e-5),
        _ => Tol::Rel(1e-12),
    }
}

fn arr(a: Array) -> Operand {
    Operand::Arr(a)
}

fn cases() -> Vec<Case> {
    let mut v = Cases(vec![]);
    // ---- elementwise math on every dtype, on C inputs and strided views
    for dt in DTYPES {
        for op in Math1::ALL {
            let float_only = !matches!(op, Math1::Isfinite | Math1::Isinf);
            if *dt == "b1" && matches!(op, Math1::Trunc | Math1::Rint | Math1::Sign) {
                continue; // evsh refuses, NumPy's results are float16
            }
            let tol = match op {
                Math1::Isfinite | Math1::Isinf | Math1::Trunc | Math1::Sign => Tol::Bits,
                Math1::Rint if dt.starts_with('f') => Tol::Bits,
                _ if float_only => trans_tol(dt),
                _ => Tol::Bits,
            };
            for src in ["a", "u", "t"] {
                let k = format!("{src}_{dt}");
                let np = format!("np.{}({})", op.name(), np_name(&k));
                v.add(format!("{}_{k}", op.name()), np, tol, move |e| {
                    math::math1(op, &input(e, &k)?)
                });
            }
        }
        if *dt != "b1" {
            for d in [0i64, 1, 2, -1] {
                for src in ["a", "c", "t"] {
                    if d < 0 && src != "c" && matches!(*dt, "i1" | "u1") {
                        continue; // NumPy and evsh overflow differently near the int8 limits
                    }
                    let k = format!("{src}_{dt}");
                    let tol = if *dt == "f2" {
                        Tol::Rel(1e-3)
                    } else {
                        Tol::Value
                    };
                    v.add(
                        format!("round{d}_{k}"),
                        format!("np.round({}, {d})", np_name(&k)),
                        tol,
                        move |e| math::round(&input(e, &k)?, d),
                    );
                }
            }
            for src in ["a", "t"] {
                let k = format!("{src}_{dt}");
                v.add(
                    format!("clip_{k}"),
                    format!("np.clip({}, -3, 5)", np_name(&k)),
                    Tol::Value,
                    move |e| {
                        math::clip(
                            &input(e, &k)?,
                            Some(&Operand::Int(-3)),
                            Some(&Operand::Int(5)),
                        )
                    },
                );
            }
            v.add(
                format!("clip_arr_{dt}"),
                format!("np.clip(a_{dt}, c_{dt}[:, :1], 7.5)"),
                Tol::Value,
                move |e| {
                    let lo = get(e, &format!("c_{dt}")).slice_axis(1, None, Some(1), 1)?;
                    math::clip(
                        get(e, &format!("a_{dt}")),
                        Some(&arr(lo)),
                        Some(&Operand::Float(7.5)),
                    )
                },
            );
        }
        // two-argument functions: same shapes, broadcast column, scalar, views
        for op in Math2::ALL {
            let np = match op {
                Math2::Pow => "power",
                o => o.name(),
            };
            if op == Math2::Pow && *dt == "b1" {
                continue;
            }
            let tol = match op {
                Math2::Arctan2 | Math2::Hypot => trans_tol(dt),
                Math2::Pow if dt.starts_with('f') => trans_tol(dt),
                // integer powers are exact; 1.5 ** int is float64 through libm's pow
                Math2::Pow => Tol::Rel(1e-14),
                _ => Tol::Value,
            };
            // pow of integers: small non-negative exponents (negative ones are an error)
            let (x, y) = if op == Math2::Pow {
                (format!("c_{dt}"), format!("u_{dt}"))
            } else {
                (format!("a_{dt}"), format!("c_{dt}"))
            };
            {
                let (x, y) = (x.clone(), y.clone());
                v.add(
                    format!("{}_{dt}", op.name()),
                    format!("np.{np}({x}, {y})"),
                    tol,
                    move |e| math::math2(op, &arr(input(e, &x)?), &arr(input(e, &y)?)),
                );
            }
            {
                let (x, y) = (x.clone(), y.clone());
                v.add(
                    format!("{}_bc_{dt}", op.name()),
                    format!("np.{np}({y}[:, :, :1], {x}[::-2].transpose(0, 1, 2))"),
                    tol,
                    move |e| {
                        let b = get(e, &y).slice_axis(2, None, Some(1), 1)?;
                        let a = get(e, &x).slice_axis(0, None, None, -2)?;
                        math::math2(op, &arr(b), &arr(a))
                    },
                );
            }
            if *dt != "b1" {
                let x2 = x.clone();
                v.add(
                    format!("{}_int_{dt}", op.name()),
                    format!("np.{np}({x2}, 2)"),
                    tol,
                    move |e| math::math2(op, &arr(input(e, &x2)?), &Operand::Int(2)),
                );
                let x3 = x.clone();
                v.add(
                    format!("{}_float_{dt}", op.name()),
                    format!("np.{np}(1.5, {x3})"),
                    tol,
                    move |e| math::math2(op, &Operand::Float(1.5), &arr(input(e, &x3)?)),
                );
            }
        }
        // empty and 0-d
        let z = format!("z_{dt}");
        let s = format!("s_{dt}");
        for k in [z, s] {
            let k2 = k.clone();
            v.add(
                format!("sin_{k}"),
                format!("np.sin({k})"),
                trans_tol(dt),
                move |e| math::math1(Math1::Sin, &input(e, &k2)?),
            );
            let k3 = k.clone();
            v.add(
                format!("maximum_{k}"),
                format!("np.maximum({k}, {k})"),
                Tol::Value,
                move |e| math::math2(Math2::Maximum, &arr(input(e, &k3)?), &arr(input(e, &k3)?)),
            );
        }
    }
    // mixed dtypes in the two-argument functions
    for (x, y) in [
        ("f4", "i4"),
        ("u1", "i1"),
        ("f2", "i2"),
        ("b1", "f4"),
        ("u8", "i8"),
    ] {
        for op in [Math2::Maximum, Math2::Fmin, Math2::Arctan2] {
            let tol = if op == Math2::Arctan2 {
                Tol::RelAny(2e-3) // NumPy picks its float16 loop for (uint8, int8)
            } else {
                Tol::Value
            };
            let (kx, ky) = (format!("a_{x}"), format!("c_{y}"));
            v.add(
                format!("mix_{}_{x}_{y}", op.name()),
                format!("np.{}({kx}, {ky})", op.name()),
                tol,
                move |e| math::math2(op, &arr(input(e, &kx)?), &arr(input(e, &ky)?)),
            );
        }
    }

    // ---- statistics
    let axes: [Option<i64>; 5] = [None, Some(0), Some(1), Some(2), Some(-1)];
    let np_axis = |a: Option<i64>| match a {
        None => "None".to_string(),
        Some(k) => k.to_string(),
    };
    for dt in DTYPES {
        let is_float = dt.starts_with('f');
        for src in ["a", "c", "t"] {
            let k = format!("{src}_{dt}");
            let x = np_name(&k);
            for ax in axes {
                let ak = np_axis(ax);
                // quantiles: NumPy interpolates integers in their own dtype (b - a wraps
                // around for wide ranges), so integers are checked on the small-range "c"
                if *dt != "i1" && *dt != "b1" && (is_float || src == "c") {
                    let qtol = match *dt {
                        "f4" => Tol::Rel(1e-6),
                        "f2" => Tol::Rel(1e-3),
                        _ => Tol::Value,
                    };
                    let k1 = k.clone();
                    v.add(
                        format!("quantile_{k}_{ak}"),
                        format!("np.quantile({x}, 0.3, axis={ak})"),
                        qtol,
                        move |e| {
                            npstats::quantile(&input(e, &k1)?, &[0.3], ax, false, true, "quantile")
                        },
                    );
                    let k1 = k.clone();
                    v.add(
                        format!("quantiles_{k}_{ak}"),
                        format!("np.quantile({x}, [0.0, 0.25, 0.5, 0.9, 1.0], axis={ak})"),
                        Tol::Value,
                        move |e| {
                            npstats::quantile(
                                &input(e, &k1)?,
                                &[0.0, 0.25, 0.5, 0.9, 1.0],
                                ax,
                                false,
                                false,
                                "quantile",
                            )
                        },
                    );
                    let k1 = k.clone();
                    v.add(
                        format!("nanpercentile_{k}_{ak}"),
                        format!("np.nanpercentile({x}, [5, 50, 95], axis={ak})"),
                        Tol::Rel(1e-14),
                        move |e| {
                            npstats::quantile(
                                &input(e, &k1)?,
                                &[0.05, 0.5, 0.95],
                                ax,
                                true,
                                false,
                                "nanpercentile",
                            )
                        },
                    );
                }
                if *dt != "b1" {
                    let mtol = match *dt {
                        "f4" => Tol::Rel(1e-6),
                        "f2" => Tol::Rel(1e-3),
                        _ => Tol::Value,
                    };
                    let k1 = k.clone();
                    v.add(
                        format!("median_{k}_{ak}"),
                        format!("np.median({x}, axis={ak})"),
                        mtol,
                        move |e| npstats::median(&input(e, &k1)?, ax, false),
                    );
                    let k1 = k.clone();
                    v.add(
                        format!("nanmedian_{k}_{ak}"),
                        format!("np.nanmedian({x}, axis={ak})"),
                        mtol,
                        move |e| npstats::median(&input(e, &k1)?, ax, true),
                    );
                }
                let axs: Option<Vec<i64>> = ax.map(|a| vec![a]);
                for (r, np) in [
                    (NanRed::Sum, "nansum"),
                    (NanRed::Mean, "nanmean"),
                    (NanRed::Min, "nanmin"),
                    (NanRed::Max, "nanmax"),
                    (NanRed::Std, "nanstd"),
                    (NanRed::Var, "nanvar"),
                ] {
                    if *dt == "b1" && !matches!(r, NanRed::Sum | NanRed::Min | NanRed::Max) {
                        continue;
                    }
                    let tol = if is_float || matches!(r, NanRed::Mean | NanRed::Std | NanRed::Var) {
                        sum_tol(dt)
                    } else {
                        Tol::Value
                    };
                    let tol = match (r, *dt) {
                        // NumPy's mean/var of integers is float64; of float16 float16
                        (NanRed::Mean | NanRed::Std | NanRed::Var, d) if !d.starts_with('f') => {
                            Tol::Rel(1e-12)
                        }
                        _ => tol,
                    };
                    let (k1, a1) = (k.clone(), axs.clone());
                    v.add(
                        format!("{np}_{k}_{ak}"),
                        format!("np.{np}({x}, axis={ak})"),
                        tol,
                        move |e| npstats::nan_reduce(&input(e, &k1)?, r, a1.as_deref()),
                    );
                }
                if *dt != "b1" {
                    for ddof in [0.0, 1.0] {
                        for std in [false, true] {
                            let f = if std { "std" } else { "var" };
                            let tol = if is_float {
                                sum_tol(dt)
                            } else {
                                Tol::Rel(1e-12)
                            };
                            let (k1, a1) = (k.clone(), axs.clone());
                            v.add(
                                format!("{f}{ddof}_{k}_{ak}"),
                                format!("np.{f}({x}, axis={ak}, ddof={ddof})"),
                                tol,
                                move |e| {
                                    npstats::var(&input(e, &k1)?, a1.as_deref(), ddof, std, false)
                                },
                            );
                        }
                    }
                    let (k1, a1) = (k.clone(), axs.clone());
                    v.add(
                        format!("ptp_{k}_{ak}"),
                        format!("np.ptp({x}, axis={ak})"),
                        Tol::Value,
                        move |e| npstats::ptp(&input(e, &k1)?, a1.as_deref()),
                    );
                }
                let (k1, a1) = (k.clone(), axs.clone());
                let ptol = if is_float { sum_tol(dt) } else { Tol::Value };
                let ptol = if *dt == "f2" { Tol::Rel(5e-2) } else { ptol };
                v.add(
                    format!("prod_{k}_{ak}"),
                    format!("np.prod({x}, axis={ak})"),
                    ptol,
                    move |e| npstats::prod(&input(e, &k1)?, a1.as_deref()),
                );
                // running functions: floats accumulate in their dtype as NumPy does
                for (prod, np) in [(false, "cumsum"), (true, "cumprod")] {
                    let k1 = k.clone();
                    v.add(
                        format!("{np}_{k}_{ak}"),
                        format!("np.{np}({x}, axis={ak})"),
                        Tol::Value,
                        move |e| cumulative::cumulative(&input(e, &k1)?, ax, prod),
                    );
                }
                if let Some(a) = ax {
                    for n in [1i64, 2, 7] {
                        let k1 = k.clone();
                        v.add(
                            format!("diff{n}_{k}_{a}"),
                            format!("np.diff({x}, n={n}, axis={a})"),
                            Tol::Bits,
                            move |e| cumulative::diff(&input(e, &k1)?, n, a),
                        );
                    }
                    let k1 = k.clone();
                    v.add(
                        format!("norm_{k}_{a}"),
                        format!("np.linalg.norm({x}.astype(np.float64), axis={a}).astype(np.result_type({x}.dtype, np.float16) if {x}.dtype.kind == 'f' else np.float64)"),
                        Tol::Rel(match *dt {
                            "f2" => 2e-3,
                            "f4" => 1e-6,
                            _ => 1e-13,
                        }),
                        move |e| linalg::norm(&input(e, &k1)?, 2.0, Some(a)),
                    );
                }
            }
        }
        // empty and 0-d
        if *dt != "b1" && *dt != "i1" {
            v.add(
                format!("median_z_{dt}"),
                format!("np.median(z_{dt}, axis=0)"),
                Tol::Value,
                move |e| npstats::median(get(e, &format!("z_{dt}")), Some(0), false),
            );
            v.add(
                format!("quantile_s_{dt}"),
                format!("np.quantile(s_{dt}, [0.5])"),
                Tol::Value,
                move |e| {
                    npstats::quantile(get(e, &format!("s_{dt}")), &[0.5], None, false, false, "q")
                },
            );
        }
        v.add(
            format!("cumsum_z_{dt}"),
            format!("np.cumsum(z_{dt}, axis=1)"),
            Tol::Value,
            move |e| cumulative::cumulative(get(e, &format!("z_{dt}")), Some(1), false),
        );
        v.add(
            format!("cumsum_s_{dt}"),
            format!("np.cumsum(s_{dt})"),
            Tol::Value,
            move |e| cumulative::cumulative(get(e, &format!("s_{dt}")), None, false),
        );
        v.add(
            format!("diff_z_{dt}"),
            format!("np.diff(z_{dt}, axis=0)"),
            Tol::Bits,
            move |e| cumulative::diff(get(e, &format!("z_{dt}")), 1, 0),
        );
        v.add(
            format!("nansum_z_{dt}"),
            format!("np.nansum(z_{dt}, axis=0)"),
            Tol::Value,
            move |e| npstats::nan_reduce(get(e, &format!("z_{dt}")), NanRed::Sum, Some(&[0])),
        );
        // multi-axis NaN reductions
        if dt.starts_with('f') {
            v.add(
                format!("nanmean_02_{dt}"),
                format!("np.nanmean(a_{dt}, axis=(0, 2))"),
                sum_tol(dt),
                move |e| {
                    npstats::nan_reduce(get(e, &format!("a_{dt}")), NanRed::Mean, Some(&[0, 2]))
                },
            );
            v.add(
                format!("var_12_{dt}"),
                format!("np.var(c_{dt}, axis=(2, 1), ddof=1)"),
                sum_tol(dt),
                move |e| npstats::var(get(e, &format!("c_{dt}")), Some(&[2, 1]), 1.0, false, false),
            );
        }
        // average
        if *dt != "b1" {
            for ax in [None, Some(0i64), Some(2)] {
                let ak = np_axis(ax);
                let tol = match *dt {
                    "f2" => Tol::Rel(2e-2),
                    "f4" => Tol::Rel(1e-5),
                    _ => Tol::Rel(1e-12),
                };
                v.add(
                    format!("average_{dt}_{ak}"),
                    format!("np.average(c_{dt}, weights=wt, axis={ak})"),
                    Tol::RelAny(match tol {
                        Tol::Rel(r) => r,
                        _ => 1e-12,
                    }),
                    move |e| npstats::average(get(e, &format!("c_{dt}")), Some(get(e, "wt")), ax),
                );
            }
        }
        // shapes: views and copies, exact
        let a = format!("a_{dt}");
        let t = format!("t_{dt}");
        for (name, np, f) in shape_cases() {
            for k in [&a, &t] {
                let (k1, f) = (k.clone(), f.clone());
                v.add(
                    format!("{name}_{k}"),
                    np.replace('X', &np_name(k)),
                    Tol::Bits,
                    move |e| f(&input(e, &k1)?),
                );
            }
        }
        {
            let (a1, c1) = (a.clone(), format!("c_{dt}"));
            v.add(
                format!("concat1_{dt}"),
                format!(
                    "np.concatenate([{a}, {c1}[:, :2], {t}.transpose(1, 2, 0)[:, :1]], axis=1)",
                    t = np_name(&t)
                ),
                Tol::Bits,
                move |e| {
                    let t = input(e, &format!("t_{}", &a1[2..]))?.permute_axes(&[1, 2, 0])?;
                    shape::concatenate(
                        &[
                            get(e, &a1).clone(),
                            get(e, &c1).slice_axis(1, None, Some(2), 1)?,
                            t.slice_axis(1, None, Some(1), 1)?,
                        ],
                        1,
                    )
                },
            );
            let (a1, c1) = (a.clone(), format!("c_{dt}"));
            for ax in [0i64, 1, 2, 3, -1] {
                let (a2, c2) = (a1.clone(), c1.clone());
                v.add(
                    format!("stack{ax}_{dt}"),
                    format!("np.stack([{a1}, {c1}], axis={ax})"),
                    Tol::Bits,
                    move |e| shape::stack(&[get(e, &a2).clone(), get(e, &c2).clone()], ax),
                );
            }
            let a2 = a1.clone();
            v.add(
                format!("concat_mix_{dt}"),
                format!("np.concatenate([{a1}, c_f4], axis=2)"),
                Tol::Bits,
                move |e| shape::concatenate(&[get(e, &a2).clone(), get(e, "c_f4").clone()], 2),
            );
            let a2 = a1.clone();
            v.add(
                format!("hstack_{dt}"),
                format!("np.hstack([{a1}, {a1}])"),
                Tol::Bits,
                move |e| shape::hstack(&[get(e, &a2).clone(), get(e, &a2).clone()]),
            );
            let a2 = a1.clone();
            v.add(
                format!("vstack1_{dt}"),
                format!("np.vstack([{a1}[0, 0], {a1}[1, 1]])"),
                Tol::Bits,
                move |e| {
                    let x = get(e, &a2);
                    shape::vstack(&[
                        x.index_axis(0, 0)?.index_axis(0, 0)?,
                        x.index_axis(0, 1)?.index_axis(0, 1)?,
                    ])
                },
            );
            let dd = dt.to_string();
            v.add(
                format!("roll_z_{dt}"),
                format!("np.roll(z_{dt}, 3)"),
                Tol::Bits,
                move |e| shape::roll(get(e, &format!("z_{dd}")), 3, None),
            );
        }
    }
    // searching and counting
    for (srt, vals) in [
        ("srt_f8", "a_f8"),
        ("srt_i4", "c_i4"),
        ("srt_f8", "c_i4"),
        ("srt_i4", "a_f4"),
    ] {
        for right in [false, true] {
            let side = if right { "right" } else { "left" };
            let (s1, v1) = (srt.to_string(), vals.to_string());
            v.add(
                format!("searchsorted_{srt}_{vals}_{side}"),
                format!("np.searchsorted({srt}, {vals}, side='{side}')"),
                Tol::Bits,
                move |e| cumulative::searchsorted(get(e, &s1), &arr(get(e, &v1).clone()), right),
            );
        }
    }
    v.add(
        "searchsorted_scalar",
        "np.searchsorted(srt_f8, 0.5)",
        Tol::Bits,
        |e| cumulative::searchsorted(get(e, "srt_f8"), &Operand::Float(0.5), false),
    );
    for bins in ["bins_up", "bins_down"] {
        for vals in ["a_f8", "c_i4", "a_f4"] {
            for right in [false, true] {
                let (b1, v1) = (bins.to_string(), vals.to_string());
                v.add(
                    format!("digitize_{bins}_{vals}_{right}"),
                    format!(
                        "np.digitize({vals}, {bins}, right={})",
                        if right { "True" } else { "False" }
                    ),
                    Tol::Bits,
                    move |e| cumulative::digitize(&arr(get(e, &v1).clone()), get(e, &b1), right),
                );
            }
        }
    }
    v.add("bincount", "np.bincount(cnt)", Tol::Bits, |e| {
        cumulative::bincount(get(e, "cnt"), None, 0)
    });
    v.add(
        "bincount_u1_min",
        "np.bincount(cnt_u1, minlength=60)",
        Tol::Bits,
        |e| cumulative::bincount(get(e, "cnt_u1"), None, 60),
    );
    v.add(
        "bincount_w",
        "np.bincount(cnt, weights=w)",
        Tol::Rel(1e-13),
        |e| cumulative::bincount(get(e, "cnt"), Some(get(e, "w")), 0),
    );
    v.add(
        "bincount_neg",
        "np.bincount(c_i4.ravel())",
        Tol::Bits,
        |e| cumulative::bincount(&shape::ravel(get(e, "c_i4"))?, None, 0),
    );
    for x in ["a_f8", "t_f8", "c_i4", "px"] {
        let x1 = x.to_string();
        v.add(
            format!("interp_{x}"),
            format!("np.interp({}, xp, fp)", np_name(x)),
            Tol::Bits,
            move |e| {
                cumulative::interp(&arr(input(e, &x1)?), get(e, "xp"), get(e, "fp"), None, None)
            },
        );
    }
    v.add(
        "interp_lr",
        "np.interp(a_f8, xp, fp, left=-7.0, right=9.0)",
        Tol::Bits,
        |e| {
            cumulative::interp(
                &arr(get(e, "a_f8").clone()),
                get(e, "xp"),
                get(e, "fp"),
                Some(-7.0),
                Some(9.0),
            )
        },
    );
    // polynomials, covariance
    for deg in [0i64, 1, 3] {
        v.add(
            format!("polyfit{deg}"),
            format!("np.polyfit(px, py, {deg})"),
            Tol::Rel(1e-9),
            move |e| npstats::polyfit(get(e, "px"), get(e, "py"), deg),
        );
    }
    v.add(
        "polyval",
        "np.polyval([0.5, 0.0, -1.0, 2.0], a_f8)",
        Tol::Bits,
        |e| npstats::polyval(&[0.5, 0.0, -1.0, 2.0], get(e, "a_f8")),
    );
    v.add("cov", "np.cov(m2)", Tol::Rel(1e-12), |e| {
        npstats::cov(get(e, "m2"), None, true, 1.0)
    });
    v.add(
        "cov_cols",
        "np.cov(m3, rowvar=False, ddof=0)",
        Tol::Rel(1e-12),
        |e| npstats::cov(get(e, "m3"), None, false, 0.0),
    );
    v.add("cov_xy", "np.cov(v30, m2[0])", Tol::Rel(1e-12), |e| {
        npstats::cov(
            get(e, "v30"),
            Some(&get(e, "m2").index_axis(0, 0)?),
            true,
            1.0,
        )
    });
    v.add("cov_1", "np.cov(v30)", Tol::Rel(1e-12), |e| {
        npstats::cov(get(e, "v30"), None, true, 1.0)
    });
    v.add("corrcoef", "np.corrcoef(m2)", Tol::Rel(1e-12), |e| {
        npstats::corrcoef(get(e, "m2"), None, true)
    });
    v.add(
        "corrcoef_cols",
        "np.corrcoef(m3, rowvar=False)",
        Tol::Rel(1e-12),
        |e| npstats::corrcoef(get(e, "m3"), None, false),
    );
    // linear algebra
    v.add("matmul", "m2 @ m3", Tol::Rel(1e-12), |e| {
        linalg::matmul(get(e, "m2"), get(e, "m3"), "matmul")
    });
    v.add("matmul_t", "m3.T @ m2.T", Tol::Rel(1e-12), |e| {
        linalg::matmul(
            &get(e, "m3").transpose(),
            &get(e, "m2").transpose(),
            "matmul",
        )
    });
    v.add("matvec", "m2 @ v30", Tol::Rel(1e-12), |e| {
        linalg::matmul(get(e, "m2"), get(e, "v30"), "matmul")
    });
    v.add("vecmat", "v30 @ m3", Tol::Rel(1e-12), |e| {
        linalg::matmul(get(e, "v30"), get(e, "m3"), "matmul")
    });
    v.add("inner", "np.dot(v30, v30)", Tol::Rel(1e-12), |e| {
        linalg::matmul(get(e, "v30"), get(e, "v30"), "dot")
    });
    v.add("matmul_int", "im @ im2", Tol::Bits, |e| {
        linalg::matmul(get(e, "im"), get(e, "im2"), "matmul")
    });
    v.add(
        "matmul_f4",
        "m2.astype(np.float32) @ m3.astype(np.float32)",
        Tol::Rel(1e-5),
        |e| {
            let a = ops::astype(get(e, "m2"), &DType::F32)?;
            let b = ops::astype(get(e, "m3"), &DType::F32)?;
            linalg::matmul(&a, &b, "matmul")
        },
    );
    v.add("outer", "np.outer(v30, c_i4[0, 0])", Tol::Bits, |e| {
        linalg::outer(
            get(e, "v30"),
            &get(e, "c_i4").index_axis(0, 0)?.index_axis(0, 0)?,
        )
    });
    for (ord, np) in [
        (1.0, "1"),
        (f64::INFINITY, "np.inf"),
        (3.0, "3"),
        (0.0, "0"),
    ] {
        v.add(
            format!("norm_ord_{np}"),
            format!("np.linalg.norm(m2, ord={np}, axis=1)"),
            Tol::Rel(1e-13),
            move |e| linalg::norm(get(e, "m2"), ord, Some(1)),
        );
    }
    v.add("norm_all", "np.linalg.norm(m2)", Tol::Rel(1e-13), |e| {
        linalg::norm(get(e, "m2"), 2.0, None)
    });
    // matrix norms: 2-D, wide and tall, and over an axis pair of a 3-D array
    let label = |np: &str| np.replace(['\'', '.'], "").replace('-', "neg");
    for (ord, np) in [
        (linalg::MatOrd::Fro, "'fro'"),
        (linalg::MatOrd::Nuc, "'nuc'"),
        (linalg::MatOrd::Num(1.0), "1"),
        (linalg::MatOrd::Num(-1.0), "-1"),
        (linalg::MatOrd::Num(f64::INFINITY), "np.inf"),
        (linalg::MatOrd::Num(f64::NEG_INFINITY), "-np.inf"),
        (linalg::MatOrd::Num(2.0), "2"),
        (linalg::MatOrd::Num(-2.0), "-2"),
    ] {
        for (m, t) in [("m2", false), ("m3", false), ("sq", false), ("m2", true)] {
            let x = if t { format!("{m}.T") } else { m.to_string() };
            v.add(
                format!("mnorm_{}_{m}_{t}", label(np)),
                format!("np.linalg.norm({x}, ord={np})"),
                Tol::Rel(1e-10),
                move |e| {
                    let a = get(e, m);
                    let a = if t { a.transpose() } else { a.clone() };
                    linalg::matrix_norm(&a, ord, (0, 1))
                },
            );
        }
        v.add(
            format!("mnorm_{}_axes", label(np)),
            format!("np.linalg.norm(b3, ord={np}, axis=(2, 0))"),
            Tol::Rel(1e-10),
            move |e| linalg::matrix_norm(get(e, "b3"), ord, (2, 0)),
        );
    }
    v.add(
        "mnorm_f4",
        "np.linalg.norm(rgb[:, :, 0], ord=1)",
        Tol::Rel(1e-6),
        |e| {
            linalg::matrix_norm(
                &get(e, "rgb").index_axis(2, 0)?,
                linalg::MatOrd::Num(1.0),
                (0, 1),
            )
        },
    );
    // tensordot, dot and matmul above 2-D
    v.add(
        "tensordot_rgb",
        "np.tensordot(rgb, w3, axes=([-1], [0]))",
        Tol::Rel(1e-6),
        |e| linalg::tensordot(get(e, "rgb"), get(e, "w3"), &[-1], &[0]),
    );
    v.add(
        "tensordot_2",
        "np.tensordot(b3, m3, axes=([2], [0]))",
        Tol::Rel(1e-12),
        |e| linalg::tensordot(get(e, "b3"), get(e, "m3"), &[2], &[0]),
    );
    v.add(
        "tensordot_pairs",
        "np.tensordot(b3, b3, axes=([0, 2], [0, 2]))",
        Tol::Rel(1e-12),
        |e| linalg::tensordot(get(e, "b3"), get(e, "b3"), &[0, 2], &[0, 2]),
    );
    v.add(
        "tensordot_0",
        "np.tensordot(v30[:3], w3, axes=0)",
        Tol::Rel(1e-12),
        |e| {
            let a = get(e, "v30").slice_axis(0, Some(0), Some(3), 1)?;
            linalg::tensordot(&a, get(e, "w3"), &[], &[])
        },
    );
    v.add("matmul_batch", "b3 @ m3", Tol::Rel(1e-12), |e| {
        linalg::matmul(get(e, "b3"), get(e, "m3"), "matmul")
    });
    v.add("matmul_bcast", "b3 @ b1", Tol::Rel(1e-12), |e| {
        linalg::matmul(get(e, "b3"), get(e, "b1"), "matmul")
    });
    v.add("matmul_batch_vec", "b3 @ v30", Tol::Rel(1e-12), |e| {
        linalg::matmul(get(e, "b3"), get(e, "v30"), "matmul")
    });
    v.add("matmul_vec_batch", "v30[:4] @ b3", Tol::Rel(1e-12), |e| {
        let a = get(e, "v30").slice_axis(0, Some(0), Some(4), 1)?;
        linalg::matmul(&a, get(e, "b3"), "matmul")
    });
    v.add("dot_nd", "np.dot(b3, m3)", Tol::Rel(1e-12), |e| {
        linalg::matmul(get(e, "b3"), get(e, "m3"), "dot")
    });
    v.add("dot_nd_nd", "np.dot(b3, b1[0])", Tol::Rel(1e-12), |e| {
        linalg::matmul(get(e, "b3"), &get(e, "b1").index_axis(0, 0)?, "dot")
    });
    v.add("dot_nd_vec", "np.dot(b3, v30)", Tol::Rel(1e-12), |e| {
        linalg::matmul(get(e, "b3"), get(e, "v30"), "dot")
    });
    // construction and comparison
    for (n, m, k) in [(4i64, 4i64, 0i64), (3, 5, 1), (5, 3, -2), (0, 2, 0)] {
        v.add(
            format!("eye_{n}_{m}_{k}"),
            format!("np.eye({n}, {m}, {k})"),
            Tol::Bits,
            move |_| linalg::eye(n, m, k, &DType::F64),
        );
    }
    v.add("eye_i2", "np.eye(3, dtype=np.int16)", Tol::Bits, |_| {
        linalg::eye(3, 3, 0, &DType::I16)
    });
    v.add("logspace", "np.logspace(0, 3, 7)", Tol::Rel(1e-15), |_| {
        linalg::logspace(0.0, 3.0, 7, 10.0)
    });
    v.add(
        "logspace2",
        "np.logspace(-1, 4, 6, base=2.0)",
        Tol::Rel(1e-15),
        |_| linalg::logspace(-1.0, 4.0, 6, 2.0),
    );
    for ij in [false, true] {
        let ix = if ij { "ij" } else { "xy" };
        for which in [0usize, 1] {
            v.add(
                format!("meshgrid_{ix}_{which}"),
                format!("np.meshgrid(xp[:5], v30[:3], indexing='{ix}')[{which}]"),
                Tol::Bits,
                move |e| {
                    let x = get(e, "xp").slice_axis(0, None, Some(5), 1)?;
                    let y = get(e, "v30").slice_axis(0, None, Some(3), 1)?;
                    let (gx, gy) = linalg::meshgrid(&x, &y, ij)?;
                    Ok(if which == 0 { gx } else { gy })
                },
            );
        }
    }
    for (a, b) in [
        ("a_f8", "c_f8"),
        ("a_f4", "a_f4"),
        ("c_i4", "c_f8"),
        ("a_f8", "a_f8"),
    ] {
        for eq in [false, true] {
            let (a1, b1) = (a.to_string(), b.to_string());
            v.add(
                format!("isclose_{a}_{b}_{eq}"),
                format!(
                    "np.isclose({a}, {b} * (1 + 1e-6) + 1e-9, equal_nan={})",
                    if eq { "True" } else { "False" }
                ),
                Tol::Bits,
                move |e| {
                    let bb = ops::binary(
                        ops::BinOp::Mul,
                        &arr(get(e, &b1).clone()),
                        &Operand::Float(1.0 + 1e-6),
                    )?;
                    let bb = ops::binary(ops::BinOp::Add, &arr(bb), &Operand::Float(1e-9))?;
                    linalg::isclose(
                        &arr(get(e, &a1).clone()),
                        &arr(bb),
                        1e-5,
                        1e-8,
                        eq,
                        "isclose",
                    )
                },
            );
        }
    }
    for (a, b) in [
        ("a_f8", "a_f8"),
        ("c_i4", "c_i4"),
        ("c_f8", "c_f8"),
        ("c_i4", "c_i2"),
    ] {
        let (a1, b1) = (a.to_string(), b.to_string());
        v.add(
            format!("array_equal_{a}_{b}"),
            format!("np.array_equal({a}, {b})"),
            Tol::Bits,
            move |e| {
                Array::from_bools(vec![linalg::array_equal(get(e, &a1), get(e, &b1))?])
                    .reshape(vec![])
            },
        );
    }
    v.0
}

type ShapeFn = std::rc::Rc<dyn Fn(&Array) -> Result<Array>>;

/// (name, NumPy expression over X, evsh function) for the shape functions.
fn shape_cases() -> Vec<(&'static str, &'static str, ShapeFn)> {
    vec![
        (
            "transpose",
            "np.transpose(X, (1, 2, 0))",
            std::rc::Rc::new(|x| shape::transpose(x, &[1, -1, 0])),
        ),
        (
            "squeeze",
            "np.squeeze(X[:1, :, 2:3])",
            std::rc::Rc::new(|x| {
                shape::squeeze(
                    &x.slice_axis(0, None, Some(1), 1)?
                        .slice_axis(2, Some(2), Some(3), 1)?,
                    None,
                )
            }),
        ),
        (
            "squeeze0",
            "np.squeeze(X[:1], axis=0)",
            std::rc::Rc::new(|x| shape::squeeze(&x.slice_axis(0, None, Some(1), 1)?, Some(&[0]))),
        ),
        (
            "expand",
            "np.expand_dims(X, -1)",
            std::rc::Rc::new(|x| shape::expand_dims(x, -1)),
        ),
        (
            "expand1",
            "np.expand_dims(X, 1)",
            std::rc::Rc::new(|x| shape::expand_dims(x, 1)),
        ),
        (
            "flip",
            "np.flip(X)",
            std::rc::Rc::new(|x| shape::flip(x, None)),
        ),
        (
            "flip1",
            "np.flip(X, 1)",
            std::rc::Rc::new(|x| shape::flip(x, Some(1))),
        ),
        (
            "roll",
            "np.roll(X, 7)",
            std::rc::Rc::new(|x| shape::roll(x, 7, None)),
        ),
        (
            "roll1",
            "np.roll(X, -2, axis=1)",
            std::rc::Rc::new(|x| shape::roll(x, -2, Some(1))),
        ),
        (
            "roll2",
            "np.roll(X, 13, axis=-1)",
            std::rc::Rc::new(|x| shape::roll(x, 13, Some(-1))),
        ),
        (
            "repeat",
            "np.repeat(X, 2)",
            std::rc::Rc::new(|x| shape::repeat(x, 2, None)),
        ),
        (
            "repeat1",
            "np.repeat(X, 3, axis=1)",
            std::rc::Rc::new(|x| shape::repeat(x, 3, Some(1))),
        ),
        (
            "repeat0",
            "np.repeat(X, 0, axis=2)",
            std::rc::Rc::new(|x| shape::repeat(x, 0, Some(2))),
        ),
        (
            "tile",
            "np.tile(X, 2)",
            std::rc::Rc::new(|x| shape::tile(x, &[2])),
        ),
        (
            "tile3",
            "np.tile(X, (2, 1, 1, 3))",
            std::rc::Rc::new(|x| shape::tile(x, &[2, 1, 1, 3])),
        ),
        ("ravel", "np.ravel(X)", std::rc::Rc::new(shape::ravel)),
    ]
}

/// Compare our array with NumPy's; `None` when they agree.
fn differs(got: &Array, want: &Array, tol: Tol) -> Option<String> {
    if got.shape() != want.shape() {
        return Some(format!("shape {:?}, want {:?}", got.shape(), want.shape()));
    }
    if !matches!(tol, Tol::RelAny(_)) && got.dtype() != want.dtype() {
        return Some(format!(
            "dtype {}, want {}",
            got.dtype().name(),
            want.dtype().name()
        ));
    }
    let g = ops::astype(got, &DType::F64).unwrap();
    let w = ops::astype(want, &DType::F64).unwrap();
    let (g, w) = (g.as_slice::<f64>().unwrap(), w.as_slice::<f64>().unwrap());
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
                Tol::Rel(r) | Tol::RelAny(r) => {
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
fn functions_match_numpy() {
    if !pyref::python_has("numpy", "NumPy function tests") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cases = cases();
    let mut seen = std::collections::HashSet::new();
    for c in &cases {
        assert!(seen.insert(c.name.clone()), "duplicate case {}", c.name);
    }
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
    let mut failures = vec![];
    let mut both_refuse = 0;
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
            (_, Err(_)) => both_refuse += 1,
        }
    }
    eprintln!(
        "{} function cases checked against NumPy ({both_refuse} refused by both)",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures[..failures.len().min(200)].join("\n")
    );
}

/// Clear errors naming the function and the argument, never a panic.
#[test]
fn errors_name_function_and_argument() {
    let a = Array::from_vec((0..12).map(|i| i as f64).collect(), vec![3, 4]).unwrap();
    let i = Array::from_vec(vec![1i32, -2, 3], vec![3]).unwrap();
    let e = |r: Result<Array>| r.unwrap_err().to_string();
    let msg = e(npstats::median(&a, Some(2), false));
    assert!(
        msg.starts_with("median: ") && msg.contains("axis 2"),
        "{msg}"
    );
    let msg = e(cumulative::cumulative(&a, Some(-3), false));
    assert!(msg.starts_with("cumsum: "), "{msg}");
    let msg = e(math::math2(Math2::Hypot, &arr(a.clone()), &arr(i.clone())));
    assert!(msg.starts_with("hypot: "), "{msg}");
    let msg = e(math::math2(Math2::Pow, &arr(i.clone()), &arr(i.clone())));
    assert!(msg.contains("negative integer powers"), "{msg}");
    let msg = e(cumulative::bincount(&i, None, 0));
    assert!(
        msg.contains("bincount") && msg.contains("non-negative"),
        "{msg}"
    );
    let msg = e(cumulative::bincount(&a, None, 0));
    assert!(msg.contains("bincount: x must hold integers"), "{msg}");
    let msg = e(shape::concatenate(&[a.clone(), i.clone()], 0));
    assert!(msg.starts_with("concatenate: array 1"), "{msg}");
    let msg = e(shape::stack(&[a.clone(), a.transpose()], 0));
    assert!(msg.starts_with("stack: array 1 has shape"), "{msg}");
    let msg = e(shape::transpose(&a, &[0, 0]));
    assert!(msg.starts_with("transpose: "), "{msg}");
    let msg = e(shape::squeeze(&a, Some(&[0])));
    assert!(msg.contains("squeeze: axis 0 has length 3"), "{msg}");
    let msg = e(linalg::matmul(&a, &a, "matmul"));
    assert!(
        msg.contains("matmul: shapes (3, 4) and (3, 4) are not aligned"),
        "{msg}"
    );
    let msg = e(npstats::polyfit(&i, &a, 1));
    assert!(msg.starts_with("polyfit: "), "{msg}");
    let msg = e(cumulative::digitize(
        &arr(a.clone()),
        &Array::from_vec(vec![1.0, 0.0, 2.0], vec![3]).unwrap(),
        false,
    ));
    assert!(msg.contains("monotonically"), "{msg}");
    let msg = e(cumulative::interp(&arr(a.clone()), &i, &a, None, None));
    assert!(msg.starts_with("interp: "), "{msg}");
    let msg = e(npstats::average(&a, Some(&i), Some(1)));
    assert!(msg.starts_with("average: 1-D weights of length 3"), "{msg}");
    let big = evsh::exec::out::alloc::<f64>(usize::MAX / 4, "repeat").unwrap_err();
    assert!(big.to_string().contains("repeat: cannot allocate"), "{big}");
    let msg = e(shape::repeat(&a, i64::MAX / 2, None));
    assert!(msg.starts_with("repeat: "), "{msg}");
    let msg = e(linalg::eye(-1, 2, 0, &DType::F64));
    assert!(msg.starts_with("eye: "), "{msg}");
}

/// Views where NumPy gives views: no data is copied.
#[test]
fn views_share_data() {
    let a = Array::from_vec((0..24).map(|i| i as f32).collect(), vec![2, 3, 4]).unwrap();
    for v in [
        shape::transpose(&a, &[2, 0, 1]).unwrap(),
        shape::flip(&a, Some(1)).unwrap(),
        shape::expand_dims(&a, 0).unwrap(),
        shape::squeeze(&a.slice_axis(0, Some(0), Some(1), 1).unwrap(), None).unwrap(),
        shape::ravel(&a).unwrap(),
    ] {
        assert!(std::sync::Arc::ptr_eq(v.buf(), a.buf()));
    }
}
