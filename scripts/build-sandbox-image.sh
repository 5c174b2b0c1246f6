#!/usr/bin/env bash
# Build the sandbox image that every submission runs in.
#
# With a registry (a normal machine) the base is the official Python image. With none (these
# build machines), a Debian base is made once with debootstrap and imported. Python wheels
# are downloaded on the host, where pip trusts the registry proxy, and installed offline in
# the build, so the image never needs network or certificates.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
image=${AUTOGRADE_SANDBOX_IMAGE:-autograde-sandbox:latest}
base=${AUTOGRADE_SANDBOX_BASE:-}
py=${PYTHON:-python3}
# the pinned list by default (every host builds the same image); scripts/lock-sandbox-image.sh
# builds from the loose one to re-pin it
requirements=${AUTOGRADE_SANDBOX_REQUIREMENTS:-requirements.lock}
log() { printf '[build-sandbox-image] %s\n' "$*" >&2; }

if [ -z "$base" ]; then
  if docker image inspect python:3.11-slim >/dev/null 2>&1 || docker pull -q python:3.11-slim >/dev/null 2>&1; then
    base=python:3.11-slim
  else
    base=autograde-base:bookworm
    if ! docker image inspect "$base" >/dev/null 2>&1; then
      log "no registry: making $base with debootstrap (about a minute)"
      rootfs=$(mktemp -d /tmp/autograde-rootfs.XXXXXX)
      debootstrap --variant=minbase --include=python3,python3-venv,tini bookworm "$rootfs" >/tmp/debootstrap.log 2>&1 \
        || { log "debootstrap failed; see /tmp/debootstrap.log"; exit 1; }
      tar -C "$rootfs" -c . | docker import - "$base" >/dev/null
      rm -rf "$rootfs"
    fi
  fi
fi

ctx=$(mktemp -d /tmp/autograde-image.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
cp -r "$here/sandboxes/image/." "$ctx/"
mkdir -p "$ctx/agent"
cp "$here"/sandboxes/agent/*.py "$ctx/agent/"
wheel_cache=${AUTOGRADE_WHEEL_CACHE:-$HOME/.cache/autograde-wheels}
mkdir -p "$wheel_cache"
log "downloading wheels for the sandbox (cached in $wheel_cache)"
"$py" -m pip download -q --disable-pip-version-check --python-version 3.11 \
  --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 \
  --only-binary=:all: -d "$wheel_cache" -r "$here/sandboxes/image/$requirements" 2>&1 | grep -v 'is ignored' >&2 || true
mkdir -p "$ctx/wheels"
cp "$wheel_cache"/*.whl "$ctx/wheels/"
# The environment digest (sandboxes/environment.py) goes on the image as a label: workers refuse
# an image without their own, since image ids differ between hosts that build alike.
if [ "$requirements" = requirements.lock ]; then
  environment=$(cd "$here" && "$py" -m sandboxes.environment)
else
  environment=unpinned  # built from the loose list to re-pin it: no worker will grade on it
fi
log "building $image from $base (environment $environment)"
docker build -q --build-arg BASE_IMAGE="$base" --build-arg REQUIREMENTS="$requirements" \
  --label "autograde.environment=$environment" -t "$image" "$ctx" >/dev/null
log "built $image ($(docker image inspect --format '{{.Id}}' "$image"))"
