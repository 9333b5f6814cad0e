//! History tables: unique seqhis / seqmat / pflags values counted and sorted by count.
//!
//! Counting is hash-based and parallel: each chunk of rows fills a small open-addressing
//! table (a few hundred kB even for 100k distinct codes), the tables are merged, and only
//! the distinct codes are sorted. Nothing proportional to the number of photons is
//! allocated, so peak anonymous memory stays at a few MB at 10M photons.

use crate::error::Result;
use crate::output::table::{Col, Table};

/// Read access to a column of codes (u64 seqhis, two-u64 seqhis, u32 masks), by row.
pub trait CodeSource: Sync {
    /// Number of rows.
    fn len(&self) -> usize;
    /// The code of row `i` (`i < len()`).
    fn get(&self, i: usize) -> u128;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Counts of distinct codes, sorted by count descending, then code ascending.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub codes: Vec<u128>,
    pub counts: Vec<u64>,
    /// Rows counted.
    pub total: u64,
}

impl Counts {
    /// Number of distinct codes.
    pub fn len(&self) -> usize {
        self.codes.len()
    }
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
    /// Count of one code (0 when absent).
    pub fn count_of(&self, code: u128) -> u64 {
        self.codes
            .iter()
            .position(|&c| c == code)
            .map(|p| self.counts[p])
            .unwrap_or(0)
    }
}

/// An open-addressing hash table from code to count (count 0 marks an empty slot).
struct CountMap {
    keys: Vec<u128>,
    vals: Vec<u64>,
    used: usize,
    shift: u32,
}

#[inline]
fn hash(k: u128) -> u64 {
    let lo = k as u64;
    let hi = (k >> 64) as u64;
    (lo ^ hi.wrapping_mul(0xC2B2_AE3D_27D4_EB4F)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

impl CountMap {
    fn new() -> CountMap {
        Self::with_bits(10)
    }
    fn with_bits(bits: u32) -> CountMap {
        CountMap {
            keys: vec![0; 1 << bits],
            vals: vec![0; 1 << bits],
            used: 0,
            shift: 64 - bits,
        }
    }
    #[inline]
    fn add(&mut self, k: u128, n: u64) {
        let mask = self.keys.len() - 1;
        let mut i = (hash(k) >> self.shift) as usize;
        loop {
            if self.vals[i] == 0 {
                self.keys[i] = k;
                self.vals[i] = n;
                self.used += 1;
                if self.used * 2 > self.keys.len() {
                    self.grow();
                }
                return;
            }
            if self.keys[i] == k {
                self.vals[i] += n;
                return;
            }
            i = (i + 1) & mask;
        }
    }
    fn grow(&mut self) {
        let bits = 64 - self.shift + 1;
        let mut m = CountMap::with_bits(bits);
        for (k, v) in self.keys.iter().zip(&self.vals) {
            if *v != 0 {
                m.add(*k, *v);
            }
        }
        *self = m;
    }
    fn merge(mut self, other: CountMap) -> CountMap {
        let (mut big, small) = if self.used >= other.used {
            (std::mem::replace(&mut self, CountMap::with_bits(1)), other)
        } else {
            (other, self)
        };
        for (k, v) in small.keys.iter().zip(&small.vals) {
            if *v != 0 {
                big.add(*k, *v);
            }
        }
        big
    }
}

/// Count the distinct codes of `src` (in parallel chunks, cancellable) and sort them by
/// count descending (ties by code ascending).
pub fn count<S: CodeSource + ?Sized>(src: &S) -> Result<Counts> {
    let _s = crate::prof::stage("count histories");
    let n = src.len();
    let chunk = (n / (crate::exec::threads().max(1) * 8)).clamp(1 << 16, 1 << 22);
    let map = crate::exec::par_reduce(
        n,
        chunk,
        |r| {
            let mut m = CountMap::new();
            // A one-entry cache: consecutive photons often share a history.
            let mut last = u128::MAX;
            let mut run = 0u64;
            for i in r {
                let k = src.get(i);
                if k == last {
                    run += 1;
                } else {
                    if run > 0 {
                        m.add(last, run);
                    }
                    last = k;
                    run = 1;
                }
            }
            if run > 0 {
                m.add(last, run);
            }
            Ok(m)
        },
        CountMap::new,
        CountMap::merge,
    )?;
    Ok(sorted(map, n as u64))
}

/// Count only rows `rows` (sorted indices) of `src`.
pub fn count_rows<S: CodeSource + ?Sized>(src: &S, rows: &[u32]) -> Result<Counts> {
    let _s = crate::prof::stage("count histories");
    let n = rows.len();
    let map = crate::exec::par_reduce(
        n,
        1 << 18,
        |r| {
            let mut m = CountMap::new();
            for &i in &rows[r] {
                m.add(src.get(i as usize), 1);
            }
            Ok(m)
        },
        CountMap::new,
        CountMap::merge,
    )?;
    Ok(sorted(map, n as u64))
}

fn sorted(map: CountMap, total: u64) -> Counts {
    let _s = crate::prof::stage("sort histories");
    let mut pairs: Vec<(u128, u64)> = map
        .keys
        .iter()
        .zip(&map.vals)
        .filter(|(_, &v)| v != 0)
        .map(|(&k, &v)| (k, v))
        .collect();
    pairs.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Counts {
        codes: pairs.iter().map(|p| p.0).collect(),
        counts: pairs.iter().map(|p| p.1).collect(),
        total,
    }
}

/// Which kind of code a table shows (decides the npoints column and the title).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Seqhis,
    Seqmat,
    Pflags,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Seqhis => "seqhis",
            Kind::Seqmat => "seqmat",
            Kind::Pflags => "pflags",
        }
    }
}

/// Rows shown when a history table is printed.
pub const SHOWN_ROWS: usize = 20;

/// The printed table of `counts`: columns `idx code count frac npoints label`, the top 20
/// rows shown, a total line. `label` makes the label of one code.
pub fn table(
    counts: &Counts,
    kind: Kind,
    title: &str,
    label: &(dyn Fn(u128) -> String + Sync),
) -> Table {
    let _s = crate::prof::stage("history labels");
    let n = counts.len();
    let total = counts.total.max(1) as f64;
    let labels: Vec<String> = {
        use rayon::prelude::*;
        counts.codes.par_iter().map(|&c| label(c)).collect()
    };
    let npoints: Vec<i64> = counts
        .codes
        .iter()
        .map(|&c| match kind {
            Kind::Pflags => (c as u32).count_ones() as i64,
            _ => crate::event::flags::npoints(c) as i64,
        })
        .collect();
    let mut t = Table::new(Some(format!(
        "{}: {} ({} rows, {} distinct)",
        kind.name(),
        title,
        counts.total,
        n
    )));
    let cols = vec![
        ("idx", Col::Int((0..n as i64).collect())),
        (
            "code",
            Col::Str(
                counts
                    .codes
                    .iter()
                    .map(|&c| crate::event::flags::hex(c))
                    .collect(),
            ),
        ),
        (
            "count",
            Col::Int(counts.counts.iter().map(|&c| c as i64).collect()),
        ),
        (
            "frac",
            Col::Float(counts.counts.iter().map(|&c| c as f64 / total).collect()),
        ),
        ("npoints", Col::Int(npoints)),
        ("label", Col::Str(labels)),
    ];
    for (name, c) in cols {
        t.push(name, c).expect("columns of one length");
    }
    t.show = Some(SHOWN_ROWS);
    t.head_only = true;
    t.precision.push(("frac".into(), 4));
    t.footer.push(format!(
        "total {} in {} distinct {}",
        counts.total,
        n,
        match kind {
            Kind::Pflags => "masks",
            Kind::Seqmat => "material sequences",
            Kind::Seqhis => "histories",
        }
    ));
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    struct V(Vec<u64>);
    impl CodeSource for V {
        fn len(&self) -> usize {
            self.0.len()
        }
        fn get(&self, i: usize) -> u128 {
            self.0[i] as u128
        }
    }

    #[test]
    fn counts_sorted() {
        let v = V(vec![5, 3, 5, 5, 0, 3, 9, 5, 5]);
        let c = count(&v).unwrap();
        assert_eq!(c.codes, vec![5, 3, 0, 9]);
        assert_eq!(c.counts, vec![5, 2, 1, 1]);
        let many = V((0..300_000u64).map(|i| (i * 7919) % 5003).collect());
        let c = count(&many).unwrap();
        assert_eq!(c.len(), 5003);
        assert_eq!(c.counts.iter().sum::<u64>(), 300_000);
        let r = count_rows(&v, &[0, 1, 2]).unwrap();
        assert_eq!(r.codes, vec![5, 3]);
    }
}
