"""Warming a process up grades a small assignment through the real pipeline, running nothing."""

from __future__ import annotations

from typing import Any

import pytest

import grader.warmup as warmup


def test_the_warm_up_grade_goes_through_the_pipeline_to_a_full_score(monkeypatch: pytest.MonkeyPatch) -> None:
    graded: list[Any] = []
    real = warmup.grade

    def spy(*args: Any, **kwargs: Any) -> Any:
        graded.append(real(*args, **kwargs))
        return graded[-1]

    monkeypatch.setattr(warmup, "grade", spy)
    warmup.warm_up()
    (result,) = graded
    assert result.report.max_score == 1 and result.report.score == 1
    assert [cell.status for cell in result.report.cells] == ["passed"]


def test_the_dry_run_session_runs_no_code() -> None:
    session = warmup._DryRun()
    run = session.run_cell("import os; os._exit(1)", 1, attest=True)
    assert run.status == "ok" and run.attestation == "verified"
    assert session.run_test("raise SystemExit", 1).status == "ok"
