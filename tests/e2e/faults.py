"""Injecting real faults: service processes the test starts, kills by pid and starts again.

Nothing here touches what other test runs share (the Redis at 6379, the PostgreSQL server,
other workers): a test gets its own redis-server, its own TCP path to PostgreSQL and its own
workers, and kills only those, by pid.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import docker
import requests

from sandboxes.docker_sandbox import WORKER_LABEL
from service.settings import Settings
from store import DeliveryRecord, Store
from tests.conftest import EXAMPLES

T = TypeVar("T")
REDIS_SERVER = "/usr/bin/redis-server"
PROXY = Path(__file__).with_name("tcp_proxy.py")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(check: Callable[[], T | None], timeout: float, what: str, every: float = 0.2) -> T:
    """Poll ``check`` until it returns something truthy; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def wait_outbox_settled(
    store: Store, submission_ids: Iterable[str], timeout: float
) -> dict[str, list[DeliveryRecord]]:
    """Each submission's deliveries, once every one has been written and none is still pending.

    Pending covers a delivery due, leased to a sender (in flight) or waiting for a retry. A
    delivery is marked delivered only after its POST was answered, and a second sender may
    claim it only when the first one's lease (the HTTP timeout and 30 s) has ended: once none
    is pending, no further POST of these results is on its way (short of a sender stalled
    past its lease between claiming and sending).
    """
    ids = list(submission_ids)

    def settled() -> dict[str, list[DeliveryRecord]] | None:
        found = {sid: store.list_deliveries(submission_id=sid) for sid in ids}
        if all(found.values()) and not any(d.status == "pending" for ds in found.values() for d in ds):
            return found
        return None

    return wait_until(settled, timeout, "the outbox to hold no pending delivery of these submissions")


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


class ServerProcess:
    """One listening process on a fixed loopback port: killed with SIGKILL, started again on that port."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(self.command(), stdout=out, stderr=subprocess.STDOUT)
        wait_until(lambda: port_open(self.port), 20, f"{self.command()[0]} on port {self.port}")

    def kill(self) -> None:
        """SIGKILL by pid: no goodbye to clients, nothing flushed."""
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None
        wait_until(lambda: not port_open(self.port), 10, f"port {self.port} to close")


class RedisServer(ServerProcess):
    """A private redis-server that keeps nothing on disk, so a restart starts it empty."""

    def command(self) -> list[str]:
        return [
            REDIS_SERVER,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


class TcpProxy(ServerProcess):
    """The service's only path to a database server (``tcp_proxy.py``)."""

    def __init__(self, log: Path, target_port: int) -> None:
        super().__init__(log)
        self.target_port = target_port

    def command(self) -> list[str]:
        return [sys.executable, str(PROXY), "--port", str(self.port), "--target-port", str(self.target_port)]


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (RQ's scheduler is a forked child of the worker)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def gone(pid: int) -> bool:
    """Dead: no such process, or a zombie nobody has reaped yet (its parent was killed first)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def kill_worker(process: subprocess.Popen[bytes]) -> list[int]:
    """``kill -9`` a worker we started, and then its children by pid (RQ's scheduler, a work horse)."""
    below = descendants(process.pid)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    for pid in below:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return below


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    """A warm shutdown (SIGTERM, as RQ expects); SIGKILL if it does not end."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            kill_worker(process)


def slow_notebook(seconds: float) -> bytes:
    """Alice's correct ``arrays`` notebook (full marks) whose first answer sleeps first: a grade in progress."""
    notebook = json.loads((EXAMPLES / "submissions" / "alice" / "arrays.ipynb").read_text())
    for cell in notebook["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "normalise":
            source = "".join(cell["source"])
            cell["source"] = f"import time\ntime.sleep({seconds})\n{source}"
    return json.dumps(notebook).encode()


def sandboxes_of(client: docker.DockerClient, worker_name: str) -> list[Any]:
    """Containers (running or not) of one worker: warm ones carry no submission label, only their worker's."""
    return list(client.containers.list(all=True, filters={"label": f"{WORKER_LABEL}={worker_name}"}))


def worker_log_tail(log: Path, chars: int = 3000) -> str:
    return log.read_text(errors="replace")[-chars:] if log.exists() else "(no log)"


def admin_session(settings: Settings) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {settings.admin_token}"
    return session


def post_arrays(server: str, admin: requests.Session, course: str = "c") -> dict[str, Any]:
    """The example course's ``arrays`` assignment, uploaded by the admin."""
    source = EXAMPLES / "assignments" / "arrays" / "arrays.ipynb"
    reply = admin.post(
        f"{server}/api/v1/assignments",
        data={"course": course, "name": "arrays"},
        files={"file": ("arrays.ipynb", source.read_bytes())},
    )
    assert reply.status_code == 201, reply.text
    return dict(reply.json())
