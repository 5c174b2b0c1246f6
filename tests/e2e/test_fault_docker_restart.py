"""Fault: the Docker engine restarts while a submission is being graded.

The engine is shared by everything on the machine, so this test restarts it only while it
holds ``/tmp/docker-engine.lock`` exclusively (every other test run here holds it shared).
It also waits until no container of anyone else runs (a benchmark may not take the lock).
It stops ``dockerd`` by the pid in its pidfile, as a service manager's restart would (SIGTERM:
the engine stops its containers and exits), starts it again the way provisioning does
(``scripts/provision-docker.sh``: same daemon.json, gVisor runtime included), waits for it,
and leaves it running; if it does not come back, the test fails loudly.

The grade that lost its sandbox must be retried and end with the learner's real score:
never a 0, never a "lost sandbox" flag.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis import Redis

from sandboxes.docker_sandbox import FLEET_LABEL
from service.settings import Settings
from store import Store
from tests.conftest import ROOT
from tests.e2e.faults import admin_session, gone, post_arrays, slow_notebook, stop_worker, wait_until
from tests.e2e.services import start_worker, wait_graded
from worker.outcomes import read_outcomes

pytestmark = [pytest.mark.docker, pytest.mark.redis, pytest.mark.slow]
ENGINE_LOCK = Path("/tmp/docker-engine.lock")
PIDFILE = Path("/var/run/docker.pid")
LOCK_WAIT = 1800.0  # other runs hold the lock shared for a whole suite run


def ancestors() -> set[int]:
    found, pid = set(), os.getpid()
    while pid > 1:
        found.add(pid)
        pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    return found


def held_by_us() -> str | None:
    """How this process or one of its ancestors (``flock -x ... pytest``) holds the lock, if it does."""
    inode = os.stat(ENGINE_LOCK).st_ino
    mine = ancestors()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if (
            len(fields) > 5
            and fields[1] == "FLOCK"
            and fields[5].endswith(f":{inode}")
            and int(fields[4]) in mine
        ):
            return "exclusive" if fields[3] == "WRITE" else "shared"
    return None


def foreign_containers(client: Any, ours: str) -> list[Any]:
    """Running containers that are not this test's: a restart would kill someone else's work."""
    return [
        c
        for c in client.containers.list(sparse=True)
        if (c.attrs.get("Labels") or {}).get(FLEET_LABEL) != ours
    ]


def engine_answers() -> bool:
    return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0


def start_engine() -> None:
    """The way set-up starts it; fails loudly if it does not come back."""
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "provision-docker.sh")], capture_output=True, timeout=300
    )
    assert done.returncode == 0 and engine_answers(), (
        f"the Docker engine did not come back: {done.stderr.decode()}"
    )


@pytest.fixture
def engine_to_ourselves() -> Iterator[None]:
    ENGINE_LOCK.touch(exist_ok=True)
    held = held_by_us()
    if held == "shared":
        pytest.fail(
            f"this run holds {ENGINE_LOCK} shared; run the engine-restart test under flock -x instead"
        )
    handle = None
    if held is None:
        handle = ENGINE_LOCK.open("a")
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail(f"{ENGINE_LOCK} stayed in use for {LOCK_WAIT:g} s")
                time.sleep(1)
    try:
        yield
    finally:
        if not engine_answers():
            start_engine()
        if handle is not None:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.replace(
        warm_pool_size=1, warm_pool_reserve=0, cell_timeout=30, worker_ttl=10, watch_interval=2
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_grade_cut_short_by_an_engine_restart_is_retried_and_scored_not_zeroed(
    engine_to_ourselves: None,
    settings: Settings,
    server: str,
    docker_client: Any,
    redis_conn: Redis,
    tmp_path: Path,
) -> None:
    admin = admin_session(settings)
    assignment = post_arrays(server, admin)
    store = Store.from_url(settings.database_url)
    worker = start_worker(settings, tmp_path / "worker.log", name="w")
    try:
        wait_until(
            lambda: not foreign_containers(docker_client, settings.deployment_id),
            LOCK_WAIT,
            "containers of other runs (which do not take the lock) to finish",
            every=2,
        )
        reply = admin.post(
            f"{server}/api/v1/assignments/{assignment['id']}/submissions",
            data={"learner": "alice"},
            files={"file": ("arrays.ipynb", slow_notebook(10))},
        )
        assert reply.status_code == 202, reply.text
        sid = reply.json()["id"]
        wait_until(lambda: store.get_submission(sid).status == "running", 180, "the worker to start grading")
        time.sleep(1)  # the learner's cell is running in the sandbox

        engine = int(PIDFILE.read_text())
        os.kill(engine, signal.SIGTERM)  # a restart, as a service manager does it
        wait_until(lambda: gone(engine), 120, "dockerd to stop")
        assert store.get_submission(sid).status != "graded", "the grade ended before the engine went away"
        start_engine()

        body = wait_graded(admin, f"{server}/api/v1/submissions/{sid}", timeout=300)
        assert body["status"] == "graded", body
        assert body["score"] == body["max_score"] == 9, body  # the learner's real score, not a 0
        assert not body["needs_review"] and not body["flags"], body
        assert len(store.report_history(sid)) == 1
        assert store.get_submission(sid).attempts >= 2
        assert read_outcomes(redis_conn, settings.queue_prefix)["infrastructure_retry"] >= 1
        assert worker.poll() is None, "the worker died with the engine"
    finally:
        stop_worker(worker)
        store.dispose()
