"""The learner's exam pages: start an attempt, the room's countdown from the server's clock, save, submit."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from exam_bank.states import STATES
from service.attempts import close_expired
from store import Store
from tests.web.api.test_exams import spec, upload
from tests.web.conftest import START
from tests.web.fakes import FakeClock, FakeEnqueuer
from tests.web.pages_client import csrf_of, log_in, post_form
from web.pages.attempt_words import learner_words

PASSWORD = "correct horse"


@pytest.fixture
def exam(client: FlaskClient, instructor: dict[str, str], store: Store) -> dict[str, Any]:
    store.create_account("learner", "alice", PASSWORD, ["ds101"])
    store.create_account("learner", "bob", PASSWORD, ["ds101"])
    reply = upload(client, instructor, spec(access={"code": "let-me-in"}))
    assert reply.status_code == 201, reply.json
    body: dict[str, Any] = reply.json
    return body


def start(client: FlaskClient, exam: dict[str, Any], code: str = "let-me-in") -> Any:
    return post_form(client, "/learn/exams", f"/learn/exams/{exam['id']}/start", access_code=code)


def test_a_wrong_access_code_is_shown_beside_the_start_button(
    client: FlaskClient, exam: dict[str, Any]
) -> None:
    log_in(client, "alice")
    assert "Final exam" in client.get("/learn/exams").get_data(as_text=True)
    reply = start(client, exam, "guess")
    assert reply.status_code == 422
    assert f'id="err-start-{exam["id"]}"' in reply.get_data(as_text=True)


def test_the_room_counts_down_to_the_servers_deadline(
    client: FlaskClient, exam: dict[str, Any], clock: FakeClock
) -> None:
    log_in(client, "alice")
    reply = start(client, exam)
    assert reply.status_code == 302
    room = reply.headers["Location"]
    html = client.get(room).get_data(as_text=True)
    deadline = (START + timedelta(minutes=60)).isoformat()
    assert f'data-deadline="{deadline}"' in html and f'data-server-now="{START.isoformat()}"' in html
    assert "seed" not in html and "variant" not in html


def test_the_rooms_clock_follows_an_extension_and_the_end_of_the_attempt(
    client: FlaskClient, exam: dict[str, Any], instructor: dict[str, str], clock: FakeClock
) -> None:
    log_in(client, "alice")
    room = start(client, exam).headers["Location"]
    attempt_id = room.rsplit("/", 1)[1]
    assert f'data-clock-url="/learn/attempts/{attempt_id}/clock"' in client.get(room).get_data(as_text=True)
    clock.advance(minutes=10)
    assert client.get(f"{room}/clock").json == {
        "state": "started",
        "deadline": (START + timedelta(minutes=60)).isoformat(),
        "now": (START + timedelta(minutes=10)).isoformat(),
    }
    extended = client.post(
        f"/api/v1/attempts/{attempt_id}/extend",
        headers=instructor,
        json={"minutes": 15, "reason": "accommodation"},
    )
    assert extended.status_code == 200, extended.json
    assert client.get(f"{room}/clock").json["deadline"] == (START + timedelta(minutes=75)).isoformat()
    assert post_form(client, room, f"/learn/attempts/{attempt_id}/submit").status_code == 302
    assert client.get(f"{room}/clock").json["state"] == "submitted"


def test_another_learner_cannot_read_the_rooms_clock(client: FlaskClient, exam: dict[str, Any]) -> None:
    log_in(client, "alice")
    room = start(client, exam).headers["Location"]
    client.post("/logout", data={"csrf_token": csrf_of(client, "/learn/")})
    log_in(client, "bob")
    assert client.get(f"{room}/clock").status_code == 404


def test_another_learner_cannot_enter_the_room(client: FlaskClient, exam: dict[str, Any]) -> None:
    log_in(client, "alice")
    room = start(client, exam).headers["Location"]
    client.post("/logout", data={"csrf_token": csrf_of(client, "/learn/")})
    log_in(client, "bob")
    assert client.get(room).status_code == 404


def test_save_an_answer_then_submit(client: FlaskClient, exam: dict[str, Any], store: Store) -> None:
    log_in(client, "alice")
    room = start(client, exam).headers["Location"]
    attempt_id = room.rsplit("/", 1)[1]
    assert (
        client.get(f"/api/v1/attempts/{attempt_id}").status_code == 401
    )  # the API wants a token, not a cookie
    html = client.get(room).get_data(as_text=True)
    question = html.split('action="/learn/attempts/')[1].split('"')[0].rsplit("/", 1)[1]
    notebook = client.get(f"/learn/attempts/{attempt_id}/questions/{question}").data
    bad = post_form(
        client, room, f"/learn/attempts/{attempt_id}/answers/{question}", (b"{not json", question)
    )
    assert bad.status_code == 422 and f'id="err-answer-{question}"' in bad.get_data(as_text=True)
    saved = post_form(client, room, f"/learn/attempts/{attempt_id}/answers/{question}", (notebook, question))
    assert saved.status_code == 302
    assert post_form(client, room, f"/learn/attempts/{attempt_id}/submit").status_code == 302
    assert store.get_attempt(attempt_id).state == "submitted"


def visible_text(html: str) -> str:
    """What a person reads: the page without its tags, attributes and class names."""
    return " ".join(re.sub(r"<[^>]*>", " ", html).split())


def enter_room(client: FlaskClient, exam: dict[str, Any]) -> tuple[str, str]:
    log_in(client, "alice")
    room = start(client, exam).headers["Location"]
    return room, room.rsplit("/", 1)[1]


def test_submit_the_exam_asks_for_confirmation_before_anything_is_handed_in(
    client: FlaskClient, exam: dict[str, Any], store: Store
) -> None:
    room, attempt_id = enter_room(client, exam)
    html = client.get(room).get_data(as_text=True)
    # The room's button only asks (a plain GET form, so it works without JavaScript).
    assert f'<form method="get" action="/learn/attempts/{attempt_id}/submit">' in html
    confirm = client.get(f"/learn/attempts/{attempt_id}/submit")
    assert confirm.status_code == 200
    page = visible_text(confirm.get_data(as_text=True))
    assert "Submit the exam now?" in page and "0 of 2 questions saved" in page
    assert "Yes, submit the exam" in page and "Back to the exam" in page
    assert store.get_attempt(attempt_id).state == "started"  # asking changed nothing
    assert (
        post_form(
            client, f"/learn/attempts/{attempt_id}/submit", f"/learn/attempts/{attempt_id}/submit"
        ).status_code
        == 302
    )
    assert store.get_attempt(attempt_id).state == "submitted"
    assert (
        client.get(f"/learn/attempts/{attempt_id}/submit").headers["Location"] == room
    )  # nothing left to confirm


def test_when_the_time_is_up_the_room_says_how_much_grace_remains(
    client: FlaskClient, exam: dict[str, Any], clock: FakeClock
) -> None:
    room, _ = enter_room(client, exam)
    html = client.get(room).get_data(as_text=True)
    assert 'data-grace-seconds="60"' in html
    assert 'id="time-up" hidden' in html  # shown by the countdown when it reaches zero
    clock.advance(minutes=60, seconds=15)
    html = client.get(room).get_data(as_text=True)
    assert 'id="time-up" role="status">' in html and 'id="grace-over" hidden' in html
    page = visible_text(html)
    assert "Time is up." in page and "45 s of grace" in page and "until 13:01:00 UTC" in page
    clock.advance(seconds=50)
    html = client.get(room).get_data(as_text=True)
    assert 'id="grace-open" hidden' in html and 'id="grace-over">' in html
    assert (
        "The grace period is over: the work you saved is being handed in for you automatically"
        in visible_text(html)
    )


def test_after_the_sweeper_the_learner_reads_plain_words_and_no_submit_time_of_their_own(
    client: FlaskClient, exam: dict[str, Any], store: Store, enqueuer: FakeEnqueuer, clock: FakeClock
) -> None:
    room, attempt_id = enter_room(client, exam)
    clock.advance(minutes=62)
    assert close_expired(store, enqueuer, clock()) == [attempt_id]
    page = visible_text(client.get(room).get_data(as_text=True))
    assert "Submitted at" not in page and "13:00:00" not in page.split("Time ran out")[0]
    assert (
        "Time ran out before you submitted, so the work you had saved was handed in for you automatically"
        in page
    )
    assert "auto_submit" not in page and "sweeper" not in page
    for event in ("grade", "review_violation"):
        store.apply_event(attempt_id, event, "grader", "", clock())
    for address in (room, "/learn/exams"):
        page = visible_text(client.get(address).get_data(as_text=True))
        assert "second_review" not in page and "being reviewed" in page


@pytest.mark.parametrize("state", STATES)
def test_every_attempt_state_has_words_for_the_learner(state: str) -> None:
    words = learner_words(state, requires_proctoring=True)
    assert words and "_" not in words
