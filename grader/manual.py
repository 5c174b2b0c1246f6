"""An instructor's change to one cell's score: a new grade version, never an edit in place.

The autograder's report stays in the history as it was; the change makes a new report with
the cell's score replaced, its status ``graded_by_instructor``, and a ``change`` entry
saying who, why and what it was before. This is how cells that need manual grading get
their points, and how an instructor corrects a broken test for one learner.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import replace
from typing import Any

from grader.errors import BadInput, NotFound
from grader.report import GradeReport

BADGE = re.compile(r"<p class='badge'>Score: [^<]*</p>")


def change_cell_score(
    report: GradeReport, grade_id: str, score: float, author: str, reason: str
) -> tuple[GradeReport, dict[str, Any]]:
    """The new report and the ``change`` record to store with it; BadInput for a bad score or reason."""
    if not reason.strip():
        raise BadInput("a score change needs a reason (it is kept in the grade's history)")
    matches = [cell for cell in report.cells if cell.grade_id == grade_id]
    if not matches:
        raise NotFound(f"the grade has no cell with grade id {grade_id!r}")
    cell = matches[0]
    if not isinstance(score, int | float) or isinstance(score, bool) or not _finite(score):
        raise BadInput("score must be a number")
    if not 0 <= score <= cell.max_score:
        raise BadInput(f"score must be between 0 and {cell.max_score:g} for cell {grade_id!r}")
    changed = replace(cell, score=float(score), status="graded_by_instructor", message=f"graded by {author}: {reason}")
    cells = tuple(changed if c is cell else c for c in report.cells)
    change = {
        "kind": "manual",
        "grade_id": grade_id,
        "previous_score": cell.score,
        "previous_status": cell.status,
        "score": float(score),
        "author": author,
        "reason": reason.strip(),
    }
    return replace(report, cells=cells), change


def amend_feedback(feedback_html: str, report: GradeReport, change: dict[str, Any]) -> str:
    """The learner's feedback with the new total and a note of the change under it."""
    badge = f"<p class='badge'>Score: {report.score:g} / {report.max_score:g}</p>"
    note = (
        f"<p class='event'>{html.escape(str(change['grade_id']))}: "
        f"{html.escape(str(change['score']))} points, graded by {html.escape(str(change['author']))}: "
        f"{html.escape(str(change['reason']))}</p>"
    )
    if BADGE.search(feedback_html):
        return BADGE.sub(lambda _: badge + note, feedback_html, count=1)
    return badge + note + feedback_html


def _finite(value: float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer beyond float range
        return False
