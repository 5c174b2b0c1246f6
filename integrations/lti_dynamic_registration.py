"""LTI Dynamic Registration 1.0, the tool's side as pure rules: which URLs we fetch, what a platform's
OpenID configuration must hold, the client registration we post, and what we read from the answer.

No I/O: the web tier fetches and posts (web/lti/registration_client.py), the use case
(service/lti_dynamic_registration.py) strings the steps together. A platform's documents are
untrusted input, so every rule here names what is wrong in words an LMS admin can act on.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from grader.errors import BadInput, UpstreamError
from integrations.lti_roster import MEMBERSHIP_SCOPE
from integrations.lti_scores import LINE_ITEM_READ_SCOPE, SCORE_SCOPE

PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")
SCOPES = (SCORE_SCOPE, LINE_ITEM_READ_SCOPE, MEMBERSHIP_SCOPE)  # what our senders ask tokens for
CLAIMS = ("iss", "sub")  # we read no names or e-mails (Open edX withholds them anyway)
MAX_URL = 2000


def check_fetch_url(url: Any, what: str) -> str:
    """An absolute https URL, or http to this machine (a platform under test): never plain http elsewhere.

    These URLs come from a platform's documents or a query string, and the tool fetches them
    (the registration token travels with one), so they are held to more than the stored
    registration's URL rule.
    """
    if not isinstance(url, str) or not url or len(url) > MAX_URL:
        raise BadInput(f"{what} must be a URL of 1 to {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a malformed port)
    except ValueError:
        raise BadInput(f"{what} is not a valid URL: {url[:100]!r}") from None
    if not parts.hostname or parts.username or parts.password or parts.fragment:
        raise BadInput(f"{what} must be an absolute URL without credentials or fragment: {url[:100]!r}")
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname)):
        return url
    raise BadInput(f"{what} must be https:// (http:// only to this machine), not {url[:100]!r}")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class PlatformConfiguration:
    """What we keep of a platform's OpenID configuration."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    registration_endpoint: str
    product_family: str  # "moodle", "canvas", ...: names the registration when the invitation did not
    # The LTI DR configuration's ``authorization_server``: the audience its token endpoint expects
    # in the tool's assertion, when that is not the token URL (as Brightspace's is not).
    authorization_server: str | None = None


def platform_configuration(document: Any, configuration_url: str) -> PlatformConfiguration:
    """The platform's configuration, checked; UpstreamError (502) names the first thing wrong with it."""
    if not isinstance(document, Mapping):
        raise UpstreamError("the platform's OpenID configuration is not a JSON object")
    missing = [name for name in ("issuer", *ENDPOINTS, PLATFORM_CONFIGURATION) if not document.get(name)]
    if missing:
        raise UpstreamError(f"the platform's OpenID configuration lacks {', '.join(missing)}")
    issuer = upstream_url(document["issuer"], "its issuer")
    if not issued_by(configuration_url, issuer):
        raise UpstreamError(
            f"the configuration's issuer {issuer[:100]!r} is not the origin and path prefix of the "
            f"configuration URL {configuration_url[:100]!r}: it may not speak for that issuer"
        )
    check_supported(document)
    lti = document[PLATFORM_CONFIGURATION]
    family = lti.get("product_family_code") if isinstance(lti, Mapping) else None
    return PlatformConfiguration(
        issuer=issuer,
        authorization_endpoint=upstream_url(document["authorization_endpoint"], "authorization_endpoint"),
        token_endpoint=upstream_url(document["token_endpoint"], "token_endpoint"),
        jwks_uri=upstream_url(document["jwks_uri"], "jwks_uri"),
        registration_endpoint=upstream_url(document["registration_endpoint"], "registration_endpoint"),
        product_family=family if isinstance(family, str) else "",
        authorization_server=audience_of(document.get("authorization_server")),
    )


def audience_of(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 2000 or not value.isprintable():
        raise UpstreamError(
            "the platform's authorization_server must be printable text of at most 2000 characters"
        )
    return value


def upstream_url(value: Any, what: str) -> str:
    """A URL from the platform's document: a wrong one is the platform's fault (502), not the caller's."""
    try:
        return check_fetch_url(value, f"the platform's {what}")
    except BadInput as exc:
        raise UpstreamError(exc.message) from None


def issued_by(configuration_url: str, issuer: str) -> bool:
    """The spec's rule: the configuration URL is on the issuer's origin, under the issuer's path."""
    config, iss = urlsplit(configuration_url), urlsplit(issuer)
    same_origin = (config.scheme, config.netloc.lower()) == (iss.scheme, iss.netloc.lower())
    prefix = iss.path.rstrip("/")
    return same_origin and not iss.query and (config.path == prefix or config.path.startswith(prefix + "/"))


def check_supported(document: Mapping[str, Any]) -> None:
    """A platform that says it cannot do what our launches and token requests need is refused now,
    not at the first launch. A list it leaves out is taken as the LTI defaults."""
    needs = {
        "token_endpoint_auth_methods_supported": "private_key_jwt",
        "id_token_signing_alg_values_supported": "RS256",
    }
    for name, value in needs.items():
        offered = document.get(name)
        if isinstance(offered, list) and value not in offered:
            raise UpstreamError(f"the platform's {name} does not include {value!r}, which the tool needs")


@dataclass(frozen=True)
class ToolUrls:
    """Where the platform reaches the tool (built from AUTOGRADE_PUBLIC_URL by the web tier)."""

    login_url: str
    launch_url: str
    jwks_url: str


def client_registration(tool: ToolUrls, client_name: str) -> dict[str, Any]:
    """The OpenID client registration with the LTI tool configuration the spec defines (section 3.3).

    It asks for every scope our senders use (scores, reading line items, rosters); a platform
    that grants fewer still registers, and the service it withheld fails when first used.
    """
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": tool.login_url,
        "redirect_uris": [tool.launch_url],
        "client_name": client_name,
        "jwks_uri": tool.jwks_url,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(SCOPES),
        TOOL_CONFIGURATION: {
            "domain": urlsplit(tool.launch_url).netloc,
            "target_link_uri": tool.launch_url,
            "claims": list(CLAIMS),
            "messages": [
                {"type": "LtiResourceLinkRequest", "target_link_uri": tool.launch_url},
                {"type": "LtiDeepLinkingRequest", "target_link_uri": tool.launch_url, "label": client_name},
            ],
        },
    }


@dataclass(frozen=True)
class RegisteredClient:
    client_id: str
    deployment_id: str | None  # a platform may leave it out (the admin adds it later)


def registered_client(document: Any) -> RegisteredClient:
    """The ``client_id`` and ``deployment_id`` the platform's registration endpoint answered."""
    if not isinstance(document, Mapping):
        raise UpstreamError("the platform's registration answer is not a JSON object")
    client_id = document.get("client_id")
    if not isinstance(client_id, str | int) or isinstance(client_id, bool) or not str(client_id).strip():
        raise UpstreamError("the platform's registration answer has no client_id")
    config = document.get(TOOL_CONFIGURATION)
    deployment = config.get("deployment_id") if isinstance(config, Mapping) else None
    if deployment is not None and (not isinstance(deployment, str | int) or isinstance(deployment, bool)):
        raise UpstreamError("the platform's registration answer has a deployment_id that is not a string")
    deployment_id = None if deployment is None else (str(deployment).strip() or None)
    return RegisteredClient(client_id=str(client_id).strip(), deployment_id=deployment_id)
