"""The versioned REST API: ``/api/v1``, token-authenticated except for the health check."""

from __future__ import annotations

from flask import Blueprint

from web.api.assignments import assignments
from web.api.submissions import submissions
from web.auth import authenticate_request, public

api = Blueprint("api", __name__, url_prefix="/api/v1")
api.before_request(authenticate_request)
api.register_blueprint(assignments)
api.register_blueprint(submissions)


@api.get("/health")
@public
def health() -> dict[str, bool]:
    return {"ok": True}
