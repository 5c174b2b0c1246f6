"""Invitations in the store: found by the hash of their token, redeemed once, together with the
registration they make or not at all; revoking is final and repeatable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from grader.errors import Conflict, InvitationSpent, NotFound
from store import LtiInvitationRecord, LtiRegistrationRecord, Store

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def invitation(id: str = "inv1") -> LtiInvitationRecord:
    return LtiInvitationRecord(
        id=id,
        label="Moodle",
        registration_id=None,
        courses=("ds101",),
        created_by="root",
        created_at=NOW,
        expires_at=NOW + timedelta(hours=1),
    )


def registration(id: str = "moodle", client_id: str = "abc") -> LtiRegistrationRecord:
    url = "https://moodle.example.edu"
    return LtiRegistrationRecord(
        id, "Moodle", url, client_id, url + "/auth", url + "/token", url + "/certs", ("ds101",), ("1",), NOW
    )


def test_an_invitation_is_found_by_its_hash_and_redeemed_once(store: Store) -> None:
    store.create_lti_invitation(invitation(), "h" * 64)
    assert store.find_lti_invitation("h" * 64) is not None and store.find_lti_invitation("x" * 64) is None
    stored = store.redeem_lti_invitation("h" * 64, registration(), NOW)
    assert stored.id == "moodle" and stored.deployment_ids == ("1",)
    used = store.find_lti_invitation("h" * 64)
    assert used is not None and used.state(NOW) == "used" and used.registered_id == "moodle"
    with pytest.raises(InvitationSpent):
        store.redeem_lti_invitation("h" * 64, registration("other", "def"), NOW)
    assert [r.id for r in store.list_lti_registrations()] == ["moodle"]


def test_a_registration_that_conflicts_leaves_the_invitation_open(store: Store) -> None:
    store.create_lti_registration(registration("first"))
    store.create_lti_invitation(invitation(), "h" * 64)
    with pytest.raises(Conflict):
        store.redeem_lti_invitation("h" * 64, registration("second"), NOW)  # same issuer and client id
    found = store.find_lti_invitation("h" * 64)
    assert found is not None and found.state(NOW) == "open"
    assert [r.id for r in store.list_lti_registrations()] == ["first"]


def test_expired_revoked_and_unknown_invitations_redeem_nothing(store: Store) -> None:
    store.create_lti_invitation(invitation("a"), "a" * 64)
    store.create_lti_invitation(invitation("b"), "b" * 64)
    with pytest.raises(InvitationSpent, match="expired"):
        store.redeem_lti_invitation("a" * 64, registration(), NOW + timedelta(hours=1))
    revoked = store.revoke_lti_invitation("b", NOW)
    assert store.revoke_lti_invitation("b", NOW + timedelta(minutes=5)).revoked_at == revoked.revoked_at
    with pytest.raises(InvitationSpent, match="revoked"):
        store.redeem_lti_invitation("b" * 64, registration(), NOW)
    with pytest.raises(NotFound):
        store.redeem_lti_invitation("c" * 64, registration(), NOW)
    with pytest.raises(NotFound):
        store.revoke_lti_invitation("nope", NOW)
    assert store.list_lti_registrations() == []
    assert [i.id for i in store.list_lti_invitations()] == ["a", "b"]
