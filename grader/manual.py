"""An instructor's change to one cell's score: a new grade version, never an edit in place.

The autograder's report stays in the history as it was; the change makes a new report with
the cell's score replaced, its status ``graded_by_instructor``, and a ``change`` entry
saying who, why and what it was before. This is how cells that need manual grading get
their points, and how an instructor corrects a broken test for one learner.

A regrade re-runs only what the machine grades: ``keep_hand_grades`` carries every cell a
person graded from the grade in force into the machine's new report, as nbgrader keeps
manual scores across ``autograde --force``.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import replace
from typing import Any

from grader.errors import BadInput, NotFound
from grader.report import GradeReport
from grader.scoring import CellResult
from grader.stored_report import StoredReport

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
    changed = replace(
        cell, score=float(score), status="graded_by_instructor", message=f"graded by {author}: {reason}"
    )
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


def carry_hand_grades(
    report: GradeReport, previous: GradeReport
) -> tuple[GradeReport, tuple[CellResult, ...]]:
    """``report`` with each cell a person graded in ``previous`` put back as they left it, and those cells.

    A cell is matched by notebook and grade id; a fixed source that lowered its points caps
    the person's score at the new maximum rather than give more than the cell is worth.
    """
    by_person = {(c.notebook, c.grade_id): c for c in previous.cells if c.status == "graded_by_instructor"}
    carried = tuple(
        replace(kept, score=min(kept.score or 0.0, cell.max_score), max_score=cell.max_score)
        for cell in report.cells
        if (kept := by_person.get((cell.notebook, cell.grade_id))) is not None
    )
    found = {(c.notebook, c.grade_id): c for c in carried}
    cells = tuple(found.get((c.notebook, c.grade_id), c) for c in report.cells)
    return replace(report, cells=cells), carried


def keep_hand_grades(
    report: StoredReport, feedback_html: str, previous: StoredReport | None
) -> tuple[StoredReport, str]:
    """The stored form of ``carry_hand_grades``: a machine's new report and feedback, given the
    report in force (None before the first grade). Every regrade path stores what this returns.

    A report with nothing to carry is returned as it came, so reports that predate a field
    of ``GradeReport`` are never rewritten; one with something to carry keeps every key it
    had that ``GradeReport`` does not write.
    """
    if previous is None or not any(c.status == "graded_by_instructor" for c in previous.cells):
        return report, feedback_html
    new, carried = carry_hand_grades(report.to_grade_report(), previous.to_grade_report())
    if not carried:
        return report, feedback_html
    return report.amended(**new.to_dict()), _note_kept(feedback_html, new, carried)


def _note_kept(feedback_html: str, report: GradeReport, carried: tuple[CellResult, ...]) -> str:
    """The machine's feedback with the total that counts and each kept cell's score and who gave it."""
    badge = f"<p class='badge'>Score: {report.score:g} / {report.max_score:g}</p>"
    notes = "".join(
        f"<p class='event'>{html.escape(cell.grade_id)}: {cell.score:g} points, kept from the earlier grade "
        f"({html.escape(cell.message)})</p>"
        for cell in carried
    )
    if BADGE.search(feedback_html):
        return BADGE.sub(lambda _: badge + notes, feedback_html, count=1)
    return badge + notes + feedback_html


def _finite(value: float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer beyond float range
        return False
