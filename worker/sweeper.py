"""The sweeper: closes exam attempts that ran out of time, whether or not the learner is there.

Scheduled with RQ's own scheduler (no cron outside the project): once at each attempt's
deadline plus grace, and every minute as a safety net for a lost job (Redis restarted),
started by each worker at start-up and rescheduling itself.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from service.attempts import close_expired
from worker import context
from worker.queues import SWEEP_EVERY


def sweep_exam_attempts(periodic: bool = False) -> dict[str, Any]:
    ctx = context.current()
    now = ctx.clock()  # the database's: a worker with a fast clock must not close an exam early
    closed = close_expired(ctx.store, ctx.enqueuer, now)
    if periodic:
        ctx.enqueuer.enqueue_sweep(now + timedelta(seconds=SWEEP_EVERY), periodic=True)
    return {"closed": closed}
