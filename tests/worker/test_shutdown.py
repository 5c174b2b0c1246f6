"""A stopped worker leaves nothing running: no RQ scheduler holding its queues' locks in Redis."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from autograde.demo import Services, spawn
from tests.conftest import REDIS_URL, ROOT
from worker.run import keep_scheduler


def alive(pid: int) -> bool:
    """Running, not a zombie left for an init that does not reap."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def processes_named(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and entry.name != str(os.getpid()):
            try:
                if marker.encode() in (entry / "cmdline").read_bytes() and alive(int(entry.name)):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_stopping_services_ends_what_they_started_even_when_they_ignore_sigterm(tmp_path: Path) -> None:
    """As a worker killed at the timeout would leave its scheduler: here a child that ignores SIGTERM."""
    script = (
        "import os, signal, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "child = os.fork()\n"
        "if child:\n"
        "    print(child, flush=True)\n"
        "time.sleep(300)\n"
    )
    log = tmp_path / "service.log"
    process = spawn([sys.executable, "-c", script], dict(os.environ), log)
    deadline = time.monotonic() + 10
    while not log.read_text().strip() and time.monotonic() < deadline:
        time.sleep(0.05)
    child = int(log.read_text().split()[0])
    assert alive(child)
    Services([process]).stop(timeout=1)
    deadline = time.monotonic() + 5
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child), "the service's child outlived the service"


def test_the_watchdog_does_not_restart_a_scheduler_once_the_worker_is_stopping() -> None:
    calls: list[Any] = []
    scheduler = SimpleNamespace(_process=None, acquire_locks=lambda **kw: calls.append(kw))
    stopping = SimpleNamespace(_stop_requested=True, scheduler=scheduler)
    keep_scheduler(stopping)  # type: ignore[arg-type]
    assert calls == []
    serving = SimpleNamespace(_stop_requested=False, scheduler=scheduler)
    keep_scheduler(serving)  # type: ignore[arg-type]
    assert calls == [{"auto_start": True}]


@pytest.mark.redis
@pytest.mark.docker
def test_a_worker_stopped_with_sigterm_leaves_no_process_behind(tmp_path: Path) -> None:
    name = f"shutdown-{secrets.token_hex(4)}"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "AUTOGRADE_REDIS_URL": REDIS_URL,
        "AUTOGRADE_QUEUE_PREFIX": name,
        "AUTOGRADE_DATA_DIR": str(tmp_path),
        "AUTOGRADE_WARM_POOL_SIZE": "0",
        "AUTOGRADE_WATCH_INTERVAL": "0.2",  # passes as often as possible, to meet the shutdown
    }
    subprocess.run([sys.executable, "-m", "autograde", "migrate"], env=env, check=True, capture_output=True)
    worker = subprocess.Popen(
        [sys.executable, "-m", "autograde", "worker", "--name", name],
        env=env,
        stdout=(tmp_path / "worker.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while len(processes_named(name)) < 2 and time.monotonic() < deadline:  # the worker and its scheduler
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            time.sleep(0.1)
        assert len(processes_named(name)) >= 2, "the worker's scheduler never started"
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0, (tmp_path / "worker.log").read_text()
        deadline = time.monotonic() + 10
        while processes_named(name) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert processes_named(name) == []
    finally:
        for pid in processes_named(name):
            os.kill(pid, signal.SIGKILL)
