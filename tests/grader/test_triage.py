"""The triage verdict: one outcome every time is consistent; any difference is nondeterministic."""

from __future__ import annotations

from grader.triage import CONSISTENT, NONDETERMINISTIC, CellOutcome, cell_outcome, outcome_json, verdict
from tests.builders import report_cell, stored_report


def outcome(score: float | None, status: str = "passed") -> CellOutcome:
    return CellOutcome(score, 2.0, status, "")


def test_the_same_outcome_three_times_is_consistent() -> None:
    assert verdict(outcome(2.0), [outcome(2.0), outcome(2.0)]) == CONSISTENT


def test_re_runs_that_differ_from_each_other_are_nondeterministic() -> None:
    assert verdict(outcome(2.0), [outcome(2.0), outcome(0.0, "failed")]) == NONDETERMINISTIC


def test_re_runs_that_agree_but_differ_from_the_stored_grade_are_nondeterministic() -> None:
    assert verdict(outcome(0.0, "failed"), [outcome(2.0), outcome(2.0)]) == NONDETERMINISTIC


def test_partial_credit_that_moves_is_nondeterministic() -> None:
    assert verdict(outcome(0.5, "partial"), [outcome(0.5, "partial"), outcome(0.75, "partial")]) == (
        NONDETERMINISTIC
    )


def test_a_cell_missing_from_one_run_is_nondeterministic() -> None:
    assert verdict(outcome(2.0), [outcome(2.0), None]) == NONDETERMINISTIC


def test_a_score_a_person_gave_is_not_compared_with_the_tests() -> None:
    person = outcome(1.0, "graded_by_instructor")
    assert verdict(person, [outcome(0.0, "failed"), outcome(0.0, "failed")]) == CONSISTENT


def test_cell_outcome_finds_the_cell_by_notebook_and_grade_id() -> None:
    report = stored_report(report_cell("test_answer", 1.5, 2.0, "partial"), score=1.5, max_score=2.0)
    notebook = report.cells[0].notebook
    found = cell_outcome(report, notebook, "test_answer")
    assert found is not None and (found.score, found.status) == (1.5, "partial")
    assert cell_outcome(report, notebook, "other") is None
    assert cell_outcome(report, "elsewhere.ipynb", "test_answer") is None
    assert cell_outcome(None, notebook, "test_answer") is None


def test_an_outcome_is_kept_as_the_stored_cell_said_it() -> None:
    report = stored_report(report_cell("t", 2, 2, "passed", message="ok"))
    found = cell_outcome(report, "hw.ipynb", "t")
    assert outcome_json(found) == {"score": 2, "max_score": 2, "status": "passed", "message": "ok"}
    assert outcome_json(None) is None
