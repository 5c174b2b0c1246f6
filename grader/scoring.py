"""Scoring one grade cell the nbgrader way, from what its run produced.

nbgrader's rules: a test cell that errors or writes to stderr scores 0; a test whose result
is a single number gets that many points (partial credit); any other clean run gets full
points; a manually graded answer left as the starter code scores 0, otherwise a person
grades it. Beyond nbgrader, a cell that did not run, timed out or crashed the kernel says
so in its status: "could not run" is never silently a pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Literal

from grader.execution import CellRun
from grader.rubric import GradeCell

CellStatus = Literal[
    "passed",
    "partial",
    "failed",
    "error",
    "timeout",
    "not_run",
    "needs_manual_grading",
    "graded_by_instructor",
]


@dataclass(frozen=True)
class CellResult:
    notebook: str
    grade_id: str
    score: float | None
    max_score: float
    status: CellStatus
    message: str = ""
    review: str = ""  # why an instructor should look at this cell; empty when nothing is odd

    def to_dict(self) -> dict[str, Any]:
        return {
            "review": self.review,
            "notebook": self.notebook,
            "grade_id": self.grade_id,
            "score": self.score,
            "max_score": self.max_score,
            "status": self.status,
            "message": self.message,
        }


SUSPICIOUS = ("forged", "tampered", "missing", "unverifiable", "refused")


def score_test(cell: GradeCell, run: CellRun | None) -> CellResult:
    def result(score: float, status: CellStatus, message: str = "", review: str = "") -> CellResult:
        return CellResult(cell.notebook, cell.grade_id, score, cell.points, status, message, review)

    if run is None or run.status == "not_run":
        return result(0.0, "not_run", "this test did not run")
    if run.status == "lost":
        return result(
            0.0, "error", run.detail or "the sandbox stopped answering", review=run.detail or "sandbox lost"
        )
    if run.attestation == "refused":
        why = f"the judge refused what the learner's code gave this test: {run.attestation_detail}"
        return result(
            0.0, "error", "this test was given something it cannot trust and was not counted", review=why
        )
    if run.attestation in SUSPICIOUS:
        why = f"the grader could not verify this test ({run.attestation}: {run.attestation_detail})"
        return result(0.0, "error", "this test could not be verified and was not counted", review=why)
    if run.status == "ok" and run.attestation != "verified":
        why = f"the kernel reported success but the test's own record says {run.attestation or 'nothing'}"
        return result(0.0, "error", "this test could not be verified and was not counted", review=why)
    if run.status in ("timeout", "timeout_restarted"):
        return result(0.0, "timeout", "this test ran out of time")
    if run.status == "dead":
        return result(0.0, "error", run.detail or "the kernel died while this test ran")
    error = next((o for o in run.outputs if o.get("output_type") == "error"), None)
    if run.status == "error" or error is not None:
        name = (error or {}).get("ename", "Error")
        return result(0.0, "failed" if name == "AssertionError" else "error", f"{name} raised")
    if any(o.get("output_type") == "stream" and o.get("name") == "stderr" for o in run.outputs):
        return result(0.0, "failed", "the test wrote to stderr")
    value = _partial_value(run.outputs)
    if value is None:
        return result(cell.points, "passed")
    if value > cell.points:
        return result(
            0.0, "error", f"the test reported {value:g} points, more than the cell's {cell.points:g}"
        )
    return result(value, "passed" if value == cell.points else "partial", f"partial credit: {value:g}")


def score_manual(cell: GradeCell, answered: bool, deleted: bool = False) -> CellResult:
    """A starter answer left as it was scores 0; a deleted answer cell goes to a person, as in nbgrader."""
    if deleted:
        why = "the learner deleted this answer cell: look for the answer elsewhere in the notebook"
        return CellResult(
            cell.notebook, cell.grade_id, None, cell.points, "needs_manual_grading", why, review=why
        )
    if not answered and cell.points:
        return CellResult(cell.notebook, cell.grade_id, 0.0, cell.points, "failed", "no answer was given")
    return CellResult(cell.notebook, cell.grade_id, None, cell.points, "needs_manual_grading")


def for_a_person(result: CellResult, why: str) -> CellResult:
    """A cell of a notebook we could not match: what the machine found becomes advice to a person.

    nbgrader finds none of the notebook's grade cells and leaves every one to a person; the
    source's tests still ran here, and their result is kept in the message for that person.
    """
    if result.status == "needs_manual_grading":
        return replace(result, review=result.review or why)
    found = f"the source's test gave {result.score or 0:g} of {result.max_score:g} ({result.status})"
    return replace(
        result,
        score=None,
        status="needs_manual_grading",
        message=f"{found}; a person must confirm",
        review=why,
    )


def score_not_submitted(cell: GradeCell) -> CellResult:
    """nbgrader's score for every cell of a notebook missing from the submission."""
    return CellResult(
        cell.notebook, cell.grade_id, 0.0, cell.points, "not_run", "this notebook was not submitted"
    )


def _partial_value(outputs: tuple[dict[str, Any], ...]) -> float | None:
    """nbgrader's partial credit: the first execute_result, if it is one non-negative number."""
    for output in outputs:
        if output.get("output_type") != "execute_result":
            continue
        text = output.get("data", {}).get("text/plain", "")
        if isinstance(text, list):
            if len(text) != 1:
                return None
            text = text[0]
        try:
            value = float(text)
        except (TypeError, ValueError):
            return None
        return value if math.isfinite(value) and value >= 0 else None
    return None
