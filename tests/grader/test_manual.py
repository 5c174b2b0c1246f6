"""Carrying a person's scores into a machine's regrade: which cells, at what score, what the learner reads."""

from __future__ import annotations

from grader.manual import carry_hand_grades, change_cell_score, keep_hand_grades
from grader.report import GradeReport
from grader.scoring import CellResult
from grader.stored_report import StoredReport

MACHINE = GradeReport(
    cells=(
        CellResult("hw.ipynb", "q1", 1.0, 2.0, "partial"),
        CellResult("hw.ipynb", "essay", None, 3.0, "needs_manual_grading"),
        CellResult("hw.ipynb", "plot", None, 2.0, "needs_manual_grading"),
    ),
    max_score=7.0,
    rubric_version="r1",
    late_credit=0.5,
    on_time=False,
)


def graded_essay(score: float = 3.0) -> GradeReport:
    report, _ = change_cell_score(MACHINE, "essay", score, "prof", "well argued")
    return report


def test_a_person_graded_cell_is_kept_and_the_machines_cells_are_new() -> None:
    rerun = GradeReport(
        cells=(CellResult("hw.ipynb", "q1", 2.0, 2.0, "passed"), *MACHINE.cells[1:]),
        max_score=7.0,
        rubric_version="r2",
        late_credit=0.5,
        on_time=False,
    )
    kept, carried = carry_hand_grades(rerun, graded_essay())
    assert [c.grade_id for c in carried] == ["essay"]
    assert [(c.grade_id, c.score, c.status) for c in kept.cells] == [
        ("q1", 2.0, "passed"),
        ("essay", 3.0, "graded_by_instructor"),
        ("plot", None, "needs_manual_grading"),
    ]
    assert "prof" in kept.cells[1].message and "well argued" in kept.cells[1].message
    assert (kept.score, kept.rubric_version, kept.needs_manual_grading) == (
        2.5,
        "r2",
        True,
    )  # late credit still applies


def test_a_fix_that_lowers_a_cells_points_caps_the_kept_score() -> None:
    fixed = GradeReport(
        cells=(MACHINE.cells[0], CellResult("hw.ipynb", "essay", None, 2.0, "needs_manual_grading")),
        max_score=4.0,
        rubric_version="r2",
    )
    kept, _ = carry_hand_grades(fixed, graded_essay(3.0))
    assert (kept.cells[1].score, kept.cells[1].max_score) == (2.0, 2.0)


def test_a_cell_the_fix_removed_is_not_brought_back() -> None:
    fixed = GradeReport(cells=(MACHINE.cells[0],), max_score=2.0, rubric_version="r2")
    kept, carried = carry_hand_grades(fixed, graded_essay())
    assert carried == () and kept == fixed


def test_the_stored_form_keeps_the_report_as_it_came_when_nobody_graded_by_hand() -> None:
    legacy = StoredReport.from_json({"score": 2.0, "max_score": 2.0, "cells": []})  # older: fewer fields
    assert keep_hand_grades(legacy, "<p>fb</p>", StoredReport.of(MACHINE)) == (legacy, "<p>fb</p>")
    assert keep_hand_grades(legacy, "<p>fb</p>", None) == (legacy, "<p>fb</p>")
    assert keep_hand_grades(legacy, "", None)[0].to_dict() == {"score": 2.0, "max_score": 2.0, "cells": []}


def test_the_stored_form_shows_the_kept_score_and_who_gave_it_in_the_feedback() -> None:
    report, feedback = keep_hand_grades(
        StoredReport.of(MACHINE).amended(change={"kind": "regrade"}),
        "<p class='badge'>Score: 0.5 / 7</p><p>cells</p>",
        StoredReport.of(graded_essay()),
    )
    assert report.score == 2.0 and report.to_dict()["change"] == {"kind": "regrade"}
    assert report.find_cell("essay") == StoredReport.of(graded_essay()).find_cell("essay")
    assert (
        feedback.startswith("<p class='badge'>Score: 2 / 7</p>") and "kept from the earlier grade" in feedback
    )
    assert "well argued" in feedback and feedback.endswith("<p>cells</p>")


def test_the_stored_form_keeps_keys_the_grader_does_not_write_when_it_carries() -> None:
    machine = StoredReport.of(MACHINE).amended(added_later={"x": 1})
    report, _ = keep_hand_grades(machine, "", StoredReport.of(graded_essay()))
    assert report.to_dict()["added_later"] == {"x": 1} and list(report.to_dict())[-1] == "added_later"
