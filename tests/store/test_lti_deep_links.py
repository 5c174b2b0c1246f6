"""Items placed by LTI deep linking (store/lti_deep_links.py), on SQLite and PostgreSQL: the first
placement in a platform course asks for a line item and no later one does, nor one after a launch
named it; where each placed item's line item is looked up, per kind, item and platform only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.lti_registrations import register_platform
from store import AssignmentRecord, Store
from store.lti_deep_links import placed_line_items
from tests.store.test_lti import FIELDS
from tests.store.test_regrade_requests import race

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def platforms(store: Store) -> Store:
    register_platform(store, FIELDS)
    register_platform(store, {**FIELDS, "id": "other", "issuer": "https://other.example"})
    return store


def place(store: Store, target: str, context: str = "fall", kind: str = "assignment", **kw: str) -> bool:
    registration = kw.get("registration", "lms")
    container = kw.get("container", f"https://lms.example/{context}/lineitems")
    return store.place_deep_link(
        registration, context, kind, target, f"{kind}:{target}", container or None, NOW
    )


def placed(store: Store, target: str, kind: str = "assignment", registration: str = "lms") -> dict[str, str]:
    with store.transaction() as session:
        return placed_line_items(session, registration, kind, target)


def test_the_first_placement_per_platform_course_asks_for_a_line_item(
    platforms: Store, assignment: AssignmentRecord
) -> None:
    assert [place(platforms, assignment.id, c) for c in ("fall", "fall", "spring")] == [True, False, True]
    assert place(platforms, assignment.id, "fall", registration="other") is True  # another platform's course
    platforms.record_line_item("lms", "summer", assignment.id, "https://lms.example/summer/li/3")
    assert place(platforms, assignment.id, "summer") is False  # a launch already named its line item


def test_racing_placements_ask_once(platforms: Store, assignment: AssignmentRecord) -> None:
    answers, conflicts = race([lambda: place(platforms, assignment.id)] * 4)
    assert sorted(answers) == [False, False, False, True] and conflicts == []


def test_a_placed_items_line_item_is_looked_up_by_resource_id_in_its_own_course_only(
    platforms: Store, assignment: AssignmentRecord
) -> None:
    place(platforms, assignment.id, "fall", container="https://lms.example/li?c=fall")
    place(platforms, assignment.id, "spring")
    place(platforms, assignment.id, "winter", container="")  # the platform named no container: nowhere to ask
    place(platforms, "exam-1", "fall", kind="exam")
    place(platforms, assignment.id, "fall", registration="other", container="https://other.example/li")
    assert placed(platforms, assignment.id) == {
        "fall": f"https://lms.example/li?c=fall&resource_id=assignment%3A{assignment.id}",
        "spring": f"https://lms.example/spring/lineitems?resource_id=assignment%3A{assignment.id}",
    }
    assert placed(platforms, "exam-1", "exam") == {
        "fall": "https://lms.example/fall/lineitems?resource_id=exam%3Aexam-1"
    }
    assert placed(platforms, assignment.id, "exam") == {}
    assert list(placed(platforms, assignment.id, registration="other").values()) == [
        f"https://other.example/li?resource_id=assignment%3A{assignment.id}"
    ]
    assert placed(platforms, "no-such-item") == {}
