//! NumPy's elementwise math functions beyond the operators: trigonometric, hyperbolic,
//! exponential and logarithmic families, rounding (`round` half to even with `decimals`,
//! `trunc`, `sign`), float classification (`isfinite`, `isinf`), `clip`, and the
//! two-argument functions (`arctan2`, `hypot`, `maximum`/`minimum` which propagate NaN,
//! `fmax`/`fmin` which ignore it, `pow`) with NumPy 2 promotion and broadcasting.
//!
//! It is a sibling of [`super::ops`] rather than more `UnOp` arms so that the operator
//! module stays small; both share the layout driver [`super::kernel`] (chunked, parallel,
//! cancellable, no per-element dtype dispatch: the dtype is matched once and each function
//! is its own closure, so its loop is compiled on its own).
//!
//! Dtypes: float16/32/64 inputs keep their dtype; integer and bool inputs of the float
//! functions give float64 (as `sqrt`, `exp`, `log` do in evsh). Float functions are
//! computed in f64 and rounded to the output dtype.

use super::kernel::{self, Src};
use super::ops::{self, broadcast_shapes, result_type, wrap, Operand, Real};
use crate::array::{Array, DType};
use crate::error::Result;
use crate::{bail, err};

/// One-argument math functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Math1 {
    Sin,
    Cos,
    Tan,
    Arcsin,
    Arccos,
    Arctan,
    Sinh,
    Cosh,
    Tanh,
    Arcsinh,
    Arccosh,
    Arctanh,
    Exp2,
    Expm1,
    Log2,
    Log10,
    Log1p,
    Deg2rad,
    Rad2deg,
    Trunc,
    Rint,
    Sign,
    Isfinite,
    Isinf,
}

impl Math1 {
    /// Every function, in the order the docs list them.
    pub const ALL: [Math1; 24] = [
        Math1::Sin,
        Math1::Cos,
        Math1::Tan,
        Math1::Arcsin,
        Math1::Arccos,
        Math1::Arctan,
        Math1::Sinh,
        Math1::Cosh,
        Math1::Tanh,
        Math1::Arcsinh,
        Math1::Arccosh,
        Math1::Arctanh,
        Math1::Exp2,
        Math1::Expm1,
        Math1::Log2,
        Math1::Log10,
        Math1::Log1p,
        Math1::Deg2rad,
        Math1::Rad2deg,
        Math1::Trunc,
        Math1::Rint,
        Math1::Sign,
        Math1::Isfinite,
        Math1::Isinf,
    ];

    pub fn name(self) -> &'static str {
        use Math1::*;
        match self {
            Sin => "sin",
            Cos => "cos",
            Tan => "tan",
            Arcsin => "arcsin",
            Arccos => "arccos",
            Arctan => "arctan",
            Sinh => "sinh",
            Cosh => "cosh",
            Tanh => "tanh",
            Arcsinh => "arcsinh",
            Arccosh => "arccosh",
            Arctanh => "arctanh",
            Exp2 => "exp2",
            Expm1 => "expm1",
            Log2 => "log2",
            Log10 => "log10",
            Log1p => "log1p",
            Deg2rad => "deg2rad",
            Rad2deg => "rad2deg",
            Trunc => "trunc",
            Rint => "rint",
            Sign => "sign",
            Isfinite => "isfinite",
            Isinf => "isinf",
        }
    }

    /// One line for the docs.
    pub fn doc(self) -> &'static str {
        use Math1::*;
        match self {
            Sin => "Elementwise sine (radians).",
            Cos => "Elementwise cosine (radians).",
            Tan => "Elementwise tangent (radians).",
            Arcsin => "Elementwise inverse sine, in [-pi/2, pi/2] (NaN outside [-1, 1]).",
            Arccos => "Elementwise inverse cosine, in [0, pi] (NaN outside [-1, 1]).",
            Arctan => "Elementwise inverse tangent, in (-pi/2, pi/2).",
            Sinh => "Elementwise hyperbolic sine.",
            Cosh => "Elementwise hyperbolic cosine.",
            Tanh => "Elementwise hyperbolic tangent.",
            Arcsinh => "Elementwise inverse hyperbolic sine.",
            Arccosh => "Elementwise inverse hyperbolic cosine (NaN below 1).",
            Arctanh => "Elementwise inverse hyperbolic tangent (±inf at ±1, NaN outside).",
            Exp2 => "Elementwise 2^x.",
            Expm1 => "Elementwise e^x - 1, accurate for small x.",
            Log2 => "Elementwise base-2 logarithm.",
            Log10 => "Elementwise base-10 logarithm.",
            Log1p => "Elementwise ln(1 + x), accurate for small x.",
            Deg2rad => "Degrees to radians.",
            Rad2deg => "Radians to degrees.",
            Trunc => "Round toward zero (integers are unchanged and keep their dtype).",
            Rint => "Round to the nearest integer, halves to even (integers give float64, as NumPy gives floats).",
            Sign => "-1, 0 or 1 by sign (NaN stays NaN; keeps the dtype).",
            Isfinite => "Bool mask of the finite elements (not NaN, not ±inf).",
            Isinf => "Bool mask of the ±inf elements.",
        }
    }
}

fn map1<S: Real, D: bytemuck::Pod + Send + Sync>(
    what: &str,
    a: &Array,
    f: impl Fn(S) -> D + Sync,
) -> Result<Vec<D>> {
    let v = a.view::<S>()?;
    let shape = v.shape().to_vec();
    kernel::map1(what, &shape, &Src::of(v, &shape)?, f)
}

/// A float function computed in f64 and rounded to `D`; one closure per function.
fn float1<S: Real, D: Real>(op: Math1, a: &Array) -> Result<Vec<D>> {
    let n = op.name();
    macro_rules! z {
        (|$x:ident| $e:expr) => {
            map1::<S, D>(n, a, |s: S| {
                let $x = s.to_f64();
                D::from_f64($e)
            })
        };
    }
    use Math1::*;
    match op {
        Sin => z!(|x| x.sin()),
        Cos => z!(|x| x.cos()),
        Tan => z!(|x| x.tan()),
        Arcsin => z!(|x| x.asin()),
        Arccos => z!(|x| x.acos()),
        Arctan => z!(|x| x.atan()),
        Sinh => z!(|x| x.sinh()),
        Cosh => z!(|x| x.cosh()),
        Tanh => z!(|x| x.tanh()),
        Arcsinh => z!(|x| x.asinh()),
        Arccosh => z!(|x| x.acosh()),
        Arctanh => z!(|x| x.atanh()),
        Exp2 => z!(|x| x.exp2()),
        Expm1 => z!(|x| x.exp_m1()),
        Log2 => z!(|x| x.log2()),
        Log10 => z!(|x| x.log10()),
        Log1p => z!(|x| x.ln_1p()),
        Deg2rad => z!(|x| x.to_radians()),
        Rad2deg => z!(|x| x.to_degrees()),
        Trunc => z!(|x| x.trunc()),
        Rint => z!(|x| x.round_ties_even()),
        Sign => z!(|x| if x > 0.0 {
            1.0
        } else if x < 0.0 {
            -1.0
        } else if x == 0.0 {
            0.0
        } else {
            x
        }),
        Isfinite | Isinf => bail!("internal: {n} is not a float function"),
    }
}

/// `op(x)` elementwise.
pub fn math1(op: Math1, a: &Array) -> Result<Array> {
    let _s = crate::prof::span(op.name());
    crate::exec::page_in(a);
    let d = a.dtype().clone();
    let name = op.name();
    if !d.is_numeric() || d.is_complex() {
        bail!("{name}: not supported for arrays of dtype {}", d.name());
    }
    let shape = a.shape().to_vec();
    use Math1::*;
    match op {
        Isfinite | Isinf => crate::with_real_type!(&d, T => {
            let v = if op == Isfinite {
                map1::<T, u8>(name, a, |x| x.to_f64().is_finite() as u8)?
            } else {
                map1::<T, u8>(name, a, |x| x.to_f64().is_infinite() as u8)?
            };
            wrap(v, DType::Bool, shape)
        }, else unreachable!()),
        Trunc | Sign if !d.is_float() => {
            if d == DType::Bool {
                bail!("{name}: not supported for bool arrays");
            }
            if op == Trunc {
                return Ok(a.clone());
            }
            crate::with_real_type!(&d, T => {
                let (z, one) = (T::default(), T::from_i64(1));
                let v = map1::<T, T>(name, a, |x| if x > z { one } else if x < z { one.neg() } else { z })?;
                wrap(v, d.clone(), shape)
            }, else unreachable!())
        }
        _ if d.is_float() => {
            crate::with_real_type!(&d, T => wrap(float1::<T, T>(op, a)?, d.clone(), shape),
                else unreachable!())
        }
        _ => crate::with_real_type!(&d, S => wrap(float1::<S, f64>(op, a)?, DType::F64, shape),
            else unreachable!()),
    }
}

/// NumPy's `round(x, decimals)`: `rint(x * 10^d) / 10^d` (halves to even), or for
/// negative `d`, `rint(x / 10^-d) * 10^-d`. Integers are unchanged for `d >= 0` and
/// rounded (half to even) to multiples of `10^-d` otherwise, keeping their dtype.
pub fn round(a: &Array, decimals: i64) -> Result<Array> {
    let _s = crate::prof::span("round");
    crate::exec::page_in(a);
    let d = a.dtype().clone();
    if !d.is_numeric() || d.is_complex() {
        bail!("round: not supported for arrays of dtype {}", d.name());
    }
    if d == DType::Bool {
        bail!("round: not supported for bool arrays");
    }
    if !(-400..=400).contains(&decimals) {
        bail!("round: decimals must be in -400..=400, found {decimals}");
    }
    let shape = a.shape().to_vec();
    if !d.is_float() {
        if decimals >= 0 {
            return Ok(a.clone());
        }
        let f = 10f64.powi(-decimals as i32);
        return crate::with_real_type!(&d, T => {
            let v = map1::<T, T>("round", a, move |x| {
                T::from_f64((x.to_f64() / f).round_ties_even() * f)
            })?;
            wrap(v, d.clone(), shape)
        }, else unreachable!());
    }
    macro_rules! go {
        ($T:ty, $F:ty) => {{
            // computed in the dtype's own precision, as NumPy does (float16 in float32)
            let p = (10 as $F).powi(decimals.unsigned_abs() as i32);
            let v = if decimals >= 0 {
                map1::<$T, $T>("round", a, move |x| {
                    let y = x.to_f64() as $F;
                    <$T>::from_f64(((y * p).round_ties_even() / p) as f64)
                })?
            } else {
                map1::<$T, $T>("round", a, move |x| {
                    let y = x.to_f64() as $F;
                    <$T>::from_f64(((y / p).round_ties_even() * p) as f64)
                })?
            };
            wrap(v, d.clone(), shape)
        }};
    }
    match d {
        DType::F16 => {
            // NumPy's float16 arithmetic: each operation in float32, rounded to float16
            let p = 10f32.powi(decimals.unsigned_abs() as i32);
            let h = |v: f32| half::f16::from_f32(v).to_f32();
            let v = map1::<half::f16, half::f16>("round", a, move |x| {
                let y = x.to_f32();
                let r = if decimals >= 0 {
                    h(h(y * p).round_ties_even() / p)
                } else {
                    h(h(y / p).round_ties_even() * p)
                };
                half::f16::from_f32(r)
            })?;
            wrap(v, d.clone(), shape)
        }
        DType::F32 => go!(f32, f32),
        _ => go!(f64, f64),
    }
}

// ------------------------------------------------------------------------- two arguments

/// Two-argument math functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Math2 {
    Arctan2,
    Hypot,
    Maximum,
    Minimum,
    Fmax,
    Fmin,
    Pow,
}

impl Math2 {
    pub const ALL: [Math2; 7] = [
        Math2::Arctan2,
        Math2::Hypot,
        Math2::Maximum,
        Math2::Minimum,
        Math2::Fmax,
        Math2::Fmin,
        Math2::Pow,
    ];

    pub fn name(self) -> &'static str {
        use Math2::*;
        match self {
            Arctan2 => "arctan2",
            Hypot => "hypot",
            Maximum => "maximum",
            Minimum => "minimum",
            Fmax => "fmax",
            Fmin => "fmin",
            Pow => "pow",
        }
    }

    pub fn doc(self) -> &'static str {
        use Math2::*;
        match self {
            Arctan2 => "Elementwise arctan(y / x) in the quadrant of (x, y), in [-pi, pi] (arguments: y first, as in NumPy). Integers give float64.",
            Hypot => "Elementwise sqrt(x^2 + y^2) without intermediate overflow. Integers give float64.",
            Maximum => "Elementwise larger of x and y; NaN in either gives NaN (NumPy's `maximum`).",
            Minimum => "Elementwise smaller of x and y; NaN in either gives NaN (NumPy's `minimum`).",
            Fmax => "Elementwise larger of x and y, ignoring NaN (NaN only when both are NaN).",
            Fmin => "Elementwise smaller of x and y, ignoring NaN (NaN only when both are NaN).",
            Pow => "Elementwise x^y (NumPy's `power`): integers stay integers (wrapping; a negative integer exponent is an error), floats keep their dtype. `x ** y` is the same when either side is an Array.",
        }
    }
}

/// The broadcast shape and promoted dtype of two operands of `name`, refusing
/// non-numeric and complex arrays.
pub fn operands2(a: &Operand, b: &Operand, name: &str) -> Result<(Vec<usize>, DType)> {
    for (o, which) in [(a, "first"), (b, "second")] {
        if let Operand::Arr(x) = o {
            crate::exec::page_in(x);
        }
        if let Some(d) = o.dtype() {
            if !d.is_numeric() || d.is_complex() {
                bail!(
                    "{name}: the {which} argument has dtype {}, which is not supported",
                    d.name()
                );
            }
        }
    }
    let shape = broadcast_shapes(a.shape(), b.shape()).map_err(|e| err!("{name}: {e}"))?;
    let dt = result_type(a, b, true).map_err(|e| err!("{name}: {e}"))?;
    Ok((shape, dt))
}

fn ipow<T: Real>(b: T, e: T) -> T {
    let mut e = e.to_i64();
    let mut base = b;
    let mut acc = T::from_i64(1);
    while e > 0 {
        if e & 1 == 1 {
            acc = acc.mul(base);
        }
        base = base.mul(base);
        e >>= 1;
    }
    acc
}

fn math2_typed<T: Real, R: Real>(
    op: Math2,
    a: &Src<'_, T>,
    b: &Src<'_, T>,
    shape: &[usize],
) -> Result<Vec<R>> {
    let n = op.name();
    macro_rules! z {
        ($f:expr) => {
            kernel::map2(n, shape, a, b, $f)
        };
    }
    use Math2::*;
    match op {
        Arctan2 => z!(|y: T, x: T| R::from_f64(y.to_f64().atan2(x.to_f64()))),
        Hypot => z!(|x: T, y: T| R::from_f64(x.to_f64().hypot(y.to_f64()))),
        Pow if T::FLOAT => z!(|x: T, y: T| R::from_f64(x.to_f64().powf(y.to_f64()))),
        Pow => z!(|x: T, y: T| conv_same::<T, R>(ipow(x, y))),
        Maximum => z!(|x: T, y: T| conv_same::<T, R>(if x >= y || x.is_nan() { x } else { y })),
        Minimum => z!(|x: T, y: T| conv_same::<T, R>(if x <= y || x.is_nan() { x } else { y })),
        Fmax => z!(|x: T, y: T| conv_same::<T, R>(if x >= y || y.is_nan() { x } else { y })),
        Fmin => z!(|x: T, y: T| conv_same::<T, R>(if x <= y || y.is_nan() { x } else { y })),
    }
}

/// `T` as `R` when they are the same type (the identity; `ops::conv` otherwise).
#[inline]
fn conv_same<T: Real, R: Real>(x: T) -> R {
    ops::conv::<T, R>(x)
}

/// `op(a, b)` elementwise with NumPy promotion and broadcasting.
pub fn math2(op: Math2, a: &Operand, b: &Operand) -> Result<Array> {
    let name = op.name();
    let _s = crate::prof::span(name);
    let (shape, mut dt) = operands2(a, b, name)?;
    use Math2::*;
    let float_out = matches!(op, Arctan2 | Hypot);
    if float_out && !dt.is_float() {
        dt = DType::F64;
    }
    if op == Pow && dt == DType::Bool {
        dt = DType::I8;
    }
    if op == Pow && dt.is_int() {
        // NumPy refuses negative integer exponents
        let neg = match b {
            Operand::Int(v) => *v < 0,
            Operand::Arr(x) if x.dtype().is_signed_int() && x.size() > 0 => {
                match super::reduce::reduce_all(x, super::reduce::Red::Min)? {
                    super::reduce::Scalar::Int(m) => m < 0,
                    _ => false,
                }
            }
            _ => false,
        };
        if neg {
            bail!("pow: integers to negative integer powers are not allowed (make the base a float: x.astype(\"f8\"))");
        }
    }
    let pa = ops::prep(a, &dt)?;
    let pb = ops::prep(b, &dt)?;
    crate::with_real_type!(&dt, T => {
        let ia = ops::input::<T>(&pa, a, &shape)?;
        let ib = ops::input::<T>(&pb, b, &shape)?;
        let v = math2_typed::<T, T>(op, &ia, &ib, &shape)?;
        wrap(v, dt.clone(), shape)
    }, else bail!("{name}: unsupported dtype {}", dt.name()))
}

/// `clip(x, lo, hi)`: NumPy's `minimum(maximum(x, lo), hi)` (NaN propagates; bounds are
/// numbers or arrays broadcast against `x`; `None` leaves a side open). An integer bound
/// outside an integer dtype's range is clamped to it, as NumPy 2 does (`clip(u8, -3, 5)`
/// stays uint8).
pub fn clip(x: &Array, lo: Option<&Operand>, hi: Option<&Operand>) -> Result<Array> {
    let _s = crate::prof::span("clip");
    let d = x.dtype().clone();
    let fit = |o: &Operand| -> Operand {
        match (o, int_range(&d)) {
            (Operand::Int(v), Some((lo, hi))) => Operand::Int((*v as i128).clamp(lo, hi) as i64),
            _ => o.clone(),
        }
    };
    let mut r = x.clone();
    if let Some(lo) = lo {
        r = math2(Math2::Maximum, &Operand::Arr(r), &fit(lo)).map_err(|e| rename(e, "clip"))?;
    }
    if let Some(hi) = hi {
        r = math2(Math2::Minimum, &Operand::Arr(r), &fit(hi)).map_err(|e| rename(e, "clip"))?;
    }
    Ok(r)
}

/// The value range of an integer dtype (u64 is capped at i64::MAX: Rhai ints are i64).
fn int_range(d: &DType) -> Option<(i128, i128)> {
    use DType::*;
    Some(match d {
        I8 => (i8::MIN as i128, i8::MAX as i128),
        I16 => (i16::MIN as i128, i16::MAX as i128),
        I32 => (i32::MIN as i128, i32::MAX as i128),
        I64 => (i64::MIN as i128, i64::MAX as i128),
        U8 => (0, u8::MAX as i128),
        U16 => (0, u16::MAX as i128),
        U32 => (0, u32::MAX as i128),
        U64 => (0, i64::MAX as i128),
        _ => return None,
    })
}

fn rename(e: crate::error::Error, name: &str) -> crate::error::Error {
    let s = e.to_string();
    for p in ["maximum: ", "minimum: "] {
        if let Some(rest) = s.strip_prefix(p) {
            return err!("{name}: {rest}");
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_half_even_and_dtypes() {
        let a = Array::from_vec(vec![0.5f64, 1.5, 2.5, -0.5, 1.25, 2.675], vec![6]).unwrap();
        let r = round(&a, 0).unwrap();
        assert_eq!(
            r.as_slice::<f64>().unwrap().to_vec(),
            vec![0.0, 2.0, 2.0, -0.0, 1.0, 3.0]
        );
        let r = round(&a, 1).unwrap();
        assert_eq!(r.as_slice::<f64>().unwrap()[4], 1.2);
        let i = Array::from_vec(vec![5i16, 15, 14, -25], vec![4]).unwrap();
        let r = round(&i, -1).unwrap();
        assert_eq!(*r.dtype(), DType::I16);
        assert_eq!(r.as_slice::<i16>().unwrap().to_vec(), vec![0, 20, 10, -20]);
        let s = math1(Math1::Sin, &i).unwrap();
        assert_eq!(*s.dtype(), DType::F64);
        let f = Array::from_vec(vec![1.0f32], vec![1]).unwrap();
        assert_eq!(*math1(Math1::Tanh, &f).unwrap().dtype(), DType::F32);
    }

    #[test]
    fn nan_rules_and_pow() {
        let a = Operand::Arr(Array::from_vec(vec![1.0f64, f64::NAN, 3.0], vec![3]).unwrap());
        let b = Operand::Arr(Array::from_vec(vec![f64::NAN, 2.0, 1.0], vec![3]).unwrap());
        let m = math2(Math2::Maximum, &a, &b).unwrap();
        let m = m.as_slice::<f64>().unwrap();
        assert!(m[0].is_nan() && m[1].is_nan() && m[2] == 3.0);
        let f = math2(Math2::Fmax, &a, &b).unwrap();
        assert_eq!(f.as_slice::<f64>().unwrap().to_vec(), vec![1.0, 2.0, 3.0]);
        let i = Operand::Arr(Array::from_vec(vec![2i32, 3, -2], vec![3]).unwrap());
        let p = math2(Math2::Pow, &i, &Operand::Int(3)).unwrap();
        assert_eq!(p.as_slice::<i32>().unwrap().to_vec(), vec![8, 27, -8]);
        let e = math2(Math2::Pow, &i, &Operand::Int(-1))
            .unwrap_err()
            .to_string();
        assert!(e.contains("negative integer powers"), "{e}");
        let e = math2(
            Math2::Hypot,
            &i,
            &Operand::Arr(Array::from_vec(vec![1.0f32, 2.0], vec![2]).unwrap()),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("hypot: "), "{e}");
    }
}
