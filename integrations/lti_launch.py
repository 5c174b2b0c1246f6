"""The rules an LTI 1.3 launch's ``id_token`` must meet before anyone is let in.

The signature is checked against one platform key (picked by the caller from the
platform's key set by the token's ``kid``); then every claim the specification requires,
on the caller's clock, not the machine's. Each refusal names the claim and what was
expected, so a platform administrator can fix a registration from the message alone.
Only RS256 is accepted: a token may not choose its own algorithm (``none``, or HS256 with
the public key as the secret).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import jwt

from grader.errors import BadSignature, Forbidden, InvalidLaunch
from integrations.lti_deep_linking import REQUEST as DEEP_LINKING
from integrations.lti_deep_linking import SETTINGS as DEEP_LINKING_SETTINGS
from integrations.lti_deep_linking import DeepLinkSettings, settings_of
from integrations.lti_keys import ALGORITHM

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
VERSION = "1.3.0"
RESOURCE_LINK = "LtiResourceLinkRequest"
MESSAGE_TYPES = (RESOURCE_LINK, DEEP_LINKING)
INSTRUCTOR_ROLES = frozenset(
    {
        "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
        "http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper",
        "http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator",
        "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",
        "Instructor",  # the short context role names LTI 1.3 still allows
        "ContentDeveloper",
        "TeachingAssistant",
    }
)
LEARNER_ROLES = frozenset({"http://purl.imsglobal.org/vocab/lis/v2/membership#Learner", "Learner"})


@dataclass(frozen=True)
class Expected:
    """What this launch must say: the registration's identity, its deployments, the login's nonce."""

    issuer: str
    client_id: str
    deployment_ids: Sequence[str]
    nonce: str
    leeway: int = 60


@dataclass(frozen=True)
class Launch:
    """A checked launch: who, in which role, from which context, asking for what.

    A deep linking request has no resource link (``resource_link_id`` is empty) and carries
    ``deep_linking``: the instructor is choosing what to place, not opening it.
    """

    subject: str
    roles: tuple[str, ...]
    role: str  # ours: instructor or learner
    deployment_id: str
    context_id: str | None
    resource_link_id: str
    custom: Mapping[str, str] = field(default_factory=dict)
    line_item: str | None = None  # where this link's scores go, if the platform lets us post them
    memberships_url: str | None = None  # the context's roster (Names and Role Provisioning), if offered
    deep_linking: DeepLinkSettings | None = None
    line_items_url: str | None = None  # the context's line item container (AGS), if offered


def token_kid(token: str) -> str:
    """The ``kid`` in the token's header: which platform key signed it."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError as exc:
        raise InvalidLaunch(f"the id_token is not a JWS compact token: {exc}") from None
    if header.get("alg") != ALGORITHM:
        raise InvalidLaunch(f"the id_token must be signed with {ALGORITHM}, not {header.get('alg')!r}")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise InvalidLaunch("the id_token's header has no 'kid' naming the platform key that signed it")
    return kid


def verified_claims(token: str, jwk: Mapping[str, Any]) -> dict[str, Any]:
    """The token's claims if ``jwk`` signed it; BadSignature otherwise. No claim is judged here."""
    try:
        key = jwt.PyJWK(dict(jwk), algorithm=ALGORITHM)
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            options={
                "verify_signature": True,
                "verify_exp": False,  # judged below on the service's clock
                "verify_nbf": False,
                "verify_iat": False,
                "verify_aud": False,
                "verify_iss": False,
            },
        )
    except jwt.InvalidSignatureError:
        raise BadSignature("the id_token's signature does not verify with the platform's key") from None
    except (jwt.PyJWKError, jwt.InvalidTokenError) as exc:
        raise InvalidLaunch(f"the id_token cannot be read: {exc}") from None
    return claims


def check_launch(claims: Mapping[str, Any], expected: Expected, now: datetime) -> Launch:
    """The launch the claims describe, if every one of them holds; InvalidLaunch naming the first that does not."""
    check_identity(claims, expected)
    check_times(claims, now.timestamp(), expected.leeway)
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not hmac.compare_digest(nonce.encode(), expected.nonce.encode()):
        raise InvalidLaunch("the id_token's nonce is not the one this login issued (a replayed launch?)")
    version = claims.get(CLAIM + "version")
    if version != VERSION:
        raise InvalidLaunch(f"the LTI version claim must be {VERSION!r}, not {version!r}")
    message_type = claims.get(CLAIM + "message_type")
    if message_type not in MESSAGE_TYPES:
        raise InvalidLaunch(
            f"message type {message_type!r} is not supported here (only {' or '.join(MESSAGE_TYPES)})"
        )
    deployment = claims.get(CLAIM + "deployment_id")
    if not isinstance(deployment, str) or deployment not in expected.deployment_ids:
        raise InvalidLaunch(f"deployment {deployment!r} is not registered for this platform and client")
    if message_type == DEEP_LINKING:
        return deep_link_of(claims, deployment)
    return launch_of(claims, deployment)


def check_identity(claims: Mapping[str, Any], expected: Expected) -> None:
    if claims.get("iss") != expected.issuer:
        raise InvalidLaunch(f"the issuer {claims.get('iss')!r} is not the registered {expected.issuer!r}")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or expected.client_id not in audiences:
        raise InvalidLaunch(
            f"the audience {audience!r} does not include our client id {expected.client_id!r}"
        )
    azp = claims.get("azp")
    if azp is None and len(audiences) > 1:
        raise InvalidLaunch("an id_token with several audiences needs 'azp' naming our client id")
    if azp is not None and azp != expected.client_id:
        raise InvalidLaunch(f"the authorized party {azp!r} is not our client id {expected.client_id!r}")


def check_times(claims: Mapping[str, Any], now: float, leeway: int) -> None:
    exp, iat = claims.get("exp"), claims.get("iat")
    for name, value in (("exp", exp), ("iat", iat)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidLaunch(f"the id_token needs '{name}' in Unix seconds")
    assert isinstance(exp, int | float) and isinstance(iat, int | float)
    if exp + leeway <= now:
        raise InvalidLaunch(f"the id_token expired {now - exp:.0f} s ago")
    if iat - leeway > now:
        raise InvalidLaunch(
            f"the id_token was issued {iat - now:.0f} s in the future (check the platform's clock)"
        )


def launch_of(claims: Mapping[str, Any], deployment: str) -> Launch:
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise InvalidLaunch("a resource link launch needs 'sub', the user's id on the platform")
    roles = claims.get(CLAIM + "roles")
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise InvalidLaunch("the roles claim must be a list of role URIs")
    link = claims.get(CLAIM + "resource_link")
    if not isinstance(link, dict) or not isinstance(link.get("id"), str):
        raise InvalidLaunch("the resource_link claim needs an 'id'")
    context = claims.get(CLAIM + "context")
    custom = claims.get(CLAIM + "custom")
    return Launch(
        subject=subject,
        roles=tuple(roles),
        role=our_role(roles),
        deployment_id=deployment,
        context_id=context.get("id") if isinstance(context, dict) else None,
        resource_link_id=link["id"],
        custom={str(k): str(v) for k, v in custom.items()} if isinstance(custom, dict) else {},
        line_item=line_item_of(claims.get(AGS_ENDPOINT)),
        memberships_url=memberships_url_of(claims.get(NRPS_CLAIM)),
    )


def deep_link_of(claims: Mapping[str, Any], deployment: str) -> Launch:
    """A deep linking request: only course staff may place our items, and the settings must be usable."""
    subject, roles = claims.get("sub"), claims.get(CLAIM + "roles")
    if not isinstance(subject, str) or not subject:
        raise InvalidLaunch("a deep linking request needs 'sub', the user's id on the platform")
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise InvalidLaunch("the roles claim must be a list of role URIs")
    if our_role(roles) != "instructor":
        raise Forbidden("only course staff may place assignments and exams in a course (deep linking)")
    settings = settings_of(claims.get(DEEP_LINKING_SETTINGS))
    context = claims.get(CLAIM + "context")
    endpoint = claims.get(AGS_ENDPOINT)
    container = endpoint.get("lineitems") if isinstance(endpoint, dict) else None
    return Launch(
        subject=subject,
        roles=tuple(roles),
        role="instructor",
        deployment_id=deployment,
        context_id=context.get("id") if isinstance(context, dict) else None,
        resource_link_id="",
        memberships_url=memberships_url_of(claims.get(NRPS_CLAIM)),
        deep_linking=settings,
        line_items_url=container
        if isinstance(container, str) and container.startswith(("https://", "http://"))
        else None,
    )


def memberships_url_of(service: Any) -> str | None:
    url = service.get("context_memberships_url") if isinstance(service, dict) else None
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else None


def line_item_of(endpoint: Any) -> str | None:
    """The link's line item URL, when the platform grants the score scope; None otherwise."""
    if not isinstance(endpoint, dict):
        return None
    url, scopes = endpoint.get("lineitem"), endpoint.get("scope")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return None
    return url if isinstance(scopes, list) and SCORE_SCOPE in scopes else None


def our_role(roles: Sequence[str]) -> str:
    """Course staff are instructors here; learners are learners; anyone else is refused (an observer, a guest)."""
    if INSTRUCTOR_ROLES.intersection(roles):
        return "instructor"
    if LEARNER_ROLES.intersection(roles):
        return "learner"
    raise Forbidden(f"none of the roles {list(roles)} is an instructor's or a learner's in this course")
