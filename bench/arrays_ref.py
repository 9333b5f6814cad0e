"""NumPy side of scripts/bench.sh (arrays): the same work as bench/arrays.rhai.

Usage: python3 bench/arrays_ref.py DIR RUNS [--make]
--make writes the data: big_2g.npy (2 GiB of float32) and f32_400m.npy (100M float32
values, 400 MB, uniform in [0, 1)). Prints one line per task: name and median seconds.
"""
import sys
import time

import numpy as np


def make(d):
    rng = np.random.default_rng(1)
    x = rng.random(100_000_000, dtype=np.float32)
    np.save(f"{d}/f32_400m.npy", x)
    m = np.lib.format.open_memmap(f"{d}/big_2g.npy", mode="w+", dtype=np.float32,
                                  shape=(512 * 1024 * 1024,))
    step = 16 * 1024 * 1024
    for i in range(0, m.shape[0], step):
        m[i:i + step] = x[: min(step, m.shape[0] - i)]
    m.flush()
    del m


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


main()
