"""Accounts of people: a password (stored only as a salted scrypt hash) in place of a token.

An account carries the role, name and course list a token would, so the web pages
authorise a logged-in person with the same rules as an API caller with a token.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from functools import cache

from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from grader.errors import BadInput, Conflict, NotFound
from store.models import AccountRow, TokenRow, utcnow
from store.rows import PERSON_ROLES, AccountRecord
from store.sessions import SessionScope

MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # scrypt of a megabyte password is a cheap way to burn the server's CPU
HASH_METHOD = "scrypt"  # the production default; Settings.password_hash_method may name another cost


LAUNCH_ONLY = "launch-only:"  # the stored password of an account made by an LTI launch: no hash at all


def launch_only_password() -> str:
    """What an LTI-made account keeps in place of a password hash: no password matches it.

    Random, so each account's credential (made from it) is its own; not a hash, so making one
    costs nothing, where a roster sync used to hash a random password at full scrypt cost per learner.
    """
    return LAUNCH_ONLY + secrets.token_urlsafe(32)


@cache
def unknown_name_hash(method: str) -> str:
    """Checked when the name is unknown, so that a wrong name costs the same time as a wrong password."""
    return generate_password_hash("no account has this password", method=method)


def to_account_record(row: AccountRow) -> AccountRecord:
    courses = tuple(row.courses) if row.courses is not None else None
    credential = hashlib.sha256(f"{row.session_epoch}:{row.password_hash}".encode()).hexdigest()[:32]
    return AccountRecord(row.id, row.name, row.role, courses, row.created_at, row.disabled_at, credential)


def check_new_password(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise BadInput(f"a password must have {MIN_PASSWORD} to {MAX_PASSWORD} characters")


class AccountStore(SessionScope):
    password_hash_method = HASH_METHOD  # the Store sets the configured one

    def create_account(
        self, role: str, name: str, password: str, courses: Sequence[str] | None
    ) -> AccountRecord:
        """A new account; a taken name is a ``Conflict`` (names are identities, one person each)."""
        if role not in PERSON_ROLES:
            raise BadInput(f"an account's role must be one of {', '.join(PERSON_ROLES)}, not {role!r}")
        if not name.strip() or name != name.strip():
            raise BadInput("an account needs a name without leading or trailing spaces")
        check_new_password(password)
        row = AccountRow(
            name=name,
            role=role,
            password_hash=generate_password_hash(password, method=self.password_hash_method),
            courses=None if courses is None else list(courses),
        )
        with self.transaction(write=True) as session:
            if session.scalar(select(AccountRow.id).where(AccountRow.name == name)) is not None:
                raise Conflict(f"an account named {name!r} already exists")
            session.add(row)
            session.flush()
            return to_account_record(row)

    def check_password(self, name: str, password: str) -> AccountRecord | None:
        """The live account with this name and password; None for any mismatch, in about the same time."""
        if len(password) > MAX_PASSWORD:
            return None
        with self.transaction() as session:
            row = session.scalars(select(AccountRow).where(AccountRow.name == name)).one_or_none()
            record = to_account_record(row) if row else None
            hashed = row is not None and not row.password_hash.startswith(LAUNCH_ONLY)
            stored = row.password_hash if row and hashed else unknown_name_hash(self.password_hash_method)
        matches = check_password_hash(stored, password)  # hashed even when it cannot match: the same time
        if record is None or not hashed or not matches or record.disabled_at is not None:
            return None
        return record

    def find_account(self, account_id: int) -> AccountRecord | None:
        """The live (not disabled) account with this id, if any."""
        with self.transaction() as session:
            row = session.get(AccountRow, account_id)
            if row is None or row.disabled_at is not None:
                return None
            return to_account_record(row)

    def end_sessions(self, account_id: int) -> None:
        """Every session of this account opened so far is refused from now on (logout).

        One counter per account, raised in the database: a signed cookie cannot be recalled,
        but the stamp it carries can stop matching, on every web process at once.
        """
        with self.transaction(write=True) as session:
            session.execute(
                update(AccountRow)
                .where(AccountRow.id == account_id)
                .values(session_epoch=AccountRow.session_epoch + 1)
            )

    def set_password(self, name: str, password: str) -> None:
        check_new_password(password)
        with self.transaction(write=True) as session:
            row = session.scalars(select(AccountRow).where(AccountRow.name == name)).one_or_none()
            if row is None:
                raise NotFound(f"no account named {name!r}")
            row.password_hash = generate_password_hash(password, method=self.password_hash_method)

    def disable_account(self, name: str) -> int:
        """Disabling keeps the row: the name stays taken, so nobody else can become this person.

        The person's API tokens are revoked in the same transaction (how many is returned):
        the pages refuse a disabled account at its next click, and a token of that name must
        not go on acting for it. Platforms' tokens are not the person's even under the same name.
        """
        now = utcnow()
        with self.transaction(write=True) as session:
            row = session.scalars(select(AccountRow).where(AccountRow.name == name)).one_or_none()
            if row is None:
                raise NotFound(f"no account named {name!r}")
            if row.disabled_at is None:
                row.disabled_at = now
            revoked = session.execute(
                update(TokenRow)
                .where(TokenRow.name == name, TokenRow.role.in_(PERSON_ROLES), TokenRow.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            return int(getattr(revoked, "rowcount", 0) or 0)
