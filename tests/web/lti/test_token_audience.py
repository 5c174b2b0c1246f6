"""A platform whose token endpoint wants its own audience (Brightspace's "OAuth2 Audience").

The tool signs a JWT to get an access token (the client-credentials grant with a signed
assertion). Its ``aud`` is the token URL, which Canvas, Moodle and Open edX accept; D2L
Brightspace shows a separate OAuth2 Audience on its registration page and refuses any other
(``invalid_grant``/``invalid_client``). A registration may name it as ``token_audience`` (by
the API, the CLI, the admin page, or the platform's ``authorization_server`` in Dynamic
Registration); without it every score to Brightspace fails at the token request.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from grader.errors import InfrastructureError
from service.lti_keys import ToolKeyring
from service.lti_roster import sync_roster
from service.settings import Settings
from store import Store
from tests.lti.outbox import JobContext, drain, installed, quick_retries
from tests.lti.simulator import BRIGHTSPACE_AUDIENCE, LEARNER, Platform
from tests.web.fakes import FakeClock
from tests.web.lti.conftest import GradedSubmission, Launcher
from worker.lti_roster import PlatformRoster
from worker.lti_scores import ScoreSender

ADMIN = {"Authorization": "Bearer admin-secret"}
ACCOUNT = "lti:lms:user-7"
pytestmark = pytest.mark.parametrize("platform", [{"profile": "brightspace"}], indirect=True)


@pytest.fixture(params=["with the audience", "without it"])  # a test may ask for one by parametrizing
def registered(request: pytest.FixtureRequest, client: FlaskClient, platform: Platform) -> dict[str, Any]:
    body = platform.registration()
    if request.param == "without it":
        body.pop("token_audience")
    reply = client.post("/api/v1/lti/registrations", json=body, headers=ADMIN)
    assert reply.status_code == 201, reply.json
    registration: dict[str, Any] = reply.json
    return registration


@pytest.fixture
def job(settings: Settings, app: Flask, platform: Platform, client: FlaskClient) -> Iterator[JobContext]:
    fast = quick_retries(settings, attempts=2)
    with installed(JobContext(fast), platform, client) as ctx:
        yield ctx


def deliveries(client: FlaskClient, submission_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.get(f"/api/v1/submissions/{submission_id}", headers=ADMIN).json[
        "lti_deliveries"
    ]
    return found


def graded_and_sent(
    launch: Launcher, platform: Platform, graded_submission: GradedSubmission, store: Store
) -> str:
    """A launch with the AGS claim, then a grade of 1 for its learner, and the delivery job run."""
    assert launch(**platform.ags_claim()).status_code == 303
    sid = graded_submission(ACCOUNT, 1.0)
    drain(store)
    return sid


def test_scores_reach_brightspace_only_through_its_own_audience(
    registered: dict[str, Any],
    launch: Launcher,
    platform: Platform,
    client: FlaskClient,
    graded_submission: GradedSubmission,
    store: Store,
    job: JobContext,
) -> None:
    [delivery] = deliveries(client, graded_and_sent(launch, platform, graded_submission, store))
    if registered["token_audience"] == BRIGHTSPACE_AUDIENCE:
        assert delivery["state"] == "delivered"
        assert platform.gradebook(platform.line_item(), "user-7") == "1/2"
    else:
        assert registered["token_audience"] is None
        assert delivery["state"] == "dead" and "invalid_client" in delivery["last_error"]
        assert platform.score_requests == 0 and platform.gradebook(platform.line_item(), "user-7") == "-"


@pytest.mark.parametrize("registered", ["without it"], indirect=True)
def test_an_admin_gives_an_earlier_registration_the_audience_and_the_dead_score_then_arrives(
    registered: dict[str, Any],
    launch: Launcher,
    platform: Platform,
    client: FlaskClient,
    graded_submission: GradedSubmission,
    store: Store,
    job: JobContext,
    clock: FakeClock,
) -> None:
    """What a Brightspace registration made before ``token_audience`` existed needs: set it, redeliver."""
    sid = graded_and_sent(launch, platform, graded_submission, store)
    [dead] = deliveries(client, sid)
    assert dead["state"] == "dead"
    changed = client.patch(
        "/api/v1/lti/registrations/lms", json={"token_audience": BRIGHTSPACE_AUDIENCE}, headers=ADMIN
    )
    assert changed.status_code == 200, changed.json
    clock.now = datetime.now(UTC)  # the web's clock, which dates the redelivery, on the worker's time
    redelivered = client.post(f"/api/v1/deliveries/{dead['delivery_id']}/redeliver", headers=ADMIN)
    assert redelivered.status_code == 202, redelivered.json
    drain(store)
    [delivery] = deliveries(client, sid)
    assert delivery["state"] == "delivered"
    assert platform.gradebook(platform.line_item(), "user-7") == "1/2"


def test_the_roster_comes_from_brightspace_only_through_its_own_audience(
    registered: dict[str, Any],
    launch: Launcher,
    platform: Platform,
    client: FlaskClient,
    settings: Settings,
    store: Store,
) -> None:
    """NRPS asks for its token the way AGS does, so the audience decides the roster sync too."""
    assert launch(**platform.nrps_claim()).status_code == 303
    platform.tool_keys = client.get("/lti/jwks").json
    platform.members = [{"user_id": "u1", "roles": [LEARNER], "status": "Active"}]
    roster = PlatformRoster(ScoreSender(ToolKeyring(settings)), timeout=5)
    if registered["token_audience"] == BRIGHTSPACE_AUDIENCE:
        assert sync_roster(store, roster, "lms", "course-ctx-1")["joined"] == ["lti:lms:u1"]
    else:
        with pytest.raises(InfrastructureError, match="refused a roster token.*invalid_client"):
            sync_roster(store, roster, "lms", "course-ctx-1")


@pytest.mark.parametrize("audience", ["", None], ids=["empty", "null"])
def test_no_audience_means_the_token_url(client: FlaskClient, platform: Platform, audience: Any) -> None:
    body = {**platform.registration(), "token_audience": audience}
    reply = client.post("/api/v1/lti/registrations", json=body, headers=ADMIN)
    assert reply.status_code == 201, reply.json
    assert reply.json["token_audience"] is None


@pytest.mark.parametrize(
    "audience", ["x" * 2001, "bad\nline", 7, ["a"]], ids=["long", "newline", "number", "list"]
)
def test_a_bad_audience_is_refused_naming_the_field_and_nothing_is_stored(
    client: FlaskClient, platform: Platform, row_counts: Any, audience: Any
) -> None:
    before = row_counts()
    body = {**platform.registration(), "token_audience": audience}
    reply = client.post("/api/v1/lti/registrations", json=body, headers=ADMIN)
    assert reply.status_code == 400 and reply.json["error"] == "bad_input", reply.json
    assert "'token_audience'" in reply.json["message"]
    assert row_counts() == before
