"""The session cookie's cross-site attributes: a session an LMS opened in its iframe must reach the tool.

A person who logs in on our own pages gets ``SameSite=Lax``: no other site can make their
browser send it. A session opened by an LTI launch lives in the LMS's iframe, on the LMS's
site; there a ``Lax`` cookie is never sent, so every click after the launch would be
logged out. Those sessions (and only they) get ``SameSite=None; Partitioned``: the browser
sends them in a frame, and keeps them in a jar of the LMS's site alone (CHIPS), which
browsers that block third-party cookies still allow. ``SameSite=None`` needs ``Secure``, so
a service not on HTTPS keeps ``Lax`` (and the docs say to open the tool in a new window).
Cross-site requests carrying the cookie are harmless: every page POST needs the session's
CSRF token (``web/pages/session.py``), and only registered platforms may frame the pages.
"""

from __future__ import annotations

from flask import Flask, has_request_context, session
from flask.sessions import SecureCookieSessionInterface

FRAMED = "framed"  # the session key set by an LTI launch


class FramedSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the cross-site attributes for an LTI-launched session."""

    def get_cookie_samesite(self, app: Flask) -> str | None:
        return "None" if framed(app) else super().get_cookie_samesite(app)

    def get_cookie_partitioned(self, app: Flask) -> bool:
        return framed(app) or super().get_cookie_partitioned(app)


def framed(app: Flask) -> bool:
    """This request's session was opened by a launch, and the cookie may be Secure."""
    return bool(app.config["SESSION_COOKIE_SECURE"] and has_request_context() and session.get(FRAMED))
