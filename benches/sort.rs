//! Criterion benchmarks of the sort kernels: radix `sort`/`argsort` of float32 and
//! float64, `unique_counts` of small-range int32 (histogram path) and of floats (radix
//! path), and sorting many short rows along an axis. Throughput is in input bytes.
//! The comparison against NumPy in one run is `python3 bench/sort_ref.py bench
//! target/release/examples/sort_bench`.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use evsh::array::{create, ops, sort, DType};
use evsh::Array;

const N: usize = 5_000_000;

fn data(dtype: &DType, shape: Vec<usize>) -> Array {
    ops::astype(&create::random(shape, 11).unwrap(), dtype).unwrap()
}

fn sorting(c: &mut Criterion) {
    let mut g = c.benchmark_group("sort");
    g.sample_size(10);
    for (name, dt) in [("f32", DType::F32), ("f64", DType::F64)] {
        let x = data(&dt, vec![N]);
        g.throughput(Throughput::Bytes((N * dt.itemsize()) as u64));
        g.bench_function(format!("sort_{name}_5M"), |b| {
            b.iter(|| sort::sort(black_box(&x)).unwrap())
        });
        g.bench_function(format!("argsort_{name}_5M"), |b| {
            b.iter(|| sort::argsort(black_box(&x)).unwrap())
        });
    }
    let m = data(&DType::F32, vec![N / 100, 100]);
    g.throughput(Throughput::Bytes((N * 4) as u64));
    g.bench_function("sort_axis1_50kx100_f32", |b| {
        b.iter(|| sort::sort_axis(black_box(&m), 1).unwrap())
    });
    g.bench_function("sort_axis0_50kx100_f32", |b| {
        b.iter(|| sort::sort_axis(black_box(&m), 0).unwrap())
    });
    g.finish();
}

fn uniques(c: &mut Criterion) {
    let mut g = c.benchmark_group("unique");
    g.sample_size(10);
    let k = ops::astype(&create::randint(0, 1000, vec![N], 5).unwrap(), &DType::I32).unwrap();
    g.throughput(Throughput::Bytes((N * 4) as u64));
    g.bench_function("unique_counts_i32_5M_1000", |b| {
        b.iter(|| sort::unique_counts(black_box(&k)).unwrap())
    });
    let w = ops::astype(
        &create::randint(0, 1 << 40, vec![N], 6).unwrap(),
        &DType::I64,
    )
    .unwrap();
    g.throughput(Throughput::Bytes((N * 8) as u64));
    g.bench_function("unique_i64_5M_wide", |b| {
        b.iter(|| sort::unique(black_box(&w)).unwrap())
    });
    let f = data(&DType::F32, vec![N]);
    g.throughput(Throughput::Bytes((N * 4) as u64));
    g.bench_function("unique_f32_5M", |b| {
        b.iter(|| sort::unique(black_box(&f)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, sorting, uniques);
criterion_main!(benches);
