"""The result outbox: deliveries written with the grade they report, then sent in order.

A delivery row is added in the same transaction as the grade (or the failure) it reports,
so a crash can never store a grade and lose its callback. Sending is claimed per learner
and assignment on a platform: only the oldest pending delivery of that key may be sent,
under a lease, so two jobs never send at once and a newer grade is never overtaken.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from grader.errors import Conflict, NotFound
from integrations.payloads import result_payload
from store.lti_deliveries import add_score_deliveries
from store.models import AssignmentRow, DeliveryRow, GradeReportRow, PlatformRow, SubmissionRow
from store.outbox import outbox_row
from store.rows import DeliveryRecord
from store.sessions import SessionScope


@dataclass(frozen=True)
class DeliveryKey:
    """Deliveries with one key are sent one at a time, oldest first."""

    platform_id: str
    assignment_id: str
    learner: str


@dataclass(frozen=True)
class Claim:
    """What the sender may do now: send ``delivery``, or come back at ``wait_until``, or stop."""

    delivery: DeliveryRecord | None = None
    wait_until: datetime | None = None


def to_delivery_record(row: DeliveryRow) -> DeliveryRecord:
    return DeliveryRecord(
        id=row.id,
        seq=row.seq,
        platform_id=row.platform_id,
        submission_id=row.submission_id,
        assignment_id=row.assignment_id,
        learner=row.learner,
        report_id=row.report_id,
        version=row.version,
        event=row.event,
        url=row.url,
        payload=dict(row.payload),
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        last_status_code=row.last_status_code,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
    )


def grade_version(session: Session, submission_id: str) -> int:
    """How many grades the submission has had: the version of its newest (0 before the first)."""
    count = (
        select(func.count()).select_from(GradeReportRow).where(GradeReportRow.submission_id == submission_id)
    )
    return int(session.scalar(count) or 0)


def add_delivery(
    session: Session, submission: SubmissionRow, report: GradeReportRow | None, now: datetime
) -> DeliveryRow | None:
    """The outbox row for a platform's submission; None for other submissions or no callback URL.

    An LTI learner's submission gets its scores for the platform's line items here too.
    """
    add_score_deliveries(session, submission, report, grade_version(session, submission.id), now)
    if submission.platform_id is None:
        return None
    platform = session.get(PlatformRow, submission.platform_id)
    url = submission.callback_url or (platform.callback_url if platform else None)
    if not url:
        return None
    assignment = session.get(AssignmentRow, submission.assignment_id)
    assert assignment is not None  # a foreign key
    version = grade_version(session, submission.id)
    delivery_id = uuid.uuid4().hex
    payload = result_payload(
        delivery_id,
        submission.platform_id,
        {
            "id": submission.id,
            "external_id": submission.external_id,
            "learner": submission.learner,
            "sha256": submission.sha256,
            "received_at": submission.received_at.isoformat(),
            "on_time": submission.on_time,
        },
        {"id": assignment.id, "course": assignment.course, "name": assignment.name},
        version,
        report.read_report() if report is not None else None,
        report.created_at.isoformat() if report is not None else None,
        submission.error if report is None else None,
    )
    row = outbox_row(delivery_id, submission.platform_id, submission, report, version, url, payload, now)
    session.add(row)
    session.flush()
    return row


def of_key(key: DeliveryKey) -> Select[DeliveryRow]:
    return select(DeliveryRow).where(
        DeliveryRow.platform_id == key.platform_id,
        DeliveryRow.assignment_id == key.assignment_id,
        DeliveryRow.learner == key.learner,
    )


def key_of(record: DeliveryRecord | DeliveryRow) -> DeliveryKey:
    return DeliveryKey(record.platform_id, record.assignment_id, record.learner)


class DeliveryStore(SessionScope):
    def get_delivery(self, delivery_id: str) -> DeliveryRecord:
        with self.transaction() as session:
            return to_delivery_record(self._load(session, delivery_id))

    @staticmethod
    def _load(session: Session, delivery_id: str) -> DeliveryRow:
        row = session.scalars(select(DeliveryRow).where(DeliveryRow.id == delivery_id)).one_or_none()
        if row is None:
            raise NotFound(f"no delivery with id {delivery_id!r}")
        return row

    def list_deliveries(
        self,
        platform_id: str | None = None,
        status: str | None = None,
        submission_id: str | None = None,
        limit: int = 500,
    ) -> list[DeliveryRecord]:
        query = select(DeliveryRow)
        for column, value in (
            (DeliveryRow.platform_id, platform_id),
            (DeliveryRow.status, status),
            (DeliveryRow.submission_id, submission_id),
        ):
            if value is not None:
                query = query.where(column == value)
        with self.transaction() as session:
            return [
                to_delivery_record(row)
                for row in session.scalars(query.order_by(DeliveryRow.seq).limit(limit))
            ]

    def pending_delivery_keys(self) -> list[tuple[DeliveryKey, datetime]]:
        """Every key with something to send, and when its oldest pending delivery is due."""
        query = (
            select(
                DeliveryRow.platform_id,
                DeliveryRow.assignment_id,
                DeliveryRow.learner,
                func.min(DeliveryRow.next_attempt_at),
            )
            .where(DeliveryRow.status == "pending")
            .group_by(DeliveryRow.platform_id, DeliveryRow.assignment_id, DeliveryRow.learner)
        )
        with self.transaction() as session:
            return [(DeliveryKey(p, a, learner), due) for p, a, learner, due in session.execute(query)]

    def claim_next_delivery(self, key: DeliveryKey, now: datetime, lease: float) -> Claim:
        """The oldest pending delivery of ``key``, leased to the caller if it is due and free."""
        with self.transaction(write=True) as session:
            head = session.scalars(
                of_key(key).where(DeliveryRow.status == "pending").order_by(DeliveryRow.seq).limit(1)
            ).one_or_none()
            if head is None:
                return Claim()
            if head.lease_until is not None and head.lease_until > now:
                # Another sender holds it and goes on from there; look again when its lease
                # ends, in case that sender died (a killed worker must not stall the line).
                return Claim(wait_until=head.lease_until)
            if head.next_attempt_at > now:
                return Claim(wait_until=head.next_attempt_at)
            head.lease_until = now + timedelta(seconds=lease)
            return Claim(delivery=to_delivery_record(head))

    def record_delivered(self, delivery_id: str, status_code: int, now: datetime) -> None:
        """Delivered; older dead or refused deliveries of the key are superseded (never to be sent after it)."""
        with self.transaction(write=True) as session:
            row = self._load(session, delivery_id)
            row.status, row.delivered_at, row.lease_until = "delivered", now, None
            row.attempts += 1
            row.last_status_code, row.last_error = status_code, None
            older_dead = of_key(key_of(row)).where(
                DeliveryRow.status.in_(("dead", "refused")), DeliveryRow.seq < row.seq
            )
            for dead in session.scalars(older_dead):
                dead.status = "superseded"

    def record_failed_attempt(
        self, delivery_id: str, error: str, status_code: int | None, retry_at: datetime | None
    ) -> DeliveryRecord:
        """One more failed attempt; with no ``retry_at`` the delivery goes to the dead-letter list."""
        with self.transaction(write=True) as session:
            row = self._load(session, delivery_id)
            row.attempts += 1
            row.lease_until = None
            row.last_error, row.last_status_code = error[:2000], status_code
            if retry_at is None:
                row.status = "dead"
            else:
                row.next_attempt_at = retry_at
            session.flush()
            return to_delivery_record(row)

    def record_refused(self, delivery_id: str, error: str, status_code: int | None) -> DeliveryRecord:
        """Refused for good by the receiver: not retried, not dead-lettered; the line moves on."""
        with self.transaction(write=True) as session:
            row = self._load(session, delivery_id)
            row.attempts += 1
            row.status, row.lease_until = "refused", None
            row.last_error, row.last_status_code = error[:2000], status_code
            session.flush()
            return to_delivery_record(row)

    def redeliver(self, delivery_id: str, now: datetime) -> DeliveryRecord:
        """A dead or refused delivery back to pending with a fresh retry budget; Conflict for any other."""
        with self.transaction(write=True) as session:
            row = self._load(session, delivery_id)
            if row.status not in ("dead", "refused"):
                why = {
                    "superseded": "a newer result for this learner and assignment was delivered after it",
                    "delivered": "it was delivered",
                    "pending": "it is still being retried",
                }.get(row.status, row.status)
                raise Conflict(f"delivery {delivery_id} is {row.status}, not dead or refused: {why}")
            row.status, row.attempts, row.next_attempt_at, row.lease_until = "pending", 0, now, None
            session.flush()
            return to_delivery_record(row)

    def delivery_counts(self, line_prefix: str = "") -> dict[str, Any]:
        """Deliveries by status; only the lines starting with ``line_prefix`` (``lti:``: LTI scores) if given."""
        query = select(DeliveryRow.status, func.count()).group_by(DeliveryRow.status)
        if line_prefix:
            query = query.where(DeliveryRow.platform_id.startswith(line_prefix, autoescape=True))
        with self.transaction() as session:
            return {status: count for status, count in session.execute(query)}
