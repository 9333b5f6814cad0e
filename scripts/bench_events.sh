#!/usr/bin/env bash
# Event benchmarks against the NumPy way of doing the same work (bench/events_ref.py):
# history table, one-history selection + reading ox (and ox+rx) through it, rpost
# decompression of every photon, and peak anonymous memory while building the history
# table. Usage: scripts/bench_events.sh [N] (default 10M); data in $BENCH_DIR
# (default /tmp/evsh-bench-events), generated once.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-10M}"
DIR="${BENCH_DIR:-/tmp/evsh-bench-events}/$N"
BIN="${CARGO_TARGET_DIR:-target}/release/evsh"
[ -x "$BIN" ] || cargo build --release --quiet
"$BIN" gen-event "$DIR" --n "$N" --seed 1 >/dev/null
A="$DIR/evt/demo/torch/1"
# Warm the page cache so both sides read from memory.
cat "$A"/*.npy > /dev/null

echo "== NumPy reference ($N photons)" >&2
PY=$(python3 bench/events_ref.py bench "$A")
echo "$PY" >&2
CODE=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['selection_code'])" "$PY")

echo "== evsh" >&2
# Like the NumPy side (best of 3 in one process over one memory map), each timing reuses
# one opened event whose pages are already mapped; every repeat builds new work: a new
# selection (empty caches) or, for the history table, the table of the full-range
# selection ":" (the full event caches its own table).
EV=$("$BIN" --set "p=$A" --set "code=$CODE" -c '
fn best(f) { let b = 1e9; for i in 0..3 { let t = f.call(); if t < b { b = t } } b }
let e = event(p);
let warm = e.his;
let his = best(|| { let t = timestamp(); let h = e.sel(":").his; t.elapsed });
let sel_ox = best(|| { let t = timestamp(); let s = e.sel(`${code}`); let x = s.ox; t.elapsed });
let sel_ox_rx = best(|| { let t = timestamp(); let s = e.sel(`${code}`); let x = s.ox; let r = s.rx; t.elapsed });
let t = timestamp(); let r = e.rpost; let rpost = t.elapsed;
let distinct = e.his.nrows;
`{"history_table": ${his}, "selection_ox": ${sel_ox}, "selection_ox_rx": ${sel_ox_rx}, "rpost_all": ${rpost}, "distinct": ${distinct}}`
')
echo "$EV" >&2

# Peak anonymous memory of a process that opens the event and builds the history table
# (sampled from /proc/PID/status RssAnon every few ms, minus the idle process).
peak_anon() {
  "$BIN" --set "p=$A" -c "$1" > /dev/null &
  local pid=$! peak=0 v
  while kill -0 "$pid" 2>/dev/null; do
    v=$(awk '/RssAnon/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ -n "$v" ] && [ "$v" -gt "$peak" ] && peak=$v
    sleep 0.002
  done
  wait "$pid" || true
  echo "$peak"
}
BASE=$(peak_anon 'let e = event(p); let t = timestamp(); while t.elapsed < 0.5 {} 0')
PEAK=$(peak_anon 'let e = event(p); let h = e.his; let t = timestamp(); while t.elapsed < 0.2 {} 0')

python3 - "$PY" "$EV" "$BASE" "$PEAK" <<'PYEOF'
import json, sys
py, ev = json.loads(sys.argv[1]), json.loads(sys.argv[2])
base, peak = int(sys.argv[3]), int(sys.argv[4])
n = py["n"]
print(f"events benchmark, {n:,} photons, NumPy {py['numpy']}, {ev['distinct']:,} distinct histories")
print(f"{'task':<34}{'NumPy s':>10}{'evsh s':>10}{'speedup':>9}")
for k, label in [("history_table", "history table"),
                 ("selection_ox", "one-history selection + ox"),
                 ("selection_ox_rx", "one-history selection + ox + rx"),
                 ("rpost_all", "rpost decompression (all)")]:
    print(f"{label:<34}{py[k]:>10.4f}{ev[k]:>10.4f}{py[k] / ev[k]:>8.1f}x")
gbs = py["rpost_input_bytes"] / ev["rpost_all"] / 1e9
print(f"rpost input throughput: {gbs:.2f} GB/s (NumPy {py['rpost_input_bytes'] / py['rpost_all'] / 1e9:.2f} GB/s)")
print(f"peak anonymous memory building the history table: {(peak - base) / 1024:.1f} MB above the idle process ({base / 1024:.1f} MB)")
PYEOF
