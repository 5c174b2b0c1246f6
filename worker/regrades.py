"""Re-running one stored submission for a regrade run (accepting a run: ``service/regrades.py``).

The re-run grades the stored submission (its bytes, hash and receipt time unchanged) in a
fresh sandbox, against the run's fixed source if the instructor sent one, else the
assignment's, and keeps the result aside in the run. Accepting applies every changed
grade as a new version with the instructor's reason: platforms get ``grade.updated`` and
programme records a new event, which a freeze lets through because it carries a reason.
Both keep every score a person gave (``grader.manual.keep_hand_grades``): the re-run's
proposal carries those in force then, acceptance any given since.
"""

from __future__ import annotations

from typing import Any

from grader.errors import BadInput, InfrastructureError
from worker import context
from worker.stored import grade_stored, trusted_assignment


def regrade_one(run_id: str, submission_id: str) -> dict[str, Any]:
    ctx = context.current()
    store = ctx.store
    assignment_id, fixed, status = store.regrade_sources(run_id)
    if status != "open":
        return {"run": run_id, "submission": submission_id, "skipped": status}
    record = store.get_assignment(assignment_id)
    submission = store.get_submission(submission_id)
    try:
        assignment = trusted_assignment(store, record.id, fixed)
        result = grade_stored(
            ctx,
            submission,
            record,
            assignment,
            title=f"{record.course} / {record.name} (regrade)",
            labels={"autograde.regrade": run_id},
        )
    except BadInput as exc:
        store.save_regrade_result(run_id, submission_id, None, "", {}, exc.message)
        return {"run": run_id, "submission": submission_id, "failed": exc.message}
    except InfrastructureError:
        raise  # retried by RQ; the result stays queued meanwhile
    provenance = {**result.provenance, "regrade": run_id}
    store.save_regrade_result(
        run_id, submission_id, result.graded.report.to_dict(), result.graded.feedback_html, provenance, None
    )
    return {"run": run_id, "submission": submission_id, "score": result.graded.report.score}
