"""Platform courses (LTI contexts) and their rosters: who joins one of our courses, who is dropped from it."""

from __future__ import annotations

from collections.abc import Set
from datetime import datetime

from sqlalchemy import select

from grader.errors import NotFound
from integrations.lti_scores import learner_name
from store.lti import join_course
from store.models import AccountRow, LtiContextRow
from store.rows import LtiContextRecord
from store.sessions import SessionScope


class LtiRosterStore(SessionScope):
    def record_lti_context(self, context: LtiContextRecord, now: datetime) -> None:
        """The context as its newest launch describes it (its course, its roster URL)."""
        with self.transaction(write=True) as session:
            row = session.get(LtiContextRow, (context.registration_id, context.context_id))
            if row is None:
                row = LtiContextRow(registration_id=context.registration_id, context_id=context.context_id)
                session.add(row)
            row.course, row.memberships_url, row.updated_at = context.course, context.memberships_url, now

    def get_lti_context(self, registration_id: str, context_id: str) -> LtiContextRecord:
        with self.transaction() as session:
            row = session.get(LtiContextRow, (registration_id, context_id))
            if row is None:
                raise NotFound(f"no course {context_id!r} of platform {registration_id!r} has launched here")
            return LtiContextRecord(row.registration_id, row.context_id, row.course, row.memberships_url)

    def apply_roster(
        self, registration_id: str, course: str, subjects: Set[str]
    ) -> tuple[list[str], list[str]]:
        """Make ``subjects`` (platform user ids) exactly the platform's learners in ``course``.

        Learners of this platform in the course who are not on the roster are dropped from it
        (their account and work are kept; only the course leaves their list). Returns the
        account names that joined and those dropped, in one transaction.
        """
        wanted = {learner_name(registration_id, subject) for subject in subjects}
        with self.transaction(write=True) as session:
            prefix = learner_name(registration_id, "")
            members = session.scalars(
                select(AccountRow).where(AccountRow.name.startswith(prefix, autoescape=True))
            )
            present = {row.name: row for row in members if row.role == "learner"}
            joined = sorted(
                name for name in wanted if name not in present or course not in (present[name].courses or [])
            )
            for name in joined:
                join_course(session, name, "learner", course)
            dropped = sorted(
                name for name, row in present.items() if name not in wanted and course in (row.courses or [])
            )
            for name in dropped:
                present[name].courses = [c for c in present[name].courses or [] if c != course]
            return joined, dropped
