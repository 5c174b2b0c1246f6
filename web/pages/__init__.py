"""The web pages for people: server-rendered HTML next to the token API, with password login.

Every page runs with ``g.caller`` built from the logged-in account (``session.py``), and
every POST form must carry the session's CSRF token. Errors become an HTML page with the
status the API would give, or a redirect to the login page for someone not logged in.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Blueprint, Flask, Response, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, NotFound, RequestEntityTooLarge

from grader.errors import AutogradeError, Unauthenticated
from service.settings import Settings
from web.api import api
from web.errors import handle_error, status_for
from web.handles import handles
from web.pages.assignment_terms import assignment_terms
from web.pages.attempt_admin import attempt_admin
from web.pages.exam_admin import exam_admin
from web.pages.exams import exam_pages
from web.pages.extensions import extensions
from web.pages.integrity import integrity_pages
from web.pages.learn import learn
from web.pages.login import login, safe_next
from web.pages.lti_admin import lti_admin
from web.pages.programme_admin import programme_admin
from web.pages.records import record_pages
from web.pages.regrade_requests import regrade_requests
from web.pages.regrade_runs import regrade_runs
from web.pages.review_queue import review_queue
from web.pages.session import CSRF_FIELD, check_csrf, csrf_token, find_person, load_person, session_secret
from web.pages.session_cookie import FramedSessionInterface
from web.pages.shared import shared_pages
from web.pages.submissions import submissions
from web.pages.teach import teach
from web.pages.token_admin import token_admin

log = logging.getLogger(__name__)
# Pages use only their own stylesheet and script; feedback HTML is framed from this origin; the pages are
# framed by this site and the registered LTI platforms (web/lti/framing.py).
PAGE_CSP = "default-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'"

pages = Blueprint(
    "pages", __name__, template_folder="templates", static_folder="static", static_url_path="/static"
)
pages.before_request(load_person)
pages.before_request(check_csrf)
pages.register_blueprint(login)
pages.register_blueprint(teach)
pages.register_blueprint(assignment_terms)
pages.register_blueprint(extensions)
pages.register_blueprint(regrade_runs)
pages.register_blueprint(learn)
pages.register_blueprint(submissions)
pages.register_blueprint(exam_pages)
pages.register_blueprint(record_pages)
pages.register_blueprint(exam_admin)
pages.register_blueprint(attempt_admin)
pages.register_blueprint(review_queue)
pages.register_blueprint(regrade_requests)
pages.register_blueprint(integrity_pages)
pages.register_blueprint(programme_admin)
pages.register_blueprint(token_admin)
pages.register_blueprint(lti_admin)
pages.register_blueprint(shared_pages)


def register_pages(app: Flask) -> None:
    app.session_interface = FramedSessionInterface()
    app.register_blueprint(pages)
    app.register_error_handler(NotFound, unknown_address)


def configure_pages(app: Flask, settings: Settings) -> None:
    """The session cookie: its signing key, lifetime and whether it travels only over HTTPS."""
    app.secret_key = session_secret(settings)
    app.config.update(
        SESSION_COOKIE_NAME="autograde_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.https,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_hours),
    )


@pages.app_context_processor
def page_context() -> dict[str, Any]:
    return {"csrf_token": csrf_token, "csrf_field": CSRF_FIELD, "person": find_person()}


@pages.after_request
def page_headers(response: Response) -> Response:
    """Pages show personal data: nothing caches them, and nothing but this site frames them."""
    h = handles()
    response.headers.setdefault(
        "Content-Security-Policy", f"{PAGE_CSP}; {h.frame_ancestors.directive(h.store)}"
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if not request.endpoint or not request.endpoint.endswith(".static"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@pages.errorhandler(Exception)
def page_error(exc: Exception) -> ResponseReturnValue:
    """The pages' one error handler: the API's statuses, shown as a page a person can act on."""
    if isinstance(exc, Unauthenticated):
        return redirect(url_for("pages.login.login_form", next=safe_next(request.full_path)))
    if isinstance(exc, AutogradeError):
        status, message = status_for(exc), exc.message
        if status >= 500:
            log.error("%s: %s", type(exc).__name__, exc.message, exc_info=exc)
    elif isinstance(
        exc, RequestEntityTooLarge
    ):  # the whole form is refused unread, so no field to show it by
        status, message = 413, too_large_message()
    elif isinstance(exc, HTTPException):
        status, message = exc.code or 500, exc.description or exc.name
    else:
        log.exception("unhandled error on a page")
        status, message = 500, "the server failed; the error has been logged"
    return render_template("error.html", status=status, message=message), status


def too_large_message() -> str:
    limit = handles().settings.max_upload_bytes
    size = f"{limit / 2**20:.1f} MB" if limit >= 2**20 else f"{limit / 2**10:.0f} KB"
    return (
        f"The file is larger than the upload limit of {size}, so nothing was kept. "
        "Go back, choose a smaller file (or zip it) and try again."
    )


def unknown_address(exc: NotFound) -> ResponseReturnValue:
    """An address no route knows: a page for people, the JSON 404 under the API's prefix (for scripts)."""
    prefix = api.url_prefix or ""
    if request.path == prefix or request.path.startswith(prefix + "/"):
        return handle_error(exc)
    message = "There is no page at this address. Check the link, or start again from your home page."
    return page_headers(make_response(render_template("error.html", status=404, message=message), 404))
