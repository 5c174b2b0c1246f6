"""The export rules: which submission counts, the CSV gradebooks, and Gradescope's results.json."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from grader.stored_report import StoredReport
from integrations.exports import (
    assignment_gradebook,
    counted_submissions,
    course_gradebook,
    csv_cell,
    gradescope_results,
)
from tests.builders import report_cell, stored_report

T0 = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
HIDDEN_LITERAL = "answer() != 4242"


@dataclass(frozen=True)
class Assignment:
    id: str = "a1"
    name: str = "hw1"
    max_score: float = 3.0
    rubric: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"notebook": "hw.ipynb", "grade_id": "test_answer", "points": 2.0, "kind": "test"},
            {"notebook": "hw.ipynb", "grade_id": "essay", "points": 1.0, "kind": "manual"},
        ]
    )


@dataclass(frozen=True)
class Submission:
    id: str
    learner: str = "alice"
    assignment_id: str = "a1"
    minutes: int = 0
    status: str = "graded"
    score: float | None = 2.0
    on_time: bool = True
    late_credit: float = 1.0

    @property
    def received_at(self) -> datetime:
        return T0 + timedelta(minutes=self.minutes)


@dataclass(frozen=True)
class Report:
    report: StoredReport
    provenance: dict[str, Any] = field(default_factory=dict)


GRADED = stored_report(
    report_cell("test_answer", 2.0, 2.0, "passed"), report_cell("essay", None, 1.0, "needs_manual_grading")
)


def parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_latest_graded_submission_counts_even_if_a_later_one_failed() -> None:
    subs = [
        Submission("s1", minutes=0, score=1.0),
        Submission("s2", minutes=10, score=2.0),
        Submission("s3", minutes=20, status="failed", score=None),
        Submission("s4", minutes=30, status="queued", score=None),
    ]
    assert counted_submissions(reversed(subs)) == {"alice": subs[1]}


def test_a_learner_with_nothing_graded_is_shown_by_their_latest_submission() -> None:
    subs = [
        Submission("s1", minutes=0, status="failed", score=None),
        Submission("s2", minutes=5, status="running", score=None),
    ]
    assert counted_submissions(subs) == {"alice": subs[1]}


def test_the_assignment_gradebook_has_one_row_per_learner_with_cells_in_rubric_order() -> None:
    subs = [
        Submission("s1", learner="zoe", minutes=0, score=1.0),
        Submission("s2", learner="alice", minutes=1, score=0.5),
        Submission("s3", learner="alice", minutes=9, score=2.0),
    ]
    reports = {"s1": stored_report(report_cell("test_answer", 1.0, 2.0, "partial"), score=1.0), "s3": GRADED}
    text = assignment_gradebook(Assignment(), subs, reports)
    header = next(csv.reader(io.StringIO(text)))
    assert header == [
        "learner",
        "submission_id",
        "received_at",
        "on_time",
        "late_credit",
        "status",
        "test_answer",
        "essay",
        "total",
        "max_score",
    ]
    rows = parse(text)
    assert [row["learner"] for row in rows] == ["alice", "zoe"]
    assert rows[0] == {
        "learner": "alice",
        "submission_id": "s3",
        "received_at": (T0 + timedelta(minutes=9)).isoformat(),
        "on_time": "true",
        "late_credit": "1",
        "status": "graded",
        "test_answer": "2",
        "essay": "",
        "total": "2",
        "max_score": "3",
    }
    assert (rows[1]["test_answer"], rows[1]["essay"], rows[1]["total"]) == ("1", "", "1")


def test_a_learner_whose_submissions_all_failed_keeps_a_row_with_empty_scores() -> None:
    subs = [Submission("s1", learner="bob", status="failed", score=None, on_time=False, late_credit=0.5)]
    (row,) = parse(assignment_gradebook(Assignment(), subs, {}))
    assert (row["learner"], row["submission_id"], row["status"], row["on_time"], row["late_credit"]) == (
        "bob",
        "s1",
        "failed",
        "false",
        "0.5",
    )
    assert (row["test_answer"], row["essay"], row["total"], row["max_score"]) == ("", "", "", "3")


def test_late_credit_shows_in_the_total_while_cells_stay_raw_points() -> None:
    late = stored_report(
        report_cell("test_answer", 2.0, 2.0, "passed"), score=1.0, on_time=False, late_credit=0.5
    )
    subs = [Submission("s1", score=1.0, on_time=False, late_credit=0.5)]
    (row,) = parse(assignment_gradebook(Assignment(), subs, {"s1": late}))
    assert (row["test_answer"], row["late_credit"], row["total"]) == ("2", "0.5", "1")


def test_grade_ids_shared_by_two_notebooks_are_told_apart_by_notebook() -> None:
    rubric = [
        {"notebook": "a.ipynb", "grade_id": "q1", "points": 1.0, "kind": "test"},
        {"notebook": "b.ipynb", "grade_id": "q1", "points": 1.0, "kind": "test"},
        {"notebook": "b.ipynb", "grade_id": "q2", "points": 1.0, "kind": "test"},
    ]
    text = assignment_gradebook(Assignment(rubric=rubric), [], {})
    assert next(csv.reader(io.StringIO(text)))[6:9] == ["a.ipynb:q1", "b.ipynb:q1", "q2"]


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_text_a_spreadsheet_would_evaluate_is_quoted(name: str) -> None:
    (row,) = parse(assignment_gradebook(Assignment(), [Submission("s1", learner=name)], {"s1": GRADED}))
    assert row["learner"] == "'" + name


def test_plain_text_and_our_own_numbers_are_written_as_they_are() -> None:
    assert [csv_cell(v) for v in ("alice", "a-b", 2.0, 0.5, 1 / 3, None, True)] == [
        "alice",
        "a-b",
        "2",
        "0.5",
        "0.333333",
        "",
        "true",
    ]


def test_assignment_and_grade_names_in_the_header_are_guarded_too() -> None:
    rubric = [{"notebook": "hw.ipynb", "grade_id": "=cmd", "points": 1.0, "kind": "test"}]
    text = course_gradebook([Assignment(name="@evil", rubric=rubric)], [Submission("s1")])
    assert next(csv.reader(io.StringIO(text)))[1] == "'@evil"
    text = assignment_gradebook(Assignment(rubric=rubric), [], {})
    assert next(csv.reader(io.StringIO(text)))[6] == "'=cmd"


def test_the_course_gradebook_sums_each_learners_counted_totals() -> None:
    hw1, hw2 = Assignment(id="a1", name="hw1", max_score=3.0), Assignment(id="a2", name="hw2", max_score=5.0)
    subs = [
        Submission("s1", learner="alice", assignment_id="a1", score=3.0),
        Submission("s2", learner="alice", assignment_id="a2", minutes=0, score=4.0),
        Submission("s3", learner="alice", assignment_id="a2", minutes=5, score=5.0),
        Submission("s4", learner="bob", assignment_id="a2", status="failed", score=None),
        Submission("s5", learner="carol", assignment_id="other", score=9.0),
    ]
    text = course_gradebook([hw1, hw2], subs)
    assert next(csv.reader(io.StringIO(text))) == ["learner", "hw1", "hw2", "total", "max_score"]
    assert parse(text) == [
        {"learner": "alice", "hw1": "3", "hw2": "5", "total": "8", "max_score": "8"},
        {"learner": "bob", "hw1": "", "hw2": "", "total": "", "max_score": "8"},
    ]


def test_results_json_has_gradescopes_shape() -> None:
    provenance = {"timings": {"sandbox_start": 0.2, "total": 1.23456}}
    results = gradescope_results(Report(GRADED, provenance), Submission("s1"), Assignment())
    assert results == {
        "score": 2.0,
        "execution_time": 1.235,
        "output": "hw1: 2 / 3. Some answers are awaiting manual grading; the score may still rise.",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {"submission_id": "s1", "needs_manual_grading": True},
        "tests": [
            {
                "name": "test_answer",
                "number": "1",
                "score": 2.0,
                "max_score": 2.0,
                "status": "passed",
                "output": "passed",
                "visibility": "visible",
            },
            {
                "name": "essay",
                "number": "2",
                "score": 0.0,
                "max_score": 1.0,
                "status": "pending",
                "output": "awaiting grading by a person: its points are not counted yet",
                "visibility": "visible",
            },
        ],
    }
    json.dumps(results)  # what the endpoint sends must serialise


def test_results_json_omits_execution_time_without_timings_and_says_when_late() -> None:
    late = stored_report(
        report_cell("test_answer", 2.0, 2.0, "passed"), score=1.0, on_time=False, late_credit=0.5
    )
    results = gradescope_results(Report(late), Submission("s1"), Assignment())
    assert "execution_time" not in results
    assert results["output"] == "hw1: 1 / 3. Received after the deadline: 50% of the credit kept."
    assert results["extra_data"]["needs_manual_grading"] is False


def test_results_json_never_carries_hidden_test_content() -> None:
    """Only the score's own words go out: not the review note, nor anything else a cell may hold."""
    leaky = report_cell(
        "test_answer",
        0.0,
        2.0,
        "failed",
        message="AssertionError raised",
        review=f"record says: {HIDDEN_LITERAL}",
        source=HIDDEN_LITERAL,
        outputs=[{"text": HIDDEN_LITERAL}],
    )
    report = stored_report(leaky, score=0.0, events=[HIDDEN_LITERAL], flags=[HIDDEN_LITERAL])
    results = gradescope_results(Report(report), Submission("s1"), Assignment())
    assert HIDDEN_LITERAL not in json.dumps(results)
    assert results["tests"][0]["output"] == "AssertionError raised"
    assert results["tests"][0]["status"] == "failed"


def test_a_partial_score_is_reported_as_earned_and_not_as_passed() -> None:
    report = stored_report(
        report_cell("test_answer", 1.5, 2.0, "partial", message="partial credit: 1.5"), score=1.5
    )
    (test,) = gradescope_results(Report(report), Submission("s1"), Assignment())["tests"]
    assert (test["score"], test["status"], test["output"]) == (1.5, "failed", "partial credit: 1.5")


@pytest.mark.parametrize(
    ("status", "score", "max_score", "expected"),
    [
        ("passed", 2.0, 2.0, "passed"),
        ("graded_by_instructor", 1.0, 1.0, "passed"),
        ("graded_by_instructor", 0.5, 1.0, "failed"),
        ("failed", 0.0, 0.0, "failed"),
        ("error", 0.0, 2.0, "failed"),
        ("timeout", 0.0, 2.0, "failed"),
    ],
)
def test_a_test_passes_only_with_every_point_earned(
    status: str, score: float, max_score: float, expected: str
) -> None:
    report = stored_report(report_cell("test_answer", score, max_score, status, message="m"), score=score)
    (test,) = gradescope_results(Report(report), Submission("s1"), Assignment())["tests"]
    assert (test["status"], test["score"], test["max_score"]) == (expected, score, max_score)
