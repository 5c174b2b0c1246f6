"""The grade report: totals with late credit, when a person must look, and its stored form."""

from __future__ import annotations

from grader.report import GradeReport
from grader.scoring import CellResult


def cells(*results: tuple[float | None, float, str]) -> tuple[CellResult, ...]:
    return tuple(CellResult("hw.ipynb", f"c{i}", *result) for i, result in enumerate(results))  # type: ignore[arg-type]


REPORT = GradeReport(
    cells((1.0, 1.0, "passed"), (0.5, 2.0, "partial"), (None, 3.0, "needs_manual_grading")), 6.0, "v1"
)


def test_the_score_sums_graded_cells_and_late_credit_scales_it() -> None:
    assert REPORT.raw_score == 1.5 and REPORT.score == 1.5
    late = REPORT.with_lateness(False, 0.8)
    assert late.raw_score == 1.5 and late.score == 1.2 and not late.on_time
    assert REPORT.on_time and REPORT.late_credit == 1.0  # the original is unchanged


def test_float_noise_is_rounded_away() -> None:
    report = GradeReport(cells(*[(0.1, 1.0, "partial")] * 3), 3.0, "v1").with_lateness(True, 0.7)
    assert report.raw_score == 0.3 and report.score == 0.21


def test_a_cell_waiting_for_a_person_and_anything_odd_ask_for_a_look() -> None:
    assert REPORT.needs_manual_grading and not REPORT.needs_review
    flagged = GradeReport(cells((1.0, 1.0, "passed")), 1.0, "v1", flags=("sandbox lost",))
    odd_cell = GradeReport((CellResult("hw.ipynb", "t", 0.0, 1.0, "failed", "", "tampered"),), 1.0, "v1")
    assert flagged.needs_review and odd_cell.needs_review and not flagged.needs_manual_grading


def test_the_stored_form_reads_back_to_the_same_report() -> None:
    report = GradeReport(
        (CellResult("hw.ipynb", "t", 0.0, 1.0, "failed", "AssertionError", "odd"),),
        1.0,
        "v2",
        events=("restarted",),
        on_time=False,
        late_credit=0.5,
        flags=("x",),
        judge="judge",
    )
    stored = report.to_dict()
    assert stored["score"] == 0.0 and stored["needs_review"] and stored["cells"][0]["review"] == "odd"
    assert GradeReport.from_dict(stored) == report


def test_a_report_stored_before_the_newer_fields_reads_with_their_defaults() -> None:
    old = {
        "max_score": 1.0,
        "rubric_version": "v0",
        "cells": [
            {"notebook": "hw.ipynb", "grade_id": "t", "score": 1.0, "max_score": 1.0, "status": "passed"}
        ],
    }
    report = GradeReport.from_dict(old)
    assert report.judge == "in-process"  # graded before the judge existed
    assert (
        report.on_time and report.late_credit == 1.0 and report.flags == () and report.cells[0].review == ""
    )
