"""An instructor's cell score change makes a new report; bad changes are refused."""

from __future__ import annotations

import pytest

from grader.errors import BadInput, NotFound
from grader.manual import amend_feedback, change_cell_score
from grader.report import GradeReport
from grader.scoring import CellResult

REPORT = GradeReport(
    cells=(
        CellResult("hw.ipynb", "q1", 1.0, 1.0, "passed"),
        CellResult("hw.ipynb", "essay", None, 3.0, "needs_manual_grading"),
    ),
    max_score=4.0,
    rubric_version="r1",
    late_credit=0.5,
    on_time=False,
)


def test_a_manual_score_fills_the_cell_and_the_total_keeps_late_credit() -> None:
    changed, change = change_cell_score(REPORT, "essay", 2.5, "prof", "good argument")
    assert changed.raw_score == 3.5 and changed.score == 1.75
    assert not changed.needs_manual_grading
    cell = next(c for c in changed.cells if c.grade_id == "essay")
    assert (cell.score, cell.status) == (2.5, "graded_by_instructor")
    assert change == {
        "kind": "manual",
        "grade_id": "essay",
        "previous_score": None,
        "previous_status": "needs_manual_grading",
        "score": 2.5,
        "author": "prof",
        "reason": "good argument",
    }
    assert REPORT.cells[1].score is None, "the old report is unchanged"


@pytest.mark.parametrize(
    ("grade_id", "score", "reason", "error"),
    [
        ("essay", 3.5, "too generous", BadInput),
        ("essay", -1, "negative", BadInput),
        ("essay", float("nan"), "nan", BadInput),
        ("essay", "2", "a string", BadInput),
        ("essay", True, "a bool", BadInput),
        ("essay", 1, "   ", BadInput),
        ("nope", 1, "no such cell", NotFound),
    ],
)
def test_bad_changes_are_refused(grade_id: str, score: object, reason: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        change_cell_score(REPORT, grade_id, score, "prof", reason)  # type: ignore[arg-type]


def test_feedback_shows_the_new_total_and_an_escaped_note() -> None:
    changed, change = change_cell_score(REPORT, "essay", 3, "prof", "<b>well</b> done")
    html = amend_feedback("<h1>hw</h1><p class='badge'>Score: 0.5 / 4</p><p>cells</p>", changed, change)
    assert "Score: 2 / 4" in html and "Score: 0.5 / 4" not in html
    assert "&lt;b&gt;well&lt;/b&gt;" in html and "<b>well" not in html
