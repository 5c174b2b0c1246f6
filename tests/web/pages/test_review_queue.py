"""The staff review queue (web/pages/review_queue.py): waiting attempts oldest first, and a decision needs a reason."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from integrations.signing import signed_headers
from store import Store
from tests.web.api.test_exams import ADMIN
from tests.web.fakes import FakeClock
from tests.web.pages.test_exam_admin import exam, grade  # noqa: F401  (exam: a fixture)
from tests.web.pages_client import log_in, post_form


def test_the_review_queue_lists_waiting_attempts_oldest_first_and_a_decision_needs_a_reason(
    client: FlaskClient,
    people: None,
    exam: dict[str, Any],
    store: Store,
    clock: FakeClock,
    token: Callable[..., dict[str, str]],
) -> None:
    provider = client.post(
        "/api/v1/platforms", headers=ADMIN, json={"id": "proctorio", "courses": ["ds101"]}
    ).json
    first = client.post(
        f"/api/v1/exams/{exam['id']}/attempts", headers=token("learner", "alice", ["ds101"])
    ).json["id"]
    second = client.post(
        f"/api/v1/exams/{exam['id']}/attempts", headers=token("learner", "bob", ["ds101"])
    ).json["id"]
    grade(client, store, clock, token, first)
    clock.advance(minutes=5)
    grade(client, store, clock, token, second, "bob")
    clock.advance(minutes=5)
    body = json.dumps(
        {
            "review_id": "r1",
            "attempt_id": second,
            "outcome": "violation",
            "evidence": [{"kind": "video", "at": "00:12:31"}],
            "comments": "phone visible",
        }
    ).encode()
    assert (
        client.post(
            "/api/v1/proctoring/proctorio/reviews",
            data=body,
            content_type="application/json",
            headers=signed_headers(provider["secret"], int(clock().timestamp()), body),
        ).status_code
        == 202
    )
    log_in(client, "prof")
    queue = client.get("/teach/review").get_data(as_text=True)
    assert queue.index(first) < queue.index(second) and "second_review" in queue
    page = f"/teach/attempts/{second}?from=queue"
    html = client.get(page).get_data(as_text=True)
    assert "violation" in html and "00:12:31" in html and "phone visible" in html
    no_reason = post_form(
        client, page, f"/teach/attempts/{second}/review", decision="verify", reason="", next="queue"
    )
    assert no_reason.status_code == 422 and 'id="err-review-reason"' in no_reason.get_data(as_text=True)
    assert store.get_attempt(second).state == "second_review"
    done = post_form(
        client, page, f"/teach/attempts/{second}/review", decision="reject", reason="phone", next="queue"
    )
    assert done.status_code == 302 and done.headers["Location"] == "/teach/review"
    assert store.get_attempt(second).state == "rejected" and second not in client.get(
        "/teach/review"
    ).get_data(as_text=True)
    again = post_form(client, page, f"/teach/attempts/{second}/review", decision="reject", reason="twice")
    assert again.status_code == 422 and 'id="err-decision"' in again.get_data(
        as_text=True
    )  # the state forbids it
    assert (
        post_form(
            client, page, f"/teach/attempts/{first}/review", decision="verify", reason="clean"
        ).status_code
        == 302
    )
    assert store.get_attempt(first).state == "verified" and "Nothing is waiting" in client.get(
        "/teach/review"
    ).get_data(as_text=True)
