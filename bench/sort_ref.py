#!/usr/bin/env python3
"""NumPy reference for evsh's sort kernels (sort, argsort, unique, unique_counts, along
any axis).

  sort_ref.py gen DIR       write test inputs and NumPy's answers as .npy files into DIR,
                            with DIR/cases.json listing them (used by tests/array_sort.rs)
  sort_ref.py bench EXE     time NumPy and the evsh example EXE (target/release/examples/
                            sort_bench) on the same cases in one run; print a ratio table

Expected answers use NumPy's stable kinds (np.sort/np.argsort kind="stable"), which evsh
matches bit for bit. For unique values, where NumPy's own (unstable) sort may return either
of -0.0/0.0 or any NaN payload, the representative is the first in stable order, as evsh.
"""

import json
import os
import subprocess
import sys
import time

import numpy as np

DTYPES = ["bool", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8"]


def data(dt, n, rng, wide):
    """n values of dtype dt with duplicates; floats with NaN (several payloads, both
    signs), +-inf, -0.0 and 0.0; integers over the full range when `wide`."""
    d = np.dtype(dt)
    if d.kind == "b":
        return rng.integers(0, 2, n).astype(bool)
    if d.kind in "iu":
        info = np.iinfo(d)
        if wide:
            v = rng.integers(info.min, info.max, n, dtype=d, endpoint=True)
        else:
            v = rng.integers(max(info.min, -50), min(info.max, 50), n).astype(d)
        return v
    v = np.round(rng.normal(0, 10, n), 1).astype(d)
    if n:
        specials = np.array([np.nan, -np.nan, np.inf, -np.inf, -0.0, 0.0], dtype=d)
        k = max(1, n // 10)
        pos = rng.integers(0, n, k)
        v[pos] = specials[rng.integers(0, len(specials), k)]
        # a NaN with another payload
        bits = v.view(f"u{d.itemsize}")
        nanbits = {2: 0x7E01, 4: 0x7FC00123, 8: 0x7FF8000000000123}[d.itemsize]
        bits[rng.integers(0, n, max(1, n // 50))] = nanbits
    return v


def unique_ref(x):
    """np.unique(x, return_counts=True), with -0.0/0.0 and NaN represented by the first of
    them in stable order."""
    flat = x.ravel()
    u, c = np.unique(flat, return_counts=True)
    if flat.dtype.kind == "f" and len(u):
        s = np.sort(flat, kind="stable")
        z = np.nonzero(s == 0)[0]
        if len(z):
            u[u == 0] = s[z[0]]
        nan = np.nonzero(np.isnan(s))[0]
        if len(nan):
            u[np.isnan(u)] = s[nan[0]]
    return u, c


def views(x):
    """The views the Rust test applies to the loaded array, with NumPy's equivalent."""
    out = {"plain": x}
    if x.ndim >= 1 and x.shape[0] > 1:
        out["step2"] = x[::2]
        out["rev3"] = x[::-3]
    if x.ndim >= 2:
        out["T"] = x.T
    return out


def gen(d):
    rng = np.random.default_rng(20261203)
    cases = []

    def add(name, x, store=None, view_names=None):
        store = x if store is None else store
        np.save(os.path.join(d, name + ".npy"), store)
        for vn, v in views(x).items():
            if view_names is not None and vn not in view_names:
                continue
            tag = f"{name}.{vn}"
            for ax in range(v.ndim):
                np.save(os.path.join(d, f"{tag}.sort{ax}.npy"), np.sort(v, axis=ax, kind="stable"))
                np.save(
                    os.path.join(d, f"{tag}.argsort{ax}.npy"),
                    np.argsort(v, axis=ax, kind="stable").astype(np.int64),
                )
            u, c = unique_ref(v)
            np.save(os.path.join(d, f"{tag}.unique.npy"), u)
            # unique_counts' table: most frequent first, ties in value order
            o = np.argsort(-c, kind="stable")
            np.save(os.path.join(d, f"{tag}.cvals.npy"), u[o])
            np.save(os.path.join(d, f"{tag}.counts.npy"), c[o].astype(np.int64))
            cases.append({"file": name + ".npy", "view": vn, "tag": tag, "ndim": int(v.ndim)})

    for dt in DTYPES:
        for n in [0, 1, 7, 300, 70000]:
            add(f"{dt}_n{n}", data(dt, n, rng, wide=False))
        add(f"{dt}_wide", data(dt, 5000, rng, wide=True))
        x3 = data(dt, 5 * 60 * 7, rng, wide=True).reshape(5, 60, 7)
        add(f"{dt}_3d", x3)
        # big-endian and Fortran-order files (same values, other byte layouts)
        add(f"{dt}_3d_be", x3, store=x3.astype(np.dtype(dt).newbyteorder(">")), view_names=["plain"])
        add(f"{dt}_3d_f", x3, store=np.asfortranarray(x3), view_names=["plain", "T"])
        # long strided lanes: the parallel path along axis 0 with a gather
        add(f"{dt}_long2d", data(dt, 70000 * 3, rng, wide=True).reshape(70000, 3), view_names=["plain"])
    np.save(os.path.join(d, "scalar_f8.npy"), np.array(2.5))
    with open(os.path.join(d, "cases.json"), "w") as f:
        json.dump(cases, f)


def best(f, reps=5):
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return min(ts) * 1e3


def bench(exe):
    rng = np.random.default_rng(1)
    x5 = rng.random(5_000_000, dtype=np.float32)
    x20 = rng.random(20_000_000, dtype=np.float32)
    k = rng.integers(0, 1000, 20_000_000).astype(np.int32)
    f = rng.random(20_000_000, dtype=np.float32)
    d = rng.random(5_000_000)
    m = rng.random((1_000_000, 100), dtype=np.float32)
    ref = {
        "sort_f32_5M": ("np.sort", lambda: np.sort(x5)),
        "argsort_f32_5M": ("np.argsort", lambda: np.argsort(x5)),
        "sort_f32_20M": ("np.sort", lambda: np.sort(x20)),
        "argsort_f32_20M": ("np.argsort", lambda: np.argsort(x20)),
        "unique_counts_i32_20M": ("np.unique(return_counts)", lambda: np.unique(k, return_counts=True)),
        "unique_f32_20M": ("np.unique", lambda: np.unique(f)),
        "argsort_f64_5M": ("np.argsort", lambda: np.argsort(d)),
        "sort_axis1_1Mx100": ("np.sort(axis=1)", lambda: np.sort(m, axis=1)),
        "argsort_axis1_1Mx100": ("np.argsort(axis=1)", lambda: np.argsort(m, axis=1)),
        "sort_axis0_1Mx100": ("np.sort(axis=0)", lambda: np.sort(m, axis=0)),
    }
    reps = int(os.environ.get("REPS", "5"))
    npt = {name: best(fn, reps if "axis" not in name else 2) for name, (_, fn) in ref.items()}
    out = subprocess.run([exe], capture_output=True, text=True, check=True).stdout
    ev = {}
    for line in out.splitlines():
        name, ms = line.split()
        ev[name] = float(ms)
    print(f"NumPy {np.__version__}, {os.cpu_count()} CPUs; best of {reps} (axis cases: NumPy best of 2)")
    print(f"| {'case':24} | {'NumPy call':26} | {'NumPy ms':>9} | {'evsh ms':>8} | {'speed-up':>8} |")
    print(f"|{'-' * 26}|{'-' * 28}|{'-' * 11}|{'-' * 10}|{'-' * 10}|")
    for name, (call, _) in ref.items():
        e = ev.get(name)
        if e is None:
            continue
        print(f"| {name:24} | {call:26} | {npt[name]:9.1f} | {e:8.1f} | {npt[name] / e:7.2f}x |")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "gen":
        gen(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "bench":
        bench(sys.argv[2])
    else:
        sys.exit(__doc__)
