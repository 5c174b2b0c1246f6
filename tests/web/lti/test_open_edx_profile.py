"""Open edX: declarative line items and no personal data, against the simulator's ``openedx`` profile.

xblock-lti-consumer makes one line item per scored LTI component and names it in every
launch's AGS claim (``lineitem``), with the ``lineitem.readonly`` scope and never
``lineitem``: a tool that tries to create a column is refused (403). It shares no names or
e-mails unless a course opts in, in launches and roster alike, so a learner is only an
anonymous ``sub``. The tool must need nothing more: accounts and pages work by that id, the
roster syncs by it, and scores (an assignment's, and an exam's standing) reach the
component's own line item, including an exam placed by deep linking, for which Open edX
keeps the link and its custom parameters but makes no line item.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.lti_keys import ToolKeyring
from service.lti_roster import sync_roster
from service.settings import Settings
from store import Store
from tests.lti.outbox import JobContext, drain, installed, quick_retries
from tests.lti.simulator import INSTRUCTOR, LEARNER, PII, Platform
from tests.web.api.test_exams import spec
from tests.web.api.test_exams import upload as upload_exam
from tests.web.fakes import FakeClock
from tests.web.lti.conftest import GradedSubmission, Launcher
from tests.web.lti.test_deep_linking import place
from tests.web.lti.test_exam_scores import ClockedJob, sit
from worker.lti_roster import PlatformRoster
from worker.lti_scores import ScoreSender

Headers = dict[str, str]
ANONYMOUS = "8f3c0d6be2a94c1b9a1f5e7d2c4b6a80"  # Open edX's anonymous user id: the only thing it says
ACCOUNT = f"lti:lms:{ANONYMOUS}"
pytestmark = pytest.mark.parametrize("platform", [{"profile": "openedx"}], indirect=True)


@pytest.fixture
def job(
    settings: Settings, app: Flask, platform: Platform, client: FlaskClient, clock: FakeClock
) -> Iterator[JobContext]:
    fast = quick_retries(settings, attempts=3)
    # the exams' windows are on the test's clock
    with installed(ClockedJob(fast, fake=clock), platform, client) as ctx:
        yield ctx


def test_a_learner_with_no_name_or_email_gets_an_account_and_pages_that_never_say_none(
    launch: Launcher,
    client: FlaskClient,
    app: Flask,
    platform: Platform,
    store: Store,
    graded_submission: GradedSubmission,
    job: JobContext,
) -> None:
    claims = platform.claims("n", platform.now(), sub=ANONYMOUS, name="Ada", email="ada@example.edu")
    assert not set(PII) & set(claims)  # the profile withholds what a test (or a course) might offer
    landed = launch(sub=ANONYMOUS, **platform.ags_claim())
    assert landed.status_code == 303, landed.get_data(as_text=True)
    learner_page = client.get(landed.headers["Location"]).get_data(as_text=True)
    sid = graded_submission(ACCOUNT, 2.0)
    staff = app.test_client()
    gradebook = staff.get(launch(browser=staff, roles=[INSTRUCTOR], sub="staff-anon-1").headers["Location"])
    pages = {
        "learner's assignment": learner_page,
        "learner's submission": client.get(f"/submissions/{sid}").get_data(as_text=True),
        "gradebook": gradebook.get_data(as_text=True),
        "staff's submission": staff.get(f"/submissions/{sid}").get_data(as_text=True),
    }
    for name, page in pages.items():  # a missing name rendered as Python's None ("None yet." is prose)
        assert not re.search(r"\bNone\b(?! yet)", page), f"the {name} page shows None"
    assert ANONYMOUS in pages["gradebook"]  # the learner is named by the only id there is


def test_a_roster_without_names_joins_and_drops_by_the_anonymous_id(
    launch: Launcher, client: FlaskClient, platform: Platform, store: Store, settings: Settings
) -> None:
    assert launch(roles=[INSTRUCTOR], sub="staff-anon-1", **platform.nrps_claim()).status_code == 303
    named = {"name": "Ada Lovelace", "email": "ada@example.edu", "given_name": "Ada"}
    platform.members = [
        {"user_id": ANONYMOUS, "roles": [LEARNER], "status": "Active", **named},
        {"user_id": "b0b", "roles": [LEARNER], "status": "Active"},
        {"user_id": "staff-anon-1", "roles": [INSTRUCTOR], "status": "Active"},
    ]
    platform.tool_keys = client.get("/lti/jwks").json
    roster = PlatformRoster(ScoreSender(ToolKeyring(settings)), timeout=5)
    joined = sync_roster(store, roster, "lms", "course-ctx-1")
    assert joined["joined"] == sorted([ACCOUNT, "lti:lms:b0b"]) and joined["dropped"] == []
    platform.members = platform.members[:1]
    assert sync_roster(store, roster, "lms", "course-ctx-1")["dropped"] == ["lti:lms:b0b"]


def test_an_assignments_scores_reach_the_components_line_item_and_no_column_is_created(
    launch: Launcher,
    client: FlaskClient,
    platform: Platform,
    store: Store,
    graded_submission: GradedSubmission,
    job: JobContext,
) -> None:
    assert launch(sub=ANONYMOUS, **platform.ags_claim(4)).status_code == 303
    graded_submission(ACCOUNT, 2.0)
    drain(store)
    assert platform.gradebook(platform.line_item(4), ANONYMOUS) == "2/2"
    assert platform.line_item_creations == 0 and list(platform.line_items) == [platform.line_item(4)]
    assert {d.status for d in store.list_deliveries(platform_id="lti:lms")} == {"delivered"}


def test_an_exam_in_a_scored_component_sends_its_standing_to_the_components_line_item(
    launch: Launcher,
    client: FlaskClient,
    platform: Platform,
    store: Store,
    clock: FakeClock,
    instructor: Headers,
    token: Callable[..., Headers],
    job: JobContext,
) -> None:
    exam = upload_exam(client, instructor, spec(requires_proctoring=False))
    assert exam.status_code == 201, exam.json
    assert (
        launch(sub=ANONYMOUS, custom={"exam_id": exam.json["id"]}, **platform.ags_claim(5)).status_code == 303
    )
    sit(client, store, clock, exam.json["id"], token("learner", ACCOUNT, ["ds101"]), 1.5)
    drain(store)
    assert platform.gradebook(platform.line_item(5), ANONYMOUS) == "1.5/2"
    assert platform.line_item_creations == 0


def test_an_exam_placed_by_deep_linking_scores_the_component_it_was_launched_from(
    launch: Launcher,
    client: FlaskClient,
    platform: Platform,
    store: Store,
    clock: FakeClock,
    instructor: Headers,
    token: Callable[..., Headers],
    job: JobContext,
) -> None:
    exam = upload_exam(client, instructor, spec(requires_proctoring=False))
    assert exam.status_code == 201, exam.json
    place(client, platform, clock, f"exam:{exam.json['id']}")
    assert platform.line_items == {} and len(platform.links) == 1  # Open edX made no line item from it
    custom = platform.links[0]["custom"]  # the component launches with the placed item's custom parameters
    assert launch(sub=ANONYMOUS, custom=custom, **platform.ags_claim(6)).status_code == 303
    sit(client, store, clock, exam.json["id"], token("learner", ACCOUNT, ["ds101"]), 2.0)
    drain(store)
    assert platform.gradebook(platform.line_item(6), ANONYMOUS) == "2/2"
    assert {d.status for d in store.list_deliveries(platform_id="lti:lms")} == {"delivered"}
