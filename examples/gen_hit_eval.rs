//! Generate an ATLAS-style muon hit-filter evaluation sample as NPY columns, the input of
//! `scripts/hit_filter_eval.rhai` (docs/workflows.md §2). One row per hit:
//!
//! | file        | dtype   | meaning                                                      |
//! |-------------|---------|--------------------------------------------------------------|
//! | event.npy   | int32   | event number                                                 |
//! | score.npy   | float32 | classifier score in (0, 1)                                   |
//! | truth.npy   | bool    | the hit belongs to a true muon                               |
//! | tech.npy    | int8    | technology: 0 MDT, 1 RPC, 2 TGC, 3 sTGC, 4 MM                |
//! | pt.npy      | float32 | truth muon pt [GeV] (noise hits: the nearest muon's)         |
//! | eta.npy     | float32 | truth muon eta                                               |
//! | phi.npy     | float32 | truth muon phi                                               |
//! | pid.npy     | int64   | truth particle id (unique per muon), -1 for noise hits       |
//!
//! plus `manifest.json` (counts, technology names, seed). Usage:
//! `cargo run --release --example gen_hit_eval -- OUT_DIR [--events N] [--seed S]`.
//! The same seed gives the same files. (An HDF5 layout of the same content comes with the
//! HDF5 support.)

use std::f64::consts::PI;
use std::path::PathBuf;

use evsh::array::create::splitmix;
use evsh::io::npy;
use evsh::Array;

struct Rng {
    seed: u64,
    i: u64,
}

impl Rng {
    fn u(&mut self) -> f64 {
        self.i += 1;
        (splitmix(self.seed, self.i) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (a, b) = (self.u().max(1e-300), self.u());
        (-2.0 * a.ln()).sqrt() * (2.0 * PI * b).cos()
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.u()
    }
    fn int(&mut self, lo: u64, hi: u64) -> u64 {
        lo + (self.u() * (hi - lo) as f64) as u64
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn tech_for(eta: f64, r: &mut Rng) -> i8 {
    let u = r.u();
    if eta.abs() < 1.05 {
        if u < 0.7 {
            0
        } else {
            1
        }
    } else if u < 0.5 {
        0
    } else if u < 0.75 {
        2
    } else if u < 0.9 {
        3
    } else {
        4
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut out: Option<PathBuf> = None;
    let mut events: u64 = 10_000;
    let mut seed: u64 = 42;
    let mut k = 0;
    while k < args.len() {
        match args[k].as_str() {
            "--events" => {
                events = args.get(k + 1).ok_or("--events needs a number")?.parse()?;
                k += 1;
            }
            "--seed" => {
                seed = args.get(k + 1).ok_or("--seed needs a number")?.parse()?;
                k += 1;
            }
            "-h" | "--help" => {
                println!("usage: gen_hit_eval OUT_DIR [--events N] [--seed S]");
                return Ok(());
            }
            a if out.is_none() => out = Some(PathBuf::from(a)),
            a => return Err(format!("unexpected argument '{a}'").into()),
        }
        k += 1;
    }
    let out = out.ok_or("usage: gen_hit_eval OUT_DIR [--events N] [--seed S]")?;
    std::fs::create_dir_all(&out)?;
    let mut r = Rng { seed, i: 0 };
    let (mut ev, mut score, mut truth, mut tech) = (vec![], vec![], vec![], vec![]);
    let (mut pt, mut eta, mut phi, mut pid) = (vec![], vec![], vec![], vec![]);
    let mut muons = 0u64;
    for e in 0..events {
        let nmu = r.int(1, 4);
        let mut kin = vec![];
        for j in 0..nmu {
            let m_pt = 5.0 - 20.0 * r.u().max(1e-12).ln();
            let m_eta = r.range(-2.7, 2.7);
            let m_phi = r.range(-PI, PI);
            let id = (e * 10 + j) as i64;
            kin.push((m_pt, m_eta, m_phi));
            muons += 1;
            // easier at high pt; the RPC/TGC trigger chambers are noisier
            let sep = 0.8 + 2.6 * (1.0 - (-m_pt / 12.0).exp()) + 0.9 * r.normal();
            // some muons cross few chambers, so losing hits loses the track
            let nhits = if r.u() < 0.15 {
                r.int(3, 8)
            } else {
                r.int(12, 34)
            };
            for _ in 0..nhits {
                let t = tech_for(m_eta, &mut r);
                let shift = if t == 1 || t == 2 { -0.6 } else { 0.0 };
                ev.push(e as i32);
                score.push(sigmoid(sep + shift + 1.1 * r.normal()) as f32);
                truth.push(true);
                tech.push(t);
                pt.push(m_pt as f32);
                eta.push(m_eta as f32);
                phi.push(m_phi as f32);
                pid.push(id);
            }
        }
        for _ in 0..r.int(300, 800) {
            let (m_pt, m_eta, m_phi) = kin[r.int(0, nmu) as usize];
            let t = tech_for(m_eta + 0.3 * r.normal(), &mut r);
            ev.push(e as i32);
            score.push(sigmoid(-2.6 + 1.3 * r.normal()) as f32);
            truth.push(false);
            tech.push(t);
            pt.push(m_pt as f32);
            eta.push(m_eta as f32);
            phi.push(m_phi as f32);
            pid.push(-1);
        }
    }
    let n = score.len();
    let ntrue = truth.iter().filter(|&&t| t).count();
    let save = |name: &str, a: Array| npy::save(&a, out.join(format!("{name}.npy")));
    save("event", Array::from_vec(ev, vec![n])?)?;
    save("score", Array::from_vec(score, vec![n])?)?;
    save("truth", Array::from_bools(truth))?;
    save("tech", Array::from_vec(tech, vec![n])?)?;
    save("pt", Array::from_vec(pt, vec![n])?)?;
    save("eta", Array::from_vec(eta, vec![n])?)?;
    save("phi", Array::from_vec(phi, vec![n])?)?;
    save("pid", Array::from_vec(pid, vec![n])?)?;
    let manifest = serde_json::json!({
        "generator": "examples/gen_hit_eval.rs",
        "seed": seed,
        "events": events,
        "hits": n,
        "true_hits": ntrue,
        "muons": muons,
        "technologies": ["MDT", "RPC", "TGC", "sTGC", "MM"],
        "columns": ["event", "score", "truth", "tech", "pt", "eta", "phi", "pid"],
    });
    evsh::output::write_atomic(
        out.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)?.as_bytes(),
    )?;
    println!(
        "wrote {} hits ({} true, {} muons, {} events) to {}",
        n,
        ntrue,
        muons,
        events,
        out.display()
    );
    Ok(())
}
