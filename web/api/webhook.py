"""The intake webhook: a platform posts a submission, signed with its secret.

``POST /api/v1/platforms/<platform>/submissions`` needs no bearer token: the HMAC signature
over the timestamp and the raw body is the authentication (integrations/signing.py). It is
checked before the body is parsed, so nothing unsigned is even read as JSON.

The platform's own ``external_id`` is an idempotency key: the first call stores and queues
the submission (202); any repeat, including a replay of the same signed request and calls
racing each other, returns that same submission (200, ``Idempotent-Replayed: true``) and
never makes a second. Reusing an id for different work (another assignment, learner or
notebook) is refused with 409, since one of the two would otherwise be silently dropped.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from grader.errors import BadInput, Conflict, Forbidden
from service.intake import accept_submission
from store import PlatformOrigin, PlatformRecord, SubmissionRecord
from web.api.platforms import signed_by_platform
from web.api.submissions import check_submission_rate
from web.auth import public
from web.callback_urls import callback_for
from web.forms import optional_text_field, text_field, uploaded_file
from web.handles import handles
from web.json_body import json_object, name_field

webhook = Blueprint("webhook", __name__)
REPLAYED = "Idempotent-Replayed"


@dataclass(frozen=True)
class Call:
    external_id: str
    assignment_id: str
    learner: str
    filename: str
    data: bytes
    callback_url: str | None

    @property
    def fingerprint(self) -> str:
        content = hashlib.sha256(self.data).hexdigest()
        return hashlib.sha256(f"{self.assignment_id}\0{self.learner}\0{content}".encode()).hexdigest()


@webhook.post("/platforms/<platform_id>/submissions")
@public
def platform_submission(platform_id: str) -> tuple[Response, int, dict[str, str]]:
    h = handles()
    received_at = h.clock()
    platform, body = signed_by_platform(platform_id, received_at)
    check_rate(platform)
    call = read_call(body)
    assignment = h.store.get_assignment(call.assignment_id)
    if assignment.course not in platform.courses:
        raise Forbidden(f"platform {platform.id!r} may not submit to course {assignment.course!r}")
    existing = h.store.find_platform_submission(platform.id, call.external_id)
    if existing is not None:
        return repeat(existing, call)
    origin = PlatformOrigin(
        platform.id,
        call.external_id,
        call.fingerprint,
        callback_for(call.callback_url, platform.callback_url),
    )
    try:
        record = accept_submission(h, assignment, call.learner, call.filename, call.data, received_at, origin)
    except Conflict:
        raced = h.store.find_platform_submission(platform.id, call.external_id)
        if raced is None:
            raise
        return repeat(raced, call)  # a concurrent call with the same id stored it first
    return reply(record, 202)


def check_rate(platform: PlatformRecord) -> None:
    """The per-token submission limit; a platform's identity is its id, shared with its bearer token.

    Checked after the signature, so an unsigned flood cannot spend a platform's budget.
    """
    check_submission_rate(f"platform:{platform.id}")


def read_call(body: bytes) -> Call:
    if (request.mimetype or "").startswith("multipart/"):
        filename, data = uploaded_file()
        return Call(
            external_id=text_field("external_id"),
            assignment_id=text_field("assignment_id"),
            learner=text_field("learner"),
            filename=filename,
            data=data,
            callback_url=optional_text_field("callback_url"),
        )
    fields = json_object(body)
    filename, data = notebook_of(fields)
    callback = fields.get("callback_url")
    if callback is not None and not isinstance(callback, str):
        raise BadInput("'callback_url' must be a string")
    return Call(
        external_id=name_field(fields, "external_id") or "",
        assignment_id=name_field(fields, "assignment_id") or "",
        learner=name_field(fields, "learner") or "",
        filename=filename,
        data=data,
        callback_url=callback or None,
    )


def notebook_of(fields: dict[str, Any]) -> tuple[str, bytes]:
    """``notebook`` (the notebook's JSON inline) or ``content_base64`` (any upload) with ``filename``."""
    filename = name_field(fields, "filename", required=False)
    if fields.get("notebook") is not None:
        if not isinstance(fields["notebook"], dict):
            raise BadInput("'notebook' must be the notebook itself, a JSON object")
        return filename or "submission.ipynb", json.dumps(fields["notebook"]).encode()
    encoded = fields.get("content_base64")
    if not isinstance(encoded, str):
        raise BadInput("the JSON body needs 'notebook' (a JSON object) or 'content_base64' with 'filename'")
    if filename is None:
        raise BadInput("'content_base64' needs a 'filename' (.ipynb or .zip)")
    try:
        return filename, base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise BadInput("'content_base64' is not valid base64") from None


def repeat(existing: SubmissionRecord, call: Call) -> tuple[Response, int, dict[str, str]]:
    if existing.request_sha256 != call.fingerprint:
        raise Conflict(
            f"external_id {call.external_id!r} was already used for a different submission "
            f"({existing.id}); each piece of work needs its own id"
        )
    response, _, headers = reply(existing, 200)
    return response, 200, {**headers, REPLAYED: "true"}


def reply(record: SubmissionRecord, status: int) -> tuple[Response, int, dict[str, str]]:
    url = url_for("api.submissions.get_submission", submission_id=record.id)
    body = {
        "id": record.id,
        "external_id": record.external_id,
        "status": record.status,
        "url": url,
        "deliveries_url": url_for("api.deliveries.submission_deliveries", submission_id=record.id),
    }
    return jsonify(body), status, {"Location": url}
