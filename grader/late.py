"""Late policies: on-time is judged at receipt, and late work earns a stated share of credit."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from grader.errors import BadInput


@dataclass(frozen=True)
class LateStep:
    after: datetime
    credit: float  # percent of the score kept for work received after ``after``


@dataclass(frozen=True)
class LatePolicy:
    """``due`` is the deadline; each step lowers the credit for work received after it."""

    due: datetime | None = None
    steps: tuple[LateStep, ...] = ()

    def credit_at(self, received_at: datetime) -> tuple[bool, float]:
        """(on time?, fraction of credit kept) for a submission received at ``received_at``."""
        received_at = as_utc(received_at)
        if self.due is None or received_at <= self.due:
            return True, 1.0
        credit = 100.0
        for step in sorted(self.steps, key=lambda s: s.after):
            if received_at > step.after:
                credit = step.credit
        return False, credit / 100.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "due": self.due.isoformat() if self.due else None,
            "late_policy": [{"after": s.after.isoformat(), "credit": s.credit} for s in self.steps],
        }


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_time(value: str, field: str) -> datetime:
    try:
        return as_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError as exc:
        raise BadInput(f"{field}: {value!r} is not an ISO 8601 date and time") from exc
    except OverflowError:  # year 1 or 9999 moved across midnight by its offset
        raise BadInput(f"{field}: {value!r} is outside the calendar once converted to UTC") from None


def parse_policy(due: str | None, steps: str | Sequence[Any] | None) -> LatePolicy:
    """Build a policy from form or JSON input, e.g. ``[{"after": "...", "credit": 50}]``."""
    due_at = parse_time(due, "due") if due else None
    if isinstance(steps, str):
        try:
            steps = json.loads(steps) if steps.strip() else []
        except ValueError as exc:
            raise BadInput(f"late_policy: not JSON ({exc})") from exc
    if steps is not None and not isinstance(steps, list | tuple):
        raise BadInput(
            'late_policy must be a list of steps, e.g. [{"after": "2030-03-09T12:00:00Z", "credit": 50}]'
        )
    parsed = []
    for i, item in enumerate(steps or []):
        if not isinstance(item, dict) or "after" not in item or "credit" not in item:
            raise BadInput(f"late_policy[{i}]: needs 'after' (a date) and 'credit' (a percentage)")
        credit = item["credit"]
        if isinstance(credit, bool) or not isinstance(credit, int | float) or not 0 <= credit <= 100:
            raise BadInput(f"late_policy[{i}].credit must be a number from 0 to 100")
        parsed.append(LateStep(parse_time(str(item["after"]), f"late_policy[{i}].after"), float(credit)))
    if parsed and due_at is None:
        raise BadInput("late_policy needs a due date")
    if due_at is not None and any(step.after < due_at for step in parsed):
        raise BadInput("late_policy: every step must come after the due date")
    return LatePolicy(due_at, tuple(parsed))
