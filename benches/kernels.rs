//! Criterion benchmarks of the core array kernels (in memory, no files except for
//! `load`): reductions, comparisons producing masks, arithmetic with a weak scalar, casts,
//! mask selection, sorting and counting. Throughput is reported in input bytes, so the
//! numbers read as GB/s. End-to-end comparisons against NumPy are in scripts/bench.sh.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use evsh::array::ops::{self, BinOp, CmpOp, Operand};
use evsh::array::reduce::{reduce_all, reduce_axis, Red};
use evsh::array::{create, select, sort, DType};
use evsh::Array;

const N: usize = 16 << 20; // 16M elements, 64 MB of float32

fn f32_data() -> Array {
    let r = create::random(vec![N], 3).unwrap();
    ops::astype(&r, &DType::F32).unwrap()
}

fn reductions(c: &mut Criterion) {
    let x = f32_data();
    let mut g = c.benchmark_group("reduce_f32");
    g.throughput(Throughput::Bytes((N * 4) as u64));
    g.sample_size(20);
    for r in [Red::Sum, Red::Max, Red::Mean, Red::Std, Red::ArgMax] {
        g.bench_with_input(BenchmarkId::from_parameter(r.name()), &r, |b, &r| {
            b.iter(|| reduce_all(black_box(&x), r).unwrap())
        });
    }
    let m = x.reshape(vec![N / 16, 16]).unwrap();
    g.bench_function("max_axis1_16", |b| {
        b.iter(|| reduce_axis(black_box(&m), Red::Max, 1).unwrap())
    });
    g.finish();
}

fn elementwise(c: &mut Criterion) {
    let x = f32_data();
    let mut g = c.benchmark_group("elementwise_f32");
    g.throughput(Throughput::Bytes((N * 4) as u64));
    g.sample_size(20);
    let a = Operand::Arr(x.clone());
    g.bench_function("gt_scalar_mask", |b| {
        b.iter(|| ops::compare(CmpOp::Gt, black_box(&a), &Operand::Float(0.5)).unwrap())
    });
    g.bench_function("mul_scalar", |b| {
        b.iter(|| ops::binary(BinOp::Mul, black_box(&a), &Operand::Float(2.0)).unwrap())
    });
    g.bench_function("add_arrays", |b| {
        b.iter(|| ops::binary(BinOp::Add, black_box(&a), &a).unwrap())
    });
    g.bench_function("astype_f64", |b| {
        b.iter(|| ops::astype(black_box(&x), &DType::F64).unwrap())
    });
    let mask = ops::compare(CmpOp::Gt, &a, &Operand::Float(0.9)).unwrap();
    g.bench_function("select_mask_10pct", |b| {
        b.iter(|| select::select_mask(black_box(&x), &mask).unwrap())
    });
    g.finish();
}

fn sorting(c: &mut Criterion) {
    let n = 4 << 20;
    let k = create::randint(0, 100_000, vec![n], 9).unwrap();
    let mut g = c.benchmark_group("sort_i64");
    g.throughput(Throughput::Bytes((n * 8) as u64));
    g.sample_size(10);
    g.bench_function("argsort_4M", |b| {
        b.iter(|| sort::argsort(black_box(&k)).unwrap())
    });
    g.bench_function("unique_counts_4M", |b| {
        b.iter(|| sort::unique_counts(black_box(&k)).unwrap())
    });
    g.finish();
}

fn load(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.npy");
    evsh::io::npy::save(&f32_data(), &p).unwrap();
    c.bench_function("load_64MB_header_only", |b| {
        b.iter(|| evsh::io::npy::load(black_box(&p), None).unwrap())
    });
}

/// What the profiler's spans cost when no profile is being recorded: every built-in opens
/// one span and every chunk of a kernel one stage, so this times both against the kernel
/// they sit in (a 64 MB sum opens 1 span and 16 stages).
fn profiling_off(c: &mut Criterion) {
    let mut g = c.benchmark_group("profiling_off");
    g.bench_function("span_plus_stage", |b| {
        b.iter(|| {
            let _s = evsh::prof::span(black_box("sum"));
            let _t = evsh::prof::stage(black_box("compute"));
        })
    });
    let x = f32_data();
    g.bench_function("page_in_check", |b| {
        b.iter(|| evsh::exec::page_in(black_box(&x)))
    });
    g.sample_size(20);
    g.bench_function("sum_64MB_with_its_spans", |b| {
        b.iter(|| reduce_all(black_box(&x), Red::Sum).unwrap())
    });
    g.finish();
}

criterion_group!(
    benches,
    reductions,
    elementwise,
    sorting,
    load,
    profiling_off
);
criterion_main!(benches);
