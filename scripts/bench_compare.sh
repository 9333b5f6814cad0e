#!/usr/bin/env bash
# Benchmark of the A/B comparison (issue 4) against the NumPy way of doing the same work
# (bench/compare_ref.py): history chi-square table, alignment, and the three deviation
# tables, on a generated pair of N photons (default 10M). Prints both timings, the
# ratios, and evsh's peak resident memory.
#
#   scripts/bench_compare.sh [N] [DIR]      (DIR default: $CARGO_TARGET_DIR or target, /bench)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000000}
T=${CARGO_TARGET_DIR:-target}
DIR=${2:-$T/bench/compare-$N}
cargo build --release --quiet
EVSH=$T/release/evsh
mkdir -p "$DIR"
echo "== generating (or reusing) a pair of $N photons in $DIR"
$EVSH gen-event "$DIR" --n "$N" --seed 1 >/dev/null
A=$DIR/evt/demo/torch/1
B=$DIR/evt/demo/torch/-1

cat > "$DIR/bench.rhai" <<'EOF'
let t = timestamp();
let ab = compare(event(A), event(B));
let h = ab.his;
let his_s = t.elapsed;
let t = timestamp();
let k = ab.migrations;
let align_s = t.elapsed;
let t = timestamp();
let r1 = ab.dv("rpost");
let rpost_s = t.elapsed;
let t = timestamp();
let r2 = ab.dv("rpol");
let rpol_s = t.elapsed;
let t = timestamp();
let r3 = ab.dv("ox");
let ox_s = t.elapsed;
let t = timestamp();
let h2 = compare(event(A), event(B)).his;
let his_warm_s = t.elapsed;
print(`{"his": ${his_s}, "his_again": ${his_warm_s}, "align": ${align_s}, "rpost": ${rpost_s}, "rpol": ${rpol_s}, "ox": ${ox_s}, "dv_all": ${rpost_s + rpol_s + ox_s}, "union_rows": ${h.nrows}, "rc": ${ab.rc}}`);
EOF
echo "== evsh"
EV=$( /usr/bin/time -f "%M" -o "$DIR/evsh.maxrss" $EVSH run "$DIR/bench.rhai" --set A="$A" --set B="$B" )
echo "$EV"
echo "   peak RSS $(( $(cat "$DIR/evsh.maxrss") / 1024 )) MB (mapped input pages included)"
echo "== NumPy reference"
NP=$( /usr/bin/time -f "%M" -o "$DIR/numpy.maxrss" python3 bench/compare_ref.py bench "$A" "$B" )
echo "$NP"
echo "   peak RSS $(( $(cat "$DIR/numpy.maxrss") / 1024 )) MB"
python3 - "$EV" "$NP" <<'EOF'
import json, sys
e, n = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("== ratios (NumPy time / evsh time)")
for k in ["his", "align", "rpost", "rpol", "ox", "dv_all"]:
    print(f"  {k:7s} numpy {n[k]:8.3f} s   evsh {e[k]:8.3f} s   x{n[k] / max(e[k], 1e-9):7.1f}")
print(f"  union rows {e['union_rows']}, rc {e['rc']}")
EOF
