//! The `Table` value: named columns of one length, a title and footer lines. Every
//! analysis that returns rows (history tables, comparisons, deviation tables, ROC working
//! points, timings) returns one, so printing, paging and saving work the same everywhere.

use crate::bail;
use crate::error::Result;

/// One column's values.
#[derive(Clone, Debug, PartialEq)]
pub enum Col {
    Int(Vec<i64>),
    Float(Vec<f64>),
    Str(Vec<String>),
    Bool(Vec<bool>),
}

impl Col {
    pub fn len(&self) -> usize {
        match self {
            Col::Int(v) => v.len(),
            Col::Float(v) => v.len(),
            Col::Str(v) => v.len(),
            Col::Bool(v) => v.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Rows `idx` of this column, in that order.
    pub fn take(&self, idx: &[usize]) -> Col {
        match self {
            Col::Int(v) => Col::Int(idx.iter().map(|&i| v[i]).collect()),
            Col::Float(v) => Col::Float(idx.iter().map(|&i| v[i]).collect()),
            Col::Str(v) => Col::Str(idx.iter().map(|&i| v[i].clone()).collect()),
            Col::Bool(v) => Col::Bool(idx.iter().map(|&i| v[i]).collect()),
        }
    }
}

/// A table of named columns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub title: Option<String>,
    pub names: Vec<String>,
    pub cols: Vec<Col>,
    /// Lines printed under the table (totals, notes).
    pub footer: Vec<String>,
    /// Rows shown when printed (None: all, eliding the middle of very long tables).
    pub show: Option<usize>,
    /// With `show`: print only the first `show` rows (ranked tables such as history
    /// tables), not the first and last halves.
    pub head_only: bool,
    /// Decimal places for float columns by name (default: 4 significant digits).
    pub precision: Vec<(String, usize)>,
}

impl Table {
    pub fn new(title: impl Into<Option<String>>) -> Table {
        Table {
            title: title.into(),
            ..Default::default()
        }
    }

    /// Add a column; all columns must have the same length.
    pub fn push(&mut self, name: impl Into<String>, col: Col) -> Result<&mut Table> {
        let name = name.into();
        if let Some(first) = self.cols.first() {
            if first.len() != col.len() {
                bail!(
                    "column '{name}' has {} rows but the table has {}",
                    col.len(),
                    first.len()
                );
            }
        }
        if self.names.contains(&name) {
            bail!("the table already has a column '{name}'");
        }
        self.names.push(name);
        self.cols.push(col);
        Ok(self)
    }

    /// Builder form of [`Table::push`] for columns known to match.
    pub fn with(mut self, name: impl Into<String>, col: Col) -> Result<Table> {
        self.push(name, col)?;
        Ok(self)
    }

    pub fn nrows(&self) -> usize {
        self.cols.first().map_or(0, |c| c.len())
    }
    pub fn ncols(&self) -> usize {
        self.cols.len()
    }

    /// The column called `name`.
    pub fn col(&self, name: &str) -> Result<&Col> {
        match self.names.iter().position(|n| n == name) {
            Some(i) => Ok(&self.cols[i]),
            None => bail!(
                "no column '{name}'; the columns are: {}",
                self.names.join(", ")
            ),
        }
    }

    /// A new table with rows `idx` (in that order); title and footer kept.
    pub fn take_rows(&self, idx: &[usize]) -> Table {
        Table {
            cols: self.cols.iter().map(|c| c.take(idx)).collect(),
            ..self.clone()
        }
    }

    /// A new table sorted by column `name` (stable; ascending or descending). NaN floats
    /// go last in both directions.
    pub fn sort_by(&self, name: &str, ascending: bool) -> Result<Table> {
        use std::cmp::Ordering;
        let col = self.col(name)?;
        let mut idx: Vec<usize> = (0..self.nrows()).collect();
        let dir = |o: Ordering| if ascending { o } else { o.reverse() };
        match col {
            Col::Int(v) => idx.sort_by(|&a, &b| dir(v[a].cmp(&v[b]))),
            Col::Float(v) => idx.sort_by(|&a, &b| match (v[a].is_nan(), v[b].is_nan()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                _ => dir(v[a].total_cmp(&v[b])),
            }),
            Col::Str(v) => idx.sort_by(|&a, &b| dir(v[a].cmp(&v[b]))),
            Col::Bool(v) => idx.sort_by(|&a, &b| dir(v[a].cmp(&v[b]))),
        }
        Ok(self.take_rows(&idx))
    }

    /// A new table of rows `start..end` (clipped).
    pub fn slice_rows(&self, start: usize, end: usize) -> Table {
        let n = self.nrows();
        let (s, e) = (start.min(n), end.min(n));
        let idx: Vec<usize> = (s..e.max(s)).collect();
        self.take_rows(&idx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn columns_must_match() {
        let mut t = Table::new(Some("t".to_string()));
        t.push("a", Col::Int(vec![1, 2])).unwrap();
        assert!(t.push("b", Col::Int(vec![1])).is_err());
        assert!(t.push("a", Col::Int(vec![1, 2])).is_err());
        assert_eq!(t.take_rows(&[1]).col("a").unwrap(), &Col::Int(vec![2]));
        assert!(t.col("zz").unwrap_err().to_string().contains("a"));
    }
}
