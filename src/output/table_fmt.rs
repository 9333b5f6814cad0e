//! How a [`Table`] leaves the shell: printed for a person (comfy-table, long tables
//! elided, floats to 4 significant digits) or exported for a program (CSV, JSON, Markdown,
//! plain text), each with its own escaping rules, and saved atomically by file extension.
//! Kept apart from `table.rs` so the data model stays small and every format lives in one
//! place.

use std::fmt;
use std::path::Path;

use comfy_table::{presets, CellAlignment, ContentArrangement};

use super::table::{Col, Table};
use crate::bail;
use crate::error::Result;

/// Rows printed at most when `show` is not set; longer tables are elided.
pub const DEFAULT_MAX_ROWS: usize = 40;
/// Rows kept at each end when a table without `show` is elided.
pub const DEFAULT_EDGE_ROWS: usize = 10;

/// Format a float for people: 4 significant digits, fixed notation between 1e-3 and 1e6,
/// scientific (`1.235e7`) outside; `nan`, `inf`, `-inf`; zero as `0`.
pub fn fmt_sig(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    if x == 0.0 {
        return "0".into();
    }
    // The exponent after rounding to 4 significant digits.
    let sci = format!("{x:.3e}");
    let exp: i32 = sci
        .rsplit_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0);
    if (-3..6).contains(&exp) {
        let decimals = (3 - exp).max(0) as usize;
        format!("{x:.decimals$}")
    } else {
        sci
    }
}

/// Format a float with a fixed number of decimal places (non-finite as in [`fmt_sig`]).
pub fn fmt_fixed(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return fmt_sig(x);
    }
    format!("{x:.decimals$}")
}

/// Shortest text that reads back as the same f64 (for CSV): `0.1`, `1.0`, `1e-7`,
/// `NaN`, `inf`, `-inf`.
fn fmt_exact(x: f64) -> String {
    format!("{x:?}")
}

impl Table {
    /// Decimal places configured for column `name`, if any.
    fn precision_of(&self, name: &str) -> Option<usize> {
        self.precision
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, p)| *p)
    }

    /// The text of one cell as a person reads it.
    pub fn cell_text(&self, col: usize, row: usize) -> String {
        match &self.cols[col] {
            Col::Int(v) => v[row].to_string(),
            Col::Float(v) => match self.precision_of(&self.names[col]) {
                Some(p) => fmt_fixed(v[row], p),
                None => fmt_sig(v[row]),
            },
            Col::Str(v) => v[row].clone(),
            Col::Bool(v) => v[row].to_string(),
        }
    }

    /// Which rows a printout shows: `(head, tail)` counts, or `None` for all rows.
    pub fn shown_rows(&self) -> Option<(usize, usize)> {
        let n = self.nrows();
        let (limit, head, tail) = match self.show {
            None => (DEFAULT_MAX_ROWS, DEFAULT_EDGE_ROWS, DEFAULT_EDGE_ROWS),
            Some(s) if self.head_only => (s, s, 0),
            Some(s) => (s, s.div_ceil(2), s / 2),
        };
        if n <= limit {
            None
        } else {
            Some((head, tail))
        }
    }

    /// The table as a person reads it: title, a box-drawn table (long tables elided to
    /// their first and last rows unless `full`), a row-count line when rows were left
    /// out, then the footer lines. No trailing newline.
    pub fn render(&self, full: bool) -> String {
        let mut out = String::new();
        if let Some(t) = &self.title {
            out.push_str(t);
            out.push('\n');
        }
        if self.cols.is_empty() {
            out.push_str("(empty table)");
            for f in &self.footer {
                out.push('\n');
                out.push_str(f);
            }
            return out;
        }
        let n = self.nrows();
        let elide = if full { None } else { self.shown_rows() };
        let rows: Vec<Option<usize>> = match elide {
            None => (0..n).map(Some).collect(),
            Some((head, tail)) => {
                let mut r: Vec<Option<usize>> = (0..head).map(Some).collect();
                r.push(None);
                r.extend((n - tail..n).map(Some));
                r
            }
        };
        let mut ct = comfy_table::Table::new();
        ct.load_preset(presets::UTF8_FULL_CONDENSED)
            .apply_modifier(comfy_table::modifiers::UTF8_ROUND_CORNERS)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(self.names.iter().map(|s| s.as_str()));
        for r in &rows {
            match r {
                Some(i) => ct.add_row((0..self.ncols()).map(|c| self.cell_text(c, *i))),
                None => ct.add_row((0..self.ncols()).map(|_| "…")),
            };
        }
        for (c, col) in self.cols.iter().enumerate() {
            if !matches!(col, Col::Str(_)) {
                if let Some(column) = ct.column_mut(c) {
                    column.set_cell_alignment(CellAlignment::Right);
                }
            }
        }
        out.push_str(&ct.to_string());
        if n == 0 {
            out.push_str("\n(0 rows)");
        }
        if let Some((head, tail)) = elide {
            let hidden = n - head - tail;
            out.push_str(&format!(
                "\n… {} rows not shown; {} rows in total …",
                group_digits(hidden),
                group_digits(n)
            ));
        }
        for f in &self.footer {
            out.push('\n');
            out.push_str(f);
        }
        out
    }

    /// Every row as plain text (the printed form without elision), for `.txt` files.
    pub fn to_text(&self) -> String {
        let mut s = self.render(true);
        s.push('\n');
        s
    }

    /// RFC 4180 CSV: a header line of column names, one line per row, `\n` line ends;
    /// fields containing a comma, quote, CR or LF are quoted with quotes doubled. Floats
    /// are written at full precision (they read back identically); title and footer are
    /// not part of the data and are left out.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let header: Vec<String> = self.names.iter().map(|n| csv_field(n)).collect();
        out.push_str(&header.join(","));
        out.push('\n');
        for r in 0..self.nrows() {
            let fields: Vec<String> = self
                .cols
                .iter()
                .map(|c| match c {
                    Col::Int(v) => v[r].to_string(),
                    Col::Float(v) => fmt_exact(v[r]),
                    Col::Str(v) => csv_field(&v[r]),
                    Col::Bool(v) => v[r].to_string(),
                })
                .collect();
            out.push_str(&fields.join(","));
            out.push('\n');
        }
        out
    }

    /// JSON: an array of row objects (`[{"col": value, ...}, ...]`), keys in column order,
    /// one row per line; non-finite floats (NaN, ±inf) become `null`.
    pub fn to_json(&self) -> String {
        let keys: Vec<String> = self.names.iter().map(|n| json_string(n)).collect();
        let mut out = String::from("[");
        for r in 0..self.nrows() {
            out.push_str(if r == 0 { "\n  {" } else { ",\n  {" });
            for (c, col) in self.cols.iter().enumerate() {
                if c > 0 {
                    out.push_str(", ");
                }
                out.push_str(&keys[c]);
                out.push_str(": ");
                match col {
                    Col::Int(v) => out.push_str(&v[r].to_string()),
                    Col::Float(v) => match serde_json::Number::from_f64(v[r]) {
                        Some(num) => out.push_str(&num.to_string()),
                        None => out.push_str("null"),
                    },
                    Col::Str(v) => out.push_str(&json_string(&v[r])),
                    Col::Bool(v) => out.push_str(if v[r] { "true" } else { "false" }),
                }
            }
            out.push('}');
        }
        out.push_str(if self.nrows() == 0 { "]\n" } else { "\n]\n" });
        out
    }

    /// A GitHub-flavoured Markdown table (numbers right-aligned, values formatted as when
    /// printed, `|` escaped, newlines as `<br>`), with the title in bold above and the
    /// footer lines below. All rows are included.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        if let Some(t) = &self.title {
            out.push_str(&format!("**{}**\n\n", md_cell(t)));
        }
        if !self.cols.is_empty() {
            let header: Vec<String> = self.names.iter().map(|n| md_cell(n)).collect();
            out.push_str(&format!("| {} |\n", header.join(" | ")));
            let rule: Vec<&str> = self
                .cols
                .iter()
                .map(|c| match c {
                    Col::Str(_) => "---",
                    _ => "---:",
                })
                .collect();
            out.push_str(&format!("|{}|\n", rule.join("|")));
            for r in 0..self.nrows() {
                let cells: Vec<String> = (0..self.ncols())
                    .map(|c| md_cell(&self.cell_text(c, r)))
                    .collect();
                out.push_str(&format!("| {} |\n", cells.join(" | ")));
            }
        }
        if !self.footer.is_empty() {
            out.push('\n');
            for f in &self.footer {
                out.push_str(&md_cell(f));
                out.push_str("  \n");
            }
        }
        out
    }

    /// Save by extension: `.csv`, `.json`, `.md`, `.txt`; written atomically (temporary
    /// file, then rename).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase());
        let text = match ext.as_deref() {
            Some("csv") => self.to_csv(),
            Some("json") => self.to_json(),
            Some("md") | Some("markdown") => self.to_markdown(),
            Some("txt") => self.to_text(),
            _ => bail!(
                "cannot save a table as '{}': unknown extension; use .csv, .json, .md or .txt",
                path.display()
            ),
        };
        super::write_atomic(path, text.as_bytes())
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

/// `1234567` → `1,234,567`.
pub fn group_digits(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn json_string(s: &str) -> String {
    // Serializing a &str cannot fail.
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn md_cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace(['\n', '\r'], "<br>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_digits() {
        assert_eq!(fmt_sig(1.23456), "1.235");
        assert_eq!(fmt_sig(0.96), "0.9600");
        assert_eq!(fmt_sig(-0.0012346), "-0.001235");
        assert_eq!(fmt_sig(0.00099996), "0.001000");
        assert_eq!(fmt_sig(0.0001234), "1.234e-4");
        assert_eq!(fmt_sig(123456.7), "123457");
        assert_eq!(fmt_sig(999999.4), "1.000e6");
        assert_eq!(fmt_sig(12345678.0), "1.235e7");
        assert_eq!(fmt_sig(9.99996), "10.00");
        assert_eq!(fmt_sig(0.0), "0");
        assert_eq!(fmt_sig(f64::NAN), "nan");
        assert_eq!(fmt_sig(f64::NEG_INFINITY), "-inf");
        assert_eq!(fmt_fixed(2.0 / 3.0, 2), "0.67");
    }

    #[test]
    fn digits_grouped() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1000), "1,000");
        assert_eq!(group_digits(1234567), "1,234,567");
    }

    #[test]
    fn save_rejects_unknown_extension() {
        let t = Table::new(None).with("a", Col::Int(vec![1])).unwrap();
        let e = t.save("/tmp/x.xlsx").unwrap_err().to_string();
        assert!(e.contains("x.xlsx") && e.contains(".csv"), "{e}");
    }
}
