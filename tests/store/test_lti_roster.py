"""Rosters: a platform's roster sets exactly its own learners in a course, never another platform's or a staff member's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from grader.errors import NotFound
from integrations.lti_scores import learner_name
from service.lti_registrations import register_platform
from store import LtiContextRecord, Store
from tests.store.test_lti import FIELDS

NOW = datetime(2030, 3, 1, tzinfo=UTC)


def courses_of(store: Store) -> dict[str, list[str]]:
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT name, courses FROM accounts")).all()
    return {
        name: sorted(courses if isinstance(courses, list) else __import__("json").loads(courses))
        for name, courses in rows
    }


def test_the_newest_launch_describes_the_context(store: Store) -> None:
    register_platform(store, {**FIELDS, "id": "reg"})
    with pytest.raises(NotFound, match="has launched here"):
        store.get_lti_context("reg", "ctx")
    store.record_lti_context(LtiContextRecord("reg", "ctx", "ds101", None), NOW)
    store.record_lti_context(LtiContextRecord("reg", "ctx", "ds101", "https://lms.example/roster"), NOW)
    assert store.get_lti_context("reg", "ctx").memberships_url == "https://lms.example/roster"


def test_a_roster_adds_its_learners_and_drops_only_its_own_who_left(store: Store) -> None:
    assert store.apply_roster("reg", "ds101", {"u1", "u2"}) == (
        [learner_name("reg", "u1"), learner_name("reg", "u2")],
        [],
    )
    store.apply_roster("other", "ds101", {"u1"})  # the same subject on another platform is someone else
    store.create_account("learner", "local", "a long password", ["ds101"])
    store.create_account("instructor", "prof", "a long password", ["ds101"])
    joined, dropped = store.apply_roster("reg", "ds101", {"u2", "u3"})
    assert (joined, dropped) == ([learner_name("reg", "u3")], [learner_name("reg", "u1")])
    courses = courses_of(store)
    assert courses[learner_name("reg", "u1")] == []  # the account and its work stay
    assert courses[learner_name("other", "u1")] == ["ds101"]
    assert courses["local"] == ["ds101"] and courses["prof"] == ["ds101"]


def test_a_roster_leaves_the_learners_other_courses_alone(store: Store) -> None:
    store.apply_roster("reg", "ds101", {"u1"})
    store.apply_roster("reg", "ml", {"u1"})
    store.apply_roster("reg", "ds101", set())
    assert courses_of(store)[learner_name("reg", "u1")] == ["ml"]


def test_a_registration_id_with_like_wildcards_matches_only_itself(store: Store) -> None:
    store.apply_roster("re_", "ds101", {"u1"})
    store.apply_roster("reg", "ds101", {"u1"})
    assert store.apply_roster("re_", "ds101", set()) == ([], [learner_name("re_", "u1")])
    assert courses_of(store)[learner_name("reg", "u1")] == ["ds101"]


def test_the_platforms_staff_in_the_course_are_not_learners_and_stay(store: Store) -> None:
    store.create_account("instructor", learner_name("reg", "t1"), "a long password", ["ds101"])
    assert store.apply_roster("reg", "ds101", set()) == ([], [])
    assert courses_of(store)[learner_name("reg", "t1")] == ["ds101"]
