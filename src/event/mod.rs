//! Photon events: lazy event objects over legacy tag folders and NPFold folders, their
//! derived columns, history tables and selections.
//!
//! An [`Event`] is a cheap handle (`Arc` inside): opening maps the files and reads their
//! headers; a derived column is computed the first time it is read and cached; a
//! selection is a new `Event` that shares the data and holds only a [`RowSet`], gathering
//! (and caching) columns through it when they are read. Nothing is ever mutated behind
//! a user's back.
//!
//! Rust API used by the comparison layer: [`Event::seqhis`] (a [`history::CodeSource`]
//! over all loaded rows), [`Event::rows`], [`Event::column`], [`Event::domains`] /
//! [`derived::Domains::eps`], [`Event::rx_rows`] + [`derived::rpost_into`] /
//! [`derived::rpol_into`] for chunk-wise decompression, [`Event::flags`] with
//! [`flags::FlagTable::label`] / [`flags::FlagTable::encode`], and [`history::count`].

pub mod derived;
pub mod flags;
pub mod folder;
pub mod gen;
pub mod history;
pub mod select;

mod codes;
mod columns;
mod display;
mod selecting;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::array::{Array, DType};
use crate::error::Result;
use crate::output::table::{Col, Table};
use crate::{bail, err};

use derived::{Domains, StepField};
use flags::{FlagTable, Materials};
use folder::{Folder, Layout};
use history::{CodeSource, Counts, Kind};
use select::{RowSet, Spec};

/// Options for [`Event::open`].
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    /// Row slice applied to photon-shaped arrays (`"0:1M"`).
    pub slice: Option<String>,
    /// Flag table by name (`legacy`, `v2025`), overriding metadata and detection.
    pub flags: Option<String>,
}

/// A column of 4- or 8-byte words (optionally two u64 for 32-slot histories) read by row.
pub struct WordCol {
    _keep: Vec<Array>,
    ptr: usize,
    stride: isize,
    hi: Option<(usize, isize)>,
    width: u8,
    n: usize,
}

impl WordCol {
    /// A 1-d array of u64/u32/i64/i32 (any stride); `hi` an optional second u64 column
    /// (upper 16 slots).
    pub fn new(lo: &Array, hi: Option<&Array>) -> Result<WordCol> {
        if lo.ndim() != 1 {
            bail!("internal: code column must be 1-d, found {:?}", lo.shape());
        }
        let width = lo.dtype().itemsize() as u8;
        if !(width == 4 || width == 8) || !lo.dtype().is_int() {
            bail!(
                "code column: expected 4- or 8-byte integers, found {}",
                lo.dtype().name()
            );
        }
        let lo = lo.native().clone();
        let ptr = lo.buf().bytes().as_ptr() as usize + lo.offset();
        let stride = lo.strides()[0];
        let n = lo.len();
        let mut keep = vec![lo];
        let hi = match hi {
            Some(h) => {
                let h = h.native().clone();
                if h.len() != n || h.dtype().itemsize() != 8 {
                    bail!("internal: high code column does not match");
                }
                let p = h.buf().bytes().as_ptr() as usize + h.offset();
                let s = h.strides()[0];
                keep.push(h);
                Some((p, s))
            }
            None => None,
        };
        Ok(WordCol {
            _keep: keep,
            ptr,
            stride,
            hi,
            width,
            n,
        })
    }
}

impl CodeSource for WordCol {
    fn len(&self) -> usize {
        self.n
    }
    #[inline]
    fn get(&self, i: usize) -> u128 {
        assert!(i < self.n);
        // SAFETY: `i < n`, and the kept native arrays were bounds-checked for n elements
        // of this width at this stride; the bytes are immutable and alive in `_keep`.
        unsafe {
            let p = (self.ptr as isize + i as isize * self.stride) as *const u8;
            let lo = if self.width == 8 {
                (p as *const u64).read_unaligned() as u128
            } else {
                (p as *const u32).read_unaligned() as u128
            };
            match self.hi {
                None => lo,
                Some((hp, hs)) => {
                    let q = (hp as isize + i as isize * hs) as *const u64;
                    lo | ((q.read_unaligned() as u128) << 64)
                }
            }
        }
    }
}

/// The shared, immutable data of an opened event plus its caches.
pub struct EventData {
    pub folder: Folder,
    pub flags: FlagTable,
    /// How the flag table was chosen ("metadata", "option", "detected: ...").
    pub flags_from: String,
    pub materials: Materials,
    pub domains: Option<Domains>,
    derived: Mutex<HashMap<String, Array>>,
    counts: Mutex<HashMap<&'static str, Arc<Counts>>>,
}

/// A selection: the rows and what was asked for.
pub struct Selection {
    pub rows: RowSet,
    /// The spec as the user wrote it (for display).
    pub spec: String,
    cache: Mutex<HashMap<String, Array>>,
    counts: Mutex<HashMap<&'static str, Arc<Counts>>>,
}

/// An event, possibly selected. Cheap to clone; immutable.
#[derive(Clone)]
pub struct Event {
    data: Arc<EventData>,
    sel: Option<Arc<Selection>>,
}

impl Event {
    /// Open an event folder (layout detected). Maps files and reads headers only.
    pub fn open(path: impl AsRef<Path>, opts: &OpenOptions) -> Result<Event> {
        let _s = crate::prof::span("event");
        let folder = folder::scan(path.as_ref(), opts.slice.as_deref())?;
        let materials = folder
            .meta
            .get("materials")
            .map(|s| Materials {
                names: s
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            })
            .unwrap_or_default();
        let domains = match folder.arrays.get("fdom") {
            Some(f) => Some(
                Domains::from_arrays(&f.array, folder.arrays.get("idom").map(|e| &e.array))
                    .map_err(|e| err!("{}: {e}", f.path.display()))?,
            ),
            None => None,
        };
        let mut ev = Event {
            data: Arc::new(EventData {
                folder,
                flags: FlagTable::legacy(),
                flags_from: String::new(),
                materials,
                domains,
                derived: Mutex::new(HashMap::new()),
                counts: Mutex::new(HashMap::new()),
            }),
            sel: None,
        };
        let (table, from) = ev.choose_flags(opts.flags.as_deref())?;
        let d = Arc::get_mut(&mut ev.data).expect("not shared yet");
        d.flags = table;
        d.flags_from = from;
        Ok(ev)
    }

    fn choose_flags(&self, explicit: Option<&str>) -> Result<(FlagTable, String)> {
        if let Some(n) = explicit {
            return Ok((FlagTable::by_name(n)?, "option".into()));
        }
        if let Some(m) = self.data.folder.meta.get("flags") {
            if let Ok(t) = FlagTable::by_name(m) {
                return Ok((t, "metadata".into()));
            }
            return Ok((
                FlagTable::from_list(m).map_err(|e| err!("metadata 'flags': {e}"))?,
                "metadata".into(),
            ));
        }
        let default = match self.data.folder.layout {
            Layout::Legacy => FlagTable::legacy(),
            Layout::NpFold => FlagTable::v2025(),
        };
        let src = match self.seqhis() {
            Ok(s) => s,
            Err(_) => return Ok((default, "default (no histories)".into())),
        };
        // First nibbles of a sample of photons: TO is 0xd in the legacy table, 0x3 since
        // mid-2025 (where 0x3 was MI, a miss, which is never a first point).
        let n = src.len();
        let step = (n / 200_000).max(1);
        let mut hist = [0usize; 16];
        let mut i = 0;
        while i < n {
            hist[(src.get(i) & 0xf) as usize] += 1;
            i += step;
        }
        let (c_old, c_new) = (hist[0xd], hist[0x3]);
        Ok(if c_old > c_new {
            (
                FlagTable::legacy(),
                format!("detected: {c_old} sampled first points are 0xd = TO (legacy table)"),
            )
        } else if c_new > c_old {
            (
                FlagTable::v2025(),
                format!("detected: {c_new} sampled first points are 0x3 = TO (v2025 table)"),
            )
        } else {
            (
                default.clone(),
                format!(
                    "default for the {} layout (first points are CK/SI only, the same in both tables)",
                    self.data.folder.layout.name()
                ),
            )
        })
    }

    // ------------------------------------------------------------ properties

    pub fn data(&self) -> &EventData {
        &self.data
    }
    pub fn folder(&self) -> &Folder {
        &self.data.folder
    }
    pub fn layout(&self) -> Layout {
        self.data.folder.layout
    }
    pub fn flags(&self) -> &FlagTable {
        &self.data.flags
    }
    pub fn materials(&self) -> &Materials {
        &self.data.materials
    }
    pub fn domains(&self) -> Option<&Domains> {
        self.data.domains.as_ref()
    }
    /// The selection, if this event is one.
    pub fn selection(&self) -> Option<&Selection> {
        self.sel.as_deref()
    }
    /// Rows loaded (before any selection).
    pub fn loaded(&self) -> usize {
        self.data.folder.photons
    }
    /// Photons in this (possibly selected) event.
    pub fn count(&self) -> usize {
        match &self.sel {
            Some(s) => s.rows.count(),
            None => self.loaded(),
        }
    }
    /// The row set over the loaded rows (all rows when not selected).
    pub fn rows(&self) -> RowSet {
        match &self.sel {
            Some(s) => s.rows.clone(),
            None => RowSet::all(self.loaded()),
        }
    }
    /// Same data, same selection?
    pub fn same_data(&self, o: &Event) -> bool {
        Arc::ptr_eq(&self.data, &o.data)
    }
    /// History slots of this layout's seqhis (16 legacy, 32 NPFold).
    pub fn slots(&self) -> usize {
        match self.layout() {
            Layout::Legacy => 16,
            Layout::NpFold => 32,
        }
    }
}

struct SubRange<'a> {
    src: &'a WordCol,
    lo: usize,
    n: usize,
}
impl CodeSource for SubRange<'_> {
    fn len(&self) -> usize {
        self.n
    }
    #[inline]
    fn get(&self, i: usize) -> u128 {
        self.src.get(self.lo + i)
    }
}

fn fmt_shape(s: &[usize]) -> String {
    let parts: Vec<String> = s.iter().map(|d| d.to_string()).collect();
    if parts.len() == 1 {
        format!("({},)", parts[0])
    } else {
        format!("({})", parts.join(","))
    }
}

fn check_shape(a: &Array, name: &str, tail: &[usize], dt: &DType) -> Result<()> {
    if a.ndim() != tail.len() + 1 || &a.shape()[1..] != tail || a.dtype() != dt {
        bail!(
            "{name}: expected shape (N,{}) of {}, found {:?} {}",
            tail.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(","),
            dt.name(),
            a.shape(),
            a.dtype().name()
        );
    }
    Ok(())
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

impl std::fmt::Debug for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Event({} {} rows)",
            self.data.folder.path.display(),
            self.count()
        )
    }
}
