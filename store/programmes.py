"""Programmes and each learner's record history: appended, hash-chained, never changed.

Grades reach the history in the transaction that stores them (``record_grade``), like the
result outbox: a grade can never be stored without its record event. Grades stored before
a programme existed are imported when it is created (``import_existing``). Appends to one
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
from grader.late import as_utc
from grader.stored_report import StoredReport
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
    utcnow,
)
from store.sessions import SessionScope

REVIEWED = ("verified", "rejected", "second_review")  # the proctoring outcomes a record keeps


def to_event(row: RecordEventRow) -> Event:
    return Event(
        seq=row.seq,
        kind=row.kind,
        learner=row.learner,
        body=dict(row.body),
        at=row.at,
        actor=row.actor,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def append_event(
    session: Session,
    programme_id: str,
    learner: str,
    kind: str,
    body: Mapping[str, Any],
    at: datetime,
    actor: str,
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
        programme_id=programme_id,
        learner=learner,
        seq=seq,
        kind=kind,
        body=dict(body),
        at=stamp,
        actor=actor,
        prev_hash=prev,
        hash=event_hash(prev, seq, kind, learner, dict(body), stamp, actor),
    )
    session.add(row)
    session.flush()
    return to_event(row)


def record_grade(session: Session, submission: SubmissionRow, report: GradeReportRow, at: datetime) -> None:
    """A grade event in every programme its course feeds, with where the number came from."""
    course = course_of(session, submission)
    programmes = session.scalars(
        select(ProgrammeCourseRow.programme_id).where(ProgrammeCourseRow.course == course)
    ).all()
    if not programmes:
        return
    body = grade_body(session, submission, report)
    for programme_id in programmes:
        append_event(session, programme_id, submission.learner, "grade", body, at, "grader")


def course_of(session: Session, submission: SubmissionRow) -> str:
    assignment = session.get(AssignmentRow, submission.assignment_id)
    assert assignment is not None  # a foreign key
    return assignment.course


def grade_body(session: Session, submission: SubmissionRow, report: GradeReportRow) -> dict[str, Any]:
    """A grade event's body: the score, its version, and the evidence behind it."""
    assignment = session.get(AssignmentRow, submission.assignment_id)
    assert assignment is not None  # a foreign key
    grade = report.read_report()
    body: dict[str, Any] = {
        "course": assignment.course,
        "item": assignment.name,
        "kind": "assignment",
        "score": grade.score,
        "max_score": grade.max_score,
        "version": grade_version(session, submission.id),
        "submission_id": submission.id,
        "submission_sha256": submission.sha256,
        "sandbox_image": report.provenance.get("sandbox_image"),
        "rubric_version": grade.rubric_version,
        "received_at": submission.received_at.isoformat(),
    }
    if grade.judge != "judge":  # weaker evidence: the record says so
        body["judge"] = "in-process"
    graders = hand_graders(session, submission, report.id, grade)
    if graders:
        body["hand_graded"] = graders
    change = grade.change
    if change and change.reason and change.author:  # an instructor's change: it applies after a freeze too
        body.update(reason=change.reason, author=change.author)
    if assignment.exam_attempt_id is not None:
        attempt = session.get(AttemptRow, assignment.exam_attempt_id)
        exam = session.get(ExamRow, attempt.exam_id) if attempt else None
        if attempt is not None and exam is not None:
            body.update(kind="exam", item=exam.name, attempt_id=attempt.id)
    return body


def hand_graders(
    session: Session, submission: SubmissionRow, report_id: int, report: StoredReport
) -> list[dict[str, str]]:
    """Each cell of ``report`` a person scored, with who: the latest hand change to it up to this version.

    A regrade carries a person's cells into the machine's new report (``grader.manual``) but
    not the change that made them, so the names come from the submission's earlier versions.
    """
    cells = sorted({c.grade_id for c in report.cells if c.status == "graded_by_instructor"})
    if not cells:
        return []
    versions = select(GradeReportRow).where(
        GradeReportRow.submission_id == submission.id, GradeReportRow.id <= report_id
    )
    by: dict[str, str] = {}
    for earlier in session.scalars(versions.order_by(GradeReportRow.id)):
        change = earlier.read_report().change
        if change is not None and change.kind == "manual" and change.author:
            by[str(change.grade_id)] = change.author
    return [{"grade_id": cell, "by": by.get(cell, "")} for cell in cells]


def record_proctoring(session: Session, attempt: AttemptRow, at: datetime, actor: str) -> None:
    """A proctoring outcome (the attempt's new state) in every programme its course feeds."""
    exam = session.get(ExamRow, attempt.exam_id)
    assert exam is not None
    programmes = session.scalars(
        select(ProgrammeCourseRow.programme_id).where(ProgrammeCourseRow.course == exam.course)
    ).all()
    for programme_id in programmes:
        append_event(
            session, programme_id, attempt.learner, "proctoring", proctoring_body(exam, attempt), at, actor
        )


def proctoring_body(exam: ExamRow, attempt: AttemptRow) -> dict[str, Any]:
    return {"course": exam.course, "item": exam.name, "attempt_id": attempt.id, "state": attempt.state}


def import_existing(session: Session, programme_id: str, courses: Sequence[str], now: datetime) -> int:
    """The grades in force and proctoring outcomes its courses already hold, as events of a new programme.

    A programme created (or given a course) after its learners were graded would otherwise
    never see those grades: events are written only when a grade is stored. Each event says
    it was imported and when; its ``at`` is when the grade or outcome was made, so a freeze
    holds exactly what it would have held had the programme existed then. Returns how many.
    """
    found = [*existing_grades(session, courses), *existing_outcomes(session, courses)]
    note = {"imported": True, "imported_at": now.isoformat(), "note": IMPORT_NOTE}
    for learner, at, kind, body in sorted(found, key=lambda e: (e[0], e[1], e[2], str(e[3].get("item")))):
        append_event(session, programme_id, learner, kind, {**body, **note}, at, "import")
    return len(found)


IMPORT_NOTE = (
    "stored before this course was part of the programme; brought into the history when it was created"
)
Found = tuple[str, datetime, str, dict[str, Any]]  # learner, when it was made, event kind, body


def existing_grades(session: Session, courses: Sequence[str]) -> list[Found]:
    query = (
        select(SubmissionRow, GradeReportRow)
        .join(AssignmentRow, AssignmentRow.id == SubmissionRow.assignment_id)
        .join(GradeReportRow, GradeReportRow.id == SubmissionRow.latest_report_id)
        .where(AssignmentRow.course.in_(courses))
    )
    return [
        (submission.learner, as_utc(report.created_at), "grade", grade_body(session, submission, report))
        for submission, report in session.execute(query)
    ]


def existing_outcomes(session: Session, courses: Sequence[str]) -> list[Found]:
    query = (
        select(AttemptRow, ExamRow)
        .join(ExamRow, ExamRow.id == AttemptRow.exam_id)
        .where(ExamRow.course.in_(courses), AttemptRow.state.in_(REVIEWED))
    )
    return [
        (attempt.learner, as_utc(attempt.updated_at), "proctoring", proctoring_body(exam, attempt))
        for attempt, exam in session.execute(query)
    ]


class ProgrammeStore(SessionScope):
    def add_programme(
        self, programme_id: str, title: str, spec_name: str, spec_text: str, courses: Sequence[str]
    ) -> None:
        try:
            with self.transaction(write=True) as session:
                session.add(
                    ProgrammeRow(id=programme_id, title=title, spec_name=spec_name, spec_text=spec_text)
                )
                session.flush()
                session.add_all(
                    ProgrammeCourseRow(programme_id=programme_id, course=c) for c in sorted(set(courses))
                )
                session.flush()
                import_existing(session, programme_id, sorted(set(courses)), utcnow())
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

    def add_share(
        self, programme_id: str, learner: str, token: str, label: str, now: datetime
    ) -> dict[str, Any]:
        row = ShareLinkRow(
            id=uuid.uuid4().hex,
            programme_id=programme_id,
            learner=learner,
            token_hash=token_digest(token),
            label=label,
            created_at=now,
        )
        with self.transaction(write=True) as session:
            session.add(row)
            session.flush()
            return share_json(row, self.share_access_count(session, row.id))

    def list_shares(self, programme_id: str, learner: str) -> list[dict[str, Any]]:
        query = select(ShareLinkRow).where(
            ShareLinkRow.programme_id == programme_id, ShareLinkRow.learner == learner
        )
        with self.transaction() as session:
            return [
                share_json(row, self.share_access_count(session, row.id))
                for row in session.scalars(query.order_by(ShareLinkRow.created_at))
            ]

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
            row = session.scalars(
                select(ShareLinkRow).where(ShareLinkRow.token_hash == token_digest(token))
            ).one_or_none()
            if row is None:
                raise NotFound("no such share link")
            granted = row.revoked_at is None
            session.add(
                ShareAccessRow(
                    share_id=row.id, at=now, client_ip=client_ip, user_agent=user_agent[:500], granted=granted
                )
            )
            if not granted:
                session.flush()
                return "", ""
            return row.programme_id, row.learner

    def share_accesses(self, share_id: str) -> list[dict[str, Any]]:
        query = select(ShareAccessRow).where(ShareAccessRow.share_id == share_id).order_by(ShareAccessRow.id)
        with self.transaction() as session:
            return [
                {
                    "at": a.at.isoformat(),
                    "client_ip": a.client_ip,
                    "user_agent": a.user_agent,
                    "granted": a.granted,
                }
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
        "id": row.id,
        "label": row.label,
        "created_at": row.created_at.isoformat(),
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
        "accesses": accesses,
    }
