//! Reading dataset values into [`Array`]s: hyperslab selections (start, count, step per
//! axis), checks that refuse early with a clear reason (null dataspace, unavailable
//! filter, unreadable datatype, more bytes than the memory budget), and the conversion of
//! the library's buffer (including variable-length strings) into array bytes.

use std::os::raw::c_void;

use hdf5_sys::h5d::*;
use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5p::H5P_DEFAULT;
use hdf5_sys::h5s::*;

use super::ffi::{check, locked, Hid, Kind};
use super::sel::Sel;
use super::types::{map_type, Decode, TypeMap};
use super::{chunks, guard, H5Dataset};
use crate::array::{checked_size, Array, DType};
use crate::error::Result;
use crate::{bail, err};

/// Library reads larger than this go in blocks of rows (Ctrl-C and progress between them).
const LIB_BLOCK_BYTES: usize = 32 << 20;

/// Turn the buffer the library filled into an array. For vlen strings, copy the strings
/// and give the library its memory back (`space` describes the buffer's elements).
pub(crate) fn finish(
    tm: &TypeMap,
    buf: Vec<u64>,
    n: usize,
    shape: Vec<usize>,
    space: hid_t,
) -> Result<Array> {
    match tm.decode {
        Decode::Plain => Array::from_words(buf, tm.dtype.clone(), shape, false),
        Decode::VlenStr { utf8 } => {
            let ptrs: &[usize] = bytemuck::cast_slice(&buf[..n]);
            let mut strs: Vec<Vec<u8>> = Vec::with_capacity(n);
            for &p in ptrs {
                if p == 0 {
                    strs.push(vec![]);
                } else {
                    // SAFETY: the library wrote NUL-terminated strings it allocated.
                    let s = unsafe { std::ffi::CStr::from_ptr(p as *const std::os::raw::c_char) };
                    strs.push(s.to_bytes().to_vec());
                }
            }
            let mut buf = buf;
            locked(|| unsafe {
                H5Dvlen_reclaim(
                    tm.mem.id(),
                    space,
                    H5P_DEFAULT,
                    buf.as_mut_ptr() as *mut c_void,
                );
            });
            let _ = super::ffi::take_stack();
            strings_array(strs, utf8, shape)
        }
    }
}

/// Fixed-width string array from byte strings: `|S n` for ASCII, `<U n` when UTF-8 text
/// holds non-ASCII characters.
pub(crate) fn strings_array(strs: Vec<Vec<u8>>, utf8: bool, shape: Vec<usize>) -> Result<Array> {
    let non_ascii = utf8 && strs.iter().any(|s| !s.is_ascii());
    if non_ascii {
        let chars: Vec<Vec<u32>> = strs
            .iter()
            .map(|s| {
                String::from_utf8_lossy(s)
                    .chars()
                    .map(|c| c as u32)
                    .collect()
            })
            .collect();
        let w = chars.iter().map(|c| c.len()).max().unwrap_or(0).max(1);
        let mut out = vec![0u32; w * chars.len()];
        for (i, c) in chars.iter().enumerate() {
            out[i * w..i * w + c.len()].copy_from_slice(c);
        }
        Array::from_vec_typed(out, DType::Unicode(w), shape)
    } else {
        let w = strs.iter().map(|c| c.len()).max().unwrap_or(0).max(1);
        let mut out = vec![0u8; w * strs.len()];
        for (i, c) in strs.iter().enumerate() {
            out[i * w..i * w + c.len()].copy_from_slice(c);
        }
        Array::from_vec_typed(out, DType::Bytes(w), shape)
    }
}

impl H5Dataset {
    /// The reading plan, or a clear refusal: null dataspace, a filter the library does
    /// not have (named), or a datatype evsh cannot hold.
    pub fn plan(&self) -> Result<TypeMap> {
        let info = self.info();
        if info.shape.is_none() {
            bail!("{}: has a null dataspace (it holds no data)", self.what());
        }
        if let Some(f) = info.filters.iter().find(|f| !f.available) {
            bail!(
                "{}: needs the HDF5 filter '{}' (id {}), which is not available in this HDF5 \
                 library (plugin not installed); the dataset can be listed but not read",
                self.what(),
                f.name,
                f.id
            );
        }
        map_type(info.file_type.id()).map_err(|why| {
            err!(
                "{}: cannot read its datatype ({}): {why}",
                self.what(),
                info.type_desc
            )
        })
    }

    /// Read the whole dataset.
    pub fn read(&self) -> Result<Array> {
        let dims = self.dims()?;
        self.read_sel(&Sel::all(&dims))
    }

    /// Read rows `start..end` of axis 0.
    pub fn read_rows(&self, start: usize, end: usize) -> Result<Array> {
        let dims = self.dims()?;
        self.read_sel(&Sel::rows(&dims, start, end))
    }

    /// Read the hyperslab `sel` (only its bytes are read and decoded).
    pub fn read_sel(&self, sel: &Sel) -> Result<Array> {
        let _span = crate::prof::span("h5 read");
        let what = self.what();
        guard(&what, || {
            let tm = self.plan()?;
            let dims = self.dims()?;
            if sel.start.len() != dims.len() {
                bail!(
                    "{what}: selection has {} axes but the dataset has {}",
                    sel.start.len(),
                    dims.len()
                );
            }
            for (ax, &dim) in dims.iter().enumerate() {
                let c = sel.count[ax];
                if c > 0 && sel.start[ax] + (c - 1) * sel.step[ax].max(1) >= dim {
                    bail!("{what}: selection on axis {ax} goes past its length {dim}");
                }
            }
            let n = checked_size(&sel.count)?;
            let bytes = n
                .checked_mul(tm.mem_size)
                .ok_or_else(|| err!("{what}: selection is too large to address"))?;
            let budget = crate::exec::mem_budget();
            if bytes > budget {
                bail!(
                    "{what}: reading {:?} needs {} bytes, more than the memory budget of {} \
                     bytes; read a slice (e.g. d[0..1000]) or stream it",
                    sel.count,
                    bytes,
                    budget
                );
            }
            let mut shape = sel.out_dims();
            shape.extend(&tm.sub_shape);
            if let Some(a) = chunks::try_read(self, &tm, sel, shape.clone())? {
                return Ok(a);
            }
            self.read_library(&tm, sel, n, bytes, shape)
        })
    }

    /// Read through H5Dread (every filter and layout the library supports).
    fn read_library(
        &self,
        tm: &TypeMap,
        sel: &Sel,
        n: usize,
        bytes: usize,
        shape: Vec<usize>,
    ) -> Result<Array> {
        let what = self.what();
        let _stage = crate::prof::stage("h5 library read");
        let mut buf = vec![0u64; bytes.div_ceil(8).max(1)];
        let scalar = sel.start.is_empty();
        let (fspace, mspace) = locked(|| -> Result<(Option<Hid>, Option<Hid>)> {
            if scalar {
                return Ok((None, None));
            }
            unsafe {
                let f = Hid::new(
                    H5Dget_space(self.id()),
                    Kind::Space,
                    format!("{what}: dataspace"),
                )?;
                let start: Vec<u64> = sel.start.iter().map(|&x| x as u64).collect();
                let count: Vec<u64> = sel.count.iter().map(|&x| x as u64).collect();
                let step: Vec<u64> = sel.step.iter().map(|&x| x.max(1) as u64).collect();
                check(
                    H5Sselect_hyperslab(
                        f.id(),
                        H5S_seloper_t::H5S_SELECT_SET,
                        start.as_ptr(),
                        step.as_ptr(),
                        count.as_ptr(),
                        std::ptr::null(),
                    ),
                    format!("{what}: selecting {:?}", sel.count),
                )?;
                let m = Hid::new(
                    H5Screate_simple(count.len() as i32, count.as_ptr(), std::ptr::null()),
                    Kind::Space,
                    format!("{what}: memory dataspace"),
                )?;
                Ok((Some(f), Some(m)))
            }
        })?;
        let ms = mspace.as_ref().map_or(H5S_ALL, |h| h.id());
        let fs = fspace.as_ref().map_or(H5S_ALL, |h| h.id());
        let rows = sel.count.first().copied().unwrap_or(1);
        let row_bytes = bytes / rows.max(1);
        if n > 0 && matches!(tm.decode, Decode::Plain) && bytes > LIB_BLOCK_BYTES && rows > 1 {
            // Large reads through the library go in blocks of rows, so that Ctrl-C and
            // progress work between blocks (the library call itself cannot be stopped).
            let per = (LIB_BLOCK_BYTES / row_bytes.max(1)).max(1);
            let prog = crate::exec::progress::Progress::new("h5 read", rows as u64);
            let start: Vec<u64> = sel.start.iter().map(|&x| x as u64).collect();
            let step: Vec<u64> = sel.step.iter().map(|&x| x.max(1) as u64).collect();
            let out: &mut [u8] = bytemuck::cast_slice_mut(&mut buf);
            let mut r0 = 0usize;
            while r0 < rows {
                crate::exec::check()?;
                let k = per.min(rows - r0);
                let mut bstart = start.clone();
                bstart[0] += (r0 as u64) * step[0];
                let mut bcount: Vec<u64> = sel.count.iter().map(|&x| x as u64).collect();
                bcount[0] = k as u64;
                let dst = out[r0 * row_bytes..(r0 + k) * row_bytes].as_mut_ptr();
                locked(|| unsafe {
                    check(
                        H5Sselect_hyperslab(
                            fs,
                            H5S_seloper_t::H5S_SELECT_SET,
                            bstart.as_ptr(),
                            step.as_ptr(),
                            bcount.as_ptr(),
                            std::ptr::null(),
                        ),
                        format!("{what}: selecting rows {r0}..{}", r0 + k),
                    )?;
                    let m = Hid::new(
                        H5Screate_simple(bcount.len() as i32, bcount.as_ptr(), std::ptr::null()),
                        Kind::Space,
                        format!("{what}: memory dataspace"),
                    )?;
                    check(
                        H5Dread(
                            self.id(),
                            tm.mem.id(),
                            m.id(),
                            fs,
                            H5P_DEFAULT,
                            dst as *mut c_void,
                        ),
                        format!("{what}: read failed (rows {r0}..{})", r0 + k),
                    )
                })?;
                prog.inc(k as u64);
                r0 += k;
            }
        } else if n > 0 {
            crate::exec::check()?;
            locked(|| unsafe {
                check(
                    H5Dread(
                        self.id(),
                        tm.mem.id(),
                        ms,
                        fs,
                        H5P_DEFAULT,
                        buf.as_mut_ptr() as *mut c_void,
                    ),
                    format!("{what}: read failed"),
                )
            })?;
        }
        let space_for_reclaim = match &mspace {
            Some(m) => m.id(),
            None => locked(|| unsafe { H5Dget_space(self.id()) }),
        };
        let r = finish(tm, buf, n, shape, space_for_reclaim);
        if mspace.is_none() && space_for_reclaim >= 0 {
            drop(Hid::new(space_for_reclaim, Kind::Space, "space"));
        }
        r
    }
}
