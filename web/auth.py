"""Who is calling: bearer tokens, roles and course scopes.

Every API view needs a token unless marked ``@public``. The admin token comes from the
settings; the others are looked up by hash in the store. Roles:

- admin: everything;
- instructor, platform: the courses in their token's list;
- learner: their own submissions (the token's name is the learner's identity), and the
  metadata and release of assignments (of any course, or of the courses listed on the
  token if it has a list), never the sources.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from flask import current_app, g, request

from grader.errors import Forbidden, StorageError, Unauthenticated
from service.settings import Settings
from store import Store, SubmissionRecord, TokenRecord
from web.handles import handles

View = TypeVar("View", bound=Callable[..., Any])
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Caller:
    role: str
    name: str
    courses: tuple[str, ...] | None = None


def public(view: View) -> View:
    """Mark a view that answers without a token (the health check)."""
    view.public = True  # type: ignore[attr-defined]
    return view


def authenticate_request() -> None:
    """``before_request`` of the API: every non-public view runs with ``g.caller`` set."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "public", False):
        return
    h = handles()
    g.caller = authenticate(request.headers.get("Authorization"), h.settings, h.store, h.clock())


def authenticate(header: str | None, settings: Settings, store: Store, now: datetime) -> Caller:
    """The caller of a live token, looked up on every request: a revoked token is refused at its next use."""
    token = bearer_token(header)
    if settings.admin_token and hmac.compare_digest(token.encode(), settings.admin_token.encode()):
        return Caller(role="admin", name="admin")
    record = store.find_token(token)
    if record is None:
        raise Unauthenticated("the bearer token is unknown or revoked")
    note_use(store, record, now)
    return Caller(role=record.role, name=record.name, courses=record.courses)


def note_use(store: Store, record: TokenRecord, now: datetime) -> None:
    """Bookkeeping for the token list: a failed write is logged, never a reason to refuse a good token."""
    try:
        store.note_token_use(record, now)
    except StorageError as exc:
        log.warning("could not note the use of token %s: %s", record.id, exc.message)


def bearer_token(header: str | None) -> str:
    scheme, _, token = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send the header 'Authorization: Bearer <token>'")
    return token.strip()


def current_caller() -> Caller:
    caller: Caller = g.caller
    return caller


def require(*roles: str) -> Caller:
    """The caller, if their role is one of ``roles``; Forbidden otherwise."""
    caller = current_caller()
    if caller.role not in roles:
        raise Forbidden(f"a {caller.role} token may not do this (needs {' or '.join(roles)})")
    return caller


def can_see_course(caller: Caller, course: str) -> bool:
    if caller.role == "admin":
        return True
    if caller.role == "learner" and caller.courses is None:
        return True  # learner tokens usually carry no course list: they may read any assignment
    return course in (caller.courses or ())


def check_course(caller: Caller, course: str) -> None:
    if not can_see_course(caller, course):
        raise Forbidden(f"this token does not give access to course {course!r}")


def check_member(caller: Caller, course: str) -> None:
    """Exams need explicit membership: a learner token without a course list is a member of none.

    ``can_see_course`` lets such a learner read any assignment (platform tokens often carry no
    list); an exam is a sitting with a code, a window and a limited number of attempts, and a
    stranger must not be able to take one.
    """
    if caller.role == "learner" and course not in (caller.courses or ()):
        raise Forbidden(f"this learner is not a member of course {course!r}")
    check_course(caller, course)


def check_submission(caller: Caller, submission: SubmissionRecord, course: str) -> None:
    """Learners see only their own submissions; the others, those of their courses."""
    if caller.role == "learner":
        if submission.learner != caller.name:
            raise Forbidden("a learner may only see their own submissions")
        return
    check_course(caller, course)
