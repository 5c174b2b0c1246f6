"""Grading a stored submission: the one path the grading job and a regrade run's re-run share.

Both read the submission's stored bytes (never a new upload), unpack them with intake's
limit, grade them in a fresh sandbox that steps aside for exams, and label the sandbox with
the submission so the reaper and the logs can name it. They differ only in the assignment
(the current source or a run's fixed one) and in where the result goes, which stay with
their callers (``worker/tasks.py``, ``worker/regrades.py``).
"""

from __future__ import annotations

from collections.abc import Mapping

from grader.assignment import Assignment, load_assignment
from grader.uploads import unpack_upload
from service.memo import Memo, digest
from store import AssignmentRecord, Store, SubmissionRecord
from worker.context import WorkerContext
from worker.sandbox_grading import SandboxedGrade, grade_in_sandbox

_assignments: Memo[Assignment] = Memo(32)


def trusted_assignment(
    store: Store, assignment_id: str, fixed: Mapping[str, bytes] | None = None
) -> Assignment:
    """The instructor's assignment (or a run's ``fixed`` source of it), built once per process per content.

    Building parses and validates every source notebook (a fifth of a grade's CPU in the
    worker process, measured with the warm pool); a deadline rush grades one assignment
    hundreds of times, and a regrade run re-runs one fixed source for every learner.
    """
    sources = dict(fixed) if fixed else store.assignment_files(assignment_id, "source")
    data = store.assignment_files(assignment_id, "data")
    return _assignments.get(digest(sources, data), lambda: load_assignment(sources, data))


def grade_stored(
    ctx: WorkerContext,
    submission: SubmissionRecord,
    record: AssignmentRecord,
    assignment: Assignment,
    *,
    exam: bool = False,
    title: str = "",
    labels: Mapping[str, str] | None = None,
) -> SandboxedGrade:
    """Grade the submission's stored bytes; a ``BadInput`` means the learner's upload, anything else ours."""
    content = ctx.store.submission_content(submission.id)
    files = unpack_upload(submission.filename, content, ctx.settings.max_upload_bytes)  # intake's limit
    result = grade_in_sandbox(
        title or f"{record.course} / {record.name}",
        assignment,
        files,
        ctx.factory_for(record.sandbox_runtime),
        ctx.budget,
        on_time=submission.on_time,
        late_credit=submission.late_credit,
        labels={"autograde.submission": submission.id, **(labels or {})},
        priority=exam,
        gate=ctx.gate(exam),
    )
    provenance = {**result.provenance, "submission_sha256": submission.sha256}
    return SandboxedGrade(result.graded, provenance)
