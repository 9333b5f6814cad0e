#!/usr/bin/env bash
# The full test suite: install what is missing (HDF5 library, Python references), then
# unit, integration and conformance tests, formatting and lints.
set -euo pipefail
cd "$(dirname "$0")/.."
# One-shot builds: incremental caches would only take disk (several GB for this crate).
export CARGO_INCREMENTAL=0
scripts/deps.sh --python
cargo fmt --all -- --check
cargo clippy --all-targets --quiet -- -D warnings
cargo build --release --quiet
EVSH_REQUIRE_REFS=1 cargo test --quiet 2>&1
