"""Regrade requests on the pages: a learner asks from the feedback page, staff answer from the
queue, the learner reads the answer; refusals are explained beside the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from store import Store
from tests.web.fakes import FakeClock, FakeEnqueuer
from tests.web.pages_client import csrf_of, log_in, post_form
from tests.web.reports import graded_since

REASON = "my function returns the right value"


@pytest.fixture
def graded(people: None, post_submission: Callable[..., Any], store: Store, clock: FakeClock) -> str:
    """alice's submission, its test failed (0 of 2), graded an hour ago."""
    sid = str(post_submission().json["id"])
    graded_since(store, sid, clock, hours=1)
    return sid


def ask(client: FlaskClient, sid: str, reason: str = REASON) -> Any:
    page = f"/submissions/{sid}"
    return post_form(
        client, page, f"/submissions/{sid}/regrade-requests", grade_id="test_answer", reason=reason
    )


def test_a_learner_asks_from_the_feedback_page_and_reads_the_answer_there(
    client: FlaskClient, graded: str, store: Store, enqueuer: FakeEnqueuer
) -> None:
    log_in(client, "alice")
    page = client.get(f"/submissions/{graded}").get_data(as_text=True)
    assert 'id="request-form"' in page and "Why should it be regraded?" in page
    asked = ask(client, graded)
    assert asked.status_code == 302
    (request,) = store.list_regrade_requests()
    assert (request["grade_id"], request["reason"]) == ("test_answer", REASON) and enqueuer.triages
    page = client.get(f"/submissions/{graded}").get_data(as_text=True)
    assert "waiting for staff" in page and 'id="request-form"' not in page  # one open request per cell

    client.delete_cookie("session")
    log_in(client, "prof")
    queue = client.get("/teach/regrade-requests").get_data(as_text=True)
    assert "alice" in queue and "test_answer" in queue and "queued" in queue
    one = f"/teach/regrade-requests/{request['id']}"
    assert "This affects 1 learner" in client.get(one).get_data(as_text=True)
    answered = post_form(
        client, one, f"{one}/answer", decision="upheld", score="2", reason="the test was too strict"
    )
    assert answered.status_code == 302, answered.get_data(as_text=True)
    assert store.get_submission(graded).score == 2.0

    client.delete_cookie("session")
    log_in(client, "alice")
    page = client.get(f"/submissions/{graded}").get_data(as_text=True)
    assert "upheld" in page and "the test was too strict" in page and "new score 2 / 2" in page
    assert 'id="score">2 / 2' in page


def test_a_learner_page_never_shows_the_triage_runs(client: FlaskClient, graded: str, store: Store) -> None:
    log_in(client, "alice")
    ask(client, graded)
    (request,) = store.list_regrade_requests()
    store.save_triage(request["id"], "nondeterministic", {"runs": [{"report": "hidden test source"}]})
    assert "hidden test source" not in client.get(f"/submissions/{graded}").get_data(as_text=True)
    assert client.get(f"/teach/regrade-requests/{request['id']}").status_code == 403


def test_after_the_window_the_page_says_so_and_a_post_is_refused_beside_the_field(
    client: FlaskClient, graded: str, clock: FakeClock, store: Store
) -> None:
    log_in(client, "alice")
    clock.advance(days=8)  # the default window is 7 days
    page = client.get(f"/submissions/{graded}").get_data(as_text=True)
    assert 'id="request-closed"' in page and 'id="request-form"' not in page
    sid_page = f"/submissions/{graded}"
    refused = client.post(
        f"{sid_page}/regrade-requests",
        data={"grade_id": "test_answer", "reason": REASON, "csrf_token": csrf_of(client, "/learn/")},
    )
    assert refused.status_code == 422 and "closed" in refused.get_data(as_text=True)
    assert store.list_regrade_requests() == []


def test_a_bad_answer_is_explained_beside_its_field_and_changes_nothing(
    client: FlaskClient, graded: str, store: Store
) -> None:
    log_in(client, "alice")
    ask(client, graded)
    (request,) = store.list_regrade_requests()
    client.delete_cookie("session")
    log_in(client, "prof")
    one = f"/teach/regrade-requests/{request['id']}"
    for form, field in (
        ({"decision": "upheld", "score": "9", "reason": "ok"}, "err-answer-score"),
        ({"decision": "upheld", "score": "two", "reason": "ok"}, "err-answer-score"),
        ({"score": "1", "reason": "ok"}, "err-answer-decision"),
        ({"decision": "denied", "reason": " "}, "err-answer-reason"),
    ):
        refused = post_form(client, one, f"{one}/answer", **form)
        assert refused.status_code == 422 and f'id="{field}"' in refused.get_data(as_text=True), form
    assert store.get_regrade_request(request["id"])["status"] == "open"
    assert len(store.report_history(graded)) == 1


def test_staff_set_a_courses_terms_and_open_the_assignment_wide_run_from_a_request(
    client: FlaskClient, graded: str, store: Store, enqueuer: FakeEnqueuer
) -> None:
    log_in(client, "prof")
    queue = "/teach/regrade-requests"
    saved = post_form(client, queue, "/teach/courses/ds101/regrade-policy", window_days="3", tokens="2")
    assert saved.status_code == 302 and store.regrade_policy("ds101")["tokens"] == 2
    refused = post_form(client, queue, "/teach/courses/ds101/regrade-policy", window_days="-1", tokens="2")
    assert refused.status_code == 422 and 'id="err-window-ds101"' in refused.get_data(as_text=True)
    assert (
        post_form(
            client, queue, "/teach/courses/ds999/regrade-policy", window_days="1", tokens="0"
        ).status_code
        == 403
    )

    client.delete_cookie("session")
    log_in(client, "alice")
    assert "2 of 2 left" in client.get(f"/submissions/{graded}").get_data(as_text=True)
    ask(client, graded)
    (request,) = store.list_regrade_requests()
    client.delete_cookie("session")
    log_in(client, "prof")
    one = f"/teach/regrade-requests/{request['id']}"
    widened = post_form(client, one, f"{one}/regrade-run")
    assert widened.status_code == 302 and "/teach/regrades/" in widened.headers["Location"]
    assert [s for _, s in enqueuer.regrades] == [graded]
    assert "The regrade run this request started" in client.get(one).get_data(as_text=True)
