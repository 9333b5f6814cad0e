//! The layout half of every elementwise kernel: it turns broadcast inputs into runs of
//! plain slices and scalars, so that the arithmetic half is one typed loop over slices
//! that the compiler vectorizes (no per-element dtype dispatch, no strided iterator).
//!
//! An input, seen over the output's flat C order, is classified once as a scalar, a
//! contiguous slice of the output's shape, a repeated contiguous row (a broadcast over
//! leading axes), a contiguous column (a broadcast over trailing axes, one value per run)
//! or, for anything else (steps, transposes, Fortran order), a view that is gathered into
//! a small buffer chunk by chunk. Chunks run through `crate::exec` (parallel, Ctrl-C,
//! progress, profiling) and outputs are written without a zeroing pass.

use ndarray::{ArrayViewD, Axis, IxDyn, Slice};

use crate::error::Result;
use crate::exec::Out;
use crate::{bail, err};

/// Elements per parallel chunk of an elementwise kernel.
pub fn chunk_elems(elem_bytes: usize) -> usize {
    crate::exec::chunk_rows(elem_bytes).max(1024)
}

/// A repeated row shorter than this is tiled into a longer buffer so that the typed loop
/// runs over long slices.
const TILE: usize = 4096;

/// One input of an elementwise kernel, classified against the output shape.
pub enum Src<'a, T> {
    Scalar(T),
    /// Contiguous, of the output's shape.
    Full(&'a [T]),
    /// Element `i` is `s[i % period]`; `s` holds whole periods (tiled when short).
    Rows(Vec<T>, usize),
    /// Element `i` is `s[i / inner]`.
    Cols(&'a [T], usize),
    /// Any other layout (broadcastable to the output shape, given here); gathered per
    /// chunk.
    View(ArrayViewD<'a, T>, Vec<usize>),
}

/// A run of one input: a slice of the run's length, or one value for all of it.
#[derive(Clone, Copy)]
pub enum Piece<'s, T> {
    Slice(&'s [T]),
    Scalar(T),
}

impl<'a, T: Copy> Src<'a, T> {
    /// Classify `v` (broadcastable to `shape`) for the output `shape`.
    pub fn of(v: ArrayViewD<'a, T>, shape: &[usize]) -> Result<Src<'a, T>> {
        let n: usize = shape.iter().product();
        if v.len() == 1 && n > 0 {
            let x = *v
                .iter()
                .next()
                .ok_or_else(|| err!("internal: empty one-element view"))?;
            return Ok(Src::Scalar(x));
        }
        let nd = shape.len();
        if v.ndim() <= nd {
            if let Some(s) = v.to_slice() {
                let mut p = vec![1usize; nd - v.ndim()];
                p.extend_from_slice(v.shape());
                if p == shape {
                    return Ok(Src::Full(s));
                }
                // ones then the output's trailing axes: a repeated row
                let ones = |d: &[usize]| d.iter().all(|&x| x == 1);
                if !s.is_empty() && (0..=nd).any(|k| ones(&p[..k]) && p[k..] == shape[k..]) {
                    return Ok(Self::rows(s));
                }
                // the output's leading axes then ones: a column
                if let Some(k) = (0..=nd).find(|&k| p[..k] == shape[..k] && ones(&p[k..])) {
                    let inner: usize = shape[k..].iter().product();
                    return Ok(Src::Cols(s, inner.max(1)));
                }
            }
        }
        if v.broadcast(IxDyn(shape)).is_none() {
            bail!("internal: cannot broadcast {:?} to {:?}", v.shape(), shape);
        }
        Ok(Src::View(v, shape.to_vec()))
    }

    fn rows(s: &'a [T]) -> Src<'a, T> {
        let p = s.len();
        let reps = TILE.div_ceil(p);
        let mut t = Vec::with_capacity(reps * p);
        for _ in 0..reps {
            t.extend_from_slice(s);
        }
        Src::Rows(t, p)
    }
}

/// What the driver needs of an input (a trait so that inputs of different lifetimes
/// can sit in one list).
trait Runs<T> {
    fn is_view(&self) -> bool;
    fn run_end(&self, pos: usize, end: usize) -> usize;
    fn piece<'s>(&'s self, pos: usize, end: usize, buf: &'s [T], lo: usize) -> Piece<'s, T>;
    fn gather(&self, r0: usize, r1: usize, buf: &mut Vec<T>);
}

impl<T: Copy> Runs<T> for Src<'_, T> {
    fn is_view(&self) -> bool {
        matches!(self, Src::View(..))
    }

    /// The end of the run that starts at flat index `pos` (at most `end`).
    #[inline]
    fn run_end(&self, pos: usize, end: usize) -> usize {
        match self {
            Src::Rows(s, p) => end.min(pos + s.len() - pos % p),
            Src::Cols(_, inner) => end.min((pos / inner + 1) * inner),
            _ => end,
        }
    }

    /// The run `pos..end` (within one run, see [`Src::run_end`]); `buf` holds a
    /// gathered view's chunk starting at flat index `lo`.
    #[inline]
    fn piece<'s>(&'s self, pos: usize, end: usize, buf: &'s [T], lo: usize) -> Piece<'s, T> {
        match self {
            Src::Scalar(x) => Piece::Scalar(*x),
            Src::Full(s) => Piece::Slice(&s[pos..end]),
            Src::Rows(s, p) => {
                let o = pos % p;
                Piece::Slice(&s[o..o + (end - pos)])
            }
            Src::Cols(s, inner) => Piece::Scalar(s[pos / inner]),
            Src::View(..) => Piece::Slice(&buf[pos - lo..end - lo]),
        }
    }

    /// Gather rows `r0..r1` of the first axis of a view input into `buf`.
    fn gather(&self, r0: usize, r1: usize, buf: &mut Vec<T>) {
        buf.clear();
        if let Src::View(v, shape) = self {
            let Some(v) = v.broadcast(IxDyn(shape)) else {
                return; // checked in `Src::of`
            };
            if v.ndim() == 0 {
                buf.extend(v.iter().copied());
            } else {
                let sub = v.slice_axis(Axis(0), Slice::from(r0..r1));
                buf.extend(sub.iter().copied());
            }
        }
    }
}

/// Chunking of an output of `shape`: chunks are whole rows of the first axis when some
/// input needs gathering.
fn chunking(shape: &[usize], views: bool, elem_bytes: usize) -> (usize, usize) {
    let n: usize = shape.iter().product();
    let ch = chunk_elems(elem_bytes);
    if !views || shape.is_empty() {
        return (n, ch);
    }
    let row: usize = shape[1..].iter().product::<usize>().max(1);
    (n, (ch / row).max(1) * row)
}

/// Run `body(out, pieces..)` over the runs of `srcs` for the output of `shape`: the
/// driver of every elementwise kernel. `body` writes exactly the run's length.
fn drive<T: Copy + Send + Sync, R: Send, const K: usize>(
    what: &str,
    shape: &[usize],
    srcs: [&(dyn Runs<T> + Sync); K],
    body: impl Fn(&mut Out<'_, R>, usize, [Piece<'_, T>; K]) + Sync,
) -> Result<Vec<R>> {
    let views = srcs.iter().any(|s| s.is_view());
    let (n, chunk) = chunking(shape, views, std::mem::size_of::<T>().max(8));
    let row: usize = if shape.is_empty() {
        1
    } else {
        shape[1..].iter().product::<usize>().max(1)
    };
    crate::exec::par_collect(n, chunk, what, |r, out| {
        let mut bufs: [Vec<T>; K] = std::array::from_fn(|_| Vec::new());
        if views {
            for (s, b) in srcs.iter().zip(bufs.iter_mut()) {
                s.gather(r.start / row, r.end.div_ceil(row), b);
            }
        }
        crate::exec::simd(|| {
            let mut pos = r.start;
            while pos < r.end {
                let end = srcs.iter().fold(r.end, |e, s| s.run_end(pos, e));
                let pieces: [Piece<'_, T>; K] =
                    std::array::from_fn(|i| srcs[i].piece(pos, end, &bufs[i], r.start));
                body(out, end - pos, pieces);
                pos = end;
            }
        });
        Ok(())
    })
}

/// `f(x)` elementwise over one input.
pub fn map1<T: Copy + Send + Sync, R: Copy + Send>(
    what: &str,
    shape: &[usize],
    a: &Src<'_, T>,
    f: impl Fn(T) -> R + Sync,
) -> Result<Vec<R>> {
    drive(
        what,
        shape,
        [a as &(dyn Runs<T> + Sync)],
        |out, len, [p]| match p {
            Piece::Slice(s) => out.map(s, &f),
            Piece::Scalar(x) => out.fill(f(x), len),
        },
    )
}

/// `f(x, y)` elementwise over two inputs.
pub fn map2<T: Copy + Send + Sync, R: Copy + Send>(
    what: &str,
    shape: &[usize],
    a: &Src<'_, T>,
    b: &Src<'_, T>,
    f: impl Fn(T, T) -> R + Sync,
) -> Result<Vec<R>> {
    drive(
        what,
        shape,
        [a as &(dyn Runs<T> + Sync), b],
        |out, len, [p, q]| match (p, q) {
            (Piece::Slice(x), Piece::Slice(y)) => out.zip(x, y, &f),
            (Piece::Slice(x), Piece::Scalar(y)) => out.map(x, |x| f(x, y)),
            (Piece::Scalar(x), Piece::Slice(y)) => out.map(y, |y| f(x, y)),
            (Piece::Scalar(x), Piece::Scalar(y)) => out.fill(f(x, y), len),
        },
    )
}

/// `if m != 0 { x } else { y }` elementwise (NumPy's `where`).
pub fn select3<T: Copy + Send + Sync + bytemuck::Pod>(
    shape: &[usize],
    m: &Src<'_, u8>,
    a: &Src<'_, T>,
    b: &Src<'_, T>,
) -> Result<Vec<T>> {
    // Like `drive`, but the mask has its own element type.
    let views = m.is_view() || a.is_view() || b.is_view();
    let (n, chunk) = chunking(shape, views, 8);
    let row: usize = if shape.is_empty() {
        1
    } else {
        shape[1..].iter().product::<usize>().max(1)
    };
    crate::exec::par_collect(n, chunk, "where", |r, out| {
        let (mut bm, mut ba, mut bb) = (Vec::new(), Vec::new(), Vec::new());
        if views {
            let (r0, r1) = (r.start / row, r.end.div_ceil(row));
            m.gather(r0, r1, &mut bm);
            a.gather(r0, r1, &mut ba);
            b.gather(r0, r1, &mut bb);
        }
        crate::exec::simd(|| {
            let mut pos = r.start;
            while pos < r.end {
                let end = m.run_end(pos, a.run_end(pos, b.run_end(pos, r.end)));
                let pm = m.piece(pos, end, &bm, r.start);
                let pa = a.piece(pos, end, &ba, r.start);
                let pb = b.piece(pos, end, &bb, r.start);
                let len = end - pos;
                match (pm, pa, pb) {
                    (Piece::Scalar(c), pa, pb) => match if c != 0 { pa } else { pb } {
                        Piece::Slice(s) => out.copy(s),
                        Piece::Scalar(x) => out.fill(x, len),
                    },
                    (Piece::Slice(ms), Piece::Slice(xs), Piece::Slice(ys)) => {
                        out.zip3(ms, xs, ys, |c, x, y| if c != 0 { x } else { y })
                    }
                    (Piece::Slice(ms), Piece::Slice(xs), Piece::Scalar(y)) => {
                        out.zip(ms, xs, |c, x| if c != 0 { x } else { y })
                    }
                    (Piece::Slice(ms), Piece::Scalar(x), Piece::Slice(ys)) => {
                        out.zip(ms, ys, |c, y| if c != 0 { x } else { y })
                    }
                    (Piece::Slice(ms), Piece::Scalar(x), Piece::Scalar(y)) => {
                        out.map(ms, |c| if c != 0 { x } else { y })
                    }
                }
                pos = end;
            }
        });
        Ok(())
    })
}

/// The elements of a view in C order as one vector, copied in parallel chunks of rows.
pub fn to_vec<T: Copy + Send + Sync>(v: &ArrayViewD<'_, T>) -> Result<Vec<T>> {
    let src = match v.to_slice() {
        Some(s) => Src::Full(s),
        None => Src::View(v.clone(), v.shape().to_vec()),
    };
    map1("copy", v.shape(), &src, |x| x)
}
