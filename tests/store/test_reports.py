from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from grader.errors import CorruptData
from store import AssignmentRecord, Store, SubmissionRecord
from tests.properties import examples

PROVENANCE = {"sha256": "abc", "image": "sha256:123", "rubric_version": "v1", "worker": "w1"}


def report_for(score: float = 2.0, max_score: float = 3.0) -> dict[str, Any]:
    return {
        "score": score,
        "max_score": max_score,
        "needs_manual_grading": True,
        "events": ["kernel restarted"],
        "cells": [
            {
                "notebook": "hw.ipynb",
                "grade_id": "test_answer",
                "score": score,
                "max_score": 2.0,
                "status": "passed",
            }
        ],
    }


def test_saving_a_grade_records_the_report_and_the_score(store: Store, submission: SubmissionRecord) -> None:
    store.claim_submission(submission.id)
    assert store.save_grade(submission.id, report_for(1.5), "<p>feedback</p>", PROVENANCE) is True
    graded = store.get_submission(submission.id)
    assert (graded.status, graded.score, graded.max_score, graded.error) == ("graded", 1.5, 3.0, None)
    assert graded.graded_at is not None and graded.graded_at.tzinfo is not None
    latest = store.latest_report(submission.id)
    assert latest.report.to_dict() == report_for(1.5)
    assert (latest.feedback_html, latest.provenance) == ("<p>feedback</p>", PROVENANCE)
    assert graded.latest_report_id == latest.id


def test_a_second_save_grade_returns_false_and_adds_no_report(
    store: Store, submission: SubmissionRecord, row_counts: Callable[[], dict[str, int]]
) -> None:
    store.claim_submission(submission.id)
    store.save_grade(submission.id, report_for(2.0), "first", PROVENANCE)
    before = row_counts()
    assert store.save_grade(submission.id, report_for(0.0), "second", PROVENANCE) is False
    assert row_counts() == before
    assert store.get_submission(submission.id).score == 2.0
    assert store.latest_report(submission.id).feedback_html == "first"


def test_save_grade_on_an_unclaimed_submission_writes_nothing(
    store: Store, submission: SubmissionRecord, row_counts: Callable[[], dict[str, int]]
) -> None:
    before = row_counts()
    assert store.save_grade(submission.id, report_for(), "", PROVENANCE) is False
    assert row_counts() == before
    assert store.get_submission(submission.id).status == "queued"


def test_no_report_before_grading(store: Store, submission: SubmissionRecord) -> None:
    assert store.latest_report(submission.id) is None
    assert store.report_history(submission.id) == []


def test_report_history_holds_every_saved_report(store: Store, submission: SubmissionRecord) -> None:
    store.claim_submission(submission.id)
    store.save_grade(submission.id, report_for(), "<p>x</p>", PROVENANCE)
    assert [r.feedback_html for r in store.report_history(submission.id)] == ["<p>x</p>"]


def test_concurrent_duplicate_jobs_grade_a_submission_once(
    store: Store, submission: SubmissionRecord, row_counts: Callable[[], dict[str, int]]
) -> None:
    store.claim_submission(submission.id)
    barrier = threading.Barrier(4)
    results: list[bool] = []

    def save() -> None:
        barrier.wait()
        results.append(store.save_grade(submission.id, report_for(), "", PROVENANCE))

    threads = [threading.Thread(target=save) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]
    assert row_counts()["grade_reports"] == 1


FINAL = ("graded", "failed")
ACTIONS = st.lists(st.sampled_from(["claim", "save", "fail", "requeue"]), max_size=12)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@settings(
    max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=ACTIONS)
def test_any_sequence_of_worker_calls_grades_at_most_once_and_keeps_final_states(
    store: Store, assignment: AssignmentRecord, actions: list[str]
) -> None:
    record = store.add_submission(assignment.id, "alice", "hw.ipynb", b"x", datetime.now(UTC), True, 1.0)
    saved = 0
    for action in actions:
        before = store.get_submission(record.id).status
        if action == "claim":
            assert (store.claim_submission(record.id) is None) == (before in FINAL)
        elif action == "save":
            saved += store.save_grade(record.id, report_for(), "", PROVENANCE)
        elif action == "fail":
            store.mark_failed(record.id, "boom")
        else:
            store.requeue(record.id)
        if before in FINAL:
            assert store.get_submission(record.id).status == before
    assert saved <= 1
    assert len(store.report_history(record.id)) == saved
    assert (store.get_submission(record.id).status == "graded") == (saved == 1)


def test_a_malformed_stored_report_is_refused_naming_its_row(
    store: Store, submission: SubmissionRecord
) -> None:
    store.claim_submission(submission.id)
    store.save_grade(submission.id, report_for(), "", PROVENANCE)
    report_id = store.get_submission(submission.id).latest_report_id
    with store.engine.begin() as connection:  # a row as no version wrote it: a score that is text
        broken = json.dumps({**report_for(), "score": "two"})
        connection.execute(
            text("UPDATE grade_reports SET report = :r WHERE id = :i"), {"r": broken, "i": report_id}
        )
    with pytest.raises(CorruptData, match=rf"grade report {report_id}\.score is not a number"):
        store.latest_report(submission.id)


def test_a_report_no_reader_could_read_is_not_stored(
    store: Store, submission: SubmissionRecord, row_counts: Callable[[], dict[str, int]]
) -> None:
    store.claim_submission(submission.id)
    before = row_counts()
    with pytest.raises(CorruptData, match="has no 'max_score'"):
        store.save_grade(submission.id, {"score": 1.0, "cells": []}, "", PROVENANCE)
    assert row_counts() == before and store.get_submission(submission.id).status == "running"
