"""Re-running one stored submission for a regrade run (worker/regrades.py): graded against the run's fixed
source (else the assignment's), kept aside in the run with its provenance; a decided run re-runs
nothing, the learner's unusable upload is a failed result, and our faults leave it queued for RQ.

Store and Redis are real; the sandboxes are the fakes of tests/worker/fake_sandboxes.py, reached as the
job reaches its own (the worker context), except where the real context finds no engine. The whole
run, accepted, against Docker: tests/e2e/test_regrade_runs.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from grader.errors import SandboxError
from store import Store, SubmissionRecord
from tests.web.notebook_builders import source_bytes
from tests.web.reports import grade
from tests.worker.fake_sandboxes import FakeSandboxContext
from worker.context import WorkerContext
from worker.regrades import regrade_one

pytestmark = pytest.mark.redis
Submit = Callable[..., SubmissionRecord]


def open_run(store: Store, submission: SubmissionRecord, fixed: dict[str, bytes] | None = None) -> str:
    """The submission graded 1 of 2, then a regrade run of its assignment opened."""
    grade(store, submission.id, 1.0)
    run_id, rerun = store.open_regrade(
        submission.assignment_id, "test fixed", "prof", fixed, datetime.now(UTC)
    )
    assert rerun == [submission.id]
    return run_id


def result_of(store: Store, run_id: str) -> dict[str, Any]:
    [result] = store.get_regrade(run_id)["results"]
    return dict(result)


def test_a_re_run_grades_against_the_runs_fixed_source_and_is_kept_aside_with_its_provenance(
    sandboxed: FakeSandboxContext, store: Store, submitted: Submit
) -> None:
    submission = submitted()
    run_id = open_run(store, submission, {"hw.ipynb": source_bytes(points=5)})
    assert regrade_one(run_id, submission.id) == {"run": run_id, "submission": submission.id, "score": 5.0}
    result = result_of(store, run_id)
    assert (result["status"], result["old_score"], result["new_score"]) == ("graded", 1.0, 5.0)
    [(_, report, feedback, provenance)] = store.proposed_changes(run_id)
    assert report.score == 5.0 and "(regrade)" in feedback
    assert provenance["regrade"] == run_id and provenance["submission_sha256"] == submission.sha256
    [opened] = sandboxed.sandboxes.opened
    assert opened.labels == {"autograde.submission": submission.id, "autograde.regrade": run_id}
    assert store.latest_report(submission.id).report.score == 1.0  # type: ignore[union-attr]  # aside, not applied


def test_without_a_fixed_source_the_assignments_own_is_used(
    sandboxed: FakeSandboxContext, store: Store, submitted: Submit
) -> None:
    submission = submitted()
    run_id = open_run(store, submission)
    assert regrade_one(run_id, submission.id)["score"] == 2.0
    assert result_of(store, run_id)["new_score"] == 2.0


@pytest.mark.parametrize("decision", ["discarded", "accepted"])
def test_a_decided_run_re_runs_nothing(
    sandboxed: FakeSandboxContext, store: Store, submitted: Submit, decision: str
) -> None:
    submission = submitted()
    run_id = open_run(store, submission)
    if decision == "accepted":  # only a run whose re-runs are all done can be accepted
        store.save_regrade_result(run_id, submission.id, None, "", {}, "done elsewhere")
    store.decide_regrade(run_id, decision, datetime.now(UTC))
    before = result_of(store, run_id)
    assert regrade_one(run_id, submission.id) == {
        "run": run_id,
        "submission": submission.id,
        "skipped": decision,
    }
    assert sandboxed.sandboxes.opened == [] and result_of(store, run_id) == before


def test_an_upload_that_cannot_be_graded_is_a_failed_result_not_a_retry(
    sandboxed: FakeSandboxContext, store: Store, submitted: Submit
) -> None:
    submission = submitted(b"PK\x03\x04 not really a zip", filename="hw.zip")
    run_id = open_run(store, submission)
    answer = regrade_one(run_id, submission.id)
    assert "not a readable zip" in answer["failed"]
    result = result_of(store, run_id)
    assert (result["status"], result["new_score"]) == ("failed", None)
    assert "not a readable zip" in result["error"]
    assert sandboxed.sandboxes.opened == []


def test_our_fault_is_raised_for_rq_to_retry_and_the_result_stays_queued(
    engineless: WorkerContext, store: Store, submitted: Submit
) -> None:
    submission = submitted()
    run_id = open_run(store, submission)
    with pytest.raises(SandboxError, match="no Docker engine"):
        regrade_one(run_id, submission.id)
    assert result_of(store, run_id)["status"] == "queued"
