"""Changing an assignment's terms: an empty edit refused, a credit-moving one only with its preview's code, restated grades sent."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from grader.errors import BadInput
from service.assignments import change_terms, preview_terms
from store import AssignmentRecord, PlatformOrigin, Store
from store.deliveries import DeliveryKey
from tests.store.test_assignment_changes import AT, EARLIER, graded


class FakeQueue:
    def __init__(self) -> None:
        self.deliveries: list[DeliveryKey] = []

    def enqueue_delivery(self, key: DeliveryKey, at: Any = None) -> str:
        self.deliveries.append(key)
        return "job"


def test_an_empty_edit_is_refused_before_the_store_is_asked(
    store: Store, assignment: AssignmentRecord
) -> None:
    with pytest.raises(BadInput, match="nothing to change"):
        preview_terms(store, assignment.id, {})
    with pytest.raises(BadInput, match="nothing to change"):
        change_terms(store, FakeQueue(), assignment.id, {}, "prof", "r", AT)  # type: ignore[arg-type]
    assert store.assignment_history(assignment.id) == []


def test_a_restated_grade_is_sent_to_the_platform_that_submitted_it(
    store: Store, assignment: AssignmentRecord
) -> None:
    origin = PlatformOrigin("lms", "ext-1", "ab" * 32)
    store.create_platform("lms", "LMS", None, [assignment.course])
    submission = store.add_submission(
        assignment.id,
        "alice",
        "hw.ipynb",
        b"nb",
        datetime(2030, 3, 1, 12, tzinfo=UTC),
        True,
        1.0,
        origin=origin,
    )
    graded(store, submission)
    plan = preview_terms(store, assignment.id, EARLIER)
    queue = FakeQueue()
    change = change_terms(store, queue, assignment.id, EARLIER, "prof", "typo", AT, plan.confirm)  # type: ignore[arg-type]
    assert change is not None and [r["submission_id"] for r in change.regraded] == [submission.id]
    assert queue.deliveries == [DeliveryKey("lms", assignment.id, "alice")]
