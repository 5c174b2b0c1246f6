"""Retry timing for result deliveries: growing waits with jitter, inside their bounds, then a stop."""

from __future__ import annotations

import random

import pytest

from integrations.backoff import RetryPolicy


def test_backoff_grows_with_jitter_inside_its_bounds_then_gives_up() -> None:
    policy = RetryPolicy(base=30, cap=3600, max_attempts=12)
    rng = random.Random(7)
    for attempts in range(1, 12):
        ceiling = min(3600, 30 * 2 ** (attempts - 1))
        waits = [policy.delay(attempts, rng) for _ in range(50)]
        assert all(w is not None and ceiling / 2 <= w <= ceiling for w in waits)
        assert len({round(w or 0, 3) for w in waits}) > 1, "no jitter"
    assert policy.delay(12, rng) is None
    assert 5 * 3600 < policy.budget() < 8 * 3600  # "over hours"


def test_the_cap_holds_the_wait_and_a_first_failure_waits_about_the_base() -> None:
    policy = RetryPolicy(base=10, cap=40, max_attempts=100)
    rng = random.Random(1)
    assert all(5 <= (policy.delay(1, rng) or 0) <= 10 for _ in range(50))
    assert all(20 <= (policy.delay(n, rng) or 0) <= 40 for n in range(3, 99))
    assert policy.budget() == pytest.approx(10 + 20 + 40 * 97)


@pytest.mark.parametrize("attempts", [0, -1])
def test_no_attempt_yet_waits_the_first_retry_s_time(attempts: int) -> None:
    policy = RetryPolicy(base=30, cap=3600, max_attempts=12)
    assert 15 <= (policy.delay(attempts, random.Random(3)) or 0) <= 30
