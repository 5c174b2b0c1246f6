"""LTI Deep Linking against the joserfc platform simulator: an instructor places an assignment, and only once.

The platform makes a line item for every ``lineItem`` the tool's signed response asks for,
as real platforms do; so the tool must ask only the first time an item is placed in a
course. Scores then reach that line item before anyone has launched the link, found by
the ``resourceId`` the tool chose.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from service.lti_keys import ToolKeyring
from service.lti_roster import sync_roster
from service.settings import Settings
from store import Store
from tests.lti.outbox import JobContext, drain, installed, quick_retries
from tests.lti.simulator import AGS, DL_CLAIM, DROP, LEARNER, Platform
from tests.web.fakes import FakeClock
from tests.web.lti.conftest import log_in_from
from tests.web.multipart import upload
from tests.web.notebook_builders import learner_bytes
from tests.web.reports import report
from worker.lti_roster import PlatformRoster
from worker.lti_scores import ScoreSender

ADMIN = {"Authorization": "Bearer admin-secret"}
SETTINGS = DL_CLAIM + "deep_linking_settings"


@pytest.fixture
def job(settings: Settings, app: Flask, platform: Platform, client: FlaskClient) -> Iterator[JobContext]:
    fast = quick_retries(settings, attempts=4, cap=2.0)
    with installed(JobContext(fast), platform, client) as ctx:
        yield ctx


def request_deep_link(
    client: FlaskClient,
    platform: Platform,
    clock: FakeClock,
    claims: dict[str, Any] | None = None,
    **settings: Any,
) -> TestResponse:
    platform.now = clock  # the tool signs on the service's clock; both run on the test's
    login = log_in_from(client, platform)
    claims = claims or platform.deep_linking_claims(login["nonce"], clock(), **settings)
    return client.post("/lti/launch", data={"id_token": platform.sign(claims), "state": login["state"]})


def field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no {name} field in {page[:400]}"
    return html.unescape(found.group(1))


def choose(client: FlaskClient, chooser: TestResponse, item: str) -> tuple[str, str]:
    """Press the chooser's button for ``item``; the return form's action and the signed response."""
    assert chooser.status_code == 200, chooser.text
    reply = client.post("/lti/deep-link", data={"offer": field(chooser.text, "offer"), "item": item})
    assert reply.status_code == 200, reply.text
    action = re.search(r'<form id="deep-link-return" method="post" action="([^"]+)"', reply.text)
    assert action
    return html.unescape(action.group(1)), field(reply.text, "JWT")


def place(client: FlaskClient, platform: Platform, clock: FakeClock, item: str) -> dict[str, Any]:
    """The whole round: request, choice, and the browser posting the answer to the platform."""
    action, token = choose(client, request_deep_link(client, platform, clock), item)
    returned = requests.post(action, data={"JWT": token}, timeout=10)
    assert returned.status_code == 200, returned.text
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def test_the_chooser_lists_the_courses_assignments_and_its_answer_is_signed_and_echoes_data(
    client: FlaskClient,
    platform: Platform,
    registered: dict[str, Any],
    clock: FakeClock,
    assignment: dict[str, Any],
) -> None:
    platform.tool_keys = client.get("/lti/jwks").json
    chooser = request_deep_link(client, platform, clock)
    assert chooser.status_code == 200
    assert f'value="assignment:{assignment["id"]}"' in chooser.text
    assert "form-action 'self'" in chooser.headers["Content-Security-Policy"]
    claims = place(client, platform, clock, f"assignment:{assignment['id']}")
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    assert claims[DL_CLAIM + "data"] == platform.deep_link_data
    [item] = claims[DL_CLAIM + "content_items"]
    assert item["custom"] == {"assignment_id": assignment["id"]}
    assert item["lineItem"] == {
        "label": assignment["name"],
        "scoreMaximum": assignment["max_score"],
        "resourceId": f"assignment:{assignment['id']}",
        "tag": "autograde",
    }
    assert "iframe" in item  # the first presentation target the platform accepts
    assert platform.deep_link_refusals == [] and len(platform.line_items) == 1


def test_three_placements_and_five_grades_leave_one_line_item_and_one_result_per_learner(
    client: FlaskClient,
    platform: Platform,
    registered: dict[str, Any],
    clock: FakeClock,
    assignment: dict[str, Any],
    job: JobContext,
    store: Store,
    token: Callable[..., dict[str, str]],
) -> None:
    answers = [place(client, platform, clock, f"assignment:{assignment['id']}") for _ in range(3)]
    asked = ["lineItem" in claims[DL_CLAIM + "content_items"][0] for claims in answers]
    assert asked == [True, False, False]
    assert len(platform.links) == 3
    [line_item] = platform.line_items  # nobody has launched any of the links
    platform.members = [{"user_id": name, "roles": [LEARNER], "status": "Active"} for name in ("ann", "bob")]
    roster = PlatformRoster(ScoreSender(ToolKeyring(job.settings)), timeout=5)
    assert sync_roster(store, roster, "lms", "course-ctx-1")["joined"] == ["lti:lms:ann", "lti:lms:bob"]
    for learner, grades in (("ann", [1.0, 2.0, 1.5]), ("bob", [0.0, 2.0])):
        headers = token("learner", f"lti:lms:{learner}", ["ds101"])
        url = f"/api/v1/assignments/{assignment['id']}/submissions"
        reply = upload(client, url, headers, learner_bytes(), "hw.ipynb")
        assert reply.status_code == 202, reply.json
        sid = reply.json["id"]
        for number, points in enumerate(grades):
            if number:  # a regrade: a new grade version, a new score
                assert client.post(f"/api/v1/submissions/{sid}/regrade", headers=ADMIN).status_code == 202
            store.claim_submission(sid)
            assert store.save_grade(sid, report(points), "<p>feedback</p>", {})
    drain(store)
    assert len(platform.line_items) == 1
    assert [score["line_item"] for score in platform.scores] == [line_item] * 5
    assert set(platform.results) == {(line_item, "ann"), (line_item, "bob")}
    assert platform.gradebook(line_item, "ann") == "1.5/2" and platform.gradebook(line_item, "bob") == "2/2"


def test_a_later_launch_of_a_placed_link_keeps_the_one_line_item(
    client: FlaskClient,
    platform: Platform,
    registered: dict[str, Any],
    clock: FakeClock,
    assignment: dict[str, Any],
    job: JobContext,
) -> None:
    place(client, platform, clock, f"assignment:{assignment['id']}")
    [line_item] = platform.line_items
    login = log_in_from(client, platform)
    ags = {AGS: {"scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"], "lineitem": line_item}}
    claims = platform.claims(login["nonce"], clock(), custom={"assignment_id": assignment["id"]}, **ags)
    launched = client.post("/lti/launch", data={"id_token": platform.sign(claims), "state": login["state"]})
    assert launched.status_code == 303
    place(client, platform, clock, f"assignment:{assignment['id']}")
    assert len(platform.line_items) == 1


def test_a_score_waits_until_the_platform_has_made_the_line_item(
    client: FlaskClient,
    platform: Platform,
    registered: dict[str, Any],
    clock: FakeClock,
    assignment: dict[str, Any],
    job: JobContext,
    store: Store,
    token: Callable[..., dict[str, str]],
) -> None:
    """The answer never reached the platform (the browser closed): the score says why it is not there."""
    choose(client, request_deep_link(client, platform, clock), f"assignment:{assignment['id']}")
    reply = upload(
        client,
        f"/api/v1/assignments/{assignment['id']}/submissions",
        token("learner", "lti:lms:ann", ["ds101"]),
        learner_bytes(),
        "hw.ipynb",
    )
    store.claim_submission(reply.json["id"])
    store.save_grade(reply.json["id"], report(2.0), "<p>feedback</p>", {})
    drain(store)
    [delivery] = [d for d in store.list_deliveries() if d.platform_id == "lti:lms"]
    assert delivery.status == "dead" and "no line item with resourceId" in (delivery.last_error or "")
    assert platform.scores == []


NEGATIVE = {
    "a resource link's message type": dict(
        claims_of=lambda p, n, t: p.claims(n, t, message_type="LtiSubmissionReviewRequest")
    ),
    "no deep linking settings": dict(
        claims_of=lambda p, n, t: p.deep_linking_claims(n, t) | {SETTINGS: None}
    ),
    "no return url": dict(settings={"deep_link_return_url": DROP}),
    "links not accepted": dict(settings={"accept_types": ["file", "html"]}),
    "no usable presentation": dict(settings={"accept_presentation_document_targets": ["embed"]}),
    "data not a string": dict(settings={"data": {"x": 1}}),
    "a learner": dict(
        claims_of=lambda p, n, t: (
            p.deep_linking_claims(n, t) | {"https://purl.imsglobal.org/spec/lti/claim/roles": [LEARNER]}
        )
    ),
}


@pytest.mark.parametrize("case", NEGATIVE.values(), ids=NEGATIVE.keys())
def test_a_bad_deep_linking_request_is_refused_and_nothing_is_offered_or_signed(
    case: dict[str, Any],
    client: FlaskClient,
    platform: Platform,
    registered: dict[str, Any],
    clock: FakeClock,
    assignment: dict[str, Any],
    store: Store,
) -> None:
    login = log_in_from(client, platform)
    if "claims_of" in case:
        claims = case["claims_of"](platform, login["nonce"], clock())
    else:
        claims = platform.deep_linking_claims(login["nonce"], clock(), **case["settings"])
    reply = client.post("/lti/launch", data={"id_token": platform.sign(claims), "state": login["state"]})
    assert 400 <= reply.status_code < 500, reply.text
    assert reply.is_json and "offer" not in reply.text
    with client.session_transaction() as session:
        assert not session.get("account_id") and not session.get("account")


def test_a_forged_or_altered_offer_is_refused(
    client: FlaskClient,
    platform: Platform,
    registered: dict[str, Any],
    clock: FakeClock,
    assignment: dict[str, Any],
) -> None:
    offer = field(request_deep_link(client, platform, clock).text, "offer")
    item = f"assignment:{assignment['id']}"
    for bad in (offer[:-2] + "xx", "e30.forged.sig", ""):
        reply = client.post("/lti/deep-link", data={"offer": bad, "item": item})
        assert reply.status_code == 400 and "JWT" not in reply.text
    reply = client.post("/lti/deep-link", data={"offer": offer, "item": "assignment:nope"})
    assert reply.status_code == 400 and "JWT" not in reply.text


def test_an_exam_is_offered_with_its_total_points_and_placed_once(
    client: FlaskClient,
    platform: Platform,
    registered: dict[str, Any],
    clock: FakeClock,
    instructor: dict[str, str],
) -> None:
    from tests.web.api.test_exams import spec
    from tests.web.api.test_exams import upload as upload_exam

    exam = upload_exam(client, instructor, spec())
    assert exam.status_code == 201, exam.json
    platform.tool_keys = client.get("/lti/jwks").json
    first = place(client, platform, clock, f"exam:{exam.json['id']}")
    again = place(client, platform, clock, f"exam:{exam.json['id']}")
    [item] = first[DL_CLAIM + "content_items"]
    assert item["custom"] == {"exam_id": exam.json["id"]}
    assert (
        item["lineItem"]["resourceId"] == f"exam:{exam.json['id']}"
        and item["lineItem"]["scoreMaximum"] == 3.0
    )
    assert "lineItem" not in again[DL_CLAIM + "content_items"][0]
    assert len(platform.line_items) == 1
