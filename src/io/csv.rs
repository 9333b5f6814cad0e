//! CSV text tables: reading a file into a [`Table`] of typed columns, and writing 1-D and
//! 2-D numeric arrays as NumPy's `np.savetxt` would (with `delimiter=","`).
//!
//! Scientists exchange small tables as CSV (spreadsheets, instrument logs, `np.savetxt`),
//! so evsh reads them the way a NumPy or pandas user expects: a column's type is inferred
//! from all of its values (bool, int, float, else string), an empty field in a numeric
//! column is NaN, quoted fields, CRLF line ends and a UTF-8 byte-order mark are handled,
//! and ragged rows are an error naming the line. Parsing is done by the `csv` crate; this
//! module decides types and reports errors in the user's terms (file, line, column).

use std::io::Write;
use std::path::Path;

use crate::array::{Array, DType};
use crate::error::{Error, Result};
use crate::output::table::{Col, Table};
use crate::{bail, err};

/// A column type a user can ask for (`dtypes: #{col: "float64"}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Int,
    Float,
    Bool,
    Str,
}

impl Kind {
    /// Parse a type name: NumPy's (`int64`, `float64`, `bool`, `str`) and short forms.
    pub fn parse(s: &str) -> Result<Kind> {
        Ok(match s.trim() {
            "int" | "int64" | "i8" | "<i8" => Kind::Int,
            "float" | "float64" | "f8" | "<f8" => Kind::Float,
            "bool" | "?" => Kind::Bool,
            "str" | "string" | "U" | "<U" => Kind::Str,
            other => bail!(
                "unknown column type '{other}' (use \"int64\", \"float64\", \"bool\" or \"str\")"
            ),
        })
    }
}

/// How to read a CSV file.
#[derive(Clone, Debug)]
pub struct CsvOpts {
    pub delimiter: u8,
    /// The first (non-skipped) line names the columns; otherwise they are `c0`, `c1`, ...
    pub header: bool,
    /// Lines skipped at the top, before the header.
    pub skip: usize,
    /// Lines starting with this byte are ignored.
    pub comment: Option<u8>,
    /// Column types that override inference, by column name.
    pub dtypes: Vec<(String, Kind)>,
}

impl Default for CsvOpts {
    fn default() -> Self {
        CsvOpts {
            delimiter: b',',
            header: true,
            skip: 0,
            comment: None,
            dtypes: vec![],
        }
    }
}

/// Read the CSV file at `path` into a table (see the module docs for the rules).
pub fn load(path: impl AsRef<Path>, o: &CsvOpts) -> Result<Table> {
    let path = path.as_ref();
    let _s = crate::prof::span("load_csv");
    let p = path.display();
    let meta = super::input_file(path, "a CSV file")?;
    // A table in memory takes a few times the text's size: refuse what cannot fit.
    let budget = crate::exec::mem_budget();
    if meta.len() > budget as u64 {
        bail!(
            "{p}: the file has {} bytes, more than the memory budget ({budget} bytes) for a table",
            meta.len()
        );
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse(&bytes, o).map_err(|e| match e {
        Error::Msg(m) => err!("{p}: {m}"),
        other => other,
    })
}

/// Byte offset just after the first `n` lines of `b` (the length of `b` if it has fewer).
fn skip_lines(b: &[u8], n: usize) -> usize {
    let mut pos = 0;
    for _ in 0..n {
        match b[pos..].iter().position(|&c| c == b'\n') {
            Some(k) => pos += k + 1,
            None => return b.len(),
        }
    }
    pos
}

/// Parse CSV text (errors name the line and column, not the file).
pub fn parse(bytes: &[u8], o: &CsvOpts) -> Result<Table> {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = skip_lines(b, o.skip);
    let mut rd = ::csv::ReaderBuilder::new()
        .delimiter(o.delimiter)
        .has_headers(false)
        .flexible(true)
        .comment(o.comment)
        .from_reader(&b[start..]);
    let mut names: Option<Vec<String>> = None;
    let mut fields: Vec<Vec<String>> = vec![];
    let mut lines: Vec<u64> = vec![];
    let mut rec = ::csv::StringRecord::new();
    let mut header_line = 0;
    loop {
        let more = rd.read_record(&mut rec).map_err(|e| {
            let line = e.position().map_or(0, |q| q.line()) + o.skip as u64;
            match e.kind() {
                ::csv::ErrorKind::Utf8 { .. } => err!("line {line}: not valid UTF-8 text"),
                _ => err!("line {line}: {e}"),
            }
        })?;
        if !more {
            break;
        }
        let line = rec.position().map_or(0, |q| q.line()) + o.skip as u64;
        match &names {
            None => {
                header_line = line;
                let n: Vec<String> = if o.header {
                    rec.iter().map(|s| s.trim().to_string()).collect()
                } else {
                    (0..rec.len()).map(|i| format!("c{i}")).collect()
                };
                for (i, name) in n.iter().enumerate() {
                    if name.is_empty() {
                        bail!("line {line}: column {} has an empty name", i + 1);
                    }
                    if n[..i].contains(name) {
                        bail!("line {line}: column name '{name}' appears twice");
                    }
                }
                fields = n.iter().map(|_| vec![]).collect();
                names = Some(n);
                if o.header {
                    continue;
                }
            }
            Some(n) if rec.len() != n.len() => {
                bail!(
                    "line {line}: {} fields, but {} has {} (ragged rows)",
                    rec.len(),
                    if o.header {
                        format!("the header (line {header_line})")
                    } else {
                        format!("the first row (line {header_line})")
                    },
                    n.len()
                );
            }
            Some(_) => {}
        }
        for (col, f) in fields.iter_mut().zip(rec.iter()) {
            col.push(f.to_string());
        }
        lines.push(line);
    }
    let names = names.unwrap_or_default();
    for (k, _) in &o.dtypes {
        if !names.contains(k) {
            bail!(
                "dtypes names a column '{k}' the file does not have; its columns are: {}",
                names.join(", ")
            );
        }
    }
    let mut t = Table::new(None);
    for (name, vals) in names.into_iter().zip(fields) {
        let want = o.dtypes.iter().find(|(k, _)| *k == name).map(|(_, t)| *t);
        let col = convert(&vals, want.unwrap_or_else(|| infer(&vals)), &name, &lines)?;
        t.push(name, col)?;
    }
    Ok(t)
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim() {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

fn parse_int(s: &str) -> Option<i64> {
    s.trim().parse::<i64>().ok()
}

fn parse_float(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() {
        return Some(f64::NAN);
    }
    t.parse::<f64>().ok()
}

/// The type of a column from all its values: bool or int when every field is one (no
/// empty field), float when every non-empty field is a number, otherwise string.
fn infer(vals: &[String]) -> Kind {
    let nonempty = || vals.iter().filter(|v| !v.trim().is_empty());
    let has_empty = vals.iter().any(|v| v.trim().is_empty());
    if nonempty().next().is_none() {
        return Kind::Float;
    }
    if !has_empty && vals.iter().all(|v| parse_bool(v).is_some()) {
        return Kind::Bool;
    }
    if !has_empty && vals.iter().all(|v| parse_int(v).is_some()) {
        return Kind::Int;
    }
    if nonempty().all(|v| parse_float(v).is_some()) {
        return Kind::Float;
    }
    Kind::Str
}

fn convert(vals: &[String], kind: Kind, name: &str, lines: &[u64]) -> Result<Col> {
    let bad = |i: usize, what: &str| -> Error {
        err!(
            "line {}: column '{name}': '{}' is not {what}",
            lines.get(i).copied().unwrap_or(0),
            vals[i]
        )
    };
    Ok(match kind {
        Kind::Str => Col::Str(vals.to_vec()),
        Kind::Bool => {
            let mut v = Vec::with_capacity(vals.len());
            for (i, s) in vals.iter().enumerate() {
                v.push(parse_bool(s).ok_or_else(|| bad(i, "a boolean (true/false)"))?);
            }
            Col::Bool(v)
        }
        Kind::Int => {
            let mut v = Vec::with_capacity(vals.len());
            for (i, s) in vals.iter().enumerate() {
                v.push(parse_int(s).ok_or_else(|| bad(i, "an integer (int64)"))?);
            }
            Col::Int(v)
        }
        Kind::Float => {
            let mut v = Vec::with_capacity(vals.len());
            for (i, s) in vals.iter().enumerate() {
                v.push(parse_float(s).ok_or_else(|| bad(i, "a number"))?);
            }
            Col::Float(v)
        }
    })
}

// ------------------------------------------------------------------ writing arrays

/// Shortest text that reads back as the same value (`0.1`, `1e-7`, `NaN`, `inf`).
trait Exact {
    fn exact(&self) -> String;
}
macro_rules! exact_display {
    ($($t:ty),*) => {$(impl Exact for $t { fn exact(&self) -> String { self.to_string() } })*};
}
exact_display!(i8, i16, i32, i64, u8, u16, u32, u64);
impl Exact for f64 {
    fn exact(&self) -> String {
        format!("{self:?}")
    }
}
impl Exact for f32 {
    fn exact(&self) -> String {
        format!("{self:?}")
    }
}
impl Exact for half::f16 {
    fn exact(&self) -> String {
        // The shortest float32 text of an f16 value rounds back to it.
        format!("{:?}", self.to_f32())
    }
}

/// Write a 1-D (one value per line) or 2-D (one row per line) numeric array as CSV text
/// that `np.loadtxt(path, delimiter=",")` reads back exactly: integers as integers,
/// floats in their shortest round-trip form, bools as 1/0. Written to a temporary file
/// beside `path` and renamed.
pub fn save_array(a: &Array, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let _s = crate::prof::span("save");
    let p = path.display();
    if a.ndim() == 0 || a.ndim() > 2 {
        bail!(
            "cannot save to {p}: CSV holds 1-D or 2-D arrays, this one has shape {:?}",
            a.shape()
        );
    }
    let cols = if a.ndim() == 2 { a.shape()[1] } else { 1 };
    let tmp = super::temp_beside(path)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, tmp);
    let io = |e: std::io::Error| Error::io(path, e);
    macro_rules! rows {
        ($t:ty) => {{
            let v = a.as_slice::<$t>()?;
            write_rows(&mut w, &v[..], cols, |x| x.exact()).map_err(io)?;
        }};
    }
    match a.dtype() {
        DType::Bool => {
            let v = a.as_slice::<u8>()?;
            write_rows(&mut w, &v[..], cols, |&x| {
                if x != 0 { "1" } else { "0" }.to_string()
            })
            .map_err(io)?;
        }
        DType::I8 => rows!(i8),
        DType::I16 => rows!(i16),
        DType::I32 => rows!(i32),
        DType::I64 => rows!(i64),
        DType::U8 => rows!(u8),
        DType::U16 => rows!(u16),
        DType::U32 => rows!(u32),
        DType::U64 => rows!(u64),
        DType::F16 => rows!(half::f16),
        DType::F32 => rows!(f32),
        DType::F64 => rows!(f64),
        d => bail!(
            "cannot save to {p}: CSV holds numbers or bools, not {}",
            d.name()
        ),
    }
    let tmp = w.into_inner().map_err(|e| io(e.into_error()))?;
    super::persist(tmp, path)
}

fn write_rows<T, W: Write>(
    w: &mut W,
    v: &[T],
    cols: usize,
    f: impl Fn(&T) -> String,
) -> std::io::Result<()> {
    if cols == 0 {
        // A (n, 0) array: n empty lines, as np.savetxt writes.
        for _ in 0..v.len() {
            w.write_all(b"\n")?;
        }
        return Ok(());
    }
    for row in v.chunks(cols) {
        let line: Vec<String> = row.iter().map(&f).collect();
        w.write_all(line.join(",").as_bytes())?;
        w.write_all(b"\n")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str, o: &CsvOpts) -> Result<Table> {
        parse(text.as_bytes(), o)
    }

    #[test]
    fn types_are_inferred() {
        let o = CsvOpts::default();
        let tb = t(
            "\u{feff}i,f,s,b,e\r\n1,1.5,\"a,b\",true,\r\n-2,,\"say \"\"hi\"\"\",False,\r\n",
            &o,
        )
        .unwrap();
        assert_eq!(tb.names, ["i", "f", "s", "b", "e"]);
        assert_eq!(tb.col("i").unwrap(), &Col::Int(vec![1, -2]));
        match tb.col("f").unwrap() {
            Col::Float(v) => assert!(v[0] == 1.5 && v[1].is_nan()),
            c => panic!("{c:?}"),
        }
        assert_eq!(
            tb.col("s").unwrap(),
            &Col::Str(vec!["a,b".into(), "say \"hi\"".into()])
        );
        assert_eq!(tb.col("b").unwrap(), &Col::Bool(vec![true, false]));
        assert!(matches!(tb.col("e").unwrap(), Col::Float(_)));
    }

    #[test]
    fn options() {
        let o = CsvOpts {
            delimiter: b';',
            header: false,
            skip: 2,
            comment: Some(b'#'),
            dtypes: vec![("c1".into(), Kind::Float)],
        };
        let tb = t("junk\nmore junk\n# note\n1;2\n3;4", &o).unwrap();
        assert_eq!(tb.names, ["c0", "c1"]);
        assert_eq!(tb.col("c0").unwrap(), &Col::Int(vec![1, 3]));
        assert_eq!(tb.col("c1").unwrap(), &Col::Float(vec![2.0, 4.0]));
    }

    #[test]
    fn errors_name_the_line() {
        let o = CsvOpts::default();
        let e = t("a,b\n1,2\n3\n", &o).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("ragged"), "{e}");
        let o = CsvOpts {
            dtypes: vec![("a".into(), Kind::Int)],
            ..CsvOpts::default()
        };
        let e = t("a\n1\nx\n", &o).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("'x'"), "{e}");
        let o = CsvOpts {
            dtypes: vec![("zz".into(), Kind::Int)],
            ..CsvOpts::default()
        };
        assert!(t("a\n1\n", &o).unwrap_err().to_string().contains("zz"));
    }
}
