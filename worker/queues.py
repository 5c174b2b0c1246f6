"""Queue names and enqueueing by dotted path, so the web process never imports Docker.

Jobs are keyed by submission id: enqueueing the same submission twice while its job is
still known to Redis returns the existing job instead of adding a second one.
"""

from __future__ import annotations

from typing import Protocol

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

GRADE_JOB = "worker.tasks.grade_submission"
PRIORITIES = ("exams", "assignments", "regrades")  # a worker serves them in this order
RETRY_INTERVALS = [5, 30, 120]  # seconds between attempts after an infrastructure fault
LIVE_STATES = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}


class Enqueuer(Protocol):
    """What the web layer needs from the queue: one method."""

    def enqueue_grading(self, submission_id: str, priority: str = "assignments") -> str: ...


def job_id_for(submission_id: str) -> str:
    return f"grade-{submission_id}"


class RQEnqueuer:
    def __init__(self, connection: Redis, prefix: str = "autograde", job_timeout: int = 1800) -> None:
        self.connection = connection
        self.prefix = prefix
        self.job_timeout = job_timeout

    def queue(self, priority: str) -> Queue:
        if priority not in PRIORITIES:
            raise ValueError(f"unknown queue priority {priority!r}")
        return Queue(f"{self.prefix}-{priority}", connection=self.connection)

    def queues(self) -> list[Queue]:
        return [self.queue(p) for p in PRIORITIES]

    def enqueue_grading(self, submission_id: str, priority: str = "assignments") -> str:
        job_id = job_id_for(submission_id)
        try:
            existing = Job.fetch(job_id, connection=self.connection)
            if existing.get_status(refresh=True) in LIVE_STATES:
                return job_id
        except NoSuchJobError:
            pass
        self.queue(priority).enqueue(
            GRADE_JOB,
            submission_id,
            job_id=job_id,
            job_timeout=self.job_timeout,
            result_ttl=86400,
            failure_ttl=7 * 86400,
            retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
        )
        return job_id
