#!/usr/bin/env python3
"""NumPy reference for evsh's event layer: the same work done the NumPy way.

    events_ref.py check A_DIR B_DIR   -> JSON of results the Rust tests compare with
    events_ref.py bench A_DIR         -> JSON of timings (seconds) for scripts/bench_events.sh

Legacy tag folders: ph (N,1,2) u64 = seqhis, seqmat; rx (N,R,2,4) i16; ox (N,4,4) f32;
fdom (3,1,4) f32. Decoding follows ../shared/docs/opticks-events.md section 2.
"""
import json
import os
import sys
import time

import numpy as np


def load(d, name):
    return np.load(os.path.join(d, name + ".npy"), mmap_mode="r")


def history_table(seqhis):
    """unique(return_counts) + argsort by count descending (ties: code ascending)."""
    u, c = np.unique(seqhis, return_counts=True)
    o = np.lexsort((u, -c))
    return u[o], c[o]


def rpost(rx, fdom):
    c = fdom[0, 0, :3]
    e = fdom[0, 0, 3]
    tmin, text = fdom[1, 0, 0], fdom[1, 0, 1]
    p = rx[:, :, 0, :].astype(np.float32)
    out = np.empty(p.shape, np.float32)
    out[..., :3] = p[..., :3] * (e / np.float32(32767)) + c
    out[..., 3] = p[..., 3] * (text / np.float32(32767)) + tmin
    return out


def rpol(rx):
    b = np.ascontiguousarray(rx[:, :, 1, 0:2]).view(np.uint8)
    return b[..., :3].astype(np.float32) / np.float32(127) - np.float32(1)


def wavelength(rx, fdom):
    b = np.ascontiguousarray(rx[:, :, 1, 0:2]).view(np.uint8)
    low, rng = fdom[2, 0, 0], fdom[2, 0, 3]
    return b[..., 3].astype(np.float32) * (rng / np.float32(255)) + low


def prefix_mask(seqhis, code, k):
    m = np.uint64((1 << (4 * k)) - 1)
    return (seqhis & m) == np.uint64(code)


def anywhere(seqhis, nib):
    hit = np.zeros(seqhis.shape, bool)
    for i in range(16):
        hit |= ((seqhis >> np.uint64(4 * i)) & np.uint64(0xF)) == np.uint64(nib)
    return hit


def check(a_dir, b_dir):
    ph = load(a_dir, "ph")
    seqhis = np.asarray(ph[:, 0, 0])
    seqmat = np.asarray(ph[:, 0, 1])
    ox = load(a_dir, "ox")
    rx = load(a_dir, "rx")
    fdom = load(a_dir, "fdom")
    u, c = history_table(seqhis)
    mu, mc = history_table(seqmat)
    pflags = np.asarray(ox[:, 3, 3]).view(np.uint32)
    fu, fc = history_table(pflags)
    rp = rpost(rx, fdom)
    rl = rpol(rx)
    wl = wavelength(rx, fdom)
    sel = np.where(seqhis == 0x8CCD)[0]
    out = {
        "n": int(seqhis.shape[0]),
        "his": [[format(int(x), "x"), int(y)] for x, y in zip(u, c)],
        "mat": [[format(int(x), "x"), int(y)] for x, y in zip(mu, mc)],
        "flg": [[format(int(x), "x"), int(y)] for x, y in zip(fu, fc)],
        "rpost_sum": float(rp.astype(np.float64).sum()),
        "rpost_7": rp[7].astype(np.float64).ravel().tolist(),
        "rpol_7": rl[7].astype(np.float64).ravel().tolist(),
        "wl_7": wl[7].astype(np.float64).ravel().tolist(),
        "rpol_sum": float(rl.astype(np.float64).sum()),
        "sel_8ccd": sel.tolist(),
        "sel_8ccd_ox_sum": float(np.asarray(ox[sel]).astype(np.float64).sum()),
        "prefix_cd": int(prefix_mask(seqhis, 0xCD, 2).sum()),
        "prefix_cd_subset_wrong": int(((seqhis & np.uint64(0xCD)) == np.uint64(0xCD)).sum()),
        "anywhere_re": int(anywhere(seqhis, 5).sum()),
    }
    if b_dir:
        b_seqhis = np.asarray(load(b_dir, "ph")[:, 0, 0])
        mis = np.where(seqhis != b_seqhis)[0]
        ua = set(np.unique(seqhis).tolist())
        ub, cb = np.unique(b_seqhis, return_counts=True)
        out["misaligned"] = mis.tolist()
        out["b_only"] = [[format(int(x), "x"), int(y)] for x, y in zip(ub, cb) if int(x) not in ua]
    print(json.dumps(out))


def bench(a_dir):
    """Timings of the NumPy way at the event's size (best of 3 for the fast ones)."""
    res = {}
    ph = load(a_dir, "ph")
    seqhis = np.ascontiguousarray(ph[:, 0, 0])  # read once (page cache warm)

    def best(f, k=3):
        ts = []
        for _ in range(k):
            t0 = time.perf_counter()
            f()
            ts.append(time.perf_counter() - t0)
        return min(ts)

    res["history_table"] = best(lambda: history_table(seqhis))
    ox = load(a_dir, "ox")
    rx = load(a_dir, "rx")
    u, c = history_table(seqhis)
    code = u[5]  # a mid-sized history

    def sel_read():
        m = seqhis == code
        return np.asarray(ox[m]), np.asarray(rx[m])

    def sel_ox():
        m = seqhis == code
        return np.asarray(ox[m])

    res["selection_ox_rx"] = best(sel_read)
    res["selection_ox"] = best(sel_ox)
    fdom = np.asarray(load(a_dir, "fdom"))
    t0 = time.perf_counter()
    rpost(rx, fdom)
    res["rpost_all"] = time.perf_counter() - t0
    res["rpost_input_bytes"] = int(rx.shape[0] * rx.shape[1] * 16)
    res["n"] = int(seqhis.shape[0])
    res["numpy"] = np.__version__
    res["selection_code"] = format(int(code), "x")
    print(json.dumps(res))


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    elif len(sys.argv) == 3 and sys.argv[1] == "bench":
        bench(sys.argv[2])
    else:
        sys.exit(__doc__)
