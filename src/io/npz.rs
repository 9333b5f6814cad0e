//! NumPy `.npz` files (`np.savez`, `np.savez_compressed`): a zip archive of `.npy`
//! members. NumPy users keep related arrays together this way, so evsh reads and writes
//! them with the same guarantees as single `.npy` files.
//!
//! Reading: the zip's central directory is read by the `zip` crate over a memory map of
//! the file. A stored (uncompressed) member is an Array viewing the mapping in place at
//! the member's data offset, exactly as a `.npy` file is viewed ([`npy::array_over`]): no
//! data is read until used, and data that is unaligned or byte-swapped is converted on
//! first access. A deflated member cannot be viewed in place; it is inflated when the
//! file is loaded, into memory checked against the memory budget before anything is
//! allocated, and checked to inflate to exactly the size (and CRC) its entry claims.
//!
//! Writing: each member is the `.npy` image [`npy::write_npy`] writes, in a zip written
//! to a temporary file beside the target and renamed into place. Stored members are
//! aligned to 64 bytes in the file, so evsh maps them in place when it reads them back.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::npy;
use crate::array::{Array, Buf, Origin};
use crate::error::{Error, Result};
use crate::{bail, err};

/// Alignment of the data of stored members evsh writes (the `.npy` header inside is
/// padded to 64 bytes too, so the array data is 64-byte aligned in the file).
const ALIGN: u16 = 64;

/// Load every member of the `.npz` file at `path`, in archive order, as (name without
/// the `.npy` suffix, array). Stored members are mapped in place; deflated members are
/// inflated now (see the module docs).
pub fn load(path: impl AsRef<Path>) -> Result<Vec<(String, Array)>> {
    load_within(path.as_ref(), crate::exec::mem_budget())
}

/// [`load`] with deflated members limited to `budget` bytes in all.
fn load_within(path: &Path, budget: usize) -> Result<Vec<(String, Array)>> {
    let _s = crate::prof::span("load");
    let p = path.display();
    super::input_file(path, "a .npz file")?;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len() as usize;
    if len == 0 {
        bail!("{p}: empty file (0 bytes), not a .npz file");
    }
    // SAFETY: the map is read-only; evsh never writes input files. Another process
    // truncating the file while mapped is outside what any mmap-based reader can defend.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
    let buf = Arc::new(Buf::Mapped {
        map,
        path: path.to_path_buf(),
    });
    let bytes = buf.bytes();
    let mut zip = ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| err!("{p}: not a readable .npz (zip) file: {e}"))?;
    let mut inflated = 0usize;
    let mut out: Vec<(String, Array)> = Vec::with_capacity(zip.len().min(1 << 16));
    for i in 0..zip.len() {
        crate::exec::check()?;
        let f = zip
            .by_index_raw(i)
            .map_err(|e| err!("{p}: zip entry {i} cannot be read: {e}"))?;
        let name = f
            .name()
            .map_err(|e| err!("{p}: zip entry {i} has an unreadable name: {e}"))?
            .to_string();
        if f.is_dir() {
            continue;
        }
        let m = |msg: String| err!("{p}: member '{name}': {msg}");
        let Some(key) = name.strip_suffix(".npy") else {
            return Err(m(
                "not a .npy array (an .npz holds only .npy members)".to_string()
            ));
        };
        if out.iter().any(|(k, _)| k == key) {
            return Err(m("the archive holds two members of this name".to_string()));
        }
        if f.encrypted() {
            return Err(m("encrypted members are not supported".to_string()));
        }
        let size = usize::try_from(f.size()).map_err(|_| {
            m(format!(
                "claims {} bytes, more than fit in memory",
                f.size()
            ))
        })?;
        let method = f.compression();
        let a = match method {
            CompressionMethod::Stored => {
                if f.compressed_size() != f.size() {
                    return Err(m(format!(
                        "stored (uncompressed) but its sizes differ: {} bytes stored, {} claimed",
                        f.compressed_size(),
                        f.size()
                    )));
                }
                let start = f
                    .data_start()
                    .and_then(|s| usize::try_from(s).ok())
                    .ok_or_else(|| m("its data offset is unknown".to_string()))?;
                let end = start
                    .checked_add(size)
                    .filter(|&e| e <= len)
                    .ok_or_else(|| {
                        m(format!(
                            "truncated: {size} bytes at byte {start}, but the file has {len}"
                        ))
                    })?;
                let h = npy::parse_header(&bytes[start..end]).map_err(|e| m(e.to_string()))?;
                npy::array_over(buf.clone(), &h, start, size).map_err(|e| m(e.to_string()))?
            }
            CompressionMethod::Deflated => {
                drop(f);
                let total = inflated.checked_add(size).filter(|&t| t <= budget);
                let Some(total) = total else {
                    return Err(m(format!(
                        "inflates to {size} bytes, which with the {inflated} bytes of the members before it exceeds the memory budget ({budget} bytes); refusing (a zip bomb, or raise the budget)"
                    )));
                };
                inflated = total;
                let data = inflate(&mut zip, i, size).map_err(|e| m(e.to_string()))?;
                let h = npy::parse_header(bytemuck::cast_slice(&data))
                    .map_err(|e| m(e.to_string()))?;
                let owned = Arc::new(Buf::Owned(Box::new(data)));
                npy::array_over(owned, &h, 0, size).map_err(|e| m(e.to_string()))?
            }
            other => {
                return Err(m(format!(
                    "compression method {other} is not supported (NumPy writes stored or deflated members)"
                )))
            }
        };
        let file_shape = a.shape().to_vec();
        let a = a.with_origin(Origin {
            path: path.to_path_buf(),
            file_shape,
            slice: None,
        });
        out.push((key.to_string(), a));
    }
    Ok(out)
}

/// Inflate member `i` (claimed `size` bytes) into a buffer of 8-byte words, so that every
/// element type is aligned at the `.npy` data offset (a multiple of 64). Reads exactly
/// `size` bytes and checks the stream ends there (the CRC is checked at its end).
fn inflate(
    zip: &mut ZipArchive<std::io::Cursor<&[u8]>>,
    i: usize,
    size: usize,
) -> Result<Vec<u64>> {
    let mut f = zip
        .by_index(i)
        .map_err(|e| err!("cannot be inflated: {e}"))?;
    let words = size.div_ceil(8);
    let mut data: Vec<u64> = crate::exec::out::alloc(words, "inflating")?;
    data.resize(words, 0);
    let dst = &mut bytemuck::cast_slice_mut::<u64, u8>(&mut data)[..size];
    let mut got = 0;
    while got < size {
        crate::exec::check()?;
        let end = (got + (16 << 20)).min(size);
        match f.read(&mut dst[got..end]) {
            Ok(0) => bail!(
                "the data ends after {got} bytes, but the entry claims {size} (truncated or corrupt)"
            ),
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => bail!("corrupt data after {got} bytes: {e}"),
        }
    }
    let mut extra = [0u8; 1];
    match f.read(&mut extra) {
        Ok(0) => Ok(data),
        Ok(_) => bail!("inflates to more than the {size} bytes its entry claims"),
        Err(e) => bail!("corrupt data: {e}"),
    }
}

/// Write `members` (name without `.npy`, array) as an `.npz` file NumPy's `np.load`
/// reads back exactly; deflated (`np.savez_compressed`) when `compress`, stored
/// (`np.savez`) otherwise. Written to a temporary file beside `path` and renamed.
pub fn save(path: impl AsRef<Path>, members: &[(String, Array)], compress: bool) -> Result<()> {
    let path = path.as_ref();
    let _s = crate::prof::span("save");
    let p = path.display();
    for (k, a) in members {
        if k.is_empty() {
            bail!("cannot save to {p}: a member name is empty");
        }
        npy::check_describable(a.dtype())
            .map_err(|e| err!("cannot save to {p}: member '{k}': {e}"))?;
    }
    let zerr = |k: &str, e: zip::result::ZipError| -> Error {
        match e {
            zip::result::ZipError::Io(e) => Error::io(path, e),
            e => err!("cannot save to {p}: member '{k}': {e}"),
        }
    };
    let tmp = super::temp_beside(path)?;
    let mut zip = ZipWriter::new(std::io::BufWriter::with_capacity(1 << 20, tmp));
    for (k, a) in members {
        let header = npy::header_bytes(a.dtype(), a.swapped(), a.shape()).len();
        let image = a.nbytes().saturating_add(header);
        let mut opts = SimpleFileOptions::default()
            .large_file(image as u64 >= u32::MAX as u64 / 2)
            .unix_permissions(0o644);
        opts = if compress {
            opts.compression_method(CompressionMethod::Deflated)
        } else {
            opts.compression_method(CompressionMethod::Stored)
                .with_alignment(ALIGN)
        };
        zip.start_file(format!("{k}.npy"), opts)
            .map_err(|e| zerr(k, e))?;
        npy::write_npy(a, &mut zip, path)?;
    }
    let w = zip.finish().map_err(|e| zerr("(central directory)", e))?;
    let tmp = w
        .into_inner()
        .map_err(|e| Error::io(path, e.into_error()))?;
    super::persist(tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_stored_and_deflated() {
        let dir = tempfile::tempdir().unwrap();
        let a = Array::from_vec((0..12).map(|i| i as f64 * 0.5).collect(), vec![3, 4]).unwrap();
        let b = Array::from_vec(vec![1i16, -2, 3], vec![3]).unwrap();
        for compress in [false, true] {
            let p = dir.path().join(format!("x{compress}.npz"));
            save(
                &p,
                &[("a".into(), a.transpose()), ("b".into(), b.clone())],
                compress,
            )
            .unwrap();
            let got = load(&p).unwrap();
            assert_eq!(got.len(), 2);
            assert_eq!(got[0].0, "a");
            assert_eq!(got[0].1.shape(), &[4, 3]);
            assert_eq!(
                got[0].1.as_slice::<f64>().unwrap().to_vec(),
                a.transpose().as_slice::<f64>().unwrap().to_vec()
            );
            assert_eq!(got[1].1.as_slice::<i16>().unwrap().to_vec(), vec![1, -2, 3]);
            // Stored members are aligned, hence viewed in place.
            assert_eq!(got[0].1.buf().is_mapped(), !compress);
            if !compress {
                assert!(
                    got[0].1.viewable(),
                    "stored member should be mapped in place"
                );
            }
        }
    }

    #[test]
    fn bad_archives_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let a = Array::from_vec(vec![1.0f32; 1000], vec![1000]).unwrap();
        let p = dir.path().join("t.npz");
        save(&p, &[("a".into(), a)], true).unwrap();
        let bytes = std::fs::read(&p).unwrap();
        // Truncated: no central directory.
        let q = dir.path().join("cut.npz");
        std::fs::write(&q, &bytes[..bytes.len() / 2]).unwrap();
        let e = load(&q).unwrap_err().to_string();
        assert!(e.contains("cut.npz") && e.contains("zip"), "{e}");
        // Not a zip at all.
        std::fs::write(&q, b"hello, world").unwrap();
        let e = load(&q).unwrap_err().to_string();
        assert!(e.contains("cut.npz"), "{e}");
        // A budget smaller than the member: refused before allocating.
        let big = Array::from_vec(vec![0u8; 3 << 20], vec![3 << 20]).unwrap();
        let b = dir.path().join("bomb.npz");
        save(&b, &[("z".into(), big)], true).unwrap();
        let e = load_within(&b, 1 << 20).unwrap_err().to_string();
        assert!(
            e.contains("bomb.npz") && e.contains("member 'z.npy'") && e.contains("budget"),
            "{e}"
        );
    }
}
