"""NumPy side of scripts/bench.sh (arrays): the same work as bench/arrays.rhai.

Usage: python3 bench/arrays_ref.py DIR RUNS [--make]
--make writes the data: big_2g.npy (2 GiB of float32), f32_400m.npy (100M float32
values, 400 MB, uniform in [0, 1)) and idx_2m.npy (2M int64 indices into the first 20M).
The kernel tasks run on x = the first 20M values and y = the next 20M (as the issue's
measurements). Prints one line per task: name and median seconds.
"""
import sys
import time

import numpy as np


def make(d):
    rng = np.random.default_rng(1)
    x = rng.random(100_000_000, dtype=np.float32)
    np.save(f"{d}/f32_400m.npy", x)
    make_idx(d)
    m = np.lib.format.open_memmap(f"{d}/big_2g.npy", mode="w+", dtype=np.float32,
                                  shape=(512 * 1024 * 1024,))
    step = 16 * 1024 * 1024
    for i in range(0, m.shape[0], step):
        m[i:i + step] = x[: min(step, m.shape[0] - i)]
    m.flush()
    del m


def make_idx(d):
    rng = np.random.default_rng(2)
    np.save(f"{d}/idx_2m.npy", rng.integers(0, 20_000_000, 2_000_000, dtype=np.int64))


def bench(name, runs, f):
    f()
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    print(f"{name}\t{float(np.median(ts))}", flush=True)


def main():
    d, runs = sys.argv[1], int(sys.argv[2])
    if "--make-idx" in sys.argv:
        make_idx(d)
        return
    if "--make" in sys.argv:
        make(d)
        return
    big = f"{d}/big_2g.npy"
    # The NumPy ways of opening a file: mapped (the fair comparison) and read fully.
    bench("load_2g", runs, lambda: np.load(big, mmap_mode="r"))
    bench("load_2g_read", 1, lambda: np.load(big))
    x = np.load(f"{d}/f32_400m.npy")
    bench("sum_f32", runs, lambda: x.sum())
    bench("max_f32", runs, lambda: x.max())
    bench("mask_gt", runs, lambda: x > 0.5)
    bench("count_gt", runs, lambda: np.count_nonzero(x > 0.5))
    bench("mean_axis0", runs, lambda: x.reshape(-1, 100).mean(0))
    # Kernels on 20M float32 (x) and a second array of the same size (y).
    x, y = x[:20_000_000], x[20_000_000:40_000_000]
    idx = np.load(f"{d}/idx_2m.npy")
    m = x > 0.5
    bench("astype_f64", runs, lambda: x.astype(np.float64))
    bench("mul_add", runs, lambda: x * 2.0 + y)
    bench("abs_sub", runs, lambda: np.abs(x - y))
    bench("sqrt_abs", runs, lambda: np.sqrt(np.abs(x)))
    bench("gt_20m", runs, lambda: x > 0.5)
    bench("count_gt_20m", runs, lambda: np.count_nonzero(x > 0.5))
    bench("mean0_20m", runs, lambda: x.reshape(-1, 100).mean(0))
    bench("max0_20m", runs, lambda: x.reshape(-1, 100).max(0))
    bench("sum_20m", runs, lambda: x.sum())
    bench("max_20m", runs, lambda: x.max())
    bench("std_20m", runs, lambda: x.std())
    bench("argmax_20m", runs, lambda: x.argmax())
    bench("select_mask", runs, lambda: x[m])
    bench("gather_2m", runs, lambda: x[idx])
    bench("where_20m", runs, lambda: np.where(m, x, 0.0))


main()
