#!/usr/bin/env bash
# Benchmark the statistics kernels against the NumPy / scikit-learn / SciPy way of doing
# the same work on the same data (10M scores by default), and print the speed-ups.
#   scripts/bench_stats.sh [N] [DATA_DIR]
set -euo pipefail
N=${1:-10000000}
DIR=${2:-${TMPDIR:-/tmp}/evsh-bench-stats-$N}
cd "$(dirname "$0")/.."
if [ ! -f "$DIR/score.npy" ]; then
  echo "writing $N rows to $DIR ..."
  python3 bench/stats_ref.py "$DIR" --make --n "$N"
fi
cargo build --release --quiet --example bench_stats
BIN="${CARGO_TARGET_DIR:-target}/release/examples/bench_stats"
echo "evsh ..."
EV=$("$BIN" "$DIR" --repeat 5)
echo "NumPy / scikit-learn / SciPy ..."
PY=$(python3 bench/stats_ref.py "$DIR" --repeat 3)
python3 - "$EV" "$PY" <<'PYEOF'
import json, sys
ev, py = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"rows: {ev['n']:,}   evsh threads: {ev['threads']}")
rows = [("roc + 5 working points", "roc_wp", "roc_wp_numpy", "NumPy argsort+cumsum"),
        ("roc + 5 working points", "roc_wp", "roc_sklearn", "sklearn roc_curve+roc_auc_score"),
        ("hist, 100 bins", "hist", "hist_numpy", "np.histogram"),
        ("binned mean, 100 bins", "binned_mean", "binned_mean_scipy", "scipy binned_statistic")]
print(f"{'kernel':<26}{'evsh':>10}{'reference':>12}  {'speed-up':>9}  reference")
for name, e, p, what in rows:
    if p in py:
        print(f"{name:<26}{ev[e]*1e3:>8.1f}ms{py[p]*1e3:>10.1f}ms  {py[p]/ev[e]:>8.1f}×  {what}")
print(f"AUC evsh {ev['auc']:.9f}  NumPy {py['auc']:.9f}")
same = all(abs(a - b) < 1e-6 for a, b in zip(ev['wp_thresholds'], py['wp_thresholds']))
print("working-point thresholds agree" if same else f"THRESHOLDS DIFFER: {ev['wp_thresholds']} vs {py['wp_thresholds']}")
PYEOF
