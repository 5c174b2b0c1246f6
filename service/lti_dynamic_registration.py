"""LTI Dynamic Registration, the use case: a platform's admin opens our invitation link from the LMS, and
the tool registers itself there and the platform here, in one request.

The steps, each refusing with nothing stored and the invitation still open:

1. the invitation (``/lti/register/<token>``) must be open: unknown is 404, used, revoked or
   expired 410. Nothing is fetched before this, so only a holder of an admin's link can make
   the tool call a URL (the query's ``openid_configuration`` is the caller's to choose);
2. the configuration URL must be https (http only to this machine); the platform's OpenID
   configuration is fetched (size and time bounded, no redirects) and checked: required
   fields, its issuer the URL's origin and path prefix, endpoints https;
3. our client registration is posted to its ``registration_endpoint`` with the
   ``registration_token`` as bearer; the answer must name a ``client_id``;
4. the registration is built by the same rule as the API's and the CLI's
   (``registration_record``) and stored in the transaction that uses the invitation up.

If step 4 fails after step 3 (the issuer and client id are already registered, or another
request used the link a moment before), the platform holds a tool registration we did not
keep: the page says so, and its admin deletes it there. Trying again needs a new link only
when the invitation was used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from grader.errors import BadInput, Conflict, InvitationSpent, NotFound, UpstreamError
from integrations.lti_dynamic_registration import (
    PlatformConfiguration,
    RegisteredClient,
    ToolUrls,
    check_fetch_url,
    client_registration,
    platform_configuration,
    registered_client,
)
from service.lti_invitations import token_hash
from service.lti_registrations import registration_record
from store import LtiInvitationRecord, LtiRegistrationRecord, Store

CLIENT_NAME = "Autograde"
MAX_REGISTRATION_TOKEN = 8192  # Canvas's are JWTs of a few hundred bytes
NOT_ID = re.compile(r"[^a-z0-9]+")


class PlatformClient(Protocol):
    """The two HTTP calls of a dynamic registration; UpstreamError when the platform fails or answers nonsense."""

    def get_json(self, url: str) -> Any: ...

    def post_json(self, url: str, body: Mapping[str, Any], bearer: str | None) -> Any: ...


def open_invitation(store: Store, token: str, now: datetime) -> LtiInvitationRecord:
    """The invitation the link names, if it may still register a platform."""
    invitation = store.find_lti_invitation(token_hash(token)) if token else None
    if invitation is None:
        raise NotFound("this LTI registration link is not one the tool's admin made")
    state = invitation.state(now)
    if state != "open":
        raise InvitationSpent(f"this LTI registration link was {state}; ask the tool's admin for a new one")
    return invitation


def register_dynamically(
    store: Store, client: PlatformClient, tool: ToolUrls, token: str, query: Mapping[str, str], now: datetime
) -> LtiRegistrationRecord:
    """Run the four steps of the module's docstring; the stored registration, or the first refusal."""
    invitation = open_invitation(store, token, now)
    if invitation.registration_id and any(
        known.id == invitation.registration_id for known in store.list_lti_registrations()
    ):
        raise Conflict(f"an LTI registration with id {invitation.registration_id!r} already exists")
    config_url = check_fetch_url(query.get("openid_configuration"), "'openid_configuration'")
    bearer = registration_token(query.get("registration_token"))
    platform = platform_configuration(client.get_json(config_url), config_url)
    answer = client.post_json(platform.registration_endpoint, client_registration(tool, CLIENT_NAME), bearer)
    record = platform_record(store, invitation, platform, registered_client(answer))
    return store.redeem_lti_invitation(token_hash(token), record, now)


def registration_token(value: str | None) -> str | None:
    if not value:
        return None
    if len(value) > MAX_REGISTRATION_TOKEN or not value.isprintable() or " " in value:
        raise BadInput(f"'registration_token' must be at most {MAX_REGISTRATION_TOKEN} printable characters")
    return value


def platform_record(
    store: Store, invitation: LtiInvitationRecord, platform: PlatformConfiguration, client: RegisteredClient
) -> LtiRegistrationRecord:
    """The registration the platform described, held to the manual registration's rule."""
    fields = {
        "id": invitation.registration_id or new_registration_id(store, platform, invitation),
        "name": invitation.label,
        "issuer": platform.issuer,
        "client_id": client.client_id,
        "auth_login_url": platform.authorization_endpoint,
        "token_url": platform.token_endpoint,
        "jwks_url": platform.jwks_uri,
        "deployment_ids": [client.deployment_id] if client.deployment_id else [],
        "courses": list(invitation.courses),
        "token_audience": platform.authorization_server,
    }
    try:
        return registration_record(fields, deployments_known=False)
    except BadInput as exc:  # every field but id and courses (checked already) came from the platform
        raise UpstreamError(f"the platform's registration does not fit: {exc.message}") from None


def new_registration_id(
    store: Store, platform: PlatformConfiguration, invitation: LtiInvitationRecord
) -> str:
    """``moodle-example-edu`` from the platform's host, made unique with the invitation's id if taken."""
    host = urlsplit(platform.issuer).hostname or "lti"
    base = NOT_ID.sub("-", host.lower()).strip("-")[:40] or "lti"
    taken = {known.id for known in store.list_lti_registrations()}
    return base if base not in taken else f"{base}-{invitation.id[:8]}"
