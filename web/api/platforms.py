"""Platforms: registered by an admin, each with an HMAC secret and a bearer token, shown once."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request

from grader.errors import BadInput, BadSignature, Forbidden
from integrations.signing import verify
from store import PlatformRecord
from web.auth import Caller, current_caller, require
from web.callback_urls import check_url
from web.handles import handles
from web.json_body import json_object, name_field, string_list

platforms = Blueprint("platforms", __name__)
PLATFORM_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def platform_json(record: PlatformRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": record.name,
        "callback_url": record.callback_url,
        "courses": list(record.courses),
        "created_at": record.created_at.isoformat(),
        "webhook_url": f"/api/v1/platforms/{record.id}/submissions",
    }


@platforms.post("/platforms")
def create_platform() -> tuple[Response, int]:
    require("admin")
    body = json_object()
    platform_id = name_field(body, "id") or ""
    if not PLATFORM_ID.fullmatch(platform_id):
        raise BadInput(
            "'id' must be 1-64 characters of a-z, 0-9, '-' and '_', starting with a letter or digit"
        )
    name = name_field(body, "name", required=False) or platform_id
    callback = body.get("callback_url")
    callback_url = check_url(callback) if callback is not None else None
    courses = string_list(body, "courses")
    store = handles().store
    record = store.create_platform(platform_id, name, callback_url, courses)
    token, _ = store.create_token("platform", record.id, courses)
    return jsonify({**platform_json(record), "secret": record.secret, "token": token}), 201


@platforms.get("/platforms")
def list_platforms() -> Response:
    require("admin")
    return jsonify([platform_json(record) for record in handles().store.list_platforms()])


@platforms.get("/platforms/<platform_id>")
def get_platform(platform_id: str) -> dict[str, Any]:
    check_platform(current_caller(), platform_id)
    return platform_json(handles().store.get_platform(platform_id))


def check_platform(caller: Caller, platform_id: str) -> None:
    """Admins see every platform; a platform token only its own (its name is the platform id)."""
    if caller.role == "admin":
        return
    if caller.role != "platform" or caller.name != platform_id:
        raise Forbidden(f"this token may not act for platform {platform_id!r}")


def signed_by_platform(platform_id: str, now: datetime) -> tuple[PlatformRecord, bytes]:
    """The platform and the raw body of a request it signed; 401 for an unknown platform or a bad signature.

    The raw bytes are read and checked before anything parses them.
    """
    h = handles()
    body = request.get_data(cache=True)
    platform = h.store.find_platform(platform_id)
    if platform is None:
        raise BadSignature(f"no platform {platform_id!r} is registered here")
    verify(platform.secret, request.headers, body, now.timestamp(), h.settings.webhook_window)
    return platform, body
