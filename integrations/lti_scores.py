"""What the tool sends an LTI platform's line item (Assignment and Grade Services), and who it is about.

One score per grade version, frozen in the outbox like a callback: ``timestamp`` is when
that grade was made, so a platform that keeps the newest score (they all compare
timestamps) can never let an older grade overwrite a newer one. ``gradingProgress`` is
``PendingManual`` while a cell waits for a person, ``FullyGraded`` once none does, and
``Failed`` with no score when the work could not be graded (our fault is never a zero).
Canvas reads a 0 without ``FullyGraded`` as "needs grading", so a real 0 is always sent
as ``FullyGraded``.

An LTI learner's account is named ``lti:<registration>:<platform user id>``; deliveries
to that registration's line items run in the outbox line ``lti:<registration>``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from grader.stored_report import StoredReport

LINE = "lti:"  # a webhook platform's id never holds a colon
LEARNER = "lti:"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINE_ITEM_READ_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
LINE_ITEMS_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_SECONDS = 300


def learner_name(registration_id: str, subject: str) -> str:
    return f"{LEARNER}{registration_id}:{subject}"


def learner_of(name: str) -> tuple[str, str] | None:
    """(registration id, platform user id) of an LTI learner's account name; None for anyone else."""
    if not name.startswith(LEARNER):
        return None
    registration_id, colon, subject = name.removeprefix(LEARNER).partition(":")
    return (registration_id, subject) if colon and registration_id and subject else None


def line_of(registration_id: str) -> str:
    return LINE + registration_id


def registration_of(line: str) -> str | None:
    """The registration an outbox line sends to; None for a webhook platform's line."""
    return line.removeprefix(LINE) if line.startswith(LINE) else None


def score_payload(subject: str, report: StoredReport | None, graded_at: str) -> dict[str, Any]:
    """The AGS score of one grade version (``report``), or of a submission that could not be graded (None)."""
    if report is None:
        return {
            "userId": subject,
            "activityProgress": "Submitted",
            "gradingProgress": "Failed",
            "timestamp": graded_at,
            "comment": "The submission could not be graded; it will be graded again.",
        }
    pending = bool(report.needs_manual_grading)
    return {
        "userId": subject,
        "scoreGiven": float(report.score),
        "scoreMaximum": float(report.max_score),
        "activityProgress": "Completed",
        "gradingProgress": "PendingManual" if pending else "FullyGraded",
        "timestamp": graded_at,
    }


def scores_url(line_item: str) -> str:
    """``<line item>/scores``, keeping the line item's query string where it belongs (after the path)."""
    path, question, query = line_item.partition("?")
    return f"{path.rstrip('/')}/scores" + (question + query if question else "")


def line_item_query(container: str, resource_id: str) -> str:
    """Where a score's line item is looked up by ``resourceId`` when only the course's container is known.

    A deep-linked item's line item is made by the platform when it reads our deep linking
    response, so its URL is learnt by asking the container (AGS ``?resource_id=``) at send time.
    """
    separator = "&" if "?" in container else "?"
    return f"{container}{separator}{urlencode({'resource_id': resource_id})}"


def is_line_item_query(url: str) -> bool:
    """A delivery URL that names a line item container to search, not a line item's scores."""
    parts = urlsplit(url)
    return not parts.path.rstrip("/").endswith("/scores") and "resource_id" in parse_qs(parts.query)


def resource_id_of(query: str) -> str:
    return parse_qs(urlsplit(query).query)["resource_id"][0]


def assertion_claims(client_id: str, audience: str, now: int, jti: str) -> dict[str, Any]:
    """The claims of the signed JWT the tool authenticates with at the platform's token endpoint;
    ``audience`` is the token URL unless the platform names another (Brightspace does)."""
    return {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "iat": now,
        "exp": now + ASSERTION_SECONDS,
        "jti": jti,
    }
