//! Event folders on disk: which layout a folder has (legacy tag folder or NPFold), which
//! arrays it holds, their metadata, and the consistency checks made on opening. Only
//! headers are read: every array is memory-mapped by `io::npy::load`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::array::rows::parse_row_slice;
use crate::array::Array;
use crate::error::{Error, Result};
use crate::{bail, err};

/// The two on-disk layouts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// One `.npy` per array in a tag folder (`ox rx ph bn so ht gs fdom idom`).
    Legacy,
    /// An NPFold folder (`photon record seq hit genstep domain ...`, `NPFold_index.txt`).
    NpFold,
}

impl Layout {
    pub fn name(self) -> &'static str {
        match self {
            Layout::Legacy => "legacy",
            Layout::NpFold => "npfold",
        }
    }
    /// The array that defines the number of photons.
    pub fn primary(self) -> &'static str {
        match self {
            Layout::Legacy => "ox",
            Layout::NpFold => "photon",
        }
    }
    /// Names of arrays whose first axis is the photon index.
    pub fn photon_shaped(self) -> &'static [&'static str] {
        match self {
            Layout::Legacy => &["ox", "rx", "ph", "bn", "so", "ps", "rs", "wl"],
            Layout::NpFold => &[
                "photon", "record", "rec", "seq", "prd", "tag", "flat", "aux", "sup",
            ],
        }
    }
    /// The arrays a complete event of this layout has (missing ones are reported).
    pub fn expected(self) -> &'static [&'static str] {
        match self {
            Layout::Legacy => &["ox", "rx", "ph", "bn", "so", "ht", "gs", "fdom", "idom"],
            Layout::NpFold => &["photon", "record", "seq", "hit", "genstep", "domain"],
        }
    }
}

/// One array of an event folder.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Name: the file stem, with the sub-folder prefix for NPFold sub-folders (`sub/photon`).
    pub name: String,
    pub path: PathBuf,
    /// The array as loaded (row-sliced if photon-shaped and a slice was given).
    pub array: Array,
    /// First axis is the photon index.
    pub photon: bool,
    /// Rows in the file (first axis length).
    pub file_rows: usize,
    pub mtime: Option<SystemTime>,
}

/// A scanned event folder.
#[derive(Clone, Debug)]
pub struct Folder {
    pub path: PathBuf,
    pub layout: Layout,
    pub arrays: BTreeMap<String, Entry>,
    /// Key/value metadata from `*_meta.txt` (keys prefixed with the file stem when not
    /// the folder's own `NPFold_meta.txt`).
    pub meta: BTreeMap<String, String>,
    /// Expected arrays that are absent.
    pub missing: Vec<String>,
    /// Things the user should know (mixed timestamps, keys in the index without files).
    pub warnings: Vec<String>,
    /// Photons in the files.
    pub file_photons: usize,
    /// Photons loaded (after the slice).
    pub photons: usize,
    /// The slice as typed, and the first file row it keeps.
    pub slice: Option<String>,
    pub slice_start: usize,
}

/// Spread of modification times above which a folder's arrays are "mixed".
const MIXED_SECS: u64 = 600;

/// Decide the layout of `dir`.
pub fn detect(dir: &Path) -> Result<Layout> {
    if !dir.exists() {
        bail!("{}: no such event folder", dir.display());
    }
    if !dir.is_dir() {
        bail!(
            "{}: not a folder (an event is a folder of .npy files)",
            dir.display()
        );
    }
    let has = |n: &str| dir.join(n).is_file();
    if has("NPFold_index.txt") || has("photon.npy") || has("seq.npy") || has("record.npy") {
        return Ok(Layout::NpFold);
    }
    if has("ox.npy") || has("ph.npy") || has("rx.npy") {
        return Ok(Layout::Legacy);
    }
    let npys: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".npy"))
        .collect();
    bail!(
        "{}: not an event folder: found neither NPFold_index.txt/photon.npy (NPFold) nor ox.npy/ph.npy (legacy tag folder){}",
        dir.display(),
        if npys.is_empty() {
            String::from("; it holds no .npy files")
        } else {
            format!("; it holds {}", npys.join(", "))
        }
    )
}

/// The `.npy` members of an event folder. A member that is not a readable regular file
/// (a dangling link, a FIFO, a device) is an error naming it as broken, not a missing array.
fn npy_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "npy"))
        .collect();
    v.sort();
    for p in &v {
        if let Err(e) = crate::io::input_file(p, "a .npy file") {
            bail!(
                "{}: the member file {} is broken: {e}",
                dir.display(),
                p.file_name().unwrap_or_default().to_string_lossy()
            );
        }
    }
    Ok(v)
}

fn parse_meta(path: &Path, prefix: &str, out: &mut BTreeMap<String, String>) -> Result<()> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    for line in text.lines() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let (k, v) = match l.split_once(':').or_else(|| l.split_once('=')) {
            Some((k, v)) => (k.trim(), v.trim()),
            None => (l, ""),
        };
        out.insert(format!("{prefix}{k}"), v.to_string());
    }
    Ok(())
}

/// Scan `dir`: detect the layout, map every array (row-slicing photon-shaped ones with
/// `slice`), read metadata, and check the photon arrays agree.
pub fn scan(dir: &Path, slice: Option<&str>) -> Result<Folder> {
    let layout = detect(dir)?;
    let mut files: Vec<(String, PathBuf)> = npy_files(dir)?
        .into_iter()
        .map(|p| {
            let stem = p
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            (stem, p)
        })
        .collect();
    let mut meta = BTreeMap::new();
    let mut warnings = vec![];
    let metas = |d: &Path, prefix: &str, meta: &mut BTreeMap<String, String>| -> Result<()> {
        let rd = std::fs::read_dir(d).map_err(|e| Error::io(d, e))?;
        let mut names: Vec<PathBuf> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| {
                p.is_file()
                    && p.file_name()
                        .is_some_and(|n| n.to_string_lossy().ends_with("_meta.txt"))
            })
            .collect();
        names.sort();
        for p in names {
            let fname = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let stem = fname.trim_end_matches("_meta.txt");
            let pre = if stem == "NPFold" || stem == "evt" {
                prefix.to_string()
            } else {
                format!("{prefix}{stem}.")
            };
            parse_meta(&p, &pre, meta)?;
        }
        Ok(())
    };
    metas(dir, "", &mut meta)?;
    if layout == Layout::NpFold {
        // Sub-folders (one level and their children), and keys the index lists.
        let mut subs: Vec<(String, PathBuf)> = vec![];
        for e in std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .filter_map(|e| e.ok())
        {
            if e.path().is_dir() {
                subs.push((e.file_name().to_string_lossy().to_string(), e.path()));
            }
        }
        subs.sort();
        let mut k = 0;
        while k < subs.len() && k < 256 {
            let (name, p) = subs[k].clone();
            for f in npy_files(&p)? {
                let stem = f
                    .file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .to_string();
                files.push((format!("{name}/{stem}"), f));
            }
            metas(&p, &format!("{name}/"), &mut meta)?;
            if name.matches('/').count() < 2 {
                for e in std::fs::read_dir(&p)
                    .map_err(|e| Error::io(&p, e))?
                    .filter_map(|e| e.ok())
                {
                    if e.path().is_dir() {
                        subs.push((
                            format!("{name}/{}", e.file_name().to_string_lossy()),
                            e.path(),
                        ));
                    }
                }
            }
            k += 1;
        }
        let idx = dir.join("NPFold_index.txt");
        if idx.is_file() {
            let text = std::fs::read_to_string(&idx).map_err(|e| Error::io(&idx, e))?;
            for key in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
                let stem = key.trim_end_matches(".npy");
                let is_file = key.ends_with(".npy");
                let present = if is_file {
                    files.iter().any(|(n, _)| n == stem)
                } else {
                    dir.join(key).is_dir() || files.iter().any(|(n, _)| n == stem)
                };
                if !present {
                    warnings.push(format!(
                        "NPFold_index.txt lists '{key}' but the folder has no such {}",
                        if is_file { "file" } else { "sub-folder" }
                    ));
                }
            }
        }
    }
    let photon_names = layout.photon_shaped();
    let primary = layout.primary();
    // Photons in the files: from the primary array, else any photon-shaped one.
    let mut arrays: BTreeMap<String, Entry> = BTreeMap::new();
    let mut mtimes = vec![];
    for (name, p) in &files {
        let photon = photon_names.contains(&name.as_str());
        let a = crate::io::npy::load(p, None)?;
        let mtime = std::fs::metadata(p).ok().and_then(|m| m.modified().ok());
        if let Some(t) = mtime {
            mtimes.push((t, name.clone()));
        }
        if photon && a.ndim() == 0 {
            bail!(
                "{}: a photon array must have a first axis, found a 0-d array",
                p.display()
            );
        }
        let file_rows = if a.ndim() == 0 { 1 } else { a.shape()[0] };
        arrays.insert(
            name.clone(),
            Entry {
                name: name.clone(),
                path: p.clone(),
                array: a,
                photon,
                file_rows,
                mtime,
            },
        );
    }
    let ref_name = if arrays.contains_key(primary) {
        Some(primary.to_string())
    } else {
        photon_names
            .iter()
            .find(|n| arrays.contains_key(**n))
            .map(|s| s.to_string())
    };
    let file_photons = match &ref_name {
        Some(n) => arrays[n].file_rows,
        None => bail!(
            "{}: no photon arrays ({}) in this {} folder",
            dir.display(),
            photon_names.join(", "),
            layout.name()
        ),
    };
    let ref_name = ref_name.expect("set above");
    let bad: Vec<String> = arrays
        .values()
        .filter(|e| e.photon && e.file_rows != file_photons)
        .map(|e| format!("{} has {} rows", e.name, e.file_rows))
        .collect();
    if !bad.is_empty() {
        bail!(
            "{}: photon arrays of unequal length: {} has {} rows but {}; refusing to pair them row by row",
            dir.display(),
            ref_name,
            file_photons,
            bad.join(", ")
        );
    }
    let range = match slice {
        Some(s) => {
            parse_row_slice(s, file_photons).map_err(|e| err!("{}: slice: {e}", dir.display()))?
        }
        None => 0..file_photons,
    };
    if slice.is_some() {
        for e in arrays.values_mut().filter(|e| e.photon) {
            e.array = e
                .array
                .slice_axis(0, Some(range.start as i64), Some(range.end as i64), 1)?;
        }
    }
    if let (Some(lo), Some(hi)) = (
        mtimes.iter().min_by_key(|m| m.0),
        mtimes.iter().max_by_key(|m| m.0),
    ) {
        if let Ok(d) = hi.0.duration_since(lo.0) {
            if d.as_secs() > MIXED_SECS {
                warnings.push(format!(
                    "mixed timestamps: {} was written {} after {} (arrays of one event are normally written together)",
                    hi.1,
                    human_secs(d.as_secs()),
                    lo.1
                ));
            }
        }
    }
    let missing = layout
        .expected()
        .iter()
        .filter(|n| !arrays.contains_key(**n))
        .map(|s| s.to_string())
        .collect();
    Ok(Folder {
        path: dir.to_path_buf(),
        layout,
        arrays,
        meta,
        missing,
        warnings,
        file_photons,
        photons: range.len(),
        slice: slice.map(str::to_string),
        slice_start: range.start,
    })
}

fn human_secs(s: u64) -> String {
    if s >= 86400 {
        format!("{:.1} days", s as f64 / 86400.0)
    } else if s >= 3600 {
        format!("{:.1} hours", s as f64 / 3600.0)
    } else {
        format!("{:.0} minutes", s as f64 / 60.0)
    }
}
