"""Issued standard credentials: status list positions handed out once, and what each credential claimed.

The status lists are derived from these rows and the records as they are now
(``records.issuance.status_positions``), so nothing has to be updated when a regrade or a
proctoring decision lands: the next list published shows it. ``status_version`` says, in two
index look-ups, whether anything a list is computed from has been written since.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select

from grader.errors import Conflict
from records.issuance import Claim
from store.models import IssuedCredentialRow, RecordEventRow
from store.sessions import SessionScope


class IssuedCredentialStore(SessionScope):
    def allocate_positions(self, claims: Sequence[Claim], now: datetime) -> dict[str, int]:
        """``{credential id: position}``; a credential issued before keeps its position (same id, same claims)."""
        try:
            return self._allocate(claims, now)
        except Conflict:  # another export of the same record allocated the same ids just now
            return self._allocate(claims, now)

    def _allocate(self, claims: Sequence[Claim], now: datetime) -> dict[str, int]:
        ids = [claim.credential_id for claim in claims]
        with self.transaction(write=True) as session:
            query = select(IssuedCredentialRow).where(IssuedCredentialRow.credential_id.in_(ids))
            known = {row.credential_id: row.position for row in session.scalars(query)}
            for claim in claims:
                if claim.credential_id in known:
                    continue
                row = IssuedCredentialRow(
                    credential_id=claim.credential_id,
                    programme_id=claim.programme_id,
                    learner=claim.learner,
                    course=claim.course,
                    claims=claim.claims,
                    issued_at=now,
                )
                session.add(row)
                session.flush()
                known[claim.credential_id] = row.position
            return known

    def issued_credentials(self) -> list[tuple[int, Claim]]:
        with self.transaction() as session:
            rows = session.scalars(select(IssuedCredentialRow).order_by(IssuedCredentialRow.position))
            return [
                (
                    row.position,
                    Claim(row.credential_id, row.programme_id, row.learner, row.course, dict(row.claims)),
                )
                for row in rows
            ]

    def status_version(self) -> tuple[int, int]:
        """(newest history event id, newest position): it changes with every write a status list reads.

        Every write that can change a status appends (a grade, a proctoring decision, an
        override, a freeze: ``record_events``) or issues (``issued_credentials``); both are
        append-only with growing ids, so their two maxima name the state a list was built from.
        """
        with self.transaction() as session:
            newest_event = session.scalar(select(func.max(RecordEventRow.id)))
            newest_position = session.scalar(select(func.max(IssuedCredentialRow.position)))
            return (newest_event or 0, newest_position or 0)
