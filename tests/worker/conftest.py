"""The LTI job tests run the real app (tests/web's fixtures) beside the job, against the simulated platform.

The jobs that grade a stored submission (the re-runs of regrade runs and triages, ``grade_stored``)
run in ``sandboxed``: the real worker context on the app's database and the tests' Redis, its
sandboxes from tests/worker/fake_sandboxes.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from service.settings import Settings
from store import Store, SubmissionRecord
from tests.conftest import REDIS_URL
from tests.web.conftest import (  # noqa: F401  (fixtures)
    app,
    assignment,
    client,
    clock,
    enqueuer,
    instructor,
    migrated_template,
    post_assignment,
    settings,
    store,
    token,
)
from tests.web.lti.conftest import graded_submission, launch, platform, registered  # noqa: F401  (fixtures)
from tests.web.notebook_builders import learner_bytes
from tests.worker.fake_sandboxes import FakeSandboxContext
from worker import context
from worker.context import WorkerContext


@pytest.fixture
def sandboxed(settings: Settings, redis_conn: Any) -> Iterator[FakeSandboxContext]:
    """Installed as the worker's context for the test: the jobs under test get it from ``context.current()``."""
    ctx = FakeSandboxContext(
        settings.replace(redis_url=REDIS_URL, queue_prefix="worker-test", exam_yield_seconds=0.2),
        worker_name="worker-test",
    )
    context.install(ctx)
    yield ctx
    context.install(None)  # type: ignore[arg-type]
    ctx.store.dispose()


@pytest.fixture
def engineless(
    settings: Settings, redis_conn: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[WorkerContext]:
    """The real worker context installed on a host whose Docker engine is gone: every sandbox fails."""
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'no-engine.sock'}")
    ctx = WorkerContext(settings.replace(redis_url=REDIS_URL), worker_name="engineless")
    context.install(ctx)
    yield ctx
    context.install(None)  # type: ignore[arg-type]
    ctx.store.dispose()


@pytest.fixture
def submitted(store: Store, assignment: dict[str, Any]) -> Callable[..., SubmissionRecord]:
    """``submitted()``: alice's right answer to ``assignment``, stored and queued; keywords change it."""

    def add(
        content: bytes | None = None,
        filename: str = "hw.ipynb",
        learner: str = "alice",
        on_time: bool = True,
        late_credit: float = 1.0,
    ) -> SubmissionRecord:
        body = learner_bytes() if content is None else content
        now = datetime.now(UTC)
        return store.add_submission(assignment["id"], learner, filename, body, now, on_time, late_credit)

    return add
