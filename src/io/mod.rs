//! Reading and writing files: `.npy` (memory-mapped), `.npz` (zips of `.npy` members),
//! CSV text tables; HDF5 lives in `crate::h5`.
pub mod csv;
pub mod npy;
pub mod npz;

use std::path::Path;

use crate::bail;
use crate::error::{Error, Result};

/// A temporary file beside `path` (same folder, so the final rename is atomic) for an
/// atomic write. Created with mode 0666 minus the umask, so the renamed file gets the
/// permissions an ordinary `open` would have given it (a plain temporary file is 0600).
pub fn temp_beside(path: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if path.is_dir() {
        bail!("cannot save to {}: it is a directory", path.display());
    }
    let mut b = tempfile::Builder::new();
    b.prefix(".evsh-tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    b.tempfile_in(dir).map_err(|e| Error::io(path, e))
}

/// Sync a finished temporary file and rename it over `path`.
pub fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}
