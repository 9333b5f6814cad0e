//! Element types as NumPy names them. The shell speaks NumPy's vocabulary
//! ("float32", "<u8", "|S5") because that is what its users already know.

use std::sync::Arc;

use crate::error::Result;
use crate::{bail, err};

/// The type of one element of an [`crate::array::Array`].
#[derive(Clone, Debug, PartialEq)]
pub enum DType {
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F16,
    F32,
    F64,
    C64,
    C128,
    /// Fixed-width byte string (`|S n`), n bytes, NUL padded.
    Bytes(usize),
    /// Fixed-width unicode string (`<U n`), n UCS-4 code points.
    Unicode(usize),
    /// Opaque bytes (`|V n`).
    Void(usize),
    /// Structured record.
    Struct(Arc<StructType>),
}

/// A structured (record) dtype: named fields at byte offsets within `itemsize` bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct StructType {
    pub fields: Vec<Field>,
    pub itemsize: usize,
}

/// One field of a structured dtype.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub name: String,
    pub dtype: DType,
    /// Byte order of this field's stored data (`true` = differs from the machine's).
    pub swapped: bool,
    /// Byte offset inside the record.
    pub offset: usize,
    /// Sub-array shape (`('a', '<f4', (3,))`), empty for scalars.
    pub shape: Vec<usize>,
}

impl DType {
    /// Bytes per element.
    pub fn itemsize(&self) -> usize {
        use DType::*;
        match self {
            Bool | I8 | U8 => 1,
            I16 | U16 | F16 => 2,
            I32 | U32 | F32 => 4,
            I64 | U64 | F64 | C64 => 8,
            C128 => 16,
            Bytes(n) | Void(n) => *n,
            Unicode(n) => 4 * n,
            Struct(s) => s.itemsize,
        }
    }

    /// Natural alignment of the element type in memory.
    pub fn align(&self) -> usize {
        use DType::*;
        match self {
            C64 => 4,
            C128 => 8,
            Bytes(_) | Void(_) | Struct(_) => 1,
            Unicode(_) => 4,
            d => d.itemsize(),
        }
    }

    /// NumPy's name ("float32", "int16", "uint64", "bool", "complex128", "S5", "<U10", ...).
    pub fn name(&self) -> String {
        use DType::*;
        match self {
            Bool => "bool".into(),
            I8 => "int8".into(),
            I16 => "int16".into(),
            I32 => "int32".into(),
            I64 => "int64".into(),
            U8 => "uint8".into(),
            U16 => "uint16".into(),
            U32 => "uint32".into(),
            U64 => "uint64".into(),
            F16 => "float16".into(),
            F32 => "float32".into(),
            F64 => "float64".into(),
            C64 => "complex64".into(),
            C128 => "complex128".into(),
            Bytes(n) => format!("|S{n}"),
            Unicode(n) => format!("<U{n}"),
            Void(n) => format!("|V{n}"),
            Struct(s) => {
                let f: Vec<String> = s
                    .fields
                    .iter()
                    .map(|f| format!("('{}', '{}')", f.name, f.dtype.name()))
                    .collect();
                format!("[{}]", f.join(", "))
            }
        }
    }

    /// A numeric type (bool counts as numeric: it reduces and compares like 0/1).
    pub fn is_numeric(&self) -> bool {
        !matches!(
            self,
            DType::Bytes(_) | DType::Unicode(_) | DType::Void(_) | DType::Struct(_)
        )
    }
    pub fn is_int(&self) -> bool {
        use DType::*;
        matches!(self, I8 | I16 | I32 | I64 | U8 | U16 | U32 | U64)
    }
    pub fn is_signed_int(&self) -> bool {
        use DType::*;
        matches!(self, I8 | I16 | I32 | I64)
    }
    pub fn is_float(&self) -> bool {
        matches!(self, DType::F16 | DType::F32 | DType::F64)
    }
    pub fn is_complex(&self) -> bool {
        matches!(self, DType::C64 | DType::C128)
    }

    /// Parse a user-typed dtype: NumPy names ("float32", "f4", "<u8", "i2", "u1", "bool",
    /// "c16", "complex64", "S5", "U3"). A leading `<`, `>`, `=` or `|` is accepted; byte
    /// order is not part of a DType (see [`parse_descr`] for file descriptors).
    pub fn parse(s: &str) -> Result<DType> {
        let (_, d) = parse_simple(s.trim())?;
        Ok(d)
    }
}

/// Parse a simple (non-structured) NumPy type string such as `<f4`, `>i8`, `|b1`, `<U10`,
/// `|S3`, or a name such as `float32`. Returns (swapped, dtype), where `swapped` says the
/// stored bytes are in the other byte order than this machine's.
pub fn parse_simple(s: &str) -> Result<(bool, DType)> {
    use DType::*;
    let named = match s {
        "bool" | "bool_" | "?" | "b1" => Some(Bool),
        "int8" | "i1" | "b" => Some(I8),
        "int16" | "i2" | "h" => Some(I16),
        "int32" | "i4" | "i" => Some(I32),
        "int64" | "i8" | "l" | "q" | "int" => Some(I64),
        "uint8" | "u1" | "B" => Some(U8),
        "uint16" | "u2" | "H" => Some(U16),
        "uint32" | "u4" | "I" => Some(U32),
        "uint64" | "u8" | "L" | "Q" => Some(U64),
        "float16" | "f2" | "e" | "half" => Some(F16),
        "float32" | "f4" | "f" | "single" => Some(F32),
        "float64" | "f8" | "d" | "double" | "float" => Some(F64),
        "complex64" | "c8" | "F" => Some(C64),
        "complex128" | "c16" | "D" | "complex" => Some(C128),
        _ => None,
    };
    if let Some(d) = named {
        return Ok((false, d));
    }
    let mut chars = s.chars();
    let first = chars.next().ok_or_else(|| err!("empty dtype"))?;
    let (order, rest) = match first {
        '<' | '>' | '=' | '|' => (first, &s[1..]),
        _ => ('=', s),
    };
    let little = cfg!(target_endian = "little");
    let swapped = match order {
        '<' => !little,
        '>' => little,
        _ => false,
    };
    if rest.is_empty() {
        bail!("bad dtype '{s}'");
    }
    // `rest` is not empty; its first character may take several bytes ("é8")
    let kind = rest.chars().next().unwrap_or('?');
    let num = &rest[kind.len_utf8()..];
    if kind == 'O' {
        bail!("object arrays ('{s}') are not supported: they hold pickled Python objects, which evsh never unpickles");
    }
    let n: usize = if num.is_empty() {
        match kind {
            'S' | 'U' | 'V' | 'a' => 0,
            _ => bail!("bad dtype '{s}': missing item size"),
        }
    } else {
        num.parse()
            .map_err(|_| err!("bad dtype '{s}': item size '{num}' is not a number"))?
    };
    // The byte size of one element (4 per character for 'U') must fit in an isize, or
    // every size computed from it would overflow.
    let per = if kind == 'U' { 4 } else { 1 };
    if n > isize::MAX as usize / per {
        bail!("bad dtype '{s}': item size {n} is too large (one element would not fit in memory)");
    }
    let d = match (kind, n) {
        ('b', 1) => Bool,
        ('i', 1) => I8,
        ('i', 2) => I16,
        ('i', 4) => I32,
        ('i', 8) => I64,
        ('u', 1) => U8,
        ('u', 2) => U16,
        ('u', 4) => U32,
        ('u', 8) => U64,
        ('f', 2) => F16,
        ('f', 4) => F32,
        ('f', 8) => F64,
        ('c', 8) => C64,
        ('c', 16) => C128,
        ('S', n) | ('a', n) => Bytes(n),
        ('U', n) => Unicode(n),
        ('V', n) => Void(n),
        ('O', _) => bail!("object arrays ('{s}') are not supported: they hold pickled Python objects, which evsh never unpickles"),
        ('M', _) | ('m', _) => bail!("datetime/timedelta dtype '{s}' is not supported"),
        ('f', n) => bail!("unsupported float size {n} in dtype '{s}'"),
        ('c', n) => bail!("unsupported complex size {n} in dtype '{s}'"),
        _ => bail!("unknown dtype '{s}'"),
    };
    let swapped = swapped && d.itemsize() > 1 && !matches!(d, Bytes(_) | Void(_));
    Ok((swapped, d))
}

/// Rust element types that can be viewed directly in an array's bytes.
pub trait Elem: bytemuck::Pod + Send + Sync + 'static + std::fmt::Debug {
    /// The dtype whose storage this Rust type views.
    const DTYPE: DType;
    /// Reverse the byte order.
    fn swap_bytes(self) -> Self;
}

macro_rules! elem_int {
    ($($t:ty => $d:ident),*) => {$(
        impl Elem for $t {
            const DTYPE: DType = DType::$d;
            #[inline] fn swap_bytes(self) -> Self { <$t>::swap_bytes(self) }
        }
    )*};
}
elem_int!(i8 => I8, i16 => I16, i32 => I32, i64 => I64, u8 => U8, u16 => U16, u32 => U32, u64 => U64);

impl Elem for f32 {
    const DTYPE: DType = DType::F32;
    #[inline]
    fn swap_bytes(self) -> Self {
        f32::from_bits(self.to_bits().swap_bytes())
    }
}
impl Elem for f64 {
    const DTYPE: DType = DType::F64;
    #[inline]
    fn swap_bytes(self) -> Self {
        f64::from_bits(self.to_bits().swap_bytes())
    }
}
impl Elem for half::f16 {
    const DTYPE: DType = DType::F16;
    #[inline]
    fn swap_bytes(self) -> Self {
        half::f16::from_bits(self.to_bits().swap_bytes())
    }
}
impl Elem for num_complex::Complex32 {
    const DTYPE: DType = DType::C64;
    #[inline]
    fn swap_bytes(self) -> Self {
        num_complex::Complex32::new(self.re.swap_bytes(), self.im.swap_bytes())
    }
}
impl Elem for num_complex::Complex64 {
    const DTYPE: DType = DType::C128;
    #[inline]
    fn swap_bytes(self) -> Self {
        num_complex::Complex64::new(self.re.swap_bytes(), self.im.swap_bytes())
    }
}

/// Does Rust type `T` view elements of `d`? (`u8` also views `bool`, stored as bytes 0/1.)
pub fn elem_matches<T: Elem>(d: &DType) -> bool {
    &T::DTYPE == d || (T::DTYPE == DType::U8 && *d == DType::Bool)
}

/// Run `$body` with type alias `$T` bound to the Rust element type of a numeric dtype.
/// Bool is viewed as `u8`. Non-numeric dtypes take the `else` arm.
#[macro_export]
macro_rules! with_numeric_type {
    ($dtype:expr, $T:ident => $body:expr, else $other:expr) => {{
        use $crate::array::DType as __D;
        match $dtype {
            __D::C64 => {
                type $T = num_complex::Complex32;
                $body
            }
            __D::C128 => {
                type $T = num_complex::Complex64;
                $body
            }
            __real => $crate::with_real_type!(__real, $T => $body, else $other),
        }
    }};
}

/// Like [`with_numeric_type`] but only for real (non-complex) numbers; complex and
/// non-numeric dtypes take the `else` arm.
#[macro_export]
macro_rules! with_real_type {
    ($dtype:expr, $T:ident => $body:expr, else $other:expr) => {{
        use $crate::array::DType as __D;
        match $dtype {
            __D::Bool | __D::U8 => {
                type $T = u8;
                $body
            }
            __D::I8 => {
                type $T = i8;
                $body
            }
            __D::I16 => {
                type $T = i16;
                $body
            }
            __D::I32 => {
                type $T = i32;
                $body
            }
            __D::I64 => {
                type $T = i64;
                $body
            }
            __D::U16 => {
                type $T = u16;
                $body
            }
            __D::U32 => {
                type $T = u32;
                $body
            }
            __D::U64 => {
                type $T = u64;
                $body
            }
            __D::F16 => {
                type $T = half::f16;
                $body
            }
            __D::F32 => {
                type $T = f32;
                $body
            }
            __D::F64 => {
                type $T = f64;
                $body
            }
            _ => $other,
        }
    }};
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parse_names_and_descrs() {
        assert_eq!(DType::parse("float32").unwrap(), DType::F32);
        assert_eq!(DType::parse("u4").unwrap(), DType::U32);
        assert_eq!(parse_simple("<f8").unwrap(), (false, DType::F64));
        assert_eq!(parse_simple(">i2").unwrap(), (true, DType::I16));
        assert_eq!(parse_simple("|S5").unwrap(), (false, DType::Bytes(5)));
        assert_eq!(parse_simple("<U3").unwrap(), (false, DType::Unicode(3)));
        assert_eq!(parse_simple(">u1").unwrap(), (false, DType::U8));
        assert!(parse_simple("|O")
            .unwrap_err()
            .to_string()
            .contains("object"));
        assert!(parse_simple("<f3").is_err());
    }
}
