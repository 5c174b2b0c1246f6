"""Making invitations: the admin's fields checked, the token returned once and only its hash kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from grader.errors import BadInput
from service.lti_invitations import create_invitation, invitation_fields, invitation_url, token_hash
from store import Store

NOW = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
def store(sqlite_store: Store) -> Store:
    return sqlite_store


def test_the_token_is_returned_once_and_only_its_hash_is_kept(store: Store) -> None:
    made = create_invitation(store, {"courses": ["ds101"]}, "root", NOW)
    assert len(made.token) >= 40
    with store.engine.connect() as db:
        kept = db.execute(text("SELECT token_hash FROM lti_invitations")).scalar_one()
    assert kept == token_hash(made.token) and made.token not in kept
    assert store.find_lti_invitation(token_hash(made.token)) == made.invitation
    fields = invitation_fields(made.invitation, NOW)
    assert made.token not in str(fields) and fields["state"] == "open" and fields["label"] == "LTI platform"
    assert made.invitation.expires_at == NOW + timedelta(hours=24)
    assert invitation_url("https://grades.example.edu/", made.token) == (
        f"https://grades.example.edu/lti/register/{made.token}"
    )


def test_two_invitations_never_share_a_token(store: Store) -> None:
    first = create_invitation(store, {"courses": ["ds101"]}, "root", NOW)
    second = create_invitation(store, {"courses": ["ds101"]}, "root", NOW)
    assert first.token != second.token and first.invitation.id != second.invitation.id


@pytest.mark.parametrize(
    "change",
    [
        {"courses": []},
        {"courses": "ds101"},
        {"courses": [""]},
        {"registration_id": "Bad Id"},
        {"registration_id": 7},
        {"expires_in_hours": 0},
        {"expires_in_hours": 337},
        {"expires_in_hours": 1.5},
        {"expires_in_hours": True},
        {"expires_in_hours": "soon"},
        {"label": "x" * 201},
    ],
)
def test_a_bad_field_is_refused_and_nothing_is_kept(store: Store, change: dict[str, Any]) -> None:
    with pytest.raises(BadInput):
        create_invitation(store, {"courses": ["ds101"], **change}, "root", NOW)
    assert store.list_lti_invitations() == []


def test_the_admin_may_name_the_registration_and_its_lifetime(store: Store) -> None:
    made = create_invitation(
        store, {"courses": ["ds101"], "registration_id": "moodle", "expires_in_hours": "336"}, "root", NOW
    )
    assert made.invitation.registration_id == "moodle" and made.invitation.label == "moodle"
    assert made.invitation.expires_at == NOW + timedelta(days=14)
    assert made.invitation.state(NOW + timedelta(days=14)) == "expired"
