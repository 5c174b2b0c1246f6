"""Extensions on the pages: staff grant one (or a CSV of them), see the credit it moves before it is
kept, and the gradebook shows who has which; the learner sees their deadline and what submitting
now means, and the statement stays with the submission."""

from __future__ import annotations

import html
import io
import re
from datetime import datetime
from typing import Any

from flask.testing import FlaskClient

from store import Store
from tests.web.fakes import FakeClock
from tests.web.notebook_builders import learner_bytes
from tests.web.pages_client import csrf_of, log_in, post_form
from tests.web.reports import grade

COURSE_PAGE = "/teach/courses/ds101/extensions"
GRANTS = re.compile(r'name="grants" value="([^"]+)"')
CONFIRM = re.compile(r'name="confirm" value="([^"]+)"')


def extension_form(assignment: dict[str, Any], **overrides: str) -> dict[str, str]:
    return {
        "learner": "alice",
        "assignment_id": assignment["id"],
        "extra_hours": "72",
        "due": "",
        "reason": "flu",
    } | overrides


def test_staff_preview_an_extension_that_moves_a_grade_then_grant_it_and_the_gradebook_shows_it(
    client: FlaskClient, people: None, dated_assignment: dict[str, Any], store: Store, clock: FakeClock
) -> None:
    clock.now = datetime.fromisoformat("2030-03-10T12:00:00+00:00")
    late = store.add_submission(
        dated_assignment["id"], "alice", "hw.ipynb", learner_bytes(), clock(), False, 0.5
    )
    grade(store, late.id, 2.0)
    log_in(client, "prof")
    preview = post_form(client, COURSE_PAGE, f"{COURSE_PAGE}/preview", **extension_form(dated_assignment))
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page
    assert 'id="credit-alice"' in page and "1 → 2" in page
    assert store.ledger_entries("ds101") == []  # a preview keeps nothing
    form = {"grants": html.unescape(GRANTS.search(page).group(1)), "confirm": CONFIRM.search(page).group(1)}  # type: ignore[union-attr]
    applied = client.post(f"{COURSE_PAGE}", data={**form, "csrf_token": csrf_of(client, COURSE_PAGE)})
    assert applied.status_code == 302, applied.get_data(as_text=True)
    assert store.get_submission(late.id).score == 2.0
    assert "flu" in client.get(COURSE_PAGE).get_data(as_text=True)
    book = client.get(f"/teach/assignments/{dated_assignment['id']}/gradebook").get_data(as_text=True)
    row = book[book.index('id="deadline-alice"') :].split("</tr>")[0]
    assert "+72 h" in row and "2030-03-11 12:00 UTC" in row


def test_a_csv_with_bad_rows_is_listed_beside_its_field_and_keeps_nothing(
    client: FlaskClient, people: None, dated_assignment: dict[str, Any], store: Store
) -> None:
    log_in(client, "prof")
    text = "learner,assignment,extra_hours,due,reason\nalice,due,24,,flu\nbob,nope,24,,flu\n,due,5,,x\n"
    data = {"csv": (io.BytesIO(text.encode()), "ext.csv"), "csrf_token": csrf_of(client, COURSE_PAGE)}
    reply = client.post(f"{COURSE_PAGE}/preview", data=data, content_type="multipart/form-data")
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422 and 'id="problems-csv"' in page
    assert "row 2: assignment" in page and "row 3: learner" in page
    assert store.ledger_entries("ds101") == []


def test_the_learner_sees_their_deadline_and_what_submitting_now_means_and_it_stays_with_the_work(
    client: FlaskClient,
    people: None,
    dated_assignment: dict[str, Any],
    store: Store,
    clock: FakeClock,
    instructor: dict[str, str],
) -> None:
    grant = {"learner": "*", "kind": "policy", "days": 1, "reason": "one late day each"}
    assert (
        client.post("/api/v1/courses/ds101/ledger", headers=instructor, json={"entries": [grant]}).status_code
        == 200
    )
    clock.now = datetime.fromisoformat("2030-03-09T06:00:00+00:00")  # 18 hours late
    log_in(client, "alice")
    page = client.get(f"/learn/assignments/{dated_assignment['id']}").get_data(as_text=True)
    assert "Submitting now: <strong>uses 1 late day</strong>" in page
    reply = post_form(
        client, "/learn/", f"/learn/assignments/{dated_assignment['id']}", (learner_bytes(), "hw.ipynb")
    )
    assert reply.status_code == 302
    shown = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert 'id="deadline-statement">uses 1 late day' in shown
    page = client.get(f"/learn/assignments/{dated_assignment['id']}").get_data(as_text=True)
    assert 'id="my-due"' in page and "2030-03-09 12:00 UTC" in page and "<td>uses 1 late day</td>" in page
