//! How an array prints: a one-line summary (dtype, shape, memory kind, size, origin) and
//! then the values laid out the way NumPy's `str()` does (aligned columns, nested
//! brackets, first/last 3 items per axis for big arrays), because that is the picture
//! users carry in their heads.

use std::fmt;

use super::ops::fmt_shape;
use super::rows::{format_count, parse_row_slice};
use crate::array::{Array, DType, Elem};

/// Arrays with more elements than this are summarized with `...`.
pub const THRESHOLD: usize = 1000;
/// Items shown at each end of an elided axis.
pub const EDGE: usize = 3;
/// Maximum line width before wrapping.
pub const LINEWIDTH: usize = 75;

/// Bytes as `61.0 MiB`.
pub fn human_bytes(n: usize) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", units[u])
    }
}

/// The one-line summary: `Array float32 (1000000, 4, 4) mapped 61.0 MiB  ox.npy rows 0:1M of 10M`.
pub fn summary(a: &Array) -> String {
    let mut s = format!(
        "Array {} {} {} {}",
        a.dtype().name(),
        fmt_shape(a.shape()),
        a.mem_kind().name(),
        human_bytes(a.nbytes())
    );
    if let Some(o) = a.origin() {
        let name = o
            .path
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_else(|| o.path.display().to_string());
        s.push_str("  ");
        s.push_str(&name);
        if let (Some(sl), Some(&n)) = (&o.slice, o.file_shape.first()) {
            let whole_slice = parse_row_slice(sl, n)
                .map(|r| r.len() == a.len() && a.shape()[1..] == o.file_shape[1..])
                .unwrap_or(false);
            if whole_slice {
                s.push_str(&format!(" rows {sl} of {}", format_count(n)));
            }
        }
    }
    s
}

/// Decode a fixed-width string element (bytes `|S n` or UCS-4 `<U n`, native order).
pub fn decode_str(bytes: &[u8], d: &DType) -> String {
    match d {
        DType::Unicode(_) => {
            let mut s = String::new();
            for c in bytes.chunks_exact(4) {
                let u = u32::from_ne_bytes([c[0], c[1], c[2], c[3]]);
                if u == 0 {
                    break;
                }
                s.push(char::from_u32(u).unwrap_or('\u{fffd}'));
            }
            s
        }
        _ => {
            let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
            String::from_utf8_lossy(&bytes[..end]).into_owned()
        }
    }
}

fn read<T: Elem>(b: &[u8]) -> T {
    bytemuck::pod_read_unaligned(&b[..std::mem::size_of::<T>()])
}

/// Floats formatted together so that they align (NumPy's "maxprec" mode, 8 digits).
fn format_floats(v: &[f64]) -> Vec<String> {
    format_floats_as(v, false)
}

/// Like [`format_floats`]; `single` counts each value's digits as the shortest text that
/// reads back as the same float32 (NumPy prints `np.float32(1.304)` as `1.304`, not with
/// the digits of its float64 widening, `1.30400002`).
fn format_floats_as(v: &[f64], single: bool) -> Vec<String> {
    let finite: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    let maxabs = finite.iter().fold(0f64, |m, x| m.max(x.abs()));
    let minabs = finite
        .iter()
        .filter(|x| **x != 0.0)
        .fold(f64::INFINITY, |m, x| m.min(x.abs()));
    let sci = maxabs >= 1e8 || (minabs.is_finite() && (minabs < 1e-4 || maxabs / minabs > 1e3));
    let digits = |x: f64, sci: bool| -> usize {
        let s = match (single, sci) {
            (true, true) => format!("{:e}", x as f32),
            (true, false) => format!("{}", x as f32),
            (false, true) => format!("{x:.8e}"),
            (false, false) => format!("{x:.8}"),
        };
        let mant = s.split('e').next().unwrap_or("");
        let frac = mant.split('.').nth(1).unwrap_or("");
        frac.trim_end_matches('0').len().min(8)
    };
    let prec = finite.iter().map(|&x| digits(x, sci)).max().unwrap_or(0);
    let special = |x: f64| {
        if x.is_nan() {
            "nan".to_string()
        } else if x > 0.0 {
            "inf".to_string()
        } else {
            "-inf".to_string()
        }
    };
    let strs: Vec<String> = v
        .iter()
        .map(|&x| {
            if !x.is_finite() {
                return special(x);
            }
            if sci {
                let s = format!("{x:.prec$e}");
                let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
                let m = if prec == 0 {
                    format!("{m}.")
                } else {
                    m.to_string()
                };
                let (sign, e) = match e.strip_prefix('-') {
                    Some(r) => ('-', r),
                    None => ('+', e),
                };
                format!("{m}e{sign}{e:0>2}")
            } else {
                // float32: each value at most the digits that identify it as a float32
                let p = if single { digits(x, sci).min(prec) } else { prec };
                let s = format!("{x:.p$}");
                let t = if p > 0 {
                    s.trim_end_matches('0')
                } else {
                    &s
                };
                let t = if t.ends_with('.') || p == 0 {
                    t.trim_end_matches('.').to_string() + "."
                } else {
                    t.to_string()
                };
                let frac = t.split('.').nth(1).map_or(0, |f| f.len());
                format!("{t}{}", " ".repeat(prec - frac.min(prec)))
            }
        })
        .collect();
    strs
}

/// Text of one element at a byte offset of a native array (strings decoded, records as
/// tuples), not aligned.
pub fn element_text(a: &Array, off: usize) -> String {
    let b = a.element_bytes(off);
    text_of(b, a.dtype())
}

fn text_of(b: &[u8], d: &DType) -> String {
    match d {
        DType::Bool => if b[0] != 0 { "True" } else { "False" }.to_string(),
        DType::I8 => read::<i8>(b).to_string(),
        DType::I16 => read::<i16>(b).to_string(),
        DType::I32 => read::<i32>(b).to_string(),
        DType::I64 => read::<i64>(b).to_string(),
        DType::U8 => b[0].to_string(),
        DType::U16 => read::<u16>(b).to_string(),
        DType::U32 => read::<u32>(b).to_string(),
        DType::U64 => read::<u64>(b).to_string(),
        DType::F16 => format_floats_as(&[read::<half::f16>(b).to_f64()], true)
            .remove(0)
            .trim()
            .to_string(),
        DType::F32 => format_floats_as(&[read::<f32>(b) as f64], true)
            .remove(0)
            .trim()
            .to_string(),
        DType::F64 => format_floats(&[read::<f64>(b)])
            .remove(0)
            .trim()
            .to_string(),
        DType::C64 => complex_text(read::<f32>(b) as f64, read::<f32>(&b[4..]) as f64),
        DType::C128 => complex_text(read::<f64>(b), read::<f64>(&b[8..])),
        DType::Bytes(_) => format!("b'{}'", decode_str(b, d)),
        DType::Unicode(_) => format!("'{}'", decode_str(b, d)),
        DType::Void(_) => format!(
            "b'{}'",
            b.iter().map(|x| format!("\\x{x:02x}")).collect::<String>()
        ),
        DType::Struct(st) => {
            let parts: Vec<String> = st
                .fields
                .iter()
                .map(|f| {
                    let n: usize = f.shape.iter().product();
                    let sz = f.dtype.itemsize();
                    let one = |k: usize| {
                        let s = &b[f.offset + k * sz..f.offset + (k + 1) * sz];
                        if f.swapped {
                            let mut v = s.to_vec();
                            let unit = match f.dtype {
                                DType::C64 => 4,
                                DType::C128 => 8,
                                DType::Unicode(_) => 4,
                                _ => sz,
                            };
                            if !matches!(
                                f.dtype,
                                DType::Bytes(_) | DType::Void(_) | DType::Struct(_)
                            ) {
                                v.chunks_exact_mut(unit).for_each(|c| c.reverse());
                            }
                            text_of(&v, &f.dtype)
                        } else {
                            text_of(s, &f.dtype)
                        }
                    };
                    if f.shape.is_empty() {
                        one(0)
                    } else {
                        format!("[{}]", (0..n).map(one).collect::<Vec<_>>().join(", "))
                    }
                })
                .collect();
            format!("({})", parts.join(", "))
        }
    }
}

fn complex_text(re: f64, im: f64) -> String {
    let r = format_floats(&[re]).remove(0).trim().to_string();
    let i = format_floats(&[im.abs()]).remove(0).trim().to_string();
    let sign = if im < 0.0 || (im == 0.0 && im.is_sign_negative()) {
        '-'
    } else {
        '+'
    };
    format!("{r}{sign}{i}j")
}

/// Shown positions of each axis (`None` marks the `...`).
fn shown(n: usize, elide: bool) -> Vec<Option<usize>> {
    if elide && n > 2 * EDGE {
        (0..EDGE)
            .map(Some)
            .chain(std::iter::once(None))
            .chain((n - EDGE..n).map(Some))
            .collect()
    } else {
        (0..n).map(Some).collect()
    }
}

/// The element texts of the shown elements, aligned to one width.
fn element_strings(a: &Array, offs: &[usize]) -> Vec<String> {
    let d = a.dtype();
    let texts: Vec<String> = match d {
        DType::F16 | DType::F32 | DType::F64 => {
            let vals: Vec<f64> = offs
                .iter()
                .map(|&o| {
                    let b = a.element_bytes(o);
                    match d {
                        DType::F16 => read::<half::f16>(b).to_f64(),
                        DType::F32 => read::<f32>(b) as f64,
                        _ => read::<f64>(b),
                    }
                })
                .collect();
            format_floats_as(&vals, *d != DType::F64)
        }
        _ => offs.iter().map(|&o| element_text(a, o)).collect(),
    };
    let right = !matches!(
        d,
        DType::Bytes(_) | DType::Unicode(_) | DType::Struct(_) | DType::Void(_)
    );
    if !right {
        return texts;
    }
    let w = texts.iter().map(|s| s.chars().count()).max().unwrap_or(0);
    texts.into_iter().map(|s| format!("{s:>w$}")).collect()
}

/// The values laid out like NumPy's `str(x)`.
pub fn format_values(a: &Array) -> String {
    let n = a.native();
    if n.ndim() == 0 {
        let mut s = String::new();
        n.for_each_offset(|o| s = element_strings(n, &[o]).remove(0));
        return s.trim().to_string();
    }
    if n.size() == 0 {
        return "[]".to_string();
    }
    let elide = n.size() > THRESHOLD;
    let axes: Vec<Vec<Option<usize>>> = n.shape().iter().map(|&d| shown(d, elide)).collect();
    // offsets of the shown elements in layout order
    let mut offs = vec![];
    fn walk(n: &Array, axes: &[Vec<Option<usize>>], ax: usize, off: isize, out: &mut Vec<usize>) {
        if ax == axes.len() {
            out.push(off as usize);
            return;
        }
        for i in axes[ax].iter().flatten() {
            walk(n, axes, ax + 1, off + *i as isize * n.strides()[ax], out);
        }
    }
    walk(n, &axes, 0, n.offset() as isize, &mut offs);
    let strs = element_strings(n, &offs);
    let mut it = strs.into_iter();
    let mut out = String::from("[");
    layout(&axes, 0, &mut it, &mut out);
    out
}

/// Write the block for axis `ax` (its opening `[` is already written) and close it.
fn layout(
    axes: &[Vec<Option<usize>>],
    ax: usize,
    it: &mut impl Iterator<Item = String>,
    out: &mut String,
) {
    let nd = axes.len();
    let indent = " ".repeat(ax + 1);
    if ax + 1 == nd {
        // innermost row, wrapped at LINEWIDTH
        let mut line_len = out.len() - out.rfind('\n').map_or(0, |p| p + 1);
        let mut first = true;
        let count = axes[ax].len();
        for (k, p) in axes[ax].iter().enumerate() {
            let s = match p {
                Some(_) => it.next().unwrap_or_default(),
                None => "...".to_string(),
            };
            let closing = if k + 1 == count { nd - ax } else { 0 };
            if !first && line_len + 1 + s.len() + closing > LINEWIDTH {
                out.push('\n');
                out.push_str(&indent);
                line_len = indent.len();
            } else if !first {
                out.push(' ');
                line_len += 1;
            }
            out.push_str(&s);
            line_len += s.len();
            first = false;
        }
        out.push(']');
        return;
    }
    let sep_lines = nd - ax - 1;
    for (k, p) in axes[ax].iter().enumerate() {
        if k > 0 {
            out.push_str(&"\n".repeat(sep_lines));
            out.push_str(&indent);
        }
        match p {
            Some(_) => {
                out.push('[');
                layout(axes, ax + 1, it, out);
            }
            None => out.push_str("..."),
        }
    }
    out.push(']');
}

impl fmt::Display for Array {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", summary(self))?;
        f.write_str(&format_values(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_like_values() {
        let a = Array::from_vec(vec![1.5f64, 2.0, 3.25], vec![3]).unwrap();
        assert_eq!(format_values(&a), "[1.5  2.   3.25]");
        let a = Array::from_vec(vec![1.0f32, 2.0, -3.0], vec![3]).unwrap();
        assert_eq!(format_values(&a), "[ 1.  2. -3.]");
        // float32 digits are those of the float32 value (numpy: [1.304 0.1 2.5]).
        let a = Array::from_vec(vec![1.304f32, 0.1, 2.5], vec![3]).unwrap();
        assert_eq!(format_values(&a), "[1.304 0.1   2.5  ]");
        let a = Array::from_vec(vec![0.12573022f32, 1.304, -2.3250308], vec![3]).unwrap();
        assert_eq!(format_values(&a), "[ 0.12573022  1.304      -2.3250308 ]");
        let a = Array::from_vec((0..6i32).collect(), vec![2, 3]).unwrap();
        assert_eq!(format_values(&a), "[[0 1 2]\n [3 4 5]]");
        let a = Array::from_vec((0..8i64).collect(), vec![2, 2, 2]).unwrap();
        assert_eq!(format_values(&a), "[[[0 1]\n  [2 3]]\n\n [[4 5]\n  [6 7]]]");
        let b = Array::from_bools(vec![true, false]);
        assert_eq!(format_values(&b), "[ True False]");
        let a = Array::from_vec((0..2000i64).collect(), vec![2000]).unwrap();
        assert_eq!(format_values(&a), "[   0    1    2 ... 1997 1998 1999]");
        let a = Array::from_vec(vec![1e-5f64, 1.5e10, f64::NAN], vec![3]).unwrap();
        assert_eq!(format_values(&a), "[1.0e-05 1.5e+10     nan]");
        let a = Array::from_vec((0..3000i32).collect(), vec![1000, 3]).unwrap();
        assert_eq!(
            format_values(&a),
            "[[   0    1    2]\n [   3    4    5]\n [   6    7    8]\n ...\n [2991 2992 2993]\n [2994 2995 2996]\n [2997 2998 2999]]"
        );
        let a = Array::from_vec((0..30i64).map(|i| i * 1000).collect(), vec![30]).unwrap();
        let s = format_values(&a);
        assert!(s.lines().all(|l| l.len() <= LINEWIDTH), "{s}");
        assert!(
            s.starts_with("[    0  1000") && s.lines().nth(1).unwrap().starts_with(' '),
            "{s}"
        );
    }

    #[test]
    fn strings_and_summary() {
        let v: Vec<u32> = "ab\0c\0\0".chars().map(|c| c as u32).collect();
        let a = Array::from_vec_typed(v, DType::Unicode(3), vec![2]).unwrap();
        assert_eq!(format_values(&a), "['ab' 'c']");
        let a = Array::from_vec(vec![0f32; 16_000_000], vec![1_000_000, 4, 4]).unwrap();
        assert_eq!(summary(&a), "Array float32 (1000000, 4, 4) owned 61.0 MiB");
        assert_eq!(format_values(&Array::scalar(2.5f64)), "2.5");
    }
}
