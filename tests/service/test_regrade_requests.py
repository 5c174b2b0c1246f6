"""Learners' regrade requests (service/regrade_requests.py), on SQLite and PostgreSQL: only the owner,
on a graded cell, inside the window, with a reason; answers upheld as a new grade version or denied
once; a request widened into one run only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest

from grader.errors import BadInput, Conflict, Forbidden, NotFound, RequestWindowClosed
from service.regrade_requests import MAX_REASON, answer_request, open_request, widen_request
from service.settings import Settings
from store import Store, SubmissionRecord
from tests.store.test_regrade_requests import graded
from tests.web.fakes import FakeEnqueuer


@dataclass
class FakeDeps:
    store: Store
    now: datetime
    enqueuer: FakeEnqueuer = field(default_factory=FakeEnqueuer)
    settings: Settings = field(default_factory=lambda: Settings(data_dir="/nonexistent"))

    def clock(self) -> datetime:
        return self.now


@pytest.fixture
def alices(
    store: Store, make_submission: Callable[..., SubmissionRecord]
) -> tuple[FakeDeps, SubmissionRecord]:
    """alice's graded submission (test_answer 0 of 2), an hour after its grade was released."""
    sid, _ = graded(store, make_submission)
    submission = store.get_submission(sid)
    assert submission.graded_at is not None
    store.set_regrade_policy("ds101", 7, 2, "prof", submission.graded_at)
    return FakeDeps(store, submission.graded_at + timedelta(hours=1)), submission


def test_the_owner_opens_a_request_on_a_graded_cell_and_its_triage_is_queued(
    alices: tuple[FakeDeps, SubmissionRecord],
) -> None:
    deps, submission = alices
    opened = open_request(deps, submission, "alice", "test_answer", "  my answer is right ")
    assert (opened["status"], opened["grade_id"], opened["reason"]) == (
        "open",
        "test_answer",
        "my answer is right",
    )
    assert deps.enqueuer.triages == [opened["id"]]


@pytest.mark.parametrize(
    ("learner", "grade_id", "reason", "refused"),
    [
        ("mallory", "test_answer", "mine", Forbidden),
        ("alice", "no_such_cell", "why", NotFound),
        ("alice", "", "why", BadInput),
        ("alice", ["test_answer"], "why", BadInput),
        ("alice", "test_answer", "   ", BadInput),
        ("alice", "test_answer", None, BadInput),
        ("alice", "test_answer", "x" * (MAX_REASON + 1), BadInput),
    ],
    ids=[
        "not-the-owner",
        "unknown-cell",
        "empty-cell",
        "cell-not-text",
        "blank-reason",
        "no-reason",
        "long-reason",
    ],
)
def test_a_request_nobody_may_make_is_refused_and_nothing_is_queued(
    store: Store,
    alices: tuple[FakeDeps, SubmissionRecord],
    learner: str,
    grade_id: Any,
    reason: Any,
    refused: type,
) -> None:
    deps, submission = alices
    with pytest.raises(refused):
        open_request(deps, submission, learner, grade_id, reason)
    assert deps.enqueuer.triages == [] and store.list_regrade_requests(submission_id=submission.id) == []


def test_the_window_closes_after_the_courses_days(alices: tuple[FakeDeps, SubmissionRecord]) -> None:
    deps, submission = alices
    assert submission.graded_at is not None
    deps.now = submission.graded_at + timedelta(days=7, seconds=1)
    with pytest.raises(RequestWindowClosed, match="closed at"):
        open_request(deps, submission, "alice", "test_answer", "why")


def test_an_ungraded_submission_cannot_be_asked_about(
    store: Store, make_submission: Callable[..., SubmissionRecord], alices: tuple[FakeDeps, SubmissionRecord]
) -> None:
    deps, _ = alices
    waiting = make_submission("alice")
    with pytest.raises(Conflict, match="only a graded one"):
        open_request(deps, waiting, "alice", "test_answer", "why")


def test_an_upheld_answer_is_a_new_grade_version_and_cannot_be_given_twice(
    store: Store, alices: tuple[FakeDeps, SubmissionRecord]
) -> None:
    deps, submission = alices
    opened = open_request(deps, submission, "alice", "test_answer", "why")
    answered = answer_request(deps, opened["id"], "prof", "upheld", "you were right", 2.0)
    assert answered["status"] == "upheld"
    assert store.get_submission(submission.id).score == 2.0 and len(store.report_history(submission.id)) == 2
    latest = store.latest_report(submission.id)
    assert latest is not None and latest.report.to_dict()["change"]["request"] == opened["id"]
    with pytest.raises(Conflict, match="already answered"):
        answer_request(deps, opened["id"], "prof", "upheld", "again", 1.0)
    with pytest.raises(Conflict):
        answer_request(deps, opened["id"], "prof", "denied", "changed my mind", None)


@pytest.mark.parametrize(
    ("decision", "answer", "score"),
    [
        ("maybe", "hm", 1.0),
        ("upheld", "", 1.0),
        ("upheld", "ok", 99.0),
        ("upheld", "ok", -1.0),
        ("upheld", "ok", "two"),
    ],
    ids=["unknown-decision", "no-answer", "above-max", "negative", "score-not-a-number"],
)
def test_a_bad_answer_is_refused_and_the_grade_is_unchanged(
    store: Store, alices: tuple[FakeDeps, SubmissionRecord], decision: str, answer: str, score: Any
) -> None:
    deps, submission = alices
    opened = open_request(deps, submission, "alice", "test_answer", "why")
    with pytest.raises(BadInput):
        answer_request(deps, opened["id"], "prof", decision, answer, score)
    assert store.get_regrade_request(opened["id"])["status"] == "open"
    assert len(store.report_history(submission.id)) == 1


def test_a_denied_request_keeps_the_grade(store: Store, alices: tuple[FakeDeps, SubmissionRecord]) -> None:
    deps, submission = alices
    opened = open_request(deps, submission, "alice", "test_answer", "why")
    assert (
        answer_request(deps, opened["id"], "prof", "denied", "the test is right", None)["status"] == "denied"
    )
    assert store.get_submission(submission.id).score == 0.0 and len(store.report_history(submission.id)) == 1


def test_a_request_widens_into_one_regrade_run_only(
    store: Store, alices: tuple[FakeDeps, SubmissionRecord]
) -> None:
    deps, submission = alices
    opened = open_request(deps, submission, "alice", "test_answer", "the test is wrong")
    run = widen_request(deps, opened["id"], "prof", None)
    assert store.get_regrade_request(opened["id"])["run_id"] == run
    assert deps.enqueuer.regrades == [(run, submission.id)]
    with pytest.raises(Conflict, match="already started"):
        widen_request(deps, opened["id"], "prof", None)
