//! Derived per-photon and per-step columns: decompression of the legacy compressed step
//! records (`rx` → `rpost`, `rpol`, `wavelength`, `m1 m2 bd fl`) with the event's
//! domains, and the bit fields of the flag words (`ox[:,3]`, `photon[:,3]`).
//!
//! Kernels work on plain slices of rows, so the same code serves a whole event (in
//! parallel chunks), a gathered selection, or a comparison that decodes matching chunks
//! of two events side by side.

use rayon::prelude::*;

use crate::array::Array;
use crate::bail;
use crate::error::Result;

/// i16 values per compressed step record (2 quads of 4).
pub const REC_I16: usize = 8;

/// Compression domains of a legacy event (`fdom`, `idom`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Domains {
    /// Position centre xyz and extent (`fdom[0,0,:]`).
    pub center: [f32; 3],
    pub extent: f32,
    /// Time minimum and extent (`fdom[1,0,0:2]`).
    pub tmin: f32,
    pub textent: f32,
    /// Wavelength low, high, step, range (`fdom[2,0,:]`).
    pub wl_low: f32,
    pub wl_high: f32,
    pub wl_step: f32,
    pub wl_range: f32,
    /// `idom[0,0,3]` and `idom[0,0,2]` (0 when `idom` is absent).
    pub maxrec: i32,
    pub maxbounce: i32,
}

/// Sizes of one compression bin (the natural tolerances of an A/B comparison).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Eps {
    /// One position bin: `2 * extent / 65535`.
    pub pos: f64,
    /// One time bin: `2 * textent / 65535`.
    pub time: f64,
    /// Polarization: `2 / 255`.
    pub pol: f64,
    /// One wavelength bin: `range / 255`.
    pub wavelength: f64,
}

impl Domains {
    /// Read the domains from `fdom` (3,1,4) f32 and optional `idom` (1,1,4) i32.
    pub fn from_arrays(fdom: &Array, idom: Option<&Array>) -> Result<Domains> {
        if fdom.size() < 12 || fdom.shape()[0] < 3 {
            bail!(
                "fdom: expected shape (3,1,4) of float32, found {:?} {}",
                fdom.shape(),
                fdom.dtype().name()
            );
        }
        let f = crate::array::ops::astype(fdom, &crate::array::DType::F32)?;
        let f = f.as_slice::<f32>()?;
        let (mut maxrec, mut maxbounce) = (0, 0);
        if let Some(i) = idom {
            if i.size() >= 4 {
                let v = crate::array::ops::astype(i, &crate::array::DType::I32)?;
                let v = v.as_slice::<i32>()?;
                maxrec = v[3];
                maxbounce = v[2];
            }
        }
        let d = Domains {
            center: [f[0], f[1], f[2]],
            extent: f[3],
            tmin: f[4],
            textent: f[5],
            wl_low: f[8],
            wl_high: f[9],
            wl_step: f[10],
            wl_range: f[11],
            maxrec,
            maxbounce,
        };
        if !(d.extent.is_finite() && d.extent > 0.0) {
            bail!(
                "fdom: position extent fdom[0,0,3] = {} must be positive",
                d.extent
            );
        }
        if !(d.textent.is_finite() && d.textent > 0.0) {
            bail!(
                "fdom: time extent fdom[1,0,1] = {} must be positive",
                d.textent
            );
        }
        Ok(d)
    }

    /// As `fdom` (3,1,4) float32 values, row major.
    pub fn fdom_values(&self) -> [f32; 12] {
        [
            self.center[0],
            self.center[1],
            self.center[2],
            self.extent,
            self.tmin,
            self.textent,
            0.0,
            0.0,
            self.wl_low,
            self.wl_high,
            self.wl_step,
            self.wl_range,
        ]
    }

    pub fn eps(&self) -> Eps {
        Eps {
            pos: 2.0 * self.extent as f64 / 65535.0,
            time: 2.0 * self.textent as f64 / 65535.0,
            pol: 2.0 / 255.0,
            wavelength: self.wl_range as f64 / 255.0,
        }
    }

    /// Compress a position/time (used by the generator): `round(32767 (v - c) / e)`,
    /// clamped to the i16 minimum when out of domain.
    pub fn compress(v: f32, c: f32, e: f32) -> i16 {
        let s = (32767.0 * (v - c) / e).round();
        if !(-32767.0..=32767.0).contains(&s) {
            i16::MIN
        } else {
            s as i16
        }
    }
}

/// Decode positions and times of `k` photons' records: `rx` holds `k*R*8` i16, `out`
/// receives `k*R*4` f32 (x, y, z, t per step).
pub fn rpost_into(d: &Domains, rx: &[i16], out: &mut [f32]) {
    let sx = d.extent / 32767.0;
    let st = d.textent / 32767.0;
    let [cx, cy, cz] = d.center;
    for (o, r) in out.chunks_exact_mut(4).zip(rx.chunks_exact(REC_I16)) {
        o[0] = r[0] as f32 * sx + cx;
        o[1] = r[1] as f32 * sx + cy;
        o[2] = r[2] as f32 * sx + cz;
        o[3] = r[3] as f32 * st + d.tmin;
    }
}

#[inline]
fn bytes4(r: &[i16]) -> [u8; 4] {
    let a = (r[4] as u16).to_le_bytes();
    let b = (r[5] as u16).to_le_bytes();
    [a[0], a[1], b[0], b[1]]
}

/// Decode polarizations: `out` receives `k*R*3` f32 (`b / 127 - 1`).
pub fn rpol_into(rx: &[i16], out: &mut [f32]) {
    for (o, r) in out.chunks_exact_mut(3).zip(rx.chunks_exact(REC_I16)) {
        let b = bytes4(r);
        o[0] = b[0] as f32 / 127.0 - 1.0;
        o[1] = b[1] as f32 / 127.0 - 1.0;
        o[2] = b[2] as f32 / 127.0 - 1.0;
    }
}

/// Decode wavelengths: `low + b * range / 255` per step.
pub fn wavelength_into(d: &Domains, rx: &[i16], out: &mut [f32]) {
    let s = d.wl_range / 255.0;
    for (o, r) in out.iter_mut().zip(rx.chunks_exact(REC_I16)) {
        *o = bytes4(r)[3] as f32 * s + d.wl_low;
    }
}

/// Which byte field of a record quad-1 word to extract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepField {
    /// Material before the step (`rx[:,i,1,2]` low byte).
    M1,
    /// Material after the step (high byte).
    M2,
    /// Boundary, signed (`rx[:,i,1,3]` low byte).
    Bd,
    /// The step's flag as ffs(flag) (high byte).
    Fl,
}

/// Extract one byte field per step.
pub fn field_into(f: StepField, rx: &[i16], out: &mut [u8]) {
    let (w, hi) = match f {
        StepField::M1 => (6, false),
        StepField::M2 => (6, true),
        StepField::Bd => (7, false),
        StepField::Fl => (7, true),
    };
    for (o, r) in out.iter_mut().zip(rx.chunks_exact(REC_I16)) {
        let b = (r[w] as u16).to_le_bytes();
        *o = if hi { b[1] } else { b[0] };
    }
}

/// The `rx` array of `k` photons as one i16 slice (borrowed when contiguous).
pub fn rx_slice(rx: &Array) -> Result<std::borrow::Cow<'_, [i16]>> {
    if rx.ndim() != 4 || rx.shape()[2] != 2 || rx.shape()[3] != 4 {
        bail!(
            "rx: expected shape (N,R,2,4) of int16, found {:?} {}",
            rx.shape(),
            rx.dtype().name()
        );
    }
    if *rx.dtype() != crate::array::DType::I16 {
        bail!("rx: expected int16 data, found {}", rx.dtype().name());
    }
    rx.as_slice::<i16>()
}

/// Run a per-record kernel over all rows of `rx` in parallel, producing `per` outputs
/// of type `T` per record. Returns the flat output.
pub fn map_records<T: bytemuck::Pod + Send + Sync + Default>(
    rx: &[i16],
    per: usize,
    kernel: impl Fn(&[i16], &mut [T]) + Sync,
) -> Result<Vec<T>> {
    let nrec = rx.len() / REC_I16;
    let mut out = vec![T::default(); nrec * per];
    let chunk_rec = 1 << 16;
    out.par_chunks_mut(chunk_rec * per)
        .zip(rx.par_chunks(chunk_rec * REC_I16))
        .try_for_each(|(o, r)| {
            crate::exec::check()?;
            kernel(r, o);
            Ok(())
        })?;
    Ok(out)
}

/// The rows of `a` (any dtype with a trailing 4-wide u32/f32 quad) as u32 words of one
/// quad: `a[:, q, :]` read as u32, as a flat `(N, 4)` vector.
pub fn quad_words(a: &Array, q: usize, what: &str) -> Result<Vec<u32>> {
    if a.ndim() != 3 || a.shape()[2] != 4 || a.shape()[1] <= q || a.dtype().itemsize() != 4 {
        bail!(
            "{what}: expected shape (N,4,4) of 4-byte values, found {:?} {}",
            a.shape(),
            a.dtype().name()
        );
    }
    let w = a
        .index_axis(1, q as i64)?
        .view_as(crate::array::DType::U32)?;
    Ok(w.as_slice::<u32>()?.into_owned())
}
