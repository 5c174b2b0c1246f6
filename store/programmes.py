"""Programmes and each learner's record history: appended, hash-chained, never changed.

Grades reach the history in the transaction that stores them (``record_grade``), like the
result outbox: a grade can never be stored without its record event. Appends to one
programme are serialized by locking the programme's row, so two histories never fork.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grader.errors import Conflict, NotFound
from records.history import GENESIS, event_hash
from records.model import Event
from store.deliveries import grade_version
from store.models import (
    AssignmentRow,
    AttemptRow,
    ExamRow,
    GradeReportRow,
    ProgrammeCourseRow,
    ProgrammeRow,
    RecordEventRow,
    ShareAccessRow,
    ShareLinkRow,
    SubmissionRow,
)
from store.sessions import SessionScope


def to_event(row: RecordEventRow) -> Event:
    return Event(
        seq=row.seq, kind=row.kind, learner=row.learner, body=dict(row.body), at=row.at, actor=row.actor,
        prev_hash=row.prev_hash, hash=row.hash,
    )  # fmt: skip


def append_event(
    session: Session, programme_id: str, learner: str, kind: str, body: Mapping[str, Any], at: datetime, actor: str
) -> Event:
    """The next event of the learner's history in this programme, chained to the last one."""
    session.scalars(select(ProgrammeRow).where(ProgrammeRow.id == programme_id).with_for_update()).one()
    last = session.scalars(
        select(RecordEventRow)
        .where(RecordEventRow.programme_id == programme_id, RecordEventRow.learner == learner)
        .order_by(RecordEventRow.seq.desc())
        .limit(1)
    ).one_or_none()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    stamp = at.isoformat()
    row = RecordEventRow(
        programme_id=programme_id, learner=learner, seq=seq, kind=kind, body=dict(body), at=stamp, actor=actor,
        prev_hash=prev, hash=event_hash(prev, seq, kind, learner, dict(body), stamp, actor),
    )  # fmt: skip
    session.add(row)
    session.flush()
    return to_event(row)


def record_grade(session: Session, submission: SubmissionRow, report: GradeReportRow, at: datetime) -> None:
    """A grade event in every programme its course feeds, with where the number came from."""
    assignment = session.get(AssignmentRow, submission.assignment_id)
    assert assignment is not None  # a foreign key
    programmes = session.scalars(
        select(ProgrammeCourseRow.programme_id).where(ProgrammeCourseRow.course == assignment.course)
    ).all()
    if not programmes:
        return
    version = grade_version(session, submission.id)
    body: dict[str, Any] = {
        "course": assignment.course,
        "item": assignment.name,
        "kind": "assignment",
        "score": report.report["score"],
        "max_score": report.report["max_score"],
        "version": version,
        "submission_id": submission.id,
        "submission_sha256": submission.sha256,
        "sandbox_image": report.provenance.get("sandbox_image"),
        "rubric_version": report.report.get("rubric_version"),
        "received_at": submission.received_at.isoformat(),
    }
    if report.report.get("judge", "in-process") != "judge":  # weaker evidence: the record says so
        body["judge"] = "in-process"
    change = report.report.get("change") or {}
    if change.get("reason") and change.get("author"):  # an instructor's change: it applies after a freeze too
        body.update(reason=change["reason"], author=change["author"])
    if assignment.exam_attempt_id is not None:
        attempt = session.get(AttemptRow, assignment.exam_attempt_id)
        exam = session.get(ExamRow, attempt.exam_id) if attempt else None
        if attempt is not None and exam is not None:
            body.update(kind="exam", item=exam.name, attempt_id=attempt.id)
    for programme_id in programmes:
        append_event(session, programme_id, submission.learner, "grade", body, at, "grader")


def record_proctoring(session: Session, attempt: AttemptRow, at: datetime, actor: str) -> None:
    """A proctoring outcome (the attempt's new state) in every programme its course feeds."""
    exam = session.get(ExamRow, attempt.exam_id)
    assert exam is not None
    programmes = session.scalars(
        select(ProgrammeCourseRow.programme_id).where(ProgrammeCourseRow.course == exam.course)
    ).all()
    body = {"course": exam.course, "item": exam.name, "attempt_id": attempt.id, "state": attempt.state}
    for programme_id in programmes:
        append_event(session, programme_id, attempt.learner, "proctoring", body, at, actor)


class ProgrammeStore(SessionScope):
    def add_programme(
        self, programme_id: str, title: str, spec_name: str, spec_text: str, courses: Sequence[str]
    ) -> None:
        try:
            with self.transaction(write=True) as session:
                session.add(ProgrammeRow(id=programme_id, title=title, spec_name=spec_name, spec_text=spec_text))
                session.flush()
                session.add_all(ProgrammeCourseRow(programme_id=programme_id, course=c) for c in sorted(set(courses)))
        except Conflict as exc:
            raise Conflict(f"a programme with id {programme_id!r} already exists") from exc

    def get_programme(self, programme_id: str) -> tuple[str, str, str]:
        """(title, spec name, spec text)."""
        with self.transaction() as session:
            row = session.get(ProgrammeRow, programme_id)
            if row is None:
                raise NotFound(f"no programme with id {programme_id!r}")
            return row.title, row.spec_name, row.spec_text

    def list_programmes(self) -> list[str]:
        with self.transaction() as session:
            return list(session.scalars(select(ProgrammeRow.id).order_by(ProgrammeRow.id)))

    def append_record_event(
        self, programme_id: str, learner: str, kind: str, body: Mapping[str, Any], at: datetime, actor: str
    ) -> Event:
        with self.transaction(write=True) as session:
            if session.get(ProgrammeRow, programme_id) is None:
                raise NotFound(f"no programme with id {programme_id!r}")
            return append_event(session, programme_id, learner, kind, body, at, actor)

    def record_history(self, programme_id: str, learner: str) -> list[Event]:
        query = (
            select(RecordEventRow)
            .where(RecordEventRow.programme_id == programme_id, RecordEventRow.learner == learner)
            .order_by(RecordEventRow.seq)
        )
        with self.transaction() as session:
            return [to_event(row) for row in session.scalars(query)]

    def programme_learners(self, programme_id: str) -> list[str]:
        query = select(RecordEventRow.learner).where(RecordEventRow.programme_id == programme_id).distinct()
        with self.transaction() as session:
            return sorted(session.scalars(query))

    # -- share links ---------------------------------------------------------------------

    def add_share(self, programme_id: str, learner: str, token: str, label: str, now: datetime) -> dict[str, Any]:
        row = ShareLinkRow(
            id=uuid.uuid4().hex, programme_id=programme_id, learner=learner, token_hash=token_digest(token),
            label=label, created_at=now,
        )  # fmt: skip
        with self.transaction(write=True) as session:
            session.add(row)
            session.flush()
            return share_json(row, self.share_access_count(session, row.id))

    def list_shares(self, programme_id: str, learner: str) -> list[dict[str, Any]]:
        query = select(ShareLinkRow).where(ShareLinkRow.programme_id == programme_id, ShareLinkRow.learner == learner)
        with self.transaction() as session:
            return [share_json(row, self.share_access_count(session, row.id)) for row in session.scalars(query.order_by(ShareLinkRow.created_at))]

    def revoke_share(self, programme_id: str, learner: str, share_id: str, now: datetime) -> dict[str, Any]:
        with self.transaction(write=True) as session:
            row = session.get(ShareLinkRow, share_id)
            if row is None or row.programme_id != programme_id or row.learner != learner:
                raise NotFound(f"no share link {share_id!r} for this record")
            row.revoked_at = row.revoked_at or now
            return share_json(row, self.share_access_count(session, row.id))

    def use_share(self, token: str, now: datetime, client_ip: str | None, user_agent: str) -> tuple[str, str]:
        """(programme, learner) for a live link; every use is logged, a revoked one too (then NotFound)."""
        with self.transaction(write=True) as session:
            row = session.scalars(select(ShareLinkRow).where(ShareLinkRow.token_hash == token_digest(token))).one_or_none()
            if row is None:
                raise NotFound("no such share link")
            granted = row.revoked_at is None
            session.add(ShareAccessRow(share_id=row.id, at=now, client_ip=client_ip, user_agent=user_agent[:500],
                                       granted=granted))  # fmt: skip
            if not granted:
                session.flush()
                return "", ""
            return row.programme_id, row.learner

    def share_accesses(self, share_id: str) -> list[dict[str, Any]]:
        query = select(ShareAccessRow).where(ShareAccessRow.share_id == share_id).order_by(ShareAccessRow.id)
        with self.transaction() as session:
            return [
                {"at": a.at.isoformat(), "client_ip": a.client_ip, "user_agent": a.user_agent, "granted": a.granted}
                for a in session.scalars(query)
            ]

    @staticmethod
    def share_access_count(session: Session, share_id: str) -> int:
        query = select(func.count()).select_from(ShareAccessRow).where(ShareAccessRow.share_id == share_id)
        return int(session.scalar(query) or 0)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def share_json(row: ShareLinkRow, accesses: int) -> dict[str, Any]:
    return {
        "id": row.id, "label": row.label, "created_at": row.created_at.isoformat(),
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None, "accesses": accesses,
    }  # fmt: skip
