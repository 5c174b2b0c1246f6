"""The similarity index: each submission's answer fingerprints, the similar pairs found, their review.

A review changes the pair and appends to both learners' integrity histories in one
transaction, so a history never misses a decision and never holds one that did not happen.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.errors import BadInput, NotFound
from store.models import IntegrityEventRow, IntegrityPairRow, IntegrityPrintRow, SubmissionRow
from store.postings import CHUNK, Hashes, post_latest
from store.rows import INTEGRITY_STATES, MAX_ID, IntegrityEventRecord, IntegrityPairRecord
from store.sessions import SessionScope


@dataclass(frozen=True)
class IndexedSubmission:
    """One submission's stored fingerprints (``integrity.prints.to_dict`` form)."""

    submission_id: str
    learner: str
    received_at: datetime
    prints: dict[str, Any]


@dataclass(frozen=True)
class NewPair:
    submission_a: str
    submission_b: str
    learner_a: str
    learner_b: str
    report: dict[str, Any]  # integrity.compare.PairReport.to_dict()


class IntegrityStore(SessionScope):
    def save_prints(
        self,
        submission_id: str,
        pool: str,
        course: str,
        learner: str,
        received_at: datetime,
        prints: dict[str, Any],
        hashes: Hashes,
        now: datetime,
    ) -> bool:
        """Store (or replace, on a retried job) one submission's fingerprints; whether it is the learner's latest.

        ``hashes`` are the fingerprints per answer, posted (``store.postings``) when it is.
        """
        with self.transaction(write=True) as session:
            session.merge(
                IntegrityPrintRow(
                    submission_id=submission_id,
                    pool=pool,
                    course=course,
                    learner=learner,
                    received_at=received_at,
                    prints=prints,
                    indexed_at=now,
                )
            )
            session.flush()
            return post_latest(session, submission_id, pool, learner, hashes)

    def pool_prints(self, pool: str) -> list[IndexedSubmission]:
        """Every indexed submission of the pool, oldest first (the benchmark's baseline reads it all)."""
        query = select(IntegrityPrintRow).where(IntegrityPrintRow.pool == pool)
        with self.transaction() as session:
            rows = session.scalars(
                query.order_by(IntegrityPrintRow.received_at, IntegrityPrintRow.submission_id)
            )
            return [
                IndexedSubmission(r.submission_id, r.learner, r.received_at, dict(r.prints)) for r in rows
            ]

    def prints_of(self, submission_ids: Collection[str]) -> list[IndexedSubmission]:
        """These submissions' stored fingerprints, by id (those not indexed left out)."""
        found: list[IndexedSubmission] = []
        ordered = sorted(set(submission_ids))
        with self.transaction() as session:
            for start in range(0, len(ordered), CHUNK):
                query = select(IntegrityPrintRow).where(
                    IntegrityPrintRow.submission_id.in_(ordered[start : start + CHUNK])
                )
                found.extend(
                    IndexedSubmission(r.submission_id, r.learner, r.received_at, dict(r.prints))
                    for r in session.scalars(query.order_by(IntegrityPrintRow.submission_id))
                )
        return found

    def unchecked_submissions(self, limit: int) -> list[str]:
        """Up to ``limit`` graded submissions never checked for similarity, the latest graded; oldest first.

        The latest, because a lost queue loses the newest checks; one the check skips (an
        upload not readable as the assignment's notebooks) stays unchecked, and must not crowd
        them out.
        """
        unchecked = (
            select(SubmissionRow.id, SubmissionRow.graded_at)
            .outerjoin(IntegrityPrintRow, IntegrityPrintRow.submission_id == SubmissionRow.id)
            .where(SubmissionRow.status == "graded", IntegrityPrintRow.submission_id.is_(None))
            .order_by(SubmissionRow.graded_at.desc(), SubmissionRow.id.desc())
            .limit(limit)
        )
        with self.transaction() as session:
            return [sid for sid, _ in reversed(session.execute(unchecked).all())]

    def find_prints(self, submission_id: str) -> IndexedSubmission | None:
        with self.transaction() as session:
            row = session.get(IntegrityPrintRow, submission_id)
            return (
                None
                if row is None
                else IndexedSubmission(row.submission_id, row.learner, row.received_at, dict(row.prints))
            )

    def add_pairs(self, pool: str, course: str, pairs: Sequence[NewPair], now: datetime) -> int:
        """Record the pairs not recorded yet (a retried check adds nothing twice); how many were new."""
        added = 0
        with self.transaction(write=True) as session:
            for pair in pairs:
                known = select(IntegrityPairRow.id).where(
                    IntegrityPairRow.submission_a == pair.submission_a,
                    IntegrityPairRow.submission_b == pair.submission_b,
                )
                if session.scalar(known) is not None:
                    continue
                report = pair.report
                session.add(
                    IntegrityPairRow(
                        pool=pool,
                        course=course,
                        submission_a=pair.submission_a,
                        submission_b=pair.submission_b,
                        learner_a=pair.learner_a,
                        learner_b=pair.learner_b,
                        score=report["score"],
                        code_score=report["code_score"],
                        text_score=report["text_score"],
                        report=report,
                        state="unreviewed",
                        reason="",
                        found_at=now,
                    )
                )
                added += 1
        return added

    def list_pairs(
        self, courses: Collection[str] | None = None, pool: str | None = None, state: str | None = None
    ) -> list[IntegrityPairRecord]:
        """Pairs by score, highest first; ``courses=None`` means every course."""
        query = select(IntegrityPairRow)
        if courses is not None:
            query = query.where(IntegrityPairRow.course.in_(list(courses)))
        if pool is not None:
            query = query.where(IntegrityPairRow.pool == pool)
        if state is not None:
            query = query.where(IntegrityPairRow.state == state)
        with self.transaction() as session:
            rows = session.scalars(query.order_by(IntegrityPairRow.score.desc(), IntegrityPairRow.id))
            return [to_pair_record(row) for row in rows]

    def get_pair(self, pair_id: int) -> IntegrityPairRecord:
        with self.transaction() as session:
            return to_pair_record(_pair(session, pair_id))

    def review_pair(
        self, pair_id: int, state: str, reason: str, author: str, attempt_id: str | None, now: datetime
    ) -> IntegrityPairRecord:
        """Set the pair's review and write it into both learners' integrity histories."""
        if state not in INTEGRITY_STATES:
            raise BadInput(f"state must be one of {', '.join(INTEGRITY_STATES)}")
        with self.transaction(write=True) as session:
            row = _pair(session, pair_id)
            row.state, row.reason, row.reviewer, row.reviewed_at = state, reason, author, now
            row.attempt_id = attempt_id
            for learner in sorted({row.learner_a, row.learner_b}):
                session.add(
                    IntegrityEventRow(
                        learner=learner,
                        course=row.course,
                        pair_id=row.id,
                        state=state,
                        reason=reason,
                        author=author,
                        attempt_id=attempt_id,
                        at=now,
                    )
                )
            session.flush()
            return to_pair_record(row)

    def integrity_history(
        self, learner: str, courses: Collection[str] | None = None
    ) -> list[IntegrityEventRecord]:
        """A learner's integrity history, oldest first (only these courses' when given)."""
        query = select(IntegrityEventRow).where(IntegrityEventRow.learner == learner)
        if courses is not None:
            query = query.where(IntegrityEventRow.course.in_(list(courses)))
        with self.transaction() as session:
            return [
                IntegrityEventRecord(
                    r.id, r.learner, r.course, r.pair_id, r.state, r.reason, r.author, r.attempt_id, r.at
                )
                for r in session.scalars(query.order_by(IntegrityEventRow.id))
            ]


def _pair(session: Session, pair_id: int) -> IntegrityPairRow:
    row = session.get(IntegrityPairRow, pair_id) if 1 <= pair_id <= MAX_ID else None
    if row is None:
        raise NotFound(f"no similar pair with id {pair_id}")
    return row


def to_pair_record(row: IntegrityPairRow) -> IntegrityPairRecord:
    return IntegrityPairRecord(
        id=row.id,
        pool=row.pool,
        course=row.course,
        submission_a=row.submission_a,
        submission_b=row.submission_b,
        learner_a=row.learner_a,
        learner_b=row.learner_b,
        score=row.score,
        code_score=row.code_score,
        text_score=row.text_score,
        report=dict(row.report),
        state=row.state,
        reason=row.reason,
        reviewer=row.reviewer,
        reviewed_at=row.reviewed_at,
        attempt_id=row.attempt_id,
        found_at=row.found_at,
    )
