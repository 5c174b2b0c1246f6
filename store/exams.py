"""Exams, accommodations and attempts: every attempt state change is one checked, recorded step.

``apply_event`` is the only way an attempt changes state: inside one write transaction it
reads the state, asks the pure state machine (``exam_bank.states``) whether the event is
allowed (``IllegalTransition``, a 409, if not), applies the change and appends the event
with who, when and why. Two requests racing on one attempt cannot both move it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from exam_bank.states import transition
from grader.errors import BadInput, Conflict, Forbidden, NotFound
from store.lti_exam_scores import on_state_change
from store.models import (
    AccommodationRow,
    AttemptAnswerRow,
    AttemptEventRow,
    AttemptRow,
    ExamFileRow,
    ExamRow,
    ProctoringReviewRow,
)
from store.programmes import REVIEWED, record_proctoring
from store.rows import REVIEW_OUTCOMES, AttemptEventRecord, AttemptRecord, ExamRecord, ReviewRecord
from store.sessions import SessionScope
from store.submissions import insert_submission

ATTEMPT_FIELDS = (
    "id",
    "exam_id",
    "learner",
    "number",
    "seed",
    "variant",
    "state",
    "created_at",
    "started_at",
    "deadline_at",
    "accommodation",
    "extension_seconds",
    "remaining_seconds",
    "submitted_at",
    "on_time",
    "assignment_id",
    "submission_id",
    "client_ip",
    "updated_at",
)


def to_exam_record(row: ExamRow) -> ExamRecord:
    return ExamRecord(row.id, row.course, row.name, row.title, row.spec_name, row.spec_text, row.created_at)


def to_attempt_record(row: AttemptRow) -> AttemptRecord:
    values = {name: getattr(row, name) for name in ATTEMPT_FIELDS}
    values["variant"] = dict(row.variant)
    return AttemptRecord(**values)


def to_event_record(row: AttemptEventRow) -> AttemptEventRecord:
    return AttemptEventRecord(
        row.id,
        row.attempt_id,
        row.event,
        row.from_state,
        row.to_state,
        row.actor,
        row.reason,
        row.at,
        dict(row.data),
    )


def to_review_record(row: ProctoringReviewRow) -> ReviewRecord:
    return ReviewRecord(
        row.id,
        row.attempt_id,
        row.provider,
        row.review_id,
        row.outcome,
        list(row.evidence),
        row.comments,
        row.received_at,
        row.applied,
    )


def record_event(
    session: Session,
    attempt: AttemptRow,
    event: str,
    from_state: str | None,
    actor: str,
    reason: str,
    at: datetime,
    data: Mapping[str, Any] | None = None,
) -> None:
    session.add(
        AttemptEventRow(
            attempt_id=attempt.id,
            event=event,
            from_state=from_state,
            to_state=attempt.state,
            actor=actor,
            reason=reason,
            at=at,
            data=dict(data or {}),
        )
    )


class ExamStore(SessionScope):
    # -- the bank ------------------------------------------------------------------------

    def add_exam(
        self, course: str, name: str, title: str, spec_name: str, spec_text: str, files: Mapping[str, bytes]
    ) -> ExamRecord:
        row = ExamRow(
            id=uuid.uuid4().hex,
            course=course,
            name=name,
            title=title,
            spec_name=spec_name,
            spec_text=spec_text,
        )
        try:
            with self.transaction(write=True) as session:
                session.add(row)
                session.flush()
                session.add_all(
                    ExamFileRow(
                        exam_id=row.id, path=path, content=data, sha256=hashlib.sha256(data).hexdigest()
                    )
                    for path, data in sorted(files.items())
                )
                session.flush()
                return to_exam_record(row)
        except Conflict as exc:
            raise Conflict(f"course {course!r} already has an exam named {name!r}") from exc

    def get_exam(self, exam_id: str) -> ExamRecord:
        with self.transaction() as session:
            row = session.get(ExamRow, exam_id)
            if row is None:
                raise NotFound(f"no exam with id {exam_id!r}")
            return to_exam_record(row)

    def list_exams(self, course: str) -> list[ExamRecord]:
        query = select(ExamRow).where(ExamRow.course == course).order_by(ExamRow.created_at, ExamRow.name)
        with self.transaction() as session:
            return [to_exam_record(row) for row in session.scalars(query)]

    def exam_files(self, exam_id: str) -> dict[str, bytes]:
        query = select(ExamFileRow.path, ExamFileRow.content).where(ExamFileRow.exam_id == exam_id)
        with self.transaction() as session:
            return {path: bytes(content) for path, content in session.execute(query)}

    # -- accommodations ------------------------------------------------------------------

    def set_accommodation(
        self, course: str, learner: str, multiplier: float, note: str, by: str, now: datetime
    ) -> None:
        with self.transaction(write=True) as session:
            row = session.get(AccommodationRow, (course, learner))
            if row is None:
                row = AccommodationRow(course=course, learner=learner)
                session.add(row)
            row.time_multiplier, row.note, row.set_by, row.updated_at = multiplier, note, by, now

    def list_accommodations(self, course: str) -> list[dict[str, Any]]:
        """The course's accommodations with their notes, for the staff page that sets them."""
        query = (
            select(AccommodationRow)
            .where(AccommodationRow.course == course)
            .order_by(AccommodationRow.learner)
        )
        with self.transaction() as session:
            return [
                {
                    "learner": row.learner,
                    "time_multiplier": row.time_multiplier,
                    "note": row.note,
                    "set_by": row.set_by,
                    "updated_at": row.updated_at,
                }
                for row in session.scalars(query)
            ]

    def accommodation(self, course: str, learner: str) -> float:
        """The learner's time multiplier in the course; 1.0 when none was set."""
        with self.transaction() as session:
            row = session.get(AccommodationRow, (course, learner))
            return row.time_multiplier if row else 1.0

    # -- attempts ------------------------------------------------------------------------

    def attempts_used(self, exam_id: str, learner: str) -> int:
        query = (
            select(func.count())
            .select_from(AttemptRow)
            .where(AttemptRow.exam_id == exam_id, AttemptRow.learner == learner)
        )
        with self.transaction() as session:
            return int(session.scalar(query) or 0)

    def create_attempt(
        self,
        exam_id: str,
        learner: str,
        seed: str,
        variant: Mapping[str, Any],
        accommodation: float,
        attempts_allowed: int,
        client_ip: str | None,
        now: datetime,
    ) -> AttemptRecord:
        """A new attempt (state created); Forbidden once the learner has used every attempt.

        The attempt's number is unique per exam and learner, so concurrent creations cannot
        exceed ``attempts_allowed``: the loser of a race gets the same Forbidden.
        """
        try:
            with self.transaction(write=True) as session:
                used = session.scalar(
                    select(func.count())
                    .select_from(AttemptRow)
                    .where(AttemptRow.exam_id == exam_id, AttemptRow.learner == learner)
                )
                number = int(used or 0) + 1
                if number > attempts_allowed:
                    raise Forbidden(f"all {attempts_allowed} attempt(s) allowed at this exam are used")
                row = AttemptRow(
                    id=uuid.uuid4().hex,
                    exam_id=exam_id,
                    learner=learner,
                    number=number,
                    seed=seed,
                    variant=dict(variant),
                    state="created",
                    created_at=now,
                    accommodation=accommodation,
                    extension_seconds=0.0,
                    client_ip=client_ip,
                    updated_at=now,
                )
                session.add(row)
                session.flush()
                record_event(session, row, "create", None, learner, "", now, {"number": number})
                return to_attempt_record(row)
        except Conflict:
            raise Forbidden(f"all {attempts_allowed} attempt(s) allowed at this exam are used") from None

    def apply_event(
        self,
        attempt_id: str,
        event: str,
        actor: str,
        reason: str,
        now: datetime,
        changes: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> AttemptRecord:
        """Move the attempt by ``event`` (IllegalTransition if its state does not allow it)."""
        with self.transaction(write=True) as session:
            row = self._locked(session, attempt_id)
            before = row.state
            row.state = transition(before, event)
            for name, value in (changes or {}).items():
                setattr(row, name, value)
            row.updated_at = now
            record_event(session, row, event, before, actor, reason, now, data)
            session.flush()
            if row.state in REVIEWED:  # a proctoring outcome is part of the programme record
                record_proctoring(session, row, now, actor)
            on_state_change(session, row, before, now)  # the LMS's exam score, if it changed
            return to_attempt_record(row)

    def amend_attempt(
        self,
        attempt_id: str,
        expected_state: str,
        event: str,
        actor: str,
        reason: str,
        now: datetime,
        changes: Mapping[str, Any],
        data: Mapping[str, Any] | None = None,
    ) -> AttemptRecord:
        """A recorded change that keeps the state (an extension); Conflict unless in ``expected_state``."""
        with self.transaction(write=True) as session:
            row = self._locked(session, attempt_id)
            if row.state != expected_state:
                raise Conflict(f"the attempt is {row.state}; this needs it to be {expected_state}")
            for name, value in changes.items():
                setattr(row, name, value)
            row.updated_at = now
            record_event(session, row, event, row.state, actor, reason, now, data)
            session.flush()
            return to_attempt_record(row)

    def submit_attempt(
        self,
        attempt_id: str,
        event: str,
        actor: str,
        reason: str,
        now: datetime,
        received_at: datetime,
        filename: str,
        content: bytes,
    ) -> tuple[AttemptRecord, str]:
        """Submit or auto-submit: the state change and the exam submission are stored together.

        One transaction, so a submit that loses a race (IllegalTransition) leaves no stray
        submission behind for recovery to grade. Returns the attempt and the submission id.
        """
        with self.transaction(write=True) as session:
            row = self._locked(session, attempt_id)
            before = row.state
            row.state = transition(before, event)
            if row.assignment_id is None:
                raise Conflict("the attempt has no questions to submit answers to")
            submission = insert_submission(
                session, row.assignment_id, row.learner, filename, content, received_at, True, 1.0, "exams"
            )
            session.flush()
            row.submitted_at, row.on_time, row.submission_id, row.updated_at = (
                received_at,
                True,
                submission.id,
                now,
            )
            record_event(session, row, event, before, actor, reason, now, {"submission_id": submission.id})
            session.flush()
            return to_attempt_record(row), submission.id

    @staticmethod
    def _locked(session: Session, attempt_id: str) -> AttemptRow:
        row = session.scalars(
            select(AttemptRow).where(AttemptRow.id == attempt_id).with_for_update()
        ).one_or_none()
        if row is None:
            raise NotFound(f"no exam attempt with id {attempt_id!r}")
        return row

    def get_attempt(self, attempt_id: str) -> AttemptRecord:
        with self.transaction() as session:
            row = session.get(AttemptRow, attempt_id)
            if row is None:
                raise NotFound(f"no exam attempt with id {attempt_id!r}")
            return to_attempt_record(row)

    def list_attempts(
        self, exam_id: str | None = None, learner: str | None = None, state: str | None = None
    ) -> list[AttemptRecord]:
        query = select(AttemptRow)
        for column, value in (
            (AttemptRow.exam_id, exam_id),
            (AttemptRow.learner, learner),
            (AttemptRow.state, state),
        ):
            if value is not None:
                query = query.where(column == value)
        with self.transaction() as session:
            return [to_attempt_record(row) for row in session.scalars(query.order_by(AttemptRow.created_at))]

    def running_attempts_past(self, moment: datetime) -> list[AttemptRecord]:
        """Started attempts whose deadline is before ``moment``: what the sweeper closes."""
        query = select(AttemptRow).where(AttemptRow.state == "started", AttemptRow.deadline_at < moment)
        with self.transaction() as session:
            return [to_attempt_record(row) for row in session.scalars(query.order_by(AttemptRow.deadline_at))]

    def attempt_for_submission(self, submission_id: str) -> AttemptRecord | None:
        with self.transaction() as session:
            row = session.scalars(
                select(AttemptRow).where(AttemptRow.submission_id == submission_id)
            ).one_or_none()
            return to_attempt_record(row) if row else None

    def attempt_events(self, attempt_id: str) -> list[AttemptEventRecord]:
        query = (
            select(AttemptEventRow)
            .where(AttemptEventRow.attempt_id == attempt_id)
            .order_by(AttemptEventRow.id)
        )
        with self.transaction() as session:
            return [to_event_record(row) for row in session.scalars(query)]

    # -- saved work ----------------------------------------------------------------------

    def save_answer(self, attempt_id: str, path: str, content: bytes, now: datetime) -> None:
        """Keep the latest save of one question's notebook; only while the attempt is started."""
        with self.transaction(write=True) as session:
            attempt = self._locked(session, attempt_id)
            if attempt.state != "started":
                raise Conflict(f"the attempt is {attempt.state}: work can only be saved while it is started")
            row = session.get(AttemptAnswerRow, (attempt_id, path))
            if row is None:
                row = AttemptAnswerRow(attempt_id=attempt_id, path=path)
                session.add(row)
            row.content, row.sha256, row.saved_at = content, hashlib.sha256(content).hexdigest(), now

    def attempt_answers(self, attempt_id: str) -> dict[str, tuple[bytes, datetime]]:
        query = select(AttemptAnswerRow).where(AttemptAnswerRow.attempt_id == attempt_id)
        with self.transaction() as session:
            return {row.path: (bytes(row.content), row.saved_at) for row in session.scalars(query)}

    # -- proctoring reviews --------------------------------------------------------------

    def add_review(
        self,
        attempt_id: str,
        provider: str,
        review_id: str,
        outcome: str,
        evidence: list[dict[str, Any]],
        comments: str,
        now: datetime,
    ) -> tuple[ReviewRecord, bool]:
        """Store a provider's review; a repeat of its review id returns the first (created False).

        An outcome the table's check would refuse is refused here first: that refusal, taken
        for a race with a repeat, would look the review up and fail as a missing row.
        """
        if outcome not in REVIEW_OUTCOMES:
            raise BadInput(f"a review's outcome must be one of {', '.join(REVIEW_OUTCOMES)}, not {outcome!r}")
        query = select(ProctoringReviewRow).where(
            ProctoringReviewRow.provider == provider, ProctoringReviewRow.review_id == review_id
        )
        try:
            with self.transaction(write=True) as session:
                existing = session.scalars(query).one_or_none()
                if existing is not None:
                    return to_review_record(existing), False
                self._locked(session, attempt_id)
                row = ProctoringReviewRow(
                    attempt_id=attempt_id,
                    provider=provider,
                    review_id=review_id,
                    outcome=outcome,
                    evidence=evidence,
                    comments=comments,
                    received_at=now,
                    applied=False,
                )
                session.add(row)
                session.flush()
                return to_review_record(row), True
        except Conflict:
            with self.transaction() as session:
                return to_review_record(session.scalars(query).one()), False

    def unapplied_reviews(self, attempt_id: str) -> list[ReviewRecord]:
        query = select(ProctoringReviewRow).where(
            ProctoringReviewRow.attempt_id == attempt_id, ProctoringReviewRow.applied.is_(False)
        )
        with self.transaction() as session:
            return [to_review_record(row) for row in session.scalars(query.order_by(ProctoringReviewRow.id))]

    def mark_review_applied(self, review_id: int) -> None:
        with self.transaction(write=True) as session:
            row = session.get(ProctoringReviewRow, review_id)
            if row is not None:
                row.applied = True

    def attempt_reviews(self, attempt_id: str) -> list[ReviewRecord]:
        query = select(ProctoringReviewRow).where(ProctoringReviewRow.attempt_id == attempt_id)
        with self.transaction() as session:
            return [to_review_record(row) for row in session.scalars(query.order_by(ProctoringReviewRow.id))]
