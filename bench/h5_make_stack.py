#!/usr/bin/env python3
"""Write the benchmark inputs: a gzip-chunked (T,H,W,3) uint8 frame stack (napari-style,
one chunk per frame, smooth moving content plus noise so it compresses like real video) and
a gzip-chunked float32 dataset of about SIZE_MB megabytes.

usage: h5_make_stack.py OUT_DIR [T] [H] [W] [SIZE_MB]
"""
import sys, numpy as np, h5py

out = sys.argv[1]
T = int(sys.argv[2]) if len(sys.argv) > 2 else 200
H = int(sys.argv[3]) if len(sys.argv) > 3 else 1024
W = int(sys.argv[4]) if len(sys.argv) > 4 else 1224
size_mb = int(sys.argv[5]) if len(sys.argv) > 5 else 1024
rng = np.random.default_rng(1)
yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
with h5py.File(f"{out}/stack.h5", "w") as f:
    d = f.create_dataset("frames", (T, H, W, 3), np.uint8, chunks=(1, H, W, 3), compression="gzip")
    for t in range(T):
        base = 128 + 60 * np.sin(xx / 40.0 + t / 10.0) + 50 * np.cos(yy / 30.0 - t / 15.0)
        fr = np.empty((H, W, 3), np.uint8)
        for c in range(3):
            fr[..., c] = np.clip(base + 20 * c + rng.normal(0, 6, (H, W)), 0, 255)
        d[t] = fr
n = size_mb * (1 << 20) // 4
rows = n // 1024
with h5py.File(f"{out}/big.h5", "w") as f:
    d = f.create_dataset("data", (rows, 1024), np.float32, chunks=(256, 1024), compression="gzip")
    step = 16384
    for r in range(0, rows, step):
        k = min(step, rows - r)
        v = (np.sin(np.arange(r, r + k)[:, None] / 100.0 + np.arange(1024)[None] / 50.0)
             + rng.normal(0, 0.01, (k, 1024))).astype(np.float32)
        v = np.round(v, 3)  # compressible like real measurements
        d[r:r + k] = v
print(f"wrote {out}/stack.h5 ({T}x{H}x{W}x3) and {out}/big.h5 ({rows}x1024 float32)")
