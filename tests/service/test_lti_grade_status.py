"""Whether each grade reached the LMS: only LTI score deliveries, newest first, retries and dead letters told apart."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from integrations.lti_scores import line_of
from service.lti_grade_status import SUMMARIES, lti_grade_status
from store import DeliveryRecord

AT = datetime(2030, 3, 1, 12, tzinfo=UTC)
BASE = DeliveryRecord(
    "d1",
    1,
    line_of("reg"),
    "s1",
    "a1",
    "lti:reg:u1",
    1,
    1,
    "grade.final",
    "https://lms.example/scores",
    {"scoreGiven": 2.0, "gradingProgress": "FullyGraded", "secret": "x"},
    "pending",
    0,
    AT,
    None,
    None,
    AT,
    None,
)


class FakeStore:
    def __init__(self, *deliveries: DeliveryRecord) -> None:
        self.deliveries = deliveries

    def list_deliveries(self, submission_id: str) -> list[DeliveryRecord]:
        return [d for d in self.deliveries if d.submission_id == submission_id]


def status(*deliveries: DeliveryRecord) -> list[dict[str, Any]]:
    return lti_grade_status(FakeStore(*deliveries), "s1")  # type: ignore[arg-type]


def test_webhook_callbacks_are_left_out_and_grades_come_newest_first() -> None:
    webhook = dataclasses.replace(BASE, id="w", platform_id="lms")
    newer = dataclasses.replace(BASE, id="d2", seq=2, version=2)
    assert [s["delivery_id"] for s in status(BASE, webhook, newer)] == ["d2", "d1"]


def test_a_pending_score_that_was_refused_is_retrying_with_the_platforms_answer() -> None:
    refused = dataclasses.replace(
        BASE, attempts=2, last_status_code=422, last_error="HTTP 422: bad scoreGiven"
    )
    [shown] = status(refused)
    assert (shown["state"], shown["summary"]) == ("retrying", SUMMARIES["retrying"])
    assert (shown["last_status_code"], shown["next_attempt_at"]) == (422, AT.isoformat())


def test_a_dead_letter_says_so_and_has_no_next_attempt() -> None:
    [shown] = status(dataclasses.replace(BASE, status="dead", attempts=8))
    assert shown["dead_lettered"] is True and shown["next_attempt_at"] is None and "admin" in shown["summary"]


def test_only_the_score_fields_of_the_payload_are_shown() -> None:
    [shown] = status(dataclasses.replace(BASE, status="delivered", delivered_at=AT))
    assert (shown["score_given"], shown["grading_progress"]) == (2.0, "FullyGraded")
    assert (
        "secret" not in repr(shown)
        and shown["registration"] == "reg"
        and shown["delivered_at"] == AT.isoformat()
    )
