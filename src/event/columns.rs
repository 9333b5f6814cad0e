//! Columns of an event: stored arrays, views of them, and derived columns computed on
//! first access and cached, read through the selection when there is one.

use super::*;

impl Event {
    /// Names of the stored arrays.
    pub fn array_names(&self) -> Vec<String> {
        self.data.folder.arrays.keys().cloned().collect()
    }

    /// Names of derived columns this event can compute: the entries of [`DERIVED`] for its
    /// layout whose inputs the folder has.
    pub fn derived_names(&self) -> Vec<&'static str> {
        DERIVED
            .iter()
            .filter(|d| self.can_derive(d))
            .flat_map(|d| d.names.iter().copied())
            .collect()
    }

    fn can_derive(&self, d: &Derived) -> bool {
        d.layout == self.layout()
            && d.inputs
                .iter()
                .all(|n| self.data.folder.arrays.contains_key(*n))
            && (!d.domains || self.domains().is_some())
    }

    /// Any stored or derived column, through the selection (gathered and cached), per-step
    /// arrays trimmed to the number of points for one-history selections.
    pub fn column(&self, name: &str) -> Result<Array> {
        let a = self.column_untrimmed(name)?;
        if is_per_step(name) && a.ndim() >= 2 {
            if let Some(code) = self.single_history()? {
                let np = flags::npoints(code).min(a.shape()[1]);
                return a.slice_axis(1, Some(0), Some(np as i64), 1);
            }
        }
        Ok(a)
    }

    fn column_untrimmed(&self, name: &str) -> Result<Array> {
        let sel = match &self.sel {
            None => return self.full_column(name),
            Some(s) => s,
        };
        if let Some(a) = sel
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(name)
        {
            return Ok(a.clone());
        }
        let _s = crate::prof::stage("gather");
        let out = if let Some(e) = self.data.folder.arrays.get(name) {
            if !e.photon {
                return Ok(e.array.clone());
            }
            select::gather(&e.array, &sel.rows)?
        } else if let Some(v) = self.view_column(name) {
            select::gather(&v?, &sel.rows)?
        } else if let Some(full) = self
            .data
            .derived
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(name)
            .cloned()
        {
            select::gather(&full, &sel.rows)?
        } else {
            self.compute(name)?
        };
        sel.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(name.to_string(), out.clone());
        Ok(out)
    }

    /// Code columns that are plain views of a stored array (no copy).
    fn view_column(&self, name: &str) -> Option<Result<Array>> {
        let f = |n: &str, k: i64| -> Result<Array> {
            let a = self.base(n)?;
            match self.layout() {
                Layout::Legacy => {
                    check_shape(a, n, &[1, 2], &DType::U64)?;
                    a.index_axis(2, k)?.index_axis(1, 0)
                }
                Layout::NpFold => {
                    check_shape(a, n, &[2, 2], &DType::U64)?;
                    a.index_axis(1, 0)
                }
            }
        };
        match (self.layout(), name) {
            (Layout::Legacy, "seqhis") => Some(f("ph", 0)),
            (Layout::Legacy, "seqmat") => Some(f("ph", 1)),
            (Layout::NpFold, "seqhis") => Some(f("seq", 0)),
            _ => None,
        }
    }

    fn full_column(&self, name: &str) -> Result<Array> {
        if let Some(e) = self.data.folder.arrays.get(name) {
            return Ok(e.array.clone());
        }
        if let Some(v) = self.view_column(name) {
            return v;
        }
        if let Some(a) = self
            .data
            .derived
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(name)
        {
            return Ok(a.clone());
        }
        let a = self.compute(name)?;
        self.data
            .derived
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(name.to_string(), a.clone());
        Ok(a)
    }

    fn unknown(&self, name: &str) -> crate::error::Error {
        let mut known = self.array_names();
        known.extend(self.derived_names().into_iter().map(str::to_string));
        let missing = &self.data.folder.missing;
        let extra = if missing.contains(&name.to_string()) {
            format!(" ('{name}' is missing from the folder)")
        } else {
            String::new()
        };
        err!(
            "{}: no array or derived column '{name}'{extra}; available: {}",
            self.data.folder.path.display(),
            known.join(" ")
        )
    }

    /// Compute a derived column over this event's rows (selected rows when selected).
    fn compute(&self, name: &str) -> Result<Array> {
        let _s = crate::prof::stage("derive");
        match DERIVED
            .iter()
            .find(|d| d.names.contains(&name) && self.can_derive(d))
        {
            Some(d) => (d.compute)(self, name, self.count()),
            None => Err(self.unknown(name)),
        }
    }

    /// `rpost rpol wavelength m1 m2 bd fl`: decompressed from the legacy step records.
    fn derive_records(&self, name: &str, n: usize) -> Result<Array> {
        let rx = self.column_untrimmed("rx")?;
        let r = rx.shape().get(1).copied().unwrap_or(0);
        let s = derived::rx_slice(&rx)?;
        let dom = self.domains().copied();
        let need_dom = || -> Result<Domains> {
            dom.ok_or_else(|| {
                err!(
                    "{}: '{name}' needs the domains (fdom.npy is missing)",
                    self.data.folder.path.display()
                )
            })
        };
        Ok(match name {
            "rpost" => {
                let d = need_dom()?;
                let _k = crate::prof::stage("decompress");
                let v = derived::map_records(&s, 4, |a, o| derived::rpost_into(&d, a, o))?;
                Array::from_vec(v, vec![n, r, 4])?
            }
            "rpol" => {
                let _k = crate::prof::stage("decompress");
                let v = derived::map_records(&s, 3, derived::rpol_into)?;
                Array::from_vec(v, vec![n, r, 3])?
            }
            "wavelength" => {
                let d = need_dom()?;
                let v = derived::map_records(&s, 1, |a, o| derived::wavelength_into(&d, a, o))?;
                Array::from_vec(v, vec![n, r])?
            }
            _ => {
                let f = match name {
                    "m1" => StepField::M1,
                    "m2" => StepField::M2,
                    "bd" => StepField::Bd,
                    _ => StepField::Fl,
                };
                let v = derived::map_records(&s, 1, |a, o| derived::field_into(f, a, o))?;
                if f == StepField::Bd {
                    Array::from_vec_typed(v, DType::I8, vec![n, r])?
                } else {
                    Array::from_vec(v, vec![n, r])?
                }
            }
        })
    }

    /// `boundary sensor pflags`: words of the legacy final photon `ox`.
    fn derive_ox(&self, name: &str, n: usize) -> Result<Array> {
        let ox = self.column_untrimmed("ox")?;
        let w = derived::quad_words(&ox, 3, "ox")?;
        Ok(match name {
            "boundary" => Array::from_vec(
                w.chunks_exact(4)
                    .map(|q| (q[0] >> 16) as u16 as i16)
                    .collect::<Vec<i16>>(),
                vec![n],
            )?,
            "sensor" => Array::from_vec(
                w.chunks_exact(4)
                    .map(|q| (q[0] & 0xffff) as u16)
                    .collect::<Vec<u16>>(),
                vec![n],
            )?,
            _ => Array::from_vec(
                w.chunks_exact(4).map(|q| q[3]).collect::<Vec<u32>>(),
                vec![n],
            )?,
        })
    }

    /// `boundary flag orient identity index flagmask`: words of the NPFold `photon`.
    fn derive_photon(&self, name: &str, n: usize) -> Result<Array> {
        let ph = self.column_untrimmed("photon")?;
        let w = derived::quad_words(&ph, 3, "photon")?;
        let v: Vec<u32> = match name {
            "boundary" => w.chunks_exact(4).map(|q| (q[0] >> 16) & 0x7fff).collect(),
            "flag" => w.chunks_exact(4).map(|q| q[0] & 0xffff).collect(),
            "orient" => w.chunks_exact(4).map(|q| q[0] >> 31).collect(),
            "identity" => w.chunks_exact(4).map(|q| q[1]).collect(),
            "index" => w.chunks_exact(4).map(|q| q[2]).collect(),
            _ => w.chunks_exact(4).map(|q| q[3]).collect(),
        };
        Array::from_vec(v, vec![n])
    }

    /// `seqhis seqmat npoints` over the rows (two words per code for NPFold's 32 slots).
    fn derive_codes(&self, name: &str, n: usize) -> Result<Array> {
        let full = if name == "seqmat" {
            self.seqmat()?
        } else {
            self.seqhis()?
        };
        let idx = self.rows();
        let pieces = idx.index_pieces(1 << 20);
        let wide = self.layout() == Layout::NpFold;
        if name == "npoints" {
            let v: Vec<u8> = pieces
                .iter()
                .flat_map(|p| {
                    p.iter()
                        .map(|&i| flags::npoints(full.get(i as usize)) as u8)
                })
                .collect();
            return Array::from_vec(v, vec![n]);
        }
        if wide {
            let v: Vec<u64> = pieces
                .iter()
                .flat_map(|p| {
                    p.iter().flat_map(|&i| {
                        let c = full.get(i as usize);
                        [c as u64, (c >> 64) as u64]
                    })
                })
                .collect();
            Array::from_vec(v, vec![n, 2])
        } else {
            let v: Vec<u64> = pieces
                .iter()
                .flat_map(|p| p.iter().map(|&i| full.get(i as usize) as u64))
                .collect();
            Array::from_vec(v, vec![n])
        }
    }

    /// Compressed records of loaded rows `r` (legacy), as `r.len() * R * 8` i16 (borrowed
    /// from the mapping when possible): feed to [`derived::rpost_into`].
    pub fn rx_rows(&self, r: std::ops::Range<usize>) -> Result<std::borrow::Cow<'_, [i16]>> {
        let rx = self.base("rx")?;
        let rec = rx.shape().get(1).copied().unwrap_or(0) * derived::REC_I16;
        let a = &self.data.folder.arrays["rx"].array;
        let full = derived::rx_slice(a)?;
        Ok(match full {
            std::borrow::Cow::Borrowed(s) => {
                std::borrow::Cow::Borrowed(&s[r.start * rec..r.end * rec])
            }
            std::borrow::Cow::Owned(v) => {
                std::borrow::Cow::Owned(v[r.start * rec..r.end * rec].to_vec())
            }
        })
    }

    /// Records per photon (R) of the legacy `rx` array.
    pub fn maxrec(&self) -> Result<usize> {
        Ok(self.base("rx")?.shape().get(1).copied().unwrap_or(0))
    }
}

/// Derived columns computed the same way: their names, the layout they exist for, the
/// stored arrays they are computed from, whether they need the domains (fdom), whether
/// their second axis is the step point (trimmed for one-history selections), and the
/// function computing one of them over `n` rows.
pub struct Derived {
    pub names: &'static [&'static str],
    pub layout: Layout,
    pub inputs: &'static [&'static str],
    pub domains: bool,
    pub per_step: bool,
    compute: fn(&Event, &str, usize) -> Result<Array>,
}

/// Every derived column, the one list `derived_names`, `compute` and the per-step
/// trimming read.
pub const DERIVED: &[Derived] = &[
    Derived {
        names: &["rpost", "wavelength"],
        layout: Layout::Legacy,
        inputs: &["rx"],
        domains: true,
        per_step: true,
        compute: Event::derive_records,
    },
    Derived {
        names: &["rpol", "m1", "m2", "bd", "fl"],
        layout: Layout::Legacy,
        inputs: &["rx"],
        domains: false,
        per_step: true,
        compute: Event::derive_records,
    },
    Derived {
        names: &["boundary", "sensor", "pflags"],
        layout: Layout::Legacy,
        inputs: &["ox"],
        domains: false,
        per_step: false,
        compute: Event::derive_ox,
    },
    Derived {
        names: &["seqhis", "seqmat", "npoints"],
        layout: Layout::Legacy,
        inputs: &["ph"],
        domains: false,
        per_step: false,
        compute: Event::derive_codes,
    },
    Derived {
        names: &[
            "boundary", "flag", "orient", "identity", "index", "flagmask",
        ],
        layout: Layout::NpFold,
        inputs: &["photon"],
        domains: false,
        per_step: false,
        compute: Event::derive_photon,
    },
    Derived {
        names: &["seqhis", "npoints"],
        layout: Layout::NpFold,
        inputs: &["seq"],
        domains: false,
        per_step: false,
        compute: Event::derive_codes,
    },
];

/// Stored arrays whose second axis is the step point.
const STORED_PER_STEP: &[&str] = &["rx", "record", "rec"];

/// Is `name` a per-step array (trimmed to the number of points for one-history
/// selections)?
fn is_per_step(name: &str) -> bool {
    STORED_PER_STEP.contains(&name)
        || DERIVED
            .iter()
            .any(|d| d.per_step && d.names.contains(&name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_table_is_consistent() {
        let mut seen = vec![];
        for d in DERIVED {
            for n in d.names {
                assert!(
                    !seen.contains(&(n, d.layout)),
                    "{n} listed twice for one layout"
                );
                seen.push((n, d.layout));
                if d.per_step {
                    assert_eq!(d.inputs, &["rx"], "{n}: per-step columns come from rx");
                }
            }
            assert!(!d.inputs.is_empty(), "{:?} have no input", d.names);
        }
        assert!(is_per_step("rpost") && is_per_step("rx") && !is_per_step("boundary"));
    }

    /// A generated legacy event derives every legacy column of the table, with the shapes
    /// the layout promises, and trims per-step columns for a one-history selection.
    #[test]
    fn legacy_event_derives_its_columns() {
        let dir = tempfile::tempdir().unwrap();
        let g = crate::event::gen::generate(
            dir.path(),
            &crate::event::gen::GenOptions { n: 500, seed: 3 },
        )
        .unwrap();
        let e = Event::open(&g.a, &OpenOptions::default()).unwrap();
        let want: Vec<&str> = DERIVED
            .iter()
            .filter(|d| d.layout == Layout::Legacy)
            .flat_map(|d| d.names.iter().copied())
            .collect();
        assert_eq!(e.derived_names(), want);
        let r = e.maxrec().unwrap();
        assert_eq!(e.column("rpost").unwrap().shape(), &[500, r, 4]);
        assert_eq!(e.column("rpol").unwrap().shape(), &[500, r, 3]);
        assert_eq!(e.column("bd").unwrap().dtype(), &DType::I8);
        assert_eq!(e.column("pflags").unwrap().shape(), &[500]);
        assert_eq!(e.column("seqhis").unwrap().shape(), &[500]);
        let err = e.column("nope").unwrap_err().to_string();
        assert!(err.contains("no array or derived column 'nope'"), "{err}");
        assert!(err.contains("rpost"), "{err}");
        // One history: per-step columns have as many points as the history.
        let counts = e.counts(Kind::Seqhis).unwrap();
        let (k, _) = counts
            .counts
            .iter()
            .enumerate()
            .max_by_key(|(_, &c)| c)
            .unwrap();
        let code = counts.codes[k];
        let sel = e.select(&[format!("0x{code:x}")]).unwrap();
        let np = flags::npoints(code);
        assert_eq!(sel.column("rpost").unwrap().shape()[1], np);
        assert_eq!(sel.column("rx").unwrap().shape()[1], np);
    }
}
