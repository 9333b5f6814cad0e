//! NumPy `.npy` files: memory-mapped reading (the header is parsed, the data is not
//! touched until used) and atomic writing that NumPy reads back identically.

use std::path::Path;
use std::sync::Arc;

use crate::array::dtype::parse_simple;
use crate::array::rows::parse_row_slice;
use crate::array::{c_strides, checked_size, f_strides, Array, Buf, DType, Field, Origin, StructType};
use crate::error::{Error, Result};
use crate::{bail, err};

/// The parsed header of a `.npy` file.
#[derive(Clone, Debug)]
pub struct Header {
    pub version: (u8, u8),
    pub dtype: DType,
    /// Stored bytes are in the non-native byte order (simple dtypes only).
    pub swapped: bool,
    pub fortran_order: bool,
    pub shape: Vec<usize>,
    /// Byte offset of the data in the file.
    pub data_offset: usize,
}

// ------------------------------------------------------------------ python literals

/// The subset of Python literals that appear in `.npy` headers.
#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    Str(String),
    Int(i64),
    Bool(bool),
    None,
    Tuple(Vec<Lit>),
    List(Vec<Lit>),
    Dict(Vec<(Lit, Lit)>),
}

struct LitParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl LitParser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && (self.s[self.i] as char).is_whitespace() {
            self.i += 1;
        }
    }
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.i).copied()
    }
    fn expect(&mut self, c: u8) -> Result<()> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            bail!("expected '{}' at byte {} of the header", c as char, self.i)
        }
    }
    fn seq(&mut self, close: u8) -> Result<(Vec<Lit>, bool)> {
        let mut v = vec![];
        let mut trailing_comma = false;
        loop {
            if self.peek() == Some(close) {
                self.i += 1;
                return Ok((v, trailing_comma));
            }
            v.push(self.value(0)?);
            trailing_comma = false;
            match self.peek() {
                Some(b',') => {
                    self.i += 1;
                    trailing_comma = true;
                }
                Some(c) if c == close => {}
                _ => bail!("expected ',' or '{}' at byte {} of the header", close as char, self.i),
            }
        }
    }
    fn value(&mut self, depth: usize) -> Result<Lit> {
        if depth > 64 {
            bail!("header nests too deeply");
        }
        match self.peek() {
            Some(b'\'') | Some(b'"') => {
                let q = self.s[self.i];
                self.i += 1;
                let start = self.i;
                while self.i < self.s.len() && self.s[self.i] != q {
                    if self.s[self.i] == b'\\' {
                        self.i += 1;
                    }
                    self.i += 1;
                }
                if self.i >= self.s.len() {
                    bail!("unterminated string in header");
                }
                let raw = String::from_utf8_lossy(&self.s[start..self.i]).to_string();
                self.i += 1;
                Ok(Lit::Str(raw))
            }
            Some(b'(') => {
                self.i += 1;
                let (v, _) = self.seq(b')')?;
                Ok(Lit::Tuple(v))
            }
            Some(b'[') => {
                self.i += 1;
                let (v, _) = self.seq(b']')?;
                Ok(Lit::List(v))
            }
            Some(b'{') => {
                self.i += 1;
                let mut v = vec![];
                loop {
                    if self.peek() == Some(b'}') {
                        self.i += 1;
                        return Ok(Lit::Dict(v));
                    }
                    let k = self.value(depth + 1)?;
                    self.expect(b':')?;
                    let val = self.value(depth + 1)?;
                    v.push((k, val));
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {}
                        _ => bail!("expected ',' or '}}' at byte {} of the header", self.i),
                    }
                }
            }
            Some(c) if c == b'-' || c.is_ascii_digit() => {
                let start = self.i;
                self.i += 1;
                while self.i < self.s.len() && (self.s[self.i].is_ascii_digit() || self.s[self.i] == b'L') {
                    self.i += 1;
                }
                let t = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("").trim_end_matches('L');
                t.parse::<i64>()
                    .map(Lit::Int)
                    .map_err(|_| err!("bad number '{t}' in header"))
            }
            Some(_) => {
                let start = self.i;
                while self.i < self.s.len() && (self.s[self.i] as char).is_ascii_alphanumeric() {
                    self.i += 1;
                }
                match &self.s[start..self.i] {
                    b"True" => Ok(Lit::Bool(true)),
                    b"False" => Ok(Lit::Bool(false)),
                    b"None" => Ok(Lit::None),
                    other => bail!(
                        "unexpected '{}' at byte {start} of the header",
                        String::from_utf8_lossy(other)
                    ),
                }
            }
            None => bail!("header ends early"),
        }
    }
}

/// Parse a Python literal (as written in `.npy` headers).
pub fn parse_literal(s: &str) -> Result<Lit> {
    let mut p = LitParser { s: s.as_bytes(), i: 0 };
    let v = p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        bail!("unexpected text after the header dictionary at byte {}", p.i);
    }
    Ok(v)
}

fn shape_of(l: &Lit) -> Result<Vec<usize>> {
    match l {
        Lit::Tuple(v) | Lit::List(v) => v
            .iter()
            .map(|x| match x {
                Lit::Int(i) if *i >= 0 => Ok(*i as usize),
                other => bail!("bad dimension {other:?} in shape"),
            })
            .collect(),
        Lit::Int(i) if *i >= 0 => Ok(vec![*i as usize]),
        other => bail!("bad shape {other:?}"),
    }
}

/// Turn a header `descr` into a dtype. Returns (swapped, dtype).
pub fn descr_to_dtype(d: &Lit) -> Result<(bool, DType)> {
    match d {
        Lit::Str(s) => parse_simple(s),
        Lit::List(fields) => {
            let mut out = vec![];
            let mut offset = 0usize;
            for f in fields {
                let items = match f {
                    Lit::Tuple(v) | Lit::List(v) => v,
                    other => bail!("bad structured field {other:?}"),
                };
                let name = match items.first() {
                    Some(Lit::Str(s)) => s.clone(),
                    Some(Lit::Tuple(t)) => match t.get(1) {
                        Some(Lit::Str(s)) => s.clone(),
                        _ => bail!("bad field title {t:?}"),
                    },
                    other => bail!("bad field name {other:?}"),
                };
                let (swapped, dtype) = match items.get(1) {
                    Some(x) => descr_to_dtype(x)?,
                    None => bail!("field '{name}' has no type"),
                };
                let shape = match items.get(2) {
                    Some(s) => shape_of(s)?,
                    None => vec![],
                };
                let n = checked_size(&shape)?;
                let size = n
                    .checked_mul(dtype.itemsize())
                    .ok_or_else(|| err!("field '{name}' is too large"))?;
                if !name.is_empty() {
                    out.push(Field {
                        name,
                        dtype,
                        swapped,
                        offset,
                        shape,
                    });
                }
                offset = offset
                    .checked_add(size)
                    .ok_or_else(|| err!("record is too large"))?;
            }
            Ok((
                false,
                DType::Struct(Arc::new(StructType {
                    fields: out,
                    itemsize: offset,
                })),
            ))
        }
        other => bail!("unsupported descr {other:?}"),
    }
}

/// Parse the header at the start of `bytes` (the whole file or at least its header).
pub fn parse_header(bytes: &[u8]) -> Result<Header> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        bail!("not a .npy file (bad magic bytes)");
    }
    let version = (bytes[6], bytes[7]);
    let (hlen, start) = match version.0 {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 => {
            if bytes.len() < 12 {
                bail!("file ends inside the header");
            }
            (
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            )
        }
        v => bail!("unsupported .npy format version {v}.{}", version.1),
    };
    let data_offset = start + hlen;
    if bytes.len() < data_offset {
        bail!(
            "file ends inside the header ({} bytes, header needs {data_offset})",
            bytes.len()
        );
    }
    let text = match std::str::from_utf8(&bytes[start..data_offset]) {
        Ok(t) => t,
        Err(_) if version.0 < 3 => {
            // Versions 1 and 2 are latin-1.
            return parse_header_text(
                &bytes[start..data_offset].iter().map(|&b| b as char).collect::<String>(),
                version,
                data_offset,
            );
        }
        Err(_) => bail!("header is not valid UTF-8"),
    };
    parse_header_text(text, version, data_offset)
}

fn parse_header_text(text: &str, version: (u8, u8), data_offset: usize) -> Result<Header> {
    let dict = match parse_literal(text.trim_end_matches(['\n', ' ', '\0']))? {
        Lit::Dict(d) => d,
        other => bail!("header is not a dictionary: {other:?}"),
    };
    let get = |k: &str| {
        dict.iter()
            .find(|(key, _)| *key == Lit::Str(k.to_string()))
            .map(|(_, v)| v)
    };
    let descr = get("descr").ok_or_else(|| err!("header has no 'descr'"))?;
    let fortran_order = match get("fortran_order") {
        Some(Lit::Bool(b)) => *b,
        Some(other) => bail!("bad 'fortran_order' {other:?}"),
        None => bail!("header has no 'fortran_order'"),
    };
    let shape = shape_of(get("shape").ok_or_else(|| err!("header has no 'shape'"))?)?;
    let (swapped, dtype) = descr_to_dtype(descr)?;
    Ok(Header {
        version,
        dtype,
        swapped,
        fortran_order,
        shape,
        data_offset,
    })
}

/// Memory-map `path` and return its array (the data is not read). `slice` is an optional
/// row slice of the first axis (`"0:1M"`, `"-100k:"`).
pub fn load(path: impl AsRef<Path>, slice: Option<&str>) -> Result<Array> {
    let path = path.as_ref();
    let _s = crate::prof::span("load");
    let wrap = |e: Error| err!("{}: {e}", path.display());
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len() as usize;
    // SAFETY: the map is read-only; evsh never writes input files. Another process
    // truncating the file while mapped is outside what any mmap-based reader can defend.
    let map = if len == 0 {
        bail!("{}: empty file, not a .npy file", path.display())
    } else {
        unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(path, e))?
    };
    let h = parse_header(&map).map_err(wrap)?;
    let n = checked_size(&h.shape).map_err(wrap)?;
    let need = n
        .checked_mul(h.dtype.itemsize())
        .ok_or_else(|| err!("{}: shape {:?} is too large", path.display(), h.shape))?;
    let have = len - h.data_offset;
    if have < need {
        bail!(
            "{}: truncated: header announces shape {:?} {} = {} data bytes, but the file has {} (file size {}, data offset {})",
            path.display(),
            h.shape,
            h.dtype.name(),
            need,
            have,
            len,
            h.data_offset
        );
    }
    let isz = h.dtype.itemsize();
    let strides = if h.fortran_order {
        f_strides(&h.shape, isz)
    } else {
        c_strides(&h.shape, isz)
    };
    let buf = Arc::new(Buf::Mapped {
        map,
        path: path.to_path_buf(),
    });
    let mut a = Array::from_parts(buf, h.dtype, h.swapped, h.shape.clone(), strides, h.data_offset)
        .map_err(wrap)?;
    if let Some(spec) = slice {
        if a.ndim() == 0 {
            bail!("{}: cannot row-slice a 0-d array", path.display());
        }
        let r = parse_row_slice(spec, a.shape()[0]).map_err(wrap)?;
        a = a.slice_axis(0, Some(r.start as i64), Some(r.end as i64), 1)?;
    }
    Ok(a.with_origin(Origin {
        path: path.to_path_buf(),
        file_shape: h.shape,
        slice: slice.map(str::to_string),
    }))
}

/// The header `descr` for a dtype, in this machine's byte order unless `swapped`.
pub fn dtype_descr(d: &DType, swapped: bool) -> String {
    let little = cfg!(target_endian = "little") != swapped;
    let o = if little { '<' } else { '>' };
    use DType::*;
    match d {
        Bool => "|b1".into(),
        I8 => "|i1".into(),
        U8 => "|u1".into(),
        I16 => format!("{o}i2"),
        I32 => format!("{o}i4"),
        I64 => format!("{o}i8"),
        U16 => format!("{o}u2"),
        U32 => format!("{o}u4"),
        U64 => format!("{o}u8"),
        F16 => format!("{o}f2"),
        F32 => format!("{o}f4"),
        F64 => format!("{o}f8"),
        C64 => format!("{o}c8"),
        C128 => format!("{o}c16"),
        Bytes(n) => format!("|S{n}"),
        Unicode(n) => format!("{o}U{n}"),
        Void(n) => format!("|V{n}"),
        Struct(s) => {
            let mut parts = vec![];
            let mut pos = 0;
            let mut pad = 0;
            for f in &s.fields {
                if f.offset > pos {
                    parts.push(format!("('', '|V{}')", f.offset - pos));
                    pad += 1;
                }
                let sub = if f.shape.is_empty() {
                    String::new()
                } else {
                    let dims: Vec<String> = f.shape.iter().map(|d| d.to_string()).collect();
                    format!(", ({},)", dims.join(", "))
                };
                parts.push(format!(
                    "('{}', {}{})",
                    f.name,
                    quote_descr(&f.dtype, f.swapped),
                    sub
                ));
                pos = f.offset + f.dtype.itemsize() * f.shape.iter().product::<usize>();
            }
            let _ = pad;
            if s.itemsize > pos {
                parts.push(format!("('', '|V{}')", s.itemsize - pos));
            }
            format!("[{}]", parts.join(", "))
        }
    }
}

fn quote_descr(d: &DType, swapped: bool) -> String {
    match d {
        DType::Struct(_) => dtype_descr(d, swapped),
        _ => format!("'{}'", dtype_descr(d, swapped)),
    }
}

/// The full header bytes (magic, version, length, padded dict) for an array.
pub fn header_bytes(dtype: &DType, swapped: bool, shape: &[usize]) -> Vec<u8> {
    let descr = match dtype {
        DType::Struct(_) => dtype_descr(dtype, swapped),
        _ => format!("'{}'", dtype_descr(dtype, swapped)),
    };
    let shape_s = match shape.len() {
        0 => "()".to_string(),
        1 => format!("({},)", shape[0]),
        _ => format!(
            "({})",
            shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")
        ),
    };
    let dict = format!("{{'descr': {descr}, 'fortran_order': False, 'shape': {shape_s}, }}");
    let mut version = 1u8;
    let mut pre = 10;
    let mut total = (pre + dict.len() + 1).div_ceil(64) * 64;
    if total - pre > u16::MAX as usize {
        version = 2;
        pre = 12;
        total = (pre + dict.len() + 1).div_ceil(64) * 64;
    }
    let hlen = total - pre;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(b"\x93NUMPY");
    out.push(version);
    out.push(0);
    if version == 1 {
        out.extend_from_slice(&(hlen as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(hlen as u32).to_le_bytes());
    }
    out.extend_from_slice(dict.as_bytes());
    while out.len() < total - 1 {
        out.push(b' ');
    }
    out.push(b'\n');
    out
}

/// Write `a` as a `.npy` file at `path` (C order, native byte order), atomically.
pub fn save(a: &Array, path: impl AsRef<Path>) -> Result<()> {
    let _s = crate::prof::span("save");
    let n = a.native();
    let contiguous;
    let src = if n.is_c_contiguous() {
        n
    } else {
        contiguous = n.to_contiguous_native();
        &contiguous
    };
    let mut bytes = header_bytes(src.dtype(), false, src.shape());
    let nb = src.nbytes();
    bytes.extend_from_slice(&src.buf().bytes()[src.offset()..src.offset() + nb]);
    crate::output::write_atomic(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_parser() {
        let l = parse_literal("{'descr': [('a', '<f4', (3,)), ('b', '>i2')], 'fortran_order': True, 'shape': (2, 3), }").unwrap();
        assert!(matches!(l, Lit::Dict(_)));
        assert!(parse_literal("{'a': ").is_err());
    }

    #[test]
    fn save_then_load() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.npy");
        let a = Array::from_vec((0..12).map(|i| i as f32).collect(), vec![3, 4]).unwrap();
        save(&a, &p).unwrap();
        let b = load(&p, None).unwrap();
        assert_eq!(b.shape(), &[3, 4]);
        assert_eq!(b.as_slice::<f32>().unwrap()[11], 11.0);
        let c = load(&p, Some("1:")).unwrap();
        assert_eq!(c.shape(), &[2, 4]);
        assert_eq!(c.as_slice::<f32>().unwrap()[0], 4.0);
        assert_eq!(c.origin().unwrap().file_shape, vec![3, 4]);
    }

    #[test]
    fn truncated_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.npy");
        let mut bytes = header_bytes(&DType::F64, false, &[100]);
        bytes.extend_from_slice(&[0u8; 16]);
        std::fs::write(&p, bytes).unwrap();
        let e = load(&p, None).unwrap_err().to_string();
        assert!(e.contains("truncated") && e.contains("800") && e.contains("t.npy"), "{e}");
    }
}
