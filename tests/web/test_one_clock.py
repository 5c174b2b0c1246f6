"""One clock for every host (issue 19): a web or worker host whose own clock is off judges by the database's.

The attack: a worker 10 minutes fast used to sweep a 5-minute exam moments after it
started, and a fast web host would stamp work as received late. Here every host's own
clock is 10 minutes fast (``service.clock.host_now`` skewed), the database (PostgreSQL,
whose time is asked) is right, and nothing is judged early or late.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from service import clock as clocks
from service.attempts import close_expired
from service.clock import DatabaseClock
from service.settings import Settings
from store import Store
from tests.web.api.test_exams import spec, upload
from tests.web.fakes import FakeEnqueuer
from web.app import create_app
from worker import context
from worker.sweeper import sweep_exam_attempts

pytestmark = pytest.mark.postgres
SKEW = timedelta(minutes=10)


def fast_host() -> datetime:
    return datetime.now(UTC) + SKEW


class FastDatetime(datetime):
    """``datetime`` as a host 10 minutes fast reads it."""

    @classmethod
    def now(cls, tz: Any = None) -> Any:
        return datetime.now(tz) + SKEW


# Every module of the web and the worker that has read (or reads) this host's clock.
HOST_CLOCK_READERS = (
    "service.clock",
    "web.handles",
    "worker.sweeper",
    "worker.tasks",
    "worker.deliveries",
    "worker.run",
)


@pytest.fixture
def pg_settings(tmp_path: Path, postgres_url: str) -> Settings:
    return Settings(
        data_dir=str(tmp_path),
        database_url=postgres_url,
        admin_token="admin-secret",
        redis_url="redis://127.0.0.1:1/0",
    )


@pytest.fixture
def fast_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in HOST_CLOCK_READERS:
        monkeypatch.setattr(f"{module}.datetime", FastDatetime, raising=False)
    assert clocks.host_now() - datetime.now(UTC) > SKEW - timedelta(seconds=5)


@pytest.fixture
def worker_context(pg_settings: Settings) -> Iterator[context.WorkerContext]:
    ctx = context.WorkerContext(pg_settings, worker_name="fast-worker")
    ctx._made["enqueuer"] = (os.getpid(), FakeEnqueuer())  # no Redis: the sweep only reschedules
    context.install(ctx)
    yield ctx
    ctx.store.dispose()


def test_a_fast_web_host_and_a_fast_worker_close_no_exam_early(
    pg_settings: Settings, fast_hosts: None, worker_context: context.WorkerContext
) -> None:
    enqueuer = FakeEnqueuer()
    app = create_app(pg_settings, enqueuer=enqueuer)  # no injected clock: the app's own
    store: Store = app.extensions["autograde"].store
    client = app.test_client()
    instructor, _ = store.create_token("instructor", "prof", ["ds101"])
    learner, _ = store.create_token("learner", "alice", ["ds101"])
    now = store.now()
    window = {
        "opens": (now - timedelta(hours=1)).isoformat(),
        "closes": (now + timedelta(hours=3)).isoformat(),
    }
    exam = upload(
        client, {"Authorization": f"Bearer {instructor}"}, spec(time_limit_minutes=5, window=window)
    )
    assert exam.status_code == 201, exam.json
    started = client.post(
        f"/api/v1/exams/{exam.json['id']}/attempts", headers={"Authorization": f"Bearer {learner}"}
    )
    assert started.status_code == 201, started.json
    attempt: dict[str, Any] = started.json
    deadline = datetime.fromisoformat(attempt["deadline_at"])
    assert abs(deadline - (store.now() + timedelta(minutes=5))) < timedelta(seconds=30)  # not 15 minutes away

    assert sweep_exam_attempts()["closed"] == []  # the worker's clock is 10 minutes fast
    assert store.get_attempt(attempt["id"]).state == "started"
    # What the worker would have done on its own clock: closed the attempt at once.
    assert close_expired(store, enqueuer, fast_host()) == [attempt["id"]]


def test_the_database_clock_corrects_the_hosts_offset_and_outlives_an_outage() -> None:
    database = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    host = [database + SKEW]
    ticks = [0.0]
    answers: list[Any] = [database]

    def database_now() -> datetime:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    from grader.errors import StorageError

    clock = DatabaseClock(database_now, local=lambda: host[0], refresh=30, monotonic=lambda: ticks[0])
    assert clock() == database
    host[0] += timedelta(seconds=5)
    ticks[0] = 5
    assert clock() == database + timedelta(seconds=5)  # not asked again within the refresh
    ticks[0], host[0] = 40, host[0] + timedelta(seconds=35)
    answers.append(StorageError("database away"))
    assert clock() == database + timedelta(seconds=40)  # the last offset stands
    assert clock.offset == -SKEW
