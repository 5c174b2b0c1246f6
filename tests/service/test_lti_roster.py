"""Roster sync (service/lti_roster.py), on SQLite and PostgreSQL: a context's active learners join the
course it launches into and its dropped learners leave; staff, inactive members and malformed entries
never join; a context that offered no roster service, or never launched, is refused before any fetch."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from grader.errors import BadInput, NotFound
from integrations.lti_scores import learner_name
from service.lti_registrations import register_platform
from service.lti_roster import sync_roster
from store import LtiContextRecord, LtiRegistrationRecord, Store
from tests.store.test_lti import FIELDS

NOW = datetime(2030, 3, 1, tzinfo=UTC)
ROSTER_URL = "https://lms.example/roster"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


class FakeRoster:
    def __init__(self, *members: Mapping[str, Any]) -> None:
        self.pages = list(members)
        self.asked: list[tuple[str, str]] = []

    def members(self, registration: LtiRegistrationRecord, url: str) -> list[Mapping[str, Any]]:
        self.asked.append((registration.id, url))
        return self.pages


def learner(user: str, **extra: Any) -> dict[str, Any]:
    return {"user_id": user, "roles": [LEARNER], **extra}


@pytest.fixture
def launched(store: Store) -> Store:
    register_platform(store, {**FIELDS, "id": "reg"})
    store.record_lti_context(LtiContextRecord("reg", "ctx", "ml-2030", ROSTER_URL), NOW)
    return store


def test_the_contexts_learners_join_and_those_who_left_are_dropped(launched: Store) -> None:
    roster = FakeRoster(learner("u1"), learner("u2"))
    first = sync_roster(launched, roster, "reg", "ctx")
    assert first == {
        "course": "ml-2030",
        "learners": 2,
        "joined": [learner_name("reg", "u1"), learner_name("reg", "u2")],
        "dropped": [],
    }
    assert roster.asked == [("reg", ROSTER_URL)]
    assert launched.apply_roster("reg", "ml-2030", {"u1", "u2"}) == ([], [])  # already in that course
    again = sync_roster(launched, FakeRoster(learner("u2"), learner("u3")), "reg", "ctx")
    assert (again["joined"], again["dropped"]) == ([learner_name("reg", "u3")], [learner_name("reg", "u1")])


def test_staff_inactive_and_malformed_members_never_join(launched: Store) -> None:
    roster = FakeRoster(
        learner("u1"),
        {"user_id": "prof", "roles": [INSTRUCTOR, LEARNER]},
        learner("gone", status="Inactive"),
        {"user_id": "", "roles": [LEARNER]},
        {"user_id": ["u9"], "roles": [LEARNER]},
        {"user_id": "u8", "roles": LEARNER},
        {"roles": [LEARNER]},
    )
    synced = sync_roster(launched, roster, "reg", "ctx")
    assert (synced["learners"], synced["joined"]) == (1, [learner_name("reg", "u1")])


def test_a_context_without_a_roster_service_is_refused_before_any_fetch(launched: Store) -> None:
    launched.record_lti_context(LtiContextRecord("reg", "quiet", "ds102", None), NOW)
    roster = FakeRoster(learner("u1"))
    with pytest.raises(BadInput, match="offered no roster service"):
        sync_roster(launched, roster, "reg", "quiet")
    with pytest.raises(NotFound):
        sync_roster(launched, roster, "reg", "never-launched")
    with pytest.raises(NotFound):
        sync_roster(launched, roster, "other-platform", "ctx")
    assert roster.asked == []
