"""The versioned REST API: ``/api/v1``, token-authenticated except for the health check and
the platform webhook (authenticated by its HMAC signature instead)."""

from __future__ import annotations

from flask import Blueprint

from web.api.assignment_changes import assignment_changes
from web.api.assignments import assignments
from web.api.attempts import attempts
from web.api.deliveries import deliveries
from web.api.exams import exams
from web.api.exports import exports
from web.api.grades import grades
from web.api.integrity import integrity
from web.api.ledger import ledger
from web.api.lti import lti_registrations
from web.api.lti_invitations import lti_invitations
from web.api.platforms import platforms
from web.api.proctoring import proctoring
from web.api.records import records
from web.api.regrade_requests import regrade_requests
from web.api.regrades import regrades
from web.api.submissions import submissions
from web.api.tokens import tokens
from web.api.webhook import webhook
from web.auth import authenticate_request, public
from web.openapi import openapi

api = Blueprint("api", __name__, url_prefix="/api/v1")
api.before_request(authenticate_request)
api.register_blueprint(assignments)
api.register_blueprint(assignment_changes)
api.register_blueprint(ledger)
api.register_blueprint(submissions)
api.register_blueprint(exports)
api.register_blueprint(platforms)
api.register_blueprint(webhook)
api.register_blueprint(deliveries)
api.register_blueprint(grades)
api.register_blueprint(exams)
api.register_blueprint(attempts)
api.register_blueprint(proctoring)
api.register_blueprint(records)
api.register_blueprint(regrades)
api.register_blueprint(regrade_requests)
api.register_blueprint(integrity)
api.register_blueprint(tokens)
api.register_blueprint(lti_registrations)
api.register_blueprint(lti_invitations)
api.register_blueprint(openapi)


@api.get("/health")
@public
def health() -> dict[str, bool]:
    return {"ok": True}
