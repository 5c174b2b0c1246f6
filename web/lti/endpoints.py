"""The LTI 1.3 tool endpoints a platform's browser traffic reaches: login, launch, and our key set.

``/lti/login`` answers the platform's third-party-initiated login; ``/lti/launch`` receives
the ``id_token`` it posts back and, only when every check passes (service/lti.py), logs the
person in and sends them on: a learner to the assignment's submission page or the exams
page, an instructor to the gradebook or the exam. ``/lti/jwks`` (also at
``/.well-known/jwks.json``) publishes the tool's public keys. Every refusal is a 4xx with
the JSON error body, and no session is made for it.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response as Redirect

from service.lti import LaunchOutcome, begin_login, complete_launch
from service.lti_deep_linking import DeepLinkOffer
from web.handles import handles
from web.lti.deep_linking import chooser
from web.pages.session import log_in

lti = Blueprint("lti", __name__)
STATE_COOKIE = "autograde_lti_state_"  # + the state: several logins may be under way in one browser


@lti.route("/lti/login", methods=["GET", "POST"])
def login() -> Redirect:
    h = handles()
    launch_url = url_for("lti.launch", _external=True)
    if h.settings.public_url:  # never trust the Host header for an address we hand out
        launch_url = h.settings.public_url.rstrip("/") + url_for("lti.launch")
    params = {name: str(value) for name, value in request.values.items()}
    answer = begin_login(h.store, h.settings, h.clock(), params, launch_url)
    response = redirect(answer.url, code=302)
    response.set_cookie(
        STATE_COOKIE + answer.state,
        answer.state,
        max_age=h.settings.lti_login_seconds,
        path="/lti/",
        httponly=True,
        secure=h.settings.https,
        samesite="None" if h.settings.https else "Lax",  # the launch is a cross-site POST
    )
    return response


@lti.post("/lti/launch")
def launch() -> Redirect:
    h = handles()
    form = {name: str(value) for name, value in request.form.items()}
    outcome = complete_launch(h.store, h.settings, h.clock(), h.platform_keys, form, browser_state(form))
    if isinstance(outcome, DeepLinkOffer):
        response: Redirect = chooser(outcome)
    else:
        log_in(outcome.account, framed=True)
        response = redirect(landing(outcome), code=303)
    for name in request.cookies:
        if name.startswith(STATE_COOKIE):
            response.delete_cookie(name, path="/lti/")
    return response


def browser_state(form: dict[str, str]) -> str | None:
    """The state this browser's login was given; None when it sends no LTI cookie at all (an iframe
    without third-party cookies), the empty string when it holds another login's cookie only."""
    own = request.cookies.get(STATE_COOKIE + form.get("state", ""))
    if own is not None:
        return own
    return "" if any(name.startswith(STATE_COOKIE) for name in request.cookies) else None


def landing(outcome: LaunchOutcome) -> str:
    staff = outcome.account.role == "instructor"
    if outcome.kind == "exam":
        if staff:
            return url_for("pages.exam_admin.exam", exam_id=outcome.target)
        return url_for("pages.exams.my_exams")
    if staff:
        return url_for("pages.teach.gradebook", assignment_id=outcome.target)
    return url_for("pages.learn.assignment", assignment_id=outcome.target)


@lti.get("/lti/jwks")
def jwks() -> tuple[Response, int, dict[str, str]]:
    keys = handles().lti_keyring.keys()
    return jsonify(keys.published), 200, {"Cache-Control": "public, max-age=300"}


@lti.get("/.well-known/jwks.json")
def well_known_jwks() -> tuple[Response, int, dict[str, str]]:
    """The same set where some platforms look by default."""
    return jwks()
