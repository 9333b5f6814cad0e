//! The code columns of an event (seqhis, seqmat, pflags as [`history::CodeSource`]s over
//! the loaded rows) and the history tables counted from them, cached per event.
use std::sync::Arc;

use super::*;

impl Event {
    pub(super) fn base(&self, name: &str) -> Result<&Array> {
        match self.data.folder.arrays.get(name) {
            Some(e) => Ok(&e.array),
            None => bail!(
                "{}: this {} event has no '{name}' array",
                self.data.folder.path.display(),
                self.layout().name()
            ),
        }
    }

    /// The seqhis codes of all loaded rows (not the selection).
    pub fn seqhis(&self) -> Result<WordCol> {
        match self.layout() {
            Layout::Legacy => {
                let ph = self.base("ph")?;
                check_shape(ph, "ph", &[1, 2], &DType::U64)?;
                WordCol::new(&ph.index_axis(2, 0)?.index_axis(1, 0)?, None)
            }
            Layout::NpFold => {
                let seq = self.base("seq")?;
                check_shape(seq, "seq", &[2, 2], &DType::U64)?;
                let h = seq.index_axis(1, 0)?;
                WordCol::new(&h.index_axis(1, 0)?, Some(&h.index_axis(1, 1)?))
            }
        }
    }

    /// The seqmat codes (legacy `ph[:,0,1]`).
    pub fn seqmat(&self) -> Result<WordCol> {
        match self.layout() {
            Layout::Legacy => {
                let ph = self.base("ph")?;
                check_shape(ph, "ph", &[1, 2], &DType::U64)?;
                WordCol::new(&ph.index_axis(2, 1)?.index_axis(1, 0)?, None)
            }
            Layout::NpFold => bail!(
                "NPFold events have no seqmat (seq holds seqhis and seqbnd); use e.his or e.flg"
            ),
        }
    }

    /// The pflags (legacy `ox[:,3,3]`) or flagmask (NPFold `photon[:,3,3]`) masks.
    pub fn pflags(&self) -> Result<WordCol> {
        let (name, a) = match self.layout() {
            Layout::Legacy => ("ox", self.base("ox")?),
            Layout::NpFold => ("photon", self.base("photon")?),
        };
        check_shape(a, name, &[4, 4], &DType::F32)
            .or_else(|_| check_shape(a, name, &[4, 4], &DType::U32))?;
        let w = a.index_axis(1, 3)?.index_axis(1, 3)?.view_as(DType::U32)?;
        WordCol::new(&w, None)
    }

    fn code_source(&self, kind: Kind) -> Result<WordCol> {
        match kind {
            Kind::Seqhis => self.seqhis(),
            Kind::Seqmat => self.seqmat(),
            Kind::Pflags => self.pflags(),
        }
    }

    /// Counts of distinct codes within this event (or selection), cached.
    pub fn counts(&self, kind: Kind) -> Result<Arc<Counts>> {
        let cache = match &self.sel {
            Some(s) => &s.counts,
            None => &self.data.counts,
        };
        if let Some(c) = cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(kind.name())
        {
            return Ok(c.clone());
        }
        let src = self.code_source(kind)?;
        let c = match &self.sel {
            None => history::count(&src)?,
            Some(s) => match s.rows.rows() {
                select::Rows::Range(r) => {
                    let sub = SubRange {
                        src: &src,
                        lo: r.start,
                        n: r.len(),
                    };
                    history::count(&sub)?
                }
                _ => history::count_rows(&src, &s.rows.indices())?,
            },
        };
        let c = Arc::new(c);
        cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(kind.name(), c.clone());
        Ok(c)
    }

    /// The label of a code of `kind` with this event's tables.
    pub fn label_of(&self, kind: Kind, code: u128) -> String {
        match kind {
            Kind::Seqhis => self.data.flags.label(code),
            Kind::Seqmat => self.data.materials.label(code),
            Kind::Pflags => self.data.flags.mask_label(code as u32),
        }
    }

    /// The history (or material / flag-mask) table.
    pub fn table(&self, kind: Kind) -> Result<Table> {
        let _s = crate::prof::span(match kind {
            Kind::Seqhis => "e.his",
            Kind::Seqmat => "e.mat",
            Kind::Pflags => "e.flg",
        });
        let c = self.counts(kind)?;
        let title = self.short_name();
        Ok(history::table(&c, kind, &title, &|code| {
            self.label_of(kind, code)
        }))
    }

    pub(super) fn short_name(&self) -> String {
        let p = self.data.folder.path.display().to_string();
        match &self.sel {
            Some(s) => format!("{p} sel \"{}\"", s.spec),
            None => p,
        }
    }

    /// The single history of this selection, if all its photons share one.
    pub fn single_history(&self) -> Result<Option<u128>> {
        if self.sel.is_none() {
            return Ok(None);
        }
        let c = self.counts(Kind::Seqhis)?;
        Ok(if c.len() == 1 { Some(c.codes[0]) } else { None })
    }
}
