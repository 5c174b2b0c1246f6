"""Deep linking answers (service/lti_deep_linking.py), on SQLite and PostgreSQL: only the platform's
courses' live assignments are offered; the answer is signed by the tool key, asks for a line item
only on the first placement per platform course, and remembers which course the context opens;
an item not on offer or a deployment since removed is refused and nothing is placed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
import pytest

from grader.errors import BadInput, Forbidden, NotFound
from integrations.lti_deep_linking import CLAIM, DL_CLAIM
from service.lti_deep_linking import DeepLinkOffer, answer, choices
from service.lti_keys import ToolKeyring
from service.lti_registrations import register_platform
from service.settings import Settings
from store import AssignmentRecord, LtiRegistrationRecord, Store
from tests.store.test_lti import FIELDS

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
LAUNCH_URL = "https://grades.example.edu/lti/launch"
OFFER = DeepLinkOffer(
    "lms", "1", "fall", "https://lms.example/dl/return", "iframe", "opaque-data",
    "https://lms.example/fall/lineitems", "https://lms.example/fall/roster",
)  # fmt: skip


@pytest.fixture
def registration(store: Store) -> LtiRegistrationRecord:
    return register_platform(store, FIELDS)


@pytest.fixture
def keyring(tmp_path: Path) -> ToolKeyring:
    return ToolKeyring(Settings(data_dir=str(tmp_path)))


def place(
    store: Store, keyring: ToolKeyring, registration: LtiRegistrationRecord, chosen: str, **offer: Any
) -> Any:
    fields = {**OFFER.to_dict(), **offer}
    return answer(store, keyring, registration, DeepLinkOffer.from_dict(fields), chosen, LAUNCH_URL, NOW)


def test_only_the_platforms_courses_live_assignments_are_offered(
    store: Store,
    registration: LtiRegistrationRecord,
    assignment: AssignmentRecord,
    make_assignment: Callable[..., AssignmentRecord],
) -> None:
    make_assignment(course="ds202", name="elsewhere")
    retired = make_assignment(name="old")
    store.retire_assignment(retired.id, "prof", "replaced", NOW)
    offered = choices(store, registration)
    assert [(c.kind, c.id, c.title, c.course, c.max_score) for c in offered] == [
        ("assignment", assignment.id, "hw1", "ds101", 3.0)
    ]


def test_the_answer_is_signed_and_asks_for_a_line_item_only_the_first_time(
    store: Store, keyring: ToolKeyring, registration: LtiRegistrationRecord, assignment: AssignmentRecord
) -> None:
    first = place(store, keyring, registration, f"assignment:{assignment.id}")
    keys = keyring.keys()
    assert jwt.get_unverified_header(first.jwt)["kid"] == keys.kid
    claims = jwt.decode(
        first.jwt,
        keys.signing.public_key(),
        algorithms=["RS256"],
        audience=FIELDS["issuer"],
        options={"verify_iat": False},
    )
    assert (first.return_url, first.line_item) == (OFFER.return_url, True)
    assert claims["iss"] == FIELDS["client_id"] and claims[CLAIM + "deployment_id"] == "1"
    assert claims[DL_CLAIM + "data"] == "opaque-data"
    [item] = claims[DL_CLAIM + "content_items"]
    assert item["url"] == LAUNCH_URL and item["lineItem"]["scoreMaximum"] == 3.0
    again = place(store, keyring, registration, f"assignment:{assignment.id}")
    assert again.line_item is False
    [item] = jwt.decode(again.jwt, options={"verify_signature": False})[DL_CLAIM + "content_items"]
    assert "lineItem" not in item
    assert place(store, keyring, registration, f"assignment:{assignment.id}", context_id="spring").line_item


def test_the_context_is_remembered_as_opening_the_items_course_with_its_roster(
    store: Store, keyring: ToolKeyring, registration: LtiRegistrationRecord, assignment: AssignmentRecord
) -> None:
    place(store, keyring, registration, f"assignment:{assignment.id}")
    context = store.get_lti_context("lms", "fall")
    assert (context.course, context.memberships_url) == ("ds101", OFFER.memberships_url)


def test_without_a_platform_course_nothing_is_placed_and_no_line_item_asked(
    store: Store, keyring: ToolKeyring, registration: LtiRegistrationRecord, assignment: AssignmentRecord
) -> None:
    assert (
        place(store, keyring, registration, f"assignment:{assignment.id}", context_id=None).line_item is False
    )
    with pytest.raises(NotFound):
        store.get_lti_context("lms", "fall")


@pytest.mark.parametrize(
    "chosen", ["assignment:nope", "exam:{id}", "{id}", "assignment:", ":{id}", "submission:{id}"]
)
def test_an_item_not_on_offer_is_refused_and_nothing_is_placed(
    store: Store,
    keyring: ToolKeyring,
    registration: LtiRegistrationRecord,
    make_assignment: Callable[..., AssignmentRecord],
    chosen: str,
) -> None:
    elsewhere = make_assignment(course="ds202", name="elsewhere")
    for attempt in (chosen.format(id=elsewhere.id), f"assignment:{elsewhere.id}"):
        with pytest.raises(BadInput, match="not an assignment or exam this platform may place"):
            place(store, keyring, registration, attempt)
    with pytest.raises(NotFound):
        store.get_lti_context("lms", "fall")


def test_a_deployment_removed_since_the_request_is_refused(
    store: Store, keyring: ToolKeyring, registration: LtiRegistrationRecord, assignment: AssignmentRecord
) -> None:
    with pytest.raises(Forbidden, match="no longer registered"):
        place(store, keyring, registration, f"assignment:{assignment.id}", deployment_id="9")
    assert place(store, keyring, registration, f"assignment:{assignment.id}").line_item  # nothing was placed
