"""Intake refuses what cannot be graded before storing anything, and a queue that refuses loses no submission."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from grader.errors import AssignmentRetired, BadInput, Forbidden, UploadTooLarge
from service.intake import accept_submission, enqueue, late_policy_of
from service.settings import Settings
from store import AssignmentRecord, Store

AT = datetime(2030, 3, 1, 12, tzinfo=UTC)


class RefusingQueue:
    def enqueue_grading(self, submission_id: str, priority: str = "assignments") -> str:
        raise ConnectionError("Redis refused")


def deps(store: Store, tmp_path: Path, **settings: Any) -> Any:
    return SimpleNamespace(
        settings=Settings(data_dir=str(tmp_path), **settings),
        store=store,
        enqueuer=RefusingQueue(),
        clock=lambda: AT,
    )


def stored(store: Store, assignment: AssignmentRecord) -> int:
    return len(store.list_submissions(assignment_id=assignment.id))


def test_an_exam_attempts_questions_take_no_upload(
    store: Store, assignment: AssignmentRecord, tmp_path: Path
) -> None:
    exam_questions = dataclasses.replace(assignment, exam_attempt_id="attempt-1")
    with pytest.raises(Forbidden, match="submit through the attempt"):
        accept_submission(deps(store, tmp_path), exam_questions, "alice", "hw.ipynb", b"{}", AT)
    assert stored(store, assignment) == 0


def test_a_retired_assignment_is_refused_before_the_upload_is_read(
    store: Store, assignment: AssignmentRecord, tmp_path: Path
) -> None:
    retired = dataclasses.replace(assignment, retired_at=AT)
    with pytest.raises(AssignmentRetired, match="retired on 2030-03-01"):
        accept_submission(deps(store, tmp_path), retired, "alice", "hw.ipynb", b"\x00" * 10_000_000, AT)
    assert stored(store, assignment) == 0


@pytest.mark.parametrize(
    ("filename", "data", "error"),
    [
        ("hw.ipynb", b"x" * 2048, UploadTooLarge),
        ("hw.ipynb", b"not json", BadInput),
        ("hw.zip", b"PK\x03\x04 truncated", BadInput),
    ],
)
def test_an_upload_that_cannot_be_graded_stores_nothing(
    store: Store,
    assignment: AssignmentRecord,
    tmp_path: Path,
    filename: str,
    data: bytes,
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        accept_submission(
            deps(store, tmp_path, max_upload_bytes=1024), assignment, "alice", filename, data, AT
        )
    assert stored(store, assignment) == 0


def test_a_queue_that_refuses_is_logged_and_the_submission_stays_for_recovery(
    caplog: pytest.LogCaptureFixture,
) -> None:
    enqueue(RefusingQueue(), "s1")  # type: ignore[arg-type]
    assert "stays queued for recovery" in caplog.text


def test_the_late_policy_reads_the_assignments_due_date(assignment: AssignmentRecord) -> None:
    assert late_policy_of(dataclasses.replace(assignment, due_at=None)).due is None
    due = late_policy_of(dataclasses.replace(assignment, due_at=AT)).due
    assert due == AT
