//! Rhai bindings for `Table`: building one from script values, printing, exporting to
//! strings and files, and reading it back as columns and rows. Every analysis that returns
//! rows returns a Table, so these methods work on all of them.

use rhai::{Dynamic, EvalAltResult, Map, FLOAT, INT};

use super::registry::{check_opts, fail, opt, Opt, RResult, Reg};
use super::IntoRhai;
use crate::array::{Array, DType};
use crate::io::csv::{CsvOpts, Kind};
use crate::output::table::{Col, Table};

const LOAD_CSV_OPTS: &[Opt] = &[
    opt(
        "delimiter",
        "one-character string",
        "\",\"",
        "the field separator",
    ),
    opt(
        "header",
        "bool",
        "true",
        "the first line names the columns (false: they are c0, c1, ...)",
    ),
    opt(
        "skip",
        "int >= 0",
        "0",
        "lines skipped at the top, before the header",
    ),
    opt(
        "comment",
        "one-character string",
        "",
        "lines starting with it are ignored (\"#\" for np.savetxt headers)",
    ),
    opt(
        "dtypes",
        "#{column: \"int64\" | \"float64\" | \"bool\" | \"str\"}",
        "",
        "column types instead of the inferred ones",
    ),
];

const SORT_OPTS: &[Opt] = &[opt(
    "descending",
    "bool",
    "false",
    "largest first (NaN still last)",
)];

/// Register the `Table` type and its functions.
pub fn register(r: &mut Reg) {
    r.ty::<Table>("Table");

    r.func(
        "table",
        "table([columns]) -> Table",
        "A new table. `table()` is empty; `table(#{a: [1, 2], b: [0.5, 1.5]})` makes one \
column per map entry (columns in the map's key order, which Rhai keeps alphabetical; use \
`.add` to choose the order). A column is a list of integers, floats (integers mixed in \
become floats), strings or booleans, or a 1-D Array.\n\
Example: `let t = table().add(\"run\", [1, 2, 3]).add(\"eff\", [0.91, 0.95, 0.97]);`",
    )
    .f(|| Table::new(None))
    .f(|m: Map| -> RResult<Table> {
        let mut t = Table::new(None);
        for (k, v) in m {
            let col = to_col(&v, k.as_str())?;
            t.push(k.to_string(), col).rh()?;
        }
        Ok(t)
    });
    r.func(
        "add",
        "t.add(name, values) -> Table",
        "A new table with a column appended: `values` is a list (integers, floats, strings \
or booleans) or a 1-D Array with as many rows as the table (any length for an empty table).",
    )
    .f(
        |t: &mut Table, name: &str, values: Dynamic| -> RResult<Table> {
            let mut out = t.clone();
            let col = to_col(&values, name)?;
            out.push(name, col).rh()?;
            Ok(out)
        },
    );

    r.func("nrows", "t.nrows -> int", "Number of rows.")
        .get(|t: &mut Table| t.nrows() as INT);
    r.func("ncols", "t.ncols -> int", "Number of columns.")
        .get(|t: &mut Table| t.ncols() as INT);
    r.func(
        "columns",
        "t.columns -> array of strings",
        "The column names, in order.",
    )
    .get(|t: &mut Table| -> rhai::Array {
        t.names.iter().map(|n| Dynamic::from(n.clone())).collect()
    });
    r.func(
        "title",
        "t.title -> string or ()",
        "The title printed above the table; set it with `t.title = \"...\"` (or `()` for none).",
    )
    .get(|t: &mut Table| match &t.title {
        Some(s) => Dynamic::from(s.clone()),
        None => Dynamic::UNIT,
    })
    .set(|t: &mut Table, v: Dynamic| -> RResult<()> {
        t.title = if v.is_unit() {
            None
        } else {
            Some(
                v.into_string()
                    .map_err(|ty| format!("t.title = ...: expected a string or (), found {ty}"))?,
            )
        };
        Ok(())
    });
    r.func(
        "footer",
        "t.footer -> array of strings",
        "The lines printed under the table (totals, notes). Add one with `t.note(text)`.",
    )
    .get(|t: &mut Table| -> rhai::Array {
        t.footer.iter().map(|n| Dynamic::from(n.clone())).collect()
    });
    r.func(
        "note",
        "t.note(text) -> Table",
        "A new table with one more footer line.",
    )
    .f(|t: &mut Table, line: &str| {
        let mut out = t.clone();
        out.footer.push(line.to_string());
        out
    });
    r.func(
        "show",
        "t.show -> int or ()",
        "How many rows a printout shows. Unset (`()`), tables of more than 40 rows print \
their first and last 10 rows; `t.show = n` prints the first and last n/2 rows of tables longer \
than n, and a line with the number of rows left out. Exports and `save` always write every row.",
    )
    .get(|t: &mut Table| match t.show {
        Some(n) => Dynamic::from(n as INT),
        None => Dynamic::UNIT,
    })
    .set(|t: &mut Table, v: Dynamic| -> RResult<()> {
        t.show = if v.is_unit() {
            None
        } else {
            match v.as_int() {
                Ok(n) if n >= 0 => Some(n as usize),
                _ => {
                    return Err(format!(
                        "t.show = ...: expected a row count (integer >= 0) or (), found {}",
                        v
                    )
                    .into())
                }
            }
        };
        Ok(())
    });
    r.func(
        "precision",
        "t.precision(column, decimals) -> Table",
        "A new table whose float column `column` prints with that many decimal places \
(default: 4 significant digits). Affects printing and Markdown, not CSV/JSON.",
    )
    .f(
        |t: &mut Table, col: &str, decimals: INT| -> RResult<Table> {
            t.col(col).rh()?;
            if !(0..=17).contains(&decimals) {
                return Err(format!("precision: decimals must be 0..17, found {decimals}").into());
            }
            let mut out = t.clone();
            out.precision.push((col.to_string(), decimals as usize));
            Ok(out)
        },
    );

    r.func(
        "col",
        "t.col(name) -> array",
        "The column `name` as a Rhai array of ints, floats, strings or booleans (a copy). \
`t[\"name\"]` gives it as an Array instead. An unknown name is an error that lists the columns.",
    )
    .f(|t: &mut Table, name: &str| -> RResult<rhai::Array> { Ok(col_to_array(t.col(name).rh()?)) });
    r.func(
        "index",
        "t[name] -> Array, t[i] -> map",
        "The column `name` as a 1-D Array, like a DataFrame column: int64, float64 or bool, \
and strings as a fixed-width unicode array (`<U n`, n the longest string). \
`t[\"energy\"].mean()`, `t.filter(t[\"n\"] > 2)`. An unknown name is an error listing the \
columns; `t[i]` (an integer) is row i as a map.",
    )
    .index_get(|t: &mut Table, name: &str| -> RResult<Array> {
        col_to_nd(t.col(name).rh()?, name)
    });
    r.engine()
        .register_indexer_get(|t: &mut Table, i: INT| -> RResult<Map> {
            let n = t.nrows() as INT;
            let r = if i < 0 { i + n } else { i };
            if r < 0 || r >= n {
                return Err(format!("row {i} is out of range: the table has {n} rows").into());
            }
            Ok(row_map(t, r as usize))
        });
    r.func(
        "rows",
        "t.rows() -> array of maps",
        "Every row as an object map `#{column: value}`; `for r in t.rows() { print(r.name) }`. \
`t[i]` is row i alone (negative i counts from the end).",
    )
    .f(|t: &mut Table| -> rhai::Array {
        (0..t.nrows())
            .map(|r| Dynamic::from_map(row_map(t, r)))
            .collect()
    });
    r.func(
        "head",
        "t.head([n]) -> Table",
        "The first n rows (default 10) as a new table.",
    )
    .f(|t: &mut Table| t.slice_rows(0, 10))
    .f(|t: &mut Table, n: INT| t.slice_rows(0, n.max(0) as usize));
    r.func(
        "tail",
        "t.tail([n]) -> Table",
        "The last n rows (default 10) as a new table.",
    )
    .f(|t: &mut Table| tail(t, 10))
    .f(|t: &mut Table, n: INT| tail(t, n));
    r.func(
        "sort",
        "t.sort(column, [ascending | #{descending}]) -> Table",
        "A new table with rows ordered by `column` (stable); `t.sort(\"chi2\", false)` or \
`t.sort(\"chi2\", #{descending: true})` sorts descending. NaN goes last either way.",
    )
    .opts(&[SORT_OPTS])
    .example("t.sort(\"time\", OPTS)")
    .f(|t: &mut Table, col: &str| t.sort_by(col, true).rh())
    .f(|t: &mut Table, col: &str, asc: bool| t.sort_by(col, asc).rh())
    .f(|t: &mut Table, col: &str, o: Map| -> RResult<Table> {
        check_opts(&o, &[SORT_OPTS], "sort")?;
        let desc = super::conv::opt_bool(&o, "descending")?.unwrap_or(false);
        t.sort_by(col, !desc).rh()
    });
    r.func(
        "filter",
        "t.filter(mask) -> Table",
        "A new table of the rows where `mask` (a bool Array with one element per row, e.g. \
`t[\"x\"] > 0`) is true, in order.",
    )
    .f(|t: &mut Table, mask: Array| -> RResult<Table> { filter(t, &mask) });
    r.func(
        "select",
        "t.select([names]) -> Table",
        "A new table of the columns named, in that order: `t.select([\"b\", \"a\"])`.",
    )
    .f(|t: &mut Table, names: rhai::Array| -> RResult<Table> { select(t, &names) });
    r.func(
        "load_csv",
        "load_csv(path, [#{delimiter, header, skip, comment, dtypes}]) -> Table",
        "Read a CSV file into a Table. Each column's type is inferred from all its values: \
bool (true/false), int64, float64 (an empty field is NaN), else string; `dtypes` overrides. \
Quoted fields, CRLF line ends and a UTF-8 byte-order mark are handled; a row with a \
different number of fields is an error naming its line. `np.savetxt` files have no header: \
`load_csv(\"x.txt\", #{header: false, delimiter: \" \", comment: \"#\"})`. Columns come \
back with `t[\"name\"]` as Arrays.\n\
Example: `let t = load_csv(\"runs.csv\", #{dtypes: #{run: \"float64\"}}); t[\"run\"].max()`",
    )
    .opts(&[LOAD_CSV_OPTS])
    .example("load_csv(TMP + \"/none.csv\", OPTS)")
    .f(|path: &str| crate::io::csv::load(path, &CsvOpts::default()).rh())
    .f(|path: &str, o: Map| -> RResult<Table> {
        let opts = csv_opts(&o)?;
        crate::io::csv::load(path, &opts).rh()
    });
    r.func(
        "to_csv",
        "t.to_csv() -> string",
        "CSV text (RFC 4180): a header of column names, one line per row; fields with \
commas, quotes or newlines are quoted, quotes doubled; floats at full precision (NaN, inf \
written as `NaN`, `inf`). Title and footer are not included.",
    )
    .f(|t: &mut Table| t.to_csv());
    r.func(
        "to_json",
        "t.to_json() -> string",
        "JSON text: an array of row objects `[{\"col\": value, ...}, ...]`, keys in column \
order; NaN and infinities become `null`.",
    )
    .f(|t: &mut Table| t.to_json());
    r.func(
        "to_markdown",
        "t.to_markdown() -> string",
        "A Markdown table (title in bold above, footer below, numbers right-aligned and \
formatted as printed; `|` escaped and newlines as `<br>`). All rows are included.",
    )
    .f(|t: &mut Table| t.to_markdown());
    r.func(
        "save",
        "t.save(path)",
        "Write the table to `path`, format by extension: `.csv`, `.json`, `.md`, or `.txt` \
(the printed form, every row). The file is written to a temporary name and renamed, so a \
reader never sees half a table.",
    )
    .f(|t: &mut Table, path: &str| -> RResult<()> {
        let _s = crate::prof::span("save");
        t.save(path).rh()
    });
}

fn tail(t: &Table, n: INT) -> Table {
    let rows = t.nrows();
    t.slice_rows(rows.saturating_sub(n.max(0) as usize), rows)
}

fn one_byte(o: &Map, key: &str) -> RResult<Option<u8>> {
    match super::conv::opt_str(o, key)? {
        None => Ok(None),
        Some(s) if s.len() == 1 => Ok(Some(s.as_bytes()[0])),
        Some(s) => fail(format!(
            "load_csv: {key} must be one ASCII character, found {s:?}"
        )),
    }
}

fn csv_opts(o: &Map) -> RResult<CsvOpts> {
    check_opts(o, &[LOAD_CSV_OPTS], "load_csv")?;
    let mut c = CsvOpts::default();
    if let Some(d) = one_byte(o, "delimiter")? {
        c.delimiter = d;
    }
    c.comment = one_byte(o, "comment")?;
    if let Some(h) = super::conv::opt_bool(o, "header")? {
        c.header = h;
    }
    if let Some(k) = super::conv::opt_i64(o, "skip")? {
        if k < 0 {
            return fail(format!("load_csv: skip must be >= 0, found {k}"));
        }
        c.skip = k as usize;
    }
    if let Some(d) = o.get("dtypes") {
        let Some(m) = d.clone().try_cast::<Map>() else {
            return fail(format!(
                "load_csv: dtypes must be a map #{{column: type}}, found {}",
                d.type_name()
            ));
        };
        for (k, v) in m {
            let ty = v
                .into_string()
                .map_err(|t| format!("load_csv: dtypes.{k}: expected a type name, found {t}"))?;
            let kind = Kind::parse(&ty).map_err(|e| format!("load_csv: dtypes.{k}: {e}"))?;
            c.dtypes.push((k.to_string(), kind));
        }
    }
    Ok(c)
}

fn filter(t: &Table, mask: &Array) -> RResult<Table> {
    if mask.dtype() != &DType::Bool || mask.ndim() != 1 {
        return fail(format!(
            "t.filter(mask): mask must be a 1-D bool Array, found {} of shape {:?}",
            mask.dtype().name(),
            mask.shape()
        ));
    }
    if mask.len() != t.nrows() {
        return fail(format!(
            "t.filter(mask): the mask has {} elements but the table has {} rows",
            mask.len(),
            t.nrows()
        ));
    }
    let m = mask.as_slice::<u8>().rh()?;
    let idx: Vec<usize> = m
        .iter()
        .enumerate()
        .filter(|(_, &b)| b != 0)
        .map(|(i, _)| i)
        .collect();
    Ok(t.take_rows(&idx))
}

fn select(t: &Table, names: &[Dynamic]) -> RResult<Table> {
    let mut out = Table {
        names: vec![],
        cols: vec![],
        ..t.clone()
    };
    for d in names {
        let Some(name) = d.clone().into_string().ok() else {
            return fail(format!(
                "t.select(names): expected column names (strings), found {}",
                d.type_name()
            ));
        };
        let col = t.col(&name).rh()?.clone();
        out.push(name, col).rh()?;
    }
    Ok(out)
}

/// A column as a 1-D Array: int64, float64, bool, or `<U n` strings.
pub fn col_to_nd(c: &Col, name: &str) -> RResult<Array> {
    let n = c.len();
    match c {
        Col::Int(v) => Array::from_vec(v.clone(), vec![n]).rh(),
        Col::Float(v) => Array::from_vec(v.clone(), vec![n]).rh(),
        Col::Bool(v) => Ok(Array::from_bools(v.clone())),
        Col::Str(v) => {
            let width = v
                .iter()
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
                .max(1);
            let total = width.checked_mul(n).ok_or_else(|| {
                super::registry::rt_err(format!("column '{name}' is too large as an array"))
            })?;
            let mut units: Vec<u32> =
                crate::exec::out::alloc(total, &format!("column '{name}'")).rh()?;
            for s in v {
                let start = units.len();
                units.extend(s.chars().map(|ch| ch as u32));
                units.resize(start + width, 0);
            }
            Array::from_vec_typed(units, DType::Unicode(width), vec![n]).rh()
        }
    }
}

fn row_map(t: &Table, r: usize) -> Map {
    let mut m = Map::new();
    for (name, col) in t.names.iter().zip(&t.cols) {
        let v = match col {
            Col::Int(v) => Dynamic::from(v[r]),
            Col::Float(v) => Dynamic::from(v[r]),
            Col::Str(v) => Dynamic::from(v[r].clone()),
            Col::Bool(v) => Dynamic::from(v[r]),
        };
        m.insert(name.as_str().into(), v);
    }
    m
}

fn col_to_array(c: &Col) -> rhai::Array {
    match c {
        Col::Int(v) => v.iter().map(|&x| Dynamic::from(x)).collect(),
        Col::Float(v) => v.iter().map(|&x| Dynamic::from(x)).collect(),
        Col::Str(v) => v.iter().map(|x| Dynamic::from(x.clone())).collect(),
        Col::Bool(v) => v.iter().map(|&x| Dynamic::from(x)).collect(),
    }
}

/// A script value as a table column: a Rhai list of one kind of value, or a 1-D Array.
pub fn to_col(v: &Dynamic, name: &str) -> RResult<Col> {
    if let Some(a) = v.clone().try_cast::<Array>() {
        return array_to_col(&a, name);
    }
    let Some(items) = v.clone().try_cast::<rhai::Array>() else {
        return Err(format!(
            "column '{name}': expected a list or an Array, found {}",
            v.type_name()
        )
        .into());
    };
    list_to_col(&items, name)
}

fn list_to_col(items: &[Dynamic], name: &str) -> RResult<Col> {
    let first = match items.first() {
        None => return Ok(Col::Float(vec![])),
        Some(f) => f,
    };
    let bad = |i: usize, d: &Dynamic, want: &str| -> Box<EvalAltResult> {
        format!(
            "column '{name}': element {i} is {} ({d}), but the column holds {want}",
            d.type_name()
        )
        .into()
    };
    if first.is_bool() {
        let mut out = Vec::with_capacity(items.len());
        for (i, d) in items.iter().enumerate() {
            out.push(d.as_bool().map_err(|_| bad(i, d, "booleans"))?);
        }
        return Ok(Col::Bool(out));
    }
    if first.is_string() || first.is_char() {
        let mut out = Vec::with_capacity(items.len());
        for (i, d) in items.iter().enumerate() {
            if !(d.is_string() || d.is_char()) {
                return Err(bad(i, d, "strings"));
            }
            out.push(d.to_string());
        }
        return Ok(Col::Str(out));
    }
    if first.is_int() || first.is_float() {
        if items.iter().all(|d| d.is_int()) {
            return Ok(Col::Int(
                items.iter().map(|d| d.as_int().unwrap_or(0)).collect(),
            ));
        }
        let mut out = Vec::with_capacity(items.len());
        for (i, d) in items.iter().enumerate() {
            match (d.as_int(), d.as_float()) {
                (Ok(x), _) => out.push(x as FLOAT),
                (_, Ok(x)) => out.push(x),
                _ => return Err(bad(i, d, "numbers")),
            }
        }
        return Ok(Col::Float(out));
    }
    Err(format!(
        "column '{name}': values must be numbers, strings or booleans, found {}",
        first.type_name()
    )
    .into())
}

/// A 1-D numeric or boolean Array as a column (integers up to i64, floats as f64).
pub fn array_to_col(a: &Array, name: &str) -> RResult<Col> {
    if a.ndim() != 1 {
        return Err(format!(
            "column '{name}': expected a 1-D array, found shape {:?}",
            a.shape()
        )
        .into());
    }
    macro_rules! ints {
        ($t:ty) => {
            Col::Int(a.as_slice::<$t>().rh()?.iter().map(|&x| x as i64).collect())
        };
    }
    macro_rules! floats {
        ($t:ty) => {
            Col::Float(a.as_slice::<$t>().rh()?.iter().map(|&x| x as f64).collect())
        };
    }
    Ok(match a.dtype() {
        DType::Bool => Col::Bool(a.as_slice::<u8>().rh()?.iter().map(|&x| x != 0).collect()),
        DType::I8 => ints!(i8),
        DType::I16 => ints!(i16),
        DType::I32 => ints!(i32),
        DType::I64 => ints!(i64),
        DType::U8 => ints!(u8),
        DType::U16 => ints!(u16),
        DType::U32 => ints!(u32),
        DType::U64 => {
            let s = a.as_slice::<u64>().rh()?;
            if s.iter().all(|&x| x <= i64::MAX as u64) {
                Col::Int(s.iter().map(|&x| x as i64).collect())
            } else {
                Col::Float(s.iter().map(|&x| x as f64).collect())
            }
        }
        DType::F16 => Col::Float(
            a.as_slice::<half::f16>()
                .rh()?
                .iter()
                .map(|x| x.to_f64())
                .collect(),
        ),
        DType::F32 => floats!(f32),
        DType::F64 => floats!(f64),
        DType::Bytes(_) | DType::Unicode(_) => {
            let mut v = Vec::with_capacity(a.len());
            for i in 0..a.len() {
                v.push(crate::array::strings::string_at_lossy(a, i).rh()?);
            }
            Col::Str(v)
        }
        d => {
            return Err(format!(
                "column '{name}': arrays of {} cannot be a table column (numbers, bool or strings only)",
                d.name()
            )
            .into())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_become_columns() {
        let a = Array::from_vec(vec![1.5f32, -2.0], vec![2]).unwrap();
        assert_eq!(array_to_col(&a, "x").unwrap(), Col::Float(vec![1.5, -2.0]));
        let a = Array::from_vec(vec![7u16, 9], vec![2]).unwrap();
        assert_eq!(array_to_col(&a, "x").unwrap(), Col::Int(vec![7, 9]));
        let a = Array::from_bools(vec![true, false]);
        assert_eq!(array_to_col(&a, "x").unwrap(), Col::Bool(vec![true, false]));
        let a = Array::from_vec(vec![1u64 << 63], vec![1]).unwrap();
        assert_eq!(
            array_to_col(&a, "x").unwrap(),
            Col::Float(vec![9223372036854775808.0])
        );
        let a = Array::from_vec(vec![1.0f64; 4], vec![2, 2]).unwrap();
        assert!(array_to_col(&a, "x")
            .unwrap_err()
            .to_string()
            .contains("1-D"));
    }

    #[test]
    fn lists_become_columns() {
        let l = |v: Vec<Dynamic>| list_to_col(&v, "c");
        assert_eq!(
            l(vec![1.into(), 2.5.into()]).unwrap(),
            Col::Float(vec![1.0, 2.5])
        );
        assert_eq!(l(vec![1.into(), 2.into()]).unwrap(), Col::Int(vec![1, 2]));
        let e = l(vec!["a".into(), 2.into()]).unwrap_err().to_string();
        assert!(e.contains("element 1") && e.contains("strings"), "{e}");
        let e = l(vec![true.into(), 2.into()]).unwrap_err().to_string();
        assert!(e.contains("element 1"), "{e}");
    }
}
