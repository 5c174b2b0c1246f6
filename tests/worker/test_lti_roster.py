"""Roster sync against the simulator: the platform's learners join our course, drops leave it, no names needed."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from grader.errors import BadInput
from service.lti_keys import ToolKeyring
from service.lti_roster import sync_roster
from service.settings import Settings
from store import Store
from tests.lti.simulator import INSTRUCTOR, LEARNER, Platform
from tests.web.lti.conftest import Launcher
from worker.lti_roster import PlatformRoster
from worker.lti_scores import ScoreSender


def member(user: str, *roles: str, status: str = "Active") -> dict[str, Any]:
    return {"user_id": user, "roles": list(roles) or [LEARNER], "status": status}  # no name, no e-mail


def courses_of(store: Store, name: str) -> list[str] | None:
    with store.engine.connect() as connection:
        row = connection.exec_driver_sql("SELECT courses FROM accounts WHERE name = ?", (name,)).one_or_none()
    import json

    return None if row is None else json.loads(row[0])


@pytest.fixture
def roster(settings: Settings, platform: Platform, client: FlaskClient) -> PlatformRoster:
    platform.tool_keys = client.get("/lti/jwks").json
    return PlatformRoster(ScoreSender(ToolKeyring(settings)), timeout=5)


def test_a_roster_sync_joins_the_platforms_learners_and_drops_the_rest(
    launch: Launcher, platform: Platform, store: Store, roster: PlatformRoster
) -> None:
    assert launch(roles=[INSTRUCTOR], sub="teacher", **platform.nrps_claim()).status_code == 303
    platform.members = [
        member("teacher", INSTRUCTOR),
        member("u1"),
        member("u2"),
        member("u3"),
        member("gone", status="Inactive"),
    ]  # three pages of two
    assert sync_roster(store, roster, "lms", "course-ctx-1") == {
        "course": "ds101",
        "learners": 3,
        "joined": ["lti:lms:u1", "lti:lms:u2", "lti:lms:u3"],
        "dropped": [],
    }
    assert courses_of(store, "lti:lms:u2") == ["ds101"]
    assert courses_of(store, "lti:lms:gone") is None and courses_of(store, "lti:lms:teacher") is None
    platform.members = [member("u1"), member("u3", status="Deleted"), member("u4")]
    change = sync_roster(store, roster, "lms", "course-ctx-1")
    assert (change["joined"], change["dropped"]) == (["lti:lms:u4"], ["lti:lms:u2", "lti:lms:u3"])
    assert courses_of(store, "lti:lms:u2") == []  # the account and its work stay; the course leaves its list
    assert sync_roster(store, roster, "lms", "course-ctx-1")["joined"] == []  # nothing changes twice


def test_a_context_that_offered_no_roster_is_refused(
    launch: Launcher, store: Store, roster: PlatformRoster
) -> None:
    assert launch().status_code == 303
    with pytest.raises(BadInput, match="no roster service"):
        sync_roster(store, roster, "lms", "course-ctx-1")
