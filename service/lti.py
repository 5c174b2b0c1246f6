"""LTI 1.3 launches: the login that begins one, and the launch that completes it, checked completely.

The platform starts with a third-party-initiated login; we answer with a redirect to its
authorisation endpoint carrying a fresh ``state`` and ``nonce``, kept server-side until the
launch. The platform then posts the ``id_token`` and the ``state`` back to the launch
endpoint. The launch is accepted only if the state is one we issued and has not been used
or expired, the browser's state cookie (when the browser sends one) is that state, the
token is signed by the platform key its ``kid`` names, and every claim holds
(integrations/lti_launch.py) with the nonce of that very login. Only then is a person's
account found or made and the caller told where to send them: nothing is created for a
launch that fails any check.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlencode

from grader.errors import Forbidden, InvalidLaunch
from integrations.lti_launch import Expected, Launch, check_launch, token_kid, verified_claims
from integrations.lti_scores import learner_name
from service.lti_deep_linking import DeepLinkOffer, offer_of
from service.settings import Settings
from store import AccountRecord, LtiContextRecord, LtiLoginRecord, LtiRegistrationRecord, Store

ASSIGNMENT_PARAMETER = "assignment_id"  # custom parameters of the resource link: what it opens
EXAM_PARAMETER = "exam_id"


class PlatformKeys(Protocol):
    """A platform's published keys, fetched and cached by an adapter."""

    def key(self, jwks_url: str, kid: str) -> Mapping[str, Any]:
        """The JWK with this ``kid``; refetched once if unknown; BadSignature if still unknown."""


@dataclass(frozen=True)
class LoginRedirect:
    url: str  # the platform's authorisation endpoint, with our request
    state: str  # also set as a cookie in the browser that began the login


@dataclass(frozen=True)
class LaunchOutcome:
    """Who came in (their account) and what they asked to open."""

    account: AccountRecord
    launch: Launch
    registration: LtiRegistrationRecord
    kind: str  # assignment or exam
    target: str  # its id


def begin_login(
    store: Store, settings: Settings, now: datetime, params: Mapping[str, str], launch_url: str
) -> LoginRedirect:
    """Answer a third-party-initiated login (``iss``, ``login_hint``, ``target_link_uri``, maybe ``client_id``)."""
    for name in ("iss", "login_hint", "target_link_uri"):
        if not params.get(name):
            raise InvalidLaunch(f"the login request needs '{name}'")
    registration = registration_for(store, params["iss"], params.get("client_id"))
    login = LtiLoginRecord(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        registration_id=registration.id,
        expires_at=now + timedelta(seconds=settings.lti_login_seconds),
    )
    store.start_lti_login(login, now)
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": registration.client_id,
        "redirect_uri": launch_url,
        "login_hint": params["login_hint"],
        "state": login.state,
        "nonce": login.nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in registration.auth_login_url else "?"
    return LoginRedirect(registration.auth_login_url + separator + urlencode(query), login.state)


def registration_for(store: Store, issuer: str, client_id: str | None) -> LtiRegistrationRecord:
    """The registration of an issuer; its client id is needed when the issuer has several."""
    found = [r for r in store.list_lti_registrations(issuer) if client_id in (None, r.client_id)]
    if not found:
        raise InvalidLaunch(
            f"no LTI platform is registered here with issuer {issuer!r} and client id {client_id!r}"
        )
    if len(found) > 1:
        raise InvalidLaunch(
            f"issuer {issuer!r} has several registrations here: the login must name its client_id"
        )
    return found[0]


def complete_launch(
    store: Store,
    settings: Settings,
    now: datetime,
    keys: PlatformKeys,
    form: Mapping[str, str],
    browser_state: str | None,
) -> LaunchOutcome | DeepLinkOffer:
    """Check the posted ``id_token`` and ``state`` completely; the account to log in, only if all holds
    (or, for a deep linking request, what the answer to it needs).

    ``browser_state`` is the state cookie if the browser sent one: when it did, it must be
    this launch's. A browser inside an iframe that withholds third-party cookies sends none;
    the launch is then bound to its login by the server-side state and nonce alone.
    """
    token, state = form.get("id_token"), form.get("state")
    if not token or not state:
        raise InvalidLaunch("the launch must post 'id_token' and 'state'")
    if browser_state is not None and not hmac.compare_digest(browser_state.encode(), state.encode()):
        raise InvalidLaunch("the launch's state is not the one this browser's login was given")
    login = store.use_lti_login(state, now)
    registration = store.get_lti_registration(login.registration_id)
    claims = verified_claims(token, keys.key(registration.jwks_url, token_kid(token)))
    expected = Expected(
        registration.issuer,
        registration.client_id,
        registration.deployment_ids,
        login.nonce,
        settings.lti_clock_skew,
    )
    launch = check_launch(claims, expected, now)
    if launch.deep_linking is not None:  # staff choosing what to place: nobody is logged in for it
        return offer_of(registration, launch)
    kind, target, course = target_of(store, launch, registration)
    account = store.lti_account(account_name(registration, launch), launch.role, course)
    remember_context(store, registration, launch, kind, target, course, now)
    return LaunchOutcome(account, launch, registration, kind, target)


def remember_context(
    store: Store,
    registration: LtiRegistrationRecord,
    launch: Launch,
    kind: str,
    target: str,
    course: str,
    now: datetime,
) -> None:
    """What a launch teaches about its platform course: its roster URL, and where the link's scores go."""
    if launch.context_id:
        store.record_lti_context(
            LtiContextRecord(registration.id, launch.context_id, course, launch.memberships_url), now
        )
    if not (launch.line_item and launch.context_id):
        return
    if kind == "assignment":
        store.record_line_item(registration.id, launch.context_id, target, launch.line_item)
    else:  # an exam: its standing goes there (store/lti_exam_scores.py)
        store.record_exam_line_item(registration.id, launch.context_id, target, launch.line_item)


def target_of(store: Store, launch: Launch, registration: LtiRegistrationRecord) -> tuple[str, str, str]:
    """What the resource link opens (its custom ``assignment_id`` or ``exam_id``), and that item's course."""
    if launch.custom.get(ASSIGNMENT_PARAMETER):
        kind, target = "assignment", launch.custom[ASSIGNMENT_PARAMETER]
        course = store.get_assignment(target).course
    elif launch.custom.get(EXAM_PARAMETER):
        kind, target = "exam", launch.custom[EXAM_PARAMETER]
        course = store.get_exam(target).course
    else:
        raise InvalidLaunch(
            f"the resource link names nothing to open: give it the custom parameter "
            f"{ASSIGNMENT_PARAMETER}=<id> or {EXAM_PARAMETER}=<id>"
        )
    if course not in registration.courses:
        raise Forbidden(f"platform {registration.id!r} may not launch into course {course!r}")
    return kind, target, course


def account_name(registration: LtiRegistrationRecord, launch: Launch) -> str:
    """One account per platform user and role: a learner in one course who teaches another gets two,
    so being staff somewhere never lends staff rights over the courses they take."""
    if launch.role == "learner":
        return learner_name(registration.id, launch.subject)  # the name its scores are sent back by
    return f"lti-{launch.role}:{registration.id}:{launch.subject}"
