"""Triage of a learner's regrade request: does the test give one outcome every time it runs?

The service re-runs the exact stored submission twice on the same image and rubric; this
compares the cell's outcome (score and status) in the stored grade and in both re-runs.
Any difference means the test itself is nondeterministic (unseeded randomness, timing),
which a person must know before answering: the learner's grade was partly luck.

A cell a person graded in the stored grade is left out of the comparison: its score is a
person's, not the test's, so it says nothing about whether the test is stable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from grader.stored_report import StoredReport

CONSISTENT = "consistent"
NONDETERMINISTIC = "nondeterministic"


@dataclass(frozen=True)
class CellOutcome:
    """What one grading said of the cell: all the triage compares, and what staff see of each run."""

    score: float | None
    max_score: float
    status: str
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        """As the triage's detail keeps it (the regrade request's ``triage`` in the API)."""
        return asdict(self)

    @property
    def by_person(self) -> bool:
        return self.status == "graded_by_instructor"


def cell_outcome(report: StoredReport | None, notebook: str, grade_id: str) -> CellOutcome | None:
    """The cell's score, maximum, status and message in ``report``; None when it has no such cell."""
    for cell in report.cells if report is not None else ():
        if cell.key == (notebook, grade_id):
            return CellOutcome(cell.score, cell.max_score, cell.status, cell.message)
    return None


def outcome_json(outcome: CellOutcome | None) -> dict[str, Any] | None:
    return outcome.to_dict() if outcome is not None else None


def verdict(stored: CellOutcome | None, runs: Sequence[CellOutcome | None]) -> str:
    """``nondeterministic`` when the re-runs differ from each other or from the stored machine grade."""
    compared = [*([] if stored is None or stored.by_person else [stored]), *runs]
    outcomes = {_key(o) for o in compared}
    return NONDETERMINISTIC if len(outcomes) > 1 else CONSISTENT


def _key(outcome: CellOutcome | None) -> tuple[Any, ...]:
    if outcome is None:
        return ("missing",)
    return (None if outcome.score is None else round(float(outcome.score), 6), outcome.status)
