#!/usr/bin/env bash
# End-to-end benchmarks: the same work timed in evsh and in NumPy on the same machine in
# the same run, printed as a table of medians and ratios (evsh speed-up = NumPy time /
# evsh time). Data is generated once under $BENCH_DIR (default target/bench-data).
#   scripts/bench.sh [arrays|numpy]      RUNS=5 by default
# Other suites (events, compare, stats, h5) have their own scripts/bench_*.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --python
suite=${1:-arrays}
runs=${RUNS:-5}
dir=${BENCH_DIR:-target/bench-data}
mkdir -p "$dir"
cargo build --release --quiet
evsh=target/release/evsh
# A current NumPy is slowed by these; they are unset for the reference alone.
py() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 "$@"; }

case "$suite" in
arrays)
  if [ ! -f "$dir/big_2g.npy" ] || [ ! -f "$dir/f32_400m.npy" ]; then
    echo "bench: generating data in $dir" >&2
    py bench/arrays_ref.py "$dir" 1 --make
  fi
  if [ ! -f "$dir/idx_2m.npy" ]; then
    py bench/arrays_ref.py "$dir" 1 --make-idx
  fi
  # Warm the page cache for both sides.
  cat "$dir/f32_400m.npy" > /dev/null
  e=$("$evsh" run bench/arrays.rhai --set dir="$dir" --set runs="$runs")
  n=$(py bench/arrays_ref.py "$dir" "$runs")
  # Start-up: `evsh -c 1` wall time, median of 11 runs.
  st=()
  for _ in $(seq 11); do
    t0=$(date +%s%N); "$evsh" -c '1' > /dev/null; t1=$(date +%s%N)
    st+=($(( (t1 - t0) / 1000 )))
  done
  startup_us=$(printf '%s\n' "${st[@]}" | sort -n | sed -n 6p)
  python3 - "$e" "$n" "$startup_us" <<'PY'
import sys
ev = dict(l.split("\t") for l in sys.argv[1].strip().splitlines())
np_ = dict(l.split("\t") for l in sys.argv[2].strip().splitlines())
bytes_in = {"sum_f32": 4e8, "max_f32": 4e8, "mask_gt": 4e8, "count_gt": 4e8, "mean_axis0": 4e8}
# 20M float32 = 80 MB read per input array (bytes read, not written)
for k in ["astype_f64", "abs_sub", "sqrt_abs", "gt_20m", "count_gt_20m", "mean0_20m",
          "max0_20m", "sum_20m", "max_20m", "std_20m", "argmax_20m", "where_20m"]:
    bytes_in[k] = 8e7
bytes_in["mul_add"] = bytes_in["abs_sub"] = 1.6e8
print(f"{'task':<14}{'evsh s':>12}{'numpy s':>12}{'speed-up':>10}{'evsh GB/s':>11}")
for k, v in ev.items():
    e = float(v)
    n = float(np_[k]) if k in np_ else float("nan")
    gbs = f"{bytes_in[k] / e / 1e9:.1f}" if k in bytes_in else ""
    print(f"{k:<14}{e:>12.6f}{n:>12.6f}{n / e:>10.2f}{gbs:>11}")
if "load_2g_read" in np_:
    print(f"{'(numpy np.load of 2 GiB without mmap: ' + np_['load_2g_read'] + ' s)'}")
import math
sp = [float(np_[k]) / float(v) for k, v in ev.items() if k in np_ and k != "load_2g"]
print(f"geometric mean speed-up (without load_2g): {math.exp(sum(map(math.log, sp)) / len(sp)):.2f}")
print(f"start-up (evsh -c 1, median of 11): {int(sys.argv[3]) / 1000:.1f} ms")
PY
  ;;
numpy)
  # The NumPy-named functions (percentile, cumsum, sort along an axis, ...) on the data of
  # the arrays suite.
  if [ ! -f "$dir/f32_400m.npy" ]; then
    echo "bench: generating data in $dir" >&2
    py bench/arrays_ref.py "$dir" 1 --make
  fi
  cat "$dir/f32_400m.npy" > /dev/null
  e=$("$evsh" run bench/numpy_funcs.rhai --set dir="$dir" --set runs="$runs")
  n=$(py bench/numpy_funcs_ref.py "$dir" "$runs")
  python3 - "$e" "$n" <<'PY'
import math, sys
ev = dict(l.split("\t") for l in sys.argv[1].strip().splitlines())
np_ = dict(l.split("\t") for l in sys.argv[2].strip().splitlines())
print(f"{'task':<14}{'evsh ms':>10}{'numpy ms':>10}{'speed-up':>10}")
sp = []
for k, v in ev.items():
    e, n = float(v), float(np_[k])
    sp.append(n / e)
    print(f"{k:<14}{e * 1e3:>10.1f}{n * 1e3:>10.1f}{n / e:>10.2f}")
print(f"geometric mean speed-up: {math.exp(sum(map(math.log, sp)) / len(sp)):.2f}")
PY
  ;;
*)
  echo "bench: unknown suite '$suite' (arrays, numpy)" >&2
  exit 2
  ;;
esac
