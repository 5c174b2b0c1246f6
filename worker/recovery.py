"""Start-up recovery: the database, not Redis, says what still needs grading."""

from __future__ import annotations

import logging

from store.db import Store
from worker.queues import Enqueuer

log = logging.getLogger(__name__)


def reenqueue_unfinished(store: Store, enqueuer: Enqueuer) -> int:
    """Enqueue every queued or running submission; live jobs are left alone by the enqueuer."""
    count = 0
    for submission in store.unfinished_submissions():
        enqueuer.enqueue_grading(submission.id, submission.priority)
        count += 1
    if count:
        log.info("re-enqueued %d unfinished submissions", count)
    return count
