//! Row sets and the selection spec language.
//!
//! A selection of an event is only a [`RowSet`]: a range, a sorted index list or a
//! bitmap, whichever is smallest. Columns are gathered through it when read. Specs are
//! what users type: an exact label, a prefix (`"TO BT BT .."`, a true masked-nibble
//! prefix), a flag anywhere (`"*RE*"`), a hex code, or a row slice (`"0:1000"`).

use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;

use super::flags::{looks_hex, parse_hex, FlagTable};
use super::history::CodeSource;
use crate::array::{c_strides, Array, Buf};
use crate::bail;
use crate::error::Result;

/// How the rows are held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rows {
    /// A contiguous run of rows.
    Range(Range<usize>),
    /// Sorted, distinct row indices.
    Idx(Vec<u32>),
    /// One bit per row (bit i of word i/64); `count` bits set.
    Bits { bits: Vec<u64>, count: usize },
}

/// A set of rows of an event with `n` rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowSet {
    n: usize,
    rows: Rows,
}

const WORDS_PER_CHUNK: usize = 1 << 14;

impl RowSet {
    /// Every row.
    pub fn all(n: usize) -> RowSet {
        RowSet {
            n,
            rows: Rows::Range(0..n),
        }
    }
    /// Rows `r` (clipped to `0..n`).
    pub fn range(n: usize, r: Range<usize>) -> RowSet {
        let s = r.start.min(n);
        let e = r.end.min(n).max(s);
        RowSet {
            n,
            rows: Rows::Range(s..e),
        }
    }
    /// From sorted distinct indices.
    pub fn from_sorted(n: usize, idx: Vec<u32>) -> RowSet {
        debug_assert!(idx.windows(2).all(|w| w[0] < w[1]));
        Self::normalize(n, Rows::Idx(idx))
    }
    /// From a bitmap of `n` bits.
    pub fn from_bits(n: usize, bits: Vec<u64>) -> RowSet {
        let count = bits.par_iter().map(|w| w.count_ones() as usize).sum();
        Self::normalize(n, Rows::Bits { bits, count })
    }

    /// Rows for which `pred(row)` holds, evaluated in parallel chunks (cancellable).
    pub fn from_pred(n: usize, pred: impl Fn(usize) -> bool + Sync) -> Result<RowSet> {
        let nw = n.div_ceil(64);
        let mut bits = vec![0u64; nw];
        bits.par_chunks_mut(WORDS_PER_CHUNK)
            .enumerate()
            .try_for_each(|(c, ws)| {
                crate::exec::check()?;
                let w0 = c * WORDS_PER_CHUNK;
                for (k, w) in ws.iter_mut().enumerate() {
                    let base = (w0 + k) * 64;
                    let end = (base + 64).min(n);
                    let mut v = 0u64;
                    for i in base..end {
                        v |= (pred(i) as u64) << (i - base);
                    }
                    *w = v;
                }
                Ok::<(), crate::error::Error>(())
            })?;
        Ok(Self::from_bits(n, bits))
    }

    /// From a bool mask (one byte per row).
    pub fn from_mask(mask: &[u8]) -> Result<RowSet> {
        Self::from_pred(mask.len(), |i| mask[i] != 0)
    }

    /// Choose the smallest representation.
    fn normalize(n: usize, rows: Rows) -> RowSet {
        let count = match &rows {
            Rows::Range(r) => r.len(),
            Rows::Idx(v) => v.len(),
            Rows::Bits { count, .. } => *count,
        };
        let rows = match rows {
            Rows::Range(r) => Rows::Range(r),
            other => {
                let idx_bytes = count * 4;
                let bit_bytes = n.div_ceil(64) * 8;
                // A contiguous run is cheapest of all.
                let first_last = match &other {
                    Rows::Idx(v) => v
                        .first()
                        .zip(v.last())
                        .map(|(a, b)| (*a as usize, *b as usize)),
                    Rows::Bits { bits, .. } => first_last_bit(bits),
                    Rows::Range(_) => None,
                };
                match first_last {
                    None => Rows::Range(0..0),
                    Some((a, b)) if b - a + 1 == count => Rows::Range(a..b + 1),
                    _ => match other {
                        Rows::Idx(v) if idx_bytes > bit_bytes => {
                            let mut bits = vec![0u64; n.div_ceil(64)];
                            for &i in &v {
                                bits[i as usize / 64] |= 1 << (i % 64);
                            }
                            Rows::Bits { bits, count }
                        }
                        Rows::Bits { bits, .. } if idx_bytes < bit_bytes => {
                            Rows::Idx(bits_to_idx(&bits))
                        }
                        o => o,
                    },
                }
            }
        };
        RowSet { n, rows }
    }

    /// Rows of the event (the universe).
    pub fn universe(&self) -> usize {
        self.n
    }
    /// Number of rows in the set.
    pub fn count(&self) -> usize {
        match &self.rows {
            Rows::Range(r) => r.len(),
            Rows::Idx(v) => v.len(),
            Rows::Bits { count, .. } => *count,
        }
    }
    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }
    pub fn rows(&self) -> &Rows {
        &self.rows
    }
    /// Bytes held by the representation.
    pub fn nbytes(&self) -> usize {
        match &self.rows {
            Rows::Range(_) => 16,
            Rows::Idx(v) => v.len() * 4,
            Rows::Bits { bits, .. } => bits.len() * 8,
        }
    }
    /// "range", "indices" or "bitmap".
    pub fn kind(&self) -> &'static str {
        match &self.rows {
            Rows::Range(_) => "range",
            Rows::Idx(_) => "indices",
            Rows::Bits { .. } => "bitmap",
        }
    }

    pub fn contains(&self, i: usize) -> bool {
        match &self.rows {
            Rows::Range(r) => r.contains(&i),
            Rows::Idx(v) => v.binary_search(&(i as u32)).is_ok(),
            Rows::Bits { bits, .. } => i < self.n && bits[i / 64] >> (i % 64) & 1 == 1,
        }
    }

    fn to_bits(&self) -> Vec<u64> {
        let nw = self.n.div_ceil(64);
        match &self.rows {
            Rows::Bits { bits, .. } => bits.clone(),
            Rows::Idx(v) => {
                let mut bits = vec![0u64; nw];
                for &i in v {
                    bits[i as usize / 64] |= 1 << (i % 64);
                }
                bits
            }
            Rows::Range(r) => {
                let mut bits = vec![0u64; nw];
                for i in r.clone() {
                    bits[i / 64] |= 1 << (i % 64);
                }
                bits
            }
        }
    }

    fn check_same(&self, o: &RowSet) -> Result<()> {
        if self.n != o.n {
            bail!(
                "cannot combine selections of events with {} and {} rows",
                self.n,
                o.n
            );
        }
        Ok(())
    }

    /// Rows in both.
    pub fn and(&self, o: &RowSet) -> Result<RowSet> {
        self.check_same(o)?;
        Ok(match (&self.rows, &o.rows) {
            (Rows::Range(a), Rows::Range(b)) => {
                RowSet::range(self.n, a.start.max(b.start)..a.end.min(b.end))
            }
            (Rows::Idx(v), _) => RowSet::from_sorted(
                self.n,
                v.iter()
                    .copied()
                    .filter(|&i| o.contains(i as usize))
                    .collect(),
            ),
            (_, Rows::Idx(v)) => RowSet::from_sorted(
                self.n,
                v.iter()
                    .copied()
                    .filter(|&i| self.contains(i as usize))
                    .collect(),
            ),
            _ => {
                let (a, b) = (self.to_bits(), o.to_bits());
                RowSet::from_bits(self.n, a.iter().zip(&b).map(|(x, y)| x & y).collect())
            }
        })
    }

    /// Rows in either.
    pub fn or(&self, o: &RowSet) -> Result<RowSet> {
        self.check_same(o)?;
        if let (Rows::Idx(a), Rows::Idx(b)) = (&self.rows, &o.rows) {
            let mut v = Vec::with_capacity(a.len() + b.len());
            let (mut i, mut j) = (0, 0);
            while i < a.len() || j < b.len() {
                let x = if j >= b.len() || (i < a.len() && a[i] <= b[j]) {
                    let x = a[i];
                    if j < b.len() && b[j] == x {
                        j += 1;
                    }
                    i += 1;
                    x
                } else {
                    j += 1;
                    b[j - 1]
                };
                v.push(x);
            }
            return Ok(RowSet::from_sorted(self.n, v));
        }
        let (a, b) = (self.to_bits(), o.to_bits());
        Ok(RowSet::from_bits(
            self.n,
            a.iter().zip(&b).map(|(x, y)| x | y).collect(),
        ))
    }

    /// Rows not in the set.
    pub fn not(&self) -> RowSet {
        let mut b = self.to_bits();
        for w in b.iter_mut() {
            *w = !*w;
        }
        let tail = self.n % 64;
        if tail != 0 {
            if let Some(l) = b.last_mut() {
                *l &= (1u64 << tail) - 1;
            }
        }
        RowSet::from_bits(self.n, b)
    }

    /// The rows as sorted indices, in pieces of about `piece` rows each (in order);
    /// computed in parallel for bitmaps.
    pub fn index_pieces(&self, piece: usize) -> Vec<Vec<u32>> {
        let piece = piece.max(64);
        match &self.rows {
            Rows::Range(r) => {
                let v: Vec<Range<usize>> = (r.start..r.end)
                    .step_by(piece)
                    .map(|s| s..(s + piece).min(r.end))
                    .collect();
                v.into_par_iter()
                    .map(|r| (r.start as u32..r.end as u32).collect())
                    .collect()
            }
            Rows::Idx(v) => v.chunks(piece).map(|c| c.to_vec()).collect(),
            Rows::Bits { bits, .. } => bits
                .par_chunks(piece.div_ceil(64))
                .enumerate()
                .map(|(c, ws)| {
                    let mut out = vec![];
                    let w0 = c * piece.div_ceil(64);
                    for (k, &w) in ws.iter().enumerate() {
                        let mut w = w;
                        while w != 0 {
                            let b = w.trailing_zeros() as usize;
                            out.push(((w0 + k) * 64 + b) as u32);
                            w &= w - 1;
                        }
                    }
                    out
                })
                .collect(),
        }
    }

    /// All rows as sorted indices.
    pub fn indices(&self) -> Vec<u32> {
        match &self.rows {
            Rows::Idx(v) => v.clone(),
            _ => self.index_pieces(1 << 20).concat(),
        }
    }
}

fn bits_to_idx(bits: &[u64]) -> Vec<u32> {
    let mut out = vec![];
    for (k, &w) in bits.iter().enumerate() {
        let mut w = w;
        while w != 0 {
            out.push((k * 64 + w.trailing_zeros() as usize) as u32);
            w &= w - 1;
        }
    }
    out
}

fn first_last_bit(bits: &[u64]) -> Option<(usize, usize)> {
    let f = bits.iter().position(|&w| w != 0)?;
    let l = bits.iter().rposition(|&w| w != 0)?;
    Some((
        f * 64 + bits[f].trailing_zeros() as usize,
        l * 64 + 63 - bits[l].leading_zeros() as usize,
    ))
}

// ------------------------------------------------------------------ gathering

/// Rows `rows` of `a` (first axis) as a new C-contiguous array, gathered in parallel
/// pieces. A range of rows is a view (no copy).
pub fn gather(a: &Array, rows: &RowSet) -> Result<Array> {
    let _s = crate::prof::stage("gather");
    if a.ndim() == 0 {
        bail!("cannot select rows of a 0-d array");
    }
    if a.shape()[0] != rows.universe() {
        bail!(
            "internal: array of {} rows gathered with a row set over {} rows",
            a.shape()[0],
            rows.universe()
        );
    }
    if let Rows::Range(r) = rows.rows() {
        return a.slice_axis(0, Some(r.start as i64), Some(r.end as i64), 1);
    }
    let src = a.native();
    let isz = src.dtype().itemsize();
    let row_elems: usize = src.shape()[1..].iter().product();
    let row_bytes = row_elems * isz;
    let inner_contig = {
        let c = c_strides(&src.shape()[1..], isz);
        src.shape()[1..]
            .iter()
            .zip(src.strides()[1..].iter().zip(&c))
            .all(|(&d, (&s, &cs))| d <= 1 || s == cs)
    };
    let pieces = rows.index_pieces((crate::exec::chunk_rows(row_bytes)).max(1024));
    if !inner_contig {
        let idx: Vec<usize> = pieces.concat().into_iter().map(|i| i as usize).collect();
        return crate::array::select::take_rows(src, &idx);
    }
    let count = rows.count();
    let total = count * row_bytes;
    let mut out = vec![0u64; total.div_ceil(8)];
    {
        let dst: &mut [u8] = &mut bytemuck::cast_slice_mut(&mut out)[..total];
        let mut segs: Vec<(&mut [u8], &[u32])> = Vec::with_capacity(pieces.len());
        let mut rest = dst;
        for p in &pieces {
            let (h, t) = rest.split_at_mut(p.len() * row_bytes);
            segs.push((h, p.as_slice()));
            rest = t;
        }
        let bytes = src.buf().bytes();
        let base = src.offset() as isize;
        let stride0 = src.strides()[0];
        segs.into_par_iter().try_for_each(|(d, idx)| {
            crate::exec::check()?;
            for (o, &i) in d.chunks_exact_mut(row_bytes.max(1)).zip(idx) {
                let off = (base + i as isize * stride0) as usize;
                o.copy_from_slice(&bytes[off..off + row_bytes]);
            }
            Ok::<(), crate::error::Error>(())
        })?;
    }
    let mut shape = src.shape().to_vec();
    shape[0] = count;
    let strides = c_strides(&shape, isz);
    Array::from_parts(
        Arc::new(Buf::Owned(Box::new(out))),
        src.dtype().clone(),
        false,
        shape,
        strides,
        0,
    )
}

// ------------------------------------------------------------------ specs

/// One parsed history spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Spec {
    /// `code == c`.
    Exact(u128),
    /// `code & mask == c` (the first k nibbles equal).
    Prefix { code: u128, mask: u128 },
    /// Some nibble equals this flag's value.
    Anywhere(u8),
    /// Rows `start:stop` of the event.
    Slice(String),
}

impl Spec {
    /// Does a code match (slices never match by code)?
    #[inline]
    pub fn matches(&self, c: u128) -> bool {
        match *self {
            Spec::Exact(x) => c == x,
            Spec::Prefix { code, mask } => c & mask == code,
            Spec::Anywhere(v) => {
                let mut c = c;
                while c != 0 {
                    if (c & 0xf) as u8 == v {
                        return true;
                    }
                    c >>= 4;
                }
                false
            }
            Spec::Slice(_) => false,
        }
    }
}

fn looks_slice(s: &str) -> bool {
    s.contains(':')
        && s.chars()
            .all(|c| c.is_ascii_digit() || "kKmMgG_-: ".contains(c))
}

/// Parse a spec string with the flag table `t` for codes of `slots` nibbles.
///
/// - `"0:1000"`, `"-10k:"`: a row slice.
/// - `"*RE*"`: the flag anywhere in the history.
/// - `"TO BT BT .."`: a prefix (the history starts with these points).
/// - `"0x8ccd"` / `"8ccd"`: a hex code (a single token that is not a flag name).
/// - otherwise an exact label `"TO BT BT SA"`.
pub fn parse_spec(s: &str, t: &FlagTable, slots: usize) -> Result<Spec> {
    let st = s.trim();
    if st.is_empty() {
        bail!("empty selection spec (examples: \"TO BT BT SA\", \"TO BT ..\", \"*RE*\", \"0x8ccd\", \"0:1000\")");
    }
    if looks_slice(st) {
        return Ok(Spec::Slice(st.to_string()));
    }
    let toks: Vec<&str> = st.split_whitespace().collect();
    if toks.len() == 1 {
        let tok = toks[0];
        if tok.len() >= 2 && tok.starts_with('*') && tok.ends_with('*') {
            let f = &tok[1..tok.len() - 1];
            if f.is_empty() || f.contains('*') {
                bail!("bad flag pattern '{tok}': write one flag between stars, like \"*RE*\"");
            }
            return Ok(Spec::Anywhere(
                t.nibble_or_err(f)
                    .map_err(|e| crate::err!("in selection '{s}': {e}"))?,
            ));
        }
        if t.nibble(tok).is_none() && looks_hex(tok) {
            return Ok(Spec::Exact(parse_hex(tok)?));
        }
    }
    let mut code = 0u128;
    let mut prefix = false;
    let mut k = 0;
    for (i, tok) in toks.iter().enumerate() {
        if *tok == ".." || *tok == "..." {
            if i != toks.len() - 1 {
                bail!("in selection '{s}': '{tok}' may only end a prefix, like \"TO BT ..\"");
            }
            if i == 0 {
                bail!("in selection '{s}': a prefix needs at least one flag before '{tok}'");
            }
            prefix = true;
            break;
        }
        if tok.contains('*') {
            bail!("in selection '{s}': bad token '{tok}' (flag anywhere is written alone, like \"*RE*\")");
        }
        let v = t
            .nibble_or_err(tok)
            .map_err(|e| crate::err!("in selection '{s}': {e}"))?;
        if k >= slots {
            bail!("in selection '{s}': more than {slots} points");
        }
        code |= (v as u128) << (4 * k);
        k += 1;
    }
    if prefix {
        let mask = if k >= 32 {
            u128::MAX
        } else {
            (1u128 << (4 * k)) - 1
        };
        Ok(Spec::Prefix { code, mask })
    } else {
        Ok(Spec::Exact(code))
    }
}

/// Rows whose code matches `spec` (not a slice).
pub fn select_codes<S: CodeSource + ?Sized>(src: &S, spec: &Spec) -> Result<RowSet> {
    let _s = crate::prof::stage("select");
    RowSet::from_pred(src.len(), |i| spec.matches(src.get(i)))
}

/// Rows whose code is any of `specs` (OR).
pub fn select_any<S: CodeSource + ?Sized>(src: &S, specs: &[Spec]) -> Result<RowSet> {
    let _s = crate::prof::stage("select");
    RowSet::from_pred(src.len(), |i| {
        let c = src.get(i);
        specs.iter().any(|s| s.matches(c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_masked_not_subset() {
        let t = FlagTable::legacy();
        let p = parse_spec("TO BT ..", &t, 16).unwrap();
        assert!(p.matches(0xccd));
        assert!(p.matches(0xcd));
        // "TO TO": a bit-subset test (c & 0xcd == 0xcd) would accept it.
        let subset = |c: u128, p: u128| c & p == p;
        assert!(subset(0xdd, 0xcd));
        assert!(!p.matches(0xdd));
        assert_eq!(parse_spec("8ccd", &t, 16).unwrap(), Spec::Exact(0x8ccd));
        assert_eq!(parse_spec("AB", &t, 16).unwrap(), Spec::Exact(4));
        assert!(parse_spec("TO .. SA", &t, 16)
            .unwrap_err()
            .to_string()
            .contains("'..'"));
        assert!(parse_spec("TO QQ", &t, 16)
            .unwrap_err()
            .to_string()
            .contains("'QQ'"));
        assert_eq!(
            parse_spec("0:10", &t, 16).unwrap(),
            Spec::Slice("0:10".into())
        );
    }

    #[test]
    fn rowset_algebra_and_forms() {
        let n = 1000;
        let a = RowSet::from_pred(n, |i| i % 3 == 0).unwrap();
        let b = RowSet::from_pred(n, |i| i % 5 == 0).unwrap();
        assert_eq!(a.kind(), "bitmap");
        assert_eq!(
            a.and(&b).unwrap().count(),
            (0..n).filter(|i| i % 15 == 0).count()
        );
        assert_eq!(
            a.or(&b).unwrap().count(),
            (0..n).filter(|i| i % 3 == 0 || i % 5 == 0).count()
        );
        assert_eq!(a.not().count(), n - a.count());
        let few = RowSet::from_pred(n, |i| i == 7 || i == 900).unwrap();
        assert_eq!(few.kind(), "indices");
        let run = RowSet::from_pred(n, |i| (10..20).contains(&i)).unwrap();
        assert_eq!(run.rows(), &Rows::Range(10..20));
        assert_eq!(run.indices(), (10..20).collect::<Vec<u32>>());
    }
}
