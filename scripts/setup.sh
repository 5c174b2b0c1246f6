#!/usr/bin/env bash
# Everything the demo and the tests need on a fresh machine of this kind, idempotently:
# a Python venv with the project, a running Docker engine (with gVisor), the sandbox image,
# the local Redis, Debian's Chromium for the browser tests, libfaketime for the many-hosts test and
# docker-compose for the compose test. Called by scripts/demo.sh and scripts/test.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
log() { printf '[setup] %s\n' "$*" >&2; }

if [ ! -x .venv/bin/python ]; then
  log "creating .venv"
  python3 -m venv .venv
fi
log "installing the project into .venv"
.venv/bin/pip install -q --disable-pip-version-check -e ".[test]" 2>&1 | grep -v 'is ignored' >&2 || true
.venv/bin/python -c "import autograde, nbgrader, rq, docker" || { log "install failed"; exit 1; }
# A virtualenv made before jsonschema was pinned below 4.25 still holds rfc3987-syntax, which nothing
# needs now and which costs every process that loads nbformat 2.6 s (tests/test_layers.py checks).
.venv/bin/pip uninstall -y -q rfc3987-syntax 2>/dev/null || true

if ! docker info >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    bash scripts/provision-docker.sh
  else
    log "no Docker engine and not root: start one (sudo scripts/provision-docker.sh)"; exit 1
  fi
fi
PYTHON=.venv/bin/python bash scripts/build-sandbox-image.sh

if ! .venv/bin/python -c "import redis; redis.Redis(socket_connect_timeout=2).ping()" 2>/dev/null; then
  if command -v redis-server >/dev/null; then
    log "starting redis-server on 127.0.0.1:6379"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
    sleep 1
  else
    log "no Redis at 127.0.0.1:6379 and no redis-server to start"; exit 1
  fi
fi
# A Debian package some tests need, installed when missing (as root; otherwise say how).
apt_install() {  # package, which tests need it
  if [ "$(id -u)" = 0 ]; then
    log "installing $1 for $2"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >/dev/null; }
  else
    log "no $1 and not root: sudo apt-get install -y $1 (for $2)"; exit 1
  fi
}
# The browser tests drive the system Chromium: Playwright's own browser download is not used.
chromium=${AUTOGRADE_TEST_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || apt_install chromium "the browser tests"
# The many-hosts test (tests/e2e/test_many_hosts.py) runs one worker with its clock 10 minutes fast.
dpkg -s libfaketime >/dev/null 2>&1 || apt_install libfaketime "the many-hosts test"
# The compose test (tests/deploy/test_compose_up.py) runs docker-compose.yml with Debian's docker-compose (v1).
command -v docker-compose >/dev/null || apt_install docker-compose "the compose test"
log "ready"
