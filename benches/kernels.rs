//! Criterion benchmarks of the core array kernels (in memory, no files except for
//! `load`), one group per kernel family: whole and per-axis reductions, elementwise
//! arithmetic (contiguous, scalar, row broadcast, strided), unary functions, casts,
//! comparisons and masks, selection and gathers, sorting and counting. Throughput is reported in input bytes, so the
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
    let mut g = c.benchmark_group("reduce_axes_f32");
    g.throughput(Throughput::Bytes((N * 4) as u64));
    g.sample_size(20);
    let m = x.reshape(vec![N / 128, 128]).unwrap();
    for r in [Red::Sum, Red::Mean, Red::Max, Red::Std] {
        g.bench_with_input(BenchmarkId::new("axis0_of_128", r.name()), &r, |b, &r| {
            b.iter(|| reduce_axis(black_box(&m), r, 0).unwrap())
        });
    }
    g.bench_function("sum_axis1_of_128", |b| {
        b.iter(|| reduce_axis(black_box(&m), Red::Sum, 1).unwrap())
    });
    let c3 = x.reshape(vec![64, N / 64 / 16, 16]).unwrap();
    g.bench_function("sum_axes_0_2", |b| {
        b.iter(|| evsh::array::reduce::reduce_axes(black_box(&c3), Red::Sum, &[0, 2]).unwrap())
    });
    g.bench_function("sum_axis0_transposed", |b| {
        b.iter(|| reduce_axis(black_box(&m.transpose()), Red::Sum, 0).unwrap())
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
    let m = Operand::Arr(x.reshape(vec![N / 128, 128]).unwrap());
    let row = Operand::Arr(x.slice_axis(0, Some(0), Some(128), 1).unwrap());
    g.bench_function("add_row_broadcast", |b| {
        b.iter(|| ops::binary(BinOp::Add, black_box(&m), &row).unwrap())
    });
    let strided = Operand::Arr(x.slice_axis(0, None, None, 2).unwrap());
    g.bench_function("mul_scalar_step2", |b| {
        b.iter(|| ops::binary(BinOp::Mul, black_box(&strided), &Operand::Float(2.0)).unwrap())
    });
    g.bench_function("abs", |b| {
        b.iter(|| ops::unary(ops::UnOp::Abs, black_box(&x)).unwrap())
    });
    g.bench_function("sqrt", |b| {
        b.iter(|| ops::unary(ops::UnOp::Sqrt, black_box(&x)).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("cast_f32");
    g.throughput(Throughput::Bytes((N * 4) as u64));
    g.sample_size(20);
    for d in [DType::F64, DType::F16, DType::I32, DType::Bool] {
        g.bench_with_input(BenchmarkId::from_parameter(d.name()), &d, |b, d| {
            b.iter(|| ops::astype(black_box(&x), d).unwrap())
        });
    }
    let i = ops::astype(&x, &DType::I32).unwrap();
    g.bench_function("i32_to_f64", |b| {
        b.iter(|| ops::astype(black_box(&i), &DType::F64).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("mask_f32");
    g.throughput(Throughput::Bytes((N * 4) as u64));
    g.sample_size(20);
    let mask = ops::compare(CmpOp::Gt, &a, &Operand::Float(0.9)).unwrap();
    g.bench_function("count_gt", |b| {
        b.iter(|| {
            let m = ops::compare(CmpOp::Gt, black_box(&a), &Operand::Float(0.5)).unwrap();
            reduce_all(&m, Red::Count).unwrap()
        })
    });
    g.bench_function("select_mask_10pct", |b| {
        b.iter(|| select::select_mask(black_box(&x), &mask).unwrap())
    });
    g.bench_function("where_scalar", |b| {
        b.iter(|| ops::where_(black_box(&mask), &a, &Operand::Float(0.0)).unwrap())
    });
    let idx = create::randint(0, N as i64, vec![N / 8], 4).unwrap();
    g.bench_function("gather_12pct", |b| {
        b.iter(|| select::take_index(black_box(&x), &idx).unwrap())
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
