"""The result body a platform receives: which event it is, and nothing of the hidden tests."""

from __future__ import annotations

from typing import Any

import pytest

from grader.stored_report import StoredReport
from integrations.payloads import CELL_FIELDS, event_for, result_payload

SUBMISSION = {
    "id": 7,
    "external_id": "lms-7",
    "learner": "alice",
    "sha256": "ab" * 32,
    "received_at": "2026-12-04T12:00:00+00:00",
    "on_time": True,
    "content": "the whole notebook",
}
ASSIGNMENT = {"id": 3, "course": "ds101", "name": "hw1", "sources": {"hw.ipynb": "the answers"}}
REPORT = StoredReport.from_json(
    {
        "score": 2.0,
        "max_score": 3.0,
        "cells": [
            {
                "notebook": "hw.ipynb",
                "grade_id": "t1",
                "score": 2.0,
                "max_score": 2.0,
                "status": "passed",
                "hidden_source": "assert secret() == 42",
                "outputs": [{"text": "AssertionError: expected 42"}],
            }
        ],
    }
)


def payload(
    version: int = 1, report: StoredReport | None = REPORT, error: str | None = None
) -> dict[str, Any]:
    return result_payload(
        "d-1", "lms", SUBMISSION, ASSIGNMENT, version, report, "2026-12-04T12:01:00+00:00", error
    )


@pytest.mark.parametrize(
    ("version", "graded", "event"),
    [
        (1, True, "grade.final"),
        (2, True, "grade.updated"),
        (1, False, "grade.failed"),
        (5, False, "grade.failed"),
    ],
)
def test_the_event_says_first_grade_regrade_or_failure(version: int, graded: bool, event: str) -> None:
    assert event_for(version, graded) == event


def test_cells_carry_only_their_id_points_and_status_never_hidden_tests_or_outputs() -> None:
    body = payload()
    assert body["grade"]["cells"] == [
        {"notebook": "hw.ipynb", "grade_id": "t1", "score": 2.0, "max_score": 2.0, "status": "passed"}
    ]
    assert set(body["grade"]["cells"][0]) == set(CELL_FIELDS)
    text = repr(body)
    assert "secret()" not in text and "AssertionError" not in text


def test_neither_the_notebook_nor_the_assignments_sources_are_sent() -> None:
    body = payload()
    assert set(body["submission"]) == {"id", "external_id", "learner", "sha256", "received_at", "on_time"}
    assert body["assignment"] == {"id": 3, "course": "ds101", "name": "hw1"}


def test_a_failure_has_no_grade_and_never_a_zero() -> None:
    body = payload(report=None, error="the sandbox could not start")
    assert body["event"] == "grade.failed" and body["grade"] is None
    assert body["error"] == "the sandbox could not start"


def test_a_regrade_carries_its_version_and_flags_as_booleans() -> None:
    regraded = {**REPORT.to_dict(), "needs_review": True, "change": {"by": "prof"}}
    body = payload(version=2, report=StoredReport.from_json(regraded))
    assert body["event"] == "grade.updated" and body["grade"]["version"] == 2
    assert body["grade"]["needs_review"] is True and body["grade"]["needs_manual_grading"] is False
    assert body["grade"]["change"] == {"by": "prof"}


def test_the_grade_gives_each_value_as_the_report_stored_it() -> None:
    stored = {**REPORT.to_dict(), "score": 2, "raw_score": 4, "late_credit": 0.5, "on_time": False}
    grade = payload(report=StoredReport.from_json(stored))["grade"]
    assert (grade["score"], grade["raw_score"], grade["on_time"], grade["late_credit"]) == (2, 4, False, 0.5)
    assert repr(grade["score"]) == "2" and grade["rubric_version"] is None and grade["change"] is None
