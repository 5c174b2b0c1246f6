"""LTI Deep Linking: an instructor places one of our assignments or exams into an LMS course.

The launch (service/lti.py) has checked the ``LtiDeepLinkingRequest`` completely and that
the person is course staff. ``offer_of`` keeps what the answer needs (where it goes, what to
echo, which platform course) and ``choices`` lists the items of the courses the platform may
open. ``answer`` signs the ``LtiDeepLinkingResponse`` for the one chosen: its line item is
asked for only the first time that item is placed in that platform course (the store
records the placement), so placing it again never makes a second gradebook column. The
platform course is remembered as opening the item's course, with its roster service, so
a roster sync can bring its learners in before anyone has launched anything.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import jwt

from exam_bank.spec import parse_exam
from grader.errors import BadInput, Forbidden
from integrations.lti_deep_linking import (
    DeepLinkSettings,
    content_item,
    resource_id,
    response_claims,
)
from integrations.lti_keys import ALGORITHM
from integrations.lti_launch import Launch
from service.lti_keys import ToolKeyring
from store import LtiContextRecord, LtiRegistrationRecord, Store


@dataclass(frozen=True)
class DeepLinkOffer:
    """What the answer to one deep linking request needs, carried (signed) by the chooser page."""

    registration_id: str
    deployment_id: str
    context_id: str | None
    return_url: str
    presentation: str
    data: str | None
    line_items_url: str | None
    memberships_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, fields: dict[str, Any]) -> DeepLinkOffer:
        text = {name: fields.get(name) for name in cls.__dataclass_fields__}
        return cls(**text)  # type: ignore[arg-type]  # our own signed dict: the fields it was made from


@dataclass(frozen=True)
class Choice:
    kind: str  # assignment or exam
    id: str
    title: str
    course: str
    max_score: float


@dataclass(frozen=True)
class DeepLinkAnswer:
    return_url: str
    jwt: str  # the signed LtiDeepLinkingResponse the browser posts to return_url
    line_item: bool  # whether it asked the platform for a line item


def offer_of(registration: LtiRegistrationRecord, launch: Launch) -> DeepLinkOffer:
    settings = launch.deep_linking
    assert settings is not None, "only a deep linking request makes an offer"
    return DeepLinkOffer(
        registration.id,
        launch.deployment_id,
        launch.context_id,
        settings.return_url,
        settings.target,
        settings.data,
        launch.line_items_url,
        launch.memberships_url,
    )


def choices(store: Store, registration: LtiRegistrationRecord) -> list[Choice]:
    """The assignments (not exams' own attempt assignments, not retired) and exams of the platform's courses."""
    found: list[Choice] = []
    for course in registration.courses:
        for assignment in store.list_assignments(course):
            if assignment.exam_attempt_id is None and assignment.retired_at is None:
                found.append(
                    Choice("assignment", assignment.id, assignment.name, course, assignment.max_score)
                )
        for exam in store.list_exams(course):
            spec = parse_exam(exam.spec_name, exam.spec_text, store.exam_files(exam.id))
            found.append(Choice("exam", exam.id, exam.title or exam.name, course, spec.total_points))
    return found


def answer(
    store: Store,
    keyring: ToolKeyring,
    registration: LtiRegistrationRecord,
    offer: DeepLinkOffer,
    chosen: str,
    launch_url: str,
    now: datetime,
) -> DeepLinkAnswer:
    """The signed response placing ``chosen`` (``assignment:<id>`` or ``exam:<id>``) in the platform course."""
    kind, _, target = chosen.partition(":")
    choice = next((c for c in choices(store, registration) if (c.kind, c.id) == (kind, target)), None)
    if choice is None:
        raise BadInput(f"{chosen!r} is not an assignment or exam this platform may place")
    if offer.deployment_id not in registration.deployment_ids:
        raise Forbidden(f"deployment {offer.deployment_id!r} is no longer registered")
    wants_line_item = offer.context_id is not None and store.place_deep_link(
        registration.id,
        offer.context_id,
        kind,
        target,
        resource_id(kind, target),
        offer.line_items_url,
        now,
    )
    if offer.context_id is not None:  # the platform course now opens this course: its roster can sync
        store.record_lti_context(
            LtiContextRecord(registration.id, offer.context_id, choice.course, offer.memberships_url), now
        )
    item = content_item(
        kind, target, choice.title, choice.max_score, launch_url, offer.presentation, wants_line_item
    )
    settings = DeepLinkSettings(offer.return_url, offer.presentation, offer.data)
    claims = response_claims(
        registration.client_id,
        registration.issuer,
        offer.deployment_id,
        int(now.timestamp()),
        secrets.token_urlsafe(16),
        [item],
        settings,
    )
    keys = keyring.keys()
    token = jwt.encode(claims, keys.signing, algorithm=ALGORITHM, headers={"kid": keys.kid})
    return DeepLinkAnswer(offer.return_url, token, wants_line_item)
