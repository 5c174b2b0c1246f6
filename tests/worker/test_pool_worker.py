"""The pool worker waits for a spare sandbox only while nothing urgent is queued, and never because Redis is away."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from worker.pool_worker import SPARE_WAIT, PoolWorker


class FakeQueue:
    def __init__(self, count: int = 0, fault: Exception | None = None) -> None:
        self._count, self.fault = count, fault

    @property
    def count(self) -> int:
        if self.fault is not None:
            raise self.fault
        return self._count


def urgent(*queues: FakeQueue) -> bool:
    return PoolWorker.urgent_waiting(SimpleNamespace(urgent_queues=list(queues)))  # type: ignore[arg-type]


def test_an_exam_or_a_delivery_queued_is_urgent() -> None:
    assert urgent(FakeQueue(0), FakeQueue(1)) is True
    assert urgent(FakeQueue(0), FakeQueue(0)) is False


def test_when_redis_cannot_say_the_worker_stops_waiting() -> None:
    assert urgent(FakeQueue(fault=RedisConnectionError("down"))) is True
    assert urgent(FakeQueue(fault=RedisTimeoutError("slow"))) is True


def test_before_each_job_it_waits_for_a_spare_at_most_spare_wait(monkeypatch: Any) -> None:
    waited: list[Any] = []
    pool = SimpleNamespace(wait_for_spare=lambda until, most: waited.append((until, most)))
    worker = PoolWorker.__new__(PoolWorker)  # no RQ connection needed: only the wait is under test
    worker.pool = pool  # type: ignore[assignment]
    worker.urgent_queues = []
    monkeypatch.setattr(
        "worker.prompt_stop.InProcessWorker.dequeue_job_and_maintain_ttl", lambda self, t, m=None: "job"
    )
    assert worker.dequeue_job_and_maintain_ttl(5) == "job"
    assert waited == [(worker.urgent_waiting, SPARE_WAIT)]
