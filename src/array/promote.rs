//! NumPy 2's type promotion and broadcasting: the result dtype of two dtypes, of an array
//! and a "weak" Python scalar (`x * 2` keeps float32), and the broadcast shape of two
//! shapes. The rules every elementwise kernel and `where` share.

use crate::array::{Array, DType};
use crate::bail;
use crate::error::Result;

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
    /// The dtype of an array operand (`None` for a weak scalar).
    pub fn dtype(&self) -> Option<&DType> {
        match self {
            Operand::Arr(a) => Some(a.dtype()),
            _ => None,
        }
    }
    /// The shape of an array operand (scalars are 0-d).
    pub fn shape(&self) -> &[usize] {
        match self {
            Operand::Arr(a) => a.shape(),
            _ => &[],
        }
    }
    /// The operand as error messages name it.
    pub fn describe(&self) -> String {
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
