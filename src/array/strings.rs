//! Fixed-width NumPy strings (`|S n` bytes, `<U n` UCS-4) read element by element as
//! Rust `String`s, for tests, display and tables. The bytes stay where they are (often a
//! file mapping); only the requested element is decoded.

use crate::array::{Array, DType};
use crate::bail;
use crate::error::Result;

/// Byte offset (into the array's buffer) of element `i` in logical C order.
pub fn element_offset(a: &Array, i: usize) -> Result<usize> {
    let n = a.size();
    if i >= n {
        bail!(
            "index {i} is out of bounds for an array of {n} elements (shape {:?})",
            a.shape()
        );
    }
    let mut rem = i;
    let mut off = a.offset() as isize;
    for (&d, &s) in a.shape().iter().zip(a.strides()).rev() {
        let k = rem % d;
        rem /= d;
        off += k as isize * s;
    }
    Ok(off as usize)
}

/// Decode `|S n` bytes: trailing NULs are stripped (as NumPy does); valid UTF-8 is kept,
/// any other byte is shown as `\xNN` (like Python's bytes repr), so nothing is lost.
pub fn decode_bytes(b: &[u8]) -> String {
    let end = b.iter().rposition(|&c| c != 0).map_or(0, |p| p + 1);
    let mut out = String::with_capacity(end);
    for chunk in b[..end].utf8_chunks() {
        out.push_str(chunk.valid());
        for &x in chunk.invalid() {
            out.push_str(&format!("\\x{x:02x}"));
        }
    }
    out
}

/// Decode `U n` data (n UCS-4 code units, `swapped` = stored in the other byte order).
/// Trailing NULs are stripped. A UTF-16 surrogate pair stored as two units is combined.
/// Lone surrogates and values above U+10FFFF are an error, or U+FFFD when `lossy`.
pub fn decode_ucs4(b: &[u8], swapped: bool, lossy: bool) -> Result<String> {
    let units: Vec<u32> = b
        .chunks_exact(4)
        .map(|c| {
            let v = u32::from_ne_bytes([c[0], c[1], c[2], c[3]]);
            if swapped {
                v.swap_bytes()
            } else {
                v
            }
        })
        .collect();
    let end = units.iter().rposition(|&u| u != 0).map_or(0, |p| p + 1);
    let mut out = String::with_capacity(end);
    let mut k = 0;
    while k < end {
        let u = units[k];
        let next = units.get(k + 1).copied().filter(|_| k + 1 < end);
        if (0xD800..0xDC00).contains(&u) {
            if let Some(lo @ 0xDC00..=0xDFFF) = next {
                let c = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                if let Some(ch) = char::from_u32(c) {
                    out.push(ch);
                    k += 2;
                    continue;
                }
            }
        }
        match char::from_u32(u) {
            Some(c) => out.push(c),
            None if lossy => out.push('\u{FFFD}'),
            None => bail!(
                "code point {u:#x} at position {k} is not valid Unicode (a lone surrogate or beyond U+10FFFF)"
            ),
        }
        k += 1;
    }
    Ok(out)
}

fn string_impl(a: &Array, i: usize, lossy: bool) -> Result<String> {
    let off = element_offset(a, i)?;
    let b = a.element_bytes(off);
    match a.dtype() {
        DType::Bytes(_) => Ok(decode_bytes(b)),
        DType::Unicode(_) => {
            decode_ucs4(b, a.swapped(), lossy).map_err(|e| crate::err!("string element {i}: {e}"))
        }
        d => bail!("expected a string array (|S or <U), found {}", d.name()),
    }
}

/// Element `i` (logical C order) of a `|S`/`<U` array as a `String`; invalid UCS-4
/// code points are an error naming the element.
pub fn string_at(a: &Array, i: usize) -> Result<String> {
    string_impl(a, i, false)
}

/// Like [`string_at`], with invalid code points shown as U+FFFD (for display).
pub fn string_at_lossy(a: &Array, i: usize) -> Result<String> {
    string_impl(a, i, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use crate::array::Buf;

    #[test]
    fn bytes_and_ucs4() {
        assert_eq!(decode_bytes(b"ab\0c\0\0"), "ab\0c");
        assert_eq!(decode_bytes(b"\xffok\xe9"), "\\xffok\\xe9");
        assert_eq!(decode_bytes("é".as_bytes()), "é");
        let mut v = vec![];
        for u in ['α' as u32, 'b' as u32, 0, 0] {
            v.extend_from_slice(&u.to_be_bytes());
        }
        let sw = cfg!(target_endian = "little");
        assert_eq!(decode_ucs4(&v, sw, false).unwrap(), "αb");
        let pair: Vec<u8> = [0xD834u32, 0xDD1E]
            .iter()
            .flat_map(|u| u.to_ne_bytes())
            .collect();
        assert_eq!(decode_ucs4(&pair, false, false).unwrap(), "\u{1d11e}");
        let lone = 0xD805u32.to_ne_bytes();
        assert!(decode_ucs4(&lone, false, false)
            .unwrap_err()
            .to_string()
            .contains("0xd805"));
        assert_eq!(decode_ucs4(&lone, false, true).unwrap(), "\u{FFFD}");
    }

    #[test]
    fn elements_in_c_order() {
        // 2x3 array of |S2, viewed transposed
        let data: Vec<u8> = b"a0a1a2b0b1b2".to_vec();
        let buf = Arc::new(Buf::Owned(Box::new(data)));
        let a = Array::from_parts(buf, DType::Bytes(2), false, vec![2, 3], vec![6, 2], 0).unwrap();
        assert_eq!(string_at(&a, 4).unwrap(), "b1");
        let t = a.transpose();
        let got: Vec<String> = (0..6).map(|i| string_at(&t, i).unwrap()).collect();
        assert_eq!(got, ["a0", "b0", "a1", "b1", "a2", "b2"]);
        assert!(string_at(&a, 6).is_err());
        let f = Array::from_vec(vec![1.0f32], vec![1]).unwrap();
        assert!(string_at(&f, 0).unwrap_err().to_string().contains("string"));
    }
}
