#!/usr/bin/env python3
"""h5py reading a gzip-chunked dataset fully into memory (the reference for evsh's
parallel chunk reader). usage: h5_read_ref.py big.h5"""
import sys, time, h5py

t0 = time.perf_counter()
with h5py.File(sys.argv[1], "r") as f:
    a = f["data"][...]
secs = time.perf_counter() - t0
print(f"h5py full read: {a.nbytes / 1e6:.0f} MB in {secs:.2f} s = {a.nbytes / 1e6 / secs:.0f} MB/s, sum {float(a.sum(dtype='f8')):.6g}")
