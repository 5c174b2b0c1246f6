"""Late policies are judged at receipt time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from grader.errors import BadInput
from grader.late import parse_policy

POLICY = parse_policy(
    "2026-12-01T12:00:00Z",
    '[{"after": "2026-12-01T12:00:00Z", "credit": 80}, {"after": "2026-12-03T12:00:00Z", "credit": 0}]',
)


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def test_on_time_at_the_deadline_exactly() -> None:
    assert POLICY.credit_at(at(1)) == (True, 1.0)


def test_each_step_after_the_deadline_lowers_credit() -> None:
    assert POLICY.credit_at(at(1, 12, 1)) == (False, 0.8)
    assert POLICY.credit_at(at(4)) == (False, 0.0)


@pytest.mark.parametrize(
    "steps",
    [
        '[{"after": "2026-11-01T00:00:00Z", "credit": 50}]',
        '[{"after": "x", "credit": 50}]',
        '[{"credit": 50}]',
        '[{"after": "2026-12-02T00:00:00Z", "credit": 150}]',
    ],
)
def test_bad_policies_are_refused(steps: str) -> None:
    with pytest.raises(BadInput):
        parse_policy("2026-12-01T12:00:00Z", steps)
