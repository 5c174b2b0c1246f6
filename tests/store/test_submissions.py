from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone

import pytest

from grader.errors import NotFound
from store import AssignmentRecord, Store, SubmissionRecord

REPORT = {"score": 2.0, "max_score": 3.0, "cells": []}


def test_new_submission_is_queued_with_its_hash_size_and_max_score(
    store: Store, assignment: AssignmentRecord
) -> None:
    received = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
    record = store.add_submission(assignment.id, "alice", "hw.ipynb", b"abc", received, False, 0.5)
    assert store.get_submission(record.id) == record
    assert (record.status, record.attempts, record.priority) == ("queued", 0, "assignments")
    assert record.sha256 == hashlib.sha256(b"abc").hexdigest() and record.size == 3
    assert (record.on_time, record.late_credit, record.max_score) == (False, 0.5, 3.0)
    assert record.received_at == received and record.score is None and record.graded_at is None


def test_records_carry_no_content_but_the_content_is_kept(store: Store, make_submission) -> None:  # type: ignore[no-untyped-def]
    record = make_submission(content=b"\x00binary\xff")
    assert "content" not in {f.name for f in fields(SubmissionRecord)}
    assert store.submission_content(record.id) == b"\x00binary\xff"


def test_receipt_time_keeps_its_instant_in_any_zone(store: Store, assignment: AssignmentRecord) -> None:
    received = datetime(2030, 3, 1, 8, 0, tzinfo=timezone(timedelta(hours=-5)))
    record = store.add_submission(assignment.id, "alice", "hw.ipynb", b"x", received, True, 1.0)
    fetched = store.get_submission(record.id)
    assert fetched.received_at == received and fetched.received_at.utcoffset() == timedelta(0)


def test_submission_to_unknown_assignment_is_not_found_and_stores_nothing(
    store: Store, assignment: AssignmentRecord, row_counts: Callable[[], dict[str, int]]
) -> None:
    before = row_counts()
    with pytest.raises(NotFound):
        store.add_submission("f" * 32, "alice", "hw.ipynb", b"x", datetime.now(UTC), True, 1.0)
    assert row_counts() == before


def test_unknown_submission_is_not_found_by_get_and_none_by_find(store: Store) -> None:
    for call in (store.get_submission, store.submission_content, store.claim_submission, store.latest_report):
        with pytest.raises(NotFound):
            call("0" * 32)
    assert store.find_submission("0" * 32) is None


def test_claim_moves_queued_to_running_and_counts_the_attempt(
    store: Store, submission: SubmissionRecord
) -> None:
    claimed = store.claim_submission(submission.id)
    assert (claimed.status, claimed.attempts) == ("running", 1)
    assert store.get_submission(submission.id) == claimed


def test_a_running_submission_can_be_claimed_again_after_a_lost_worker(
    store: Store, submission: SubmissionRecord
) -> None:
    store.claim_submission(submission.id)
    again = store.claim_submission(submission.id)
    assert (again.status, again.attempts) == ("running", 2)


def test_graded_or_failed_submissions_cannot_be_claimed(store: Store, make_submission) -> None:  # type: ignore[no-untyped-def]
    graded, failed = make_submission(), make_submission()
    store.claim_submission(graded.id)
    store.save_grade(graded.id, REPORT, "<p>ok</p>", {})
    store.mark_failed(failed.id, "the sandbox image is missing")
    assert store.claim_submission(graded.id) is None
    assert store.claim_submission(failed.id) is None
    assert store.get_submission(graded.id).attempts == 1


def test_mark_failed_records_the_reason_without_a_score(store: Store, submission: SubmissionRecord) -> None:
    store.claim_submission(submission.id)
    store.mark_failed(submission.id, "could not start the kernel")
    failed = store.get_submission(submission.id)
    assert (failed.status, failed.error, failed.score) == ("failed", "could not start the kernel", None)


def test_mark_failed_leaves_a_graded_submission_graded(store: Store, submission: SubmissionRecord) -> None:
    store.claim_submission(submission.id)
    store.save_grade(submission.id, REPORT, "", {})
    store.mark_failed(submission.id, "late duplicate job failed")
    assert store.get_submission(submission.id).status == "graded"


def test_requeue_returns_a_running_submission_to_the_queue(
    store: Store, submission: SubmissionRecord
) -> None:
    store.claim_submission(submission.id)
    store.requeue(submission.id)
    requeued = store.get_submission(submission.id)
    assert (requeued.status, requeued.attempts) == ("queued", 1)


def test_requeue_leaves_queued_and_finished_submissions_alone(store: Store, make_submission) -> None:  # type: ignore[no-untyped-def]
    queued, graded = make_submission(), make_submission()
    store.claim_submission(graded.id)
    store.save_grade(graded.id, REPORT, "", {})
    store.requeue(queued.id)
    store.requeue(graded.id)
    assert store.get_submission(queued.id).status == "queued"
    assert store.get_submission(graded.id).status == "graded"


def test_unfinished_submissions_are_queued_or_running_oldest_first(store: Store, make_submission) -> None:  # type: ignore[no-untyped-def]
    start = datetime(2030, 3, 1, tzinfo=UTC)
    newest = make_submission(received_at=start + timedelta(hours=2))
    oldest = make_submission(received_at=start)
    running = make_submission(received_at=start + timedelta(hours=1))
    done = make_submission(received_at=start - timedelta(hours=1))
    store.claim_submission(running.id)
    store.claim_submission(done.id)
    store.save_grade(done.id, REPORT, "", {})
    assert [s.id for s in store.unfinished_submissions()] == [oldest.id, running.id, newest.id]


def test_list_submissions_filters_by_assignment_and_learner(
    store: Store,
    make_assignment,
    make_submission,  # type: ignore[no-untyped-def]
) -> None:
    alice, bob = make_submission("alice"), make_submission("bob")
    other = make_assignment(name="hw2")
    elsewhere = store.add_submission(other.id, "alice", "hw.ipynb", b"x", datetime.now(UTC), True, 1.0)
    assert {s.id for s in store.list_submissions()} == {alice.id, bob.id, elsewhere.id}
    assert {s.id for s in store.list_submissions(assignment_id=alice.assignment_id)} == {alice.id, bob.id}
    assert {s.id for s in store.list_submissions(learner="alice")} == {alice.id, elsewhere.id}
    assert [s.id for s in store.list_submissions(assignment_id=other.id, learner="bob")] == []
