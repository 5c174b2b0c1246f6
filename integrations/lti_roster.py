"""Who on a platform's roster (Names and Role Provisioning) is a learner of the course now.

Only ``user_id``, ``roles`` and ``status`` are read: Open edX withholds names and e-mails,
and the service never needs them (a learner is ``lti:<registration>:<user_id>``). A member
whose status is ``Inactive`` or ``Deleted`` is no longer one; course staff are not learners.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from integrations.lti_launch import INSTRUCTOR_ROLES, LEARNER_ROLES

MEMBERSHIP_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEMBERSHIP_MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


def active_learners(members: Iterable[Mapping[str, Any]]) -> set[str]:
    learners = set()
    for member in members:
        user, roles = member.get("user_id"), member.get("roles")
        if not isinstance(user, str) or not user or not isinstance(roles, list):
            continue
        if member.get("status", "Active") != "Active" or INSTRUCTOR_ROLES.intersection(roles):
            continue
        if LEARNER_ROLES.intersection(roles):
            learners.add(user)
    return learners


def next_page(link_header: str) -> str | None:
    """The ``rel="next"`` URL of an HTTP ``Link`` header, if any."""
    for part in link_header.split(","):
        url, _, params = part.partition(";")
        if 'rel="next"' in params.replace(" ", "") and url.strip().startswith("<"):
            return url.strip()[1:-1]
    return None
