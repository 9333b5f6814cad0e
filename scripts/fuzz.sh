#!/usr/bin/env bash
# Long fuzz run of the parsers that take user input (.npy headers and Python literals,
# dtype strings, index strings, row slices, selection specs, LZF streams): the
# properties of tests/fuzz_parsers.rs with many more generated cases, in release.
#
#   scripts/fuzz.sh                 # 5,000,000 cases per parser, the fixed seed
#   scripts/fuzz.sh 20000000        # more cases
#   scripts/fuzz.sh 1000000 42      # another seed (any number): other inputs
#
# A failure names the parser, the case number and the input; rerun that case alone with
#   EVSH_FUZZ_SEED=<seed> EVSH_FUZZ_CASE=<case> cargo test --release --test fuzz_parsers
# (EVSH_FUZZ_TRACE=1 prints each case number first, to find one that aborts the process.)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_INCREMENTAL=0
export EVSH_FUZZ_CASES="${1:-5000000}"
if [ $# -ge 2 ]; then
    export EVSH_FUZZ_SEED="$2"
fi
echo "fuzz: ${EVSH_FUZZ_CASES} cases per parser, seed ${EVSH_FUZZ_SEED:-default}" >&2
exec cargo test --release --test fuzz_parsers -- --nocapture
