"""Start-up recovery: the database, not Redis, says what still needs grading or sending."""

from __future__ import annotations

import logging

from service.queue import Enqueuer
from store.db import Store
from store.models import utcnow

log = logging.getLogger(__name__)
SIMILARITY_BATCH = 1_000  # checks queued again per start-up; the next start-up takes the next batch


def recover(store: Store, enqueuer: Enqueuer) -> None:
    """What a worker does at start-up: every job the database says is due, queued again if Redis lost it."""
    reenqueue_unfinished(store, enqueuer)
    reenqueue_deliveries(store, enqueuer)
    reenqueue_triages(store, enqueuer)
    reenqueue_similarity(store, enqueuer)


def reenqueue_unfinished(store: Store, enqueuer: Enqueuer) -> int:
    """Enqueue every queued or running submission; live jobs are left alone by the enqueuer."""
    count = 0
    for submission in store.unfinished_submissions():
        enqueuer.enqueue_grading(submission.id, submission.priority)
        count += 1
    if count:
        log.info("made sure each of %d unfinished submissions has a live job", count)
    return count


def reenqueue_deliveries(store: Store, enqueuer: Enqueuer) -> int:
    """One delivery job per learner and assignment with results still to send, at their due time."""
    keys = store.pending_delivery_keys()
    for key, due in keys:
        enqueuer.enqueue_delivery(key, due if due > utcnow() else None)
    if keys:
        log.info("re-enqueued result deliveries for %d learner/assignment pairs", len(keys))
    return len(keys)


def reenqueue_triages(store: Store, enqueuer: Enqueuer) -> int:
    """A triage job for every open regrade request still waiting for one (Redis refused or lost it)."""
    waiting = [r["id"] for r in store.list_regrade_requests(status="open") if r["triage_status"] == "queued"]
    for request_id in waiting:
        enqueuer.enqueue_triage(request_id)
    if waiting:
        log.info("made sure each of %d regrade requests waiting for triage has a live job", len(waiting))
    return len(waiting)


def reenqueue_similarity(store: Store, enqueuer: Enqueuer, batch: int = SIMILARITY_BATCH) -> int:
    """A similarity check for each graded submission never checked (at most ``batch``, the latest).

    The check is enqueued after the grade is stored; if Redis lost the job it would never run.
    Bounded so a start-up never floods the queue; live jobs are left alone by the enqueuer.
    """
    unchecked = store.unchecked_submissions(batch)
    for submission_id in unchecked:
        enqueuer.enqueue_similarity(submission_id)
    if unchecked:
        log.info(
            "made sure each of %d graded submissions not yet checked for similarity has a job", len(unchecked)
        )
    return len(unchecked)
