"""Running the real delivery job in-process: a worker context whose retries stay in memory, and a drain."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from store import Store
from tests.web.fakes import FakeEnqueuer
from worker.context import WorkerContext
from worker.deliveries import deliver_results


@dataclass
class JobContext(WorkerContext):
    """The worker's context with its retries noted in memory instead of scheduled on Redis."""

    queued: FakeEnqueuer = field(default_factory=FakeEnqueuer)

    @property
    def enqueuer(self) -> Any:  # type: ignore[override]
        return self.queued


def drain(store: Store, limit: float = 30.0) -> None:
    """Run the delivery job for every pending line until nothing is pending (waiting out retries)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        pending = store.pending_delivery_keys()
        if not pending:
            return
        for key, _ in pending:
            deliver_results(key.platform_id, key.assignment_id, key.learner)
        time.sleep(0.05)
    raise AssertionError(f"still pending after {limit} s: {store.pending_delivery_keys()}")
