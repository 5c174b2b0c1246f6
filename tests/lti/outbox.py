"""Running the real delivery job in-process: a worker context whose retries stay in memory, and a drain."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask.testing import FlaskClient

from service.settings import Settings
from store import Store
from tests.lti.simulator import Platform
from tests.web.fakes import FakeEnqueuer
from worker import context
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


def quick_retries(settings: Settings, attempts: int, cap: float = 0.2) -> Settings:
    """Retries a test can wait out: 50 ms growing to ``cap`` seconds, ``attempts`` in all."""
    return settings.replace(
        callback_backoff_base=0.05, callback_backoff_cap=cap, callback_max_attempts=attempts
    )


@contextmanager
def installed(ctx: JobContext, platform: Platform, client: FlaskClient) -> Iterator[JobContext]:
    """``ctx`` as the worker's context, the platform trusting the tool's published keys (what its
    admin would configure), for as long as the block runs."""
    context.install(ctx)
    platform.tool_keys = client.get("/lti/jwks").json
    try:
        yield ctx
    finally:
        context.install(None)  # type: ignore[arg-type]
