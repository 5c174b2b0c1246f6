"""Stored work under a changed due date or late policy: whose lateness changes, and their grades restated.

Lateness is judged once, at receipt (``grader.late``); when staff change the terms
afterwards, each stored submission is judged again at the time it was received. A graded
one gets its grade restated: the same points, scaled by the new credit, with the feedback's
total and deadline note to match. Nothing here stores anything; the store applies it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from grader.late import LatePolicy
from grader.manual import BADGE
from grader.stored_report import StoredReport

LATE_NOTE = re.compile(r"<p>Received after the deadline: [^<]*</p>")


@dataclass(frozen=True)
class StoredWork:
    """One stored submission as lateness sees it; ``report`` is the grade in force (None before one)."""

    submission_id: str
    learner: str
    received_at: datetime
    status: str
    on_time: bool
    late_credit: float
    report: StoredReport | None = None


Judge = Callable[[StoredWork], tuple[bool, float]]  # (on time?, credit) for stored work, judged again


def under_policy(policy: LatePolicy) -> Judge:
    """Judging stored work by the assignment's policy alone (``grader.ledger_change.under_ledgers``
    adds each learner's ledger)."""
    return lambda work: policy.credit_at(work.received_at)


@dataclass(frozen=True)
class CreditChange:
    """A submission whose lateness the new terms change; scores are None for work not graded."""

    submission_id: str
    learner: str
    status: str
    old_on_time: bool
    new_on_time: bool
    old_credit: float
    new_credit: float
    old_score: float | None
    new_score: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def credit_changes(judge: Judge, work: Iterable[StoredWork]) -> list[CreditChange]:
    """Every submission whose (on time, credit) differs as ``judge`` sees it, in the order given."""
    changes = []
    for item in work:
        on_time, credit = judge(item)
        if (on_time, credit) == (item.on_time, item.late_credit):
            continue
        graded = item.report if item.status == "graded" else None
        old_score = float(graded.score) if graded is not None else None
        new_score = (
            float(restate_lateness(graded, "", on_time, credit)[0].score) if graded is not None else None
        )
        changes.append(
            CreditChange(
                item.submission_id,
                item.learner,
                item.status,
                item.on_time,
                on_time,
                item.late_credit,
                credit,
                old_score,
                new_score,
            )
        )
    return changes


def restate_lateness(
    report: StoredReport, feedback_html: str, on_time: bool, credit: float
) -> tuple[StoredReport, str]:
    """The report and feedback with this lateness; as they came when it is already theirs.

    The points earned stay; only the share of them kept changes. A report that predates the
    lateness fields counts as on time with full credit (as ``StoredReport`` reads it).
    """
    if (report.on_time, report.late_credit) == (on_time, credit):
        return report, feedback_html
    raw = raw_points(report)
    restated = report.amended(
        on_time=on_time, late_credit=credit, raw_score=raw, score=round(raw * credit, 6)
    )
    return restated, restate_feedback(feedback_html, restated)


def raw_points(report: StoredReport) -> float:
    """The points before late credit: kept in every report the worker writes, else summed from the cells."""
    if report.raw_score is not None:
        return float(report.raw_score)
    if report.cells:
        return round(sum(float(c.score) for c in report.cells if c.score is not None), 6)
    credit = float(report.late_credit)
    return float(report.score) / credit if credit else 0.0


def restate_feedback(feedback_html: str, report: StoredReport) -> str:
    """The total badge with the new score, and the deadline note under it only for late work."""
    note = (
        ""
        if report.on_time
        else f"<p>Received after the deadline: {report.late_credit * 100:g}% of the credit kept.</p>"
    )
    badge = f"<p class='badge'>Score: {report.score:g} / {report.max_score:g}</p>"
    text = LATE_NOTE.sub("", feedback_html, count=1)
    if BADGE.search(text):
        return BADGE.sub(lambda _: badge + note, text, count=1)
    return badge + note + text
