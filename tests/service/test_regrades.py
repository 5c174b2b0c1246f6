"""Accepting a regrade run: changed grades become new versions with the reason, once; a run Redis half-queued waits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from grader.errors import Conflict
from service.regrades import accept_regrade, start_regrade
from store import AssignmentRecord, Store, SubmissionRecord
from store.deliveries import DeliveryKey
from tests.store.test_assignment_changes import REPORT, graded

NOW = datetime(2030, 3, 5, tzinfo=UTC)


class FakeQueue:
    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.regrades: list[tuple[str, str]] = []
        self.deliveries: list[DeliveryKey] = []

    def enqueue_regrade(self, run_id: str, submission_id: str) -> str:
        if self.refuse:
            raise ConnectionError("Redis refused")
        self.regrades.append((run_id, submission_id))
        return "job"

    def enqueue_delivery(self, key: DeliveryKey, at: Any = None) -> str:
        self.deliveries.append(key)
        return "job"


@pytest.fixture
def two_graded(store: Store, make_submission: Any) -> list[SubmissionRecord]:
    submissions = [make_submission("alice"), make_submission("bob")]
    for submission in submissions:
        graded(store, submission)
    return submissions


def test_every_graded_submission_is_queued_for_a_re_run(
    store: Store, assignment: AssignmentRecord, two_graded: list[SubmissionRecord]
) -> None:
    queue = FakeQueue()
    run = start_regrade(store, queue, assignment.id, "typo in test 2", "prof", None, NOW)  # type: ignore[arg-type]
    assert sorted(queue.regrades) == sorted((run, s.id) for s in two_graded)


def test_a_run_redis_refused_stays_queued_and_cannot_be_accepted(
    store: Store, assignment: AssignmentRecord, two_graded: list[SubmissionRecord]
) -> None:
    run = start_regrade(store, FakeQueue(refuse=True), assignment.id, "r", "prof", None, NOW)  # type: ignore[arg-type]
    with pytest.raises(Conflict, match="still re-running"):
        accept_regrade(store, FakeQueue(), run, "prof", NOW)  # type: ignore[arg-type]
    assert store.get_regrade(run)["status"] == "open"


def test_only_changed_grades_become_new_versions_with_the_reason_and_only_once(
    store: Store, assignment: AssignmentRecord, two_graded: list[SubmissionRecord]
) -> None:
    alice, bob = two_graded
    run = start_regrade(store, FakeQueue(), assignment.id, "typo in test 2", "prof", None, NOW)  # type: ignore[arg-type]
    store.save_regrade_result(run, alice.id, {**REPORT, "score": 3.0}, "better", {"image": "y"}, None)
    store.save_regrade_result(run, bob.id, REPORT, "same", {"image": "y"}, None)
    queue = FakeQueue()
    assert accept_regrade(store, queue, run, "prof", NOW) == 1  # type: ignore[arg-type]
    latest = store.latest_report(alice.id)
    assert latest is not None and latest.report.score == 3.0
    assert latest.report.to_dict()["change"] == {
        "kind": "regrade",
        "run": run,
        "author": "prof",
        "reason": "typo in test 2",
        "previous_score": 2.0,
        "score": 3.0,
    }
    assert [r.report.score for r in store.report_history(bob.id)] == [2.0]
    with pytest.raises(Conflict, match="already accepted"):
        accept_regrade(store, queue, run, "prof", NOW)  # type: ignore[arg-type]
    assert len(store.report_history(alice.id)) == 2
