//! Elementwise kernels: arithmetic, comparisons, bit operations, casts and `where`, with
//! NumPy 2's type promotion (including its "weak" Python scalars) and broadcasting, so
//! that an expression typed at the prompt gives the dtype and values a NumPy user expects.
//!
//! Every kernel writes one output, allocated once without a zeroing pass, through the
//! layout driver in [`super::kernel`] (typed loops over slices, parallel chunks through
//! `crate::exec`); inputs of the computing dtype are read in place, other inputs are
//! first cast (a parallel copy) to the computing dtype.

pub use super::num::{Int, Real};
pub use super::promote::{broadcast_shapes, fmt_shape, promote, result_type, Operand};

use super::kernel::{self, Src};
use crate::array::{Array, DType};
use crate::error::Result;
use crate::{bail, err};

/// Run `$body` with `$T` bound to the Rust type of an integer or bool dtype.
macro_rules! with_int_type {
    ($dtype:expr, $T:ident => $body:expr, else $other:expr) => {{
        match $dtype {
            DType::Bool | DType::U8 => {
                type $T = u8;
                $body
            }
            DType::I8 => {
                type $T = i8;
                $body
            }
            DType::I16 => {
                type $T = i16;
                $body
            }
            DType::I32 => {
                type $T = i32;
                $body
            }
            DType::I64 => {
                type $T = i64;
                $body
            }
            DType::U16 => {
                type $T = u16;
                $body
            }
            DType::U32 => {
                type $T = u32;
                $body
            }
            DType::U64 => {
                type $T = u64;
                $body
            }
            _ => $other,
        }
    }};
}

// ------------------------------------------------------------------------- parallel fill

pub use super::kernel::chunk_elems;
pub use crate::exec::par_fill;

/// An owned array of `dtype` from a vector of its Rust element type.
pub fn wrap<R: bytemuck::Pod + Send + Sync>(
    v: Vec<R>,
    dtype: DType,
    shape: Vec<usize>,
) -> Result<Array> {
    Array::from_vec_typed(v, dtype, shape)
}

// ------------------------------------------------------------------------- casts

/// Convert one element between real types with NumPy's `astype` semantics (integers wrap,
/// floats to integers truncate, anything to bool is `!= 0`).
#[inline]
pub fn conv<S: Real, D: Real>(s: S) -> D {
    if D::FLOAT || S::FLOAT {
        D::from_f64(s.to_f64())
    } else {
        D::from_i64(s.to_i64())
    }
}

fn cast_typed<S: Real, D: Real>(a: &Array, to_bool: bool, dtype: DType) -> Result<Array> {
    let v = a.view::<S>()?;
    let shape = v.shape().to_vec();
    let src = Src::of(v, &shape)?;
    let out = if to_bool {
        let (zero, one) = (S::default(), D::from_i64(1));
        kernel::map1("astype", &shape, &src, |x: S| {
            if x != zero {
                one
            } else {
                D::default()
            }
        })?
    } else {
        kernel::map1("astype", &shape, &src, conv::<S, D>)?
    };
    wrap(out, dtype, shape)
}

/// `x.astype(dtype)`: a converted copy (numeric dtypes; bool results are `x != 0`).
pub fn astype(a: &Array, dtype: &DType) -> Result<Array> {
    let _s = crate::prof::span("astype");
    crate::exec::page_in(a);
    if a.dtype() == dtype {
        return Ok(a.native().clone());
    }
    let bad = || {
        err!(
            "astype: cannot convert {} to {} (only real numeric and bool dtypes)",
            a.dtype().name(),
            dtype.name()
        )
    };
    let to_bool = *dtype == DType::Bool;
    crate::with_real_type!(a.dtype(), S => {
        crate::with_real_type!(dtype, D => cast_typed::<S, D>(a, to_bool, dtype.clone()),
            else Err(bad()))
    }, else Err(bad()))
}

/// The array as `dtype`, without copying when it already is.
pub(crate) fn as_dtype(a: &Array, dtype: &DType) -> Result<Array> {
    if a.dtype() == dtype {
        Ok(a.clone())
    } else {
        astype(a, dtype)
    }
}

// ------------------------------------------------------------------------- inputs

/// A prepared input of an elementwise kernel: an array in the computing dtype or a scalar.
pub(crate) enum Prep {
    Arr(Array),
    Scalar(f64, i64),
}

pub(crate) fn prep(o: &Operand, dtype: &DType) -> Result<Prep> {
    Ok(match o {
        Operand::Arr(a) => Prep::Arr(as_dtype(a, dtype)?),
        Operand::Int(v) => Prep::Scalar(*v as f64, *v),
        Operand::Float(v) => Prep::Scalar(*v, *v as i64),
        Operand::Bool(v) => Prep::Scalar(*v as i64 as f64, *v as i64),
    })
}

fn scalar_as<T: Real>(f: f64, i: i64, is_float: bool) -> T {
    if is_float {
        T::from_f64(f)
    } else {
        T::from_i64(i)
    }
}

/// The typed input of a prepared operand, classified for an output of `shape`.
pub(crate) fn input<'a, T: Real>(p: &'a Prep, o: &Operand, shape: &[usize]) -> Result<Src<'a, T>> {
    Ok(match p {
        Prep::Arr(a) => Src::of(a.view::<T>()?, shape)?,
        Prep::Scalar(f, i) => Src::Scalar(scalar_as::<T>(*f, *i, matches!(o, Operand::Float(_)))),
    })
}

// ------------------------------------------------------------------------- operators

/// Arithmetic and bitwise binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    And,
    Or,
    Xor,
    Shl,
    Shr,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        use BinOp::*;
        match self {
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Rem => "%",
            And => "&",
            Or => "|",
            Xor => "^",
            Shl => "<<",
            Shr => ">>",
        }
    }
}

/// Comparison operators (results are bool masks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        use CmpOp::*;
        match self {
            Eq => "==",
            Ne => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
        }
    }
}

fn arith_typed<T: Real>(
    op: BinOp,
    a: &Src<'_, T>,
    b: &Src<'_, T>,
    shape: &[usize],
) -> Result<Vec<T>> {
    // one closure per operator (not a function pointer), so that each loop is compiled
    // with its operation inlined and vectorized
    macro_rules! z {
        ($f:expr) => {
            kernel::map2("binary", shape, a, b, $f)
        };
    }
    match op {
        BinOp::Add => z!(|x: T, y: T| x.add(y)),
        BinOp::Sub => z!(|x: T, y: T| x.sub(y)),
        BinOp::Mul => z!(|x: T, y: T| x.mul(y)),
        BinOp::Div => z!(|x: T, y: T| x.div(y)),
        BinOp::Rem => z!(|x: T, y: T| x.rem(y)),
        _ => bail!("internal: {} is not arithmetic", op.symbol()),
    }
}

fn bit_typed<T: Int>(op: BinOp, a: &Src<'_, T>, b: &Src<'_, T>, shape: &[usize]) -> Result<Vec<T>> {
    macro_rules! z {
        ($f:expr) => {
            kernel::map2("binary", shape, a, b, $f)
        };
    }
    match op {
        BinOp::And => z!(|x: T, y: T| x & y),
        BinOp::Or => z!(|x: T, y: T| x | y),
        BinOp::Xor => z!(|x: T, y: T| x ^ y),
        BinOp::Shl => z!(|x: T, y: T| x.shl(y)),
        BinOp::Shr => z!(|x: T, y: T| x.shr(y)),
        _ => bail!("internal: {} is not a bit operation", op.symbol()),
    }
}

/// What every two-operand operator does first: page in mapped inputs (when profiling),
/// refuse non-numeric arrays (`refusal` says why), and find the broadcast shape and the
/// computing dtype (`strict_int`: arithmetic's rule for out-of-range integer scalars).
fn operands(
    a: &Operand,
    b: &Operand,
    symbol: &str,
    refusal: &str,
    strict_int: bool,
) -> Result<(Vec<usize>, DType)> {
    for o in [a, b] {
        if let Operand::Arr(x) = o {
            crate::exec::page_in(x);
        }
        if let Some(d) = o.dtype() {
            if !d.is_numeric() {
                bail!("operator {symbol}: arrays of dtype {} {refusal}", d.name());
            }
        }
    }
    let shape =
        broadcast_shapes(a.shape(), b.shape()).map_err(|e| err!("operator {symbol}: {e}"))?;
    let dt = result_type(a, b, strict_int).map_err(|e| err!("operator {symbol}: {e}"))?;
    Ok((shape, dt))
}

/// `a op b` elementwise with NumPy promotion and broadcasting. At least one side must
/// be an array.
pub fn binary(op: BinOp, a: &Operand, b: &Operand) -> Result<Array> {
    let _s = crate::prof::span("binary");
    let (shape, mut dt) = operands(a, b, op.symbol(), "do not support arithmetic", true)?;
    if dt.is_complex() {
        bail!(
            "operator {}: complex arithmetic is not supported ({} and {})",
            op.symbol(),
            a.describe(),
            b.describe()
        );
    }
    let mut op = op;
    use BinOp::*;
    if dt == DType::Bool {
        op = match op {
            Add | Or => Or,
            Mul | And => And,
            Xor => Xor,
            Div => {
                dt = DType::F64;
                Div
            }
            Rem => {
                dt = DType::I8;
                Rem
            }
            Sub => bail!("operator -: subtracting bool arrays is not supported (use ^ or !=)"),
            Shl | Shr => {
                dt = DType::I8;
                op
            }
        };
    }
    if op == Div && (dt.is_int()) {
        dt = DType::F64;
    }
    let pa = prep(a, &dt)?;
    let pb = prep(b, &dt)?;
    let is_bit = matches!(op, And | Or | Xor | Shl | Shr);
    if is_bit {
        if dt == DType::Bool && matches!(op, Shl | Shr) {
            bail!("operator {}: shifts need integer arrays", op.symbol());
        }
        return with_int_type!(&dt, T => {
            let v = bit_typed::<T>(op, &input::<T>(&pa, a, &shape)?, &input::<T>(&pb, b, &shape)?, &shape)?;
            wrap(v, dt.clone(), shape)
        }, else bail!(
            "operator {}: bit operations need integer or bool arrays, found {} and {}",
            op.symbol(), a.describe(), b.describe()
        ));
    }
    crate::with_real_type!(&dt, T => {
        let v = arith_typed::<T>(op, &input::<T>(&pa, a, &shape)?, &input::<T>(&pb, b, &shape)?, &shape)?;
        wrap(v, dt.clone(), shape)
    }, else bail!("operator {}: unsupported dtype {}", op.symbol(), dt.name()))
}

fn cmp_typed<T: Real>(
    op: CmpOp,
    a: &Src<'_, T>,
    b: &Src<'_, T>,
    shape: &[usize],
) -> Result<Vec<u8>> {
    macro_rules! z {
        ($f:expr) => {
            kernel::map2("compare", shape, a, b, $f)
        };
    }
    match op {
        CmpOp::Eq => z!(|x: T, y: T| (x == y) as u8),
        CmpOp::Ne => z!(|x: T, y: T| (x != y) as u8),
        CmpOp::Lt => z!(|x: T, y: T| (x < y) as u8),
        CmpOp::Le => z!(|x: T, y: T| (x <= y) as u8),
        CmpOp::Gt => z!(|x: T, y: T| (x > y) as u8),
        CmpOp::Ge => z!(|x: T, y: T| (x >= y) as u8),
    }
}

/// `a op b` elementwise comparison giving a bool mask.
pub fn compare(op: CmpOp, a: &Operand, b: &Operand) -> Result<Array> {
    let _s = crate::prof::span("compare");
    let (shape, dt) = operands(a, b, op.symbol(), "cannot be compared elementwise", false)?;
    let pa = prep(a, &dt)?;
    let pb = prep(b, &dt)?;
    crate::with_real_type!(&dt, T => {
        let v = cmp_typed::<T>(op, &input::<T>(&pa, a, &shape)?, &input::<T>(&pb, b, &shape)?, &shape)?;
        wrap(v, DType::Bool, shape)
    }, else bail!("operator {}: comparisons of {} are not supported", op.symbol(), dt.name()))
}

// ------------------------------------------------------------------------- unary

/// Unary elementwise functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Abs,
    /// Logical not on bool, bitwise not on integers (NumPy's `~`).
    Not,
    Sqrt,
    Exp,
    Log,
    Floor,
    Ceil,
    IsNan,
}

impl UnOp {
    pub fn name(self) -> &'static str {
        use UnOp::*;
        match self {
            Neg => "-",
            Abs => "abs",
            Not => "not",
            Sqrt => "sqrt",
            Exp => "exp",
            Log => "log",
            Floor => "floor",
            Ceil => "ceil",
            IsNan => "isnan",
        }
    }
}

fn map1<T: Real, R: bytemuck::Pod + Send + Sync>(
    a: &Array,
    f: impl Fn(T) -> R + Sync,
) -> Result<Vec<R>> {
    let v = a.view::<T>()?;
    let shape = v.shape().to_vec();
    kernel::map1("unary", &shape, &Src::of(v, &shape)?, f)
}

/// `op(x)` elementwise. Float functions of integer arrays give float64 (float16 and
/// float32 stay); `abs`, `-`, `floor` keep the dtype.
pub fn unary(op: UnOp, a: &Array) -> Result<Array> {
    let _s = crate::prof::span("unary");
    crate::exec::page_in(a);
    use UnOp::*;
    let d = a.dtype().clone();
    if !d.is_numeric() || d.is_complex() {
        bail!("{}: not supported for dtype {}", op.name(), d.name());
    }
    let shape = a.shape().to_vec();
    match op {
        Not => {
            if d == DType::Bool {
                let v = map1::<u8, u8>(a, |x| (x == 0) as u8)?;
                return wrap(v, DType::Bool, shape);
            }
            with_int_type!(&d, T => {
                let v = map1::<T, T>(a, |x| !x)?;
                wrap(v, d.clone(), shape)
            }, else bail!("not: needs a bool or integer array, found {}", d.name()))
        }
        IsNan => crate::with_real_type!(&d, T => {
            let v = map1::<T, u8>(a, |x| x.is_nan() as u8)?;
            wrap(v, DType::Bool, shape)
        }, else unreachable!()),
        Neg | Abs => {
            if d == DType::Bool {
                bail!("{}: not supported for bool arrays", op.name());
            }
            crate::with_real_type!(&d, T => {
                let v = if op == Neg { map1::<T, T>(a, |x| x.neg())? } else { map1::<T, T>(a, |x| x.abs())? };
                wrap(v, d.clone(), shape)
            }, else unreachable!())
        }
        Floor | Ceil if !d.is_float() => {
            if d == DType::Bool {
                bail!("{}: not supported for bool arrays", op.name());
            }
            Ok(a.clone())
        }
        Sqrt | Exp | Log | Floor | Ceil => {
            if d.is_float() {
                crate::with_real_type!(&d, T => wrap(float_fn::<T, T>(op, a)?, d.clone(), shape),
                    else unreachable!())
            } else {
                crate::with_real_type!(&d, S => wrap(float_fn::<S, f64>(op, a)?, DType::F64, shape),
                    else unreachable!())
            }
        }
    }
}

/// A float function computed in f64 and rounded to `D` (as a cast of `S` to `D` and the
/// function would); one closure per function so that each loop is compiled on its own
/// (sqrt, floor and ceil vectorize; exp and log call libm per element).
fn float_fn<S: Real, D: Real>(op: UnOp, a: &Array) -> Result<Vec<D>> {
    match op {
        UnOp::Sqrt => map1::<S, D>(a, |x| D::from_f64(x.to_f64().sqrt())),
        UnOp::Exp => map1::<S, D>(a, |x| D::from_f64(x.to_f64().exp())),
        UnOp::Log => map1::<S, D>(a, |x| D::from_f64(x.to_f64().ln())),
        UnOp::Floor => map1::<S, D>(a, |x| D::from_f64(x.to_f64().floor())),
        UnOp::Ceil => map1::<S, D>(a, |x| D::from_f64(x.to_f64().ceil())),
        _ => bail!("internal: {} is not a float function", op.name()),
    }
}

// ------------------------------------------------------------------------- where

/// `where(mask, a, b)`: elements of `a` where `mask` is true, else of `b` (broadcast).
pub fn where_(mask: &Array, a: &Operand, b: &Operand) -> Result<Array> {
    let _s = crate::prof::span("where");
    if *mask.dtype() != DType::Bool {
        bail!(
            "where: the mask must be a bool array (e.g. x > 0), found {}",
            mask.dtype().name()
        );
    }
    for o in [a, b] {
        if let Some(d) = o.dtype() {
            if !d.is_numeric() || d.is_complex() {
                bail!("where: unsupported dtype {}", d.name());
            }
        }
    }
    let s1 = broadcast_shapes(mask.shape(), a.shape()).map_err(|e| err!("where: {e}"))?;
    let shape = broadcast_shapes(&s1, b.shape()).map_err(|e| err!("where: {e}"))?;
    let dt = result_type(a, b, false)?;
    let pa = prep(a, &dt)?;
    let pb = prep(b, &dt)?;
    let mv = mask.view::<u8>()?;
    let m = Src::of(mv, &shape)?;
    crate::with_real_type!(&dt, T => {
        let ia = input::<T>(&pa, a, &shape)?;
        let ib = input::<T>(&pb, b, &shape)?;
        let out = kernel::select3(&shape, &m, &ia, &ib)?;
        wrap(out, dt.clone(), shape)
    }, else bail!("where: unsupported dtype {}", dt.name()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::array::Elem;

    fn arr<T: Elem>(v: Vec<T>, shape: &[usize]) -> Operand {
        Operand::Arr(Array::from_vec(v, shape.to_vec()).unwrap())
    }

    #[test]
    fn promotion_table() {
        use DType::*;
        let p = |a, b| promote(&a, &b).unwrap();
        assert_eq!(p(I16, F32), F32);
        assert_eq!(p(I32, F32), F64);
        assert_eq!(p(U8, I8), I16);
        assert_eq!(p(U32, I32), I64);
        assert_eq!(p(U64, I64), F64);
        assert_eq!(p(U8, I32), I32);
        assert_eq!(p(Bool, U16), U16);
        assert_eq!(p(I8, F16), F16);
        assert_eq!(p(I16, F16), F32);
        assert_eq!(p(F16, F64), F64);
    }

    #[test]
    fn weak_scalars() {
        let f32a = arr(vec![1.0f32, 2.0], &[2]);
        let i16a = arr(vec![1i16, 2], &[2]);
        let r = binary(BinOp::Add, &f32a, &Operand::Float(0.5)).unwrap();
        assert_eq!(*r.dtype(), DType::F32);
        let r = binary(BinOp::Add, &i16a, &Operand::Int(3)).unwrap();
        assert_eq!(*r.dtype(), DType::I16);
        assert_eq!(r.as_slice::<i16>().unwrap().to_vec(), vec![4, 5]);
        let r = binary(BinOp::Mul, &i16a, &Operand::Float(0.5)).unwrap();
        assert_eq!(*r.dtype(), DType::F64);
        assert_eq!(r.as_slice::<f64>().unwrap().to_vec(), vec![0.5, 1.0]);
        let r = binary(BinOp::Div, &i16a, &Operand::Int(4)).unwrap();
        assert_eq!(r.as_slice::<f64>().unwrap().to_vec(), vec![0.25, 0.5]);
        let u8a = arr(vec![1u8], &[1]);
        let e = binary(BinOp::Add, &u8a, &Operand::Int(300)).unwrap_err();
        assert!(e.to_string().contains("out of bounds for uint8"), "{e}");
        // comparisons with out-of-range scalars widen instead
        let m = compare(CmpOp::Lt, &u8a, &Operand::Int(300)).unwrap();
        assert_eq!(m.as_slice::<u8>().unwrap().to_vec(), vec![1]);
    }

    #[test]
    fn broadcasting_and_errors() {
        let a = arr((0..6).collect::<Vec<i32>>(), &[2, 3]);
        let b = arr(vec![10i32, 20, 30], &[3]);
        let c = binary(BinOp::Add, &a, &b).unwrap();
        assert_eq!(
            c.as_slice::<i32>().unwrap().to_vec(),
            vec![10, 21, 32, 13, 24, 35]
        );
        let col = arr(vec![100i32, 200], &[2, 1]);
        let c = binary(BinOp::Sub, &a, &col).unwrap();
        assert_eq!(
            c.as_slice::<i32>().unwrap().to_vec(),
            vec![-100, -99, -98, -197, -196, -195]
        );
        let bad = arr(vec![1i32, 2], &[2]);
        let e = binary(BinOp::Add, &a, &bad).unwrap_err().to_string();
        assert!(e.contains("(2, 3)") && e.contains("(2,)"), "{e}");
        // a transposed (strided) operand goes through the general path
        let t = Operand::Arr(match &a {
            Operand::Arr(x) => x.transpose(),
            _ => unreachable!(),
        });
        let c = binary(BinOp::Mul, &t, &Operand::Int(2)).unwrap();
        assert_eq!(c.shape(), &[3, 2]);
        assert_eq!(
            c.as_slice::<i32>().unwrap().to_vec(),
            vec![0, 6, 2, 8, 4, 10]
        );
    }

    #[test]
    fn modulo_shifts_bits() {
        let a = arr(vec![-7i32, 7, 7, -7], &[4]);
        let b = arr(vec![3i32, -3, 0, 3], &[4]);
        let r = binary(BinOp::Rem, &a, &b).unwrap();
        assert_eq!(r.as_slice::<i32>().unwrap().to_vec(), vec![2, -2, 0, 2]);
        let f = arr(vec![-7.5f64], &[1]);
        let r = binary(BinOp::Rem, &f, &Operand::Float(2.0)).unwrap();
        assert_eq!(r.as_slice::<f64>().unwrap()[0], 0.5);
        let x = arr(vec![1u8, 128], &[2]);
        let r = binary(BinOp::Shl, &x, &Operand::Int(1)).unwrap();
        assert_eq!(r.as_slice::<u8>().unwrap().to_vec(), vec![2, 0]);
        let r = binary(BinOp::Shr, &arr(vec![-8i16], &[1]), &Operand::Int(20)).unwrap();
        assert_eq!(r.as_slice::<i16>().unwrap()[0], -1);
        let m1 = Operand::Arr(Array::from_bools(vec![true, false, true]));
        let m2 = Operand::Arr(Array::from_bools(vec![true, true, false]));
        let r = binary(BinOp::And, &m1, &m2).unwrap();
        assert_eq!(*r.dtype(), DType::Bool);
        assert_eq!(r.as_slice::<u8>().unwrap().to_vec(), vec![1, 0, 0]);
        let e = binary(BinOp::And, &f, &f).unwrap_err().to_string();
        assert!(e.contains("integer or bool"), "{e}");
        let Operand::Arr(m1a) = m1 else {
            unreachable!()
        };
        let n = unary(UnOp::Not, &m1a).unwrap();
        assert_eq!(n.as_slice::<u8>().unwrap().to_vec(), vec![0, 1, 0]);
    }

    #[test]
    fn compare_nan_where_cast() {
        let a = arr(vec![1.0f32, f32::NAN, 3.0], &[3]);
        let m = compare(CmpOp::Ne, &a, &Operand::Float(1.0)).unwrap();
        assert_eq!(m.as_slice::<u8>().unwrap().to_vec(), vec![0, 1, 1]);
        let m = compare(CmpOp::Ge, &a, &Operand::Int(2)).unwrap();
        assert_eq!(m.as_slice::<u8>().unwrap().to_vec(), vec![0, 0, 1]);
        let Operand::Arr(aa) = &a else { unreachable!() };
        let w = where_(&m, &a, &Operand::Int(0)).unwrap();
        assert_eq!(*w.dtype(), DType::F32);
        assert_eq!(w.as_slice::<f32>().unwrap().to_vec(), vec![0.0, 0.0, 3.0]);
        let c = astype(aa, &DType::I16).unwrap();
        assert_eq!(c.as_slice::<i16>().unwrap().to_vec(), vec![1, 0, 3]);
        let b = astype(aa, &DType::Bool).unwrap();
        assert_eq!(b.as_slice::<u8>().unwrap().to_vec(), vec![1, 1, 1]);
        let big = Array::from_vec(vec![300i32, -1], vec![2]).unwrap();
        let c = astype(&big, &DType::U8).unwrap();
        assert_eq!(c.as_slice::<u8>().unwrap().to_vec(), vec![44, 255]);
    }
}
