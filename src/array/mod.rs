//! The typed n-d value every other layer computes with.
//!
//! An [`Array`] is a strided window (shape, byte strides, byte offset) onto shared bytes
//! that are either memory-mapped from a file or owned. Slicing, indexing an axis,
//! transposing and taking a struct field only make a new window: no data moves. Data
//! that cannot be viewed in place (other byte order, unaligned, non-native layout for a
//! kernel) is converted on first access into an owned native copy, cached and shared by
//! all clones of that array value.

pub mod blocked;
pub mod create;
pub mod cumulative;
pub mod dtype;
pub mod format;
pub mod index;
pub mod kernel;
pub mod lanes;
pub mod linalg;
pub mod math;
pub mod npstats;
pub mod num;
pub mod ops;
pub mod promote;
pub mod radix;
pub mod reduce;
pub mod rows;
pub mod select;
pub mod shape;
pub mod sort;
pub mod strings;

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use ndarray::{ArrayViewD, IxDyn, ShapeBuilder};

pub use dtype::{elem_matches, DType, Elem, Field, StructType};

use crate::bail;
use crate::error::Result;

/// Owned bytes of any element type (kept as the `Vec<T>` that produced them, so that
/// alignment is right and no copy is made).
pub trait OwnedBytes: Send + Sync {
    fn bytes(&self) -> &[u8];
    /// Writable bytes, for copy-on-write assignment into a buffer no other array shares.
    fn bytes_mut(&mut self) -> &mut [u8];
}
impl<T: bytemuck::Pod + Send + Sync> OwnedBytes for Vec<T> {
    fn bytes(&self) -> &[u8] {
        bytemuck::cast_slice(self.as_slice())
    }
    fn bytes_mut(&mut self) -> &mut [u8] {
        bytemuck::cast_slice_mut(self.as_mut_slice())
    }
}

/// The bytes behind one or more arrays.
pub enum Buf {
    /// A read-only memory map of (part of) a file.
    Mapped { map: memmap2::Mmap, path: PathBuf },
    /// Bytes owned by the process.
    Owned(Box<dyn OwnedBytes>),
}

impl Buf {
    pub fn bytes(&self) -> &[u8] {
        match self {
            Buf::Mapped { map, .. } => &map[..],
            Buf::Owned(b) => b.bytes(),
        }
    }
    pub fn is_mapped(&self) -> bool {
        matches!(self, Buf::Mapped { .. })
    }
}

/// Where an array came from, for display ("file_shape 10M load_slice 0:1M").
#[derive(Clone, Debug)]
pub struct Origin {
    pub path: PathBuf,
    /// Shape of the whole array in the file.
    pub file_shape: Vec<usize>,
    /// Row slice applied on load, as the user typed it.
    pub slice: Option<String>,
}

/// How an array's data is held, as shown to the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemKind {
    /// Viewed in place in a file mapping.
    Mapped,
    /// Held in process memory.
    Owned,
    /// Needs a conversion (byte order, alignment) that has not happened yet.
    Lazy,
}

impl MemKind {
    pub fn name(self) -> &'static str {
        match self {
            MemKind::Mapped => "mapped",
            MemKind::Owned => "owned",
            MemKind::Lazy => "lazy",
        }
    }
}

/// A typed, strided n-d array over shared bytes. Cheap to clone.
#[derive(Clone)]
pub struct Array {
    buf: Arc<Buf>,
    dtype: DType,
    /// Stored bytes are in the non-native byte order.
    swapped: bool,
    shape: Vec<usize>,
    /// Byte strides, one per axis.
    strides: Vec<isize>,
    /// Byte offset of element [0,0,...] in `buf`.
    offset: usize,
    origin: Option<Arc<Origin>>,
    /// Native, C-contiguous copy made on first access when the bytes cannot be viewed.
    native: Arc<OnceLock<Array>>,
}

impl std::fmt::Debug for Array {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Array({} {:?} {})",
            self.dtype.name(),
            self.shape,
            self.mem_kind().name()
        )
    }
}

/// C-order byte strides for a shape.
pub fn c_strides(shape: &[usize], itemsize: usize) -> Vec<isize> {
    let mut s = vec![0isize; shape.len()];
    let mut acc = itemsize as isize;
    for i in (0..shape.len()).rev() {
        s[i] = acc;
        acc *= shape[i].max(1) as isize;
    }
    s
}

/// Call `f` with the byte offset of every element of a strided layout (shape, byte
/// strides, offset of the first element), in logical C order.
pub fn walk_offsets(shape: &[usize], strides: &[isize], offset: usize, mut f: impl FnMut(usize)) {
    if shape.contains(&0) {
        return;
    }
    let nd = shape.len();
    if nd == 0 {
        f(offset);
        return;
    }
    let mut idx = vec![0usize; nd];
    let mut off = offset as isize;
    loop {
        f(off as usize);
        let mut ax = nd;
        loop {
            if ax == 0 {
                return;
            }
            ax -= 1;
            idx[ax] += 1;
            off += strides[ax];
            if idx[ax] < shape[ax] {
                break;
            }
            off -= strides[ax] * shape[ax] as isize;
            idx[ax] = 0;
        }
    }
}

/// Fortran-order byte strides for a shape.
pub fn f_strides(shape: &[usize], itemsize: usize) -> Vec<isize> {
    let mut s = vec![0isize; shape.len()];
    let mut acc = itemsize as isize;
    for i in 0..shape.len() {
        s[i] = acc;
        acc *= shape[i].max(1) as isize;
    }
    s
}

/// Number of elements of a shape, or an error naming the shape if it overflows.
pub fn checked_size(shape: &[usize]) -> Result<usize> {
    let mut n: usize = 1;
    for &d in shape {
        n = match n.checked_mul(d) {
            Some(v) => v,
            None => bail!("shape {shape:?} has more elements than fit in memory addresses"),
        };
    }
    Ok(n)
}

impl Array {
    // ----------------------------------------------------------------- constructors

    /// An array viewing `buf` with explicit layout. Checks that every addressed byte is
    /// inside the buffer.
    pub fn from_parts(
        buf: Arc<Buf>,
        dtype: DType,
        swapped: bool,
        shape: Vec<usize>,
        strides: Vec<isize>,
        offset: usize,
    ) -> Result<Array> {
        if shape.len() != strides.len() {
            bail!("internal: shape {shape:?} and strides {strides:?} differ in length");
        }
        let a = Array {
            buf,
            dtype,
            swapped,
            shape,
            strides,
            offset,
            origin: None,
            native: Arc::new(OnceLock::new()),
        };
        a.check_bounds()?;
        Ok(a)
    }

    fn check_bounds(&self) -> Result<()> {
        let len = self.buf.bytes().len();
        if self.shape.contains(&0) {
            return Ok(());
        }
        let mut lo = self.offset as isize;
        let mut hi = self.offset as isize;
        for (&d, &s) in self.shape.iter().zip(&self.strides) {
            let span = (d as isize - 1) * s;
            if span < 0 {
                lo += span;
            } else {
                hi += span;
            }
        }
        hi += self.dtype.itemsize() as isize;
        if lo < 0 || hi as usize > len {
            bail!(
                "array of shape {:?} {} needs bytes {}..{} but only {} are present",
                self.shape,
                self.dtype.name(),
                lo,
                hi,
                len
            );
        }
        Ok(())
    }

    /// A C-contiguous array that owns `data` (no copy).
    pub fn from_vec<T: Elem>(data: Vec<T>, shape: Vec<usize>) -> Result<Array> {
        Self::from_vec_typed(data, T::DTYPE, shape)
    }

    /// An array over an owned buffer of 8-byte words holding `shape` elements of `dtype`
    /// in C order (readers fill word buffers so that every dtype is aligned), byte-swapped
    /// on access when `swapped`.
    pub fn from_words(
        buf: Vec<u64>,
        dtype: DType,
        shape: Vec<usize>,
        swapped: bool,
    ) -> Result<Array> {
        Self::owned_c(buf, dtype, shape, swapped, false)
    }

    /// Like [`Array::from_vec`] but with an explicit dtype of the same item size
    /// (e.g. `Vec<u8>` as `Bool`).
    pub fn from_vec_typed<T: bytemuck::Pod + Send + Sync>(
        data: Vec<T>,
        dtype: DType,
        shape: Vec<usize>,
    ) -> Result<Array> {
        Self::owned_c(data, dtype, shape, false, true)
    }

    /// A C-ordered array over an owned vector whose bytes hold the elements: exactly
    /// (`exact`) or with padding at the end (word buffers).
    fn owned_c<T: bytemuck::Pod + Send + Sync>(
        data: Vec<T>,
        dtype: DType,
        shape: Vec<usize>,
        swapped: bool,
        exact: bool,
    ) -> Result<Array> {
        let need = checked_size(&shape)?.saturating_mul(dtype.itemsize());
        let have = std::mem::size_of::<T>().saturating_mul(data.len());
        if need > have || (exact && need != have) {
            bail!(
                "internal: {have} bytes of data for shape {:?} {}",
                shape,
                dtype.name()
            );
        }
        let strides = c_strides(&shape, dtype.itemsize());
        Self::from_parts(
            Arc::new(Buf::Owned(Box::new(data))),
            dtype,
            swapped,
            shape,
            strides,
            0,
        )
    }

    /// A 1-d bool array (stored as bytes 0/1).
    pub fn from_bools(data: Vec<bool>) -> Array {
        let n = data.len();
        let v: Vec<u8> = data.into_iter().map(u8::from).collect();
        Self::from_vec_typed(v, DType::Bool, vec![n]).expect("length matches")
    }

    /// A 0-d array holding one value.
    pub fn scalar<T: Elem>(v: T) -> Array {
        Self::from_vec(vec![v], vec![]).expect("one element")
    }

    /// Attach where this array came from (for display).
    pub fn with_origin(mut self, origin: Origin) -> Array {
        self.origin = Some(Arc::new(origin));
        self
    }

    // ----------------------------------------------------------------- properties

    pub fn dtype(&self) -> &DType {
        &self.dtype
    }
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }
    pub fn strides(&self) -> &[isize] {
        &self.strides
    }
    pub fn offset(&self) -> usize {
        self.offset
    }
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }
    /// Number of elements.
    pub fn size(&self) -> usize {
        self.shape.iter().product()
    }
    /// Length of the first axis (1 for 0-d, like a scalar).
    pub fn len(&self) -> usize {
        self.shape.first().copied().unwrap_or(1)
    }
    pub fn is_empty(&self) -> bool {
        self.size() == 0
    }
    /// Logical bytes of the elements (size × itemsize).
    pub fn nbytes(&self) -> usize {
        self.size() * self.dtype.itemsize()
    }
    pub fn swapped(&self) -> bool {
        self.swapped
    }
    pub fn origin(&self) -> Option<&Origin> {
        self.origin.as_deref()
    }
    pub fn buf(&self) -> &Arc<Buf> {
        &self.buf
    }

    /// How the data is held right now.
    pub fn mem_kind(&self) -> MemKind {
        if self.native.get().is_some() {
            return MemKind::Owned;
        }
        if !self.viewable() {
            return MemKind::Lazy;
        }
        if self.buf.is_mapped() {
            MemKind::Mapped
        } else {
            MemKind::Owned
        }
    }

    /// Bytes of memory this value keeps alive on its own (owned data, including a cached
    /// native copy); mapped bytes are not counted.
    pub fn owned_bytes(&self) -> usize {
        let own = if self.buf.is_mapped() {
            0
        } else {
            self.buf.bytes().len()
        };
        own + self.native.get().map(|a| a.owned_bytes()).unwrap_or(0)
    }

    /// Elements are in C order without gaps.
    pub fn is_c_contiguous(&self) -> bool {
        self.shape.contains(&0) || {
            let c = c_strides(&self.shape, self.dtype.itemsize());
            self.shape
                .iter()
                .zip(self.strides.iter().zip(&c))
                .all(|(&d, (&s, &cs))| d <= 1 || s == cs)
        }
    }

    /// The bytes can be viewed as `&[T]`/ndarray in place: native order and aligned.
    pub fn viewable(&self) -> bool {
        if self.swapped {
            return false;
        }
        let al = self.dtype.align();
        let base = self.buf.bytes().as_ptr() as usize + self.offset;
        base.is_multiple_of(al)
            && self
                .strides
                .iter()
                .zip(&self.shape)
                .all(|(&s, &d)| d <= 1 || s.rem_euclid(al as isize) == 0)
    }

    // ----------------------------------------------------------------- access

    /// The native (viewable) version of this array: itself when viewable, otherwise a
    /// converted C-contiguous copy made once and cached.
    pub fn native(&self) -> &Array {
        if self.viewable() {
            return self;
        }
        self.native.get_or_init(|| self.to_contiguous_native())
    }

    /// A copy in native byte order and C order. Struct records are copied as bytes
    /// (their fields keep their own byte order).
    pub fn to_contiguous_native(&self) -> Array {
        let words = (self.size() * self.dtype.itemsize()).div_ceil(8);
        self.contiguous_into(vec![0u64; words])
    }

    /// The same values stored in C order in the byte order NumPy names with `>`/`<`:
    /// `swapped` true stores them opposite to this machine (each element's bytes reversed,
    /// each half of a complex number separately) and marks the array swapped, so reads
    /// convert back and `save` writes the stored order with its descr (`astype(">f8")`).
    /// Only numeric dtypes have a byte order; others come back in native order.
    pub fn to_byte_order(&self, swapped: bool, what: &str) -> Result<Array> {
        let native = self.try_to_contiguous_native(what)?;
        let d = self.dtype.clone();
        let unit = if d.is_complex() {
            d.itemsize() / 2
        } else {
            d.itemsize()
        };
        if !swapped || !d.is_numeric() || unit <= 1 {
            return Ok(native);
        }
        let nb = native.nbytes();
        let mut words = crate::exec::out::alloc::<u64>(nb.div_ceil(8), what)?;
        words.resize(nb.div_ceil(8), 0);
        {
            let src = &native.buf().bytes()[native.offset..native.offset + nb];
            let dst: &mut [u8] = &mut bytemuck::cast_slice_mut::<u64, u8>(&mut words)[..nb];
            for (o, i) in dst.chunks_exact_mut(unit).zip(src.chunks_exact(unit)) {
                for k in 0..unit {
                    o[k] = i[unit - 1 - k];
                }
            }
        }
        Array::from_words(words, d, self.shape.clone(), true)
    }

    /// [`Array::to_contiguous_native`] with the allocation checked: an impossible size is
    /// an error naming `what`, not an abort.
    pub fn try_to_contiguous_native(&self, what: &str) -> Result<Array> {
        let words = self
            .size()
            .checked_mul(self.dtype.itemsize())
            .map(|b| b.div_ceil(8))
            .ok_or_else(|| crate::err!("{what}: array too large"))?;
        let mut out: Vec<u64> = crate::exec::out::alloc(words, what)?;
        out.resize(words, 0);
        Ok(self.contiguous_into(out))
    }

    /// The C-order native copy written into `out` (zeroed words, enough for every byte).
    fn contiguous_into(&self, mut out: Vec<u64>) -> Array {
        let isz = self.dtype.itemsize();
        let n = self.size();
        {
            let dst: &mut [u8] = &mut bytemuck::cast_slice_mut(&mut out)[..n * isz];
            let src = self.buf.bytes();
            if self.is_c_contiguous() {
                dst.copy_from_slice(&src[self.offset..self.offset + n * isz]);
            } else {
                let mut k = 0;
                self.for_each_offset(|off| {
                    dst[k..k + isz].copy_from_slice(&src[off..off + isz]);
                    k += isz;
                });
            }
            if self.swapped {
                let unit = match &self.dtype {
                    DType::C64 => 4,
                    DType::C128 => 8,
                    DType::Unicode(_) => 4,
                    d => d.itemsize(),
                };
                if unit > 1 {
                    dst.chunks_exact_mut(unit).for_each(|c| c.reverse());
                }
            }
        }
        let shape = self.shape.clone();
        let strides = c_strides(&shape, isz);
        Array {
            buf: Arc::new(Buf::Owned(Box::new(out))),
            dtype: self.dtype.clone(),
            swapped: false,
            shape,
            strides,
            offset: 0,
            origin: self.origin.clone(),
            native: Arc::new(OnceLock::new()),
        }
    }

    /// Call `f` with the byte offset of every element, in logical C order.
    pub fn for_each_offset(&self, f: impl FnMut(usize)) {
        walk_offsets(&self.shape, &self.strides, self.offset, f)
    }

    /// An ndarray view of the elements as `T` (converting to native once if needed).
    /// Errors if `T` does not match the dtype.
    pub fn view<T: Elem>(&self) -> Result<ArrayViewD<'_, T>> {
        if !elem_matches::<T>(&self.dtype) {
            bail!(
                "expected {} data, found {}",
                T::DTYPE.name(),
                self.dtype.name()
            );
        }
        let a = self.native();
        let isz = std::mem::size_of::<T>() as isize;
        // ndarray wants non-negative strides from the lowest address: flip negative axes
        // here and invert them back on the view.
        let mut off = a.offset as isize;
        let mut strides = Vec::with_capacity(a.ndim());
        let mut flipped = vec![];
        for (i, (&s, &d)) in a.strides.iter().zip(&a.shape).enumerate() {
            if s < 0 && d > 0 {
                off += (d as isize - 1) * s;
                strides.push((-s / isz) as usize);
                flipped.push(i);
            } else if s < 0 {
                // an empty axis: its stride is never used
                strides.push(0);
            } else {
                strides.push((s / isz) as usize);
            }
        }
        let bytes = a.buf.bytes();
        // SAFETY: `native()` guarantees native byte order and alignment for T; bounds were
        // checked in `from_parts` (every element lies inside `bytes`, and `off` is the
        // lowest addressed element); the bytes are immutable and live as long as `self`.
        let mut v = unsafe {
            let ptr = bytes.as_ptr().offset(off) as *const T;
            ArrayViewD::from_shape_ptr(IxDyn(&a.shape).strides(IxDyn(&strides)), ptr)
        };
        for i in flipped {
            v.invert_axis(ndarray::Axis(i));
        }
        Ok(v)
    }

    /// The elements as one contiguous slice in C order: borrowed when the array already
    /// is, otherwise copied.
    pub fn as_slice<T: Elem>(&self) -> Result<Cow<'_, [T]>> {
        let v = self.view::<T>()?;
        Ok(match v.to_slice() {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(v.iter().copied().collect()),
        })
    }

    /// Raw bytes of one element at a byte offset (for strings and records).
    pub fn element_bytes(&self, byte_offset: usize) -> &[u8] {
        &self.buf.bytes()[byte_offset..byte_offset + self.dtype.itemsize()]
    }

    // ----------------------------------------------------------------- windows

    fn window(&self, shape: Vec<usize>, strides: Vec<isize>, offset: usize) -> Array {
        Array {
            buf: self.buf.clone(),
            dtype: self.dtype.clone(),
            swapped: self.swapped,
            shape,
            strides,
            offset,
            origin: self.origin.clone(),
            native: Arc::new(OnceLock::new()),
        }
    }

    /// Resolve a possibly negative axis.
    pub fn axis(&self, axis: i64) -> Result<usize> {
        let nd = self.ndim() as i64;
        let a = if axis < 0 { axis + nd } else { axis };
        if a < 0 || a >= nd {
            bail!(
                "axis {axis} is out of range for an array of {} dimensions",
                nd
            );
        }
        Ok(a as usize)
    }

    /// Elements `start..stop` by `step` along `axis` (Python slice semantics, negative
    /// indices count from the end, bounds are clipped).
    pub fn slice_axis(
        &self,
        axis: usize,
        start: Option<i64>,
        stop: Option<i64>,
        step: i64,
    ) -> Result<Array> {
        if axis >= self.ndim() {
            bail!("axis {axis} is out of range for shape {:?}", self.shape);
        }
        if step == 0 {
            bail!("slice step cannot be zero");
        }
        let n = self.shape[axis] as i64;
        let norm = |v: i64, lo: i64, hi: i64| {
            let v = if v < 0 { v + n } else { v };
            v.clamp(lo, hi)
        };
        let (s, e) = if step > 0 {
            (
                start.map_or(0, |v| norm(v, 0, n)),
                stop.map_or(n, |v| norm(v, 0, n)),
            )
        } else {
            (
                start.map_or(n - 1, |v| norm(v, -1, n - 1)),
                stop.map_or(-1, |v| norm(v, -1, n - 1)),
            )
        };
        let len = if step > 0 {
            if e > s {
                (e - s + step - 1) / step
            } else {
                0
            }
        } else if s > e {
            (s - e + (-step) - 1) / (-step)
        } else {
            0
        };
        let mut shape = self.shape.clone();
        let mut strides = self.strides.clone();
        let offset = if len > 0 {
            (self.offset as isize + s as isize * self.strides[axis]) as usize
        } else {
            self.offset
        };
        shape[axis] = len as usize;
        strides[axis] = self.strides[axis] * step as isize;
        Ok(self.window(shape, strides, offset))
    }

    /// Index one position of `axis`, removing that axis (negative counts from the end).
    pub fn index_axis(&self, axis: usize, index: i64) -> Result<Array> {
        if axis >= self.ndim() {
            bail!("axis {axis} is out of range for shape {:?}", self.shape);
        }
        let n = self.shape[axis] as i64;
        let i = if index < 0 { index + n } else { index };
        if i < 0 || i >= n {
            bail!(
                "index {index} is out of bounds for axis {axis} with size {n} (shape {:?})",
                self.shape
            );
        }
        let offset = (self.offset as isize + i as isize * self.strides[axis]) as usize;
        let mut shape = self.shape.clone();
        let mut strides = self.strides.clone();
        shape.remove(axis);
        strides.remove(axis);
        Ok(self.window(shape, strides, offset))
    }

    /// Reverse the axes (NumPy's `.T`).
    pub fn transpose(&self) -> Array {
        let mut shape = self.shape.clone();
        let mut strides = self.strides.clone();
        shape.reverse();
        strides.reverse();
        self.window(shape, strides, self.offset)
    }

    /// The axes in a new order (NumPy's `x.transpose(axes)`): axis `i` of the result is
    /// axis `perm[i]` of `self`. A view.
    pub fn permute_axes(&self, perm: &[usize]) -> Result<Array> {
        let nd = self.ndim();
        let mut seen = vec![false; nd];
        if perm.len() != nd
            || perm
                .iter()
                .any(|&p| p >= nd || std::mem::replace(&mut seen[p], true))
        {
            bail!(
                "axes {perm:?} are not a permutation of the {nd} axes of shape {:?}",
                self.shape
            );
        }
        let shape = perm.iter().map(|&p| self.shape[p]).collect();
        let strides = perm.iter().map(|&p| self.strides[p]).collect();
        Ok(self.window(shape, strides, self.offset))
    }

    /// A new axis of length 1 at position `axis` (0..=ndim). A view.
    pub fn insert_axis(&self, axis: usize) -> Result<Array> {
        if axis > self.ndim() {
            bail!(
                "axis {axis} is out of range for inserting into shape {:?}",
                self.shape
            );
        }
        let mut shape = self.shape.clone();
        let mut strides = self.strides.clone();
        shape.insert(axis, 1);
        strides.insert(axis, 0);
        Ok(self.window(shape, strides, self.offset))
    }

    /// Drop axis `axis`, which must have length 1. A view.
    pub fn remove_unit_axis(&self, axis: usize) -> Result<Array> {
        if axis >= self.ndim() || self.shape[axis] != 1 {
            bail!(
                "cannot remove axis {axis} of shape {:?}: its length is not 1",
                self.shape
            );
        }
        let mut shape = self.shape.clone();
        let mut strides = self.strides.clone();
        shape.remove(axis);
        strides.remove(axis);
        Ok(self.window(shape, strides, self.offset))
    }

    /// Same elements, new shape (C order). Views when contiguous, otherwise copies.
    pub fn reshape(&self, shape: Vec<usize>) -> Result<Array> {
        if checked_size(&shape)? != self.size() {
            bail!(
                "cannot reshape an array of {} elements (shape {:?}) into shape {:?}",
                self.size(),
                self.shape,
                shape
            );
        }
        let src = if self.is_c_contiguous() {
            self.clone()
        } else {
            self.to_contiguous_native()
        };
        let strides = c_strides(&shape, self.dtype.itemsize());
        Ok(src.window(shape, strides, src.offset))
    }

    /// Reinterpret the bytes as another dtype of the same item size (NumPy's `.view`).
    /// The last axis must be contiguous when item sizes differ.
    pub fn view_as(&self, dtype: DType) -> Result<Array> {
        let (a, b) = (self.dtype.itemsize(), dtype.itemsize());
        if a == 0 || b == 0 {
            bail!(
                "cannot view {} as {}: item size 0 (a string dtype needs a length, e.g. \"S8\")",
                self.dtype.name(),
                dtype.name()
            );
        }
        let src = if self.swapped {
            self.native().clone()
        } else {
            self.clone()
        };
        if a == b {
            let mut w = src.window(src.shape.clone(), src.strides.clone(), src.offset);
            w.dtype = dtype;
            return Ok(w);
        }
        let last = src.ndim().checked_sub(1);
        let ok = match last {
            Some(l) => src.strides[l] == a as isize && (src.shape[l] * a) % b == 0,
            None => false,
        };
        if !ok {
            bail!(
                "cannot view {} {:?} as {}: the last axis must be contiguous and its byte size divisible by {}",
                self.dtype.name(),
                self.shape,
                dtype.name(),
                b
            );
        }
        let l = last.unwrap_or(0);
        let mut shape = src.shape.clone();
        let mut strides = src.strides.clone();
        shape[l] = shape[l] * a / b;
        strides[l] = b as isize;
        let mut w = src.window(shape, strides, src.offset);
        w.dtype = dtype;
        Ok(w)
    }

    /// A field of a structured array as its own array (a view; sub-array fields add axes).
    pub fn field(&self, name: &str) -> Result<Array> {
        let st = match &self.dtype {
            DType::Struct(s) => s.clone(),
            d => bail!("field('{name}'): array of dtype {} has no fields", d.name()),
        };
        let f = match st.fields.iter().find(|f| f.name == name) {
            Some(f) => f,
            None => {
                let names: Vec<&str> = st.fields.iter().map(|f| f.name.as_str()).collect();
                bail!("no field '{name}'; the fields are: {}", names.join(", "))
            }
        };
        let mut shape = self.shape.clone();
        let mut strides = self.strides.clone();
        let sub = c_strides(&f.shape, f.dtype.itemsize());
        shape.extend(&f.shape);
        strides.extend(sub);
        let mut w = self.window(shape, strides, self.offset + f.offset);
        w.dtype = f.dtype.clone();
        w.swapped = f.swapped;
        Ok(w)
    }

    /// Field names of a structured array (empty otherwise).
    pub fn field_names(&self) -> Vec<String> {
        match &self.dtype {
            DType::Struct(s) => s.fields.iter().map(|f| f.name.clone()).collect(),
            _ => vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slicing_views_share_bytes() {
        let a = Array::from_vec((0..24i32).collect(), vec![4, 6]).unwrap();
        let s = a.slice_axis(0, Some(1), Some(3), 1).unwrap();
        assert_eq!(s.shape(), &[2, 6]);
        assert_eq!(s.as_slice::<i32>().unwrap()[0], 6);
        let c = a.index_axis(1, -1).unwrap();
        assert_eq!(c.as_slice::<i32>().unwrap().to_vec(), vec![5, 11, 17, 23]);
        let r = a.slice_axis(0, None, None, -2).unwrap();
        assert_eq!(r.view::<i32>().unwrap()[[0, 0]], 18);
        assert_eq!(r.view::<i32>().unwrap()[[1, 0]], 6);
        let t = a.transpose();
        assert_eq!(t.shape(), &[6, 4]);
        assert_eq!(t.view::<i32>().unwrap()[[1, 2]], 13);
        assert!(!t.is_c_contiguous());
        assert_eq!(
            t.reshape(vec![24]).unwrap().as_slice::<i32>().unwrap()[1],
            6
        );
    }

    #[test]
    fn swapped_data_is_converted_once() {
        let v: Vec<u16> = vec![0x0102, 0x0304];
        let buf = Arc::new(Buf::Owned(Box::new(v)));
        let a = Array::from_parts(buf, DType::U16, true, vec![2], vec![2], 0).unwrap();
        assert_eq!(a.mem_kind(), MemKind::Lazy);
        assert_eq!(a.as_slice::<u16>().unwrap().to_vec(), vec![0x0201, 0x0403]);
        assert_eq!(a.mem_kind(), MemKind::Owned);
    }

    #[test]
    fn unaligned_field_is_converted() {
        // records of (u8 tag, f32 value) packed: itemsize 5, field at offset 1
        let mut bytes = vec![];
        for i in 0..3u8 {
            bytes.push(i);
            bytes.extend_from_slice(&(i as f32 * 1.5).to_ne_bytes());
        }
        let st = StructType {
            itemsize: 5,
            fields: vec![
                Field {
                    name: "tag".into(),
                    dtype: DType::U8,
                    swapped: false,
                    offset: 0,
                    shape: vec![],
                },
                Field {
                    name: "v".into(),
                    dtype: DType::F32,
                    swapped: false,
                    offset: 1,
                    shape: vec![],
                },
            ],
        };
        let buf = Arc::new(Buf::Owned(Box::new(bytes)));
        let a = Array::from_parts(buf, DType::Struct(Arc::new(st)), false, vec![3], vec![5], 0)
            .unwrap();
        let v = a.field("v").unwrap();
        assert_eq!(v.as_slice::<f32>().unwrap().to_vec(), vec![0.0, 1.5, 3.0]);
        assert!(a.field("nope").unwrap_err().to_string().contains("tag, v"));
    }

    #[test]
    fn bounds_are_checked() {
        let buf = Arc::new(Buf::Owned(Box::new(vec![0u8; 10])));
        assert!(Array::from_parts(buf, DType::F32, false, vec![3], vec![4], 0).is_err());
    }

    #[test]
    fn view_as_splits_last_axis() {
        let a = Array::from_vec(vec![1u64, 2], vec![2]).unwrap();
        let b = a.view_as(DType::U32).unwrap();
        assert_eq!(b.shape(), &[4]);
    }
}
