#!/usr/bin/env bash
# Creates .venv at the package root with the Python packages the tests use, pinned, from PyPI:
# safetensors + numpy for the interop tests (Tests/OrchardTensorTests/SafeTensorsPythonInteropTests.swift) and
# Selenium for the dashboard's browser test (Tests/EndToEndTests/DashboardBrowserTests.swift, which drives Debian's
# chromium through chromium-driver; both come from the Makefile's apt packages, never from Selenium Manager).
# Idempotent: does nothing when the pinned versions are already importable.
# Tests find the interpreter via ORCHARD_PYTHON, default .venv/bin/python3.
set -euo pipefail
cd "$(dirname "$0")/.."

SAFETENSORS_VERSION=0.8.0
NUMPY_VERSION=2.4.6
SELENIUM_VERSION=4.50.0
PY="${PYTHON:-python3}"

if [ -x .venv/bin/python3 ] && .venv/bin/python3 - <<PYEOF 2>/dev/null
import safetensors, numpy, selenium, sys
sys.exit(0 if (safetensors.__version__, numpy.__version__, selenium.__version__)
         == ("$SAFETENSORS_VERSION", "$NUMPY_VERSION", "$SELENIUM_VERSION") else 1)
PYEOF
then
    echo "python test deps: .venv already has safetensors $SAFETENSORS_VERSION, numpy $NUMPY_VERSION, selenium $SELENIUM_VERSION"
    exit 0
fi

if [ ! -x .venv/bin/python3 ]; then
    if ! "$PY" -m venv .venv; then
        echo "python test deps: '$PY -m venv' failed; on Debian run: apt-get install -y python3-venv" >&2
        exit 1
    fi
fi
.venv/bin/python3 -m pip install --disable-pip-version-check --quiet \
    "safetensors==$SAFETENSORS_VERSION" "numpy==$NUMPY_VERSION" "selenium==$SELENIUM_VERSION"
.venv/bin/python3 -c 'import safetensors, numpy, selenium
print("python test deps: safetensors", safetensors.__version__, "numpy", numpy.__version__, "selenium", selenium.__version__)'
