//! HDF5 files written by h5py (napari-style frame stacks, both as one (T,H,W,3) dataset
//! and as a group of one dataset per frame; ATLAS-style hit tables, both as one compound
//! dataset and as one dataset per column) read by evsh and compared with NumPy: values,
//! slices, gray conversion, normalization and ROI activity, across chunk and block
//! borders, through the Rust API and through scripts. Skips (with a printed reason) when
//! python3 with h5py and NumPy is not available.

use std::path::{Path, PathBuf};
use std::process::Command;

use evsh::array::DType;
use evsh::frames::{activity, ActivityOpts, Frames, NumF64, Roi};
use evsh::h5::{H5File, Sel};
use serde_json::Value;

#[path = "common/pyref.rs"]
#[allow(dead_code)]
mod pyref;

const GEN: &str = r#"
import sys, json, numpy as np, h5py
out = sys.argv[1]
rng = np.random.default_rng(7)
T, H, W = 23, 37, 41
yy, xx = np.mgrid[0:H, 0:W]
base = (np.sin(xx / 5.0)[None] * 60 + np.cos(yy / 7.0)[None] * 50 + 128)
t = np.arange(T)[:, None, None]
rgb = np.stack([base + 30 * np.sin(t / 3.0 + c) + rng.normal(0, 12, (T, H, W)) for c in range(3)], axis=-1)
rgb = np.clip(rgb, 0, 255).astype(np.uint8)
with h5py.File(out + "/napari.h5", "w") as f:
    f.create_dataset("frames", data=rgb, chunks=(4, H, W, 3), compression="gzip", shuffle=True)
    g = f.create_group("images")
    for i in range(T):
        g.create_dataset("%04d" % i, data=rgb[i], compression="gzip")
    u16 = (rgb[..., 0].astype(np.uint16) * 257 + 3)
    f.create_dataset("frames16", data=u16, chunks=(5, 16, 16), compression="gzip")
    fl = rng.normal(0, 1, (50, 33)).astype(np.float32)
    f.create_dataset("float2d", data=fl, chunks=(7, 8), compression="gzip", compression_opts=6, shuffle=True)
    f.create_dataset("float2d_lzf", data=fl, chunks=(7, 8), compression="lzf")
    f.create_dataset("be_i4", data=np.arange(40, dtype=">i4").reshape(8, 5), chunks=(3, 2), compression="gzip")
    f.attrs["title"] = "napari stack"
    f.attrs["n"] = 23
    f["frames"].attrs["interval_s"] = 5.0
# expected values
def gray(a):
    a = a.astype(np.int64)
    return ((a[..., 0] * 4899 + a[..., 1] * 9617 + a[..., 2] * 1868 + 8192) >> 14).astype(np.uint8)
g = gray(rgb)
gn = g.astype(np.float32) / np.float32(255)
rois = [(10.0, 12.0, 6.0), (30.0, 20.0, 9.5), (3.0, 3.0, 4.0)]
def act(st):
    res = []
    for (x, y, r) in rois:
        m = (xx - x) ** 2 + (yy - y) ** 2 <= r * r
        d = np.abs(np.diff(st.astype(np.float64), axis=0))
        res.append(d[:, m].sum(axis=1).tolist())
    return res
u16n = u16.astype(np.float32) / np.float32(65535)
exp = {
    "gray_sum": int(g.astype(np.int64).sum()), "gray_first": g[0].reshape(-1)[:50].tolist(),
    "gray_last": g[-1].reshape(-1)[-50:].tolist(),
    "act_gray_norm": act(gn), "act_raw_gray": act(g), "act_u16_norm": act(u16n),
    "float2d_slice": fl[3:17:3, 5:30:4].reshape(-1).tolist(),
    "float2d_sum": float(fl.astype(np.float64).sum()),
}
# ATLAS-style hit tables: one compound dataset, and one dataset per column
n = 1000
cols = {
    "score": rng.random(n).astype(np.float32),
    "label": (rng.random(n) < 0.3).astype(np.int8),
    "technology": rng.integers(0, 5, n).astype(np.uint8),
    "pt": rng.exponential(20.0, n).astype(np.float64),
    "eta": rng.uniform(-2.7, 2.7, n).astype(np.float32),
    "phi": rng.uniform(-np.pi, np.pi, n).astype(np.float32),
    "pid": rng.integers(0, 200, n).astype(np.int64),
}
rec = np.zeros(n, dtype=[(k, v.dtype) for k, v in cols.items()])
for k, v in cols.items():
    rec[k] = v
with h5py.File(out + "/atlas.h5", "w") as f:
    f.create_dataset("hits", data=rec, chunks=(128,), compression="gzip")
    g = f.create_group("columns")
    for k, v in cols.items():
        g.create_dataset(k, data=v, chunks=(256,), compression="gzip", shuffle=True)
    f.create_dataset("technology_names", data=np.array([b"MDT", b"RPC", b"TGC", b"sTGC", b"MM"]))
    f.create_dataset("run", data=np.array(123, dtype=np.int32))
    dt = h5py.string_dtype("utf-8")
    f.create_dataset("notes", data=np.array(["hit filter", "évaluation µ"], dtype=object), dtype=dt)
exp["atlas"] = {k: [float(x) for x in v[:20]] + [float(v.astype(np.float64).sum())] for k, v in cols.items()}
json.dump(exp, open(out + "/expected.json", "w"))
"#;

fn generate() -> Option<(tempfile::TempDir, Value)> {
    let dir = tempfile::tempdir().ok()?;
    let out = Command::new("python3")
        .arg("-c")
        .arg(GEN)
        .arg(dir.path())
        .output();
    match out {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            pyref::skip(&format!(
                "h5 generated files: python3 with h5py/numpy could not generate them: {}",
                String::from_utf8_lossy(&o.stderr)
            ));
            return None;
        }
        Err(e) => {
            pyref::skip(&format!(
                "h5 generated files: python3 is not available: {e}"
            ));
            return None;
        }
    }
    let exp: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("expected.json")).ok()?)
            .ok()?;
    Some((dir, exp))
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()) + 1e-9
}

fn assert_activity(t: &evsh::output::table::Table, want: &Value, what: &str) {
    let want = want.as_array().unwrap();
    assert_eq!(t.ncols(), want.len() + 1, "{what}: columns {:?}", t.names);
    for (r, w) in want.iter().enumerate() {
        let evsh::output::table::Col::Float(got) = t.col(&format!("roi_{}", r + 1)).unwrap() else {
            panic!("{what}: roi column is not float");
        };
        let w: Vec<f64> = w
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        assert_eq!(got.len(), w.len(), "{what}: rows");
        for (i, (g, e)) in got.iter().zip(&w).enumerate() {
            assert!(
                close(*g, *e, 1e-6),
                "{what}: roi_{} pair {i}: got {g}, expected {e}",
                r + 1
            );
        }
    }
}

fn circles() -> Vec<Roi> {
    vec![
        Roi::Circle {
            x: 10.0,
            y: 12.0,
            r: 6.0,
        },
        Roi::Circle {
            x: 30.0,
            y: 20.0,
            r: 9.5,
        },
        Roi::Circle {
            x: 3.0,
            y: 3.0,
            r: 4.0,
        },
    ]
}

fn path(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

#[test]
fn napari_stacks_gray_normalized_and_activity_match_numpy() {
    let Some((dir, exp)) = generate() else { return };
    let f = H5File::open(path(dir.path(), "napari.h5")).unwrap();
    let d = f.dataset("frames").unwrap();
    assert_eq!(d.shape().unwrap(), vec![23, 37, 41, 3]);
    assert_eq!(d.info().chunks.as_deref(), Some(&[4, 37, 41, 3][..]));
    let st = Frames::from_dataset(&d).unwrap();
    let gray = st.with_gray().unwrap();
    assert_eq!(gray.shape(), vec![23, 37, 41]);
    let g = gray.to_array().unwrap();
    assert_eq!(g.dtype(), &DType::U8);
    let gv = g.as_slice::<u8>().unwrap();
    let sum: i64 = gv.iter().map(|&x| x as i64).sum();
    assert_eq!(
        sum,
        exp["gray_sum"].as_i64().unwrap(),
        "gray sum (OpenCV rounding)"
    );
    let first: Vec<i64> = gv[..50].iter().map(|&x| x as i64).collect();
    let want: Vec<i64> = exp["gray_first"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect();
    assert_eq!(first, want);
    let last: Vec<i64> = gv[gv.len() - 50..].iter().map(|&x| x as i64).collect();
    let want: Vec<i64> = exp["gray_last"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect();
    assert_eq!(last, want);

    let norm = gray.with_normalized().unwrap();
    assert_eq!(norm.out_dtype(), DType::F32);
    let opts = ActivityOpts {
        interval: 5.0,
        start: 10.0,
    };
    let t = activity(&norm, &circles(), &opts).unwrap();
    assert_activity(&t, &exp["act_gray_norm"], "gray+normalized");
    let evsh::output::table::Col::Float(time) = t.col("time").unwrap() else {
        panic!()
    };
    assert_eq!(time.len(), 22);
    assert_eq!(time[0], 10.0);
    assert_eq!(time[3], 25.0);
    assert!(
        t.footer.iter().any(|l| l.contains("frames/s")),
        "{:?}",
        t.footer
    );

    // unnormalized gray, and the per-frame group layout give the same answers
    let t = activity(&gray, &circles(), &ActivityOpts::default()).unwrap();
    assert_activity(&t, &exp["act_raw_gray"], "gray");
    let grp = f.group("images").unwrap();
    let st2 = Frames::from_group(&grp)
        .unwrap()
        .with_gray()
        .unwrap()
        .with_normalized()
        .unwrap();
    assert_eq!(st2.len(), 23);
    let t = activity(&st2, &circles(), &opts).unwrap();
    assert_activity(&t, &exp["act_gray_norm"], "group of frames");

    // uint16 single-channel stack, chunked (5,16,16)
    let st16 = Frames::from_dataset(&f.dataset("frames16").unwrap())
        .unwrap()
        .with_normalized()
        .unwrap();
    let t = activity(&st16, &circles(), &opts).unwrap();
    assert_activity(&t, &exp["act_u16_norm"], "uint16 normalized");

    // masks as ROIs: the same as circles
    let (h, w) = (37usize, 41usize);
    let masks: Vec<Roi> = [
        (10.0f64, 12.0f64, 6.0f64),
        (30.0, 20.0, 9.5),
        (3.0, 3.0, 4.0),
    ]
    .iter()
    .map(|&(x, y, r)| {
        let v: Vec<bool> = (0..h * w)
            .map(|i| {
                let (yy, xx) = ((i / w) as f64, (i % w) as f64);
                (xx - x).powi(2) + (yy - y).powi(2) <= r * r
            })
            .collect();
        Roi::Mask(evsh::Array::from_bools(v).reshape(vec![h, w]).unwrap())
    })
    .collect();
    let t = activity(&norm, &masks, &opts).unwrap();
    assert_activity(&t, &exp["act_gray_norm"], "mask ROIs");
}

#[test]
fn activity_is_correct_across_block_borders() {
    let Some((dir, exp)) = generate() else { return };
    let f = H5File::open(path(dir.path(), "napari.h5")).unwrap();
    let st = Frames::from_dataset(&f.dataset("frames").unwrap())
        .unwrap()
        .with_gray()
        .unwrap()
        .with_normalized()
        .unwrap();
    // A tiny budget makes blocks of a few frames: every block border is a pair too.
    let old = evsh::exec::mem_budget();
    evsh::exec::set_mem_budget(1 << 20);
    let t = activity(
        &st,
        &circles(),
        &ActivityOpts {
            interval: 5.0,
            start: 10.0,
        },
    );
    evsh::exec::set_mem_budget(old);
    assert_activity(&t.unwrap(), &exp["act_gray_norm"], "small blocks");
}

#[test]
fn chunked_reads_and_slices_match_numpy() {
    let Some((dir, exp)) = generate() else { return };
    let f = H5File::open(path(dir.path(), "napari.h5")).unwrap();
    for name in ["float2d", "float2d_lzf"] {
        let d = f.dataset(name).unwrap();
        let a = d.read().unwrap();
        let v = a.as_slice::<f32>().unwrap();
        let s: f64 = v.iter().map(|&x| x as f64).sum();
        assert!(
            close(s, exp["float2d_sum"].as_f64().unwrap(), 1e-9),
            "{name} sum {s}"
        );
        // strided slice goes through the library, box slices through the chunk path
        let mut sel = Sel::all(&[50, 33]);
        sel.axis_slice(0, 50, Some(3), Some(17), 3).unwrap();
        sel.axis_slice(1, 33, Some(5), Some(30), 4).unwrap();
        let b = d.read_sel(&sel).unwrap();
        assert_eq!(b.shape(), &[5, 7]);
        let got: Vec<f64> = b
            .as_slice::<f32>()
            .unwrap()
            .iter()
            .map(|&x| x as f64)
            .collect();
        let want: Vec<f64> = exp["float2d_slice"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert!(close(*g, *w, 1e-7), "{name}: {g} vs {w}");
        }
        // a box slice equals the same window of the full read
        let c = d.read_rows(9, 23).unwrap();
        assert_eq!(c.shape(), &[14, 33]);
        assert_eq!(&c.as_slice::<f32>().unwrap()[..], &v[9 * 33..23 * 33]);
    }
    // big-endian storage through the chunk path
    let be = f.dataset("be_i4").unwrap();
    assert!(be.info().big_endian);
    let a = be.read().unwrap();
    assert_eq!(
        a.as_slice::<i32>().unwrap().to_vec(),
        (0..40).collect::<Vec<i32>>()
    );
    let mut sel = Sel::all(&[8, 5]);
    sel.axis_index(0, 8, -1).unwrap();
    let r = be.read_sel(&sel).unwrap();
    assert_eq!(r.shape(), &[5]);
    assert_eq!(
        r.as_slice::<i32>().unwrap().to_vec(),
        vec![35, 36, 37, 38, 39]
    );
    // attributes
    let attrs = f.attrs().unwrap();
    let names: Vec<&str> = attrs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, vec!["n", "title"]);
    let tree = f.tree().unwrap();
    assert!(tree.contains("frames  uint8  [23, 37, 41, 3]  chunked  chunks [4, 37, 41, 3]  filters shuffle+deflate(4)"), "{tree}");
    assert!(tree.contains("images/"), "{tree}");
}

#[test]
fn atlas_tables_both_layouts_match_numpy() {
    let Some((dir, exp)) = generate() else { return };
    let f = H5File::open(path(dir.path(), "atlas.h5")).unwrap();
    let hits = f.dataset("hits").unwrap().read().unwrap();
    let cols = f.group("columns").unwrap();
    for (name, want) in exp["atlas"].as_object().unwrap() {
        let want: Vec<f64> = want
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        let a = hits.field(name).unwrap();
        let b = f
            .dataset(&format!("columns/{name}"))
            .unwrap()
            .read()
            .unwrap();
        assert!(cols.keys().unwrap().contains(name));
        for arr in [a, b] {
            let v: Vec<f64> = evsh::with_real_type!(arr.dtype(), T => {
                arr.as_slice::<T>().unwrap().iter().map(|&x| NumF64::f64(x)).collect()
            }, else panic!("dtype"));
            assert_eq!(v.len(), 1000);
            for i in 0..20 {
                assert!(
                    close(v[i], want[i], 1e-7),
                    "{name}[{i}]: {} vs {}",
                    v[i],
                    want[i]
                );
            }
            let s: f64 = v.iter().sum();
            assert!(close(s, want[20], 1e-9), "{name} sum {s} vs {}", want[20]);
        }
    }
    let names = f.dataset("technology_names").unwrap().read().unwrap();
    assert_eq!(evsh::array::strings::string_at(&names, 3).unwrap(), "sTGC");
    let run = f.dataset("run").unwrap().read().unwrap();
    assert_eq!(run.shape(), &[] as &[usize]);
    assert_eq!(run.as_slice::<i32>().unwrap()[0], 123);
    let notes = f.dataset("notes").unwrap().read().unwrap();
    assert_eq!(
        evsh::array::strings::string_at(&notes, 1).unwrap(),
        "évaluation µ"
    );
}

#[test]
fn scripts_browse_slice_and_analyse() {
    let Some((dir, exp)) = generate() else { return };
    let p = path(dir.path(), "napari.h5").display().to_string();
    let mut s = evsh::script::Session::new();
    s.set_var("p", rhai::Dynamic::from(p));
    let v = s
        .eval(
            r#"let f = h5(p);
               let d = f["frames"];
               let st = frames(d).gray().normalized();
               let t = activity(st, [#{x: 10, y: 12, r: 6}, #{x: 30.0, y: 20.0, r: 9.5}, #{x: 3, y: 3, r: 4}],
                                #{interval: 5.0, start: 10.0});
               [d.shape, d.dtype, d.chunks, d.filters, f.attrs.title, f.attrs.n, d.attrs.interval_s,
                f["images"].keys().len(), st.shape, t, f["float2d"][2..5], f["float2d"][-1],
                f["float2d"].slice([[3, 17, 3], 0..2]), f.tree()]"#,
        )
        .unwrap();
    let l = v.cast::<rhai::Array>();
    let ints = |d: &rhai::Dynamic| -> Vec<i64> {
        d.clone()
            .cast::<rhai::Array>()
            .iter()
            .map(|x| x.as_int().unwrap())
            .collect()
    };
    assert_eq!(ints(&l[0]), vec![23, 37, 41, 3]);
    assert_eq!(l[1].clone().into_string().unwrap(), "uint8");
    assert_eq!(ints(&l[2]), vec![4, 37, 41, 3]);
    let filters: Vec<String> = l[3]
        .clone()
        .cast::<rhai::Array>()
        .into_iter()
        .map(|x| x.into_string().unwrap())
        .collect();
    assert_eq!(filters, vec!["shuffle", "deflate"]);
    assert_eq!(l[4].clone().into_string().unwrap(), "napari stack");
    assert_eq!(l[5].as_int().unwrap(), 23);
    assert_eq!(l[6].as_float().unwrap(), 5.0);
    assert_eq!(l[7].as_int().unwrap(), 23);
    assert_eq!(ints(&l[8]), vec![23, 37, 41]);
    let t = l[9].clone().cast::<evsh::output::table::Table>();
    assert_activity(&t, &exp["act_gray_norm"], "script");
    let a = l[10].clone().cast::<evsh::Array>();
    assert_eq!(a.shape(), &[3, 33]);
    let a = l[11].clone().cast::<evsh::Array>();
    assert_eq!(a.shape(), &[33]);
    let a = l[12].clone().cast::<evsh::Array>();
    assert_eq!(a.shape(), &[5, 2]);
    assert!(l[13].clone().into_string().unwrap().contains("frames16"));
    // errors are clear
    let e = s.run(r#"h5(p)["nope"]"#, None).unwrap_err();
    assert!(e.message.contains("nope"), "{}", e.message);
    let e = s.run(r#"h5(p)["frames"][99]"#, None).unwrap_err();
    assert!(e.message.contains("out of range"), "{}", e.message);
}

#[test]
fn bad_files_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.h5");
    let e = H5File::open(&missing).err().unwrap().to_string();
    assert!(e.contains("missing.h5"), "{e}");
    let text = dir.path().join("text.h5");
    std::fs::write(&text, "this is not HDF5\n".repeat(100)).unwrap();
    let e = H5File::open(&text).err().unwrap().to_string();
    assert!(
        e.contains("text.h5") && e.contains("not an HDF5 file"),
        "{e}"
    );
    let empty = dir.path().join("empty.h5");
    std::fs::write(&empty, b"").unwrap();
    let e = H5File::open(&empty).err().unwrap().to_string();
    assert!(e.contains("empty.h5"), "{e}");
    let e = H5File::open(dir.path()).err().unwrap().to_string();
    assert!(e.contains("directory"), "{e}");
    // truncated copies of a real chunked file: open or read fail cleanly, never panic
    let Some((gdir, _)) = generate() else { return };
    let bytes = std::fs::read(gdir.path().join("napari.h5")).unwrap();
    for frac in [0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99] {
        let cut = dir.path().join(format!("cut_{frac}.h5"));
        std::fs::write(&cut, &bytes[..(bytes.len() as f64 * frac) as usize]).unwrap();
        match H5File::open(&cut) {
            Err(e) => assert!(e.to_string().contains("cut_"), "{e}"),
            Ok(f) => {
                let _ = f.tree();
                for name in ["frames", "float2d", "frames16", "images/0005"] {
                    if let Ok(d) = f.dataset(name) {
                        if let Err(e) = d.read() {
                            assert!(e.to_string().contains(name), "{e}");
                        }
                    }
                }
            }
        }
    }
    // flipped bytes in the middle of the data
    let mut bad = bytes.clone();
    let n = bad.len();
    for b in &mut bad[n / 3..n / 3 + 4000] {
        *b ^= 0x5a;
    }
    let p = dir.path().join("flipped.h5");
    std::fs::write(&p, &bad).unwrap();
    if let Ok(f) = H5File::open(&p) {
        let _ = f.tree();
        if let Ok(d) = f.dataset("frames") {
            let _ = d.read();
        }
    }
}
