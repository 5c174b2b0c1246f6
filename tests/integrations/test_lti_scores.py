"""The AGS score a platform receives for each grade version, and whose it is."""

from __future__ import annotations

import pytest

from integrations.lti_scores import (
    is_line_item_query,
    learner_name,
    learner_of,
    line_item_query,
    line_of,
    registration_of,
    resource_id_of,
    score_payload,
    scores_url,
)
from tests.builders import report_cell, stored_report

AT = "2030-03-01T12:00:00+00:00"


def test_a_machine_grade_is_fully_graded_with_its_time() -> None:
    report = stored_report(report_cell("t", 2.0, 2.0, "passed"), score=2.0, max_score=2.0)
    assert score_payload("u1", report, AT) == {
        "userId": "u1",
        "scoreGiven": 2.0,
        "scoreMaximum": 2.0,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": AT,
    }


def test_a_zero_is_sent_as_fully_graded_so_canvas_shows_a_zero() -> None:
    report = stored_report(report_cell("t", 0.0, 2.0, "failed"), score=0.0, max_score=2.0)
    assert score_payload("u1", report, AT)["gradingProgress"] == "FullyGraded"


def test_a_cell_waiting_for_a_person_is_pending_manual() -> None:
    report = stored_report(
        report_cell("t", 2.0, 2.0, "passed"),
        report_cell("essay", None, 5.0, "needs_manual_grading"),
        score=2.0,
        max_score=7.0,
        needs_manual_grading=True,
    )
    assert score_payload("u1", report, AT)["gradingProgress"] == "PendingManual"


def test_work_that_could_not_be_graded_is_failed_with_no_score() -> None:
    payload = score_payload("u1", None, AT)
    assert payload["gradingProgress"] == "Failed" and "scoreGiven" not in payload


@pytest.mark.parametrize(
    ("name", "found"),
    [
        (learner_name("lms", "a:b"), ("lms", "a:b")),
        ("lti:lms:", None),
        ("lti::x", None),
        ("alice", None),
        ("lti-instructor:lms:x", None),
    ],
)
def test_only_lti_learners_names_are_read_as_platform_users(name: str, found: tuple[str, str] | None) -> None:
    assert learner_of(name) == found


def test_lines_name_their_registration_and_webhook_platforms_are_not_lines() -> None:
    assert registration_of(line_of("lms")) == "lms"
    assert registration_of("lms") is None


def test_the_scores_url_keeps_the_line_items_query_after_the_path() -> None:
    assert scores_url("https://lms/lineitems/1") == "https://lms/lineitems/1/scores"
    assert scores_url("https://lms/lineitems/1/?type=x") == "https://lms/lineitems/1/scores?type=x"


def test_a_line_item_query_is_told_apart_from_a_scores_url_and_keeps_its_resource_id() -> None:
    query = line_item_query("https://lms.example/ctx/lineitems?type=1", "assignment:a1")
    assert query == "https://lms.example/ctx/lineitems?type=1&resource_id=assignment%3Aa1"
    assert is_line_item_query(query) and resource_id_of(query) == "assignment:a1"
    assert not is_line_item_query(scores_url("https://lms.example/ctx/lineitems/4?resource_id=x"))
    assert not is_line_item_query("https://lms.example/ctx/lineitems")
