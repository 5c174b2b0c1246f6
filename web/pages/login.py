"""Logging in and out with a name and password; the home page sends each role to its own pages."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from grader.errors import RateLimited
from web.auth import public
from web.handles import handles
from web.pages.session import find_person, log_in, log_out

login = Blueprint("login", __name__)
MAX_NAME = 200


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: a ``next`` of ``//evil.example`` or ``https://...`` would be an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
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
    try:
        handles().login_limiter.hit(name.lower())
    except RateLimited as exc:
        return render_template("login.html", next=target, name=name, error=(
            f"too many attempts for this name: try again in {exc.retry_after} s")), 429
    account = handles().store.check_password(name, password) if name and password else None
    if account is None:
        return render_template("login.html", next=target, name=name, error="wrong name or password"), 401
    log_in(account)
    return redirect(target or home_of(account.role))


@login.post("/logout")
def logout() -> ResponseReturnValue:
    log_out()
    return redirect(url_for("pages.login.login_form"))
