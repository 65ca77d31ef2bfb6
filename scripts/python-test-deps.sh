#!/usr/bin/env bash
# Creates .venv at the package root with the Python packages the interop tests use
# (Tests/OrchardTensorTests/SafeTensorsPythonInteropTests.swift): pinned safetensors + numpy from PyPI.
# Idempotent: does nothing when the pinned versions are already importable.
# Tests find the interpreter via ORCHARD_PYTHON, default .venv/bin/python3.
set -euo pipefail
cd "$(dirname "$0")/.."

SAFETENSORS_VERSION=0.8.0
NUMPY_VERSION=2.4.6
PY="${PYTHON:-python3}"

if [ -x .venv/bin/python3 ] && .venv/bin/python3 - <<PYEOF 2>/dev/null
import safetensors, numpy, sys
sys.exit(0 if (safetensors.__version__, numpy.__version__) == ("$SAFETENSORS_VERSION", "$NUMPY_VERSION") else 1)
PYEOF
then
    echo "python test deps: .venv already has safetensors $SAFETENSORS_VERSION, numpy $NUMPY_VERSION"
    exit 0
fi

if [ ! -x .venv/bin/python3 ]; then
    if ! "$PY" -m venv .venv; then
        echo "python test deps: '$PY -m venv' failed; on Debian run: apt-get install -y python3-venv" >&2
        exit 1
    fi
fi
.venv/bin/python3 -m pip install --disable-pip-version-check --quiet \
    "safetensors==$SAFETENSORS_VERSION" "numpy==$NUMPY_VERSION"
.venv/bin/python3 -c 'import safetensors, numpy; print("python test deps: safetensors", safetensors.__version__, "numpy", numpy.__version__)'
