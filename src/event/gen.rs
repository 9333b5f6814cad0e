//! A deterministic generator of legacy-format A/B event pairs, so that the event layer,
//! the comparison layer, the demo and the benchmarks have realistic data of any size.
//!
//! Each photon is an independent random walk (a counter-based RNG keyed by seed and
//! photon index, so the output is the same for any thread count): torch start, then steps
//! of BT/BR/SC/SR/RE until AB/SA/SD/MI or 16 points. Step records are compressed with the
//! domains exactly as the legacy format does (`rx`), and `ox`, `ph` (seqhis, seqmat), `bn`,
//! `ht`, `gs`, `fdom`, `idom` are written. `so` is deliberately not written (a missing
//! optional array).
//!
//! B is A re-compressed after moving every value by less than half a compression bin
//! (so B differs from A by at most one bin), plus these injected discrepancies (photon
//! index `i`, all photons of the event):
//!
//! | rule | what B does |
//! |---|---|
//! | `i % 10007 == 5` | history forced to `TO BT DR BT SA` (0x8c9cd), which A never produces (A has no DR): a B-only history; these photons are also misaligned |
//! | `i % 1009 == 3` (not above) | last point's flag changed: SA→AB, AB→SA, SD→SA, MI→AB, anything else (16-point truncated) → SA: misaligned |
//! | `i % 100003 == 11` (not above) | rpost: x of point 1 moved by +5 position bins |
//! | `i % 100003 == 23` (not above) | rpol: polarization x byte of point 1 moved by +3 (3/127) |
//! | `i % 100003 == 37` (not above) | ox: final position x moved by +1.0 mm |
//! | `i % 100003 == 53` (not above) | rpost: time of point 1 moved by +5 time bins |
//!
//! `gen_manifest.json` in the output folder lists the rules and the photon indices of
//! each set.

use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::derived::{Domains, REC_I16};
use crate::array::DType;
use crate::error::{Error, Result};
use crate::{bail, err};

// Nibble values of the legacy flag table.
const SI: u8 = 2;
const MI: u8 = 3;
const AB: u8 = 4;
const RE: u8 = 5;
const SC: u8 = 6;
const SD: u8 = 7;
const SA: u8 = 8;
const DR: u8 = 9;
const SR: u8 = 10;
const BR: u8 = 11;
const BT: u8 = 12;
const TO: u8 = 13;

/// Records kept per photon (maxrec).
pub const MAXREC: usize = 10;
/// Points of a history.
const MAXPOINTS: usize = 16;

/// Material names (seqmat nibble = index + 1).
pub const MATERIALS: &[&str] = &[
    "Vacuum", "Water", "Acrylic", "LS", "Pyrex", "Bialkali", "Steel", "Air",
];

/// The code of the B-only history `TO BT DR BT SA`.
pub const B_ONLY_CODE: u64 = 0x8c9cd;

/// The domains of generated events.
pub fn domains() -> Domains {
    Domains {
        center: [0.0, 0.0, 0.0],
        extent: 10000.0,
        tmin: 0.0,
        textent: 60.0,
        wl_low: 60.0,
        wl_high: 820.0,
        wl_step: 20.0,
        wl_range: 760.0,
        maxrec: MAXREC as i32,
        maxbounce: 9,
    }
}

/// Generator options.
#[derive(Clone, Debug)]
pub struct GenOptions {
    pub n: usize,
    pub seed: u64,
}

/// What was written.
#[derive(Clone, Debug)]
pub struct Generated {
    pub a: PathBuf,
    pub b: PathBuf,
    pub manifest: PathBuf,
    /// True when an existing pair with the same n and seed was reused.
    pub cached: bool,
}

/// Which discrepancy B gets for photon `i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inject {
    None,
    BOnly,
    Misalign,
    RpostFatal,
    RpolFatal,
    OxFatal,
    TimeFatal,
}

/// The injection rule for photon `i` (see the module docs).
pub fn inject_of(i: usize) -> Inject {
    if i % 10007 == 5 {
        Inject::BOnly
    } else if i % 1009 == 3 {
        Inject::Misalign
    } else {
        match i % 100003 {
            11 => Inject::RpostFatal,
            23 => Inject::RpolFatal,
            37 => Inject::OxFatal,
            53 => Inject::TimeFatal,
            _ => Inject::None,
        }
    }
}

struct Rng(u64);
impl Rng {
    fn new(seed: u64, i: u64, stream: u64) -> Rng {
        Rng(crate::array::create::splitmix(
            seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F),
            i,
        ))
    }
    #[inline]
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    #[inline]
    fn u(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
}

#[derive(Clone, Copy, Default)]
struct Point {
    pos: [f32; 3],
    t: f32,
    pol: [f32; 3],
    wl: f32,
    m1: u8,
    m2: u8,
    bd: i8,
    flag: u8,
}

struct Photon {
    pts: Vec<Point>,
    dir: [f32; 3],
}

fn norm(v: [f32; 3]) -> [f32; 3] {
    let l = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt().max(1e-12);
    [v[0] / l, v[1] / l, v[2] / l]
}
fn perp(d: [f32; 3]) -> [f32; 3] {
    let a = if d[0].abs() < 0.9 {
        [1.0, 0.0, 0.0]
    } else {
        [0.0, 1.0, 0.0]
    };
    norm([
        d[1] * a[2] - d[2] * a[1],
        d[2] * a[0] - d[0] * a[2],
        d[0] * a[1] - d[1] * a[0],
    ])
}
fn sphere(r: &mut Rng) -> [f32; 3] {
    let z = 2.0 * r.u() - 1.0;
    let phi = std::f32::consts::TAU * r.u();
    let s = (1.0 - z * z).max(0.0).sqrt();
    [s * phi.cos(), s * phi.sin(), z]
}

/// Next step flag of a walk that has `k` points so far.
fn next_flag(r: &mut Rng, k: usize) -> u8 {
    let u = r.u();
    // Terminal probability grows with the number of points, keeping the tail of
    // distinct histories in the tens of thousands at 10M photons.
    let term = 0.30 + 0.02 * k as f32;
    if u < term {
        let v = r.u();
        return if k == 1 && v < 0.05 {
            MI
        } else if v < 0.30 {
            AB
        } else if v < 0.72 {
            SA
        } else {
            SD
        };
    }
    let v = r.u();
    if v < 0.72 {
        BT
    } else if v < 0.84 {
        BR
    } else if v < 0.93 {
        SC
    } else if v < 0.97 {
        SR
    } else {
        RE
    }
}

/// Simulate one photon: random walk, or the forced flag sequence `forced`.
fn simulate(seed: u64, i: usize, forced: Option<&[u8]>) -> Photon {
    let mut r = Rng::new(seed, i as u64, 1);
    let mut pos = [200.0 * r.u() - 100.0, 200.0 * r.u() - 100.0, -2000.0];
    let mut dir = norm([0.2 * (r.u() - 0.5), 0.2 * (r.u() - 0.5), 1.0]);
    let mut pol = perp(dir);
    let mut wl = 380.0 + 200.0 * r.u();
    let mut t = 0.1 * r.u();
    let mut mat: u8 = 1;
    let first = if r.u() < 0.02 { SI } else { TO };
    let first = forced.map(|f| f[0]).unwrap_or(first);
    let mut pts = vec![Point {
        pos,
        t,
        pol,
        wl,
        m1: mat,
        m2: mat,
        bd: 0,
        flag: first,
    }];
    loop {
        let k = pts.len();
        if k >= MAXPOINTS {
            break;
        }
        let flag = match forced {
            Some(f) => {
                if k >= f.len() {
                    break;
                }
                let _ = next_flag(&mut r, k);
                f[k]
            }
            None => next_flag(&mut r, k),
        };
        let len = 100.0 + 400.0 * r.u();
        for (p, d) in pos.iter_mut().zip(dir) {
            *p += d * len;
        }
        t += len / 210.0;
        let m1 = mat;
        match flag {
            BT => {
                mat = 1 + (mat % 3);
                dir = norm([
                    dir[0] + 0.05 * (r.u() - 0.5),
                    dir[1] + 0.05 * (r.u() - 0.5),
                    dir[2],
                ]);
            }
            BR | SR | DR => {
                dir[2] = -dir[2];
                if flag == DR {
                    dir = norm([dir[0] + 0.3 * (r.u() - 0.5), dir[1], dir[2]]);
                }
            }
            SC => {
                dir = sphere(&mut r);
                pol = perp(dir);
            }
            RE => {
                dir = sphere(&mut r);
                pol = perp(dir);
                wl += 30.0 + 50.0 * r.u();
            }
            _ => {}
        }
        let bd = ((m1 as i8) + 1) * if dir[2] >= 0.0 { 1 } else { -1 };
        pts.push(Point {
            pos,
            t,
            pol,
            wl,
            m1,
            m2: mat,
            bd,
            flag,
        });
        if matches!(flag, AB | SA | SD | MI) {
            break;
        }
    }
    Photon { pts, dir }
}

/// Per-side perturbation of values before compression (B only).
struct Perturb {
    r: Option<Rng>,
}
impl Perturb {
    #[inline]
    fn d(&mut self, bin: f32) -> f32 {
        match &mut self.r {
            Some(r) => (r.u() - 0.5) * 0.9 * bin,
            None => 0.0,
        }
    }
}

/// One photon's output rows.
struct Rows {
    ox: [f32; 16],
    rx: [i16; MAXREC * REC_I16],
    ph: [u64; 2],
    bn: [u32; 4],
    hit: bool,
}

fn ffs_bit(nib: u8) -> u32 {
    1u32 << (nib - 1)
}

fn photon_rows(seed: u64, i: usize, b_side: bool) -> Rows {
    let inj = if b_side { inject_of(i) } else { Inject::None };
    let mut ph = match inj {
        Inject::BOnly => simulate(seed, i, Some(&[TO, BT, DR, BT, SA])),
        _ => simulate(seed, i, None),
    };
    if inj == Inject::Misalign {
        let last = ph.pts.last_mut().expect("at least one point");
        last.flag = match last.flag {
            SA => AB,
            AB => SA,
            SD => SA,
            MI => AB,
            _ => SA,
        };
    }
    let d = domains();
    let eps = d.eps();
    let (pbin, tbin) = (eps.pos as f32, eps.time as f32);
    let mut pert = Perturb {
        r: if b_side {
            Some(Rng::new(seed, i as u64, 2))
        } else {
            None
        },
    };
    let mut rx = [0i16; MAXREC * REC_I16];
    let mut seqhis = 0u64;
    let mut seqmat = 0u64;
    let mut pflags = 0u32;
    let mut bnb = [0u8; 16];
    for (k, p) in ph.pts.iter().enumerate() {
        seqhis |= (p.flag as u64) << (4 * k);
        seqmat |= ((p.m1 as u64 + 1) & 0xf) << (4 * k);
        pflags |= ffs_bit(p.flag);
        bnb[k] = p.bd as u8;
        if k < MAXREC {
            let o = &mut rx[k * REC_I16..(k + 1) * REC_I16];
            let mut x = p.pos[0] + pert.d(pbin);
            let y = p.pos[1] + pert.d(pbin);
            let z = p.pos[2] + pert.d(pbin);
            let mut t = p.t + pert.d(tbin);
            if k == 1 && inj == Inject::RpostFatal {
                x += 5.0 * pbin;
            }
            if k == 1 && inj == Inject::TimeFatal {
                t += 5.0 * tbin;
            }
            o[0] = Domains::compress(x, d.center[0], d.extent);
            o[1] = Domains::compress(y, d.center[1], d.extent);
            o[2] = Domains::compress(z, d.center[2], d.extent);
            o[3] = Domains::compress(t, d.tmin, d.textent);
            let pb = |v: f32, pert: &mut Perturb| {
                ((v + pert.d(1.0 / 127.0) + 1.0) * 127.0)
                    .round()
                    .clamp(0.0, 254.0) as u8
            };
            let mut px = pb(p.pol[0], &mut pert);
            let py = pb(p.pol[1], &mut pert);
            let pz = pb(p.pol[2], &mut pert);
            if k == 1 && inj == Inject::RpolFatal {
                px = px.saturating_add(3);
            }
            let w = (255.0 * (p.wl + pert.d(d.wl_range / 255.0) - d.wl_low) / d.wl_range)
                .round()
                .clamp(0.0, 255.0) as u8;
            o[4] = u16::from_le_bytes([px, py]) as i16;
            o[5] = u16::from_le_bytes([pz, w]) as i16;
            o[6] = u16::from_le_bytes([p.m1, p.m2]) as i16;
            o[7] = u16::from_le_bytes([p.bd as u8, p.flag]) as i16;
        }
    }
    let last = *ph.pts.last().expect("at least one point");
    let hit = last.flag == SD;
    let sensor: u32 = if hit {
        (last.pos[0].abs() as u32 % 1000) + 1
    } else {
        0
    };
    let boundary = (last.bd as i16 as u16 as u32) << 16;
    let mut ox = [0f32; 16];
    let small = 1e-4f32;
    ox[0] = last.pos[0] + pert.d(pbin) + if inj == Inject::OxFatal { 1.0 } else { 0.0 };
    ox[1] = last.pos[1] + pert.d(pbin);
    ox[2] = last.pos[2] + pert.d(pbin);
    ox[3] = last.t + pert.d(tbin);
    ph.dir = norm(ph.dir);
    for k in 0..3 {
        ox[4 + k] = ph.dir[k] + pert.d(small);
        ox[8 + k] = last.pol[k] + pert.d(small);
    }
    ox[7] = 1.0;
    ox[11] = last.wl + pert.d(small);
    ox[12] = f32::from_bits(boundary | sensor);
    ox[13] = f32::from_bits(i as u32);
    ox[14] = f32::from_bits(0);
    ox[15] = f32::from_bits(pflags);
    let mut bn = [0u32; 4];
    for (k, w) in bn.iter_mut().enumerate() {
        *w = u32::from_le_bytes([bnb[4 * k], bnb[4 * k + 1], bnb[4 * k + 2], bnb[4 * k + 3]]);
    }
    // (bn stored as signed bytes read through u32 words, as the legacy format does)
    Rows {
        ox,
        rx,
        ph: [seqhis, seqmat],
        bn,
        hit,
    }
}

/// A `.npy` written sequentially to a temporary file and renamed when complete.
struct NpyOut {
    w: std::io::BufWriter<tempfile::NamedTempFile>,
    path: PathBuf,
}
impl NpyOut {
    fn new(path: PathBuf, dtype: &DType, shape: &[usize]) -> Result<NpyOut> {
        let tmp = crate::io::temp_beside(&path)?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, tmp);
        w.write_all(&crate::io::npy::header_bytes(dtype, false, shape))
            .map_err(|e| Error::io(&path, e))?;
        Ok(NpyOut { w, path })
    }
    fn write<T: bytemuck::Pod>(&mut self, v: &[T]) -> Result<()> {
        self.w
            .write_all(bytemuck::cast_slice(v))
            .map_err(|e| Error::io(&self.path, e))
    }
    fn finish(self) -> Result<()> {
        let p = self.path.clone();
        let tmp = self
            .w
            .into_inner()
            .map_err(|e| Error::io(&p, e.into_error()))?;
        crate::io::persist(tmp, &p)
    }
}

fn write_small<T: bytemuck::Pod>(
    path: PathBuf,
    dtype: DType,
    shape: &[usize],
    v: &[T],
) -> Result<()> {
    let mut o = NpyOut::new(path, &dtype, shape)?;
    o.write(v)?;
    o.finish()
}

/// One chunk's rows of ox, rx, ph, bn and hits.
type ChunkOut = (Vec<f32>, Vec<i16>, Vec<u64>, Vec<u32>, Vec<f32>);

/// Write one side's event folder.
fn write_side(dir: &Path, o: &GenOptions, b_side: bool) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let n = o.n;
    let mut ox = NpyOut::new(dir.join("ox.npy"), &DType::F32, &[n, 4, 4])?;
    let mut rx = NpyOut::new(dir.join("rx.npy"), &DType::I16, &[n, MAXREC, 2, 4])?;
    let mut ph = NpyOut::new(dir.join("ph.npy"), &DType::U64, &[n, 1, 2])?;
    let mut bn = NpyOut::new(dir.join("bn.npy"), &DType::U32, &[n, 1, 4])?;
    let mut hits: Vec<f32> = vec![];
    let chunk = 16384;
    let batch = chunk * 16;
    let mut start = 0;
    while start < n {
        crate::exec::check()?;
        let end = (start + batch).min(n);
        let parts: Vec<ChunkOut> = (start..end)
            .step_by(chunk)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|c0| {
                let c1 = (c0 + chunk).min(end);
                let m = c1 - c0;
                let mut a = (
                    Vec::with_capacity(m * 16),
                    Vec::with_capacity(m * MAXREC * REC_I16),
                    Vec::with_capacity(m * 2),
                    Vec::with_capacity(m * 4),
                    vec![],
                );
                for i in c0..c1 {
                    let r = photon_rows(o.seed, i, b_side);
                    a.0.extend_from_slice(&r.ox);
                    a.1.extend_from_slice(&r.rx);
                    a.2.extend_from_slice(&r.ph);
                    a.3.extend_from_slice(&r.bn);
                    if r.hit {
                        a.4.extend_from_slice(&r.ox);
                    }
                }
                a
            })
            .collect();
        for p in parts {
            ox.write(&p.0)?;
            rx.write(&p.1)?;
            ph.write(&p.2)?;
            bn.write(&p.3)?;
            hits.extend_from_slice(&p.4);
        }
        start = end;
    }
    ox.finish()?;
    rx.finish()?;
    ph.finish()?;
    bn.finish()?;
    let nh = hits.len() / 16;
    write_small(dir.join("ht.npy"), DType::F32, &[nh, 4, 4], &hits)?;
    // One genstep per 10000 photons: (G,6,4) with the photon count in [0,0,3].
    let g = n.div_ceil(10000).max(1);
    let mut gs = vec![0f32; g * 24];
    for k in 0..g {
        gs[k * 24] = f32::from_bits(4); // torch genstep type
        gs[k * 24 + 3] = f32::from_bits((10000.min(n - (k * 10000).min(n))) as u32);
        gs[k * 24 + 6] = -2000.0;
    }
    write_small(dir.join("gs.npy"), DType::F32, &[g, 6, 4], &gs)?;
    write_small(
        dir.join("fdom.npy"),
        DType::F32,
        &[3, 1, 4],
        &domains().fdom_values(),
    )?;
    write_small(
        dir.join("idom.npy"),
        DType::I32,
        &[1, 1, 4],
        &[0i32, 0, domains().maxbounce, MAXREC as i32],
    )?;
    let meta = format!(
        "materials:{}\ngenerator:evsh gen_event\nn:{}\nseed:{}\nside:{}\n",
        MATERIALS.join(" "),
        n,
        o.seed,
        if b_side { "B" } else { "A" }
    );
    let mp = dir.join("evt_meta.txt");
    crate::io::write_atomic(&mp, meta.as_bytes())
}

/// Photon indices of one injection kind among `n` photons.
pub fn injected(n: usize, kind: Inject) -> Vec<usize> {
    let (m, r) = match kind {
        Inject::BOnly => (10007, 5),
        Inject::Misalign => (1009, 3),
        Inject::RpostFatal => (100003, 11),
        Inject::RpolFatal => (100003, 23),
        Inject::OxFatal => (100003, 37),
        Inject::TimeFatal => (100003, 53),
        Inject::None => return vec![],
    };
    (r..n)
        .step_by(m)
        .filter(|&i| inject_of(i) == kind)
        .collect()
}

/// Generate the A/B pair under `dir` (`dir/evt/demo/torch/1` and `.../-1`), reusing an
/// existing pair generated with the same n and seed.
pub fn generate(dir: &Path, o: &GenOptions) -> Result<Generated> {
    let _s = crate::prof::span("gen_event");
    if o.n == 0 {
        bail!("gen_event: n must be at least 1");
    }
    if o.n > u32::MAX as usize {
        bail!("gen_event: n = {} is more than 2^32 - 1 photons", o.n);
    }
    let base = dir.join("evt").join("demo").join("torch");
    let a = base.join("1");
    let b = base.join("-1");
    let manifest = dir.join("gen_manifest.json");
    if let Ok(text) = std::fs::read_to_string(&manifest) {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
            if v["n"].as_u64() == Some(o.n as u64)
                && v["seed"].as_u64() == Some(o.seed)
                && a.join("rx.npy").is_file()
                && b.join("rx.npy").is_file()
            {
                return Ok(Generated {
                    a,
                    b,
                    manifest,
                    cached: true,
                });
            }
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    // An outdated manifest must not describe half-written data.
    if manifest.exists() {
        std::fs::remove_file(&manifest).map_err(|e| Error::io(&manifest, e))?;
    }
    write_side(&a, o, false)?;
    write_side(&b, o, true)?;
    let set = |k: Inject, rule: &str, what: &str| serde_json::json!({"rule": rule, "effect": what, "indices": injected(o.n, k)});
    let m = serde_json::json!({
        "generator": "evsh gen_event",
        "n": o.n,
        "seed": o.seed,
        "a": a.display().to_string(),
        "b": b.display().to_string(),
        "flags": "legacy",
        "maxrec": MAXREC,
        "b_only_history": {"code": format!("{B_ONLY_CODE:x}"), "label": "TO BT DR BT SA"},
        "injected": {
            "b_only": set(Inject::BOnly, "i % 10007 == 5", "B history forced to TO BT DR BT SA (absent from A); misaligned"),
            "misaligned": set(Inject::Misalign, "i % 1009 == 3 and not b_only", "B last flag changed SA->AB, AB->SA, SD->SA, MI->AB, else ->SA"),
            "rpost_fatal": set(Inject::RpostFatal, "i % 100003 == 11 and not above", "B rpost x of point 1 +5 position bins"),
            "rpol_fatal": set(Inject::RpolFatal, "i % 100003 == 23 and not above", "B rpol x byte of point 1 +3"),
            "ox_fatal": set(Inject::OxFatal, "i % 100003 == 37 and not above", "B ox x +1.0 mm"),
            "time_fatal": set(Inject::TimeFatal, "i % 100003 == 53 and not above", "B rpost t of point 1 +5 time bins"),
        },
        "deviation_bound": "all other B values are within one compression bin of A (positions/time/pol/wavelength), ox within half a position bin and 1e-4",
    });
    let text = serde_json::to_string_pretty(&m).map_err(|e| err!("manifest: {e}"))?;
    crate::io::write_atomic(&manifest, text.as_bytes())?;
    Ok(Generated {
        a,
        b,
        manifest,
        cached: false,
    })
}
