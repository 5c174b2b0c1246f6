#!/usr/bin/env bash
# Make sure a Docker engine (with runc and gVisor's runsc registered) is running on this host.
# Idempotent: does nothing that is already done. Needs root for the install steps.
set -euo pipefail

log() { printf '[provision-docker] %s\n' "$*" >&2; }

need_install=()
command -v dockerd >/dev/null 2>&1 || need_install+=(docker.io)
command -v runsc >/dev/null 2>&1 || need_install+=(runsc)
command -v debootstrap >/dev/null 2>&1 || need_install+=(debootstrap)
if ((${#need_install[@]})); then
  log "installing ${need_install[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_install[@]}" >/dev/null
fi

# Register gVisor as a runtime; networking off is the only mode runsc accepts here.
daemon_json=/etc/docker/daemon.json
want='{"runtimes": {"runsc": {"path": "/usr/bin/runsc", "runtimeArgs": ["--network=none"]}}}'
mkdir -p /etc/docker
if ! grep -q runsc "$daemon_json" 2>/dev/null; then
  log "registering runsc in $daemon_json"
  printf '%s\n' "$want" >"$daemon_json"
  if [ -f /var/run/docker.pid ] && kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    kill -HUP "$(cat /var/run/docker.pid)"
    sleep 1
  fi
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  setsid dockerd >/var/log/dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
fi
docker info >/dev/null 2>&1 || { log "dockerd did not come up; see /var/log/dockerd.log"; exit 1; }
log "docker engine ready ($(docker version --format '{{.Server.Version}}'))"
