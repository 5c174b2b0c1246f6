"""Triage of a learner's regrade request: the stored submission graded twice more, compared.

Both re-runs go through ``grade_stored``, the one path that grades a stored submission (its
bytes and receipt time unchanged, a fresh sandbox each), against the assignment's source.
Each run's image and rubric version are kept beside the stored grade's, so staff can see
that the comparison is like for like; when the rubric or the image changed since the grade, the
triage says so and compares only the re-runs, rather than call a rubric fix nondeterminism. A nondeterministic test is logged as
a warning and shown at the top of the staff queue, with both runs attached to the request.
"""

from __future__ import annotations

import logging
from typing import Any

from grader.errors import BadInput, InfrastructureError
from grader.stored_report import StoredReport
from grader.triage import NONDETERMINISTIC, CellOutcome, cell_outcome, outcome_json, verdict
from worker import context
from worker.context import WorkerContext
from worker.stored import grade_stored, trusted_assignment

log = logging.getLogger(__name__)
RUNS = 2


def triage_request(request_id: str) -> dict[str, Any]:
    ctx = context.current()
    store = ctx.store
    request = store.get_regrade_request(request_id)
    if request["status"] != "open":
        return {"request": request_id, "skipped": request["status"]}
    # the grade version the learner asked about, not a newer one a person stored since
    stored = next(r for r in store.report_history(request["submission_id"]) if r.id == request["report_id"])
    try:
        ran = [run_once(ctx, request, n) for n in range(1, RUNS + 1)]
    except BadInput as exc:
        store.save_triage(request_id, "failed", {"error": exc.message})
        return {"request": request_id, "failed": exc.message}
    except InfrastructureError:
        raise  # retried by RQ; the triage stays queued meanwhile
    notebook, grade_id = request["notebook"], request["grade_id"]
    stored_cell = cell_outcome(stored.report, notebook, grade_id)
    runs = [run for _, run in ran]
    same_rubric = all(run["rubric_version"] == stored.report.rubric_version for run in runs)
    same_image = all(run["sandbox_image"] == stored.provenance.get("sandbox_image") for run in runs)
    # On another rubric or image the stored grade may differ for that reason alone: only the re-runs,
    # like for like with each other, can show the test is nondeterministic.
    compared = stored_cell if same_rubric and same_image else None
    found = verdict(compared, [outcome for outcome, _ in ran])
    detail = {
        "stored": {
            "cell": outcome_json(stored_cell),
            "sandbox_image": stored.provenance.get("sandbox_image"),
            "rubric_version": stored.report.rubric_version,
        },
        "runs": runs,
        "same_rubric": same_rubric,
        "same_image": same_image,
    }
    store.save_triage(request_id, found, detail)
    if found == NONDETERMINISTIC:
        log.warning(
            "regrade request %s: test %s of assignment %s gave different outcomes on the same submission",
            request_id,
            grade_id,
            request["assignment_id"],
        )
    return {"request": request_id, "triage": found}


def run_once(
    ctx: WorkerContext, request: dict[str, Any], n: int
) -> tuple[CellOutcome | None, dict[str, Any]]:
    """One more grading of the stored submission: the cell's outcome, and the run as staff see it."""
    store = ctx.store
    submission = store.get_submission(request["submission_id"])
    record = store.get_assignment(submission.assignment_id)
    result = grade_stored(
        ctx,
        submission,
        record,
        trusted_assignment(store, record.id),
        title=f"{record.course} / {record.name} (triage {n})",
        labels={"autograde.triage": request["id"]},
    )
    report = StoredReport.of(result.graded.report)
    outcome = cell_outcome(report, request["notebook"], request["grade_id"])
    return outcome, {
        "run": n,
        "cell": outcome_json(outcome),
        "score": report.score,
        "sandbox_image": result.provenance.get("sandbox_image"),
        "rubric_version": report.rubric_version,
        "report": report.to_dict(),
    }
