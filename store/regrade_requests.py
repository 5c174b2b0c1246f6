"""Learners' regrade requests and each course's terms for them.

A request names one cell of the grade in force when it was opened. Answering it "upheld"
stores a new grade version (with its delivery and record events, ``change_grade``) and
refunds the learner's token in the same transaction as the answer, so neither can happen
without the other. The database keeps two promises itself: one open request per cell
(``open_cell`` unique) and never more tokens spent than the course gives (``token_slot``
unique per learner and below the allowance).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grader.errors import Conflict, NotFound
from grader.stored_report import StoredCell, StoredReport
from store.models import AssignmentRow, GradeReportRow, RegradePolicyRow, RegradeRequestRow, SubmissionRow
from store.reports import change_grade, typed_report
from store.sessions import SessionScope
from store.submissions import load_submission

DEFAULT_WINDOW_DAYS = 7
DEFAULT_TOKENS = 0  # a course that sets none asks no token for a request


def policy_json(course: str, row: RegradePolicyRow | None) -> dict[str, Any]:
    return {
        "course": course,
        "window_days": row.window_days if row else DEFAULT_WINDOW_DAYS,
        "tokens": row.tokens if row else DEFAULT_TOKENS,
        "updated_by": row.author if row else None,
        "updated_at": row.updated_at.isoformat() if row else None,
    }


def request_json(row: RegradeRequestRow, assignment_name: str) -> dict[str, Any]:
    """Everything stored about a request; the web layer leaves the triage runs out for learners."""
    return {
        "id": row.id,
        "submission_id": row.submission_id,
        "assignment_id": row.assignment_id,
        "assignment": assignment_name,
        "course": row.course,
        "learner": row.learner,
        "notebook": row.notebook,
        "grade_id": row.grade_id,
        "reason": row.reason,
        "status": row.status,
        "token_spent": row.token_spent,
        "token_refunded": row.token_spent and row.token_slot is None,
        "report_id": row.report_id,
        "old_score": row.old_score,
        "max_score": row.max_score,
        "opened_at": row.opened_at.isoformat(),
        "triage_status": row.triage_status,
        "triage": row.triage,
        "answered_at": row.answered_at.isoformat() if row.answered_at else None,
        "answered_by": row.answered_by,
        "answer": row.answer,
        "new_score": row.new_score,
        "run_id": row.run_id,
    }


def cell_key(submission_id: str, notebook: str, grade_id: str) -> str:
    return f"{submission_id}/{notebook}/{grade_id}"


def free_token_slot(session: Session, course: str, learner: str) -> int:
    """The lowest token the learner has not spent in the course; Conflict when none is left.

    Counted, not only looked for: after a course lowers its allowance, a slot spent above the new
    allowance still counts, so a free slot below it is no token left.
    """
    policy = session.get(RegradePolicyRow, course)
    allowance = policy.tokens if policy else DEFAULT_TOKENS
    spent = set(
        session.scalars(
            select(RegradeRequestRow.token_slot).where(
                RegradeRequestRow.course == course,
                RegradeRequestRow.learner == learner,
                RegradeRequestRow.token_slot.is_not(None),
            )
        )
    )
    free = [slot for slot in range(allowance) if slot not in spent]
    if len(spent) >= allowance or not free:
        raise Conflict(
            f"no regrade tokens left in course {course!r} ({allowance} per learner; "
            "a token comes back when a request is upheld)"
        )
    return free[0]


class RegradeRequestStore(SessionScope):
    def regrade_policy(self, course: str) -> dict[str, Any]:
        with self.transaction() as session:
            return policy_json(course, session.get(RegradePolicyRow, course))

    def set_regrade_policy(
        self, course: str, window_days: int, tokens: int, author: str, now: datetime
    ) -> dict[str, Any]:
        with self.transaction(write=True) as session:
            row = session.get(RegradePolicyRow, course)
            if row is None:
                row = RegradePolicyRow(course=course)
                session.add(row)
            row.window_days, row.tokens, row.author, row.updated_at = window_days, tokens, author, now
            session.flush()
            return policy_json(course, row)

    def tokens_left(self, course: str, learner: str) -> int:
        """Never below zero, even after a course lowers its allowance under what was spent."""
        with self.transaction() as session:
            policy = session.get(RegradePolicyRow, course)
            allowance = policy.tokens if policy else DEFAULT_TOKENS
            spent = session.scalars(
                select(RegradeRequestRow.id).where(
                    RegradeRequestRow.course == course,
                    RegradeRequestRow.learner == learner,
                    RegradeRequestRow.token_slot.is_not(None),
                )
            ).all()
            return max(0, allowance - len(spent))

    def open_regrade_request(
        self, submission_id: str, cell: StoredCell, reason: str, based_on: int, now: datetime
    ) -> dict[str, Any]:
        """A new open request on ``cell`` of the grade ``based_on``, spending a token if the course asks one."""
        with self.transaction(write=True) as session:
            submission = load_submission(session, submission_id)
            if submission.latest_report_id != based_on:
                raise Conflict(f"the grade of submission {submission_id} changed meanwhile; read it again")
            assignment = session.get(AssignmentRow, submission.assignment_id)
            assert assignment is not None  # a foreign key
            key = cell_key(submission_id, cell.notebook, cell.grade_id)
            if session.scalars(
                select(RegradeRequestRow.id).where(RegradeRequestRow.open_cell == key)
            ).first():
                raise Conflict(f"cell {cell.grade_id!r} already has an open regrade request")
            policy = session.get(RegradePolicyRow, assignment.course)
            tokens = policy.tokens if policy else DEFAULT_TOKENS
            for _ in range(tokens + 1):  # a concurrent request may take the slot chosen: choose again
                row = RegradeRequestRow(
                    id=uuid.uuid4().hex,
                    submission_id=submission_id,
                    assignment_id=assignment.id,
                    course=assignment.course,
                    learner=submission.learner,
                    notebook=cell.notebook,
                    grade_id=cell.grade_id,
                    reason=reason,
                    status="open",
                    open_cell=key,
                    token_slot=free_token_slot(session, assignment.course, submission.learner)
                    if tokens > 0
                    else None,
                    token_spent=tokens > 0,
                    report_id=based_on,
                    old_score=cell.score,
                    max_score=float(cell.max_score),
                    opened_at=now,
                    triage_status="queued",
                )
                try:
                    with session.begin_nested():
                        session.add(row)
                except IntegrityError:
                    if (
                        tokens == 0
                        or session.scalars(
                            select(RegradeRequestRow.id).where(RegradeRequestRow.open_cell == key)
                        ).first()
                    ):
                        raise Conflict(
                            f"cell {cell.grade_id!r} already has an open regrade request"
                        ) from None
                    continue  # the slot went to another of the learner's requests that committed first
                return request_json(row, assignment.name)
            raise Conflict("the learner's regrade tokens changed too often meanwhile; try again")

    def get_regrade_request(self, request_id: str) -> dict[str, Any]:
        with self.transaction() as session:
            row = self._request(session, request_id)
            return self._json(session, [row])[0]

    def list_regrade_requests(
        self,
        courses: Iterable[str] | None = None,
        status: str | None = None,
        submission_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """Oldest first (the queue's order); ``courses`` None means every course."""
        query = select(RegradeRequestRow)
        if courses is not None:
            query = query.where(RegradeRequestRow.course.in_(list(courses)))
        if status is not None:
            query = query.where(RegradeRequestRow.status == status)
        if submission_id is not None:
            query = query.where(RegradeRequestRow.submission_id == submission_id)
        with self.transaction() as session:
            rows = session.scalars(query.order_by(RegradeRequestRow.opened_at, RegradeRequestRow.id)).all()
            return self._json(session, list(rows))

    def save_triage(self, request_id: str, status: str, detail: Mapping[str, Any]) -> None:
        with self.transaction(write=True) as session:
            row = self._request(session, request_id)
            row.triage_status, row.triage = status, dict(detail)

    def uphold_regrade_request(
        self,
        request_id: str,
        author: str,
        answer: str,
        based_on: int,
        grade: tuple[Mapping[str, Any] | StoredReport, str, Mapping[str, Any]],
        now: datetime,
    ) -> dict[str, Any]:
        """The new grade version ``grade`` (report, feedback, provenance), the answer and the refund, at once."""
        report, feedback_html, provenance = grade
        with self.transaction(write=True) as session:
            row = self._open(session, request_id)
            version = change_grade(
                session, row.submission_id, based_on, now, typed_report(report), feedback_html, provenance
            )
            cell = version.read_report().find_cell(row.grade_id)
            assert cell is not None  # the upheld grade changed this very cell
            row.new_score, row.new_report_id = cell.score, version.id
            row.token_slot = None  # refunded
            self._close(row, "upheld", author, answer, now)
            return self._json(session, [row])[0]

    def deny_regrade_request(
        self, request_id: str, author: str, answer: str, now: datetime
    ) -> dict[str, Any]:
        with self.transaction(write=True) as session:
            row = self._open(session, request_id)
            self._close(row, "denied", author, answer, now)
            return self._json(session, [row])[0]

    def link_regrade_run(self, request_id: str, run_id: str) -> None:
        with self.transaction(write=True) as session:
            self._request(session, request_id).run_id = run_id

    def learners_below_full(self, assignment_id: str, notebook: str, grade_id: str) -> int:
        """How many learners' grade in force scores the cell below its maximum: whom a fix could reach."""
        query = (
            select(SubmissionRow.learner, GradeReportRow)
            .join(GradeReportRow, GradeReportRow.id == SubmissionRow.latest_report_id)
            .where(SubmissionRow.assignment_id == assignment_id, SubmissionRow.status == "graded")
        )
        with self.transaction() as session:
            below = {
                learner
                for learner, report in session.execute(query)
                for cell in report.read_report().cells
                if cell.key == (notebook, grade_id) and (cell.score or 0) < cell.max_score
            }
            return len(below)

    @staticmethod
    def _close(row: RegradeRequestRow, status: str, author: str, answer: str, now: datetime) -> None:
        row.status, row.open_cell = status, None
        row.answered_by, row.answer, row.answered_at = author, answer, now

    @staticmethod
    def _request(session: Session, request_id: str) -> RegradeRequestRow:
        row = session.get(RegradeRequestRow, request_id)
        if row is None:
            raise NotFound(f"no regrade request with id {request_id!r}")
        return row

    def _open(self, session: Session, request_id: str) -> RegradeRequestRow:
        row = self._request(session, request_id)
        if row.status != "open":
            raise Conflict(f"regrade request {request_id} was already answered ({row.status})")
        return row

    @staticmethod
    def _json(session: Session, rows: list[RegradeRequestRow]) -> list[dict[str, Any]]:
        ids = {r.assignment_id for r in rows}
        names = dict(
            session.execute(
                select(AssignmentRow.id, AssignmentRow.name).where(AssignmentRow.id.in_(ids))
            ).all()
        )
        return [request_json(r, names.get(r.assignment_id, "")) for r in rows]
