//! Reading and writing files: `.npy` (memory-mapped), `.npz` (zips of `.npy` members),
//! CSV text tables; HDF5 lives in `crate::h5`.
pub mod csv;
pub mod npy;
pub mod npz;

use std::path::{Path, PathBuf};

use crate::bail;
use crate::error::{Error, Result};

/// Where an output named `path` really goes: a symbolic link is followed to its target
/// (the link stays a link), a dangling one to the file it names.
fn resolve(path: &Path) -> PathBuf {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::canonicalize(path).unwrap_or_else(|_| match std::fs::read_link(path) {
                Ok(t) if t.is_relative() => path.parent().unwrap_or(Path::new(".")).join(t),
                Ok(t) => t,
                Err(_) => path.to_path_buf(),
            })
        }
        _ => path.to_path_buf(),
    }
}

/// What kind of non-regular file `m` describes, in words for an error message.
fn kind_of(m: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = m.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

/// Check that an input `path` is a regular file (following symbolic links) before it is
/// opened, so that a FIFO cannot block the session in `open(2)` and a device, socket or
/// directory gets an error naming what it is. `what` names the expected content
/// ("a .npy file"). Dangling links and link loops are named as such.
pub fn input_file(path: &Path, what: &str) -> Result<std::fs::Metadata> {
    let p = path.display();
    let lm = std::fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
    let m = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if lm.file_type().is_symlink() => {
            let target = std::fs::read_link(path)
                .map(|t| t.display().to_string())
                .unwrap_or_default();
            if e.raw_os_error() == Some(40) {
                bail!("{p}: is a symbolic link loop (ELOOP), not {what}");
            }
            if e.kind() == std::io::ErrorKind::NotFound {
                bail!("{p}: is a dangling symbolic link (to '{target}', which does not exist), not {what}");
            }
            return Err(Error::io(path, e));
        }
        Err(e) => return Err(Error::io(path, e)),
    };
    if !m.is_file() {
        bail!(
            "{p}: is {}, not {what} (evsh reads regular files; copy the data into one)",
            kind_of(&m)
        );
    }
    Ok(m)
}

/// A device node, FIFO or socket: written in place, never replaced by a regular file.
fn is_special(m: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    let t = m.file_type();
    t.is_char_device() || t.is_block_device() || t.is_fifo() || t.is_socket()
}

/// A temporary file for an atomic write to `path` (see [`persist`]): beside the file
/// (same folder, so the final rename is atomic), or in the temporary folder when the
/// target is a device or FIFO. Created with mode 0666 minus the umask, so a new file gets
/// the permissions an ordinary `open` would have given it (a plain temporary file is 0600).
pub fn temp_beside(path: &Path) -> Result<tempfile::NamedTempFile> {
    temp_with_suffix(path, "")
}

/// [`temp_beside`] with a file-name suffix (writers that choose the format by extension).
pub fn temp_with_suffix(path: &Path, suffix: &str) -> Result<tempfile::NamedTempFile> {
    let target = resolve(path);
    let meta = std::fs::metadata(&target).ok();
    if meta.as_ref().is_some_and(|m| m.is_dir()) {
        bail!("cannot save to {}: it is a directory", path.display());
    }
    let special = meta.as_ref().is_some_and(is_special);
    if special {
        use std::os::unix::fs::FileTypeExt;
        if meta.as_ref().is_some_and(|m| m.file_type().is_socket()) {
            bail!("cannot save to {}: it is a socket", path.display());
        }
    }
    let dir = if special {
        std::env::temp_dir()
    } else {
        match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        }
    };
    let mut b = tempfile::Builder::new();
    b.prefix(".evsh-tmp").suffix(suffix);
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    b.tempfile_in(&dir).map_err(|e| Error::io(path, e))
}

/// Finish an atomic write: sync the temporary file and rename it over `path` (through a
/// symbolic link to its target), keeping the mode of a file it replaces. A device node or
/// FIFO is not replaced: the bytes are written into it (a FIFO nobody reads is an error,
/// not a hang).
pub fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    let target = resolve(path);
    let meta = std::fs::metadata(&target).ok();
    if let Some(m) = meta.as_ref().filter(|m| is_special(m)) {
        use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
        let fifo = m.file_type().is_fifo();
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(if fifo { libc::O_NONBLOCK } else { 0 })
            .open(&target)
            .map_err(|e| {
                if e.raw_os_error() == Some(libc::ENXIO) {
                    crate::err!(
                        "cannot save to {}: no process is reading the FIFO",
                        path.display()
                    )
                } else {
                    Error::io(path, e)
                }
            })?;
        if fifo {
            use std::os::fd::AsRawFd;
            // back to blocking writes now that a reader is known to be there
            // SAFETY: fcntl on a descriptor this function owns, with valid flags.
            unsafe {
                let fd = out.as_raw_fd();
                let fl = libc::fcntl(fd, libc::F_GETFL);
                libc::fcntl(fd, libc::F_SETFL, fl & !libc::O_NONBLOCK);
            }
        }
        let mut src = tmp.reopen().map_err(|e| Error::io(path, e))?;
        std::io::copy(&mut src, &mut out).map_err(|e| Error::io(path, e))?;
        return Ok(());
    }
    if let Some(m) = meta {
        // replacing a file keeps its permissions
        std::fs::set_permissions(tmp.path(), m.permissions()).map_err(|e| Error::io(path, e))?;
    }
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    tmp.persist(&target).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Write `bytes` to `path` atomically through [`temp_beside`] and [`persist`].
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut tmp = temp_beside(path)?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    persist(tmp, path)
}
