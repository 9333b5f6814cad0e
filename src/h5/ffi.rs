//! Thin, safe-ish wrappers over the raw HDF5 C API: owned identifiers that close
//! themselves under the library lock, error-stack capture, and the few string getters the
//! browse and read code need. The library is not thread-safe, so every call goes through
//! [`locked`], which takes hdf5-metno's global re-entrant lock.

use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_void};

use hdf5_sys::h5::herr_t;
use hdf5_sys::h5i::{hid_t, H5I_type_t, H5Iget_type};

use crate::err;
use crate::error::{Error, Result};

/// Run `f` holding the HDF5 library lock (re-entrant: nested calls are fine).
pub fn locked<T>(f: impl FnOnce() -> T) -> T {
    hdf5::sync::sync(f)
}

/// The library's current error stack as one line ("H5Dread(): can't read data: ..."),
/// clearing it. Empty when the library recorded nothing.
pub fn take_stack() -> String {
    locked(|| match hdf5::Error::query() {
        Ok(e) => {
            let s = e.to_string();
            if s == "unknown library error" {
                String::new()
            } else {
                s
            }
        }
        Err(_) => String::new(),
    })
}

/// An error for a failed library call: `what` (naming the file and object) plus the
/// library's own message.
pub fn lib_err(what: impl std::fmt::Display) -> Error {
    let stack = take_stack();
    if stack.is_empty() {
        err!("{what}")
    } else {
        err!("{what}: {stack}")
    }
}

/// What kind of identifier a [`Hid`] holds (decides how it is closed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Object,
    Type,
    Space,
    Plist,
    Attr,
}

/// An owned HDF5 identifier, closed on drop.
#[derive(Debug)]
pub struct Hid {
    id: hid_t,
    kind: Kind,
}

// SAFETY: identifiers are plain integers; every use of one goes through the library lock.
unsafe impl Send for Hid {}
unsafe impl Sync for Hid {}

impl Hid {
    /// Take ownership of `id` returned by a library call; a negative id is turned into an
    /// error carrying the library's message.
    pub fn new(id: hid_t, kind: Kind, what: impl std::fmt::Display) -> Result<Hid> {
        if id < 0 {
            Err(lib_err(what))
        } else {
            Ok(Hid { id, kind })
        }
    }
    pub fn id(&self) -> hid_t {
        self.id
    }
}

impl Drop for Hid {
    fn drop(&mut self) {
        use hdf5_sys::{h5a, h5f, h5o, h5p, h5s, h5t};
        let (id, kind) = (self.id, self.kind);
        locked(|| unsafe {
            let _ = match kind {
                Kind::File => h5f::H5Fclose(id),
                Kind::Object => h5o::H5Oclose(id),
                Kind::Type => h5t::H5Tclose(id),
                Kind::Space => h5s::H5Sclose(id),
                Kind::Plist => h5p::H5Pclose(id),
                Kind::Attr => h5a::H5Aclose(id),
            };
            // A failed close leaves a stack behind: drop it.
            let _ = hdf5::Error::query();
        });
    }
}

/// Check a status return (`herr_t` < 0 is failure).
pub fn check(status: herr_t, what: impl std::fmt::Display) -> Result<()> {
    if status < 0 {
        Err(lib_err(what))
    } else {
        Ok(())
    }
}

/// A C string for a name, or an error naming it when it holds a NUL byte.
pub fn cstr(s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| err!("name '{}' contains a NUL byte", s.escape_debug()))
}

/// Read a string through the usual two-call pattern (`f(null, 0)` gives the length).
pub fn get_string(f: impl Fn(*mut c_char, usize) -> isize) -> Option<String> {
    let n = f(std::ptr::null_mut(), 0);
    if n < 0 {
        let _ = hdf5::Error::query();
        return None;
    }
    let mut buf = vec![0u8; n as usize + 1];
    let m = f(buf.as_mut_ptr() as *mut c_char, buf.len());
    if m < 0 {
        let _ = hdf5::Error::query();
        return None;
    }
    buf.truncate(m.max(0) as usize);
    if let Some(p) = buf.iter().position(|&b| b == 0) {
        buf.truncate(p);
    }
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// A NUL-terminated C string owned by the library, copied.
///
/// # Safety
/// `p` must be null or point to a NUL-terminated string.
pub unsafe fn from_cstr(p: *const c_char) -> String {
    if p.is_null() {
        String::new()
    } else {
        CStr::from_ptr(p).to_string_lossy().into_owned()
    }
}

/// The identifier type of an open object (group, dataset, committed datatype).
pub fn id_type(id: hid_t) -> H5I_type_t {
    locked(|| unsafe { H5Iget_type(id) })
}

/// Free memory the library allocated for us (e.g. a filter name or an opaque tag).
///
/// # Safety
/// `p` must have been allocated by the HDF5 library.
pub unsafe fn h5_free(p: *mut c_void) {
    if !p.is_null() {
        hdf5_sys::h5::H5free_memory(p);
    }
}
