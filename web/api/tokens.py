"""API tokens: listed without their secrets, and revoked by an admin or by their owner.

A token's owner is its name within its kind: the people (admin, instructor, learner) share
one name space, the account names, and platforms have their own (a platform's id). A
caller other than an admin sees and revokes only its own; another owner's token answers
404, as if it did not exist. The admin token of the settings is not stored, so it is
neither listed nor revoked here: change ``AUTOGRADE_ADMIN_TOKEN`` to replace it.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, jsonify, request

from grader.errors import NotFound
from store import TokenRecord
from store.rows import PERSON_ROLES
from web.auth import Caller, current_caller
from web.handles import handles

tokens = Blueprint("tokens", __name__)
log = logging.getLogger(__name__)


def token_json(record: TokenRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "owner": record.name,
        "role": record.role,
        "courses": list(record.courses) if record.courses is not None else None,
        "created_at": record.created_at.isoformat(),
        "last_used_at": record.last_used_at.isoformat() if record.last_used_at else None,
        "revoked": record.revoked_at is not None,
        "revoked_at": record.revoked_at.isoformat() if record.revoked_at else None,
    }


def kind_of(role: str) -> tuple[str, ...]:
    """The roles that share an owner's name space with ``role``."""
    return ("platform",) if role == "platform" else PERSON_ROLES


def owns(caller: Caller, record: TokenRecord) -> bool:
    return caller.role == "admin" or (record.name == caller.name and record.role in kind_of(caller.role))


def visible_tokens(caller: Caller, owner: str | None = None) -> list[TokenRecord]:
    """Every token for an admin (or ``owner``'s), the caller's own for anyone else."""
    store = handles().store
    if caller.role == "admin":
        return store.list_tokens(name=owner)
    return store.list_tokens(name=caller.name, roles=kind_of(caller.role))


def revoke_as(caller: Caller, token_id: int) -> TokenRecord:
    """Revoke a token the caller may act on; every later request with it is refused (401)."""
    h = handles()
    try:
        record = h.store.get_token(token_id)
    except NotFound:
        record = None
    if record is None or not owns(caller, record):
        raise NotFound(f"no token with id {token_id}")
    revoked = h.store.revoke_token(token_id, h.clock())
    log.info(
        "token %s of %s %r revoked by %s %r", token_id, record.role, record.name, caller.role, caller.name
    )
    return revoked


@tokens.get("/tokens")
def list_tokens() -> Response:
    """``?owner=`` narrows an admin's list to one owner's tokens."""
    return jsonify(
        [token_json(r) for r in visible_tokens(current_caller(), request.args.get("owner") or None)]
    )


@tokens.post("/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int) -> dict[str, Any]:
    return token_json(revoke_as(current_caller(), token_id))
