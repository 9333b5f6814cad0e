//! Times evsh's sort kernels on the inputs `bench/sort_ref.py` times NumPy on (same
//! shapes, dtypes and value distributions), best of `REPS`, one line per case:
//! `name milliseconds`. Run it through `python3 bench/sort_ref.py bench` for the table of
//! ratios against NumPy in the same run.

use std::time::Instant;

use evsh::array::{create, ops, sort, DType};
use evsh::Array;

fn best(reps: usize, mut f: impl FnMut()) -> f64 {
    (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .fold(f64::INFINITY, f64::min)
}

fn f32s(shape: Vec<usize>, seed: i64) -> Array {
    ops::astype(&create::random(shape, seed).unwrap(), &DType::F32).unwrap()
}

fn main() {
    let reps: usize = std::env::var("REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let only: Vec<String> = std::env::args().skip(1).collect();
    let want = |name: &str| only.is_empty() || only.iter().any(|o| name.starts_with(o.as_str()));
    let run = |name: &str, f: &mut dyn FnMut()| {
        if want(name) {
            println!("{name} {:.2}", best(reps, f));
        }
    };
    let x5 = f32s(vec![5_000_000], 1);
    run("sort_f32_5M", &mut || drop(sort::sort(&x5).unwrap()));
    run("argsort_f32_5M", &mut || drop(sort::argsort(&x5).unwrap()));
    drop(x5);
    let x20 = f32s(vec![20_000_000], 2);
    run("sort_f32_20M", &mut || drop(sort::sort(&x20).unwrap()));
    run("argsort_f32_20M", &mut || {
        drop(sort::argsort(&x20).unwrap())
    });
    drop(x20);
    let k = ops::astype(
        &create::randint(0, 1000, vec![20_000_000], 3).unwrap(),
        &DType::I32,
    )
    .unwrap();
    run("unique_counts_i32_20M", &mut || {
        drop(sort::unique_counts(&k).unwrap())
    });
    drop(k);
    let f = f32s(vec![20_000_000], 4);
    run("unique_f32_20M", &mut || drop(sort::unique(&f).unwrap()));
    drop(f);
    let d = create::random(vec![5_000_000], 5).unwrap();
    run("argsort_f64_5M", &mut || drop(sort::argsort(&d).unwrap()));
    drop(d);
    let m = f32s(vec![1_000_000, 100], 6);
    run("sort_axis1_1Mx100", &mut || {
        drop(sort::sort_axis(&m, 1).unwrap())
    });
    run("argsort_axis1_1Mx100", &mut || {
        drop(sort::argsort_axis(&m, 1).unwrap())
    });
    run("sort_axis0_1Mx100", &mut || {
        drop(sort::sort_axis(&m, 0).unwrap())
    });
}
