"""(c) This service end to end: `autograde serve`, real RQ workers, Redis, SQLite, Docker, over HTTP.

Each configuration (runtime, warm pool on or off) gets fresh processes, a fresh database and
its own queue names. Two phases:

- **latency**: submissions one at a time, each after the previous is stored and (with the
  pool) after the pool is full again: the service is not saturated. Latency is the server's
  own ``graded_at - received_at``; overhead is that minus the cells' execution time that
  the sandbox's agent measured (kept in the report's provenance).
- **throughput**: all N submissions posted at once; graded per minute is N over the span
  from the first receipt to the last stored grade, both as the server recorded them.

``priority_under_backlog`` measures issue 4's third goal: with a backlog of assignment
submissions queued, how long a submission on the exams queue takes, against the same
measurement on the idle service.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from redis import Redis

from autograde.demo import Services, spawn
from bench.sampling import PeakSampler
from bench.workload import CELL_TIMEOUT, ROOT, SOURCE, Outcome
from store import Store
from worker.queues import RQEnqueuer
from worker.run import pool_status_key

READY_TIMEOUT = 180.0
GRADE_TIMEOUT = 900.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Service:
    """A running web app and workers, and the handles a benchmark needs to drive them."""

    def __init__(
        self,
        runtime: str,
        pool_size: int,
        workers: int,
        redis_url: str,
        exam_lane: bool = False,
        exam_yield: bool = True,
    ) -> None:
        self.runtime, self.pool_size, self.workers = runtime, pool_size, workers
        self.redis_url = redis_url
        self.data_dir = Path(tempfile.mkdtemp(prefix="bench-service-"))
        self.token = secrets.token_urlsafe(24)
        self.prefix = f"bench-{secrets.token_hex(4)}"
        self.names = [f"{self.prefix}-w{i}" for i in range(workers)]
        self.lane = [f"{self.prefix}-exams"] if exam_lane else []
        self.base = f"http://127.0.0.1:{free_port()}"
        self.env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
            ),  # this checkout
            "AUTOGRADE_DATA_DIR": str(self.data_dir),
            "AUTOGRADE_DATABASE_URL": f"sqlite:///{self.data_dir / 'autograde.db'}",
            "AUTOGRADE_REDIS_URL": redis_url,
            "AUTOGRADE_QUEUE_PREFIX": self.prefix,
            "AUTOGRADE_ADMIN_TOKEN": self.token,
            "AUTOGRADE_SANDBOX_RUNTIME": runtime,
            "AUTOGRADE_WARM_POOL_SIZE": str(pool_size),
            "AUTOGRADE_CELL_TIMEOUT": str(CELL_TIMEOUT),
            "AUTOGRADE_LOG_LEVEL": "WARNING",
            # One token posts everything here; the per-token submission limit would pace the
            # load generator instead of measuring grading.
            "AUTOGRADE_RATE_LIMIT_SUBMISSIONS": "0",
            **(
                {} if exam_yield else {"AUTOGRADE_EXAM_YIELD_SECONDS": "0"}
            ),  # the baseline: no stepping aside
        }
        self.processes: list[subprocess.Popen[bytes]] = []
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        self.store: Store | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "autograde"]
        subprocess.run([*command, "migrate"], env=self.env, check=True, capture_output=True)
        port = self.base.rsplit(":", 1)[1]
        self._spawn([*command, "serve", "--port", port], "web.log")
        nice = ["--nice", "10"] if self.lane else []  # the general workers give way to the lane
        for name in self.names:
            self._spawn([*command, "worker", "--name", name, *nice], f"{name}.log")
        for name in self.lane:
            self._spawn([*command, "worker", "--name", name, "--queues", "exams"], f"{name}.log")
        self.store = Store.from_url(self.env["AUTOGRADE_DATABASE_URL"])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                if self.http.get(f"{self.base}/api/v1/health", timeout=5).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("the web app did not come up")

    def _spawn(self, command: list[str], log: str) -> None:
        self.processes.append(spawn(command, self.env, self.data_dir / log))

    def _check_alive(self) -> None:
        for process in self.processes:
            if process.poll() is not None:
                logs = "\n".join(p.read_text()[-2000:] for p in self.data_dir.glob("*.log"))
                raise RuntimeError(f"a service process exited ({process.args}):\n{logs}")

    @property
    def worker_pids(self) -> list[int]:
        return [p.pid for p in self.processes[1:]]

    def stop(self) -> None:
        Services(self.processes).stop(timeout=60)  # a worker finishes its job and empties its pool
        if self.store is not None:
            self.store.dispose()
        redis = Redis.from_url(self.redis_url)
        for key in redis.scan_iter(f"*{self.prefix}*"):
            redis.delete(key)
        shutil.rmtree(self.data_dir, ignore_errors=True)

    # -- driving it ----------------------------------------------------------------------

    def upload_assignment(self) -> str:
        reply = self.http.post(
            f"{self.base}/api/v1/assignments",
            data={"course": "bench", "name": "arrays"},
            files={"file": ("arrays.ipynb", SOURCE.read_bytes())},
        )
        reply.raise_for_status()
        return str(reply.json()["id"])

    def submit(self, assignment_id: str, learner: str, data: bytes) -> str:
        reply = self.http.post(
            f"{self.base}/api/v1/assignments/{assignment_id}/submissions",
            data={"learner": learner},
            files={"file": ("arrays.ipynb", data)},
        )
        if reply.status_code != 202:
            raise RuntimeError(f"submission refused: {reply.status_code} {reply.text}")
        return str(reply.json()["id"])

    def submit_priority(self, assignment_id: str, learner: str, data: bytes) -> str:
        """What exam intake does: store first, then enqueue on the exams queue."""
        assert self.store is not None
        record = self.store.add_submission(
            assignment_id, learner, "arrays.ipynb", data, datetime.now(UTC), True, 1.0, priority="exams"
        )
        RQEnqueuer(Redis.from_url(self.redis_url), self.prefix).enqueue_grading(record.id, "exams")
        return record.id

    def wait_graded(self, ids: list[str], poll: float = 0.01, timeout: float = GRADE_TIMEOUT) -> None:
        assert self.store is not None
        pending = set(ids)
        deadline = time.monotonic() + timeout
        while pending:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{len(pending)} submissions were not graded in time")
            for sid in list(pending):
                if self.store.get_submission(sid).status in ("graded", "failed"):
                    pending.discard(sid)
            if pending:
                self._check_alive()
                time.sleep(poll)

    def wait_pool_full(self) -> None:
        """Until every worker's pool has all its sandboxes started and idle (as it publishes)."""
        self._wait_for_pools(self.names + self.lane, full, "the warm pool did not fill in time")

    def wait_exam_ready(self) -> None:
        """Until the sandboxes exams use are idle again: the lane's whole pool, else each reserve.

        A probe behind the backlog then meets what an idle probe meets (a started sandbox),
        and the figure is the backlog's effect, not that of exams arriving back to back.
        """
        if self.lane:
            self._wait_for_pools(self.lane, full, "the exam lane's pool did not refill in time")
        else:
            self._wait_for_pools(
                self.names, reserve_idle, "the sandboxes kept for exams did not come back in time"
            )

    def _wait_for_pools(
        self, workers: list[str], ready: Callable[[dict[Any, Any]], bool], failure: str
    ) -> None:
        """Until ``ready`` holds for the pool status each of ``workers`` publishes."""
        if not self.pool_size:
            return
        redis = Redis.from_url(self.redis_url)
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            statuses = [redis.hgetall(pool_status_key(self.prefix, name)) for name in workers]
            if all(status and ready(status) for status in statuses):
                return
            self._check_alive()
            time.sleep(0.05)
        raise RuntimeError(failure)

    def measured(self, ids: list[str]) -> tuple[dict[str, float], list[float], list[float], float]:
        """Scores, latencies, overheads and the span from first receipt to last grade."""
        assert self.store is not None
        scores, latencies, overheads, firsts, lasts = {}, [], [], [], []
        for sid in ids:
            record = self.store.get_submission(sid)
            report = self.store.latest_report(sid)
            if record.status != "graded" or report is None or record.graded_at is None:
                raise RuntimeError(f"submission {sid} ended {record.status}: {record.error}")
            latency = (record.graded_at - record.received_at).total_seconds()
            scores[sid] = float(report.report.score)
            latencies.append(latency)
            overheads.append(latency - float(report.provenance["timings"]["cells"]))
            firsts.append(record.received_at)
            lasts.append(record.graded_at)
        return scores, latencies, overheads, (max(lasts) - min(firsts)).total_seconds()


def full(status: dict[Any, Any]) -> bool:
    return int(status.get(b"idle", 0)) == int(status.get(b"size", -1))


def reserve_idle(status: dict[Any, Any]) -> bool:
    return int(status.get(b"idle", 0)) >= max(1, int(status.get(b"reserve", 1)))


@contextmanager
def running(
    runtime: str,
    pool_size: int,
    workers: int,
    redis_url: str,
    exam_lane: bool = False,
    exam_yield: bool = True,
) -> Iterator[Service]:
    service = Service(runtime, pool_size, workers, redis_url, exam_lane, exam_yield)
    try:
        service.start()
        yield service
    finally:
        service.stop()


def end_to_end(
    work: dict[str, bytes], runtime: str, pool_size: int, workers: int, redis_url: str, latency_samples: int
) -> Outcome:
    pool = f"warm pool {pool_size}/worker" if pool_size else "no pool (cold start, forking worker)"
    way = f"service over HTTP, {runtime}, {workers} workers, {pool}"
    with running(runtime, pool_size, workers, redis_url) as service:
        assignment = service.upload_assignment()
        service.wait_pool_full()
        with PeakSampler(service.worker_pids) as sampler:
            by_key: dict[str, str] = {}
            for key in list(work)[:latency_samples]:  # latency phase: one at a time, unsaturated
                service.wait_pool_full()
                by_key[key] = service.submit(assignment, key, work[key])
                service.wait_graded([by_key[key]])
            _, latencies, overheads, _ = service.measured(list(by_key.values()))
            service.wait_pool_full()
            with ThreadPoolExecutor(max_workers=4) as posting:  # throughput phase: everything at once
                ids = dict(
                    zip(
                        work, posting.map(lambda k: service.submit(assignment, k, work[k]), work), strict=True
                    )
                )
            service.wait_graded(list(ids.values()), poll=0.2)
        scores, _, _, span = service.measured(list(ids.values()))
    return Outcome(
        way,
        span,
        {key: scores[sid] for key, sid in ids.items()},
        latencies=latencies,
        overheads=overheads,
        sandbox_peak_mb=sampler.sandbox_mb,
        worker_peak_mb=sampler.worker_mb,
    )


def priority_under_backlog(
    work: dict[str, bytes],
    runtime: str,
    pool_size: int,
    workers: int,
    redis_url: str,
    backlog: int,
    probes: int,
    exam_lane: bool,
    exam_yield: bool = True,
) -> dict[str, Any]:
    """Median latency of exam-queue submissions, idle and behind ``backlog`` assignment ones.

    With ``exam_lane`` the service also runs a worker that serves only the exams queue;
    without ``exam_yield`` assignment grades do not step aside for running exams.
    """
    correct = next(data for data in work.values())  # s000 is alice: a correct, quick notebook
    with running(runtime, pool_size, workers, redis_url, exam_lane, exam_yield) as service:
        assignment = service.upload_assignment()
        idle = []
        for n in range(probes):
            service.wait_pool_full()
            sid = service.submit_priority(assignment, f"probe-idle-{n}", correct)
            service.wait_graded([sid])
            idle.append(service.measured([sid])[1][0])
        service.wait_pool_full()
        with ThreadPoolExecutor(max_workers=4) as posting:
            list(posting.map(lambda n: service.submit(assignment, f"backlog-{n}", correct), range(backlog)))
        queue = RQEnqueuer(Redis.from_url(redis_url), service.prefix).queue("assignments")
        loaded, depths = [], []
        for n in range(probes):
            service.wait_exam_ready()
            depths.append(queue.count)
            sid = service.submit_priority(assignment, f"probe-busy-{n}", correct)
            service.wait_graded([sid])
            loaded.append(service.measured([sid])[1][0])
        depths.append(queue.count)
    return {"idle": idle, "loaded": loaded, "depths": depths}
