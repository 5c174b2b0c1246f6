#!/usr/bin/env bash
# Download the service image's libraries as wheels into deploy/wheels/, for a build with no network.
#
#   scripts/fetch-service-wheels.sh BASE_IMAGE
#
# Inside `docker build` pip cannot reach the package index here (a TLS-intercepting proxy that
# only the host's CA bundle trusts; the legacy builder mounts nothing). So the wheels are
# resolved beforehand by the base image's own Python, in a container given the host's network
# and CA bundle: pip evaluates markers such as redis's `python_full_version < "3.11.3"` for the
# interpreter that will install them, which the host's Python (another 3.11) would not. The
# list is the one the Dockerfile reads too: pyproject.toml's dependencies and build requirements.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
base=${1:?usage: fetch-service-wheels.sh BASE_IMAGE}
ca=${AUTOGRADE_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
log() { printf '[fetch-service-wheels] %s\n' "$*" >&2; }
rm -f "$here"/deploy/wheels/*.whl  # a set for one pyproject.toml, never old versions beside new ones
docker run --rm --network host --user "$(id -u):$(id -g)" -e HOME=/tmp \
  -v "$ca:/etc/ssl/certs/ca-certificates.crt:ro" -e PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
  -v "$here/pyproject.toml:/src/pyproject.toml:ro" -v "$here/deploy/wheels:/wheels" \
  --entrypoint /bin/sh "$base" -c '
    set -e
    python3 -c "import tomllib; p = tomllib.load(open(\"/src/pyproject.toml\", \"rb\")); \
print(\"\\n\".join(p[\"project\"][\"dependencies\"] + p[\"build-system\"][\"requires\"]))" >/tmp/requirements.txt
    python3 -m venv /tmp/venv
    /tmp/venv/bin/pip download -q --disable-pip-version-check --only-binary=:all: -d /wheels -r /tmp/requirements.txt
  '
count=$(find "$here/deploy/wheels" -name '*.whl' | wc -l)
[ "$count" -gt 0 ] || { log "no wheels downloaded"; exit 1; }
log "$count wheels in deploy/wheels, resolved by $base's Python"
