"""The exam sweeper (worker/sweeper.py): closes what ran out of time by the context's clock (the
database's, never the worker's own), and only the periodic sweep schedules the next one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.web.fakes import FakeEnqueuer
from worker import context, sweeper
from worker.queues import SWEEP_EVERY

DATABASE_NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)


@dataclass
class FakeContext:
    store: object = field(default_factory=object)
    enqueuer: FakeEnqueuer = field(default_factory=FakeEnqueuer)

    def clock(self) -> datetime:
        return DATABASE_NOW


@pytest.fixture
def ctx(monkeypatch: pytest.MonkeyPatch) -> tuple[FakeContext, list[tuple[Any, ...]]]:
    fake, closes = FakeContext(), []

    def close_expired(store: Any, enqueuer: Any, now: datetime) -> int:
        closes.append((store, enqueuer, now))
        return 2

    monkeypatch.setattr(context, "current", lambda: fake)
    monkeypatch.setattr(sweeper, "close_expired", close_expired)
    return fake, closes


def test_a_deadline_sweep_closes_by_the_contexts_clock_and_schedules_nothing(
    ctx: tuple[FakeContext, list[tuple[Any, ...]]],
) -> None:
    fake, closes = ctx
    assert sweeper.sweep_exam_attempts() == {"closed": 2}
    assert closes == [(fake.store, fake.enqueuer, DATABASE_NOW)]
    assert fake.enqueuer.sweeps == []


def test_the_periodic_sweep_schedules_the_next_from_the_contexts_clock(
    ctx: tuple[FakeContext, list[tuple[Any, ...]]],
) -> None:
    fake, closes = ctx
    assert sweeper.sweep_exam_attempts(periodic=True) == {"closed": 2}
    assert fake.enqueuer.sweeps == [DATABASE_NOW + timedelta(seconds=SWEEP_EVERY)]
    assert len(closes) == 1


def test_a_sweep_that_fails_to_close_does_not_reschedule(
    ctx: tuple[FakeContext, list[tuple[Any, ...]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The job fails and RQ retries it; a second chain of periodic sweeps is never started."""
    fake, _ = ctx

    def broken(*args: Any) -> int:
        raise ConnectionError("database gone")

    monkeypatch.setattr(sweeper, "close_expired", broken)
    with pytest.raises(ConnectionError):
        sweeper.sweep_exam_attempts(periodic=True)
    assert fake.enqueuer.sweeps == []
