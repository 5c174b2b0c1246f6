"""LTI Deep Linking 2.0, the tool's half: reading a platform's request, and the content item we answer with.

An instructor places an assignment or exam of ours into an LMS course: the platform sends
an ``LtiDeepLinkingRequest`` launch whose ``deep_linking_settings`` claim says where to
return (``deep_link_return_url``), what it accepts (``accept_types``, presentation targets)
and an opaque ``data`` value that must come back untouched. We answer with an
``LtiDeepLinkingResponse``, a JWT signed with the tool key, holding one ``ltiResourceLink``
content item. Its ``lineItem`` (label, ``scoreMaximum``, and a ``resourceId`` derived from
our id, so it is the same every time) makes the platform create the gradebook column at
once; the caller leaves it out when that course already has one, so repeating never makes
a second column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from grader.errors import InvalidLaunch

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
SETTINGS = DL_CLAIM + "deep_linking_settings"
REQUEST = "LtiDeepLinkingRequest"
RESPONSE = "LtiDeepLinkingResponse"
RESOURCE_LINK_TYPE = "ltiResourceLink"
TARGETS = ("iframe", "window")  # how our pages can be shown, in order of preference
RESPONSE_SECONDS = 600
KINDS = ("assignment", "exam")


@dataclass(frozen=True)
class DeepLinkSettings:
    """What the platform asked for: where the answer goes, how the link is shown, what to echo back."""

    return_url: str
    target: str  # the presentation target we use: the first of TARGETS the platform accepts
    data: str | None = None


def settings_of(claim: Any) -> DeepLinkSettings:
    """The request's ``deep_linking_settings``, checked; InvalidLaunch naming what is missing or unusable."""
    if not isinstance(claim, dict):
        raise InvalidLaunch("a deep linking request needs the deep_linking_settings claim")
    url = claim.get("deep_link_return_url")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise InvalidLaunch("deep_linking_settings needs an http(s) deep_link_return_url")
    types = claim.get("accept_types")
    if not isinstance(types, list) or RESOURCE_LINK_TYPE not in types:
        raise InvalidLaunch(
            f"the platform does not accept {RESOURCE_LINK_TYPE!r} items (accept_types {types!r})"
        )
    targets = claim.get("accept_presentation_document_targets")
    usable = [t for t in TARGETS if isinstance(targets, list) and t in targets]
    if not usable:
        raise InvalidLaunch(
            f"accept_presentation_document_targets {targets!r} names neither of {list(TARGETS)}"
        )
    data = claim.get("data")
    if data is not None and not isinstance(data, str):
        raise InvalidLaunch("deep_linking_settings.data must be a string")
    return DeepLinkSettings(url, usable[0], data)


def resource_id(kind: str, target: str) -> str:
    """The line item's ``resourceId``: our item, the same for every placement of it."""
    return f"{kind}:{target}"


def content_item(
    kind: str, target: str, title: str, max_score: float, launch_url: str, presentation: str, line_item: bool
) -> dict[str, Any]:
    """One ``ltiResourceLink`` opening our item (by its custom parameter), with a line item when asked."""
    item: dict[str, Any] = {
        "type": RESOURCE_LINK_TYPE,
        "title": title,
        "url": launch_url,
        "custom": {f"{kind}_id": target},
        presentation: {"width": 900, "height": 700} if presentation == "iframe" else {"targetName": "_blank"},
    }
    if line_item:
        item["lineItem"] = {
            "label": title,
            "scoreMaximum": max_score,
            "resourceId": resource_id(kind, target),
            "tag": "autograde",
        }
    return item


def response_claims(
    client_id: str,
    issuer: str,
    deployment_id: str,
    now: int,
    nonce: str,
    items: list[dict[str, Any]],
    settings: DeepLinkSettings,
) -> dict[str, Any]:
    """The claims of the ``LtiDeepLinkingResponse``: from our client id, to the platform, ``data`` echoed."""
    claims: Mapping[str, Any] = {
        "iss": client_id,
        "aud": issuer,
        "iat": now,
        "exp": now + RESPONSE_SECONDS,
        "nonce": nonce,
        CLAIM + "deployment_id": deployment_id,
        CLAIM + "message_type": RESPONSE,
        CLAIM + "version": "1.3.0",
        DL_CLAIM + "content_items": items,
    }
    if settings.data is not None:
        return {**claims, DL_CLAIM + "data": settings.data}
    return dict(claims)
