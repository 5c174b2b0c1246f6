"""One learner's effective deadline for an assignment, and what work received at a moment earns.

The assignment's late policy is the same for everyone; a learner's ledger moves it: an
extension (scaled by an accommodation) and late days spent shift the deadline and every late
step after it by the same amount. At receipt (``may_spend``) late days left in the budget
cover lateness of up to that many whole days, spent on that assignment once; afterwards, a
stored submission is judged again with the late days its ledger records, never new ones.

Credit never rises with a later receipt and an extension never lowers it
(``tests/grader/test_deadline_properties.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from grader.late import LatePolicy, LateStep, as_utc
from grader.ledger import Ledger

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Verdict:
    """What work received at one moment means: on time or not, the share of credit kept, the
    deadline it was judged against, and the late days it spends (0 unless newly spent)."""

    on_time: bool
    credit: float
    due: datetime | None
    spend: int = 0
    late_days: int = 0  # late days in force for the assignment, this spend included

    @property
    def kind(self) -> str:
        if self.spend:
            return "late_days"
        if self.on_time:
            return "on_time"
        return "late" if self.credit > 0 else "no_credit"

    @property
    def statement(self) -> str:
        """The sentence a learner reads before uploading, and that is stored with the submission."""
        if self.spend:
            return f"uses {self.spend} late day{'s' if self.spend != 1 else ''}"
        if self.on_time:
            return "on time"
        if self.credit > 0:
            return f"{self.credit * 100:g}% credit"
        return "no credit (0%)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "statement": self.statement,
            "on_time": self.on_time,
            "credit": self.credit,
            "due": self.due.isoformat() if self.due else None,
            "late_days_spent": self.spend,
            "late_days_in_force": self.late_days,
        }


def judge(
    ledger: Ledger, assignment_id: str, policy: LatePolicy, received_at: datetime, may_spend: bool = False
) -> Verdict:
    """The verdict for work on ``assignment_id`` received at ``received_at`` under this ledger."""
    received_at = as_utc(received_at)
    if policy.due is None:
        return Verdict(True, 1.0, None)
    spent = ledger.spent.get(assignment_id, 0)
    shift = ledger.shift(assignment_id, policy.due) + spent * DAY
    due = policy.due + shift
    if received_at <= due:
        return Verdict(True, 1.0, due, late_days=spent)
    if may_spend and not spent:
        needed = math.ceil((received_at - due) / DAY)
        if needed <= ledger.days_left:
            return Verdict(True, 1.0, due + needed * DAY, spend=needed, late_days=needed)
    _, credit = shifted(policy, shift).credit_at(received_at)
    return Verdict(False, credit, due, late_days=spent)


def shifted(policy: LatePolicy, shift: timedelta) -> LatePolicy:
    """The policy with its deadline and every late step moved ``shift`` later."""
    if policy.due is None or not shift:
        return policy
    return LatePolicy(policy.due + shift, tuple(LateStep(s.after + shift, s.credit) for s in policy.steps))


def effective_due(ledger: Ledger, assignment_id: str, policy: LatePolicy) -> datetime | None:
    """The learner's deadline for the assignment as it stands (before any late day not yet spent)."""
    if policy.due is None:
        return None
    return policy.due + ledger.shift(assignment_id, policy.due) + ledger.spent.get(assignment_id, 0) * DAY
