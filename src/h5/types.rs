//! HDF5 datatypes → evsh dtypes. For every file type this decides the in-memory type the
//! library converts to when reading (native byte order, packed compounds), the evsh
//! [`DType`] of the resulting array, and a readable name for `tree()`. Types evsh cannot
//! hold (references, variable-length sequences, H5T_TIME, long doubles) get a clear
//! reason instead, so they are listed but refused on read.

use std::sync::Arc;

use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5t::*;

use super::ffi::{check, from_cstr, h5_free, locked, Hid, Kind};
use crate::array::{DType, Field, StructType};
use crate::err;
use crate::error::Result;

/// How the bytes the library returns become array bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decode {
    /// The memory buffer is the array's bytes.
    Plain,
    /// One `char*` per element (variable-length strings), copied into fixed-width strings.
    VlenStr { utf8: bool },
}

/// The plan for reading values of one HDF5 datatype.
#[derive(Debug)]
pub struct TypeMap {
    /// Element dtype of the array (for vlen strings, decided after reading).
    pub dtype: DType,
    /// Extra trailing axes (an H5T_ARRAY element type becomes axes of the array).
    pub sub_shape: Vec<usize>,
    /// The memory type handed to H5Dread/H5Aread.
    pub mem: Hid,
    /// Bytes per dataset element in memory.
    pub mem_size: usize,
    pub decode: Decode,
}

fn new_type(id: hid_t, what: &str) -> Result<Hid> {
    Hid::new(id, Kind::Type, what)
}

fn copy_of(id: hid_t) -> Result<Hid> {
    new_type(unsafe { H5Tcopy(id) }, "copying a datatype")
}

fn native_int(size: usize, signed: bool) -> Option<hid_t> {
    Some(match (size, signed) {
        (1, true) => *H5T_NATIVE_INT8,
        (2, true) => *H5T_NATIVE_INT16,
        (4, true) => *H5T_NATIVE_INT32,
        (8, true) => *H5T_NATIVE_INT64,
        (1, false) => *H5T_NATIVE_UINT8,
        (2, false) => *H5T_NATIVE_UINT16,
        (4, false) => *H5T_NATIVE_UINT32,
        (8, false) => *H5T_NATIVE_UINT64,
        _ => return None,
    })
}

fn int_dtype(size: usize, signed: bool) -> Option<DType> {
    Some(match (size, signed) {
        (1, true) => DType::I8,
        (2, true) => DType::I16,
        (4, true) => DType::I32,
        (8, true) => DType::I64,
        (1, false) => DType::U8,
        (2, false) => DType::U16,
        (4, false) => DType::U32,
        (8, false) => DType::U64,
        _ => return None,
    })
}

/// Map one element type (recursively for compounds and arrays): dtype, memory type,
/// sub-array shape. Called with the library lock held.
fn map_elem(tid: hid_t) -> std::result::Result<(DType, Hid, Vec<usize>), String> {
    let e = |r: Result<Hid>| r.map_err(|e| e.to_string());
    unsafe {
        let class = H5Tget_class(tid);
        let size = H5Tget_size(tid);
        match class {
            H5T_class_t::H5T_INTEGER | H5T_class_t::H5T_BITFIELD | H5T_class_t::H5T_ENUM => {
                let signed = if class == H5T_class_t::H5T_ENUM {
                    let base = e(new_type(H5Tget_super(tid), "enum base type"))?;
                    H5Tget_sign(base.id()) == H5T_sign_t::H5T_SGN_2
                } else {
                    class == H5T_class_t::H5T_INTEGER && H5Tget_sign(tid) == H5T_sign_t::H5T_SGN_2
                };
                let dt = int_dtype(size, signed)
                    .ok_or_else(|| format!("{}-byte integers are not supported", size))?;
                let mem = if class == H5T_class_t::H5T_INTEGER {
                    e(copy_of(
                        native_int(size, signed).unwrap_or(*H5T_NATIVE_UINT8),
                    ))?
                } else {
                    e(new_type(
                        H5Tget_native_type(tid, H5T_direction_t::H5T_DIR_ASCEND),
                        "native type",
                    ))?
                };
                Ok((dt, mem, vec![]))
            }
            H5T_class_t::H5T_FLOAT => match size {
                2 => {
                    let mem = e(copy_of(tid))?;
                    let order = if cfg!(target_endian = "little") {
                        H5T_order_t::H5T_ORDER_LE
                    } else {
                        H5T_order_t::H5T_ORDER_BE
                    };
                    H5Tset_order(mem.id(), order);
                    Ok((DType::F16, mem, vec![]))
                }
                4 => Ok((DType::F32, e(copy_of(*H5T_NATIVE_FLOAT))?, vec![])),
                8 => Ok((DType::F64, e(copy_of(*H5T_NATIVE_DOUBLE))?, vec![])),
                n => Err(format!(
                    "{}-bit floats (long double / quad precision) are not supported",
                    n * 8
                )),
            },
            H5T_class_t::H5T_STRING => {
                if H5Tis_variable_str(tid) > 0 {
                    return Err(
                        "variable-length strings inside a compound or array type are not supported"
                            .into(),
                    );
                }
                // Read as NUL-padded, as h5py does: the library then cuts NUL-terminated
                // strings at their terminator and drops space padding.
                let mem = e(copy_of(tid))?;
                H5Tset_strpad(mem.id(), H5T_str_t::H5T_STR_NULLPAD);
                Ok((DType::Bytes(size), mem, vec![]))
            }
            H5T_class_t::H5T_OPAQUE => {
                let tag_p = H5Tget_tag(tid);
                let tag = from_cstr(tag_p);
                h5_free(tag_p as *mut _);
                let mem = e(copy_of(tid))?;
                // h5py stores NumPy types it has no HDF5 equivalent for (datetime64,
                // some byte strings) as opaque data tagged "NUMPY:<descr>".
                if let Some(descr) = tag.strip_prefix("NUMPY:") {
                    if descr.contains("M8") || descr.contains("m8") {
                        if size == 8 {
                            return Ok((DType::I64, mem, vec![]));
                        }
                    } else if let Ok((false, dt)) = crate::array::dtype::parse_simple(descr) {
                        if dt.itemsize() == size && !matches!(dt, DType::Struct(_)) {
                            return Ok((dt, mem, vec![]));
                        }
                    }
                }
                Ok((DType::Void(size), mem, vec![]))
            }
            H5T_class_t::H5T_ARRAY => {
                let base = e(new_type(H5Tget_super(tid), "array base type"))?;
                let nd = H5Tget_array_ndims(tid);
                if !(0..=32).contains(&nd) {
                    return Err(format!("array type with {nd} dimensions"));
                }
                let mut dims = vec![0u64; nd as usize];
                if H5Tget_array_dims2(tid, dims.as_mut_ptr()) < 0 {
                    return Err("cannot read array type dimensions".into());
                }
                let (dt, bmem, bsub) = map_elem(base.id())?;
                let mem = e(new_type(
                    H5Tarray_create2(bmem.id(), nd as u32, dims.as_ptr()),
                    "array type",
                ))?;
                let mut sub: Vec<usize> = dims.iter().map(|&d| d as usize).collect();
                sub.extend(bsub);
                Ok((dt, mem, sub))
            }
            H5T_class_t::H5T_COMPOUND => map_compound(tid),
            H5T_class_t::H5T_REFERENCE => {
                Err("references are not readable as values (they point to other objects)".into())
            }
            H5T_class_t::H5T_VLEN => {
                Err("variable-length sequences (vlen) are not supported".into())
            }
            H5T_class_t::H5T_TIME => Err("H5T_TIME datatypes are not supported".into()),
            _ => Err("unknown datatype class".into()),
        }
    }
}

fn member_name(tid: hid_t, i: u32) -> String {
    unsafe {
        let p = H5Tget_member_name(tid, i);
        let s = from_cstr(p);
        h5_free(p as *mut _);
        s
    }
}

fn map_compound(tid: hid_t) -> std::result::Result<(DType, Hid, Vec<usize>), String> {
    unsafe {
        let n = H5Tget_nmembers(tid);
        if n < 0 {
            return Err("cannot read compound members".into());
        }
        let n = n as u32;
        // h5py's complex numbers: two floats of one size named r/i (or real/imag).
        if n == 2 {
            let names = (member_name(tid, 0), member_name(tid, 1));
            let complex_names = matches!(
                (names.0.as_str(), names.1.as_str()),
                ("r", "i") | ("real", "imag") | ("re", "im")
            );
            if complex_names {
                let m0 = Hid::new(H5Tget_member_type(tid, 0), Kind::Type, "member")
                    .map_err(|e| e.to_string())?;
                let m1 = Hid::new(H5Tget_member_type(tid, 1), Kind::Type, "member")
                    .map_err(|e| e.to_string())?;
                let (s0, s1) = (H5Tget_size(m0.id()), H5Tget_size(m1.id()));
                if H5Tget_class(m0.id()) == H5T_class_t::H5T_FLOAT
                    && H5Tget_class(m1.id()) == H5T_class_t::H5T_FLOAT
                    && s0 == s1
                    && (s0 == 4 || s0 == 8)
                {
                    let native = if s0 == 4 {
                        *H5T_NATIVE_FLOAT
                    } else {
                        *H5T_NATIVE_DOUBLE
                    };
                    let mem = new_type(H5Tcreate(H5T_class_t::H5T_COMPOUND, 2 * s0), "compound")
                        .map_err(|e| e.to_string())?;
                    let c0 = super::ffi::cstr(&names.0).map_err(|e| e.to_string())?;
                    let c1 = super::ffi::cstr(&names.1).map_err(|e| e.to_string())?;
                    H5Tinsert(mem.id(), c0.as_ptr(), 0, native);
                    H5Tinsert(mem.id(), c1.as_ptr(), s0, native);
                    let dt = if s0 == 4 { DType::C64 } else { DType::C128 };
                    return Ok((dt, mem, vec![]));
                }
            }
        }
        let mut parts = vec![];
        let mut offset = 0usize;
        for i in 0..n {
            let name = member_name(tid, i);
            let mt = Hid::new(H5Tget_member_type(tid, i), Kind::Type, "member type")
                .map_err(|e| e.to_string())?;
            let (dt, mem, sub) = map_elem(mt.id()).map_err(|e| format!("field '{name}': {e}"))?;
            let sz = H5Tget_size(mem.id());
            parts.push((name, dt, mem, sub, offset));
            offset += sz;
        }
        let total = offset.max(1);
        let mem = new_type(H5Tcreate(H5T_class_t::H5T_COMPOUND, total), "compound type")
            .map_err(|e| e.to_string())?;
        let mut fields = vec![];
        for (name, dt, fmem, sub, off) in parts {
            let c = super::ffi::cstr(&name).map_err(|e| e.to_string())?;
            if H5Tinsert(mem.id(), c.as_ptr(), off, fmem.id()) < 0 {
                let _ = hdf5::Error::query();
                return Err(format!("cannot build memory type for field '{name}'"));
            }
            fields.push(Field {
                name,
                dtype: dt,
                swapped: false,
                offset: off,
                shape: sub,
            });
        }
        let st = StructType {
            fields,
            itemsize: total,
        };
        Ok((DType::Struct(Arc::new(st)), mem, vec![]))
    }
}

/// Plan how to read values of file datatype `tid`, or say why evsh cannot.
pub fn map_type(tid: hid_t) -> std::result::Result<TypeMap, String> {
    locked(|| unsafe {
        let class = H5Tget_class(tid);
        if class == H5T_class_t::H5T_STRING && H5Tis_variable_str(tid) > 0 {
            let utf8 = H5Tget_cset(tid) == H5T_cset_t::H5T_CSET_UTF8;
            let mem = copy_of(*H5T_C_S1).map_err(|e| e.to_string())?;
            check(H5Tset_size(mem.id(), H5T_VARIABLE), "vlen string type")
                .map_err(|e| e.to_string())?;
            H5Tset_cset(mem.id(), H5Tget_cset(tid));
            return Ok(TypeMap {
                dtype: DType::Bytes(0),
                sub_shape: vec![],
                mem,
                mem_size: std::mem::size_of::<*const u8>(),
                decode: Decode::VlenStr { utf8 },
            });
        }
        let (dtype, mem, sub_shape) = map_elem(tid)?;
        let mem_size = H5Tget_size(mem.id());
        let want = dtype.itemsize() * sub_shape.iter().product::<usize>();
        if mem_size != want {
            return Err(format!(
                "internal: memory type of {mem_size} bytes for {} x {:?}",
                dtype.name(),
                sub_shape
            ));
        }
        Ok(TypeMap {
            dtype,
            sub_shape,
            mem,
            mem_size,
            decode: Decode::Plain,
        })
    })
}

/// Is the stored byte order big-endian (for simple numeric types)?
pub fn is_big_endian(tid: hid_t) -> bool {
    locked(|| unsafe {
        if H5Tget_class(tid) == H5T_class_t::H5T_ENUM {
            let base = H5Tget_super(tid);
            if base < 0 {
                let _ = hdf5::Error::query();
                return false;
            }
            let be = H5Tget_order(base) == H5T_order_t::H5T_ORDER_BE;
            H5Tclose(base);
            return be;
        }
        matches!(
            H5Tget_class(tid),
            H5T_class_t::H5T_INTEGER | H5T_class_t::H5T_FLOAT | H5T_class_t::H5T_BITFIELD
        ) && H5Tget_order(tid) == H5T_order_t::H5T_ORDER_BE
    })
}

/// The file datatype's class as HDF5 names it ("integer", "compound", ...).
pub fn class_name(tid: hid_t) -> &'static str {
    locked(|| unsafe {
        match H5Tget_class(tid) {
            H5T_class_t::H5T_INTEGER => "integer",
            H5T_class_t::H5T_FLOAT => "float",
            H5T_class_t::H5T_TIME => "time",
            H5T_class_t::H5T_STRING => "string",
            H5T_class_t::H5T_BITFIELD => "bitfield",
            H5T_class_t::H5T_OPAQUE => "opaque",
            H5T_class_t::H5T_COMPOUND => "compound",
            H5T_class_t::H5T_REFERENCE => "reference",
            H5T_class_t::H5T_ENUM => "enum",
            H5T_class_t::H5T_VLEN => "vlen",
            H5T_class_t::H5T_ARRAY => "array",
            _ => "unknown",
        }
    })
}

/// A short readable name of a file datatype for listings: the evsh dtype name (with the
/// stored byte order when big-endian), or the HDF5 class for types evsh cannot read.
pub fn describe(tid: hid_t) -> String {
    let class = class_name(tid);
    match map_type(tid) {
        Ok(m) => {
            let mut s = match m.decode {
                Decode::VlenStr { utf8 } => {
                    format!("vlen string ({})", if utf8 { "utf-8" } else { "ascii" })
                }
                Decode::Plain => m.dtype.name(),
            };
            if !m.sub_shape.is_empty() {
                s = format!("{s}{:?}", m.sub_shape);
            }
            if class == "enum" || class == "bitfield" || class == "opaque" {
                s = format!("{class}({s})");
            }
            if is_big_endian(tid) {
                s.push_str(" BE");
            }
            s
        }
        Err(_) => {
            let size = locked(|| unsafe { H5Tget_size(tid) });
            format!("{class}[{size}B]")
        }
    }
}

/// An error for a type that cannot be read, naming the object.
pub fn unreadable(what: &str, why: &str) -> crate::error::Error {
    err!("{what}: cannot read this datatype: {why}")
}
