#!/usr/bin/env bash
# Installs what a fresh Debian machine with only Rust and Python lacks: the HDF5 C library
# (for the hdf5 crate) and, with --python, the NumPy/h5py/SciPy/scikit-learn used by tests
# and benchmarks as independent references.
set -euo pipefail
need_apt=()
if ! pkg-config --exists hdf5 2>/dev/null && [ ! -e /usr/include/hdf5/serial/hdf5.h ] && [ ! -e /usr/include/hdf5.h ]; then
  need_apt+=(libhdf5-dev)
fi
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "deps: installing ${need_apt[*]} with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "deps: missing ${need_apt[*]}; run: sudo apt-get install -y ${need_apt[*]}" >&2
    exit 1
  fi
fi
if [ "${1:-}" = "--python" ]; then
  missing=$(python3 - <<'PY'
import importlib.util
mods = {"numpy": "numpy", "h5py": "h5py", "scipy": "scipy", "sklearn": "scikit-learn"}
print(" ".join(p for m, p in mods.items() if importlib.util.find_spec(m) is None))
PY
)
  if [ -n "$missing" ]; then
    echo "deps: pip installing $missing" >&2
    python3 -m pip install -q $missing
  fi
fi
