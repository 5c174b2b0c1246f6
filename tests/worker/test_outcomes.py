"""Grading outcomes: counted in one shared Redis hash, only known outcomes, and counting never stops a grade."""

from __future__ import annotations

from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from worker.outcomes import OUTCOMES, count_outcome, read_outcomes


class DownRedis:
    def hincrby(self, *args: Any) -> None:
        raise RedisConnectionError("connection refused")


def test_an_unknown_outcome_is_a_bug_and_refused() -> None:
    with pytest.raises(ValueError, match="unknown outcome 'great'"):
        count_outcome(DownRedis(), "p", "great")  # type: ignore[arg-type]


def test_a_redis_that_cannot_count_is_logged_and_the_grade_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    count_outcome(DownRedis(), "p", "graded")  # type: ignore[arg-type]
    assert "could not count outcome graded" in caplog.text


@pytest.mark.redis
def test_every_process_adds_to_the_same_counts_kept_per_prefix(redis_conn: Any) -> None:
    count_outcome(redis_conn, "a", "graded")
    count_outcome(redis_conn, "a", "graded", 2)
    count_outcome(redis_conn, "b", "abandoned")
    counts = read_outcomes(redis_conn, "a")
    assert list(counts) == list(OUTCOMES) and counts["graded"] == 3 and counts["abandoned"] == 0
    assert read_outcomes(redis_conn, "b")["abandoned"] == 1
