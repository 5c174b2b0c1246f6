"""Figures for the metrics endpoint, counted by the database itself when it is scraped.

The database is where every grade and delivery is recorded exactly once, by whichever
process did the work, so figures computed from it are the same whichever web process is
scraped, survive any worker's restart and a Redis that was emptied, and need no counter
kept in a process. Regrades are left out of the latency: their receipt time is the
original submission's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, case, cast, func, literal, select
from sqlalchemy.orm import Session

from store.models import DeliveryRow, SubmissionRow
from store.sessions import SessionScope


@dataclass(frozen=True)
class LatencyHistogram:
    """Receipt-to-stored seconds of graded submissions: cumulative counts per upper bound."""

    bounds: tuple[float, ...]
    cumulative: tuple[int, ...]
    count: int
    total: float


def seconds_between(session: Session, start: Any, end: Any) -> Any:
    """``end - start`` in seconds, in the dialect's own terms (SQLite keeps times as text)."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 86400.0
    return cast(func.extract("epoch", end - start), Float)


class StatsStore(SessionScope):
    def ping(self) -> bool:
        """One round trip to the database: ``StorageError`` if it is away."""
        with self.transaction() as session:
            session.execute(select(literal(1)))
        return True

    def grading_latency(self, bounds: Sequence[float]) -> LatencyHistogram:
        with self.transaction() as session:
            latency = seconds_between(session, SubmissionRow.received_at, SubmissionRow.graded_at)
            columns = [func.coalesce(func.sum(case((latency <= bound, 1), else_=0)), 0) for bound in bounds]
            query = select(*columns, func.count(), func.coalesce(func.sum(latency), literal(0.0))).where(
                SubmissionRow.status == "graded", SubmissionRow.priority != "regrades"
            )
            row = session.execute(query).one()
        return LatencyHistogram(tuple(bounds), tuple(int(v) for v in row[:-2]), int(row[-2]), float(row[-1]))

    def submission_counts(self) -> dict[str, int]:
        query = select(SubmissionRow.status, func.count()).group_by(SubmissionRow.status)
        with self.transaction() as session:
            return {status: int(count) for status, count in session.execute(query)}

    def delivery_retries(self) -> int:
        """Attempts beyond each delivery's first, over every stored delivery (statuses: ``delivery_counts``)."""
        retries = func.coalesce(
            func.sum(case((DeliveryRow.attempts > 1, DeliveryRow.attempts - 1), else_=0)), 0
        )
        with self.transaction() as session:
            return int(session.execute(select(retries)).scalar_one())
