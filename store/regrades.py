"""Regrade runs: every stored submission of an assignment re-run, its new grade kept aside.

Nothing changes for learners while a run is open: the proposed grades sit in
``regrade_results`` next to the grades in force, so an instructor sees old and new side by
side. Accepting applies each changed grade as a new version (with its delivery and record
events, through ``save_changed_grade``); discarding drops the run.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from grader.errors import Conflict, NotFound
from grader.stored_report import StoredReport
from store.models import AssignmentFileRow, AssignmentRow, RegradeResultRow, RegradeRunRow, SubmissionRow
from store.reports import in_force_form, typed_report
from store.sessions import SessionScope


def run_json(
    run: RegradeRunRow, results: list[RegradeResultRow], learners: Mapping[str, str]
) -> dict[str, Any]:
    rows = [
        {
            "submission_id": r.submission_id,
            "learner": learners.get(r.submission_id),
            "status": r.status,
            "old_score": r.old_score,
            "new_score": r.new_score,
            "change": None
            if r.new_score is None or r.old_score is None
            else round(r.new_score - r.old_score, 6),
            "error": r.error,
        }
        for r in results
    ]
    return {
        "id": run.id,
        "assignment_id": run.assignment_id,
        "reason": run.reason,
        "author": run.author,
        "status": run.status,
        "new_source": run.sources is not None,
        "created_at": run.created_at.isoformat(),
        "decided_at": run.decided_at.isoformat() if run.decided_at else None,
        "done": sum(r["status"] != "queued" for r in rows),
        "total": len(rows),
        "results": rows,
    }


class RegradeStore(SessionScope):
    def open_regrade(
        self, assignment_id: str, reason: str, author: str, sources: Mapping[str, bytes] | None, now: datetime
    ) -> tuple[str, list[str]]:
        """A run over every graded submission of the assignment; its id and the submissions to re-run."""
        with self.transaction(write=True) as session:
            if session.get(AssignmentRow, assignment_id) is None:
                raise NotFound(f"no assignment with id {assignment_id!r}")
            run = RegradeRunRow(
                id=uuid.uuid4().hex,
                assignment_id=assignment_id,
                reason=reason,
                author=author,
                status="open",
                sources={p: base64.b64encode(d).decode() for p, d in sources.items()} if sources else None,
                created_at=now,
            )
            session.add(run)
            graded = session.scalars(
                select(SubmissionRow).where(
                    SubmissionRow.assignment_id == assignment_id, SubmissionRow.status == "graded"
                )
            ).all()
            session.flush()
            session.add_all(
                RegradeResultRow(run_id=run.id, submission_id=s.id, status="queued", old_score=s.score)
                for s in graded
            )
            return run.id, [s.id for s in graded]

    def regrade_sources(self, run_id: str) -> tuple[str, dict[str, bytes] | None, str]:
        """(assignment id, the run's fixed sources or None, status)."""
        with self.transaction() as session:
            run = self._run(session, run_id)
            sources = {p: base64.b64decode(d) for p, d in run.sources.items()} if run.sources else None
            return run.assignment_id, sources, run.status

    def save_regrade_result(
        self,
        run_id: str,
        submission_id: str,
        report: Mapping[str, Any] | StoredReport | None,
        feedback_html: str,
        provenance: Mapping[str, Any],
        error: str | None,
    ) -> None:
        with self.transaction(write=True) as session:
            row = session.get(RegradeResultRow, (run_id, submission_id))
            if row is None:
                raise NotFound(f"submission {submission_id} is not part of regrade {run_id}")
            proposed = None
            if report is not None:  # the comparison shows what accepting would store: hand grades kept
                rerun = typed_report(report, f"regrade {run_id} report of {submission_id}")
                proposed, feedback_html = in_force_form(session, submission_id, rerun, feedback_html)
            row.status = "graded" if proposed is not None else "failed"
            row.report = proposed.to_dict() if proposed is not None else None
            row.new_score = float(proposed.score) if proposed is not None else None
            row.feedback_html, row.provenance, row.error = feedback_html, dict(provenance), error

    def get_regrade(self, run_id: str) -> dict[str, Any]:
        with self.transaction() as session:
            run = self._run(session, run_id)
            results = list(session.scalars(select(RegradeResultRow).where(RegradeResultRow.run_id == run_id)))
            query = select(SubmissionRow.id, SubmissionRow.learner).where(
                SubmissionRow.id.in_([r.submission_id for r in results])
            )
            learners = {submission_id: learner for submission_id, learner in session.execute(query)}
            return run_json(
                run,
                sorted(results, key=lambda r: (learners.get(r.submission_id, ""), r.submission_id)),
                learners,
            )

    def list_regrades(self, assignment_id: str) -> list[dict[str, Any]]:
        """The assignment's runs, newest first, each as ``get_regrade`` shows it without its results."""
        query = select(RegradeRunRow).where(RegradeRunRow.assignment_id == assignment_id)
        with self.transaction() as session:
            runs = session.scalars(query.order_by(RegradeRunRow.created_at.desc(), RegradeRunRow.id)).all()
            return [
                {k: v for k, v in run_json(run, [], {}).items() if k not in ("results", "done", "total")}
                for run in runs
            ]

    def proposed_changes(self, run_id: str) -> list[tuple[str, StoredReport, str, dict[str, Any]]]:
        """(submission, report, feedback, provenance) of every re-run whose score differs."""
        query = select(RegradeResultRow).where(
            RegradeResultRow.run_id == run_id, RegradeResultRow.status == "graded"
        )
        with self.transaction() as session:
            return [
                (
                    r.submission_id,
                    StoredReport.from_json(r.report, f"regrade {run_id} report of {r.submission_id}"),
                    r.feedback_html or "",
                    dict(r.provenance or {}),
                )
                for r in session.scalars(query)
                if r.new_score != r.old_score
            ]

    def decide_regrade(self, run_id: str, status: str, now: datetime) -> None:
        """open -> accepted | discarded, once; a run still re-running cannot be accepted."""
        with self.transaction(write=True) as session:
            run = self._run(session, run_id)
            if run.status != "open":
                raise Conflict(f"regrade {run_id} is already {run.status}")
            pending = session.scalars(
                select(RegradeResultRow).where(
                    RegradeResultRow.run_id == run_id, RegradeResultRow.status == "queued"
                )
            ).first()
            if status == "accepted" and pending is not None:
                raise Conflict(
                    f"regrade {run_id} is still re-running submissions; accept it when every one is done"
                )
            run.status, run.decided_at = status, now

    def replace_sources(
        self,
        assignment_id: str,
        sources: Mapping[str, bytes],
        releases: Mapping[str, bytes],
        rubric: list[dict[str, Any]],
        rubric_version: str,
        max_score: float,
    ) -> None:
        """The fixed source becomes the assignment's: later submissions are graded against it."""
        from store.assignments import file_rows

        with self.transaction(write=True) as session:
            row = session.get(AssignmentRow, assignment_id)
            if row is None:
                raise NotFound(f"no assignment with id {assignment_id!r}")
            for kind in ("source", "release"):
                for old in session.scalars(
                    select(AssignmentFileRow).where(
                        AssignmentFileRow.assignment_id == assignment_id, AssignmentFileRow.kind == kind
                    )
                ):
                    session.delete(old)
            session.flush()
            session.add_all(
                [*file_rows(assignment_id, "source", sources), *file_rows(assignment_id, "release", releases)]
            )
            row.rubric, row.rubric_version, row.max_score = rubric, rubric_version, float(max_score)

    @staticmethod
    def _run(session: Any, run_id: str) -> RegradeRunRow:
        run = session.get(RegradeRunRow, run_id)
        if run is None:
            raise NotFound(f"no regrade with id {run_id!r}")
        return run
