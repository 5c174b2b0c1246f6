"""Logging in and out with a name and password; the home page sends each role to its own pages."""

from __future__ import annotations

import contextlib
import re

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from grader.errors import RateLimited
from web.auth import public
from web.handles import handles
from web.pages.session import find_person, log_in, log_out
from web.ratelimit import FailureLimiter

login = Blueprint("login", __name__)
MAX_NAME = 200
SAME_SITE_PATH = re.compile(r"/(?!/)[!-~]*")  # one slash, then printable ASCII: no space, tab, newline or NUL


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: a ``next`` of ``//evil.example`` or ``https://...`` would be an open redirect.

    Printable ASCII only: browsers drop tabs and newlines from a ``Location``, so ``/<TAB>/evil.example``
    would arrive as ``//evil.example``; a real path of this site is percent-encoded anyway.
    """
    if not target or not SAME_SITE_PATH.fullmatch(target) or "\\" in target:
        return None
    return target.rstrip("?") or None


def home_of(role: str) -> str:
    return url_for("pages.learn.my_assignments") if role == "learner" else url_for("pages.teach.courses")


@login.get("/")
@public
def home() -> ResponseReturnValue:
    person = find_person()
    return redirect(home_of(person.role) if person else url_for("pages.login.login_form"))


@login.get("/login")
@public
def login_form() -> ResponseReturnValue:
    return render_template("login.html", next=safe_next(request.args.get("next")), error=None, name="")


@login.post("/login")
@public
def login_submit() -> ResponseReturnValue:
    """One message for a wrong name and a wrong password, so the form does not tell which names exist."""
    name = (request.form.get("name") or "").strip()[:MAX_NAME]
    password = request.form.get("password") or ""
    target = safe_next(request.form.get("next"))
    limits = login_limits(name)
    try:
        for limiter, key in limits:
            limiter.check(key)
    except RateLimited as exc:
        return (
            render_template(
                "login.html",
                next=target,
                name=name,
                error=(f"too many attempts failed from here: try again in {exc.retry_after} s"),
            ),
            429,
            {"Retry-After": str(exc.retry_after)},
        )
    account = handles().store.check_password(name, password) if name and password else None
    if account is None:
        for limiter, key in limits:
            with contextlib.suppress(RateLimited):  # a race to the last slot: the failure is the answer
                limiter.hit(key)
        return render_template("login.html", next=target, name=name, error="wrong name or password"), 401
    log_in(account)
    return redirect(target or home_of(account.role))


def login_limits(name: str) -> list[tuple[FailureLimiter, str]]:
    """Failures count per client address (any names: guessing many names costs scrypt each) and per
    name *at that address*, never per name alone: then a stranger who fails for a learner's name
    locks out only themselves. Successes count nowhere.
    """
    h = handles()
    address = request.remote_addr or "unknown"
    return [(h.login_address_limiter, address), (h.login_limiter, f"{name.lower()}@{address}")]


@login.post("/logout")
def logout() -> ResponseReturnValue:
    log_out()
    return redirect(url_for("pages.login.login_form"))
