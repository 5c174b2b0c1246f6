"""Triage of a learner's regrade request: does the test give one outcome every time it runs?

The service re-runs the exact stored submission twice on the same image and rubric; this
compares the cell's outcome (score and status) in the stored grade and in both re-runs.
Any difference means the test itself is nondeterministic (unseeded randomness, timing),
which a person must know before answering: the learner's grade was partly luck.

A cell a person graded in the stored grade is left out of the comparison: its score is a
person's, not the test's, so it says nothing about whether the test is stable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

CONSISTENT = "consistent"
NONDETERMINISTIC = "nondeterministic"


def cell_outcome(report: Mapping[str, Any] | None, notebook: str, grade_id: str) -> dict[str, Any] | None:
    """The cell's score, maximum, status and message in ``report``; None when it has no such cell."""
    for cell in (report or {}).get("cells", []):
        if cell.get("notebook") == notebook and cell.get("grade_id") == grade_id:
            return {
                "score": cell.get("score"),
                "max_score": cell.get("max_score"),
                "status": cell.get("status"),
                "message": cell.get("message", ""),
            }
    return None


def verdict(stored: Mapping[str, Any] | None, runs: Sequence[Mapping[str, Any] | None]) -> str:
    """``nondeterministic`` when the re-runs differ from each other or from the stored machine grade."""
    compared = [
        *([] if stored is None or stored.get("status") == "graded_by_instructor" else [stored]),
        *runs,
    ]
    outcomes = {_key(o) for o in compared}
    return NONDETERMINISTIC if len(outcomes) > 1 else CONSISTENT


def _key(outcome: Mapping[str, Any] | None) -> tuple[Any, ...]:
    if outcome is None:
        return ("missing",)
    score = outcome.get("score")
    return (None if score is None else round(float(score), 6), outcome.get("status"))
