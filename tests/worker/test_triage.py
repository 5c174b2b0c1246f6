"""Triage of a regrade request (worker/triage.py): the stored submission graded twice more and compared with
the grade version the learner asked about; like for like is shown (rubric, image), a test whose
outcomes differ is nondeterministic and logged; closed requests are left alone, an unusable upload is
a failed triage, our faults are raised for RQ with the triage still queued.

Store and Redis are real; the sandboxes are the fakes of tests/worker/fake_sandboxes.py, reached as the
job reaches its own (the worker context), so that a test can make two runs disagree. Against Docker,
from the learner's request to the staff queue: tests/e2e/test_regrade_request_triage.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from grader.errors import SandboxError
from grader.execution import CellRun
from store import Store, SubmissionRecord
from tests.builders import error_run, report_cell, report_dict
from tests.web.notebook_builders import VISIBLE_TEST
from tests.worker.fake_sandboxes import FakeSandbox, FakeSandboxContext, passing
from worker.context import WorkerContext
from worker.stored import trusted_assignment
from worker.triage import triage_request

pytestmark = pytest.mark.redis
Submit = Callable[..., SubmissionRecord]
NOW = datetime(2030, 3, 2, tzinfo=UTC)


def failing_test(code: str) -> CellRun:
    return error_run("AssertionError") if code.startswith(VISIBLE_TEST) else CellRun("ok")


def save_grade(
    store: Store, submission_id: str, score: float, image: str = FakeSandbox.image_id, **extra: Any
) -> None:
    """A machine grade of the one 2-point test cell, by default on the assignment's own rubric and the image."""
    status = "passed" if score == 2.0 else "failed"
    rubric = trusted_assignment(store, store.get_submission(submission_id).assignment_id).rubric.version
    report = report_dict(report_cell("test_answer", score, 2.0, status), score=score, max_score=2.0)
    store.claim_submission(submission_id)
    assert store.save_grade(
        submission_id, {**report, "rubric_version": rubric, **extra}, "", {"sandbox_image": image}
    )


def ask(store: Store, submission_id: str) -> str:
    """The learner asks for a regrade of the test cell of the submission's latest grade."""
    latest = store.latest_report(submission_id)
    assert latest is not None
    return str(
        store.open_regrade_request(submission_id, latest.report.cells[0], "why?", latest.id, NOW)["id"]
    )


@pytest.fixture
def graded(store: Store, submitted: Submit) -> Callable[..., tuple[SubmissionRecord, str]]:
    """``graded(score)``: a submission graded ``score`` of 2, and a regrade request on its test cell."""

    def make(score: float = 2.0, **extra: Any) -> tuple[SubmissionRecord, str]:
        submission = submitted(**extra)
        save_grade(store, submission.id, score)
        return submission, ask(store, submission.id)

    return make


def test_two_runs_that_agree_with_the_stored_grade_are_consistent_like_for_like(
    sandboxed: FakeSandboxContext, store: Store, graded: Callable[..., Any]
) -> None:
    submission, request_id = graded(2.0)
    assert triage_request(request_id) == {"request": request_id, "triage": "consistent"}
    request = store.get_regrade_request(request_id)
    detail = request["triage"]
    assert request["triage_status"] == "consistent"
    assert (
        detail["stored"]["cell"]["status"] == "passed"
        and detail["stored"]["sandbox_image"] == FakeSandbox.image_id
    )
    assert [(run["run"], run["score"], run["cell"]["status"]) for run in detail["runs"]] == [
        (1, 2.0, "passed"),
        (2, 2.0, "passed"),
    ]
    assert detail["same_rubric"] is True and detail["same_image"] is True
    assert [o.labels for o in sandboxed.sandboxes.opened] == [
        {"autograde.submission": submission.id, "autograde.triage": request_id}
    ] * 2
    assert all(s.closed for s in sandboxed.sandboxes.sandboxes())  # a fresh sandbox for each run


def test_runs_that_disagree_make_the_test_nondeterministic_and_are_logged(
    sandboxed: FakeSandboxContext, store: Store, graded: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    sandboxed.sandboxes.behaviours = [passing, failing_test]  # the second run's test fails
    _, request_id = graded(2.0)
    with caplog.at_level(logging.WARNING, logger="worker.triage"):
        assert triage_request(request_id)["triage"] == "nondeterministic"
    runs = store.get_regrade_request(request_id)["triage"]["runs"]
    assert [run["cell"]["status"] for run in runs] == ["passed", "failed"]
    assert "test_answer" in caplog.text and "different outcomes" in caplog.text


def test_the_grade_compared_is_the_version_the_learner_asked_about_not_a_newer_one(
    sandboxed: FakeSandboxContext, store: Store, graded: Callable[..., Any]
) -> None:
    submission, request_id = graded(0.0)  # asked about a 0; the re-runs pass
    store.reopen_for_regrade(submission.id)
    save_grade(store, submission.id, 2.0)  # graded again since, a pass like the re-runs
    assert triage_request(request_id)["triage"] == "nondeterministic"
    assert store.get_regrade_request(request_id)["triage"]["stored"]["cell"]["score"] == 0.0


def test_a_rubric_or_image_changed_since_the_grade_is_shown_as_not_like_for_like(
    sandboxed: FakeSandboxContext, store: Store, submitted: Submit
) -> None:
    submission = submitted()
    save_grade(store, submission.id, 2.0, image="sha256:older", rubric_version="an-older-rubric")
    request_id = ask(store, submission.id)
    triage_request(request_id)
    detail = store.get_regrade_request(request_id)["triage"]
    assert detail["same_rubric"] is False and detail["same_image"] is False
    assert detail["stored"]["rubric_version"] == "an-older-rubric"


@pytest.mark.parametrize(
    "changed", [{"rubric_version": "an-older-rubric"}, {"image": "sha256:older"}], ids=["rubric", "image"]
)
def test_a_grade_on_another_rubric_or_image_is_not_taken_for_nondeterminism(
    sandboxed: FakeSandboxContext,
    store: Store,
    submitted: Submit,
    caplog: pytest.LogCaptureFixture,
    changed: dict[str, str],
) -> None:
    """The stored 0 came from an older rubric (or image); the two re-runs agree on a pass: that is
    the fix, not luck. Only the re-runs are compared, and nothing is logged."""
    submission = submitted()
    save_grade(store, submission.id, 0.0, **changed)
    request_id = ask(store, submission.id)
    with caplog.at_level(logging.WARNING, logger="worker.triage"):
        assert triage_request(request_id)["triage"] == "consistent"
    assert "different outcomes" not in caplog.text


def test_runs_on_another_rubric_that_disagree_with_each_other_are_still_nondeterministic(
    sandboxed: FakeSandboxContext, store: Store, submitted: Submit
) -> None:
    sandboxed.sandboxes.behaviours = [passing, failing_test]
    submission = submitted()
    save_grade(store, submission.id, 2.0, rubric_version="an-older-rubric")
    assert triage_request(ask(store, submission.id))["triage"] == "nondeterministic"


def test_a_request_answered_before_its_triage_ran_is_left_alone(
    sandboxed: FakeSandboxContext, store: Store, graded: Callable[..., Any]
) -> None:
    _, request_id = graded(2.0)
    store.deny_regrade_request(request_id, "prof", "the test is right", NOW)
    assert triage_request(request_id) == {"request": request_id, "skipped": "denied"}
    assert (
        sandboxed.sandboxes.opened == []
        and store.get_regrade_request(request_id)["triage_status"] == "queued"
    )


def test_an_upload_that_cannot_be_graded_is_a_failed_triage(
    sandboxed: FakeSandboxContext, store: Store, graded: Callable[..., Any]
) -> None:
    _, request_id = graded(2.0, content=b"PK\x03\x04 not really a zip", filename="hw.zip")
    assert "not a readable zip" in triage_request(request_id)["failed"]
    request = store.get_regrade_request(request_id)
    assert request["triage_status"] == "failed" and "not a readable zip" in request["triage"]["error"]
    assert sandboxed.sandboxes.opened == []


def test_our_fault_is_raised_for_rq_to_retry_and_the_triage_stays_queued(
    engineless: WorkerContext, store: Store, graded: Callable[..., Any]
) -> None:
    _, request_id = graded(2.0)
    with pytest.raises(SandboxError, match="no Docker engine"):
        triage_request(request_id)
    request = store.get_regrade_request(request_id)
    assert (request["triage_status"], request["triage"]) == ("queued", None)
