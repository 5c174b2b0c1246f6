#!/usr/bin/env bash
# One command for the grading-speed benchmark: set up (venv, Docker engine, gVisor, sandbox
# image, Redis), add the bench extras and the naive baseline's image, then run bench.speed
# with any arguments given (default: 30 submissions, runc and runsc).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash scripts/setup.sh
.venv/bin/pip install -q --disable-pip-version-check -e ".[bench]" 2>&1 | grep -v 'is ignored' >&2 || true
PYTHON=.venv/bin/python bash bench/naive/build.sh
exec .venv/bin/python -m bench.speed "$@"
