"""``/lti/register/<token>``: where a platform's admin lands from "register a tool by URL" (LTI Dynamic
Registration), inside the LMS's frame or window.

The use case (service/lti_dynamic_registration.py) does the work. Here: the platform client,
the tool's own URLs, and the answer: a page that says what was registered and posts
``{subject: "org.imsglobal.lti.close"}`` to the LMS's window (window.opener, else
window.parent) so the LMS closes its dialog. A refusal is the same kind of page with the
status and the reason (JSON for a client that does not take HTML). The pages run one inline
script by nonce, may be framed by the platform's origin, and send no Referer (the link's
token and the registration token are in this page's URL).
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for

from grader.errors import AutogradeError
from integrations.lti_dynamic_registration import ToolUrls
from service.lti_dynamic_registration import register_dynamically
from service.lti_invitations import REGISTER_PATH
from web.errors import status_for
from web.handles import handles
from web.lti.framing import origin
from web.lti.registration_client import HttpPlatformClient

dynamic_registration = Blueprint("lti_dynamic_registration", __name__)


def absolute(endpoint: str, **values: Any) -> str:
    """Our address for ``endpoint``: from AUTOGRADE_PUBLIC_URL, the Host header only when none is set."""
    base = handles().settings.public_url.rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def tool_urls() -> ToolUrls:
    return ToolUrls(
        login_url=absolute("lti.login"), launch_url=absolute("lti.launch"), jwks_url=absolute("lti.jwks")
    )


@dynamic_registration.get(REGISTER_PATH + "<token>")
def register(token: str) -> Response:
    h = handles()
    query = {name: str(value) for name, value in request.args.items()}
    try:
        record = register_dynamically(h.store, HttpPlatformClient(), tool_urls(), token, query, h.clock())
    except AutogradeError as exc:
        if not wants_html():
            raise
        status = status_for(exc)
        html = render_template("lti/register_failed.html", status=status, message=exc.message)
        return page(html, query.get("openid_configuration", ""), None, status)
    h.frame_ancestors.forget()  # the new platform may frame the pages from now on
    nonce = secrets.token_urlsafe(16)
    html = render_template("lti/registered.html", registration=record, nonce=nonce)
    return page(html, record.issuer, nonce, 200)


def wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def page(html: str, platform_url: str, script_nonce: str | None, status: int) -> Response:
    """The page with its own policy: the platform's origin may frame it, one script may run."""
    script = f"'nonce-{script_nonce}'" if script_nonce else "'none'"
    ancestors = " ".join(["'self'", *filter(None, [origin(platform_url)])])
    csp = f"default-src 'none'; style-src 'self'; script-src {script}; base-uri 'none'; form-action 'none'; "
    return Response(
        html,
        status=status,
        headers={
            "Content-Security-Policy": csp + f"frame-ancestors {ancestors}",
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
        },
    )
