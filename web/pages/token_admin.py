"""The admin's token page: every API token (never its secret), who owns it, when it was last
used, and a button that revokes it at once.

Listing and revoking go through the API's own functions (``visible_tokens``, ``revoke_as``),
so the page can do no more than an admin's token could; the form carries the session's CSRF
token like every other.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from web.api.tokens import revoke_as, token_json, visible_tokens
from web.auth import require

token_admin = Blueprint("token_admin", __name__, url_prefix="/admin/tokens")


@token_admin.get("/")
def tokens() -> ResponseReturnValue:
    listed = [token_json(record) for record in visible_tokens(require("admin"))]
    return render_template("admin/tokens.html", tokens=listed)


@token_admin.post("/<int:token_id>/revoke")
def revoke(token_id: int) -> ResponseReturnValue:
    revoke_as(require("admin"), token_id)
    return redirect(url_for("pages.token_admin.tokens"))
