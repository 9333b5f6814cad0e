//! The numeric element traits every kernel is generic over: [`Real`] (conversions with
//! NumPy's casting rules, wrapping integer arithmetic, Python-style modulo, NaN tests) for
//! the integer and float types including float16, and [`Int`] for the bit operations.
//! Kept apart from the kernels so that a new kernel family only needs these and the
//! promotion rules, not the elementwise module.

use crate::array::Elem;

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
