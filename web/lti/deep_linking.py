"""LTI Deep Linking pages: the chooser an instructor sees, and the form that carries our answer back.

The launch endpoint renders the chooser straight from a checked ``LtiDeepLinkingRequest``;
what the answer needs travels in the page as a token signed with the app's secret (it works
inside an iframe that withholds cookies, and a stranger cannot forge or alter one). The
choice is posted to ``/lti/deep-link``, which answers with a page that posts the signed
``LtiDeepLinkingResponse`` to the platform's return URL by itself. Each page carries its own
Content-Security-Policy: the answer's form may post to that one origin and run one inline
script, by nonce.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, Response, current_app, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from grader.errors import InvalidLaunch
from service.lti_deep_linking import DeepLinkOffer, answer, choices
from web.handles import handles
from web.lti.framing import origin

deep_linking = Blueprint("lti_deep_linking", __name__)
SALT = "lti-deep-link-offer"


def serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.secret_key), salt=SALT)


def launch_url() -> str:
    h = handles()
    if h.settings.public_url:
        return h.settings.public_url.rstrip("/") + url_for("lti.launch")
    return url_for("lti.launch", _external=True)


def page(html: str, form_action: str, script_nonce: str | None = None) -> Response:
    h = handles()
    script = f"'nonce-{script_nonce}'" if script_nonce else "'none'"
    csp = (
        f"default-src 'self'; script-src {script}; form-action {form_action}; base-uri 'none'; "
        f"{h.frame_ancestors.directive(h.store)}"
    )
    return Response(html, headers={"Content-Security-Policy": csp, "Cache-Control": "no-store"})


def chooser(offer: DeepLinkOffer) -> Response:
    """The list of assignments and exams to place, each a button posting the signed offer and its choice."""
    h = handles()
    registration = h.store.get_lti_registration(offer.registration_id)
    token = serializer().dumps(offer.to_dict())
    html = render_template(
        "lti/deep_link_choose.html",
        items=choices(h.store, registration),
        offer=token,
        registration=registration,
    )
    return page(html, "'self'")


@deep_linking.post("/lti/deep-link")
def choose() -> Response:
    h = handles()
    try:
        fields = serializer().loads(request.form.get("offer", ""), max_age=h.settings.lti_login_seconds)
    except BadSignature:
        raise InvalidLaunch("this deep linking choice is not one we offered, or it has expired") from None
    offer = DeepLinkOffer.from_dict(fields)
    registration = h.store.get_lti_registration(offer.registration_id)
    reply = answer(
        h.store, h.lti_keyring, registration, offer, request.form.get("item", ""), launch_url(), h.clock()
    )
    nonce = secrets.token_urlsafe(16)
    html = render_template("lti/deep_link_return.html", reply=reply, nonce=nonce)
    return page(html, origin(reply.return_url) or "'none'", nonce)
