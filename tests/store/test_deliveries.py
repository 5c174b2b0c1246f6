"""The result outbox: written with the grade, sent one at a time in order, dead-lettered, redelivered."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from grader.errors import Conflict
from store import AssignmentRecord, DeliveryKey, PlatformOrigin, Store, SubmissionRecord

T0 = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
REPORT = {
    "score": 2.0,
    "max_score": 3.0,
    "cells": [
        {
            "notebook": "hw.ipynb",
            "grade_id": "test_answer",
            "score": 2.0,
            "max_score": 2.0,
            "status": "passed",
            "message": "secret detail",
        }
    ],
}


@pytest.fixture
def platform(store: Store) -> str:
    return store.create_platform("lms", "The LMS", "https://lms.example/results", ["ds101"]).id


def platform_submission(
    store: Store, assignment: AssignmentRecord, external_id: str, learner: str = "alice"
) -> SubmissionRecord:
    origin = PlatformOrigin("lms", external_id, "f" * 64)
    return store.add_submission(assignment.id, learner, "hw.ipynb", b"nb", T0, True, 1.0, origin=origin)


def grade(store: Store, submission_id: str, score: float = 2.0) -> None:
    assert store.claim_submission(submission_id) is not None
    assert store.save_grade(submission_id, {**REPORT, "score": score}, "<p>feedback</p>", {})


def key_for(assignment: AssignmentRecord, learner: str = "alice") -> DeliveryKey:
    return DeliveryKey("lms", assignment.id, learner)


def test_a_grade_of_a_platform_submission_writes_its_delivery_in_the_same_step(
    store: Store, assignment: AssignmentRecord, platform: str, submission: SubmissionRecord
) -> None:
    mine = platform_submission(store, assignment, "ext-1")
    grade(store, mine.id)
    grade(store, submission.id)  # not from a platform: no delivery
    [delivery] = store.list_deliveries()
    assert (delivery.submission_id, delivery.version, delivery.event, delivery.status) == (
        mine.id,
        1,
        "grade.final",
        "pending",
    )
    assert delivery.url == "https://lms.example/results"
    payload = delivery.payload
    assert payload["delivery_id"] == delivery.id and payload["submission"]["external_id"] == "ext-1"
    assert payload["grade"]["score"] == 2.0 and payload["grade"]["version"] == 1
    assert "secret detail" not in str(payload), "cell messages (which may quote tests) are not sent"


def test_a_failure_is_delivered_without_a_score(
    store: Store, assignment: AssignmentRecord, platform: str
) -> None:
    mine = platform_submission(store, assignment, "ext-1")
    store.claim_submission(mine.id)
    store.mark_failed(mine.id, "the sandbox could not start")
    [delivery] = store.list_deliveries()
    assert delivery.event == "grade.failed" and delivery.payload["grade"] is None
    assert delivery.payload["error"] == "the sandbox could not start"


def test_one_sender_at_a_time_oldest_first_and_waits_are_reported(
    store: Store, assignment: AssignmentRecord, platform: str
) -> None:
    first, second = (platform_submission(store, assignment, f"ext-{n}") for n in (1, 2))
    grade(store, first.id)
    grade(store, second.id)
    key = key_for(assignment)
    now = datetime.now(UTC)
    claim = store.claim_next_delivery(key, now, lease=60)
    assert claim.delivery is not None and claim.delivery.submission_id == first.id
    busy = store.claim_next_delivery(key, now, lease=60)
    assert busy.delivery is None, "leased: nobody else sends"
    assert busy.wait_until == now + timedelta(seconds=60), "but someone looks again when the lease ends"
    taken_over = store.claim_next_delivery(key, now + timedelta(seconds=61), lease=60)
    assert taken_over.delivery is not None and taken_over.delivery.id == claim.delivery.id, (
        "a dead sender's lease ends"
    )
    now = now + timedelta(seconds=61)
    retry_at = now + timedelta(seconds=30)
    store.record_failed_attempt(claim.delivery.id, "HTTP 503", 503, retry_at)
    blocked = store.claim_next_delivery(key, now, lease=60)
    assert blocked.delivery is None and blocked.wait_until == retry_at, "the newer one does not overtake"
    again = store.claim_next_delivery(key, retry_at + timedelta(seconds=1), lease=60)
    assert (
        again.delivery is not None and again.delivery.id == claim.delivery.id and again.delivery.attempts == 1
    )


def test_dead_then_superseded_by_a_newer_delivered_result(
    store: Store, assignment: AssignmentRecord, platform: str
) -> None:
    first, second = (platform_submission(store, assignment, f"ext-{n}") for n in (1, 2))
    grade(store, first.id)
    grade(store, second.id)
    key, now = key_for(assignment), datetime.now(UTC)
    old = store.claim_next_delivery(key, now, 60).delivery
    assert old is not None
    store.record_failed_attempt(old.id, "connection refused", None, None)
    assert [d.id for d in store.list_deliveries(status="dead")] == [old.id]
    dead = store.redeliver(old.id, now)
    assert (dead.status, dead.attempts) == ("pending", 0)
    store.record_failed_attempt(store.claim_next_delivery(key, now, 60).delivery.id, "refused", None, None)  # type: ignore[union-attr]
    new = store.claim_next_delivery(key, now, 60).delivery
    assert new is not None and new.submission_id == second.id, "a dead one no longer blocks the line"
    store.record_delivered(new.id, 200, now)
    assert store.get_delivery(old.id).status == "superseded"
    with pytest.raises(Conflict, match="newer result"):
        store.redeliver(old.id, now)
    with pytest.raises(Conflict, match="delivered"):
        store.redeliver(new.id, now)


def test_pending_keys_are_what_recovery_needs(
    store: Store, assignment: AssignmentRecord, platform: str
) -> None:
    grade(store, platform_submission(store, assignment, "a", "alice").id)
    grade(store, platform_submission(store, assignment, "b", "bob").id)
    keys = {key for key, _ in store.pending_delivery_keys()}
    assert keys == {key_for(assignment, "alice"), key_for(assignment, "bob")}


def test_the_same_external_id_cannot_be_stored_twice_even_at_once(
    store: Store, assignment: AssignmentRecord, platform: str
) -> None:
    outcomes: list[object] = []
    barrier = threading.Barrier(4)

    def submit() -> None:
        barrier.wait()
        try:
            outcomes.append(platform_submission(store, assignment, "same"))
        except Conflict as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(isinstance(o, SubmissionRecord) for o in outcomes) == 1
    assert len(store.list_submissions()) == 1


def test_a_changed_grade_is_a_new_version_and_refuses_a_stale_base(
    store: Store, assignment: AssignmentRecord, platform: str
) -> None:
    mine = platform_submission(store, assignment, "ext-1")
    grade(store, mine.id)
    first = store.latest_report(mine.id)
    assert first is not None
    second = store.save_changed_grade(
        mine.id, first.id, {**REPORT, "score": 3.0}, "<p>new</p>", {"change": {}}
    )
    assert store.get_submission(mine.id).score == 3.0 and store.latest_report(mine.id) == second
    assert [d.version for d in store.list_deliveries()] == [1, 2]
    assert store.list_deliveries()[1].event == "grade.updated"
    with pytest.raises(Conflict, match="changed meanwhile"):
        store.save_changed_grade(mine.id, first.id, REPORT, "", {})


def test_a_refused_delivery_lets_the_line_go_on_stays_out_of_the_dead_letters_and_can_be_redelivered(
    store: Store, assignment: AssignmentRecord, platform: str
) -> None:
    now = T0 + timedelta(days=1)
    first = platform_submission(store, assignment, "r1", "alice")
    grade(store, first.id)
    second = platform_submission(store, assignment, "r2", "alice")
    grade(store, second.id, 3.0)
    key = key_for(assignment)
    old = store.claim_next_delivery(key, now, 60).delivery
    assert old is not None
    refused = store.record_refused(old.id, "HTTP 403: cannot be graded", 403)
    assert (refused.status, refused.attempts, refused.last_status_code) == ("refused", 1, 403)
    assert store.list_deliveries(status="dead") == [] and store.delivery_counts()["refused"] == 1
    new = store.claim_next_delivery(key, now, 60).delivery
    assert new is not None and new.submission_id == second.id, "a refused one does not block the line"
    assert store.redeliver(old.id, now).status == "pending"
    store.record_refused(old.id, "HTTP 403: cannot be graded", 403)
    store.record_delivered(new.id, 200, now)
    assert store.get_delivery(old.id).status == "superseded"
