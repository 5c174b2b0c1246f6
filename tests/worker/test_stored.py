"""Grading a stored submission (worker/stored.py): the stored bytes, unpacked within intake's limit, in a
sandbox labelled with the submission, yielding to exams unless it is one; the instructor's assignment
built once per content.

The sandboxes are the fakes of tests/worker/fake_sandboxes.py, reached as the jobs reach theirs (the
worker context): these tests are about what this module asks of them. Store and Redis are real. A
real sandbox grading a stored submission: tests/worker/test_tasks.py (marked ``docker``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from grader.errors import BadInput, UploadTooLarge
from store import Store, SubmissionRecord
from tests.web.conftest import MAX_UPLOAD
from tests.web.notebook_builders import SOLUTION, make_zip, source_bytes
from tests.worker.fake_sandboxes import FakeSandboxContext
from worker.stored import grade_stored, trusted_assignment

pytestmark = pytest.mark.redis
Submit = Callable[..., SubmissionRecord]


def graded(ctx: FakeSandboxContext, store: Store, submission: SubmissionRecord, **options: Any) -> Any:
    record = store.get_assignment(submission.assignment_id)
    return grade_stored(ctx, submission, record, trusted_assignment(store, record.id), **options)


def test_the_stored_bytes_are_graded_in_a_sandbox_labelled_with_the_submission(
    sandboxed: FakeSandboxContext, store: Store, submitted: Submit
) -> None:
    submission = submitted()
    result = graded(sandboxed, store, submission, labels={"autograde.regrade": "run-1"})
    [opened] = sandboxed.sandboxes.opened
    assert opened.labels == {"autograde.submission": submission.id, "autograde.regrade": "run-1"}
    assert opened.priority is False and opened.sandbox.closed
    assert opened.sandbox.calls[0] == SOLUTION  # the learner's stored answer ran
    assert result.graded.report.score == 2.0
    assert result.provenance["submission_sha256"] == submission.sha256
    assert result.provenance["worker"].endswith("/fake-worker")  # the context's sandbox source graded


def test_the_feedback_title_names_the_course_and_assignment_unless_the_caller_names_it(
    sandboxed: FakeSandboxContext, store: Store, submitted: Submit
) -> None:
    submission = submitted()
    assert "<title>ds101 / hw1</title>" in graded(sandboxed, store, submission).graded.feedback_html
    titled = graded(sandboxed, store, submission, title="ds101 / hw1 (triage 1)")
    assert "<title>ds101 / hw1 (triage 1)</title>" in titled.graded.feedback_html


def test_late_work_keeps_the_credit_it_was_given_at_receipt(
    sandboxed: FakeSandboxContext, store: Store, submitted: Submit
) -> None:
    report = graded(sandboxed, store, submitted(on_time=False, late_credit=0.5)).graded.report
    assert (report.raw_score, report.score) == (2.0, 1.0)


def test_an_ordinary_grade_yields_to_a_running_exam_and_an_exam_grade_never_does(
    sandboxed: FakeSandboxContext, store: Store, submitted: Submit
) -> None:
    submission = submitted()
    with sandboxed.exams_in_flight.grading("someone-elses-exam"):  # marked in the tests' Redis
        ordinary = graded(sandboxed, store, submission)
        exam = graded(sandboxed, store, submission, exam=True)
    assert ordinary.provenance["timings"]["yielded_to_exams"] == pytest.approx(0.2, abs=0.1)
    assert exam.provenance["timings"]["yielded_to_exams"] == 0.0
    assert [o.priority for o in sandboxed.sandboxes.opened] == [False, True]


@pytest.mark.parametrize(
    ("content", "refusal"),
    [
        (make_zip({"hw.ipynb": b" " * (MAX_UPLOAD + 1)}), UploadTooLarge),  # small zipped, too big unpacked
        (b"PK\x03\x04 not really a zip", BadInput),
    ],
    ids=["over-intake-limit", "unreadable-zip"],
)
def test_stored_bytes_intake_would_refuse_are_the_learners_fault_and_open_no_sandbox(
    sandboxed: FakeSandboxContext, store: Store, submitted: Submit, content: bytes, refusal: type[Exception]
) -> None:
    submission = submitted(content, filename="hw.zip")
    with pytest.raises(refusal):
        graded(sandboxed, store, submission)
    assert sandboxed.sandboxes.opened == []


def test_the_assignment_is_built_once_per_content_and_a_fixed_source_replaces_the_stored_one(
    store: Store, assignment: dict[str, Any]
) -> None:
    built = trusted_assignment(store, assignment["id"])
    assert trusted_assignment(store, assignment["id"]) is built
    assert built.rubric.max_score == 2.0
    fixed = trusted_assignment(store, assignment["id"], {"hw.ipynb": source_bytes(points=5)})
    assert fixed.rubric.max_score == 5.0 and fixed is not built
    assert trusted_assignment(store, assignment["id"], {}) is built  # an empty fix is no fix
