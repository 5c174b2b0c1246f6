"""The admin's LTI page: each registered platform with the tool URLs its admin enters on their
side, a form to register one more, and one to add a deployment id to a registration.

An admin also invites a platform to register itself (LTI Dynamic Registration): the form
makes a one-time, expiring link, shown on the page that answers it and never again; the
invitations are listed with their state, and an open one can be revoked.

Registering goes through the same service call as the API (``register_platform``, every field
checked, nothing stored unless all are valid); a refused field is shown beside its input
with the form kept as typed. Lists (deployment ids, courses) are typed comma-separated.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from service.lti_invitations import NewInvitation, create_invitation, invitation_fields
from service.lti_registrations import add_deployment, register_platform
from web.api.lti import registration_json
from web.api.lti_invitations import new_invitation_json
from web.auth import require
from web.handles import handles
from web.pages.fields import FieldErrors

lti_admin = Blueprint("lti_admin", __name__, url_prefix="/admin/lti")
FIELDS = ("id", "name", "issuer", "client_id", "auth_login_url", "token_url", "token_audience", "jwks_url")
LISTS = ("deployment_ids", "courses")
NAMED = re.compile(r"^'([a-z_]+)'")  # the service's messages start with the field they are about


INVITE_FIELDS = ("courses", "label", "registration_id", "expires_in_hours")


@lti_admin.get("/")
def registrations() -> ResponseReturnValue:
    return render_registrations(FieldErrors(), {})


@lti_admin.post("/invitations")
def invite() -> ResponseReturnValue:
    """Make an invitation; the answer is the page with its link, the one time it is shown."""
    caller = require("admin")
    typed = {name: request.form.get(name, "").strip() for name in INVITE_FIELDS}
    fields: dict[str, Any] = {
        **typed,
        "courses": [c.strip() for c in typed["courses"].split(",") if c.strip()],
    }
    errors = FieldErrors()
    h = handles()
    made = errors.check("invitation", lambda: create_invitation(h.store, fields, caller.name, h.clock()))
    if made is None:
        return render_registrations(errors, {f"invite_{name}": value for name, value in typed.items()})
    return render_registrations(errors, {}, made)


@lti_admin.post("/invitations/<invitation_id>/revoke")
def revoke(invitation_id: str) -> ResponseReturnValue:
    require("admin")
    h = handles()
    h.store.revoke_lti_invitation(invitation_id, h.clock())
    return redirect(url_for("pages.lti_admin.registrations", _anchor="invitations"))


@lti_admin.post("/")
def register() -> ResponseReturnValue:
    require("admin")
    typed = {name: request.form.get(name, "") for name in FIELDS + LISTS}
    fields: dict[str, Any] = {name: typed[name] for name in FIELDS}
    fields |= {name: [part.strip() for part in typed[name].split(",") if part.strip()] for name in LISTS}
    errors = FieldErrors()
    h = handles()
    stored = errors.check("registration", lambda: register_platform(h.store, fields))
    if stored is None:
        return render_registrations(by_field(errors), typed)
    h.frame_ancestors.forget()  # the new platform may frame the pages from now on
    return redirect(url_for("pages.lti_admin.registrations", _anchor=f"registration-{stored.id}"))


@lti_admin.post("/<registration_id>/deployments")
def deploy(registration_id: str) -> ResponseReturnValue:
    require("admin")
    errors = FieldErrors()
    field = f"deployment-{registration_id}"
    fields = {"deployment_id": request.form.get("deployment_id", "")}
    added = errors.check(field, lambda: add_deployment(handles().store, registration_id, fields))
    if added is None:
        return render_registrations(errors, {})
    return redirect(url_for("pages.lti_admin.registrations", _anchor=f"registration-{registration_id}"))


def by_field(errors: FieldErrors) -> FieldErrors:
    """The message under the field it names, so it shows beside that input."""
    message = errors.messages.get("registration", "")
    found = NAMED.match(message)
    if found and found.group(1) in FIELDS + LISTS:
        moved = FieldErrors()
        moved.add(found.group(1), message)
        return moved
    return errors


def render_registrations(
    errors: FieldErrors, typed: dict[str, str], made: NewInvitation | None = None
) -> ResponseReturnValue:
    require("admin")
    h = handles()
    listed = [registration_json(record) for record in h.store.list_lti_registrations()]
    now = h.clock()
    invitations = [invitation_fields(record, now) for record in h.store.list_lti_invitations()]
    page = render_template(
        "admin/lti.html",
        registrations=listed,
        invitations=invitations,
        new_invitation=new_invitation_json(made) if made else None,
        errors=errors.messages,
        typed=typed,
    )
    return page, (422 if errors else 200)
