"""Submissions and their life cycle: queued -> running -> graded | failed.

Every state change is one conditional ``UPDATE ... WHERE status IN (...)``, so two workers
holding the same job (a retry, a duplicate delivery) cannot both move a submission.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Select, select, update
from sqlalchemy.orm import Session, defer

from grader.errors import AssignmentRetired, Conflict, NotFound
from grader.late import as_utc
from store.deliveries import add_delivery
from store.ledger_entries import spend_late_days
from store.models import AssignmentRow, SubmissionRow, utcnow
from store.rows import UNFINISHED, SubmissionRecord
from store.sessions import SessionScope


def to_submission_record(row: SubmissionRow) -> SubmissionRecord:
    return SubmissionRecord(
        id=row.id,
        assignment_id=row.assignment_id,
        learner=row.learner,
        filename=row.filename,
        sha256=row.sha256,
        size=row.size,
        received_at=row.received_at,
        on_time=row.on_time,
        late_credit=row.late_credit,
        status=row.status,
        priority=row.priority,
        attempts=row.attempts,
        score=row.score,
        max_score=row.max_score,
        graded_at=row.graded_at,
        error=row.error,
        updated_at=row.updated_at,
        latest_report_id=row.latest_report_id,
        platform_id=row.platform_id,
        external_id=row.external_id,
        callback_url=row.callback_url,
        request_sha256=row.request_sha256,
        deadline=dict(row.deadline) if row.deadline is not None else None,
    )


@dataclass(frozen=True)
class PlatformOrigin:
    """Where a webhook submission came from: the platform, its own id for it, where to call back."""

    platform_id: str
    external_id: str
    request_sha256: str  # what was asked (assignment, learner, content): a reused id must ask the same
    callback_url: str | None = None


def select_submissions() -> Select[SubmissionRow]:
    """Rows without their content: records never carry the uploaded bytes."""
    return (
        select(SubmissionRow).options(defer(SubmissionRow.content)).execution_options(populate_existing=True)
    )


def load_submission(session: Session, submission_id: str) -> SubmissionRow:
    row = session.scalars(select_submissions().where(SubmissionRow.id == submission_id)).one_or_none()
    if row is None:
        raise NotFound(f"no submission with id {submission_id!r}")
    return row


def change_status(session: Session, submission_id: str, allowed: tuple[str, ...], **values: object) -> bool:
    """Apply ``values`` only if the submission is in an ``allowed`` status; False if it was not."""
    statement = (
        update(SubmissionRow)
        .where(SubmissionRow.id == submission_id, SubmissionRow.status.in_(allowed))
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    result = cast(CursorResult[Any], session.execute(statement))
    if result.rowcount:
        return True
    load_submission(session, submission_id)  # NotFound for an unknown id, else just "not allowed now"
    return False


def insert_submission(
    session: Session,
    assignment_id: str,
    learner: str,
    filename: str,
    content: bytes,
    received_at: datetime,
    on_time: bool,
    late_credit: float,
    priority: str,
) -> SubmissionRow:
    """A new queued submission row in the caller's transaction (an exam submit adds it with its attempt's change)."""
    assignment = session.get(AssignmentRow, assignment_id)
    if assignment is None:
        raise NotFound(f"no assignment with id {assignment_id!r}")
    if assignment.retired_at is not None:
        raise AssignmentRetired(assignment.name, assignment.retired_at)
    received_at = as_utc(received_at)
    row = SubmissionRow(
        id=uuid.uuid4().hex,
        assignment_id=assignment_id,
        learner=learner,
        filename=filename,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        received_at=received_at,
        on_time=on_time,
        late_credit=float(late_credit),
        status="queued",
        priority=priority,
        attempts=0,
        max_score=assignment.max_score,
        updated_at=received_at,
    )
    session.add(row)
    return row


def load_course(session: Session, assignment_id: str) -> str:
    assignment = session.get(AssignmentRow, assignment_id)
    assert assignment is not None  # insert_submission found it
    return assignment.course


class SubmissionStore(SessionScope):
    def add_submission(
        self,
        assignment_id: str,
        learner: str,
        filename: str,
        content: bytes,
        received_at: datetime,
        on_time: bool,
        late_credit: float,
        priority: str = "assignments",
        origin: PlatformOrigin | None = None,
        deadline: Mapping[str, Any] | None = None,
    ) -> SubmissionRecord:
        """Store the upload durably, status queued, before anyone enqueues it.

        With an ``origin``, a second submission with the same platform and external id is
        refused by a unique constraint (``Conflict``), even when both arrive at once.
        ``deadline`` is what the learner was told submitting meant (``Verdict.to_dict``): kept
        with the submission, and the late days it spends go into their ledger in this transaction.
        """
        with self.transaction(write=True) as session:
            row = insert_submission(
                session,
                assignment_id,
                learner,
                filename,
                content,
                received_at,
                on_time,
                late_credit,
                priority,
            )
            if origin is not None:
                row.platform_id, row.external_id = origin.platform_id, origin.external_id
                row.callback_url, row.request_sha256 = origin.callback_url, origin.request_sha256
            session.flush()
            if deadline is not None:
                row.deadline = dict(deadline)
                if deadline.get("late_days_spent"):
                    course = load_course(session, assignment_id)
                    spend_late_days(session, row, course, int(deadline["late_days_spent"]), row.received_at)
            return to_submission_record(row)

    def get_submission(self, submission_id: str) -> SubmissionRecord:
        with self.transaction() as session:
            return to_submission_record(load_submission(session, submission_id))

    def find_submission(self, submission_id: str) -> SubmissionRecord | None:
        with self.transaction() as session:
            row = session.scalars(select_submissions().where(SubmissionRow.id == submission_id)).one_or_none()
            return to_submission_record(row) if row else None

    def submission_content(self, submission_id: str) -> bytes:
        query = select(SubmissionRow.content).where(SubmissionRow.id == submission_id)
        with self.transaction() as session:
            content = session.scalars(query).one_or_none()
            if content is None:
                raise NotFound(f"no submission with id {submission_id!r}")
            return bytes(content)

    def claim_submission(self, submission_id: str) -> SubmissionRecord | None:
        """queued|running -> running with one more attempt; None if it is already graded or failed.

        ``running`` may be claimed again: that is a job redelivered after its worker died.
        """
        with self.transaction(write=True) as session:
            attempts = SubmissionRow.attempts + 1
            if not change_status(session, submission_id, UNFINISHED, status="running", attempts=attempts):
                return None
            return to_submission_record(load_submission(session, submission_id))

    def find_platform_submission(self, platform_id: str, external_id: str) -> SubmissionRecord | None:
        query = select_submissions().where(
            SubmissionRow.platform_id == platform_id, SubmissionRow.external_id == external_id
        )
        with self.transaction() as session:
            row = session.scalars(query).one_or_none()
            return to_submission_record(row) if row else None

    def mark_failed(self, submission_id: str, error: str) -> None:
        """Could not grade: recorded as failed with the reason, never as a score.

        A platform's submission gets a result delivery saying so, in the same transaction.
        """
        with self.transaction(write=True) as session:
            if change_status(session, submission_id, UNFINISHED, status="failed", error=error):
                add_delivery(session, load_submission(session, submission_id), None, utcnow())

    def reopen_for_regrade(self, submission_id: str) -> SubmissionRecord:
        """graded|failed -> queued on the regrades queue; Conflict while it is still being graded."""
        with self.transaction(write=True) as session:
            if not change_status(
                session, submission_id, ("graded", "failed"), status="queued", priority="regrades", attempts=0
            ):
                status = load_submission(session, submission_id).status
                raise Conflict(
                    f"submission {submission_id} is {status}; only a finished grade can be regraded"
                )
            return to_submission_record(load_submission(session, submission_id))

    def requeue(self, submission_id: str) -> None:
        """running -> queued, after an infrastructure fault, so that recovery enqueues it again."""
        with self.transaction(write=True) as session:
            change_status(session, submission_id, ("running",), status="queued")

    def unfinished_submissions(self) -> list[SubmissionRecord]:
        """Queued or running, oldest first: what start-up recovery must enqueue again."""
        query = select_submissions().where(SubmissionRow.status.in_(UNFINISHED))
        with self.transaction() as session:
            rows = session.scalars(query.order_by(SubmissionRow.received_at, SubmissionRow.id))
            return [to_submission_record(row) for row in rows]

    def list_submissions(
        self, assignment_id: str | None = None, learner: str | None = None
    ) -> list[SubmissionRecord]:
        query = select_submissions()
        if assignment_id is not None:
            query = query.where(SubmissionRow.assignment_id == assignment_id)
        if learner is not None:
            query = query.where(SubmissionRow.learner == learner)
        with self.transaction() as session:
            rows = session.scalars(query.order_by(SubmissionRow.received_at, SubmissionRow.id))
            return [to_submission_record(row) for row in rows]
