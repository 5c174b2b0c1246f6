"""Regrade runs: over every graded submission, results only for their own run, decided once and never while re-running."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from grader.errors import Conflict, NotFound
from store import AssignmentRecord, Store, SubmissionRecord
from tests.store.test_assignment_changes import REPORT, graded

NOW = datetime(2030, 3, 5, tzinfo=UTC)


@pytest.fixture
def run(store: Store, assignment: AssignmentRecord, submission: SubmissionRecord) -> str:
    graded(store, submission)
    run_id, queued = store.open_regrade(assignment.id, "rubric typo", "prof", {"hw.ipynb": b"fixed"}, NOW)
    assert queued == [submission.id]
    return run_id


def test_a_run_for_an_unknown_assignment_is_refused(store: Store) -> None:
    with pytest.raises(NotFound, match="no assignment"):
        store.open_regrade("nope", "r", "prof", None, NOW)


def test_the_run_keeps_its_fixed_sources_byte_for_byte(
    store: Store, assignment: AssignmentRecord, run: str
) -> None:
    assert store.regrade_sources(run) == (assignment.id, {"hw.ipynb": b"fixed"}, "open")


def test_a_result_for_a_submission_outside_the_run_is_refused(
    store: Store, run: str, make_submission: object
) -> None:
    other = make_submission("bob")  # type: ignore[operator]
    with pytest.raises(NotFound, match="not part of regrade"):
        store.save_regrade_result(run, other.id, REPORT, "", {}, None)


def test_a_run_still_re_running_cannot_be_accepted_but_can_be_discarded(store: Store, run: str) -> None:
    with pytest.raises(Conflict, match="still re-running"):
        store.decide_regrade(run, "accepted", NOW)
    store.decide_regrade(run, "discarded", NOW)
    with pytest.raises(Conflict, match="already discarded"):
        store.decide_regrade(run, "accepted", NOW)


def test_only_changed_scores_are_proposed_and_a_failure_is_never_a_zero(
    store: Store, run: str, submission: SubmissionRecord
) -> None:
    store.save_regrade_result(run, submission.id, REPORT, "same", {}, None)
    assert store.proposed_changes(run) == []  # the same score as before: nothing to change
    store.save_regrade_result(run, submission.id, None, "", {}, "the kernel died")
    result = store.get_regrade(run)["results"][0]
    assert (result["status"], result["new_score"], result["error"]) == ("failed", None, "the kernel died")
    store.save_regrade_result(run, submission.id, {**REPORT, "score": 3.0}, "better", {"image": "y"}, None)
    [(changed, report, _, provenance)] = store.proposed_changes(run)
    assert (changed, report.score, provenance) == (submission.id, 3.0, {"image": "y"})
    store.decide_regrade(run, "accepted", NOW)
    assert store.get_regrade(run)["status"] == "accepted"


def test_an_unknown_run_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="no regrade"):
        store.get_regrade("nope")
