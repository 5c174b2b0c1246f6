"""Queueing after a stored grade: to each line the submission's results go, and a refusing Redis loses nothing stored."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from integrations.lti_scores import LEARNER, line_of
from service.queue import check_similarity_of, send_results_of
from store import SubmissionRecord
from store.deliveries import DeliveryKey

AT = datetime(2030, 3, 1, tzinfo=UTC)
SUBMISSION = SubmissionRecord(
    "s1",
    "a1",
    "alice",
    "hw.ipynb",
    "ab",
    1,
    AT,
    True,
    1.0,
    "graded",
    "assignments",
    1,
    2.0,
    3.0,
    AT,
    None,
    AT,
)


class FakeQueue:
    def __init__(self, refuse: bool = False) -> None:
        self.refuse, self.deliveries, self.similarity = refuse, [], []  # type: ignore[var-annotated]

    def enqueue_delivery(self, key: DeliveryKey, at: Any = None) -> str:
        if self.refuse:
            raise ConnectionError("Redis refused")
        self.deliveries.append(key)
        return "job"

    def enqueue_similarity(self, submission_id: str) -> str:
        if self.refuse:
            raise ConnectionError("Redis refused")
        self.similarity.append(submission_id)
        return "job"


def test_a_web_submission_sends_nothing() -> None:
    queue = FakeQueue()
    send_results_of(queue, SUBMISSION)  # type: ignore[arg-type]
    assert queue.deliveries == []


def test_a_platforms_submission_goes_to_its_platforms_line() -> None:
    queue = FakeQueue()
    send_results_of(queue, dataclasses.replace(SUBMISSION, platform_id="lms"))  # type: ignore[arg-type]
    assert queue.deliveries == [DeliveryKey("lms", "a1", "alice")]


def test_an_lti_learners_score_goes_to_their_registrations_line() -> None:
    queue, learner = FakeQueue(), f"{LEARNER}reg-1:user-9"
    send_results_of(queue, dataclasses.replace(SUBMISSION, learner=learner))  # type: ignore[arg-type]
    assert queue.deliveries == [DeliveryKey(line_of("reg-1"), "a1", learner)]


@pytest.mark.parametrize("learner", [f"{LEARNER}reg-1", f"{LEARNER}:user", f"{LEARNER}reg-1:"])
def test_a_name_that_only_looks_like_an_lti_learner_sends_nowhere(learner: str) -> None:
    queue = FakeQueue()
    send_results_of(queue, dataclasses.replace(SUBMISSION, learner=learner))  # type: ignore[arg-type]
    assert queue.deliveries == []


def test_a_refusing_queue_is_logged_never_raised(caplog: pytest.LogCaptureFixture) -> None:
    queue = FakeQueue(refuse=True)
    send_results_of(queue, dataclasses.replace(SUBMISSION, platform_id="lms"))  # type: ignore[arg-type]
    check_similarity_of(queue, SUBMISSION)  # type: ignore[arg-type]
    assert "recovery will" in caplog.text and "similarity check of s1" in caplog.text


def test_the_similarity_check_is_queued_for_the_submission() -> None:
    queue = FakeQueue()
    check_similarity_of(queue, SUBMISSION)  # type: ignore[arg-type]
    assert queue.similarity == ["s1"]
