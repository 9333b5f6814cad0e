//! The streaming deviation pass: both sides' compared data read straight from the
//! mappings (`Src`), one photon's deviations per quantity, and per-history aggregates
//! built in parallel chunks and merged.

use std::borrow::Cow;

use super::*;
use crate::compare::{par_scope, CodeMap, Pair};

/// The compared data of both sides, over the loaded rows.
pub(super) enum Src<'a> {
    Rx {
        ra: Cow<'a, [i16]>,
        rb: Cow<'a, [i16]>,
        r: usize,
        da: Domains,
        db: Domains,
    },
    Ox {
        oa: Cow<'a, [f32]>,
        ob: Cow<'a, [f32]>,
    },
}

/// Per-photon maxima of each quantity and where they were (point, component).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct PhotonDev {
    /// Per quantity: the photon's maximum deviation,
    pub(super) dev: [f32; MAXQ],
    /// and where it is (point, component).
    pub(super) at: [(u8, u8); MAXQ],
}

#[inline]
fn diff(a: f32, b: f32) -> f32 {
    let d = (a - b).abs();
    if d.is_nan() {
        f32::INFINITY
    } else {
        d
    }
}

#[inline]
fn pol_bytes(r: &[i16]) -> [u8; 3] {
    let a = (r[4] as u16).to_le_bytes();
    let b = (r[5] as u16).to_le_bytes();
    [a[0], a[1], b[0]]
}

impl Src<'_> {
    /// The deviations of photon `i` (aligned, history `code`) for quantity `q`.
    #[inline]
    pub(super) fn photon(&self, q: Quantity, i: usize, code: u128) -> PhotonDev {
        let mut p = PhotonDev::default();
        match self {
            Src::Rx { ra, rb, r, da, db } => {
                let np = flags::npoints(code).min(*r);
                let base = i * r * REC_I16;
                let xa = &ra[base..base + np * REC_I16];
                let xb = &rb[base..base + np * REC_I16];
                if q == Quantity::Rpost {
                    let (sa, sb) = (da.extent / 32767.0, db.extent / 32767.0);
                    let (ta, tb) = (da.textent / 32767.0, db.textent / 32767.0);
                    for (k, (a, b)) in xa
                        .chunks_exact(REC_I16)
                        .zip(xb.chunks_exact(REC_I16))
                        .enumerate()
                    {
                        for c in 0..3 {
                            let d = diff(
                                a[c] as f32 * sa + da.center[c],
                                b[c] as f32 * sb + db.center[c],
                            );
                            if d > p.dev[0] {
                                p.dev[0] = d;
                                p.at[0] = (k as u8, c as u8);
                            }
                        }
                        let d = diff(a[3] as f32 * ta + da.tmin, b[3] as f32 * tb + db.tmin);
                        if d > p.dev[1] {
                            p.dev[1] = d;
                            p.at[1] = (k as u8, 3);
                        }
                    }
                } else {
                    for (k, (a, b)) in xa
                        .chunks_exact(REC_I16)
                        .zip(xb.chunks_exact(REC_I16))
                        .enumerate()
                    {
                        let (pa, pb) = (pol_bytes(a), pol_bytes(b));
                        for c in 0..3 {
                            let d = diff(pa[c] as f32 / 127.0 - 1.0, pb[c] as f32 / 127.0 - 1.0);
                            if d > p.dev[0] {
                                p.dev[0] = d;
                                p.at[0] = (k as u8, c as u8);
                            }
                        }
                    }
                }
            }
            Src::Ox { oa, ob } => {
                let a = &oa[i * 16..i * 16 + 16];
                let b = &ob[i * 16..i * 16 + 16];
                // (quantity, first element, elements)
                for (k, lo, len) in [(0, 0, 3), (1, 3, 1), (2, 4, 3), (3, 8, 3), (4, 11, 1)] {
                    for c in lo..lo + len {
                        let d = diff(a[c], b[c]);
                        if d > p.dev[k] {
                            p.dev[k] = d;
                            p.at[k] = (0, c as u8);
                        }
                    }
                }
            }
        }
        p
    }

    /// The value of one component on side A (`b == false`) or B, for `worst`.
    pub(super) fn value(&self, q: Quantity, i: usize, point: u8, comp: u8, side_b: bool) -> f64 {
        match self {
            Src::Rx { ra, rb, r, da, db } => {
                let (x, d) = if side_b { (rb, db) } else { (ra, da) };
                let o = (i * r + point as usize) * REC_I16;
                let rec = &x[o..o + REC_I16];
                let c = comp as usize;
                (match (q, c) {
                    (Quantity::Rpost, 3) => rec[3] as f32 * (d.textent / 32767.0) + d.tmin,
                    (Quantity::Rpost, _) => rec[c] as f32 * (d.extent / 32767.0) + d.center[c],
                    _ => pol_bytes(rec)[c] as f32 / 127.0 - 1.0,
                }) as f64
            }
            Src::Ox { oa, ob } => {
                let x = if side_b { ob } else { oa };
                x[i * 16 + comp as usize] as f64
            }
        }
    }
}

pub(super) fn comp_name(q: Quantity, comp: u8) -> &'static str {
    match q {
        Quantity::Ox => match comp {
            0 | 4 | 8 => "x",
            1 | 5 | 9 => "y",
            2 | 6 | 10 => "z",
            3 => "t",
            _ => "w",
        },
        _ => ["x", "y", "z", "t"][comp as usize & 3],
    }
}

fn base_array<'e>(e: &'e Event, name: &str) -> Result<&'e crate::array::Array> {
    e.folder()
        .arrays
        .get(name)
        .map(|x| &x.array)
        .ok_or_else(|| {
            err!(
                "{}: this {} event has no '{name}' array",
                e.folder().path.display(),
                e.layout().name()
            )
        })
}

fn ox_rows<'e>(e: &'e Event, what: &str) -> Result<Cow<'e, [f32]>> {
    let name = match e.layout() {
        Layout::Legacy => "ox",
        Layout::NpFold => "photon",
    };
    let a = base_array(e, name)?;
    if a.ndim() != 3 || a.shape()[1..] != [4, 4] || *a.dtype() != crate::array::DType::F32 {
        bail!(
            "{what}: {}: expected '{name}' of shape (N,4,4) float32, found {:?} {}",
            e.folder().path.display(),
            a.shape(),
            a.dtype().name()
        );
    }
    a.as_slice::<f32>()
}

impl Pair {
    pub(super) fn dv_source(&self, q: Quantity) -> Result<Src<'_>> {
        let (a, b) = (self.a(), self.b());
        let what = format!("ab.dv(\"{}\")", q.name());
        Ok(match q {
            Quantity::Ox => Src::Ox {
                oa: ox_rows(a, &what)?,
                ob: ox_rows(b, &what)?,
            },
            Quantity::Rpost | Quantity::Rpol => {
                for e in [a, b] {
                    if e.layout() != Layout::Legacy {
                        bail!(
                            "{what}: {} is an NPFold event: compressed step records (rx) exist \
only in legacy events; use ab.dv(\"ox\") for the final photons",
                            e.folder().path.display()
                        );
                    }
                }
                let (r_a, r_b) = (a.maxrec()?, b.maxrec()?);
                if r_a != r_b {
                    bail!(
                        "{what}: A records {r_a} points per photon (rx of {}) but B records {r_b} \
({}); the step records cannot be compared point by point",
                        a.folder().path.display(),
                        b.folder().path.display()
                    );
                }
                let dom = |e: &Event| -> Result<Domains> {
                    match e.domains() {
                        Some(d) => Ok(*d),
                        None if q == Quantity::Rpol => Ok(crate::event::gen::domains()),
                        None => bail!(
                            "{what}: {} has no domains (fdom.npy), needed to decompress positions",
                            e.folder().path.display()
                        ),
                    }
                };
                let n = self.loaded();
                Src::Rx {
                    ra: a.rx_rows(0..n)?,
                    rb: b.rx_rows(0..n)?,
                    r: r_a,
                    da: dom(a)?,
                    db: dom(b)?,
                }
            }
        })
    }

    /// Run the deviation pass of `q` with `cuts` (cached for the default cuts).
    pub fn deviations(&self, q: Quantity, cuts: &[Cuts]) -> Result<std::sync::Arc<DvResult>> {
        let default = cuts == self.default_cuts(q).as_slice();
        if default {
            if let Some(r) = self
                .dv_cache()
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .get(q.name())
            {
                return Ok(r.clone());
            }
        }
        let _s = crate::prof::stage(match q {
            Quantity::Rpost => "deviations rpost",
            Quantity::Rpol => "deviations rpol",
            Quantity::Ox => "deviations ox",
        });
        let src = self.dv_source(q)?;
        let (ha, hb) = self.seqhis()?;
        let (ma, mb) = self.members();
        let nq = q.qtys().len();
        let map = par_scope(
            self.scope(),
            CodeMap::<u128, Agg>::default,
            |m, i| {
                if !Pair::is_aligned(i, &ha, &hb, ma, mb) {
                    return;
                }
                let code = ha.get(i);
                let p = src.photon(q, i, code);
                let agg = m.entry(code).or_default();
                agg.n += 1;
                for (k, c) in cuts.iter().enumerate().take(nq) {
                    let d = p.dev[k] as f64;
                    let g = &mut agg.q[k];
                    g.nwarn += (d > c.warn) as u64;
                    g.nerr += (d > c.err) as u64;
                    g.nfatal += (d > c.fatal) as u64;
                    g.max = g.max.max(d);
                    g.min = g.min.min(d);
                    g.sum += d;
                }
            },
            |x, y| {
                let (mut big, small) = if x.len() >= y.len() { (x, y) } else { (y, x) };
                for (k, v) in small {
                    big.entry(k).or_default().add(&v);
                }
                big
            },
        )?;
        let aligned = map.values().map(|a| a.n).sum();
        let r = std::sync::Arc::new(DvResult {
            q,
            cuts: cuts.to_vec(),
            per: map.into_iter().collect(),
            aligned,
        });
        if default {
            self.dv_cache()
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(q.name(), r.clone());
        }
        Ok(r)
    }
}
