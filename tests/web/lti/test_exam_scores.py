"""An exam's score in the LMS: the best (or latest) attempt that counts for credit, sent when that changes.

Against the joserfc platform simulator, with the exam placed by deep linking (the line item
exists before anyone launches). An attempt counts once graded, or, for a proctored exam,
once a proctor verified it; a reopened review takes the score away again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from service.attempts import attempt_graded
from service.settings import Settings
from store import Store
from tests.lti.outbox import JobContext, drain, installed, quick_retries
from tests.lti.simulator import Platform
from tests.web.api.test_exams import spec
from tests.web.api.test_exams import upload as upload_exam
from tests.web.fakes import FakeClock
from tests.web.lti.test_deep_linking import place
from tests.web.reports import report

Headers = dict[str, str]
# Every test needs the platform registered and the delivery job on the test's clock.
pytestmark = pytest.mark.usefixtures("registered", "job")


@dataclass
class ClockedJob(JobContext):
    """The delivery job on the test's clock: the exam's window, and its attempts' changes, are in 2030."""

    fake: FakeClock = field(default_factory=FakeClock)

    @property
    def clock(self) -> Any:  # type: ignore[override]
        return self.fake


@pytest.fixture
def job(
    settings: Settings, platform: Platform, client: FlaskClient, clock: FakeClock
) -> Iterator[JobContext]:
    fast = quick_retries(settings, attempts=4, cap=2.0)
    with installed(ClockedJob(fast, fake=clock), platform, client) as ctx:
        yield ctx


def placed_exam(
    client: FlaskClient, platform: Platform, clock: FakeClock, instructor: Headers, **changes: Any
) -> str:
    exam = upload_exam(client, instructor, spec(**changes))
    assert exam.status_code == 201, exam.json
    place(client, platform, clock, f"exam:{exam.json['id']}")
    exam_id: str = exam.json["id"]
    return exam_id


def sit(
    client: FlaskClient, store: Store, clock: FakeClock, exam_id: str, who: Headers, points: float
) -> str:
    """Start, submit, and grade one attempt as the worker would; its id."""
    started = client.post(f"/api/v1/exams/{exam_id}/attempts", headers=who)
    assert started.status_code == 201, started.json
    submitted = client.post(f"/api/v1/attempts/{started.json['id']}/submit", headers=who)
    assert submitted.status_code == 202, submitted.json
    sid = submitted.json["submission_id"]
    store.claim_submission(sid)
    assert store.save_grade(sid, report(points), "<p>feedback</p>", {})
    attempt_graded(store, sid, clock())
    attempt_id: str = started.json["id"]
    return attempt_id


@pytest.mark.parametrize(("policy", "shown"), [("best", "1.5/2"), ("latest", "0.5/2")])
def test_an_unproctored_exam_sends_the_best_or_the_latest_attempt(
    client: FlaskClient,
    platform: Platform,
    clock: FakeClock,
    instructor: Headers,
    store: Store,
    token: Callable[..., Headers],
    policy: str,
    shown: str,
) -> None:
    exam_id = placed_exam(
        client, platform, clock, instructor, requires_proctoring=False, attempts_allowed=2, lms_score=policy
    )
    [line_item] = platform.line_items
    ann = token("learner", "lti:lms:ann", ["ds101"])
    sit(client, store, clock, exam_id, ann, 1.5)
    drain(store)
    assert platform.gradebook(line_item, "ann") == "1.5/2"
    sit(client, store, clock, exam_id, ann, 0.5)
    drain(store)
    assert platform.gradebook(line_item, "ann") == shown
    assert len(platform.line_items) == 1 and len(platform.scores) == 2


def test_a_proctored_exam_reaches_the_lms_when_verified_and_leaves_it_when_reopened(
    client: FlaskClient,
    platform: Platform,
    clock: FakeClock,
    instructor: Headers,
    store: Store,
    token: Callable[..., Headers],
) -> None:
    exam_id = placed_exam(client, platform, clock, instructor)  # requires_proctoring: true
    [line_item] = platform.line_items
    attempt = sit(client, store, clock, exam_id, token("learner", "lti:lms:ann", ["ds101"]), 2.0)
    drain(store)
    assert platform.scores == []  # graded, not yet verified: it does not count
    review = f"/api/v1/attempts/{attempt}/review"
    verified = client.post(review, headers=instructor, json={"decision": "verify", "reason": "clean"})
    assert verified.status_code == 200, verified.json
    drain(store)
    assert platform.gradebook(line_item, "ann") == "2/2"
    reopened = client.post(review, headers=instructor, json={"decision": "reopen", "reason": "a second look"})
    assert reopened.status_code == 200, reopened.json
    drain(store)
    assert platform.gradebook(line_item, "ann") == "not graded"  # the score is taken away
    assert "scoreGiven" not in platform.scores[-1]


def test_a_regrade_of_a_counting_attempt_updates_the_lms_and_others_send_nothing(
    client: FlaskClient,
    platform: Platform,
    clock: FakeClock,
    instructor: Headers,
    store: Store,
    token: Callable[..., Headers],
) -> None:
    # A regrade is stamped by the database's clock, as every grade is: so is the exam's window here.
    clock.now = store.now()
    window = {
        "opens": (clock.now - timedelta(hours=1)).isoformat(),
        "closes": (clock.now + timedelta(hours=3)).isoformat(),
    }
    exam_id = placed_exam(client, platform, clock, instructor, requires_proctoring=False, window=window)
    [line_item] = platform.line_items
    attempt = sit(client, store, clock, exam_id, token("learner", "lti:lms:ann", ["ds101"]), 1.0)
    sit(client, store, clock, exam_id, token("learner", "alice", ["ds101"]), 2.0)  # not from the LMS
    sid = store.get_attempt(attempt).submission_id
    assert sid is not None
    assert client.post(f"/api/v1/submissions/{sid}/regrade", headers=instructor).status_code == 202
    store.claim_submission(sid)
    assert store.save_grade(sid, report(2.0), "<p>fixed</p>", {})
    clock.now = store.now()  # the job runs after the regrade
    drain(store)
    assert platform.gradebook(line_item, "ann") == "2/2"
    assert [score["userId"] for score in platform.scores] == ["ann", "ann"]


def test_an_unknown_lms_score_policy_is_refused_at_upload_naming_the_field(
    client: FlaskClient, instructor: Headers, row_counts: Callable[[], dict[str, int]]
) -> None:
    before = row_counts()
    refused = upload_exam(client, instructor, spec(lms_score="worst"))
    assert refused.status_code == 422, refused.json
    assert any("lms_score" in problem and "'worst'" in problem for problem in refused.json["problems"])
    assert row_counts() == before
