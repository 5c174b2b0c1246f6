"""The deadline rush: N submissions in one burst through the API, none lost, no 5xx, all graded.

    .venv/bin/python -m bench.rush                      # 1,000 submissions, 16 at a time, as
                                                        # tests/e2e/test_deadline_rush.py does
    .venv/bin/python -m bench.rush --submissions 200    # a shorter rush

A load tool on this machine, loopback only and bounded in count and time: it starts the
service as ``bench/service.py`` does (`autograde serve`, two real RQ workers
with warm pools, Redis, SQLite, Docker), posts every submission of the ``arrays`` workload
from ``--concurrency`` threads as fast as the API takes them, scrapes ``/metrics`` every
second for the queue depth, waits until every submission is graded, and prints: HTTP
statuses (any 5xx is a failure), post times, the queue depth's peak, grading latency
(the server's receipt-to-stored time) p50/p95/max, throughput, and how many submissions
ended other than graded with exactly one grade report (0 is the only good answer).

The per-token submission limit is off, as in the speed benchmark: one token posts for a
whole class here, and the limit would pace the load tool instead of the service.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
from prometheus_client.parser import text_string_to_metric_families

from bench.service import GRADE_TIMEOUT, Service, running
from bench.speed import machine
from bench.workload import percentile, submissions

MAX_SUBMISSIONS = 5000  # bounded: this is a test of the service, not of the machine
LOOPBACK = "http://127.0.0.1:"
SECONDS_PER_GRADE = 2.0  # the time bound: 1,000 took 910 s on two busy CPUs (README)


@dataclass
class RushResult:
    submissions: int
    concurrency: int
    statuses: dict[str, int]
    server_errors: int
    post_seconds: float  # from the first POST to the last answer
    post_p95_ms: float
    queue_depth_peak: int
    latency_p50_s: float
    latency_p95_s: float
    latency_max_s: float
    span_s: float  # first receipt to last stored grade, as the server recorded them
    graded_per_minute: float
    not_graded_once: list[str] = field(default_factory=list)  # ids that ended otherwise: must be empty


class DepthSampler:
    """Reads the assignments queue's depth from the service's own /metrics once a second."""

    def __init__(self, base: str, every: float = 1.0) -> None:
        self.base, self.every = base, every
        self.peak = 0
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> DepthSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                depth = queue_depth(requests.get(f"{self.base}/metrics", timeout=10).text, "assignments")
            except requests.RequestException:
                continue
            self.samples.append(depth)
            self.peak = max(self.peak, depth)


def queue_depth(exposition: str, queue: str) -> int:
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == "autograde_queue_jobs" and sample.labels == {"queue": queue, "state": "queued"}:
                return int(sample.value)
    raise ValueError("no queue depth in /metrics")


def post_all(
    service: Service, assignment: str, work: dict[str, bytes], concurrency: int
) -> tuple[list[Any], float]:
    """Every submission at once from ``concurrency`` threads: (status, seconds, id or None) each."""
    url = f"{service.base}/api/v1/assignments/{assignment}/submissions"

    def post(key: str) -> tuple[int, float, str | None]:
        started = time.monotonic()
        reply = service.http.post(
            url, data={"learner": key}, files={"file": ("arrays.ipynb", work[key])}, timeout=120
        )
        sid = reply.json().get("id") if reply.status_code == 202 else None
        return reply.status_code, time.monotonic() - started, sid

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as posting:
        answers = list(posting.map(post, work))
    return answers, time.monotonic() - started


def rush(service: Service, count: int, concurrency: int) -> RushResult:
    if not 0 < count <= MAX_SUBMISSIONS or not service.base.startswith(LOOPBACK):
        raise ValueError(f"a rush is 1 to {MAX_SUBMISSIONS} submissions against a loopback service")
    assert service.store is not None
    assignment = service.upload_assignment()
    service.wait_pool_full()
    work = submissions(count)
    with DepthSampler(service.base) as sampler:
        answers, posting = post_all(service, assignment, work, concurrency)
        ids = [sid for _, _, sid in answers if sid]
        service.wait_graded(ids, poll=0.5, timeout=max(GRADE_TIMEOUT, count * SECONDS_PER_GRADE))
    statuses = Counter(str(status) for status, _, _ in answers)
    latencies, firsts, lasts, wrong = [], [], [], []
    for sid in ids:
        record = service.store.get_submission(sid)
        if (
            record.status != "graded"
            or record.graded_at is None
            or len(service.store.report_history(sid)) != 1
        ):
            wrong.append(sid)
            continue
        latencies.append((record.graded_at - record.received_at).total_seconds())
        firsts.append(record.received_at)
        lasts.append(record.graded_at)
    span = (max(lasts) - min(firsts)).total_seconds() if lasts else 0.0
    return RushResult(
        submissions=count,
        concurrency=concurrency,
        statuses=dict(statuses),
        server_errors=sum(n for status, n in statuses.items() if status.startswith("5")),
        post_seconds=round(posting, 2),
        post_p95_ms=round(percentile([s for _, s, _ in answers], 0.95) * 1000, 1),
        queue_depth_peak=sampler.peak,
        latency_p50_s=round(percentile(latencies, 0.5), 2) if latencies else 0.0,
        latency_p95_s=round(percentile(latencies, 0.95), 2) if latencies else 0.0,
        latency_max_s=round(max(latencies), 2) if latencies else 0.0,
        span_s=round(span, 1),
        graded_per_minute=round(len(latencies) / span * 60, 1) if span else 0.0,
        not_graded_once=wrong + [f"refused {status}" for status, _, sid in answers if sid is None],
    )


def report(result: RushResult) -> str:
    return "\n".join(
        [
            f"submissions {result.submissions} posted {result.concurrency} at a time in {result.post_seconds} s "
            f"(post p95 {result.post_p95_ms} ms); HTTP statuses {result.statuses}; 5xx: {result.server_errors}",
            f"assignments queue depth peak {result.queue_depth_peak}",
            f"grading latency p50 {result.latency_p50_s} s, p95 {result.latency_p95_s} s, max {result.latency_max_s} s",
            f"all graded in {result.span_s} s from first receipt: {result.graded_per_minute} graded/min",
            f"not graded exactly once: {len(result.not_graded_once)}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pool-size", type=int, default=2)
    parser.add_argument("--runtime", default="runc", choices=["runc", "runsc"])
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args(argv)
    print(f"# deadline rush, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n{machine()}", flush=True)
    with running(args.runtime, args.pool_size, args.workers, args.redis_url) as service:
        result = rush(service, args.submissions, args.concurrency)
    print(report(result))
    print(json.dumps(asdict(result)))
    return 0 if not result.server_errors and not result.not_graded_once else 1


if __name__ == "__main__":
    sys.exit(main())
