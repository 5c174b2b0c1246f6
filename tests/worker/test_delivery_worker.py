"""A worker that only delivers results (``--queues callbacks``) starts no sandbox, so it needs no Docker engine.

The compose file's delivery worker has no engine socket: it stopped at start with "no Docker
engine reachable", because every worker reaped orphaned sandboxes first.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from store import Store
from tests.conftest import REDIS_URL, ROOT

pytestmark = pytest.mark.redis


def test_a_delivery_worker_starts_and_serves_without_a_docker_engine(
    tmp_path: Path, redis_conn: object
) -> None:
    store = Store.from_url(f"sqlite:///{tmp_path / 'autograde.db'}")
    store.migrate()
    store.dispose()
    environ = {
        key: value for key, value in os.environ.items() if not key.startswith(("AUTOGRADE_", "DOCKER_"))
    }
    environ.update(
        AUTOGRADE_DATA_DIR=str(tmp_path),
        AUTOGRADE_REDIS_URL=REDIS_URL,
        AUTOGRADE_QUEUE_PREFIX="delivery-test",
        DOCKER_HOST=f"unix://{tmp_path / 'no-engine.sock'}",
    )
    done = subprocess.run(
        [sys.executable, "-m", "autograde", "worker", "--queues", "callbacks", "--burst"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Docker" not in done.stderr
