//! Frame stacks (timelapse images) and their activity. A [`Frames`] value is lazy: it
//! names its source (one (T,H,W[,C]) dataset, a group of one dataset per frame in key
//! order, or an in-memory array) plus the per-pixel transforms asked for (`gray`,
//! `normalized`). Nothing is read until frames are asked for. [`activity`] streams the
//! stack block by block (blocks sized against the memory budget, chunks decompressed in
//! parallel), evaluates the transforms only at ROI pixels, and keeps the last frame of
//! each block so that differences across block (and chunk) borders are not lost.

use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::array::{Array, DType};
use crate::error::Result;
use crate::h5::{H5Dataset, H5Group, Node};
use crate::output::table::{Col, Table};
use crate::{bail, err};

/// OpenCV's fixed-point ITU-R 601 luma weights (14-bit): R, G, B.
const R2Y: u32 = 4899;
const G2Y: u32 = 9617;
const B2Y: u32 = 1868;
const YUV_SHIFT: u32 = 14;

/// Gray value of one RGB pixel of integer type, rounded as OpenCV's `cvtColor` does.
#[inline]
pub fn gray_int(r: u32, g: u32, b: u32) -> u32 {
    let v = r as u64 * R2Y as u64 + g as u64 * G2Y as u64 + b as u64 * B2Y as u64;
    ((v + (1 << (YUV_SHIFT - 1))) >> YUV_SHIFT) as u32
}

/// Where frames come from.
pub enum Source {
    Dataset(H5Dataset),
    /// One dataset per frame, in key order.
    Group(Vec<H5Dataset>),
    Memory(Array),
}

/// A lazy stack of frames with optional gray conversion and normalization.
#[derive(Clone)]
pub struct Frames {
    src: Arc<Source>,
    /// Raw element type of the frames.
    dtype: DType,
    /// T, H, W and the channel count (None for single-channel frames).
    t: usize,
    h: usize,
    w: usize,
    c: Option<usize>,
    pub gray: bool,
    pub normalized: bool,
    name: String,
}

fn check_frame_dtype(d: &DType, what: &str) -> Result<()> {
    if !(d.is_int() || d.is_float()) || matches!(d, DType::F16) {
        bail!(
            "{what}: frames must be integers or float32/float64, found {}",
            d.name()
        );
    }
    Ok(())
}

fn split_shape(
    shape: &[usize],
    what: &str,
    per_frame: bool,
) -> Result<(usize, usize, Option<usize>)> {
    let s = if per_frame { shape } else { &shape[1..] };
    match s {
        [h, w] => Ok((*h, *w, None)),
        [h, w, c] if (1..=4).contains(c) => Ok((*h, *w, Some(*c))),
        _ => bail!(
            "{what}: expected {} of shape {}, found {:?}",
            if per_frame { "frames" } else { "a stack" },
            if per_frame {
                "(H,W) or (H,W,C)"
            } else {
                "(T,H,W) or (T,H,W,C)"
            },
            shape
        ),
    }
}

impl Frames {
    /// A stack from one (T,H,W[,C]) dataset.
    pub fn from_dataset(d: &H5Dataset) -> Result<Frames> {
        let what = d.what();
        let shape = d.shape()?;
        if shape.len() < 3 {
            bail!("{what}: a frame stack needs shape (T,H,W) or (T,H,W,C), found {shape:?}");
        }
        let (h, w, c) = split_shape(&shape, &what, false)?;
        let dtype = d.plan()?.dtype;
        check_frame_dtype(&dtype, &what)?;
        Ok(Frames {
            src: Arc::new(Source::Dataset(d.clone())),
            dtype,
            t: shape[0],
            h,
            w,
            c,
            gray: false,
            normalized: false,
            name: what,
        })
    }

    /// A stack from a group holding one (H,W[,C]) dataset per frame (key order).
    pub fn from_group(g: &H5Group) -> Result<Frames> {
        let what = format!("{}: group '{}'", g.file().name(), g.path());
        let mut frames = vec![];
        for name in g.keys()? {
            match g.get(&name)? {
                Node::Dataset(d) => frames.push(d),
                _ => bail!("{what}: member '{name}' is not a dataset (a frame group holds one dataset per frame)"),
            }
        }
        let Some(first) = frames.first() else {
            bail!("{what}: holds no frames");
        };
        let shape = first.shape()?;
        let (h, w, c) = split_shape(&shape, &first.what(), true)?;
        let dtype = first.plan()?.dtype;
        check_frame_dtype(&dtype, &first.what())?;
        for d in &frames[1..] {
            let s = d.shape()?;
            if s != shape {
                bail!(
                    "{}: frame shape {s:?} differs from the first frame's {shape:?}",
                    d.what()
                );
            }
            let dt = d.plan()?.dtype;
            if dt != dtype {
                bail!(
                    "{}: dtype {} differs from the first frame's {}",
                    d.what(),
                    dt.name(),
                    dtype.name()
                );
            }
        }
        Ok(Frames {
            t: frames.len(),
            src: Arc::new(Source::Group(frames)),
            dtype,
            h,
            w,
            c,
            gray: false,
            normalized: false,
            name: what,
        })
    }

    /// A stack from an in-memory (T,H,W[,C]) array.
    pub fn from_array(a: &Array) -> Result<Frames> {
        let shape = a.shape().to_vec();
        if shape.len() < 3 {
            bail!("frames: an array stack needs shape (T,H,W) or (T,H,W,C), found {shape:?}");
        }
        let (h, w, c) = split_shape(&shape, "frames", false)?;
        check_frame_dtype(a.dtype(), "frames")?;
        Ok(Frames {
            src: Arc::new(Source::Memory(a.clone())),
            dtype: a.dtype().clone(),
            t: shape[0],
            h,
            w,
            c,
            gray: false,
            normalized: false,
            name: "array".into(),
        })
    }

    /// The same stack converted to gray (ITU-R 601 weights 0.299, 0.587, 0.114; integer
    /// frames rounded as OpenCV does). Single-channel stacks stay as they are.
    pub fn with_gray(&self) -> Result<Frames> {
        if let Some(c) = self.c {
            if c < 3 && c != 1 {
                bail!(
                    "{}: gray() needs RGB frames (3 or 4 channels), found {c}",
                    self.name
                );
            }
        }
        Ok(Frames {
            gray: true,
            ..self.clone()
        })
    }

    /// The same stack scaled to [0, 1] as float32 (uint8 / 255, uint16 / 65535; floats
    /// are kept as they are).
    pub fn with_normalized(&self) -> Result<Frames> {
        if !matches!(self.dtype, DType::U8 | DType::U16) && !self.dtype.is_float() {
            bail!(
                "{}: normalized() needs uint8 or uint16 frames, found {}",
                self.name,
                self.dtype.name()
            );
        }
        Ok(Frames {
            normalized: true,
            ..self.clone()
        })
    }

    pub fn len(&self) -> usize {
        self.t
    }
    pub fn is_empty(&self) -> bool {
        self.t == 0
    }
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Channels after the transforms (None: one channel, no channel axis).
    fn out_channels(&self) -> Option<usize> {
        match self.c {
            Some(c) if self.gray && c >= 3 => None,
            Some(1) if self.gray => None,
            c => c,
        }
    }

    /// Shape of the whole transformed stack.
    pub fn shape(&self) -> Vec<usize> {
        let mut s = vec![self.t, self.h, self.w];
        if let Some(c) = self.out_channels() {
            s.push(c);
        }
        s
    }

    /// Element type after the transforms.
    pub fn out_dtype(&self) -> DType {
        if self.normalized {
            match self.dtype {
                DType::F64 => DType::F64,
                _ => DType::F32,
            }
        } else {
            self.dtype.clone()
        }
    }

    /// Raw frames `t0..t1` as one (n,H,W[,C]) array.
    pub fn read_raw(&self, t0: usize, t1: usize) -> Result<Array> {
        let t1 = t1.min(self.t);
        let t0 = t0.min(t1);
        match &*self.src {
            Source::Dataset(d) => d.read_rows(t0, t1),
            Source::Memory(a) => Ok(a.slice_axis(0, Some(t0 as i64), Some(t1 as i64), 1)?),
            Source::Group(ds) => {
                let parts: Vec<Array> = ds[t0..t1]
                    .par_iter()
                    .map(|d| {
                        crate::exec::check()?;
                        d.read()
                    })
                    .collect::<Result<_>>()?;
                let isz = self.dtype.itemsize();
                let per = self.h * self.w * self.c.unwrap_or(1) * isz;
                let mut out = vec![0u64; (per * parts.len()).div_ceil(8).max(1)];
                {
                    let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut out);
                    for (i, p) in parts.iter().enumerate() {
                        let n = p.native();
                        let src = &n.buf().bytes()[n.offset()..n.offset() + per];
                        bytes[i * per..(i + 1) * per].copy_from_slice(src);
                    }
                }
                let mut shape = vec![parts.len(), self.h, self.w];
                if let Some(c) = self.c {
                    shape.push(c);
                }
                Array::from_words(out, self.dtype.clone(), shape, false)
            }
        }
    }

    /// Transformed frames `t0..t1`.
    pub fn read(&self, t0: usize, t1: usize) -> Result<Array> {
        let _span = crate::prof::span("frames.read");
        let raw = self.read_raw(t0, t1)?;
        self.transform(&raw)
    }

    /// The whole transformed stack (refused when it exceeds the memory budget).
    pub fn to_array(&self) -> Result<Array> {
        let bytes = self.shape().iter().product::<usize>() * self.out_dtype().itemsize();
        if bytes > crate::exec::mem_budget() {
            bail!(
                "{}: the stack needs {bytes} bytes, more than the memory budget; use activity() \
                 (which streams) or read a range of frames",
                self.name
            );
        }
        self.read(0, self.t)
    }

    /// Apply gray / normalized to a raw block.
    fn transform(&self, raw: &Array) -> Result<Array> {
        if !self.gray && !self.normalized {
            return Ok(raw.clone());
        }
        let n = raw.shape()[0];
        let npix = n * self.h * self.w;
        let ch = self.c.unwrap_or(1);
        let out_c = self.out_channels().unwrap_or(1);
        let mut shape = vec![n, self.h, self.w];
        if let Some(c) = self.out_channels() {
            shape.push(c);
        }
        let do_gray = self.gray && ch >= 3;
        let chunk = 1 << 16;
        crate::with_real_type!(&self.dtype, T => {
            let src = raw.as_slice::<T>()?;
            let src: &[T] = &src;
            if self.normalized {
                let scale = match self.dtype {
                    DType::U8 => 1.0 / 255.0,
                    DType::U16 => 1.0 / 65535.0,
                    _ => 1.0,
                };
                let is_int = self.dtype.is_int();
                let as_f64 = |v: T| -> f64 { num_f64(v) };
                let mut out = vec![0f32; npix * out_c];
                let as_f64 = &as_f64;
                if do_gray {
                    out.par_chunks_mut(chunk).enumerate().try_for_each(|(k, o)| -> Result<()> {
                        crate::exec::check()?;
                        for (j, v) in o.iter_mut().enumerate() {
                            let p = (k * chunk + j) * ch;
                            let (r, g, b) = (as_f64(src[p]), as_f64(src[p + 1]), as_f64(src[p + 2]));
                            let y = if is_int {
                                gray_int(r as u32, g as u32, b as u32) as f64
                            } else {
                                0.299 * r + 0.587 * g + 0.114 * b
                            };
                            *v = (y * scale) as f32;
                        }
                        Ok(())
                    })?;
                } else {
                    out.par_chunks_mut(chunk).enumerate().try_for_each(|(k, o)| -> Result<()> {
                        crate::exec::check()?;
                        for (j, v) in o.iter_mut().enumerate() {
                            *v = (as_f64(src[k * chunk + j]) * scale) as f32;
                        }
                        Ok(())
                    })?;
                }
                if matches!(self.dtype, DType::F64) {
                    let o64: Vec<f64> = if do_gray {
                        // recompute in f64 for float64 input
                        (0..npix).into_par_iter().map(|i| {
                            let p = i * ch;
                            0.299 * as_f64(src[p]) + 0.587 * as_f64(src[p + 1]) + 0.114 * as_f64(src[p + 2])
                        }).collect()
                    } else {
                        src.par_iter().map(|&v| as_f64(v)).collect()
                    };
                    return Array::from_vec(o64, shape);
                }
                Array::from_vec(out, shape)
            } else {
                // gray only, keeping the dtype
                let is_int = self.dtype.is_int();
                let out: Vec<f64> = (0..npix).into_par_iter().map(|i| {
                    let p = i * ch;
                    let (r, g, b) = (num_f64(src[p]), num_f64(src[p + 1]), num_f64(src[p + 2]));
                    if is_int {
                        gray_int(r as u32, g as u32, b as u32) as f64
                    } else {
                        0.299 * r + 0.587 * g + 0.114 * b
                    }
                }).collect();
                cast_vec(out, &self.dtype, shape)
            }
        }, else bail!("{}: unsupported frame dtype {}", self.name, self.dtype.name()))
    }

    /// The transformed value of pixel `p` (flat y*W+x) of raw frame `f` (C order slice).
    #[inline]
    fn pixel<T: Copy + NumF64>(
        &self,
        f: &[T],
        p: usize,
        ch: usize,
        scale: f64,
        is_int: bool,
    ) -> f64 {
        let y = if self.gray && ch >= 3 {
            let q = p * ch;
            let (r, g, b) = (f[q].f64(), f[q + 1].f64(), f[q + 2].f64());
            if is_int {
                gray_int(r as u32, g as u32, b as u32) as f64
            } else {
                0.299 * r + 0.587 * g + 0.114 * b
            }
        } else {
            f[p * ch].f64()
        };
        if self.normalized {
            if matches!(self.dtype, DType::F64) || !is_int {
                y * scale
            } else {
                // as stored in float32 by `normalized()`
                ((y * scale) as f32) as f64
            }
        } else {
            y
        }
    }
}

fn cast_vec(v: Vec<f64>, d: &DType, shape: Vec<usize>) -> Result<Array> {
    crate::with_real_type!(d, T => {
        let o: Vec<T> = v.into_iter().map(<T as FromF64>::from_f64).collect();
        if matches!(d, DType::Bool) {
            return Array::from_vec_typed(o, DType::Bool, shape);
        }
        Array::from_vec(o, shape)
    }, else Err(err!("unsupported dtype {}", d.name())))
}

/// Element → f64 for the frame kernels.
pub trait NumF64: Copy {
    fn f64(self) -> f64;
}
/// f64 → element (rounded and saturated for integers).
pub trait FromF64 {
    fn from_f64(v: f64) -> Self;
}
macro_rules! num_impls {
    ($($t:ty),*) => {$(
        impl NumF64 for $t { #[inline] fn f64(self) -> f64 { self as f64 } }
        impl FromF64 for $t { #[inline] fn from_f64(v: f64) -> Self { v.round() as $t } }
    )*};
}
num_impls!(u8, i8, u16, i16, u32, i32, u64, i64);
impl NumF64 for f32 {
    fn f64(self) -> f64 {
        self as f64
    }
}
impl NumF64 for f64 {
    fn f64(self) -> f64 {
        self
    }
}
impl FromF64 for f32 {
    fn from_f64(v: f64) -> Self {
        v as f32
    }
}
impl FromF64 for f64 {
    fn from_f64(v: f64) -> Self {
        v
    }
}
impl NumF64 for half::f16 {
    fn f64(self) -> f64 {
        self.to_f64()
    }
}
impl FromF64 for half::f16 {
    fn from_f64(v: f64) -> Self {
        half::f16::from_f64(v)
    }
}

#[inline]
fn num_f64<T: NumF64>(v: T) -> f64 {
    v.f64()
}

/// A region of interest.
#[derive(Clone, Debug)]
pub enum Roi {
    /// A circle centred at column `x`, row `y` with radius `r` (pixels whose centre is
    /// within `r`).
    Circle { x: f64, y: f64, r: f64 },
    /// A (H,W) mask: non-zero pixels belong to the ROI.
    Mask(Array),
}

/// Flat pixel indices (y*W + x) of an ROI, in order.
pub fn roi_pixels(roi: &Roi, h: usize, w: usize) -> Result<Vec<u32>> {
    match roi {
        Roi::Circle { x, y, r } => {
            if !(r.is_finite() && *r >= 0.0 && x.is_finite() && y.is_finite()) {
                bail!("activity: circle ROI needs finite x, y and r >= 0, got x={x} y={y} r={r}");
            }
            let mut out = vec![];
            let y0 = (y - r).floor().max(0.0) as usize;
            let y1 = ((y + r).ceil().max(0.0) as usize).min(h.saturating_sub(1));
            for row in y0..=y1 {
                if row >= h {
                    break;
                }
                let dy = row as f64 - y;
                let span2 = r * r - dy * dy;
                if span2 < 0.0 {
                    continue;
                }
                let s = span2.sqrt();
                let x0 = (x - s).ceil().max(0.0) as usize;
                let x1 = (x + s).floor();
                if x1 < 0.0 {
                    continue;
                }
                let x1 = (x1 as usize).min(w.saturating_sub(1));
                for col in x0..=x1 {
                    if col < w {
                        out.push((row * w + col) as u32);
                    }
                }
            }
            Ok(out)
        }
        Roi::Mask(m) => {
            if m.shape() != [h, w] {
                bail!(
                    "activity: ROI mask has shape {:?} but frames are {h}x{w}",
                    m.shape()
                );
            }
            let v: Vec<f64> = crate::with_real_type!(m.dtype(), T => {
                m.as_slice::<T>()?.iter().map(|&x| num_f64(x)).collect()
            }, else bail!("activity: ROI mask must be bool or numeric, found {}", m.dtype().name()));
            Ok(v.iter()
                .enumerate()
                .filter(|(_, &x)| x != 0.0)
                .map(|(i, _)| i as u32)
                .collect())
        }
    }
}

/// Options of [`activity`].
#[derive(Clone, Debug)]
pub struct ActivityOpts {
    /// Seconds between frames.
    pub interval: f64,
    /// Time of the first frame.
    pub start: f64,
}

impl Default for ActivityOpts {
    fn default() -> Self {
        ActivityOpts {
            interval: 1.0,
            start: 0.0,
        }
    }
}

/// Per ROI, per consecutive frame pair t→t+1: the sum over the ROI's pixels of
/// |f[t+1] − f[t]| (on the transformed frames). Result columns: `time` (start + t ×
/// interval) and `roi_1` … `roi_n`; the footer reports frames/s.
pub fn activity(st: &Frames, rois: &[Roi], opts: &ActivityOpts) -> Result<Table> {
    let _span = crate::prof::span("activity");
    if rois.is_empty() {
        bail!("activity: give at least one ROI (a mask or #{{x, y, r}})");
    }
    let (h, w) = (st.h, st.w);
    let roi_pix: Vec<Vec<u32>> = rois
        .iter()
        .map(|r| roi_pixels(r, h, w))
        .collect::<Result<_>>()?;
    for (i, p) in roi_pix.iter().enumerate() {
        if p.is_empty() {
            bail!(
                "activity: ROI {} covers no pixel of the {h}x{w} frames",
                i + 1
            );
        }
    }
    // Union of ROI pixels, gathered once per frame; each ROI indexes into it.
    let mut union: Vec<u32> = roi_pix.iter().flatten().copied().collect();
    union.sort_unstable();
    union.dedup();
    let roi_idx: Vec<Vec<u32>> = roi_pix
        .iter()
        .map(|p| {
            p.iter()
                .map(|q| union.binary_search(q).unwrap_or(0) as u32)
                .collect()
        })
        .collect();
    let t_total = st.t;
    let nroi = rois.len();
    let npairs = t_total.saturating_sub(1);
    let mut sums = vec![vec![0f64; npairs]; nroi];
    let started = Instant::now();
    let ch = st.c.unwrap_or(1);
    let frame_bytes = h * w * ch * st.dtype.itemsize();
    // Block length: a multiple of the chunk length along T, ~64 MiB of raw frames, and
    // within the budget with room for decoding.
    let chunk_t = match &*st.src {
        Source::Dataset(d) => d
            .info()
            .chunks
            .as_ref()
            .and_then(|c| c.first().copied())
            .unwrap_or(1),
        _ => 1,
    }
    .max(1);
    let target = (64usize << 20).min(crate::exec::mem_budget() / 4);
    let mut block = (target / frame_bytes.max(1)).max(1);
    block = block.div_ceil(chunk_t) * chunk_t;
    block = block.max(2 * crate::exec::threads());
    let is_int = st.dtype.is_int();
    let scale = match st.dtype {
        DType::U8 if st.normalized => 1.0 / 255.0,
        DType::U16 if st.normalized => 1.0 / 65535.0,
        _ => 1.0,
    };
    let mut prev: Option<Vec<f64>> = None;
    let mut t0 = 0;
    while t0 < t_total {
        crate::exec::check()?;
        let t1 = (t0 + block).min(t_total);
        let raw = st.read_raw(t0, t1)?;
        let n = t1 - t0;
        let gathered: Vec<Vec<f64>> = crate::with_real_type!(&st.dtype, T => {
            let s = raw.as_slice::<T>()?;
            let s: &[T] = &s;
            let per = h * w * ch;
            (0..n).into_par_iter().map(|k| {
                let f = &s[k * per..(k + 1) * per];
                union.iter().map(|&p| st.pixel(f, p as usize, ch, scale, is_int)).collect()
            }).collect()
        }, else bail!("activity: unsupported frame dtype {}", st.dtype.name()));
        // pairs (t-1, t) for t in t0..t1 (t >= 1)
        let pair_vals: Vec<Vec<f64>> = (0..n)
            .into_par_iter()
            .filter_map(|k| {
                let a = if k == 0 {
                    prev.as_ref()?
                } else {
                    &gathered[k - 1]
                };
                let b = &gathered[k];
                Some(
                    roi_idx
                        .iter()
                        .map(|idx| {
                            idx.iter()
                                .map(|&i| (b[i as usize] - a[i as usize]).abs())
                                .sum()
                        })
                        .collect(),
                )
            })
            .collect();
        let first_pair = if prev.is_some() { t0 - 1 } else { t0 };
        for (j, v) in pair_vals.into_iter().enumerate() {
            for (r, x) in v.into_iter().enumerate() {
                sums[r][first_pair + j] = x;
            }
        }
        prev = gathered.into_iter().last();
        t0 = t1;
    }
    let secs = started.elapsed().as_secs_f64();
    let fps = if secs > 0.0 {
        t_total as f64 / secs
    } else {
        f64::INFINITY
    };
    let mut t = Table::new(Some(format!(
        "activity of {} ({} frames, {} ROIs)",
        st.name, t_total, nroi
    )));
    let times: Vec<f64> = (0..npairs)
        .map(|i| opts.start + i as f64 * opts.interval)
        .collect();
    t.push("time", Col::Float(times))?;
    for (r, s) in sums.into_iter().enumerate() {
        t.push(format!("roi_{}", r + 1), Col::Float(s))?;
    }
    t.footer.push(format!(
        "{t_total} frames in {secs:.2} s ({fps:.1} frames/s)"
    ));
    Ok(t)
}
