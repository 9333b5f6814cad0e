#!/usr/bin/env python3
"""The h5py + NumPy way of the timelapse analysis: read the gzip-chunked (T,H,W,3) stack
in blocks of frames, convert to gray (ITU-R 601, OpenCV-style integer rounding), normalize
to [0,1] and sum |f[t+1] - f[t]| inside 6 circular ROIs, keeping the last frame of each
block so no pair is lost. Prints frames/s and the first activity values.

usage: h5_activity_ref.py stack.h5 [block]
"""
import sys, time, numpy as np, h5py

path = sys.argv[1]
block = int(sys.argv[2]) if len(sys.argv) > 2 else 16
t0 = time.perf_counter()
with h5py.File(path, "r") as f:
    d = f["frames"]
    T, H, W, _ = d.shape
    yy, xx = np.mgrid[0:H, 0:W]
    rois = [(W * (i + 1) / 7, H / 2 + (i % 2) * H / 5, 60.0) for i in range(6)]
    masks = [(xx - x) ** 2 + (yy - y) ** 2 <= r * r for (x, y, r) in rois]
    act = np.zeros((T - 1, 6))
    prev = None
    for s in range(0, T, block):
        a = d[s:s + block].astype(np.int32)
        g = ((a[..., 0] * 4899 + a[..., 1] * 9617 + a[..., 2] * 1868 + 8192) >> 14).astype(np.float32) / 255.0
        if prev is not None:
            g = np.concatenate([prev[None], g])
            first = s - 1
        else:
            first = s
        diff = np.abs(np.diff(g, axis=0))
        for k, m in enumerate(masks):
            act[first:first + diff.shape[0], k] = diff[:, m].sum(axis=1)
        prev = g[-1]
secs = time.perf_counter() - t0
print(f"h5py+numpy activity: {T} frames in {secs:.2f} s = {T / secs:.1f} frames/s")
print("first:", act[0].round(4).tolist())
