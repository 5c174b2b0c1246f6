"""Who is looking at a page: the logged-in person, kept in a signed session cookie, and its CSRF token.

The cookie holds only the account id, a stamp of its password and session epoch
(``AccountRecord.credential``) and a random CSRF token, signed with the app's secret key
(HttpOnly, SameSite=Lax, Secure when configured). Each request loads the account again, so a
disabled account is out at its next click, and so is every session opened before its
password was last set or before its last logout: logging out raises the epoch in the
database, so a copied cookie dies with the session it was copied from. A logged-in
person becomes the same ``Caller`` their token would (role, name, courses): the pages call
the API's own access checks (``require``, ``check_course``, ``readable_submission``) and
cannot show more than it.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from flask import current_app, g, request, session

from grader.errors import Forbidden, StorageError, Unauthenticated
from service.settings import Settings
from store import AccountRecord
from web.auth import Caller
from web.handles import handles

ACCOUNT = "account"
CREDENTIAL = "credential"
CSRF = "csrf"
CSRF_FIELD = "csrf_token"
SECRET_FILE = "session-secret"
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def session_secret(settings: Settings) -> str:
    """The configured key, else one made once and kept in the data directory, shared by every web process."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / SECRET_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_secret(path)
    except OSError as exc:
        raise StorageError(f"cannot write the session key {path}: {exc.strerror}") from exc
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_urlsafe(48))
    return read_secret(path)


def read_secret(path: Path) -> str:
    try:
        key = path.read_text().strip()
    except OSError as exc:
        raise StorageError(f"cannot read the session key {path}: {exc.strerror}") from exc
    if not key:
        raise StorageError(f"the session key {path} is empty; delete it to make a new one")
    return key


def log_in(account: AccountRecord) -> None:
    """A fresh session (a new CSRF token too), so that nothing set before login survives it."""
    session.clear()
    session.permanent = True
    session[ACCOUNT] = account.id
    session[CREDENTIAL] = account.credential
    session[CSRF] = secrets.token_urlsafe(32)


def log_out() -> None:
    """End the session on the server too: a copy of this cookie, or the account's other sessions, die with it."""
    account_id = session.get(ACCOUNT)
    if isinstance(account_id, int):
        handles().store.end_sessions(account_id)
    session.clear()


def csrf_token() -> str:
    """The session's CSRF token, made on first use (the login form needs one before anyone logs in)."""
    if CSRF not in session:
        session[CSRF] = secrets.token_urlsafe(32)
    token: str = session[CSRF]
    return token


def check_csrf() -> None:
    """``before_request``: every state-changing request carries the session's token in its form."""
    if request.method not in UNSAFE_METHODS:
        return
    expected = session.get(CSRF)
    sent = request.form.get(CSRF_FIELD, "")
    if not expected or not hmac.compare_digest(sent.encode(), str(expected).encode()):
        raise Forbidden("this form is out of date or did not come from this site: reload the page and try again")


def load_person() -> None:
    """``before_request``: ``g.caller`` for a logged-in person; Unauthenticated (to the login page) otherwise."""
    view = current_app.view_functions.get(request.endpoint or "")
    account_id = session.get(ACCOUNT)
    account = handles().store.find_account(account_id) if isinstance(account_id, int) else None
    if account is not None and not hmac.compare_digest(str(session.get(CREDENTIAL, "")), account.credential):
        session.clear()  # opened before the password was last set or before a logout
        account = None
    if account is not None:
        g.caller = Caller(role=account.role, name=account.name, courses=account.courses)
    elif not (getattr(view, "public", False) or (request.endpoint or "").endswith(".static")):
        raise Unauthenticated("log in to see this page")


def find_person() -> Caller | None:
    caller: Caller | None = g.get("caller")
    return caller
