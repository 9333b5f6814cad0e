//! Elementwise kernels: arithmetic, comparisons, bit operations, casts and `where`, with
//! NumPy 2's type promotion (including its "weak" Python scalars) and broadcasting, so
//! that an expression typed at the prompt gives the dtype and values a NumPy user expects.
//!
//! Every kernel writes into one preallocated output in parallel chunks (checking for
//! Ctrl-C between chunks); contiguous inputs of the computing dtype are read in place,
//! other inputs are first cast (a parallel copy) to the computing dtype.

use ndarray::{ArrayViewD, ArrayViewMutD, Axis, IxDyn, Slice, Zip};
use rayon::prelude::*;

use crate::array::{Array, DType, Elem};
use crate::error::Result;
use crate::{bail, err};

// ------------------------------------------------------------------------- numbers

/// Real element types the kernels compute with (bool is viewed as `u8`).
pub trait Real: Elem + Copy + PartialOrd + Default {
    /// A floating point type (NaN exists).
    const FLOAT: bool;
    fn to_f64(self) -> f64;
    /// Conversion from f64 (`as` semantics: saturating for integers).
    fn from_f64(v: f64) -> Self;
    /// Conversion to i64 (`as` semantics: wrapping between integers).
    fn to_i64(self) -> i64;
    fn from_i64(v: i64) -> Self;
    fn is_nan(self) -> bool;
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    /// Division (only used for floats; integers divide as f64).
    fn div(self, o: Self) -> Self;
    /// Python-style modulo: the result has the sign of the divisor; `x % 0` is 0 for
    /// integers and NaN for floats (NumPy's values).
    fn rem(self, o: Self) -> Self;
    fn neg(self) -> Self;
    fn abs(self) -> Self;
    /// Largest and smallest values (±inf for floats), identities of min and max.
    fn hi() -> Self;
    fn lo() -> Self;
}

macro_rules! real_int {
    ($($t:ty, $signed:expr);*) => {$(
        impl Real for $t {
            const FLOAT: bool = false;
            #[inline] fn to_f64(self) -> f64 { self as f64 }
            #[inline] fn from_f64(v: f64) -> Self { v as $t }
            #[inline] fn to_i64(self) -> i64 { self as i64 }
            #[inline] fn from_i64(v: i64) -> Self { v as $t }
            #[inline] fn is_nan(self) -> bool { false }
            #[inline] fn add(self, o: Self) -> Self { self.wrapping_add(o) }
            #[inline] fn sub(self, o: Self) -> Self { self.wrapping_sub(o) }
            #[inline] fn mul(self, o: Self) -> Self { self.wrapping_mul(o) }
            #[inline] fn div(self, o: Self) -> Self {
                if o == 0 { 0 } else { self.wrapping_div(o) }
            }
            #[inline] fn rem(self, o: Self) -> Self {
                if o == 0 { return 0; }
                let r = self.wrapping_rem(o);
                #[allow(unused_comparisons)]
                if $signed && r != 0 && ((r < 0) != (o < 0)) { r.wrapping_add(o) } else { r }
            }
            #[inline] fn neg(self) -> Self { (0 as $t).wrapping_sub(self) }
            #[inline] fn abs(self) -> Self {
                #[allow(unused_comparisons)]
                if self < 0 { self.neg() } else { self }
            }
            #[inline] fn hi() -> Self { <$t>::MAX }
            #[inline] fn lo() -> Self { <$t>::MIN }
        }
    )*};
}
real_int!(i8, true; i16, true; i32, true; i64, true; u8, false; u16, false; u32, false; u64, false);

macro_rules! real_float {
    ($($t:ty),*) => {$(
        impl Real for $t {
            const FLOAT: bool = true;
            #[inline] fn to_f64(self) -> f64 { self as f64 }
            #[inline] fn from_f64(v: f64) -> Self { v as $t }
            #[inline] fn to_i64(self) -> i64 { self as i64 }
            #[inline] fn from_i64(v: i64) -> Self { v as $t }
            #[inline] fn is_nan(self) -> bool { self != self }
            #[inline] fn add(self, o: Self) -> Self { self + o }
            #[inline] fn sub(self, o: Self) -> Self { self - o }
            #[inline] fn mul(self, o: Self) -> Self { self * o }
            #[inline] fn div(self, o: Self) -> Self { self / o }
            #[inline] fn rem(self, o: Self) -> Self {
                if o == 0.0 { return <$t>::NAN; }
                let r = self % o;
                if r != 0.0 && ((r < 0.0) != (o < 0.0)) { r + o } else { r }
            }
            #[inline] fn neg(self) -> Self { -self }
            #[inline] fn abs(self) -> Self { <$t>::abs(self) }
            #[inline] fn hi() -> Self { <$t>::INFINITY }
            #[inline] fn lo() -> Self { <$t>::NEG_INFINITY }
        }
    )*};
}
real_float!(f32, f64);

impl Real for half::f16 {
    const FLOAT: bool = true;
    #[inline]
    fn to_f64(self) -> f64 {
        half::f16::to_f64(self)
    }
    #[inline]
    fn from_f64(v: f64) -> Self {
        half::f16::from_f64(v)
    }
    #[inline]
    fn to_i64(self) -> i64 {
        self.to_f64() as i64
    }
    #[inline]
    fn from_i64(v: i64) -> Self {
        half::f16::from_f64(v as f64)
    }
    #[inline]
    fn is_nan(self) -> bool {
        half::f16::is_nan(self)
    }
    #[inline]
    fn add(self, o: Self) -> Self {
        self + o
    }
    #[inline]
    fn sub(self, o: Self) -> Self {
        self - o
    }
    #[inline]
    fn mul(self, o: Self) -> Self {
        self * o
    }
    #[inline]
    fn div(self, o: Self) -> Self {
        self / o
    }
    #[inline]
    fn rem(self, o: Self) -> Self {
        Self::from_f64(self.to_f64().rem(o.to_f64()))
    }
    #[inline]
    fn neg(self) -> Self {
        -self
    }
    #[inline]
    fn abs(self) -> Self {
        Self::from_f64(self.to_f64().abs())
    }
    #[inline]
    fn hi() -> Self {
        half::f16::INFINITY
    }
    #[inline]
    fn lo() -> Self {
        half::f16::NEG_INFINITY
    }
}

/// Integer element types (bit operations and shifts).
pub trait Int:
    Real
    + std::ops::BitAnd<Output = Self>
    + std::ops::BitOr<Output = Self>
    + std::ops::BitXor<Output = Self>
    + std::ops::Not<Output = Self>
{
    const BITS: u32;
    /// NumPy's shifts: shifting by the bit width or more gives 0 (or -1 for negative
    /// values shifted right); negative shift counts give 0.
    fn shl(self, n: Self) -> Self;
    fn shr(self, n: Self) -> Self;
}

macro_rules! int_ops {
    ($($t:ty),*) => {$(
        impl Int for $t {
            const BITS: u32 = <$t>::BITS;
            #[inline]
            fn shl(self, n: Self) -> Self {
                #[allow(unused_comparisons)]
                if n < 0 || (n as u64) >= Self::BITS as u64 { 0 } else { self << (n as u32) }
            }
            #[inline]
            fn shr(self, n: Self) -> Self {
                #[allow(unused_comparisons)]
                let neg = self < 0;
                #[allow(unused_comparisons)]
                if n < 0 || (n as u64) >= Self::BITS as u64 {
                    if neg { (0 as $t).wrapping_sub(1) } else { 0 }
                } else {
                    self >> (n as u32)
                }
            }
        }
    )*};
}
int_ops!(i8, i16, i32, i64, u8, u16, u32, u64);

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

// ------------------------------------------------------------------------- promotion

fn int_rank(d: &DType) -> Option<(bool, usize)> {
    use DType::*;
    Some(match d {
        I8 => (true, 1),
        I16 => (true, 2),
        I32 => (true, 4),
        I64 => (true, 8),
        U8 => (false, 1),
        U16 => (false, 2),
        U32 => (false, 4),
        U64 => (false, 8),
        _ => return None,
    })
}

fn int_of(signed: bool, size: usize) -> DType {
    use DType::*;
    match (signed, size) {
        (true, 1) => I8,
        (true, 2) => I16,
        (true, 4) => I32,
        (true, _) => I64,
        (false, 1) => U8,
        (false, 2) => U16,
        (false, 4) => U32,
        (false, _) => U64,
    }
}

/// NumPy's `promote_types` for numeric dtypes (bool, integers, floats, complex).
pub fn promote(a: &DType, b: &DType) -> Result<DType> {
    use DType::*;
    if !a.is_numeric() || !b.is_numeric() {
        bail!("no common numeric type for {} and {}", a.name(), b.name());
    }
    if a == b {
        return Ok(a.clone());
    }
    if *a == Bool {
        return Ok(b.clone());
    }
    if *b == Bool {
        return Ok(a.clone());
    }
    let fsize = |d: &DType| match d {
        F16 => 2,
        F32 => 4,
        F64 => 8,
        C64 => 4,
        C128 => 8,
        _ => 0,
    };
    let complex = a.is_complex() || b.is_complex();
    let float = a.is_float() || b.is_float() || complex;
    if float {
        // the smallest float able to hold both: an integer of n bytes needs 2n float bytes
        // (i8→f16, i16→f32, i32→f64, i64→f64)
        let need = |d: &DType| match int_rank(d) {
            Some((_, n)) => (2 * n).min(8),
            None => fsize(d),
        };
        let size = need(a).max(need(b));
        return Ok(match (complex, size) {
            (false, 2) => F16,
            (false, 4) => F32,
            (false, _) => F64,
            (true, 2) | (true, 4) => C64,
            (true, _) => C128,
        });
    }
    let (sa, na) = int_rank(a).expect("integer");
    let (sb, nb) = int_rank(b).expect("integer");
    if sa == sb {
        return Ok(int_of(sa, na.max(nb)));
    }
    let (ns, nu) = if sa { (na, nb) } else { (nb, na) };
    if nu < ns {
        Ok(int_of(true, ns))
    } else if nu < 8 {
        Ok(int_of(true, nu * 2))
    } else {
        Ok(F64)
    }
}

/// One side of an elementwise operation: an array, or a Rhai scalar (a NumPy 2 "weak"
/// scalar whose type yields to the array's).
#[derive(Clone, Debug)]
pub enum Operand {
    Arr(Array),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Operand {
    fn dtype(&self) -> Option<&DType> {
        match self {
            Operand::Arr(a) => Some(a.dtype()),
            _ => None,
        }
    }
    fn shape(&self) -> &[usize] {
        match self {
            Operand::Arr(a) => a.shape(),
            _ => &[],
        }
    }
    fn describe(&self) -> String {
        match self {
            Operand::Arr(a) => format!("{} {:?}", a.dtype().name(), a.shape()),
            Operand::Int(v) => format!("int {v}"),
            Operand::Float(v) => format!("float {v}"),
            Operand::Bool(v) => format!("bool {v}"),
        }
    }
}

/// Does the integer `v` fit in integer dtype `d`?
fn int_fits(v: i64, d: &DType) -> bool {
    use DType::*;
    match d {
        I8 => i8::try_from(v).is_ok(),
        I16 => i16::try_from(v).is_ok(),
        I32 => i32::try_from(v).is_ok(),
        I64 => true,
        U8 => u8::try_from(v).is_ok(),
        U16 => u16::try_from(v).is_ok(),
        U32 => u32::try_from(v).is_ok(),
        U64 => v >= 0,
        _ => true,
    }
}

/// The dtype an array and a weak scalar compute in (NumPy 2 rules), or the promoted
/// dtype of two arrays. `strict_int` makes an out-of-range integer scalar an error (as
/// NumPy does for arithmetic); otherwise the computation widens.
pub fn result_type(a: &Operand, b: &Operand, strict_int: bool) -> Result<DType> {
    use Operand::*;
    let weak = |d: &DType, s: &Operand| -> Result<DType> {
        Ok(match s {
            Bool(_) => d.clone(),
            Int(v) => {
                if *d == DType::Bool {
                    DType::I64
                } else if d.is_int() && !int_fits(*v, d) {
                    if strict_int {
                        bail!("integer {v} is out of bounds for {}", d.name());
                    }
                    if *d == DType::U64 {
                        DType::F64
                    } else {
                        DType::I64
                    }
                } else {
                    d.clone()
                }
            }
            Float(_) => {
                if d.is_float() || d.is_complex() {
                    d.clone()
                } else {
                    DType::F64
                }
            }
            Arr(_) => unreachable!("weak scalars only"),
        })
    };
    match (a, b) {
        (Arr(x), Arr(y)) => promote(x.dtype(), y.dtype()),
        (Arr(x), s) | (s, Arr(x)) => weak(x.dtype(), s),
        (x, y) => {
            let rank = |o: &Operand| match o {
                Bool(_) => 0,
                Int(_) => 1,
                _ => 2,
            };
            Ok(match rank(x).max(rank(y)) {
                0 => DType::Bool,
                1 => DType::I64,
                _ => DType::F64,
            })
        }
    }
}

/// The shape two shapes broadcast to (NumPy rules), or an error naming both.
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            bail!(
                "shapes {} and {} cannot be broadcast together",
                fmt_shape(a),
                fmt_shape(b)
            );
        };
    }
    Ok(out)
}

/// A shape as NumPy prints it: `(3, 4)`, `(5,)`, `()`.
pub fn fmt_shape(s: &[usize]) -> String {
    match s.len() {
        1 => format!("({},)", s[0]),
        _ => format!(
            "({})",
            s.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

// ------------------------------------------------------------------------- parallel fill

/// Elements per parallel chunk for outputs of `elem_bytes`-byte elements.
pub fn chunk_elems(elem_bytes: usize) -> usize {
    crate::exec::chunk_rows(elem_bytes).max(1024)
}

/// Fill `out` in parallel chunks of `chunk` elements; `f` gets the chunk's start index.
/// Checks for Ctrl-C before each chunk.
pub fn par_fill<R: Send>(
    out: &mut [R],
    chunk: usize,
    f: impl Fn(usize, &mut [R]) -> Result<()> + Sync,
) -> Result<()> {
    let chunk = chunk.max(1);
    out.par_chunks_mut(chunk)
        .enumerate()
        .try_for_each(|(i, c)| {
            crate::exec::check()?;
            f(i * chunk, c)
        })
}

fn zeroed_vec<R: bytemuck::Zeroable + Clone>(n: usize) -> Vec<R> {
    vec![R::zeroed(); n]
}

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
    let n = v.len();
    let mut out: Vec<D> = zeroed_vec(n);
    let one = D::from_i64(1);
    let zero = S::default();
    let f = move |x: S| -> D {
        if to_bool {
            if x != zero {
                one
            } else {
                D::default()
            }
        } else {
            conv::<S, D>(x)
        }
    };
    if let Some(s) = v.as_slice() {
        par_fill(&mut out, chunk_elems(8), |lo, o| {
            let m = o.len();
            for (d, &x) in o.iter_mut().zip(&s[lo..lo + m]) {
                *d = f(x);
            }
            Ok(())
        })?;
    } else {
        let shape = v.shape().to_vec();
        fill_general(&mut out, &shape, |lo, hi, ov| {
            let sub = sub_rows(&v, &shape, lo, hi);
            Zip::from(ov).and(&sub).for_each(|d, &x| *d = f(x));
        })?;
    }
    wrap(out, dtype, v.shape().to_vec())
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
fn as_dtype(a: &Array, dtype: &DType) -> Result<Array> {
    if a.dtype() == dtype {
        Ok(a.clone())
    } else {
        astype(a, dtype)
    }
}

// ------------------------------------------------------------------------- general layout

/// Rows `lo..hi` of the first axis of a view (the whole 0-d view when it has no axes).
fn sub_rows<'a, T>(
    v: &ArrayViewD<'a, T>,
    _shape: &[usize],
    lo: usize,
    hi: usize,
) -> ArrayViewD<'a, T> {
    if v.ndim() == 0 {
        v.clone()
    } else {
        v.clone().slice_axis_move(Axis(0), Slice::from(lo..hi))
    }
}

/// Fill a C-ordered output of `shape` in parallel chunks of whole rows of the first axis;
/// `f(lo, hi, out_view)` fills rows `lo..hi`.
fn fill_general<R: Send>(
    out: &mut [R],
    shape: &[usize],
    f: impl Fn(usize, usize, ArrayViewMutD<'_, R>) + Sync,
) -> Result<()> {
    if shape.is_empty() {
        let v = ArrayViewMutD::from_shape(IxDyn(&[]), out).map_err(|e| err!("internal: {e}"))?;
        f(0, 1, v);
        return Ok(());
    }
    if out.is_empty() {
        return Ok(());
    }
    let row: usize = shape[1..].iter().product();
    if row == 0 {
        return Ok(());
    }
    let rows = (chunk_elems(8) / row).max(1);
    par_fill(out, rows * row, |start, o| {
        let lo = start / row;
        let hi = lo + o.len() / row;
        let mut sh = shape.to_vec();
        sh[0] = hi - lo;
        let v = ArrayViewMutD::from_shape(IxDyn(&sh), o).map_err(|e| err!("internal: {e}"))?;
        f(lo, hi, v);
        Ok(())
    })
}

/// A prepared input of an elementwise kernel: an array in the computing dtype or a scalar.
enum Prep {
    Arr(Array),
    Scalar(f64, i64),
}

fn prep(o: &Operand, dtype: &DType) -> Result<Prep> {
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

enum In<'a, T> {
    View(ArrayViewD<'a, T>),
    Scalar(T),
}

fn input<'a, T: Real>(p: &'a Prep, o: &Operand) -> Result<In<'a, T>> {
    Ok(match p {
        Prep::Arr(a) => In::View(a.view::<T>()?),
        Prep::Scalar(f, i) => In::Scalar(scalar_as::<T>(*f, *i, matches!(o, Operand::Float(_)))),
    })
}

/// Run `f` elementwise over two inputs broadcast to `shape`, into a new vector.
fn zip2<T: Real, R: bytemuck::Pod + Send + Sync>(
    a: &In<'_, T>,
    b: &In<'_, T>,
    shape: &[usize],
    f: impl Fn(T, T) -> R + Sync,
) -> Result<Vec<R>> {
    let n: usize = shape.iter().product();
    let mut out: Vec<R> = zeroed_vec(n);
    let ch = chunk_elems(8);
    fn slice_of<'s, T>(x: &'s In<'_, T>, shape: &[usize]) -> Option<&'s [T]> {
        match x {
            In::View(v) if v.shape() == shape => v.as_slice(),
            _ => None,
        }
    }
    // fast paths over contiguous slices
    match (a, b, slice_of(a, shape), slice_of(b, shape)) {
        (_, _, Some(sa), Some(sb)) => {
            par_fill(&mut out, ch, |lo, o| {
                let (xa, xb) = (&sa[lo..lo + o.len()], &sb[lo..lo + o.len()]);
                for ((d, &x), &y) in o.iter_mut().zip(xa).zip(xb) {
                    *d = f(x, y);
                }
                Ok(())
            })?;
            return Ok(out);
        }
        (_, In::Scalar(y), Some(sa), _) => {
            let y = *y;
            par_fill(&mut out, ch, |lo, o| {
                let m = o.len();
                for (d, &x) in o.iter_mut().zip(&sa[lo..lo + m]) {
                    *d = f(x, y);
                }
                Ok(())
            })?;
            return Ok(out);
        }
        (In::Scalar(x), _, _, Some(sb)) => {
            let x = *x;
            par_fill(&mut out, ch, |lo, o| {
                let m = o.len();
                for (d, &y) in o.iter_mut().zip(&sb[lo..lo + m]) {
                    *d = f(x, y);
                }
                Ok(())
            })?;
            return Ok(out);
        }
        _ => {}
    }
    let sa;
    let sb;
    let va = match a {
        In::View(v) => v.clone(),
        In::Scalar(x) => {
            sa = [*x];
            ArrayViewD::from_shape(IxDyn(&[]), &sa[..]).map_err(|e| err!("internal: {e}"))?
        }
    };
    let vb = match b {
        In::View(v) => v.clone(),
        In::Scalar(x) => {
            sb = [*x];
            ArrayViewD::from_shape(IxDyn(&[]), &sb[..]).map_err(|e| err!("internal: {e}"))?
        }
    };
    let ba = va
        .broadcast(IxDyn(shape))
        .ok_or_else(|| err!("internal: cannot broadcast {:?} to {:?}", va.shape(), shape))?;
    let bb = vb
        .broadcast(IxDyn(shape))
        .ok_or_else(|| err!("internal: cannot broadcast {:?} to {:?}", vb.shape(), shape))?;
    fill_general(&mut out, shape, |lo, hi, ov| {
        let xa = sub_rows(&ba, shape, lo, hi);
        let xb = sub_rows(&bb, shape, lo, hi);
        Zip::from(ov)
            .and(&xa)
            .and(&xb)
            .for_each(|d, &x, &y| *d = f(x, y));
    })?;
    Ok(out)
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
    a: &In<'_, T>,
    b: &In<'_, T>,
    shape: &[usize],
) -> Result<Vec<T>> {
    match op {
        BinOp::Add => zip2(a, b, shape, |x: T, y: T| x.add(y)),
        BinOp::Sub => zip2(a, b, shape, |x: T, y: T| x.sub(y)),
        BinOp::Mul => zip2(a, b, shape, |x: T, y: T| x.mul(y)),
        BinOp::Div => zip2(a, b, shape, |x: T, y: T| x.div(y)),
        BinOp::Rem => zip2(a, b, shape, |x: T, y: T| x.rem(y)),
        _ => bail!("internal: {} is not arithmetic", op.symbol()),
    }
}

fn bit_typed<T: Int>(op: BinOp, a: &In<'_, T>, b: &In<'_, T>, shape: &[usize]) -> Result<Vec<T>> {
    match op {
        BinOp::And => zip2(a, b, shape, |x: T, y: T| x & y),
        BinOp::Or => zip2(a, b, shape, |x: T, y: T| x | y),
        BinOp::Xor => zip2(a, b, shape, |x: T, y: T| x ^ y),
        BinOp::Shl => zip2(a, b, shape, |x: T, y: T| x.shl(y)),
        BinOp::Shr => zip2(a, b, shape, |x: T, y: T| x.shr(y)),
        _ => bail!("internal: {} is not a bit operation", op.symbol()),
    }
}

/// `a op b` elementwise with NumPy promotion and broadcasting. At least one side must
/// be an array.
pub fn binary(op: BinOp, a: &Operand, b: &Operand) -> Result<Array> {
    let _s = crate::prof::span("binary");
    for o in [a, b] {
        if let Operand::Arr(x) = o {
            crate::exec::page_in(x);
        }
    }
    for o in [a, b] {
        if let Some(d) = o.dtype() {
            if !d.is_numeric() {
                bail!(
                    "operator {}: arrays of dtype {} do not support arithmetic",
                    op.symbol(),
                    d.name()
                );
            }
        }
    }
    let shape = broadcast_shapes(a.shape(), b.shape())
        .map_err(|e| err!("operator {}: {e}", op.symbol()))?;
    let mut dt = result_type(a, b, true).map_err(|e| err!("operator {}: {e}", op.symbol()))?;
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
            let v = bit_typed::<T>(op, &input::<T>(&pa, a)?, &input::<T>(&pb, b)?, &shape)?;
            wrap(v, dt.clone(), shape)
        }, else bail!(
            "operator {}: bit operations need integer or bool arrays, found {} and {}",
            op.symbol(), a.describe(), b.describe()
        ));
    }
    crate::with_real_type!(&dt, T => {
        let v = arith_typed::<T>(op, &input::<T>(&pa, a)?, &input::<T>(&pb, b)?, &shape)?;
        wrap(v, dt.clone(), shape)
    }, else bail!("operator {}: unsupported dtype {}", op.symbol(), dt.name()))
}

fn cmp_typed<T: Real>(op: CmpOp, a: &In<'_, T>, b: &In<'_, T>, shape: &[usize]) -> Result<Vec<u8>> {
    match op {
        CmpOp::Eq => zip2(a, b, shape, |x: T, y: T| (x == y) as u8),
        CmpOp::Ne => zip2(a, b, shape, |x: T, y: T| (x != y) as u8),
        CmpOp::Lt => zip2(a, b, shape, |x: T, y: T| (x < y) as u8),
        CmpOp::Le => zip2(a, b, shape, |x: T, y: T| (x <= y) as u8),
        CmpOp::Gt => zip2(a, b, shape, |x: T, y: T| (x > y) as u8),
        CmpOp::Ge => zip2(a, b, shape, |x: T, y: T| (x >= y) as u8),
    }
}

/// `a op b` elementwise comparison giving a bool mask.
pub fn compare(op: CmpOp, a: &Operand, b: &Operand) -> Result<Array> {
    let _s = crate::prof::span("compare");
    for o in [a, b] {
        if let Operand::Arr(x) = o {
            crate::exec::page_in(x);
        }
    }
    for o in [a, b] {
        if let Some(d) = o.dtype() {
            if !d.is_numeric() {
                bail!(
                    "operator {}: arrays of dtype {} cannot be compared elementwise",
                    op.symbol(),
                    d.name()
                );
            }
        }
    }
    let shape = broadcast_shapes(a.shape(), b.shape())
        .map_err(|e| err!("operator {}: {e}", op.symbol()))?;
    let dt = result_type(a, b, false).map_err(|e| err!("operator {}: {e}", op.symbol()))?;
    let pa = prep(a, &dt)?;
    let pb = prep(b, &dt)?;
    crate::with_real_type!(&dt, T => {
        let v = cmp_typed::<T>(op, &input::<T>(&pa, a)?, &input::<T>(&pb, b)?, &shape)?;
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
    let i = In::View(v.clone());
    let dummy = In::Scalar(T::default());
    zip2(&i, &dummy, v.shape(), |x, _| f(x))
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
            let out = if d.is_float() { d.clone() } else { DType::F64 };
            let src = as_dtype(a, &out)?;
            let f: fn(f64) -> f64 = match op {
                Sqrt => f64::sqrt,
                Exp => f64::exp,
                Log => f64::ln,
                Floor => f64::floor,
                _ => f64::ceil,
            };
            crate::with_real_type!(&out, T => {
                let v = map1::<T, T>(&src, |x| T::from_f64(f(x.to_f64())))?;
                wrap(v, out.clone(), shape)
            }, else unreachable!())
        }
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
    let bm = mv
        .broadcast(IxDyn(&shape))
        .ok_or_else(|| err!("where: cannot broadcast mask"))?;
    crate::with_real_type!(&dt, T => {
        let ia = input::<T>(&pa, a)?;
        let ib = input::<T>(&pb, b)?;
        let sa; let sb;
        let va = match &ia { In::View(v) => v.clone(), In::Scalar(x) => { sa = [*x]; ArrayViewD::from_shape(IxDyn(&[]), &sa[..]).map_err(|e| err!("internal: {e}"))? } };
        let vb = match &ib { In::View(v) => v.clone(), In::Scalar(x) => { sb = [*x]; ArrayViewD::from_shape(IxDyn(&[]), &sb[..]).map_err(|e| err!("internal: {e}"))? } };
        let ba = va.broadcast(IxDyn(&shape)).ok_or_else(|| err!("where: cannot broadcast"))?;
        let bb = vb.broadcast(IxDyn(&shape)).ok_or_else(|| err!("where: cannot broadcast"))?;
        let n: usize = shape.iter().product();
        let mut out: Vec<T> = zeroed_vec(n);
        fill_general(&mut out, &shape, |lo, hi, ov| {
            let m = sub_rows(&bm, &shape, lo, hi);
            let xa = sub_rows(&ba, &shape, lo, hi);
            let xb = sub_rows(&bb, &shape, lo, hi);
            Zip::from(ov).and(&m).and(&xa).and(&xb).for_each(|d, &m, &x, &y| *d = if m != 0 { x } else { y });
        })?;
        wrap(out, dt.clone(), shape)
    }, else bail!("where: unsupported dtype {}", dt.name()))
}

#[cfg(test)]
mod tests {
    use super::*;

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
