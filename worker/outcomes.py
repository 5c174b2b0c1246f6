"""Counters of how grading jobs ended, kept in one Redis hash that every worker process adds to.

Workers are many processes on many machines, and a non-forking worker still runs RQ's
scheduler in a child: an in-process Prometheus counter would be one number per process, lost
when the process dies. ``HINCRBY`` on one hash is atomic and shared, and the web process
reads it when scraped (``web/metrics.py``). If Redis is emptied the counters start again
from zero, which Prometheus treats as a counter reset. Counting never stops a grade.
"""

from __future__ import annotations

import logging

from redis import Redis

log = logging.getLogger(__name__)
OUTCOMES = (
    "graded",  # the sandbox ran and the grade was stored
    "duplicate",  # the submission was already finished: a redelivered or re-run job did nothing
    "could_not_grade",  # the upload itself cannot be graded: failed, without a score
    "infrastructure_retry",  # our fault (sandbox, engine, database): put back to be retried
    "infrastructure_failed",  # our fault, out of attempts: failed, without a score
    "abandoned",  # its worker died mid-job; a peer handed the job back to RQ to run again
)


def outcomes_key(prefix: str) -> str:
    return f"{prefix}:metrics:sandbox_outcomes"


def count_outcome(connection: Redis, prefix: str, outcome: str, amount: int = 1) -> None:
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    try:
        connection.hincrby(outcomes_key(prefix), outcome, amount)
    except Exception:
        log.warning("could not count outcome %s", outcome, exc_info=True)


def read_outcomes(connection: Redis, prefix: str) -> dict[str, int]:
    """Every outcome with its count, zero for those not seen yet."""
    raw: dict[bytes, bytes] = connection.hgetall(outcomes_key(prefix))  # type: ignore[assignment]
    stored = {key.decode(): int(value) for key, value in raw.items()}
    return {outcome: stored.get(outcome, 0) for outcome in OUTCOMES}
