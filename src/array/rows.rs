//! Row-slice specs as users type them (`"0:1M"`, `"-100k:"`, `":10"`, `"5"`), shared by
//! `load(path, slice)`, `event(path, #{slice})` and selections.

use std::ops::Range;

use crate::bail;
use crate::error::Result;

/// Parse one bound: an integer with optional `k` (×1000) or `M` (×1,000,000) suffix
/// (also `K`, `m`, `G`), possibly negative. `_` separators are allowed.
pub fn parse_count(tok: &str) -> Result<i64> {
    let t = tok.trim().replace('_', "");
    if t.is_empty() {
        bail!("empty number in row slice");
    }
    let (num, mult) = match t.chars().last() {
        Some('k') | Some('K') => (&t[..t.len() - 1], 1_000i64),
        Some('M') | Some('m') => (&t[..t.len() - 1], 1_000_000),
        Some('G') | Some('g') => (&t[..t.len() - 1], 1_000_000_000),
        _ => (&t[..], 1),
    };
    let v: i64 = match num.parse() {
        Ok(v) => v,
        Err(_) => bail!("'{tok}' is not a row count (examples: 100, 10k, 1M, -5k)"),
    };
    match v.checked_mul(mult) {
        Some(v) => Ok(v),
        None => bail!("row count '{tok}' is too large"),
    }
}

/// Parse a row slice `start:stop` (either side optional, Python semantics for negatives,
/// clipped to `0..n`) into a range of rows of an axis of length `n`. A single number
/// `i` means the one row `i..i+1`.
pub fn parse_row_slice(spec: &str, n: usize) -> Result<Range<usize>> {
    let s = spec.trim();
    // i128: every i64 bound and every usize length fit, so nothing wraps or overflows
    let n_i = n as i128;
    let norm = |v: i64| -> i128 {
        let v = v as i128;
        let v = if v < 0 { v + n_i } else { v };
        v.clamp(0, n_i)
    };
    let parts: Vec<&str> = s.split(':').collect();
    match parts.as_slice() {
        [one] => {
            let i = parse_count(one)?;
            let j = if i < 0 { i as i128 + n_i } else { i as i128 };
            if j < 0 || j >= n_i {
                bail!("row {i} is out of range for {n} rows");
            }
            Ok(j as usize..j as usize + 1)
        }
        [a, b] => {
            let start = if a.trim().is_empty() {
                0
            } else {
                norm(parse_count(a)?)
            };
            let stop = if b.trim().is_empty() {
                n_i
            } else {
                norm(parse_count(b)?)
            };
            Ok(start as usize..(stop.max(start)) as usize)
        }
        _ => bail!("bad row slice '{spec}': expected start:stop such as 0:1M, -100k: or :10"),
    }
}

/// Format a count the way users type it (`1M`, `250k`, `1234`).
pub fn format_count(n: usize) -> String {
    if n >= 1_000_000 && n.is_multiple_of(1_000_000) {
        format!("{}M", n / 1_000_000)
    } else if n >= 1_000 && n.is_multiple_of(1_000) {
        format!("{}k", n / 1_000)
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn slices() {
        assert_eq!(parse_row_slice("0:1M", 10_000_000).unwrap(), 0..1_000_000);
        assert_eq!(
            parse_row_slice("-100k:", 1_000_000).unwrap(),
            900_000..1_000_000
        );
        assert_eq!(parse_row_slice(":10", 5).unwrap(), 0..5);
        assert_eq!(parse_row_slice("7:3", 10).unwrap(), 7..7);
        assert_eq!(parse_row_slice("3", 10).unwrap(), 3..4);
        assert!(parse_row_slice("a:b", 10)
            .unwrap_err()
            .to_string()
            .contains("'a'"));
        assert!(parse_row_slice("1:2:3", 10).is_err());
        assert!(parse_row_slice("10", 10).is_err());
        assert_eq!(format_count(10_000_000), "10M");
        assert_eq!(format_count(1500), "1500");
    }
}
