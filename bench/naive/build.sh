#!/usr/bin/env bash
# Build autograde-bench-naive:latest (the sandbox image plus nbclient) with no registry:
# wheels are downloaded on the host into the same cache the sandbox image uses.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
py=${PYTHON:-python3}
wheel_cache=${AUTOGRADE_WHEEL_CACHE:-$HOME/.cache/autograde-wheels}
ctx=$(mktemp -d /tmp/autograde-naive.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$wheel_cache" "$ctx/wheels"
"$py" -m pip download -q --disable-pip-version-check --python-version 3.11 \
  --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 \
  --only-binary=:all: -d "$wheel_cache" nbclient nbformat 2>&1 | grep -v 'is ignored' >&2 || true
cp "$wheel_cache"/*.whl "$ctx/wheels/"
cp "$here/Dockerfile" "$ctx/"
docker build -q -t autograde-bench-naive:latest "$ctx" >/dev/null
echo "[bench] built autograde-bench-naive:latest" >&2
