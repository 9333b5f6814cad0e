//! Selections of an event and their algebra: `e.sel(spec)`, masks, and/or/not, the
//! selected row indices. A selection is a new [`Event`] sharing the data with a row set.
use std::sync::Arc;

use super::*;

impl Event {
    /// A new event selecting rows of this one by `spec` strings (OR of the list).
    pub fn select(&self, specs: &[String]) -> Result<Event> {
        let _s = crate::prof::span("e.sel");
        if specs.is_empty() {
            bail!("e.sel: empty list of specs");
        }
        let n = self.loaded();
        let mut code_specs = vec![];
        let mut rows: Option<RowSet> = None;
        for s in specs {
            match select::parse_spec(s, &self.data.flags, self.slots())? {
                Spec::Slice(sl) => {
                    let r = crate::array::rows::parse_row_slice(&sl, n)
                        .map_err(|e| err!("in selection '{s}': {e}"))?;
                    let rs = RowSet::range(n, r);
                    rows = Some(match rows {
                        Some(x) => x.or(&rs)?,
                        None => rs,
                    });
                }
                sp => code_specs.push(sp),
            }
        }
        if !code_specs.is_empty() {
            let src = self.seqhis()?;
            let rs = if code_specs.len() == 1 {
                select::select_codes(&src, &code_specs[0])?
            } else {
                select::select_any(&src, &code_specs)?
            };
            rows = Some(match rows {
                Some(x) => x.or(&rs)?,
                None => rs,
            });
        }
        let rows = rows.expect("at least one spec");
        let label = if specs.len() == 1 {
            specs[0].clone()
        } else {
            format!("[{}]", specs.join(", "))
        };
        self.narrow(rows, label)
    }

    /// A new event selecting rows where `mask` (bool, one per loaded row or one per row of
    /// this selection) is true.
    pub fn select_mask(&self, mask: &Array) -> Result<Event> {
        let _s = crate::prof::span("e.sel");
        if *mask.dtype() != DType::Bool || mask.ndim() != 1 {
            bail!(
                "e.sel(mask): expected a 1-d bool array, found {:?} {}",
                mask.shape(),
                mask.dtype().name()
            );
        }
        let m = mask.as_slice::<u8>()?;
        let n = self.loaded();
        let rows = if m.len() == n {
            RowSet::from_mask(&m)?
        } else if self.sel.is_some() && m.len() == self.count() {
            let idx = self.rows().indices();
            let keep: Vec<u32> = idx
                .iter()
                .zip(m.iter())
                .filter(|(_, &b)| b != 0)
                .map(|(&i, _)| i)
                .collect();
            RowSet::from_sorted(n, keep)
        } else {
            bail!(
                "e.sel(mask): the mask has {} rows but the event has {} loaded rows{}",
                m.len(),
                n,
                if self.sel.is_some() {
                    format!(" ({} selected)", self.count())
                } else {
                    String::new()
                }
            )
        };
        self.narrow(rows, "mask".into())
    }

    /// This event restricted further to `rows` (an AND with the current selection).
    pub fn narrow(&self, rows: RowSet, spec: String) -> Result<Event> {
        let (rows, spec) = match &self.sel {
            Some(s) => (s.rows.and(&rows)?, format!("{} & {}", s.spec, spec)),
            None => (rows, spec),
        };
        Ok(self.with_rows(rows, spec))
    }

    /// An event over the same data with exactly `rows` selected.
    pub fn with_rows(&self, rows: RowSet, spec: String) -> Event {
        Event {
            data: self.data.clone(),
            sel: Some(Arc::new(Selection {
                rows,
                spec,
                cache: Mutex::new(HashMap::new()),
                counts: Mutex::new(HashMap::new()),
            })),
        }
    }

    /// The whole loaded event (no selection).
    pub fn unselected(&self) -> Event {
        Event {
            data: self.data.clone(),
            sel: None,
        }
    }

    fn combine(&self, o: &Event, what: &str) -> Result<()> {
        if !self.same_data(o) {
            bail!(
                "{what}: both selections must come from the same event (the same event(...) value)"
            );
        }
        Ok(())
    }

    /// Rows in both.
    pub fn and(&self, o: &Event) -> Result<Event> {
        self.combine(o, "and")?;
        Ok(self.with_rows(
            self.rows().and(&o.rows())?,
            format!("({}) & ({})", self.spec(), o.spec()),
        ))
    }
    /// Rows in either.
    pub fn or(&self, o: &Event) -> Result<Event> {
        self.combine(o, "or")?;
        Ok(self.with_rows(
            self.rows().or(&o.rows())?,
            format!("({}) | ({})", self.spec(), o.spec()),
        ))
    }
    /// Loaded rows not in this selection.
    pub fn not(&self) -> Event {
        self.with_rows(self.rows().not(), format!("!({})", self.spec()))
    }
    /// The selection spec ("all" when not selected).
    pub fn spec(&self) -> String {
        match &self.sel {
            Some(s) => s.spec.clone(),
            None => "all".into(),
        }
    }

    /// Photon indices of the selected rows (file row numbers: the load slice start is
    /// added).
    pub fn index(&self) -> Result<Array> {
        let off = self.data.folder.slice_start as i64;
        let v: Vec<i64> = self
            .rows()
            .indices()
            .into_iter()
            .map(|i| i as i64 + off)
            .collect();
        let n = v.len();
        Array::from_vec(v, vec![n])
    }
}
