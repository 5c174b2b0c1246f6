"""Registering an LTI 1.3 platform (and its deployments) with the tool: one rule for the API and the CLI."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from grader.errors import BadInput
from store import LtiRegistrationRecord, Store
from store.models import utcnow

REGISTRATION_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,59}")  # "lti:" + it names its outbox line (64)
URL_FIELDS = ("auth_login_url", "token_url", "jwks_url")
MAX_FIELD = 2000


def register_platform(store: Store, fields: Mapping[str, Any]) -> LtiRegistrationRecord:
    """Check every field, then store; BadInput names the first wrong one, Conflict a taken id or client."""
    return store.create_lti_registration(registration_record(fields))


def registration_record(fields: Mapping[str, Any], deployments_known: bool = True) -> LtiRegistrationRecord:
    """The registration the fields describe, every field checked: the one rule for every way in.

    ``deployments_known=False`` only for a platform that registered itself without naming a
    deployment (LTI Dynamic Registration allows it): launches are refused until an admin adds one.
    """
    registration_id = text(fields, "id", 64)
    if not REGISTRATION_ID.fullmatch(registration_id):
        raise BadInput(
            "'id' must be 1-60 characters of a-z, 0-9, '-' and '_', starting with a letter or digit"
        )
    deployments = fields.get("deployment_ids")
    return LtiRegistrationRecord(
        id=registration_id,
        name=text(fields, "name", 200, default=registration_id),
        issuer=url(fields, "issuer"),
        client_id=text(fields, "client_id", 255),
        auth_login_url=url(fields, "auth_login_url"),
        token_url=url(fields, "token_url"),
        jwks_url=url(fields, "jwks_url"),
        courses=tuple(texts(fields, "courses")),
        deployment_ids=tuple(texts(fields, "deployment_ids")) if deployments_known or deployments else (),
        created_at=utcnow(),
        token_audience=token_audience(fields),
    )


def registration_fields(record: LtiRegistrationRecord) -> dict[str, Any]:
    """The registration as JSON, as the API and the CLI show it."""
    return {
        "id": record.id,
        "name": record.name,
        "issuer": record.issuer,
        "client_id": record.client_id,
        "auth_login_url": record.auth_login_url,
        "token_url": record.token_url,
        "token_audience": record.token_audience,
        "jwks_url": record.jwks_url,
        "deployment_ids": list(record.deployment_ids),
        "courses": list(record.courses),
        "created_at": record.created_at.isoformat(),
    }


def change_registration(
    store: Store, registration_id: str, fields: Mapping[str, Any]
) -> LtiRegistrationRecord:
    """Set or clear a registration's token audience, the one field that may change after registering:
    a Brightspace registration made before the field existed needs it, and nothing else of a
    registration can change without the platform's admin changing theirs (its issuer, client id
    and URLs are what launches and tokens are checked against)."""
    others = sorted(set(fields) - {"token_audience"})
    if others:
        raise BadInput(f"'{others[0]}' cannot be changed; only 'token_audience' can")
    if "token_audience" not in fields:
        raise BadInput("'token_audience' is required: the audience, or null for the token URL")
    return store.set_lti_token_audience(registration_id, token_audience(fields))


def token_audience(fields: Mapping[str, Any]) -> str | None:
    """The ``aud`` of the tool's token requests, when the platform names one other than its token URL.

    Text, not a URL: RFC 7523 (section 3), which the 1EdTech Security Framework follows, only asks
    that ``aud`` identify the authorization server; the token URL is one value it MAY take, and
    the server compares the string as it is (RFC 3986's simple string comparison). So any value
    the platform shows is kept as typed (bar surrounding spaces), a trailing slash and all, never
    normalised. Nor is it held
    to the URL rules of ``token_url``: the tool never fetches it.
    """
    return optional_text(fields, "token_audience", MAX_FIELD)


def add_deployment(store: Store, registration_id: str, fields: Mapping[str, Any]) -> LtiRegistrationRecord:
    return store.add_lti_deployment(registration_id, text(fields, "deployment_id", 255))


def text(fields: Mapping[str, Any], name: str, limit: int, default: str | None = None) -> str:
    value = fields.get(name)
    if (value is None or value == "") and default is not None:
        return default
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > limit:
        raise BadInput(f"'{name}' must be a string of 1 to {limit} characters")
    if not value.strip().isprintable():
        raise BadInput(f"'{name}' must be printable text")
    return value.strip()


def optional_text(fields: Mapping[str, Any], name: str, limit: int) -> str | None:
    """Absent, null or empty is no value; anything else is held to ``text``'s rule."""
    value = fields.get(name)
    return None if value is None or value == "" else text(fields, name, limit)


def texts(fields: Mapping[str, Any], name: str) -> list[str]:
    value = fields.get(name)
    if not isinstance(value, list | tuple) or not value:
        raise BadInput(f"'{name}' must be a non-empty list of strings")
    return [text({name: item}, name, 255) for item in value]


def url(fields: Mapping[str, Any], name: str) -> str:
    """An absolute http(s) URL without credentials: the tool fetches keys and tokens from these."""
    value = text(fields, name, MAX_FIELD)
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError for a malformed port)
    except ValueError:
        raise BadInput(f"'{name}' is not a valid URL: {value[:100]!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise BadInput(f"'{name}' must be an absolute http:// or https:// URL without credentials")
    return value
