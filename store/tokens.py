"""API tokens: only their SHA-256 is stored, so a copy of the database grants no access."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence

from sqlalchemy import select

from grader.errors import BadInput, NotFound
from store.models import TokenRow, utcnow
from store.records import ROLES, TokenRecord
from store.sessions import SessionScope


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def to_token_record(row: TokenRow) -> TokenRecord:
    courses = tuple(row.courses) if row.courses is not None else None
    return TokenRecord(row.id, row.name, row.role, courses, row.created_at, row.revoked_at)


class TokenStore(SessionScope):
    def create_token(self, role: str, name: str, courses: Sequence[str] | None) -> tuple[str, TokenRecord]:
        """Return the plaintext (shown once, never stored) and the record."""
        if role not in ROLES:
            raise BadInput(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        if not name.strip():
            raise BadInput("a token needs a name")
        plaintext = secrets.token_urlsafe(32)
        row = TokenRow(
            name=name,
            role=role,
            token_hash=hash_token(plaintext),
            courses=None if courses is None else list(courses),
        )
        with self.transaction() as session:
            session.add(row)
            session.flush()
            return plaintext, to_token_record(row)

    def find_token(self, plaintext: str) -> TokenRecord | None:
        """The live (not revoked) token with this plaintext, if any."""
        if not plaintext:
            return None
        query = select(TokenRow).where(
            TokenRow.token_hash == hash_token(plaintext), TokenRow.revoked_at.is_(None)
        )
        with self.transaction() as session:
            row = session.scalars(query).one_or_none()
            return to_token_record(row) if row else None

    def revoke_token(self, token_id: int) -> None:
        """Revoking keeps the row, so logs that name the token stay meaningful."""
        with self.transaction() as session:
            row = session.get(TokenRow, token_id)
            if row is None:
                raise NotFound(f"no token with id {token_id}")
            if row.revoked_at is None:
                row.revoked_at = utcnow()
