"""An exam launched with the AGS claim's ``lineitem`` sends its standing there, as an assignment's launch does.

The platform made the line item when the exam's link was placed (Open edX makes one per
scored component, Canvas and Moodle one per graded link), so a launch naming it is all the
tool needs: no deep linking. The standing (best or latest counting attempt) follows the
exam's rules exactly as it does for a deep-linked exam (tests/web/lti/test_exam_scores.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from store import Store
from tests.lti.outbox import drain
from tests.lti.simulator import Platform
from tests.web.api.test_exams import spec
from tests.web.api.test_exams import upload as upload_exam
from tests.web.fakes import FakeClock
from tests.web.lti.conftest import Launcher
from tests.web.lti.test_deep_linking import place
from tests.web.lti.test_exam_scores import job, sit  # noqa: F401 (job is a fixture used by name)

Headers = dict[str, str]
pytestmark = pytest.mark.usefixtures("registered", "job")
LEARNER = "lti:lms:user-7"  # the simulator's learner (sub user-7)


def exam_of(client: FlaskClient, instructor: Headers, **changes: Any) -> str:
    exam = upload_exam(client, instructor, spec(**changes))
    assert exam.status_code == 201, exam.json
    exam_id: str = exam.json["id"]
    return exam_id


@pytest.mark.parametrize(("policy", "shown"), [("best", "1.5/2"), ("latest", "0.5/2")])
def test_a_launch_into_an_exam_records_its_line_item_and_the_standing_reaches_it(
    client: FlaskClient,
    platform: Platform,
    launch: Launcher,
    clock: FakeClock,
    instructor: Headers,
    store: Store,
    token: Callable[..., Headers],
    policy: str,
    shown: str,
) -> None:
    exam_id = exam_of(client, instructor, requires_proctoring=False, attempts_allowed=2, lms_score=policy)
    assert launch(custom={"exam_id": exam_id}, **platform.ags_claim(3)).status_code == 303
    learner = token("learner", LEARNER, ["ds101"])
    sit(client, store, clock, exam_id, learner, 1.5)
    drain(store)  # each attempt is its own delivery line (docs/lti.md, Known limits)
    sit(client, store, clock, exam_id, learner, 0.5)
    drain(store)
    assert platform.gradebook(platform.line_item(3), "user-7") == shown
    assert {score["line_item"] for score in platform.scores} == {platform.line_item(3)}
    assert {d.status for d in store.list_deliveries(platform_id="lti:lms")} == {"delivered"}


def test_placing_an_exam_whose_line_item_a_launch_named_asks_for_no_second_one(
    client: FlaskClient, platform: Platform, launch: Launcher, clock: FakeClock, instructor: Headers
) -> None:
    exam_id = exam_of(client, instructor)
    assert launch(custom={"exam_id": exam_id}, **platform.ags_claim(3)).status_code == 303
    answer = place(client, platform, clock, f"exam:{exam_id}")
    [item] = answer["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert "lineItem" not in item and platform.line_items == {}


def test_a_launch_into_a_deep_linked_exam_sends_to_the_named_line_item_not_the_container(
    client: FlaskClient,
    platform: Platform,
    launch: Launcher,
    clock: FakeClock,
    instructor: Headers,
    store: Store,
    token: Callable[..., Headers],
) -> None:
    exam_id = exam_of(client, instructor, requires_proctoring=False)
    place(client, platform, clock, f"exam:{exam_id}")
    [made] = platform.line_items
    assert launch(custom={"exam_id": exam_id}, **platform.ags_claim(3)).status_code == 303
    sit(client, store, clock, exam_id, token("learner", LEARNER, ["ds101"]), 2.0)
    drain(store)
    [score] = platform.scores
    assert score["line_item"] == platform.line_item(3) and platform.gradebook(made, "user-7") == "-"
    [delivery] = store.list_deliveries(platform_id="lti:lms")
    assert delivery.url == platform.line_item(3) + "/scores"
