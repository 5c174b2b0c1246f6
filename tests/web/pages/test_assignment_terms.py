"""An assignment's life on the pages: staff change its terms (preview, then confirm), read its
history and retire it; learners see a retired one closed (the regrade run: test_regrade_runs.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from store import Store
from tests.web.fakes import FakeClock
from tests.web.multipart import upload
from tests.web.notebook_builders import learner_bytes
from tests.web.pages_client import log_in, post_form
from tests.web.reports import grade

ADMIN = {"Authorization": "Bearer admin-secret"}


@pytest.fixture
def retired(client: FlaskClient, assignment: dict[str, Any], instructor: dict[str, str]) -> dict[str, Any]:
    reply = client.post(
        f"/api/v1/assignments/{assignment['id']}/retire", headers=instructor, json={"reason": "old"}
    )
    assert reply.status_code == 200, reply.json
    return assignment


def test_a_learner_sees_a_retired_assignment_closed_with_no_form_to_submit(
    client: FlaskClient, people: None, retired: dict[str, Any]
) -> None:
    log_in(client, "alice")
    page = client.get(f"/learn/assignments/{retired['id']}").get_data(as_text=True)
    assert "no longer takes submissions" in page and 'id="submit-form"' not in page
    assert "closed" in client.get("/learn/").get_data(as_text=True)


def test_work_sent_to_a_retired_assignment_from_a_page_is_refused_beside_the_file_field(
    client: FlaskClient, people: None, retired: dict[str, Any], store: Store
) -> None:
    log_in(client, "alice")
    page = f"/learn/assignments/{retired['id']}"
    reply = post_form(client, "/learn/", page, (learner_bytes(), "hw.ipynb"))
    assert reply.status_code == 422
    assert 'id="err-file"' in reply.get_data(as_text=True) and "retired" in reply.get_data(as_text=True)
    assert store.list_submissions(assignment_id=retired["id"]) == []


# -- staff: the list, the terms with their preview, the history, retiring ---------------------

LATE = "2030-03-09T18:00:00+00:00"  # 30 hours after dated_assignment's due date: half credit
EXTENDED = {
    "due": "2030-03-10T12:00:00Z",
    "late_policy": '[{"after": "2030-03-11T12:00:00Z", "credit": 50}]',
    "runtime": "",
    "reason": "snow day",
}


@pytest.fixture
def late_work(
    client: FlaskClient,
    dated_assignment: dict[str, Any],
    store: Store,
    clock: FakeClock,
    alice: dict[str, str],
) -> str:
    """alice's work for dated_assignment, 30 hours late and graded 2 points raw (1 with half credit)."""
    clock.now = datetime.fromisoformat(LATE)
    sid = str(
        upload(
            client,
            f"/api/v1/assignments/{dated_assignment['id']}/submissions",
            alice,
            learner_bytes(),
            "hw.ipynb",
        ).json["id"]
    )
    grade(store, sid, 2.0)
    return sid


def page_of(assignment: dict[str, Any]) -> str:
    return f"/teach/assignments/{assignment['id']}"


def test_the_course_list_says_which_assignments_are_open_and_which_retired(
    client: FlaskClient, people: None, post_assignment: Callable[..., Any], instructor: dict[str, str]
) -> None:
    post_assignment(name="hw1")
    old = post_assignment(name="hw0").json
    client.post(f"/api/v1/assignments/{old['id']}/retire", headers=instructor, json={"reason": "old"})
    log_in(client, "prof")
    rows = re.findall(r">(hw\d)</a>(.*?)</tr>", client.get("/teach/").get_data(as_text=True), re.S)
    assert {name: "retired" in rest for name, rest in rows} == {"hw1": False, "hw0": True}


def test_the_assignment_page_shows_its_terms_forms_and_history(
    client: FlaskClient, people: None, dated_assignment: dict[str, Any]
) -> None:
    log_in(client, "prof")
    page = client.get(page_of(dated_assignment)).get_data(as_text=True)
    for marker in (
        'id="terms-form"',
        'id="history"',
        'id="retire-form"',
        'id="regrade-form"',
        "2030-03-09T12:00:00",
    ):
        assert marker in page, marker
    assert 'value="2030-03-08T12:00:00+00:00"' in page  # the due date's field holds it, ready to edit


def test_a_change_of_credit_is_previewed_then_applied_and_the_history_shows_it(
    client: FlaskClient, people: None, dated_assignment: dict[str, Any], late_work: str, store: Store
) -> None:
    log_in(client, "prof")
    page = page_of(dated_assignment)
    preview = post_form(client, page, f"{page}/terms/preview", **EXTENDED)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    row = re.search(r'<tr id="credit-alice">(.*?)</tr>', html, re.S)
    assert row and re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", row.group(1))).split() == [
        "alice",
        "late",
        "→",
        "on",
        "time",
        "50%",
        "→",
        "100%",
        "1",
        "→",
        "2",
    ]
    assert store.get_submission(late_work).score == 1.0  # nothing applied yet
    confirm = re.search(r'name="confirm" value="([0-9a-f]+)"', html)
    assert confirm
    applied = post_form(client, page, f"{page}/terms", **EXTENDED, confirm=confirm.group(1))
    assert applied.status_code == 302 and applied.headers["Location"].endswith(page + "#history")
    assert store.get_submission(late_work).score == 2.0
    history = client.get(page).get_data(as_text=True).split('id="history"', 1)[1]
    assert "snow day" in history and "prof" in history and "1 → 2" in history


def test_a_stale_preview_shows_the_new_one_instead_of_applying(
    client: FlaskClient,
    people: None,
    dated_assignment: dict[str, Any],
    late_work: str,
    store: Store,
    bob: dict[str, str],
) -> None:
    log_in(client, "prof")
    page = page_of(dated_assignment)
    html = post_form(client, page, f"{page}/terms/preview", **EXTENDED).get_data(as_text=True)
    confirm = re.search(r'name="confirm" value="([0-9a-f]+)"', html)
    assert confirm
    upload(
        client, f"/api/v1/assignments/{dated_assignment['id']}/submissions", bob, learner_bytes(), "hw.ipynb"
    )
    stale = post_form(client, page, f"{page}/terms", **EXTENDED, confirm=confirm.group(1))
    assert stale.status_code == 409
    text = stale.get_data(as_text=True)
    assert "preview again" in text and 'id="credit-bob"' in text and confirm.group(1) not in text
    assert store.get_submission(late_work).score == 1.0


@pytest.mark.parametrize(
    ("field", "form"),
    [
        ("due", {"due": "next tuesday"}),
        ("late_policy", {"late_policy": '[{"after": "2030-03-01T00:00:00Z", "credit": 50}]'}),
        ("late_policy", {"late_policy": "[{"}),
        ("runtime", {"runtime": "kata"}),
        ("reason", {"reason": " "}),
    ],
)
def test_a_refused_change_is_shown_beside_its_field_and_changes_nothing(
    client: FlaskClient,
    people: None,
    dated_assignment: dict[str, Any],
    instructor: dict[str, str],
    field: str,
    form: dict[str, str],
) -> None:
    log_in(client, "prof")
    page = page_of(dated_assignment)
    reply = post_form(client, page, f"{page}/terms/preview", **{**EXTENDED, **form})
    assert reply.status_code == 422
    html = reply.get_data(as_text=True)
    assert f'id="err-{field}"' in html and f'aria-describedby="err-{field}"' in html
    assert (
        client.get(f"/api/v1/assignments/{dated_assignment['id']}", headers=instructor).json
        == dated_assignment
    )


def test_retiring_needs_its_box_ticked_and_a_reason_then_closes_the_assignment(
    client: FlaskClient, people: None, assignment: dict[str, Any], instructor: dict[str, str]
) -> None:
    log_in(client, "prof")
    page = page_of(assignment)
    unticked = post_form(client, page, f"{page}/retire", reason="replaced by hw2")
    assert unticked.status_code == 422 and 'id="err-retire-confirm"' in unticked.get_data(as_text=True)
    no_reason = post_form(client, page, f"{page}/retire", reason="", confirm="yes")
    assert no_reason.status_code == 422 and 'id="err-retire-reason"' in no_reason.get_data(as_text=True)
    assert (
        client.get(f"/api/v1/assignments/{assignment['id']}", headers=instructor).json["retired_at"] is None
    )
    retired = post_form(client, page, f"{page}/retire", reason="replaced by hw2", confirm="yes")
    assert retired.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "Retired" in html and 'id="terms-form"' not in html and 'id="retire-form"' not in html
    assert "replaced by hw2" in html.split('id="history"', 1)[1]


def test_a_retired_assignment_answers_its_old_forms_with_a_page_saying_so(
    client: FlaskClient, people: None, retired: dict[str, Any]
) -> None:
    log_in(client, "prof")
    page = page_of(retired)
    for url, form in (
        (f"{page}/terms/preview", EXTENDED),
        (f"{page}/terms", EXTENDED),
        (f"{page}/retire", {"reason": "again", "confirm": "yes"}),
    ):
        reply = post_form(client, page, url, **form)
        assert reply.status_code == 409 and "no longer changes" in reply.get_data(as_text=True)


def test_only_staff_of_the_course_reach_these_pages_and_forms(
    client: FlaskClient, people: None, assignment: dict[str, Any]
) -> None:
    page = page_of(assignment)
    log_in(client, "other-prof")
    assert client.get(page).status_code == 403
    assert post_form(client, "/teach/", f"{page}/terms/preview", **EXTENDED).status_code == 403
    assert post_form(client, "/teach/", f"{page}/retire", reason="x", confirm="yes").status_code == 403
    assert (
        client.post(
            f"{page}/retire", data={"reason": "x", "confirm": "yes", "csrf_token": "forged"}
        ).status_code
        == 403
    )


# -- staff: the assignment-wide regrade run -------------------------------------------------
