"""LTI Dynamic Registration invitations, kept by an admin: make one (its link shown once), list, revoke."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from service.lti_invitations import NewInvitation, create_invitation, invitation_fields
from web.auth import require
from web.handles import handles
from web.json_body import json_object
from web.lti.registration import absolute

lti_invitations = Blueprint("lti_invitations", __name__)


def new_invitation_json(made: NewInvitation) -> dict[str, Any]:
    """The invitation with its link, the only time the link is shown."""
    url = absolute("lti_dynamic_registration.register", token=made.token)
    return {**invitation_fields(made.invitation, handles().clock()), "url": url}


@lti_invitations.post("/lti/invitations")
def create() -> tuple[Response, int]:
    caller = require("admin")
    h = handles()
    made = create_invitation(h.store, json_object(), caller.name, h.clock())
    return jsonify(new_invitation_json(made)), 201


@lti_invitations.get("/lti/invitations")
def listing() -> Response:
    require("admin")
    h = handles()
    now = h.clock()
    return jsonify([invitation_fields(record, now) for record in h.store.list_lti_invitations()])


@lti_invitations.post("/lti/invitations/<invitation_id>/revoke")
def revoke(invitation_id: str) -> dict[str, Any]:
    require("admin")
    h = handles()
    return invitation_fields(h.store.revoke_lti_invitation(invitation_id, h.clock()), h.clock())
