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

/// Per-step arrays (second axis = step point), trimmed for one-history selections.
const PER_STEP: &[&str] = &[
    "rx",
    "rpost",
    "rpol",
    "wavelength",
    "m1",
    "m2",
    "bd",
    "fl",
    "record",
    "rec",
];

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

    // ------------------------------------------------------------ code columns

    fn base(&self, name: &str) -> Result<&Array> {
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
        if let Some(c) = cache.lock().expect("cache lock").get(kind.name()) {
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
            .expect("cache lock")
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

    fn short_name(&self) -> String {
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

    // ------------------------------------------------------------ selections

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

    // ------------------------------------------------------------ columns

    /// Names of the stored arrays.
    pub fn array_names(&self) -> Vec<String> {
        self.data.folder.arrays.keys().cloned().collect()
    }

    /// Names of derived columns this event can compute.
    pub fn derived_names(&self) -> Vec<&'static str> {
        let has = |n: &str| self.data.folder.arrays.contains_key(n);
        let mut v = vec![];
        match self.layout() {
            Layout::Legacy => {
                if has("rx") {
                    if self.domains().is_some() {
                        v.extend(["rpost", "wavelength"]);
                    }
                    v.extend(["rpol", "m1", "m2", "bd", "fl"]);
                }
                if has("ox") {
                    v.extend(["boundary", "sensor", "pflags"]);
                }
                if has("ph") {
                    v.extend(["seqhis", "seqmat", "npoints"]);
                }
            }
            Layout::NpFold => {
                if has("photon") {
                    v.extend([
                        "boundary", "flag", "orient", "identity", "index", "flagmask",
                    ]);
                }
                if has("seq") {
                    v.extend(["seqhis", "npoints"]);
                }
            }
        }
        v
    }

    /// Any stored or derived column, through the selection (gathered and cached), per-step
    /// arrays trimmed to the number of points for one-history selections.
    pub fn column(&self, name: &str) -> Result<Array> {
        let a = self.column_untrimmed(name)?;
        if PER_STEP.contains(&name) && a.ndim() >= 2 {
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
        if let Some(a) = sel.cache.lock().expect("cache lock").get(name) {
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
            .expect("cache lock")
            .get(name)
            .cloned()
        {
            select::gather(&full, &sel.rows)?
        } else {
            self.compute(name)?
        };
        sel.cache
            .lock()
            .expect("cache lock")
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
        if let Some(a) = self.data.derived.lock().expect("cache lock").get(name) {
            return Ok(a.clone());
        }
        let a = self.compute(name)?;
        self.data
            .derived
            .lock()
            .expect("cache lock")
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
        if !self.derived_names().contains(&name) {
            return Err(self.unknown(name));
        }
        let n = self.count();
        match (self.layout(), name) {
            (Layout::Legacy, "rpost" | "rpol" | "wavelength" | "m1" | "m2" | "bd" | "fl") => {
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
                        let v =
                            derived::map_records(&s, 1, |a, o| derived::wavelength_into(&d, a, o))?;
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
            (Layout::Legacy, "boundary" | "sensor" | "pflags") => {
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
            (
                Layout::NpFold,
                "boundary" | "flag" | "orient" | "identity" | "index" | "flagmask",
            ) => {
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
            (_, "seqhis" | "seqmat" | "npoints") => {
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
            _ => Err(self.unknown(name)),
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

    // ------------------------------------------------------------ display

    /// `e.arrays`: one row per stored array, derived column and missing array.
    pub fn arrays_table(&self) -> Table {
        let f = &self.data.folder;
        let (mut name, mut shape, mut dtype, mut photon, mut kind) =
            (vec![], vec![], vec![], vec![], vec![]);
        let n = self.count();
        for e in f.arrays.values() {
            name.push(e.name.clone());
            let mut s = e.array.shape().to_vec();
            if e.photon && !s.is_empty() {
                s[0] = n;
            }
            shape.push(fmt_shape(&s));
            dtype.push(e.array.dtype().name());
            photon.push(e.photon);
            kind.push(if e.photon && f.slice.is_some() {
                format!("{} (file rows {})", e.array.mem_kind().name(), e.file_rows)
            } else {
                e.array.mem_kind().name().to_string()
            });
        }
        let r = f
            .arrays
            .get("rx")
            .map(|e| e.array.shape().get(1).copied().unwrap_or(0))
            .unwrap_or(0);
        for d in self.derived_names() {
            let (s, t): (Vec<usize>, &str) = match d {
                "rpost" => (vec![n, r, 4], "float32"),
                "rpol" => (vec![n, r, 3], "float32"),
                "wavelength" => (vec![n, r], "float32"),
                "m1" | "m2" | "fl" => (vec![n, r], "uint8"),
                "bd" => (vec![n, r], "int8"),
                "boundary" if self.layout() == Layout::Legacy => (vec![n], "int16"),
                "sensor" => (vec![n], "uint16"),
                "seqhis" if self.layout() == Layout::NpFold => (vec![n, 2], "uint64"),
                "seqhis" | "seqmat" => (vec![n], "uint64"),
                "npoints" => (vec![n], "uint8"),
                _ => (vec![n], "uint32"),
            };
            name.push(d.to_string());
            shape.push(fmt_shape(&s));
            dtype.push(t.to_string());
            photon.push(true);
            let cached = match &self.sel {
                None => self
                    .data
                    .derived
                    .lock()
                    .expect("cache lock")
                    .contains_key(d),
                Some(s) => s.cache.lock().expect("cache lock").contains_key(d),
            };
            kind.push(
                if cached {
                    "derived (cached)"
                } else {
                    "derived"
                }
                .to_string(),
            );
        }
        for m in &f.missing {
            name.push(m.clone());
            shape.push("-".into());
            dtype.push("-".into());
            photon.push(f.layout.photon_shaped().contains(&m.as_str()));
            kind.push("missing".into());
        }
        let mut t = Table::new(Some(format!("arrays of {}", self.short_name())));
        for (k, c) in [
            ("name", Col::Str(name)),
            ("shape", Col::Str(shape)),
            ("dtype", Col::Str(dtype)),
            ("photon", Col::Bool(photon)),
            ("kind", Col::Str(kind)),
        ] {
            t.push(k, c).expect("same length");
        }
        if !f.missing.is_empty() {
            t.footer
                .push(format!("missing (optional): {}", f.missing.join(", ")));
        }
        for w in &f.warnings {
            t.footer.push(format!("warning: {w}"));
        }
        t
    }

    /// A few lines describing the event.
    pub fn summary(&self) -> String {
        let f = &self.data.folder;
        let mut s = format!("Event {} ({})\n", f.path.display(), f.layout.name());
        s.push_str(&format!(
            "  file_photons {}",
            crate::array::rows::format_count(f.file_photons)
        ));
        if let Some(sl) = &f.slice {
            s.push_str(&format!(" load_slice {sl}"));
        }
        s.push_str(&format!(
            " loaded {}\n",
            crate::array::rows::format_count(f.photons)
        ));
        if let Some(sel) = &self.sel {
            s.push_str(&format!(
                "  selection \"{}\": {} photons ({:.4}% of loaded), rows held as {} ({} bytes)\n",
                sel.spec,
                sel.rows.count(),
                100.0 * sel.rows.count() as f64 / f.photons.max(1) as f64,
                sel.rows.kind(),
                sel.rows.nbytes()
            ));
        }
        s.push_str(&format!(
            "  flags {} ({})\n",
            self.data.flags.name, self.data.flags_from
        ));
        let mut names: Vec<String> = vec![];
        for e in f.arrays.values() {
            names.push(format!("{}{}", e.name, fmt_shape(e.array.shape())));
        }
        s.push_str(&format!("  arrays: {}\n", names.join(" ")));
        s.push_str(&format!("  derived: {}", self.derived_names().join(" ")));
        if !f.missing.is_empty() {
            s.push_str(&format!("\n  missing: {}", f.missing.join(" ")));
        }
        for w in &f.warnings {
            s.push_str(&format!("\n  warning: {w}"));
        }
        s
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
