//! LZF (filter id 32000), the compressor h5py ships and uses for `compression="lzf"`.
//! System libhdf5 does not include it, so evsh provides the decoder twice: registered
//! with the library (so every read path and datatype can use it) and called directly by
//! the parallel chunk path. Only decompression is offered: evsh never writes HDF5.

use std::os::raw::{c_uint, c_void};
use std::sync::Once;

/// Decompress an LZF stream into `out`, returning the bytes written; `None` when the data
/// is corrupt or does not fit.
pub fn decompress(input: &[u8], out: &mut [u8]) -> Option<usize> {
    let (mut ip, mut op) = (0usize, 0usize);
    while ip < input.len() {
        let ctrl = input[ip] as usize;
        ip += 1;
        if ctrl < 32 {
            let n = ctrl + 1;
            if ip + n > input.len() || op + n > out.len() {
                return None;
            }
            out[op..op + n].copy_from_slice(&input[ip..ip + n]);
            ip += n;
            op += n;
        } else {
            let mut len = ctrl >> 5;
            let mut back = (ctrl & 0x1f) << 8;
            if len == 7 {
                len += *input.get(ip)? as usize;
                ip += 1;
            }
            back += *input.get(ip)? as usize;
            ip += 1;
            len += 2;
            let refpos = op.checked_sub(back + 1)?;
            if op + len > out.len() {
                return None;
            }
            for k in 0..len {
                out[op + k] = out[refpos + k];
            }
            op += len;
        }
    }
    Some(op)
}

unsafe extern "C" fn lzf_filter(
    flags: c_uint,
    cd_nelmts: usize,
    cd_values: *const c_uint,
    nbytes: usize,
    buf_size: *mut usize,
    buf: *mut *mut c_void,
) -> usize {
    let r = std::panic::catch_unwind(|| unsafe {
        if flags & hdf5_sys::h5z::H5Z_FLAG_REVERSE == 0 {
            return 0; // no encoder
        }
        let input = std::slice::from_raw_parts(*buf as *const u8, nbytes);
        let mut size = if cd_nelmts >= 3 && *cd_values.add(2) != 0 {
            *cd_values.add(2) as usize
        } else {
            nbytes.saturating_mul(4).max(64)
        };
        for _ in 0..8 {
            let out = hdf5_sys::h5::H5allocate_memory(size, 0) as *mut u8;
            if out.is_null() {
                return 0;
            }
            let o = std::slice::from_raw_parts_mut(out, size);
            if let Some(n) = decompress(input, o) {
                hdf5_sys::h5::H5free_memory(*buf);
                *buf = out as *mut c_void;
                *buf_size = size;
                return n;
            }
            hdf5_sys::h5::H5free_memory(out as *mut c_void);
            size = size.saturating_mul(2);
        }
        0
    });
    r.unwrap_or(0)
}

static REGISTER: Once = Once::new();

/// Register the LZF decoder with the library (once per process).
pub fn register() {
    REGISTER.call_once(|| {
        super::ffi::locked(|| unsafe {
            if hdf5_sys::h5z::H5Zfilter_avail(32000) > 0 {
                return;
            }
            let cls = hdf5_sys::h5z::H5Z_class2_t {
                version: hdf5_sys::h5z::H5Z_CLASS_T_VERS as i32,
                id: 32000,
                encoder_present: 0,
                decoder_present: 1,
                name: c"lzf (evsh decoder)".as_ptr(),
                can_apply: None,
                set_local: None,
                filter: Some(lzf_filter),
            };
            hdf5_sys::h5z::H5Zregister(&cls as *const _ as *const c_void);
            let _ = super::ffi::take_stack();
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_and_back_reference() {
        // "abcabcabc": literal "abc" then a back reference of length 6, distance 3.
        let data = [2u8, b'a', b'b', b'c', (4 << 5) as u8, 2];
        let mut out = [0u8; 9];
        assert_eq!(decompress(&data, &mut out), Some(9));
        assert_eq!(&out, b"abcabcabc");
        // corrupt: reference before the start
        assert_eq!(decompress(&[(1 << 5) as u8, 5], &mut out), None);
        // does not fit
        assert_eq!(decompress(&data, &mut [0u8; 4]), None);
    }
}
