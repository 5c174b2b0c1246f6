"""Queue names and enqueueing by dotted path, so the web process never imports Docker.

Jobs are keyed by submission id: enqueueing the same submission twice while its job is
still known to Redis returns the existing job instead of adding a second one.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from store.deliveries import DeliveryKey
from worker.queue_names import CALLBACKS, INTEGRITY, PRIORITIES, QUEUE_NAMES

log = logging.getLogger(__name__)

GRADE_JOB = "worker.tasks.grade_submission"
DELIVER_JOB = "worker.deliveries.deliver_results"
SWEEP_JOB = "worker.sweeper.sweep_exam_attempts"
REGRADE_JOB = "worker.regrades.regrade_one"
TRIAGE_JOB = "worker.triage.triage_request"
SIMILARITY_JOB = "worker.integrity.check_similarity"
SWEEP_EVERY = 60  # seconds between periodic sweeps for abandoned exam attempts
SIMILARITY_JOB_TIMEOUT = 600
DELIVER_JOB_TIMEOUT = 600  # a job sends the pending results of one learner and assignment, one by one
RETRY_INTERVALS = [5, 30, 120]  # seconds between attempts after an infrastructure fault
LIVE_STATES = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}


def job_id_for(submission_id: str) -> str:
    return f"grade-{submission_id}"


class RQEnqueuer:
    def __init__(self, connection: Redis, prefix: str = "autograde", job_timeout: int = 1800) -> None:
        self.connection = connection
        self.prefix = prefix
        self.job_timeout = job_timeout

    def queue(self, name: str) -> Queue:
        if name not in QUEUE_NAMES:
            raise ValueError(f"unknown queue {name!r}")
        return Queue(f"{self.prefix}-{name}", connection=self.connection)

    def queues(self) -> list[Queue]:
        return [self.queue(name) for name in QUEUE_NAMES]

    def enqueue_delivery(self, key: DeliveryKey, at: datetime | None = None) -> str:
        """A job that sends ``key``'s pending results in order, now or at ``at``.

        Extra jobs for one key are harmless: the store leases the oldest pending delivery
        to one sender at a time, and the others find nothing to do.
        """
        args = (key.platform_id, key.assignment_id, key.learner)
        options: dict[str, Any] = {
            "job_timeout": DELIVER_JOB_TIMEOUT,
            "result_ttl": 3600,
            "failure_ttl": 7 * 86400,
            "retry": Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
        }
        queue = self.queue(CALLBACKS)
        job = (
            queue.enqueue_at(at, DELIVER_JOB, *args, **options)
            if at
            else queue.enqueue(DELIVER_JOB, *args, **options)
        )
        return str(job.id)

    def enqueue_regrade(self, run_id: str, submission_id: str) -> str:
        """One stored submission re-run for a regrade, on the regrades queue (after everything else)."""
        job = self.queue("regrades").enqueue(
            REGRADE_JOB,
            run_id,
            submission_id,
            job_id=f"regrade-{run_id}-{submission_id}",
            job_timeout=self.job_timeout,
            result_ttl=86400,
            failure_ttl=7 * 86400,
            retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
        )
        return str(job.id)

    def enqueue_triage(self, request_id: str) -> str:
        """Two re-runs of a regrade request's submission, on the regrades queue (after everything else).

        Keyed by the request, so recovery enqueueing it again leaves a live triage alone.
        """
        job_id = f"triage-{request_id}"
        if self.is_live(job_id):
            return job_id
        job = self.queue("regrades").enqueue(
            TRIAGE_JOB,
            request_id,
            job_id=job_id,
            job_timeout=2 * self.job_timeout,  # two gradings, one after the other
            result_ttl=86400,
            failure_ttl=7 * 86400,
            retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
        )
        return str(job.id)

    def enqueue_similarity(self, submission_id: str) -> str:
        """A graded submission's similarity check, on the integrity queue (served after everything else).

        Keyed by submission, so a regrade's second request while the first waits, or recovery
        enqueueing it again, adds nothing.
        """
        job_id = f"integrity-{submission_id}"
        if self.is_live(job_id):
            return job_id
        job = self.queue(INTEGRITY).enqueue(
            SIMILARITY_JOB,
            submission_id,
            job_id=job_id,
            job_timeout=SIMILARITY_JOB_TIMEOUT,
            result_ttl=3600,
            failure_ttl=7 * 86400,
            retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
        )
        return str(job.id)

    def enqueue_sweep(self, at: datetime, periodic: bool = False) -> str:
        """A sweep for abandoned exam attempts at ``at`` (on the exams queue, ahead of everything).

        Keyed by the second it is due (periodic sweeps by the minute), so the many starts of
        one exam sitting, or several workers starting together, schedule each sweep once.
        """
        stamp = int(at.timestamp()) // SWEEP_EVERY if periodic else int(at.timestamp())
        job_id = f"{self.prefix}-sweep-{'every' if periodic else 'at'}-{stamp}"
        try:
            if Job.fetch(job_id, connection=self.connection).get_status(refresh=True) in LIVE_STATES:
                return job_id
        except NoSuchJobError:
            pass
        self.queue("exams").enqueue_at(
            at,
            SWEEP_JOB,
            periodic=periodic,
            job_id=job_id,
            job_timeout=600,
            result_ttl=600,
            failure_ttl=86400,
        )
        return job_id

    def is_live(self, job_id: str) -> bool:
        """Whether Redis holds the job queued, running or waiting to run."""
        try:
            return Job.fetch(job_id, connection=self.connection).get_status(refresh=True) in LIVE_STATES
        except NoSuchJobError:
            return False

    def enqueue_grading(self, submission_id: str, priority: str = "assignments") -> str:
        if priority not in PRIORITIES:
            raise ValueError(f"unknown grading priority {priority!r}")
        job_id = job_id_for(submission_id)
        if self.is_live(job_id):
            return job_id
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
