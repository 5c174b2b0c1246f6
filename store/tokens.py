"""API tokens: only their SHA-256 is stored, so a copy of the database grants no access.

A token is never deleted: revoking it stamps ``revoked_at``, so logs that name it stay
meaningful and the list shows what was cut off and when. Each use is noted in
``last_used_at``, at most once per ``LAST_USED_STEP``, so that reading with a token does
not become a database write on every request.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from grader.errors import BadInput, Conflict, NotFound
from store.models import AccountRow, TokenRow, utcnow
from store.rows import MAX_ID, PERSON_ROLES, ROLES, TokenRecord
from store.sessions import SessionScope

LAST_USED_STEP = timedelta(minutes=1)


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def to_token_record(row: TokenRow) -> TokenRecord:
    courses = tuple(row.courses) if row.courses is not None else None
    return TokenRecord(row.id, row.name, row.role, courses, row.created_at, row.revoked_at, row.last_used_at)


def load_token(session: Session, token_id: int) -> TokenRow:
    row = session.get(TokenRow, token_id) if 1 <= token_id <= MAX_ID else None
    if row is None:
        raise NotFound(f"no token with id {token_id}")
    return row


def check_not_disabled(session: Session, role: str, name: str) -> None:
    """A disabled person gets no new token: disabling revoked the old ones, and must stay true."""
    if role not in PERSON_ROLES:
        return  # a platform's id is its own name space
    query = select(AccountRow.id).where(AccountRow.name == name, AccountRow.disabled_at.is_not(None))
    if session.scalar(query) is not None:
        raise Conflict(f"the account {name!r} is disabled: it gets no new token")


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
        with self.transaction(write=True) as session:
            check_not_disabled(session, role, name)
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

    def get_token(self, token_id: int) -> TokenRecord:
        with self.transaction() as session:
            return to_token_record(load_token(session, token_id))

    def list_tokens(self, name: str | None = None, roles: Collection[str] | None = None) -> list[TokenRecord]:
        """Tokens, revoked ones too, oldest first; only of ``name`` and ``roles`` when given."""
        query = select(TokenRow).order_by(TokenRow.id)
        if name is not None:
            query = query.where(TokenRow.name == name)
        if roles is not None:
            query = query.where(TokenRow.role.in_(list(roles)))
        with self.transaction() as session:
            return [to_token_record(row) for row in session.scalars(query)]

    def revoke_token(self, token_id: int, now: datetime | None = None) -> TokenRecord:
        """The token, refused from now on; revoking again keeps the first time."""
        with self.transaction() as session:
            row = load_token(session, token_id)
            if row.revoked_at is None:
                row.revoked_at = now or utcnow()
            session.flush()
            return to_token_record(row)

    def note_token_use(self, record: TokenRecord, now: datetime) -> None:
        """Stamp the use unless one within ``LAST_USED_STEP`` is already stamped (then nothing is written)."""
        if record.last_used_at is not None and now - record.last_used_at < LAST_USED_STEP:
            return
        with self.transaction() as session:
            session.execute(
                update(TokenRow)
                .where(
                    TokenRow.id == record.id,
                    or_(TokenRow.last_used_at.is_(None), TokenRow.last_used_at < now),
                )
                .values(last_used_at=now)
            )
