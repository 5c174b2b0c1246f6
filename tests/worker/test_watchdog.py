"""The watchdog hands a dead worker's job back at once, on no host's clock (worker/watchdog.py).

RQ's own clean-up schedules the retry at this host's ``now()`` plus the back-off, and the
scheduler that moves it to the queue may run on another host with another clock: a retry
scheduled from a host ten minutes fast waited ten minutes. With RQ's clean-up alone the
job below is left scheduled and this test fails.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from rq import Queue, Retry
from rq.job import JobStatus
from rq.registry import ScheduledJobRegistry, StartedJobRegistry

from worker.watchdog import requeue_abandoned

pytestmark = pytest.mark.redis


def started_by(queue: Queue, worker_name: str, retries: int) -> Any:
    """A job as a worker that then died left it: started, in the started registry, under its name."""
    job = queue.enqueue("builtins.print", "x", retry=Retry(max=retries, interval=[600]))
    queue.remove(job)
    job.worker_name = worker_name
    job.set_status(JobStatus.STARTED)
    job.save()
    registry = StartedJobRegistry(queue=queue)
    queue.connection.zadd(registry.key, {f"{job.id}:execution-1": time.time() + 3600})
    return job


def test_a_dead_workers_job_is_queued_again_at_once_with_its_retry_counted(redis_conn: Any) -> None:
    queue = Queue("watchdog-test", connection=redis_conn)
    job = started_by(queue, "dead-worker", retries=3)
    assert job.id in StartedJobRegistry(queue=queue).get_job_ids()

    assert requeue_abandoned(redis_conn, [queue], live={"some-live-worker"}) == 1

    job.refresh()
    assert job.get_status(refresh=True) == JobStatus.QUEUED
    assert job.id in queue.get_job_ids() and job.id not in ScheduledJobRegistry(queue=queue).get_job_ids()
    assert job.retries_left == 2


def test_a_live_workers_job_is_left_alone(redis_conn: Any) -> None:
    queue = Queue("watchdog-test", connection=redis_conn)
    job = started_by(queue, "busy-worker", retries=3)
    assert requeue_abandoned(redis_conn, [queue], live={"busy-worker"}) == 0
    assert job.get_status(refresh=True) == JobStatus.STARTED
