//! Browsing: the links of a group (hard, soft, external, user-defined, in name order),
//! attributes read into arrays, and the `tree()` listing of every group and dataset with
//! dtype, shape, chunk shape, filters and stored size. Listing never reads data, and an
//! object that cannot be opened (dangling link, damaged header) is listed with the
//! library's reason instead of stopping the listing.

use std::collections::HashSet;
use std::os::raw::{c_char, c_void};

use hdf5_sys::h5::{H5_index_t, H5_iter_order_t};
use hdf5_sys::h5a::*;
use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5l::*;
use hdf5_sys::h5p::H5P_DEFAULT;
use hdf5_sys::h5s::*;

use super::ffi::{check, cstr, from_cstr, get_string, locked, Hid, Kind};
use super::read::finish;
use super::types::map_type;
use super::{guard, H5Dataset, H5File, H5Group, Node};
use crate::array::{checked_size, Array};
use crate::error::Result;
use crate::{bail, err};

/// What a link in a group points to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkKind {
    Hard,
    /// A path in the same file.
    Soft(String),
    /// `file:path` in another file.
    External(String),
    /// A user-defined link class (cannot be followed).
    UserDefined(i32),
}

/// One member of a group.
#[derive(Clone, Debug)]
pub struct Link {
    pub name: String,
    pub kind: LinkKind,
}

struct Collect {
    links: Vec<(String, i32)>,
}

unsafe extern "C" fn collect_cb(
    _g: hid_t,
    name: *const c_char,
    info: *const H5L_info1_t,
    data: *mut c_void,
) -> i32 {
    let r = std::panic::catch_unwind(|| {
        let c = &mut *(data as *mut Collect);
        // Read the link type as a plain integer: user-defined classes have values the
        // Rust enum does not list.
        let t = *(info as *const i32);
        c.links.push((from_cstr(name), t));
    });
    if r.is_ok() {
        0
    } else {
        -1
    }
}

fn link_value(gid: hid_t, name: &str) -> Option<Vec<u8>> {
    let c = cstr(name).ok()?;
    unsafe {
        let mut info: H5L_info1_t = std::mem::zeroed();
        if H5Lget_info1(gid, c.as_ptr(), &mut info, H5P_DEFAULT) < 0 {
            let _ = super::ffi::take_stack();
            return None;
        }
        let size = info.u.val_size();
        let size = *size;
        if size == 0 || size > 1 << 20 {
            return None;
        }
        let mut buf = vec![0u8; size];
        if H5Lget_val(
            gid,
            c.as_ptr(),
            buf.as_mut_ptr() as *mut c_void,
            size,
            H5P_DEFAULT,
        ) < 0
        {
            let _ = super::ffi::take_stack();
            return None;
        }
        Some(buf)
    }
}

impl H5Group {
    /// The links of this group in name order.
    pub fn links(&self) -> Result<Vec<Link>> {
        let what = format!("{}: group '{}'", self.file().name(), self.path());
        guard(&what, || {
            locked(|| unsafe {
                let mut c = Collect { links: vec![] };
                let mut idx: u64 = 0;
                let st = H5Literate1(
                    self.id(),
                    H5_index_t::H5_INDEX_NAME,
                    H5_iter_order_t::H5_ITER_INC,
                    &mut idx,
                    Some(collect_cb),
                    &mut c as *mut Collect as *mut c_void,
                );
                if st < 0 {
                    return Err(super::ffi::lib_err(format!("{what}: cannot list members")));
                }
                let mut out = vec![];
                for (name, t) in c.links {
                    let kind = match t {
                        0 => LinkKind::Hard,
                        1 => {
                            let v = link_value(self.id(), &name).unwrap_or_default();
                            let s = v.split(|&b| b == 0).next().unwrap_or(&[]);
                            LinkKind::Soft(String::from_utf8_lossy(s).into_owned())
                        }
                        64 => {
                            let v = link_value(self.id(), &name).unwrap_or_default();
                            let parts: Vec<String> = v
                                .get(1..)
                                .unwrap_or(&[])
                                .split(|&b| b == 0)
                                .take(2)
                                .map(|p| String::from_utf8_lossy(p).into_owned())
                                .collect();
                            LinkKind::External(parts.join(":"))
                        }
                        other => LinkKind::UserDefined(other),
                    };
                    out.push(Link { name, kind });
                }
                Ok(out)
            })
        })
    }

    /// Member names in name order.
    pub fn keys(&self) -> Result<Vec<String>> {
        Ok(self.links()?.into_iter().map(|l| l.name).collect())
    }

    /// The attributes of this group.
    pub fn attrs(&self) -> Result<Vec<(String, Result<Array>)>> {
        read_attrs(
            self.id(),
            &format!("{}: group '{}'", self.file().name(), self.path()),
        )
    }
}

impl H5Dataset {
    /// The attributes of this dataset.
    pub fn attrs(&self) -> Result<Vec<(String, Result<Array>)>> {
        read_attrs(self.id(), &self.what())
    }
}

impl H5File {
    /// The attributes of the root group.
    pub fn attrs(&self) -> Result<Vec<(String, Result<Array>)>> {
        self.root()?.attrs()
    }

    /// The listing of every group and dataset (see the module doc).
    pub fn tree(&self) -> Result<String> {
        let _span = crate::prof::span("f.tree");
        let root = self.root()?;
        let mut out = format!("{}\n/\n", self.name());
        let mut seen = HashSet::new();
        seen.insert(obj_addr(root.id()));
        tree_rec(&root, 1, &mut out, &mut seen);
        Ok(out)
    }
}

#[allow(deprecated)]
fn obj_addr(id: hid_t) -> u64 {
    locked(|| unsafe {
        let mut info: hdf5_sys::h5o::H5O_info1_t = std::mem::zeroed();
        if hdf5_sys::h5o::H5Oget_info(id, &mut info) < 0 {
            let _ = super::ffi::take_stack();
            return u64::MAX;
        }
        info.addr
    })
}

/// One line describing a dataset (used by `tree()` and the dataset's display).
pub fn dataset_line(d: &H5Dataset) -> String {
    let i = d.info();
    let shape = match &i.shape {
        None => "null dataspace".to_string(),
        Some(s) if s.is_empty() => "scalar".to_string(),
        Some(s) => format!("{s:?}"),
    };
    let mut parts = vec![i.type_desc.clone(), shape, i.layout.name().to_string()];
    if let Some(c) = &i.chunks {
        parts.push(format!("chunks {c:?}"));
    }
    if !i.filters.is_empty() {
        let f: Vec<String> = i
            .filters
            .iter()
            .map(|f| {
                let mut s = f.name.clone();
                if f.id == super::FILTER_DEFLATE {
                    if let Some(l) = f.cd_values.first() {
                        s = format!("{s}({l})");
                    }
                }
                if !f.available {
                    s = format!("{s} [UNAVAILABLE]");
                }
                s
            })
            .collect();
        parts.push(format!("filters {}", f.join("+")));
    }
    parts.push(format!(
        "{} stored",
        crate::array::format::human_bytes(usize::try_from(i.storage_size).unwrap_or(usize::MAX))
    ));
    if let Err(why) = &i.dtype {
        parts.push(format!("(unreadable: {why})"));
    }
    parts.join("  ")
}

fn tree_rec(g: &H5Group, depth: usize, out: &mut String, seen: &mut HashSet<u64>) {
    let pad = "  ".repeat(depth);
    if depth > 64 {
        out.push_str(&format!("{pad}... (nesting deeper than 64 levels)\n"));
        return;
    }
    let links = match g.links() {
        Ok(l) => l,
        Err(e) => {
            out.push_str(&format!("{pad}<cannot list: {e}>\n"));
            return;
        }
    };
    for l in links {
        match &l.kind {
            LinkKind::Soft(t) => {
                out.push_str(&format!("{pad}{} -> {t}  (soft link)\n", l.name));
                continue;
            }
            LinkKind::External(t) => {
                out.push_str(&format!("{pad}{} -> {t}  (external link)\n", l.name));
                continue;
            }
            LinkKind::UserDefined(c) => {
                out.push_str(&format!(
                    "{pad}{}  (user-defined link class {c}, cannot be followed)\n",
                    l.name
                ));
                continue;
            }
            LinkKind::Hard => {}
        }
        match g.get(&l.name) {
            Ok(Node::Group(sub)) => {
                let addr = obj_addr(sub.id());
                if addr != u64::MAX && !seen.insert(addr) {
                    out.push_str(&format!(
                        "{pad}{}/  (hard link to a group already listed)\n",
                        l.name
                    ));
                    continue;
                }
                out.push_str(&format!("{pad}{}/\n", l.name));
                tree_rec(&sub, depth + 1, out, seen);
            }
            Ok(Node::Dataset(d)) => {
                out.push_str(&format!("{pad}{}  {}\n", l.name, dataset_line(&d)));
            }
            Ok(Node::Datatype(desc)) => {
                out.push_str(&format!("{pad}{}  (committed datatype {desc})\n", l.name));
            }
            Err(e) => {
                out.push_str(&format!("{pad}{}  <cannot open: {e}>\n", l.name));
            }
        }
    }
}

/// Read every attribute of object `id`, in name order. An attribute that cannot be read
/// carries its own error; failing to list them at all is an error.
#[allow(deprecated)]
pub fn read_attrs(id: hid_t, what: &str) -> Result<Vec<(String, Result<Array>)>> {
    guard(what, || {
        let n = locked(|| unsafe { H5Aget_num_attrs(id) });
        if n < 0 {
            return Err(super::ffi::lib_err(format!(
                "{what}: cannot list attributes"
            )));
        }
        let dot = cstr(".")?;
        let mut out = vec![];
        for i in 0..n as u64 {
            let aid = locked(|| unsafe {
                H5Aopen_by_idx(
                    id,
                    dot.as_ptr(),
                    H5_index_t::H5_INDEX_NAME,
                    H5_iter_order_t::H5_ITER_INC,
                    i,
                    H5P_DEFAULT,
                    H5P_DEFAULT,
                )
            });
            let attr = match Hid::new(aid, Kind::Attr, format!("{what}: attribute #{i}")) {
                Ok(a) => a,
                Err(e) => {
                    out.push((format!("#{i}"), Err(e)));
                    continue;
                }
            };
            let name = locked(|| get_string(|p, n| unsafe { H5Aget_name(attr.id(), n, p) }))
                .unwrap_or_else(|| format!("#{i}"));
            let awhat = format!("{what}: attribute '{name}'");
            let val = read_attr(attr.id(), &awhat);
            out.push((name, val));
        }
        Ok(out)
    })
}

fn read_attr(aid: hid_t, what: &str) -> Result<Array> {
    let ftype =
        locked(|| unsafe { Hid::new(H5Aget_type(aid), Kind::Type, format!("{what}: type")) })?;
    let space =
        locked(|| unsafe { Hid::new(H5Aget_space(aid), Kind::Space, format!("{what}: space")) })?;
    let dims = locked(|| unsafe {
        match H5Sget_simple_extent_type(space.id()) {
            H5S_class_t::H5S_NULL => Ok(None),
            H5S_class_t::H5S_SCALAR => Ok(Some(vec![])),
            _ => {
                let nd = H5Sget_simple_extent_ndims(space.id());
                if !(0..=32).contains(&nd) {
                    bail!("{what}: bad rank {nd}");
                }
                let mut d = vec![0u64; nd as usize];
                check(
                    H5Sget_simple_extent_dims(space.id(), d.as_mut_ptr(), std::ptr::null_mut()),
                    format!("{what}: dims"),
                )?;
                Ok(Some(d.iter().map(|&x| x as usize).collect::<Vec<_>>()))
            }
        }
    })?;
    let Some(dims) = dims else {
        bail!("{what}: empty (null dataspace)");
    };
    let tm = map_type(ftype.id()).map_err(|why| err!("{what}: {why}"))?;
    let n = checked_size(&dims)?;
    let bytes = n.saturating_mul(tm.mem_size);
    if bytes > 1 << 30 {
        bail!("{what}: {bytes} bytes is too large for an attribute");
    }
    let mut buf = vec![0u64; bytes.div_ceil(8).max(1)];
    if n > 0 {
        locked(|| unsafe {
            check(
                H5Aread(aid, tm.mem.id(), buf.as_mut_ptr() as *mut c_void),
                format!("{what}: read failed"),
            )
        })?;
    }
    let mut shape = dims;
    shape.extend(&tm.sub_shape);
    finish(&tm, buf, n, shape, space.id())
}
