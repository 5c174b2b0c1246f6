"""Invitations for LTI Dynamic Registration: an admin makes a one-time, expiring link for one platform.

The link (``/lti/register/<token>``) is what the platform's admin pastes into "register a
tool by URL". Whoever holds it may register one platform, into the courses the invitation
names, once, before it expires: an anonymous caller without one registers nothing. Only the
SHA-256 of the token is stored, so a copy of the database does not hold usable links.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from grader.errors import BadInput
from service.lti_registrations import REGISTRATION_ID, text, texts
from store import LtiInvitationRecord, Store

REGISTER_PATH = "/lti/register/"  # + the token: the link's path, for the web route and the CLI alike
DEFAULT_HOURS = 24
MAX_HOURS = 24 * 14  # a link that lives for weeks is a standing credential, not an invitation


@dataclass(frozen=True)
class NewInvitation:
    invitation: LtiInvitationRecord
    token: str  # shown once, in the URL; never stored


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(
    store: Store, fields: Mapping[str, Any], created_by: str, now: datetime
) -> NewInvitation:
    """Check the admin's fields (courses, optional label, registration id and lifetime), then store."""
    courses = tuple(texts(fields, "courses"))
    registration_id = fields.get("registration_id") or None
    if registration_id is not None and (
        not isinstance(registration_id, str) or not REGISTRATION_ID.fullmatch(registration_id)
    ):
        raise BadInput(
            "'registration_id' must be 1-60 characters of a-z, 0-9, '-' and '_', starting with a letter or digit"
        )
    token = secrets.token_urlsafe(32)
    record = LtiInvitationRecord(
        id=uuid.uuid4().hex[:16],
        label=text(fields, "label", 200, default=registration_id or "LTI platform"),
        registration_id=registration_id,
        courses=courses,
        created_by=created_by,
        created_at=now,
        expires_at=now + timedelta(hours=hours(fields)),
    )
    return NewInvitation(store.create_lti_invitation(record, token_hash(token)), token)


def invitation_url(public_url: str, token: str) -> str:
    """The link to hand out; a bare path when no public address is configured (the CLI warns)."""
    return public_url.rstrip("/") + REGISTER_PATH + token


def hours(fields: Mapping[str, Any]) -> int:
    value = fields.get("expires_in_hours", DEFAULT_HOURS)
    if value in (None, ""):
        return DEFAULT_HOURS
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if isinstance(value, bool | float) or not 1 <= number <= MAX_HOURS:
        raise BadInput(f"'expires_in_hours' must be a whole number of hours from 1 to {MAX_HOURS}")
    return number


def invitation_fields(record: LtiInvitationRecord, now: datetime) -> dict[str, Any]:
    """The invitation as JSON, as the API, the CLI and the admin page show it: never its token."""
    return {
        "id": record.id,
        "label": record.label,
        "registration_id": record.registration_id,
        "courses": list(record.courses),
        "created_by": record.created_by,
        "created_at": record.created_at.isoformat(),
        "expires_at": record.expires_at.isoformat(),
        "state": record.state(now),
        "used_at": record.used_at.isoformat() if record.used_at else None,
        "registered_id": record.registered_id,
        "revoked_at": record.revoked_at.isoformat() if record.revoked_at else None,
    }
