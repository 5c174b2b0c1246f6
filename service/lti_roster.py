"""Roster sync (LTI Names and Role Provisioning): a platform course's learners join ours, and drops leave it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from grader.errors import BadInput
from integrations.lti_roster import active_learners
from store import LtiRegistrationRecord, Store


class Roster(Protocol):
    """A platform's membership service, fetched (every page) by an adapter."""

    def members(self, registration: LtiRegistrationRecord, url: str) -> list[Mapping[str, Any]]: ...


def sync_roster(store: Store, roster: Roster, registration_id: str, context_id: str) -> dict[str, Any]:
    """Fetch the context's roster and apply it to the course it launches into; what changed."""
    context = store.get_lti_context(registration_id, context_id)
    if not context.memberships_url:
        raise BadInput(
            f"course {context_id!r} of platform {registration_id!r} offered no roster service in its launches"
        )
    registration = store.get_lti_registration(registration_id)
    learners = active_learners(roster.members(registration, context.memberships_url))
    joined, dropped = store.apply_roster(registration_id, context.course, learners)
    return {"course": context.course, "learners": len(learners), "joined": joined, "dropped": dropped}
