"""nbgrader's scoring rules, and the statuses that keep 'could not run' apart from a score."""

from __future__ import annotations

import pytest

from grader.cells import Role
from grader.execution import CellRun
from grader.rubric import GradeCell
from grader.scoring import score_manual, score_test
from tests.builders import error_run, ok_run, result_run

CELL = GradeCell("nb.ipynb", "t1", 2.0, Role.TEST)


def test_clean_run_gets_full_points() -> None:
    result = score_test(CELL, ok_run())
    assert (result.score, result.status) == (2.0, "passed")


def test_assertion_error_scores_zero_and_is_failed() -> None:
    result = score_test(CELL, error_run("AssertionError"))
    assert (result.score, result.status) == (0.0, "failed")


def test_other_exception_scores_zero_and_is_error() -> None:
    result = score_test(CELL, error_run("NameError"))
    assert (result.score, result.status) == (0.0, "error")


def test_stderr_output_scores_zero_like_nbgrader() -> None:
    run = CellRun(
        "ok", ({"output_type": "stream", "name": "stderr", "text": "warn"},), attestation="verified"
    )
    assert score_test(CELL, run).score == 0.0


def test_numeric_result_gives_partial_credit() -> None:
    result = score_test(CELL, result_run("1.5"))
    assert (result.score, result.status) == (1.5, "partial")


def test_partial_credit_above_max_fails_closed() -> None:
    result = score_test(CELL, result_run("3"))
    assert (result.score, result.status) == (0.0, "error")


def test_non_numeric_result_is_full_credit() -> None:
    assert score_test(CELL, result_run("'hello'")).score == 2.0


def test_timeout_and_not_run_are_statuses_not_passes() -> None:
    assert score_test(CELL, CellRun("timeout")).status == "timeout"
    assert score_test(CELL, None).status == "not_run"
    assert score_test(CELL, CellRun("dead", detail="killed")).score == 0.0


def test_unanswered_manual_cell_scores_zero_answered_needs_a_person() -> None:
    manual = GradeCell("nb.ipynb", "m1", 2.0, Role.MANUAL)
    assert score_manual(manual, answered=False).score == 0.0
    answered = score_manual(manual, answered=True)
    assert (answered.score, answered.status) == (None, "needs_manual_grading")


@pytest.mark.parametrize("verdict", [None, "missing", "forged", "tampered", "unverifiable", "error"])
def test_a_pass_without_a_verified_attestation_fails_closed_and_is_flagged(verdict: str | None) -> None:
    result = score_test(CELL, CellRun("ok", attestation=verdict))  # type: ignore[arg-type]
    assert (result.score, result.status) == (0.0, "error")
    assert result.review


def test_tampering_flags_even_a_failing_test() -> None:
    result = score_test(CELL, CellRun("error", attestation="tampered", attestation_detail="modified: x"))
    assert result.score == 0.0 and "tampered" in result.review


def test_a_lost_sandbox_is_flagged_not_silently_zero() -> None:
    result = score_test(CELL, CellRun("lost", detail="the sandbox stopped answering"))
    assert result.status == "error" and result.review
