"""The exams-in-flight signal: seen by every worker, cleared after each exam, expiring, and never a lock."""

from __future__ import annotations

import time
from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from worker.exams_in_flight import ExamsInFlight


class DownRedis:
    """Every command fails as an unreachable Redis does, at once."""

    def __getattr__(self, name: str) -> Any:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            raise RedisConnectionError("connection refused")

        return refuse


def test_when_redis_cannot_answer_nobody_waits_and_the_exam_still_runs() -> None:
    signal = ExamsInFlight(DownRedis(), "yield-test", ttl=5)  # type: ignore[arg-type]
    ran = []
    with signal.grading("exam-1"):
        ran.append(signal.busy())
    assert ran == [False]


@pytest.mark.redis
def test_an_exam_that_fails_mid_grade_is_still_cleared(redis_conn: Any) -> None:
    signal = ExamsInFlight(redis_conn, "yield-test", ttl=60)
    with pytest.raises(RuntimeError), signal.grading("exam-1"):
        raise RuntimeError("the sandbox died")
    assert not signal.busy() and redis_conn.zcard(signal.key) == 0


@pytest.mark.redis
def test_marks_are_kept_per_queue_prefix(redis_conn: Any) -> None:
    with ExamsInFlight(redis_conn, "course-a", ttl=60).grading("exam-1"):
        assert not ExamsInFlight(redis_conn, "course-b", ttl=60).busy()


@pytest.mark.redis
def test_exam_marks_are_seen_by_every_worker_cleared_after_and_expire(redis_conn: Any) -> None:
    signal = ExamsInFlight(redis_conn, "yield-test", ttl=0.5)
    other_worker = ExamsInFlight(redis_conn, "yield-test", ttl=0.5)
    assert not other_worker.busy()
    with signal.grading("exam-1"):
        assert other_worker.busy()
    assert not other_worker.busy()
    redis_conn.zadd(signal.key, {"killed-mid-grade": time.time() + 0.3})  # its worker never cleared it
    assert other_worker.busy()
    time.sleep(0.4)
    assert not other_worker.busy()


@pytest.mark.slow  # ~12 s: redis-py retries each refused command with backoff before it gives up
def test_without_redis_nobody_waits() -> None:
    from redis import Redis

    unreachable = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    signal = ExamsInFlight(unreachable, "yield-test", ttl=5)
    with signal.grading("exam-1"):
        assert signal.busy() is False
