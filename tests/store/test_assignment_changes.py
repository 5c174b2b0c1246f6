"""Changing an assignment's terms and retiring it, on SQLite and PostgreSQL: one transaction each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from grader.errors import AssignmentRetired, Conflict
from store import AssignmentRecord, Store, SubmissionRecord

AT = datetime(2030, 3, 5, 9, 0, tzinfo=UTC)
EARLIER = {"due": "2030-03-01T00:00:00Z", "late_policy": [{"after": "2030-03-01T00:00:00Z", "credit": 40}]}
REPORT = {"score": 2.0, "raw_score": 2.0, "max_score": 3.0, "on_time": True, "late_credit": 1.0, "cells": []}


def graded(store: Store, submission: SubmissionRecord) -> None:
    store.claim_submission(submission.id)
    assert store.save_grade(submission.id, REPORT, "<p class='badge'>Score: 2 / 3</p>", {"image": "x"})


def test_a_confirmed_change_restates_the_grade_and_keeps_its_history(
    store: Store, assignment: AssignmentRecord, submission: SubmissionRecord
) -> None:
    graded(store, submission)
    plan = store.plan_terms_change(assignment.id, EARLIER)
    assert [(c.learner, c.old_score, c.new_score) for c in plan.credit] == [("alice", 2.0, 0.8)]
    change = store.change_terms(assignment.id, EARLIER, "prof", "typo", AT, plan.confirm)
    assert change is not None and change.regraded[0]["new_score"] == 0.8
    assert store.get_submission(submission.id).score == 0.8
    assert [r.report.score for r in store.report_history(submission.id)] == [2.0, 0.8]
    assert store.get_assignment(assignment.id).due_at == datetime(2030, 3, 1, tzinfo=UTC)
    assert store.assignment_history(assignment.id) == [change]


def test_an_unconfirmed_or_stale_change_writes_nothing(
    store: Store,
    assignment: AssignmentRecord,
    make_submission: Callable[..., SubmissionRecord],
    row_counts: Callable[[], dict[str, int]],
) -> None:
    graded(store, make_submission("alice"))
    plan = store.plan_terms_change(assignment.id, EARLIER)
    make_submission("bob")
    before = row_counts()
    for confirm in (None, plan.confirm):
        with pytest.raises(Conflict):
            store.change_terms(assignment.id, EARLIER, "prof", "typo", AT, confirm)
    assert row_counts() == before


def test_a_retired_assignment_takes_no_work_and_no_further_change(
    store: Store, assignment: AssignmentRecord, submission: SubmissionRecord
) -> None:
    graded(store, submission)
    retired = store.retire_assignment(assignment.id, "prof", "replaced", AT)
    assert retired.fields == {"retired": {"old": None, "new": AT.isoformat()}}
    assert store.get_assignment(assignment.id).retired_at == AT
    with pytest.raises(AssignmentRetired):
        store.add_submission(assignment.id, "bob", "hw.ipynb", b"x", AT, True, 1.0)
    with pytest.raises(Conflict):
        store.change_terms(assignment.id, {"runtime": "runsc"}, "prof", "r", AT)
    with pytest.raises(Conflict):
        store.retire_assignment(assignment.id, "prof", "again", AT)
    assert store.get_submission(submission.id).score == 2.0
    assert [c.kind for c in store.assignment_history(assignment.id)] == ["retire"]
