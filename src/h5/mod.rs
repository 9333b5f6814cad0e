//! HDF5: browse files, read hyperslabs lazily, stream chunked datasets in parallel.
//!
//! `H5File::open` reads only the superblock; objects are opened by path on demand.
//! A [`H5Dataset`] knows its shape, datatype, layout and filters without reading data;
//! [`H5Dataset::read`] reads exactly the selected hyperslab, through the parallel direct
//! chunk path (`chunks`) when the filters are deflate/shuffle, otherwise through the
//! library. Every entry point runs under `catch_unwind` and turns the library's error
//! stack into an evsh error naming the file and the object, because damaged files must
//! never crash the shell.

pub mod browse;
pub mod chunks;
pub mod ffi;
pub mod lzf;
pub mod read;
pub mod sel;
pub mod types;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hdf5_sys::h5d::*;
use hdf5_sys::h5i::{hid_t, H5I_type_t};
use hdf5_sys::h5p::*;
use hdf5_sys::h5s::*;

use crate::array::{Array, DType};
use crate::error::{Error, Result};
use crate::{bail, err};
use ffi::{check, cstr, locked, Hid, Kind};

pub use sel::Sel;

/// Run `f`, turning a panic (in this code or the bindings) into an error naming `what`.
pub fn guard<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(err!("{what}: internal error while reading HDF5: {msg}"))
        }
    }
}

struct FileInner {
    hid: Hid,
    path: PathBuf,
}

/// An open HDF5 file (read-only). Cheap to clone.
#[derive(Clone)]
pub struct H5File {
    inner: Arc<FileInner>,
}

/// An open group. Cheap to clone.
#[derive(Clone)]
pub struct H5Group {
    file: H5File,
    path: String,
    hid: Arc<Hid>,
}

/// An open dataset with its metadata (no data read yet). Cheap to clone.
#[derive(Clone)]
pub struct H5Dataset {
    file: H5File,
    path: String,
    hid: Arc<Hid>,
    info: Arc<DsInfo>,
}

/// An object found at a path.
#[derive(Clone)]
pub enum Node {
    Group(H5Group),
    Dataset(H5Dataset),
    /// A committed (named) datatype, described.
    Datatype(String),
}

/// Storage layout of a dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    Compact,
    Contiguous,
    Chunked,
    Virtual,
    External,
}

impl Layout {
    pub fn name(self) -> &'static str {
        match self {
            Layout::Compact => "compact",
            Layout::Contiguous => "contiguous",
            Layout::Chunked => "chunked",
            Layout::Virtual => "virtual",
            Layout::External => "external",
        }
    }
}

/// One filter of a dataset's pipeline.
#[derive(Clone, Debug)]
pub struct FilterInfo {
    pub id: i32,
    pub name: String,
    pub flags: u32,
    pub cd_values: Vec<u32>,
    /// The library can run it (built in or plugin found).
    pub available: bool,
}

/// Filter ids evsh decodes itself on the parallel chunk path.
pub const FILTER_DEFLATE: i32 = 1;
pub const FILTER_SHUFFLE: i32 = 2;
pub const FILTER_LZF: i32 = 32000;

/// Offsets and stored sizes of the chunks a dataset has in the file.
pub type StoredChunks = Vec<(Vec<u64>, u64)>;

/// What a dataset is, read from its header.
#[derive(Debug)]
pub struct DsInfo {
    /// Dataspace dims; `None` for a null dataspace (no data at all); `[]` for scalars.
    pub shape: Option<Vec<usize>>,
    pub maxshape: Option<Vec<Option<usize>>>,
    pub layout: Layout,
    pub chunks: Option<Vec<usize>>,
    pub filters: Vec<FilterInfo>,
    /// Bytes allocated in the file (compressed size for chunked data).
    pub storage_size: u64,
    /// Readable datatype ("uint8", "[('a', 'int8')]", "vlen string (utf-8)", "reference[8B]").
    pub type_desc: String,
    /// HDF5 class name of the file datatype.
    pub class: &'static str,
    /// The dtype and sub-array axes reads produce, or why the type cannot be read.
    pub dtype: std::result::Result<(DType, Vec<usize>), String>,
    pub big_endian: bool,
    /// Bytes per element in the file.
    pub file_type_size: usize,
    pub(crate) file_type: Hid,
    /// Offsets of the chunks stored in the file with their stored size, listed once
    /// (only for sparsely written datasets).
    pub(crate) stored: std::sync::OnceLock<Option<StoredChunks>>,
}

fn filter_name(id: i32, given: &str) -> String {
    let known = match id {
        1 => "deflate",
        2 => "shuffle",
        3 => "fletcher32",
        4 => "szip",
        5 => "nbit",
        6 => "scaleoffset",
        305 => "lzo",
        307 => "bzip2",
        32000 => "lzf",
        32001 => "blosc",
        32004 => "lz4",
        32008 => "bitshuffle",
        32013 => "zfp",
        32015 => "zstd",
        32026 => "blosc2",
        _ => "",
    };
    if !known.is_empty() {
        known.to_string()
    } else if !given.is_empty() {
        given.to_string()
    } else {
        format!("filter {id}")
    }
}

impl H5File {
    /// Open `path` read-only. Errors name the file and carry the library's message; a file
    /// that is not HDF5 at all says so.
    pub fn open(path: impl AsRef<Path>) -> Result<H5File> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        guard(&shown, || {
            crate::io::input_file(path, "an HDF5 file")?;
            // Reading the first bytes gives a clear error for unreadable files.
            std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
            let c = cstr(&shown)?;
            lzf::register();
            locked(|| {
                let is = unsafe { hdf5_sys::h5f::H5Fis_hdf5(c.as_ptr()) };
                if is == 0 {
                    let _ = ffi::take_stack();
                    bail!("{shown}: not an HDF5 file (no HDF5 signature found)");
                }
                if is < 0 {
                    return Err(ffi::lib_err(format!("{shown}: cannot open as HDF5")));
                }
                let id = unsafe {
                    hdf5_sys::h5f::H5Fopen(c.as_ptr(), hdf5_sys::h5f::H5F_ACC_RDONLY, H5P_DEFAULT)
                };
                let hid = Hid::new(id, Kind::File, format!("{shown}: cannot open HDF5 file"))?;
                Ok(H5File {
                    inner: Arc::new(FileInner {
                        hid,
                        path: path.to_path_buf(),
                    }),
                })
            })
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The file name as shown in messages.
    pub fn name(&self) -> String {
        self.inner.path.display().to_string()
    }

    pub(crate) fn id(&self) -> hid_t {
        self.inner.hid.id()
    }

    /// The root group.
    pub fn root(&self) -> Result<H5Group> {
        match self.get("/")? {
            Node::Group(g) => Ok(g),
            _ => bail!("{}: the root object is not a group", self.name()),
        }
    }

    /// Open the object at `path` (absolute, or relative to the root).
    pub fn get(&self, path: &str) -> Result<Node> {
        let full = normalize(path);
        let what = format!("{}: object '{full}'", self.name());
        guard(&what, || {
            let c = cstr(&full)?;
            locked(|| {
                let id = unsafe { hdf5_sys::h5o::H5Oopen(self.id(), c.as_ptr(), H5P_DEFAULT) };
                if id < 0 {
                    let stack = ffi::take_stack();
                    if stack.contains("doesn't exist") || stack.contains("not found") {
                        bail!("{}: no object '{full}' ({stack})", self.name());
                    }
                    bail!("{}: cannot open '{full}': {stack}", self.name());
                }
                let hid = Hid::new(id, Kind::Object, &what)?;
                match ffi::id_type(id) {
                    H5I_type_t::H5I_GROUP => Ok(Node::Group(H5Group {
                        file: self.clone(),
                        path: full.clone(),
                        hid: Arc::new(hid),
                    })),
                    H5I_type_t::H5I_DATASET => {
                        let info = ds_info(id, &what)?;
                        Ok(Node::Dataset(H5Dataset {
                            file: self.clone(),
                            path: full.clone(),
                            hid: Arc::new(hid),
                            info: Arc::new(info),
                        }))
                    }
                    H5I_type_t::H5I_DATATYPE => Ok(Node::Datatype(types::describe(id))),
                    _ => bail!("{what}: not a group, dataset or datatype"),
                }
            })
        })
    }

    /// The dataset at `path`, or an error saying what is there instead.
    pub fn dataset(&self, path: &str) -> Result<H5Dataset> {
        match self.get(path)? {
            Node::Dataset(d) => Ok(d),
            Node::Group(g) => bail!("{}: '{}' is a group, not a dataset", self.name(), g.path),
            Node::Datatype(_) => bail!(
                "{}: '{}' is a committed datatype, not a dataset",
                self.name(),
                normalize(path)
            ),
        }
    }

    /// The group at `path`.
    pub fn group(&self, path: &str) -> Result<H5Group> {
        match self.get(path)? {
            Node::Group(g) => Ok(g),
            _ => bail!("{}: '{}' is not a group", self.name(), normalize(path)),
        }
    }
}

/// `a/b` → `/a/b`; `/` stays `/`; repeated and trailing slashes are dropped.
pub fn normalize(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    format!("/{}", parts.join("/"))
}

fn join(base: &str, name: &str) -> String {
    if base == "/" {
        format!("/{name}")
    } else {
        format!("{base}/{name}")
    }
}

impl H5Group {
    pub fn path(&self) -> &str {
        &self.path
    }
    pub fn file(&self) -> &H5File {
        &self.file
    }
    pub(crate) fn id(&self) -> hid_t {
        self.hid.id()
    }
    /// The object `name` inside this group (a relative path).
    pub fn get(&self, name: &str) -> Result<Node> {
        if name.starts_with('/') {
            return self.file.get(name);
        }
        self.file.get(&join(&self.path, name))
    }
}

impl H5Dataset {
    pub fn path(&self) -> &str {
        &self.path
    }
    pub fn file(&self) -> &H5File {
        &self.file
    }
    pub fn info(&self) -> &DsInfo {
        &self.info
    }
    pub(crate) fn id(&self) -> hid_t {
        self.hid.id()
    }
    /// "file.h5: dataset '/a/b'" for messages.
    pub fn what(&self) -> String {
        format!("{}: dataset '{}'", self.file.name(), self.path)
    }
    /// Shape of the arrays a full read gives (dataspace dims plus sub-array axes); an
    /// error for a null dataspace.
    pub fn shape(&self) -> Result<Vec<usize>> {
        let Some(s) = &self.info.shape else {
            bail!("{}: has a null dataspace (it holds no data)", self.what());
        };
        let mut s = s.clone();
        if let Ok((_, sub)) = &self.info.dtype {
            s.extend(sub);
        }
        Ok(s)
    }
    /// The dataspace dims alone (without sub-array axes).
    pub fn dims(&self) -> Result<Vec<usize>> {
        match &self.info.shape {
            Some(s) => Ok(s.clone()),
            None => bail!("{}: has a null dataspace (it holds no data)", self.what()),
        }
    }
}

/// Read a dataset's header facts. Called with the lock held.
fn ds_info(id: hid_t, what: &str) -> Result<DsInfo> {
    unsafe {
        let space = Hid::new(H5Dget_space(id), Kind::Space, format!("{what}: dataspace"))?;
        let (shape, maxshape) = match H5Sget_simple_extent_type(space.id()) {
            H5S_class_t::H5S_NULL => (None, None),
            H5S_class_t::H5S_SCALAR => (Some(vec![]), Some(vec![])),
            H5S_class_t::H5S_SIMPLE => {
                let nd = H5Sget_simple_extent_ndims(space.id());
                if !(0..=32).contains(&nd) {
                    return Err(ffi::lib_err(format!("{what}: bad dataspace rank {nd}")));
                }
                let mut d = vec![0u64; nd as usize];
                let mut m = vec![0u64; nd as usize];
                check(
                    H5Sget_simple_extent_dims(space.id(), d.as_mut_ptr(), m.as_mut_ptr()),
                    format!("{what}: dataspace dims"),
                )?;
                let shape: Vec<usize> = d
                    .iter()
                    .map(|&x| usize::try_from(x).unwrap_or(usize::MAX))
                    .collect();
                let maxs = m
                    .iter()
                    .map(|&x| {
                        if x == u64::MAX {
                            None
                        } else {
                            Some(x as usize)
                        }
                    })
                    .collect();
                (Some(shape), Some(maxs))
            }
            _ => return Err(ffi::lib_err(format!("{what}: unknown dataspace class"))),
        };
        let ftype = Hid::new(H5Dget_type(id), Kind::Type, format!("{what}: datatype"))?;
        let dcpl = Hid::new(
            H5Dget_create_plist(id),
            Kind::Plist,
            format!("{what}: creation properties"),
        )?;
        let mut layout = match H5Pget_layout(dcpl.id()) {
            H5D_layout_t::H5D_COMPACT => Layout::Compact,
            H5D_layout_t::H5D_CHUNKED => Layout::Chunked,
            H5D_layout_t::H5D_VIRTUAL => Layout::Virtual,
            _ => Layout::Contiguous,
        };
        if layout == Layout::Contiguous && H5Pget_external_count(dcpl.id()) > 0 {
            layout = Layout::External;
        }
        let chunks = if layout == Layout::Chunked {
            let mut c = vec![0u64; 32];
            let n = H5Pget_chunk(dcpl.id(), 32, c.as_mut_ptr());
            if n < 0 {
                return Err(ffi::lib_err(format!("{what}: chunk shape")));
            }
            Some(c[..n as usize].iter().map(|&x| x as usize).collect())
        } else {
            None
        };
        let nf = H5Pget_nfilters(dcpl.id()).max(0);
        let mut filters = vec![];
        for i in 0..nf as u32 {
            let mut flags = 0u32;
            let mut nelm: usize = 16;
            let mut cd = vec![0u32; 16];
            let mut name = vec![0u8; 256];
            let mut config = 0u32;
            let fid = H5Pget_filter2(
                dcpl.id(),
                i,
                &mut flags,
                &mut nelm,
                cd.as_mut_ptr(),
                name.len(),
                name.as_mut_ptr() as *mut _,
                &mut config,
            );
            if fid < 0 {
                let _ = ffi::take_stack();
                continue;
            }
            cd.truncate(nelm.min(16));
            let given = ffi::from_cstr(name.as_ptr() as *const _);
            let avail = hdf5_sys::h5z::H5Zfilter_avail(fid) > 0;
            let _ = ffi::take_stack();
            filters.push(FilterInfo {
                id: fid,
                name: filter_name(fid, &given),
                flags,
                cd_values: cd,
                available: avail,
            });
        }
        let storage_size = H5Dget_storage_size(id);
        let type_desc = types::describe(ftype.id());
        let class = types::class_name(ftype.id());
        let dtype = types::map_type(ftype.id()).map(|m| (m.dtype, m.sub_shape));
        let big_endian = types::is_big_endian(ftype.id());
        let file_type_size = hdf5_sys::h5t::H5Tget_size(ftype.id());
        let _ = ffi::take_stack();
        Ok(DsInfo {
            shape,
            maxshape,
            layout,
            chunks,
            filters,
            storage_size,
            type_desc,
            class,
            dtype,
            big_endian,
            file_type_size,
            file_type: ftype,
            stored: std::sync::OnceLock::new(),
        })
    }
}

/// Upper bound of one block of a blocked reduction, whatever the budget.
const MAX_BLOCK_BYTES: usize = 256 << 20;

/// Datasets feed the blocked reductions of [`crate::array::blocked`].
impl crate::array::blocked::RowBlocks for H5Dataset {
    fn what(&self) -> String {
        H5Dataset::what(self)
    }
    fn shape(&self) -> Result<Vec<usize>> {
        H5Dataset::shape(self)
    }
    fn dtype(&self) -> Result<DType> {
        Ok(self.plan()?.dtype)
    }
    fn rows(&self) -> Result<Option<usize>> {
        Ok(self.dims()?.first().copied())
    }
    fn read_all(&self) -> Result<Array> {
        self.read()
    }
    fn read_rows(&self, lo: usize, hi: usize) -> Result<Array> {
        H5Dataset::read_rows(self, lo, hi)
    }
    /// Rows of axis 0 per block: a whole number of chunks along axis 0, about a quarter of
    /// the memory budget (at most 256 MiB), at least one chunk row.
    fn block_rows(&self) -> Result<usize> {
        let ds = self;
        let tm = ds.plan()?;
        let shape = ds.shape()?;
        let row_bytes: usize = shape.iter().skip(1).product::<usize>().max(1) * tm.dtype.itemsize();
        let chunk0 = ds
            .info()
            .chunks
            .as_ref()
            .and_then(|c| c.first().copied())
            .unwrap_or(1)
            .max(1);
        let target = (crate::exec::mem_budget() / 4).min(MAX_BLOCK_BYTES);
        let rows = (target / row_bytes.max(1)) / chunk0 * chunk0;
        Ok(rows.max(chunk0))
    }
}
