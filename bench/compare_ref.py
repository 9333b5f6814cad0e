#!/usr/bin/env python3
"""NumPy/SciPy reference of the A/B comparison (evsh issue 4), for tests and benchmarks.

The same work as evsh's `compare(a, b)`, done the NumPy vectorized way:

* history comparison: np.unique of both seqhis columns, union by searchsorted,
  c2 = (a-b)^2/(a+b) summed over rows with a+b > cut, ndf = rows - 1, p-value from
  scipy.stats.chi2.sf;
* deviation tables: decompress rpost/rpol of both sides as float32 arrays, abs-diff,
  max over points and components per photon (positions and time separately), and
  aggregate per history (aligned photons) with a sort + reduceat group-by over all
  histories; ox split into position, time, direction, polarization, wavelength.

Usage:
    compare_ref.py check A B     JSON with chi2 (several cuts), zeros, alignment and
                                 every per-history deviation aggregate (for tests)
    compare_ref.py bench A B     JSON with the wall time of each stage (for benchmarks)
"""
import json
import os
import sys
import time

import numpy as np

try:
    from scipy.stats import chi2 as _chi2
except ImportError:  # the tests need SciPy; benchmarks only time NumPy work
    _chi2 = None

POS_F = (1.1, 1.6, 2.1)
POL_F = (1.0, 1.5, 2.0)
OX_CUTS = (0.10, 0.25, 0.50)


def load(folder):
    ev = {}
    ev["ph"] = np.load(os.path.join(folder, "ph.npy"), mmap_mode="r")
    ev["rx"] = np.load(os.path.join(folder, "rx.npy"), mmap_mode="r")
    ev["ox"] = np.load(os.path.join(folder, "ox.npy"), mmap_mode="r")
    ev["fdom"] = np.load(os.path.join(folder, "fdom.npy"))
    ev["seqhis"] = np.ascontiguousarray(ev["ph"][:, 0, 0])
    return ev


def his(ha, hb, cuts):
    ua, ca = np.unique(ha, return_counts=True)
    ub, cb = np.unique(hb, return_counts=True)
    u = np.union1d(ua, ub)
    a = np.zeros(len(u), np.int64)
    b = np.zeros(len(u), np.int64)
    a[np.searchsorted(u, ua)] = ca
    b[np.searchsorted(u, ub)] = cb
    s = (a + b).astype(np.float64)
    c2 = (a - b).astype(np.float64) ** 2 / s
    out = {}
    for cut in cuts:
        m = s > cut
        rows = int(m.sum())
        ndf = max(rows - 1, 0)
        c2sum = float(c2[m].sum())
        p = float(_chi2.sf(c2sum, ndf)) if (_chi2 is not None and ndf > 0) else None
        out[str(cut)] = {"c2sum": c2sum, "ndf": ndf, "pvalue": p, "rows": rows}
    zeros = [
        [format(int(c), "x"), int(x), int(y)]
        for c, x, y in zip(u, a, b)
        if (x == 0 and y > 10) or (y == 0 and x > 10)
    ]
    return out, len(u), zeros


def group(codes, vals, cuts):
    """Per-history aggregates of per-photon maxima: {code: {qty: [n, nwarn, nerr,
    nfatal, max, min, mean]}}."""
    uniq, inv = np.unique(codes, return_inverse=True)
    order = np.argsort(inv, kind="stable")
    inv_s = inv[order]
    if len(inv_s) == 0:
        return {}
    starts = np.flatnonzero(np.r_[True, inv_s[1:] != inv_s[:-1]])
    n = np.diff(np.r_[starts, len(inv_s)])
    res = {}
    per = {}
    for q, v in vals.items():
        w, e, f = cuts[q]
        v = v[order].astype(np.float64)
        per[q] = (
            np.add.reduceat((v > w).astype(np.int64), starts),
            np.add.reduceat((v > e).astype(np.int64), starts),
            np.add.reduceat((v > f).astype(np.int64), starts),
            np.maximum.reduceat(v, starts),
            np.minimum.reduceat(v, starts),
            np.add.reduceat(v, starts) / n,
        )
    for k, c in enumerate(uniq[inv_s[starts]]):
        res[format(int(c), "x")] = {
            q: [int(n[k])] + [int(p[i][k]) for i in range(3)] + [float(p[i][k]) for i in range(3, 6)]
            for q, p in per.items()
        }
    return res


def eps(fdom):
    f = fdom.reshape(-1).astype(np.float64)
    return 2.0 * f[3] / 65535.0, 2.0 * f[5] / 65535.0


def rpost(ev):
    f = ev["fdom"].reshape(-1)
    sx = np.float32(f[3]) / np.float32(32767.0)
    st = np.float32(f[5]) / np.float32(32767.0)
    q = ev["rx"][:, :, 0, :].astype(np.float32)
    pos = q[:, :, :3] * sx + f[:3].astype(np.float32)
    t = q[:, :, 3] * st + np.float32(f[4])
    return pos, t


def rpol(ev):
    q = np.ascontiguousarray(ev["rx"][:, :, 1, :2]).view(np.uint8)  # (N,R,4) bytes
    return q[:, :, :3].astype(np.float32) / np.float32(127.0) - np.float32(1.0)


def dv_all(A, B, aligned, times=None):
    def tick(name, t0):
        if times is not None:
            times[name] = time.perf_counter() - t0

    codes = A["seqhis"][aligned]
    ep, et = eps(A["fdom"])
    out = {}
    t0 = time.perf_counter()
    pa, ta = rpost(A)
    pb, tb = rpost(B)
    dpos = np.abs(pa - pb).max(axis=(1, 2))
    dt = np.abs(ta - tb).max(axis=1)
    del pa, pb, ta, tb
    out["rpost"] = group(
        codes,
        {"pos": dpos[aligned], "time": dt[aligned]},
        {"pos": [ep * x for x in POS_F], "time": [et * x for x in POS_F]},
    )
    tick("rpost", t0)
    t0 = time.perf_counter()
    d = np.abs(rpol(A) - rpol(B)).max(axis=(1, 2))
    out["rpol"] = group(codes, {"pol": d[aligned]}, {"pol": [2.0 / 255.0 * x for x in POL_F]})
    tick("rpol", t0)
    t0 = time.perf_counter()
    oa = np.asarray(A["ox"])
    ob = np.asarray(B["ox"])
    d = np.abs(oa - ob)
    vals = {
        "pos": d[:, 0, :3].max(axis=1)[aligned],
        "time": d[:, 0, 3][aligned],
        "dir": d[:, 1, :3].max(axis=1)[aligned],
        "pol": d[:, 2, :3].max(axis=1)[aligned],
        "wavelength": d[:, 2, 3][aligned],
    }
    del d
    out["ox"] = group(codes, vals, {k: list(OX_CUTS) for k in vals})
    tick("ox", t0)
    return out


def main():
    mode, a, b = sys.argv[1], sys.argv[2], sys.argv[3]
    A, B = load(a), load(b)
    if mode == "check":
        c2, nunion, zeros = his(A["seqhis"], B["seqhis"], [30.0, 5.0, 0.0, 100.0])
        aligned = A["seqhis"] == B["seqhis"]
        out = {
            "c2": c2,
            "union": nunion,
            "zeros": zeros,
            "aligned": int(aligned.sum()),
            "dv": dv_all(A, B, aligned),
        }
        json.dump(out, sys.stdout)
    elif mode == "bench":
        times = {}
        t0 = time.perf_counter()
        his(A["seqhis"], B["seqhis"], [30.0])
        times["his"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        aligned = A["seqhis"] == B["seqhis"]
        times["align"] = time.perf_counter() - t0
        dv_all(A, B, aligned, times)
        times["dv_all"] = times["rpost"] + times["rpol"] + times["ox"]
        times["n"] = int(len(A["seqhis"]))
        json.dump(times, sys.stdout)
    else:
        sys.exit("usage: compare_ref.py check|bench A B")


if __name__ == "__main__":
    main()
