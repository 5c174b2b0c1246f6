"""The one error handler: every failure becomes ``{"error": code, "message": ...}`` with one status.

Our own errors map by class (the most specific class in the table wins); werkzeug's HTTP
errors keep their status; anything else is a 500 whose details stay in the log.
"""

from __future__ import annotations

import json
import logging
import re

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from grader.errors import (
    AssignmentRetired,
    AutogradeError,
    BadInput,
    Conflict,
    CorruptData,
    Forbidden,
    InfrastructureError,
    InvalidAssignment,
    InvalidNotebook,
    InvalidSpec,
    InvalidSubmission,
    InvitationSpent,
    NotFound,
    RateLimited,
    StorageError,
    Unauthenticated,
    UploadTooLarge,
    UpstreamError,
)

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = "5"

STATUS: dict[type[AutogradeError], int] = {
    InvalidNotebook: 422,
    InvalidAssignment: 422,
    InvalidSpec: 422,
    InvalidSubmission: 422,
    UploadTooLarge: 413,
    BadInput: 400,
    NotFound: 404,
    Unauthenticated: 401,
    Forbidden: 403,
    Conflict: 409,
    AssignmentRetired: 410,
    InvitationSpent: 410,
    RateLimited: 429,
    CorruptData: 500,  # our data, not the database's availability: a retry reads the same
    UpstreamError: 502,
    StorageError: 503,
    InfrastructureError: 503,
}
HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: UploadTooLarge.code}


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(Exception, handle_error)


def status_for(exc: AutogradeError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def handle_error(exc: Exception) -> Response:
    if isinstance(exc, AutogradeError):
        return autograde_error(exc)
    if isinstance(exc, HTTPException):
        return http_error(exc)
    log.exception("unhandled error")
    return error_response(500, "internal_error", "the server failed; the error has been logged")


def autograde_error(exc: AutogradeError) -> Response:
    status = status_for(exc)
    if status >= 500:
        log.error("%s: %s", type(exc).__name__, exc.message, exc_info=exc)
    response = error_response(status, exc.code, exc.message)
    if isinstance(exc, InvalidSpec):  # every problem at once, naming file and field
        response.set_data(
            json.dumps({"error": exc.code, "message": exc.message, "problems": list(exc.problems)})
        )
    if isinstance(exc, StorageError) and status == 503:
        response.headers["Retry-After"] = RETRY_AFTER_SECONDS
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, Unauthenticated):
        response.headers["WWW-Authenticate"] = 'Bearer realm="autograde"'
    return response


def http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    code = HTTP_CODES.get(status) or re.sub(r"\W+", "_", (exc.name or "error").lower()).strip("_")
    response = error_response(status, code, exc.description or exc.name or "error")
    for name, value in exc.get_headers():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value  # e.g. Allow: on a 405
    return response


def error_response(status: int, code: str, message: str) -> Response:
    response = jsonify({"error": code, "message": message})
    response.status_code = status
    return response
