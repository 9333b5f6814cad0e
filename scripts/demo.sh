#!/usr/bin/env bash
# The main job: install what is missing, build evsh (release) and run the demo analysis on
# generated data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cargo build --release
exec target/release/evsh demo "$@"
