"""LTI 1.3 platform registrations, kept by an admin: what a platform's admin gives us, and what we give back."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, url_for

from service.lti_registrations import (
    add_deployment,
    change_registration,
    register_platform,
    registration_fields,
)
from store import LtiRegistrationRecord
from web.auth import require
from web.handles import handles
from web.json_body import json_object

lti_registrations = Blueprint("lti_registrations", __name__)


def registration_json(record: LtiRegistrationRecord) -> dict[str, Any]:
    """The registration, with the tool's own URLs the platform's admin enters on their side."""
    return {**registration_fields(record), "tool": tool_urls()}


def tool_urls() -> dict[str, str]:
    base = handles().settings.public_url.rstrip("/")
    endpoints = {"login_url": "lti.login", "launch_url": "lti.launch", "jwks_url": "lti.jwks"}
    if base:  # where people reach the service; the Host header only when none is configured
        return {name: base + url_for(endpoint) for name, endpoint in endpoints.items()}
    return {name: url_for(endpoint, _external=True) for name, endpoint in endpoints.items()}


@lti_registrations.post("/lti/registrations")
def create_registration() -> tuple[Response, int]:
    require("admin")
    h = handles()
    record = register_platform(h.store, json_object())
    h.frame_ancestors.forget()
    return jsonify(registration_json(record)), 201


@lti_registrations.get("/lti/registrations")
def list_registrations() -> Response:
    require("admin")
    return jsonify([registration_json(record) for record in handles().store.list_lti_registrations()])


@lti_registrations.get("/lti/registrations/<registration_id>")
def get_registration(registration_id: str) -> dict[str, Any]:
    require("admin")
    return registration_json(handles().store.get_lti_registration(registration_id))


@lti_registrations.patch("/lti/registrations/<registration_id>")
def patch_registration(registration_id: str) -> dict[str, Any]:
    """Only the token audience may change (service.lti_registrations.change_registration says why)."""
    require("admin")
    return registration_json(change_registration(handles().store, registration_id, json_object()))


@lti_registrations.post("/lti/registrations/<registration_id>/deployments")
def create_deployment(registration_id: str) -> dict[str, Any]:
    require("admin")
    return registration_json(add_deployment(handles().store, registration_id, json_object()))
