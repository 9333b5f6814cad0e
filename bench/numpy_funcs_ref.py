"""NumPy side of `scripts/bench.sh numpy`: the same work as bench/numpy_funcs.rhai.

Usage: python3 bench/numpy_funcs_ref.py DIR RUNS (the data of the arrays suite).
Prints one line per task: name and median seconds.
"""
import sys
import time

import numpy as np


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
    al = np.load(f"{d}/f32_400m.npy", mmap_mode="r")
    x = np.array(al[:20_000_000])
    y = np.array(al[20_000_000:40_000_000])
    m2 = x.reshape(200_000, 100)
    q = np.array(al[40_000_000:41_000_000])
    s = np.sort(y)
    k = (x * 1000.0).astype(np.int32)
    a = np.array(al[50_000_000:50_250_000], dtype=np.float64).reshape(500, 500)
    b = np.array(al[60_000_000:60_250_000], dtype=np.float64).reshape(500, 500)
    bench("percentile", runs, lambda: np.percentile(x, 90.0))
    bench("median", runs, lambda: np.median(x))
    bench("median_axis1", runs, lambda: np.median(m2, axis=1))
    bench("cumsum", runs, lambda: np.cumsum(x))
    bench("diff", runs, lambda: np.diff(x))
    bench("sort_axis1", runs, lambda: np.sort(m2, axis=1))
    bench("clip", runs, lambda: np.clip(x, 0.1, 0.9))
    bench("sin", runs, lambda: np.sin(x))
    bench("round2", runs, lambda: np.round(x, 2))
    bench("maximum", runs, lambda: np.maximum(x, y))
    bench("isfinite", runs, lambda: np.isfinite(x))
    bench("concatenate", runs, lambda: np.concatenate([x, y]))
    bench("searchsorted", runs, lambda: np.searchsorted(s, q))
    bench("bincount", runs, lambda: np.bincount(k))
    bench("nanmean", runs, lambda: np.nanmean(x))
    bench("var_axis0", runs, lambda: np.var(m2, axis=0))
    bench("matmul_500", runs, lambda: a @ b)


main()
