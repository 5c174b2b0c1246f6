"""Invitations to register an LTI platform by Dynamic Registration: made by an admin, redeemed once.

Redeeming stores the registration and marks the invitation used in one transaction, so two
platforms racing with one link cannot both be registered, and a registration that fails
(a taken issuer and client id) leaves the invitation open.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.errors import InvitationSpent, NotFound
from store.lti import insert_registration
from store.models import LtiInvitationRow
from store.rows import LtiInvitationRecord, LtiRegistrationRecord
from store.sessions import SessionScope


def to_invitation_record(row: LtiInvitationRow) -> LtiInvitationRecord:
    return LtiInvitationRecord(
        id=row.id,
        label=row.label,
        registration_id=row.registration_id,
        courses=tuple(row.courses),
        created_by=row.created_by,
        created_at=row.created_at,
        expires_at=row.expires_at,
        used_at=row.used_at,
        registered_id=row.registered_id,
        revoked_at=row.revoked_at,
    )


class LtiInvitationStore(SessionScope):
    def create_lti_invitation(self, invitation: LtiInvitationRecord, token_hash: str) -> LtiInvitationRecord:
        with self.transaction(write=True) as session:
            row = LtiInvitationRow(
                id=invitation.id,
                token_hash=token_hash,
                label=invitation.label,
                registration_id=invitation.registration_id,
                courses=list(invitation.courses),
                created_by=invitation.created_by,
                created_at=invitation.created_at,
                expires_at=invitation.expires_at,
            )
            session.add(row)
            session.flush()
            return to_invitation_record(row)

    def list_lti_invitations(self) -> list[LtiInvitationRecord]:
        query = select(LtiInvitationRow).order_by(LtiInvitationRow.created_at.desc(), LtiInvitationRow.id)
        with self.transaction() as session:
            return [to_invitation_record(row) for row in session.scalars(query)]

    def find_lti_invitation(self, token_hash: str) -> LtiInvitationRecord | None:
        with self.transaction() as session:
            row = session.scalar(select(LtiInvitationRow).where(LtiInvitationRow.token_hash == token_hash))
            return None if row is None else to_invitation_record(row)

    def revoke_lti_invitation(self, invitation_id: str, now: datetime) -> LtiInvitationRecord:
        """Revoked from now on; revoking a used or revoked one changes nothing."""
        with self.transaction(write=True) as session:
            row = session.get(LtiInvitationRow, invitation_id)
            if row is None:
                raise NotFound(f"no LTI invitation with id {invitation_id!r}")
            if row.used_at is None and row.revoked_at is None:
                row.revoked_at = now
                session.flush()
            return to_invitation_record(row)

    def redeem_lti_invitation(
        self, token_hash: str, registration: LtiRegistrationRecord, now: datetime
    ) -> LtiRegistrationRecord:
        """Store ``registration`` and use the invitation up, both or neither."""
        with self.transaction(write=True) as session:
            row = self._open_invitation(session, token_hash, now)
            stored = insert_registration(session, registration)
            row.used_at = now
            row.registered_id = stored.id
            session.flush()
            return stored

    @staticmethod
    def _open_invitation(session: Session, token_hash: str, now: datetime) -> LtiInvitationRow:
        query = select(LtiInvitationRow).where(LtiInvitationRow.token_hash == token_hash).with_for_update()
        row = session.scalar(query)
        if row is None:
            raise NotFound("no such LTI registration invitation")
        state = to_invitation_record(row).state(now)
        if state != "open":
            raise InvitationSpent(
                f"this LTI registration invitation is {state}; ask the tool's admin for a new one"
            )
        return row
