//! The parallel chunk path. For chunked datasets whose filters are only deflate and/or
//! shuffle (what h5py writes by default), raw compressed chunks are read with the direct
//! chunk API (`H5Dread_chunk`) under the library lock, one at a time, and inflated and
//! unshuffled by rayon workers outside the lock, so decompression runs on every core while
//! the single-threaded library only does I/O. At most one chunk per worker is in flight
//! (bounded against the memory budget) and Ctrl-C is checked between chunks. Everything
//! else (other filters, compound or converted types, strided selections) falls back to
//! the library's own read.

use std::cell::RefCell;
use std::os::raw::c_void;
use std::sync::atomic::{AtomicBool, Ordering};

use hdf5_sys::h5d::*;
use hdf5_sys::h5p::*;
use hdf5_sys::h5t::*;
use rayon::prelude::*;

use super::ffi::{locked, Hid, Kind};
use super::sel::Sel;
use super::types::{Decode, TypeMap};
use super::{H5Dataset, Layout, FILTER_DEFLATE, FILTER_LZF, FILTER_SHUFFLE};
use crate::array::Array;
use crate::error::Result;
use crate::{bail, err};

thread_local! {
    static INFLATER: RefCell<libdeflater::Decompressor> = RefCell::new(libdeflater::Decompressor::new());
}

/// Can the dataset's raw chunks be decoded here? Returns the filter pipeline (in write
/// order) when yes.
pub fn eligible(ds: &H5Dataset, tm: &TypeMap) -> Option<Vec<(i32, u32)>> {
    let info = ds.info();
    if info.layout != Layout::Chunked || info.chunks.is_none() {
        return None;
    }
    if tm.decode != Decode::Plain || !tm.sub_shape.is_empty() {
        return None;
    }
    if !matches!(info.class, "integer" | "float") {
        return None;
    }
    if !(tm.dtype.is_int()
        || matches!(
            tm.dtype,
            crate::array::DType::F32 | crate::array::DType::F64
        ))
    {
        return None;
    }
    if info.file_type_size != tm.dtype.itemsize() {
        return None;
    }
    // The stored bytes must be exactly the native type or its byte swap.
    let ft = info.file_type.id();
    let plain = locked(|| unsafe {
        if info.class == "integer" {
            H5Tget_precision(ft) == info.file_type_size * 8 && H5Tget_offset(ft) == 0
        } else {
            let std_types = [
                *H5T_IEEE_F32LE,
                *H5T_IEEE_F32BE,
                *H5T_IEEE_F64LE,
                *H5T_IEEE_F64BE,
            ];
            std_types.iter().any(|&t| H5Tequal(ft, t) > 0)
        }
    });
    if !plain {
        return None;
    }
    let mut pipe = vec![];
    for f in &info.filters {
        if f.id != FILTER_DEFLATE && f.id != FILTER_SHUFFLE && f.id != FILTER_LZF {
            return None;
        }
        let elem = f.cd_values.first().copied().unwrap_or(0);
        pipe.push((f.id, elem));
    }
    Some(pipe)
}

/// Undo the shuffle filter: byte j of element i was stored at j*n + i.
pub fn unshuffle(src: &[u8], elem: usize, dst: &mut [u8]) {
    let n = src.len() / elem.max(1);
    if elem <= 1 || n <= 1 {
        dst[..src.len()].copy_from_slice(src);
        return;
    }
    for j in 0..elem {
        let plane = &src[j * n..(j + 1) * n];
        for (i, &b) in plane.iter().enumerate() {
            dst[i * elem + j] = b;
        }
    }
    let done = n * elem;
    dst[done..src.len()].copy_from_slice(&src[done..]);
}

/// Decode one raw chunk through the pipeline (reverse order, skipping filters whose bit
/// is set in `mask`) into `chunk_bytes` bytes.
pub fn decode_chunk(
    raw: Vec<u8>,
    pipe: &[(i32, u32)],
    mask: u32,
    chunk_bytes: usize,
    itemsize: usize,
) -> std::result::Result<Vec<u8>, String> {
    let mut cur = raw;
    for (k, &(id, elem)) in pipe.iter().enumerate().rev() {
        if mask & (1 << k) != 0 {
            continue;
        }
        match id {
            FILTER_DEFLATE => {
                let mut out = vec![0u8; chunk_bytes];
                let got = INFLATER
                    .with(|d| d.borrow_mut().zlib_decompress(&cur, &mut out))
                    .map_err(|e| format!("deflate data is corrupt ({e:?})"))?;
                out.truncate(got);
                cur = out;
            }
            FILTER_LZF => {
                let mut out = vec![0u8; chunk_bytes];
                let got = super::lzf::decompress(&cur, &mut out)
                    .ok_or_else(|| "lzf data is corrupt".to_string())?;
                out.truncate(got);
                cur = out;
            }
            FILTER_SHUFFLE => {
                let e = if elem == 0 { itemsize } else { elem as usize };
                let mut out = vec![0u8; cur.len()];
                unshuffle(&cur, e, &mut out);
                cur = out;
            }
            _ => return Err(format!("filter {id} is not decoded here")),
        }
    }
    if cur.len() != chunk_bytes {
        return Err(format!(
            "chunk decodes to {} bytes, expected {chunk_bytes}",
            cur.len()
        ));
    }
    Ok(cur)
}

/// A chunk as read from the file: grid coordinates, stored bytes, filter mask.
type RawChunk = (Vec<usize>, Vec<u8>, u32);

/// Output pointer shared by workers that write disjoint regions.
#[derive(Clone, Copy)]
struct OutPtr(*mut u8);
unsafe impl Send for OutPtr {}
unsafe impl Sync for OutPtr {}
impl OutPtr {
    fn get(self) -> *mut u8 {
        self.0
    }
}

/// Read the box selection `sel` with the parallel chunk path, or `None` when this dataset
/// or selection needs the library's own read.
pub fn try_read(
    ds: &H5Dataset,
    tm: &TypeMap,
    sel: &Sel,
    shape: Vec<usize>,
) -> Result<Option<Array>> {
    if !sel.is_box() {
        return Ok(None);
    }
    let Some(pipe) = eligible(ds, tm) else {
        return Ok(None);
    };
    let info = ds.info();
    let chunk = info.chunks.clone().unwrap_or_default();
    let nd = chunk.len();
    if nd != sel.count.len() || nd == 0 || chunk.contains(&0) {
        return Ok(None);
    }
    let isz = tm.dtype.itemsize();
    let chunk_elems: usize = chunk.iter().product();
    let chunk_bytes = chunk_elems * isz;
    let threads = crate::exec::threads().max(1);
    if chunk_bytes.saturating_mul(3 * threads) > crate::exec::mem_budget() {
        return Ok(None);
    }
    let what = ds.what();
    let n_out: usize = sel.count.iter().product();
    let out_bytes = n_out * isz;
    let mut out = vec![0u64; out_bytes.div_ceil(8).max(1)];
    if n_out == 0 {
        return Array::from_words(out, tm.dtype.clone(), shape, info.big_endian).map(Some);
    }
    // Fill value for chunks never written.
    let fill = fill_bytes(ds, tm, isz)?;
    if fill.iter().any(|&b| b != 0) {
        let bytes: &mut [u8] = &mut bytemuck::cast_slice_mut(&mut out)[..out_bytes];
        for c in bytes.chunks_exact_mut(isz) {
            c.copy_from_slice(&fill);
        }
    }
    // Chunk grid coordinates intersecting the box, in C order.
    let lo: Vec<usize> = (0..nd).map(|d| sel.start[d] / chunk[d]).collect();
    let hi: Vec<usize> = (0..nd)
        .map(|d| (sel.start[d] + sel.count[d] - 1) / chunk[d])
        .collect();
    let total: usize = (0..nd).map(|d| hi[d] - lo[d] + 1).product();
    let coords: Box<dyn Iterator<Item = (Vec<usize>, Option<u64>)> + Send> =
        match stored_chunks(ds, total) {
            Some(list) => {
                let chunk2 = chunk.clone();
                let (lo2, hi2) = (lo.clone(), hi.clone());
                Box::new(list.into_iter().filter_map(move |(offs, size)| {
                    let c: Vec<usize> = offs
                        .iter()
                        .zip(&chunk2)
                        .map(|(&o, &s)| o as usize / s)
                        .collect();
                    (0..nd)
                        .all(|d| c[d] >= lo2[d] && c[d] <= hi2[d])
                        .then_some((c, Some(size)))
                }))
            }
            None => Box::new((0..total).map(move |mut k| {
                let mut c = vec![0usize; nd];
                for d in (0..nd).rev() {
                    let span = hi[d] - lo[d] + 1;
                    c[d] = lo[d] + k % span;
                    k /= span;
                }
                (c, None)
            })),
        };
    let out_ptr = OutPtr(bytemuck::cast_slice_mut::<u64, u8>(&mut out).as_mut_ptr());
    let mut ostrides = vec![isz; nd];
    for d in (0..nd.saturating_sub(1)).rev() {
        ostrides[d] = ostrides[d + 1] * sel.count[d + 1];
    }
    let dsid = ds.id();
    let fallback = AtomicBool::new(false);
    let fallback = &fallback;
    // The reader: one raw chunk at a time under the library lock.
    let raw_chunks = coords.map(|(c, known)| -> Result<Option<RawChunk>> {
        crate::exec::check()?;
        let offs: Vec<u64> = c.iter().zip(&chunk).map(|(&i, &s)| (i * s) as u64).collect();
        // "h5 lock": waiting for the library's global lock; "read": the raw chunk read.
        let wait = crate::prof::stage("h5 lock");
        locked(|| unsafe {
            drop(wait);
            let _read = crate::prof::stage("read");
            let size = match known {
                Some(s) => s,
                None => {
                    let mut mask = 0u32;
                    let mut addr = u64::MAX;
                    let mut size = 0u64;
                    let st = H5Dget_chunk_info_by_coord(dsid, offs.as_ptr(), &mut mask, &mut addr, &mut size);
                    if st < 0 {
                        return Err(super::ffi::lib_err(format!("{what}: chunk index at {offs:?}")));
                    }
                    if addr == u64::MAX || size == 0 {
                        return Ok(None); // never written: fill value
                    }
                    size
                }
            };
            if size as usize > chunk_bytes.saturating_mul(2) + 4096 {
                bail!("{what}: chunk at {offs:?} claims {size} stored bytes for a {chunk_bytes}-byte chunk (corrupt file?)");
            }
            let mut raw = vec![0u8; size as usize];
            let mut fmask = 0u32;
            let st = H5Dread_chunk(dsid, H5P_DEFAULT, offs.as_ptr(), &mut fmask, raw.as_mut_ptr() as *mut c_void);
            if st < 0 {
                // Some chunk index types refuse direct reads in some library versions:
                // let the library read the selection instead.
                let _ = super::ffi::take_stack();
                fallback.store(true, Ordering::Relaxed);
                bail!("{what}: direct chunk read failed at {offs:?}");
            }
            Ok(Some((c, raw, fmask)))
        })
    });
    let sel_start = &sel.start;
    let sel_count = &sel.count;
    let prog = crate::exec::progress::Progress::new("h5 read", total as u64);
    let prog = &prog;
    let res: Result<()> = raw_chunks.par_bridge().try_for_each(|item| -> Result<()> {
        prog.inc(1);
        let Some((c, raw, mask)) = item? else {
            return Ok(());
        };
        crate::exec::check()?;
        let _stage = crate::prof::stage("decompress");
        let data = decode_chunk(raw, &pipe, mask, chunk_bytes, isz)
            .map_err(|e| err!("{what}: chunk at {:?}: {e}", c))?;
        // Intersection of the chunk with the box, in dataset coordinates.
        let org: Vec<usize> = c.iter().zip(&chunk).map(|(&i, &s)| i * s).collect();
        let a: Vec<usize> = (0..nd).map(|d| org[d].max(sel_start[d])).collect();
        let b: Vec<usize> = (0..nd)
            .map(|d| (org[d] + chunk[d]).min(sel_start[d] + sel_count[d]))
            .collect();
        if (0..nd).any(|d| a[d] >= b[d]) {
            return Ok(());
        }
        let mut cstr = vec![isz; nd];
        for d in (0..nd - 1).rev() {
            cstr[d] = cstr[d + 1] * chunk[d + 1];
        }
        let run = (b[nd - 1] - a[nd - 1]) * isz;
        let outer: usize = (0..nd - 1).map(|d| b[d] - a[d]).product();
        let mut idx = a.clone();
        for _ in 0..outer {
            let mut so = 0;
            let mut oo = 0;
            for d in 0..nd {
                so += (idx[d] - org[d]) * cstr[d];
                oo += (idx[d] - sel_start[d]) * ostrides[d];
            }
            // SAFETY: `oo..oo+run` lies inside the output (the intersection is inside
            // the box) and no two chunks overlap, so workers write disjoint bytes.
            unsafe {
                std::ptr::copy_nonoverlapping(data.as_ptr().add(so), out_ptr.get().add(oo), run);
            }
            // next index over axes 0..nd-1
            let mut d = nd - 1;
            while d > 0 {
                d -= 1;
                idx[d] += 1;
                if idx[d] < b[d] {
                    break;
                }
                idx[d] = a[d];
            }
        }
        Ok(())
    });
    if fallback.load(Ordering::Relaxed) {
        return Ok(None);
    }
    res?;
    Array::from_words(out, tm.dtype.clone(), shape, info.big_endian).map(Some)
}

/// The dataset's fill value as stored bytes (file byte order), zeros when undefined.
fn fill_bytes(ds: &H5Dataset, tm: &TypeMap, isz: usize) -> Result<Vec<u8>> {
    let what = ds.what();
    let mut v = vec![0u8; isz];
    locked(|| unsafe {
        let dcpl = Hid::new(
            H5Dget_create_plist(ds.id()),
            Kind::Plist,
            format!("{what}: properties"),
        )?;
        let mut st = H5D_fill_value_t::H5D_FILL_VALUE_UNDEFINED;
        if H5Pfill_value_defined(dcpl.id(), &mut st) < 0 {
            let _ = super::ffi::take_stack();
            return Ok(());
        }
        if st == H5D_fill_value_t::H5D_FILL_VALUE_UNDEFINED {
            return Ok(());
        }
        if H5Pget_fill_value(dcpl.id(), tm.mem.id(), v.as_mut_ptr() as *mut c_void) < 0 {
            let _ = super::ffi::take_stack();
            v.iter_mut().for_each(|b| *b = 0);
        }
        Ok::<(), crate::error::Error>(())
    })?;
    if ds.info().big_endian {
        v.reverse();
    }
    Ok(v)
}

/// The stored chunks (offset, stored size) of a sparsely written dataset, listed once, when
/// that beats looking up each of `grid` chunk positions; `None` otherwise.
fn stored_chunks(ds: &H5Dataset, grid: usize) -> Option<super::StoredChunks> {
    let nd = ds.info().chunks.as_ref().map_or(0, |c| c.len());
    ds.info()
        .stored
        .get_or_init(|| {
            locked(|| unsafe {
                let mut n = 0u64;
                if H5Dget_num_chunks(ds.id(), hdf5_sys::h5s::H5S_ALL, &mut n) < 0 {
                    let _ = super::ffi::take_stack();
                    return None;
                }
                if n > 4096 {
                    return None;
                }
                let mut out = Vec::with_capacity(n as usize);
                for i in 0..n {
                    let mut offs = vec![0u64; nd];
                    let (mut mask, mut addr, mut size) = (0u32, 0u64, 0u64);
                    if H5Dget_chunk_info(
                        ds.id(),
                        hdf5_sys::h5s::H5S_ALL,
                        i,
                        offs.as_mut_ptr(),
                        &mut mask,
                        &mut addr,
                        &mut size,
                    ) < 0
                    {
                        let _ = super::ffi::take_stack();
                        return None;
                    }
                    if addr != u64::MAX && size > 0 {
                        out.push((offs, size));
                    }
                }
                Some(out)
            })
        })
        .as_ref()
        .filter(|l| l.len().saturating_mul(4) < grid)
        .cloned()
}
