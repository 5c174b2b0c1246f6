"""``autograde grade`` and the command line's entry: exit codes, messages and the JSON contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autograde.cli import EXIT_BAD_INPUT, format_report, main
from grader.report import GradeReport
from tests.builders import report_cell, report_dict
from tests.conftest import EXAMPLES, SANDBOX_IMAGE

ARRAYS = EXAMPLES / "assignments" / "arrays" / "arrays.ipynb"
TABLE = """cell                                   score    max  status
test_answer                                2      2  passed
essay                                      -      3  needs_manual_grading
total                                      1      5
note: kernel restarted"""


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOGRADE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AUTOGRADE_SANDBOX_IMAGE", SANDBOX_IMAGE)
    monkeypatch.setenv("AUTOGRADE_CELL_TIMEOUT", "5")


def test_grade_refuses_a_file_that_is_not_a_notebook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.ipynb"
    bad.write_text("not json")
    assert main(["grade", "--source", str(ARRAYS), str(bad)]) == EXIT_BAD_INPUT
    assert "not a JSON document" in capsys.readouterr().err


def test_grade_reports_a_missing_file_clearly(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", "--source", "nowhere.ipynb", str(ARRAYS)]) == EXIT_BAD_INPUT
    assert "cannot read nowhere.ipynb" in capsys.readouterr().err


def test_bad_setting_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AUTOGRADE_CELL_TIMEOUT", "soon")
    assert main(["grade", "--source", str(ARRAYS), str(ARRAYS)]) == EXIT_BAD_INPUT
    assert "AUTOGRADE_CELL_TIMEOUT" in capsys.readouterr().err


@pytest.mark.docker
def test_grade_json_has_the_contract_fields(docker_client, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    submission = EXAMPLES / "submissions" / "bob" / "arrays.ipynb"
    assert main(["grade", "--json", "--source", str(ARRAYS), str(submission)]) == 0
    report = json.loads(capsys.readouterr().out)
    expected = next(
        s["expect"]
        for s in json.loads((EXAMPLES / "course.json").read_text())["submissions"]
        if s["learner"] == "bob" and s["assignment"] == "arrays"
    )
    assert (report["score"], report["max_score"]) == (expected["score"], expected["max_score"])
    assert {"grade_id", "score", "max_score", "status"} <= set(report["cells"][0])


def test_the_table_gives_each_cell_the_late_total_and_the_notes() -> None:
    cells = (
        report_cell("test_answer", 2.0, 2.0, "passed"),
        report_cell("essay", None, 3.0, "needs_manual_grading"),
    )
    late = report_dict(*cells, max_score=5.0, on_time=False, late_credit=0.5, events=["kernel restarted"])
    report = GradeReport.from_dict(late)  # the score is the report's own: late credit applied
    assert format_report(report) == TABLE
