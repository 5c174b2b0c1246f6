"""The worker used with a warm pool: no fork per job, and no ordinary job it cannot start.

A job RQ hands to a worker is that worker's until it ends. Under a deadline rush the pool is
drained, so an assignment job would sit in ``pool.open`` waiting for a sandbox to finish
starting, and an exam arriving meanwhile would wait behind it. So before taking the next
job this worker waits until it has a sandbox to spare beyond the exam reserve, or until an
urgent job is queued: an exam (it runs at once in the reserved sandbox) or a result
delivery (it needs no sandbox). RQ serves those queues first, so that is the job it takes.
"""

from __future__ import annotations

from typing import Any

from redis import exceptions as redis_errors
from rq import Queue

from sandboxes.pool import WarmPool
from worker.prompt_stop import InProcessWorker

SPARE_WAIT = 30.0  # at most this long, then take a job anyway (RQ keeps the worker alive)


class PoolWorker(InProcessWorker):
    def __init__(self, *args: Any, pool: WarmPool, urgent_queues: list[Queue], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pool = pool
        self.urgent_queues = urgent_queues

    def dequeue_job_and_maintain_ttl(self, timeout: int | None, max_idle_time: int | None = None) -> Any:
        self.pool.wait_for_spare(self.urgent_waiting, SPARE_WAIT)
        return super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)

    def urgent_waiting(self) -> bool:
        """Is an urgent job queued? If Redis cannot say, stop waiting: RQ's dequeue loop below
        handles a lost connection (it retries with back-off); an error raised here would end
        the worker instead."""
        try:
            return any(queue.count > 0 for queue in self.urgent_queues)
        except (redis_errors.ConnectionError, redis_errors.TimeoutError):
            return True
