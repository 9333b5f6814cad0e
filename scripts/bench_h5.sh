#!/usr/bin/env bash
# HDF5 benchmarks: evsh vs the h5py + NumPy way of the same work (bench/h5_*_ref.py).
#  1. gray + normalized + 6-ROI activity over a gzip-chunked (T,H,W,3) uint8 stack
#  2. reading a gzip-chunked float32 dataset fully
# usage: scripts/bench_h5.sh [T] [H] [W] [SIZE_MB]   (defaults: 200 1024 1224 1024)
# Inputs are generated once into $BENCH_DIR (default target/bench_h5).
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-200}; H=${2:-1024}; W=${3:-1224}; MB=${4:-1024}
DIR=${BENCH_DIR:-target/bench_h5}/${T}x${H}x${W}_${MB}
mkdir -p "$DIR"
if [ ! -f "$DIR/big.h5" ]; then
  python3 bench/h5_make_stack.py "$DIR" "$T" "$H" "$W" "$MB"
fi
cargo build --release --quiet
EVSH=${CARGO_TARGET_DIR:-target}/release/evsh
echo "== inputs: $(du -h "$DIR/stack.h5" | cut -f1) stack ($T frames of ${H}x${W}x3), $(du -h "$DIR/big.h5" | cut -f1) gzip float32"
# warm the page cache so both sides read from memory
cat "$DIR/stack.h5" "$DIR/big.h5" > /dev/null
echo "== h5py + NumPy: activity (gray + normalized + 6 ROIs), then full read"
python3 bench/h5_activity_ref.py "$DIR/stack.h5"
python3 bench/h5_read_ref.py "$DIR/big.h5"
echo "== evsh: the same"
"$EVSH" run bench/h5_bench.rhai --set dir="$DIR"
