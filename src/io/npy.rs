//! NumPy `.npy` files: memory-mapped reading (the header is parsed, the data is not
//! touched until used) and atomic writing that NumPy reads back identically.
//!
//! The header is a Python dict literal. It is parsed here by a small, bounded parser
//! (never evaluated), so a hostile header can only produce an error: there is no
//! unpickling and no recursion or allocation proportional to anything but the header.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use crate::array::dtype::parse_simple;
use crate::array::rows::parse_row_slice;
use crate::array::{
    c_strides, checked_size, f_strides, Array, Buf, DType, Field, Origin, StructType,
};
use crate::error::{Error, Result};
use crate::{bail, err};

/// Largest header evsh parses (bytes). NumPy refuses headers over 10000 bytes by
/// default because it evaluates them with `ast.literal_eval`; evsh's parser is linear and
/// depth-limited, so it reads the bigger headers some writers produce (thousands of
/// structured fields), up to this bound.
pub const MAX_HEADER_LEN: usize = 16 << 20;

/// Deepest nesting of brackets accepted in a header.
const MAX_DEPTH: usize = 64;

/// The parsed header of a `.npy` file.
#[derive(Clone, Debug)]
pub struct Header {
    pub version: (u8, u8),
    pub dtype: DType,
    /// Stored bytes are in the non-native byte order (simple dtypes only).
    pub swapped: bool,
    pub fortran_order: bool,
    /// The array shape (a top-level sub-array descr adds its dimensions at the end).
    pub shape: Vec<usize>,
    /// Byte offset of the data in the file.
    pub data_offset: usize,
}

impl Header {
    /// Number of data bytes the header announces.
    pub fn data_bytes(&self) -> Result<usize> {
        let n = checked_size(&self.shape)?;
        n.checked_mul(self.dtype.itemsize()).ok_or_else(|| {
            err!(
                "shape {:?} of {} is too large: its byte size overflows",
                self.shape,
                self.dtype.name()
            )
        })
    }
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
    src: &'a str,
    s: &'a [u8],
    i: usize,
}

impl LitParser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && (self.s[self.i] as char).is_ascii_whitespace() {
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
    /// Items up to `close`; returns them and whether there was exactly one item followed
    /// by a comma (which makes a parenthesised value a tuple).
    fn seq(&mut self, close: u8, depth: usize) -> Result<(Vec<Lit>, bool)> {
        let mut v = vec![];
        let mut trailing_comma = false;
        loop {
            if self.peek() == Some(close) {
                self.i += 1;
                return Ok((v, trailing_comma));
            }
            v.push(self.value(depth + 1)?);
            trailing_comma = false;
            match self.peek() {
                Some(b',') => {
                    self.i += 1;
                    trailing_comma = true;
                }
                Some(c) if c == close => {}
                _ => bail!(
                    "expected ',' or '{}' at byte {} of the header",
                    close as char,
                    self.i
                ),
            }
        }
    }

    fn hex(&mut self, n: usize) -> Result<u32> {
        let end = self.i + n;
        let t = self
            .s
            .get(self.i..end)
            .and_then(|b| std::str::from_utf8(b).ok())
            .ok_or_else(|| err!("bad escape at byte {} of the header", self.i))?;
        let v = u32::from_str_radix(t, 16)
            .map_err(|_| err!("bad escape '{t}' at byte {} of the header", self.i))?;
        self.i = end;
        Ok(v)
    }

    /// A quoted string; `self.i` is at the opening quote.
    fn string(&mut self, raw: bool) -> Result<String> {
        let q = self.s[self.i];
        let start = self.i;
        self.i += 1;
        let mut out = String::new();
        let mut pending_high: Option<u32> = None;
        let push =
            |out: &mut String, pending: &mut Option<u32>, cp: u32, at: usize| -> Result<()> {
                if let Some(h) = pending.take() {
                    if (0xDC00..0xE000).contains(&cp) {
                        let c = 0x10000 + ((h - 0xD800) << 10) + (cp - 0xDC00);
                        out.push(char::from_u32(c).ok_or_else(|| err!("bad code point"))?);
                        return Ok(());
                    }
                    bail!("lone surrogate \\u{h:04x} in a header string at byte {at}");
                }
                if (0xD800..0xDC00).contains(&cp) {
                    *pending = Some(cp);
                    return Ok(());
                }
                match char::from_u32(cp) {
                    Some(c) => {
                        out.push(c);
                        Ok(())
                    }
                    None => bail!("invalid code point {cp:#x} in a header string at byte {at}"),
                }
            };
        loop {
            let at = self.i;
            let c = match self.s.get(self.i) {
                None => bail!("unterminated string starting at byte {start} of the header"),
                Some(&c) => c,
            };
            if c == q {
                self.i += 1;
                break;
            }
            if c == b'\\' && !raw {
                self.i += 1;
                let e = match self.s.get(self.i) {
                    None => bail!("unterminated string starting at byte {start} of the header"),
                    Some(&e) => e,
                };
                self.i += 1;
                let cp: Option<u32> = match e {
                    b'\\' => Some('\\' as u32),
                    b'\'' => Some('\'' as u32),
                    b'"' => Some('"' as u32),
                    b'n' => Some(10),
                    b't' => Some(9),
                    b'r' => Some(13),
                    b'a' => Some(7),
                    b'b' => Some(8),
                    b'f' => Some(12),
                    b'v' => Some(11),
                    b'\n' => None,
                    b'0'..=b'7' => {
                        let mut v = (e - b'0') as u32;
                        for _ in 0..2 {
                            match self.s.get(self.i) {
                                Some(&d @ b'0'..=b'7') => {
                                    v = v * 8 + (d - b'0') as u32;
                                    self.i += 1;
                                }
                                _ => break,
                            }
                        }
                        Some(v)
                    }
                    b'x' => Some(self.hex(2)?),
                    b'u' => Some(self.hex(4)?),
                    b'U' => Some(self.hex(8)?),
                    _ => {
                        // Python keeps unknown escapes as written.
                        push(&mut out, &mut pending_high, '\\' as u32, at)?;
                        self.i -= 1;
                        None
                    }
                };
                if let Some(cp) = cp {
                    push(&mut out, &mut pending_high, cp, at)?;
                }
                continue;
            }
            // One (possibly multi-byte) character of the decoded header text.
            let ch = self.src[self.i..]
                .chars()
                .next()
                .ok_or_else(|| err!("bad text at byte {} of the header", self.i))?;
            if ch == '\n' {
                bail!("unterminated string starting at byte {start} of the header");
            }
            push(&mut out, &mut pending_high, ch as u32, at)?;
            self.i += ch.len_utf8();
        }
        if let Some(h) = pending_high {
            bail!("lone surrogate \\u{h:04x} in a header string starting at byte {start}");
        }
        Ok(out)
    }

    fn value(&mut self, depth: usize) -> Result<Lit> {
        if depth > MAX_DEPTH {
            bail!("header nests brackets more than {MAX_DEPTH} deep");
        }
        match self.peek() {
            Some(b'\'') | Some(b'"') => Ok(Lit::Str(self.string(false)?)),
            Some(b'(') => {
                self.i += 1;
                let (v, trailing) = self.seq(b')', depth)?;
                if v.len() == 1 && !trailing {
                    // `(x)` is just x in Python.
                    return Ok(v.into_iter().next().unwrap_or(Lit::None));
                }
                Ok(Lit::Tuple(v))
            }
            Some(b'[') => {
                self.i += 1;
                let (v, _) = self.seq(b']', depth)?;
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
            Some(c) if c == b'-' || c == b'+' || c.is_ascii_digit() => {
                let start = self.i;
                self.i += 1;
                while self.i < self.s.len()
                    && (self.s[self.i].is_ascii_digit() || self.s[self.i] == b'_')
                {
                    self.i += 1;
                }
                let t = std::str::from_utf8(&self.s[start..self.i])
                    .unwrap_or("")
                    .replace('_', "");
                // Python 2 long literals: `2L`.
                if matches!(self.s.get(self.i), Some(b'L') | Some(b'l')) {
                    self.i += 1;
                }
                if matches!(
                    self.s.get(self.i),
                    Some(b'.') | Some(b'e') | Some(b'E') | Some(b'j')
                ) {
                    bail!("unexpected non-integer number at byte {start} of the header");
                }
                let digits = t.trim_start_matches(['-', '+']);
                if digits.is_empty() {
                    bail!("bad number '{t}' at byte {start} of the header");
                }
                t.parse::<i64>()
                    .map(Lit::Int)
                    .map_err(|_| err!("number {t} at byte {start} of the header is too large"))
            }
            Some(_) => {
                let start = self.i;
                while self.i < self.s.len() && self.s[self.i].is_ascii_alphanumeric() {
                    self.i += 1;
                }
                let word = &self.s[start..self.i];
                // String prefixes: u'..', b'..', r'..' (and combinations).
                if matches!(self.s.get(self.i), Some(b'\'') | Some(b'"'))
                    && !word.is_empty()
                    && word.len() <= 2
                    && word
                        .iter()
                        .all(|c| matches!(c.to_ascii_lowercase(), b'u' | b'b' | b'r'))
                {
                    let raw = word.iter().any(|c| c.eq_ignore_ascii_case(&b'r'));
                    return Ok(Lit::Str(self.string(raw)?));
                }
                match word {
                    b"True" => Ok(Lit::Bool(true)),
                    b"False" => Ok(Lit::Bool(false)),
                    b"None" => Ok(Lit::None),
                    b"" => bail!(
                        "unexpected character {:?} at byte {start} of the header",
                        self.src[start..].chars().next().unwrap_or('?')
                    ),
                    other => bail!(
                        "unexpected '{}' at byte {start} of the header",
                        String::from_utf8_lossy(other)
                    ),
                }
            }
            None => bail!("header ends early (at byte {})", self.i),
        }
    }
}

/// Parse a Python literal (as written in `.npy` headers).
pub fn parse_literal(s: &str) -> Result<Lit> {
    let mut p = LitParser {
        src: s,
        s: s.as_bytes(),
        i: 0,
    };
    let v = p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        bail!(
            "unexpected text after the header dictionary at byte {}",
            p.i
        );
    }
    Ok(v)
}

fn dim_of(x: &Lit) -> Result<usize> {
    match x {
        Lit::Int(i) if *i >= 0 => {
            usize::try_from(*i).map_err(|_| err!("dimension {i} is too large"))
        }
        Lit::Int(i) => bail!("negative dimension {i} in shape"),
        other => bail!("bad dimension {} in shape", show(other)),
    }
}

fn shape_of(l: &Lit) -> Result<Vec<usize>> {
    match l {
        Lit::Tuple(v) | Lit::List(v) => v.iter().map(dim_of).collect(),
        Lit::Int(_) => Ok(vec![dim_of(l)?]),
        other => bail!("bad shape {}", show(other)),
    }
}

/// A short Python-like rendering of a literal for error messages.
fn show(l: &Lit) -> String {
    let s = match l {
        Lit::Str(s) => format!("'{s}'"),
        Lit::Int(i) => i.to_string(),
        Lit::Bool(b) => if *b { "True" } else { "False" }.to_string(),
        Lit::None => "None".to_string(),
        Lit::Tuple(v) => format!("({})", v.iter().map(show).collect::<Vec<_>>().join(", ")),
        Lit::List(v) => format!("[{}]", v.iter().map(show).collect::<Vec<_>>().join(", ")),
        Lit::Dict(v) => format!(
            "{{{}}}",
            v.iter()
                .map(|(k, v)| format!("{}: {}", show(k), show(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    if s.chars().count() > 80 {
        let t: String = s.chars().take(77).collect();
        format!("{t}...")
    } else {
        s
    }
}

/// A descr string (`'<f8'`) to a dtype, with clearer messages for the kinds NumPy has and
/// evsh does not.
fn simple_descr(s: &str) -> Result<(bool, DType)> {
    let kind = s.trim_start_matches(['<', '>', '=', '|']).chars().next();
    match kind {
        Some('O') => bail!(
            "object array (descr '{s}'): it holds pickled Python objects, which evsh never unpickles"
        ),
        Some('M') | Some('m') => bail!("datetime/timedelta dtype '{s}' is not supported"),
        _ => {}
    }
    parse_simple(s)
}

/// Turn a descr into (swapped, dtype, sub-array shape).
fn descr_parts(d: &Lit, depth: usize) -> Result<(bool, DType, Vec<usize>)> {
    if depth > MAX_DEPTH {
        bail!("structured dtype nests more than {MAX_DEPTH} deep");
    }
    match d {
        Lit::Str(s) => {
            let (sw, dt) = simple_descr(s)?;
            Ok((sw, dt, vec![]))
        }
        // (base, shape): a sub-array dtype.
        Lit::Tuple(v) if v.len() == 2 => {
            let (sw, dt, mut inner) = descr_parts(&v[0], depth + 1)?;
            let mut shape = shape_of(&v[1])?;
            shape.append(&mut inner);
            Ok((sw, dt, shape))
        }
        Lit::List(fields) => {
            let mut out: Vec<Field> = vec![];
            let mut offset = 0usize;
            for (k, f) in fields.iter().enumerate() {
                let items = match f {
                    Lit::Tuple(v) | Lit::List(v) if v.len() == 2 || v.len() == 3 => v,
                    other => bail!(
                        "structured field {k} must be (name, type) or (name, type, shape), found {}",
                        show(other)
                    ),
                };
                let name = match &items[0] {
                    Lit::Str(s) => s.clone(),
                    // (title, name)
                    Lit::Tuple(t) if t.len() == 2 => match &t[1] {
                        Lit::Str(s) => s.clone(),
                        other => bail!("bad name {} of structured field {k}", show(other)),
                    },
                    other => bail!("bad name {} of structured field {k}", show(other)),
                };
                let (swapped, dtype, mut shape) =
                    descr_parts(&items[1], depth + 1).map_err(|e| err!("field '{name}': {e}"))?;
                if let Some(s) = items.get(2) {
                    let mut outer = shape_of(s).map_err(|e| err!("field '{name}': {e}"))?;
                    outer.append(&mut shape);
                    shape = outer;
                }
                let n = checked_size(&shape).map_err(|e| err!("field '{name}': {e}"))?;
                // Zero-size elements would let a record of no bytes hold any number of
                // them (NumPy refuses '|S0', '<U0' and '|V0' sub-arrays as well).
                if n > 0 && !shape.is_empty() && dtype.itemsize() == 0 {
                    bail!(
                        "field '{name}': a sub-array {shape:?} of {}, a type of zero bytes, is not supported",
                        dtype.name()
                    );
                }
                let size = n
                    .checked_mul(dtype.itemsize())
                    .ok_or_else(|| err!("field '{name}' is too large"))?;
                let is_pad = name.is_empty() && matches!(dtype, DType::Void(_)) && shape.is_empty();
                if !is_pad {
                    let name = if name.is_empty() {
                        format!("f{k}")
                    } else {
                        name
                    };
                    if out.iter().any(|f| f.name == name) {
                        bail!("structured dtype has two fields named '{name}'");
                    }
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
                    .filter(|&o| o <= isize::MAX as usize)
                    .ok_or_else(|| err!("structured record is too large"))?;
            }
            Ok((
                false,
                DType::Struct(Arc::new(StructType {
                    fields: out,
                    itemsize: offset,
                })),
                vec![],
            ))
        }
        other => bail!("unsupported descr {}", show(other)),
    }
}

/// Turn a header `descr` into a dtype. Returns (swapped, dtype). A top-level sub-array
/// descr is refused here (see [`parse_header`], which turns it into extra dimensions).
pub fn descr_to_dtype(d: &Lit) -> Result<(bool, DType)> {
    let (sw, dt, sub) = descr_parts(d, 0)?;
    if !sub.is_empty() {
        bail!("sub-array descr {} is not a plain dtype", show(d));
    }
    Ok((sw, dt))
}

/// Parse the header at the start of `bytes` (the whole file or at least its header).
pub fn parse_header(bytes: &[u8]) -> Result<Header> {
    const MAGIC: &[u8] = b"\x93NUMPY";
    if bytes.len() < 8 {
        if MAGIC.starts_with(&bytes[..bytes.len().min(6)]) {
            bail!(
                "file is only {} bytes: too short to be a .npy file (at least 10 needed for magic, version and header length)",
                bytes.len()
            );
        }
        bail!(
            "not a .npy file (bad magic bytes {:?})",
            String::from_utf8_lossy(bytes)
        );
    }
    if &bytes[..6] != MAGIC {
        bail!(
            "not a .npy file: bad magic bytes {:?} (a .npy file starts with \"\\x93NUMPY\")",
            String::from_utf8_lossy(&bytes[..6])
        );
    }
    let version = (bytes[6], bytes[7]);
    if !matches!(version, (1, 0) | (2, 0) | (3, 0)) {
        bail!(
            "unsupported .npy format version {}.{} (NumPy knows 1.0, 2.0 and 3.0)",
            version.0,
            version.1
        );
    }
    let (hlen, start) = if version.0 == 1 {
        if bytes.len() < 10 {
            bail!("file ends inside the header length ({} bytes)", bytes.len());
        }
        (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10)
    } else {
        if bytes.len() < 12 {
            bail!("file ends inside the header length ({} bytes)", bytes.len());
        }
        (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        )
    };
    if hlen > MAX_HEADER_LEN {
        bail!("header of {hlen} bytes is larger than evsh reads ({MAX_HEADER_LEN} bytes)");
    }
    let data_offset = start + hlen;
    if bytes.len() < data_offset {
        bail!(
            "file ends inside the header: {} bytes, but the header needs {data_offset}",
            bytes.len()
        );
    }
    let raw = &bytes[start..data_offset];
    if version.0 < 3 {
        // Versions 1 and 2 are latin-1, like NumPy reads them.
        let text: String = raw.iter().map(|&b| b as char).collect();
        parse_header_text(&text, version, data_offset)
    } else {
        match std::str::from_utf8(raw) {
            Ok(t) => parse_header_text(t, version, data_offset),
            Err(e) => bail!(
                "format 3.0 header is not valid UTF-8 (at byte {})",
                start + e.valid_up_to()
            ),
        }
    }
}

fn parse_header_text(text: &str, version: (u8, u8), data_offset: usize) -> Result<Header> {
    let dict = match parse_literal(text.trim_end_matches(['\n', '\r', ' ', '\t', '\0']))? {
        Lit::Dict(d) => d,
        other => bail!("header is not a dictionary: {}", show(&other)),
    };
    for (k, _) in &dict {
        match k {
            Lit::Str(s) if matches!(s.as_str(), "descr" | "fortran_order" | "shape") => {}
            other => bail!(
                "header has an unexpected key {} (NumPy headers have exactly 'descr', 'fortran_order' and 'shape')",
                show(other)
            ),
        }
    }
    let get = |k: &str| {
        let mut it = dict
            .iter()
            .filter(|(key, _)| matches!(key, Lit::Str(s) if s == k));
        match (it.next(), it.next()) {
            (Some((_, v)), None) => Ok(v),
            (None, _) => Err(err!("header has no '{k}'")),
            _ => Err(err!("header has '{k}' twice")),
        }
    };
    let descr = get("descr")?;
    let fortran_order = match get("fortran_order")? {
        Lit::Bool(b) => *b,
        other => bail!(
            "bad 'fortran_order' {} (must be True or False)",
            show(other)
        ),
    };
    let mut shape = shape_of(get("shape")?)?;
    let (swapped, dtype, sub) = descr_parts(descr, 0)?;
    let sub_n = sub.len();
    shape.extend(sub);
    let h = Header {
        version,
        dtype,
        swapped,
        fortran_order: fortran_order && sub_n == 0,
        shape,
        data_offset,
    };
    if sub_n > 0 && fortran_order {
        bail!("Fortran-order arrays of a sub-array dtype are not supported");
    }
    h.data_bytes()?;
    Ok(h)
}

/// Memory-map `path` and return its array (the data is not read). `slice` is an optional
/// row slice of the first axis (`"0:1M"`, `"-100k:"`).
pub fn load(path: impl AsRef<Path>, slice: Option<&str>) -> Result<Array> {
    let path = path.as_ref();
    let _s = crate::prof::span("load");
    let wrap = |e: Error| match e {
        Error::Msg(m) => err!("{}: {m}", path.display()),
        other => other,
    };
    super::input_file(path, "a .npy file")?;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len() as usize;
    if len == 0 {
        bail!("{}: empty file (0 bytes), not a .npy file", path.display());
    }
    // SAFETY: the map is read-only; evsh never writes input files. Another process
    // truncating the file while mapped is outside what any mmap-based reader can defend.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
    let h = parse_header(&map).map_err(wrap)?;
    let buf = Arc::new(Buf::Mapped {
        map,
        path: path.to_path_buf(),
    });
    let mut a = array_over(buf, &h, 0, len).map_err(|e| match e {
        Error::Msg(m) => err!("{}: {m}", path.display()),
        other => other,
    })?;
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

/// The array a parsed header describes, viewing `buf` in place: the `.npy` image starts
/// at byte `base` of `buf` and is `len` bytes long (a whole `.npy` file, or a stored
/// member of an `.npz` zip). Checks that the data the header announces is all there and
/// that the strides fit; unaligned or byte-swapped data is converted on first access.
pub fn array_over(buf: Arc<Buf>, h: &Header, base: usize, len: usize) -> Result<Array> {
    let need = h.data_bytes()?;
    let have = len.saturating_sub(h.data_offset);
    if have < need {
        bail!(
            "truncated: the header announces shape {:?} of {} = {} data bytes, but the file holds {} (file size {}, data starts at byte {})",
            h.shape,
            h.dtype.name(),
            need,
            have,
            len,
            h.data_offset
        );
    }
    let isz = h.dtype.itemsize();
    // Strides of an empty array must still fit in isize.
    let span = h
        .shape
        .iter()
        .try_fold(isz.max(1), |acc, &d| acc.checked_mul(d.max(1)))
        .filter(|&s| s <= isize::MAX as usize);
    if span.is_none() {
        bail!(
            "shape {:?} of {} is too large: its strides overflow",
            h.shape,
            h.dtype.name()
        );
    }
    let strides = if h.fortran_order {
        f_strides(&h.shape, isz)
    } else {
        c_strides(&h.shape, isz)
    };
    let offset = base
        .checked_add(h.data_offset)
        .ok_or_else(|| err!("data offset overflows"))?;
    Array::from_parts(
        buf,
        h.dtype.clone(),
        h.swapped,
        h.shape.clone(),
        strides,
        offset,
    )
}

// ------------------------------------------------------------------ writing

/// A Python string literal for `s` that is pure ASCII (non-ASCII characters become
/// `\xNN`/`\uNNNN`/`\UNNNNNNNN` escapes), so the header can always be format 1.0/2.0.
pub fn py_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('\'');
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '\'' => o.push_str("\\'"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            ' '..='~' => o.push(c),
            c if (c as u32) < 0x100 => o.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    o.push('\'');
    o
}

fn shape_literal(shape: &[usize]) -> String {
    match shape.len() {
        0 => "()".to_string(),
        1 => format!("({},)", shape[0]),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Check that NumPy can describe a structured dtype in a header: fields in offset order,
/// not overlapping, inside the record (recursively).
pub fn check_describable(d: &DType) -> Result<()> {
    if let DType::Struct(s) = d {
        let mut pos = 0usize;
        for f in &s.fields {
            if f.offset < pos {
                bail!(
                    "field '{}' at byte {} overlaps or precedes the previous field: a .npy header cannot describe this record layout",
                    f.name,
                    f.offset
                );
            }
            check_describable(&f.dtype)?;
            pos = f.offset + f.dtype.itemsize() * f.shape.iter().product::<usize>();
        }
        if pos > s.itemsize {
            bail!(
                "fields end at byte {pos}, past the record size {}",
                s.itemsize
            );
        }
    }
    Ok(())
}

/// The header `descr` for a dtype, in this machine's byte order unless `swapped`, as a
/// Python literal (a quoted string for simple dtypes, a list for structured ones).
pub fn descr_literal(d: &DType, swapped: bool) -> String {
    match d {
        DType::Struct(_) => dtype_descr(d, swapped),
        _ => format!("'{}'", dtype_descr(d, swapped)),
    }
}

/// The header `descr` for a dtype, in this machine's byte order unless `swapped`
/// (`<f8`, `>i2`, `|S5`; a Python list literal for structured dtypes).
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
            for f in &s.fields {
                if f.offset > pos {
                    parts.push(format!("('', '|V{}')", f.offset - pos));
                }
                let sub = if f.shape.is_empty() {
                    String::new()
                } else {
                    format!(", {}", shape_literal(&f.shape))
                };
                parts.push(format!(
                    "({}, {}{})",
                    py_str(&f.name),
                    descr_literal(&f.dtype, f.swapped),
                    sub
                ));
                pos = pos.max(f.offset + f.dtype.itemsize() * f.shape.iter().product::<usize>());
            }
            if s.itemsize > pos {
                parts.push(format!("('', '|V{}')", s.itemsize - pos));
            }
            format!("[{}]", parts.join(", "))
        }
    }
}

/// The full header bytes (magic, version, length, padded dict) for a C-order array.
pub fn header_bytes(dtype: &DType, swapped: bool, shape: &[usize]) -> Vec<u8> {
    header_bytes_order(dtype, swapped, shape, false)
}

/// The full header bytes (magic, version, length, dict padded with spaces and a newline
/// to a multiple of 64 bytes, as NumPy writes them).
pub fn header_bytes_order(dtype: &DType, swapped: bool, shape: &[usize], fortran: bool) -> Vec<u8> {
    let dict = format!(
        "{{'descr': {}, 'fortran_order': {}, 'shape': {}, }}",
        descr_literal(dtype, swapped),
        if fortran { "True" } else { "False" },
        shape_literal(shape)
    );
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

/// Write `a` as a `.npy` file at `path`, atomically (a temporary file in the same folder,
/// renamed over `path` when complete). The stored byte order is kept (like `np.save`);
/// C- and Fortran-contiguous arrays are written straight from their bytes, other views
/// (slices, transposes) are gathered in C order chunk by chunk.
pub fn save(a: &Array, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let _s = crate::prof::span("save");
    check_describable(a.dtype()).map_err(|e| err!("cannot save to {}: {e}", path.display()))?;
    let io = |e: std::io::Error| Error::io(path, e);
    let tmp = super::temp_beside(path)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, tmp);
    write_npy(a, &mut w, path)?;
    let tmp = w.into_inner().map_err(|e| io(e.into_error()))?;
    super::persist(tmp, path)
}

/// Write the `.npy` image of `a` (header, then data in the stored byte order) to `w`:
/// C- and Fortran-contiguous arrays straight from their bytes, other views gathered in C
/// order chunk by chunk. I/O errors name `path`. Shared by [`save`] and `.npz` members.
pub fn write_npy<W: Write>(a: &Array, w: &mut W, path: &Path) -> Result<()> {
    check_describable(a.dtype()).map_err(|e| err!("cannot save to {}: {e}", path.display()))?;
    let isz = a.dtype().itemsize();
    let nb = a.nbytes();
    let fortran = a.ndim() > 1 && !a.is_c_contiguous() && a.transpose().is_c_contiguous();
    let header = header_bytes_order(a.dtype(), a.swapped(), a.shape(), fortran);
    let io = |e: std::io::Error| Error::io(path, e);
    w.write_all(&header).map_err(io)?;
    let bytes = a.buf().bytes();
    if a.is_c_contiguous() || fortran {
        let data = &bytes[a.offset()..a.offset() + nb];
        for chunk in data.chunks(64 << 20) {
            crate::exec::check()?;
            w.write_all(chunk).map_err(io)?;
        }
    } else {
        const CHUNK: usize = 8 << 20;
        let mut buf: Vec<u8> = Vec::with_capacity(CHUNK.min(nb) + isz);
        let mut failed: Option<Error> = None;
        a.for_each_offset(|off| {
            if failed.is_some() {
                return;
            }
            buf.extend_from_slice(&bytes[off..off + isz]);
            if buf.len() >= CHUNK {
                if let Err(e) = crate::exec::check() {
                    failed = Some(e);
                } else if let Err(e) = w.write_all(&buf) {
                    failed = Some(io(e));
                }
                buf.clear();
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
        w.write_all(&buf).map_err(io)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn literal_parser() {
        let l = parse_literal("{'descr': [('a', '<f4', (3,)), ('b', '>i2')], 'fortran_order': True, 'shape': (2, 3), }").unwrap();
        assert!(matches!(l, Lit::Dict(_)));
        assert!(parse_literal("{'a': ").is_err());
        assert_eq!(parse_literal("(5)").unwrap(), Lit::Int(5));
        assert_eq!(
            parse_literal("(5,)").unwrap(),
            Lit::Tuple(vec![Lit::Int(5)])
        );
        assert_eq!(
            parse_literal("(2L, 3)").unwrap(),
            Lit::Tuple(vec![Lit::Int(2), Lit::Int(3)])
        );
        assert_eq!(
            parse_literal(r"'a\'b\\c\x41\u00e9\U0001d11e'").unwrap(),
            Lit::Str("a'b\\cAé\u{1d11e}".into())
        );
        assert_eq!(parse_literal("u'x'").unwrap(), Lit::Str("x".into()));
        assert_eq!(parse_literal(r"r'a\n'").unwrap(), Lit::Str("a\\n".into()));
        assert_eq!(parse_literal("'数据'").unwrap(), Lit::Str("数据".into()));
        assert!(parse_literal("99999999999999999999999")
            .unwrap_err()
            .to_string()
            .contains("too large"));
        let deep = "[".repeat(10_000);
        assert!(parse_literal(&deep)
            .unwrap_err()
            .to_string()
            .contains("deep"));
        assert!(parse_literal("1.5").is_err());
        assert!(parse_literal("'\\ud805'").is_err());
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
        // A transpose is F-contiguous: written as is with fortran_order True.
        save(&a.transpose(), &p).unwrap();
        let h = parse_header(&std::fs::read(&p).unwrap()).unwrap();
        assert!(h.fortran_order);
        let t = load(&p, None).unwrap();
        assert_eq!(t.shape(), &[4, 3]);
        assert_eq!(
            t.as_slice::<f32>().unwrap().to_vec(),
            vec![0., 4., 8., 1., 5., 9., 2., 6., 10., 3., 7., 11.]
        );
        // A strided slice is gathered.
        let s = a.slice_axis(1, None, None, -2).unwrap();
        save(&s, &p).unwrap();
        let s2 = load(&p, None).unwrap();
        assert_eq!(
            s2.as_slice::<f32>().unwrap().to_vec(),
            vec![3., 1., 7., 5., 11., 9.]
        );
    }

    #[test]
    fn truncated_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = header_bytes(&DType::F64, false, &[100]);
        bytes.extend_from_slice(&[0u8; 16]);
        let p = write(dir.path(), "t.npy", &bytes);
        let e = load(&p, None).unwrap_err().to_string();
        assert!(
            e.contains("truncated") && e.contains("800") && e.contains("16") && e.contains("t.npy"),
            "{e}"
        );
        // header only
        let p = write(dir.path(), "h.npy", &header_bytes(&DType::F64, false, &[3]));
        let e = load(&p, None).unwrap_err().to_string();
        assert!(e.contains("24") && e.contains("holds 0"), "{e}");
        // header cut short
        let p = write(
            dir.path(),
            "c.npy",
            &header_bytes(&DType::F64, false, &[3])[..40],
        );
        let e = load(&p, None).unwrap_err().to_string();
        assert!(
            e.contains("c.npy") && e.contains("inside the header"),
            "{e}"
        );
    }

    #[test]
    fn odd_inputs() {
        let dir = tempfile::tempdir().unwrap();
        let e = load(dir.path(), None).unwrap_err().to_string();
        assert!(e.contains("directory"), "{e}");
        let e = load(dir.path().join("missing.npy"), None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing.npy"), "{e}");
        let p = write(dir.path(), "empty.npy", b"");
        let e = load(&p, None).unwrap_err().to_string();
        assert!(e.contains("empty.npy") && e.contains("empty"), "{e}");
        // shape (0,) with no data bytes is a valid empty array
        let p = write(
            dir.path(),
            "zero.npy",
            &header_bytes(&DType::F32, false, &[0]),
        );
        let a = load(&p, None).unwrap();
        assert_eq!(a.shape(), &[0]);
        assert_eq!(a.as_slice::<f32>().unwrap().len(), 0);
        let p = write(
            dir.path(),
            "magic.npy",
            b"\x93NUMPX\x01\x00\x10\x00{}              ",
        );
        assert!(load(&p, None).unwrap_err().to_string().contains("magic"));
        let p = write(dir.path(), "short.npy", b"\x93NUM");
        assert!(load(&p, None)
            .unwrap_err()
            .to_string()
            .contains("too short"));
        let mut v = header_bytes(&DType::F32, false, &[1]);
        v[6] = 4;
        let p = write(dir.path(), "ver.npy", &v);
        assert!(load(&p, None)
            .unwrap_err()
            .to_string()
            .contains("version 4.0"));
        v[6] = 1;
        v[7] = 1;
        let p = write(dir.path(), "ver.npy", &v);
        assert!(load(&p, None)
            .unwrap_err()
            .to_string()
            .contains("version 1.1"));
    }

    fn hdr(dict: &str) -> Vec<u8> {
        let mut v = b"\x93NUMPY\x01\x00".to_vec();
        let total = (10 + dict.len() + 1).div_ceil(64) * 64;
        v.extend_from_slice(&((total - 10) as u16).to_le_bytes());
        v.extend_from_slice(dict.as_bytes());
        while v.len() < total - 1 {
            v.push(b' ');
        }
        v.push(b'\n');
        v
    }

    #[test]
    fn bad_headers() {
        let cases = [
            ("{'descr': '|O', 'fortran_order': False, 'shape': (3,), }", "pickled"),
            ("{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (3,), }", "datetime"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (2**3,), }", "header"),
            ("{'descr': '<f8', 'fortran_order': 0, 'shape': (3,), }", "fortran_order"),
            ("{'descr': '<f8', 'shape': (3,), }", "no 'fortran_order'"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'x': 1}", "unexpected key"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (-3,), }", "negative"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }", "more elements"),
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,), }", "too large"),
            ("{'descr': [('a', '<f8'), ('a', '<i4')], 'fortran_order': False, 'shape': (1,), }", "two fields"),
            ("['descr']", "not a dictionary"),
        ];
        for (d, want) in cases {
            let e = parse_header(&hdr(d)).unwrap_err().to_string();
            assert!(e.contains(want), "{d}: {e}");
        }
        // empty arrays whose strides would overflow
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "e.npy",
            &hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 4611686018427387904), }"),
        );
        assert!(load(&p, None)
            .unwrap_err()
            .to_string()
            .contains("too large"));
    }

    #[test]
    fn structured_descr() {
        let h = parse_header(&hdr("{'descr': [(('T', 'x'), '<f8'), ('', '|V4'), ('s', [('u', '>i2', (2, 3)), ('v', '|S3')]), ('w', ('<f4', (2,)), (3,))], 'fortran_order': False, 'shape': (5,), }")).unwrap();
        let s = match &h.dtype {
            DType::Struct(s) => s.clone(),
            d => panic!("{d:?}"),
        };
        assert_eq!(s.fields.len(), 3);
        assert_eq!((s.fields[0].name.as_str(), s.fields[0].offset), ("x", 0));
        assert_eq!((s.fields[1].name.as_str(), s.fields[1].offset), ("s", 12));
        assert_eq!(s.fields[2].shape, vec![3, 2]);
        assert_eq!(s.fields[2].offset, 12 + 15);
        assert_eq!(s.itemsize, 12 + 15 + 24);
        match &s.fields[1].dtype {
            DType::Struct(t) => {
                assert_eq!(t.fields[0].shape, vec![2, 3]);
                assert_eq!(t.fields[0].swapped, cfg!(target_endian = "little"));
                assert_eq!(t.fields[1].offset, 12);
            }
            d => panic!("{d:?}"),
        }
        // a top-level sub-array descr adds dimensions
        let h = parse_header(&hdr(
            "{'descr': ('<i4', (2,)), 'fortran_order': False, 'shape': (3,), }",
        ))
        .unwrap();
        assert_eq!(h.shape, vec![3, 2]);
        assert_eq!(h.dtype, DType::I32);
    }

    #[test]
    fn descr_writer_round_trips_odd_names() {
        let st = StructType {
            itemsize: 24,
            fields: vec![
                Field {
                    name: "it's \\ \"q\"".into(),
                    dtype: DType::F64,
                    swapped: false,
                    offset: 0,
                    shape: vec![],
                },
                Field {
                    name: "données数据\u{1d11e}\n".into(),
                    dtype: DType::I16,
                    swapped: true,
                    offset: 10,
                    shape: vec![2],
                },
            ],
        };
        let d = DType::Struct(Arc::new(st));
        let bytes = header_bytes(&d, false, &[7, 2]);
        assert!(bytes.is_ascii() || bytes[0] == 0x93);
        let h = parse_header(&bytes).unwrap();
        assert_eq!(h.dtype, d);
        assert_eq!(h.shape, vec![7, 2]);
        assert_eq!(h.data_offset % 64, 0);
    }
}
