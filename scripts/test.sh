#!/usr/bin/env bash
# The full test suite: install what is missing (HDF5 library, Python references), then
# unit, integration and conformance tests, formatting and lints.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --python
cargo fmt --all -- --check
cargo clippy --all-targets --quiet -- -D warnings
cargo build --release --quiet
cargo test --quiet 2>&1
