//! Reading kernel inputs: every statistics kernel accepts any real numeric array (read
//! flattened, in C order), an optional boolean mask and optional weights of the same
//! number of elements, and names the function and the argument when one does not fit.

use std::borrow::Cow;

use crate::array::ops::astype;
use crate::array::{Array, DType};
use crate::bail;
use crate::error::Result;

/// Elements per parallel chunk for inputs of `elem_bytes`-byte elements.
pub fn chunk(elem_bytes: usize) -> usize {
    crate::exec::chunk_rows(elem_bytes).max(1 << 14)
}

/// `a` must hold real numbers (bool and integers count).
pub fn check_real(a: &Array, func: &str, what: &str) -> Result<()> {
    let d = a.dtype();
    if !d.is_numeric() || d.is_complex() {
        bail!(
            "{func}: {what} must be a real numeric array, found dtype {}",
            d.name()
        );
    }
    Ok(())
}

/// `a` must have `n` elements, like the first input.
pub fn check_len(a: &Array, n: usize, func: &str, what: &str, first: &str) -> Result<()> {
    if a.size() != n {
        bail!(
            "{func}: {what} has {} elements but {first} has {n}; they must match element for element",
            a.size()
        );
    }
    Ok(())
}

/// A boolean mask's bytes (0 or 1) as one contiguous slice of `n` elements.
pub fn mask_bytes<'a>(m: &'a Array, n: usize, func: &str, what: &str) -> Result<Cow<'a, [u8]>> {
    if *m.dtype() != DType::Bool {
        bail!(
            "{func}: {what} must be a bool array (e.g. `score > 0.5`), found dtype {}",
            m.dtype().name()
        );
    }
    check_len(m, n, func, what, "the data")?;
    m.as_slice::<u8>()
}

/// The array as native f64 values (itself when it already is, else a converted copy).
pub fn as_f64(a: &Array, func: &str, what: &str) -> Result<Array> {
    check_real(a, func, what)?;
    if *a.dtype() == DType::F64 {
        Ok(a.native().clone())
    } else {
        astype(a, &DType::F64)
    }
}

/// Truth-like input: any real array, nonzero meaning true, as bytes 0/1.
pub fn truth_bytes<'a>(a: &'a Array, n: usize, func: &str, what: &str) -> Result<Cow<'a, [u8]>> {
    check_real(a, func, what)?;
    check_len(a, n, func, what, "the scores")?;
    if *a.dtype() == DType::Bool {
        return a.as_slice::<u8>();
    }
    let b = astype(a, &DType::Bool)?;
    Ok(Cow::Owned(b.as_slice::<u8>()?.into_owned()))
}
