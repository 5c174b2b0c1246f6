"""A graded one-cell submission as the worker stores it, for tests that need a grade but no sandbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from store import Store
from tests.builders import report_cell, report_dict
from tests.web.fakes import FakeClock


def report(score: float) -> dict[str, Any]:
    """alice's one test cell, worth 2 points, scored ``score``."""
    status, message = (
        ("passed", "") if score == 2.0 else ("failed", "AssertionError raised" if not score else "")
    )
    return report_dict(
        report_cell("test_answer", score, 2.0, status, message=message), score=score, max_score=2.0
    )


def essay_report() -> dict[str, Any]:
    """The worker's grade of ``essay_source_bytes``: the test passed, the essay waits for a person."""
    return report_dict(
        report_cell("test_answer", 2.0, 2.0, "passed"),
        report_cell("essay", None, 5.0, "needs_manual_grading"),
        score=2.0,
        max_score=7.0,
        needs_manual_grading=True,
    )


def grade(store: Store, submission_id: str, score: float = 2.0) -> None:
    """What the worker does, without the sandbox."""
    store.claim_submission(submission_id)
    assert store.save_grade(submission_id, report(score), "<h1>Feedback</h1>", {"timings": {"total": 0.5}})


def graded_since(
    store: Store, submission_id: str, clock: FakeClock, score: float = 0.0, **since: float
) -> None:
    """Grade the submission, then set the app's clock ``since`` (e.g. ``hours=1``) after its grade was released.

    The store stamps a grade with the real time, not the app's clock; tests of what a learner
    may do after a grade (a regrade request's window) start from that stamp.
    """
    grade(store, submission_id, score)
    graded_at = store.get_submission(submission_id).graded_at
    assert graded_at is not None
    clock.now = graded_at + timedelta(**since)
