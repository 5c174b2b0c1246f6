"""The queue as the use cases see it: a small interface the web and the worker both satisfy.

The RQ adapter is ``worker.queues.RQEnqueuer``; the use cases in ``service/`` take any
``Enqueuer``, so they never import RQ or Redis, and tests pass a fake.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol

from integrations.lti_scores import learner_of, line_of
from store.deliveries import DeliveryKey
from store.rows import SubmissionRecord

log = logging.getLogger(__name__)


class Enqueuer(Protocol):
    """What the web layer and the jobs need from the queue: grade a submission, send a key's
    results, sweep for abandoned exam attempts, re-run a submission for a regrade, triage a
    learner's regrade request, check a graded one for similarity (``service/integrity.py``)."""

    def enqueue_grading(self, submission_id: str, priority: str = "assignments") -> str: ...

    def enqueue_delivery(self, key: DeliveryKey, at: datetime | None = None) -> str: ...

    def enqueue_sweep(self, at: datetime, periodic: bool = False) -> str: ...

    def enqueue_regrade(self, run_id: str, submission_id: str) -> str: ...

    def enqueue_triage(self, request_id: str) -> str: ...
    def enqueue_similarity(self, submission_id: str) -> str: ...


def send_results_of(enqueuer: Enqueuer, submission: SubmissionRecord) -> None:
    """Send a platform's submission's results just stored (their outbox rows are committed).

    If Redis refuses, nothing is lost: worker start-up recovery enqueues every learner and
    assignment with pending deliveries again.
    """
    lines = [submission.platform_id] if submission.platform_id is not None else []
    learner = learner_of(submission.learner)
    if learner is not None:  # an LTI learner's scores, in their platform's line
        lines.append(line_of(learner[0]))
    try:
        for line in lines:
            enqueuer.enqueue_delivery(DeliveryKey(line, submission.assignment_id, submission.learner))
    except Exception:
        log.warning(
            "could not enqueue the result delivery for %s; recovery will", submission.id, exc_info=True
        )


def check_similarity_of(enqueuer: Enqueuer, submission: SubmissionRecord) -> None:
    """Queue the similarity check of a submission whose grade is stored; grading never waits for it.

    If Redis refuses, the grade stands and only the check is missing; it is logged.
    """
    try:
        enqueuer.enqueue_similarity(submission.id)
    except Exception:
        log.warning("could not enqueue the similarity check of %s", submission.id, exc_info=True)
