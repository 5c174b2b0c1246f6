"""Stored work under a changed late policy: who gains or loses credit, and the grade restated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from grader.late import LatePolicy, LateStep
from grader.late_credit import StoredWork, credit_changes, restate_lateness, under_policy
from grader.stored_report import StoredReport
from tests.builders import report_cell, report_dict, stored_report

DUE = datetime(2030, 3, 1, 12, tzinfo=UTC)
HALF_AFTER_A_DAY = LatePolicy(DUE, (LateStep(DUE + timedelta(days=1), 50.0),))
FEEDBACK = "<h1>hw</h1><p class='badge'>Score: 2 / 3</p><p class='badge'>test_answer: 2 / 2 (passed)</p>"


def work(
    hours_late: float,
    on_time: bool,
    credit: float,
    report: StoredReport | None = None,
    learner: str = "alice",
) -> StoredWork:
    return StoredWork(
        f"s-{learner}",
        learner,
        DUE + timedelta(hours=hours_late),
        "graded" if report else "queued",
        on_time,
        credit,
        report,
    )


def test_only_work_whose_lateness_changes_is_listed() -> None:
    on_time = work(-1, True, 1.0, stored_report(report_cell("test_answer", 2.0, 2.0, "passed")), "alice")
    day_late = work(30, False, 1.0, stored_report(report_cell("test_answer", 2.0, 2.0, "passed")), "bob")
    changes = credit_changes(under_policy(HALF_AFTER_A_DAY), [on_time, day_late])
    assert [(c.learner, c.old_credit, c.new_credit, c.old_score, c.new_score) for c in changes] == [
        ("bob", 1.0, 0.5, 2.0, 1.0)
    ]


def test_queued_work_changes_lateness_without_a_score() -> None:
    changes = credit_changes(under_policy(LatePolicy(DUE - timedelta(hours=2))), [work(-1, True, 1.0)])
    assert [(c.old_on_time, c.new_on_time, c.old_score, c.new_score) for c in changes] == [
        (True, False, None, None)
    ]


def test_restating_scales_the_raw_points_and_keeps_every_other_field() -> None:
    report = report_dict(
        report_cell("test_answer", 2.0, 2.0, "passed"),
        score=1.0,
        raw_score=2.0,
        on_time=False,
        late_credit=0.5,
        flags=["x"],
    )
    restated, _ = restate_lateness(StoredReport.from_json(report), FEEDBACK, True, 1.0)
    assert (restated.score, restated.raw_score, restated.on_time, restated.late_credit) == (
        2.0,
        2.0,
        True,
        1.0,
    )
    assert restated.flags == ("x",) and restated.to_dict()["cells"] == report["cells"]
    assert restated.to_dict() == {**report, "score": 2.0, "on_time": True, "late_credit": 1.0}


def test_a_report_without_raw_points_is_restated_from_its_cells() -> None:
    report = {"score": 2.0, "max_score": 2.0, "cells": [report_cell("test_answer", 2.0, 2.0, "passed")]}
    assert restate_lateness(StoredReport.from_json(report), "", False, 0.25)[0].score == 0.5


def test_the_feedback_shows_the_new_total_and_says_whether_it_came_late() -> None:
    report = stored_report(report_cell("test_answer", 2.0, 2.0, "passed"))
    late, late_html = restate_lateness(report, FEEDBACK, False, 0.5)
    assert "Score: 1 / 3" in late_html and "Received after the deadline: 50% of the credit kept." in late_html
    assert "test_answer: 2 / 2 (passed)" in late_html
    _, back_html = restate_lateness(late, late_html, True, 1.0)
    assert "Score: 2 / 3" in back_html and "deadline" not in back_html


def test_unchanged_lateness_returns_the_report_as_it_was() -> None:
    report = StoredReport.from_json({"score": 2.0, "max_score": 2.0, "cells": []})  # predates lateness
    assert restate_lateness(report, FEEDBACK, True, 1.0) == (report, FEEDBACK)
    assert restate_lateness(report, FEEDBACK, True, 1.0)[0].to_dict() == {
        "score": 2.0,
        "max_score": 2.0,
        "cells": [],
    }


def test_a_new_credit_for_work_that_stays_late_restates_the_score() -> None:
    report = stored_report(
        report_cell("test_answer", 2.0, 2.0, "passed"),
        score=1.0,
        raw_score=2.0,
        on_time=False,
        late_credit=0.5,
    )
    restated, html = restate_lateness(report, FEEDBACK, False, 0.25)
    assert (restated.score, restated.late_credit, restated.raw_score) == (0.5, 0.25, 2.0)
    assert "Received after the deadline: 25% of the credit kept." in html
